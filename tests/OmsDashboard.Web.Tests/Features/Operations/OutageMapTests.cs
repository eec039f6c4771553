using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
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

    private BunitJSModuleInterop StrictModule()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Strict;
        var module = _ctx.JSInterop.SetupModule(OutageMap.ModulePath);
        module.SetupVoid("createMap", _calls.Record).SetVoidResult();
        module.Setup<int>("drawFeeders", _calls.Record).SetResult(2);
        module.SetupVoid("upsertOutages", _calls.Record).SetVoidResult();
        module.Setup<int>("loadOutages", _calls.Record).SetResult(0);
        module.SetupVoid("removeOutages", _calls.Record).SetVoidResult();
        module.SetupVoid("destroyMap", _calls.Record).SetVoidResult();
        return module;
    }

    /// <summary>The markers of an <c>upsertOutages</c> call (one JSON text; customers are not sent, the radius carries them).</summary>
    private static IReadOnlyList<OutageMarker> Markers(JSRuntimeInvocation invocation) =>
        OutageMarkerJson.Deserialize(Assert.IsType<string>(invocation.Arguments[1]));

    [Fact]
    public async Task OutageMap_TwoOutages_CreatesTheMapFittedToTheNetworkThenAddsBothMarkers()
    {
        var module = StrictModule();
        var critical = Row("OUT-20261127-0002", Now, status: "unconfirmed", severity: "critical", customers: 1177, hazard: true, lat: 34.02, lon: -117.01);
        var fuse = Row("OUT-20261127-0001", Now.AddMinutes(-3), customers: 1);

        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [critical, fuse]));

        var upsert = Assert.Single(await _calls.WaitForAsync("upsertOutages"));
        // The map, then the outages: the feeders' lines are fetched by the browser (FeederLines), not sent.
        Assert.Equal(["createMap", "upsertOutages"], _calls.Sequence());
        module.VerifyNotInvoke("drawFeeders");
        var create = _calls.Of("createMap")[0];
        var settings = Assert.IsType<OutageMapSettings>(create.Arguments[1]);
        Assert.Equal(("", "", 19, FeederLines.Url), (settings.TileUrl, settings.TileAttribution, settings.MaxZoom, settings.FeederLinesUrl));
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
        Assert.Equal(create.Arguments[0], upsert.Arguments[0]);

        var markers = Markers(upsert).ToDictionary(m => m.EventId);
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
        var stays = Row("OUT-20261127-0001", Now.AddMinutes(-3));
        var changes = Row("OUT-20261127-0002", Now.AddMinutes(-2), status: "unconfirmed");
        var leaves = Row("OUT-20261127-0003", Now.AddMinutes(-1));
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [stays, changes, leaves]));
        await _calls.WaitForAsync("upsertOutages");

        var confirmed = changes with { Status = "confirmed", Customers = 60, Lat = 34.05 };
        var added = Row("OUT-20261127-0004", Now);
        cut.Render(p => p.Add(m => m.Outages, [stays, confirmed, added]));

        var sent = Markers((await _calls.WaitForAsync("upsertOutages", 2))[1]);
        var removed = Assert.Single(_calls.Of("removeOutages"));
        Assert.Equal([leaves.Id.ToString("D")], Assert.IsType<IReadOnlyList<string>>(removed.Arguments[1], exactMatch: false));
        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0004"], sent.Select(m => m.EventId).Order(StringComparer.Ordinal));
        var moved = sent.Single(m => m.EventId == "OUT-20261127-0002");
        Assert.Equal(("confirmed", OutageMarker.RadiusFor(60), 34.05), (moved.Status, moved.Radius, moved.Lat));
        Assert.Equal(["createMap", "upsertOutages", "removeOutages", "upsertOutages"], _calls.Sequence());
    }

    [Fact]
    public async Task OutageMap_RenderedAgainWithoutChanges_SendsNothing()
    {
        StrictModule();
        var rows = new[] { Row("OUT-20261127-0001", Now) };
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));
        await _calls.WaitForAsync("upsertOutages");

        // The calls would start within the render (before the component's first await).
        cut.Render(p => p.Add(m => m.Outages, [.. rows]));

        Assert.Equal(["createMap", "upsertOutages"], _calls.Sequence());
    }

    [Fact]
    public async Task OutageMap_StormOfOutages_HandsThemOffForOneFetchByTheSignedInUser()
    {
        StrictModule();
        _ctx.Auth.SetAuthorized("test-operator");
        var rows = Enumerable.Range(1, 4500).Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i))).ToArray();

        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));

        // One call with a URL, not 10 MB through the circuit; the batch waits there for this user only.
        var call = Assert.Single(await _calls.WaitForAsync("loadOutages"));
        Assert.Equal(["createMap", "loadOutages"], _calls.Sequence());
        string url = Assert.IsType<string>(call.Arguments[1]);
        Assert.StartsWith(MarkerHandoff.UrlPrefix, url, StringComparison.Ordinal);
        var id = Guid.ParseExact(url[MarkerHandoff.UrlPrefix.Length..], "N");
        var handoff = _ctx.Services.GetRequiredService<MarkerHandoff>();
        Assert.Null(handoff.Take(id, "someone-else"));
        byte[] json = Assert.IsType<byte[]>(handoff.Take(id, "test-operator"));
        var markers = OutageMarkerJson.Deserialize(System.Text.Encoding.UTF8.GetString(json));
        Assert.Equal(4500, markers.Select(m => m.Id).Distinct().Count());
        Assert.Equal(rows.Select(r => r.EventId).Order(StringComparer.Ordinal), markers.Select(m => m.EventId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OutageMap_StormOfOutagesWithoutASignedInUser_SendsThemInOneCall()
    {
        StrictModule();
        var rows = Enumerable.Range(1, 4500).Select(i => Row($"OUT-20261127-{i:0000}", Now.AddSeconds(-i))).ToArray();

        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, rows));

        var call = Assert.Single(await _calls.WaitForAsync("upsertOutages"));
        Assert.Equal(4500, Markers(call).Select(m => m.Id).Distinct().Count());
        Assert.Equal(0, _ctx.Services.GetRequiredService<MarkerHandoff>().Count);
    }

    [Fact]
    public async Task OutageMap_OutageWithoutLocation_IsNotSent()
    {
        StrictModule();

        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now, lat: null, lon: null), Row("OUT-20261127-0002", Now)]));

        Assert.Equal(["OUT-20261127-0002"], Markers(Assert.Single(await _calls.WaitForAsync("upsertOutages"))).Select(m => m.EventId));
    }

    [Fact]
    public async Task OutageMap_TileUrlConfigured_PassesItToTheMap()
    {
        using var ctx = new OmsTestContext(db.DataSource, new OmsOptions
        {
            Map = new MapOptions { TileUrl = "https://tiles.example/{z}/{x}/{y}.png", TileAttribution = "© Example", MaxZoom = 18 },
        });
        var module = ctx.JSInterop.SetupModule(OutageMap.ModulePath);
        module.SetupVoid("createMap", _calls.Record).SetVoidResult();

        ctx.Render<OutageMap>();

        var create = Assert.Single(await _calls.WaitForAsync("createMap"));
        var settings = Assert.IsType<OutageMapSettings>(create.Arguments[1]);
        Assert.Equal(("https://tiles.example/{z}/{x}/{y}.png", "© Example", 18), (settings.TileUrl, settings.TileAttribution, settings.MaxZoom));
    }

    [Fact]
    public void OutageMap_CreateMapThrowsJSException_ShowsTheWarningInsteadOfThrowing()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetException(new JSException("leaflet.markercluster could not be loaded"));

        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));

        var warning = cut.WaitForElement("[data-testid=outage-map-error]");
        Assert.Contains("leaflet.markercluster could not be loaded", warning.TextContent, StringComparison.Ordinal);
        module.VerifyNotInvoke("drawFeeders");
        module.VerifyNotInvoke("upsertOutages");
    }

    [Fact]
    public void OutageMap_UpsertThrowsJSException_ShowsTheWarningAndStopsSending()
    {
        var module = StrictModule();
        module.SetupVoid("upsertOutages", _ => true).SetException(new JSException("Cannot read properties of undefined"));
        var cut = _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));

        var warning = cut.WaitForElement("[data-testid=outage-map-error]");
        Assert.Contains("not live", warning.TextContent, StringComparison.Ordinal);
        Assert.Contains("Cannot read properties of undefined", warning.TextContent, StringComparison.Ordinal);

        cut.Render(p => p.Add(m => m.Outages, [Row("OUT-20261127-0002", Now)]));

        Assert.Single(module.Invocations["upsertOutages"]);
        module.VerifyNotInvoke("removeOutages");
    }

    [Fact]
    public async Task OutageMap_Disposed_DestroysTheLeafletMap()
    {
        StrictModule();
        _ctx.Render<OutageMap>(p => p.Add(m => m.Outages, [Row("OUT-20261127-0001", Now)]));
        await _calls.WaitForAsync("upsertOutages");

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
