using System.Net;
using System.Text.Json;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Api;

/// <summary>The browsable API reference, the outage endpoints in the OpenAPI document, and the guarded Hangfire dashboard.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiReferenceTests(ApiHost host)
{
    [Fact]
    public async Task ApiReference_IsServedWithItsScriptFromTheApp()
    {
        var page = await host.Client.GetStringAsync("/scalar/v1");
        var script = await host.Client.GetAsync("/scalar/scalar.js");

        Assert.Contains("scalar.js", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Theory]
    [InlineData("/api/oms/outages", "get", "ListOutages")]
    [InlineData("/api/oms/outages/{id}", "get", "GetOutage")]
    [InlineData("/api/oms/correlate", "post", "Correlate")]
    public async Task OpenApiDocument_ListsTheOutageEndpoints(string path, string method, string operationId)
    {
        using var body = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json"));

        Assert.True(body.RootElement.GetProperty("paths").TryGetProperty(path, out var item), $"no {path}");
        Assert.Equal(operationId, item.GetProperty(method).GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task HangfireDashboard_AnonymousRemoteCaller_IsRefused()
    {
        // The in-memory test server has no loopback remote address: it stands for a remote caller.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.Remove("X-Api-Key");
        var client = host.Factory.CreateClient();

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
