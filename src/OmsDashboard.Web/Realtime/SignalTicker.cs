using OmsDashboard.Data.Ingestion;
using OmsDashboard.Domain.Signals;

namespace OmsDashboard.Web.Realtime;

/// <summary>One stored signal as the ticker shows it.</summary>
public sealed record TickerSignal(string Source, string Id, string Type, string? AssetId, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt)
{
    /// <summary>A downed conductor: shown at once and kept in view (a hazard to the public and to crews).</summary>
    public bool IsWireDown => Type == "wire_down";
}

/// <summary>What a ticker shows: the newest signals first, and the wire-down reports still pinned.</summary>
public sealed record TickerView(IReadOnlyList<TickerSignal> Latest, IReadOnlyList<TickerSignal> WireDowns, long Total);

/// <summary>
/// The live signal ticker's source: every record the ingestion path stores (pushed or polled) is
/// added here as it commits, before any correlation. Subscribers get a coalesced view: in a storm
/// of thousands of signals a second, at most one push per <see cref="Interval"/>, carrying only the
/// newest <see cref="Capacity"/>. Wire-down reports stay pinned for <see cref="WireDownPinned"/>
/// after they were stored, whatever else arrives. In-process: signals stored by another instance reach this one's ticker
/// only through the backplane of ADR 0006.
/// </summary>
public sealed class SignalTicker(TimeProvider time)
{
    public const int Capacity = 20;
    public const int WireDownCapacity = 5;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan WireDownPinned = TimeSpan.FromMinutes(30);

    private readonly Lock _lock = new();
    private readonly LinkedList<TickerSignal> _latest = new();
    // Pinned from when this app stored them (a source's receivedAt may be far back in a replay).
    private readonly LinkedList<(TickerSignal Signal, DateTimeOffset Until)> _wireDowns = new();
    private readonly List<Func<TickerView, Task>> _subscribers = [];
    private long _total;
    private bool _scheduled;

    /// <summary>The view now (a component's first render).</summary>
    public TickerView View()
    {
        lock (_lock) return Snapshot();
    }

    /// <summary>Adds stored records of one source (only the new ones: <paramref name="stored"/> are their ids).</summary>
    public void Add(SourceSystem source, IReadOnlyList<IncomingSignal> records, IReadOnlyList<string> stored)
    {
        if (stored.Count == 0) return;
        string name = SignalTypes.ToWire(source);
        var ids = stored.Count == records.Count ? null : new HashSet<string>(stored, StringComparer.Ordinal);
        // Newest last in a batch: walk back from the end. Only the newest Capacity stored ones
        // matter for the list; every wire-down matters.
        var fresh = new List<TickerSignal>(Math.Min(Capacity, stored.Count));
        var wires = new List<TickerSignal>();
        for (int i = records.Count - 1; i >= 0; i--)
        {
            var r = records[i];
            bool wireDown = r.Type == "wire_down";
            if ((fresh.Count == Capacity && !wireDown) || (ids is not null && !ids.Contains(r.Id))) continue;
            var signal = new TickerSignal(name, r.Id, r.Type, r.AssetId, r.OccurredAt, r.ReceivedAt);
            if (fresh.Count < Capacity) fresh.Add(signal);
            if (wireDown) wires.Add(signal);
        }
        var until = time.GetUtcNow() + WireDownPinned;
        lock (_lock)
        {
            for (int k = fresh.Count - 1; k >= 0; k--)
            {
                _latest.AddFirst(fresh[k]);
                if (_latest.Count > Capacity) _latest.RemoveLast();
            }
            for (int k = wires.Count - 1; k >= 0; k--)
            {
                _wireDowns.AddFirst((wires[k], until));
                if (_wireDowns.Count > WireDownCapacity) _wireDowns.RemoveLast();
            }
            _total += stored.Count;
            if (_scheduled || _subscribers.Count == 0) return;
            _scheduled = true;
        }
        _ = PublishLaterAsync();
    }

    public IDisposable Subscribe(Func<TickerView, Task> onView)
    {
        lock (_lock) _subscribers.Add(onView);
        return new Subscription(this, onView);
    }

    private async Task PublishLaterAsync()
    {
        await Task.Delay(Interval, time);
        TickerView view;
        Func<TickerView, Task>[] subscribers;
        lock (_lock)
        {
            _scheduled = false;
            view = Snapshot();
            subscribers = [.. _subscribers];
        }
        foreach (var s in subscribers)
        {
            try
            {
                await s(view);
            }
#pragma warning disable CA1031 // One circuit's failure must not stop the ticker of the others.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private TickerView Snapshot()
    {
        var now = time.GetUtcNow();
        while (_wireDowns.Last is { } oldest && oldest.Value.Until <= now) _wireDowns.RemoveLast();
        return new TickerView([.. _latest], [.. _wireDowns.Select(w => w.Signal)], _total);
    }

    private sealed class Subscription(SignalTicker owner, Func<TickerView, Task> onView) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock) owner._subscribers.Remove(onView);
        }
    }
}
