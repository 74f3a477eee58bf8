// Catalog / search page (/datasets).
//
// The address holds the whole state: q, every facet selection (repeated
// keys), the minimum quality score, sort and page. Changes push a history entry; back/forward
// (popstate) re-read the address and render again.
//
// The server renders the first page for the address (body[data-ssr="1"]):
// results, count, facets (a GET form whose value names are links), chips
// and paging links, in the same markup as this script. The script then
// leaves it as it is and wires it to filter in place; it renders only
// after the reader changes something.

import { apiGet, isAbort } from './api.js?v=__V__';
import { el, clear, renderHighlight, preserveFocus, idPart } from './dom.js?v=__V__';
import { t, lang, onLangChange, fmtNumber, fmtDate, enumLabel } from './i18n.js?v=__V__';
import { tn } from './plural.js?v=__V__';
import { initLayout, setTitle, onSearch, setSearchValue, errorAlert } from './layout.js?v=__V__';

// Facets shown as checkbox groups.
export const FACETS = ['topic', 'department', 'open_type', 'format', 'update_frequency', 'grade'];
// Every filter the address may carry: the facets plus filters reached from
// links elsewhere (a tag on a dataset page), shown only as removable chips.
export const FILTERS = [...FACETS, 'tag', 'region'];
const SORTS = ['relevance', 'updated', 'published', 'downloads', 'name', 'quality'];
// Minimum quality score choices (min_quality); 0 = any.
export const MIN_QUALITY = [0, 60, 80, 90];
const DEFAULT_PAGE_SIZE = 20;
const MAX_WINDOW = 10000; // the search engine refuses offset+limit beyond this
// Pages numbered (as the server's pagerDepth); beyond, "next" carries the
// API's next_cursor and the server renders that page.
const PAGER_DEPTH = 50;
const FACET_SHOWN = 8; // values shown per facet before "show more"

let state = readState();
// A page reached by cursor is the server's: the script keeps its pager and
// any change starts again without the cursor.
let onCursorPage = new URLSearchParams(location.search).has('cursor');
let result = null; // last successful response (facets only, from the page, before the first)
let error = null; // last error (ApiError)
let loading = false;
let seq = 0;
let controller = null;
let topicNames = {}; // topic code -> {name, name_en}
const expanded = {}; // facet field -> true when "show more" is open

// ---- state <-> address ---------------------------------------------------

function readState(search = location.search, keepLang) {
  const sp = new URLSearchParams(search);
  const filters = {};
  for (const f of FILTERS) {
    filters[f] = [...new Set(sp.getAll(f).filter((v) => v !== ''))];
  }
  const page = parseInt(sp.get('page') || '1', 10);
  const ps = parseInt(sp.get('page_size') || '', 10);
  const sort = sp.get('sort') || '';
  const mq = parseInt(sp.get('min_quality') || '0', 10);
  return {
    q: (sp.get('q') || '').trim(),
    filters,
    minQuality: Number.isFinite(mq) && mq > 0 && mq <= 100 ? mq : 0,
    sort: SORTS.includes(sort) ? sort : '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: Number.isFinite(ps) && ps > 0 ? ps : 0,
    lang: sp.get('lang') || keepLang || '',
  };
}

function urlFor(s) {
  const sp = new URLSearchParams();
  if (s.q) sp.set('q', s.q);
  for (const f of FILTERS) for (const v of s.filters[f] || []) sp.append(f, v);
  if (s.minQuality) sp.set('min_quality', String(s.minQuality));
  if (s.sort) sp.set('sort', s.sort);
  if (s.page > 1) sp.set('page', String(s.page));
  if (s.pageSize) sp.set('page_size', String(s.pageSize));
  if (s.lang) sp.set('lang', s.lang);
  const qs = sp.toString();
  return qs ? `/datasets?${qs}` : '/datasets';
}

function apiParams(s) {
  const p = { q: s.q, page: s.page, page_size: s.pageSize || DEFAULT_PAGE_SIZE, sort: s.sort, min_quality: s.minQuality || null };
  for (const f of FILTERS) p[f] = s.filters[f];
  return p;
}

function activeCount(s = state) {
  return FILTERS.reduce((n, f) => n + s.filters[f].length, s.minQuality ? 1 : 0);
}

