using System.Runtime.InteropServices;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// Simulates what the four sources send during a storm of known faults, seeded and deterministic
/// (one <see cref="Random"/> stream from the seed: the same seed, network, options and faults give
/// the same signals, byte for byte), and keeps the truth so tests can score the correlation engine.
/// O(affected customers + signals) per storm; signals are held compactly and built on access.
/// </summary>
/// <remarks>
/// How the sources behave (docs/domain.md); every draw is uniform unless said otherwise:
/// <list type="bullet">
/// <item><b>Power lost</b> at t0 by every customer under the device (a customer id faults its own
/// service drop). Kaifa meter: its clock stamps the loss at t0 + U(0, 2 s); after a qualification
/// delay q = U(30, 45 s) it sends <see cref="SignalType.LastGasp"/> with the storm's meter report rate,
/// received at occurred + q + exponential jitter (mean 3 s, at most 20 s). A meter whose power comes
/// back before q has run sends nothing (neither gasp nor restore). ONU:
/// <see cref="SignalType.DyingGasp"/> at t0 + U(0, 1 s), received + U(0.5, 3 s).</item>
/// <item><b>Calls</b>: with the storm's call rate, a customer calls at t0 + a log-normal delay
/// (median 6 min, σ 0.8, clipped to 1–40 min), received when made; <c>no_power</c>, or
/// <c>partial_power</c> / <c>wire_down</c> by their shares; with the account number or only a
/// place within 30 m. A caller whose power is already back calls <c>flickering</c> (by
/// <see cref="SimulatorOptions.FlickerCallShare"/>) or not at all. A sustained fault may also get a
/// passer-by's <c>wire_down</c> placed at the device.</item>
/// <item><b>SCADA</b> only from telemetered devices (feeder breakers, reclosers): a sustained fault
/// at one gives <see cref="SignalType.ScadaLockout"/> at t0, a momentary one
/// <see cref="SignalType.ScadaTrip"/>; <see cref="SignalType.ScadaClose"/> at restoration; received
/// + U(0.5, 2 s). A fault at a fuse, switch or transformer may make its zone's telemetered device
/// trip at t0 and close U(1, 3 s) later (see <see cref="SimulatedStorm.Reclosings"/>).</item>
/// <item><b>Restoration</b> at t1: meters <see cref="SignalType.PowerRestore"/> at t1 + U(0, 2 s),
/// received + U(5, 60 s); ONUs <see cref="SignalType.OnuOnline"/> at t1 + U(0, 2 s), received +
/// U(1, 10 s); a few <c>power_restored</c> calls after a sustained interruption.</item>
/// <item><b>Partial restoration</b>: customers under a still-open nested device send nothing at
/// the parent's restoration; with the call rate they call again after it; they restore at the
/// nested device's own time. A telemetered nested device reports a lockout when the parent closes
/// and a close at its own restoration.</item>
/// <item><b>Fiber cut</b>: every ONU under the device sends <see cref="SignalType.OnuLos"/> (raised
/// by the OLT, so always) at t0 + U(0, 1 s), received + U(0.5, 3 s), and <c>online</c> when the
/// fiber is repaired. No meter, call or SCADA signal.</item>
/// <item><b>Overlapping faults</b> on one path are merged per customer: a meter gasps once when its
/// power goes and restores once when it is back.</item>
/// </list>
/// Signals are sorted by receive time, ties by generation order. Source ids are
/// <c>SC|KF|OLT|CC-&lt;seed&gt;-&lt;n&gt;</c> with n the 1-based arrival position: unique within a
/// storm and never shared by storms of different seeds.
/// </remarks>
public sealed class StormSimulator
{
    internal const long Never = long.MaxValue;
    internal const long MomentaryLimit = 5 * Draw.Minute;

    private readonly NetworkTopology _network;
    private readonly SimulatorOptions _options;
    private readonly int _seed;
    private readonly int[] _assetOfNode;
    private readonly Lazy<Dictionary<string, int>> _customerOfMeter;

