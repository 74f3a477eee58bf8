// Dataset detail page (/datasets/{id}). The server renders the whole entry
// (title, description, every catalog field, data items, the resource cards
// with their download or apply links) into the first response; this module
// enhances it without drawing it again (the title and description are the
// page's Largest Contentful Paint): it refreshes the live parts from the
// API (downloads, the dispute flag, a grant holder's download links), fills
// the corrections history, wires the copy buttons and mounts the
// interactive panels (preview/chart/map/formats/API calls: preview/
// resource.js; quality: preview/quality.js; change history) into the
// places the server left for them. The 410 page of a withdrawn entry
// (pages/gone.html) only gets the layout.
//
// Without server data (data-ssr="0") it draws the page itself, as before:
// every field, data items and resources, 404 "not found", 410 the
// withdrawal record.

import { apiGet } from './api.js?v=__V__';
import { el, clear, append } from './dom.js?v=__V__';
import { t, onLangChange, fmtNumber, fmtDateTime, fmtBytes, enumLabel, lang } from './i18n.js?v=__V__';
import { initLayout, setTitle, errorAlert } from './layout.js?v=__V__';
import { freshnessField, historySection } from './publishing/dataset.js?v=__V__';
import { correctionsBox, itemDisputeMark, fillHistory } from './corrections/dataset.js?v=__V__';
import { copyText } from './preview/copy.js?v=__V__';
import { mayDownload, downloadURL } from './preview/data.js?v=__V__';
import { dataSection, dataPanels } from './preview/resource.js?v=__V__';
import { qualitySection, mountQuality, grade } from './preview/quality.js?v=__V__';

let ds = null;
let failure = null;
let topicNames = {};

function datasetId() {
  const m = location.pathname.match(/^\/datasets\/([^/]+)\/?$/);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

function setH1(text) {
  const h1 = document.getElementById('page-title');
  h1.removeAttribute('data-i18n');
  h1.textContent = text;
}

function setCrumb(text) {
  const ol = document.getElementById('breadcrumb-list');
  const old = ol.querySelector('.crumb-current');
  if (old) old.remove();
  if (text) ol.append(el('li', { class: 'crumb-current' }, el('span', { 'aria-current': 'page' }, text)));
}

function time(iso) {
  if (!iso) return '—';
  return el('time', { datetime: iso }, fmtDateTime(iso));
}

function field(key, value, testid) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return null;
  return el('div', { class: 'field', dataset: { field: key } }, el('dt', null, t(`dataset.field.${key}`)), el('dd', { dataset: { testid: testid || `field-${key}` } }, value));
}

function topicLabel(tp) {
  const known = topicNames[tp.id];
  if (lang() === 'en' && known && known.name_en) return known.name_en;
  return tp.name;
}

function tagList(items, cls) {
  return el(
    'ul',
    { class: 'inline-list' },
    items.map((x) => el('li', { class: ['badge', cls] }, x)),
  );
}

function metadata(d) {
  const dept = d.department || {};
  const deptMeta = [dept.region_level ? enumLabel('region_level', dept.region_level) : '', dept.region || ''].filter(Boolean).join(' · ');
  const openBadge = el(
    'span',
    { class: ['badge', d.open_type === 'conditional' ? 'badge-conditional' : 'badge-open'], dataset: { testid: 'open-type' } },
    enumLabel('open_type', d.open_type),
  );
  return el(
    'dl',
    { class: 'meta-list', dataset: { testid: 'dataset-meta' } },
    field('description', el('span', { class: 'prewrap', lang: 'zh-CN' }, d.description || '')),
    field(
      'department',
      dept.id
        ? [
            el('a', { href: `/datasets?department=${encodeURIComponent(dept.id)}`, lang: 'zh-CN' }, dept.name),
            deptMeta ? el('span', { class: 'muted' }, t('dataset.deptMeta', { meta: deptMeta })) : null,
          ]
        : dept.name || '',
    ),
    d.topic ? field('topic', el('a', { href: `/datasets?topic=${encodeURIComponent(d.topic.id)}` }, topicLabel(d.topic))) : null,
    field('open_type', openBadge),
    d.open_type === 'conditional' ? field('open_conditions', el('span', { class: 'prewrap', lang: 'zh-CN' }, d.open_conditions || '—')) : null,
    field('usage_scope', d.usage_scope ? el('span', { class: 'prewrap', lang: 'zh-CN' }, d.usage_scope) : ''),
    field('formats', d.formats && d.formats.length ? tagList(d.formats, 'badge-format') : ''),
    field('update_frequency', d.update_frequency ? enumLabel('update_frequency', d.update_frequency) : ''),
    field('classification', d.classification ? el('span', { lang: 'zh-CN' }, d.classification) : ''),
    field('grade', d.grade ? enumLabel('grade', d.grade) : ''),
    field(
      'tags',
      d.tags && d.tags.length
        ? el(
            'ul',
            { class: 'inline-list', lang: 'zh-CN' },
            d.tags.map((tag) => el('li', null, el('a', { class: 'tag-link', href: `/datasets?tag=${encodeURIComponent(tag)}` }, tag))),
          )
        : '',
    ),
    field('region', d.region ? el('span', { lang: 'zh-CN' }, d.region) : ''),
    field('resource_code', d.resource_code ? el('code', null, d.resource_code) : ''),
    field('published_at', time(d.published_at)),
    field('updated_at', time(d.updated_at)),
    freshnessField(d),
    field('downloads', fmtNumber(d.downloads)),
    field('id', el('code', null, d.id)),
  );
}