function navigate(next, opts = {}) {
  state = next;
  onCursorPage = false;
  history.pushState(null, '', urlFor(state));
  load(opts);
}

// ---- labels --------------------------------------------------------------

function valueLabel(field, value, serverLabel) {
  switch (field) {
    case 'open_type':
    case 'update_frequency':
    case 'grade':
      return enumLabel(field, value, serverLabel);
    case 'topic': {
      const tp = topicNames[value];
      if (lang() === 'en' && tp && tp.name_en) return tp.name_en;
      return serverLabel || (tp && tp.name) || value;
    }
    default:
      return serverLabel || value;
  }
}

// ---- loading -------------------------------------------------------------

async function load(opts = {}) {
  const my = ++seq;
  if (controller) controller.abort();
  controller = new AbortController();
  loading = true;
  document.querySelector('.catalog').classList.remove('catalog--error');
  document.getElementById('results-heading').parentElement.setAttribute('aria-busy', 'true');
  renderStatic();
  try {
    const res = await apiGet('/datasets', apiParams(state), { signal: controller.signal });
    if (my !== seq) return;
    result = res;
    error = null;
  } catch (err) {
    if (isAbort(err) || my !== seq) return;
    error = err;
  }
  loading = false;
  document.getElementById('results-heading').parentElement.removeAttribute('aria-busy');
  render();
  if (opts.focusResults) {
    const count = document.getElementById('result-count');
    count.setAttribute('tabindex', '-1');
    count.focus({ preventScroll: true });
    document.getElementById('results-heading').parentElement.scrollIntoView({ block: 'start' });
  }
}

// ---- rendering -----------------------------------------------------------

// Parts that depend only on the state (not on the response).
function renderStatic() {
  setTitle(state.q ? t('catalog.titleQuery', { q: state.q }) : '', t('catalog.title'));
  setSearchValue(state.q);
  renderSort();
  renderMinQuality();
  renderToggle();
  renderActiveFilters();
  if (loading && !result && !error) {
    const count = document.getElementById('result-count');
    count.textContent = t('common.loading');
  }
}

function render() {
  renderStatic();
  renderCount();
  renderAlert();
  renderResults();
  renderPagination();
  renderFacets();
}

function renderSort() {
  const sel = document.getElementById('sort-select');
  const current = state.sort || (state.q ? 'relevance' : 'updated');
  clear(sel);
  for (const s of SORTS) sel.append(el('option', { value: s, selected: s === current }, t(`sort.${s}`)));
  sel.value = current;
}

function renderMinQuality() {
  const sel = document.getElementById('min-quality-select');
  const choices = MIN_QUALITY.includes(state.minQuality) ? MIN_QUALITY : [...MIN_QUALITY, state.minQuality].sort((a, b) => a - b);
  clear(sel);
  for (const n of choices) {
    sel.append(el('option', { value: String(n), selected: n === state.minQuality }, n ? t('catalog.minQuality.atLeast', { n }) : t('catalog.minQuality.any')));
  }
  sel.value = String(state.minQuality);
}

function renderToggle() {
  const btn = document.getElementById('facet-toggle');
  const n = activeCount();
  btn.textContent = n ? t('catalog.filtersToggleCount', { n }) : t('catalog.filtersToggle');
  document.getElementById('facet-clear').hidden = n === 0;
}

function renderCount() {
  const node = document.getElementById('result-count');
  clear(node);
  if (error || !result) {
    node.removeAttribute('data-total');
    return;
  }
  const n = Number(result.total) || 0;
  node.dataset.total = String(n);
  node.dataset.pageSize = String(Number(result.page_size) || state.pageSize || DEFAULT_PAGE_SIZE);
  const num = el('strong', null, fmtNumber(n));
  const tpl = state.q ? tn('catalog.resultCountQuery', n, { n: '{n}', q: '\u0000q\u0000' }) : tn('catalog.resultCount', n, { n: '{n}' });
  // Put the number in <strong> and the query as plain text, both from the
  // translated template "…{n}…".
  const pieces = tpl.split('{n}');
  pieces.forEach((p, i) => {
    if (i > 0) node.append(num);
    const qs = p.split('\u0000q\u0000');
    qs.forEach((x, j) => {
      if (j > 0) node.append(el('span', { class: 'query-echo' }, state.q));
      if (x) node.append(x);
    });
  });
}

