using System.Globalization;
using OmsDashboard.Web.Features.Operations;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The server's clustering of the outage map: what the browser draws for a view, and what each change sends.</summary>
public sealed class MapComposerTests
{
    private readonly MapOutages _outages = new();
    private readonly MapComposer _composer = new();

    /// <summary>About 1.3 x 1.1 km around the demo place at zoom 16 (about 2 m a pixel, a cell of 120 m).</summary>
    private static readonly MapView Street = new(16, -117.03, 34.0, -117.015, 34.01);

    private MapUpdate Compose(MapView view, params OutageRow[] rows)
    {
        _outages.Update(rows);
        return _composer.Compose(_outages, view);
    }

    [Fact]
    public void Compose_OutagesFarApart_EachIsItsOwnMarker()
    {
        var a = Row("OUT-20261127-0001", Now, lat: 34.002, lon: -117.028);
        var b = Row("OUT-20261127-0002", Now, lat: 34.008, lon: -117.017);

        var update = Compose(Street, a, b);

        Assert.Equal(["OUT-20261127-0001", "OUT-20261127-0002"], update.Markers.Select(m => m.EventId).Order(StringComparer.Ordinal));
        Assert.Empty(update.Clusters);
        Assert.Equal((2, 2), (update.Total, _composer.Shown));
    }