// The sharing attributes of the catalog record (共享属性): how other
// government departments may use the data, and who provides it (the
// department's unified social credit code).
function sharing(d) {
  const dept = d.department || {};
  return el(
    'dl',
    { class: 'meta-list', dataset: { testid: 'dataset-sharing' } },
    field('share_type', d.share_type ? enumLabel('share_type', d.share_type) : ''),
    field(d.share_type === 'not_shared' ? 'not_shared_reason' : 'share_conditions', d.share_conditions ? el('span', { class: 'prewrap', lang: 'zh-CN' }, d.share_conditions) : ''),
    field('share_method', d.share_method ? enumLabel('share_method', d.share_method) : ''),
    field('provider_code', dept.code ? el('code', null, dept.code) : ''),
  );
}

// A horizontally scrollable, keyboard-focusable wrapper for wide tables.
function tableWrap(table, captionId) {
  return el('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' }, table);
}

function dataItemsTable(d) {
  const items = d.data_items || [];
  if (!items.length) return el('p', { class: 'empty' }, t('common.empty'));
  const cols = ['name', 'label', 'type', 'description', 'required'];
  const table = el(
    'table',
    { class: 'data-table', id: 'data-items', dataset: { testid: 'data-items' } },
    el('caption', { id: 'data-items-caption', class: 'visually-hidden' }, t('dataset.items.caption', { n: items.length })),
    el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`dataset.items.${c}`))))),
    el(
      'tbody',
      null,
      items.map((it) =>
        el(
          'tr',
          null,
          el('td', null, el('code', null, it.name || '')),
          el('td', { lang: 'zh-CN' }, it.label || '', itemDisputeMark(it)),
          el('td', null, it.type ? enumLabel('type', it.type) : ''),
          el('td', { lang: 'zh-CN' }, it.description || ''),
          el('td', null, it.required ? t('common.yes') : t('common.no')),
        ),
      ),
    ),
  );
  return tableWrap(table, 'data-items-caption');
}

function downloadLink(r) {
  return el(
    'a',
    {
      class: 'btn btn-small btn-primary',
      href: downloadURL(r),
      download: '',
      'aria-label': t('dataset.resources.downloadLabel', { name: r.name, format: r.format || '' }),
      dataset: { testid: 'download-link' },
    },
    t('dataset.resources.download'),
  );
}

// Conditional data: "apply", or the link for the holder of an active
// grant (the catalog API gives no download_url for conditional data).
function holderLink(d, r) {
  const span = el('span', { class: 'muted' }, t('dataset.resources.needApply'));
  mayDownload(d, r).then((ok) => ok && span.isConnected && span.replaceWith(downloadLink(r)));
  return span;
}

