// The Operations page's live outage map, driven from Blazor
// (src/OmsDashboard.Web/Features/Operations/OutageMap.razor.cs) through IJSRuntime.
// The feeders are grey background lines (networkMap.js draws them); outages are markers that the
// server adds, changes and removes as the correlation engine pushes them, clustered when zoomed out.
// Nothing is decided here: size, texts and links arrive with each outage (OutageMarker.cs), and the
// colours come from app.css (oms-sev-*, oms-status-*), so the grid's chips and the markers agree.

import { feederLinesLayer } from './networkMap.js';

const maps = new WeakMap();
const severityRank = { low: 0, medium: 1, high: 2, critical: 3 };
const fitPadding = { paddingTopLeft: [20, 20], paddingBottomRight: [150, 20] };

// leaflet.markercluster is loaded on first use, beside Leaflet (wwwroot/lib, copied at build),
// so pages without an outage map do not carry it.
const clusterBase = new URL('../lib/leaflet.markercluster/', import.meta.url);
let clusterLoading = null;

function loadMarkerCluster() {
  if (L.MarkerClusterGroup) return Promise.resolve();
  if (!clusterLoading) {
    clusterLoading = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = new URL('MarkerCluster.css', clusterBase).href;
      document.head.appendChild(css);
      const script = document.createElement('script');
      script.src = new URL('leaflet.markercluster.js', clusterBase).href;
      script.onload = () => resolve();
      script.onerror = () => {
        clusterLoading = null;
        reject(new Error(`leaflet.markercluster could not be loaded from ${script.src}`));
      };
      document.head.appendChild(script);
    });
  }
  return clusterLoading;
}

// A div icon that carries the outage's ids on its element, for tests and for anyone debugging.
const OutageIcon = L.DivIcon.extend({
  createIcon(oldIcon) {
    const el = L.DivIcon.prototype.createIcon.call(this, oldIcon);
    el.dataset.outageId = this.options.outageId;
    el.dataset.eventId = this.options.eventId;
    el.dataset.severity = this.options.severity;
    el.dataset.status = this.options.status;
    return el;
  },
});

function iconFor(o) {
  const size = Math.round(o.radius * 2);
  return new OutageIcon({
    className: `oms-outage-marker oms-sev-${o.severity} oms-status-${o.status}${o.hazard ? ' oms-hazard' : ''}`,
    iconSize: [size, size],
    html: o.hazard ? '<span class="oms-hazard-badge" aria-label="wire down">!</span>' : '',
    outageId: o.id,
    eventId: o.eventId,
    severity: o.severity,
    status: o.status,
  });
}

// A cluster shows how many outages it holds, in the colour of the worst of them.
function clusterIcon(cluster) {
  const children = cluster.getAllChildMarkers();
  let worst = 'low';
  let hazard = false;
  for (const m of children) {
    if (severityRank[m.options.severity] > severityRank[worst]) worst = m.options.severity;
    hazard = hazard || m.options.hazard;
  }
  const count = cluster.getChildCount();
  const size = count < 10 ? 30 : count < 100 ? 36 : 44;
  return L.divIcon({
    className: `oms-outage-cluster oms-sev-${worst}${hazard ? ' oms-hazard' : ''}`,
    iconSize: [size, size],
    html: `<span>${count}</span>${hazard ? '<span class="oms-hazard-badge">!</span>' : ''}`,
  });
}

