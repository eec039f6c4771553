using System.Runtime.InteropServices;
using System.Globalization;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

public sealed partial class CorrelationEngine
{
    // Scratch space of one prediction, reused across feeders.
    private readonly List<int> _faults = [];

    // The tree programme's result per node, kept between ticks: a node's result depends only on
    // the counts and times below it, so it stays valid until a customer or SCADA state below it
    // changes (SetState, Open and Close walk to the root anyway and clear the stamp on the way)
    // or the rule set's window changes (a new epoch). A tick then re-solves only the paths that
    // changed instead of every dark node of the feeder.
    private readonly double[] _dpCost;
    private readonly double[] _dpSplit;
    private readonly long[] _dpMin;
    private readonly long[] _dpMax;
    private readonly DpChoice[] _dpChoice;
    private readonly int[] _dpStamp;
    private int _epoch = 1;
    private long _dpWindow = -1;

    private enum DpChoice : byte
    {
        /// <summary>Explained by the children separately.</summary>
        Split,
        /// <summary>The node is open: one fault explains everything below.</summary>
        Open,
        /// <summary>A customer explained by itself (a service outage).</summary>
        Customer,
        /// <summary>SCADA reports the device open.</summary>
        ScadaOpen,
    }

    /// <summary>Re-explains one feeder's dark customers and reconciles the result with its open outages.</summary>
    private void Predict(int feeder, long now)
    {
        _faults.Clear();
        long window = ActiveRules.TimeWindow.Ticks;
        if (window != _dpWindow)
        {
            _dpWindow = window;
            _epoch++;
        }
        if (_dark[feeder] > 0 || _open[feeder] > 0)
        {
            Solve(feeder, window);
            CollectFaults(feeder);
        }
        Reconcile(feeder, now);
    }

    /// <summary>Marks the programme's results on the path from <paramref name="node"/> to the root as stale.</summary>
    private void Invalidate(int node)
    {
        for (int a = node; a >= 0; a = _net.Parents[a]) _dpStamp[a] = 0;
    }

    /// <summary>
    /// The cheapest explanation of the dark customers below <paramref name="v"/>: either
    /// <paramref name="v"/> is open (one fault, plus the silent and live customers below it), or
    /// its children are explained separately. Records the choice per node; results still valid
    /// from an earlier tick are reused.
    /// </summary>
    private (double Cost, long MinT, long MaxT) Solve(int v, long window)
    {
        if (_dpStamp[v] == _epoch) return (_dpCost[v], _dpMin[v], _dpMax[v]);
        double cost, split = double.PositiveInfinity;
        long minT, maxT;
        DpChoice choice;
        if (_net.Kinds[v] == NodeKind.Customer)
        {
            cost = _opt.FaultCost;
            minT = maxT = _since[v];
            choice = DpChoice.Customer;
        }
        else
        {
            split = 0;
            minT = long.MaxValue;
            maxT = long.MinValue;
            foreach (int child in _net.ChildrenOf(v))
            {
                if (_dark[child] == 0 && _open[child] == 0) continue;
                var (c, lo, hi) = Solve(child, window);
                split += c;
                if (lo < minT) minT = lo;
                if (hi > maxT) maxT = hi;
            }
            cost = split;
            choice = DpChoice.Split;
            if (_scadaOpen[v] || IsPinned(v))
            {
                // SCADA, or an operator who placed an outage here, reports the device open.
                long opened = _scadaEvidence.TryGetValue(v, out var ev) ? EarliestOccurred(ev) : IsPinned(v) ? _pinnedAt![v] : minT;
                cost = 0;
                choice = DpChoice.ScadaOpen;
                minT = Math.Min(minT, opened);
                maxT = Math.Max(maxT, opened);
            }
            else if (_dark[v] > 0 && !IsTelemetered(v) && maxT - minT <= window)
            {
                double open = OpenCost(v);
                if (open < split)
                {
                    cost = open;
                    choice = DpChoice.Open;
                }
            }
        }
        _dpCost[v] = cost;
        _dpSplit[v] = split;
        _dpMin[v] = minT;
        _dpMax[v] = maxT;
        _dpChoice[v] = choice;
        _dpStamp[v] = _epoch;
        return (cost, minT, maxT);
    }