function resourcesTable(d) {
  const items = d.resources || [];
  if (!items.length) return el('p', { class: 'empty' }, t('dataset.resources.none'));
  const cols = ['name', 'format', 'size', 'sha256', 'rows', 'action'];
  const table = el(
    'table',
    { class: 'data-table resources-table', id: 'resources', dataset: { testid: 'resources' } },
    el('caption', { id: 'resources-caption', class: 'visually-hidden' }, t('dataset.resources.caption', { n: items.length })),
    el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`dataset.resources.${c}`))))),
    el(
      'tbody',
      null,
      items.map((r) => {
        const copyBtn = el(
          'button',
          { type: 'button', class: 'copy-button', 'aria-label': t('dataset.resources.copyLabel', { name: r.name }) },
          t('dataset.resources.copy'),
        );
        copyBtn.addEventListener('click', () => copyText(r.sha256 || '', copyBtn));
        return el(
          'tr',
          { dataset: { testid: 'resource-row', id: r.id } },
          el('td', { lang: 'zh-CN' }, r.name || ''),
          el('td', null, r.format || ''),
          el('td', { class: 'num' }, r.size === undefined || r.size === null ? '—' : el('span', { title: `${fmtNumber(r.size)} B` }, fmtBytes(r.size))),
          el(
            'td',
            { class: 'hash-cell' },
            r.sha256
              ? [
                  el('code', { class: 'hash', title: r.sha256, dataset: { testid: 'sha256' } }, r.sha256),
                  copyBtn,
                  el('span', { class: 'copy-status', role: 'status' }),
                ]
              : '—',
          ),
          el('td', { class: 'num' }, r.rows === undefined || r.rows === null ? '—' : fmtNumber(r.rows)),
          el('td', null, r.download_url ? downloadLink(r) : holderLink(d, r)),
        );
      }),
    ),
  );
  return tableWrap(table, 'resources-caption');
}

function conditionalBox(d) {
  if (d.open_type !== 'conditional') return null;
  return el(
    'div',
    { class: 'callout', dataset: { testid: 'conditional-notice' } },
    el('p', { class: 'callout-title' }, t('dataset.conditional.title')),
    d.open_conditions ? el('p', { class: 'prewrap', lang: 'zh-CN' }, d.open_conditions) : null,
    el(
      'p',
      null,
      el('a', { class: 'btn btn-primary', href: `/apply?dataset=${encodeURIComponent(d.id)}`, dataset: { testid: 'apply-button' } }, t('dataset.apply')),
    ),
  );
}

// Hook for a later issue: machine-readable alternates of this entry
// (e.g. DCAT JSON-LD) as <link rel="alternate">. Adds one <link> per
// {href, type, title} in d.alternates when the API starts sending them;
// only same-site paths are accepted.
function addAlternateLinks(d) {
  for (const old of document.head.querySelectorAll('link[rel="alternate"][data-dataset]')) old.remove();
  const list = Array.isArray(d && d.alternates) ? d.alternates : [];
  for (const a of list) {
    if (!a || typeof a.href !== 'string' || !a.href.startsWith('/') || a.href.startsWith('//')) continue;
    const link = el('link', { rel: 'alternate', href: a.href, type: a.type || null, title: a.title || null, dataset: { dataset: d.id } });
    document.head.append(link);
  }
}

function section(id, headingKey, ...content) {
  return el(
    'section',
    { class: 'section', 'aria-labelledby': id },
    el('h2', { id }, t(headingKey)),
    content,
  );
}

// Key facts right under the title, with a jump to the files (the metadata
// list is long on a phone).
function summaryBar(d) {
  const n = (d.resources || []).length;
  return el(
    'div',
    { class: 'dataset-summary', dataset: { testid: 'dataset-summary' } },
    el(
      'ul',
      { class: 'badges', 'aria-label': t('result.badges') },
      el('li', { class: ['badge', d.open_type === 'conditional' ? 'badge-conditional' : 'badge-open'] }, enumLabel('open_type', d.open_type)),
      d.under_dispute ? el('li', { class: 'badge badge-dispute' }, t('badge.dispute')) : null,
      d.update_frequency ? el('li', { class: 'badge badge-neutral' }, enumLabel('update_frequency', d.update_frequency)) : null,
      d.updated_at ? el('li', { class: 'badge badge-neutral' }, t('result.updated', { date: fmtDateTime(d.updated_at).slice(0, 10) })) : null,
      d.quality_score > 0
        ? el(
            'li',
            null,
            el(
              'a',
              { class: ['badge', 'badge-quality', `badge-quality-${grade(d.quality_score)}`], href: '#quality-heading', dataset: { testid: 'quality-badge' } },
              t('result.quality', { n: d.quality_score }),
            ),
          )
        : null,
    ),
    el(
      'a',
      { class: 'btn btn-secondary btn-small', href: '#resources-heading' },
      d.open_type === 'conditional' ? t('dataset.jumpApply') : t('dataset.jumpResources', { n: fmtNumber(n) }),
    ),
  );
}

