using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Security.Claims;
using MudBlazor;
using OmsDashboard.Data.Rules;
using OmsDashboard.Web.Correlation;
using OmsDashboard.Web.Features.Rules;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Realtime;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Features.Operations;
using OmsDashboard.Web.Tests.Infrastructure;
using OmsDashboard.Testing;

namespace OmsDashboard.Web.Tests.Features.Rules;

/// <summary>
/// The Rules page on a real database: field messages and a refused save for bad values, the storm
/// override reaching the banner, edit controls only for editors — and the policies themselves.
/// </summary>
public sealed class RulesPageTests : IAsyncLifetime
{
    private const string Radius = "rule.standard.spatial_radius_meters";
    private const string Deactivation = "storm_settings.storm.deactivation_signals_per_hour";

    private readonly OutageNotifier _notifier = new();
    private TestDatabase _db = default!;
    private OmsTestContext? _ctx;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateMigratedAsync("web_rules");

    public async Task DisposeAsync()
    {
        if (_ctx is not null) await _ctx.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The page's services on the test database, signed in as <paramref name="name"/> with <paramref name="policies"/>.</summary>
    private void SignIn(string name, params string[] policies)
    {
        _ctx = new OmsTestContext(_db.DataSource);
        _ctx.Services.AddSingleton(_db.DataSource);
        _ctx.Services.AddSingleton(_notifier);
        _ctx.Services.AddSingleton<TimeProvider>(new ManualTime(OperationsKit.Now));
        _ctx.Services.AddSingleton(new RulesStore(_db.DataSource));
        _ctx.Services.AddSingleton<CorrelationTrigger>();
        _ctx.Services.AddSignalR();
        _ctx.Services.AddSingleton<RulesAnnouncer>();
        var auth = _ctx.AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetPolicies(policies);
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<RulesPage> cut, string id) => cut.Find($"[data-testid='field-{id}'] input");

    private IRenderedComponent<RulesPage> RenderLoaded()
    {
        var cut = _ctx!.Render<RulesPage>();
        cut.WaitForElement($"[data-testid='field-{Radius}'] input");
        return cut;
    }

    [Fact]
    public async Task Editor_OutOfRangeValues_ShowFieldMessagesAndTheSaveIsRefused()
    {
        SignIn("alice", OmsPolicies.ViewRules, OmsPolicies.EditRules);
        var cut = RenderLoaded();

        Input(cut, Radius).Input("20");
        Input(cut, Deactivation).Input("150");

        cut.WaitForAssertion(() => Assert.Contains("Between 50 m and 10,000 m", cut.Find($"[data-testid='field-{Radius}']").TextContent, StringComparison.Ordinal));
        Assert.Contains("below the switch-on threshold (100 signals/h)", cut.Find($"[data-testid='field-{Deactivation}']").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, cut.FindAll("[data-testid=rules-change]").Count);
        var save = cut.Find("[data-testid=rules-save]");
        Assert.True(save.HasAttribute("disabled"));

        await save.ClickAsync(new());

        Assert.Equal(1000, await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM oms_configuration_audit"));

        // Back in range, the same form saves.
        Input(cut, Radius).Input("1500");
        Input(cut, Deactivation).Input("60");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=rules-save]").HasAttribute("disabled")));
        await cut.Find("[data-testid=rules-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=audit-row]").Count));
        Assert.Equal(1500, await _db.ScalarAsync<double>("SELECT spatial_radius_meters FROM oms_correlation_rules WHERE name = 'standard'"));
        Assert.Equal("alice", await _db.ScalarAsync<string>("SELECT DISTINCT user_name FROM oms_configuration_audit"));
    }

    [Fact]
    public async Task Editor_StormForcedOnWithAReason_TheBannerShowsItAtOnce()
    {
        SignIn("alice", OmsPolicies.ViewRules, OmsPolicies.EditRules);
        var dialogs = _ctx!.Render<MudDialogProvider>();
        var banner = _ctx!.Render<StormBanner>();
        var cut = RenderLoaded();
        Assert.Empty(banner.FindAll("[data-testid=storm-banner]"));

        cut.Find("[data-testid=storm-choice-on]").Click();
        cut.Find("[data-testid=storm-reason-input] input").Input("Hurricane warning for the county");
        cut.Find("[data-testid=storm-apply]").Click();
        var confirm = dialogs.WaitForElement(".mud-dialog");
        Assert.Contains("Every operator sees this", confirm.TextContent, StringComparison.Ordinal);
        await dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Force on").ClickAsync(new());

        banner.WaitForAssertion(() => Assert.Equal("forced on by alice: Hurricane warning for the county",
            banner.Find("[data-testid=storm-reason]").TextContent.Trim()));
        Assert.Contains("storm rules", banner.Find("[data-testid=storm-banner]").TextContent, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Equal("forced on", cut.Find("[data-testid=storm-mode]").TextContent.Trim()));
        Assert.Equal("on", await _db.ScalarAsync<string>("SELECT manual_override FROM oms_storm_mode_settings"));
        Assert.Equal("automatic → forced on", await _db.ScalarAsync<string>("SELECT old_value || ' → ' || new_value FROM oms_configuration_audit"));
    }

    [Fact]
    public async Task Editor_StormOverrideWithoutAReason_AsksForOneAndSwitchesNothing()
    {
        SignIn("alice", OmsPolicies.ViewRules, OmsPolicies.EditRules);
        _ctx!.Render<MudDialogProvider>();
        var cut = RenderLoaded();

        cut.Find("[data-testid=storm-choice-off]").Click();
        cut.Find("[data-testid=storm-apply]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Say why", cut.Find("[data-testid=storm-reason-input]").TextContent, StringComparison.Ordinal));
        Assert.False(await _db.ScalarAsync<bool>("SELECT manual_override IS NOT NULL FROM oms_storm_mode_settings"));
    }

    [Fact]
    public void ReadOnlyUser_SeesTheValuesButNoEditControls()
    {
        SignIn("mia", OmsPolicies.ViewRules);
        var cut = RenderLoaded();

        Assert.Equal("1000", Input(cut, Radius).GetAttribute("value"));
        Assert.True(Input(cut, Radius).HasAttribute("readonly"));
        Assert.Single(cut.FindAll("[data-testid=rules-read-only]"));
        Assert.Empty(cut.FindAll("[data-testid=rules-save]"));
        Assert.Empty(cut.FindAll("[data-testid=rules-savebar]"));
        Assert.Empty(cut.FindAll("[data-testid=storm-apply]"));
        Assert.Empty(cut.FindAll("[data-testid^=storm-choice]"));
    }

    [Theory]
    [InlineData("Operator", true, true)]
    [InlineData("Admin", true, true)]
    [InlineData("Manager", true, false)]
    [InlineData("CrewLead", false, false)]
    public async Task Policies_ByRole_ViewAndEditAsTheIssueSays(string role, bool view, bool edit)
    {
        // The app's own registration and handler, not the bUnit fakes.
        var builder = WebApplication.CreateBuilder();
        builder.AddOmsSecurity();
        await using var services = builder.Services.BuildServiceProvider();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "u"), new Claim(ClaimTypes.Role, role)], "test"));

        Assert.Equal(view, (await authorization.AuthorizeAsync(user, OmsPolicies.ViewRules)).Succeeded);
        Assert.Equal(edit, (await authorization.AuthorizeAsync(user, OmsPolicies.EditRules)).Succeeded);
    }
}
