using System.Collections;
using System.Globalization;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// The result of <see cref="StormSimulator.Simulate"/>: the signals in arrival order and the truth
/// behind them. Immutable and safe to read from several threads.
/// </summary>
public sealed class SimulatedStorm
{
    private const double MetresPerDegree = 111_320.0;

    private readonly NetworkTopology _network;
    private readonly SimulatorOptions _options;
    private readonly List<RawSignal> _raw;
    private readonly Dictionary<int, List<(long Start, long End)>> _open;
    private readonly int[] _assetOfNode;
    private readonly Lazy<Dictionary<string, int>> _customerOfMeter;

    internal SimulatedStorm(NetworkTopology network, int seed, SimulatorOptions options, double meterReportRate, double callRate,
        List<RawSignal> raw, FaultTruth[] truth, ReclosingTruth[] reclosings, Dictionary<int, List<(long Start, long End)>> open,
        int[] assetOfNode, Lazy<Dictionary<string, int>> customerOfMeter)
    {
        _network = network;
        Seed = seed;
        _options = options;
        MeterReportRate = meterReportRate;
        CallRate = callRate;
        _raw = raw;
        Truth = truth;
        Reclosings = reclosings;
        _open = open;
        _assetOfNode = assetOfNode;
        _customerOfMeter = customerOfMeter;
        Signals = new SignalList(this);
    }

    public int Seed { get; }

    /// <summary>The share of meters whose last gasp arrives in this storm (drawn from <see cref="SimulatorOptions.MeterReportRate"/>).</summary>
    public double MeterReportRate { get; }

    /// <summary>The share of affected customers who call in this storm (drawn from <see cref="SimulatorOptions.CallRate"/>).</summary>
    public double CallRate { get; }

    /// <summary>
    /// Every signal, sorted by <see cref="Signal.ReceivedAt"/> (ties in a fixed order). Each
    /// <see cref="Signal"/> is built when read (records compare by value), so millions of signals
    /// cost 40 bytes each until used.
    /// </summary>
    public IReadOnlyList<Signal> Signals { get; }

    /// <summary>One entry per simulated fault, in input order (<see cref="FaultTruth.FaultId"/> = index).</summary>
    public IReadOnlyList<FaultTruth> Truth { get; }

    /// <summary>Trip-and-reclose operations of telemetered devices caused by faults in their zone.</summary>
    public IReadOnlyList<ReclosingTruth> Reclosings { get; }

    /// <summary>The fault (index into <see cref="Truth"/>) that caused the signal at <paramref name="signalIndex"/> of <see cref="Signals"/>.</summary>
    public int FaultIdOf(int signalIndex) => _raw[signalIndex].Fault;