function renderDataset(body, d) {
  setH1(d.title);
  setCrumb(d.title);
  setTitle(d.title);
  append(body, [
    summaryBar(d),
    d.under_dispute
      ? el(
          'div',
          { class: 'banner banner-dispute', role: 'note', dataset: { testid: 'dispute-banner' } },
          el('strong', null, t('badge.dispute')),
          ' ',
          t('dataset.dispute'),
        )
      : null,
    correctionsBox(d),
    section('meta-heading', 'dataset.metaHeading', metadata(d)),
    d.share_type ? section('sharing-heading', 'dataset.sharingHeading', sharing(d)) : null,
    section('items-heading', 'dataset.items.heading', dataItemsTable(d)),
    section('resources-heading', 'dataset.resources.heading', conditionalBox(d), resourcesTable(d)),
    dataSection(d),
    qualitySection(d),
    historySection(d),
  ]);
  addAlternateLinks(d);
}

function renderNotFound(body) {
  setH1(t('dataset.notFound.title'));
  setCrumb(t('dataset.notFound.title'));
  setTitle(t('dataset.notFound.title'));
  body.append(
    el(
      'div',
      { class: 'alert alert-info', dataset: { testid: 'not-found' } },
      el('p', null, t('dataset.notFound.body')),
      el('p', null, el('a', { href: '/datasets' }, t('dataset.notFound.back'))),
    ),
  );
}

function renderRevoked(body, err) {
  const tomb = (err.body && err.body.tombstone) || {};
  setH1(t('dataset.revoked.title'));
  setCrumb(t('dataset.revoked.title'));
  setTitle(tomb.title ? t('dataset.revoked.docTitle', { title: tomb.title }) : t('dataset.revoked.title'));
  const dept = tomb.department && typeof tomb.department === 'object' ? tomb.department.name : tomb.department;
  const when = tomb.revoked_at || tomb.withdrawn_at;
  body.append(
    el(
      'div',
      { class: 'alert alert-warning', dataset: { testid: 'tombstone' } },
      el('p', null, t('dataset.revoked.body')),
      el(
        'dl',
        { class: 'meta-list meta-list--compact' },
        tomb.title ? el('div', { class: 'field' }, el('dt', null, t('dataset.revoked.field.title')), el('dd', { lang: 'zh-CN' }, tomb.title)) : null,
        dept ? el('div', { class: 'field' }, el('dt', null, t('dataset.revoked.field.department')), el('dd', { lang: 'zh-CN' }, dept)) : null,
        when ? el('div', { class: 'field' }, el('dt', null, t('dataset.revoked.field.revoked_at')), el('dd', null, time(when))) : null,
        tomb.reason ? el('div', { class: 'field' }, el('dt', null, t('dataset.revoked.field.reason')), el('dd', { lang: 'zh-CN' }, tomb.reason)) : null,
      ),
      tomb.announcement_id
        ? el(
            'p',
            null,
            el('a', { href: `/announcements/${encodeURIComponent(tomb.announcement_id)}`, dataset: { testid: 'tombstone-announcement' } }, t('dataset.revoked.announcement')),
          )
        : null,
      el('p', null, el('a', { href: '/datasets' }, t('dataset.notFound.back'))),
    ),
  );
}

function render() {
  const body = clear(document.getElementById('dataset-body'));
  if (ds) return renderDataset(body, ds);
  if (!failure) {
    setH1(t('dataset.loading'));
    setTitle(t('dataset.loading'));
    return;
  }
  if (failure.status === 404) return renderNotFound(body);
  if (failure.status === 410) return renderRevoked(body, failure);
  setH1(t('dataset.error.title'));
  setCrumb('');
  setTitle(t('dataset.error.title'));
  body.append(errorAlert(failure, { title: t('dataset.error.title'), retry: () => load() }));
}

