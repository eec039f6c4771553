using System.Data.Common;
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

    /// <summary>Outages read per query at start (the API's largest page).</summary>
    internal const int LoadPageSize = 1000;

    private OperationsViewModel _model = default!;
    private IDisposable? _subscription;
    private ITimer? _tick;
    private string? _error;

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
        try
        {
            // Keyset pages: a storm's tens of thousands of rows cost the same per page, and an outage
            // created during the read cannot push a row into a page already read.
            var outages = new List<OutageItem>();
            OutageCursor? after = null;
            while (true)
            {
                var page = await Outages.ListAfterAsync(new OutageFilter("active"), after, LoadPageSize);
                outages.AddRange(page);
                if (page.Count < LoadPageSize)
                {
                    break;
                }
                after = OutageCursor.After(page[^1]);
            }
            var kpis = await Outages.KpisAsync();
            var storm = await StormModeQuery.GetAsync(DataSource);
            var network = await Topology.GetSummaryAsync();
            _model.CustomersServed = network.Totals.Customer;
            _model.SetPollers(await SourceHealth.PollersAsync());
            _model.Load(outages, kpis, storm);
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The Operations page could not load the active outages");
            _error = e.Message;
            _subscription.Dispose();
            return;
        }
        _tick = Time.CreateTimer(_ => _ = OnTickAsync(), null, TickInterval, TickInterval);
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
        _subscription?.Dispose();
        _tick?.Dispose();
    }
}
