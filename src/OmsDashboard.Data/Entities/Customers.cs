using NetTopologySuite.Geometries;

namespace OmsDashboard.Data.Entities;

public sealed class OmsCustomer
{
    public required string Id { get; set; }
    public required string AccountNumber { get; set; }
    public required string DistributionPointId { get; set; }
    /// <summary>Denormalised from the distribution point: most queries filter by feeder.</summary>
    public required string FeederId { get; set; }
    public required string Name { get; set; }
    public required Point Location { get; set; }
    public string? Phase { get; set; }
}

public sealed class OmsSmartMeter
{
    /// <summary>The Kaifa meter id (<c>meterId</c> in signals).</summary>
    public required string Id { get; set; }
    public required string CustomerId { get; set; }
    public string Status { get; set; } = "active";
}

public sealed class OmsOnuDevice
{
    /// <summary>The ONU id (<c>onuId</c> in signals).</summary>
    public required string Id { get; set; }
    public required string CustomerId { get; set; }
    public string Status { get; set; } = "active";
}
