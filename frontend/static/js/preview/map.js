// The map tab (loaded on demand), drawn on the province's 13
// prefecture-level divisions shipped with the portal (no tile server):
// points from the coordinate columns (first 1000 rows of the rows API), or
// counts by prefecture from a region-code column — exact from the profile
// when its frequent values cover the file, else from the first 1000 rows.

import { el, fill, preserveFocus } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { loadProvinceMap, MAP_NAME } from './echarts.js?v=__V__';
import { profileOf, fetchRows } from './data.js?v=__V__';
import { coordinateItems, regionItem, prefectureOf, fieldLabel } from './columns.js?v=__V__';
import { failureBox } from './table.js?v=__V__';
import { draw } from './chart.js?v=__V__';

export const MAP_ROWS = 1000;
const BRAND = '#0b3d91';

// Ray casting over one GeoJSON ring.
function inRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inFeature(x, y, f) {
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  return polys.some((rings) => inRing(x, y, rings[0]) && !rings.slice(1).some((h) => inRing(x, y, h)));
}

// The prefecture (adcode) a point lies in, or ''.
export function locate(geo, x, y) {
  const f = geo.features.find((ft) => inFeature(x, y, ft));
  return f ? f.properties.adcode : '';
}

// Exact counts by prefecture from a profile column: its `regions` (every
// valid cell counted by prefecture while profiling), or its most frequent
// values when they account for every non-empty cell; else null.
function countsFromProfile(profile, id) {
  const col = ((profile && profile.columns) || []).find((c) => c.id === id);
  if (col && Array.isArray(col.regions) && col.regions.length) {
    const counts = {};
    for (const x of col.regions) {
      const p = prefectureOf(x.code);
      if (p) counts[p] = (counts[p] || 0) + x.count;
    }
    return counts;
  }
  if (!col || col.top_approx || !col.top) return null;
  const covered = col.top.reduce((n, x) => n + x.count, 0);
  if (covered + (col.empty || 0) < profile.rows) return null;
  const counts = {};
  for (const x of col.top) {
    const p = prefectureOf(x.value);
    if (p) counts[p] = (counts[p] || 0) + x.count;
  }
  return counts;
}

function hiddenTable(caption, geo, counts, what) {
  return el(
    'table',
    { class: 'visually-hidden', dataset: { testid: 'map-data' } },
    el('caption', null, caption),
    el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('preview.map.prefecture')), el('th', { scope: 'col' }, what))),
    el(
      'tbody',
      { lang: 'zh-CN' },
      geo.features.map((f) => el('tr', null, el('th', { scope: 'row' }, f.properties.name), el('td', null, fmtNumber(counts[f.properties.adcode] || 0)))),
    ),
  );
}

