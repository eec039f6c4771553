using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>
/// The outage map against bUnit's JS interop in strict mode (every call to the module must be
/// expected), with the feeders read from a real database holding both demo feeders.
/// </summary>
public sealed class OutageMapTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IDisposable
{
    private readonly OmsTestContext _ctx = new(db.DataSource);
    private readonly JsCalls _calls = new();

    public void Dispose() => _ctx.Dispose();

    /// <summary>The module in strict mode; createMap answers that the map shows <paramref name="view"/> (default: <see cref="CloseView"/>).</summary>
    private BunitJSModuleInterop StrictModule(MapView? view = null)
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Strict;
        var module = _ctx.JSInterop.SetupModule(OutageMap.ModulePath);
        module.Setup<MapView>("createMap", _calls.Record).SetResult(view ?? CloseView);
        module.Setup<int>("drawFeeders", _calls.Record).SetResult(2);
        module.SetupVoid("updateOutages", _calls.Record).SetVoidResult();
        module.SetupVoid("destroyMap", _calls.Record).SetVoidResult();
        return module;
    }

    /// <summary>Rows a tenth of a kilometre apart going north from the default place: each its own marker at <see cref="CloseView"/>.</summary>
    private static OutageRow[] Apart(int n) =>
        [.. Enumerable.Range(1, n).Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i), lat: 34.01 + i * 0.001))];

    [Fact]
    public async Task OutageMap_TwoOutages_CreatesTheMapFittedToTheNetworkThenSendsBothMarkers()
    {
        var module = StrictModule();
        var critical = Row("OUT-20261127-0002", Now, status: "unconfirmed", severity: "critical", customers: 1177, hazard: true, lat: 34.02, lon: -117.01);
        var fuse = Row("OUT-20261127-0001", Now.AddMinutes(-3), customers: 1);

        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [critical, fuse]));

        var update = Assert.Single(await _calls.WaitForAsync("updateOutages"));
        // The map, then the outages: the feeders' lines are fetched by the browser (FeederLines), not sent.
        Assert.Equal(["createMap", "updateOutages"], _calls.Sequence());
        module.VerifyNotInvoke("drawFeeders");
        var create = _calls.Of("createMap")[0];
        var settings = Assert.IsType<OutageMapSettings>(create.Arguments[1]);
        Assert.Equal(("", "", 19, FeederLines.Url), (settings.TileUrl, settings.TileAttribution, settings.MaxZoom, settings.FeederLinesUrl));
        // The component itself goes along: the map reports its moves to it.
        Assert.IsType<DotNetObjectReference<OutageMap>>(create.Arguments[2]);
        // Fitted to the network at once: every feeder head is inside the box.
        var box = Assert.IsType<NetworkBounds>(settings.Bounds);
        var heads = new List<(double Lat, double Lon)>();
        await using (var cmd = db.DataSource.CreateCommand("SELECT ST_Y(location::geometry), ST_X(location::geometry) FROM network_feeders"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                heads.Add((r.GetDouble(0), r.GetDouble(1)));
            }
        }
        Assert.Equal(2, heads.Count);
        Assert.All(heads, h => Assert.True(box.South <= h.Lat && h.Lat <= box.North && box.West <= h.Lon && h.Lon <= box.East, $"{h} outside {box}"));
        Assert.Equal(create.Arguments[0], update.Arguments[0]);

        var sent = MapUpdateOf(update);
        Assert.Equal((2, 0, 0), (sent.Total, sent.Clusters.Count, sent.Removals.Count));
        var markers = sent.Markers.ToDictionary(m => m.EventId);
        Assert.Equal(
            new OutageMarker(critical.Id.ToString("D"), "OUT-20261127-0002", 34.02, -117.01, "critical", "unconfirmed", 0, 22.7, true,
                "OUT-20261127-0002 · fuse LN5985355-3 · 1,177 customers · WIRE DOWN", $"/outages/{critical.Id}"),
            markers["OUT-20261127-0002"]);
        Assert.Equal((6.7, "OUT-20261127-0001 · fuse LN5985355-3 · 1 customer"),
            (markers["OUT-20261127-0001"].Radius, markers["OUT-20261127-0001"].Tooltip));
        Assert.Empty(cut.FindAll("[data-testid=outage-map-error]"));
    }

    [Fact]
    public async Task OutageMap_OutagesChange_SendsOnlyTheChangedAndTheGone()
    {
        StrictModule();
        var rows = Apart(3);
        var (stays, changes, leaves) = (rows[0], rows[1], rows[2]);
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [stays, changes, leaves]));
        await _calls.WaitForAsync("updateOutages");

        var confirmed = changes with { Status = "confirmed", Customers = 60, Lat = 34.05 };
        var added = Row("OUT-20261127-0004", Now, lat: 34.2);
        cut.Render(p => p.Add(m => m.Outages, [stays, confirmed, added]));

        var sent = MapUpdateOf((await _calls.WaitForAsync("updateOutages", 2))[1]);
        Assert.Equal([leaves.Id.ToString("D")], sent.Removals);
        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0004"], sent.Markers.Select(m => m.EventId).Order(StringComparer.Ordinal));
        var moved = sent.Markers.Single(m => m.EventId == "OUT-20261127-0002");
        Assert.Equal(("confirmed", OutageMarker.RadiusFor(60), 34.05), (moved.Status, moved.Radius, moved.Lat));
        Assert.Equal(3, sent.Total);
        Assert.Equal(["createMap", "updateOutages", "updateOutages"], _calls.Sequence());
    }

    [Fact]
    public async Task OutageMap_RenderedAgainWithoutChanges_SendsNothing()
    {
        StrictModule();
        var rows = Apart(1);
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));
        await _calls.WaitForAsync("updateOutages");

        // The calls would start within the render (before the component's first await).
        cut.Render(p => p.Add(m => m.Outages, [.. rows]));

        Assert.Equal(["createMap", "updateOutages"], _calls.Sequence());
    }

    [Fact]
    public async Task OutageMap_StormOfOutages_SendsAFewHundredClustersThatAddUpToEveryOutage()
    {
        // 4,500 outages over about 5 x 5 km, seen whole: the network's view on a large screen.
        var view = new MapView(13, -117.15, 33.95, -116.9, 34.1);
        StrictModule(view);
        var random = new Random(7);
        var rows = Enumerable.Range(1, 4500)
            .Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i), severity: OutageLabels.Severities[i % 4], customers: 1 + i % 50,
                hazard: i == 4321, lat: 34.0 + random.NextDouble() * 0.045, lon: -117.05 + random.NextDouble() * 0.055))
            .ToArray();

        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));

        var sent = MapUpdateOf(Assert.Single(await _calls.WaitForAsync("updateOutages")));
        Assert.Equal(4500, sent.Total);
        int marks = sent.Markers.Count + sent.Clusters.Count;
        Assert.InRange(marks, 2, 400);
        Assert.Equal(4500, sent.Markers.Count + sent.Clusters.Sum(c => c.Count));
        // Each cluster stands for the outages inside its box: their number, the worst severity, their customers.
        foreach (var c in sent.Clusters)
        {
            var inside = rows.Where(r => c.South <= r.Lat && r.Lat <= c.North && c.West <= r.Lon && r.Lon <= c.East).ToList();
            Assert.Equal(c.Count, inside.Count);
            Assert.Equal(inside.Max(r => OutageLabels.SeverityRank(r.Severity)), OutageLabels.SeverityRank(c.Severity));
            Assert.StartsWith(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{inside.Count:N0} outages · {inside.Sum(r => r.Customers):N0} customers out"),
                c.Tooltip, StringComparison.Ordinal);
            Assert.Equal(inside.Any(r => r.HasHazard), c.Hazard);
        }
        // The wire down is not lost in a cluster: its cluster carries it.
        Assert.Single(sent.Clusters.Where(c => c.Hazard).Select(c => c.Id).Concat(sent.Markers.Where(m => m.Hazard).Select(m => m.Id)));
    }

    [Fact]
    public async Task OutageMap_ZoomedIn_SendsTheMarksOfTheNewViewAndTakesTheClustersAway()
    {
        var wide = new MapView(12, -117.3, 33.85, -116.8, 34.15);
        StrictModule(wide);
        var rows = Apart(6);
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));
        var first = MapUpdateOf(Assert.Single(await _calls.WaitForAsync("updateOutages")));
        // 600 m of outages at zoom 12 (about 20 m a pixel) fall in one or two cells.
        Assert.Empty(first.Markers);
        Assert.Equal(6, first.Clusters.Sum(c => c.Count));

        await cut.InvokeAsync(() => cut.Instance.ViewChanged(new MapView(18, -117.03, 34.0, -117.01, 34.02)));

        var second = MapUpdateOf((await _calls.WaitForAsync("updateOutages", 2))[1]);
        Assert.Equal(first.Clusters.Select(c => c.Id).Order(StringComparer.Ordinal), second.Removals.Order(StringComparer.Ordinal));
        Assert.Empty(second.Clusters);
        // Only what is in the view and its margin: 34.011 to 34.016 is; 34.006 would be too (no row there).
        Assert.Equal(rows.Where(r => r.Lat <= 34.02 + 0.02 * MapComposer.Margin).Select(r => r.EventId), second.Markers.Select(m => m.EventId).Order(StringComparer.Ordinal));
        Assert.Equal(6, second.Total);

        // A move that changes nothing drawn still answers, with no marks: the map knows its marks are for this view.
        await cut.InvokeAsync(() => cut.Instance.ViewChanged(new MapView(18.5, -117.0301, 34.0, -117.0101, 34.02)));
        var third = MapUpdateOf((await _calls.WaitForAsync("updateOutages", 3))[2]);
        Assert.Equal((18.5, false), (third.Zoom, third.ChangesMarks));
    }

    [Theory]
    [InlineData(1000, -117.1, 33.9, -116.9, 34.1)]
    [InlineData(double.NaN, -117.1, 33.9, -116.9, 34.1)]
    [InlineData(15, -117.1, 34.1, -116.9, 33.9)]
    [InlineData(15, double.NegativeInfinity, 33.9, -116.9, 34.1)]
    public async Task OutageMap_ImpossibleViewReported_IsIgnoredAndTheMapStaysLive(double zoom, double west, double south, double east, double north)
    {
        StrictModule();
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, Apart(2)));
        await _calls.WaitForAsync("updateOutages");

        await cut.InvokeAsync(() => cut.Instance.ViewChanged(new MapView(zoom, west, south, east, north)));
        await cut.InvokeAsync(() => cut.Instance.ViewChanged(CloseView with { Zoom = 17 }));

        // The impossible view sent nothing; the next plausible one is composed as usual.
        var calls = await _calls.WaitForAsync("updateOutages", 2);
        Assert.Equal(2, calls.Count);
        Assert.Equal(17, MapUpdateOf(calls[1]).Zoom);
        Assert.Empty(cut.FindAll("[data-testid=outage-map-error]"));
    }

    [Fact]
    public async Task OutageMap_ClusterAtTheDeepestZoom_ListsItsOutagesWorstFirst()
    {
        StrictModule();
        // Three outages at one spot (a transformer and two services below it): one cluster at any zoom.
        var rows = new[]
        {
            Row("OUT-20261127-0001", Now, severity: "low", customers: 1),
            Row("OUT-20261127-0002", Now, severity: "critical", customers: 5),
            Row("OUT-20261127-0003", Now, severity: "low", customers: 9),
        };
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));
        var cluster = Assert.Single(MapUpdateOf(Assert.Single(await _calls.WaitForAsync("updateOutages"))).Clusters);
        Assert.Equal((3, "critical"), (cluster.Count, cluster.Severity));

        var members = cut.Instance.ClusterMembers(cluster.Id);

        Assert.Equal(3, members.Count);
        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0003", "OUT-20261127-0001"], members.Shown.Select(m => m.EventId));
        Assert.Equal(rows[1].Url, members.Shown[0].Url);
        Assert.Equal(0, cut.Instance.ClusterMembers("not-a-cluster").Count);
    }

    [Fact]
    public async Task OutageMap_OutageWithoutLocation_IsNotSent()
    {
        StrictModule();

        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now, lat: null, lon: null), Row("OUT-20261127-0002", Now)]));

        var sent = MapUpdateOf(Assert.Single(await _calls.WaitForAsync("updateOutages")));
        Assert.Equal(["OUT-20261127-0002"], sent.Markers.Select(m => m.EventId));
        Assert.Equal(1, sent.Total);
    }

    [Fact]
    public async Task OutageMap_TileUrlConfigured_PassesItToTheMap()
    {
        using var ctx = new OmsTestContext(db.DataSource, new OmsOptions
        {
            Map = new MapOptions { TileUrl = "https://tiles.example/{z}/{x}/{y}.png", TileAttribution = "© Example", MaxZoom = 18 },
        });
        var module = ctx.JSInterop.SetupModule(OutageMap.ModulePath);
        module.Setup<MapView>("createMap", _calls.Record).SetResult(CloseView);

        ctx.Render<OutageMap>();

        var create = Assert.Single(await _calls.WaitForAsync("createMap"));
        var settings = Assert.IsType<OutageMapSettings>(create.Arguments[1]);
        Assert.Equal(("https://tiles.example/{z}/{x}/{y}.png", "© Example", 18), (settings.TileUrl, settings.TileAttribution, settings.MaxZoom));
    }

    [Fact]
    public void OutageMap_CreateMapThrowsJSException_ShowsTheWarningInsteadOfThrowing()
    {
        var module = StrictModule();
        module.Setup<MapView>("createMap", _ => true).SetException(new JSException("L is not defined"));

        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));

        var warning = cut.WaitForElement("[data-testid=outage-map-error]");
        Assert.Contains("L is not defined", warning.TextContent, StringComparison.Ordinal);
        module.VerifyNotInvoke("drawFeeders");
        module.VerifyNotInvoke("updateOutages");
    }

    [Fact]
    public async Task OutageMap_UpdateThrowsJSException_ShowsTheWarningAndStopsSending()
    {
        var module = StrictModule();
        module.SetupVoid("updateOutages", _ => true).SetException(new JSException("Cannot read properties of undefined"));
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));

        var warning = cut.WaitForElement("[data-testid=outage-map-error]");
        Assert.Contains("not live", warning.TextContent, StringComparison.Ordinal);
        Assert.Contains("Cannot read properties of undefined", warning.TextContent, StringComparison.Ordinal);

        cut.Render(p => p.Add(m => m.Outages, [Row("OUT-20261127-0002", Now)]));
        await cut.InvokeAsync(() => cut.Instance.ViewChanged(new MapView(17, -117.1, 33.9, -116.9, 34.1)));

        // Stopped: neither the new outages nor the move are sent.
        Assert.Single(module.Invocations["updateOutages"]);
    }

    [Fact]
    public async Task OutageMap_Disposed_DestroysTheLeafletMap()
    {
        StrictModule();
        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));
        await _calls.WaitForAsync("updateOutages");

        await _ctx.DisposeComponentsAsync();

        var destroy = Assert.Single(await _calls.WaitForAsync("destroyMap"));
        Assert.Equal(_calls.Of("createMap")[0].Arguments[0], destroy.Arguments[0]);
    }

    [Fact]
    public void OutageMap_Legend_NamesEverySeverityAndStatus()
    {
        StrictModule();

        var cut = _ctx.Render<OutageMap>();

        var legend = cut.Find("[data-testid=outage-legend]").TextContent;
        Assert.All(["Low", "Medium", "High", "Critical", "Unconfirmed", "Probable", "Confirmed", "Wire down"],
            word => Assert.Contains(word, legend, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 5.0)]
    [InlineData(1, 6.7)]
    [InlineData(42, 14.4)]
    [InlineData(1177, 22.7)]
    [InlineData(100_000, 33.8)]
    public void RadiusFor_Customers_GrowsWithTheLog(int customers, double radius) =>
        Assert.Equal(radius, OutageMarker.RadiusFor(customers));
}
