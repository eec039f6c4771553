using Bunit;
using Microsoft.JSInterop;
using OmsDashboard.Web.Features.Network;
using OmsDashboard.Web.Hosting;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Network;

/// <summary>
/// The map component against bUnit's JS interop in strict mode (every call to the module must be
/// expected), with the feeders read from a real database holding both demo feeders.
/// </summary>
public sealed class NetworkMapTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IDisposable
{
    private const string Ieee = "FDR:LN5815900-1";
    private const string Epri = "FDR:fdr_05410";

    private readonly OmsTestContext _ctx = new(db.DataSource);

    public void Dispose() => _ctx.Dispose();

    private BunitJSModuleInterop StrictModule()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Strict;
        var module = _ctx.JSInterop.SetupModule(NetworkMap.ModulePath);
        module.SetupVoid("destroyMap", _ => true).SetVoidResult();
        return module;
    }

    [Fact]
    public async Task NetworkMap_DemoNetwork_CreatesTheMapThenDrawsBothFeeders()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetVoidResult();
        module.Setup<int>("drawFeeders", _ => true).SetResult(2);
        var reported = new TaskCompletionSource<int>();

        var cut = _ctx.Render<NetworkMap>(p => p.Add(m => m.FeederCountChanged, n => reported.TrySetResult(n)));

        Assert.Equal(2, await reported.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var create = Assert.Single(module.Invocations["createMap"]);
        Assert.Equal(new MapSettings("", "", 19), create.Arguments[1]);
        var draw = Assert.Single(module.Invocations["drawFeeders"]);
        Assert.Equal(create.Arguments[0], draw.Arguments[0]);
        var feeders = Assert.IsType<IReadOnlyList<MapFeeder>>(draw.Arguments[1], exactMatch: false).ToDictionary(f => f.Id);
        Assert.Equal([Ieee, Epri], feeders.Keys.Order(StringComparer.Ordinal));
        // Reclosers and switches as markers; a line segment to every transformer at least.
        Assert.Equal((2, 42), (feeders[Ieee].Devices.Count(d => d.Kind == "recloser"), feeders[Ieee].Devices.Count(d => d.Kind == "switch")));
        Assert.Equal((1, 0), (feeders[Epri].Devices.Count(d => d.Kind == "recloser"), feeders[Epri].Devices.Count(d => d.Kind == "switch")));
        Assert.True(feeders[Ieee].Segments.Count >= 1177 && feeders[Epri].Segments.Count >= 818);
        Assert.All(feeders.Values, f => Assert.All(f.Segments, s => Assert.Equal(4, s.Length)));
        Assert.Equal(("LN5815900-1", "SUB:HVMV_Sub"), (feeders[Ieee].ShortId, feeders[Ieee].SubstationId));
        Assert.Equal(2, feeders.Values.Select(f => f.Color).Distinct().Count());
        Assert.Empty(cut.FindAll("[data-testid=map-error]"));
    }

    [Fact]
    public void NetworkMap_DemoNetwork_ShowsALegendOfTheDrawnFeedersAndMarkers()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetVoidResult();
        module.Setup<int>("drawFeeders", _ => true).SetResult(2);

        var cut = _ctx.Render<NetworkMap>();

        var legend = cut.WaitForElement("[data-testid=map-legend]");
        Assert.Equal(["LN5815900-1", "fdr_05410"],
            legend.QuerySelectorAll("[data-feeder-id]").Select(r => r.TextContent.Trim()).Order(StringComparer.Ordinal));
        Assert.Contains("Feeder head", legend.TextContent, StringComparison.Ordinal);
        Assert.Contains("Recloser", legend.TextContent, StringComparison.Ordinal);
        Assert.Contains("Switch", legend.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkMap_FeederColorsGiven_DrawsThoseColoursAndThePaletteForOthers()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetVoidResult();
        module.Setup<int>("drawFeeders", _ => true).SetResult(2);

        var cut = _ctx.Render<NetworkMap>(p => p.Add(m => m.FeederColors, new Dictionary<string, string> { [Epri] = "#123456" }));

        cut.WaitForAssertion(() => Assert.Single(module.Invocations["drawFeeders"]));
        var feeders = ((IReadOnlyList<MapFeeder>)module.Invocations["drawFeeders"][0].Arguments[1]!).ToDictionary(f => f.Id);
        Assert.Equal("#123456", feeders[Epri].Color);
        Assert.Contains(feeders[Ieee].Color, FeederPalette.Colors);
    }

    [Fact]
    public void NetworkMap_TileUrlConfigured_PassesItToTheMap()
    {
        using var ctx = new OmsTestContext(db.DataSource, new OmsOptions
        {
            Map = new MapOptions { TileUrl = "https://tiles.example/{z}/{x}/{y}.png", TileAttribution = "© Example", MaxZoom = 18 },
        });
        var module = ctx.JSInterop.SetupModule(NetworkMap.ModulePath);

        var cut = ctx.Render<NetworkMap>();

        cut.WaitForAssertion(() => module.VerifyInvoke("createMap"));
        var create = module.VerifyInvoke("createMap");
        Assert.Equal(new MapSettings("https://tiles.example/{z}/{x}/{y}.png", "© Example", 18), create.Arguments[1]);
    }

    [Fact]
    public void NetworkMap_CreateMapThrowsJSException_ShowsTheWarningInsteadOfThrowing()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetException(new JSException("L is not defined"));

        var cut = _ctx.Render<NetworkMap>();

        var warning = cut.WaitForElement("[data-testid=map-error]");
        Assert.Contains("L is not defined", warning.TextContent, StringComparison.Ordinal);
        module.VerifyNotInvoke("drawFeeders");
        Assert.Empty(cut.FindAll("[data-testid=map-legend]"));
    }

    [Fact]
    public void NetworkMap_DrawFeedersThrowsJSException_ShowsTheWarningAndNoCount()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetVoidResult();
        module.Setup<int>("drawFeeders", _ => true).SetException(new JSException("maxZoom is not defined"));
        int? reported = null;

        var cut = _ctx.Render<NetworkMap>(p => p.Add(m => m.FeederCountChanged, n => reported = n));

        var warning = cut.WaitForElement("[data-testid=map-error]");
        Assert.Contains("maxZoom is not defined", warning.TextContent, StringComparison.Ordinal);
        Assert.Null(reported);
        Assert.Empty(cut.FindAll("[data-testid=map-legend]"));
    }

    [Fact]
    public async Task NetworkMap_Disposed_DestroysTheLeafletMap()
    {
        var module = StrictModule();
        module.SetupVoid("createMap", _ => true).SetVoidResult();
        module.Setup<int>("drawFeeders", _ => true).SetResult(2);
        var cut = _ctx.Render<NetworkMap>();
        cut.WaitForElement("[data-testid=map-legend]");

        await _ctx.DisposeComponentsAsync();

        var destroy = module.VerifyInvoke("destroyMap");
        Assert.Equal(module.Invocations["createMap"][0].Arguments[0], destroy.Arguments[0]);
    }
}
