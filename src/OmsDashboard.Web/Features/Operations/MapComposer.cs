using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using OmsDashboard.Web.Features.Shared;

namespace OmsDashboard.Web.Features.Operations;

/// <summary>What the browser's map shows: its zoom (Leaflet's, fractional) and its box in degrees.</summary>
public sealed record MapView(double Zoom, double West, double South, double East, double North)
{
    /// <summary>Deepest zoom any tile scheme uses: beyond it cells would be millimetres (and the arithmetic overflow).</summary>
    public const double MaxZoom = 24;

    /// <summary>
    /// Whether this is a view a map can show: finite numbers, a zoom from 0 to <see cref="MaxZoom"/>,
    /// south not above north. The view comes from the browser, so it is checked before use.
    /// </summary>
    public bool IsPlausible =>
        double.IsFinite(Zoom) && double.IsFinite(West) && double.IsFinite(South) && double.IsFinite(East) && double.IsFinite(North)
        && Zoom >= 0 && Zoom <= MaxZoom && South <= North && South >= -90 && North <= 90;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"z{Zoom} [{South}, {West}] – [{North}, {East}]");
}

/// <summary>
/// Several outages drawn as one mark: how many, where (their centroid), the worst severity among
/// them, whether one is a wire down, the customers they leave out, and the box they span (a click
/// zooms to it).
/// </summary>
public sealed record OutageCluster(string Id, int Count, double Lat, double Lon, string Severity, bool Hazard, int Customers, double Size,
    string Tooltip, double South, double West, double North, double East);

/// <summary>
/// One change of the browser's map: the outages on it in all (what the map element reports), the
/// zoom the marks were composed for, and the marks to add or redraw and to take away. Marks are
/// single outages or clusters.
/// </summary>
public sealed record MapUpdate(int Total, double Zoom, IReadOnlyList<OutageMarker> Markers, IReadOnlyList<OutageCluster> Clusters, IReadOnlyList<string> Removals)
{
    public bool ChangesMarks => Markers.Count + Clusters.Count + Removals.Count > 0;
}

/// <summary>An outage of a cluster, as the cluster's list at the deepest zoom shows it.</summary>
public sealed record ClusterMember(string EventId, string Url, string Tooltip, string Severity);

/// <summary>The outages of a cluster: how many, and the most severe of them (at most the number asked for).</summary>
public sealed record ClusterMembers(int Count, IReadOnlyList<ClusterMember> Shown);

/// <summary>
/// Clusters the map's outages on the server, for the part of the map the browser shows, and keeps
/// what the browser holds so that each change sends only the marks that differ (ADR 0016).
/// </summary>
/// <remarks>
/// Clustering is a grid in Web Mercator pixels at the view's zoom: every outage falls in one cell
/// of <see cref="CellPixels"/> pixels; a cell with one outage draws that outage's marker, a cell
/// with more draws a cluster at their centroid. Cells are anchored to the world, not the screen,
/// so panning does not reshuffle them, and a push that changes one outage changes one mark.
/// Only the cells of the view and a margin of <see cref="Margin"/> of its size on every side are composed:
/// a storm of 50,000 outages is at most a few hundred marks for the browser at any zoom, where
/// clustering all of them in the browser took seconds (docs/benchmarks.md).
/// </remarks>
public sealed class MapComposer
{
    /// <summary>The side of a cell, in screen pixels: about twice a big marker.</summary>
    public const double CellPixels = 60;

    /// <summary>Composed beyond each edge of the view, as a share of its width and height: a short pan shows marks at once.</summary>
    public const double Margin = 0.3;

    private Dictionary<string, object> _sent = new(StringComparer.Ordinal);

    /// <summary>Marks the browser holds.</summary>
    public int Shown => _sent.Count;

