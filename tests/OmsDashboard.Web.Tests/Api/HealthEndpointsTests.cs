using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OmsDashboard.Data;
using OmsDashboard.Web.Api;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class HealthEndpointsTests(ApiHost host)
{
    [Fact]
    public async Task Health_DatabaseWithPostgis_Returns200Healthy()
    {
        using var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        Assert.Equal("healthy", root.GetProperty("database").GetProperty("status").GetString());
        Assert.StartsWith("PostgreSQL ", root.GetProperty("database").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", root.GetProperty("postgis").GetProperty("status").GetString());
        Assert.Matches(@"^PostGIS \d+\.\d+", root.GetProperty("postgis").GetProperty("detail").GetString());
    }

    /// <summary>
    /// The app migrates at start-up, so it cannot be started against a closed port: this maps the
    /// app's own health endpoint in a bare host whose data source points at one (127.0.0.1:1,
    /// where nothing listens) — the endpoint's real failure path, without the start-up.
    /// </summary>
    [Fact]
    public async Task Health_DatabaseUnreachable_Returns503Unhealthy()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(OmsDatabase.CreateDataSource("Host=127.0.0.1;Port=1;Username=postgres;Database=oms;Timeout=5"));
        await using var app = builder.Build();
        app.MapHealth();
        await app.StartAsync();

        using var response = await app.GetTestClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("unhealthy", root.GetProperty("status").GetString());
        Assert.Equal("unhealthy", root.GetProperty("database").GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("database").GetProperty("detail").GetString()));
        Assert.Equal("unknown", root.GetProperty("postgis").GetProperty("status").GetString());
    }
}
