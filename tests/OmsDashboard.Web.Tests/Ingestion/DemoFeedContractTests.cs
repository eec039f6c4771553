using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;
using OmsDashboard.Testing;
using OmsDashboard.Web.Demo;

namespace OmsDashboard.Web.Tests.Ingestion;

/// <summary>The demo feed's signals, as it posts them, are valid contract records the ingestion API stores.</summary>
[Collection(IngestionCollection.Name)]
public sealed class DemoFeedContractTests(IngestionHost host)
{
    [Fact]
    public async Task DemoFeedPayloads_ForASimulatedStorm_AreAllAccepted()
    {
        using var nodes = new StreamReader(RepoPaths.Feeder("ieee8500", "nodes.csv"));
        using var assets = new StreamReader(RepoPaths.Feeder("ieee8500", "assets.csv"));
        var network = TopologyFiles.Parse(nodes, "nodes.csv", assets, "assets.csv").Network!;
        var start = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var storm = new StormSimulator(network, SimulatorOptions.Default, seed: 4242)
            .Simulate(StormScenarios.Random(network, 4242, 12, start, TimeSpan.FromMinutes(30)));
        using var client = host.Client(IngestionHost.AllScopesKey);

        foreach (var group in storm.Signals.GroupBy(s => s.Source))
        {
            var records = group.Select(DemoFeed.ToContract).ToList();
            var response = await client.PostAsJsonAsync($"/api/oms/events/{Domain.Signals.SignalTypes.ToWire(group.Key)}", records);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, body.GetProperty("rejected").GetArrayLength());
            Assert.Equal(records.Count, body.GetProperty("accepted").GetInt32());
        }
        Assert.True(storm.Signals.Select(s => s.Source).Distinct().Count() >= 3, "the storm should exercise several sources");
    }
}
