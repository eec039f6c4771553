using OmsDashboard.Data.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Web.Demo;
using OmsDashboard.Web.Tests.Infrastructure;

namespace OmsDashboard.Web.Tests.Demo;

/// <summary>The demo's simulated head-end answers pings by the storms' truth.</summary>
public sealed class DemoPingAnswersTests(DemoNetworkDatabase db) : IClassFixture<DemoNetworkDatabase>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Answer_MeterOfAFaultStillOpen_IsDead_AndAMeterElsewhereIsAlive()
    {
        var network = await NetworkLoader.LoadAsync(db.DataSource, CancellationToken.None);
        var faults = StormScenarios.Random(network, 7, 4, Start, TimeSpan.FromMinutes(1), ScenarioMix.Default with
        {
            SustainedDuration = (TimeSpan.FromHours(2), TimeSpan.FromHours(3)),
            Sustained = 1,
            Momentary = 0,
            FiberCut = 0,
            PartialRestoration = 0,
        });
        var storm = new StormSimulator(network, SimulatorOptions.Default with { PingAnswerRate = 1.0 }, 7).Simulate(faults);
        var fault = storm.Truth.First(t => t.IsPowerInterruption && t.AffectedCustomerIds.Count > 0 && (t.End is null || t.End > Start.AddMinutes(30)));
        var affected = new HashSet<string>(storm.Truth.SelectMany(t => t.AffectedCustomerIds), StringComparer.Ordinal);
        string darkMeter = network.Assets.First(a => a.CustomerId == fault.AffectedCustomerIds[0]).MeterId;
        string liveMeter = network.Assets.First(a => !affected.Contains(a.CustomerId)).MeterId;
        var answers = new DemoPingAnswers();
        answers.Add(storm);

        var replies = answers.Answer([darkMeter, liveMeter, "NO-SUCH-METER"], Start.AddMinutes(20));

        Assert.Equal(2, replies.Count);
        Assert.Equal(SignalType.PingDead, replies.Single(r => r.AssetId == darkMeter).Type);
        Assert.Equal(SignalType.PingAlive, replies.Single(r => r.AssetId == liveMeter).Type);
        Assert.All(replies, r => Assert.Equal(SourceSystem.Kaifa, r.Source));
        // A storm played later in which that meter has power does not hide the earlier fault.
        var calm = new StormSimulator(network, SimulatorOptions.Default with { PingAnswerRate = 1.0 }, 8).Simulate([]);
        answers.Add(calm);
        Assert.Equal(SignalType.PingDead, answers.Answer([darkMeter], Start.AddMinutes(20)).Single().Type);
    }
}
