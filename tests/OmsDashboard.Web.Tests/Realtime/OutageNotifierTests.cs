using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Tests.Realtime;

public sealed class OutageNotifierTests
{
    private static readonly KpiUpdate Kpis = new(3, 120, new Dictionary<string, int> { ["kaifa"] = 10 });

    [Fact]
    public async Task Publish_ASubscriberThrows_TheOthersStillGetTheUpdate()
    {
        var notifier = new OutageNotifier();
        var received = new List<KpiUpdate>();
        using var failing = notifier.Subscribe(kpis: _ => throw new InvalidOperationException("a broken component"));
        using var healthy = notifier.Subscribe(kpis: k => { received.Add(k); return Task.CompletedTask; });

        await notifier.PublishAsync(Kpis);

        Assert.Equal([Kpis], received);
    }

    [Fact]
    public async Task Dispose_StopsTheSubscription()
    {
        var notifier = new OutageNotifier();
        int calls = 0;
        var subscription = notifier.Subscribe(kpis: _ => { calls++; return Task.CompletedTask; });
        await notifier.PublishAsync(Kpis);

        subscription.Dispose();
        await notifier.PublishAsync(Kpis);

        Assert.Equal(1, calls);
    }
}