    /// <summary>
    /// Whether a node (usually a customer) has power at <paramref name="at"/>: false while it or any
    /// device above it is open (sustained, momentary, nested or a 1–3 s reclosing), true otherwise.
    /// Fiber cuts do not affect power.
    /// </summary>
    public bool IsPowered(int node, DateTimeOffset at)
    {
        if ((uint)node >= (uint)_network.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(node), node, "not a node of the network");
        }
        long t = at.UtcTicks;
        for (int a = node; a >= 0; a = _network.Parents[a])
        {
            if (_open.TryGetValue(a, out var list))
            {
                foreach (var (s, e) in list)
                {
                    if (s <= t && t < e) return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// The head-end's answers to pinging these meters at <paramref name="at"/>: a
    /// <see cref="SignalType.PingAlive"/> or <see cref="SignalType.PingDead"/> by the meter's true
    /// power state at <paramref name="at"/> (the answer's <see cref="Signal.OccurredAt"/>), received
    /// 5–20 s later; about <see cref="SimulatorOptions.PingAnswerRate"/> of the meters answer.
    /// Unknown meter ids and repeats are skipped. The answers depend only on the seed, the meter and
    /// <paramref name="at"/>, not on call order; the same ping gives the same source id
    /// (<c>KF-&lt;seed&gt;-ping-&lt;meter&gt;-&lt;ticks&gt;</c>). Sorted by receive time.
    /// </summary>
    public IReadOnlyList<Signal> AnswerPings(IEnumerable<string> meterIds, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(meterIds);
        var map = _customerOfMeter.Value;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var answers = new List<Signal>();
        long ticks = at.UtcTicks;
        ulong key = Hashing.Mix((ulong)(uint)Seed ^ 0x5EED_0000_0000UL) ^ Hashing.Mix((ulong)ticks);
        foreach (string meter in meterIds)
        {
            if (meter is null || !map.TryGetValue(meter, out int customer) || !seen.Add(meter)) continue;
            ulong h1 = Hashing.Mix(key ^ Hashing.Of(meter));
            ulong h2 = Hashing.Mix(h1);
            if (Hashing.Unit(h1) >= _options.PingAnswerRate) continue;
            long delay = 5 * Draw.Second + (long)(Hashing.Unit(h2) * 15 * Draw.Second);
            var type = IsPowered(customer, at) ? SignalType.PingAlive : SignalType.PingDead;
            string id = string.Create(CultureInfo.InvariantCulture, $"KF-{Seed}-ping-{meter}-{ticks}");
            var occurred = new DateTimeOffset(ticks, TimeSpan.Zero);
            answers.Add(new Signal(SourceSystem.Kaifa, id, type, occurred, occurred.AddTicks(delay), meter));
        }
        return [.. answers.OrderBy(s => s.ReceivedAt)];
    }

    internal static SourceSystem SourceOf(SignalType type) => type switch
    {
        SignalType.ScadaTrip or SignalType.ScadaLockout or SignalType.ScadaClose or SignalType.ScadaAlarm => SourceSystem.Scada,
        SignalType.LastGasp or SignalType.PowerRestore or SignalType.PingAlive or SignalType.PingDead => SourceSystem.Kaifa,
        SignalType.DyingGasp or SignalType.OnuOnline or SignalType.OnuLos => SourceSystem.Onu,
        _ => SourceSystem.Callcenter,
    };

    private static string Prefix(SourceSystem source) => source switch
    {
        SourceSystem.Scada => "SC",
        SourceSystem.Kaifa => "KF",
        SourceSystem.Onu => "OLT",
        _ => "CC",
    };

    private Signal Build(int index)
    {
        var r = _raw[index];
        var source = SourceOf(r.Type);
        string id = string.Create(CultureInfo.InvariantCulture, $"{Prefix(source)}-{Seed}-{index + 1}");
        var occurred = new DateTimeOffset(r.Occurred, TimeSpan.Zero);
        var received = new DateTimeOffset(r.Received, TimeSpan.Zero);
        switch (source)
        {
            case SourceSystem.Scada:
                return new Signal(source, id, r.Type, occurred, received, _network.Ids[r.Node]);
            case SourceSystem.Kaifa:
                return new Signal(source, id, r.Type, occurred, received, _network.Assets[_assetOfNode[r.Node]].MeterId);
            case SourceSystem.Onu:
                return new Signal(source, id, r.Type, occurred, received, _network.Assets[_assetOfNode[r.Node]].OnuId);
            default:
                if ((r.Flags & RawFlags.LocationOnly) == 0)
                {
                    return new Signal(source, id, r.Type, occurred, received, null, _network.Assets[_assetOfNode[r.Node]].AccountNumber);
                }
                double lat = _network.Lats[r.Node] + r.North / MetresPerDegree;
                double lon = _network.Lons[r.Node] + r.East / (MetresPerDegree * Math.Cos(_network.Lats[r.Node] * (Math.PI / 180.0)));
                return new Signal(source, id, r.Type, occurred, received, null, null, lat, lon);
        }
    }

    private sealed class SignalList(SimulatedStorm storm) : IReadOnlyList<Signal>
    {
        public Signal this[int index] => (uint)index < (uint)storm._raw.Count
            ? storm.Build(index)
            : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => storm._raw.Count;

        public IEnumerator<Signal> GetEnumerator()
        {
            for (int i = 0; i < storm._raw.Count; i++)
            {
                yield return storm.Build(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
