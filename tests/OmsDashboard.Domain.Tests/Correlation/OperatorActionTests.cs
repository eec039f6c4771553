using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>Operator actions as the engine applies them: in event time, recorded with the user, replayable.</summary>
public sealed class OperatorActionTests
{
    private static readonly DateTimeOffset T0 = SignalFactory.T0;
    private readonly NetworkTopology _net = Feeders.Ieee8500;
    private readonly SignalFactory _s = new();

    private const string RecloserA = "RCL:LN5587291-1";

    private List<string> FusesBelow(string id, int min)
    {
        _net.TryGetIndex(id, out int root);
        return _net.OfKind(NodeKind.Fuse)
            .Where(f => _net.PathToRoot(f).Contains(root) && _net.CustomersDownstream[f] >= min)
            .OrderByDescending(f => _net.CustomersDownstream[f]).ThenBy(f => f)
            .Select(f => _net.Ids[f]).ToList();
    }

    /// <summary>Two fuse faults under recloser A that stay two outages, with their signals.</summary>
    private (string First, string Second, List<Signal> Signals) TwoFuseFaults()
    {
        var fuses = FusesBelow(RecloserA, 8);
        string first = fuses[0];
        string second = fuses.Skip(1).First(f => !_net.CustomersBelow(first).Intersect(_net.CustomersBelow(f)).Any());
        var signals = new List<Signal>();
        int i = 0;
        foreach (int c in _net.CustomersBelow(first)) if (++i % 4 != 0) signals.Add(_s.LastGasp(_net.MeterOf(c), i % 3));
        foreach (int c in _net.CustomersBelow(second)) if (++i % 4 != 0) signals.Add(_s.LastGasp(_net.MeterOf(c), 20 + i % 3));
        return (first, second, signals);
    }

    private static CorrelationEngine Run(NetworkTopology net, IEnumerable<Signal> signals, DateTimeOffset until)
    {
        var engine = new CorrelationEngine(net);
        foreach (var s in signals) engine.Ingest(s);
        engine.Advance(until);
        return engine;
    }

    private Outage At(CorrelationEngine engine, string device) => engine.ActiveOutages.Single(o => _net.Ids[o.Device] == device);

    [Fact]
    public void Confirm_MakesTheOutageConfirmed_WithTheUserInTheTimeline()
    {
        // One customer's call: a service outage whose confidence (0.4) is below the threshold.
        int customer = _net.CustomersBelow(FusesBelow(RecloserA, 8)[0])[0];
        var engine = Run(_net, [_s.Call(_net.AssetsOf(_net.Ids[customer])!.AccountNumber, 0)], T0.AddMinutes(3));
        var outage = Assert.Single(engine.ActiveOutages);
        Assert.NotEqual(OutageStatus.Confirmed, outage.Status);

        engine.Submit(new OperatorAction(1, OperatorActionType.Confirm, outage.Number, T0.AddMinutes(4), "ops.anna", "crew on site"));
        var changes = engine.Advance(T0.AddMinutes(4).AddSeconds(10));

        Assert.Equal(OutageStatus.Confirmed, outage.Status);
        var entry = outage.Timeline.Last(t => t.Type == "status_changed");
        Assert.Equal("ops.anna", entry.Actor);
        Assert.Contains("crew on site", entry.Description);
        Assert.True(Assert.Single(changes.Actions).Applied);
        Assert.Equal(OutageChange.Updated, changes.Outages[outage]);
    }

