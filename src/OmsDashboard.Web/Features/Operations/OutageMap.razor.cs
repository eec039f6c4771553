using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Npgsql;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Hosting;

namespace OmsDashboard.Web.Features.Operations;

public sealed partial class OutageMap
{
    /// <summary>Our Leaflet module for outages, relative to the app's base href.</summary>
    internal const string ModulePath = "./js/outageMap.js";

    /// <summary>Most outages a cluster's list shows (at the deepest zoom, where a click cannot zoom in further).</summary>
    internal const int MaxClusterMembers = 50;

    private readonly MapOutages _outages = new();
    private readonly MapComposer _composer = new();
    private IReadOnlyList<OutageRow>? _synced;
    private MapView? _view;
    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<OutageMap>? _self;
    private bool _live;
    private string? _mapError;
    private int _sentTotal; // the map element starts at 0 (outageMap.js)

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private IOptions<OmsOptions> Options { get; set; } = default!;
    [Inject] private ILogger<OutageMap> Logger { get; set; } = default!;

    /// <summary>
    /// The outages to show. The browser gets marks only for the part of the map it shows, clustered on
    /// the server (<see cref="MapComposer"/>); each render or move sends only the marks that
    /// changed. Defaults to none.
    /// </summary>
    [Parameter] public IReadOnlyList<OutageRow> Outages { get; set; } = [];

    protected override Task OnAfterRenderAsync(bool firstRender) => GuardAsync(async () =>
    {
        if (firstRender)
        {
            var map = Options.Value.Map;
            _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            // The map is fitted to the network at once and fetches its lines itself (FeederLines):
            // the outage markers, what the page is for, do not wait for the background.
            var bounds = await Topology.GetNetworkBoundsAsync();
            _self = DotNetObjectReference.Create(this);
            // The view it was fitted to comes back: the first marks are composed for it.
            var fitted = await _module.InvokeAsync<MapView>("createMap", _element,
                new OutageMapSettings(map.TileUrl, map.TileAttribution, map.MaxZoom, FeederLines.Url, bounds), _self);
            _view = fitted is { IsPlausible: true } ? fitted : null;
            _live = true;
        }
        if (_live)
        {
            await SyncAsync(viewChanged: false);
        }
    });

    /// <summary>
    /// The browser's map was panned or zoomed (outageMap.js reports it when the move ends): the
    /// marks for the new view are composed and the difference sent.
    /// </summary>
    [JSInvokable]
    public Task ViewChanged(MapView view) => GuardAsync(async () =>
    {
        if (!_live)
        {
            return;
        }
        if (!view.IsPlausible)
        {
            // Only a tampered circuit sends this (Leaflet reports finite views within its zoom range).
            Logger.LogWarning("The outage map reported an impossible view, ignored: {View}", view);
            return;
        }
        _view = view;
        await SyncAsync(viewChanged: true);
    });

    /// <summary>The outages of a cluster the map shows, for its list (a click on a cluster at the deepest zoom).</summary>
    [JSInvokable]
    public ClusterMembers ClusterMembers(string clusterId) => MapComposer.Members(_outages, clusterId, MaxClusterMembers);

    private async Task SyncAsync(bool viewChanged)
    {
        // Everything is decided before the first await: a render or a move that comes in while this
        // call is on its way composes against what it sent, and the browser gets both in order.
        bool outagesChanged = !ReferenceEquals(_synced, Outages);
        if ((!outagesChanged && !viewChanged) || _view is null)
        {
            // The view-model hands a new list only when something changed; and with no view (a map
            // that could not say where it is) there is nothing to compose until it reports one.
            return;
        }
        var clock = Stopwatch.StartNew();
        if (outagesChanged)
        {
            _synced = Outages;
            _outages.Update(Outages);
        }
        var update = _composer.Compose(_outages, _view);
        long composeMs = clock.ElapsedMilliseconds;
        if (!update.ChangesMarks && update.Total == _sentTotal && !viewChanged)
        {
            return; // a change outside the view that no mark shows
        }
        _sentTotal = update.Total;
        await _module!.InvokeVoidAsync("updateOutages", _element, MapUpdateJson.Serialize(update));
        // Debug: where a slow map goes (oms-bench ui turns it on).
        Logger.LogDebug("Outage map: {Outages} outages ({Changed} changed), {Marks} marks composed for {View} in {ComposeMs} ms; {Markers} markers, {Clusters} clusters and {Removals} removals sent and drawn in {SendMs} ms",
            update.Total, _outages.ChangedLastUpdate, _composer.Shown, _view, composeMs, update.Markers.Count, update.Clusters.Count, update.Removals.Count,
            clock.ElapsedMilliseconds - composeMs);
    }

    /// <summary>
    /// Runs a step of the map; what fails in the browser or the database is shown on the page rather
    /// than thrown: an exception escaping a render or a JS call would end the circuit (the whole page dies).
    /// </summary>
    private async Task GuardAsync(Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (JSException e)
        {
            Logger.LogWarning(e, "The outage map failed in the browser");
            Stop(e.Message);
        }
        catch (NpgsqlException e)
        {
            Logger.LogWarning(e, "The outage map could not read the feeders");
            Stop("the feeders could not be read: " + e.Message);
        }
        catch (JSDisconnectedException)
        {
            // The browser has gone; there is no one to show anything to.
            _live = false;
        }
    }

    private void Stop(string message)
    {
        // What the browser shows no longer matches _shown: stop sending rather than guess.
        _live = false;
        _mapError = message;
        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        _live = false;
        _self?.Dispose();
        if (_module is null)
        {
            return;
        }
        try
        {
            await _module.InvokeVoidAsync("destroyMap", _element);
            await _module.DisposeAsync();
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException)
        {
            // Leaving the page while the browser is gone or the map half-built: nothing to clean.
        }
    }
}