    /// <summary>Pushes the fault nodes of the solved explanation below <paramref name="v"/> on <see cref="_faults"/>.</summary>
    private void CollectFaults(int v)
    {
        if (_dpChoice[v] != DpChoice.Split)
        {
            _faults.Add(v);
            return;
        }
        foreach (int child in _net.ChildrenOf(v))
        {
            if (_dark[child] > 0 || _open[child] > 0) CollectFaults(child);
        }
    }

    private static long EarliestOccurred(List<Evidence> evidence)
    {
        long min = long.MaxValue;
        foreach (var e in evidence) min = Math.Min(min, e.OccurredAt.UtcTicks);
        return min;
    }

    /// <summary>Cost of explaining everything below <paramref name="v"/> by <paramref name="v"/> being open.</summary>
    private double OpenCost(int v) => _opt.FaultCost + (_baseCost[v] - (_knownMeterOnly[v] * _meterOnlyCost + _knownWithOnu[v] * _withOnuCost)) + _live[v] * _opt.LiveCustomerCost;

    /// <summary>Feeder heads and reclosers report to SCADA: they are open only when SCADA says so.</summary>
    private bool IsTelemetered(int v) => _net.Kinds[v] is NodeKind.Feeder or NodeKind.Recloser;

    /// <summary>
    /// Matches the new set of open devices with the feeder's open outages: outages below a new
    /// fault merge into the oldest of them, which moves up to the fault; an outage above new
    /// faults moves down to the first of them (or, after a partial restoration, is restored and
    /// the faults become nested outages); faults matching nothing become new outages; outages
    /// left with no dark customer are restored.
    /// </summary>
    private void Reconcile(int feeder, long now)
    {
        var at = new DateTimeOffset(now, TimeSpan.Zero);
        if (!_activeByFeeder.TryGetValue(feeder, out var active)) _activeByFeeder[feeder] = active = [];
        var faultSet = new HashSet<int>(_faults);
        var under = new Dictionary<int, List<Outage>>();
        var uncovered = new List<Outage>();
        foreach (var o in active)
        {
            int cover = -1;
            for (int a = o.Device; a >= 0; a = _net.Parents[a])
            {
                if (faultSet.Contains(a)) { cover = a; break; }
            }
            if (cover >= 0)
            {
                if (!under.TryGetValue(cover, out var list)) under[cover] = list = [];
                list.Add(o);
            }
            else
            {
                uncovered.Add(o);
            }
        }
        var uncoveredAt = uncovered.ToDictionary(o => o.Device);
        var movedDown = new HashSet<Outage>();
        var touched = new List<Outage>();
        var targetAt = new Dictionary<int, Outage>();

        _faults.Sort();
        foreach (int f in _faults)
        {
            Outage target;
            if (under.TryGetValue(f, out var absorbed))
            {
                absorbed.Sort((a, b) => a.FirstDetectedAt != b.FirstDetectedAt ? a.FirstDetectedAt.CompareTo(b.FirstDetectedAt) : a.Number.CompareTo(b.Number));
                target = absorbed[0];
                if (target.Device != f)
                {
                    target.Timeline.Add(new TimelineEntry(at, "moved", null, null, $"prediction moved from {_net.Ids[target.Device]} to {_net.Ids[f]}: evidence rolled up"));
                    MoveDevice(target, f);
                }
                foreach (var other in absorbed.Skip(1)) Merge(other, target, at);
            }
            else if (AncestorOutage(f, uncoveredAt) is { } above)
            {
                if (above.Restored.Count > 0 || (IsTelemetered(above.Device) && !_scadaOpen[above.Device]))
                {
                    // Partial restoration: the ancestor is back, the rest is a nested outage.
                    RestoreOutage(above, LatestRestore(above) ?? at, $"partially restored: {_net.Ids[f]} and below still out");
                    target = NewOutage(f, feeder, at);
                    target.Parent = above;
                    target.Timeline.Add(new TimelineEntry(at, "nested", null, null, $"nested in {above.EventId} after its partial restoration"));
                }
                else if (movedDown.Add(above))
                {
                    above.Timeline.Add(new TimelineEntry(at, "moved", null, null, $"prediction moved from {_net.Ids[above.Device]} down to {_net.Ids[f]}: customers above it are not out"));
                    MoveDevice(above, f);
                    target = above;
                }
                else
                {
                    target = NewOutage(f, feeder, at);
                }
            }
            else
            {
                target = NewOutage(f, feeder, at);
            }
            // An outage still at the device it covered in full last time only needs the
            // customers that went dark since (below); a new, moved or merged one walks its subtree.
            Cover(target, f, full: target.CoveredDevice != f);
            targetAt[f] = target;
            touched.Add(target);
        }

        foreach (var o in uncovered)
        {
            if (o.IsActive && !movedDown.Contains(o))
            {
                RestoreOutage(o, LatestRestore(o) ?? at, "no customer of it is out any more");
            }
        }
        CoverNewlyDark(feeder, _faults, targetAt);
        foreach (var (device, evidence, how) in _unassignedScada)
        {
            var o = _outageAtDevice.GetValueOrDefault(device) ?? ActiveOutageAbove(device);
            _changes.Signals.Add(new AppliedSignal(ToSignal(evidence), o?.Number, true, o is null ? $"SCADA {how}: no outage" : null));
        }
        _unassignedScada.RemoveAll(u => _net.Feeders[u.Device] == feeder);
        foreach (var o in touched)
        {
            Refresh(o, at);
            PingNeighbours(o, at);
        }
    }

