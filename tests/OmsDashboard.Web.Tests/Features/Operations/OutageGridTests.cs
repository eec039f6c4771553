using AngleSharp.Dom;
using Bunit;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>The outage grid and its chips, rendered from rows (no database needed).</summary>
public sealed class OutageGridTests(EmptyNetworkDatabase db) : IClassFixture<EmptyNetworkDatabase>, IAsyncLifetime
{
    private readonly OmsTestContext _ctx = new(db.DataSource);

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's text field brings a service that can only be disposed asynchronously.
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private IRenderedComponent<OutageGrid> Render(params OutageRow[] rows) =>
        _ctx.Render<OutageGrid>(p => p.Add(g => g.Rows, rows).Add(g => g.Now, Now));

    private static IElement RowOf(IRenderedComponent<OutageGrid> cut, string eventId) =>
        cut.FindAll("[data-testid=outage-event]").Single(a => a.TextContent.Trim() == eventId).Closest("tr")!;

    private static string Cell(IElement row, string col) => row.QuerySelector($"[data-col={col}]")!.TextContent.Trim();

    [Fact]
    public void OutageGrid_OneOutage_ShowsEveryColumn()
    {
        var outage = Outage("OUT-20261127-0001", Now.AddMinutes(-12), status: "probable", severity: "high", customers: 1234,
            confidence: 0.87m, kaifa: 27, onu: 9, calls: 3);

        var cut = Render(OutageRow.From(outage));

        var row = RowOf(cut, "OUT-20261127-0001");
        Assert.Equal($"/outages/{outage.Id}", row.QuerySelector("[data-testid=outage-event]")!.GetAttribute("href"));
        Assert.Equal("Probable", row.QuerySelector("[data-status]")!.TextContent.Trim());
        Assert.Equal("probable", row.QuerySelector("[data-status]")!.GetAttribute("data-status"));
        Assert.Equal("High", row.QuerySelector("[data-severity]")!.TextContent.Trim());
        Assert.Contains("oms-sev-high", row.QuerySelector("[data-severity]")!.ClassList);
        Assert.Equal("87 %", Cell(row, "confidence"));
        Assert.Equal("LN5985355-3", row.QuerySelector(".oms-device-id")!.TextContent.Trim());
        Assert.Equal("fuse", row.QuerySelector(".oms-device-kind")!.TextContent.Trim());
        Assert.Equal("FUS:LN5985355-3", row.QuerySelector("[data-col=device]")!.GetAttribute("title"));
        Assert.Equal("LN5815900-1", Cell(row, "feeder"));
        Assert.Equal("1,234", Cell(row, "customers"));
        Assert.Equal("12 min", Cell(row, "age"));
        Assert.Equal("–", Cell(row, "etr"));
        Assert.Equal(
            [("kaifa", "27", "27 meter last gasps"), ("onu", "9", "9 ONU dying gasps"), ("callcenter", "3", "3 calls")],
            row.QuerySelectorAll("[data-source]").Select(s => (s.GetAttribute("data-source"), s.TextContent.Trim(), s.GetAttribute("title"))));
        Assert.Empty(row.QuerySelectorAll("[data-testid=hazard]"));
        Assert.Equal("1", cut.Find("[data-testid=outage-count]").TextContent.Trim());
    }

