using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Domain.Correlation;

/// <summary>What happened to one signal: attached to an outage, or kept unmatched with a reason.</summary>
public sealed record AppliedSignal(Signal Signal, long? OutageNumber, bool Matched, string? Note);

/// <summary>The engine asks the AMI head-end (or the simulator) to ping these meters.</summary>
public sealed record PingRequest(DateTimeOffset At, long OutageNumber, IReadOnlyList<string> MeterIds);

/// <summary>A momentary interruption (IEEE 1366: ≤ 5 min), recorded for MAIFI.</summary>
/// <param name="Node">The device that operated, or the customer whose power blinked.</param>
/// <param name="Customers">Customers interrupted.</param>
public sealed record MomentaryEvent(DateTimeOffset At, int Node, int Customers, string Cause);

/// <summary>Everything one <see cref="CorrelationEngine.Advance"/> changed, for persistence and push.</summary>
public sealed class EngineChanges
{
    public Dictionary<Outage, OutageChange> Outages { get; } = [];
    public List<AppliedSignal> Signals { get; } = [];
    public List<PingRequest> Pings { get; } = [];
    public List<MomentaryEvent> Momentaries { get; } = [];
    /// <summary>Evidence whose outage changed (by merge or re-cover): source, id, new outage.</summary>
    public List<(SourceSystem Source, string SourceId, long OutageNumber)> EvidenceMoves { get; } = [];
    public StormState? StormChanged { get; internal set; }
    /// <summary>Operator actions applied or refused in this advance.</summary>
    public List<ActionOutcome> Actions { get; } = [];

    /// <summary>Nothing changed (a snapshot may only be taken then: pending changes are not part of it).</summary>
    internal bool IsEmpty => Outages.Count == 0 && Signals.Count == 0 && Pings.Count == 0 && Momentaries.Count == 0
        && EvidenceMoves.Count == 0 && StormChanged is null && Actions.Count == 0;

    internal void Mark(Outage outage, OutageChange change)
    {
        // Created stays Created within one advance; terminal changes win over Updated.
        if (Outages.TryGetValue(outage, out var existing) && (existing == OutageChange.Created || change == OutageChange.Updated))
        {
            if (existing == OutageChange.Created && change != OutageChange.Updated && !outage.IsActive)
            {
                Outages[outage] = change;
            }
            return;
        }
        Outages[outage] = change;
    }
}

public enum IngestOutcome : byte
{
    Accepted,
    Duplicate,
    Unmatched,
}
