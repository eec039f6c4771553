using System.Globalization;
using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

/// <summary>
/// The correlation engine: raw signals in, predicted and explained outages out. Pure and
/// single-threaded; the data layer feeds it and persists what it changes.
/// <para>
/// <b>Event time.</b> Every signal takes effect at its <c>occurredAt</c> plus a hold (AMI, ONU
/// and call evidence wait <see cref="EngineOptions.HoldTime"/>, so a quick restore makes a
/// momentary and late arrivals of the same moment are in; SCADA lockouts and closes act at
/// once; a trip waits for its reclose window). The clock is the newest <c>occurredAt</c> seen or
/// an explicit <c>asOf</c>. Effects are applied in a total order (effective time, occurred
/// time, source, id) and predictions are made at fixed 5-second ticks of event time, so the
/// same signals give the same outages whatever their arrival order within the hold, and a
/// replay gives the same state.
/// </para>
/// <para>
/// <b>Prediction.</b> Each feeder's dark customers are explained by the cheapest set of open
/// devices (a dynamic programme over the tree): one more fault costs
/// <see cref="EngineOptions.FaultCost"/>; a customer under an open device who stays silent costs
/// −ln(1 − p) where p is the chance its meter or ONU would have reported; a customer known to
/// have power costs <see cref="EngineOptions.LiveCustomerCost"/>. N-of-M and percentage rules,
/// children-out moving to the parent and negative evidence pushing down all fall out of it; a
/// SCADA lockout forces its device out and absorbs everything below; a telemetered device that
/// has not reported open is never chosen. See docs/decisions/0005.
/// </para>
/// </summary>
public sealed partial class CorrelationEngine
{
    private static readonly long TickLength = TimeSpan.FromSeconds(5).Ticks;

    private readonly NetworkTopology _net;
    private readonly NetworkIndex _index;
    private readonly EngineOptions _opt;

    // Per node: customers below that are dark / known live, SCADA-open devices below, and the
    // silent-customer costs (all customers below, and those with known state).
    private readonly int[] _dark;
    private readonly int[] _live;
    private readonly int[] _open;
    private readonly double[] _baseCost;
    // Customers below with a known state, counted by kind (meter only / meter and ONU) rather
    // than summed as costs: a running sum of doubles depends on the order of its updates, so an
    // engine restored from a snapshot could differ from the original in the last bit and flip a
    // tie. Counts are exact and can be recomputed from the customer states.
    private readonly int[] _knownMeterOnly;
    private readonly int[] _knownWithOnu;
    private readonly double _meterOnlyCost;
    private readonly double _withOnuCost;
    private readonly bool[] _scadaOpen;
    private readonly long[] _lastClose;
    private readonly Dictionary<int, List<Evidence>> _scadaEvidence = [];

    // Per customer node.
    private readonly CustomerState[] _state;
    private readonly long[] _since;
    // When a customer's meter or ONU last reported power (a call does not override it for a while).
    private readonly Dictionary<int, long> _deviceLiveAt = [];
    private readonly HashSet<long> _neighbourPinged = [];
    private readonly Dictionary<int, List<Evidence>> _customerEvidence = [];
    private readonly Dictionary<int, List<long>> _pendingRestores = [];
    // The outage covering each dark customer (null for none): an array, as every tick reads it per customer.
    private readonly Outage?[] _coveredBy;
    // Per feeder: dark customers that no outage covers yet (went dark, or lost their cover while
    // still dark). The next prediction of the feeder covers them without walking the feeder.
    private readonly Dictionary<int, List<int>> _needsCover = [];
    private readonly HashSet<int> _hazards = [];

    // Signals waiting for their effective time, bucketed by 5-s tick: a tick's bucket is sorted
    // once when it comes due. A heap over every pending signal (a whole storm on a rebuild) cost
    // a cache miss per level per signal; appending to a bucket costs nothing.
    private readonly Dictionary<long, List<(Signal Signal, PendingKey Key)>> _buckets = [];
    private readonly PriorityQueue<long, long> _bucketOrder = new();
    private int _pendingCount;
    private readonly HashSet<(SourceSystem, string)> _seen = [];
    private readonly Dictionary<(SourceSystem, string), long> _evidenceOutage = [];

