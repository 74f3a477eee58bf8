// "Explore the data" on the dataset page: for every resource a panel of
// tabs — preview (CSV), chart, map (coordinates or region codes), download
// formats and ready-to-run API calls. Tabs follow the WAI-ARIA pattern
// (arrow keys, Home/End). Nothing loads until its tab is shown: the
// preview when the panel scrolls into view, ECharts and the map only when
// a chart or map tab opens. The open tab (and the API sample language) of
// each panel survives the page being loaded again in the other language.

import { el, fill, idPart } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { previewPanel, previewState } from './table.js?v=__V__';
import { formatsPanel } from './formats.js?v=__V__';
import { apiPanel, LANGS as API_LANGS } from './apicalls.js?v=__V__';
import { hasMap, isTabular } from './columns.js?v=__V__';

// Per resource, what the visitor did (tab, page, sort, filter, fetched
// data): the page redraws on a language switch without fetching again.
const states = new Map();
// Charts to dispose of when the section is drawn again.
const disposers = new Set();

// What each panel showed when the visitor left the page (the language
// switch loads it again), kept for this tab only.
const SAVED = 'pv-panels';
let saved = null;

function restore(d) {
  if (saved) return;
  saved = {};
  try {
    const s = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
    if (s && s.dataset === d.id && s.panels && typeof s.panels === 'object') saved = s.panels;
  } catch {
    saved = {};
  }
  window.addEventListener('pagehide', () => {
    const panels = {};
    for (const [id, st] of states) panels[id] = { tab: st.tab, begun: Boolean(st.begun), api: st.api.lang };
    try {
      sessionStorage.setItem(SAVED, JSON.stringify({ dataset: d.id, panels }));
    } catch {
      // storage full or off: the panels start afresh
    }
  });
}

function stateOf(r) {
  let st = states.get(r.id);
  if (!st) {
    st = { tab: '', preview: previewState(), chart: {}, map: {}, api: { lang: 'curl' } };
    const was = saved && saved[r.id];
    if (was && typeof was === 'object') {
      if (typeof was.tab === 'string') st.tab = was.tab; // checked against the tabs below
      if (API_LANGS.includes(was.api)) st.api.lang = was.api;
      st.begun = was.begun === true;
    }
    states.set(r.id, st);
  }
  return st;
}

// Lazily imported tab bodies (ECharts is loaded by them, on demand).
const lazy = {
  chart: () => import('./chart.js?v=__V__').then((m) => m.chartPanel),
  map: () => import('./map.js?v=__V__').then((m) => m.mapPanel),
};

function tabsOf(d, r) {
  const tabs = [];
  if (isTabular(r)) {
    tabs.push('preview', 'chart');
    if (hasMap(d.data_items)) tabs.push('map');
  }
  tabs.push('formats', 'api');
  return tabs;
}

function resourcePanel(d, r) {
  const st = stateOf(r);
  const uid = `rp-${idPart(r.id)}`;
  const ctx = { d, r, st, uid, onDispose: (fn) => disposers.add(fn) };
  const keys = tabsOf(d, r);
  if (!keys.includes(st.tab)) st.tab = keys[0];
  const bodies = {};

  const tabs = keys.map((k) =>
    el(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `${uid}-tab-${k}`,
        class: 'pv-tab',
        'aria-controls': `${uid}-panel-${k}`,
        'aria-selected': k === st.tab ? 'true' : 'false',
        tabindex: k === st.tab ? '0' : '-1',
        dataset: { tab: k, testid: `tab-${k}` },
      },
      t(`preview.tab.${k}`),
    ),
  );
  const panels = keys.map((k) =>
    el('div', {
      role: 'tabpanel',
      id: `${uid}-panel-${k}`,
      class: 'pv-panel',
      'aria-labelledby': `${uid}-tab-${k}`,
      tabindex: '0',
      hidden: k !== st.tab,
      dataset: { testid: `panel-${k}` },
    }),
  );

  function body(k, panel) {
    switch (k) {
      case 'preview':
        return previewPanel(ctx);
      case 'formats':
        return formatsPanel(ctx);
      case 'api':
        return apiPanel(ctx);
      default: {
        // chart, map: a placeholder until the module arrives.
        const holder = { node: el('p', { class: 'loading' }, t('common.loading')), activate: () => {} };
        lazy[k]()
          .then((make) => {
            const real = make(ctx);
            bodies[k] = real;
            fill(panel, real.node);
            if (st.tab === k) real.activate();
          })
          .catch(() => fill(panel, el('p', { class: 'empty' }, t('preview.chart.failed'))));
        return holder;
      }
    }
  }

  function show(k) {
    const i = keys.indexOf(k);
    if (!bodies[k]) {
      bodies[k] = body(k, panels[i]);
      if (!panels[i].firstChild) panels[i].append(bodies[k].node);
    }
    bodies[k].activate(); // idempotent: loads once, redraws a chart at its size
  }

  function select(k, focus) {
    st.tab = k;
    keys.forEach((key, i) => {
      const on = key === k;
      tabs[i].setAttribute('aria-selected', on ? 'true' : 'false');
      tabs[i].tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
    if (focus) tabs[keys.indexOf(k)].focus();
    show(k);
  }

  const tablist = el('div', { role: 'tablist', class: 'pv-tabs', 'aria-label': t('preview.tabsLabel', { name: r.name || '' }) }, tabs);
  tablist.addEventListener('click', (ev) => {
    const b = ev.target.closest('[role=tab]');
    if (b) select(b.dataset.tab, false);
  });
  tablist.addEventListener('keydown', (ev) => {
    const i = keys.indexOf(st.tab);
    let next = -1;
    if (ev.key === 'ArrowRight') next = (i + 1) % keys.length;
    else if (ev.key === 'ArrowLeft') next = (i - 1 + keys.length) % keys.length;
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = keys.length - 1;
    if (next < 0) return;
    ev.preventDefault();
    select(keys[next], true);
  });

  const headID = `${uid}-h`;
  const article = el(
    'article',
    { class: 'pv-resource', 'aria-labelledby': headID, dataset: { testid: 'resource-panel', id: r.id } },
    el('h3', { id: headID, lang: 'zh-CN' }, r.name || r.id, ' ', el('span', { class: 'badge badge-format' }, r.format || '')),
    tablist,
    panels,
  );

  // The open tab starts when the panel comes into view (or at once without
  // IntersectionObserver, or when it had started before a redraw).
  const begin = () => {
    st.begun = true;
    show(st.tab);
  };
  if (st.begun) {
    // Drawn again (a language switch): what was shown comes back at once.
    queueMicrotask(begin);
  } else if ('IntersectionObserver' in window) {
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        begin();
      }
    }, { rootMargin: '200px 0px' });
    io.observe(article);
    disposers.add(() => io.disconnect());
  } else {
    queueMicrotask(begin);
  }
  return article;
}

// The panels of every resource, for the section the server rendered.
export function dataPanels(d) {
  for (const fn of disposers) fn();
  disposers.clear();
  restore(d);
  return (d.resources || []).map((r) => resourcePanel(d, r));
}

// The whole section, or null when the entry has no resources (the page
// drawn by script, without server data).
export function dataSection(d) {
  const list = d.resources || [];
  if (!list.length) return null;
  return el(
    'section',
    { class: 'section pv-section', 'aria-labelledby': 'explore-heading', dataset: { testid: 'explore' } },
    el('h2', { id: 'explore-heading' }, t('preview.heading')),
    el('p', { class: 'muted pv-intro' }, t('preview.intro')),
    dataPanels(d),
  );
}