    /// <summary>
    /// The marks for <paramref name="view"/> and what to send to get there from the last call:
    /// new or changed marks, and the ids of marks to take away.
    /// </summary>
    public MapUpdate Compose(MapOutages outages, MapView view)
    {
        var grid = Grid.For(view);
        // Whole cells only: a cell cut by the edge would be a different cluster from the same cell
        // composed after a pan, and would not match what Members lists for it.
        var (x0, x1, y0, y1) = PaddedBox(view);
        var (firstX, firstY) = grid.CellOf(x0, y0);
        var (lastX, lastY) = grid.CellOf(x1, y1);
        var cells = new Dictionary<(long, long), Cell>();
        foreach (var outage in outages.All)
        {
            var key = grid.CellOf(outage.X, outage.Y);
            if (key.Item1 < firstX || key.Item1 > lastX || key.Item2 < firstY || key.Item2 > lastY)
            {
                continue;
            }
            ref var cell = ref CollectionsMarshal.GetValueRefOrAddDefault(cells, key, out bool exists);
            if (!exists)
            {
                cell = new Cell();
            }
            cell!.Add(outage);
        }

        var next = new Dictionary<string, object>(cells.Count, StringComparer.Ordinal);
        var markers = new List<OutageMarker>();
        var clusters = new List<OutageCluster>();
        foreach (var (key, cell) in cells)
        {
            if (cell.Count == 1)
            {
                var marker = cell.First!.Marker;
                next[marker.Id] = marker;
                if (!_sent.TryGetValue(marker.Id, out var old) || !marker.Equals(old))
                {
                    markers.Add(marker);
                }
            }
            else
            {
                var cluster = cell.ToCluster(grid.IdOf(key));
                next[cluster.Id] = cluster;
                if (!_sent.TryGetValue(cluster.Id, out var old) || !cluster.Equals(old))
                {
                    clusters.Add(cluster);
                }
            }
        }
        var removals = new List<string>();
        foreach (string id in _sent.Keys)
        {
            if (!next.ContainsKey(id))
            {
                removals.Add(id);
            }
        }
        _sent = next;
        return new MapUpdate(outages.Count, view.Zoom, markers, clusters, removals);
    }

    /// <summary>
    /// The outages in a cluster sent by <see cref="Compose"/> (by its id, which names its zoom and
    /// cell), most severe first, then most customers; at most <paramref name="max"/>. None for an id
    /// that is not a cluster's.
    /// </summary>
    public static ClusterMembers Members(MapOutages outages, string clusterId, int max)
    {
        if (Grid.Parse(clusterId) is not { } parsed)
        {
            return new ClusterMembers(0, []);
        }
        var (grid, cellKey) = parsed;
        var inCell = new List<MapOutage>();
        foreach (var outage in outages.All)
        {
            if (grid.CellOf(outage.X, outage.Y) == cellKey)
            {
                inCell.Add(outage);
            }
        }
        var shown = inCell
            .OrderByDescending(o => o.SeverityRank)
            .ThenByDescending(o => o.Row.Customers)
            .ThenBy(o => o.Row.EventId, StringComparer.Ordinal)
            .Take(max)
            .Select(o => o.Marker)
            .Select(m => new ClusterMember(m.EventId, m.Url, m.Tooltip, m.Severity))
            .ToList();
        return new ClusterMembers(inCell.Count, shown);
    }

    /// <summary>Size in pixels of a cluster's mark, by how many outages it holds.</summary>
    public static double ClusterSize(int count) => count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;

    private static (double X0, double X1, double Y0, double Y1) PaddedBox(MapView view)
    {
        double x0 = WebMercator.X(view.West), x1 = WebMercator.X(view.East);
        double y0 = WebMercator.Y(view.North), y1 = WebMercator.Y(view.South);
        double padX = (x1 - x0) * Margin, padY = (y1 - y0) * Margin;
        return (x0 - padX, x1 + padX, y0 - padY, y1 + padY);
    }

