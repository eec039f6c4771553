using Bunit;
using OmsDashboard.Data;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Tests.Infrastructure;
using OmsDashboard.Testing;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Operations;

/// <summary>
/// The storm banner (every page, through MainLayout): the stored state at start, then
/// <see cref="StormUpdate"/>s published through a real <see cref="OutageNotifier"/>.
/// </summary>
public sealed class StormBannerTests : IAsyncLifetime
{
    private const string Reason = "130 outage signals in the last hour (threshold 100)";

    private readonly ManualTime _time = new(Now);
    private readonly OutageNotifier _notifier = new();
    private TestDatabase _db = default!;
    private OmsTestContext _ctx = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateMigratedAsync("web_storm");
        _ctx = Context(_db.DataSource, _time, _notifier);
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task StoreStormAsync(bool active, DateTimeOffset? since, string? reason) => _db.ExecuteAsync($"""
        UPDATE oms_storm_mode_state SET is_active = {active}, since = {(since is { } s ? $"'{s:O}'" : "NULL")},
               reason = {(reason is null ? "NULL" : $"'{reason}'")}, active_rule_set = '{(active ? "storm" : "standard")}' WHERE id = 1
        """);

    [Fact]
    public void StormBanner_FreshDatabase_ShowsNothing()
    {
        var cut = _ctx.Render<StormBanner>();

        Assert.Empty(cut.FindAll("[data-testid=storm-banner]"));
        Assert.Equal("", cut.Markup.Trim());
    }

    [Fact]
    public async Task StormBanner_StoredStormOn_ShowsSinceReasonAndRules()
    {
        await StoreStormAsync(true, Now.AddMinutes(-130), Reason);

        var cut = _ctx.Render<StormBanner>();

        var banner = cut.WaitForElement("[data-testid=storm-banner]");
        Assert.Contains("Storm mode", banner.TextContent, StringComparison.Ordinal);
        Assert.Equal("since 11:20 UTC (2 h 10 min)", cut.Find("[data-testid=storm-since]").TextContent.Trim());
        Assert.Equal(Reason, cut.Find("[data-testid=storm-reason]").TextContent.Trim());
        Assert.Contains("storm rules", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StormBanner_StormUpdatePublished_ShowsItThenHidesWhenOff()
    {
        var cut = _ctx.Render<StormBanner>();
        Assert.Empty(cut.FindAll("[data-testid=storm-banner]"));

        await _notifier.PublishAsync(new StormUpdate(true, Now.AddMinutes(-3), Reason, "storm"));

        cut.WaitForAssertion(() => Assert.Equal(Reason, cut.Find("[data-testid=storm-reason]").TextContent.Trim()));
        Assert.Equal("since 13:27 UTC (3 min)", cut.Find("[data-testid=storm-since]").TextContent.Trim());

        await _notifier.PublishAsync(new StormUpdate(false, Now, "40 outage signals in the last hour (at or below 50)", "standard"));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=storm-banner]")));
    }

    [Fact]
    public async Task StormBanner_StoredStormOnThenOffPublished_Hides()
    {
        await StoreStormAsync(true, Now.AddHours(-1), Reason);
        var cut = _ctx.Render<StormBanner>();
        cut.WaitForElement("[data-testid=storm-banner]");

        await _notifier.PublishAsync(new StormUpdate(false, Now, "normal volume", "standard"));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=storm-banner]")));
    }

    [Fact]
    public async Task StormBanner_DatabaseUnreachable_RendersNothingAndStillFollowsThePush()
    {
        await using var unreachable = OmsDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=postgres;Database=oms;Timeout=5");
        await using var ctx = Context(unreachable, _time, _notifier);

        var cut = ctx.Render<StormBanner>();

        Assert.Empty(cut.FindAll("[data-testid=storm-banner]"));
        await _notifier.PublishAsync(new StormUpdate(true, Now, Reason, "storm"));
        cut.WaitForElement("[data-testid=storm-banner]");
    }
}
