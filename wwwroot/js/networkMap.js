// The dashboard's Leaflet module: one map per element, driven from Blazor through IJSRuntime.
// Leaflet itself comes from npm (wwwroot/lib/leaflet, copied at build) as the global `L`.

const maps = new WeakMap();

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function feederColor(index) {
  return palette[index % palette.length];
}

/**
 * Creates the map in `element`. Tiles come from configuration: with no tile URL the network is
 * drawn on a plain background (maxZoom must still be set, or marker clustering breaks).
 */
export function createMap(element, options) {
  destroyMap(element);
  const map = L.map(element, {
    maxZoom: options.maxZoom || 19,
    minZoom: 3,
    zoomSnap: 0.25,
    attributionControl: !!options.tileUrl,
  }).setView([34.0, -116.93], 11);
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom: options.maxZoom || 19, attribution: options.tileAttribution || '' }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const state = { map, network: L.layerGroup().addTo(map) };
  maps.set(element, state);
  return true;
}

/**
 * Draws feeders: each is one multi-segment line (every device and transformer joined to its
 * upstream node), its substation as a square-ish marker and its reclosers and switches as dots.
 */
export function drawFeeders(element, feeders) {
  const state = maps.get(element);
  if (!state) return 0;
  state.network.clearLayers();
  const bounds = L.latLngBounds([]);
  feeders.forEach((feeder, i) => {
    const color = feederColor(i);
    const lines = feeder.segments.map(s => [[s[0], s[1]], [s[2], s[3]]]);
    const line = L.polyline(lines, {
      color,
      weight: 2,
      opacity: 0.9,
      className: 'oms-feeder',
    }).bindTooltip(`${feeder.name} (${feeder.id})`, { sticky: true });
    line.addTo(state.network);
    bounds.extend(line.getBounds());
    for (const device of feeder.devices) {
      L.circleMarker([device.lat, device.lon], {
        radius: device.kind === 'recloser' ? 6 : 4,
        color: device.kind === 'recloser' ? '#222' : color,
        weight: 2,
        fillColor: device.kind === 'recloser' ? '#ffd54f' : '#fff',
        fillOpacity: 1,
        className: `oms-device oms-${device.kind}`,
      }).bindTooltip(`${device.kind} ${device.id}`).addTo(state.network);
    }
    L.circleMarker([feeder.lat, feeder.lon], {
      radius: 8, color: '#000', weight: 2, fillColor: color, fillOpacity: 1, className: 'oms-feeder-head',
    }).bindTooltip(`Feeder head ${feeder.id} · substation ${feeder.substationId}`).addTo(state.network);
  });
  if (bounds.isValid()) {
    state.map.fitBounds(bounds, { padding: [20, 20] });
  }
  element.dataset.feedersDrawn = String(feeders.length);
  return feeders.length;
}

export function focusFeeder(element, lat, lon) {
  const state = maps.get(element);
  if (state) state.map.setView([lat, lon], 13);
}

export function destroyMap(element) {
  const state = maps.get(element);
  if (state) {
    state.map.remove();
    maps.delete(element);
  }
}