    public StormSimulator(NetworkTopology network, SimulatorOptions? options = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= SimulatorOptions.Default;
        options.Validate();
        _network = network;
        _options = options;
        _seed = seed;

        // Assets are in customer (node) order: the k-th customer node has Assets[k].
        _assetOfNode = new int[network.Count];
        int k = 0;
        for (int i = 0; i < network.Count; i++)
        {
            if (network.Kinds[i] != NodeKind.Customer)
            {
                _assetOfNode[i] = -1;
                continue;
            }
            if (k >= network.Assets.Count || !string.Equals(network.Assets[k].CustomerId, network.Ids[i], StringComparison.Ordinal))
            {
                throw new ArgumentException("the network's assets are not in customer order", nameof(network));
            }
            _assetOfNode[i] = k++;
        }
        _customerOfMeter = new Lazy<Dictionary<string, int>>(() =>
        {
            var map = new Dictionary<string, int>(network.Assets.Count, StringComparer.Ordinal);
            for (int i = 0; i < network.Count; i++)
            {
                if (_assetOfNode[i] >= 0) map[network.Assets[_assetOfNode[i]].MeterId] = i;
            }
            return map;
        });
    }

    public NetworkTopology Network => _network;

    public SimulatorOptions Options => _options;

    public int Seed => _seed;

    /// <summary>Simulates the faults (in any order; a fault's id is its position) and returns the signals and the truth.</summary>
    /// <exception cref="ArgumentException">A fault names an unknown device, or its times or nested devices do not fit its kind.</exception>
    public SimulatedStorm Simulate(IEnumerable<FaultSpec> faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var specs = faults.ToList();
        var rng = new Random(_seed);
        double meterRate = rng.Uniform(_options.MeterReportRate.Min, _options.MeterReportRate.Max);
        double callRate = rng.Uniform(_options.CallRate.Min, _options.CallRate.Max);
        var resolved = new Fault[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            resolved[i] = Resolve(i, specs[i]);
        }
        return new Run(this, rng, meterRate, callRate, resolved).Execute();
    }

    private Fault Resolve(int id, FaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string where = $"fault {id} ({spec.DeviceId})";
        if (!_network.TryGetIndex(spec.DeviceId, out int node))
        {
            throw new ArgumentException($"{where}: unknown device", nameof(spec));
        }
        if (_network.Kinds[node] == NodeKind.Substation)
        {
            throw new ArgumentException($"{where}: a substation is not a fault location (fault its feeders)", nameof(spec));
        }
        long start = spec.Start.UtcTicks;
        long end = spec.End?.UtcTicks ?? Never;
        if (end <= start)
        {
            throw new ArgumentException($"{where}: End must be after Start", nameof(spec));
        }
        switch (spec.Kind)
        {
            case FaultKind.Momentary when end == Never || end - start > MomentaryLimit:
                throw new ArgumentException($"{where}: a momentary interruption needs an End within 5 minutes of Start", nameof(spec));
            case FaultKind.Sustained when end != Never && end - start <= MomentaryLimit:
                throw new ArgumentException($"{where}: a sustained interruption lasts more than 5 minutes (IEEE 1366); use Momentary", nameof(spec));
            case FaultKind.Momentary or FaultKind.Sustained or FaultKind.FiberCut:
                break;
            default:
                throw new ArgumentException($"{where}: unknown kind {spec.Kind}", nameof(spec));
        }

        var still = spec.StillOut ?? [];
        if (still.Count > 0 && (spec.Kind != FaultKind.Sustained || end == Never))
        {
            throw new ArgumentException($"{where}: only a sustained fault with an End can be partially restored", nameof(spec));
        }
        var nestedNodes = new int[still.Count];
        var nestedUntil = new long[still.Count];
        for (int j = 0; j < still.Count; j++)
        {
            var nested = still[j];
            if (!_network.TryGetIndex(nested.DeviceId, out int c))
            {
                throw new ArgumentException($"{where}: unknown nested device '{nested.DeviceId}'", nameof(spec));
            }
            if (!IsStrictlyUnder(c, node))
            {
                throw new ArgumentException($"{where}: nested device '{nested.DeviceId}' is not under the faulted device", nameof(spec));
            }
            long until = nested.Until?.UtcTicks ?? Never;
            if (until <= end)
            {
                throw new ArgumentException($"{where}: nested device '{nested.DeviceId}' must stay out after End", nameof(spec));
            }
            for (int other = 0; other < j; other++)
            {
                if (nestedNodes[other] == c || IsStrictlyUnder(c, nestedNodes[other]) || IsStrictlyUnder(nestedNodes[other], c))
                {
                    throw new ArgumentException($"{where}: nested devices must be disjoint subtrees ('{nested.DeviceId}')", nameof(spec));
                }
            }
            nestedNodes[j] = c;
            nestedUntil[j] = until;
        }
        return new Fault(id, spec, node, start, end, nestedNodes, nestedUntil);
    }