    private readonly List<Outage> _outages = [];
    private readonly Dictionary<int, List<Outage>> _activeByFeeder = [];
    private readonly Dictionary<int, Outage> _outageAtDevice = [];
    private readonly Dictionary<int, List<Outage>> _restoredByFeeder = [];
    private readonly HashSet<int> _dirtyFeeders = [];
    private readonly List<(int Customer, Evidence Evidence)> _unassigned = [];
    private readonly StormModeMonitor _storm;

    private EngineChanges _changes = new();
    private long _clock = long.MinValue;
    private long _processedUntil = long.MinValue;
    private long _nextNumber;

    public CorrelationEngine(NetworkTopology network, EngineOptions? options = null, StormSettings? storm = null, long firstOutageNumber = 1)
    {
        _net = network;
        _index = new NetworkIndex(network);
        _opt = options ?? new EngineOptions();
        _nextNumber = firstOutageNumber;
        _storm = new StormModeMonitor(storm ?? new StormSettings());
        _storm.Changed += s => _changes.StormChanged = s;

        int n = network.Count;
        _dark = new int[n];
        _live = new int[n];
        _open = new int[n];
        _baseCost = new double[n];
        _knownMeterOnly = new int[n];
        _knownWithOnu = new int[n];
        _scadaOpen = new bool[n];
        _lastClose = new long[n];
        _state = new CustomerState[n];
        _since = new long[n];
        _coveredBy = new Outage?[n];
        _dpCost = new double[n];
        _dpSplit = new double[n];
        _dpMin = new long[n];
        _dpMax = new long[n];
        _dpChoice = new DpChoice[n];
        _dpStamp = new int[n];
        double meterMiss = 1 - _opt.MeterReportRate;
        double onuMiss = 1 - _opt.OnuReportRate;
        _meterOnlyCost = -Math.Log(Math.Max(meterMiss, 1e-6));
        _withOnuCost = -Math.Log(Math.Max(meterMiss * onuMiss, 1e-6));
        for (int i = n - 1; i >= 0; i--)
        {
            if (network.Kinds[i] == NodeKind.Customer)
            {
                _baseCost[i] += _index.HasOnu[i] ? _withOnuCost : _meterOnlyCost;
            }
            if (network.Parents[i] >= 0) _baseCost[network.Parents[i]] += _baseCost[i];
        }
    }

    public NetworkTopology Network => _net;
    public NetworkIndex Index => _index;
    public EngineOptions Options => _opt;
    public StormState Storm => _storm.State;

    /// <summary>The rule set in force: storm when storm mode is on.</summary>
    public RuleSet ActiveRules => _storm.State.Active ? _opt.Storm : _opt.Standard;

    /// <summary>The engine's clock (event time): the newest occurredAt seen, or the last asOf.</summary>
    public DateTimeOffset? Clock => _clock == long.MinValue ? null : new DateTimeOffset(_clock, TimeSpan.Zero);

    /// <summary>The number the next new outage gets.</summary>
    public long NextOutageNumber => _nextNumber;

    public IReadOnlyList<Outage> Outages => _outages;

    public IEnumerable<Outage> ActiveOutages => _activeByFeeder.Values.SelectMany(l => l);

    /// <summary>Signals accepted but not yet in effect (inside their hold).</summary>
    public int PendingSignals => _pendingCount;

    /// <summary>The outage a signal is currently evidence for, or null.</summary>
    public long? EvidenceOutage(SourceSystem source, string sourceId) =>
        _evidenceOutage.TryGetValue(Key(source, sourceId), out long number) ? number : null;

    /// <summary>The operator's storm-mode override in force (null: automatic).</summary>
    public bool? StormOverride => _storm.OverrideValue;

    /// <summary>Operator override of storm mode (null = automatic).</summary>
    public void OverrideStormMode(bool? active, DateTimeOffset at, string who) => _storm.Override(active, at, who);

