using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Simulation;

/// <summary>
/// What <see cref="StormScenarios.Random"/> produces. Shares and weights are relative (they need
/// not add up to 1).
/// </summary>
public sealed record ScenarioMix
{
    public static ScenarioMix Default { get; } = new();

    // ---- What happens ----
    /// <summary>Relative share of plain sustained faults.</summary>
    public double Sustained { get; init; } = 0.60;
    /// <summary>Relative share of momentary interruptions (60–240 s).</summary>
    public double Momentary { get; init; } = 0.15;
    /// <summary>Relative share of fiber cuts (ONU loss of signal, no power lost).</summary>
    public double FiberCut { get; init; } = 0.05;
    /// <summary>Relative share of sustained faults restored partially (a device below stays out longer: a nested outage).</summary>
    public double PartialRestoration { get; init; } = 0.20;

    // ---- Where (relative weights of the faulted device's kind) ----
    public double AtFeeder { get; init; } = 0.02;
    public double AtRecloser { get; init; } = 0.05;
    public double AtSwitch { get; init; } = 0.10;
    public double AtFuse { get; init; } = 0.33;
    public double AtTransformer { get; init; } = 0.42;
    /// <summary>A single customer's service drop.</summary>
    public double AtService { get; init; } = 0.08;

    /// <summary>
    /// Chance that a fault is placed on purpose in the zone (nearest recloser or feeder breaker) of
    /// an earlier fault at a fuse, switch, transformer or service, starting within 60 s of it: two
    /// independent sustained faults the engine must not merge.
    /// </summary>
    public double Simultaneous { get; init; } = 0.15;

    /// <summary>How long sustained faults and fiber cuts last (log-uniform). The minimum must exceed 5 minutes.</summary>
    public (TimeSpan Min, TimeSpan Max) SustainedDuration { get; init; } = (TimeSpan.FromMinutes(30), TimeSpan.FromHours(4));

    /// <summary>How much longer a nested device of a partial restoration stays out (uniform).</summary>
    public (TimeSpan Min, TimeSpan Max) NestedExtra { get; init; } = (TimeSpan.FromMinutes(15), TimeSpan.FromHours(2));

    /// <summary>Share of sustained faults, fiber cuts and nested outages not restored within the run (<c>End</c> null).</summary>
    public double Unrestored { get; init; } = 0.05;

    internal void Validate()
    {
        double[] shares = [Sustained, Momentary, FiberCut, PartialRestoration];
        double[] weights = [AtFeeder, AtRecloser, AtSwitch, AtFuse, AtTransformer, AtService];
        if (shares.Any(s => !(s >= 0)) || shares.Sum() <= 0)
            throw new ArgumentException("fault kind shares must be non-negative and not all zero", "mix");
        if (weights.Any(w => !(w >= 0)) || weights.Sum() <= 0)
            throw new ArgumentException("device kind weights must be non-negative and not all zero", "mix");
        if (!(Simultaneous is >= 0 and <= 1) || !(Unrestored is >= 0 and <= 1))
            throw new ArgumentException("Simultaneous and Unrestored are probabilities", "mix");
        if (SustainedDuration.Min <= TimeSpan.FromMinutes(5) || SustainedDuration.Max < SustainedDuration.Min)
            throw new ArgumentException("SustainedDuration must be a range above 5 minutes", "mix");
        if (NestedExtra.Min <= TimeSpan.Zero || NestedExtra.Max < NestedExtra.Min)
            throw new ArgumentException("NestedExtra must be a positive range", "mix");
    }
}

/// <summary>Restoration of a mass outage: each fault is restored at a uniform time in [<paramref name="From"/>, From + <paramref name="Over"/>].</summary>
public sealed record RestorationWave(DateTimeOffset From, TimeSpan Over);

/// <summary>Seeded fault lists for <see cref="StormSimulator"/>: the same arguments give the same list.</summary>
public static class StormScenarios
{
    private static readonly NodeKind[] Fallbacks = [NodeKind.Transformer, NodeKind.Fuse, NodeKind.Customer];

