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

    /// <summary>Most markers sent to the browser in one call.</summary>
    internal const int MaxMarkersPerCall = 2000;

    private readonly Dictionary<string, OutageMarker> _shown = new(StringComparer.Ordinal);
    private ElementReference _element;
    private IJSObjectReference? _module;
    private bool _live;
    private string? _mapError;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private IOptions<OmsOptions> Options { get; set; } = default!;
    [Inject] private ILogger<OutageMap> Logger { get; set; } = default!;

    /// <summary>
    /// The outages to show. Each render sends the browser only what changed since the last one
    /// (new, changed and gone markers). Defaults to none.
    /// </summary>
    [Parameter] public IReadOnlyList<OutageRow> Outages { get; set; } = [];

    /// <summary>Most feeders drawn as the background. Defaults to 200.</summary>
    [Parameter] public int MaxFeeders { get; set; } = 200;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            if (firstRender)
            {
                var map = Options.Value.Map;
                _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
                await _module.InvokeVoidAsync("createMap", _element, new OutageMapSettings(map.TileUrl, map.TileAttribution, map.MaxZoom));
                var feeders = await Topology.GetFeederGeometryAsync(MaxFeeders);
                await _module.InvokeAsync<int>("drawFeeders", _element, feeders.Select(f => new FeederLine(f.Id, f.Segments)).ToList());
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
        var (upserts, removals) = OutageMarker.Diff(_shown, Outages);
        if (removals.Count > 0)
        {
            await _module!.InvokeVoidAsync("removeOutages", _element, removals);
        }
        // A storm's first load can hold tens of thousands: several moderate messages, not one huge one.
        foreach (var chunk in upserts.Chunk(MaxMarkersPerCall))
        {
            await _module!.InvokeVoidAsync("upsertOutages", _element, chunk);
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
