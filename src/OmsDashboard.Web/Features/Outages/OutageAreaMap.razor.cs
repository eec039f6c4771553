using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Npgsql;
using OmsDashboard.Data.Queries;
using OmsDashboard.Web.Features.Operations;
using OmsDashboard.Web.Features.Shared;
using OmsDashboard.Web.Hosting;

namespace OmsDashboard.Web.Features.Outages;

public sealed partial class OutageAreaMap
{
    private ElementReference _element;
    private IJSObjectReference? _module;
    private bool _live;
    private string? _mapError;
    private AreaDrawing? _shown;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private TopologyQueries Topology { get; set; } = default!;
    [Inject] private IOptions<OmsOptions> Options { get; set; } = default!;
    [Inject] private ILogger<OutageAreaMap> Logger { get; set; } = default!;

    /// <summary>The outage (its device, severity and location). Required for anything to be drawn.</summary>
    [Parameter] public OutageItem? Outage { get; set; }

    /// <summary>The predicted device first, up to the substation. Defaults to none.</summary>
    [Parameter] public IReadOnlyList<PathNode> Path { get; set; } = [];

    /// <summary>The network below the device; null until read.</summary>
    [Parameter] public OutageArea? Area { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            if (firstRender)
            {
                var map = Options.Value.Map;
                // The Operations page's module: the same map, background and palette, one more layer.
                _module = await JS.InvokeAsync<IJSObjectReference>("import", OutageMap.ModulePath);
                await _module.InvokeVoidAsync("createMap", _element, new OutageMapSettings(map.TileUrl, map.TileAttribution, map.MaxZoom));
                _live = true;
            }
            if (_live && AreaDrawing.From(Outage, Path, Area) is { } drawing && !drawing.SameAs(_shown))
            {
                if (_shown?.FeederId != drawing.FeederId)
                {
                    var feeders = await Topology.GetFeederGeometryAsync();
                    await _module!.InvokeAsync<int>("drawFeeders", _element,
                        feeders.Where(f => f.Id == drawing.FeederId).Select(f => new FeederLine(f.Id, f.Segments)).ToList());
                }
                _shown = drawing;
                await _module!.InvokeAsync<int>("showArea", _element, drawing);
            }
        }
        // An exception escaping here would end the circuit (the whole page dies): show it instead.
        catch (JSException e)
        {
            Logger.LogWarning(e, "The outage area map failed in the browser");
            Stop(e.Message);
        }
        catch (NpgsqlException e)
        {
            Logger.LogWarning(e, "The outage area map could not read the feeder");
            Stop("the feeder could not be read: " + e.Message);
        }
        catch (JSDisconnectedException)
        {
            _live = false;
        }
    }

    private void Stop(string message)
    {
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

/// <summary>A node on the way to the substation, as <c>showArea</c> draws it.</summary>
public sealed record AreaPathNode(string Id, string Kind, string Label, double Lat, double Lon);

/// <summary>
/// What <c>showArea</c> (wwwroot/js/outageMap.js) receives: everything decided here (texts,
/// classes), so the JS only draws.
/// </summary>
public sealed record AreaDrawing(string OutageId, string DeviceId, string FeederId, double Lat, double Lon, string Severity, string Status,
    bool Hazard, string Label, IReadOnlyList<double[]> Segments, IReadOnlyList<AreaCustomer> Customers, IReadOnlyList<AreaPathNode> Path)
{
    public static AreaDrawing? From(OutageItem? outage, IReadOnlyList<PathNode> path, OutageArea? area)
    {
        if (outage is null || area is null)
        {
            return null;
        }
        // The device's own coordinates when it is in the network, else where the outage is placed.
        (double lat, double lon) = path.Count > 0 ? (path[0].Lat, path[0].Lon) : (outage.Lat ?? double.NaN, outage.Lon ?? double.NaN);
        if (double.IsNaN(lat) || double.IsNaN(lon))
        {
            return null;
        }
        string label = $"{outage.EventId} · {outage.DeviceKind} {OutageLabels.ShortId(outage.DeviceId)}";
        return new AreaDrawing(outage.Id.ToString("D"), outage.DeviceId ?? "", outage.FeederId ?? "", lat, lon, outage.Severity, outage.Status,
            outage.HasHazard, label, area.Segments, area.Customers,
            [.. path.Select(p => new AreaPathNode(p.Id, p.Kind, $"{OutageDetailViewModel.KindLabel(p.Kind)} {OutageLabels.ShortId(p.Id)}", p.Lat, p.Lon))]);
    }

    /// <summary>Whether drawing this again would show the same thing (lists compared by reference: each read makes new ones).</summary>
    public bool SameAs(AreaDrawing? other) =>
        other is not null && other.OutageId == OutageId && other.DeviceId == DeviceId && other.Severity == Severity && other.Status == Status
        && other.Hazard == Hazard && other.Label == Label && ReferenceEquals(other.Segments, Segments) && ReferenceEquals(other.Customers, Customers)
        && other.Path.Count == Path.Count;
}
