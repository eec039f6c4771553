using OmsDashboard.Domain.Signals;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

public sealed partial class CorrelationEngine
{
    /// <summary>Applies one signal at its effective time.</summary>
    private void Apply(Signal s, int node)
    {
        var evidence = new Evidence(s.Source, s.SourceId, s.Type, s.OccurredAt, s.ReceivedAt,
            s.Type is SignalType.ScadaLockout or SignalType.ScadaTrip ? 1.0 : _opt.Weights.Of(s.Source),
            _net.Kinds[node] == NodeKind.Customer ? node : -1, s.AssetId) { Origin = s };
        switch (s.Type)
        {
            case SignalType.ScadaLockout:
                Open(node, evidence, "lockout");
                break;
            case SignalType.ScadaTrip:
                if (_lastClose[node] >= s.OccurredAt.UtcTicks)
                {
                    // Reclosed within the window: a momentary for everything downstream.
                    var momentary = new MomentaryEvent(s.OccurredAt, node, _net.CustomersDownstream[node], "recloser trip and reclose");
                    _changes.Momentaries.Add(momentary);
                    _changes.Signals.Add(new AppliedSignal(s, null, true, "momentary: reclosed within the reclose window"));
                }
                else
                {
                    Open(node, evidence, "trip without reclose");
                }
                break;
            case SignalType.ScadaClose:
                _lastClose[node] = s.OccurredAt.UtcTicks;
                Close(node, evidence);
                break;
            default:
                if (s.Source == SourceSystem.Callcenter && s.AccountNumber is null && s.Lat is { } lat && s.Lon is { } lon
                    && !(_state[node] == CustomerState.Dark || ActiveOutageAbove(node) is not null))
                {
                    // (Located at the nearest customer of all: if that one is already out, it is
                    // also the nearest one out, and the search below is not needed.)
                    // A call placed only by its coordinates belongs to a neighbour already out, if any.
                    int nearOut = _index.NearestCustomer(lat, lon, ActiveRules.SpatialRadiusMeters,
                        c => _state[c] == CustomerState.Dark || ActiveOutageAbove(c) is not null);
                    if (nearOut >= 0 && nearOut != node)
                    {
                        node = nearOut;
                        evidence = evidence with { Customer = node };
                    }
                }
                if (IsRestoration(s.Type))
                {
                    Restore(node, evidence);
                }
                else
                {
                    Darken(node, evidence);
                }
                break;
        }
    }

