// The Operations page's live outage map, driven from Blazor
// (src/OmsDashboard.Web/Features/Operations/OutageMap.razor.cs) through IJSRuntime.
// The feeders are grey background lines (networkMap.js draws them). Outages are marks the server
// composes for the part of the map shown here (MapComposer.cs, ADR 0016): a marker per outage, or a
// cluster where several fall close together at this zoom. This module draws what it is sent and
// reports where the map is; it decides nothing: sizes, texts and links come with each mark, and
// the colours from app.css (oms-sev-*, oms-status-*), so the grid's chips and the marks agree.

import { feederLinesLayer } from './networkMap.js';

const maps = new WeakMap();
const fitPadding = { paddingTopLeft: [20, 20], paddingBottomRight: [150, 20] };
// A pan or zoom is reported this long after it ends, so a burst of moves is one report.
const viewReportDelayMs = 60;

// A div icon that carries the outage's ids on its element, for tests and for anyone debugging.
const OutageIcon = L.DivIcon.extend({
  createIcon(oldIcon) {
    const el = L.DivIcon.prototype.createIcon.call(this, oldIcon);
    for (const [key, value] of Object.entries(this.options.data)) el.dataset[key] = value;
    return el;
  },
});

const hazardBadge = '<span class="oms-hazard-badge" aria-label="wire down">!</span>';

function iconFor(o) {
  const size = Math.round(o.radius * 2);
  return new OutageIcon({
    className: `oms-outage-marker oms-sev-${o.severity} oms-status-${o.status}${o.hazard ? ' oms-hazard' : ''}`,
    iconSize: [size, size],
    html: o.hazard ? hazardBadge : '',
    data: { outageId: o.id, eventId: o.eventId, severity: o.severity, status: o.status },
  });
}

// A cluster shows how many outages it holds, in the colour of the worst of them.
function clusterIconFor(c) {
  return new OutageIcon({
    className: `oms-outage-cluster oms-sev-${c.severity}${c.hazard ? ' oms-hazard' : ''}`,
    iconSize: [c.size, c.size],
    // The count is a number: formatted, it is safe as markup.
    html: `<span>${c.count.toLocaleString('en-US')}</span>${c.hazard ? hazardBadge : ''}`,
    // The box its outages span, south,west,north,east: what a click zooms to.
    data: { clusterId: c.id, count: String(c.count), severity: c.severity, box: [c.south, c.west, c.north, c.east].join(',') },
  });
}

