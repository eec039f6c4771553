namespace OmsDashboard.Domain.Topology;

/// <summary>The kinds of element in a radial distribution network, from the root down.</summary>
public enum NodeKind
{
    Substation,
    /// <summary>A feeder, represented by its head breaker.</summary>
    Feeder,
    Recloser,
    Fuse,
    Switch,
    /// <summary>A distribution (service) transformer: the design's distribution point.</summary>
    Transformer,
    Customer,
}

public static class NodeKinds
{
    /// <summary>The spelling used in topology files, the API and the database.</summary>
    public static string ToWire(this NodeKind kind) => kind switch
    {
        NodeKind.Substation => "substation",
        NodeKind.Feeder => "feeder",
        NodeKind.Recloser => "recloser",
        NodeKind.Fuse => "fuse",
        NodeKind.Switch => "switch",
        NodeKind.Transformer => "transformer",
        NodeKind.Customer => "customer",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string text, out NodeKind kind)
    {
        switch (text)
        {
            case "substation": kind = NodeKind.Substation; return true;
            case "feeder": kind = NodeKind.Feeder; return true;
            case "recloser": kind = NodeKind.Recloser; return true;
            case "fuse": kind = NodeKind.Fuse; return true;
            case "switch": kind = NodeKind.Switch; return true;
            case "transformer": kind = NodeKind.Transformer; return true;
            case "customer": kind = NodeKind.Customer; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Protective or switching devices between a feeder head and its transformers.</summary>
    public static bool IsLineDevice(this NodeKind kind) =>
        kind is NodeKind.Recloser or NodeKind.Fuse or NodeKind.Switch;

    /// <summary>
    /// Which kinds may be the parent of <paramref name="child"/>. Devices nest to any depth;
    /// a transformer hangs from a feeder or a device; a customer from a transformer.
    /// </summary>
    public static bool CanBeParentOf(this NodeKind parent, NodeKind child) => child switch
    {
        NodeKind.Substation => false,
        NodeKind.Feeder => parent == NodeKind.Substation,
        NodeKind.Recloser or NodeKind.Fuse or NodeKind.Switch or NodeKind.Transformer =>
            parent == NodeKind.Feeder || parent.IsLineDevice(),
        NodeKind.Customer => parent == NodeKind.Transformer,
        _ => false,
    };
}