    /// <summary>Outage evidence for a customer.</summary>
    private void Darken(int c, Evidence e)
    {
        long t = e.OccurredAt.UtcTicks;
        if (_pendingRestores.TryGetValue(c, out var restores))
        {
            long hold = _opt.HoldTime.Ticks;
            foreach (long r in restores)
            {
                if (r > t && r - t <= hold)
                {
                    _changes.Momentaries.Add(new MomentaryEvent(e.OccurredAt, c, 1, $"power back after {TimeSpan.FromTicks(r - t).TotalSeconds:0} s"));
                    _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "momentary: power restored within the hold time"));
                    return;
                }
            }
        }
        if (e.Source == SourceSystem.Callcenter && _state[c] == CustomerState.Live
            && _deviceLiveAt.TryGetValue(c, out long liveAt) && liveAt <= t && t - liveAt <= ActiveRules.TimeWindow.Ticks)
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true,
                $"the customer's meter or ONU reported power back {TimeSpan.FromTicks(t - liveAt).TotalMinutes:0} min before this call"));
            return;
        }
        if (_state[c] == CustomerState.Live && _since[c] > t)
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "older than the customer's restoration"));
            return;
        }
        if (_state[c] != CustomerState.Dark)
        {
            SetState(c, CustomerState.Dark, t);
        }
        if (!_customerEvidence.TryGetValue(c, out var list)) _customerEvidence[c] = list = [];
        list.Add(e);
        if (e.Type == SignalType.CallWireDown) _hazards.Add(c);

        if (_coveredBy[c] is { } outage)
        {
            AttachEvidence(outage, e);
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), outage.Number, true, null));
            if (e.Type == SignalType.CallWireDown) MarkHazard(outage, e);
        }
        else
        {
            _unassigned.Add((c, e));
        }
        _dirtyFeeders.Add(_net.Feeders[c]);
    }

    /// <summary>Restoration evidence for a customer (meter restore, ONU online, call, ping answer).</summary>
    private void Restore(int c, Evidence e)
    {
        long t = e.OccurredAt.UtcTicks;
        if (_pendingRestores.TryGetValue(c, out var restores))
        {
            restores.Remove(t);
            if (restores.Count == 0) _pendingRestores.Remove(c);
        }
        if (_state[c] == CustomerState.Dark && _since[c] > t)
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "older than the customer's outage evidence"));
            return;
        }
        SetState(c, CustomerState.Live, t);
        if (e.Source is SourceSystem.Kaifa or SourceSystem.Onu) _deviceLiveAt[c] = t;
        _hazards.Remove(c);
        _dirtyFeeders.Add(_net.Feeders[c]);
        var outage = _coveredBy[c];
        _coveredBy[c] = null;
        if (outage is not null || (outage = ActiveOutageAbove(c)) is not null)
        {
            outage.Restored.Add(c);
            AttachEvidence(outage, e);
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), outage.Number, true, "restoration"));
            int needed = Math.Max(1, (int)Math.Ceiling(_opt.RestoredShare * outage.Customers.Count));
            if (outage.IsActive && outage.Restored.Count >= needed)
            {
                // Power came back for all of them at once: the earliest restore is the best estimate.
                RestoreOutage(outage, EarliestRestore(outage) ?? e.OccurredAt, $"{outage.Restored.Count} of {outage.Customers.Count} reporting customers restored");
            }
        }
        else
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "restoration (no open outage for this customer)"));
        }
    }

    private void Open(int device, Evidence e, string how)
    {
        if (!_scadaEvidence.TryGetValue(device, out var list)) _scadaEvidence[device] = list = [];
        list.Add(e);
        if (!_scadaOpen[device])
        {
            _scadaOpen[device] = true;
            for (int a = device; a >= 0; a = _net.Parents[a]) _open[a]++;
        }
        Invalidate(device);
        _dirtyFeeders.Add(_net.Feeders[device]);
        _unassignedScada.Add((device, e, how));
    }

    private readonly List<(int Device, Evidence Evidence, string How)> _unassignedScada = [];

    private void Close(int device, Evidence e)
    {
        if (!_scadaOpen[device])
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "close of a device not known open"));
            return;
        }
        _scadaOpen[device] = false;
        for (int a = device; a >= 0; a = _net.Parents[a])
        {
            _open[a]--;
            _dpStamp[a] = 0;
        }
        _scadaEvidence.Remove(device);
        _dirtyFeeders.Add(_net.Feeders[device]);
        var outage = _activeByFeeder.TryGetValue(_net.Feeders[device], out var list) ? list.FirstOrDefault(o => o.Device == device) : null;
        if (outage is null)
        {
            _changes.Signals.Add(new AppliedSignal(ToSignal(e), null, true, "close (no open outage at this device)"));
            return;
        }
        AttachEvidence(outage, e);
        _changes.Signals.Add(new AppliedSignal(ToSignal(e), outage.Number, true, "restoration"));
        RestoreOutage(outage, e.OccurredAt, $"SCADA close of {_net.Ids[device]}");
    }

    /// <summary>
    /// Ends an outage: restored (or momentary when it lasted no longer than the IEEE threshold).
    /// Its customers still dark are presumed restored with it, and their meters are pinged to
    /// verify; those that answer dead come back as evidence of a nested outage.
    /// </summary>
    private void RestoreOutage(Outage o, DateTimeOffset at, string why)
    {
        if (!o.IsActive) return;
        o.AffectedCustomers = Math.Max(o.AffectedCustomers, o.Customers.Count);
        o.RestoredAt = at;
        bool momentary = at - o.FirstDetectedAt <= _opt.MomentaryThreshold;
        o.SetStatus(momentary ? OutageStatus.Momentary : OutageStatus.Restored, at, why);
        _changes.Mark(o, momentary ? OutageChange.Momentary : OutageChange.Restored);
        if (momentary)
        {
            _changes.Momentaries.Add(new MomentaryEvent(o.FirstDetectedAt, o.Device, o.AffectedCustomers, "outage restored within 5 minutes"));
        }

        var presumed = new List<string>();
        foreach (int c in o.Customers)
        {
            if (_coveredBy[c] == o)
            {
                if (_state[c] == CustomerState.Dark && _since[c] <= at.UtcTicks)
                {
                    _coveredBy[c] = null;
                    SetState(c, CustomerState.Unknown, at.UtcTicks);
                    _hazards.Remove(c);
                }
                else
                {
                    Uncover(c);
                }
            }
        }
        // Verify: ping every meter below the device that has not said it has power again.
        if (!momentary && _opt.PingLimit > 0)
        {
            foreach (int c in CustomersBelow(o.Device))
            {
                if (_state[c] != CustomerState.Live && _index.MeterOf[c] is { } meter) presumed.Add(meter);
            }
        }
        Deactivate(o);
        if (!_restoredByFeeder.TryGetValue(o.Feeder, out var recent)) _restoredByFeeder[o.Feeder] = recent = [];
        recent.Add(o);

        if (_opt.PingLimit > 0 && presumed.Count > 0 && !momentary)
        {
            presumed.Sort(StringComparer.Ordinal);
            _changes.Pings.Add(new PingRequest(at, o.Number, presumed.Count <= _opt.PingLimit ? presumed : presumed.Take(_opt.PingLimit).ToList()));
        }
        _dirtyFeeders.Add(o.Feeder);
    }

    /// <summary>Moves a customer between unknown, dark and live, keeping the per-node counts.</summary>
    private void SetState(int c, CustomerState next, long at)
    {
        var previous = _state[c];
        long before = _since[c];
        _since[c] = at;
        if (previous == next)
        {
            // A dark customer's time enters the prediction's time window check.
            if (next == CustomerState.Dark && before != at) Invalidate(c);
            return;
        }
        _state[c] = next;
        if (next == CustomerState.Dark) NeedsCover(c);
        int dDark = (next == CustomerState.Dark ? 1 : 0) - (previous == CustomerState.Dark ? 1 : 0);
        int dLive = (next == CustomerState.Live ? 1 : 0) - (previous == CustomerState.Live ? 1 : 0);
        int dKnown = (next != CustomerState.Unknown ? 1 : 0) - (previous != CustomerState.Unknown ? 1 : 0);
        int[] known = _index.HasOnu[c] ? _knownWithOnu : _knownMeterOnly;
        for (int a = c; a >= 0; a = _net.Parents[a])
        {
            _dark[a] += dDark;
            _live[a] += dLive;
            known[a] += dKnown;
            _dpStamp[a] = 0;
        }
        if (next != CustomerState.Dark)
        {
            _customerEvidence.Remove(c);
        }
    }

    /// <summary>Takes a customer's cover away; a customer still dark waits for the next prediction to cover it.</summary>
    private void Uncover(int c)
    {
        _coveredBy[c] = null;
        if (_state[c] == CustomerState.Dark) NeedsCover(c);
    }

    private void NeedsCover(int c)
    {
        int feeder = _net.Feeders[c];
        if (!_needsCover.TryGetValue(feeder, out var list)) _needsCover[feeder] = list = [];
        list.Add(c);
    }

    /// <summary>Customer nodes at or below a node.</summary>
    private IEnumerable<int> CustomersBelow(int node)
    {
        var stack = new Stack<int>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (_net.Kinds[v] == NodeKind.Customer)
            {
                yield return v;
                continue;
            }
            foreach (int child in _net.ChildrenOf(v)) stack.Push(child);
        }
    }

    /// <summary>The active outage whose device is this node or above it (a silent customer of it).</summary>
    private Outage? ActiveOutageAbove(int node)
    {
        for (int a = node; a >= 0; a = _net.Parents[a])
        {
            if (_outageAtDevice.TryGetValue(a, out var o)) return o;
        }
        return null;
    }

    private void AttachEvidence(Outage o, Evidence e)
    {
        o.Evidence.Add(e);
        _evidenceOutage[Key(e.Source, e.SourceId)] = o.Number;
        _changes.Mark(o, OutageChange.Updated);
    }

    private void MarkHazard(Outage o, Evidence e)
    {
        if (o.HasHazard) return;
        o.HasHazard = true;
        o.Timeline.Add(new TimelineEntry(e.OccurredAt, "hazard", null, null, $"wire down reported ({e.SourceId})"));
    }
}