    /// <summary>
    /// A small outage may be part of a larger one whose other meters stayed silent: ping the
    /// silent meters under the device above it once, so that their answers settle the extent.
    /// </summary>
    private void PingNeighbours(Outage o, DateTimeOffset at)
    {
        if (_opt.PingLimit <= 0 || !o.IsActive) return;
        // The first device above that has customers the outage does not already cover.
        int parent = _net.Parents[o.Device];
        while (parent >= 0 && _net.CustomersDownstream[parent] <= Math.Max(1, _net.CustomersDownstream[o.Device])) parent = _net.Parents[parent];
        if (parent < 0 || IsTelemetered(parent) || _net.Kinds[parent] == NodeKind.Substation) return;
        if (_net.CustomersDownstream[parent] > _opt.NeighbourPingLimit || !_neighbourPinged.Add(((long)o.Number << 24) ^ parent)) return;
        var meters = new List<string>();
        foreach (int c in CustomersBelow(parent))
        {
            if (_state[c] == CustomerState.Unknown && _index.MeterOf[c] is { } meter) meters.Add(meter);
        }
        if (meters.Count > 0)
        {
            meters.Sort(StringComparer.Ordinal);
            _changes.Pings.Add(new PingRequest(at, o.Number, meters));
        }
    }

    private Outage? AncestorOutage(int node, Dictionary<int, Outage> outagesAt)
    {
        for (int a = _net.Parents[node]; a >= 0; a = _net.Parents[a])
        {
            if (outagesAt.TryGetValue(a, out var o) && o.IsActive) return o;
        }
        return null;
    }

    private Outage NewOutage(int device, int feeder, DateTimeOffset at)
    {
        long number = _nextNumber++;
        // First detection is the earliest evidence of what it covers, not the tick that found it.
        var first = EarliestEvidence(device) ?? at;
        var o = new Outage(number, string.Create(CultureInfo.InvariantCulture, $"OUT-{first.UtcDateTime:yyyyMMdd}-{number:D4}"), device, feeder, first);
        o.Timeline.Add(new TimelineEntry(first, "created", null, OutageStatus.Unconfirmed, $"predicted at {_net.Ids[device]} ({KindName(device)})"));
        _outages.Add(o);
        _activeByFeeder[feeder].Add(o);
        _outageAtDevice[device] = o;
        _changes.Mark(o, OutageChange.Created);
        if (o.Parent is null && FindRecentAncestor(device, feeder, first) is { } parent)
        {
            o.Parent = parent;
            o.Timeline.Add(new TimelineEntry(first, "nested", null, null, $"nested in {parent.EventId}: still out after its restoration"));
        }
        return o;
    }