function renderAlert() {
  const box = document.getElementById('results-alert');
  clear(box);
  if (error) box.append(errorAlert(error, { title: t('catalog.errorTitle'), retry: () => load() }));
}

function badge(text, cls, attrs) {
  return el('li', Object.assign({ class: ['badge', cls] }, attrs || {}), text);
}

function badgeLink(text, href, textLang) {
  return el('li', { class: 'badge badge-neutral badge-link' }, el('a', { href, lang: textLang }, text));
}

// A topic's name is English on English pages when it has one.
function topicLang(id) {
  const tp = topicNames[id];
  return lang() === 'en' && tp && tp.name_en ? null : 'zh-CN';
}

// "Also matches in: data items …, tags …" from the other highlight fields.
function matchLine(hl) {
  const parts = [];
  for (const k of ['data_items', 'tags']) {
    if (typeof hl[k] === 'string' && hl[k]) {
      const span = el('span', { class: 'match-part', lang: 'zh-CN' });
      renderHighlight(span, hl[k]);
      parts.push(el('span', { class: 'match-field' }, t('result.matchField', { field: t(`result.match.${k}`) })), span);
    }
  }
  if (!parts.length) return null;
  return el('p', { class: 'result-match', dataset: { testid: 'result-match' } }, parts);
}

function resultItem(ds) {
  const hl = ds.highlights || {};
  const titleLink = el('a', { href: `/datasets/${encodeURIComponent(ds.id)}`, lang: 'zh-CN' });
  if (hl.title) renderHighlight(titleLink, hl.title);
  else titleLink.textContent = ds.title;
  const desc = el('p', { class: 'result-desc', lang: 'zh-CN' });
  if (hl.description) renderHighlight(desc, hl.description);
  else desc.textContent = ds.description || '';

  const badges = [
    badge(enumLabel('open_type', ds.open_type), ds.open_type === 'conditional' ? 'badge-conditional' : 'badge-open', {
      dataset: { testid: 'badge-open-type' },
    }),
    ds.under_dispute ? badge(t('badge.dispute'), 'badge-dispute', { dataset: { testid: 'badge-dispute' } }) : null,
    ds.department ? badgeLink(ds.department.name, `/departments/${encodeURIComponent(ds.department.id)}`, 'zh-CN') : null,
    ds.topic ? badgeLink(valueLabel('topic', ds.topic.id, ds.topic.name), `/topics/${encodeURIComponent(ds.topic.id)}`, topicLang(ds.topic.id)) : null,
    ds.update_frequency ? badge(enumLabel('update_frequency', ds.update_frequency), 'badge-neutral') : null,
    ...(ds.formats || []).map((f) => badge(f, 'badge-format')),
    ds.quality_score > 0 ? badge(t('result.quality', { n: ds.quality_score }), 'badge-quality', { dataset: { testid: 'badge-quality', score: String(ds.quality_score) } }) : null,
  ];
  return el(
    'li',
    { class: 'result-item', dataset: { testid: 'result-item', id: ds.id } },
    el('h3', { class: 'result-title' }, titleLink),
    desc,
    matchLine(hl),
    el('ul', { class: 'badges', 'aria-label': t('result.badges') }, badges),
    el(
      'p',
      { class: 'result-meta' },
      el('span', null, t('result.updated', { date: fmtDate(ds.updated_at) })),
      el('span', null, tn('result.downloads', Number(ds.downloads) || 0)),
    ),
  );
}

function renderResults() {
  const list = document.getElementById('results-list');
  if (result && !result.items && !error) return; // the server's list stands
  clear(list);
  if (error || !result) return;
  const items = result.items || [];
  if (!items.length) {
    list.append(el('li', { class: 'empty-result', dataset: { testid: 'no-results' } }, t('catalog.noResults')));
    return;
  }
  for (const ds of items) list.append(resultItem(ds));
}

function pageLink(n, label, opts = {}) {
  const next = { ...state, page: n };
  return el(
    'a',
    {
      href: urlFor(next),
      class: ['page-link', opts.cls],
      'aria-current': opts.current ? 'page' : null,
      'aria-label': opts.aria || null,
      rel: opts.rel || null,
      dataset: { page: String(n) },
    },
    label,
  );
}