    [Fact]
    public void OutageGrid_WireDown_ShowsTheHazardMarkOnItsRowOnly()
    {
        var cut = Render(Row("OUT-20261127-0002", Now, hazard: true), Row("OUT-20261127-0001", Now.AddMinutes(-1)));

        var hazard = RowOf(cut, "OUT-20261127-0002");
        Assert.Single(hazard.QuerySelectorAll("[data-testid=hazard]"));
        Assert.Contains("oms-row-hazard", hazard.ClassList);
        Assert.Contains("Wire down", hazard.QuerySelector("[data-testid=hazard]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(RowOf(cut, "OUT-20261127-0001").QuerySelectorAll("[data-testid=hazard]"));
    }

    [Fact]
    public void OutageGrid_StatusesAndSeverities_EachHasItsOwnChip()
    {
        var cut = Render(
            Row("OUT-20261127-0004", Now, status: "unconfirmed", severity: "low"),
            Row("OUT-20261127-0003", Now.AddMinutes(-1), status: "probable", severity: "medium"),
            Row("OUT-20261127-0002", Now.AddMinutes(-2), status: "confirmed", severity: "high"),
            Row("OUT-20261127-0001", Now.AddMinutes(-3), status: "confirmed", severity: "critical"));

        Assert.Equal(
            [("oms-status-unconfirmed", "Unconfirmed"), ("oms-status-probable", "Probable"), ("oms-status-confirmed", "Confirmed"), ("oms-status-confirmed", "Confirmed")],
            cut.FindAll("tbody [data-status]").Select(c => (c.ClassList.Single(k => k.StartsWith("oms-status-", StringComparison.Ordinal) && k != "oms-status-chip"), c.TextContent.Trim())));
        Assert.Equal(
            [("oms-sev-low", "Low"), ("oms-sev-medium", "Medium"), ("oms-sev-high", "High"), ("oms-sev-critical", "Critical")],
            cut.FindAll("tbody [data-severity]").Select(c => (c.ClassList.Single(k => k.StartsWith("oms-sev-", StringComparison.Ordinal) && k != "oms-sev-chip"), c.TextContent.Trim())));
    }

    [Fact]
    public void OutageGrid_RowsGivenNewestFirst_ShowsThemNewestFirst()
    {
        var cut = Render(Row("OUT-20261127-0003", Now), Row("OUT-20261127-0002", Now.AddMinutes(-5)), Row("OUT-20261127-0001", Now.AddHours(-2)));

        Assert.Equal(["OUT-20261127-0003", "OUT-20261127-0002", "OUT-20261127-0001"], EventIds(cut));
        Assert.Equal(["<1 min", "5 min", "2 h 00 min"], cut.FindAll("[data-col=age]").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public void OutageGrid_RowsGiven_ShowsThemInTheGivenOrderWithoutSortingThemAgain()
    {
        // The view-model keeps the list newest first; the grid must not re-sort 50,000 rows per render.
        var cut = Render(Row("OUT-20261127-0001", Now.AddHours(-2)), Row("OUT-20261127-0003", Now), Row("OUT-20261127-0002", Now.AddMinutes(-5)));

        Assert.Equal(["OUT-20261127-0001", "OUT-20261127-0003", "OUT-20261127-0002"], EventIds(cut));
        Assert.NotEqual("descending", AgeHeader(cut).GetAttribute("aria-sort"));
    }

    [Fact]
    public void OutageGrid_AgeHeaderClicked_SortsByAge()
    {
        var cut = Render(Row("OUT-20261127-0001", Now.AddHours(-2)), Row("OUT-20261127-0003", Now), Row("OUT-20261127-0002", Now.AddMinutes(-5)));

        AgeHeader(cut).QuerySelector(".sortable-column-header")!.Click();

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0001", "OUT-20261127-0002", "OUT-20261127-0003"], EventIds(cut)));
        Assert.Equal("ascending", AgeHeader(cut).GetAttribute("aria-sort"));
    }

    private static IElement AgeHeader(IRenderedComponent<OutageGrid> cut) =>
        cut.FindAll("th").Single(th => th.TextContent.Contains("Age", StringComparison.Ordinal));

    [Fact]
    public void OutageGrid_QuickSearch_ShowsOnlyMatchingRowsAndCountsThem()
    {
        var cut = _ctx.Render<OutageGrid>(p => p.Add(g => g.Rows,
        [
            OutageRow.From(Outage("OUT-20261127-0002", Now, device: "RCL:LN5587291-1", kind: "recloser")),
            OutageRow.From(Outage("OUT-20261127-0001", Now.AddMinutes(-1))),
        ]).Add(g => g.Now, Now));

        cut.Find("input[data-testid=outage-search], [data-testid=outage-search] input").Input("recloser");

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0002"], EventIds(cut)));
        Assert.Equal("1 of 2", cut.Find("[data-testid=outage-count]").TextContent.Trim());
    }

    [Fact]
    public void OutageGrid_SearchCleared_ShowsEveryRowAgain()
    {
        var cut = Render(Row("OUT-20261127-0002", Now), Row("OUT-20261127-0001", Now.AddMinutes(-1)));
        var box = cut.Find("input[data-testid=outage-search], [data-testid=outage-search] input");
        box.Input("0001");
        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0001"], EventIds(cut)));

        cut.Find("input[data-testid=outage-search], [data-testid=outage-search] input").Input("  ");

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0001"], EventIds(cut)));
        Assert.Equal("2", cut.Find("[data-testid=outage-count]").TextContent.Trim());
    }

    [Theory]
    [InlineData("out-20261127-0001", true)]
    [InlineData("  LN5985355 ", true)]
    [InlineData("Fuse", true)]
    [InlineData("CONFIRMED", true)]
    [InlineData("medium", true)]
    [InlineData("ln5815900", true)]
    [InlineData("", true)]
    [InlineData("   ", true)]
    [InlineData(null, true)]
    [InlineData("recloser", false)]
    [InlineData("OUT-20261127-0002", false)]
    public void Matches_Text_LooksInEventDeviceKindFeederStatusAndSeverityIgnoringCase(string? text, bool matches) =>
        Assert.Equal(matches, Row("OUT-20261127-0001", Now).Matches(text));

    [Fact]
    public void Matches_RowWithoutDevice_MatchesOnItsOtherFields()
    {
        var row = OutageRow.From(Outage("OUT-20261127-0001", Now, device: null, kind: null, feeder: null));

        Assert.True(row.Matches("0001"));
        Assert.False(row.Matches("fuse"));
    }

    [Fact]
    public void OutageGrid_RowsReplaced_ShowsTheNewListWithoutStaleRows()
    {
        var first = Row("OUT-20261127-0001", Now, status: "unconfirmed");
        var cut = Render(first);

        cut.Render(p => p.Add(g => g.Rows, [Row("OUT-20261127-0002", Now.AddMinutes(1)), first with { Status = "confirmed" }]));

        Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0001"], EventIds(cut));
        Assert.Equal("confirmed", RowOf(cut, "OUT-20261127-0001").QuerySelector("[data-status]")!.GetAttribute("data-status"));
    }

    [Fact]
    public void OutageGrid_NoOutages_SaysSo()
    {
        var cut = Render();

        Assert.Contains("No active outages", cut.Find("[data-testid=no-outages]").TextContent, StringComparison.Ordinal);
        Assert.Equal("0", cut.Find("[data-testid=outage-count]").TextContent.Trim());
    }

    [Fact]
    public void OutageGrid_NowMoves_AgesFollow()
    {
        var cut = Render(Row("OUT-20261127-0001", Now.AddMinutes(-5)));

        cut.Render(p => p.Add(g => g.Now, Now.AddMinutes(60)));

        Assert.Equal("1 h 05 min", cut.Find("[data-col=age]").TextContent.Trim());
    }
}