function textElement(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

function popupFor(o) {
  const box = document.createElement('div');
  box.className = 'oms-outage-popup';
  box.appendChild(textElement('div', o.tooltip));
  const link = textElement('a', `Open ${o.eventId}`);
  link.href = o.url;
  // Leaflet keeps clicks inside a popup from reaching the document, where Blazor's router listens
  // for links: hand the navigation to Blazor ourselves (no page reload, the circuit stays).
  link.addEventListener('click', e => {
    if (window.Blazor && window.Blazor.navigateTo) {
      e.preventDefault();
      window.Blazor.navigateTo(o.url);
    }
  });
  box.appendChild(link);
  return box;
}

// The marker's tooltip and popup, their content read from the outage each time they are shown.
function bindTexts(marker) {
  return marker
    .bindTooltip(m => textElement('span', m.options.outage.tooltip), { direction: 'auto', offset: [marker.options.outage.radius, 0] })
    .bindPopup(m => popupFor(m.options.outage));
}

/**
 * Creates the map in `element`. Tiles come from configuration: with no tile URL the feeders are
 * drawn on a plain background (maxZoom must still be set, or marker clustering breaks).
 * The Operations map also gets the network's box (fitted at once, so the outages are clustered
 * once, at the zoom they are shown at) and the URL of the feeders' lines, which it fetches and
 * draws in the background while the outages arrive over the circuit (FeederLines.cs).
 */
export async function createMap(element, options) {
  destroyMap(element);
  await loadMarkerCluster();
  const maxZoom = options.maxZoom || 19;
  const map = L.map(element, {
    maxZoom,
    minZoom: 3,
    zoomSnap: 0.25,
    attributionControl: !!options.tileUrl,
  }).setView([34.0, -116.93], 11);
  if (options.bounds) {
    const b = options.bounds;
    map.fitBounds([[b.south, b.west], [b.north, b.east]], { ...fitPadding, animate: false });
    // The cluster group clusters every outage once per zoom level from minZoom to maxZoom, when it
    // is given them: levels far wider than the network (a continent) only cost time at 50,000
    // outages. Four levels out (16 times the network's width) is still room to zoom out.
    map.setMinZoom(Math.max(3, Math.floor(map.getZoom()) - 4));
  }
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom, attribution: options.tileAttribution || '' }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const resize = new ResizeObserver(() => map.invalidateSize());
  resize.observe(element);
  const clusters = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    // Clustering 50,000 outages takes seconds: it yields to the page every 200 ms (the default)
    // but only for a moment, so that it is not stretched by a quarter more.
    chunkDelay: 10,
    iconCreateFunction: clusterIcon,
    // A mark when a batch is clustered, for the benchmark (oms-bench ui) to split its timings.
    chunkProgress: (processed, total) => {
      if (processed === total) performance.mark('oms-outages-clustered', { detail: { total } });
    },
  }).addTo(map);
  // Tooltip and popup are bound to a marker when first wanted (hovered, clicked, or Enter on it),
  // not to each of 50,000 markers up front: binding makes a Tooltip and a Popup object per marker.
  // (Cluster icons are markers too: only outages carry options.outage.)
  const outageOf = e => {
    const marker = e.propagatedFrom || e.layer;
    return marker && marker.options && marker.options.outage ? marker : null;
  };
  clusters.on('mouseover', e => {
    const marker = outageOf(e);
    if (marker && !marker.getTooltip()) bindTexts(marker).openTooltip();
  });
  clusters.on('click keypress', e => {
    const marker = outageOf(e);
    if (e.type === 'keypress' && !(e.originalEvent && e.originalEvent.key === 'Enter')) return;
    if (marker && !marker.getPopup()) bindTexts(marker).openPopup();
  });
  const state = { map, resize, clusters, network: null, markers: new Map() };
  maps.set(element, state);
  element.dataset.outages = '0';
  performance.mark('oms-map-created');
  if (options.feederLinesUrl) {
    // Not awaited: the caller goes on to send the outages while the lines download.
    fetchFeederLines(element, state, options.feederLinesUrl, !options.bounds);
  }
  return true;
}

async function fetchFeederLines(element, state, url, fit) {
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const body = await response.json();
    if (maps.get(element) !== state) return; // the map was destroyed or made again meanwhile
    // Segments come flat ([fromLat, fromLon, toLat, toLon, …]) to keep the download small.
    const feeders = body.feeders.map(f => {
      const segments = [];
      for (let i = 0; i + 3 < f.segments.length; i += 4) {
        segments.push(f.segments.slice(i, i + 4));
      }
      return { id: f.id, segments };
    });
    drawLines(element, state, feeders, fit);
    performance.mark('oms-feeders-drawn', { detail: { feeders: feeders.length } });
  } catch (e) {
    // The background only: the outages stay live without it. Say so on the element and the console.
    element.dataset.feedersError = String(e && e.message ? e.message : e);
    console.warn('The feeder lines could not be drawn', e);
  }
}

function drawLines(element, state, feeders, fit) {
  if (state.network) state.network.remove();
  const { group, bounds } = feederLinesLayer(feeders, { color: '#8e99a4', className: 'oms-feeder-line' });
  state.network = group.addTo(state.map);
  if (fit && bounds.isValid()) {
    state.map.fitBounds(bounds, { ...fitPadding, animate: false });
  }
  element.dataset.feedersDrawn = String(feeders.length);
  return feeders.length;
}

/** Draws the feeders as thin grey lines under the outages and fits the map to them (the outage page's map). */
export function drawFeeders(element, feeders) {
  const state = maps.get(element);
  if (!state) return 0;
  return drawLines(element, state, feeders, true);
}

// An outage as OutageMarkerJson (OutageMarker.cs) writes it: an array, to keep 50,000 of them small.
function markerFrom(a) {
  return {
    id: a[0], eventId: a[1], lat: a[2], lon: a[3], severity: a[4], status: a[5],
    radius: a[6], hazard: a[7] === 1, tooltip: a[8], url: a[9],
  };
}

/**
 * Adds outages, or moves and restyles the ones already shown (matched by id). They come as one
 * JSON text (OutageMarkerJson.Serialize): parsed here, without Blazor's per-value revivers.
 */
