using Bunit;
using OmsDashboard.Web.Features.Network;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Features.Network;

/// <summary>The Network page on a real database holding both demo feeders.</summary>
public sealed class NetworkPageTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IDisposable
{
    private const string Ieee = "FDR:LN5815900-1";
    private const string Epri = "FDR:fdr_05410";

    private readonly OmsTestContext _ctx = new(db.DataSource);

    public void Dispose() => _ctx.Dispose();

    private BunitJSModuleInterop SetupMap()
    {
        var module = _ctx.JSInterop.SetupModule(NetworkMap.ModulePath);
        module.Setup<int>("drawFeeders", _ => true).SetResult(2);
        return module;
    }

    [Fact]
    public void NetworkPage_DemoNetwork_ShowsTheCountOfEveryKind()
    {
        SetupMap();

        var cut = _ctx.Render<NetworkPage>();

        var tiles = cut.WaitForElement("[data-testid=kind-tiles]");
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["substation"] = "2", ["feeder"] = "2", ["recloser"] = "3", ["switch"] = "42", ["fuse"] = "187",
                ["transformer"] = "1,995", ["customer"] = "5,067", ["meter"] = "5,067", ["onu"] = "1,729",
            },
            tiles.QuerySelectorAll("[data-kind]").ToDictionary(e => e.GetAttribute("data-kind")!, e => e.TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=network-empty]"));
    }

    [Fact]
    public void NetworkPage_DemoNetwork_ShowsOneCardPerFeederWithItsCounts()
    {
        SetupMap();

        var cut = _ctx.Render<NetworkPage>();

        cut.WaitForElement("[data-testid=feeder-card]");
        var cards = cut.FindAll("[data-testid=feeder-card]").ToDictionary(c => c.GetAttribute("data-feeder-id")!);
        Assert.Equal([Ieee, Epri], cards.Keys);
        Dictionary<string, string> Stats(string id) =>
            cards[id].QuerySelectorAll("[data-stat]").ToDictionary(e => e.GetAttribute("data-stat")!, e => e.TextContent.Trim());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["recloser"] = "2", ["switch"] = "42", ["fuse"] = "125", ["transformer"] = "1,177", ["customer"] = "1,177", ["fiber"] = "32 %",
            },
            Stats(Ieee));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["recloser"] = "1", ["switch"] = "0", ["fuse"] = "62", ["transformer"] = "818", ["customer"] = "3,890", ["fiber"] = "35 %",
            },
            Stats(Epri));
        // The short id is the title; the importer's long name and the substation are captions.
        Assert.Equal("LN5815900-1", cards[Ieee].QuerySelector(".oms-feeder-id")!.TextContent.Trim());
        Assert.Contains("Feeder breaker (Relay.SubBreaker on line LN5815900-1)", cards[Ieee].TextContent, StringComparison.Ordinal);
        Assert.Contains("Substation SubXFMR (230/34.5 kV, 45 MVA)", cards[Epri].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPage_DemoNetwork_DrawsEachFeederInItsCardsColour()
    {
        var module = SetupMap();

        var cut = _ctx.Render<NetworkPage>();

        cut.WaitForAssertion(() => Assert.Single(module.Invocations["drawFeeders"]));
        var drawn = Assert.IsType<IReadOnlyList<MapFeeder>>(module.Invocations["drawFeeders"][0].Arguments[1], exactMatch: false);
        var swatches = cut.FindAll("[data-testid=feeder-card]").ToDictionary(
            c => c.GetAttribute("data-feeder-id")!, c => c.QuerySelector(".oms-feeder-swatch")!.GetAttribute("data-color"));
        Assert.Equal(2, drawn.Count);
        Assert.All(drawn, f => Assert.Equal(swatches[f.Id], f.Color));
        Assert.Equal(2, swatches.Values.Distinct().Count());
        // The legend repeats the same colours.
        cut.WaitForAssertion(() => Assert.Equal(swatches,
            cut.FindAll("[data-testid=map-legend] [data-feeder-id]").ToDictionary(
                r => r.GetAttribute("data-feeder-id")!, r => r.QuerySelector(".oms-legend-swatch")!.GetAttribute("data-color"))));
    }

    [Fact]
    public void NetworkPage_ShowOnMapClicked_FocusesTheMapOnThatFeeder()
    {
        var module = SetupMap();
        var cut = _ctx.Render<NetworkPage>();
        cut.WaitForAssertion(() => Assert.Single(module.Invocations["drawFeeders"]));

        cut.Find($"[data-feeder-id='{Epri}'] [data-testid=show-on-map]").Click();

        // The click handler awaits the map module before it calls it: wait for that call.
        cut.WaitForAssertion(() => Assert.Single(module.Invocations["focusFeeder"]));
        Assert.Equal(Epri, module.Invocations["focusFeeder"].Single().Arguments[1]);
    }

    [Fact]
    public void NetworkPage_AllFeedersDrawn_SaysNothingAboutMissingFeeders()
    {
        SetupMap();

        var cut = _ctx.Render<NetworkPage>();

        cut.WaitForElement("[data-testid=map-legend]");
        Assert.DoesNotContain("The map shows the first", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPage_FewerFeedersDrawnThanExist_SaysHowMany()
    {
        var module = _ctx.JSInterop.SetupModule(NetworkMap.ModulePath);
        module.Setup<int>("drawFeeders", _ => true).SetResult(1);

        var cut = _ctx.Render<NetworkPage>();

        cut.WaitForAssertion(() => Assert.Contains("The map shows the first 1 of 2 feeders.", cut.Markup, StringComparison.Ordinal));
    }
}
