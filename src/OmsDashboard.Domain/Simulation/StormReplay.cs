using OmsDashboard.Domain.Correlation;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// Plays a simulated storm into a correlation engine as it would arrive live: signals in
/// receive order, the engine's clock following the receive time (advanced every
/// <see cref="AdvanceEvery"/>), and the engine's meter pings answered by the storm, which knows
/// the truth. Watches every outage change and scores the engine against the truth.
/// </summary>
public sealed class StormReplay(NetworkTopology network, SimulatedStorm storm, CorrelationEngine engine)
{
    /// <summary>How often (receive time) the engine is advanced. Defaults to 10 s.</summary>
    public TimeSpan AdvanceEvery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long after the last signal the replay keeps advancing. Defaults to 30 min.</summary>
    public TimeSpan Tail { get; init; } = TimeSpan.FromMinutes(30);

    public CorrelationEngine Engine => engine;

    /// <summary>For each outage number, the first time (receive clock) it sat at each device while active.</summary>
    public Dictionary<long, Dictionary<int, DateTimeOffset>> DeviceHistory { get; } = [];

    /// <summary>For each outage number, the most customers it counted while open.</summary>
    public Dictionary<long, int> MaxAffected { get; } = [];

    public int PingsAnswered { get; private set; }

    public void Run()
    {
        var pings = new PriorityQueue<Signal, (DateTimeOffset, string)>();
        var signals = storm.Signals;
        if (signals.Count == 0) return;
        var next = signals[0].ReceivedAt;
        var end = signals[^1].ReceivedAt + Tail;
        int i = 0;
        for (var now = next; now <= end; now += AdvanceEvery)
        {
            while (i < signals.Count && signals[i].ReceivedAt <= now) engine.Ingest(signals[i++]);
            while (pings.TryPeek(out var ping, out var when) && when.Item1 <= now)
            {
                pings.Dequeue();
                engine.Ingest(ping);
            }
            var changes = engine.Advance(now);
            foreach (var request in changes.Pings)
            {
                foreach (var answer in storm.AnswerPings(request.MeterIds, Max(request.At, now)))
                {
                    pings.Enqueue(answer, (answer.ReceivedAt, answer.SourceId));
                    PingsAnswered++;
                }
            }
            foreach (var outage in changes.Outages.Keys)
            {
                if (!outage.IsActive) continue;
                if (!DeviceHistory.TryGetValue(outage.Number, out var devices)) DeviceHistory[outage.Number] = devices = [];
                devices.TryAdd(outage.Device, now);
                MaxAffected[outage.Number] = Math.Max(MaxAffected.GetValueOrDefault(outage.Number), outage.AffectedCustomers);
            }
            if (i >= signals.Count && pings.Count == 0 && now > signals[^1].ReceivedAt + engine.Options.HoldTime + AdvanceEvery && now >= end) break;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Scores the engine's outages against the storm's truth (see <see cref="StormScore"/>).</summary>
    public StormScore Score(TimeSpan deadlineAfterQualification)
    {
        var net = network;
        var score = new StormScore();
        var outages = engine.Outages.Where(o => o.Status != OutageStatus.Merged).ToList();
        // When did an outage first sit at a device equivalent to d?
        DateTimeOffset? FirstAt(int device, DateTimeOffset from, DateTimeOffset to)
        {
            DateTimeOffset? best = null;
            foreach (var (_, devices) in DeviceHistory)
            {
                foreach (var (d, at) in devices)
                {
                    if (at >= from && at <= to && Equivalent(net, d, device) && (best is null || at < best)) best = at;
                }
            }
            return best;
        }

        // Faults whose own signals include hard evidence (last gasp, dying gasp, lockout) early enough.
        var evidenceBy = new Dictionary<int, DateTimeOffset>();
        for (int i = 0; i < storm.Signals.Count; i++)
        {
            int id = storm.FaultIdOf(i);
            if (id < 0) continue;
            var s = storm.Signals[i];
            if (s.Type is SignalType.LastGasp or SignalType.DyingGasp or SignalType.ScadaLockout
                && (!evidenceBy.TryGetValue(id, out var t) || s.OccurredAt < t))
            {
                evidenceBy[id] = s.OccurredAt;
            }
        }

        foreach (var fault in storm.Truth)
        {
            if (fault.Kind != FaultKind.Sustained) continue;
            score.SustainedFaults++;
            bool detectable = evidenceBy.TryGetValue(fault.FaultId, out var firstEvidence) && firstEvidence <= fault.Start + deadlineAfterQualification;
            if (!detectable)
            {
                score.Undetectable++;
                continue;
            }
            score.Detectable++;
            var deadline = fault.Start + TimeSpan.FromSeconds(45) + deadlineAfterQualification;
            var found = FirstAt(fault.DeviceNode, fault.Start, deadline);
            if (found is not null)
            {
                score.PredictedAtTrueDevice++;
                var outage = outages.FirstOrDefault(o => DeviceHistory.TryGetValue(o.Number, out var h) && h.Keys.Any(d => Equivalent(net, d, fault.DeviceNode)));
                if (outage is not null)
                {
                    score.TrueCustomers += fault.AffectedCustomerIds.Count;
                    score.PredictedCustomers += MaxAffected.GetValueOrDefault(outage.Number, outage.AffectedCustomers);
                }
            }
            else
            {
                score.Missed.Add(fault);
            }
            foreach (var nested in fault.Nested)
            {
                score.NestedTruths++;
                if (fault.End is { } parentEnd && FirstAt(nested.DeviceNode, parentEnd, (nested.End ?? parentEnd.AddHours(12)) + TimeSpan.FromMinutes(5)) is not null)
                {
                    score.NestedFound++;
                }
            }
        }

        // Outages that match no fault, and outages left open from momentaries.
        foreach (var o in outages)
        {
            score.Outages++;
            bool matches = storm.Truth.Any(f => f.IsPowerInterruption && Related(net, o, f));
            if (!matches) score.Unmatched.Add(o);
            if (o.IsActive && storm.Truth.Where(f => Related(net, o, f)).All(f => f.Kind == FaultKind.Momentary)
                && storm.Truth.Any(f => Related(net, o, f)))
            {
                score.OpenFromMomentary++;
                score.LeftOpen.Add(o);
            }
        }
        return score;
    }

    private static bool Related(NetworkTopology net, Outage o, FaultTruth f)
    {
        var end = (f.Nested.Select(n => n.End ?? DateTimeOffset.MaxValue).DefaultIfEmpty(f.End ?? DateTimeOffset.MaxValue).Max()) ;
        if (end == DateTimeOffset.MaxValue || f.End is null) end = DateTimeOffset.MaxValue;
        bool inTime = o.FirstDetectedAt >= f.Start.AddMinutes(-1) && (end == DateTimeOffset.MaxValue || o.FirstDetectedAt <= end.AddMinutes(10));
        return inTime && (OnPath(net, o.Device, f.DeviceNode) || OnPath(net, f.DeviceNode, o.Device));
    }

    /// <summary>Whether <paramref name="descendant"/> is <paramref name="ancestor"/> or below it.</summary>
    public static bool OnPath(NetworkTopology net, int descendant, int ancestor)
    {
        for (int a = descendant; a >= 0; a = net.Parents[a])
        {
            if (a == ancestor) return true;
        }
        return false;
    }

    /// <summary>
    /// Two devices are indistinguishable by any customer evidence when one is above the other and
    /// both have the same customers (e.g. a transformer with one customer and that customer's
    /// service, or a switch whose only child is a fuse).
    /// </summary>
    public static bool Equivalent(NetworkTopology net, int a, int b)
    {
        if (a == b) return true;
        int ca = Math.Max(1, net.CustomersDownstream[a]), cb = Math.Max(1, net.CustomersDownstream[b]);
        return ca == cb && (OnPath(net, a, b) || OnPath(net, b, a));
    }
}

/// <summary>How an engine did on one storm (sums over several storms with <see cref="Add"/>).</summary>
public sealed class StormScore
{
    public int SustainedFaults { get; set; }
    public int Detectable { get; set; }
    public int Undetectable { get; set; }
    public int PredictedAtTrueDevice { get; set; }
    public long TrueCustomers { get; set; }
    public long PredictedCustomers { get; set; }
    public int NestedTruths { get; set; }
    public int NestedFound { get; set; }
    public int Outages { get; set; }
    public int OpenFromMomentary { get; set; }
    public List<Outage> Unmatched { get; } = [];
    public List<FaultTruth> Missed { get; } = [];
    /// <summary>Outages still open at the end whose only causes were momentary faults.</summary>
    public List<Outage> LeftOpen { get; } = [];

    public double PredictedShare => Detectable == 0 ? 1 : (double)PredictedAtTrueDevice / Detectable;
    public double UnmatchedShare => Outages == 0 ? 0 : (double)Unmatched.Count / Outages;
    public double CustomerError => TrueCustomers == 0 ? 0 : Math.Abs(PredictedCustomers - TrueCustomers) / (double)TrueCustomers;
    public double NestedShare => NestedTruths == 0 ? 1 : (double)NestedFound / NestedTruths;

    public void Add(StormScore other)
    {
        SustainedFaults += other.SustainedFaults;
        Detectable += other.Detectable;
        Undetectable += other.Undetectable;
        PredictedAtTrueDevice += other.PredictedAtTrueDevice;
        TrueCustomers += other.TrueCustomers;
        PredictedCustomers += other.PredictedCustomers;
        NestedTruths += other.NestedTruths;
        NestedFound += other.NestedFound;
        Outages += other.Outages;
        OpenFromMomentary += other.OpenFromMomentary;
        Unmatched.AddRange(other.Unmatched);
        Missed.AddRange(other.Missed);
        LeftOpen.AddRange(other.LeftOpen);
    }

    public override string ToString() =>
        $"sustained {SustainedFaults} (detectable {Detectable}, undetectable {Undetectable}); at true device {PredictedAtTrueDevice} ({PredictedShare:P1}); " +
        $"customers {PredictedCustomers} vs {TrueCustomers} ({CustomerError:P1} off); nested {NestedFound}/{NestedTruths} ({NestedShare:P1}); " +
        $"outages {Outages}, unmatched {Unmatched.Count} ({UnmatchedShare:P1}), open from momentaries {OpenFromMomentary}";
}