export function upsertOutages(element, json) {
  const state = maps.get(element);
  if (!state) return 0;
  const start = performance.now();
  const outages = JSON.parse(json);
  const changed = [];
  for (const a of outages) {
    const o = markerFrom(a);
    let marker = state.markers.get(o.id);
    if (marker) {
      // Out and back in: the cluster group places it afresh (it may have moved) and recounts.
      state.clusters.removeLayer(marker);
      marker.setLatLng([o.lat, o.lon]);
      marker.setIcon(iconFor(o));
      // Re-read by the content functions of bindTexts the next time the tooltip or popup opens.
      marker.options.outage = o;
      if (marker.isTooltipOpen()) marker.getTooltip().update();
      if (marker.isPopupOpen()) marker.getPopup().update();
      if (marker.getTooltip()) marker.getTooltip().options.offset = L.point(o.radius, 0);
    } else {
      marker = L.marker([o.lat, o.lon], { icon: iconFor(o), keyboard: true, title: '' });
      marker.options.outage = o;
      state.markers.set(o.id, marker);
    }
    marker.options.severity = o.severity;
    marker.options.hazard = o.hazard;
    changed.push(marker);
  }
  state.clusters.addLayers(changed);
  element.dataset.outages = String(state.markers.size);
  performance.measure('oms-upsert-outages', { start, detail: { count: outages.length } });
  return state.markers.size;
}

/**
 * A big batch of outages (a storm's first load), fetched over HTTP beside the circuit
 * (MarkerHandoff.cs): the same text upsertOutages takes. Resolves once they are added.
 */
export async function loadOutages(element, url) {
  const start = performance.now();
  const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const json = await response.text();
  performance.measure('oms-outages-fetched', { start, detail: { bytes: json.length } });
  return upsertOutages(element, json);
}

/** Takes away the outages with these ids (restored, merged, cancelled or momentary). */
export function removeOutages(element, ids) {
  const state = maps.get(element);
  if (!state) return 0;
  const gone = [];
  for (const id of ids) {
    const marker = state.markers.get(id);
    if (marker) {
      gone.push(marker);
      state.markers.delete(id);
    }
  }
  state.clusters.removeLayers(gone);
  element.dataset.outages = String(state.markers.size);
  return state.markers.size;
}

/**
 * The outage page's highlight (OutageAreaMap.razor.cs, AreaDrawing): the lines and customers below
 * the predicted device, the way back up to the substation (dashed), and the device itself, over
 * the feeder drawn by drawFeeders. Replaces the previous highlight and fits the map to it.
 */
export function showArea(element, area) {
  const state = maps.get(element);
  if (!state) return 0;
  if (state.area) state.area.remove();
  const group = L.layerGroup();
  const bounds = L.latLngBounds([[area.lat, area.lon]]);
  if (area.segments.length > 0) {
    const lines = L.polyline(area.segments.map(s => [[s[0], s[1]], [s[2], s[3]]]), {
      weight: 4, opacity: 0.95, interactive: false, className: 'oms-area-line',
    }).addTo(group);
    bounds.extend(lines.getBounds());
  }
  if (area.path.length > 1) {
    L.polyline(area.path.map(p => [p.lat, p.lon]), {
      weight: 2.5, dashArray: '6 6', interactive: false, className: 'oms-area-path',
    }).addTo(group);
    for (const p of area.path.slice(1)) {
      L.circleMarker([p.lat, p.lon], { radius: p.kind === 'substation' ? 7 : 5, weight: 2, fillOpacity: 1, className: `oms-area-node oms-area-node-${p.kind}` })
        .bindTooltip(textElement('span', p.label)).addTo(group);
    }
  }
  for (const c of area.customers) {
    const at = [c.lat, c.lon];
    L.circleMarker(at, {
      radius: c.reported ? 4 : 3, weight: 1, fillOpacity: 1, interactive: false,
      className: c.reported ? 'oms-area-customer oms-area-reported' : 'oms-area-customer',
    }).addTo(group);
    bounds.extend(at);
  }
  // The device last, so it is on top; its label stays open: it is what the page is about.
  L.marker([area.lat, area.lon], {
    icon: L.divIcon({
      className: `oms-area-device oms-sev-${area.severity}${area.hazard ? ' oms-hazard' : ''}`,
      iconSize: [22, 22],
      html: area.hazard ? '<span class="oms-hazard-badge" aria-label="wire down">!</span>' : '',
    }),
    keyboard: false,
    zIndexOffset: 1000,
  }).bindTooltip(textElement('span', area.label), { permanent: true, direction: 'right', offset: [12, 0], className: 'oms-area-device-label' })
    .addTo(group);
  state.area = group.addTo(state.map);
  state.map.fitBounds(bounds.pad(0.2), { ...fitPadding, animate: false, maxZoom: 17 });
  element.dataset.areaDevice = area.deviceId;
  element.dataset.areaSegments = String(area.segments.length);
  element.dataset.areaCustomers = String(area.customers.length);
  return area.segments.length;
}

export function destroyMap(element) {
  const state = maps.get(element);
  if (state) {
    state.resize.disconnect();
    state.map.remove();
    maps.delete(element);
  }
}
