using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>Hand-built scenarios on the real IEEE 8500 feeder, one rule of domain.md each.</summary>
public sealed class EngineScenarioTests
{
    private static readonly DateTimeOffset T0 = SignalFactory.T0;
    private readonly NetworkTopology _net = Feeders.Ieee8500;
    private readonly SignalFactory _s = new();
    private readonly CorrelationEngine _engine = new(Feeders.Ieee8500);

    private const string RecloserA = "RCL:LN5587291-1";
    private const string RecloserB = "RCL:LN5860423-1";

    /// <summary>Fuses below a node with at least <paramref name="min"/> customers, biggest first.</summary>
    private List<string> FusesBelow(string id, int min)
    {
        _net.TryGetIndex(id, out int root);
        return _net.OfKind(NodeKind.Fuse)
            .Where(f => _net.PathToRoot(f).Contains(root) && _net.CustomersDownstream[f] >= min)
            .OrderByDescending(f => _net.CustomersDownstream[f]).ThenBy(f => f)
            .Select(f => _net.Ids[f]).ToList();
    }

    private void GaspAll(IEnumerable<int> customers, double at, int skipEvery = 4)
    {
        int i = 0;
        foreach (int c in customers)
        {
            if (++i % skipEvery != 0) _engine.Ingest(_s.LastGasp(_net.MeterOf(c), at + (i % 3)));
        }
    }

    private static Outage Only(CorrelationEngine engine) => Assert.Single(engine.ActiveOutages);

    [Fact]
    public void Advance_TwoFuseFaultsUnderOneRecloser_StayTwoOutages()
    {
        var fuses = FusesBelow(RecloserA, 8);
        // Two fuses, neither below the other.
        string first = fuses[0];
        string second = fuses.Skip(1).First(f => !_net.CustomersBelow(first).Intersect(_net.CustomersBelow(f)).Any());
        GaspAll(_net.CustomersBelow(first), 0);
        GaspAll(_net.CustomersBelow(second), 20);

        _engine.Advance(T0.AddMinutes(4));

        Assert.Equal(new[] { first, second }.Order(), _engine.ActiveOutages.Select(o => _net.Ids[o.Device]).Order());
    }

    [Fact]
    public void Advance_LockoutAfterFuseLevelOutages_AbsorbsThemIntoTheRecloser()
    {
        var fuse = FusesBelow(RecloserB, 5)[0];
        GaspAll(_net.CustomersBelow(fuse), 0);
        _engine.Advance(T0.AddMinutes(3));
        var early = Only(_engine);
        Assert.Equal(fuse, _net.Ids[early.Device]);

        _engine.Ingest(_s.Scada(RecloserB, SignalType.ScadaLockout, 190));
        GaspAll(_net.CustomersBelow(RecloserB).Except(_net.CustomersBelow(fuse)), 190);
        _engine.Advance(T0.AddMinutes(8));

        var outage = Only(_engine);
        Assert.Equal(RecloserB, _net.Ids[outage.Device]);
        Assert.True(outage.ScadaConfirmed);
        Assert.Equal(OutageStatus.Confirmed, outage.Status);
        Assert.Equal(1.0, outage.Confidence);
        Assert.Equal(_net.CustomersBelow(RecloserB).Count, outage.AffectedCustomers);
        Assert.Equal("scada_lockout", outage.Explanation!.Rule);
        // The fuse outage survived as the recloser's (oldest first), so nothing was merged away here.
        Assert.Same(early, outage);
        Assert.Equal(T0, outage.FirstDetectedAt);
    }

    [Fact]
    public void Advance_RestoreWithinTheHold_RecordsMomentariesAndOpensNothing()
    {
        var customers = _net.CustomersBelow(FusesBelow(RecloserA, 8)[0]);
        foreach (int c in customers)
        {
            _engine.Ingest(_s.LastGasp(_net.MeterOf(c), 0));
            _engine.Ingest(_s.Restore(_net.MeterOf(c), 50));
        }

        var changes = _engine.Advance(T0.AddMinutes(6));

        Assert.Empty(_engine.Outages);
        Assert.Equal(customers.Count, changes.Momentaries.Count);
    }

    [Fact]
    public void Advance_RestoreAfterThreeMinutes_EndsTheOutageAsMomentary()
    {
        string fuse = FusesBelow(RecloserA, 8)[0];
        var customers = _net.CustomersBelow(fuse);
        GaspAll(customers, 0);
        _engine.Advance(T0.AddMinutes(2.5));
        Assert.Equal(fuse, _net.Ids[Only(_engine).Device]);

        foreach (int c in customers) _engine.Ingest(_s.Restore(_net.MeterOf(c), 180));
        _engine.Advance(T0.AddMinutes(8));

        Assert.Empty(_engine.ActiveOutages);
        var outage = Assert.Single(_engine.Outages);
        Assert.Equal(OutageStatus.Momentary, outage.Status);
        Assert.Equal(T0.AddSeconds(180), outage.RestoredAt);
    }