    [Fact]
    public void Compose_OutagesInOneCell_OneClusterThatSaysWhatItHolds()
    {
        // 10 m apart: one cell at zoom 16.
        var low = Row("OUT-20261127-0001", Now, severity: "low", customers: 1, lat: 34.0050, lon: -117.0197);
        var high = Row("OUT-20261127-0002", Now, severity: "high", customers: 1200, hazard: true, lat: 34.0051, lon: -117.0198);
        var medium = Row("OUT-20261127-0003", Now, severity: "medium", customers: 40, lat: 34.0052, lon: -117.0196);

        var update = Compose(Street, low, high, medium);

        Assert.Empty(update.Markers);
        var cluster = Assert.Single(update.Clusters);
        Assert.Equal((3, "high", true, 1241), (cluster.Count, cluster.Severity, cluster.Hazard, cluster.Customers));
        Assert.Equal("3 outages · 1,241 customers out · WIRE DOWN", cluster.Tooltip);
        Assert.Equal((34.0051, -117.0197), (cluster.Lat, cluster.Lon));
        Assert.Equal((34.0050, -117.0198, 34.0052, -117.0196), (cluster.South, cluster.West, cluster.North, cluster.East));
        Assert.Equal(MapComposer.ClusterSize(3), cluster.Size);
        Assert.StartsWith("c64_", cluster.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_SameViewAgain_SendsNothing()
    {
        var rows = Spread(200, seed: 1);
        Compose(Street, rows);

        var again = _composer.Compose(_outages, Street);

        Assert.False(again.ChangesMarks);
        Assert.Equal(200, again.Total);
    }

    [Fact]
    public void Compose_OneOutageChanges_OnlyItsMarkIsSent()
    {
        var rows = Spread(500, seed: 2);
        var first = Compose(Street, rows);
        Assert.NotEmpty(first.Clusters);
        var next = (OutageRow[])rows.Clone();
        next[123] = rows[123] with { Severity = "critical", HasHazard = true };

        var update = Compose(Street, next);

        // Exactly one mark: the outage's marker, or the cluster it is in.
        Assert.Equal(1, update.Markers.Count + update.Clusters.Count);
        Assert.Empty(update.Removals);
        if (update.Clusters.Count == 1)
        {
            Assert.Equal(("critical", true), (update.Clusters[0].Severity, update.Clusters[0].Hazard));
        }
        else
        {
            Assert.Equal(rows[123].EventId, update.Markers[0].EventId);
        }
    }

    [Fact]
    public void Compose_PanWithinTheMargin_SendsNothing()
    {
        // Outages only in the middle half of the view: a pan of a fifth keeps them all in the composed box.
        var random = new Random(3);
        var rows = Enumerable.Range(1, 300)
            .Select(i => Row($"OUT-20261127-{i:0000}", Now, lat: 34.0025 + random.NextDouble() * 0.005, lon: -117.02625 + random.NextDouble() * 0.0075))
            .ToArray();
        var first = Compose(Street, rows);
        Assert.Equal(300, first.Markers.Count + first.Clusters.Sum(c => c.Count));
        double width = Street.East - Street.West;

        var update = _composer.Compose(_outages, Street with { West = Street.West + width / 5, East = Street.East + width / 5 });

        // Cells are anchored to the world, not the screen: nothing is reshuffled by the pan.
        Assert.False(update.ChangesMarks);
    }

    [Fact]
    public void Compose_ZoomIn_ClustersGiveWayToTheirOutages()
    {
        var rows = Spread(40, seed: 4);
        var wide = Compose(new MapView(11, -117.3, 33.85, -116.8, 34.15), rows);
        Assert.Equal(40, wide.Clusters.Sum(c => c.Count) + wide.Markers.Count);
        Assert.True(wide.Clusters.Count >= 1);

        var close = _composer.Compose(_outages, new MapView(19, -117.03, 34.0, -117.015, 34.01));

        Assert.Equal(wide.Clusters.Select(c => c.Id).Order(StringComparer.Ordinal), close.Removals.Where(id => id.StartsWith('c')).Order(StringComparer.Ordinal));
        Assert.Equal(40, close.Markers.Count + close.Clusters.Sum(c => c.Count));
    }

    [Theory]
    [InlineData(1, 11.0)]
    [InlineData(2, 13.25)]
    [InlineData(3, 15.5)]
    [InlineData(4, 18.0)]
    public void Compose_AnyView_EveryOutageInTheComposedBoxIsInExactlyOneMark(int seed, double zoom)
    {
        var random = new Random(seed);
        var rows = Spread(2000, seed);
        double lat = 34.005 + (random.NextDouble() - 0.5) * 0.01, lon = -117.022 + (random.NextDouble() - 0.5) * 0.01;
        double half = 360 / (256 * Math.Pow(2, zoom)) * 800; // an 1,600 px wide screen
        var view = new MapView(zoom, lon - half, lat - half * 0.6, lon + half, lat + half * 0.6);

        var update = Compose(view, rows);

        double x0 = WebMercator.X(view.West), x1 = WebMercator.X(view.East), y0 = WebMercator.Y(view.North), y1 = WebMercator.Y(view.South);
        double padX = (x1 - x0) * MapComposer.Margin, padY = (y1 - y0) * MapComposer.Margin;
        int InBox(double grow) => rows.Count(r => WebMercator.X(r.Lon!.Value) is var x && x >= x0 - padX - grow && x <= x1 + padX + grow
            && WebMercator.Y(r.Lat!.Value) is var y && y >= y0 - padY - grow && y <= y1 + padY + grow);
        // Every outage of the view and its margin is drawn; whole cells are, so at most one cell more.
        int drawn = update.Markers.Select(m => m.Id).Distinct().Count() + update.Clusters.Sum(c => c.Count);
        Assert.InRange(drawn, InBox(0), InBox(MapComposer.CellPixels / (256 * Math.Pow(2, zoom))));
        // No cluster holds an outage that is also its own marker, and every marker is a row of the box.
        var markerIds = update.Markers.Select(m => m.Id).ToHashSet();
        foreach (var c in update.Clusters)
        {
            var members = MapComposer.Members(_outages, c.Id, int.MaxValue);
            Assert.Equal(c.Count, members.Count);
            Assert.DoesNotContain(members.Shown, m => markerIds.Contains(m.Url[(m.Url.LastIndexOf('/') + 1)..]));
        }
        Assert.Equal(update.Markers.Count + update.Clusters.Count, update.Markers.Select(m => m.Id).Concat(update.Clusters.Select(c => c.Id)).Distinct().Count());
        // However many outages there are, a screen gets at most a few hundred marks.
        double cellsAcross = 1600 * (1 + 2 * MapComposer.Margin) / MapComposer.CellPixels + 1;
        Assert.True(update.Markers.Count + update.Clusters.Count <= cellsAcross * cellsAcross, $"{update.Markers.Count + update.Clusters.Count} marks");
    }

    [Fact]
    public void Members_ClusterId_ItsOutagesWorstFirstUpToTheMax()
    {
        var rows = Enumerable.Range(1, 12)
            .Select(i => Row($"OUT-20261127-{i:0000}", Now, severity: i == 7 ? "critical" : "low", customers: i, lat: 34.005, lon: -117.02))
            .ToArray();
        var cluster = Assert.Single(Compose(Street, rows).Clusters);

        var members = MapComposer.Members(_outages, cluster.Id, 5);

        Assert.Equal(12, members.Count);
        Assert.Equal(["OUT-20261127-0007", "OUT-20261127-0012", "OUT-20261127-0011", "OUT-20261127-0010", "OUT-20261127-0009"],
            members.Shown.Select(m => m.EventId));
        Assert.Equal((0, 0), (MapComposer.Members(_outages, "c64_x_1", 5).Count, MapComposer.Members(_outages, rows[0].Id.ToString("D"), 5).Count));
    }

    [Fact]
    public void MapUpdateJson_WritesWhatOutageMapJsReads()
    {
        var marker = new OutageMarker("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "OUT-20261127-0002", 34.02, -117.01, "critical", "probable",
            1177, 22.7, true, "tip", "/outages/3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        var cluster = new OutageCluster("c64_11_22", 12, 34.0051, -117.02, "high", false, 300, 36, "12 outages · 300 customers out",
            34.0, -117.03, 34.01, -117.01);

        string json = MapUpdateJson.Serialize(new MapUpdate(13, 16.25, [marker], [cluster], ["gone"]));

        // clusterFrom in wwwroot/js/outageMap.js: [id, count, lat, lon, severity, hazard, size, tooltip, south, west, north, east].
        Assert.Equal(
            """{"total":13,"zoom":16.25,"markers":[["3f2504e0-4f89-11d3-9a0c-0305e82c3301","OUT-20261127-0002",34.02,-117.01,"critical","probable",22.7,1,"tip","/outages/3f2504e0-4f89-11d3-9a0c-0305e82c3301"]],"clusters":[["c64_11_22",12,34.0051,-117.02,"high",0,36,"12 outages \u00B7 300 customers out",34,-117.03,34.01,-117.01]],"removals":["gone"]}""",
            json);
        var back = MapUpdateJson.Deserialize(json);
        Assert.Equal(cluster with { Customers = 0 }, Assert.Single(back.Clusters));
        Assert.Equal((13, 16.25, "gone"), (back.Total, back.Zoom, Assert.Single(back.Removals)));
    }

    [Theory]
    [InlineData(0, 0, 0.5, 0.5)]
    [InlineData(-180, 85.0511287798, 0, 0)]
    [InlineData(180, -85.0511287798, 1, 1)]
    public void WebMercator_KnownPoints(double lon, double lat, double x, double y)
    {
        Assert.Equal(x, WebMercator.X(lon), 9);
        Assert.Equal(y, WebMercator.Y(lat), 9);
    }

    /// <summary>Outages scattered over about 1 x 1 km around the demo place, repeatably.</summary>
    private static OutageRow[] Spread(int n, int seed)
    {
        var random = new Random(seed);
        return
        [
            .. Enumerable.Range(1, n).Select(i => Row(string.Create(CultureInfo.InvariantCulture, $"OUT-20261127-{i:0000}"), Now.AddSeconds(-i),
                severity: i % 5 == 0 ? "high" : "low", customers: 1 + i % 30,
                lat: 34.0 + random.NextDouble() * 0.01, lon: -117.03 + random.NextDouble() * 0.015)),
        ];
    }
}