    private bool IsStrictlyUnder(int node, int ancestor)
    {
        for (int a = _network.Parents[node]; a >= 0; a = _network.Parents[a])
        {
            if (a == ancestor) return true;
        }
        return false;
    }

    internal static bool IsTelemetered(NodeKind kind) => kind is NodeKind.Feeder or NodeKind.Recloser;

    /// <summary>A fault resolved against the network, with what the run learns about it.</summary>
    private sealed class Fault(int id, FaultSpec spec, int node, long start, long end, int[] nestedNodes, long[] nestedUntil)
    {
        public readonly int Id = id;
        public readonly FaultSpec Spec = spec;
        public readonly int Node = node;
        public readonly long Start = start;
        public readonly long End = end;
        public readonly int[] NestedNodes = nestedNodes;
        public readonly long[] NestedUntil = nestedUntil;
        public int[] Customers = [];
        public int[][] NestedCustomers = [];
        public int Emitted;

        public bool IsPower => Spec.Kind != FaultKind.FiberCut;
    }

    /// <summary>One customer's interruption: [Start, End) with End = <see cref="Never"/> when not restored.</summary>
    private struct Interruption
    {
        public int Node;
        public int Fault;
        public long Start;
        public long End;
        /// <summary>When the fault's device was restored while this customer stayed out (0: not nested).</summary>
        public long ParentRestored;
    }

    private readonly struct ByCustomerThenStart : IComparer<Interruption>
    {
        public int Compare(Interruption x, Interruption y)
        {
            int c = x.Node.CompareTo(y.Node);
            if (c == 0) c = x.Start.CompareTo(y.Start);
            return c != 0 ? c : x.Fault.CompareTo(y.Fault);
        }
    }

    /// <summary>The state of one <see cref="Simulate"/> call.</summary>
    private sealed class Run(StormSimulator sim, Random rng, double meterRate, double callRate, Fault[] faults)
    {
        private readonly NetworkTopology _net = sim._network;
        private readonly SimulatorOptions _o = sim._options;
        private readonly List<RawSignal> _raw = new(64);
        private readonly Dictionary<int, List<(long Start, long End)>> _open = [];
        private readonly List<ReclosingTruth> _reclosings = [];
        private readonly List<Interruption> _interruptions = [];
        private readonly Stack<(int Node, long End, long ParentRestored, int Nested)> _stack = new();
        private bool _merging;

