using CsCheck;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Tests.Topology;
using OmsDashboard.Domain.Topology;
using static OmsDashboard.Domain.Tests.Simulation.SimulationKit;

namespace OmsDashboard.Domain.Tests.Simulation;

/// <summary>What must hold for every storm: checked over random scenarios and seeds on both real feeders.</summary>
public sealed class StormInvariantTests
{
    [Theory]
    [InlineData(RealFeeders.Ieee8500)]
    [InlineData(RealFeeders.Ckt24)]
    public void EverySignal_AgreesWithTheTruePowerStateAndTheFaultItIsAttributedTo(string feeder)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);
        var meterOf = network.CustomerOfMeter();
        var onuOf = network.CustomerOfOnu();
        var accountOf = network.OfKind(NodeKind.Customer).ToDictionary(c => network.AssetsOf(network.Ids[c])!.AccountNumber, c => c, StringComparer.Ordinal);
        var gen = Gen.Select(Gen.Int, Gen.Int, Gen.Int[1, 40]);

        // Act / Assert
        gen.Sample((scenarioSeed, stormSeed, faults) =>
        {
            var specs = StormScenarios.Random(network, scenarioSeed, faults, T0, TimeSpan.FromHours(2));
            var storm = new StormSimulator(network, SimulatorOptions.Default, stormSeed).Simulate(specs);
            var signals = storm.Signals.ToList();
            var affected = storm.Truth.Select(t => t.AffectedCustomerIds.ToHashSet(StringComparer.Ordinal)).ToList();

            Assert.All(signals.Zip(signals.Skip(1)), p => Assert.True(p.First.ReceivedAt <= p.Second.ReceivedAt));
            Assert.Equal(signals.Count, signals.Select(s => s.SourceId).Distinct(StringComparer.Ordinal).Count());
            for (int i = 0; i < signals.Count; i++)
            {
                var s = signals[i];
                var truth = storm.Truth[storm.FaultIdOf(i)];
                var mine = affected[truth.FaultId];
                Assert.True(s.ReceivedAt >= s.OccurredAt);
                switch (s.Type)
                {
                    case SignalType.LastGasp:
                        Assert.True(truth.IsPowerInterruption);
                        Assert.Contains(network.Ids[meterOf[s.AssetId!]], mine);
                        Assert.False(storm.IsPowered(meterOf[s.AssetId!], s.OccurredAt));
                        Assert.False(storm.IsPowered(meterOf[s.AssetId!], s.OccurredAt.AddSeconds(30)));
                        Assert.InRange((s.ReceivedAt - s.OccurredAt).TotalSeconds, 30, 65);
                        break;
                    case SignalType.DyingGasp:
                        Assert.True(truth.IsPowerInterruption);
                        Assert.Contains(network.Ids[onuOf[s.AssetId!]], mine);
                        Assert.False(storm.IsPowered(onuOf[s.AssetId!], s.OccurredAt));
                        break;
                    case SignalType.PowerRestore or SignalType.OnuOnline:
                        int customer = s.Type == SignalType.PowerRestore ? meterOf[s.AssetId!] : onuOf[s.AssetId!];
                        Assert.Contains(network.Ids[customer], mine);
                        var end = truth.Nested.FirstOrDefault(n => n.AffectedCustomerIds.Contains(network.Ids[customer]))?.End ?? truth.End;
                        Assert.NotNull(end);
                        Assert.InRange(s.OccurredAt, end.Value, end.Value.AddSeconds(2));
                        Assert.True(s.Type == SignalType.OnuOnline || truth.IsPowerInterruption);
                        break;
                    case SignalType.OnuLos:
                        Assert.Equal(FaultKind.FiberCut, truth.Kind);
                        Assert.Contains(network.Ids[onuOf[s.AssetId!]], mine);
                        break;
                    case SignalType.ScadaTrip or SignalType.ScadaLockout or SignalType.ScadaClose:
                        Assert.True(truth.IsPowerInterruption);
                        Assert.True(network.Kinds[network.Node(s.AssetId!)] is NodeKind.Feeder or NodeKind.Recloser, s.AssetId);
                        break;
                    case SignalType.CallNoPower or SignalType.CallPartialPower or SignalType.CallWireDown
                        or SignalType.CallFlickering or SignalType.CallPowerRestored:
                        Assert.True(truth.IsPowerInterruption);
                        Assert.Equal(s.OccurredAt, s.ReceivedAt);
                        if (s.AccountNumber is not null)
                        {
                            Assert.Contains(network.Ids[accountOf[s.AccountNumber]], mine);
                            bool dark = !storm.IsPowered(accountOf[s.AccountNumber], s.OccurredAt);
                            Assert.True(dark || s.Type is SignalType.CallFlickering or SignalType.CallPowerRestored, $"{s.Type} from a powered customer");
                        }
                        else if (s.Type != SignalType.CallWireDown)
                        {
                            Assert.Contains(mine, c => Metres(s.Lat!.Value, s.Lon!.Value, network.Lats[network.Node(c)], network.Lons[network.Node(c)]) <= 30.01);
                        }
                        break;
                    default:
                        Assert.Fail($"unexpected {s.Type}");
                        break;
                }
            }
        }, iter: 15);
    }
}
