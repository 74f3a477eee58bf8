// The chart tab (loaded on demand): a bar chart of one column's most
// frequent values, counted over the whole file by the profile, or a line
// of a number column over a date column from the rows API (first 1000
// rows, sorted by date). Drawn by the vendored ECharts as SVG, with a
// text alternative (summary and a visually hidden table).

import { el, fill, preserveFocus } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { loadECharts } from './echarts.js?v=__V__';
import { profileOf, fetchRows } from './data.js?v=__V__';
import { NUMERIC, DATES, fieldLabel, coordinateItems } from './columns.js?v=__V__';
import { failureBox } from './table.js?v=__V__';

export const TOP = 10;
export const LINE_ROWS = 1000;
const HIDDEN_ROWS = 100; // rows of the text alternative of a line
const BRAND = '#0b3d91';

// The columns the visitor may read: the preview's fields when known (a
// grant holder sees only approved ones), else the data items.
export function columnsOf(ctx) {
  const pf = ctx.st.preview && ctx.st.preview.fields;
  if (pf && pf.length) return pf;
  return (ctx.d.data_items || []).map((i) => ({ id: i.name, label: i.label, type: i.type }));
}

function lineColumns(ctx) {
  const cols = columnsOf(ctx);
  const coords = coordinateItems(ctx.d.data_items);
  const skip = new Set(coords ? [coords.lon.name, coords.lat.name] : []);
  return {
    dates: cols.filter((c) => DATES.has(c.type)),
    numbers: cols.filter((c) => NUMERIC.has(c.type) && !skip.has(c.id)),
  };
}

// The column a bar chart shows first: a categorical text column (2–50
// distinct values), else the first column with values.
function proposeCategory(profile) {
  const cols = (profile && profile.columns) || [];
  const usable = cols.filter((c) => (c.top || []).length > 0);
  const cat = usable.find((c) => !NUMERIC.has(c.declared_type) && !DATES.has(c.declared_type) && !c.domain && c.distinct >= 2 && c.distinct <= 50);
  return (cat || usable[0] || {}).id || '';
}

