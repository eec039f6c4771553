using System.Globalization;
using OmsDashboard.Domain.Topology;

namespace OmsDashboard.Domain.Correlation;

public sealed partial class CorrelationEngine
{
    private readonly PriorityQueue<OperatorAction, (long Effective, long Id)> _pendingActions = new();

    // Devices an operator placed an outage at: they count as open, like a SCADA report.
    private bool[]? _pinned;
    private long[]? _pinnedAt;

    /// <summary>
    /// Takes an operator action. It takes effect at its time, or at the engine's processed time if
    /// that is later (the past already processed is not rewritten); the outcome in the next
    /// changes gives the effective time, which the caller stores so a replay applies it there too.
    /// </summary>
    public DateTimeOffset Submit(OperatorAction action)
    {
        long effective = Math.Max(action.At.UtcTicks, _processedUntil);
        if (effective > _clock) _clock = effective;
        _pendingActions.Enqueue(action, (effective, action.Id));
        return new DateTimeOffset(effective, TimeSpan.Zero);
    }

    /// <summary>Actions accepted but not yet in effect.</summary>
    public int PendingActions => _pendingActions.Count;

    /// <summary>
    /// Checks an action against the current state without applying it: the reason it would be
    /// refused, or null. The API uses it to answer 400/409 at once; the engine checks again when
    /// it applies the action, since the outage may end in between.
    /// </summary>
    public string? Check(OperatorAction a)
    {
        var o = Find(a.OutageNumber);
        if (o is null) return $"no outage number {a.OutageNumber}";
        if (!o.IsActive) return $"{o.EventId} is {o.Status.ToString().ToLowerInvariant()}, not active";
        switch (a.Type)
        {
            case OperatorActionType.Move:
                if (a.DeviceId is null || !_net.TryGetIndex(a.DeviceId, out int device) || _net.Kinds[device] == NodeKind.Customer) return $"unknown device '{a.DeviceId}'";
                if (_net.Feeders[device] < 0) return $"{a.DeviceId} is not on a feeder";
                if (_net.Feeders[device] != o.Feeder) return $"{a.DeviceId} is on feeder {_net.Ids[_net.Feeders[device]]}, not on {o.EventId}'s feeder {_net.Ids[o.Feeder]}";
                if (device == o.Device) return $"{o.EventId} is already at {a.DeviceId}";
                if (_outageAtDevice.TryGetValue(device, out var there) && there != o) return $"{there.EventId} is already at {a.DeviceId}: merge the outages instead";
                return null;
            case OperatorActionType.Merge:
                var other = a.OtherOutageNumber is { } n ? Find(n) : null;
                if (other is null) return $"no outage number {a.OtherOutageNumber} to merge";
                if (other == o) return "an outage cannot merge into itself";
                if (!other.IsActive) return $"{other.EventId} is {other.Status.ToString().ToLowerInvariant()}, not active";
                if (other.Feeder != o.Feeder) return $"{other.EventId} is on feeder {_net.Ids[other.Feeder]}, {o.EventId} on {_net.Ids[o.Feeder]}: only outages of one feeder can merge";
                return null;
            case OperatorActionType.Restore:
                var at = a.RestoredAt ?? a.At;
                if (at < o.FirstDetectedAt) return $"restoration time {at:u} is before the outage began ({o.FirstDetectedAt:u})";
                if (at > a.At) return $"restoration time {at:u} is in the future";
                return null;
            case OperatorActionType.SetEtr:
                if (a.Etr is not { } etr) return "an ETR is required";
                if (etr <= o.FirstDetectedAt) return $"ETR {etr:u} is before the outage began ({o.FirstDetectedAt:u})";
                return null;
            case OperatorActionType.Confirm:
                return o.Status == OutageStatus.Confirmed ? $"{o.EventId} is already confirmed" : null;
            default:
                return null;
        }
    }

    /// <summary>The outage with this engine number, if any.</summary>
    public Outage? Find(long number)
    {
        // Numbers are dense from the first one: index, don't search.
        if (_outages.Count == 0) return null;
        long index = number - _outages[0].Number;
        return index >= 0 && index < _outages.Count && _outages[(int)index].Number == number ? _outages[(int)index] : null;
    }

