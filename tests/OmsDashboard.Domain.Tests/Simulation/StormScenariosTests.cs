using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Tests.Topology;
using OmsDashboard.Domain.Topology;
using static OmsDashboard.Domain.Tests.Simulation.SimulationKit;

namespace OmsDashboard.Domain.Tests.Simulation;

/// <summary>The scenario generators: realistic random storms and mass outages for load work.</summary>
public sealed class StormScenariosTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Random_SameSeedSameList_DifferentSeedDifferentList()
    {
        // Act
        var a = StormScenarios.Random(Ckt24, 3, 30, T0, Hour);
        var b = StormScenarios.Random(Ckt24, 3, 30, T0, Hour);
        var c = StormScenarios.Random(Ckt24, 4, 30, T0, Hour);

        // Assert
        Assert.Equal(Describe(a), Describe(b));
        Assert.NotEqual(Describe(a), Describe(c));
    }

    private static string Describe(IReadOnlyList<FaultSpec> specs) => string.Join('\n', specs.Select(s =>
        $"{s.DeviceId}|{s.Kind}|{s.Start:O}|{s.End:O}|{string.Join(',', (s.StillOut ?? []).Select(n => $"{n.DeviceId}@{n.Until:O}"))}"));

    [Theory]
    [InlineData(RealFeeders.Ieee8500, 1)]
    [InlineData(RealFeeders.Ieee8500, 2)]
    [InlineData(RealFeeders.Ckt24, 1)]
    [InlineData(RealFeeders.Ckt24, 2)]
    public void Random_PlacesTheFaultsOnDistinctPathsAtDevicesWithCustomersWithinTheSpread(string feeder, int seed)
    {
        // Arrange
        var network = RealFeeders.Load(feeder);

        // Act
        var specs = StormScenarios.Random(network, seed, 40, T0, Hour);

        // Assert
        Assert.Equal(40, specs.Count);
        var nodes = specs.Select(s => network.Node(s.DeviceId)).ToList();
        Assert.All(nodes, n => Assert.True(network.CustomersDownstream[n] > 0));
        Assert.All(nodes, n => Assert.NotEqual(NodeKind.Substation, network.Kinds[n]));
        for (int i = 0; i < nodes.Count; i++)
        {
            for (int j = 0; j < nodes.Count; j++)
            {
                Assert.False(i != j && network.IsUnder(nodes[i], nodes[j]), $"{specs[i].DeviceId} is under {specs[j].DeviceId}");
            }
        }
        Assert.All(specs, s => Assert.InRange(s.Start, T0, T0 + Hour + TimeSpan.FromMinutes(1)));
        Assert.All(specs.Zip(specs.Skip(1)), p => Assert.True(p.First.Start <= p.Second.Start));
        // The simulator accepts every one.
        Assert.Equal(40, new StormSimulator(network, seed: seed).Simulate(specs).Truth.Count);
    }

    [Fact]
    public void Random_ManyFaults_MostlyTransformersAndFusesWithEveryKindOfEvent()
    {
        // Act
        var specs = StormScenarios.Random(Ckt24, 11, 200, T0, 4 * Hour);
        var kinds = specs.Select(s => Ckt24.Kinds[Ckt24.Node(s.DeviceId)]).ToList();

        // Assert
        Assert.True(kinds.Count(k => k is NodeKind.Transformer or NodeKind.Fuse) > specs.Count / 2);
        Assert.Contains(kinds, k => k == NodeKind.Customer);
        Assert.Contains(specs, s => s.Kind == FaultKind.Momentary);
        Assert.Contains(specs, s => s.Kind == FaultKind.FiberCut);
        Assert.Contains(specs, s => s.StillOut is { Count: > 0 });
        Assert.Contains(specs, s => s.Kind == FaultKind.Sustained && s.End is null);
        Assert.All(specs.Where(s => s.Kind == FaultKind.Momentary), s => Assert.InRange((s.End!.Value - s.Start).TotalSeconds, 60, 240));
        Assert.All(specs.Where(s => s.Kind == FaultKind.Sustained && s.End is not null), s => Assert.InRange(s.End!.Value - s.Start, TimeSpan.FromMinutes(30), 4 * Hour));
        Assert.All(specs.Where(s => s.StillOut is { Count: > 0 }), s =>
        {
            var nested = Assert.Single(s.StillOut!);
            int device = Ckt24.Node(s.DeviceId);
            int child = Ckt24.Node(nested.DeviceId);
            Assert.True(Ckt24.IsUnder(child, device) && child != device);
            Assert.True(Ckt24.CustomersDownstream[child] < Ckt24.CustomersDownstream[device]);
            Assert.True(nested.Until is null || nested.Until > s.End);
        });
    }

    [Fact]
    public void Random_NeverFaultsANormallyOpenSwitch()
    {
        // Arrange
        var open = Ieee.OfKind(NodeKind.Switch).Where(s => Ieee.Names[s].Contains("normally open", StringComparison.Ordinal)).Select(s => Ieee.Ids[s]).ToHashSet();
        var switchesOnly = ScenarioMix.Default with { AtTransformer = 0, AtFuse = 0, AtService = 0, AtRecloser = 0, AtFeeder = 0 };

        // Act
        var devices = Enumerable.Range(0, 30).SelectMany(seed => StormScenarios.Random(Ieee, seed, 10, T0, Hour, switchesOnly)).Select(s => s.DeviceId).ToList();

        // Assert
        Assert.Equal(5, open.Count);
        Assert.True(devices.Count(d => d.StartsWith("SW:", StringComparison.Ordinal)) > 100);
        Assert.Empty(devices.Intersect(open));
    }

    [Fact]
    public void Random_Simultaneous_PutsIndependentSustainedFaultsInOneZoneWithinAMinute()
    {
        // Arrange
        var mix = ScenarioMix.Default with { Simultaneous = 0.5, Momentary = 0, FiberCut = 0 };

        // Act
        var specs = StormScenarios.Random(Ckt24, 21, 30, T0, 3 * Hour, mix);

        // Assert: pairs of sustained faults in the same zone, starting less than a minute apart.
        var pairs = (from a in specs
                     from b in specs
                     where string.CompareOrdinal(a.DeviceId, b.DeviceId) < 0
                        && a.Kind == FaultKind.Sustained && b.Kind == FaultKind.Sustained
                        && Ckt24.ZoneOf(Ckt24.Node(a.DeviceId)) == Ckt24.ZoneOf(Ckt24.Node(b.DeviceId))
                        && (a.Start - b.Start).Duration() <= TimeSpan.FromMinutes(1)
                     select (a, b)).ToList();
        Assert.True(pairs.Count >= 5, $"{pairs.Count} simultaneous pairs");
        // With none asked for, such near-coincidences are rare over a 3 h spread.
        var none = StormScenarios.Random(Ckt24, 21, 30, T0, 3 * Hour, mix with { Simultaneous = 0 });
        int accidental = (from a in none from b in none
                          where string.CompareOrdinal(a.DeviceId, b.DeviceId) < 0 && (a.Start - b.Start).Duration() <= TimeSpan.FromMinutes(1)
                          select a).Count();
        Assert.True(accidental < pairs.Count, $"{accidental} accidental vs {pairs.Count}");
    }

    [Fact]
    public void Random_NetworkFull_ReturnsFewerFaults()
    {
        // Arrange: Ckt24 has 3890 customers; ask for more faults than there are customers.
        var everythingAtService = ScenarioMix.Default with { AtTransformer = 0, AtFuse = 0, AtSwitch = 0, AtRecloser = 0, AtFeeder = 0, Simultaneous = 0 };

        // Act
        var specs = StormScenarios.Random(Ieee, 1, 2000, T0, Hour, everythingAtService);

        // Assert
        Assert.InRange(specs.Count, 1, 1177);
        Assert.Equal(specs.Count, specs.Select(s => s.DeviceId).Distinct().Count());
    }

    [Fact]
    public void MassOutage_FaultsEveryFeederOfASyntheticUtilityAndEveryMeterGaspsAtRateOne()
    {
        // Arrange: a 20,000-customer utility tiled from both real feeders.
        var nodes = new StringWriter();
        var assets = new StringWriter();
        SyntheticUtility.Write([Ieee, Ckt24], 20_000, nodes, assets);
        var network = RealFeeders.Parse(nodes.ToString(), assets.ToString()).Network!;
        var wave = new RestorationWave(T0 + 2 * Hour, Hour);
        var options = SimulatorOptions.Default with { MeterReportRate = (1, 1) };

        // Act
        var specs = StormScenarios.MassOutage(network, 5, T0, TimeSpan.FromMinutes(10), restoration: wave);
        var storm = new StormSimulator(network, options, 5).Simulate(specs);

        // Assert
        Assert.Equal(network.OfKind(NodeKind.Feeder).Count(), specs.Count);
        Assert.All(specs, s => Assert.InRange(s.Start, T0, T0.AddMinutes(10)));
        Assert.All(specs, s => Assert.InRange(s.End!.Value, wave.From, wave.From + wave.Over));
        Assert.Equal(20_000, storm.Signals.Count(s => s.Type == SignalType.LastGasp));
        Assert.Equal(20_000, storm.Truth.Sum(t => t.AffectedCustomerIds.Count));
        Assert.Equal(specs.Count, storm.Signals.Count(s => s.Type == SignalType.ScadaLockout));
    }

    [Fact]
    public void MassOutage_Share_FaultsAboutThatShareOfFeeders()
    {
        // Arrange
        var nodes = new StringWriter();
        var assets = new StringWriter();
        SyntheticUtility.Write([Ieee], 1177 * 200, nodes, assets);
        var network = RealFeeders.Parse(nodes.ToString(), assets.ToString()).Network!;

        // Act
        var specs = StormScenarios.MassOutage(network, 8, T0, Hour, share: 0.3);

        // Assert
        AssertBinomial(specs.Count, 200, 0.3, "feeders faulted");
        Assert.All(specs, s => Assert.Null(s.End));
        Assert.Throws<ArgumentException>(() => StormScenarios.MassOutage(network, 8, T0, Hour, restoration: new RestorationWave(T0 + Hour, Hour)));
    }
}
