using System.Text.Json;
using NetTopologySuite.Geometries;

namespace OmsDashboard.Data.Entities;

public static class OutageStatuses
{
    public const string Unconfirmed = "unconfirmed";
    public const string Probable = "probable";
    public const string Confirmed = "confirmed";
    public const string Restored = "restored";
    public const string Momentary = "momentary";
    public const string Merged = "merged";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Unconfirmed, Probable, Confirmed, Restored, Momentary, Merged, Cancelled];
    public static readonly string[] Active = [Unconfirmed, Probable, Confirmed];
}

/// <summary>Where the correlation pass stands (one row): what it has processed and the next outage number.</summary>
public sealed class OmsCorrelationState
{
    public int Id { get; set; } = 1;
    /// <summary>Event time up to which every signal's effect has been applied.</summary>
    public DateTimeOffset? ProcessedUntil { get; set; }
    public long NextOutageNumber { get; set; } = 1;
    public long Passes { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A momentary interruption (IEEE 1366: 5 minutes or less), kept for MAIFI.</summary>
public sealed class OmsMomentaryEvent
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The device that operated, or the customer whose power blinked.</summary>
    public required string NodeId { get; set; }
    public int Customers { get; set; }
    public required string Cause { get; set; }
}

public static class Severities
{
    public static readonly string[] All = ["low", "medium", "high", "critical"];
}

public static class SourceTypes
{
    public const string Scada = "scada";
    public const string Kaifa = "kaifa";
    public const string Onu = "onu";
    public const string Callcenter = "callcenter";

    public static readonly string[] All = [Scada, Kaifa, Onu, Callcenter];
}

/// <summary>An outage: the master record the correlation engine and the operators maintain.</summary>
public sealed class OmsOutageEvent
{
    public Guid Id { get; set; }
    /// <summary>The correlation engine's number for this outage (its identity across passes); null for outages made by the SQL baseline.</summary>
    public long? Number { get; set; }
    /// <summary>Human id, <c>OUT-YYYYMMDD-NNNN</c>.</summary>
    public required string EventId { get; set; }
    public required string Status { get; set; }
    public required string Severity { get; set; }
    public decimal ConfidenceScore { get; set; }
    public int AffectedCustomersCount { get; set; }
    /// <summary>The node whose opening explains the outage (device, transformer, or customer for a service outage).</summary>
    public string? DeviceId { get; set; }
    public string? DeviceKind { get; set; }
    public string? FeederId { get; set; }
    public string? SubstationId { get; set; }
    public Point? Location { get; set; }
    public Guid? ParentOutageId { get; set; }
    public Guid? MergedIntoId { get; set; }
    public DateTimeOffset FirstDetectedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
    public DateTimeOffset? ProbableAt { get; set; }
    public DateTimeOffset? RestoredAt { get; set; }
    public DateTimeOffset? Etr { get; set; }
    public string? EtrSource { get; set; }
    public string? Cause { get; set; }
    public bool HasHazard { get; set; }
    public JsonDocument? Explanation { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Optimistic concurrency between operators and the correlation pass (PostgreSQL xmin).</summary>
    public uint Version { get; set; }
    public List<OmsEventSource> Sources { get; set; } = [];
    public List<OmsEventTimelineEntry> Timeline { get; set; } = [];
}

/// <summary>A source signal attached to an outage, with the weight it contributed.</summary>
public sealed class OmsEventSource
{
    public long Id { get; set; }
    public Guid OutageEventId { get; set; }
    public required string SourceType { get; set; }
    public required string SourceEventId { get; set; }
    public required string SignalType { get; set; }
    /// <summary>The signal's occurred time (event time).</summary>
    public DateTimeOffset DetectedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public decimal Weight { get; set; }
    public string? CustomerId { get; set; }
    public string? AssetId { get; set; }
    public DateTimeOffset CorrelatedAt { get; set; }
}

/// <summary>One step in an outage's life: a status change, evidence, an operator action.</summary>
public sealed class OmsEventTimelineEntry
{
    public long Id { get; set; }
    public Guid OutageEventId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string EntryType { get; set; }
    public string? FromStatus { get; set; }
    public string? ToStatus { get; set; }
    public required string Description { get; set; }
    /// <summary><c>system</c> or the user who acted.</summary>
    public required string Actor { get; set; }
    public JsonDocument? Details { get; set; }
}
