// /stats: department statistics per month (000 Art 42): applications,
// corrections, data requests and entries overdue for update. Charts are
// inline SVG built with DOM calls (no library, no inline script or style);
// every number is also in the table below them. Below the monthly report,
// the quality of each department's public entries today (average score,
// entries below 60), lowest average first.
//
// The server renders all of it for the range in the address (a GET form:
// it works without script). This script then only changes what the
// reader changes: a new range is fetched and drawn in place, and the
// quality table's headers become sort buttons.

import { el } from '../dom.js?v=__V__';
import { t, has, fmtNumber, locale } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { initLayout, errorAlert } from '../layout.js?v=__V__';
import { startPage, fill } from '../corrections/ui.js?v=__V__';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

function thisMonth(offset = 0) {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // China time
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

// enhance wires the server-rendered page: the range form redraws the
// report in place, the quality headers sort.
async function enhance() {
  await initLayout();
  const form = document.getElementById('st-form');
  const box = document.getElementById('st-report');
  if (!form || !box) return;
  const quality = { data: null, err: null, sort: 'average', dir: 1 };
  let department = form.elements.department.value;
  const loadQuality = async () => {
    try {
      quality.data = await apiGet('/quality/departments');
      quality.err = null;
    } catch (err) {
      quality.err = err;
    }
  };
  const showQuality = () => {
    const next = qualitySection(quality, department, sortBy);
    const old = document.querySelector('[data-testid=st-quality]');
    if (old && next) old.replaceWith(next);
    else if (next) box.after(next);
  };
  async function sortBy(key) {
    quality.dir = quality.sort === key ? -quality.dir : 1;
    quality.sort = key;
    if (!quality.data) await loadQuality();
    showQuality();
    const again = document.querySelector(`[data-testid=st-q-sort-${key}]`);
    if (again) again.focus();
  }
  for (const th of document.querySelectorAll('[data-testid=st-quality-table] th[data-key]')) {
    const key = th.dataset.key;
    th.replaceChildren(sortButton(key, () => sortBy(key)));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    const sp = new URLSearchParams();
    for (const name of ['from', 'to', 'department']) {
      const v = form.elements[name].value;
      if (v) sp.set(name, v);
    }
    button.disabled = true;
    try {
      const rep = await apiGet('/stats/departments', Object.fromEntries(sp));
      fill(box, report(rep));
      form.elements.from.value = rep.from;
      form.elements.to.value = rep.to;
    } catch (err) {
      fill(box, errorAlert(err));
    }
    department = form.elements.department.value;
    if (!quality.data) await loadQuality();
    showQuality();
    button.disabled = false;
    const lang = new URLSearchParams(location.search).get('lang');
    if (lang) sp.set('lang', lang);
    history.replaceState(null, '', sp.toString() ? `?${sp}` : location.pathname);
    const h = document.getElementById('st-summary');
    if (h) h.focus();
  });
}

if (document.body.dataset.ssr === '1') enhance();
else startPage({
  title: 'stats.title',
  async render(body) {
    const params = new URLSearchParams(location.search);
    const state = { from: params.get('from') || thisMonth(-5), to: params.get('to') || thisMonth(0), department: params.get('department') || '' };
    let rep = null;
    let all = null; // every department, for the selector
    let failure = null;
    // Department quality averages: a snapshot of today, not of the range.
    const quality = { data: null, err: null, sort: 'average', dir: 1 };
    const loadQuality = async () => {
      try {
        quality.data = await apiGet('/quality/departments');
        quality.err = null;
      } catch (err) {
        quality.err = err;
      }
    };
    const load = async () => {
      try {
        rep = await apiGet('/stats/departments', { from: state.from, to: state.to, department: state.department });
        if (!state.department) all = rep.departments.map((d) => ({ id: d.id, name: d.name }));
        failure = null;
      } catch (err) {
        failure = err;
      }
    };
    const draw = () => {
      const from = el('input', { id: 'st-from', type: 'month', class: 'form-control', value: state.from, dataset: { testid: 'st-from' } });
      const to = el('input', { id: 'st-to', type: 'month', class: 'form-control', value: state.to, dataset: { testid: 'st-to' } });
      const dep = el(
        'select',
        { id: 'st-dept', class: 'form-control', dataset: { testid: 'st-dept' } },
        el('option', { value: '' }, t('stats.allDepartments')),
        (all || []).map((d) => el('option', { value: d.id, selected: d.id === state.department, lang: 'zh-CN' }, d.name)),
      );
      const controls = el(
        'form',
        { class: 'fb-toolbar', 'aria-label': t('stats.controls') },
        el('div', null, el('label', { for: 'st-from' }, t('stats.from')), from),
        el('div', null, el('label', { for: 'st-to' }, t('stats.to')), to),
        el('div', null, el('label', { for: 'st-dept' }, t('stats.department')), dep),
        el('div', null, el('button', { type: 'submit', class: 'btn btn-secondary', dataset: { testid: 'st-apply' } }, t('stats.apply'))),
      );
      controls.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        Object.assign(state, { from: from.value || state.from, to: to.value || state.to, department: dep.value });
        const sp = new URLSearchParams({ from: state.from, to: state.to });
        if (state.department) sp.set('department', state.department);
        history.replaceState(null, '', `?${sp}`);
        await load();
        draw();
        const h = document.getElementById('st-summary');
        if (h) h.focus();
      });
      fill(body,
        el('p', { class: 'fb-lead' }, t('stats.lead')),
        controls,
        failure ? errorAlert(failure) : null,
        rep ? report(rep) : null,
        qualitySection(quality, state.department, (key) => {
          quality.dir = quality.sort === key ? -quality.dir : 1;
          quality.sort = key;
          draw();
          const again = document.querySelector(`[data-testid=st-q-sort-${key}]`);
          if (again) again.focus();
        }),
      );
    };
    await Promise.all([load(), loadQuality()]);
    draw();
    return draw;
  },
});

