using System.ComponentModel.DataAnnotations;

namespace OmsDashboard.Web.Hosting;

/// <summary>Settings of the <c>Oms</c> configuration section.</summary>
public sealed class OmsOptions
{
    public const string Section = "Oms";

    /// <summary>Import the demo network (both real feeders) when the database has no network. Defaults to true.</summary>
    public bool ImportDemoNetwork { get; set; } = true;

    /// <summary>Map settings shown to the browser.</summary>
    public MapOptions Map { get; set; } = new();
}

public sealed class MapOptions
{
    /// <summary>
    /// Tile URL template (e.g. <c>https://tile.example/{z}/{x}/{y}.png</c>). Empty: no base map,
    /// the network is drawn on a plain background (no tile server is reachable here).
    /// </summary>
    public string TileUrl { get; set; } = "";

    public string TileAttribution { get; set; } = "";

    [Range(1, 22)]
    public int MaxZoom { get; set; } = 19;
}
