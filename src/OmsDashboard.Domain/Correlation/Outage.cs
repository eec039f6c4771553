using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Correlation;

public enum OutageStatus : byte
{
    Unconfirmed,
    Probable,
    Confirmed,
    Restored,
    Momentary,
    Merged,
    Cancelled,
}

public enum Severity : byte
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>A signal attached to an outage as evidence, with the weight it carries.</summary>
public sealed record Evidence(
    SourceSystem Source,
    string SourceId,
    SignalType Type,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    double Weight,
    int Customer,
    string? AssetId)
{
    /// <summary>The signal this evidence came from (reported back as is, not rebuilt).</summary>
    public Signal? Origin { get; init; }
}

/// <summary>One source's share of an outage's confidence.</summary>
/// <param name="Signals">Distinct signals of this source.</param>
/// <param name="Exponent">1 + log2(signals): repeats add less and less.</param>
/// <param name="Contribution">This source alone: 1 − (1 − weight)^exponent.</param>
public sealed record ConfidencePart(SourceSystem Source, int Signals, double Weight, double Exponent, double Contribution);

/// <summary>Why an outage sits at its device with its confidence, in numbers and words.</summary>
public sealed record OutageExplanation(
    string Rule,
    IReadOnlyList<string> PathToSubstation,
    int CustomersDownstream,
    int DarkCustomers,
    int LiveCustomers,
    int SilentCustomers,
    double ChosenCost,
    double? SplitCost,
    double? ParentCost,
    IReadOnlyList<ConfidencePart> Confidence,
    string RuleSet,
    string Text);

/// <summary>A change the last advance made to an outage, as pushed to clients and the timeline.</summary>
public enum OutageChange : byte
{
    Created,
    Updated,
    Restored,
    Merged,
    Cancelled,
    Momentary,
}

/// <summary>A status change or notable step, for the outage's timeline.</summary>
/// <param name="Actor">The user who did it, or null for the engine.</param>
public sealed record TimelineEntry(DateTimeOffset At, string Type, OutageStatus? From, OutageStatus? To, string Description, string? Actor = null);

/// <summary>
/// An outage as the engine keeps it. Mutable inside the engine; callers read it between advances.
/// </summary>
public sealed class Outage
{
    internal Outage(long number, string eventId, int device, int feeder, DateTimeOffset firstDetected)
    {
        Number = number;
        EventId = eventId;
        Device = device;
        Feeder = feeder;
        FirstDetectedAt = firstDetected;
    }

    /// <summary>The engine's sequence number: stable identity across passes.</summary>
    public long Number { get; }

    /// <summary><c>OUT-YYYYMMDD-NNNN</c> from the first detection's date and the number.</summary>
    public string EventId { get; }

    public OutageStatus Status { get; internal set; } = OutageStatus.Unconfirmed;

    /// <summary>The node whose opening explains the outage (a customer node for a service outage).</summary>
    public int Device { get; internal set; }

    public int Feeder { get; }

    public DateTimeOffset FirstDetectedAt { get; internal set; }
    public DateTimeOffset? ConfirmedAt { get; internal set; }
    public DateTimeOffset? RestoredAt { get; internal set; }
    public DateTimeOffset? ProbableAt { get; internal set; }

    public double Confidence { get; internal set; }
    public Severity Severity { get; internal set; }
    public bool HasHazard { get; internal set; }
    public bool ScadaConfirmed { get; internal set; }

    /// <summary>Customers believed out (all downstream customers not known to have power).</summary>
    public int AffectedCustomers { get; internal set; }

    /// <summary>The outage this one is nested in (after a partial restoration of the parent).</summary>
    public Outage? Parent { get; internal set; }

    /// <summary>The survivor this outage was merged into.</summary>
    public Outage? MergedInto { get; internal set; }

    public OutageExplanation? Explanation { get; internal set; }

    /// <summary>Estimated time of restoration, as an operator set it.</summary>
    public DateTimeOffset? Etr { get; internal set; }

    /// <summary>An operator placed the outage at this device (−1: the engine's prediction).</summary>
    public int PinnedDevice { get; internal set; } = -1;

    public EvidenceSet Evidence { get; } = new();

    public List<TimelineEntry> Timeline { get; } = [];

    /// <summary>
    /// Restored from a snapshot after it had ended: the scalar fields only, without evidence,
    /// timeline, customers or explanation (an ended outage never changes again; its rows are in
    /// the database). See docs/decisions/0013.
    /// </summary>
    public bool IsSummary { get; internal set; }

    public bool IsActive => Status is OutageStatus.Unconfirmed or OutageStatus.Probable or OutageStatus.Confirmed;

    internal IndexedSet Customers { get; } = new();

    /// <summary>
    /// The device this outage last covered in full (every dark customer below it is covered by
    /// this outage), or −1. While the prediction stays there, a tick only has to cover the
    /// customers that went dark since; a move or a merge asks for a full walk again.
    /// </summary>
    internal int CoveredDevice { get; set; } = -1;

    /// <summary>What the last explanation was computed from: unchanged inputs need no new one.</summary>
    internal (int Device, int Evidence, int Dark, int Live, OutageStatus Status, bool Hazard, string Rules) ExplainedFrom { get; set; } = (-1, -1, -1, -1, default, false, "");

    internal (double Confidence, int Affected, double Chosen, double Split, int ParentDark, int ParentLive) ExplainedCosts { get; set; }

    /// <summary>Restorations seen among <see cref="Customers"/> since the outage began.</summary>
    internal HashSet<int> Restored { get; } = [];

    internal void SetStatus(OutageStatus status, DateTimeOffset at, string why, string? actor = null)
    {
        if (status == Status) return;
        Timeline.Add(new TimelineEntry(at, "status_changed", Status, status, why, actor));
        Status = status;
    }
}