function pct(part, whole) {
  if (!whole) return '—';
  return `${Math.round((part / whole) * 100)}%`;
}

function days(v) {
  if (v === null || v === undefined) return '—';
  const n = Math.round(v * 10) / 10;
  return t(n === 1 && has('stats.days.one') ? 'stats.days.one' : 'stats.days', { n: fmtNumber(n) });
}

function report(rep) {
  const tot = rep.totals;
  const overdue = rep.departments.reduce((n, d) => n + d.datasets_overdue_for_update, 0);
  // Per-month sums over the departments shown.
  const months = rep.months.map((m, i) => {
    const sum = { month: m, corrections_received: 0, corrections_answered_on_time: 0, applications_received: 0, applications_decided_on_time: 0 };
    for (const d of rep.departments) {
      const x = d.months[i];
      for (const k of Object.keys(sum)) if (k !== 'month') sum[k] += x[k];
    }
    return sum;
  });
  // Without the applications table those figures are unknown, not zero.
  const apps = (v) => (rep.applications_available ? v : '—');
  const cards = [
    ['stats.card.corrections', fmtNumber(tot.corrections_received), 'st-corrections'],
    ['stats.card.correctionsOnTime', pct(tot.corrections_answered_on_time, tot.corrections_received), 'st-corrections-ontime'],
    ['stats.card.correctionsMedian', days(tot.corrections_median_answer_working_days), 'st-corrections-median'],
    ['stats.card.applications', apps(fmtNumber(tot.applications_received)), 'st-applications'],
    ['stats.card.applicationsOnTime', apps(pct(tot.applications_decided_on_time, tot.applications_received)), 'st-applications-ontime'],
    ['stats.card.approval', apps(tot.applications_approval_rate === null ? '—' : pct(tot.applications_approval_rate, 1)), 'st-approval'],
    ['stats.card.requests', `${fmtNumber(tot.requests_answered)} / ${fmtNumber(tot.requests_received)}`, 'st-requests'],
    ['stats.card.overdue', fmtNumber(overdue), 'st-overdue'],
  ];
  return el(
    'div',
    null,
    el('h2', { id: 'st-summary', tabindex: '-1' }, t('stats.summary', { from: rep.from, to: rep.to })),
    el(
      'ul',
      { class: 'fb-cards', dataset: { testid: 'st-cards' } },
      cards.map(([k, v, id]) => el('li', { class: 'fb-card' }, el('span', { class: 'fb-card-value', dataset: { testid: id } }, v), el('span', { class: 'fb-card-label' }, t(k)))),
    ),
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'st-chart-corr' },
      el('h2', { id: 'st-chart-corr' }, t('stats.chart.corrections')),
      legend([['bar-received', t('stats.series.received')], ['bar-ontime', t('stats.series.onTime')]]),
      monthChart('corr', months, 'corrections_received', 'corrections_answered_on_time', t('stats.chart.corrections')),
    ),
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'st-chart-apps' },
      el('h2', { id: 'st-chart-apps' }, t('stats.chart.applications')),
      legend([['bar-received', t('stats.series.received')], ['bar-ontime', t('stats.series.decidedOnTime')]]),
      monthChart('apps', months, 'applications_received', 'applications_decided_on_time', t('stats.chart.applications')),
    ),
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'st-chart-overdue' },
      el('h2', { id: 'st-chart-overdue' }, t('stats.chart.overdue')),
      overdueChart(rep.departments),
    ),
    el('section', { class: 'section', 'aria-labelledby': 'st-table-h' }, el('h2', { id: 'st-table-h' }, t('stats.table.heading')), table(rep)),
    el('p', { class: 'muted' }, t('stats.rules')),
  );
}

