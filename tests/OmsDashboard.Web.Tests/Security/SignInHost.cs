using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data.Identity;
using OmsDashboard.Testing;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>
/// The app in memory on its own database (no network, no background work, the ingestion tests'
/// keys) with the admin account from configuration and one user per role, made through the
/// product's <see cref="UserAdministration"/>. Clients keep cookies and do not follow redirects,
/// so tests see every 302.
/// </summary>
public sealed partial class SignInHost : IAsyncLifetime
{
    public const string AdminUserName = "chief";
    public const string AdminPassword = "admin-from-config-9f3c1e";
    /// <summary>The password of every <see cref="UserFor"/> user.</summary>
    public const string Password = "correct horse battery";

    private TestDatabase? _database;
    private WebApplicationFactory<Program>? _factory;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("not initialised");

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("not initialised");

    public UserAdministration Users => Factory.Services.GetRequiredService<UserAdministration>();

    public static string UserFor(string role) => "test-" + role.ToLowerInvariant();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync("web_signin");
        _factory = IngestionHost.Create(_database, b =>
        {
            b.UseSetting("Oms:Admin:UserName", AdminUserName);
            b.UseSetting(AdminAccountOptions.PasswordVariable, AdminPassword);
        });
        foreach (string role in OmsRoles.All)
        {
            var made = await Users.CreateAsync(UserFor(role), role, Password);
            Assert.True(made.Succeeded, string.Join(" ", made.Errors));
        }
    }

    /// <summary>A browser-like client: cookies kept, redirects not followed.</summary>
    public HttpClient Browser() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real sign-in form (antiforgery token and all); returns the POST's answer.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string userName, string password, string query = "")
    {
        string page = await client.GetStringAsync("/signin" + query);
        var fields = HiddenInputs(page);
        fields["Input.UserName"] = userName;
        fields["Input.Password"] = password;
        return await client.PostAsync("/signin" + query, new FormUrlEncodedContent(fields));
    }

    /// <summary>A client signed in as the test user of <paramref name="role"/>.</summary>
    public async Task<HttpClient> SignedInAsync(string role)
    {
        var client = Browser();
        using var response = await PostSignInAsync(client, UserFor(role), Password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in as {role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>The hidden inputs of a page's forms (the antiforgery token, the form's handler name).</summary>
    public static Dictionary<string, string> HiddenInputs(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" */?>""")]
    private static partial Regex HiddenInput();

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<SignInHost>
{
    public const string Name = "signin";
}
