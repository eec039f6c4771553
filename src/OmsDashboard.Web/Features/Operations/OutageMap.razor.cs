using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
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

    /// <summary>
    /// Most markers sent to the browser in one call: a storm's whole first load goes in one
    /// message, so the cluster group clusters it in one pass rather than once per chunk. The
    /// markers go as one JSON string (<see cref="OutageMarkerJson.Serialize"/>): as interop
    /// arguments, Blazor's JSON.parse would call its revivers for each of their half a million
    /// values, which took seconds at 50,000 markers (docs/benchmarks.md).
    /// </summary>
    internal const int MaxMarkersPerCall = 100_000;

    /// <summary>
    /// From this many markers in one sync (a page's first load in a storm) they are fetched over
    /// HTTP (<see cref="MarkerHandoff"/>) rather than sent through the circuit.
    /// </summary>
    internal const int HandoffAbove = 2000;

    private readonly ShownMarkers _shown = new();
    private string? _user;
    private IReadOnlyList<OutageRow>? _synced;
    private ElementReference _element;
    private IJSObjectReference? _module;
    private bool _live;
    private string? _mapError;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private MarkerHandoff Handoff { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private IOptions<OmsOptions> Options { get; set; } = default!;
    [Inject] private ILogger<OutageMap> Logger { get; set; } = default!;

    /// <summary>
    /// The outages to show. Each render sends the browser only what changed since the last one
    /// (new, changed and gone markers). Defaults to none.
    /// </summary>
    [Parameter] public IReadOnlyList<OutageRow> Outages { get; set; } = [];

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            if (firstRender)
            {
                var map = Options.Value.Map;
                // A handed-off batch can be fetched only by the user it was made for.
                _user = AuthState is null ? null : (await AuthState).User.Identity?.Name;
                _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
                // The map is fitted to the network at once and fetches its lines itself (FeederLines):
                // the outage markers, what the page is for, do not wait for the background.
                var bounds = await Topology.GetNetworkBoundsAsync();
                await _module.InvokeVoidAsync("createMap", _element,
                    new OutageMapSettings(map.TileUrl, map.TileAttribution, map.MaxZoom, FeederLines.Url, bounds));
                _live = true;
            }
            if (_live)
            {
                await SyncAsync();
            }
        }
        // An exception escaping here would end the circuit (the whole page dies): show it instead.
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

    private async Task SyncAsync()
    {
        // The diff updates _shown before the first await: a render that comes in while these calls
        // are on their way sends only what changed after them, and the browser gets them in order.
        if (ReferenceEquals(_synced, Outages))
        {
            return; // the view-model hands a new list only when something changed
        }
        _synced = Outages;
        var clock = Stopwatch.StartNew();
        var (upserts, removals) = _shown.Diff(Outages);
        long diffMs = clock.ElapsedMilliseconds;
        if (removals.Count > 0)
        {
            await _module!.InvokeVoidAsync("removeOutages", _element, removals);
        }
        foreach (var chunk in upserts.Chunk(MaxMarkersPerCall))
        {
            if (chunk.Length > HandoffAbove && _user is not null)
            {
                string url = Handoff.Put(_user, OutageMarkerJson.SerializeToUtf8Bytes(chunk));
                await _module!.InvokeAsync<int>("loadOutages", _element, url);
            }
            else
            {
                await _module!.InvokeVoidAsync("upsertOutages", _element, OutageMarkerJson.Serialize(chunk));
            }
        }
        if (upserts.Count + removals.Count > 0)
        {
            // Debug: where a slow map goes (oms-bench ui turns it on).
            Logger.LogDebug("Outage map: diff of {Rows} rows in {DiffMs} ms ({Built} built), {Upserts} upserts and {Removals} removals sent and drawn in {SendMs} ms",
                Outages.Count, diffMs, _shown.BuiltLastDiff, upserts.Count, removals.Count, clock.ElapsedMilliseconds - diffMs);
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