        public SimulatedStorm Execute()
        {
            // Which devices are open when, for the power state (pings, IsPowered) and reclosing.
            foreach (var f in faults)
            {
                if (!f.IsPower) continue;
                AddOpen(f.Node, f.Start, f.End);
                for (int j = 0; j < f.NestedNodes.Length; j++)
                {
                    AddOpen(f.NestedNodes[j], f.Start, f.NestedUntil[j]);
                }
            }

            foreach (var f in faults)
            {
                if (f.IsPower) DeviceSignals(f);
            }

            // Customers: with no fault above another, every customer has at most one interruption
            // and its signals are drawn during the walk; otherwise interruptions are merged first.
            // Both draw in the same order, so the output does not depend on which way was taken.
            // About 1.6 signals per customer out, 2.6 when restored: reserve once, not by doubling.
            long expected = faults.Where(f => f.IsPower).Sum(f => (long)_net.CustomersDownstream[f.Node] * (f.End == Never ? 2 : 3));
            _raw.Capacity = (int)Math.Min(Array.MaxLength / 2, _raw.Count + expected + 16);
            _merging = FaultsOverlap();
            foreach (var f in faults)
            {
                if (f.IsPower) WalkPowerFault(f);
            }
            if (_merging)
            {
                MergeInterruptions();
                foreach (var interruption in _interruptions)
                {
                    CustomerSignals(interruption);
                }
            }

            foreach (var f in faults)
            {
                if (!f.IsPower) FiberCut(f);
            }

            var span = CollectionsMarshal.AsSpan(_raw);
            span.Sort(new ArrivalOrder());

            var truth = new FaultTruth[faults.Length];
            foreach (var f in faults)
            {
                var nested = new NestedOutageTruth[f.NestedNodes.Length];
                for (int j = 0; j < nested.Length; j++)
                {
                    int c = f.NestedNodes[j];
                    nested[j] = new NestedOutageTruth(_net.Ids[c], c, _net.Kinds[c], f.Spec.StillOut![j].Until,
                        new NodeIdList(_net.Ids, f.NestedCustomers[j]));
                }
                truth[f.Id] = new FaultTruth(f.Id, _net.Ids[f.Node], f.Node, _net.Kinds[f.Node], f.Spec.Kind, f.Spec.Start, f.Spec.End,
                    new NodeIdList(_net.Ids, f.Customers), nested, f.Emitted);
            }
            return new SimulatedStorm(_net, sim._seed, _o, meterRate, callRate, _raw, truth, [.. _reclosings], _open,
                sim._assetOfNode, sim._customerOfMeter);
        }

        private void AddOpen(int node, long start, long end)
        {
            if (!_open.TryGetValue(node, out var list))
            {
                _open[node] = list = [];
            }
            list.Add((start, end));
        }

        private bool IsOpenOnPath(int node, long at)
        {
            for (int a = node; a >= 0; a = _net.Parents[a])
            {
                if (_open.TryGetValue(a, out var list))
                {
                    foreach (var (s, e) in list)
                    {
                        if (s <= at && at < e) return true;
                    }
                }
            }
            return false;
        }

        // ---- SCADA ----------------------------------------------------------------------

        private void DeviceSignals(Fault f)
        {
            var kind = _net.Kinds[f.Node];
            if (IsTelemetered(kind))
            {
                Scada(f.Spec.Kind == FaultKind.Sustained ? SignalType.ScadaLockout : SignalType.ScadaTrip, f.Node, f.Start, f.Id);
                if (f.End != Never) Scada(SignalType.ScadaClose, f.Node, f.End, f.Id);
            }
            else if (kind is NodeKind.Fuse or NodeKind.Switch or NodeKind.Transformer && rng.Chance(_o.ReclosingTripProbability))
            {
                int zone = _net.Parents[f.Node];
                while (zone >= 0 && !IsTelemetered(_net.Kinds[zone])) zone = _net.Parents[zone];
                if (zone >= 0 && !IsOpenOnPath(zone, f.Start))
                {
                    long close = f.Start + rng.Ticks(1 * Draw.Second, 3 * Draw.Second);
                    Scada(SignalType.ScadaTrip, zone, f.Start, f.Id);
                    Scada(SignalType.ScadaClose, zone, close, f.Id);
                    AddOpen(zone, f.Start, close);
                    _reclosings.Add(new ReclosingTruth(f.Id, _net.Ids[zone], zone, Time(f.Start), Time(close)));
                }
            }

            for (int j = 0; j < f.NestedNodes.Length; j++)
            {
                int c = f.NestedNodes[j];
                if (!IsTelemetered(_net.Kinds[c])) continue;
                Scada(SignalType.ScadaLockout, c, f.End, f.Id);
                if (f.NestedUntil[j] != Never) Scada(SignalType.ScadaClose, c, f.NestedUntil[j], f.Id);
            }

            if (f.Spec.Kind == FaultKind.Sustained && rng.Chance(_o.FaultWireDownProbability))
            {
                long at = f.Start + CallDelay();
                if (at < f.End) LocatedCall(SignalType.CallWireDown, f.Node, at, f.Id);
            }
        }

        private void Scada(SignalType type, int device, long at, int fault) =>
            Add(type, device, at, at + rng.Ticks(Draw.Second / 2, 2 * Draw.Second), fault);

        // ---- Customers ------------------------------------------------------------------

