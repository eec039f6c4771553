using System.Globalization;
using OmsDashboard.Web.Features.Shared;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// An outage as <c>upsertOutages</c> (wwwroot/js/outageMap.js) receives it. Everything the marker
/// shows is decided here — size, texts, link — so the JS only draws and the rules are tested in C#.
/// </summary>
public sealed record OutageMarker(string Id, string EventId, double Lat, double Lon, string Severity, string Status, int Customers,
    double Radius, bool Hazard, string Tooltip, string Url)
{
    /// <summary>The marker of a row, or null when the outage has no location yet.</summary>
    public static OutageMarker? From(OutageRow row)
    {
        if (row.Lat is not { } lat || row.Lon is not { } lon)
        {
            return null;
        }
        string device = row.DeviceKind is null ? row.DeviceText : $"{row.DeviceKind} {row.DeviceText}";
        string customers = row.Customers == 1 ? "1 customer" : $"{row.CustomersText} customers";
        string tooltip = $"{row.EventId} · {device} · {customers}" + (row.HasHazard ? " · WIRE DOWN" : "");
        return new OutageMarker(row.Id.ToString("D"), row.EventId, lat, lon, row.Severity, row.Status, row.Customers,
            RadiusFor(row.Customers), row.HasHazard, tooltip, row.Url);
    }

    /// <summary>
    /// Radius in pixels, growing with the log of the customers out: a single service stays visible
    /// (about 7 px), a feeder of thousands does not swallow its neighbours (about 25 px).
    /// </summary>
    public static double RadiusFor(int customers) =>
        Math.Round(5 + 2.5 * Math.Log(1 + Math.Max(0, customers)), 1, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Brings <paramref name="shown"/> (id → marker as last sent to the browser) up to
    /// <paramref name="rows"/> and returns what to send: markers new or changed, and ids to take away.
    /// </summary>
    public static (IReadOnlyList<OutageMarker> Upserts, IReadOnlyList<string> Removals) Diff(
        Dictionary<string, OutageMarker> shown, IEnumerable<OutageRow> rows)
    {
        var upserts = new List<OutageMarker>();
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (From(row) is not { } marker)
            {
                continue;
            }
            current.Add(marker.Id);
            if (!shown.TryGetValue(marker.Id, out var before) || before != marker)
            {
                shown[marker.Id] = marker;
                upserts.Add(marker);
            }
        }
        var removals = shown.Keys.Where(id => !current.Contains(id)).ToList();
        foreach (string id in removals)
        {
            shown.Remove(id);
        }
        return (upserts, removals);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{EventId} ({Lat}, {Lon}) {Severity}/{Status}");
}

/// <summary>The map's settings as <c>createMap</c> receives them.</summary>
public sealed record OutageMapSettings(string TileUrl, string TileAttribution, int MaxZoom);

/// <summary>A feeder as <c>drawFeeders</c> receives it: background lines only, segments [fromLat, fromLon, toLat, toLon].</summary>
public sealed record FeederLine(string Id, IReadOnlyList<double[]> Segments);
