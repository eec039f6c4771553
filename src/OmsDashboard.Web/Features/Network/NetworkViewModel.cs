using System.Globalization;
using OmsDashboard.Data.Queries;

namespace OmsDashboard.Web.Features.Network;

/// <summary>What the Network page shows, computed without a renderer so it can be tested plainly.</summary>
public sealed class NetworkViewModel
{
    public NetworkViewModel(TopologySummary summary)
    {
        Summary = summary;
        KindTiles =
        [
            new("substation", "Substations", summary.Substations),
            new("feeder", "Feeders", summary.Feeders),
            new("recloser", "Reclosers", summary.Totals.Recloser),
            new("switch", "Switches", summary.Totals.Switch),
            new("fuse", "Fuses", summary.Totals.Fuse),
            new("transformer", "Transformers", summary.Totals.Transformer),
            new("customer", "Customers", summary.Totals.Customer),
            new("meter", "Smart meters", summary.Totals.Meter),
            new("onu", "Fiber ONUs", summary.Totals.Onu),
        ];
        Feeders = [.. summary.FeederDetails.Select((f, i) => new FeederItem(f, FeederPalette.ColorAt(i)))];
        FeederColors = Feeders.ToDictionary(f => f.Id, f => f.Color, StringComparer.Ordinal);
    }

    public TopologySummary Summary { get; }

    public IReadOnlyList<KindTile> KindTiles { get; }

    /// <summary>One entry per feeder, in the summary's order, each with its colour on the map.</summary>
    public IReadOnlyList<FeederItem> Feeders { get; }

    /// <summary>Feeder id → line colour, handed to the map.</summary>
    public IReadOnlyDictionary<string, string> FeederColors { get; }

    public bool IsEmpty => Summary.Substations == 0;

    /// <summary>Share of customers with a fiber ONU, as the page prints it.</summary>
    public static string FiberShare(KindCounts c) =>
        c.Customer == 0 ? "–" : (100.0 * c.Onu / c.Customer).ToString("F0", CultureInfo.InvariantCulture) + " %";

    /// <summary>
    /// The id an operator reads: the importer's ids carry a kind prefix (<c>FDR:fdr_05410</c>,
    /// <c>SUB:HVMV_Sub</c>) that every card would repeat.
    /// </summary>
    public static string ShortId(string id) => Shared.OutageLabels.ShortId(id);
}

/// <summary>A count tile: <paramref name="Kind"/> is the API's key (<c>customer</c>), <paramref name="Label"/> what the page prints.</summary>
public sealed record KindTile(string Kind, string Label, long Count)
{
    public string Text => Count.ToString("N0", CultureInfo.CurrentCulture);
}

/// <summary>One feeder as the page lists it.</summary>
public sealed record FeederItem(string Id, string ShortId, string Name, string SubstationName, string Color, KindCounts Counts)
{
    public FeederItem(FeederSummary feeder, string color)
        : this(feeder.Id, NetworkViewModel.ShortId(feeder.Id), feeder.Name, feeder.SubstationName, color, feeder.Counts)
    {
    }

    /// <summary>The figures of the feeder's card, in the order shown.</summary>
    public IReadOnlyList<FeederStat> Stats =>
    [
        new("recloser", "Reclosers", N(Counts.Recloser)),
        new("switch", "Switches", N(Counts.Switch)),
        new("fuse", "Fuses", N(Counts.Fuse)),
        new("transformer", "Transformers", N(Counts.Transformer)),
        new("customer", "Customers", N(Counts.Customer)),
        new("fiber", "Fiber", NetworkViewModel.FiberShare(Counts)),
    ];

    private static string N(long n) => n.ToString("N0", CultureInfo.CurrentCulture);
}

public sealed record FeederStat(string Kind, string Label, string Value);