        /// <summary>True when two power faults share customers (one device at or above another).</summary>
        private bool FaultsOverlap()
        {
            var devices = new HashSet<int>();
            foreach (var f in faults)
            {
                if (f.IsPower && !devices.Add(f.Node)) return true;
            }
            foreach (var f in faults)
            {
                if (!f.IsPower) continue;
                for (int a = _net.Parents[f.Node]; a >= 0; a = _net.Parents[a])
                {
                    if (devices.Contains(a)) return true;
                }
            }
            return false;
        }

        private void WalkPowerFault(Fault f)
        {
            f.Customers = new int[_net.CustomersDownstream[f.Node]];
            var nestedCustomers = new List<int>[f.NestedNodes.Length];
            for (int j = 0; j < nestedCustomers.Length; j++) nestedCustomers[j] = [];
            int k = 0;
            _stack.Push((f.Node, f.End, 0, -1));
            while (_stack.TryPop(out var item))
            {
                var (x, end, parentRestored, nested) = item;
                int j = Array.IndexOf(f.NestedNodes, x);
                if (j >= 0)
                {
                    (end, parentRestored, nested) = (f.NestedUntil[j], f.End, j);
                }
                if (_net.Kinds[x] == NodeKind.Customer)
                {
                    f.Customers[k++] = x;
                    if (nested >= 0) nestedCustomers[nested].Add(x);
                    var interruption = new Interruption { Node = x, Fault = f.Id, Start = f.Start, End = end, ParentRestored = parentRestored };
                    if (_merging) _interruptions.Add(interruption);
                    else CustomerSignals(interruption);
                    continue;
                }
                var children = _net.ChildrenOf(x);
                for (int i = children.Length - 1; i >= 0; i--)
                {
                    if (_net.CustomersDownstream[children[i]] > 0) _stack.Push((children[i], end, parentRestored, nested));
                }
            }
            f.NestedCustomers = [.. nestedCustomers.Select(l => l.ToArray())];
        }

        /// <summary>One interruption per customer and stretch of darkness, attributed to the fault that started it.</summary>
        private void MergeInterruptions()
        {
            var span = CollectionsMarshal.AsSpan(_interruptions);
            span.Sort(new ByCustomerThenStart());
            int w = 0;
            for (int r = 0; r < span.Length; r++)
            {
                if (w > 0 && span[w - 1].Node == span[r].Node && span[r].Start <= span[w - 1].End)
                {
                    ref var current = ref span[w - 1];
                    if (span[r].End > current.End)
                    {
                        current.End = span[r].End;
                        current.ParentRestored = span[r].ParentRestored;
                    }
                    continue;
                }
                span[w++] = span[r];
            }
            _interruptions.RemoveRange(w, _interruptions.Count - w);
        }

        private void CustomerSignals(in Interruption x)
        {
            int node = x.Node;
            long s = x.Start;
            long e = x.End;
            var asset = _net.Assets[sim._assetOfNode[node]];

            // Kaifa meter: stamps the loss, qualifies it, then gasps (if the mesh carries it).
            long occurred = s + rng.Ticks(0, 2 * Draw.Second);
            long qualification = rng.Ticks(30 * Draw.Second, 45 * Draw.Second);
            if (e > occurred + qualification)
            {
                if (rng.Chance(meterRate))
                {
                    long jitter = rng.Exponential(3 * Draw.Second, 20 * Draw.Second);
                    Add(SignalType.LastGasp, node, occurred, occurred + qualification + jitter, x.Fault);
                }
                if (e != Never && rng.Chance(_o.MeterRestoreRate))
                {
                    long back = e + rng.Ticks(0, 2 * Draw.Second);
                    Add(SignalType.PowerRestore, node, back, back + rng.Ticks(5 * Draw.Second, 60 * Draw.Second), x.Fault);
                }
            }

            // ONU: gasps at once, registers again when power is back.
            if (asset.OnuId is not null)
            {
                long gasp = s + rng.Ticks(0, Draw.Second);
                if (gasp < e && rng.Chance(_o.OnuReportRate))
                {
                    Add(SignalType.DyingGasp, node, gasp, gasp + rng.Ticks(Draw.Second / 2, 3 * Draw.Second), x.Fault);
                }
                if (e != Never && rng.Chance(_o.OnuOnlineRate))
                {
                    long online = e + rng.Ticks(0, 2 * Draw.Second);
                    Add(SignalType.OnuOnline, node, online, online + rng.Ticks(Draw.Second, 10 * Draw.Second), x.Fault);
                }
            }

            // Calls: about the outage, again when the neighbours got power back but not them, and thanks.
            if (rng.Chance(callRate))
            {
                long at = s + CallDelay();
                if (at < e) CustomerCall(OutageCategory(), node, at, x.Fault);
                else if (rng.Chance(_o.FlickerCallShare)) CustomerCall(SignalType.CallFlickering, node, at, x.Fault);
            }
            if (x.ParentRestored != 0 && rng.Chance(callRate))
            {
                long at = x.ParentRestored + CallDelay();
                if (at < e) CustomerCall(OutageCategory(), node, at, x.Fault);
            }
            if (e != Never && e - s > MomentaryLimit && rng.Chance(_o.RestoredCallRate))
            {
                CustomerCall(SignalType.CallPowerRestored, node, e + CallDelay(), x.Fault);
            }
        }

