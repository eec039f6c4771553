using Bunit;
using OmsDashboard.Data;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>
/// The Operations page on a real database holding both demo feeders, live through a real
/// <see cref="OutageNotifier"/>. Each test starts from no outages.
/// </summary>
public sealed class OperationsPageTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IAsyncLifetime
{
    private readonly ManualTime _time = new(Now);
    private readonly OutageNotifier _notifier = new();
    private OmsTestContext _ctx = default!;
    private readonly JsCalls _map = new();

    public async Task InitializeAsync()
    {
        await db.Database.ExecuteAsync("DELETE FROM oms_outage_events");
        await db.Database.ExecuteAsync("UPDATE oms_storm_mode_state SET is_active = false, since = NULL, reason = NULL, active_rule_set = 'standard'");
        _ctx = Context(db.DataSource, _time, _notifier);
        var module = _ctx.JSInterop.SetupModule(OutageMap.ModulePath);
        module.Setup<MapView>("createMap", _map.Record).SetResult(CloseView);
        module.SetupVoid("updateOutages", _map.Record).SetVoidResult();
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private IRenderedComponent<OperationsPage> RenderLoaded()
    {
        var cut = _ctx.Render<OperationsPage>();
        cut.WaitForElement("[data-testid=outage-grid]");
        return cut;
    }

    private static string Text(IRenderedComponent<OperationsPage> cut, string selector) => cut.Find(selector).TextContent.Trim();

    private static Dictionary<string, string> StatusCounts(IRenderedComponent<OperationsPage> cut) =>
        cut.FindAll("[data-testid=kpi-status]").ToDictionary(e => e.GetAttribute("data-status")!, e => e.QuerySelector(".oms-count")!.TextContent.Trim());

    [Fact]
    public async Task OperationsPage_StoredOutages_ListsTheActiveNewestFirstWithTheirCounts()
    {
        await InsertOutageAsync(db.DataSource, "OUT-20261127-0001", "confirmed", Now.AddMinutes(-40), customers: 100);
        await InsertOutageAsync(db.DataSource, "OUT-20261127-0002", "unconfirmed", Now.AddMinutes(-5), customers: 3);
        await InsertOutageAsync(db.DataSource, "OUT-20261127-0003", "restored", Now.AddMinutes(-90), customers: 500);
        await InsertOutageAsync(db.DataSource, "OUT-20261127-0004", "probable", Now.AddMinutes(-20), customers: 12,
            device: "RCL:LN5587291-1", kind: "recloser");

        var cut = RenderLoaded();

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0004", "OUT-20261127-0001"], EventIds(cut)));
        Assert.Equal("3", Text(cut, "[data-testid=kpi-active]"));
        Assert.Equal(new Dictionary<string, string> { ["unconfirmed"] = "1", ["probable"] = "1", ["confirmed"] = "1" }, StatusCounts(cut));
        Assert.Equal("115", Text(cut, "[data-testid=kpi-customers-out]"));
        // Filled in after the first render (a read of its own, not holding the grid back).
        cut.WaitForAssertion(() => Assert.Equal("5,067", Text(cut, "[data-testid=customers-served]")));
        Assert.Equal("false", cut.Find("[data-testid=kpi-storm]").GetAttribute("data-active"));
        Assert.Equal(["5 min", "20 min", "40 min"], cut.FindAll("[data-col=age]").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public async Task OperationsPage_OutageCreatedPushed_AppearsInTheGridAndOnTheMapWithoutAReload()
    {
        var cut = RenderLoaded();
        Assert.Empty(EventIds(cut));
        var created = Outage("OUT-20261127-0009", Now.AddMinutes(-1), status: "unconfirmed", severity: "high", customers: 42);

        _ = _notifier.PublishAsync([Update(created, "created")]);

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0009"], EventIds(cut)));
        Assert.Equal(new Dictionary<string, string> { ["unconfirmed"] = "1", ["probable"] = "0", ["confirmed"] = "0" }, StatusCounts(cut));
        var update = Assert.Single(await _map.WaitForAsync("updateOutages"));
        Assert.Equal(["OUT-20261127-0009"], MapUpdateOf(update).Markers.Select(m => m.EventId));
    }

    [Fact]
    public async Task OperationsPage_OutagesUpdatedAndRestoredPushed_ReplacesAndRemovesRows()
    {
        var restoredId = await InsertOutageAsync(db.DataSource, "OUT-20261127-0001", "confirmed", Now.AddMinutes(-40));
        // On the other feeder: two markers, not one cluster of two.
        var updatedId = await InsertOutageAsync(db.DataSource, "OUT-20261127-0002", "unconfirmed", Now.AddMinutes(-5),
            device: "FUS:05410_339864OH", feeder: EpriFeeder);
        var cut = RenderLoaded();
        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0002", "OUT-20261127-0001"], EventIds(cut)));
        // Both on the map before the push (else the map's first drawing would simply leave the restored one out).
        Assert.Equal(2, MapUpdateOf((await _map.WaitForAsync("updateOutages"))[0]).Markers.Count);

        _ = _notifier.PublishAsync(
        [
            Update(Outage("OUT-20261127-0002", Now.AddMinutes(-5), status: "confirmed", severity: "critical", id: updatedId), "updated"),
            Update(Outage("OUT-20261127-0001", Now.AddMinutes(-40), status: "restored", id: restoredId), "restored"),
        ]);

        cut.WaitForAssertion(() => Assert.Equal(["OUT-20261127-0002"], EventIds(cut)));
        Assert.Equal("critical", cut.Find("tbody [data-severity]").GetAttribute("data-severity"));
        Assert.Equal(new Dictionary<string, string> { ["unconfirmed"] = "0", ["probable"] = "0", ["confirmed"] = "1" }, StatusCounts(cut));
        var updated = MapUpdateOf((await _map.WaitForAsync("updateOutages", 2))[1]);
        Assert.Equal([("OUT-20261127-0002", "critical", "confirmed")], updated.Markers.Select(m => (m.EventId, m.Severity, m.Status)));
        Assert.Equal([restoredId.ToString("D")], updated.Removals);
        Assert.Equal(1, updated.Total);
    }

    [Fact]
    public void OperationsPage_KpisPushed_HeaderShowsCustomersOutAndRates()
    {
        var cut = RenderLoaded();
        Assert.All(cut.FindAll("[data-testid=kpi-source] .oms-source-value"), v => Assert.Equal("–", v.TextContent.Trim()));

        _ = _notifier.PublishAsync(Kpis(active: 3, customersOut: 4321, scada: 1, kaifa: 1450, onu: 0, calls: 7));

        cut.WaitForAssertion(() => Assert.Equal("4,321", Text(cut, "[data-testid=kpi-customers-out]")));
        Assert.Equal(
            new Dictionary<string, string> { ["scada"] = "1", ["kaifa"] = "1,450", ["onu"] = "0", ["callcenter"] = "7" },
            cut.FindAll("[data-testid=kpi-source]").ToDictionary(e => e.GetAttribute("data-source")!, e => e.QuerySelector(".oms-source-value")!.TextContent.Trim()));
        Assert.All(cut.FindAll("[data-testid=kpi-source]"), e => Assert.Equal("false", e.GetAttribute("data-silent")));
    }

    [Fact]
    public void OperationsPage_SourceQuietForFiveMinutes_LooksSilent()
    {
        var cut = RenderLoaded();
        _ = _notifier.PublishAsync(Kpis(0, 0, kaifa: 30, onu: 0));
        cut.WaitForAssertion(() => Assert.Equal("30", cut.Find("[data-source=kaifa] .oms-source-value").TextContent.Trim()));

        _time.Advance(TimeSpan.FromMinutes(6));
        _ = _notifier.PublishAsync(Kpis(0, 0, kaifa: 25, onu: 0));

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=kpi-source][data-source=onu]").GetAttribute("data-silent")));
        var onu = cut.Find("[data-testid=kpi-source][data-source=onu]");
        Assert.Contains("oms-source-silent", onu.ClassList);
        Assert.Contains("silent 6 min+", onu.TextContent, StringComparison.Ordinal);
        Assert.Contains("no signals received for at least 6 min", onu.GetAttribute("title"), StringComparison.Ordinal);
        Assert.Equal("false", cut.Find("[data-testid=kpi-source][data-source=kaifa]").GetAttribute("data-silent"));
    }

    [Fact]
    public async Task OperationsPage_StormOnStoredThenOffPushed_HeaderFollows()
    {
        await db.Database.ExecuteAsync($"""
            UPDATE oms_storm_mode_state SET is_active = true, since = '{Now.AddMinutes(-30):O}', reason = '130 outage signals in the last hour (threshold 100)',
                   active_rule_set = 'storm' WHERE id = 1
            """);
        var cut = RenderLoaded();

        var storm = cut.Find("[data-testid=kpi-storm]");
        Assert.Equal("true", storm.GetAttribute("data-active"));
        Assert.Contains("since 13:00 UTC", storm.TextContent, StringComparison.Ordinal);
        Assert.Contains("130 outage signals in the last hour", storm.TextContent, StringComparison.Ordinal);

        _ = _notifier.PublishAsync(new StormUpdate(false, Now, "40 outage signals in the last hour (at or below 50)", "standard"));

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=kpi-storm]").GetAttribute("data-active")));
        Assert.Contains("standard rules", cut.Find("[data-testid=kpi-storm]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperationsPage_DatabaseUnreachable_ShowsTheErrorInsteadOfThrowing()
    {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        await using var unreachable = OmsDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=postgres;Database=oms;Timeout=5");
        await using var ctx = Context(unreachable, _time, _notifier);

        var cut = ctx.Render<OperationsPage>();

        var alert = cut.WaitForElement("[data-testid=operations-error]");
        Assert.Contains("could not be loaded", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=outage-grid]"));
    }
}
