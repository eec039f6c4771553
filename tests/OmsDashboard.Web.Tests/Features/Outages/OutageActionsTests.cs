using Bunit;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Outages;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Features.Operations;
using OmsDashboard.Web.Tests.Infrastructure;
using static OmsDashboard.Web.Tests.Features.Operations.OperationsKit;

namespace OmsDashboard.Web.Tests.Features.Outages;

/// <summary>The outage page's action bar: shown by role and by status, forms that say what is wrong.</summary>
public sealed class OutageActionsTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>, IAsyncDisposable
{
    private readonly OmsTestContext _ctx = Context(db.DataSource, new ManualTime(Now), new OutageNotifier());

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private static OutageItem Outage(string status) => new(Guid.NewGuid(), "OUT-20261127-0042", status, "high", 0.9m, "FUS:LN5985355-3", "fuse",
        IeeeFeeder, "SUB:HVMV_Sub", 42, Now.AddMinutes(-20), null, null, null, new Dictionary<string, int>(), null, null, null, null, false);

    private IRenderedComponent<OutageActions> Render(string status, params string[] policies)
    {
        _ctx.Auth.SetAuthorized("dana");
        _ctx.Auth.SetPolicies(policies);
        return _ctx.Render<OutageActions>(p => p.Add(x => x.Outage, Outage(status)));
    }

    [Fact]
    public void Actions_ForAUserWhoMayOperate_AreShown_WithConfirmWhileUnconfirmed()
    {
        var cut = Render("unconfirmed", OmsPolicies.OperateOutages);

        Assert.NotNull(cut.Find("[data-testid=action-confirm]"));
        Assert.NotNull(cut.Find("[data-testid=action-etr]"));
        Assert.NotNull(cut.Find("[data-testid=action-restore]"));
    }

    [Fact]
    public void Actions_ForAReadOnlyUser_AreNotShown()
    {
        var cut = Render("unconfirmed", OmsPolicies.ViewDashboard);

        Assert.Empty(cut.FindAll("[data-testid=outage-action-bar]"));
    }

    [Theory]
    [InlineData("restored")]
    [InlineData("merged")]
    [InlineData("cancelled")]
    public void Actions_OnAnOutageThatEnded_AreNotShown(string status)
    {
        var cut = Render(status, OmsPolicies.OperateOutages);

        Assert.Empty(cut.FindAll("[data-testid=outage-action-bar]"));
    }

    [Fact]
    public void Confirm_IsNotOfferedOnAConfirmedOutage()
    {
        var cut = Render("confirmed", OmsPolicies.OperateOutages);

        Assert.Empty(cut.FindAll("[data-testid=action-confirm]"));
        Assert.NotNull(cut.Find("[data-testid=action-etr]"));
    }

    [Fact]
    public void EtrForm_WithoutATime_NamesTheFieldAndStoresNothing()
    {
        var cut = Render("probable", OmsPolicies.OperateOutages);

        cut.Find("[data-testid=action-etr]").Click();
        cut.Find("input[type=datetime-local]").Change("");
        cut.Find("[data-testid=action-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("enter a date and time", cut.Find("[data-testid=action-form]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EtrAndRestoreForms_NameTheZoneTheScreensShow_AndStartInIt()
    {
        // A control room east of Greenwich: the screens show "UTC+10:00", so must the time fields.
        var zone = TimeZoneInfo.CreateCustomTimeZone("oms-test+10", TimeSpan.FromHours(10), "UTC+10", "UTC+10");
        await using var ctx = Context(db.DataSource, new ManualTime(Now, zone), new OutageNotifier());
        ctx.Auth.SetAuthorized("dana");
        ctx.Auth.SetPolicies(OmsPolicies.OperateOutages);
        var cut = ctx.Render<OutageActions>(p => p.Add(x => x.Outage, Outage("probable")));

        cut.Find("[data-testid=action-etr]").Click();
        Assert.Contains("Estimated restoration (UTC+10:00)", cut.Find("[data-testid=action-form]").TextContent, StringComparison.Ordinal);
        Assert.Equal(Now.ToOffset(TimeSpan.FromHours(10)).AddHours(2).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
            cut.Find("input[type=datetime-local]").GetAttribute("value"));

        cut.Find("[data-testid=action-restore]").Click();
        Assert.Contains("Power back at (UTC+10:00)", cut.Find("[data-testid=action-form]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("local time", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreForm_OnAnOutageTheDatabaseDoesNotKnow_ShowsTheProblem()
    {
        var cut = Render("confirmed", OmsPolicies.OperateOutages);

        cut.Find("[data-testid=action-restore]").Click();
        cut.Find("[data-testid=action-submit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("No such outage", cut.Find("[data-testid=action-problem]").TextContent, StringComparison.Ordinal));
    }
}
