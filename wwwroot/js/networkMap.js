// The dashboard's Leaflet module: one map per element, driven from Blazor
// (src/OmsDashboard.Web/Features/Network/NetworkMap.razor.cs) through IJSRuntime.
// Leaflet itself comes from npm (wwwroot/lib/leaflet, copied at build) as the global `L`.
// Colours are not chosen here: every feeder arrives with its own (FeederPalette.cs), so the
// page's cards and legend match the lines.

const maps = new WeakMap();

// Fitting leaves the right-hand strip to the legend (NetworkMap.razor draws it top right).
const fitPadding = { paddingTopLeft: [20, 20], paddingBottomRight: [160, 20] };

/**
 * Creates the map in `element`. Tiles come from configuration: with no tile URL the network is
 * drawn on a plain background (maxZoom must still be set, or marker clustering breaks).
 */
export function createMap(element, options) {
  destroyMap(element);
  const maxZoom = options.maxZoom || 19;
  const map = L.map(element, {
    maxZoom,
    minZoom: 3,
    zoomSnap: 0.25,
    attributionControl: !!options.tileUrl,
  }).setView([34.0, -116.93], 11);
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom, attribution: options.tileAttribution || '' }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  // Leaflet measures its container once: follow the drawer opening and a tablet turning.
  const resize = new ResizeObserver(() => map.invalidateSize());
  resize.observe(element);
  maps.set(element, { map, resize, network: L.layerGroup().addTo(map), lines: new Map() });
  return true;
}

/**
 * Draws feeders: each is one multi-segment line (every device and transformer joined to its
 * upstream node) in the feeder's colour, its reclosers and switches as dots and its head as a
 * larger dot. All lines first, then switches, reclosers and heads, so nothing important is hidden.
 */
export function drawFeeders(element, feeders) {
  const state = maps.get(element);
  if (!state) return 0;
  state.network.clearLayers();
  state.lines.clear();
  const bounds = L.latLngBounds([]);
  for (const feeder of feeders) {
    const line = L.polyline(feeder.segments.map(s => [[s[0], s[1]], [s[2], s[3]]]), {
      color: feeder.color,
      weight: 2,
      opacity: 0.9,
      className: 'oms-feeder',
    }).bindTooltip(`${feeder.shortId} · ${feeder.name}`, { sticky: true });
    line.addTo(state.network);
    state.lines.set(feeder.id, line);
    bounds.extend(line.getBounds());
  }
  // Switches under reclosers: a recloser often sits next to a switch and matters more.
  for (const kind of ['switch', 'recloser']) {
    for (const feeder of feeders) {
      for (const device of feeder.devices.filter(d => d.kind === kind)) {
        const recloser = kind === 'recloser';
        L.circleMarker([device.lat, device.lon], {
          radius: recloser ? 6 : 4,
          color: recloser ? '#222' : feeder.color,
          weight: 2,
          fillColor: recloser ? '#ffd54f' : '#fff',
          fillOpacity: 1,
          className: `oms-device oms-${kind}`,
        }).bindTooltip(`${kind} ${device.id}`).addTo(state.network);
      }
    }
  }
  for (const feeder of feeders) {
    L.circleMarker([feeder.lat, feeder.lon], {
      radius: 8, color: '#000', weight: 2, fillColor: feeder.color, fillOpacity: 1, className: 'oms-feeder-head',
    }).bindTooltip(`Feeder head ${feeder.shortId} · substation ${feeder.substationId}`).addTo(state.network);
  }
  if (bounds.isValid()) {
    state.map.fitBounds(bounds, { ...fitPadding, animate: false });
  }
  element.dataset.feedersDrawn = String(feeders.length);
  return feeders.length;
}

/** Zooms to one feeder's lines and brings the map into view (on a tablet it sits above the cards). */
export function focusFeeder(element, feederId) {
  const state = maps.get(element);
  const line = state && state.lines.get(feederId);
  if (!line) return false;
  state.map.fitBounds(line.getBounds(), fitPadding);
  element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  return true;
}

export function destroyMap(element) {
  const state = maps.get(element);
  if (state) {
    state.resize.disconnect();
    state.map.remove();
    maps.delete(element);
  }
}

/**
 * The feeders' lines alone (no devices, no heads), all in one style, as a layer group for any map:
 * for maps where the network is only the background (the Operations page's outage map).
 * Returns the group and the lines' bounds.
 */
export function feederLinesLayer(feeders, style) {
  const group = L.layerGroup();
  const bounds = L.latLngBounds([]);
  for (const feeder of feeders) {
    const line = L.polyline(feeder.segments.map(s => [[s[0], s[1]], [s[2], s[3]]]), {
      weight: 1.5,
      opacity: 0.9,
      interactive: false,
      ...style,
    });
    line.addTo(group);
    bounds.extend(line.getBounds());
  }
  return { group, bounds };
}
