using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Npgsql;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Hosting;

namespace OmsDashboard.Web.Features.Network;

public sealed partial class NetworkMap
{
    /// <summary>Our Leaflet module, relative to the app's base href.</summary>
    internal const string ModulePath = "./js/networkMap.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private IReadOnlyList<MapFeeder> _drawn = [];
    private string? _mapError;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private IOptions<OmsOptions> Options { get; set; } = default!;
    [Inject] private ILogger<NetworkMap> Logger { get; set; } = default!;

    /// <summary>Most feeders drawn at once; a synthetic utility has hundreds. Defaults to 200.</summary>
    [Parameter] public int MaxFeeders { get; set; } = 200;

    /// <summary>
    /// Feeder id → line colour, so the map matches the page's swatches. Feeders missing from it
    /// get <see cref="FeederPalette"/> colours in drawing order. Defaults to none.
    /// </summary>
    [Parameter] public IReadOnlyDictionary<string, string>? FeederColors { get; set; }

    /// <summary>Raised with the number of feeders drawn.</summary>
    [Parameter] public EventCallback<int> FeederCountChanged { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }
        try
        {
            var map = Options.Value.Map;
            _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            await _module.InvokeVoidAsync("createMap", _element, new MapSettings(map.TileUrl, map.TileAttribution, map.MaxZoom));
            var feeders = MapFeeder.From(await Topology.GetFeederGeometryAsync(MaxFeeders), FeederColors);
            int drawn = await _module.InvokeAsync<int>("drawFeeders", _element, feeders);
            _drawn = feeders;
            StateHasChanged();
            await FeederCountChanged.InvokeAsync(drawn);
        }
        // An exception escaping here would end the circuit (the whole page dies): show it instead.
        catch (JSException e)
        {
            Logger.LogWarning(e, "The network map failed in the browser");
            ShowError(e.Message);
        }
        catch (NpgsqlException e)
        {
            Logger.LogWarning(e, "The network map could not read the feeders");
            ShowError("the feeders could not be read: " + e.Message);
        }
        catch (JSDisconnectedException)
        {
            // The browser has gone; there is no one to show anything to.
        }
    }

    /// <summary>Zooms the map to a feeder's lines (and scrolls the map into view).</summary>
    public async Task FocusFeederAsync(string feederId)
    {
        if (_module is null)
        {
            return;
        }
        try
        {
            await _module.InvokeVoidAsync("focusFeeder", _element, feederId);
        }
        catch (JSException e)
        {
            Logger.LogWarning(e, "The network map could not focus feeder {Feeder}", feederId);
            ShowError(e.Message);
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private void ShowError(string message)
    {
        _mapError = message;
        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
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

/// <summary>The map's settings as <c>createMap</c> receives them.</summary>
public sealed record MapSettings(string TileUrl, string TileAttribution, int MaxZoom);

/// <summary>A feeder as <c>drawFeeders</c> receives it: segments are [fromLat, fromLon, toLat, toLon].</summary>
public sealed record MapFeeder(string Id, string ShortId, string Name, string SubstationId, double Lat, double Lon, string Color,
    IReadOnlyList<double[]> Segments, IReadOnlyList<DeviceMarker> Devices)
{
    public static IReadOnlyList<MapFeeder> From(IReadOnlyList<FeederGeometry> feeders, IReadOnlyDictionary<string, string>? colors) =>
    [
        .. feeders.Select((f, i) => new MapFeeder(f.Id, NetworkViewModel.ShortId(f.Id), f.Name, f.SubstationId, f.Lat, f.Lon,
            colors is not null && colors.TryGetValue(f.Id, out var color) ? color : FeederPalette.ColorAt(i),
            f.Segments, f.Devices)),
    ];
}
