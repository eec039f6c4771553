using System.Globalization;
using System.Text;
using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Simulation;
using OmsDashboard.Domain.Tests.Topology;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Tests.Correlation;

/// <summary>
/// Engine snapshots (ADR 0013): an engine restored from a snapshot taken at any cut carries on
/// exactly as the engine that never stopped — same outages, numbers, evidence, timelines, and the
/// same changes from the cut on.
/// </summary>
public sealed class EngineSnapshotTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<NetworkTopology> Synthetic = new(() =>
    {
        var nodes = new StringWriter();
        var assets = new StringWriter();
        SyntheticUtility.Write([RealFeeders.Load(RealFeeders.Ieee8500), RealFeeders.Load(RealFeeders.Ckt24)], 9000, nodes, assets);
        return RealFeeders.Parse(nodes.ToString(), assets.ToString()).Network!;
    });

    private static NetworkTopology Network(string name) => name switch
    {
        "synthetic" => Synthetic.Value,
        _ => RealFeeders.Load(name),
    };

    public static TheoryData<string, int> Storms => new()
    {
        { RealFeeders.Ieee8500, 1 },
        { RealFeeders.Ieee8500, 2 },
        { RealFeeders.Ckt24, 3 },
        { RealFeeders.Ckt24, 4 },
        { "synthetic", 5 },
    };

    [Theory]
    [MemberData(nameof(Storms))]
    public void Restore_AtCutsMidStorm_CarriesOnExactlyAsTheEngineThatNeverStopped(string feeder, int seed)
    {
        // Arrange: one storm, fed once straight through and once with the engine snapshotted and
        // replaced by its restored copy at three cuts (chosen by the seed).
        var net = Network(feeder);
        var specs = StormScenarios.Random(net, seed, 30, Start, TimeSpan.FromHours(2), ScenarioMix.Default);
        var storm = new StormSimulator(net, SimulatorOptions.Default, seed).Simulate(specs);
        var straight = new Driver(net, storm);
        var a = new CorrelationEngine(net);
        while (straight.Step(a)) { }

        var rng = new Random(seed);
        int steps = straight.Steps;
        var cuts = new Queue<int>(new SortedSet<int> { steps * 2 / 10 + rng.Next(steps / 10), steps * 4 / 10 + rng.Next(steps / 10), steps * 6 / 10 + rng.Next(steps / 10) });
        var cut = new Driver(net, storm);
        var engine = new CorrelationEngine(net);
        var engines = new List<CorrelationEngine> { engine };
        int midHold = 0, withActions = 0, inStorm = 0;

        // Act
        while (true)
        {
            // Each cut falls at the first step from its chosen one where signals are inside their hold.
            if (cuts.TryPeek(out int at) && at <= cut.Steps && engine.PendingSignals > 0)
            {
                cuts.Dequeue();
                midHold++;
                if (cut.ActionsSubmitted > 0) withActions++;
                if (engine.Storm.Active) inStorm++;
                var bytes = new MemoryStream();
                engine.WriteSnapshot(bytes);
                bytes.Position = 0;
                engine = CorrelationEngine.RestoreSnapshot(bytes, net);
                engines.Add(engine);
            }
            if (!cut.Step(engine)) break;
        }

        // Assert: the cuts were where they matter, every change after them is the same, and so is every outage.
        Assert.Equal(3, midHold);
        Assert.True(withActions >= 2, $"operator actions before only {withActions} cuts");
        Assert.True(inStorm >= 1, "no cut while storm mode was on");
        Assert.True(straight.ActionsApplied >= 5, $"only {straight.ActionsApplied} operator actions applied");
        Assert.Equal(straight.Log.Count, cut.Log.Count);
        for (int i = 0; i < straight.Log.Count; i++)
        {
            Assert.True(straight.Log[i] == cut.Log[i], $"step log {i} differs:\nnever stopped: {straight.Log[i]}\nrestored:      {cut.Log[i]}");
        }
        // An ended outage is a summary in the restored engine: compare it with the last engine that had it in full.
        var full = new Dictionary<long, Outage>();
        foreach (var e in engines)
        {
            foreach (var o in e.Outages.Where(o => !o.IsSummary)) full[o.Number] = o;
        }
        Assert.Equal(a.Outages.Count, engine.Outages.Count);
        Assert.Equal(a.NextOutageNumber, engine.NextOutageNumber);
        Assert.True(a.Outages.Count >= 20, $"only {a.Outages.Count} outages");
        foreach (var o in a.Outages)
        {
            Assert.Equal(Dump(net, o), Dump(net, full[o.Number]));
            Assert.Equal(Summary(net, o), Summary(net, engine.Find(o.Number)!));
        }
        Assert.Equal((a.Clock, a.Storm, a.PendingSignals, a.PendingActions), (engine.Clock, engine.Storm, engine.PendingSignals, engine.PendingActions));
    }

    [Fact]
    public void Restore_WithNewOptions_UsesThemFromTheCutOn()
    {
        var net = RealFeeders.Load(RealFeeders.Ieee8500);
        var storm = new StormSimulator(net, SimulatorOptions.Default, 7).Simulate(StormScenarios.Random(net, 7, 20, Start, TimeSpan.FromHours(1), ScenarioMix.Default));
        var engine = new CorrelationEngine(net);
        var driver = new Driver(net, storm);
        for (int i = 0; i < 60; i++) driver.Step(engine);
        var bytes = new MemoryStream();
        engine.WriteSnapshot(bytes);
        bytes.Position = 0;

        var stricter = new EngineOptions { HoldTime = TimeSpan.FromMinutes(3) };
        var restored = CorrelationEngine.RestoreSnapshot(bytes, net, stricter);

        Assert.Same(stricter, restored.Options);
        Assert.Equal(engine.Outages.Count, restored.Outages.Count);
        Assert.Equal(engine.ActiveOutages.Select(o => o.Number).Order(), restored.ActiveOutages.Select(o => o.Number).Order());
    }

    [Fact]
    public void WriteSnapshot_WithChangesNotYetReturned_IsRefused()
    {
        var net = RealFeeders.Load(RealFeeders.Ieee8500);
        var engine = new CorrelationEngine(net);
        engine.Ingest(new Signal(SourceSystem.Kaifa, "K-1", SignalType.LastGasp, Start, Start, "no-such-meter"));

        var error = Assert.Throws<InvalidOperationException>(() => engine.WriteSnapshot(new MemoryStream()));

        Assert.Contains("after Advance", error.Message);
    }

    private static byte[] SnapshotOfAStorm(NetworkTopology net)
    {
        var storm = new StormSimulator(net, SimulatorOptions.Default, 11).Simulate(StormScenarios.Random(net, 11, 15, Start, TimeSpan.FromHours(1), ScenarioMix.Default));
        var engine = new CorrelationEngine(net);
        var driver = new Driver(net, storm);
        for (int i = 0; i < 80; i++) driver.Step(engine);
        var bytes = new MemoryStream();
        engine.WriteSnapshot(bytes);
        Assert.NotEmpty(engine.Outages);
        return bytes.ToArray();
    }

    public static TheoryData<string> Damages => ["truncated", "flipped byte", "other version", "empty", "not a snapshot", "other network", "padded"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void RestoreSnapshot_DamagedOrForeign_IsRefusedWithAClearError(string damage)
    {
        var net = RealFeeders.Load(RealFeeders.Ieee8500);
        byte[] good = SnapshotOfAStorm(net);
        var target = net;
        byte[] bad = good.ToArray();
        string expected;
        switch (damage)
        {
            case "truncated":
                bad = good[..(good.Length * 2 / 3)];
                expected = "truncated";
                break;
            case "padded":
                bad = [.. good, 0];
                expected = "truncated or padded";
                break;
            case "flipped byte":
                bad[good.Length / 2] ^= 0x40;
                expected = "checksum";
                break;
            case "other version":
                bad[8] = 99;
                expected = "format version 99; this build reads version 1";
                break;
            case "empty":
                bad = [];
                expected = "shorter than the header";
                break;
            case "not a snapshot":
                bad = Encoding.UTF8.GetBytes("{\"outages\": []}" + new string(' ', 100));
                expected = "snapshot marker";
                break;
            default:
                target = RealFeeders.Load(RealFeeders.Ckt24);
                expected = "another network";
                break;
        }

        var error = Assert.Throws<SnapshotFormatException>(() => CorrelationEngine.RestoreSnapshot(new MemoryStream(bad), target));

        Assert.Contains(expected, error.Message);
        // The good bytes still restore: the refusal is about the damage.
        Assert.NotEmpty(CorrelationEngine.RestoreSnapshot(new MemoryStream(good), net).Outages);
    }

    private static string Summary(NetworkTopology net, Outage o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Number} {o.EventId} {o.Status} {net.Ids[o.Device]} {net.Ids[o.Feeder]} {o.FirstDetectedAt:O} {o.ConfirmedAt:O} {o.RestoredAt:O} {o.ProbableAt:O} "
        + $"{o.Confidence:R} {o.Severity} {o.AffectedCustomers} {o.HasHazard} {o.ScadaConfirmed} {o.Parent?.Number} {o.MergedInto?.Number} {o.Etr:O} {o.PinnedDevice}");

    /// <summary>Everything about an outage, in order (evidence and customers in the engine's order, not sorted).</summary>
    internal static string Dump(NetworkTopology net, Outage o)
    {
        var b = new StringBuilder(Summary(net, o));
        b.Append(" | evidence ").AppendJoin(',', o.Evidence.Select(e => string.Create(CultureInfo.InvariantCulture,
            $"{e.Source}:{e.SourceId}:{e.Type}:{e.Weight:R}:{e.Customer}:{e.OccurredAt.UtcTicks}")));
        b.Append(" | timeline ").AppendJoin(" / ", o.Timeline.Select(t => $"{t.At:O} {t.Type} {t.From}->{t.To} {t.Description} ({t.Actor})"));
        b.Append(" | customers ").AppendJoin(',', o.Customers);
        b.Append(" | restored ").AppendJoin(',', o.Restored.Order());
        b.Append(" | ").Append(o.Explanation?.Text).Append(' ').Append(o.Explanation is { } x ? $"{x.Rule} {x.ChosenCost:R} {x.SplitCost:R} {x.ParentCost:R} {string.Join('/', x.PathToSubstation)}" : "");
        return b.ToString();
    }

    /// <summary>
    /// Plays a storm as the pass would: signals in receive order every 10 s, ping answers fed back,
    /// duplicates kept out as the database keeps them out (a source id is stored once), and
    /// operator actions on the outages open at that moment. Logs every change, step by step.
    /// </summary>
    private sealed class Driver(NetworkTopology net, SimulatedStorm storm)
    {
        private readonly PriorityQueue<Signal, (DateTimeOffset, string)> _pings = new();
        private readonly HashSet<(SourceSystem, string)> _stored = [];
        private int _next;
        private long _actionId;
        private DateTimeOffset _now = storm.Signals[0].ReceivedAt;

        public List<string> Log { get; } = [];
        public int Steps { get; private set; }
        public int ActionsSubmitted { get; private set; }
        public int ActionsApplied { get; private set; }

        public bool Step(CorrelationEngine engine)
        {
            var signals = storm.Signals;
            if (_next >= signals.Count && _pings.Count == 0 && _now > signals[^1].ReceivedAt + TimeSpan.FromMinutes(40)) return false;
            while (_next < signals.Count && signals[_next].ReceivedAt <= _now) Feed(engine, signals[_next++]);
            while (_pings.TryPeek(out var ping, out var when) && when.Item1 <= _now)
            {
                _pings.Dequeue();
                Feed(engine, ping);
            }
            if (Steps % 23 == 11) Act(engine);
            var changes = engine.Advance(_now);
            foreach (var request in changes.Pings)
            {
                foreach (var answer in storm.AnswerPings(request.MeterIds, request.At > _now ? request.At : _now)) _pings.Enqueue(answer, (answer.ReceivedAt, answer.SourceId));
            }
            ActionsApplied += changes.Actions.Count(x => x.Applied);
            Log.Add(Describe(changes));
            Steps++;
            _now += TimeSpan.FromSeconds(10);
            return true;
        }

        private void Feed(CorrelationEngine engine, Signal s)
        {
            if (_stored.Add((s.Source, s.SourceId))) engine.Ingest(s);
        }

        /// <summary>An operator acts on what the screen shows: one of six actions, in turn, on an open outage.</summary>
        private void Act(CorrelationEngine engine)
        {
            var active = engine.ActiveOutages.OrderBy(o => o.Number).ToList();
            if (active.Count == 0) return;
            var o = active[Steps / 23 % active.Count];
            var kind = (OperatorActionType)(Steps / 23 % 6);
            OperatorAction action = kind switch
            {
                OperatorActionType.Merge when active.FirstOrDefault(x => x != o && x.Feeder == o.Feeder) is { } other =>
                    new OperatorAction(++_actionId, kind, o.Number, _now, "op", "same event", OtherOutageNumber: other.Number),
                OperatorActionType.Move when net.Parents[o.Device] >= 0 && net.Feeders[net.Parents[o.Device]] == o.Feeder =>
                    new OperatorAction(++_actionId, kind, o.Number, _now, "crew", "found it", DeviceId: net.Ids[net.Parents[o.Device]]),
                OperatorActionType.Restore => new OperatorAction(++_actionId, kind, o.Number, _now, "crew", RestoredAt: _now.AddSeconds(-30)),
                OperatorActionType.SetEtr => new OperatorAction(++_actionId, kind, o.Number, _now, "op", Etr: _now.AddHours(2)),
                OperatorActionType.Cancel => new OperatorAction(++_actionId, kind, o.Number, _now, "op", "false alarm"),
                _ => new OperatorAction(++_actionId, OperatorActionType.Confirm, o.Number, _now, "op"),
            };
            engine.Submit(action);
            ActionsSubmitted++;
        }

        private string Describe(EngineChanges c)
        {
            var b = new StringBuilder();
            foreach (var (o, change) in c.Outages.OrderBy(x => x.Key.Number)) b.Append(change).Append(' ').Append(Dump(net, o)).Append('\n');
            foreach (var s in c.Signals) b.Append($"signal {s.Signal.Source}:{s.Signal.SourceId} {s.OutageNumber} {s.Matched} {s.Note}\n");
            foreach (var p in c.Pings) b.Append($"ping {p.At:O} {p.OutageNumber} {string.Join(',', p.MeterIds)}\n");
            foreach (var m in c.Momentaries) b.Append($"momentary {m.At:O} {m.Node} {m.Customers} {m.Cause}\n");
            foreach (var m in c.EvidenceMoves) b.Append($"moved {m.Source}:{m.SourceId} {m.OutageNumber}\n");
            foreach (var a in c.Actions) b.Append($"action {a.Action.Id} {a.EffectiveAt:O} {a.Error}\n");
            if (c.StormChanged is { } st) b.Append($"storm {st}\n");
            return b.ToString();
        }
    }
}
