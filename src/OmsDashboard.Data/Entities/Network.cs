using NetTopologySuite.Geometries;

namespace OmsDashboard.Data.Entities;

// The network topology: substation → feeder → protective/switching devices (a tree of any
// depth) → distribution points (transformers) → customers. Ids are the topology file ids.
// Locations are geography(Point, 4326): correlation asks for distances in metres, and the
// column type is the type queried, so the GiST indexes are used.

public sealed class NetworkSubstation
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required Point Location { get; set; }
    public string? Phase { get; set; }
    public string Status { get; set; } = "energized";
    public List<NetworkFeeder> Feeders { get; set; } = [];
}

/// <summary>A feeder; its head breaker is telemetered (SCADA reports it).</summary>
public sealed class NetworkFeeder
{
    public required string Id { get; set; }
    public required string SubstationId { get; set; }
    public required string Name { get; set; }
    public required Point Location { get; set; }
    public string? Phase { get; set; }
    public string Status { get; set; } = "energized";
    public bool IsTelemetered { get; set; } = true;
    public NetworkSubstation? Substation { get; set; }
}

/// <summary>A recloser, fuse or switch between a feeder head and its transformers.</summary>
public sealed class NetworkDevice
{
    public required string Id { get; set; }
    public required string FeederId { get; set; }
    /// <summary>The upstream device, or null when the device hangs directly from the feeder head.</summary>
    public string? ParentDeviceId { get; set; }
    /// <summary><c>recloser</c>, <c>fuse</c> or <c>switch</c>.</summary>
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public required Point Location { get; set; }
    public string? Phase { get; set; }
    /// <summary>Reclosers are telemetered by default; fuses never are.</summary>
    public bool IsTelemetered { get; set; }
    public bool NormallyOpen { get; set; }
    public int Depth { get; set; }
    public string Status { get; set; } = "closed";
}

/// <summary>A distribution (service) transformer.</summary>
public sealed class NetworkDistributionPoint
{
    public required string Id { get; set; }
    public required string FeederId { get; set; }
    public string? ParentDeviceId { get; set; }
    public required string Name { get; set; }
    public required Point Location { get; set; }
    public string? Phase { get; set; }
    public string Status { get; set; } = "energized";
}