    /// <summary>A restored outage above <paramref name="device"/> whose restoration this new outage follows within the rule window.</summary>
    private Outage? FindRecentAncestor(int device, int feeder, DateTimeOffset first)
    {
        if (!_restoredByFeeder.TryGetValue(feeder, out var recent)) return null;
        var window = ActiveRules.TimeWindow;
        recent.RemoveAll(r => r.RestoredAt is { } t && first - t > window);
        Outage? best = null;
        foreach (var r in recent)
        {
            if (r.Status != OutageStatus.Restored || r.RestoredAt is not { } restored || first < r.FirstDetectedAt) continue;
            if (restored - first > window) continue;
            for (int a = device; a >= 0; a = _net.Parents[a])
            {
                if (a == r.Device && (best is null || r.RestoredAt > best.RestoredAt)) { best = r; break; }
            }
        }
        return best;
    }

    private void MoveDevice(Outage o, int device)
    {
        if (_outageAtDevice.TryGetValue(o.Device, out var at) && at == o) _outageAtDevice.Remove(o.Device);
        o.Device = device;
        _outageAtDevice[device] = o;
        _changes.Mark(o, OutageChange.Updated);
    }

    private void Merge(Outage absorbed, Outage survivor, DateTimeOffset at)
    {
        absorbed.MergedInto = survivor;
        absorbed.SetStatus(OutageStatus.Merged, at, $"merged into {survivor.EventId} at {_net.Ids[survivor.Device]}");
        Deactivate(absorbed);
        foreach (var e in absorbed.Evidence.Where(e => e.Customer < 0 || !_customerEvidence.ContainsKey(e.Customer)))
        {
            // Evidence that covering will not bring along (SCADA, restorations) moves explicitly.
            survivor.Evidence.Add(e);
            _evidenceOutage[Key(e.Source, e.SourceId)] = survivor.Number;
            _changes.EvidenceMoves.Add((e.Source, e.SourceId, survivor.Number));
        }
        // The absorbed outage's customers lost their cover: the survivor walks its subtree again.
        survivor.CoveredDevice = -1;
        foreach (int c in absorbed.Restored) survivor.Restored.Add(c);
        if (absorbed.FirstDetectedAt < survivor.FirstDetectedAt) survivor.FirstDetectedAt = absorbed.FirstDetectedAt;
        survivor.HasHazard |= absorbed.HasHazard;
        _changes.Mark(absorbed, OutageChange.Merged);
    }

    private void Deactivate(Outage o)
    {
        Unpin(o);
        _activeByFeeder[o.Feeder].Remove(o);
        if (_outageAtDevice.TryGetValue(o.Device, out var at) && at == o) _outageAtDevice.Remove(o.Device);
        foreach (int c in o.Customers)
        {
            if (_coveredBy[c] == o) Uncover(c);
        }
    }

    /// <summary>
    /// Makes <paramref name="o"/> the cover of the dark customers below <paramref name="device"/>
    /// (all of them when <paramref name="full"/>, else they are covered as they go dark), taking
    /// their evidence, and of the SCADA evidence at the device.
    /// </summary>
    private void Cover(Outage o, int device, bool full)
    {
        if (full)
        {
            var stack = new Stack<int>();
            stack.Push(device);
            while (stack.Count > 0)
            {
                int v = stack.Pop();
                if (_net.Kinds[v] == NodeKind.Customer)
                {
                    if (_state[v] == CustomerState.Dark) CoverCustomer(o, v);
                    continue;
                }
                foreach (int child in _net.ChildrenOf(v))
                {
                    if (_dark[child] > 0) stack.Push(child);
                }
            }
        }
        o.CoveredDevice = device;
        if (_scadaEvidence.TryGetValue(device, out var scada))
        {
            foreach (var e in scada)
            {
                var key = Key(e.Source, e.SourceId);
                if (_evidenceOutage.TryGetValue(key, out long had) && had == o.Number) continue;
                _evidenceOutage[key] = o.Number;
                o.Evidence.Add(e);
            }
            if (!o.ScadaConfirmed)
            {
                o.ScadaConfirmed = true;
                var opened = new DateTimeOffset(EarliestOccurred(scada), TimeSpan.Zero);
                if (opened < o.FirstDetectedAt) o.FirstDetectedAt = opened;
            }
        }
    }