function hiddenTable(caption, heads, rows) {
  return el(
    'table',
    { class: 'visually-hidden', dataset: { testid: 'chart-data' } },
    el('caption', null, caption),
    el('thead', null, el('tr', null, heads.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', { lang: 'zh-CN' }, rows.map((r) => el('tr', null, el('th', { scope: 'row' }, r[0]), el('td', null, r[1])))),
  );
}

// Draws option into box with ECharts (SVG), replacing any chart there.
export async function draw(ctx, box, option) {
  const echarts = await loadECharts();
  if (!box.isConnected) return null;
  const old = echarts.getInstanceByDom(box);
  if (old) old.dispose();
  const chart = echarts.init(box, null, { renderer: 'svg' });
  chart.setOption({ animation: false, textStyle: { fontFamily: getComputedStyle(document.body).fontFamily }, ...option });
  let ro = null;
  if ('ResizeObserver' in window) {
    ro = new ResizeObserver(() => !chart.isDisposed() && chart.resize());
    ro.observe(box);
  }
  ctx.onDispose(() => {
    if (ro) ro.disconnect();
    if (!chart.isDisposed()) chart.dispose();
  });
  return chart;
}

export function chartPanel(ctx) {
  const { d, r, st, uid } = ctx;
  const s = st.chart;
  const root = el('div', { class: 'pv-chart-tab', dataset: { testid: 'chart' } });
  const visible = () => root.isConnected && !root.closest('[role=tabpanel]').hidden;

  function propose() {
    const { dates, numbers } = lineColumns(ctx);
    s.kind = dates.length && numbers.length ? 'line' : 'bar';
    s.x = (dates[0] || {}).id || '';
    s.y = (numbers[0] || {}).id || '';
  }

  function loadProfile() {
    if (s.profile || s.profileLoading) return;
    s.profileLoading = true;
    s.profileErr = null;
    profileOf(r.id, () => {
      s.profilePending = true;
      render();
    })
      .then((p) => {
        s.profile = p;
        if (!s.cat) s.cat = proposeCategory(p);
      })
      .catch((err) => {
        s.profileErr = err;
      })
      .finally(() => {
        s.profileLoading = false;
        s.profilePending = false;
        render();
      });
  }

  function loadRows() {
    const key = `${s.x}|${s.y}`;
    if ((s.rows && s.rows.key === key) || s.rowsLoading === key) return;
    s.rowsLoading = key;
    s.rowsErr = null;
    fetchRows(r.id, { fields: `${s.x},${s.y}`, sort: s.x, limit: LINE_ROWS })
      .then((page) => {
        if (s.rowsLoading !== key) return;
        s.rows = { key, page };
      })
      .catch((err) => {
        if (s.rowsLoading === key) s.rowsErr = err;
      })
      .finally(() => {
        if (s.rowsLoading === key) s.rowsLoading = '';
        render();
      });
  }

  function controls() {
    const cols = columnsOf(ctx);
    const { dates, numbers } = lineColumns(ctx);
    const kinds = ['bar', ...(dates.length && numbers.length ? ['line'] : [])];
    const field = (id, label, select) => el('div', { class: 'pv-filter-field' }, el('label', { for: id }, label), select);
    const select = (id, value, options, onChange, testid) => {
      const node = el(
        'select',
        { id, dataset: { testid } },
        options.map((o) => el('option', { value: o.value, selected: o.value === value }, o.label)),
      );
      node.addEventListener('change', () => {
        onChange(node.value);
        activate(); // loads what the new choice needs and redraws
      });
      return node;
    };
    const profCols = (s.profile && s.profile.columns) || cols.map((c) => ({ id: c.id, label: c.label }));
    return el(
      'div',
      { class: 'pv-filter pv-chart-controls' },
      field(`${uid}-chart-kind`, t('preview.chart.kind'), select(`${uid}-chart-kind`, s.kind, kinds.map((k) => ({ value: k, label: t(`preview.chart.kind.${k}`) })), (v) => (s.kind = v), 'chart-kind')),
      s.kind === 'bar'
        ? field(`${uid}-chart-cat`, t('preview.chart.column'), select(`${uid}-chart-cat`, s.cat, profCols.map((c) => ({ value: c.id, label: fieldLabel(c) })), (v) => (s.cat = v), 'chart-column'))
        : [
            field(`${uid}-chart-x`, t('preview.chart.x'), select(`${uid}-chart-x`, s.x, dates.map((c) => ({ value: c.id, label: fieldLabel(c) })), (v) => (s.x = v), 'chart-x')),
            field(`${uid}-chart-y`, t('preview.chart.y'), select(`${uid}-chart-y`, s.y, numbers.map((c) => ({ value: c.id, label: fieldLabel(c) })), (v) => (s.y = v), 'chart-y')),
          ],
    );
  }

  function barView() {
    if (s.profileErr) return failureBox(d, s.profileErr, () => loadProfile(), 'chart');
    if (!s.profile) return el('p', { class: 'loading', role: 'status' }, s.profilePending ? t('preview.profiling') : t('common.loading'));
    const col = (s.profile.columns || []).find((c) => c.id === s.cat);
    const top = ((col && col.top) || []).slice(0, TOP);
    if (!col || !top.length) return el('p', { class: 'empty' }, t('preview.chart.noValues'));
    const name = fieldLabel(col);
    const labels = top.map((x) => (x.value === '' ? t('preview.chart.emptyValue') : x.value));
    const box = el('div', { class: 'pv-chart', role: 'img', 'aria-label': t('preview.chart.barAlt', { column: name, n: top.length }), dataset: { testid: 'chart-box' } });
    const note = el('p', { class: 'pv-chart-note', id: `${uid}-chart-note` }, t(col.top_approx ? 'preview.chart.topNoteApprox' : 'preview.chart.topNote', { column: name, n: top.length }));
    box.setAttribute('aria-describedby', note.id);
    const option = {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: labels, axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', name, data: top.map((x) => x.count), itemStyle: { color: BRAND }, label: { show: true, position: 'right' } }],
    };
    return {
      nodes: [note, box, hiddenTable(t('preview.chart.tableCaption', { column: name }), [name, t('preview.chart.count')], top.map((x, i) => [labels[i], fmtNumber(x.count)]))],
      box,
      option,
    };
  }

  function lineView() {
    if (s.rowsErr) return failureBox(d, s.rowsErr, () => loadRows(), 'chart');
    const key = `${s.x}|${s.y}`;
    if (!s.rows || s.rows.key !== key) return el('p', { class: 'loading', role: 'status' }, t('common.loading'));
    const page = s.rows.page;
    const cols = columnsOf(ctx);
    const xf = cols.find((c) => c.id === s.x) || { id: s.x };
    const yf = cols.find((c) => c.id === s.y) || { id: s.y };
    // Several rows on one date are averaged: one point per date.
    const sums = new Map();
    for (const rec of page.records || []) {
      const x = rec[s.x];
      const y = Number(rec[s.y]);
      if (x === null || x === undefined || x === '' || rec[s.y] === null || !Number.isFinite(y)) continue;
      const a = sums.get(x) || { sum: 0, n: 0 };
      a.sum += y;
      a.n += 1;
      sums.set(x, a);
    }
    const points = [...sums.entries()].map(([x, a]) => [x, Math.round((a.sum / a.n) * 1e6) / 1e6]);
    const averaged = [...sums.values()].some((a) => a.n > 1);
    if (!points.length) return el('p', { class: 'empty' }, t('preview.chart.noValues'));
    const total = Number(page.total) || 0;
    const n = (page.records || []).length;
    const notes = [
      total > n ? t('preview.chart.firstRows', { n: fmtNumber(n), total: fmtNumber(total) }) : t('preview.chart.allRows', { n: fmtNumber(n) }),
      averaged ? t('preview.chart.averaged', { x: fieldLabel(xf) }) : '',
    ].filter(Boolean);
    const note = el('p', { class: 'pv-chart-note', id: `${uid}-chart-note` }, notes.join(' '));
    const ys = points.map((p) => p[1]);
    const alt = t('preview.chart.lineAlt', {
      y: fieldLabel(yf),
      x: fieldLabel(xf),
      from: points[0][0],
      to: points[points.length - 1][0],
      min: fmtNumber(Math.min(...ys)),
      max: fmtNumber(Math.max(...ys)),
      n: fmtNumber(points.length),
    });
    const box = el('div', { class: 'pv-chart', role: 'img', 'aria-label': alt, 'aria-describedby': note.id, dataset: { testid: 'chart-box' } });
    const option = {
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: DATES.has(xf.type) ? 'time' : 'category' },
      yAxis: { type: 'value', scale: true, name: fieldLabel(yf) },
      series: [{ type: 'line', name: fieldLabel(yf), data: points, showSymbol: points.length <= 60, itemStyle: { color: BRAND }, lineStyle: { color: BRAND } }],
    };
    const shown = points.slice(0, HIDDEN_ROWS);
    return {
      nodes: [
        note,
        box,
        hiddenTable(
          t(points.length > HIDDEN_ROWS ? 'preview.chart.tableCaptionFirst' : 'preview.chart.tableCaption', { column: fieldLabel(yf), n: HIDDEN_ROWS }),
          [fieldLabel(xf), fieldLabel(yf)],
          shown.map((p) => [String(p[0]), String(p[1])]),
        ),
      ],
      box,
      option,
    };
  }

  function render() {
    if (!root.isConnected && root.firstChild) return;
    const view = s.kind === 'line' ? lineView() : barView();
    preserveFocus(root, () => fill(root, controls(), view instanceof Node ? view : view.nodes));
    if (!(view instanceof Node) && visible()) {
      draw(ctx, view.box, view.option).catch(() => fill(view.box, el('p', { class: 'empty' }, t('preview.chart.failed'))));
    }
  }

  function activate() {
    if (!s.kind) propose();
    if (s.kind === 'bar') loadProfile();
    else loadRows();
    render();
  }

  render();
  return { node: root, activate };
}