    [Fact]
    public void Advance_RecloserTripAndReclose_IsAMomentaryForEveryoneDownstream()
    {
        _engine.Ingest(_s.Scada(RecloserA, SignalType.ScadaTrip, 0));
        _engine.Ingest(_s.Scada(RecloserA, SignalType.ScadaClose, 2));

        var changes = _engine.Advance(T0.AddMinutes(3));

        Assert.Empty(_engine.Outages);
        var momentary = Assert.Single(changes.Momentaries);
        _net.TryGetIndex(RecloserA, out int node);
        Assert.Equal((node, 639), (momentary.Node, momentary.Customers));
    }

    [Fact]
    public void Advance_OneCustomerDark_IsAServiceOutageOfThatCustomer()
    {
        int customer = _net.CustomersBelow(RecloserB)[0];
        _engine.Ingest(_s.LastGasp(_net.MeterOf(customer), 0));

        _engine.Advance(T0.AddMinutes(3));

        var outage = Only(_engine);
        Assert.Equal(customer, outage.Device);
        Assert.Equal(1, outage.AffectedCustomers);
        Assert.Equal("service", outage.Explanation!.Rule);
        Assert.Equal(0.8, outage.Confidence);
        Assert.Equal(OutageStatus.Confirmed, outage.Status); // 0.8 ≥ the standard 0.7
    }

