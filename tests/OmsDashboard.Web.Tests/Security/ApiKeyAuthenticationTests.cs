using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Web.Security;
using OmsDashboard.Web.Tests.Ingestion;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>API keys and policies on the running app (contract §5): 401 without a working key, 403 without the scope.</summary>
[Collection(IngestionCollection.Name)]
public sealed class ApiKeyAuthenticationTests(IngestionHost host)
{
    private const string Summary = "/api/oms/topology/summary";

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task GetTopology_WithoutKey_Returns401ProblemWithAChallenge()
    {
        using var client = host.Client(null);

        using var response = await client.GetAsync(Summary);

        Assert.Contains("X-Api-Key", await ProblemDetailAsync(response, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
        Assert.Equal("ApiKey", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task GetTopology_WrongKey_Returns401()
    {
        using var client = host.Client("not-a-key");

        using var response = await client.GetAsync(Summary);

        Assert.Contains("not valid", await ProblemDetailAsync(response, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(IngestionHost.ReadKey)]
    [InlineData(IngestionHost.AllScopesKey)]
    public async Task GetTopology_KeyWithReadScope_Returns200(string key)
    {
        using var client = host.Client(key);

        using var response = await client.GetAsync(Summary);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetTopology_IngestOnlyKey_Returns403NamingTheScope()
    {
        using var client = host.Client(IngestionHost.KaifaKey);

        using var response = await client.GetAsync(Summary);

        Assert.Contains("'read' scope", await ProblemDetailAsync(response, HttpStatusCode.Forbidden), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task GetHealth_WithoutOrWithAWrongKey_StaysAnonymous(string? key)
    {
        using var client = host.Client(key);

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StartUp_StoresTheEmbeddedAndConfiguredKeysAsHashesOnly()
    {
        string rows = await host.Database.ScalarAsync<string>("""
            SELECT string_agg(name || ':' || array_to_string(scopes, ',') || ':' || coalesce(array_to_string(sources, ','), '*') || ':' || encode(key_hash, 'hex'), ' ' ORDER BY name)
              FROM oms_api_keys WHERE revoked_at IS NULL AND name IN ('embedded-default', 'test-reader', 'test-kaifa-gateway')
            """);

        Assert.Equal(
            $"embedded-default:ingest,read,operate,admin:*:{Sha256(IngestionHost.AllScopesKey)} " +
            $"test-kaifa-gateway:ingest:kaifa:{Sha256(IngestionHost.KaifaKey)} " +
            $"test-reader:read:*:{Sha256(IngestionHost.ReadKey)}",
            rows);
        foreach (string key in new[] { IngestionHost.AllScopesKey, IngestionHost.ReadKey, IngestionHost.KaifaKey })
        {
            Assert.Equal(0, await host.Database.ScalarAsync<long>(
                $"SELECT count(*) FROM oms_api_keys k WHERE strpos(k::text, '{key}') > 0 OR position(convert_to('{key}', 'UTF8') in key_hash) > 0"));
        }
    }

    [Fact]
    public async Task KeyMadeAndRevoked_WorksAtOnceAndStopsAtOnce()
    {
        var store = host.Services.GetRequiredService<ApiKeyStore>();
        var created = await store.CreateAsync("test-made-" + Guid.NewGuid().ToString("N")[..6], ["read"]);
        using var client = host.Client(created.Key);

        using var before = await client.GetAsync(Summary);
        Assert.True(await store.RevokeAsync(created.Id));
        using var after = await client.GetAsync(Summary);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(1, await host.Database.ScalarAsync<long>($"SELECT count(*) FROM oms_api_keys WHERE id = {created.Id} AND revoked_at IS NOT NULL"));
    }

    [Fact]
    public async Task AccessTokenQueryParameter_AuthenticatesOnHubPathsOnly()
    {
        var onHub = await AuthenticateAsync("/hubs/outages/negotiate", $"?access_token={IngestionHost.ReadKey}");
        var elsewhere = await AuthenticateAsync(Summary, $"?access_token={IngestionHost.ReadKey}");
        var header = await AuthenticateAsync(Summary, "", IngestionHost.KaifaKey);

        Assert.True(onHub.Succeeded);
        Assert.Equal(["read"], onHub.Principal!.FindAll(OmsClaims.Scope).Select(c => c.Value));
        Assert.Equal("test-reader", onHub.Principal.Identity!.Name);
        Assert.True(elsewhere.None);
        Assert.Equal(["ingest"], header.Principal!.FindAll(OmsClaims.Scope).Select(c => c.Value));
        Assert.Equal(["kaifa"], header.Principal.FindAll(OmsClaims.Source).Select(c => c.Value));
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string path, string query, string? headerKey = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        if (headerKey is not null)
        {
            context.Request.Headers[ApiKeyDefaults.Header] = headerKey;
        }
        return await context.AuthenticateAsync(ApiKeyDefaults.Scheme);
    }

    /// <summary>The hook for user sign-in: the policies take users' roles as the contract maps them (the Rules page: operators and admins edit, managers view, crew leads neither), and keys' scopes.</summary>
    [Theory]
    [InlineData("Operator", "Read,Operate")]
    [InlineData("CrewLead", "Read,Operate")]
    [InlineData("Manager", "Read")]
    [InlineData("Admin", "Read,Operate,Admin")]
    [InlineData("Guest", "")]
    public async Task Policies_SignedInUserRole_GrantsWhatTheRoleMayDo(string role, string granted)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role)], "Cookies"));

        Assert.Equal(granted, string.Join(",", await GrantedAsync(user)));
    }

    [Fact]
    public async Task Policies_KeyScopes_GrantTheirPoliciesOnly_AndAnonymousNothing()
    {
        var key = new ClaimsPrincipal(new ClaimsIdentity([new Claim(OmsClaims.Scope, "read"), new Claim(OmsClaims.Scope, "operate")], ApiKeyDefaults.Scheme));
        // Claims without an authenticated identity are not a caller.
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(OmsClaims.Scope, "admin"), new Claim(ClaimTypes.Role, "Admin")]));

        Assert.Equal("Read,Operate", string.Join(",", await GrantedAsync(key)));
        Assert.Empty(await GrantedAsync(anonymous));
    }

    private async Task<List<string>> GrantedAsync(ClaimsPrincipal user)
    {
        var authorization = host.Services.GetRequiredService<IAuthorizationService>();
        var granted = new List<string>();
        foreach (string policy in OmsPolicies.All)
        {
            if ((await authorization.AuthorizeAsync(user, new DefaultHttpContext(), policy)).Succeeded)
            {
                granted.Add(policy);
            }
        }
        return granted;
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
