using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Identity;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>Sign-in, sign-out, lockout and what each role may open, over HTTP on the running app.</summary>
[Collection(SignInCollection.Name)]
public sealed class SignInTests(SignInHost host)
{
    /// <summary>Where a redirect goes, as a path and query of this app (an absolute Location must name the app's own host).</summary>
    private static string Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        if (location is null)
        {
            return "(no Location)";
        }
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }
        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    [Theory]
    [InlineData("/", "/signin?ReturnUrl=%2F")]
    [InlineData("/network", "/signin?ReturnUrl=%2Fnetwork")]
    [InlineData("/rules", "/signin?ReturnUrl=%2Frules")]
    [InlineData("/admin/users", "/signin?ReturnUrl=%2Fadmin%2Fusers")]
    [InlineData("/access-denied", "/signin?ReturnUrl=%2Faccess-denied")]
    public async Task Page_Anonymous_RedirectsToSignInWithTheReturnUrl(string page, string expected)
    {
        using var client = host.Browser();

        using var response = await client.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith(expected, Location(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_WithAnApiKeyOnly_IsNotOpened()
    {
        using var client = host.Browser();
        client.DefaultRequestHeaders.Add(ApiKeyDefaults.Header, IngestionHost.AllScopesKey);

        using var response = await client.GetAsync("/network");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/signin", Location(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_RightPassword_SetsAnHttpOnlyLaxSessionCookie_AndReturnsToThePage()
    {
        using var client = host.Browser();

        using var response = await SignInHost.PostSignInAsync(client, SignInHost.UserFor(OmsRoles.Manager), SignInHost.Password, "?ReturnUrl=%2Fnetwork");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/network", Location(response));
        string cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(OmsAuthentication.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        using var page = await client.GetAsync("/network");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsAnError_AndSetsNoSessionCookie()
    {
        using var client = host.Browser();

        using var response = await SignInHost.PostSignInAsync(client, SignInHost.UserFor(OmsRoles.Operator), "not the password at all");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The user name or password is not right.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith(OmsAuthentication.SessionCookie + "=", StringComparison.Ordinal));
        using var page = await client.GetAsync("/network");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task SignIn_RepeatedFailures_LockTheAccount_EvenAgainstTheRightPassword()
    {
        string name = "lockout-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True((await host.Users.CreateAsync(name, OmsRoles.Operator, SignInHost.Password)).Succeeded);
        using var client = host.Browser();

        for (int i = 0; i < SignInRules.MaxFailedAttempts; i++)
        {
            using var wrong = await SignInHost.PostSignInAsync(client, name, "wrong password " + i);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        using var right = await SignInHost.PostSignInAsync(client, name, SignInHost.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("This account is locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var row = Assert.Single(await host.Users.ListAsync(), u => u.UserName == name);
        Assert.True(row.IsLockedOut);
    }

    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var client = host.Browser();
        var fields = new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["Input.UserName"] = SignInHost.UserFor(OmsRoles.Admin),
            ["Input.Password"] = SignInHost.Password,
        };

        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(OmsAuthentication.SessionCookie, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task SignIn_ReturnUrlOfAnotherSite_GoesToTheStartPageInstead(string returnUrl)
    {
        using var client = host.Browser();

        using var response = await SignInHost.PostSignInAsync(client, SignInHost.UserFor(OmsRoles.Operator), SignInHost.Password,
            "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", Location(response));
    }

    [Fact]
    public async Task AdminFromConfiguration_IsMadeAtStartUp_AndSignsIn()
    {
        using var client = host.Browser();

        using var response = await SignInHost.PostSignInAsync(client, SignInHost.AdminUserName, SignInHost.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var admin = Assert.Single(await host.Users.ListAsync(), u => u.UserName == SignInHost.AdminUserName);
        Assert.Equal([OmsRoles.Admin], admin.Roles);
        Assert.Equal(0, await host.Database.ScalarAsync<long>($"SELECT count(*) FROM identity_users WHERE strpos(identity_users::text, '{SignInHost.AdminPassword}') > 0"));
    }

    [Fact]
    public async Task SignOut_EndsTheSession_AndNeedsTheAntiforgeryToken()
    {
        using var client = await host.SignedInAsync(OmsRoles.Operator);
        string page = await (await client.GetAsync("/network")).Content.ReadAsStringAsync();
        var fields = SignInHost.HiddenInputs(page);
        Assert.Contains("__RequestVerificationToken", fields.Keys);

        using var forged = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/network" }));
        using var stillIn = await client.GetAsync("/network");
        using var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(fields));
        using var after = await client.GetAsync("/network");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith("/signin?ReturnUrl=", Location(signOut), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData(OmsRoles.Operator, "/rules", HttpStatusCode.OK)]
    [InlineData(OmsRoles.Admin, "/rules", HttpStatusCode.OK)]
    [InlineData(OmsRoles.CrewLead, "/rules", HttpStatusCode.Redirect)]
    [InlineData(OmsRoles.Manager, "/rules", HttpStatusCode.OK)] // managers read the rules, cannot change them
    [InlineData(OmsRoles.Admin, "/admin/users", HttpStatusCode.OK)]
    [InlineData(OmsRoles.Operator, "/admin/users", HttpStatusCode.Redirect)]
    [InlineData(OmsRoles.Manager, "/", HttpStatusCode.OK)]
    [InlineData(OmsRoles.CrewLead, "/network", HttpStatusCode.OK)]
    public async Task Page_ByRole_OpensOrGoesToAccessDenied(string role, string page, HttpStatusCode expected)
    {
        using var client = await host.SignedInAsync(role);

        using var response = await client.GetAsync(page);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
        {
            Assert.EndsWith("/access-denied?ReturnUrl=" + Uri.EscapeDataString(page), Location(response), StringComparison.Ordinal);
            using var denied = await client.GetAsync(Location(response));
            string html = await denied.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
            Assert.Contains("You may not use this page", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(OmsRoles.Operator, "ViewDashboard,OperateOutages,ViewRules,EditRules")]
    [InlineData(OmsRoles.CrewLead, "ViewDashboard,OperateOutages")]
    [InlineData(OmsRoles.Manager, "ViewDashboard,ViewRules")]
    [InlineData(OmsRoles.Admin, "ViewDashboard,OperateOutages,ViewRules,EditRules,ManageUsers")]
    public async Task DashboardPolicies_GrantWhatEachRoleMayDo(string role, string granted)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role)], OmsAuthentication.SessionScheme));
        var key = new ClaimsPrincipal(new ClaimsIdentity([.. new[] { "read", "operate", "admin" }.Select(s => new Claim(OmsClaims.Scope, s))], ApiKeyDefaults.Scheme));
        var authorization = host.Factory.Services.GetRequiredService<IAuthorizationService>();

        var grantedToUser = new List<string>();
        foreach (string policy in OmsPolicies.Dashboard)
        {
            if ((await authorization.AuthorizeAsync(user, new DefaultHttpContext(), policy)).Succeeded)
            {
                grantedToUser.Add(policy);
            }
            Assert.False((await authorization.AuthorizeAsync(key, new DefaultHttpContext(), policy)).Succeeded, $"a key passed {policy}");
        }

        Assert.Equal(granted, string.Join(",", grantedToUser));
    }

    [Fact]
    public void EveryPage_IsGuardedByAPolicy_ExceptSignIn()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any())
            .ToList();

        Assert.Contains(pages, p => p.Name == "OperationsPage");
        foreach (var page in pages)
        {
            bool anonymous = page.GetCustomAttribute<AllowAnonymousAttribute>() is not null;
            string? policy = page.GetCustomAttribute<AuthorizeAttribute>()?.Policy;
            Assert.True(anonymous ? page.Name == "SignIn" : policy is not null && OmsPolicies.Dashboard.Contains(policy),
                $"{page.FullName} ({string.Join(", ", page.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))}) has no dashboard policy");
        }
    }

    [Theory]
    [InlineData(OmsRoles.Manager, HttpStatusCode.Forbidden)]
    [InlineData(OmsRoles.Operator, HttpStatusCode.OK)]
    [InlineData(OmsRoles.CrewLead, HttpStatusCode.OK)]
    public async Task Correlate_WithASession_FollowsTheRole(string role, HttpStatusCode expected)
    {
        using var client = await host.SignedInAsync(role);

        using var response = await client.PostAsync("/api/oms/correlate", null);

        Assert.True(expected == response.StatusCode, $"{role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(OmsRoles.Manager)]
    [InlineData(OmsRoles.CrewLead)]
    public async Task ListOutages_WithASession_AnyRoleReads(string role)
    {
        using var client = await host.SignedInAsync(role);

        using var response = await client.GetAsync("/api/oms/outages");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Api_WithNeitherKeyNorSession_Is401AskingForAKey()
    {
        using var client = host.Browser();

        using var response = await client.GetAsync("/api/oms/outages");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("X-Api-Key", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_WithAnAdminSession_IsRefused_WhileTheKeyStillIngests()
    {
        using var admin = await host.SignedInAsync(OmsRoles.Admin);
        using var keyed = host.Factory.CreateClient();
        keyed.DefaultRequestHeaders.Add(ApiKeyDefaults.Header, IngestionHost.KaifaKey);
        string batch = Batches.Gasps("SIGNIN-" + Guid.NewGuid().ToString("N")[..6] + "-", 1);

        using var bySession = await admin.PostAsync("/api/oms/events/kaifa", Batches.Json(batch));
        using var byKey = await keyed.PostAsync("/api/oms/events/kaifa", Batches.Json(batch));

        Assert.Equal(HttpStatusCode.Unauthorized, bySession.StatusCode);
        Assert.Equal(1, (await byKey.ReadResultAsync()).Accepted);
    }

    [Fact]
    public async Task Hub_NeedsASessionOrAKey()
    {
        using var anonymous = host.Browser();
        using var operatorClient = await host.SignedInAsync(OmsRoles.Operator);

        using var refused = await anonymous.PostAsync("/hubs/outages/negotiate?negotiateVersion=1", null);
        using var accepted = await operatorClient.PostAsync("/hubs/outages/negotiate?negotiateVersion=1", null);
        using var byKey = await anonymous.PostAsync($"/hubs/outages/negotiate?negotiateVersion=1&access_token={IngestionHost.ReadKey}", null);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
    }

    [Theory]
    [InlineData(OmsRoles.Admin, HttpStatusCode.OK)]
    [InlineData(OmsRoles.Operator, HttpStatusCode.Forbidden)]
    public async Task Hangfire_RemoteSignedInUser_OnlyAdmins(string role, HttpStatusCode expected)
    {
        using var client = await host.SignedInAsync(role);

        using var response = await client.GetAsync("/hangfire");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task LockAndResetPassword_TakeEffectOnTheNextSignIn()
    {
        string name = "managed-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True((await host.Users.CreateAsync(name, OmsRoles.CrewLead, SignInHost.Password)).Succeeded);
        string id = Assert.Single(await host.Users.ListAsync(), u => u.UserName == name).Id;

        Assert.True((await host.Users.SetLockedAsync(id, true, actingUserId: null)).Succeeded);
        using var whileLocked = await SignInHost.PostSignInAsync(host.Browser(), name, SignInHost.Password);
        Assert.True((await host.Users.SetLockedAsync(id, false, actingUserId: null)).Succeeded);
        var reset = await host.Users.ResetPasswordAsync(id, null);
        using var oldPassword = await SignInHost.PostSignInAsync(host.Browser(), name, SignInHost.Password);
        using var newPassword = await SignInHost.PostSignInAsync(host.Browser(), name, reset.GeneratedPassword!);

        Assert.Contains("This account is locked", await whileLocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(reset.Succeeded);
        Assert.Equal(HttpStatusCode.OK, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, newPassword.StatusCode);
    }

    [Fact]
    public async Task CreateUser_ValidatesNameRoleAndPassword()
    {
        var taken = await host.Users.CreateAsync(SignInHost.UserFor(OmsRoles.Operator), OmsRoles.Operator, SignInHost.Password);
        var shortPassword = await host.Users.CreateAsync("short-" + Guid.NewGuid().ToString("N")[..6], OmsRoles.Operator, "abc123");
        var noRole = await host.Users.CreateAsync("norole-" + Guid.NewGuid().ToString("N")[..6], "Guest", SignInHost.Password);
        string generatedName = "gen-" + Guid.NewGuid().ToString("N")[..6];
        var generated = await host.Users.CreateAsync(generatedName, OmsRoles.Manager, null);
        string adminId = Assert.Single(await host.Users.ListAsync(), u => u.UserName == SignInHost.AdminUserName).Id;
        var self = await host.Users.SetLockedAsync(adminId, true, actingUserId: adminId);

        Assert.Contains(taken.Errors, e => e.Contains("is already taken", StringComparison.Ordinal));
        Assert.Contains(shortPassword.Errors, e => e.Contains("at least 12", StringComparison.Ordinal));
        Assert.False(noRole.Succeeded);
        Assert.DoesNotContain(await host.Users.ListAsync(), u => u.UserName.StartsWith("short-", StringComparison.Ordinal) || u.UserName.StartsWith("norole-", StringComparison.Ordinal));
        Assert.True(generated.Succeeded);
        Assert.Equal(23, generated.GeneratedPassword!.Length);
        Assert.Equal([OmsRoles.Manager], Assert.Single(await host.Users.ListAsync(), u => u.UserName == generatedName).Roles);
        Assert.Equal(["You cannot lock yourself out."], self.Errors);
    }
}
