using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Shared;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// An outage drawn on its own, as <c>updateOutages</c> (wwwroot/js/outageMap.js) receives it. Everything the marker
/// shows is decided here — size, texts, link — so the JS only draws and the rules are tested in C#.
/// On the wire it is an array (<see cref="OutageMarkerJson"/>).
/// </summary>
[JsonConverter(typeof(OutageMarkerJson))]
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

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{EventId} ({Lat}, {Lon}) {Severity}/{Status}");
}

/// <summary>
/// The outages the map stands for, each with its place in Web Mercator and what clustering needs
/// (<see cref="MapOutage"/>). <see cref="Update"/> brings it up to a new list of rows;
/// <see cref="MapComposer"/> then decides what the browser draws of them.
/// </summary>
/// <remarks>
/// Rows are replaced, never edited (the view-model makes a new <see cref="OutageRow"/> for every
/// change), so a row that is the same instance as last time has not changed and is skipped: a push
/// that changes five of 50,000 outages touches five entries. Markers (texts and all) are built only
/// for the outages drawn on their own, a few hundred at most, not for the 50,000.
/// </remarks>
public sealed class MapOutages
{
    private readonly Dictionary<Guid, MapOutage> _entries = [];
    private int _generation;

    /// <summary>Outages with a location.</summary>
    public int Count => _entries.Count;

    /// <summary>Outages the last <see cref="Update"/> added, replaced or took away.</summary>
    public int ChangedLastUpdate { get; private set; }

    /// <summary>Every outage with a location, in no particular order.</summary>
    public IEnumerable<MapOutage> All => _entries.Values;

    /// <summary>The marker of an outage, or null when it is not on the map.</summary>
    public OutageMarker? this[Guid id] => _entries.TryGetValue(id, out var e) ? e.Marker : null;

    /// <summary>Brings this up to <paramref name="rows"/>: outages new, changed, gone, or that lost their location.</summary>
    public void Update(IEnumerable<OutageRow> rows)
    {
        int generation = ++_generation;
        int changed = 0;
        foreach (var row in rows)
        {
            if (_entries.TryGetValue(row.Id, out var entry))
            {
                if (ReferenceEquals(entry.Row, row))
                {
                    entry.Seen = generation;
                    continue;
                }
                if (MapOutage.From(row) is not { } replaced)
                {
                    continue; // lost its location: left unseen, so taken away (and counted) below
                }
                changed++;
                replaced.Seen = generation;
                _entries[row.Id] = replaced;
            }
            else if (MapOutage.From(row) is { } added)
            {
                changed++;
                added.Seen = generation;
                _entries.Add(row.Id, added);
            }
        }
        var gone = new List<Guid>();
        foreach (var (id, entry) in _entries)
        {
            if (entry.Seen != generation)
            {
                gone.Add(id);
            }
        }
        foreach (var id in gone)
        {
            _entries.Remove(id);
        }
        ChangedLastUpdate = changed + gone.Count;
    }
}

/// <summary>An outage on the map: its row, its place in Web Mercator (0..1), and its marker, built when first asked for.</summary>
public sealed class MapOutage
{
    private OutageMarker? _marker;

    private MapOutage(OutageRow row, double lat, double lon)
    {
        Row = row;
        Lat = lat;
        Lon = lon;
        X = WebMercator.X(lon);
        Y = WebMercator.Y(lat);
        SeverityRank = row.SeverityRank;
    }

    public OutageRow Row { get; }

    public double Lat { get; }

    public double Lon { get; }

    public double X { get; }

    public double Y { get; }

    /// <summary>0 = low … 3 = critical: a cluster takes the worst of its outages'.</summary>
    public int SeverityRank { get; }

    /// <summary>The outage drawn on its own (texts, size, link): built once, and only for outages that are.</summary>
    public OutageMarker Marker => _marker ??= OutageMarker.From(Row)!;

    /// <summary>The <see cref="MapOutages.Update"/> that last saw this outage in the list.</summary>
    internal int Seen { get; set; }

    /// <summary>The outage on the map, or null when it has no location yet.</summary>
    public static MapOutage? From(OutageRow row) =>
        row.Lat is { } lat && row.Lon is { } lon ? new MapOutage(row, lat, lon) : null;
}

/// <summary>
/// An <see cref="OutageMarker"/> as a JSON array, in the order <c>markerFrom</c> in outageMap.js
/// reads: [id, eventId, lat, lon, severity, status, radius, hazard, tooltip, url]. Without the
/// property names a map update is about a third smaller to send and to parse. Customers is not
/// sent: the radius already carries it.
/// </summary>
public sealed class OutageMarkerJson : JsonConverter<OutageMarker>
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Markers as a JSON array of marker arrays (the <c>markers</c> of <see cref="MapUpdateJson"/>).</summary>
    public static string Serialize(IReadOnlyList<OutageMarker> markers) => JsonSerializer.Serialize(markers, Options);

    /// <summary>The markers back from <see cref="Serialize"/>'s text (Customers is not sent: 0). For tests and tools.</summary>
    public static List<OutageMarker> Deserialize(string json) => JsonSerializer.Deserialize<List<OutageMarker>>(json, Options) ?? [];

    public override OutageMarker Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var a = doc.RootElement;
        return new OutageMarker(a[0].GetString()!, a[1].GetString()!, a[2].GetDouble(), a[3].GetDouble(), a[4].GetString()!, a[5].GetString()!,
            0, a[6].GetDouble(), a[7].GetInt32() == 1, a[8].GetString()!, a[9].GetString()!);
    }

    public override void Write(Utf8JsonWriter writer, OutageMarker value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Id);
        writer.WriteStringValue(value.EventId);
        // About 0.1 m: enough for a marker, and shorter than a double's 17 digits.
        writer.WriteNumberValue(Math.Round(value.Lat, 6));
        writer.WriteNumberValue(Math.Round(value.Lon, 6));
        writer.WriteStringValue(value.Severity);
        writer.WriteStringValue(value.Status);
        writer.WriteNumberValue(value.Radius);
        writer.WriteNumberValue(value.Hazard ? 1 : 0);
        writer.WriteStringValue(value.Tooltip);
        writer.WriteStringValue(value.Url);
        writer.WriteEndArray();
    }
}

/// <summary>
/// The map's settings as <c>createMap</c> receives them: tiles, and for the Operations map where
/// to fetch the feeders' lines (<see cref="FeederLines"/>) and the network's box to fit at once.
/// </summary>
public sealed record OutageMapSettings(string TileUrl, string TileAttribution, int MaxZoom, string? FeederLinesUrl = null, NetworkBounds? Bounds = null);

/// <summary>A feeder as <c>drawFeeders</c> receives it: background lines only, segments [fromLat, fromLon, toLat, toLon].</summary>
public sealed record FeederLine(string Id, IReadOnlyList<double[]> Segments);
