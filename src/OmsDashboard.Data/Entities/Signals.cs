using NetTopologySuite.Geometries;

namespace OmsDashboard.Data.Entities;

// The four source tables. Each is hash-partitioned on its source id (docs/decisions/0003), so
// the source id alone is the primary key and idempotency stays exact across partitions. The
// tables are created by SQL in the migration; EF maps them but does not create them.

/// <summary>Where a stored signal is in correlation.</summary>
public static class CorrelationStates
{
    public const string Pending = "pending";
    public const string Correlated = "correlated";
    /// <summary>Kept but not attached: unknown asset, fiber-only fault, informational.</summary>
    public const string Unmatched = "unmatched";
}

public abstract class SourceSignal
{
    /// <summary>Arrival order (an identity): useful for paging, not a correlation watermark.</summary>
    public long Seq { get; set; }
    public required DateTimeOffset OccurredAt { get; set; }
    public required DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset IngestedAt { get; set; }
    public string CorrelationState { get; set; } = CorrelationStates.Pending;
    public string? CorrelationNote { get; set; }
    public DateTimeOffset? CorrelatedAt { get; set; }
    public Guid? OutageEventId { get; set; }
}

public sealed class ScadaEvent : SourceSignal
{
    public required string EventId { get; set; }
    public required string DeviceId { get; set; }
    /// <summary><c>trip</c>, <c>lockout</c>, <c>close</c> or <c>alarm</c>.</summary>
    public required string EventType { get; set; }
    public string? Description { get; set; }
}

public sealed class KaifaEvent : SourceSignal
{
    public required string EventId { get; set; }
    public required string MeterId { get; set; }
    /// <summary><c>last_gasp</c> or <c>power_restore</c>.</summary>
    public required string EventType { get; set; }
    public string? EventCode { get; set; }
}

public sealed class OnuEvent : SourceSignal
{
    public required string EventId { get; set; }
    public required string OnuId { get; set; }
    /// <summary><c>dying_gasp</c>, <c>online</c> or <c>los</c>.</summary>
    public required string EventType { get; set; }
}

/// <summary>A call-center ticket; <see cref="SourceSignal.OccurredAt"/> is the contract's <c>reportedAt</c>.</summary>
public sealed class CallcenterTicket : SourceSignal
{
    public required string TicketId { get; set; }
    public string? AccountNumber { get; set; }
    public Point? Location { get; set; }
    public string? Address { get; set; }
    /// <summary><c>no_power</c>, <c>partial_power</c>, <c>flickering</c>, <c>wire_down</c> or <c>power_restored</c>.</summary>
    public required string Category { get; set; }
    public string? CallerPhone { get; set; }
    public string? Notes { get; set; }
}