function legend(items) {
  return el('ul', { class: 'fb-legend', 'aria-hidden': 'true' }, items.map(([cls, text]) => el('li', null, el('span', { class: ['fb-swatch', cls] }), text)));
}

// monthChart: two bars per month (a and b of each row); the values are in
// the title/desc and in the table, so screen readers get them too.
function monthChart(id, rows, a, b, label) {
  const W = 720;
  const H = 240;
  const pad = { l: 40, r: 10, t: 10, b: 30 };
  const max = Math.max(1, ...rows.map((r) => Math.max(r[a], r[b])));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / top);
  const band = (W - pad.l - pad.r) / rows.length;
  const bw = Math.max(4, Math.min(28, band / 3));
  const desc = rows.map((r) => `${r.month}: ${r[a]} / ${r[b]}`).join('; ');
  const nodes = [svg('title', { id: `st-${id}-title` }, label), svg('desc', { id: `st-${id}-desc` }, desc)];
  for (let v = 0; v <= top; v += step) {
    nodes.push(svg('line', { class: 'grid', x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v) }));
    nodes.push(svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  rows.forEach((r, i) => {
    const x0 = pad.l + band * i + band / 2;
    nodes.push(svg('rect', { class: 'bar-received', x: x0 - bw - 1, y: y(r[a]), width: bw, height: y(0) - y(r[a]), 'data-month': r.month }, svg('title', null, `${r.month} ${r[a]}`)));
    nodes.push(svg('rect', { class: 'bar-ontime', x: x0 + 1, y: y(r[b]), width: bw, height: y(0) - y(r[b]) }, svg('title', null, `${r.month} ${r[b]}`)));
    nodes.push(svg('text', { x: x0, y: H - pad.b + 16, 'text-anchor': 'middle' }, r.month.slice(2)));
  });
  nodes.push(svg('line', { class: 'axis', x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0) }));
  return svg('svg', { class: 'fb-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `st-${id}-title st-${id}-desc`, 'data-testid': `st-chart-${id}` }, ...nodes);
}

function overdueChart(deps) {
  const rows = deps.filter((d) => d.datasets_overdue_for_update > 0).sort((p, q) => q.datasets_overdue_for_update - p.datasets_overdue_for_update).slice(0, 12);
  if (!rows.length) return el('p', { class: 'empty', dataset: { testid: 'st-no-overdue' } }, t('stats.noOverdue'));
  const W = 720;
  const row = 24;
  const labelW = 230;
  const H = rows.length * row + 10;
  const max = Math.max(...rows.map((d) => d.datasets_overdue_for_update));
  const nodes = [
    svg('title', { id: 'st-overdue-title' }, t('stats.chart.overdue')),
    svg('desc', { id: 'st-overdue-desc' }, rows.map((d) => `${d.name}: ${d.datasets_overdue_for_update}`).join('; ')),
  ];
  rows.forEach((d, i) => {
    const yy = 5 + i * row;
    const w = ((W - labelW - 50) * d.datasets_overdue_for_update) / max;
    nodes.push(svg('text', { x: labelW - 8, y: yy + 15, 'text-anchor': 'end', lang: 'zh-CN' }, d.name));
    nodes.push(svg('rect', { class: 'bar-overdue', x: labelW, y: yy + 3, width: Math.max(2, w), height: row - 8 }));
    nodes.push(svg('text', { x: labelW + w + 6, y: yy + 15 }, String(d.datasets_overdue_for_update)));
  });
  return svg('svg', { class: 'fb-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'st-overdue-title st-overdue-desc', 'data-testid': 'st-chart-overdue' }, ...nodes);
}

function niceStep(max) {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return Math.max(1, m * mag);
  return Math.max(1, 10 * mag);
}

// The table's columns after the first (headers pp.col.<key>): the
// received counts and the overdue entries first, so on a phone they show
// beside the sticky department name.
const COLUMNS = [
  ['applications_received', 'int'],
  ['corrections_received', 'int'],
  ['requests_received', 'int'],
  ['datasets_overdue_for_update', 'overdue'],
  ['applications_decided_on_time', 'int'],
  ['applications_late', 'int'],
  ['applications_median_working_days', 'days'],
  ['applications_approval_rate', 'rate'],
  ['corrections_answered_on_time', 'int'],
  ['corrections_median_answer_working_days', 'days'],
  ['requests_answered', 'int'],
  ['requests_answered_on_time', 'int'],
  ['requests_late', 'int'],
  ['requests_catalog_late', 'int'],
];

function cell(v, kind) {
  if (kind === 'days') return v === null || v === undefined ? '—' : fmtNumber(Math.round(v * 10) / 10);
  if (kind === 'rate') return v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`;
  return fmtNumber(v);
}

// One row per department (totals of the range), then, for a single
// department, one row per month.
function table(rep) {
  const apps = (k, v) => (rep.applications_available || !k.startsWith('applications_') ? v : '—');
  const single = rep.departments.length === 1;
  const rows = single
    ? rep.departments[0].months.map((m) => ({ head: m.month, data: m, overdue: '' }))
    : rep.departments.map((d) => ({ head: d.name, data: d.totals, overdue: fmtNumber(d.datasets_overdue_for_update), id: d.id }));
  if (single) rows.push({ head: t('stats.table.total'), data: rep.departments[0].totals, overdue: fmtNumber(rep.departments[0].datasets_overdue_for_update), total: true });
  const t0 = el(
    'table',
    { class: 'data-table fb-stats-table pp-sticky', dataset: { testid: 'st-table' } },
    el('caption', { id: 'st-caption', class: 'visually-hidden' }, t('stats.table.caption', { from: rep.from, to: rep.to })),
    el(
      'thead',
      null,
      el(
        'tr',
        null,
        el('th', { scope: 'col' }, single ? t('stats.table.month') : t('stats.table.department')),
        COLUMNS.map(([k]) => el('th', { scope: 'col' }, t(`pp.col.${k}`))),
      ),
    ),
    el(
      'tbody',
      null,
      rows.map((r) =>
        el(
          'tr',
          { class: r.total ? 'pp-total' : null, dataset: { testid: 'st-row', id: r.id || r.head } },
          el('th', { scope: 'row', lang: single ? null : 'zh-CN' }, r.head),
          COLUMNS.map(([k, kind]) => el('td', { class: 'num' }, kind === 'overdue' ? r.overdue : apps(k, cell(r.data[k], kind)))),
        ),
      ),
    ),
  );
  return el('div', { class: 'table-wrap pp-sticky-wrap', role: 'region', 'aria-labelledby': 'st-caption', tabindex: '0' }, t0);
}

function sortButton(key, onClick) {
  const b = el('button', { type: 'button', class: 'link-button', dataset: { testid: `st-q-sort-${key}` } }, t(`stats.quality.col.${key}`));
  b.addEventListener('click', onClick);
  return b;
}

// The quality columns: the key of the API item and its kind.
const Q_COLUMNS = [
  ['department', 'name'],
  ['datasets', 'int'],
  ['average', 'score'],
  ['below_60', 'int'],
];

function oneDecimal(v) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
}

function qValue(it, key) {
  return key === 'department' ? it.department.name : it[key];
}

// qualitySection: one row per department with public entries; sorted by
// the chosen column (lowest average first to begin with). With a
// department chosen above, only its row.
function qualitySection(q, department, sortBy) {
  const head = el('h2', { id: 'st-quality-h' }, t('stats.quality.heading'));
  const wrap = (...c) => el('section', { class: 'section', 'aria-labelledby': 'st-quality-h', dataset: { testid: 'st-quality' } }, head, el('p', { class: 'muted' }, t('stats.quality.lead')), ...c);
  if (q.err) return wrap(errorAlert(q.err));
  if (!q.data) return null;
  let items = (q.data.items || []).filter((it) => !department || it.department.id === department);
  if (!items.length) return wrap(el('p', { class: 'empty', dataset: { testid: 'st-quality-empty' } }, t('stats.quality.empty')));
  items = items.slice().sort((a, b) => {
    const x = qValue(a, q.sort);
    const y = qValue(b, q.sort);
    const c = typeof x === 'string' ? x.localeCompare(y, 'zh-CN') : x - y;
    return c * q.dir || a.department.name.localeCompare(b.department.name, 'zh-CN');
  });
  const sortState = (key) => (q.sort === key ? (q.dir > 0 ? 'ascending' : 'descending') : null);
  const th = ([key]) => el('th', { scope: 'col', 'aria-sort': sortState(key), dataset: { key } }, sortButton(key, () => sortBy(key)));
  const cellOf = (it, [key, kind]) => {
    if (kind === 'name') return el('th', { scope: 'row', lang: 'zh-CN' }, it.department.name);
    if (kind === 'score') return el('td', { class: 'num' }, oneDecimal(it.average));
    return el('td', { class: 'num' }, fmtNumber(it[key]));
  };
  return wrap(
    el(
      'div',
      { class: 'table-wrap pp-quality-wrap', role: 'region', 'aria-labelledby': 'st-q-caption', tabindex: '0' },
      el(
        'table',
        { class: 'data-table fb-stats-table', dataset: { testid: 'st-quality-table' } },
        el('caption', { id: 'st-q-caption' }, t('stats.quality.caption')),
        el('thead', null, el('tr', null, Q_COLUMNS.map(th))),
        el(
          'tbody',
          null,
          items.map((it) => el('tr', { dataset: { testid: 'st-q-row', id: it.department.id } }, Q_COLUMNS.map((c) => cellOf(it, c)))),
        ),
      ),
    ),
  );
}
