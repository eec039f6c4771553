using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using OmsDashboard.Data.Identity;
using OmsDashboard.Web.Components.Layout;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Tests.Features.Layout;

/// <summary>
/// The app bar's user and the navigation, rendered with the app's real policies (not bUnit's fake
/// authorization): what a role sees is what <see cref="OmsPolicies"/> grants it.
/// </summary>
public sealed class SignedInLayoutTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();
    private readonly FixedUser _user = new();

    public SignedInLayoutTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddLogging();
        // bUnit registers stand-ins for authorization; the real service and policies replace them.
        _ctx.Services.RemoveAll<IAuthorizationService>();
        _ctx.Services.RemoveAll<IAuthorizationPolicyProvider>();
        _ctx.Services.AddAuthorizationBuilder().AddOmsPolicies();
        _ctx.Services.AddSingleton<IAuthorizationHandler, OmsAccessHandler>();
        _ctx.Services.AddCascadingAuthenticationState();
        _ctx.Services.AddSingleton<AuthenticationStateProvider>(_user);
        _ctx.Services.AddSingleton<AntiforgeryStateProvider, FixedAntiforgery>();
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    [Theory]
    [InlineData(OmsRoles.Operator, "Operator")]
    [InlineData(OmsRoles.CrewLead, "Crew lead")]
    [InlineData(OmsRoles.Manager, "Manager")]
    [InlineData(OmsRoles.Admin, "Administrator")]
    public void UserMenu_SignedIn_ShowsNameRoleAndASignOutFormWithItsToken(string role, string label)
    {
        _user.SignIn("dana", role);

        var cut = _ctx.Render<UserMenu>();

        Assert.Equal("dana", cut.Find("[data-testid=user-name]").TextContent);
        Assert.Equal(label, cut.Find("[data-testid=user-role]").TextContent);
        var form = cut.Find("form");
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("signout", form.GetAttribute("action"));
        Assert.Equal(FixedAntiforgery.Token, form.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value"));
        Assert.NotNull(cut.Find("[data-testid=sign-out]"));
    }

    [Fact]
    public void UserMenu_Anonymous_ShowsNothing()
    {
        var cut = _ctx.Render<UserMenu>();

        Assert.Empty(cut.FindAll("[data-testid=user-menu]"));
    }

    [Theory]
    [InlineData(OmsRoles.Operator, "Operations,Network,Rules & storm mode")]
    [InlineData(OmsRoles.CrewLead, "Operations,Network")]
    [InlineData(OmsRoles.Manager, "Operations,Network,Rules & storm mode")]
    [InlineData(OmsRoles.Admin, "Operations,Network,Rules & storm mode,Users,Jobs (Hangfire)")]
    [InlineData(null, "")]
    public void NavMenu_ShowsOnlyTheEntriesTheRoleMayOpen(string? role, string expected)
    {
        if (role is not null)
        {
            _user.SignIn("dana", role);
        }

        var cut = _ctx.Render<NavMenu>();

        var links = cut.FindAll("a.mud-nav-link[href]:not(.mud-nav-link-disabled)").Select(a => a.TextContent.Trim());
        Assert.Equal(expected, string.Join(",", links));
    }

    private sealed class FixedUser : AuthenticationStateProvider
    {
        private ClaimsPrincipal _principal = new(new ClaimsIdentity());

        public void SignIn(string name, string role) =>
            _principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)],
                OmsAuthentication.SessionScheme));

        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(_principal));
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public const string Token = "test-antiforgery-token";

        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new(Token, "__RequestVerificationToken");
    }
}
