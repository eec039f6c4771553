using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Shared;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>
/// An outage as <c>upsertOutages</c> (wwwroot/js/outageMap.js) receives it. Everything the marker
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
/// The map's outages, per outage: the row its marker was made from and the marker.
/// <see cref="Diff"/> brings it up to a new list of rows and returns which markers changed;
/// <see cref="MapComposer"/> then decides what the browser draws of them.
/// </summary>
/// <remarks>
/// Rows are replaced, never edited (the view-model makes a new <see cref="OutageRow"/> for every
/// change), so a row that is the same instance as last time has not changed and its marker is not
/// built again: a push that changes five of 50,000 outages builds five markers, not 50,000.
/// </remarks>
public sealed class ShownMarkers
{
    private readonly Dictionary<Guid, Entry> _entries = [];
    private int _generation;

    /// <summary>Markers the browser holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Rows the last <see cref="Diff"/> made a marker for (new or replaced since the one before, or without a location).</summary>
    public int BuiltLastDiff { get; private set; }

    /// <summary>The marker last built for an outage, or null.</summary>
    public OutageMarker? this[Guid id] => _entries.TryGetValue(id, out var e) ? e.Marker : null;

    /// <summary>Every marker with its place in Web Mercator (0..1), worked out once per marker: <see cref="MapComposer"/> reads them per view.</summary>
    public IEnumerable<(OutageMarker Marker, double X, double Y)> Located
    {
        get
        {
            foreach (var entry in _entries.Values)
            {
                yield return (entry.Marker, entry.X, entry.Y);
            }
        }
    }

    /// <summary>
    /// Brings this up to <paramref name="rows"/> and returns what to send: markers new or changed,
    /// and ids to take away (outages gone from the list, or that lost their location).
    /// </summary>
    public (IReadOnlyList<OutageMarker> Upserts, IReadOnlyList<string> Removals) Diff(IEnumerable<OutageRow> rows)
    {
        int generation = ++_generation;
        int built = 0;
        var upserts = new List<OutageMarker>();
        foreach (var row in rows)
        {
            if (_entries.TryGetValue(row.Id, out var entry))
            {
                if (ReferenceEquals(entry.Row, row))
                {
                    entry.Seen = generation;
                    continue;
                }
                built++;
                if (OutageMarker.From(row) is not { } changed)
                {
                    continue; // lost its location: left unseen, so taken away below
                }
                entry.Row = row;
                entry.Seen = generation;
                // A new row can carry what the marker does not show (evidence counts, ETR): nothing to send then.
                if (changed != entry.Marker)
                {
                    entry.Marker = changed;
                    upserts.Add(changed);
                }
            }
            else
            {
                built++;
                if (OutageMarker.From(row) is { } marker)
                {
                    _entries.Add(row.Id, new Entry(row, marker) { Seen = generation });
                    upserts.Add(marker);
                }
            }
        }
        var removals = new List<string>();
        var gone = new List<Guid>();
        foreach (var (id, entry) in _entries)
        {
            if (entry.Seen != generation)
            {
                removals.Add(entry.Marker.Id);
                gone.Add(id);
            }
        }
        foreach (var id in gone)
        {
            _entries.Remove(id);
        }
        BuiltLastDiff = built;
        return (upserts, removals);
    }

    private sealed class Entry(OutageRow row, OutageMarker marker)
    {
        private OutageMarker _marker = marker;

        public OutageRow Row { get; set; } = row;

        public OutageMarker Marker
        {
            get => _marker;
            set
            {
                _marker = value;
                X = WebMercator.X(value.Lon);
                Y = WebMercator.Y(value.Lat);
            }
        }

        public double X { get; private set; } = WebMercator.X(marker.Lon);

        public double Y { get; private set; } = WebMercator.Y(marker.Lat);

        /// <summary>The <see cref="Diff"/> that last saw this outage in the list.</summary>
        public int Seen { get; set; }
    }
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

    /// <summary>Markers as the JSON text <c>upsertOutages</c> parses: an array of marker arrays.</summary>
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