    /// <summary>
    /// A realistic storm of up to <paramref name="faults"/> faults starting in
    /// [<paramref name="start"/>, start + <paramref name="spread"/>], sorted by start. Devices are
    /// drawn by the mix's weights (most at transformers and fuses), never a device without
    /// customers (e.g. a normally-open switch), and no two faults on one path (no fault above or
    /// below another), except the nested device of a partial restoration. When a kind has no free
    /// device left another kind is used; when the network is full, fewer faults are returned.
    /// </summary>
    public static IReadOnlyList<FaultSpec> Random(NetworkTopology network, int seed, int faults, DateTimeOffset start,
        TimeSpan spread, ScenarioMix? mix = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(faults);
        ArgumentOutOfRangeException.ThrowIfLessThan(spread, TimeSpan.Zero);
        mix ??= ScenarioMix.Default;
        mix.Validate();
        var rng = new System.Random(seed);
        var picker = new Picker(network, rng);

        var drafts = new List<Draft>(faults);
        for (int i = 0; i < faults; i++)
        {
            drafts.Add(new Draft(DeviceKindOf(rng, mix), i > 0 && rng.Chance(mix.Simultaneous)));
        }

        // Independent faults, smallest devices first, so a big device only takes a free subtree.
        foreach (var d in drafts.Where(d => !d.Simultaneous).OrderBy(d => Level(d.DeviceKind)))
        {
            d.Node = picker.Place(d.DeviceKind);
        }
        var partners = drafts.Where(d => !d.Simultaneous && d.Node >= 0 && Level(network.Kinds[d.Node]) <= Level(NodeKind.Switch)).ToList();
        foreach (var d in drafts.Where(d => d.Simultaneous))
        {
            if (partners.Count > 0)
            {
                var partner = partners[rng.Next(partners.Count)];
                int zone = ZoneOf(network, partner.Node);
                d.Node = zone >= 0 ? picker.PlaceInZone(zone) : -1;
                if (d.Node >= 0)
                {
                    d.Partner = partner;
                    partner.IsPartner = true;
                    continue;
                }
            }
            d.Simultaneous = false;
            d.Node = picker.Place(NodeKind.Transformer);
        }

        var specs = new List<FaultSpec>(faults);
        foreach (var d in drafts.Where(d => d.Node >= 0 && !d.Simultaneous))
        {
            var start1 = start + TimeSpan.FromTicks(rng.Ticks(0, spread.Ticks + 1));
            var kind = KindOf(rng, mix, out bool partial);
            if (d.IsPartner && kind != FaultKind.Sustained)
            {
                kind = FaultKind.Sustained;
            }
            d.Spec = kind switch
            {
                FaultKind.Momentary => new FaultSpec(network.Ids[d.Node], kind, start1,
                    start1 + TimeSpan.FromTicks(rng.Ticks(60 * Draw.Second, 240 * Draw.Second))),
                _ => Lasting(network, rng, mix, picker, d.Node, kind, start1, partial),
            };
            specs.Add(d.Spec);
        }
        foreach (var d in drafts.Where(d => d.Node >= 0 && d.Simultaneous))
        {
            var start1 = d.Partner!.Spec!.Start + TimeSpan.FromTicks(rng.Ticks(0, 60 * Draw.Second));
            specs.Add(Lasting(network, rng, mix, picker, d.Node, FaultKind.Sustained, start1, partial: false));
        }
        return [.. specs.OrderBy(s => s.Start)];
    }

