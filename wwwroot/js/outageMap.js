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

/**
 * Creates the map in `element`. Tiles come from configuration: with no tile URL the feeders are
 * drawn on a plain background (maxZoom must still be set, or marker clustering breaks).
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
    iconCreateFunction: clusterIcon,
  }).addTo(map);
  maps.set(element, { map, resize, clusters, network: null, markers: new Map() });
  element.dataset.outages = '0';
  return true;
}

/** Draws the feeders as thin grey lines under the outages and fits the map to them. */
export function drawFeeders(element, feeders) {
  const state = maps.get(element);
  if (!state) return 0;
  if (state.network) state.network.remove();
  const { group, bounds } = feederLinesLayer(feeders, { color: '#8e99a4', className: 'oms-feeder-line' });
  state.network = group.addTo(state.map);
  if (bounds.isValid()) {
    state.map.fitBounds(bounds, { ...fitPadding, animate: false });
  }
  element.dataset.feedersDrawn = String(feeders.length);
  return feeders.length;
}

/** Adds outages, or moves and restyles the ones already shown (matched by id). */
export function upsertOutages(element, outages) {
  const state = maps.get(element);
  if (!state) return 0;
  const changed = [];
  for (const o of outages) {
    let marker = state.markers.get(o.id);
    if (marker) {
      // Out and back in: the cluster group places it afresh (it may have moved) and recounts.
      state.clusters.removeLayer(marker);
      marker.setLatLng([o.lat, o.lon]);
      marker.setIcon(iconFor(o));
      // Re-read by the content functions below the next time the tooltip or popup opens.
      marker.options.outage = o;
      if (marker.isTooltipOpen()) marker.getTooltip().update();
      if (marker.isPopupOpen()) marker.getPopup().update();
    } else {
      // Tooltip and popup content is built when first shown, not per marker up front (less DOM and
      // memory per marker; it did not measurably shorten the first render: docs/benchmarks.md).
      marker = L.marker([o.lat, o.lon], { icon: iconFor(o), keyboard: true, title: '' });
      marker.options.outage = o;
      marker
        .bindTooltip(m => textElement('span', m.options.outage.tooltip), { direction: 'auto', offset: [o.radius, 0] })
        .bindPopup(m => popupFor(m.options.outage));
      state.markers.set(o.id, marker);
    }
    marker.options.severity = o.severity;
    marker.options.hazard = o.hazard;
    changed.push(marker);
  }
  state.clusters.addLayers(changed);
  element.dataset.outages = String(state.markers.size);
  return state.markers.size;
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