    /// <summary>
    /// Takes one signal: drops duplicates, places it in the network, and queues it to take
    /// effect at its effective time. Signals that cannot be placed (unknown asset, fiber-only
    /// fault, informational) are kept in the next changes as unmatched, with the reason.
    /// </summary>
    public IngestOutcome Ingest(Signal signal)
    {
        if (!_seen.Add(Key(signal.Source, signal.SourceId)))
        {
            return IngestOutcome.Duplicate;
        }
        long occurred = signal.OccurredAt.UtcTicks;
        if (occurred > _clock) _clock = occurred;

        string? reason = Locate(signal, out int node);
        if (reason is not null)
        {
            _changes.Signals.Add(new AppliedSignal(signal, null, false, reason));
            return IngestOutcome.Unmatched;
        }
        if (IsOutageEvidence(signal.Type)) _storm.Observe(signal.OccurredAt);
        if (IsRestoration(signal.Type))
        {
            if (!_pendingRestores.TryGetValue(node, out var list)) _pendingRestores[node] = list = [];
            list.Add(occurred);
        }
        long effective = occurred + HoldOf(signal.Type);
        long tick = effective / TickLength;
        if (!_buckets.TryGetValue(tick, out var bucket))
        {
            _buckets[tick] = bucket = [];
            _bucketOrder.Enqueue(tick, tick);
        }
        bucket.Add((signal, new PendingKey(effective, occurred, (byte)signal.Source, signal.SourceId, node)));
        _pendingCount++;
        return IngestOutcome.Accepted;
    }

    /// <summary>
    /// Moves the clock to <paramref name="asOf"/> (if later) and applies every signal whose
    /// effective time has passed, tick by tick; returns what changed.
    /// </summary>
    public EngineChanges Advance(DateTimeOffset? asOf = null)
    {
        if (asOf is { } a && a.UtcTicks > _clock) _clock = a.UtcTicks;
        long limit = _clock == long.MinValue ? long.MinValue : _clock / TickLength * TickLength;
        while (NextEffective() is var first && first < limit)
        {
            long tick = first / TickLength;
            long tickEnd = (tick + 1) * TickLength;
            List<(Signal Signal, PendingKey Key)>? due = null;
            if (_bucketOrder.TryPeek(out long bucketTick, out _) && bucketTick == tick)
            {
                _bucketOrder.Dequeue();
                _buckets.Remove(tick, out due);
                due!.Sort(static (x, y) => x.Key.CompareTo(y.Key));
                _pendingCount -= due.Count;
            }
            int next = 0;
            while (true)
            {
                bool signalDue = due is not null && next < due.Count;
                bool actionDue = _pendingActions.TryPeek(out var action, out var actionKey) && actionKey.Effective < tickEnd;
                if (!signalDue && !actionDue) break;
                // Signals before actions of the same instant: the operator acted on what was known.
                if (signalDue && (!actionDue || due![next].Key.Effective <= actionKey.Effective))
                {
                    var (signal, key) = due![next++];
                    Apply(signal, key.Node);
                }
                else
                {
                    _pendingActions.Dequeue();
                    ApplyAction(action!, actionKey.Effective);
                }
            }
            EndTick(tickEnd);
        }
        if (limit > _processedUntil)
        {
            EndTick(limit);
        }
        var changes = _changes;
        _changes = new EngineChanges();
        return changes;
    }

    private long NextEffective()
    {
        long next = long.MaxValue;
        if (_bucketOrder.TryPeek(out long tick, out _)) next = tick * TickLength;
        if (_pendingActions.TryPeek(out _, out var actionKey) && actionKey.Effective < next) next = actionKey.Effective;
        return next;
    }

    private void EndTick(long now)
    {
        _processedUntil = Math.Max(_processedUntil, now);
        var at = new DateTimeOffset(now, TimeSpan.Zero);
        _storm.Evaluate(at);
        foreach (int feeder in _dirtyFeeders.Order())
        {
            Predict(feeder, now);
        }
        _dirtyFeeders.Clear();
        foreach (var (customer, evidence) in _unassigned)
        {
            // Evidence whose customer no prediction covers (e.g. restored meanwhile) stays on record.
            if (_coveredBy[customer] is null)
            {
                _changes.Signals.Add(new AppliedSignal(ToSignal(evidence), null, true, "no open outage covers this customer"));
            }
        }
        _unassigned.Clear();
        Age(at);
    }

    /// <summary>Unconfirmed outages open longer than the rule set's aging time become probable, at that time.</summary>
    private void Age(DateTimeOffset now)
    {
        foreach (var list in _activeByFeeder.Values)
        {
            foreach (var o in list)
            {
                VerifyAfterMomentaryThreshold(o, now);
                if (o.Status != OutageStatus.Unconfirmed) continue;
                var due = o.FirstDetectedAt + RulesFor(o).AgingToProbable;
                if (due <= now)
                {
                    o.ProbableAt = due;
                    o.SetStatus(OutageStatus.Probable, due, $"still open after {RulesFor(o).AgingToProbable.TotalMinutes:0} min ({RulesFor(o).Name} aging)");
                    _changes.Mark(o, OutageChange.Updated);
                }
            }
        }
    }