// A plain left click on one of the page's own links (paging, chips, facet
// names) runs in place; other clicks (new tab) follow the link.
function inPlace(ev) {
  return ev.button === 0 && !ev.metaKey && !ev.ctrlKey && !ev.shiftKey && !ev.altKey;
}

function renderPagination() {
  const nav = document.getElementById('pagination');
  if (onCursorPage) return;
  clear(nav);
  if (error || !result) return;
  const size = Number(result.page_size) || state.pageSize || DEFAULT_PAGE_SIZE;
  const total = Number(result.total) || 0;
  const maxPages = Math.max(1, Math.floor(MAX_WINDOW / size));
  const pages = Math.min(Math.ceil(total / size), maxPages, PAGER_DEPTH);
  const cursor = cursorOffer(result.next_cursor);
  if (pages <= 1 && state.page <= 1 && !cursor) return;
  const page = state.page;
  const ul = el('ul', { class: 'page-list' });
  const li = (child) => ul.append(el('li', null, child));
  if (page > 1) li(pageLink(Math.min(page - 1, Math.max(pages, 1)), t('pager.prev'), { cls: 'page-prev', rel: 'prev' }));
  else li(el('span', { class: 'page-link page-prev is-disabled', 'aria-disabled': 'true' }, t('pager.prev')));

  const nums = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2]);
  const list = [...nums].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  let prev = 0;
  for (const n of list) {
    if (n - prev > 1) li(el('span', { class: 'page-gap', 'aria-hidden': 'true' }, '…'));
    li(pageLink(n, fmtNumber(n), { current: n === page, aria: t('pager.page', { n }) }));
    prev = n;
  }
  if (page < pages) li(pageLink(page + 1, t('pager.next'), { cls: 'page-next', rel: 'next' }));
  else if (cursor) {
    // No data-page: the click is left to the browser, the server renders it.
    const sp = new URLSearchParams(urlFor({ ...state, page: 1 }).split('?')[1] || '');
    sp.set('cursor', cursor);
    li(el('a', { href: `/datasets?${sp}`, class: 'page-link page-next page-cursor', rel: 'next' }, t('pager.next')));
  } else li(el('span', { class: 'page-link page-next is-disabled', 'aria-disabled': 'true' }, t('pager.next')));
  nav.append(ul);
}

// cursorOffer is the cursor to offer on the last numbered page ('' for none).
function cursorOffer(next) {
  return state.page >= PAGER_DEPTH && typeof next === 'string' ? next : '';
}

function chipLink(next, label, field, testid) {
  return el(
    'li',
    null,
    el(
      'a',
      {
        class: 'chip',
        href: urlFor(next),
        'aria-label': t('catalog.removeFilter', { label: field ? t('catalog.chip', { field: t(`facet.${field}`), value: label }) : label }),
        dataset: testid ? { testid } : undefined,
      },
      field ? el('span', { class: 'chip-field' }, t('catalog.chipField', { field: t(`facet.${field}`) })) : null,
      el('span', { lang: field === 'department' || field === 'tag' || field === 'region' ? 'zh-CN' : null }, label),
      el('span', { class: 'chip-x', 'aria-hidden': 'true' }, '×'),
    ),
  );
}

function renderActiveFilters() {
  const box = document.getElementById('active-filters');
  clear(box);
  const chips = [];
  for (const f of FILTERS) {
    for (const v of state.filters[f]) {
      const label = valueLabel(f, v, facetLabel(f, v));
      chips.push(chipLink(toggled(state, f, v, false), label, f));
    }
  }
  if (state.minQuality) {
    chips.push(chipLink({ ...state, minQuality: 0, page: 1 }, t('catalog.minQuality.chip', { n: state.minQuality }), null, 'chip-min-quality'));
  }
  if (!chips.length) return;
  box.append(el('p', { class: 'visually-hidden', id: 'active-filters-label' }, t('catalog.activeFilters')));
  box.append(el('ul', { class: 'chip-list', 'aria-labelledby': 'active-filters-label' }, chips));
}

function facetLabel(field, value) {
  const f = result && result.facets && result.facets[field];
  const hit = Array.isArray(f) ? f.find((x) => x.value === value) : null;
  return hit ? hit.label : '';
}

