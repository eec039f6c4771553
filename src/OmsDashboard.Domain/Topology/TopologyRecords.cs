namespace OmsDashboard.Domain.Topology;

/// <summary>One row of <c>nodes.csv</c>, with the line it came from.</summary>
public sealed record NodeRecord(
    string Id,
    NodeKind Kind,
    string? ParentId,
    double Lat,
    double Lon,
    string? Phase,
    string Name,
    int Line);

/// <summary>One row of <c>assets.csv</c>: a customer's account, Kaifa meter and optional ONU.</summary>
public sealed record AssetRecord(
    string CustomerId,
    string AccountNumber,
    string MeterId,
    string? OnuId,
    int Line);

/// <summary>A problem in an input file, located by file and 1-based line (the header is line 1).</summary>
public sealed record ImportError(string File, int Line, string Reason)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Reason}" : $"{File}: {Reason}";
}
