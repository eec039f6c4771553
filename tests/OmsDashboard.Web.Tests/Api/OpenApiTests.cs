using System.Net;
using System.Text.Json;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiHost host)
{
    [Fact]
    public async Task OpenApiDocument_Production_ListsHealthAndTopologySummary()
    {
        using var response = await host.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = body.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/health", out var health), "no /health in the document");
        Assert.Equal("Health", health.GetProperty("get").GetProperty("operationId").GetString());
        Assert.True(paths.TryGetProperty("/api/oms/topology/summary", out var summary), "no /api/oms/topology/summary in the document");
        Assert.Equal("GetTopologySummary", summary.GetProperty("get").GetProperty("operationId").GetString());
    }
}
