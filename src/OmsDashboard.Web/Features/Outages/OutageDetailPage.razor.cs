using System.Data.Common;
using Microsoft.AspNetCore.Components;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Outages;

public sealed partial class OutageDetailPage
{
    /// <summary>How often the age and clock texts are brought up to date without a push.</summary>
    internal static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(15);

    private IDisposable? _subscription;
    private ITimer? _tick;
    private string? _error;
    private bool _refreshing;
    private Refresh _pending = Refresh.None;

    [Inject] private OutageDetailQueries Queries { get; set; } = default!;
    [Inject] private OutageNotifier Notifier { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<OutageDetailPage> Logger { get; set; } = default!;

    /// <summary>The outage's id (or its event id, <c>OUT-…</c>) from the route.</summary>
    [Parameter] public string Id { get; set; } = "";

    internal OutageDetailViewModel Model { get; private set; } = default!;

    protected override void OnInitialized()
    {
        Model = new OutageDetailViewModel(Time);
        if (!RendererInfo.IsInteractive)
        {
            // Prerendering would read everything only to throw the page away: the circuit reads.
            return;
        }
        // Subscribed before the first read: a push during it asks for a refresh after it.
        _subscription = Notifier.Subscribe(OnOutagesAsync);
        _tick = Time.CreateTimer(_ => _ = OnRenderThreadAsync(() => Task.CompletedTask), null, TickInterval, TickInterval);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (!RendererInfo.IsInteractive || Model.Key == Id)
        {
            return;
        }
        // A new outage on the same page (the survivor's link): start again.
        Model.Reset(Id);
        _error = null;
        await LoadAsync(Refresh.Everything);
    }

    /// <summary>Reads what <paramref name="what"/> says; errors are shown, never thrown into the circuit.</summary>
    private async Task LoadAsync(Refresh what)
    {
        string key = Id;
        try
        {
            var summary = await Queries.GetSummaryAsync(key);
            if (Model.Key != key)
            {
                return; // the route moved on while reading
            }
            Model.Load(summary);
            if (summary is null)
            {
                return;
            }
            var o = summary.Outage;
            await ReadEvidenceAsync(Model.EvidenceSource, what == Refresh.Everything ? null : Model.CurrentEvidenceStart, restart: what == Refresh.Everything);
            if (what == Refresh.Everything && o.DeviceId is { } device)
            {
                Model.SetCustomers(Model.CustomerSearch, await Queries.GetCustomersAsync(
                    new CustomerQuery(o.Id, device, o.DeviceKind, Model.CustomerSearch, Limit: OutageDetailViewModel.CustomerPageSize, WithTotal: true)), restart: true);
                Model.SetArea(await Queries.GetAreaAsync(o.Id, device, o.DeviceKind));
            }
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The outage page could not read outage {Key}", key);
            _error = e.Message;
        }
    }

    private async Task ReadEvidenceAsync(string? source, EvidenceCursor? start, bool restart)
    {
        if (Model.Outage is not { } o)
        {
            return;
        }
        Model.SetEvidence(source, await Queries.GetEvidenceAsync(o.Id, source, start, OutageDetailViewModel.EvidencePageSize), restart);
    }

    private Task OnEvidenceSourceAsync(string? source) => Guarded(() => ReadEvidenceAsync(source, null, restart: true));

    private Task OnEvidenceNextAsync() => Guarded(() => ReadEvidenceAsync(Model.EvidenceSource, Model.NextEvidenceStart(), restart: false));

    private Task OnEvidencePreviousAsync() => Guarded(() => ReadEvidenceAsync(Model.EvidenceSource, Model.PreviousEvidenceStart(), restart: false));

    private Task OnCustomerSearchAsync(string? search) => Guarded(() => ReadCustomersAsync(string.IsNullOrWhiteSpace(search) ? null : search.Trim(), null, restart: true));

    private Task OnCustomersNextAsync() => Guarded(() => ReadCustomersAsync(Model.CustomerSearch, Model.NextCustomerStart(), restart: false));

    private Task OnCustomersPreviousAsync() => Guarded(() => ReadCustomersAsync(Model.CustomerSearch, Model.PreviousCustomerStart(), restart: false));

    private async Task ReadCustomersAsync(string? search, string? after, bool restart)
    {
        if (Model.Outage is not { DeviceId: { } device } o)
        {
            return;
        }
        Model.SetCustomers(search, await Queries.GetCustomersAsync(
            new CustomerQuery(o.Id, device, o.DeviceKind, search, after, OutageDetailViewModel.CustomerPageSize, WithTotal: restart)), restart);
    }

    private async Task Guarded(Func<Task> read)
    {
        try
        {
            await read();
        }
        catch (DbException e)
        {
            Logger.LogWarning(e, "The outage page could not read a panel");
            _error = e.Message;
        }
    }

    /// <summary>
    /// A push: the header takes the pushed outage at once; the panels are read again, one refresh
    /// at a time (pushes that arrive meanwhile fold into one more).
    /// </summary>
    private Task OnOutagesAsync(IReadOnlyList<OutageUpdate> updates) => OnRenderThreadAsync(async () =>
    {
        var what = Model.Apply(updates);
        if (what == Refresh.None)
        {
            return;
        }
        _pending = (Refresh)Math.Max((int)_pending, (int)what);
        if (_refreshing)
        {
            return;
        }
        _refreshing = true;
        try
        {
            while (_pending != Refresh.None)
            {
                var next = _pending;
                _pending = Refresh.None;
                StateHasChanged();
                await LoadAsync(next);
            }
        }
        finally
        {
            _refreshing = false;
        }
    });

    /// <summary>Runs a change on the render thread and renders. A push handler must never throw: the notifier is shared.</summary>
    private async Task OnRenderThreadAsync(Func<Task> change)
    {
        try
        {
            await InvokeAsync(async () =>
            {
                await change();
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
            Logger.LogError(e, "A live update of the outage page failed");
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _tick?.Dispose();
    }
}
