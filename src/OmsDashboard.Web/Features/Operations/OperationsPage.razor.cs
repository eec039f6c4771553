using System.Data.Common;
using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Npgsql;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Operations;

public sealed partial class OperationsPage
{
    /// <summary>How often ages ("12 min") and silences are brought up to date without a push.</summary>
    internal static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Outages read per query at start: 50,000 active outages in 5 round trips rather than 50 (the
    /// API's pages stop at 1,000; this read is the page's own).
    /// </summary>
    internal const int LoadPageSize = 10_000;

    private OperationsViewModel _model = default!;
    private IDisposable? _subscription;
    private ITimer? _tick;
    private string? _error;
    // Cancels the start-up reads still running when the page goes away.
    private readonly CancellationTokenSource _closing = new();

    [Inject] private OutageQueries Outages { get; set; } = default!;
    [Inject] private OutageNotifier Notifier { get; set; } = default!;
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private NpgsqlDataSource DataSource { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private Polling.SourceHealthService SourceHealth { get; set; } = default!;
    [Inject] private ILogger<OperationsPage> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _model = new OperationsViewModel(Time);
        // Prerendering would read every active outage only to throw the page away: the circuit reads.
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        // Subscribe first: the view-model holds what arrives during the read and replays it after.
        _subscription = Notifier.Subscribe(OnOutagesAsync, OnKpisAsync, OnStormAsync);
        var clock = Stopwatch.StartNew();
        // The reads are independent (each its own pooled connection): all at once, not one after
        // another. The grid and the figures need the outages, the KPIs and storm mode; customers
        // served and the pollers fill in after the first render rather than holding it back
        // (docs/benchmarks.md). Customers served is one count, not the Network page's summary
        // (which also counts meters and ONUs per feeder: 2–6 s at 150,000 customers under load).
        var kpis = Timed("kpis", Outages.KpisAsync);
        var storm = Timed("storm mode", ct => StormModeQuery.GetAsync(DataSource, ct));
        var served = Timed("customers served", Topology.CountCustomersAsync);
        var pollers = Timed("pollers", SourceHealth.PollersAsync);
        try
        {
            var outages = await Timed("active outages", ReadActiveAsync);
            _model.Load(outages, await kpis, await storm);
            Logger.LogDebug("Operations page loaded {Count} outages in {Ms} ms", outages.Count, clock.ElapsedMilliseconds);
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The Operations page could not load the active outages");
            _error = e.Message;
            _subscription.Dispose();
            // The other reads most likely failed the same way: observe them, show the first error.
            await Task.WhenAll(Quietly(kpis), Quietly(storm), Quietly(served), Quietly(pollers));
            return;
        }
        _ = FillInAsync(served, pollers);
        _tick = Time.CreateTimer(_ => _ = OnTickAsync(), null, TickInterval, TickInterval);
    }

    /// <summary>
    /// Every active outage, in keyset pages: a storm's tens of thousands of rows cost the same per
    /// page, and an outage created during the read cannot push a row into a page already read.
    /// </summary>
    private async Task<List<OutageItem>> ReadActiveAsync(CancellationToken ct)
    {
        var outages = new List<OutageItem>();
        OutageCursor? after = null;
        while (true)
        {
            var page = await Outages.ListAfterAsync(new OutageFilter("active"), after, LoadPageSize, ct);
            outages.AddRange(page);
            if (page.Count < LoadPageSize)
            {
                return outages;
            }
            after = OutageCursor.After(page[^1]);
        }
    }

    /// <summary>Customers served and the pollers, once read, into the header (a failure leaves them out, logged).</summary>
    private async Task FillInAsync(Task<long> served, Task<IReadOnlyList<Polling.PollerHealthDto>> pollers)
    {
        long? customers = null;
        IReadOnlyList<Polling.PollerHealthDto>? health = null;
        try
        {
            customers = await served;
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The Operations page could not count the customers served; the figure is left out");
        }
        catch (OperationCanceledException)
        {
            return; // the page went away
        }
        try
        {
            health = await pollers;
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The Operations page could not read the pollers' health; the next tick tries again");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await OnRenderThreadAsync(() =>
        {
            if (customers is not null)
            {
                _model.CustomersServed = customers;
            }
            if (health is not null)
            {
                _model.SetPollers(health);
            }
        });
    }

    /// <summary>Starts a read and logs (at Debug) how long it took, to see where a slow first render goes.</summary>
    private async Task<T> Timed<T>(string what, Func<CancellationToken, Task<T>> read)
    {
        var clock = Stopwatch.StartNew();
        var result = await read(_closing.Token);
        Logger.LogDebug("Operations page read {What} in {Ms} ms", what, clock.ElapsedMilliseconds);
        return result;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Ages and silences move on; the pollers' health (a small table, not pushed: pollers run in
    /// Hangfire, maybe on another instance) is read again.
    /// </summary>
    private async Task OnTickAsync()
    {
        IReadOnlyList<Polling.PollerHealthDto>? pollers = null;
        try
        {
            pollers = await SourceHealth.PollersAsync();
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The Operations page could not read the pollers' health; it keeps the last one");
        }
        await OnRenderThreadAsync(() =>
        {
            if (pollers is not null)
            {
                _model.SetPollers(pollers);
            }
        });
    }

    private Task OnOutagesAsync(IReadOnlyList<OutageUpdate> updates) => OnRenderThreadAsync(() => _model.Apply(updates));

    private Task OnKpisAsync(KpiUpdate kpis) => OnRenderThreadAsync(() => _model.Apply(kpis));

    private Task OnStormAsync(StormUpdate storm) => OnRenderThreadAsync(() => _model.Apply(storm));

    /// <summary>
    /// Runs a change on the render thread and renders. A push handler must never throw: the
    /// notifier is shared by every circuit and the broadcaster behind it.
    /// </summary>
    private async Task OnRenderThreadAsync(Action change)
    {
        try
        {
            await InvokeAsync(() =>
            {
                change();
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away while the push was on its way.
        }
#pragma warning disable CA1031 // One circuit's failure must not reach the broadcaster that serves all of them.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Logger.LogError(e, "A live update of the Operations page failed");
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
        _subscription?.Dispose();
        _tick?.Dispose();
    }
}