    [Fact]
    public void Ingest_FiberLossOfSignal_IsKeptUnmatchedAndOpensNothing()
    {
        var onu = _net.Assets.First(a => a.OnuId is not null).OnuId!;
        var outcome = _engine.Ingest(new Signal(SourceSystem.Onu, "LOS-1", SignalType.OnuLos, T0, T0, onu));

        var changes = _engine.Advance(T0.AddMinutes(5));

        Assert.Equal(IngestOutcome.Unmatched, outcome);
        Assert.Empty(_engine.Outages);
        var applied = Assert.Single(changes.Signals);
        Assert.Contains("fiber fault", applied.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_SameSignalTwice_IsADuplicate()
    {
        var signal = _s.LastGasp(_net.MeterOf(_net.CustomersBelow(RecloserB)[0]), 0);

        Assert.Equal(IngestOutcome.Accepted, _engine.Ingest(signal));
        Assert.Equal(IngestOutcome.Duplicate, _engine.Ingest(signal));
    }

    [Fact]
    public void Ingest_UnknownMeter_IsKeptWithItsReason()
    {
        Assert.Equal(IngestOutcome.Unmatched, _engine.Ingest(_s.LastGasp("KFM-NOPE", 0)));
        var applied = Assert.Single(_engine.Advance().Signals);
        Assert.Equal("unknown meter 'KFM-NOPE'", applied.Note);
    }

    [Fact]
    public void Advance_AllCustomersOfATelemeteredRecloserDarkWithoutScada_NeverPredictsTheRecloser()
    {
        GaspAll(_net.CustomersBelow(RecloserB), 0, skipEvery: int.MaxValue);

        _engine.Advance(T0.AddMinutes(4));

        Assert.NotEmpty(_engine.ActiveOutages);
        _net.TryGetIndex(RecloserB, out int recloser);
        Assert.DoesNotContain(_engine.ActiveOutages, o => _net.Kinds[o.Device] is NodeKind.Recloser or NodeKind.Feeder);
        Assert.Equal(_net.CustomersBelow(RecloserB).Count, _engine.ActiveOutages.Sum(o => o.AffectedCustomers));
        Assert.All(_engine.ActiveOutages, o => Assert.Contains(recloser, _net.PathToRoot(o.Device)));
    }

    [Fact]
    public void Advance_CallWithoutAccountNearACustomer_IsPlacedAtTheNearestCustomer()
    {
        int customer = _net.CustomersBelow(RecloserB)[3];
        var call = new Signal(SourceSystem.Callcenter, "CC-LOC", SignalType.CallNoPower, T0, T0, null, null,
            _net.Lats[customer] + 0.00005, _net.Lons[customer]);
        var far = new Signal(SourceSystem.Callcenter, "CC-FAR", SignalType.CallNoPower, T0, T0, null, null, 10.0, 10.0);

        Assert.Equal(IngestOutcome.Accepted, _engine.Ingest(call));
        Assert.Equal(IngestOutcome.Unmatched, _engine.Ingest(far));
        _engine.Advance(T0.AddMinutes(3));

        var outage = Only(_engine);
        Assert.Equal(customer, outage.Device);
        Assert.Equal(0.4, outage.Confidence);
        Assert.Equal(OutageStatus.Unconfirmed, outage.Status);
    }

    [Fact]
    public void Advance_WireDownCall_IsCriticalWithoutWaitingForTheHold()
    {
        int customer = _net.CustomersBelow(RecloserB)[5];
        _engine.Ingest(_s.Call(_net.AssetsOf(_net.Ids[customer])!.AccountNumber, 0, SignalType.CallWireDown));

        _engine.Advance(T0.AddSeconds(10));

        var outage = Only(_engine);
        Assert.True(outage.HasHazard);
        Assert.Equal(Severity.Critical, outage.Severity);
    }

    [Fact]
    public void Advance_UnconfirmedOutageAfterTheAgingTime_BecomesProbable()
    {
        int customer = _net.CustomersBelow(RecloserB)[7];
        _engine.Ingest(_s.Call(_net.AssetsOf(_net.Ids[customer])!.AccountNumber, 0));

        _engine.Advance(T0.AddMinutes(11));

        var outage = Only(_engine);
        Assert.Equal(OutageStatus.Probable, outage.Status);
        Assert.Equal(T0.AddMinutes(10), outage.ProbableAt);
    }

    [Fact]
    public void Advance_LossyRestorationOfAFuseOutage_RestoresItAndLeavesNothingOpen()
    {
        string fuse = FusesBelow(RecloserA, 8)[0];
        var customers = _net.CustomersBelow(fuse);
        GaspAll(customers, 0);
        _engine.Advance(T0.AddMinutes(10));
        int i = 0;
        foreach (int c in customers)
        {
            if (++i % 3 != 0) _engine.Ingest(_s.Restore(_net.MeterOf(c), 3600 + (i % 2)));
        }

        var changes = _engine.Advance(T0.AddMinutes(70));

        Assert.Empty(_engine.ActiveOutages);
        var outage = Assert.Single(_engine.Outages);
        Assert.Equal((OutageStatus.Restored, T0.AddSeconds(3600)), (outage.Status, outage.RestoredAt));
        Assert.NotEmpty(Assert.Single(changes.Pings).MeterIds);
    }

    [Fact]
    public void Advance_PartialRestorationAnsweredByPings_LeavesANestedOutageBelow()
    {
        // Recloser B locked out; restored by SCADA close while one fuse below it stays open.
        string fuse = FusesBelow(RecloserB, 5)[0];
        var all = _net.CustomersBelow(RecloserB);
        var stillOut = _net.CustomersBelow(fuse).ToHashSet();
        _engine.Ingest(_s.Scada(RecloserB, SignalType.ScadaLockout, 0));
        GaspAll(all, 0);
        _engine.Advance(T0.AddMinutes(10));
        var parent = Only(_engine);

        _engine.Ingest(_s.Scada(RecloserB, SignalType.ScadaClose, 1800));
        foreach (int c in all.Where(c => !stillOut.Contains(c))) _engine.Ingest(_s.Restore(_net.MeterOf(c), 1801));
        var changes = _engine.Advance(T0.AddMinutes(31));
        var ping = Assert.Single(changes.Pings);
        foreach (string meter in ping.MeterIds)
        {
            _net.TryGetIndex(_net.Assets.First(a => a.MeterId == meter).CustomerId, out int c);
            var type = stillOut.Contains(c) ? SignalType.PingDead : SignalType.PingAlive;
            _engine.Ingest(new Signal(SourceSystem.Kaifa, "PING-" + meter, type, T0.AddSeconds(1815), T0.AddSeconds(1815), meter));
        }
        _engine.Advance(T0.AddMinutes(40));

        Assert.Equal(OutageStatus.Restored, parent.Status);
        var nested = Only(_engine);
        Assert.Equal(fuse, _net.Ids[nested.Device]);
        Assert.Same(parent, nested.Parent);
    }

    [Fact]
    public void Advance_EveryOutage_ExplainsItsDeviceAndConfidenceInNumbers()
    {
        string fuse = FusesBelow(RecloserA, 8)[0];
        GaspAll(_net.CustomersBelow(fuse), 0);

        _engine.Advance(T0.AddMinutes(3));

        var e = Only(_engine).Explanation!;
        Assert.Equal("roll_up", e.Rule);
        Assert.Equal(fuse, e.PathToSubstation[0]);
        Assert.Equal("SUB:HVMV_Sub", e.PathToSubstation[^1]);
        Assert.Equal(_net.CustomersBelow(fuse).Count, e.CustomersDownstream);
        Assert.True(e.SplitCost > e.ChosenCost);
        Assert.True(e.ParentCost is null || e.ParentCost > e.ChosenCost);
        Assert.Contains($"explains {e.DarkCustomers} customers reporting out of {e.CustomersDownstream}", e.Text, StringComparison.Ordinal);
        Assert.Equal(SourceSystem.Kaifa, Assert.Single(e.Confidence).Source);
    }
}
