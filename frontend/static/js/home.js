// Home page: hero search, catalog counts, topics, departments, newest and
// most downloaded datasets.

import { apiGet } from './api.js?v=__V__';
import { el, clear } from './dom.js?v=__V__';
import { t, lang, onLangChange, fmtNumber, fmtDate, enumLabel } from './i18n.js?v=__V__';
import { initLayout, setTitle, bigSearchForm, errorAlert } from './layout.js?v=__V__';
import { announcementItem } from './revocations/common.js?v=__V__';

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
    draw();
  };
  onLangChange(draw);
  run();
}

function renderStats(s) {
  const items = [
    ['datasets', s.datasets, '/datasets'],
    ['departments', s.departments, '#departments-heading'],
    ['topics', s.topics, '#topics-heading'],
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
          { class: 'topic-card', href: `/datasets?topic=${encodeURIComponent(tp.id)}`, dataset: { testid: `topic-${tp.id}` } },
          el('span', { class: 'topic-initial', 'aria-hidden': 'true' }, Array.from(tp.name || '?')[0]),
          el(
            'span',
            { class: 'topic-text' },
            el('span', { class: 'topic-name', lang: lang() === 'en' && tp.name_en ? 'en' : 'zh-CN' }, topicName(tp)),
            el('span', { class: 'topic-count' }, t('common.datasetCount', { n: fmtNumber(tp.dataset_count) })),
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
          { class: 'dept-link', href: `/datasets?department=${encodeURIComponent(d.id)}` },
          el('span', { class: 'dept-name', lang: 'zh-CN' }, d.name),
          el(
            'span',
            { class: 'dept-meta' },
            d.region_level ? el('span', { class: 'badge badge-neutral' }, enumLabel('region_level', d.region_level)) : null,
            el('span', { class: 'dept-count' }, t('common.datasetCount', { n: fmtNumber(d.dataset_count || 0) })),
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
          ds.department ? el('span', { lang: 'zh-CN' }, ds.department.name) : null,
          kind === 'newest'
            ? el('span', null, t('result.published', { date: fmtDate(ds.published_at) }))
            : el('span', null, t('result.downloads', { n: fmtNumber(ds.downloads) })),
        ),
      ),
    ),
  );
}

async function main() {
  await initLayout();
  const titleNow = () => setTitle();
  titleNow();
  onLangChange(titleNow);

  const hero = document.getElementById('hero-search');
  const drawHero = () => {
    const prev = document.getElementById('hero-search-input');
    const v = prev ? prev.value : '';
    const hadFocus = prev && document.activeElement === prev;
    clear(hero).append(bigSearchForm('hero-search-input'));
    const input = document.getElementById('hero-search-input');
    input.value = v;
    if (hadFocus) input.focus();
  };
  drawHero();
  onLangChange(drawHero);

  section('home-stats', 'stats', () => apiGet('/catalog/summary'), renderStats);
  section('home-topics', 'topics', () => apiGet('/topics'), renderTopics);
  section('home-departments', 'departments', () => apiGet('/departments'), renderDepartments);
  section('home-newest', 'newest', () => apiGet('/datasets', { sort: 'published', page_size: 6 }), (r) => datasetList(r, 'newest'));
  section('home-popular', 'popular', () => apiGet('/datasets', { sort: 'downloads', page_size: 6 }), (r) => datasetList(r, 'popular'));
  // The latest revocation announcements (000 Art 35: announced on the portal).
  section('home-announcements', 'announcements', () => apiGet('/announcements', { page_size: 3 }), (r) =>
    r.items && r.items.length
      ? el('ul', { class: 'rv-cards' }, r.items.map((a) => announcementItem(a, 'home-announcement', 'h3')))
      : el('p', { class: 'empty' }, t('rv.list.none')),
  );
}

main();
