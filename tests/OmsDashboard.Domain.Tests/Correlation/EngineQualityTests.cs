using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;
using Xunit.Abstractions;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>
/// The engine against the simulator's truth over many seeded storms on both real feeders,
/// held to issue 3's bars. Figures are printed (and recorded in docs/quality.md).
/// </summary>
public sealed class EngineQualityTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Feeders_ => ["ieee8500", "epri_ckt24"];

    private static StormScore RunStorms(NetworkTopology net, int storms, int faults)
    {
        var total = new StormScore();
        for (int seed = 1; seed <= storms; seed++)
        {
            var specs = StormScenarios.Random(net, seed, faults, Start, TimeSpan.FromHours(2), ScenarioMix.Default);
            var storm = new StormSimulator(net, SimulatorOptions.Default, seed).Simulate(specs);
            var replay = new StormReplay(net, storm, new CorrelationEngine(net));
            replay.Run();
            total.Add(replay.Score(TimeSpan.FromMinutes(5)));
        }
        return total;
    }

    [Theory]
    [MemberData(nameof(Feeders_))]
    public void SeededStorms_OnARealFeeder_MeetTheQualityBars(string feeder)
    {
        var net = feeder == "ieee8500" ? Feeders.Ieee8500 : Feeders.Ckt24;

        var score = RunStorms(net, storms: 12, faults: 25);

        output.WriteLine($"{feeder}: {score}");
        foreach (var missed in score.Missed.Take(10)) output.WriteLine($"  missed: {missed.DeviceKind} {missed.DeviceId} at {missed.Start:HH:mm:ss}, {missed.AffectedCustomerIds.Count} customers");
        foreach (var o in score.Unmatched.Take(10)) output.WriteLine($"  unmatched: {o.EventId} {o.Status} {net.Ids[o.Device]} {o.FirstDetectedAt:HH:mm:ss} {o.AffectedCustomers}");
        foreach (var o in score.LeftOpen) output.WriteLine($"  left open: {o.EventId} {o.Status} {net.Ids[o.Device]} {o.FirstDetectedAt:HH:mm:ss} {o.AffectedCustomers} | {string.Join(" / ", o.Timeline.Select(t => $"{t.At:HH:mm:ss} {t.Description}"))} | {string.Join(",", o.Evidence.Select(e => $"{e.Type}@{e.OccurredAt:HH:mm:ss}"))}");
        Assert.True(score.Detectable >= 100, $"too few faults to judge: {score.Detectable}");
        Assert.True(score.PredictedShare >= 0.95, $"predicted at the true device: {score.PredictedShare:P1}");
        Assert.Equal(0, score.OpenFromMomentary);
        Assert.True(score.UnmatchedShare <= 0.02, $"outages matching no fault: {score.UnmatchedShare:P1}");
        Assert.True(score.CustomerError <= 0.05, $"affected customers off by {score.CustomerError:P1}");
        Assert.True(score.NestedShare >= 0.90, $"nested outages found: {score.NestedShare:P1}");
    }
}