async function load() {
  const id = datasetId();
  ds = null;
  failure = null;
  render();
  if (!id) {
    failure = { status: 404 };
    render();
    return;
  }
  try {
    ds = await apiGet(`/datasets/${encodeURIComponent(id)}`);
  } catch (err) {
    failure = err;
  }
  render();
}

// ---- the server-rendered page -------------------------------------------

function wireCopyButtons() {
  for (const b of document.querySelectorAll('#resources .copy-button[data-copy]')) {
    b.hidden = false;
    b.addEventListener('click', () => copyText(b.dataset.copy, b));
  }
}

// The dispute flag (badge, banner, data item marks) as the API says now:
// the server's copy of the page may be up to a minute old.
function showDispute(d) {
  const badges = document.getElementById('dataset-badges');
  const badge = badges && badges.querySelector('[data-testid=dispute-badge]');
  if (d.under_dispute && badges && !badge) {
    const mark = el('li', { class: 'badge badge-dispute', dataset: { testid: 'dispute-badge' } }, t('badge.dispute'));
    const after = badges.querySelector('[data-testid=schedule-badge]');
    if (after) after.after(mark);
    else badges.append(mark);
  } else if (!d.under_dispute && badge) {
    badge.remove();
  }
  const banner = document.querySelector('[data-testid=dispute-banner]');
  const summary = document.querySelector('[data-testid=dataset-summary]');
  if (d.under_dispute && !banner && summary) {
    summary.after(
      el('div', { class: 'banner banner-dispute', role: 'note', dataset: { testid: 'dispute-banner' } }, el('strong', null, t('badge.dispute')), ' ', t('dataset.dispute')),
    );
  } else if (!d.under_dispute && banner) {
    banner.remove();
  }
  const disputed = new Map((d.data_items || []).filter((it) => it.under_dispute).map((it) => [it.name, it]));
  for (const tr of document.querySelectorAll('#data-items tbody tr[data-item]')) {
    const mark = tr.querySelector('[data-testid=item-dispute]');
    const it = disputed.get(tr.dataset.item);
    const cell = tr.querySelector('.item-label');
    if (it && !mark && cell) cell.append(itemDisputeMark(it));
    else if (!it && mark) mark.remove();
  }
}

// A holder of an active grant downloads conditional files: the apply link
// of each card becomes the download link.
function holderLinks(d) {
  if (d.open_type !== 'conditional') return;
  for (const r of d.resources || []) {
    const card = document.querySelector(`#resources [data-testid=resource-row][data-id="${CSS.escape(r.id)}"]`);
    const apply = card && card.querySelector('[data-testid=apply-link]');
    if (!apply) continue;
    mayDownload(d, r).then((ok) => ok && apply.isConnected && apply.replaceWith(downloadLink(r)));
  }
}

function showLive(d) {
  const dl = document.querySelector('[data-testid=field-downloads]');
  if (dl) dl.textContent = fmtNumber(d.downloads);
  showDispute(d);
  holderLinks(d);
}

async function enhance() {
  await initLayout();
  wireCopyButtons();
  const id = datasetId();
  const live = apiGet(`/datasets/${encodeURIComponent(id)}`);
  const refreshed = live.then(showLive).catch(() => {});
  const line = document.querySelector('[data-testid=corrections-history]');
  if (line) fillHistory(line, id, refreshed);
  let d;
  try {
    d = await live;
  } catch {
    return; // gone or unreachable since the page was made: what the server sent stays
  }
  const panels = document.getElementById('explore-panels');
  if (panels) append(panels, dataPanels(d));
  const quality = document.getElementById('quality');
  if (quality) mountQuality(quality, d);
  const history = document.getElementById('history-mount');
  if (history) history.replaceWith(historySection(d));
}

// ---- the page drawn by script (no server data) ---------------------------

async function main() {
  if (document.body.dataset.page === 'gone') {
    await initLayout(); // the 410 page: nothing live on it
    return;
  }
  if (document.body.dataset.ssr === '1') {
    await enhance();
    return;
  }
  await initLayout();
  onLangChange(render);
  apiGet('/topics')
    .then((res) => {
      for (const tp of res.items || []) topicNames[tp.id] = tp;
      if (ds && lang() === 'en') render();
    })
    .catch(() => {});
  load();
}

main();
