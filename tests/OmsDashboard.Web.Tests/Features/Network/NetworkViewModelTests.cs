using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Network;

namespace OmsDashboard.Web.Tests.Features.Network;

public sealed class NetworkViewModelTests
{
    private static readonly FeederSummary Ieee = new("FDR:LN5815900-1", "Feeder breaker (Relay.SubBreaker on line LN5815900-1)",
        "SUB:HVMV_Sub", "HVMV_Sub (115/12.47 kV, 27.5 MVA)", new KindCounts(2, 125, 42, 1177, 1177, 1177, 375));

    private static readonly FeederSummary Epri = new("FDR:fdr_05410", "Feeder 05410 head breaker (line fdr_05410)",
        "SUB:SubXFMR", "SubXFMR (230/34.5 kV, 45 MVA)", new KindCounts(1, 62, 0, 818, 3890, 3890, 1354));

    private static NetworkViewModel Model(params FeederSummary[] feeders) =>
        new(new TopologySummary(feeders.Select(f => f.SubstationId).Distinct().Count(), feeders.Length,
            feeders.Aggregate(new KindCounts(0, 0, 0, 0, 0, 0, 0), (a, f) => a + f.Counts), feeders));

    [Fact]
    public void KindTiles_DemoNetwork_CountEveryKindInPageOrder()
    {
        var model = Model(Ieee, Epri);

        Assert.Equal(
            [
                ("substation", "Substations", 2L), ("feeder", "Feeders", 2L), ("recloser", "Reclosers", 3L),
                ("switch", "Switches", 42L), ("fuse", "Fuses", 187L), ("transformer", "Transformers", 1995L),
                ("customer", "Customers", 5067L), ("meter", "Smart meters", 5067L), ("onu", "Fiber ONUs", 1729L),
            ],
            model.KindTiles.Select(t => (t.Kind, t.Label, t.Count)));
        Assert.Equal("5,067", model.KindTiles.Single(t => t.Kind == "customer").Text);
    }

    [Theory]
    [InlineData(1177, 375, "32 %")]
    [InlineData(3890, 1354, "35 %")]
    [InlineData(3, 3, "100 %")]
    [InlineData(5, 0, "0 %")]
    [InlineData(0, 0, "–")]
    public void FiberShare_CustomersAndOnus_RoundsToWholePercent(long customers, long onus, string expected) =>
        Assert.Equal(expected, NetworkViewModel.FiberShare(new KindCounts(0, 0, 0, 0, customers, customers, onus)));

    [Fact]
    public void IsEmpty_NoSubstation_IsTrue()
    {
        var model = Model();

        Assert.True(model.IsEmpty);
        Assert.Empty(model.Feeders);
        Assert.All(model.KindTiles, t => Assert.Equal(0, t.Count));
    }

    [Fact]
    public void IsEmpty_DemoNetwork_IsFalse() => Assert.False(Model(Ieee, Epri).IsEmpty);

    [Fact]
    public void Feeders_DemoNetwork_ShortIdTitleLongNameAndPaletteColourInOrder()
    {
        var model = Model(Ieee, Epri);

        Assert.Collection(model.Feeders,
            f =>
            {
                Assert.Equal(("FDR:LN5815900-1", "LN5815900-1", "#1f77b4"), (f.Id, f.ShortId, f.Color));
                Assert.Equal(Ieee.Name, f.Name);
                Assert.Equal("HVMV_Sub (115/12.47 kV, 27.5 MVA)", f.SubstationName);
            },
            f => Assert.Equal(("FDR:fdr_05410", "fdr_05410", "#d62728"), (f.Id, f.ShortId, f.Color)));
        Assert.Equal(new Dictionary<string, string> { ["FDR:LN5815900-1"] = "#1f77b4", ["FDR:fdr_05410"] = "#d62728" }, model.FeederColors);
    }

    [Fact]
    public void Stats_DemoFeeder_FormatsEveryFigureOfTheCard()
    {
        var item = Model(Ieee).Feeders.Single();

        Assert.Equal(
            [
                ("recloser", "Reclosers", "2"), ("switch", "Switches", "42"), ("fuse", "Fuses", "125"),
                ("transformer", "Transformers", "1,177"), ("customer", "Customers", "1,177"), ("fiber", "Fiber", "32 %"),
            ],
            item.Stats.Select(s => (s.Kind, s.Label, s.Value)));
    }

    [Theory]
    [InlineData("FDR:fdr_05410", "fdr_05410")]
    [InlineData("SUB:HVMV_Sub", "HVMV_Sub")]
    [InlineData("no-prefix", "no-prefix")]
    [InlineData("FDR:", "FDR:")]
    public void ShortId_ImporterId_DropsTheKindPrefix(string id, string expected) =>
        Assert.Equal(expected, NetworkViewModel.ShortId(id));

    [Fact]
    public void ColorAt_PastThePalette_Repeats()
    {
        Assert.Equal(FeederPalette.Colors.Count, FeederPalette.Colors.Distinct().Count());
        Assert.Equal(FeederPalette.ColorAt(0), FeederPalette.ColorAt(FeederPalette.Colors.Count));
        Assert.NotEqual(FeederPalette.ColorAt(0), FeederPalette.ColorAt(1));
    }
}