function renderFacets() {
  const box = document.getElementById('facet-groups');
  preserveFocus(box, () => {
    clear(box);
    const facets = (result && result.facets) || {};
    for (const field of FACETS) {
      const selected = state.filters[field];
      const values = Array.isArray(facets[field]) ? facets[field].slice() : [];
      for (const v of selected) {
        if (!values.some((x) => x.value === v)) values.push({ value: v, label: '', count: 0 });
      }
      if (!values.length) continue;
      const shown = expanded[field] ? values : values.filter((x, i) => i < FACET_SHOWN || selected.includes(x.value));
      const listId = `facet-list-${field}`;
      const group = el(
        'fieldset',
        { class: 'facet', dataset: { testid: `facet-${field}` } },
        el('legend', null, t(`facet.${field}`)),
        el(
          'ul',
          { class: 'facet-values', id: listId },
          shown.map((x) => {
            const id = `facet-${field}-${idPart(x.value)}`;
            const label = valueLabel(field, x.value, x.label);
            const on = selected.includes(x.value);
            return el(
              'li',
              null,
              el('input', {
                type: 'checkbox',
                id,
                name: field,
                value: x.value,
                checked: on,
                dataset: { testid: `facet-${field}-${x.value}`, field, label, count: String(x.count) },
              }),
              el(
                'label',
                { for: id },
                el('a', { class: 'facet-label facet-link', href: urlFor(toggled(state, field, x.value, !on)), tabindex: '-1', lang: field === 'department' ? 'zh-CN' : null }, label),
                el('span', { class: 'facet-count', dataset: { testid: `facet-count-${field}-${x.value}` } }, fmtNumber(x.count)),
              ),
            );
          }),
        ),
      );
      if (values.length > FACET_SHOWN) {
        group.append(
          el(
            'button',
            {
              type: 'button',
              class: 'link-button facet-more',
              id: `facet-more-${field}`,
              'aria-expanded': expanded[field] ? 'true' : 'false',
              'aria-controls': listId,
              dataset: { field },
            },
            expanded[field] ? t('catalog.showLess') : t('catalog.showMore', { n: values.length - FACET_SHOWN }),
          ),
        );
      }
      box.append(group);
    }
    if (!box.firstChild && !loading && !error) box.append(el('p', { class: 'empty' }, t('common.empty')));
  });
}

function toggled(s, field, value, on) {
  const cur = s.filters[field];
  const next = on ? [...new Set([...cur, value])] : cur.filter((v) => v !== value);
  return { ...s, filters: { ...s.filters, [field]: next }, page: 1 };
}

function toggleFilter(field, value, on) {
  navigate(toggled(state, field, value, on));
}

// What the server rendered, for the parts the script draws again before
// its first request (the facets behind "show more", chip labels).
function serverResult() {
  const count = document.getElementById('result-count');
  if (!count || count.dataset.total === undefined) return null;
  const facets = {};
  for (const box of document.querySelectorAll('#facet-groups input[type=checkbox]')) {
    const f = box.dataset.field;
    (facets[f] = facets[f] || []).push({ value: box.value, label: box.dataset.label || '', count: Number(box.dataset.count) || 0 });
  }
  return { total: Number(count.dataset.total) || 0, page_size: Number(count.dataset.pageSize) || DEFAULT_PAGE_SIZE, facets, items: null };
}

// A box ticked or a choice made before the script was ready still counts.
function catchUp() {
  for (const box of document.querySelectorAll('#facet-groups input[type=checkbox]')) {
    const on = (state.filters[box.dataset.field] || []).includes(box.value);
    if (box.checked !== on) {
      toggleFilter(box.dataset.field, box.value, box.checked);
      return;
    }
  }
  const sort = document.getElementById('sort-select');
  if (sort.value && sort.value !== (state.sort || (state.q ? 'relevance' : 'updated'))) {
    navigate({ ...state, sort: sort.value, page: 1 });
    return;
  }
  const mq = parseInt(document.getElementById('min-quality-select').value, 10);
  if (Number.isFinite(mq) && mq !== state.minQuality) navigate({ ...state, minQuality: mq > 0 ? mq : 0, page: 1 });
}