    /// <summary>Covers the feeder's dark customers still without an outage: each goes to the fault above it.</summary>
    private void CoverNewlyDark(int feeder, List<int> faults, Dictionary<int, Outage> targetAt)
    {
        if (!_needsCover.Remove(feeder, out var customers)) return;
        // Mark the faults in an array (a stamp per call) so the walk up from each customer reads
        // one int per level instead of hashing.
        _faultStamp ??= new int[_net.Count];
        int stamp = ++_faultStampNow;
        foreach (int f in faults) _faultStamp[f] = stamp;
        foreach (int c in customers)
        {
            if (_state[c] != CustomerState.Dark || _coveredBy[c] is not null) continue;
            for (int a = c; a >= 0; a = _net.Parents[a])
            {
                if (_faultStamp[a] == stamp)
                {
                    CoverCustomer(targetAt[a], c);
                    break;
                }
            }
        }
    }

    private int[]? _faultStamp;
    private int _faultStampNow;

    /// <summary>Makes <paramref name="o"/> the cover of dark customer <paramref name="v"/>, taking its evidence from any previous cover.</summary>
    private void CoverCustomer(Outage o, int v)
    {
        var previous = _coveredBy[v];
        if (previous == o) return;
        _coveredBy[v] = o;
        o.Customers.Add(v);
        previous?.Customers.Remove(v);
        if (_customerEvidence.TryGetValue(v, out var list))
        {
            foreach (var e in list)
            {
                // One hash lookup: the slot tells whether the signal was evidence before and for whom.
                ref long owner = ref CollectionsMarshal.GetValueRefOrAddDefault(_evidenceOutage, Key(e.Source, e.SourceId), out bool moved);
                if (moved && owner == o.Number) continue;
                owner = o.Number;
                previous?.Evidence.Remove(e);
                o.Evidence.Add(e);
                if (moved) _changes.EvidenceMoves.Add((e.Source, e.SourceId, o.Number));
                else _changes.Signals.Add(new AppliedSignal(ToSignal(e), o.Number, true, null));
            }
        }
        if (_hazards.Contains(v) && !o.HasHazard)
        {
            o.HasHazard = true;
            o.Timeline.Add(new TimelineEntry(_since[v] == 0 ? o.FirstDetectedAt : new DateTimeOffset(_since[v], TimeSpan.Zero), "hazard", null, null, "wire down reported"));
        }
    }

    /// <summary>Recomputes confidence, status, severity, customers and explanation.</summary>
    private void Refresh(Outage o, DateTimeOffset at)
    {
        if (!o.IsActive) return;
        int device = o.Device;
        bool service = _net.Kinds[device] == NodeKind.Customer;
        o.AffectedCustomers = service ? 1 : _net.CustomersDownstream[device] - _live[device];
        var (confidence, parts) = ConfidenceModel.Compute(o.Evidence.Tally, _opt.Weights);
        o.Confidence = Math.Max(o.Confidence, confidence);
        var rules = RulesFor(o);
        if (o.Status != OutageStatus.Confirmed && (o.ScadaConfirmed || o.Confidence >= rules.ConfidenceThreshold))
        {
            var when = o.ScadaConfirmed
                ? o.Evidence.Where(e => e.Source == Signals.SourceSystem.Scada).Select(e => e.OccurredAt).DefaultIfEmpty(at).Min()
                : o.Evidence.Select(e => e.OccurredAt).DefaultIfEmpty(at).Max();
            o.ConfirmedAt = when;
            o.SetStatus(OutageStatus.Confirmed, when, o.ScadaConfirmed
                ? $"SCADA reports {_net.Ids[device]} open"
                : $"confidence {o.Confidence:0.00} reached the {rules.Name} threshold {rules.ConfidenceThreshold:0.00}");
        }
        var severity = o.AffectedCustomers >= 1000 ? Severity.Critical
            : o.AffectedCustomers >= 100 ? Severity.High
            : o.AffectedCustomers >= 10 ? Severity.Medium
            : Severity.Low;
        if (o.Confidence < 0.5 && severity > Severity.Low) severity--;
        if (o.HasHazard) severity = Severity.Critical;
        o.Severity = severity;
        // Re-explain (and report as updated) only when something the explanation shows changed:
        // in a storm most touched outages are unchanged at most ticks.
        int parent = _net.Parents[device];
        var inputs = (device, o.Evidence.Count, _dark[device], _live[device], o.Status, o.HasHazard, rules.Name);
        var costs = (o.Confidence, o.AffectedCustomers, _dpCost[device], _dpSplit[device], parent >= 0 ? _dark[parent] : 0, parent >= 0 ? _live[parent] : 0);
        if (o.Explanation is not null && inputs == o.ExplainedFrom && costs == o.ExplainedCosts) return;
        o.ExplainedFrom = inputs;
        o.ExplainedCosts = costs;
        o.Explanation = Explain(o, parts, rules);
        _changes.Mark(o, OutageChange.Updated);
    }