export function mapPanel(ctx) {
  const { d, r, st, uid } = ctx;
  const s = st.map;
  const coords = coordinateItems(d.data_items);
  const region = regionItem(d.data_items);
  const modes = [...(coords ? ['points'] : []), ...(region ? ['regions'] : [])];
  if (!modes.includes(s.mode)) s.mode = modes[0];
  const root = el('div', { class: 'pv-map-tab', dataset: { testid: 'map' } });
  const visible = () => root.isConnected && !root.closest('[role=tabpanel]').hidden;

  function loadPoints() {
    if (s.points || s.pointsLoading) return;
    s.pointsLoading = true;
    s.pointsErr = null;
    Promise.all([fetchRows(r.id, { fields: `${coords.lon.name},${coords.lat.name}`, limit: MAP_ROWS }), loadProvinceMap()])
      .then(([page, geo]) => {
        const pts = [];
        for (const rec of page.records || []) {
          const x = Number(rec[coords.lon.name]);
          const y = Number(rec[coords.lat.name]);
          if (rec[coords.lon.name] !== null && rec[coords.lat.name] !== null && Number.isFinite(x) && Number.isFinite(y)) pts.push([x, y]);
        }
        const counts = {};
        for (const [x, y] of pts) {
          const p = locate(geo, x, y);
          if (p) counts[p] = (counts[p] || 0) + 1;
        }
        s.points = { pts, counts, rows: (page.records || []).length, total: Number(page.total) || 0 };
      })
      .catch((err) => {
        s.pointsErr = err;
      })
      .finally(() => {
        s.pointsLoading = false;
        render();
      });
  }

  function loadRegions() {
    if (s.regions || s.regionsLoading) return;
    s.regionsLoading = true;
    s.regionsErr = null;
    let settled = false;
    const done = () => {
      s.regionsLoading = false;
      render();
    };
    // Rows when the profile is still being computed or does not cover it.
    const fromRows = () => {
      if (settled) return;
      settled = true;
      fetchRows(r.id, { fields: region.name, limit: MAP_ROWS })
        .then((page) => {
          const counts = {};
          for (const rec of page.records || []) {
            const p = prefectureOf(rec[region.name]);
            if (p) counts[p] = (counts[p] || 0) + 1;
          }
          s.regions = { counts, exact: (Number(page.total) || 0) <= (page.records || []).length, rows: (page.records || []).length, total: Number(page.total) || 0 };
        })
        .catch((err) => {
          s.regionsErr = err;
        })
        .finally(done);
    };
    profileOf(r.id, fromRows).then(
      (p) => {
        if (settled) return;
        const counts = countsFromProfile(p, region.name);
        if (!counts) return fromRows();
        settled = true;
        s.regions = { counts, exact: true, profile: true, rows: p.rows, total: p.rows };
        done();
      },
      fromRows,
    );
  }

  function controls() {
    if (modes.length < 2) return null;
    const id = `${uid}-map-mode`;
    const sel = el('select', { id, dataset: { testid: 'map-mode' } }, modes.map((m) => el('option', { value: m, selected: m === s.mode }, t(`preview.map.mode.${m}`))));
    sel.addEventListener('change', () => {
      s.mode = sel.value;
      activate();
    });
    return el('div', { class: 'pv-filter' }, el('div', { class: 'pv-filter-field' }, el('label', { for: id }, t('preview.map.mode')), sel));
  }

  function view(geo) {
    if (s.mode === 'points') {
      if (s.pointsErr) return failureBox(d, s.pointsErr, () => loadPoints(), 'map');
      if (!s.points || !geo) return el('p', { class: 'loading', role: 'status' }, t('common.loading'));
      const { pts, counts, rows, total } = s.points;
      const inside = Object.values(counts).reduce((a, b) => a + b, 0);
      const note = el(
        'p',
        { class: 'pv-chart-note', id: `${uid}-map-note` },
        total > rows ? t('preview.map.pointsFirst', { n: fmtNumber(pts.length), rows: fmtNumber(rows), total: fmtNumber(total) }) : t('preview.map.pointsAll', { n: fmtNumber(pts.length) }),
        pts.length > inside ? ` ${t('preview.map.outside', { n: fmtNumber(pts.length - inside) })}` : '',
      );
      const box = el('div', { class: 'pv-chart pv-map', role: 'img', 'aria-label': t('preview.map.pointsAlt', { n: fmtNumber(pts.length), lon: fieldLabel(coords.lon), lat: fieldLabel(coords.lat) }), 'aria-describedby': note.id, dataset: { testid: 'map-box' } });
      const option = {
        tooltip: { trigger: 'item' },
        geo: {
          map: MAP_NAME,
          roam: false,
          itemStyle: { areaColor: '#f4f6fa', borderColor: '#8aa0c0' },
          label: { show: true, fontSize: 10, color: '#4a5565' },
          emphasis: { disabled: true },
        },
        series: [{ type: 'scatter', coordinateSystem: 'geo', name: r.name, data: pts, symbolSize: 5, itemStyle: { color: '#c8102e', opacity: 0.75 } }],
      };
      return { nodes: [note, box, hiddenTable(t('preview.map.tablePoints'), geo, counts, t('preview.map.points'))], box, option };
    }
    if (s.regionsErr) return failureBox(d, s.regionsErr, () => loadRegions(), 'map');
    if (!s.regions || !geo) return el('p', { class: 'loading', role: 'status' }, t('common.loading'));
    const { counts, exact, profile, rows, total } = s.regions;
    const max = Math.max(1, ...Object.values(counts));
    const note = el(
      'p',
      { class: 'pv-chart-note', id: `${uid}-map-note` },
      profile ? t('preview.map.regionsProfile', { column: fieldLabel(region) }) : exact ? t('preview.map.regionsAll', { column: fieldLabel(region), n: fmtNumber(rows) }) : t('preview.map.regionsFirst', { column: fieldLabel(region), rows: fmtNumber(rows), total: fmtNumber(total) }),
    );
    const box = el('div', { class: 'pv-chart pv-map', role: 'img', 'aria-label': t('preview.map.regionsAlt', { column: fieldLabel(region) }), 'aria-describedby': note.id, dataset: { testid: 'map-box' } });
    const option = {
      tooltip: { trigger: 'item' },
      visualMap: {
        type: 'continuous',
        min: 0,
        max,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        text: [t('preview.map.more'), t('preview.map.fewer')],
        inRange: { color: ['#e8eef8', BRAND] },
        calculable: false,
      },
      series: [
        {
          type: 'map',
          map: MAP_NAME,
          roam: false,
          name: fieldLabel(region),
          data: geo.features.map((f) => ({ name: f.properties.name, value: counts[f.properties.adcode] || 0 })),
          label: { show: true, fontSize: 10 },
          itemStyle: { borderColor: '#ffffff' },
          emphasis: { label: { show: true } },
        },
      ],
    };
    return { nodes: [note, box, hiddenTable(t('preview.map.tableRegions', { column: fieldLabel(region) }), geo, counts, t('preview.chart.count'))], box, option };
  }

  let geo = null;
  function render() {
    if (!root.isConnected && root.firstChild) return;
    const v = view(geo);
    preserveFocus(root, () => fill(root, controls(), v instanceof Node ? v : v.nodes));
    if (!(v instanceof Node) && visible()) {
      draw(ctx, v.box, v.option).catch(() => fill(v.box, el('p', { class: 'empty' }, t('preview.chart.failed'))));
    }
  }

  function activate() {
    loadProvinceMap()
      .then((g) => {
        geo = g;
        render();
      })
      .catch(() => fill(root, el('p', { class: 'empty' }, t('preview.chart.failed'))));
    if (s.mode === 'points') loadPoints();
    else loadRegions();
    render();
  }

  render();
  return { node: root, activate };
}
