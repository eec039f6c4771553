using OmsDashboard.Data.Queries;

namespace OmsDashboard.Web.Realtime;

/// <summary>One pushed change: the outage's latest state and what happened to it.</summary>
public sealed record OutageUpdate(OutageItem Outage, string Change);

/// <summary>What the dashboard's live parts need besides outages.</summary>
public sealed record KpiUpdate(long ActiveOutages, long CustomersOut, IReadOnlyDictionary<string, int> SignalsPerMinute);

public sealed record StormUpdate(bool Active, DateTimeOffset? Since, string Reason, string RuleSet);

/// <summary>
/// In-process push for Blazor components: a subscription is an <see cref="IDisposable"/>;
/// components marshal onto their render thread themselves (InvokeAsync) and dispose on teardown.
/// </summary>
public sealed class OutageNotifier
{
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];

    public IDisposable Subscribe(Func<IReadOnlyList<OutageUpdate>, Task>? outages = null, Func<KpiUpdate, Task>? kpis = null, Func<StormUpdate, Task>? storm = null)
    {
        var s = new Subscriber(this, outages, kpis, storm);
        lock (_lock) _subscribers.Add(s);
        return s;
    }

    internal Task PublishAsync(IReadOnlyList<OutageUpdate> updates) => Each(s => s.Outages?.Invoke(updates));
    internal Task PublishAsync(KpiUpdate kpis) => Each(s => s.Kpis?.Invoke(kpis));
    internal Task PublishAsync(StormUpdate storm) => Each(s => s.Storm?.Invoke(storm));

    private async Task Each(Func<Subscriber, Task?> send)
    {
        Subscriber[] copy;
        lock (_lock) copy = [.. _subscribers];
        foreach (var s in copy)
        {
            try
            {
                if (send(s) is { } task) await task;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A component that went away or failed must not stop the push to the others;
                // components catch and show their own errors.
            }
        }
    }

    private sealed class Subscriber(OutageNotifier owner, Func<IReadOnlyList<OutageUpdate>, Task>? outages, Func<KpiUpdate, Task>? kpis, Func<StormUpdate, Task>? storm) : IDisposable
    {
        public Func<IReadOnlyList<OutageUpdate>, Task>? Outages { get; } = outages;
        public Func<KpiUpdate, Task>? Kpis { get; } = kpis;
        public Func<StormUpdate, Task>? Storm { get; } = storm;

        public void Dispose()
        {
            lock (owner._lock) owner._subscribers.Remove(this);
        }
    }
}