    private OutageExplanation Explain(Outage o, IReadOnlyList<ConfidencePart> parts, RuleSet rules)
    {
        int d = o.Device;
        var path = _net.PathToRoot(d).Select(i => _net.Ids[i]).ToList();
        int downstream = _net.CustomersDownstream[d];
        int dark = _dark[d], live = _live[d], silent = downstream - dark - live;
        // The node's last solution, also when a change since (e.g. a partial restoration in the
        // same reconcile) has marked it stale: NaN here made the explanation unwritable as JSON.
        var (chosen, split) = (_dpCost[d], _dpSplit[d]);
        int parent = _net.Parents[d];
        double? parentCost = parent >= 0 && !IsTelemetered(parent) && _net.Kinds[parent] != NodeKind.Substation ? OpenCost(parent) : null;
        string rule = _scadaOpen[d] ? "scada_lockout" : o.PinnedDevice == d ? "operator" : _net.Kinds[d] == NodeKind.Customer ? "service" : "roll_up";
        string evidence = string.Join(", ", parts.Select(p => $"{p.Signals} {Signals.SignalTypes.ToWire(p.Source)}"));
        string why = rule switch
        {
            "scada_lockout" => $"SCADA reports {_net.Ids[d]} open: everything below it is out ({downstream} customers).",
            "operator" => $"An operator placed the outage at {_net.Ids[d]}: everything below it is taken as out ({downstream} customers, {dark} reporting).",
            "service" => $"One customer reports no power and no neighbour does: a service outage of {_net.Ids[d]}.",
            _ => $"{_net.Ids[d]} ({KindName(d)}) explains {dark} customers reporting out of {downstream} below it ({silent} silent, {live} with power)"
                 + (double.IsFinite(split) ? $"; explaining them by the devices below would take more separate faults (cost {split:0.0} vs {chosen:0.0})" : "")
                 + (parentCost is { } pc ? $"; the device above, {_net.Ids[parent]}, would leave {_net.CustomersDownstream[parent] - _dark[parent] - _live[parent]} customers silent (cost {pc:0.0})" : "")
                 + ".",
        };
        string confidenceText = $" Confidence {o.Confidence:0.00} from {evidence} (noisy-OR of the source weights, repeats count less).";
        return new OutageExplanation(rule, path, downstream, dark, live, silent, chosen, double.IsFinite(split) ? split : null, parentCost,
            parts, rules.Name, why + confidenceText);
    }

    private DateTimeOffset? EarliestEvidence(int device)
    {
        long best = long.MaxValue;
        if (_scadaEvidence.TryGetValue(device, out var scada)) best = scada.Min(e => e.OccurredAt.UtcTicks);
        var stack = new Stack<int>();
        stack.Push(device);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (_net.Kinds[v] == NodeKind.Customer)
            {
                if (_state[v] == CustomerState.Dark) best = Math.Min(best, _since[v]);
                continue;
            }
            foreach (int child in _net.ChildrenOf(v))
            {
                if (_dark[child] > 0) stack.Push(child);
            }
        }
        return best == long.MaxValue ? null : new DateTimeOffset(best, TimeSpan.Zero);
    }

    private static DateTimeOffset? LatestRestore(Outage o) =>
        o.Evidence.Where(e => IsRestoration(e.Type)).Select(e => (DateTimeOffset?)e.OccurredAt).DefaultIfEmpty(null).Max();

    private static DateTimeOffset? EarliestRestore(Outage o) =>
        o.Evidence.Where(e => IsRestoration(e.Type) && e.OccurredAt >= o.FirstDetectedAt).Select(e => (DateTimeOffset?)e.OccurredAt).DefaultIfEmpty(null).Min();

    private string KindName(int node) => _net.Kinds[node] == NodeKind.Customer ? "service" : _net.Kinds[node].ToWire();
}