function textElement(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

// A link inside a popup: Leaflet keeps clicks inside a popup from reaching the document, where
// Blazor's router listens for links, so the navigation is handed to Blazor here (no page reload,
// the circuit stays).
function appLink(text, url) {
  const link = textElement('a', text);
  link.href = url;
  link.addEventListener('click', e => {
    if (window.Blazor && window.Blazor.navigateTo) {
      e.preventDefault();
      window.Blazor.navigateTo(url);
    }
  });
  return link;
}

// The popup's content is made once per marker and its text refreshed in place when the outage
// changes: in a storm an open popup's outage changes every few seconds, and content made anew (or
// laid out again) would move the link from under the operator's pointer as they click it.
function popupFor(marker) {
  const o = marker.options.outage;
  let box = marker.options.popupBox;
  if (!box) {
    box = document.createElement('div');
    box.className = 'oms-outage-popup';
    box.appendChild(textElement('div', o.tooltip, 'oms-outage-popup-text'));
    box.appendChild(appLink(`Open ${o.eventId}`, o.url));
    marker.options.popupBox = box;
  } else {
    box.firstChild.textContent = o.tooltip;
  }
  return box;
}

// A cluster at the deepest zoom (or of outages at one spot) cannot be zoomed into: it lists them.
function clusterListFor(c, members) {
  const box = document.createElement('div');
  box.className = 'oms-outage-popup oms-cluster-list';
  box.appendChild(textElement('div', c.tooltip, 'oms-cluster-list-title'));
  const list = document.createElement('ul');
  for (const m of members.shown) {
    const item = document.createElement('li');
    item.className = `oms-sev-${m.severity}`;
    item.appendChild(appLink(m.tooltip, m.url));
    list.appendChild(item);
  }
  box.appendChild(list);
  if (members.count > members.shown.length) {
    box.appendChild(textElement('div', `and ${(members.count - members.shown.length).toLocaleString('en-US')} more`, 'oms-cluster-list-more'));
  }
  return box;
}

// The marker's tooltip and popup, their content read from the outage each time they are shown.
function bindTexts(marker) {
  return marker
    .bindTooltip(m => textElement('span', m.options.outage.tooltip), { direction: 'auto', offset: [marker.options.outage.radius, 0] })
    .bindPopup(m => popupFor(m));
}

function viewOf(map) {
  const b = map.getBounds();
  return { zoom: map.getZoom(), west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth() };
}

// A click on a cluster zooms to the outages it holds; where that is not possible, it lists them.
async function openCluster(state, marker) {
  const c = marker.options.cluster;
  const map = state.map;
  const bounds = L.latLngBounds([c.south, c.west], [c.north, c.east]);
  const zoom = map.getZoom();
  if (zoom < map.getMaxZoom()) {
    const target = Math.min(map.getMaxZoom(), Math.max(map.getBoundsZoom(bounds.pad(0.2)), zoom + 1));
    map.setView(bounds.getCenter(), target);
    return;
  }
  await listClusterMembers(state, marker);
}

// Asks the server for a cluster's outages and shows them in its popup (opened, or refreshed in place).
async function listClusterMembers(state, marker) {
  const c = marker.options.cluster;
  try {
    const members = await state.dotnet.invokeMethodAsync('ClusterMembers', c.id);
    if (marker.options.cluster !== c || !state.map.hasLayer(marker)) return; // redrawn meanwhile: that redraw lists again
    const content = clusterListFor(c, members);
    if (marker.getPopup() && marker.isPopupOpen()) {
      marker.getPopup().setContent(content);
      return;
    }
    marker.unbindPopup();
    // The list says what the tooltip said and more: the tooltip would only cover it.
    marker.closeTooltip();
    marker.bindPopup(content, { maxHeight: 320, minWidth: 280, maxWidth: 420 }).openPopup();
  } catch (e) {
    console.warn('The cluster\'s outages could not be listed', e);
  }
}

/**
 * Creates the map in `element` and returns the view it shows (zoom and box), for the server to
 * compose the first marks. Tiles come from configuration: with no tile URL the feeders are drawn
 * on a plain background. The Operations map also gets the network's box (fitted at once) and the
 * URL of the feeders' lines, which it fetches and draws in the background while the outages
 * arrive over the circuit (FeederLines.cs). `dotnet` is the component: it is told of every move.
 */
export function createMap(element, options, dotnet) {
  destroyMap(element);
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
  }
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, { maxZoom, attribution: options.tileAttribution || '' }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const resize = new ResizeObserver(() => map.invalidateSize());
  resize.observe(element);
  // A feature group, not a layer group: it passes its marks' mouse and key events on to the handlers below.
  const layer = L.featureGroup().addTo(map);
  const state = { map, resize, layer, dotnet, network: null, marks: new Map(), viewTimer: 0 };
  // Tooltips and popups are bound when first wanted (hovered, clicked, or Enter on a marker), not
  // to every mark as it arrives: most are never looked at.
  layer.on('mouseover', e => {
    const marker = e.propagatedFrom || e.layer;
    if (!marker || marker.getTooltip()) return;
    if (marker.options.outage) bindTexts(marker).openTooltip();
    else if (marker.options.cluster) marker.bindTooltip(m => textElement('span', m.options.cluster.tooltip), { direction: 'auto' }).openTooltip();
  });
  layer.on('click keypress', e => {
    const marker = e.propagatedFrom || e.layer;
    if (e.type === 'keypress' && !(e.originalEvent && e.originalEvent.key === 'Enter')) return;
    if (!marker) return;
    if (marker.options.outage && !marker.getPopup()) bindTexts(marker).openPopup();
    else if (marker.options.cluster) openCluster(state, marker);
  });
  map.on('moveend', () => {
    element.dataset.zoom = String(map.getZoom());
    clearTimeout(state.viewTimer);
    state.viewTimer = setTimeout(() => {
      if (maps.get(element) !== state || !state.dotnet) return;
      state.dotnet.invokeMethodAsync('ViewChanged', viewOf(map)).catch(e => console.warn('The map\'s view could not be reported', e));
    }, viewReportDelayMs);
  });
  maps.set(element, state);
  element.dataset.outages = '0';
  element.dataset.marks = '0';
  element.dataset.zoom = String(map.getZoom());
  performance.mark('oms-map-created');
  if (options.feederLinesUrl) {
    // Not awaited: the caller goes on to send the outages while the lines download.
    fetchFeederLines(element, state, options.feederLinesUrl, !options.bounds);
  }
  return viewOf(map);
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

// An outage as OutageMarkerJson (OutageMarker.cs) writes it: an array, to keep updates small.
function markerFrom(a) {
  return {
    id: a[0], eventId: a[1], lat: a[2], lon: a[3], severity: a[4], status: a[5],
    radius: a[6], hazard: a[7] === 1, tooltip: a[8], url: a[9],
  };
}

// A cluster as MapUpdateJson (MapComposer.cs) writes it.
function clusterFrom(a) {
  return {
    id: a[0], count: a[1], lat: a[2], lon: a[3], severity: a[4], hazard: a[5] === 1, size: a[6], tooltip: a[7],
    south: a[8], west: a[9], north: a[10], east: a[11],
  };
}

// Adds a mark or redraws the one with its id; `kind` is 'outage' or 'cluster', `icon` its icon.
function upsertMark(state, kind, o, icon) {
  let marker = state.marks.get(o.id);
  if (marker) {
    marker.setLatLng([o.lat, o.lon]);
    marker.setIcon(icon);
    // Re-read by the tooltip's and popup's content functions the next time they open.
    marker.options.outage = kind === 'outage' ? o : undefined;
    marker.options.cluster = kind === 'cluster' ? o : undefined;
    if (marker.getTooltip()) {
      if (kind === 'outage') marker.getTooltip().options.offset = L.point(o.radius, 0);
      marker.getTooltip().update();
    }
    if (marker.getPopup()) {
      if (kind === 'outage') popupFor(marker);
      // A cluster's list is of the outages it held when it opened: read again while it is open
      // (in a storm an operator may be reading it as outages come and go), dropped when closed.
      else if (marker.isPopupOpen()) listClusterMembers(state, marker);
      else marker.unbindPopup();
    }
    marker.setZIndexOffset(o.hazard ? 1000 : 0);
  } else {
    // Wire downs above everything else: they must not hide under a neighbour.
    marker = L.marker([o.lat, o.lon], { icon, keyboard: true, title: '', zIndexOffset: o.hazard ? 1000 : 0 });
    marker.options[kind] = o;
    state.marks.set(o.id, marker);
    state.layer.addLayer(marker);
  }
  // A keyboard marker is a role=button element: its name is the tooltip's text ("OUT-… · fuse …",
  // "12 outages …"), so a screen reader says what pressing it opens. Set again after setIcon,
  // which may replace the element.
  marker.getElement()?.setAttribute('aria-label', o.tooltip);
}

/**
 * Applies one update of the server's marks (MapUpdateJson.Serialize, one JSON text parsed here
 * without Blazor's per-value revivers): takes away, then adds or redraws, markers and clusters.
 * The element says how many outages the map stands for (data-outages), how many marks it draws
 * for them (data-marks) and for which zoom (data-marks-zoom; data-zoom is the map's own).
 */
export function updateOutages(element, json) {
  const state = maps.get(element);
  if (!state) return 0;
  const start = performance.now();
  const update = JSON.parse(json);
  for (const id of update.removals) {
    const marker = state.marks.get(id);
    if (marker) {
      state.layer.removeLayer(marker);
      state.marks.delete(id);
    }
  }
  for (const a of update.markers) {
    const o = markerFrom(a);
    upsertMark(state, 'outage', o, iconFor(o));
  }
  for (const a of update.clusters) {
    const c = clusterFrom(a);
    upsertMark(state, 'cluster', c, clusterIconFor(c));
  }
  element.dataset.outages = String(update.total);
  element.dataset.marks = String(state.marks.size);
  // The zoom these marks are for: equal to data-zoom once the server has answered the last move.
  element.dataset.marksZoom = String(update.zoom);
  performance.measure('oms-update-outages', {
    start,
    detail: { markers: update.markers.length, clusters: update.clusters.length, removals: update.removals.length, marks: state.marks.size },
  });
  return state.marks.size;
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
    clearTimeout(state.viewTimer);
    state.resize.disconnect();
    state.map.remove();
    maps.delete(element);
  }
}