    /// <summary>
    /// Load work: sustained faults at the heads of <paramref name="share"/> of the feeders (all by
    /// default), starting uniformly in [<paramref name="start"/>, start + <paramref name="spread"/>]:
    /// every customer of those feeders loses power. Not restored unless a
    /// <paramref name="restoration"/> wave is given (it must start more than 5 minutes after the
    /// last fault). On a 1,000,000-customer utility this gives about MeterReportRate × 1,000,000 last
    /// gasps plus the dying gasps and calls.
    /// </summary>
    public static IReadOnlyList<FaultSpec> MassOutage(NetworkTopology network, int seed, DateTimeOffset start, TimeSpan spread,
        double share = 1.0, RestorationWave? restoration = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(spread, TimeSpan.Zero);
        if (!(share is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "must be in [0, 1]");
        }
        if (restoration is not null && (restoration.From <= start + spread + TimeSpan.FromMinutes(5) || restoration.Over < TimeSpan.Zero))
        {
            throw new ArgumentException("the restoration wave must start more than 5 minutes after the last fault", nameof(restoration));
        }
        var rng = new System.Random(seed);
        var specs = new List<FaultSpec>();
        foreach (int feeder in network.OfKind(NodeKind.Feeder))
        {
            if (network.CustomersDownstream[feeder] == 0 || (share < 1 && !rng.Chance(share))) continue;
            var at = start + TimeSpan.FromTicks(rng.Ticks(0, spread.Ticks + 1));
            DateTimeOffset? end = restoration is null ? null : restoration.From + TimeSpan.FromTicks(rng.Ticks(0, restoration.Over.Ticks + 1));
            specs.Add(new FaultSpec(network.Ids[feeder], FaultKind.Sustained, at, end));
        }
        return [.. specs.OrderBy(s => s.Start)];
    }

    private static FaultSpec Lasting(NetworkTopology network, System.Random rng, ScenarioMix mix, Picker picker, int node,
        FaultKind kind, DateTimeOffset start, bool partial)
    {
        double lnMin = Math.Log(mix.SustainedDuration.Min.Ticks);
        double lnMax = Math.Log(mix.SustainedDuration.Max.Ticks);
        var duration = TimeSpan.FromTicks((long)Math.Exp(rng.Uniform(lnMin, lnMax)));
        if (partial)
        {
            int nested = picker.NestedUnder(node);
            if (nested >= 0)
            {
                var end = start + duration;
                DateTimeOffset? until = rng.Chance(mix.Unrestored)
                    ? null
                    : end + TimeSpan.FromTicks(rng.Ticks(mix.NestedExtra.Min.Ticks, mix.NestedExtra.Max.Ticks + 1));
                return new FaultSpec(network.Ids[node], kind, start, end, [new NestedOutage(network.Ids[nested], until)]);
            }
        }
        return new FaultSpec(network.Ids[node], kind, start, rng.Chance(mix.Unrestored) ? null : start + duration);
    }

    private static FaultKind KindOf(System.Random rng, ScenarioMix mix, out bool partial)
    {
        double r = rng.NextDouble() * (mix.Sustained + mix.Momentary + mix.FiberCut + mix.PartialRestoration);
        partial = false;
        if ((r -= mix.Sustained) < 0) return FaultKind.Sustained;
        if ((r -= mix.Momentary) < 0) return FaultKind.Momentary;
        if ((r -= mix.FiberCut) < 0) return FaultKind.FiberCut;
        partial = true;
        return FaultKind.Sustained;
    }

    private static NodeKind DeviceKindOf(System.Random rng, ScenarioMix mix)
    {
        (NodeKind Kind, double Weight)[] table =
        [
            (NodeKind.Customer, mix.AtService), (NodeKind.Transformer, mix.AtTransformer), (NodeKind.Fuse, mix.AtFuse),
            (NodeKind.Switch, mix.AtSwitch), (NodeKind.Recloser, mix.AtRecloser), (NodeKind.Feeder, mix.AtFeeder),
        ];
        double r = rng.NextDouble() * table.Sum(t => t.Weight);
        foreach (var (kind, weight) in table)
        {
            if ((r -= weight) < 0) return kind;
        }
        return NodeKind.Transformer;
    }

    /// <summary>Placement order: the smaller the device usually is, the earlier.</summary>
    private static int Level(NodeKind kind) => kind switch
    {
        NodeKind.Customer => 0,
        NodeKind.Transformer => 1,
        NodeKind.Fuse => 2,
        NodeKind.Switch => 3,
        NodeKind.Recloser => 4,
        _ => 5,
    };

    /// <summary>The nearest recloser or feeder breaker strictly above the node, -1 if none.</summary>
    private static int ZoneOf(NetworkTopology network, int node)
    {
        int a = network.Parents[node];
        while (a >= 0 && !StormSimulator.IsTelemetered(network.Kinds[a])) a = network.Parents[a];
        return a;
    }

