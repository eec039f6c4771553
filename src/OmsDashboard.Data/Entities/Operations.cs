using NetTopologySuite.Geometries;

namespace OmsDashboard.Data.Entities;

public sealed class OmsCrew
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? LeadName { get; set; }
    public string? Phone { get; set; }
    /// <summary><c>available</c>, <c>dispatched</c>, <c>en_route</c>, <c>on_site</c> or <c>off_duty</c>.</summary>
    public string Status { get; set; } = "available";
    public Point? Location { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class OmsCrewAssignment
{
    public long Id { get; set; }
    public required string CrewId { get; set; }
    public Guid OutageEventId { get; set; }
    /// <summary><c>assigned</c>, <c>en_route</c>, <c>on_site</c>, <c>completed</c> or <c>cancelled</c>.</summary>
    public string Status { get; set; } = "assigned";
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? ArrivedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>A crew's ETR is never overwritten by the system.</summary>
    public DateTimeOffset? Etr { get; set; }
    public string? Notes { get; set; }
    public required string AssignedBy { get; set; }
}

public sealed class OmsCustomerNotification
{
    public long Id { get; set; }
    public Guid OutageEventId { get; set; }
    public required string CustomerId { get; set; }
    /// <summary><c>sms</c>, <c>email</c>, <c>voice</c> or <c>push</c>.</summary>
    public required string Channel { get; set; }
    /// <summary><c>outage_detected</c>, <c>etr_update</c> or <c>restored</c>.</summary>
    public required string NotificationType { get; set; }
    /// <summary><c>pending</c>, <c>sent</c>, <c>delivered</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "pending";
    public required string Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? Error { get; set; }
}
