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
            new("Substations", summary.Substations),
            new("Feeders", summary.Feeders),
            new("Reclosers", summary.Totals.Recloser),
            new("Switches", summary.Totals.Switch),
            new("Fuses", summary.Totals.Fuse),
            new("Transformers", summary.Totals.Transformer),
            new("Customers", summary.Totals.Customer),
            new("Smart meters", summary.Totals.Meter),
            new("Fiber ONUs", summary.Totals.Onu),
        ];
    }

    public TopologySummary Summary { get; }

    public IReadOnlyList<KindTile> KindTiles { get; }

    public bool IsEmpty => Summary.Substations == 0;

    /// <summary>Share of customers with a fiber ONU, as the page prints it.</summary>
    public static string FiberShare(KindCounts c) =>
        c.Customer == 0 ? "–" : (100.0 * c.Onu / c.Customer).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " %";
}

public sealed record KindTile(string Label, long Count);