        private SignalType OutageCategory()
        {
            double r = rng.NextDouble();
            return r < _o.WireDownShare ? SignalType.CallWireDown
                : r < _o.WireDownShare + _o.PartialPowerShare ? SignalType.CallPartialPower
                : SignalType.CallNoPower;
        }

        /// <summary>Log-normal, median 6 min, σ 0.8, clipped to 1–40 min.</summary>
        private long CallDelay()
        {
            double minutes = 6.0 * Math.Exp(0.8 * rng.Normal());
            return (long)(Math.Clamp(minutes, 1.0, 40.0) * Draw.Minute);
        }

        private void CustomerCall(SignalType type, int customer, long at, int fault)
        {
            if (rng.Chance(_o.AccountShare))
            {
                Add(type, customer, at, at, fault);
            }
            else
            {
                LocatedCall(type, customer, at, fault);
            }
        }

        /// <summary>A call that gives only a place, uniform in a 30 m disc around the node.</summary>
        private void LocatedCall(SignalType type, int node, long at, int fault)
        {
            double radius = 30.0 * Math.Sqrt(rng.NextDouble());
            double angle = 2.0 * Math.PI * rng.NextDouble();
            Add(type, node, at, at, fault, RawFlags.LocationOnly, (float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle)));
        }

        // ---- Fiber ----------------------------------------------------------------------

        private void FiberCut(Fault f)
        {
            var customers = new List<int>();
            _stack.Push((f.Node, 0, 0, -1));
            while (_stack.TryPop(out var item))
            {
                int x = item.Node;
                if (_net.Kinds[x] == NodeKind.Customer)
                {
                    if (_net.Assets[sim._assetOfNode[x]].OnuId is null) continue;
                    customers.Add(x);
                    long los = f.Start + rng.Ticks(0, Draw.Second);
                    Add(SignalType.OnuLos, x, los, los + rng.Ticks(Draw.Second / 2, 3 * Draw.Second), f.Id);
                    if (f.End != Never && rng.Chance(_o.OnuOnlineRate))
                    {
                        long online = f.End + rng.Ticks(0, 2 * Draw.Second);
                        Add(SignalType.OnuOnline, x, online, online + rng.Ticks(Draw.Second, 10 * Draw.Second), f.Id);
                    }
                    continue;
                }
                var children = _net.ChildrenOf(x);
                for (int i = children.Length - 1; i >= 0; i--)
                {
                    if (_net.CustomersDownstream[children[i]] > 0) _stack.Push((children[i], 0, 0, -1));
                }
            }
            f.Customers = [.. customers];
        }

        private void Add(SignalType type, int node, long occurred, long received, int fault,
            RawFlags flags = RawFlags.None, float north = 0, float east = 0)
        {
            _raw.Add(new RawSignal
            {
                Received = received,
                Occurred = occurred,
                Seq = _raw.Count,
                Fault = fault,
                Node = node,
                Type = type,
                Flags = flags,
                North = north,
                East = east,
            });
            faults[fault].Emitted++;
        }

        private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);
    }
}