    private sealed class Draft(NodeKind deviceKind, bool simultaneous)
    {
        public readonly NodeKind DeviceKind = deviceKind;
        public bool Simultaneous = simultaneous;
        public int Node = -1;
        public bool IsPartner;
        public Draft? Partner;
        public FaultSpec? Spec;
    }

    /// <summary>Picks fault devices so that no picked device is above or below another.</summary>
    private sealed class Picker
    {
        private const int Attempts = 32;
        private readonly NetworkTopology _net;
        private readonly System.Random _rng;
        private readonly bool[] _picked;
        private readonly int[] _pickedBelow;
        private readonly Dictionary<NodeKind, int[]> _candidates;

        public Picker(NetworkTopology network, System.Random rng)
        {
            _net = network;
            _rng = rng;
            _picked = new bool[network.Count];
            _pickedBelow = new int[network.Count];
            var lists = new Dictionary<NodeKind, List<int>>();
            for (int i = 0; i < network.Count; i++)
            {
                if (network.CustomersDownstream[i] == 0 || network.Kinds[i] == NodeKind.Substation) continue;
                if (!lists.TryGetValue(network.Kinds[i], out var list)) lists[network.Kinds[i]] = list = [];
                list.Add(i);
            }
            _candidates = lists.ToDictionary(p => p.Key, p => p.Value.ToArray());
        }

        public int Place(NodeKind kind)
        {
            int node = TryKind(kind);
            foreach (var fallback in Fallbacks)
            {
                if (node >= 0) break;
                node = TryKind(fallback);
            }
            if (node >= 0) Take(node);
            return node;
        }

        /// <summary>A free fuse or transformer in the zone, found by walking down towards a random customer.</summary>
        public int PlaceInZone(int zone)
        {
            var options = new List<int>();
            for (int attempt = 0; attempt < Attempts / 2; attempt++)
            {
                options.Clear();
                foreach (int node in Descend(zone))
                {
                    if (_net.Kinds[node] is NodeKind.Fuse or NodeKind.Transformer && Free(node)) options.Add(node);
                }
                if (options.Count > 0)
                {
                    int node = options[_rng.Next(options.Count)];
                    Take(node);
                    return node;
                }
            }
            return -1;
        }

        /// <summary>A device strictly under the node with fewer customers, for a nested outage; -1 if none.</summary>
        public int NestedUnder(int device)
        {
            var options = new List<int>();
            foreach (int node in Descend(device))
            {
                bool fits = _net.Kinds[node] != NodeKind.Customer || _net.Kinds[device] == NodeKind.Transformer;
                if (fits && _net.CustomersDownstream[node] < _net.CustomersDownstream[device]) options.Add(node);
            }
            return options.Count == 0 ? -1 : options[_rng.Next(options.Count)];
        }

        private int TryKind(NodeKind kind)
        {
            if (!_candidates.TryGetValue(kind, out var nodes)) return -1;
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                int node = nodes[_rng.Next(nodes.Length)];
                if (Free(node)) return node;
            }
            return -1;
        }

        /// <summary>The path below <paramref name="from"/> to a customer drawn in proportion to customers.</summary>
        private List<int> Descend(int from)
        {
            var path = new List<int>();
            int node = from;
            while (_net.Kinds[node] != NodeKind.Customer)
            {
                int r = _rng.Next(_net.CustomersDownstream[node]);
                int next = -1;
                foreach (int child in _net.ChildrenOf(node))
                {
                    next = child;
                    if ((r -= _net.CustomersDownstream[child]) < 0) break;
                }
                if (next < 0) break;
                node = next;
                path.Add(node);
            }
            return path;
        }

        private bool Free(int node)
        {
            if (_pickedBelow[node] > 0) return false;
            for (int a = _net.Parents[node]; a >= 0; a = _net.Parents[a])
            {
                if (_picked[a]) return false;
            }
            return true;
        }

        private void Take(int node)
        {
            _picked[node] = true;
            for (int a = node; a >= 0; a = _net.Parents[a]) _pickedBelow[a]++;
        }
    }
}
