namespace OmsDashboard.Web.Features.Network;

/// <summary>
/// The feeders' line colours, in the page's feeder order. C# owns the palette and hands each
/// feeder's colour to the map (<c>wwwroot/js/networkMap.js</c> draws what it is given), so a
/// card's swatch, the legend and the line on the map cannot drift apart — not even when the map
/// query orders feeders differently from the summary query.
/// </summary>
public static class FeederPalette
{
    /// <summary>d3's category10 without grey and olive: distinct on the plain map background and in dark mode.</summary>
    public static IReadOnlyList<string> Colors { get; } =
        ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

    /// <summary>The colour of the feeder at <paramref name="index"/>; the palette repeats past its end.</summary>
    public static string ColorAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Colors[index % Colors.Count];
    }
}