// ---- start ---------------------------------------------------------------

async function main() {
  await initLayout();
  const ssr = document.body.dataset.ssr === '1';
  if (ssr) result = serverResult(); // null when the server answered with an error

  const panel = document.getElementById('facet-panel');
  const toggle = document.getElementById('facet-toggle');
  toggle.addEventListener('click', () => {
    const open = !panel.classList.contains('is-open');
    panel.classList.toggle('is-open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });

  document.getElementById('facet-done').addEventListener('click', () => {
    panel.classList.remove('is-open');
    toggle.setAttribute('aria-expanded', 'false');
    const count = document.getElementById('result-count');
    count.setAttribute('tabindex', '-1');
    count.focus();
  });

  const groups = document.getElementById('facet-groups');
  groups.addEventListener('change', (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    toggleFilter(box.dataset.field, box.value, box.checked);
  });
  groups.addEventListener('click', (ev) => {
    const more = ev.target.closest('.facet-more');
    if (more) {
      expanded[more.dataset.field] = !expanded[more.dataset.field];
      renderFacets();
      return;
    }
    // A value's name is a link for readers without script; here it ticks
    // its box like the rest of the label.
    const link = ev.target.closest('a.facet-link');
    if (link && inPlace(ev)) {
      ev.preventDefault();
      const box = document.getElementById(link.closest('label').htmlFor);
      toggleFilter(box.dataset.field, box.value, !box.checked);
    }
  });
  for (const link of groups.querySelectorAll('a.facet-link')) link.tabIndex = -1; // one stop per value: the box
  document.getElementById('facet-form').addEventListener('submit', (ev) => ev.preventDefault());
  document.getElementById('results-controls')?.addEventListener('submit', (ev) => ev.preventDefault());

  document.getElementById('pagination').addEventListener('click', (ev) => {
    const a = ev.target.closest('a.page-link');
    if (!a || !inPlace(ev) || !a.dataset.page) return;
    ev.preventDefault();
    navigate({ ...state, page: Number(a.dataset.page) || 1 }, { focusResults: true });
  });

  document.getElementById('active-filters').addEventListener('click', (ev) => {
    const a = ev.target.closest('a.chip');
    if (!a || !inPlace(ev)) return;
    ev.preventDefault();
    state = readState(new URL(a.href, location.href).search, state.lang);
    history.pushState(null, '', urlFor(state));
    load();
    const count = document.getElementById('result-count');
    count.setAttribute('tabindex', '-1');
    count.focus({ preventScroll: true });
  });

  document.getElementById('facet-clear').addEventListener('click', (ev) => {
    if (!inPlace(ev)) return;
    ev.preventDefault();
    const filters = {};
    for (const f of FILTERS) filters[f] = [];
    navigate({ ...state, filters, minQuality: 0, page: 1 });
    document.getElementById('facet-heading').setAttribute('tabindex', '-1');
    document.getElementById('facet-heading').focus();
  });

  document.getElementById('sort-select').addEventListener('change', (ev) => {
    navigate({ ...state, sort: ev.target.value, page: 1 });
  });

  document.getElementById('min-quality-select').addEventListener('change', (ev) => {
    const n = parseInt(ev.target.value, 10);
    navigate({ ...state, minQuality: Number.isFinite(n) && n > 0 ? n : 0, page: 1 });
  });

  onSearch((q) => {
    const filters = {};
    for (const f of FILTERS) filters[f] = [];
    navigate({ q, filters, minQuality: 0, sort: '', page: 1, pageSize: state.pageSize, lang: state.lang });
  });

  window.addEventListener('popstate', () => {
    if (new URLSearchParams(location.search).has('cursor')) {
      location.reload(); // the server renders pages reached by cursor
      return;
    }
    state = readState();
    load();
  });

  onLangChange(() => {
    state.lang = new URLSearchParams(location.search).get('lang') || '';
    render();
  });

  apiGet('/topics')
    .then((res) => {
      for (const tp of res.items || []) topicNames[tp.id] = tp;
      // English topic names for what the script draws (the server's are
      // English already).
      if (lang() === 'en' && result && result.items) render();
    })
    .catch(() => {});

  if (ssr) {
    if (result) catchUp();
    return;
  }
  load();
}

main();