    /// <summary>The grid at one zoom. Zooms are taken in Leaflet's quarter steps (zoomSnap 0.25), which also name the cluster ids.</summary>
    private readonly record struct Grid(int Quarters)
    {
        // Worked out once per grid: CellOf runs for every outage of every composition.
        private readonly double _cellsPerUnit = 256 * Math.Pow(2, Quarters / 4.0) / CellPixels;

        public static Grid For(MapView view) => new((int)Math.Round(view.Zoom * 4, MidpointRounding.AwayFromZero));

        public (long, long) CellOf(double x, double y) => ((long)Math.Floor(x * _cellsPerUnit), (long)Math.Floor(y * _cellsPerUnit));

        public string IdOf((long X, long Y) cell) => string.Create(CultureInfo.InvariantCulture, $"c{Quarters}_{cell.X}_{cell.Y}");

        public static (Grid Grid, (long, long) Cell)? Parse(string id)
        {
            if (!id.StartsWith('c'))
            {
                return null;
            }
            string[] parts = id[1..].Split('_');
            return parts.Length == 3
                && int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int quarters)
                && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long x)
                && long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long y)
                ? (new Grid(quarters), (x, y))
                : null;
        }
    }

    /// <summary>What a cell's outages add up to.</summary>
    private sealed class Cell
    {
        private double _lat, _lon, _south = double.MaxValue, _west = double.MaxValue, _north = double.MinValue, _east = double.MinValue;
        private int _worst = -1, _customers;
        private bool _hazard;

        public int Count { get; private set; }

        public MapOutage? First { get; private set; }

        public void Add(MapOutage o)
        {
            First ??= o;
            Count++;
            _lat += o.Lat;
            _lon += o.Lon;
            _south = Math.Min(_south, o.Lat);
            _north = Math.Max(_north, o.Lat);
            _west = Math.Min(_west, o.Lon);
            _east = Math.Max(_east, o.Lon);
            _worst = Math.Max(_worst, o.SeverityRank);
            _customers += o.Row.Customers;
            _hazard |= o.Row.HasHazard;
        }

        public OutageCluster ToCluster(string id)
        {
            string severity = _worst >= 0 ? OutageLabels.Severities[_worst] : "low";
            string tooltip = string.Create(CultureInfo.InvariantCulture,
                $"{Count:N0} outages · {_customers:N0} {(_customers == 1 ? "customer" : "customers")} out") + (_hazard ? " · WIRE DOWN" : "");
            // Rounded as markers are (OutageMarkerJson): the centroid of the same outages is the same mark.
            return new OutageCluster(id, Count, Math.Round(_lat / Count, 6), Math.Round(_lon / Count, 6), severity, _hazard, _customers,
                ClusterSize(Count), tooltip, _south, _west, _north, _east);
        }
    }
}

/// <summary>Leaflet's default projection (EPSG:3857), normalised to 0..1 across the world.</summary>
public static class WebMercator
{
    private const double MaxLatitude = 85.0511287798;

    public static double X(double lon) => (lon + 180) / 360;

    public static double Y(double lat)
    {
        double phi = Math.Clamp(lat, -MaxLatitude, MaxLatitude) * Math.PI / 180;
        return (1 - Math.Log(Math.Tan(phi) + 1 / Math.Cos(phi)) / Math.PI) / 2;
    }
}

/// <summary>
/// A <see cref="MapUpdate"/> as the JSON text <c>updateOutages</c> (wwwroot/js/outageMap.js)
/// parses: <c>{"total": n, "zoom": z, "markers": [marker arrays], "clusters": [cluster arrays], "removals": [ids]}</c>.
/// Markers are <see cref="OutageMarkerJson"/>'s arrays; a cluster is
/// [id, count, lat, lon, severity, hazard, size, tooltip, south, west, north, east].
/// </summary>
public static class MapUpdateJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(MapUpdate update)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("total", update.Total);
            w.WriteNumber("zoom", update.Zoom);
            w.WritePropertyName("markers");
            JsonSerializer.Serialize(w, update.Markers, Options);
            w.WriteStartArray("clusters");
            foreach (var c in update.Clusters)
            {
                w.WriteStartArray();
                w.WriteStringValue(c.Id);
                w.WriteNumberValue(c.Count);
                w.WriteNumberValue(c.Lat);
                w.WriteNumberValue(c.Lon);
                w.WriteStringValue(c.Severity);
                w.WriteNumberValue(c.Hazard ? 1 : 0);
                w.WriteNumberValue(c.Size);
                w.WriteStringValue(c.Tooltip);
                w.WriteNumberValue(c.South);
                w.WriteNumberValue(c.West);
                w.WriteNumberValue(c.North);
                w.WriteNumberValue(c.East);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("removals");
            foreach (string id in update.Removals)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The update back from <see cref="Serialize"/>'s text (markers without customers, clusters without their customer count). For tests and tools.</summary>
    public static MapUpdate Deserialize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var markers = OutageMarkerJson.Deserialize(root.GetProperty("markers").GetRawText());
        var clusters = root.GetProperty("clusters").EnumerateArray().Select(a => new OutageCluster(
            a[0].GetString()!, a[1].GetInt32(), a[2].GetDouble(), a[3].GetDouble(), a[4].GetString()!, a[5].GetInt32() == 1, 0,
            a[6].GetDouble(), a[7].GetString()!, a[8].GetDouble(), a[9].GetDouble(), a[10].GetDouble(), a[11].GetDouble())).ToList();
        var removals = root.GetProperty("removals").EnumerateArray().Select(e => e.GetString()!).ToList();
        return new MapUpdate(root.GetProperty("total").GetInt32(), root.GetProperty("zoom").GetDouble(), markers, clusters, removals);
    }
}