    [Fact]
    public void Cancel_EndsTheOutage_AndItsCustomersAreNoLongerTakenAsOut()
    {
        var (_, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        Assert.Equal(2, engine.ActiveOutages.Count());
        var victim = engine.ActiveOutages.OrderBy(o => o.Number).First();

        engine.Submit(new OperatorAction(1, OperatorActionType.Cancel, victim.Number, T0.AddMinutes(5), "ops.anna", "meter firmware glitch"));
        var changes = engine.Advance(T0.AddMinutes(6));

        Assert.Equal(OutageStatus.Cancelled, victim.Status);
        Assert.Equal(OutageChange.Cancelled, changes.Outages[victim]);
        // The other fault is untouched and the cancelled one does not come back on the next ticks.
        var left = Assert.Single(engine.ActiveOutages);
        Assert.NotEqual(victim.Number, left.Number);
        engine.Advance(T0.AddMinutes(10));
        Assert.Single(engine.ActiveOutages);
    }

    [Fact]
    public void Move_PlacesThePredictionAtTheOperatorsDevice_AndItStaysThere()
    {
        var (first, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        var outage = At(engine, first);
        _net.TryGetIndex(first, out int fuse);
        string upstream = _net.Ids[_net.Parents[fuse]];

        engine.Submit(new OperatorAction(1, OperatorActionType.Move, outage.Number, T0.AddMinutes(5), "ops.anna", DeviceId: upstream));
        engine.Advance(T0.AddMinutes(5).AddSeconds(10));
        engine.Advance(T0.AddMinutes(12));

        Assert.Equal(upstream, _net.Ids[outage.Device]);
        Assert.True(outage.IsActive);
        Assert.Equal("operator", outage.Explanation!.Rule);
        Assert.Equal(_net.CustomersDownstream[_net.Parents[fuse]], outage.AffectedCustomers);
        Assert.Contains(outage.Timeline, t => t.Type == "moved" && t.Actor == "ops.anna");
    }

    [Fact]
    public void Merge_AbsorbsTheOtherOutage_AtADeviceAboveBoth()
    {
        var (first, second, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        var survivor = At(engine, first);
        var other = At(engine, second);

        engine.Submit(new OperatorAction(1, OperatorActionType.Merge, survivor.Number, T0.AddMinutes(5), "ops.anna", OtherOutageNumber: other.Number));
        engine.Advance(T0.AddMinutes(5).AddSeconds(10));
        engine.Advance(T0.AddMinutes(12));

        Assert.Equal(OutageStatus.Merged, other.Status);
        Assert.Same(survivor, other.MergedInto);
        Assert.Same(survivor, Assert.Single(engine.ActiveOutages));
        _net.TryGetIndex(first, out int a);
        _net.TryGetIndex(second, out int b);
        Assert.Contains(survivor.Device, _net.PathToRoot(a));
        Assert.Contains(survivor.Device, _net.PathToRoot(b));
    }

    [Fact]
    public void Restore_WithATime_RestoresAtThatTime()
    {
        var (first, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(10));
        var outage = At(engine, first);

        engine.Submit(new OperatorAction(1, OperatorActionType.Restore, outage.Number, T0.AddMinutes(20), "crew.bo", RestoredAt: T0.AddMinutes(18)));
        engine.Advance(T0.AddMinutes(21));
        engine.Advance(T0.AddMinutes(30));

        Assert.Equal(OutageStatus.Restored, outage.Status);
        Assert.Equal(T0.AddMinutes(18), outage.RestoredAt);
        Assert.Equal("crew.bo", outage.Timeline.Last(t => t.Type == "status_changed").Actor);
        Assert.DoesNotContain(engine.ActiveOutages, o => o.Device == outage.Device);
    }

    [Fact]
    public void SetEtr_IsKeptOnTheOutage()
    {
        var (first, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        var outage = At(engine, first);

        engine.Submit(new OperatorAction(1, OperatorActionType.SetEtr, outage.Number, T0.AddMinutes(5), "ops.anna", Etr: T0.AddHours(3)));
        engine.Advance(T0.AddMinutes(6));

        Assert.Equal(T0.AddHours(3), outage.Etr);
        Assert.Contains(outage.Timeline, t => t.Type == "etr" && t.Actor == "ops.anna");
    }

    [Theory]
    [InlineData(OperatorActionType.Move, "unknown device")]
    [InlineData(OperatorActionType.Merge, "cannot merge into itself")]
    [InlineData(OperatorActionType.Restore, "before the outage began")]
    [InlineData(OperatorActionType.SetEtr, "an ETR is required")]
    public void Check_RefusesInvalidActions_WithTheReason(OperatorActionType type, string reason)
    {
        var (first, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        var outage = At(engine, first);
        var action = new OperatorAction(1, type, outage.Number, T0.AddMinutes(5), "ops.anna",
            DeviceId: "FUSE:NOPE", OtherOutageNumber: outage.Number, RestoredAt: T0.AddMinutes(-30));

        Assert.Contains(reason, engine.Check(action));
        engine.Submit(action);
        var outcome = Assert.Single(engine.Advance(T0.AddMinutes(6)).Actions);
        Assert.False(outcome.Applied);
        Assert.True(outage.IsActive);
    }

    [Fact]
    public void Check_RefusesActionsOnAnEndedOutage()
    {
        var (first, _, signals) = TwoFuseFaults();
        var engine = Run(_net, signals, T0.AddMinutes(4));
        var outage = At(engine, first);
        engine.Submit(new OperatorAction(1, OperatorActionType.Cancel, outage.Number, T0.AddMinutes(5), "ops.anna"));
        engine.Advance(T0.AddMinutes(6));

        Assert.Contains("not active", engine.Check(new OperatorAction(2, OperatorActionType.Confirm, outage.Number, T0.AddMinutes(7), "ops.anna")));
        Assert.Contains("no outage number", engine.Check(new OperatorAction(3, OperatorActionType.Confirm, 999_999, T0.AddMinutes(7), "ops.anna")));
    }

    [Fact]
    public void Replay_OfSignalsAndActions_GivesTheSameStateAsTheLiveEngine()
    {
        var (first, second, signals) = TwoFuseFaults();
        var live = Run(_net, signals, T0.AddMinutes(4));
        var a = At(live, first);
        var b = At(live, second);
        var actions = new List<OperatorAction>
        {
            new(1, OperatorActionType.SetEtr, a.Number, T0.AddMinutes(5), "ops.anna", Etr: T0.AddHours(2)),
            new(2, OperatorActionType.Confirm, b.Number, T0.AddMinutes(6), "ops.anna"),
            new(3, OperatorActionType.Merge, a.Number, T0.AddMinutes(7), "ops.bo", OtherOutageNumber: b.Number),
        };
        var effective = new List<OperatorAction>();
        foreach (var action in actions)
        {
            live.Submit(action);
            var outcome = Assert.Single(live.Advance(action.At.AddSeconds(30)).Actions);
            effective.Add(action with { At = outcome.EffectiveAt });
        }
        live.Advance(T0.AddMinutes(15));

        // The rebuild: every signal and every action (at its stored effective time), one advance.
        var replay = new CorrelationEngine(_net);
        foreach (var s in signals) replay.Ingest(s);
        foreach (var action in effective) replay.Submit(action);
        replay.Advance(T0.AddMinutes(15));

        Assert.Equal(Describe(live), Describe(replay));
    }

    private string Describe(CorrelationEngine engine) => string.Join("\n", engine.Outages.Select(o =>
        $"{o.Number} {o.Status} {_net.Ids[o.Device]} {o.AffectedCustomers} {o.Etr:O} {o.MergedInto?.Number} " +
        string.Join(";", o.Timeline.Select(t => $"{t.At:O} {t.Type} {t.Actor}"))));
}
