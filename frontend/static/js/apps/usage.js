// An app's usage panel, shared by the developer's console (/account/apps)
// and the authority's view (/admin/apps): calls per day per API family as
// an ECharts bar chart with the same numbers in a table (the chart is an
// image to screen readers), the remaining quota per family and the recent
// errors. base is the app's API path (/me/apps/ID or /admin/apps/ID).

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtNumber, fmtDateTime } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { loadECharts } from '../preview/echarts.js?v=__V__';

export const FAMILIES = ['downloads', 'rows', 'ckan', 'search'];
export const DAYS = 30;

// The China dates of the n days up to today, oldest first: the server
// counts days in China time. Today is the server's (the day before the
// daily quota resets) when it says, else this computer's.
const chinaDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
function lastDays(n, quota) {
  const reset = (quota || []).map((q) => Date.parse(q.reset_day)).find((x) => Number.isFinite(x));
  const today = reset ? reset - 43200000 : Date.now(); // noon of the day before the reset
  const out = [];
  for (let i = n - 1; i >= 0; i--) out.push(chinaDate.format(new Date(today - i * 86400000)));
  return out;
}

export function familyLabel(f) {
  return t(`apps.family.${f}`);
}

// A limit of 0 means "no limit".
function limitText(n) {
  return Number(n) > 0 ? fmtNumber(n) : t('apps.quota.unlimited');
}

function table(caption, cols, rows, testid) {
  return el(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': caption },
    el(
      'table',
      { class: 'data-table apk-table', dataset: { testid } },
      el('caption', { class: 'visually-hidden' }, caption),
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, c)))),
      el('tbody', null, rows),
    ),
  );
}

function drawChart(box, dates, days) {
  const series = FAMILIES.map((f) => {
    const byDate = new Map();
    for (const d of days) if (d.family === f) byDate.set(d.date, (byDate.get(d.date) || 0) + Number(d.calls || 0));
    return { name: familyLabel(f), type: 'bar', stack: 'calls', data: dates.map((d) => byDate.get(d) || 0) };
  });
  loadECharts()
    .then((echarts) => {
      if (!box.isConnected) return;
      const chart = echarts.init(box, null, { renderer: 'svg' });
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
        tooltip: { trigger: 'axis' },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 40, right: 12, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: dates.map((d) => d.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series,
      });
      const ro = new ResizeObserver(() => (box.isConnected ? chart.resize() : ro.disconnect()));
      ro.observe(box);
    })
    .catch(() => {
      clear(box).append(el('p', { class: 'muted' }, t('apps.usage.chartFailed')));
    });
}

function render(u, days) {
  const dates = lastDays(days, u.quota);
  const list = Array.isArray(u.days) ? u.days : [];
  const total = list.reduce((s, d) => s + Number(d.calls || 0), 0);
  const chart = el('div', {
    class: 'apk-chart',
    role: 'img',
    'aria-label': t('apps.usage.chartLabel', { days, n: fmtNumber(total) }),
    dataset: { testid: 'usage-chart' },
  });
  const dayRows = list
    .filter((d) => Number(d.calls) > 0 || Number(d.errors) > 0)
    .sort((a, b) => (a.date === b.date ? FAMILIES.indexOf(a.family) - FAMILIES.indexOf(b.family) : a.date < b.date ? 1 : -1))
    .map((d) =>
      el(
        'tr',
        { dataset: { testid: 'usage-row', family: d.family } },
        el('td', null, d.date),
        el('td', null, familyLabel(d.family)),
        el('td', { class: 'num', dataset: { testid: 'usage-calls' } }, fmtNumber(d.calls)),
        el('td', { class: 'num' }, fmtNumber(d.errors)),
      ),
    );
  const quota = (Array.isArray(u.quota) ? u.quota : []).map((q) =>
    el(
      'tr',
      { dataset: { testid: 'quota-row', family: q.family } },
      el('th', { scope: 'row' }, familyLabel(q.family)),
      el('td', { class: 'num' }, Number(q.per_minute) > 0 ? t('apps.quota.left', { left: fmtNumber(q.remaining_minute), limit: fmtNumber(q.per_minute) }) : limitText(0)),
      el('td', { class: 'num', dataset: { testid: 'quota-day' } }, Number(q.per_day) > 0 ? t('apps.quota.left', { left: fmtNumber(q.remaining_day), limit: fmtNumber(q.per_day) }) : limitText(0)),
      el('td', null, q.reset_day ? fmtDateTime(q.reset_day) : '—'),
    ),
  );
  const errs = (Array.isArray(u.recent_errors) ? u.recent_errors : []).map((e) =>
    el(
      'tr',
      { dataset: { testid: 'error-row' } },
      el('td', null, fmtDateTime(e.at)),
      el('td', null, el('code', null, `${e.method} ${e.path}`)),
      el('td', { class: 'num' }, String(e.status)),
      el('td', null, e.message),
    ),
  );
  const out = [
    el('h4', null, t('apps.usage.callsHeading', { days })),
    el('p', { class: 'muted', dataset: { testid: 'usage-total' } }, t('apps.usage.total', { days, n: fmtNumber(total) })),
    chart,
    el(
      'details',
      { class: 'apk-details', dataset: { testid: 'usage-table' } },
      el('summary', null, t('apps.usage.asTable')),
      dayRows.length
        ? table(t('apps.usage.tableCaption', { days }), [t('apps.usage.col.date'), t('apps.usage.col.family'), t('apps.usage.col.calls'), t('apps.usage.col.errors')], dayRows, 'usage-days')
        : el('p', { class: 'empty' }, t('apps.usage.none')),
    ),
    el('h4', null, t('apps.quota.heading')),
    quota.length
      ? table(t('apps.quota.caption'), [t('apps.usage.col.family'), t('apps.quota.col.minute'), t('apps.quota.col.day'), t('apps.quota.col.reset')], quota, 'quota-table')
      : el('p', { class: 'empty' }, t('apps.quota.none')),
    el('h4', null, t('apps.errors.heading')),
    errs.length
      ? table(t('apps.errors.caption'), [t('apps.errors.col.at'), t('apps.errors.col.request'), t('apps.errors.col.status'), t('apps.errors.col.message')], errs, 'errors-table')
      : el('p', { class: 'empty', dataset: { testid: 'errors-none' } }, t('apps.errors.none')),
  ];
  return { nodes: out, draw: () => drawChart(chart, dates, list) };
}

// usagePanel(base) -> a <div> that loads and shows the app's usage.
export function usagePanel(base) {
  const box = el('div', { class: 'apk-usage', 'aria-live': 'polite', dataset: { testid: 'usage-panel' } }, el('p', { class: 'loading' }, t('common.loading')));
  const load = async () => {
    try {
      const u = await apiGet(`${base}/usage`, { days: DAYS });
      const r = render(u || {}, DAYS);
      clear(box).append(...r.nodes);
      box.dataset.loaded = 'true';
      r.draw();
    } catch (err) {
      clear(box).append(errorAlert(err, { retry: load }));
    }
  };
  load();
  return box;
}
