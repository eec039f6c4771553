using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Topology;
using static OmsDashboard.Domain.Tests.Simulation.SimulationKit;

namespace OmsDashboard.Domain.Tests.Simulation;

/// <summary>The storm simulator against how the four sources really behave (docs/domain.md).</summary>
public sealed class StormSimulatorTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static FaultSpec Sustained(string device, TimeSpan? duration = null) =>
        new(device, FaultKind.Sustained, T0, duration is null ? null : T0 + duration.Value);

    // ---- Determinism and ids -----------------------------------------------------------------

    [Fact]
    public void Simulate_SameSeed_GivesIdenticalSignalsAndTruth()
    {
        // Arrange
        var faults = StormScenarios.Random(Ckt24, seed: 5, faults: 25, T0, Hour);

        // Act
        var first = Simulate(Ckt24, 42, [.. faults]);
        var second = Simulate(Ckt24, 42, [.. faults]);

        // Assert
        Assert.True(first.Signals.Count > 1000, $"only {first.Signals.Count} signals");
        Assert.Equal(Serialize(first.Signals), Serialize(second.Signals));
        Assert.Equal(first.Truth.Select(t => (t.FaultId, t.DeviceId, t.Kind, t.Start, t.End, t.SignalsEmitted, string.Join(',', t.AffectedCustomerIds))),
            second.Truth.Select(t => (t.FaultId, t.DeviceId, t.Kind, t.Start, t.End, t.SignalsEmitted, string.Join(',', t.AffectedCustomerIds))));
        Assert.Equal(first.Reclosings, second.Reclosings);
        Assert.Equal(first.MeterReportRate, second.MeterReportRate);
    }

    [Fact]
    public void Simulate_DifferentSeeds_GiveDifferentSignalsAndIdsThatNeverCollide()
    {
        // Arrange
        var faults = StormScenarios.Random(Ieee, seed: 5, faults: 25, T0, Hour);

        // Act
        var a = Simulate(Ieee, 1, [.. faults]);
        var b = Simulate(Ieee, 12, [.. faults]);

        // Assert
        Assert.NotEqual(Serialize(a.Signals.Select(s => s with { SourceId = "" })), Serialize(b.Signals.Select(s => s with { SourceId = "" })));
        Assert.NotEqual(a.MeterReportRate, b.MeterReportRate);
        Assert.Empty(a.Signals.Select(s => s.SourceId).Intersect(b.Signals.Select(s => s.SourceId)));
    }

    [Fact]
    public void Signals_AreSortedByReceivedAtWithUniqueIdsPrefixedBySourceAndSeed()
    {
        // Arrange
        var faults = StormScenarios.Random(Ckt24, seed: 9, faults: 40, T0, Hour);

        // Act
        var storm = Simulate(Ckt24, 77, [.. faults]);
        var signals = storm.Signals.ToList();

        // Assert
        Assert.True(signals.Count > 1000);
        Assert.All(signals.Zip(signals.Skip(1)), p => Assert.True(p.First.ReceivedAt <= p.Second.ReceivedAt));
        Assert.Equal(signals.Count, signals.Select(s => s.SourceId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(signals, s => Assert.StartsWith(s.Source switch
        {
            SourceSystem.Scada => "SC-77-",
            SourceSystem.Kaifa => "KF-77-",
            SourceSystem.Onu => "OLT-77-",
            _ => "CC-77-",
        }, s.SourceId, StringComparison.Ordinal));
        Assert.Equal(signals.Count, storm.Truth.Sum(t => t.SignalsEmitted));
        var perFault = Enumerable.Range(0, signals.Count).GroupBy(storm.FaultIdOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(storm.Truth, t => Assert.Equal(t.SignalsEmitted, perFault.GetValueOrDefault(t.FaultId)));
    }

    // ---- Sustained fault at recloser A ---------------------------------------------------------

    [Fact]
    public void SustainedAtRecloserA_MetersGaspAtTheStormRateAfterQualification()
    {
        // Arrange
        int recloser = Ieee.Node(RecloserA);
        var meters = Ieee.MetersUnder(recloser);

        // Act
        var storm = Simulate(Ieee, 2026, Sustained(RecloserA, 2 * Hour));
        var gasps = storm.Signals.Where(s => s.Type == SignalType.LastGasp).ToList();

        // Assert
        Assert.Equal(639, meters.Count);
        Assert.InRange(storm.MeterReportRate, 0.60, 0.90);
        AssertBinomial(gasps.Count, 639, storm.MeterReportRate, "last gasps");
        Assert.All(gasps, g =>
        {
            Assert.Equal(SourceSystem.Kaifa, g.Source);
            Assert.Contains(g.AssetId!, meters);
            Assert.InRange(g.OccurredAt, T0, T0.AddSeconds(2));
            Assert.InRange((g.ReceivedAt - g.OccurredAt).TotalSeconds, 30, 65);
        });
        Assert.Equal(gasps.Count, gasps.Select(g => g.AssetId).Distinct().Count());
        // Some really are delayed past the 45 s qualification by network jitter.
        Assert.Contains(gasps, g => (g.ReceivedAt - g.OccurredAt).TotalSeconds > 45);
    }

    [Fact]
    public void SustainedAtRecloserA_OnusGaspAt95PercentAndScadaLocksOut()
    {
        // Arrange
        int recloser = Ieee.Node(RecloserA);
        var onus = Ieee.OnusUnder(recloser);

        // Act
        var storm = Simulate(Ieee, 2026, Sustained(RecloserA, 2 * Hour));
        var gasps = storm.Signals.Where(s => s.Type == SignalType.DyingGasp).ToList();
        var scada = storm.Signals.Where(s => s.Source == SourceSystem.Scada).ToList();

        // Assert
        Assert.True(onus.Count > 100, $"{onus.Count} ONUs");
        AssertBinomial(gasps.Count, onus.Count, 0.95, "dying gasps");
        Assert.All(gasps, g =>
        {
            Assert.Contains(g.AssetId!, onus);
            Assert.InRange(g.OccurredAt, T0, T0.AddSeconds(1));
            Assert.InRange((g.ReceivedAt - g.OccurredAt).TotalSeconds, 0.5, 3);
        });
        Assert.Collection(scada,
            s =>
            {
                Assert.Equal((SignalType.ScadaLockout, RecloserA, T0), (s.Type, s.AssetId, s.OccurredAt));
                Assert.InRange((s.ReceivedAt - s.OccurredAt).TotalSeconds, 0.5, 2);
            },
            s => Assert.Equal((SignalType.ScadaClose, RecloserA, T0 + 2 * Hour), (s.Type, s.AssetId, s.OccurredAt)));
        var truth = Assert.Single(storm.Truth);
        Assert.Equal((RecloserA, NodeKind.Recloser, FaultKind.Sustained, 639), (truth.DeviceId, truth.DeviceKind, truth.Kind, truth.AffectedCustomerIds.Count));
        Assert.Equal(Ieee.CustomersUnder(recloser).Select(c => Ieee.Ids[c]).Order(), truth.AffectedCustomerIds.Order());
    }

    [Fact]
    public void DyingGasps_ArriveFromAbout95PercentOfTheOnus()
    {
        // Arrange: the whole Ckt24 feeder (1354 ONUs), enough to tell 95% from 100%.
        int feeder = Ckt24.OfKind(NodeKind.Feeder).Single();

        // Act
        var storm = Simulate(Ckt24, 44, Sustained(Ckt24.Ids[feeder]));

        // Assert
        var gasps = storm.Signals.Where(s => s.Type == SignalType.DyingGasp).Select(s => s.AssetId!).ToList();
        Assert.Equal(gasps.Count, gasps.Distinct().Count());
        AssertBinomial(gasps.Count, 1354, 0.95, "dying gasps");
    }

    [Fact]
    public void SustainedAtRecloserA_RestorationSendsRestoresOnlinesAndAFewThanks()
    {
        // Arrange
        int recloser = Ieee.Node(RecloserA);
        var end = T0 + 2 * Hour;

        // Act
        var storm = Simulate(Ieee, 31, Sustained(RecloserA, 2 * Hour));
        var restores = storm.Signals.Where(s => s.Type == SignalType.PowerRestore).ToList();
        var onlines = storm.Signals.Where(s => s.Type == SignalType.OnuOnline).ToList();
        var thanks = storm.Signals.Count(s => s.Type == SignalType.CallPowerRestored);

        // Assert
        AssertBinomial(restores.Count, 639, 0.9, "power restores");
        AssertBinomial(onlines.Count, Ieee.OnusUnder(recloser).Count, 0.98, "ONU online");
        AssertBinomial(thanks, 639, 0.02, "power_restored calls");
        Assert.All(restores, r =>
        {
            Assert.InRange(r.OccurredAt, end, end.AddSeconds(2));
            Assert.InRange((r.ReceivedAt - r.OccurredAt).TotalSeconds, 5, 60);
        });
        Assert.All(onlines, r =>
        {
            Assert.InRange(r.OccurredAt, end, end.AddSeconds(2));
            Assert.InRange((r.ReceivedAt - r.OccurredAt).TotalSeconds, 1, 10);
        });
        Assert.True(storm.IsPowered(recloser, end));
        Assert.False(storm.IsPowered(recloser, end.AddTicks(-1)));
    }

    [Fact]
    public void UnrestoredFault_SendsNoRestorationSignals()
    {
        // Act
        var storm = Simulate(Ieee, 3, Sustained(RecloserB));

        // Assert
        Assert.DoesNotContain(storm.Signals, s => s.Type is SignalType.PowerRestore or SignalType.OnuOnline
            or SignalType.ScadaClose or SignalType.CallPowerRestored);
        Assert.Contains(storm.Signals, s => s.Type == SignalType.ScadaLockout);
        Assert.Null(storm.Truth[0].End);
        Assert.False(storm.IsPowered(Ieee.Node(RecloserB), T0.AddYears(1)));
    }

    // ---- Calls -------------------------------------------------------------------------------

    [Fact]
    public void Calls_ComeAtTheStormRateMinutesLaterWithAccountOrNearbyPlace()
    {
        // Arrange: the whole Ckt24 feeder out, not restored, so every first call is an outage call.
        int feeder = Ckt24.OfKind(NodeKind.Feeder).Single();
        var accounts = Ckt24.AccountsUnder(feeder);
        var customers = Ckt24.CustomersUnder(feeder);

        // Act
        var storm = Simulate(Ckt24, 8, Sustained(Ckt24.Ids[feeder]));
        var calls = storm.Signals.Where(s => s.Source == SourceSystem.Callcenter).ToList();

        // Assert
        Assert.InRange(storm.CallRate, 0.10, 0.30);
        AssertBinomial(calls.Count, customers.Count, storm.CallRate, "callers");
        Assert.All(calls, c =>
        {
            Assert.True(c.Type.IsOutageCall(), c.Type.ToString());
            Assert.Equal(c.OccurredAt, c.ReceivedAt);
            Assert.InRange(c.OccurredAt, T0.AddMinutes(1), T0.AddMinutes(40));
            Assert.Null(c.AssetId);
            Assert.True(c.AccountNumber is not null ^ (c.Lat is not null && c.Lon is not null));
            if (c.AccountNumber is not null) Assert.Contains(c.AccountNumber, accounts);
        });
        AssertBinomial(calls.Count(c => c.AccountNumber is not null), calls.Count, 0.90, "calls with an account");
        AssertBinomial(calls.Count(c => c.Type == SignalType.CallPartialPower), calls.Count, 0.03, "partial_power calls");
        AssertBinomial(calls.Count(c => c.Type == SignalType.CallWireDown), calls.Count, 0.01, "wire_down calls");
        var median = calls.Select(c => (c.OccurredAt - T0).TotalMinutes).Order().ElementAt(calls.Count / 2);
        Assert.InRange(median, 5, 7);
        // Located calls are within 30 m of some customer of the feeder (the nearest one is at most that far).
        Assert.All(calls.Where(c => c.AccountNumber is null), c => Assert.True(customers.Min(n =>
            Metres(c.Lat!.Value, c.Lon!.Value, Ckt24.Lats[n], Ckt24.Lons[n])) <= 30.01));
    }

    [Fact]
    public void LocatedCalls_AreWithin30MetresOfTheCallersOwnPlace()
    {
        // Arrange: one customer, many independent storms (every call located).
        int customer = Ieee.OfKind(NodeKind.Customer).Skip(100).First();
        var options = SimulatorOptions.Default with { CallRate = (1, 1), AccountShare = 0, FaultWireDownProbability = 0 };
        var spec = new FaultSpec(Ieee.Ids[customer], FaultKind.Sustained, T0, null);

        // Act
        var calls = Enumerable.Range(0, 300).Select(seed => Simulate(Ieee, options, seed, spec).Signals.Single(s => s.Source == SourceSystem.Callcenter)).ToList();

        // Assert
        var distances = calls.Select(c => Metres(c.Lat!.Value, c.Lon!.Value, Ieee.Lats[customer], Ieee.Lons[customer])).ToList();
        Assert.All(distances, d => Assert.InRange(d, 0, 30.01));
        Assert.Contains(distances, d => d > 20);
        Assert.All(calls, c => Assert.Null(c.AccountNumber));
    }

    [Fact]
    public void FaultWireDownProbability_One_GivesEverySustainedFaultAPasserByWireDownAtTheDevice()
    {
        // Arrange
        var options = SimulatorOptions.Default with { FaultWireDownProbability = 1, WireDownShare = 0, CallRate = (0, 0) };
        var fuses = Ieee.OfKind(NodeKind.Fuse).Where(f => Ieee.CustomersDownstream[f] > 0).Take(5).ToList();

        // Act
        var storm = Simulate(Ieee, options, 4, [.. fuses.Select(f => Sustained(Ieee.Ids[f]))]);
        var wireDowns = storm.Signals.Select((s, i) => (s, i)).Where(p => p.s.Type == SignalType.CallWireDown).ToList();

        // Assert
        Assert.Equal(5, wireDowns.Count);
        Assert.Equal([0, 1, 2, 3, 4], wireDowns.Select(p => storm.FaultIdOf(p.i)).Order());
        Assert.All(wireDowns, p =>
        {
            int device = fuses[storm.FaultIdOf(p.i)];
            Assert.Null(p.s.AccountNumber);
            Assert.InRange(Metres(p.s.Lat!.Value, p.s.Lon!.Value, Ieee.Lats[device], Ieee.Lons[device]), 0, 30.01);
        });
        Assert.DoesNotContain(Simulate(Ieee, options with { FaultWireDownProbability = 0 }, 4, [.. fuses.Select(f => Sustained(Ieee.Ids[f]))]).Signals,
            s => s.Type == SignalType.CallWireDown);
    }

    // ---- SCADA only from telemetered devices; reclosing --------------------------------------

    [Fact]
    public void FuseFault_NeverLocksOutAndWithCertainTripTheZoneReclosesUnnoticedByItsOtherMeters()
    {
        // Arrange: a fuse under recloser B whose zone device is B.
        int b = Ieee.Node(RecloserB);
        int fuse = Ieee.FirstDevice(NodeKind.Fuse, f => Ieee.ZoneOf(f) == b && Ieee.CustomersDownstream[f] >= 5);
        var options = SimulatorOptions.Default with { ReclosingTripProbability = 1 };

        // Act
        var storm = Simulate(Ieee, options, 6, Sustained(Ieee.Ids[fuse], Hour));
        var scada = storm.Signals.Where(s => s.Source == SourceSystem.Scada).ToList();

        // Assert
        Assert.DoesNotContain(scada, s => s.Type == SignalType.ScadaLockout);
        Assert.Collection(scada,
            s => Assert.Equal((SignalType.ScadaTrip, RecloserB, T0), (s.Type, s.AssetId, s.OccurredAt)),
            s =>
            {
                Assert.Equal((SignalType.ScadaClose, RecloserB), (s.Type, s.AssetId));
                Assert.InRange((s.OccurredAt - T0).TotalSeconds, 1, 3);
            });
        var reclosing = Assert.Single(storm.Reclosings);
        Assert.Equal((0, RecloserB, T0), (reclosing.CausedByFaultId, reclosing.DeviceId, reclosing.TripAt));
        Assert.Equal(scada[1].OccurredAt, reclosing.CloseAt);

        // Only the fuse's own meters report; B's other customers had a 1–3 s blip.
        var fuseMeters = Ieee.MetersUnder(fuse);
        Assert.All(storm.Signals.Where(s => s.Source == SourceSystem.Kaifa), s => Assert.Contains(s.AssetId!, fuseMeters));
        int other = Ieee.CustomersUnder(b).First(c => !Ieee.IsUnder(c, fuse));
        Assert.False(storm.IsPowered(other, T0.AddMilliseconds(500)));
        Assert.True(storm.IsPowered(other, reclosing.CloseAt));
        Assert.False(storm.IsPowered(Ieee.CustomersUnder(fuse)[0], reclosing.CloseAt));
    }

    [Fact]
    public void FuseFault_WithoutTrip_SendsNoScadaAtAll()
    {
        // Arrange
        int fuse = Ieee.FirstDevice(NodeKind.Fuse, f => Ieee.CustomersDownstream[f] >= 5);
        var options = SimulatorOptions.Default with { ReclosingTripProbability = 0 };

        // Act
        var storm = Simulate(Ieee, options, 6, Sustained(Ieee.Ids[fuse], Hour));

        // Assert
        Assert.DoesNotContain(storm.Signals, s => s.Source == SourceSystem.Scada);
        Assert.Empty(storm.Reclosings);
        Assert.Contains(storm.Signals, s => s.Type == SignalType.LastGasp);
    }

    [Fact]
    public void ReclosingTripProbability_IsHonouredAcrossManyFuseFaults()
    {
        // Arrange: every fuse with customers, one fault each, disjoint or not the trip is drawn per fault.
        var fuses = Ieee.OfKind(NodeKind.Fuse).Where(f => Ieee.CustomersDownstream[f] > 0 && Ieee.ZoneOf(f) >= 0).ToList();
        var faults = fuses.Select((f, i) => new FaultSpec(Ieee.Ids[f], FaultKind.Sustained, T0 + TimeSpan.FromMinutes(10 * i), T0 + TimeSpan.FromMinutes(10 * i + 6))).ToArray();

        // Act
        var storm = Simulate(Ieee, SimulatorOptions.Default with { ReclosingTripProbability = 0.5 }, 12, faults);

        // Assert
        AssertBinomial(storm.Reclosings.Count, fuses.Count, 0.5, "reclosings");
        Assert.All(storm.Reclosings, r => Assert.Equal(Ieee.ZoneOf(fuses[r.CausedByFaultId]), r.DeviceNode));
        Assert.Equal(2 * storm.Reclosings.Count, storm.Signals.Count(s => s.Source == SourceSystem.Scada));
    }

    [Fact]
    public void FeederFault_LocksOutTheBreakerOnly()
    {
        // Act
        var storm = Simulate(Ieee, 1, Sustained(IeeeFeeder, Hour));

        // Assert
        var scada = storm.Signals.Where(s => s.Source == SourceSystem.Scada).ToList();
        Assert.Equal([(SignalType.ScadaLockout, IeeeFeeder), (SignalType.ScadaClose, IeeeFeeder)], scada.Select(s => (s.Type, s.AssetId)));
        Assert.Equal(1177, storm.Truth[0].AffectedCustomerIds.Count);
        AssertBinomial(storm.Signals.Count(s => s.Type == SignalType.LastGasp), 1177, storm.MeterReportRate, "last gasps");
    }

    // ---- Momentary, fiber cut, service drop ---------------------------------------------------

    [Fact]
    public void Momentary_GaspsAndRestoresWithinFiveMinutesAndTruthSaysMomentary()
    {
        // Arrange
        int b = Ieee.Node(RecloserB);
        var end = T0.AddSeconds(150);

        // Act
        var storm = Simulate(Ieee, 15, new FaultSpec(RecloserB, FaultKind.Momentary, T0, end));
        var gasps = storm.Signals.Where(s => s.Type == SignalType.LastGasp).ToList();
        var restores = storm.Signals.Where(s => s.Type is SignalType.PowerRestore or SignalType.OnuOnline).ToList();

        // Assert
        AssertBinomial(gasps.Count, 543, storm.MeterReportRate, "last gasps");
        AssertBinomial(storm.Signals.Count(s => s.Type == SignalType.PowerRestore), 543, 0.9, "power restores");
        Assert.All(restores, r => Assert.InRange(r.OccurredAt, end, T0.AddMinutes(5)));
        Assert.Equal(FaultKind.Momentary, storm.Truth[0].Kind);
        Assert.Equal(543, storm.Truth[0].AffectedCustomerIds.Count);
        Assert.Equal([SignalType.ScadaTrip, SignalType.ScadaClose], storm.Signals.Where(s => s.Source == SourceSystem.Scada).Select(s => s.Type));
        Assert.DoesNotContain(storm.Signals, s => s.Type == SignalType.CallPowerRestored);
        Assert.All(storm.Signals.Where(s => s.Type.IsOutageCall()), c => Assert.True(c.OccurredAt < end));
        Assert.All(storm.Signals.Where(s => s.Type == SignalType.CallFlickering), c => Assert.True(c.OccurredAt >= end));
        Assert.False(storm.IsPowered(b, end.AddTicks(-1)));
        Assert.True(storm.IsPowered(b, end));
    }

    [Fact]
    public void VeryShortInterruption_MetersThatGetPowerBackBeforeQualifyingSendNothing()
    {
        // Arrange: 40 s, inside the 30–45 s qualification for some meters and not for others.
        var end = T0.AddSeconds(40);
        var options = SimulatorOptions.Default with { MeterReportRate = (1, 1), MeterRestoreRate = 1 };

        // Act
        var storm = Simulate(Ieee, options, 21, new FaultSpec(IeeeFeeder, FaultKind.Momentary, T0, end));
        var gasps = storm.Signals.Where(s => s.Type == SignalType.LastGasp).ToList();
        var restores = storm.Signals.Where(s => s.Type == SignalType.PowerRestore).ToList();

        // Assert: every gasp was sent (occurred + 30 s at least) before the power came back.
        Assert.InRange(gasps.Count, 100, 1077);
        Assert.All(gasps, g => Assert.True(g.OccurredAt.AddSeconds(30) < end));
        Assert.Equal(gasps.Select(g => g.AssetId).Order(), restores.Select(r => r.AssetId).Order());
    }

    [Fact]
    public void FiberCut_GivesOnlyLossOfSignalFromItsOnusAndNoPowerOutage()
    {
        // Arrange
        int a = Ieee.Node(RecloserA);
        var onus = Ieee.OnusUnder(a);

        // Act
        var storm = Simulate(Ieee, 5, new FaultSpec(RecloserA, FaultKind.FiberCut, T0, null));

        // Assert
        Assert.All(storm.Signals, s => Assert.Equal(SignalType.OnuLos, s.Type));
        Assert.Equal(onus.Order(), storm.Signals.Select(s => s.AssetId!).Order());
        Assert.All(storm.Signals, s => Assert.InRange(s.OccurredAt, T0, T0.AddSeconds(1)));
        var truth = Assert.Single(storm.Truth);
        Assert.False(truth.IsPowerInterruption);
        Assert.Equal(onus.Count, truth.AffectedCustomerIds.Count);
        Assert.All(Ieee.CustomersUnder(a), c => Assert.True(storm.IsPowered(c, T0.AddMinutes(10))));
    }

    [Fact]
    public void FiberCutRepaired_AddsOnlyOnuOnline()
    {
        // Act
        var storm = Simulate(Ieee, 5, new FaultSpec(RecloserA, FaultKind.FiberCut, T0, T0 + Hour));

        // Assert
        Assert.Equal([SignalType.OnuLos, SignalType.OnuOnline], storm.Signals.Select(s => s.Type).Distinct().OrderBy(t => t.ToString()));
        AssertBinomial(storm.Signals.Count(s => s.Type == SignalType.OnuOnline), Ieee.OnusUnder(Ieee.Node(RecloserA)).Count, 0.98, "online");
    }

    [Fact]
    public void ServiceDropFault_AffectsOnlyThatCustomer()
    {
        // Arrange: a Ckt24 customer with an ONU, certain reports.
        var asset = Ckt24.Assets.First(x => x.OnuId is not null);
        var options = SimulatorOptions.Default with { MeterReportRate = (1, 1), OnuReportRate = 1, CallRate = (1, 1) };

        // Act
        var storm = Simulate(Ckt24, options, 2, Sustained(asset.CustomerId, Hour));

        // Assert
        Assert.Equal(NodeKind.Customer, storm.Truth[0].DeviceKind);
        Assert.Equal([asset.CustomerId], storm.Truth[0].AffectedCustomerIds);
        Assert.Equal(asset.MeterId, storm.Signals.Single(s => s.Type == SignalType.LastGasp).AssetId);
        Assert.Equal(asset.OnuId, storm.Signals.Single(s => s.Type == SignalType.DyingGasp).AssetId);
        Assert.Single(storm.Signals, s => s.Type.IsOutageCall());
        Assert.DoesNotContain(storm.Signals, s => s.Source == SourceSystem.Scada);
    }

    [Fact]
    public void TransformerFaultOnCkt24_ReportsFromItsCustomersOnly()
    {
        // Arrange: the transformer with the most customers (71).
        int xfmr = Ckt24.OfKind(NodeKind.Transformer).MaxBy(t => Ckt24.CustomersDownstream[t]);
        var meters = Ckt24.MetersUnder(xfmr);

        // Act
        var storm = Simulate(Ckt24, 13, Sustained(Ckt24.Ids[xfmr], Hour));
        var gasps = storm.Signals.Where(s => s.Type == SignalType.LastGasp).ToList();

        // Assert
        Assert.Equal(71, meters.Count);
        AssertBinomial(gasps.Count, 71, storm.MeterReportRate, "last gasps");
        Assert.All(storm.Signals.Where(s => s.Source == SourceSystem.Kaifa), s => Assert.Contains(s.AssetId!, meters));
    }

    // ---- Partial restoration, overlaps -------------------------------------------------------

    [Fact]
    public void PartialRestoration_CustomersUnderTheStillOutChildSendNothingAtTheParentsRestoration()
    {
        // Arrange: A out at T0, restored at t1 except B (under A), which stays out until t2.
        int a = Ieee.Node(RecloserA);
        int b = Ieee.Node(RecloserB);
        var t1 = T0 + Hour;
        var t2 = T0 + 3 * Hour;
        var options = SimulatorOptions.Default with { CallRate = (0.3, 0.3) };
        var spec = new FaultSpec(RecloserA, FaultKind.Sustained, T0, t1, [new NestedOutage(RecloserB, t2)]);
        var underB = Ieee.MetersUnder(b).Concat(Ieee.OnusUnder(b)).ToHashSet();
        var accountsB = Ieee.AccountsUnder(b);

        // Act
        var storm = Simulate(Ieee, options, 17, spec);
        var back = storm.Signals.Where(s => s.Type is SignalType.PowerRestore or SignalType.OnuOnline).ToList();

        // Assert
        Assert.All(back.Where(s => underB.Contains(s.AssetId!)), s => Assert.InRange(s.OccurredAt, t2, t2.AddSeconds(2)));
        Assert.All(back.Where(s => !underB.Contains(s.AssetId!)), s => Assert.InRange(s.OccurredAt, t1, t1.AddSeconds(2)));
        AssertBinomial(back.Count(s => s.Type == SignalType.PowerRestore && !underB.Contains(s.AssetId!)), 639 - 543, 0.9, "restores at t1");
        AssertBinomial(back.Count(s => s.Type == SignalType.PowerRestore && underB.Contains(s.AssetId!)), 543, 0.9, "restores at t2");
        // Still dark after their neighbours got power back, some of B's customers call again.
        Assert.Contains(storm.Signals, s => s.Type.IsOutageCall() && s.OccurredAt > t1 && accountsB.Contains(s.AccountNumber ?? ""));
        // SCADA: A locks out and closes; B is reported open when A closes, and closes at t2.
        Assert.Equal(
            [(SignalType.ScadaLockout, RecloserA, T0), (SignalType.ScadaClose, RecloserA, t1), (SignalType.ScadaLockout, RecloserB, t1), (SignalType.ScadaClose, RecloserB, t2)],
            storm.Signals.Where(s => s.Source == SourceSystem.Scada).Select(s => (s.Type, s.AssetId!, s.OccurredAt)).OrderBy(x => x.OccurredAt).ThenBy(x => x.Item2));
        var nested = Assert.Single(storm.Truth[0].Nested);
        Assert.Equal((RecloserB, NodeKind.Recloser, (DateTimeOffset?)t2, 543), (nested.DeviceId, nested.DeviceKind, nested.End, nested.AffectedCustomerIds.Count));
        Assert.Equal(639, storm.Truth[0].AffectedCustomerIds.Count);
        int customerB = Ieee.CustomersUnder(b)[0];
        int customerAOnly = Ieee.CustomersUnder(a).First(c => !Ieee.IsUnder(c, b));
        Assert.False(storm.IsPowered(customerB, t1.AddMinutes(1)));
        Assert.True(storm.IsPowered(customerAOnly, t1.AddMinutes(1)));
        Assert.True(storm.IsPowered(customerB, t2));
    }

    [Fact]
    public void OverlappingFaultsOnOnePath_EachMeterGaspsOnceAndRestoresWhenTheLastOneIsCleared()
    {
        // Arrange: a fuse under B out from T0 for 3 h; B itself out from T0 + 10 min for 1 h.
        int b = Ieee.Node(RecloserB);
        int fuse = Ieee.FirstDevice(NodeKind.Fuse, f => Ieee.IsUnder(f, b) && Ieee.CustomersDownstream[f] >= 5);
        var options = SimulatorOptions.Default with { MeterReportRate = (1, 1), MeterRestoreRate = 1 };
        var fuseMeters = Ieee.MetersUnder(fuse);

        // Act
        var storm = Simulate(Ieee, options, 23,
            Sustained(Ieee.Ids[fuse], 3 * Hour),
            new FaultSpec(RecloserB, FaultKind.Sustained, T0.AddMinutes(10), T0.AddMinutes(70)));
        var kaifa = storm.Signals.Select((s, i) => (s, i)).Where(p => p.s.Source == SourceSystem.Kaifa).ToList();

        // Assert
        Assert.Equal(543, kaifa.Count(p => p.s.Type == SignalType.LastGasp));
        Assert.Equal(543, kaifa.Count(p => p.s.Type == SignalType.PowerRestore));
        Assert.All(kaifa.Where(p => fuseMeters.Contains(p.s.AssetId!)), p =>
        {
            Assert.Equal(0, storm.FaultIdOf(p.i));
            if (p.s.Type == SignalType.PowerRestore) Assert.InRange(p.s.OccurredAt, T0 + 3 * Hour, T0 + 3 * Hour + TimeSpan.FromSeconds(2));
        });
        Assert.All(kaifa.Where(p => !fuseMeters.Contains(p.s.AssetId!)), p => Assert.Equal(1, storm.FaultIdOf(p.i)));
    }

    // ---- Pings -------------------------------------------------------------------------------

    [Fact]
    public void AnswerPings_FollowTheTruePowerStateAndMostMetersAnswer()
    {
        // Arrange: a fuse out for an hour; ping every meter of the feeder during and after.
        int fuse = Ieee.FirstDevice(NodeKind.Fuse, f => Ieee.CustomersDownstream[f] >= 10);
        var storm = Simulate(Ieee, 9, Sustained(Ieee.Ids[fuse], Hour));
        var dark = Ieee.MetersUnder(fuse);
        var all = Ieee.Assets.Select(x => x.MeterId).ToList();
        var during = T0.AddMinutes(20);

        // Act
        var answers = storm.AnswerPings(all, during);
        var after = storm.AnswerPings(all, T0 + 2 * Hour);

        // Assert
        AssertBinomial(answers.Count, all.Count, 0.95, "ping answers");
        Assert.All(answers, p =>
        {
            Assert.Equal(SourceSystem.Kaifa, p.Source);
            Assert.Equal(dark.Contains(p.AssetId!) ? SignalType.PingDead : SignalType.PingAlive, p.Type);
            Assert.Equal(during, p.OccurredAt);
            Assert.InRange((p.ReceivedAt - p.OccurredAt).TotalSeconds, 5, 20);
        });
        Assert.Contains(answers, p => p.Type == SignalType.PingDead);
        Assert.All(after, p => Assert.Equal(SignalType.PingAlive, p.Type));
        Assert.All(answers.Zip(answers.Skip(1)), p => Assert.True(p.First.ReceivedAt <= p.Second.ReceivedAt));
        Assert.Equal(answers.Count, answers.Select(p => p.SourceId).Distinct().Count());
        Assert.Empty(answers.Select(p => p.SourceId).Intersect(storm.Signals.Select(s => s.SourceId)));
    }

    [Fact]
    public void AnswerPings_AreDeterministicAndIndependentOfCallOrder()
    {
        // Arrange
        var storm = Simulate(Ieee, 9, Sustained(RecloserA, Hour));
        var meters = Ieee.Assets.Select(x => x.MeterId).Take(300).ToList();

        // Act
        var first = storm.AnswerPings(meters, T0.AddMinutes(5));
        var reversed = storm.AnswerPings(Enumerable.Reverse(meters).Append("KFM-UNKNOWN").Append(meters[0]), T0.AddMinutes(5));
        var again = Simulate(Ieee, 9, Sustained(RecloserA, Hour)).AnswerPings(meters, T0.AddMinutes(5));

        // Assert
        Assert.Equal(Serialize(first), Serialize(again));
        Assert.Equal(Serialize(first.OrderBy(p => p.SourceId, StringComparer.Ordinal)), Serialize(reversed.OrderBy(p => p.SourceId, StringComparer.Ordinal)));
    }

    // ---- Validation --------------------------------------------------------------------------

    public static TheoryData<FaultSpec, string> InvalidFaults => new()
    {
        { new FaultSpec("XFMR:nope", FaultKind.Sustained, T0, null), "unknown device" },
        { new FaultSpec("SUB:HVMV_Sub", FaultKind.Sustained, T0, null), "substation" },
        { new FaultSpec(RecloserA, FaultKind.Sustained, T0, T0), "End must be after Start" },
        { new FaultSpec(RecloserA, FaultKind.Sustained, T0, T0.AddMinutes(5)), "more than 5 minutes" },
        { new FaultSpec(RecloserA, FaultKind.Momentary, T0, T0.AddMinutes(6)), "within 5 minutes" },
        { new FaultSpec(RecloserA, FaultKind.Momentary, T0, null), "within 5 minutes" },
        { new FaultSpec(RecloserB, FaultKind.Sustained, T0, T0.AddHours(1), [new NestedOutage(RecloserA, null)]), "not under" },
        { new FaultSpec(RecloserA, FaultKind.Sustained, T0, T0.AddHours(1), [new NestedOutage(RecloserB, T0.AddHours(1))]), "stay out after End" },
        { new FaultSpec(RecloserA, FaultKind.Sustained, T0, null, [new NestedOutage(RecloserB, null)]), "with an End" },
    };

    [Theory]
    [MemberData(nameof(InvalidFaults))]
    public void Simulate_InvalidFault_ThrowsNamingTheProblem(FaultSpec fault, string reason)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => Simulate(Ieee, 1, fault));

        // Assert
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RateOutOfRange_Throws()
    {
        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new StormSimulator(Ieee, SimulatorOptions.Default with { OnuReportRate = 1.5 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StormSimulator(Ieee, SimulatorOptions.Default with { CallRate = (0.3, 0.1) }, 1));
    }
}
