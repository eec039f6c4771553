using System.Net;
using System.Text.Json;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class TopologyApiTests(ApiHost host)
{
    [Fact]
    public async Task GetSummary_DemoNetwork_CountsEveryKindOverTheNetwork()
    {
        using var response = await host.Client.GetAsync("/api/oms/topology/summary");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal(2, root.GetProperty("substations").GetInt64());
        Assert.Equal(2, root.GetProperty("feeders").GetInt64());
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["substation"] = 2, ["feeder"] = 2, ["recloser"] = 3, ["fuse"] = 187, ["switch"] = 42,
                ["transformer"] = 1995, ["customer"] = 5067, ["meter"] = 5067, ["onu"] = 1729,
            },
            Counts(root.GetProperty("counts")));
    }

    [Fact]
    public async Task GetSummary_DemoNetwork_CountsEveryKindPerFeeder()
    {
        using var response = await host.Client.GetAsync("/api/oms/topology/summary");

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var feeders = body.RootElement.GetProperty("perFeeder").EnumerateArray()
            .ToDictionary(f => f.GetProperty("feederId").GetString()!);
        Assert.Equal(["FDR:LN5815900-1", "FDR:fdr_05410"], feeders.Keys);

        var ieee = feeders["FDR:LN5815900-1"];
        Assert.Equal("SUB:HVMV_Sub", ieee.GetProperty("substationId").GetString());
        Assert.Equal("Feeder breaker (Relay.SubBreaker on line LN5815900-1)", ieee.GetProperty("name").GetString());
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["recloser"] = 2, ["fuse"] = 125, ["switch"] = 42, ["transformer"] = 1177, ["customer"] = 1177, ["meter"] = 1177, ["onu"] = 375,
            },
            Counts(ieee.GetProperty("counts")));

        var epri = feeders["FDR:fdr_05410"];
        Assert.Equal("SUB:SubXFMR", epri.GetProperty("substationId").GetString());
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["recloser"] = 1, ["fuse"] = 62, ["switch"] = 0, ["transformer"] = 818, ["customer"] = 3890, ["meter"] = 3890, ["onu"] = 1354,
            },
            Counts(epri.GetProperty("counts")));
    }

    private static Dictionary<string, long> Counts(JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}
