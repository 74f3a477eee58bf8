// Home page: hero search, catalog counts, topics, departments, newest and
// most downloaded datasets, latest announcements.
//
// The server renders every section (body[data-ssr="1"]); the script leaves
// them as they are and only loads a section the server could not read
// (data-load="1"). Without server data it renders them all from the API.

import { apiGet } from './api.js?v=__V__';
import { el, clear } from './dom.js?v=__V__';
import { t, lang, onLangChange, fmtNumber, fmtDate, enumLabel } from './i18n.js?v=__V__';
import { initLayout, setTitle, errorAlert } from './layout.js?v=__V__';

// What only drawing a section needs is loaded when the script draws one:
// the page's first paint then waits for fewer modules (the layout's).
let tn, topicIcon, announcementItem;

async function drawingModules() {
  [{ tn }, { topicIcon }, { announcementItem }] = await Promise.all([
    import('./plural.js?v=__V__'),
    import('./topicicon.js?v=__V__'),
    import('./revocations/common.js?v=__V__'),
  ]);
}

const data = {}; // section -> {value} | {error}

function loading() {
  return el('p', { class: 'loading' }, t('common.loading'));
}

function section(id, key, fetcher, render) {
  const box = document.getElementById(id);
  const draw = () => {
    clear(box);
    const d = data[key];
    if (!d) box.append(loading());
    else if (d.error) box.append(errorAlert(d.error, { retry: () => run() }));
    else box.append(render(d.value));
  };
  const run = async () => {
    data[key] = null;
    draw();
    try {
      data[key] = { value: await fetcher() };
    } catch (err) {
      data[key] = { error: err };
    }
    box.removeAttribute('data-load');
    draw();
  };
  onLangChange(draw);
  run();
}

function renderStats(s) {
  const items = [
    ['datasets', s.datasets, '/datasets'],
    ['departments', s.departments, '/departments'],
    ['topics', s.topics, '/topics'],
    ['downloads', s.downloads, null],
  ];
  return el(
    'ul',
    { class: 'stat-list' },
    items.map(([k, n, href]) => {
      const inner = [
        el('span', { class: 'stat-value', dataset: { testid: `stat-${k}` } }, fmtNumber(n)),
        el('span', { class: 'stat-label' }, t(`stats.${k}`)),
      ];
      return el('li', { class: 'stat' }, href ? el('a', { href, class: 'stat-link' }, inner) : el('div', { class: 'stat-link' }, inner));
    }),
  );
}

function topicName(tp) {
  return lang() === 'en' && tp.name_en ? tp.name_en : tp.name;
}

function renderTopics(res) {
  const items = (res.items || []).slice();
  if (!items.length) return el('p', { class: 'empty' }, t('common.empty'));
  return el(
    'ul',
    { class: 'topic-grid' },
    items.map((tp) =>
      el(
        'li',
        null,
        el(
          'a',
          { class: 'topic-card', href: `/topics/${encodeURIComponent(tp.id)}`, dataset: { testid: `topic-${tp.id}` } },
          topicIcon(tp, lang()),
          el(
            'span',
            { class: 'topic-text' },
            el('span', { class: 'topic-name', lang: lang() === 'en' && tp.name_en ? null : 'zh-CN' }, topicName(tp)),
            el('span', { class: 'topic-count' }, tn('common.datasetCount', tp.dataset_count || 0)),
          ),
        ),
      ),
    ),
  );
}

function renderDepartments(res) {
  const items = (res.items || []).slice().sort((a, b) => (b.dataset_count || 0) - (a.dataset_count || 0));
  if (!items.length) return el('p', { class: 'empty' }, t('common.empty'));
  return el(
    'ul',
    { class: 'dept-list' },
    items.slice(0, 12).map((d) =>
      el(
        'li',
        null,
        el(
          'a',
          { class: 'dept-link', href: `/departments/${encodeURIComponent(d.id)}` },
          el('span', { class: 'dept-name', lang: 'zh-CN' }, d.name),
          el(
            'span',
            { class: 'dept-meta' },
            d.region_level ? el('span', { class: 'badge badge-neutral' }, enumLabel('region_level', d.region_level)) : null,
            el('span', { class: 'dept-count' }, tn('common.datasetCount', d.dataset_count || 0)),
          ),
        ),
      ),
    ),
  );
}

function datasetList(res, kind) {
  const items = res.items || [];
  if (!items.length) return el('p', { class: 'empty' }, t('common.empty'));
  return el(
    'ol',
    { class: 'mini-list' },
    items.map((ds) =>
      el(
        'li',
        { class: 'mini-item', dataset: { testid: `${kind}-item` } },
        el('a', { class: 'mini-title', href: `/datasets/${encodeURIComponent(ds.id)}`, lang: 'zh-CN' }, ds.title),
        el(
          'p',
          { class: 'mini-meta' },
          el('span', { class: ['badge', ds.open_type === 'conditional' ? 'badge-conditional' : 'badge-open'] }, enumLabel('open_type', ds.open_type)),
          ds.department ? el('a', { href: `/departments/${encodeURIComponent(ds.department.id)}`, lang: 'zh-CN' }, ds.department.name) : null,
          kind === 'newest'
            ? el('span', null, t('result.published', { date: fmtDate(ds.published_at) }))
            : el('span', null, tn('result.downloads', ds.downloads || 0)),
        ),
      ),
    ),
  );
}

const SECTIONS = [
  ['home-stats', 'stats', () => apiGet('/catalog/summary'), renderStats],
  ['home-topics', 'topics', () => apiGet('/topics'), renderTopics],
  ['home-departments', 'departments', () => apiGet('/departments'), renderDepartments],
  ['home-newest', 'newest', () => apiGet('/datasets', { sort: 'published', page_size: 6 }), (r) => datasetList(r, 'newest')],
  ['home-popular', 'popular', () => apiGet('/datasets', { sort: 'downloads', page_size: 6 }), (r) => datasetList(r, 'popular')],
  // The latest revocation announcements, as the rules ask them published on the portal.
  ['home-announcements', 'announcements', () => apiGet('/announcements', { page_size: 3 }), (r) =>
    r.items && r.items.length
      ? el('ul', { class: 'rv-cards' }, r.items.map((a) => announcementItem(a, 'home-announcement', 'h3')))
      : el('p', { class: 'empty' }, t('rv.list.none')),
  ],
];

async function main() {
  await initLayout();
  const ssr = document.body.dataset.ssr === '1';
  if (!ssr) {
    const titleNow = () => setTitle();
    titleNow();
    onLangChange(titleNow);
  }
  const todo = SECTIONS.filter(([id]) => {
    const box = document.getElementById(id);
    return box && (!ssr || box.dataset.load === '1');
  });
  if (!todo.length) return;
  await drawingModules();
  for (const [id, key, fetcher, render] of todo) section(id, key, fetcher, render);
}

main();