    /// <summary>
    /// A small outage still open past the momentary threshold pings its own dark meters once: a
    /// restore that was lost on the AMI network must not leave a momentary open for ever.
    /// </summary>
    private void VerifyAfterMomentaryThreshold(Outage o, DateTimeOffset now)
    {
        if (_opt.PingLimit <= 0 || o.FirstDetectedAt + _opt.MomentaryThreshold > now || o.Customers.Count > _opt.NeighbourPingLimit
            || !_verifyPinged.Add(o.Number))
        {
            return;
        }
        var meters = o.Customers.Where(c => _state[c] == CustomerState.Dark).Select(c => _index.MeterOf[c]).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (meters.Count > 0) _changes.Pings.Add(new PingRequest(now, o.Number, meters));
    }

    private readonly HashSet<long> _verifyPinged = [];

    private RuleSet RulesFor(Outage o) => o.ScadaConfirmed ? _opt.ScadaPriority : ActiveRules;

    /// <summary>Finds the network node a signal is about; null when placed, else the reason it cannot be.</summary>
    private string? Locate(Signal s, out int node)
    {
        node = -1;
        switch (s.Type)
        {
            case SignalType.OnuLos:
                return "fiber fault (loss of optical signal without a dying gasp): not a power outage";
            case SignalType.ScadaAlarm:
                return "SCADA alarm: informational";
            case SignalType.CallFlickering:
                return "flickering: power quality, not an outage";
        }
        switch (s.Source)
        {
            case SourceSystem.Scada:
                return s.AssetId is not null && _index.TryDevice(s.AssetId, out node) ? null : $"unknown SCADA device '{s.AssetId}'";
            case SourceSystem.Kaifa:
                return s.AssetId is not null && _index.TryMeter(s.AssetId, out node) ? null : $"unknown meter '{s.AssetId}'";
            case SourceSystem.Onu:
                return s.AssetId is not null && _index.TryOnu(s.AssetId, out node) ? null : $"unknown ONU '{s.AssetId}'";
            default:
                if (s.AccountNumber is not null && _index.TryAccount(s.AccountNumber, out node)) return null;
                if (s.Lat is { } lat && s.Lon is { } lon)
                {
                    double radius = ActiveRules.SpatialRadiusMeters;
                    node = _index.NearestCustomer(lat, lon, radius);
                    return node >= 0 ? null : $"no customer within {radius:0} m of ({lat.ToString(CultureInfo.InvariantCulture)}, {lon.ToString(CultureInfo.InvariantCulture)})";
                }
                return $"unknown account '{s.AccountNumber}' and no location";
        }
    }

    private long HoldOf(SignalType type) => type switch
    {
        SignalType.ScadaLockout or SignalType.ScadaClose => 0,
        SignalType.ScadaTrip => _opt.RecloseWindow.Ticks,
        SignalType.CallWireDown => 0, // a hazard is shown at once
        _ => _opt.HoldTime.Ticks,
    };

    internal static bool IsOutageEvidence(SignalType t) => t is SignalType.LastGasp or SignalType.DyingGasp
        or SignalType.CallNoPower or SignalType.CallPartialPower or SignalType.CallWireDown or SignalType.PingDead
        or SignalType.ScadaLockout or SignalType.ScadaTrip;

    internal static bool IsRestoration(SignalType t) => t is SignalType.PowerRestore or SignalType.OnuOnline
        or SignalType.CallPowerRestored or SignalType.PingAlive;

    private static (SourceSystem, string) Key(SourceSystem source, string id) => (source, id);

    private static Signal ToSignal(Evidence e) => e.Origin ?? new(e.Source, e.SourceId, e.Type, e.OccurredAt, e.ReceivedAt, e.AssetId);

    private enum CustomerState : byte
    {
        Unknown,
        Dark,
        Live,
    }

    private readonly record struct PendingKey(long Effective, long Occurred, byte Source, string Id, int Node) : IComparable<PendingKey>
    {
        public int CompareTo(PendingKey other)
        {
            int c = Effective.CompareTo(other.Effective);
            if (c != 0) return c;
            c = Occurred.CompareTo(other.Occurred);
            if (c != 0) return c;
            c = Source.CompareTo(other.Source);
            return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
        }
    }
}
