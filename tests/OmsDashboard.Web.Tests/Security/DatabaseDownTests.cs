using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data;
using OmsDashboard.Web.Security;

namespace OmsDashboard.Web.Tests.Security;

/// <summary>
/// When the keys cannot be read (the database is down), a protected endpoint answers 503 — not
/// "wrong key" — and anonymous endpoints keep answering. A bare host with the app's security and
/// a data source pointing where nothing listens.
/// </summary>
public sealed class DatabaseDownTests
{
    [Fact]
    public async Task KeyLookupFails_ProtectedEndpointIs503_AnonymousEndpointStillWorks()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(OmsDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=postgres;Database=oms;Timeout=5"));
        builder.Services.AddProblemDetails();
        builder.AddOmsSecurity();
        // Start-up provisioning needs the database; this test is about requests.
        builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(ApiKeyProvisioner)));
        builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(AdminAccountProvisioner)));
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/ping", () => "pong");
        app.MapGet("/api/oms/thing", () => "thing").RequireAuthorization(OmsPolicies.Read);
        await app.StartAsync();
        using var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add(ApiKeyDefaults.Header, "some-key-0123456789");

        using var ping = await client.GetAsync("/ping");
        using var thing = await client.GetAsync("/api/oms/thing");

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, thing.StatusCode);
        Assert.Equal("application/problem+json", thing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("database is unavailable", await thing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(thing.Headers.RetryAfter);
    }
}