    private void ApplyAction(OperatorAction a, long effective)
    {
        var at = new DateTimeOffset(effective, TimeSpan.Zero);
        string? error = Check(a);
        _changes.Actions.Add(new ActionOutcome(a, at, error));
        if (error is not null) return;
        var o = Find(a.OutageNumber)!;
        string by = a.User;
        string reason = string.IsNullOrWhiteSpace(a.Reason) ? "" : $": {a.Reason}";
        switch (a.Type)
        {
            case OperatorActionType.Confirm:
                o.ConfirmedAt = at;
                o.SetStatus(OutageStatus.Confirmed, at, $"confirmed by {by}{reason}", by);
                _changes.Mark(o, OutageChange.Updated);
                break;
            case OperatorActionType.SetEtr:
                o.Etr = a.Etr;
                o.Timeline.Add(new TimelineEntry(at, "etr", null, null,
                    string.Create(CultureInfo.InvariantCulture, $"ETR set to {a.Etr:yyyy-MM-dd HH:mm} UTC by {by}{reason}"), by));
                _changes.Mark(o, OutageChange.Updated);
                break;
            case OperatorActionType.Move:
            {
                _net.TryGetIndex(a.DeviceId!, out int device);
                o.Timeline.Add(new TimelineEntry(at, "moved", null, null, $"prediction moved from {_net.Ids[o.Device]} to {_net.Ids[device]} by {by}{reason}", by));
                Unpin(o);
                Pin(o, device, effective);
                MoveDevice(o, device);
                o.CoveredDevice = -1;
                _dirtyFeeders.Add(o.Feeder);
                break;
            }
            case OperatorActionType.Merge:
            {
                var other = Find(a.OtherOutageNumber!.Value)!;
                // The same event: its fault is at or above both devices. Place the survivor at
                // their lowest common device and hold it there, as a crew's report would.
                int common = CommonAncestor(o.Device, other.Device);
                o.Timeline.Add(new TimelineEntry(at, "merged", null, null, $"{other.EventId} merged into this outage by {by}{reason}", by));
                Merge(other, o, at);
                other.Timeline[^1] = other.Timeline[^1] with { Actor = by };
                if (common != o.Device)
                {
                    o.Timeline.Add(new TimelineEntry(at, "moved", null, null, $"prediction moved from {_net.Ids[o.Device]} to {_net.Ids[common]}, above both", by));
                    MoveDevice(o, common);
                }
                Unpin(o);
                Pin(o, common, effective);
                _dirtyFeeders.Add(o.Feeder);
                break;
            }
            case OperatorActionType.Restore:
                ClearOpenBelow(o.Device);
                RestoreOutage(o, a.RestoredAt ?? at, $"restored by {by}{reason}");
                o.Timeline[^1] = o.Timeline[^1] with { Actor = by };
                break;
            case OperatorActionType.Cancel:
                Cancel(o, at, by, reason);
                break;
        }
    }

    /// <summary>False alarm: the outage ends as cancelled and its customers are no longer taken as out.</summary>
    private void Cancel(Outage o, DateTimeOffset at, string by, string reason)
    {
        o.SetStatus(OutageStatus.Cancelled, at, $"cancelled as a false alarm by {by}{reason}", by);
        _changes.Mark(o, OutageChange.Cancelled);
        // A SCADA open below is taken as false too: otherwise the next prediction re-opens the outage.
        ClearOpenBelow(o.Device);
        foreach (int c in o.Customers)
        {
            if (_coveredBy[c] != o) continue;
            _coveredBy[c] = null;
            if (_state[c] == CustomerState.Dark)
            {
                SetState(c, CustomerState.Unknown, at.UtcTicks);
                _hazards.Remove(c);
            }
        }
        Deactivate(o);
        _dirtyFeeders.Add(o.Feeder);
    }

    private void ClearOpenBelow(int device)
    {
        foreach (int v in NodesBelow(device))
        {
            if (!_scadaOpen[v]) continue;
            _scadaOpen[v] = false;
            _scadaEvidence.Remove(v);
            for (int a = v; a >= 0; a = _net.Parents[a])
            {
                _open[a]--;
                _dpStamp[a] = 0;
            }
        }
    }

    private IEnumerable<int> NodesBelow(int node)
    {
        var stack = new Stack<int>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            yield return v;
            foreach (int child in _net.ChildrenOf(v))
            {
                if (_open[child] > 0) stack.Push(child);
            }
        }
    }

    private void Pin(Outage o, int device, long at)
    {
        _pinned ??= new bool[_net.Count];
        _pinnedAt ??= new long[_net.Count];
        o.PinnedDevice = device;
        if (_pinned[device]) return;
        _pinned[device] = true;
        _pinnedAt[device] = at;
        for (int a = device; a >= 0; a = _net.Parents[a])
        {
            _open[a]++;
            _dpStamp[a] = 0;
        }
    }

    /// <summary>Releases an outage's pin (when it ends or is placed elsewhere).</summary>
    private void Unpin(Outage o)
    {
        int device = o.PinnedDevice;
        if (device < 0 || _pinned is null) return;
        o.PinnedDevice = -1;
        if (!_pinned[device]) return;
        _pinned[device] = false;
        for (int a = device; a >= 0; a = _net.Parents[a])
        {
            _open[a]--;
            _dpStamp[a] = 0;
        }
    }

    private bool IsPinned(int v) => _pinned is not null && _pinned[v];

    private int CommonAncestor(int a, int b)
    {
        var above = new HashSet<int>();
        for (int x = a; x >= 0; x = _net.Parents[x]) above.Add(x);
        for (int y = b; y >= 0; y = _net.Parents[y])
        {
            if (above.Contains(y)) return y;
        }
        return _net.Feeders[a];
    }
}
