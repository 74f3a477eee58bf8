// /announcements/{id}: one announcement in full, with the announcement it
// corrects and the corrections that followed it. Announcements are never
// edited; a correction is a new announcement (000 Art 35). The server
// renders the announcement; this script only draws it when the page came
// without server data.

import { apiGet } from '../api.js?v=__V__';
import { el, clear, append } from '../dom.js?v=__V__';
import { t, onLangChange, fmtDate } from '../i18n.js?v=__V__';
import { initLayout, setTitle, errorAlert } from '../layout.js?v=__V__';
import { facts, announcementLink, effectText, scopeText } from './common.js?v=__V__';

let a = null;
let failure = null;

function id() {
  const m = location.pathname.match(/^\/announcements\/([^/]+)\/?$/);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

function setH1(text, lang) {
  const h1 = document.getElementById('page-title');
  h1.removeAttribute('data-i18n');
  h1.textContent = text;
  if (lang) h1.setAttribute('lang', lang);
  else h1.removeAttribute('lang');
}

function render() {
  const body = clear(document.getElementById('rv-body'));
  if (failure) {
    const missing = failure.status === 404;
    setH1(missing ? t('rv.detail.notFound') : t('error.title'));
    setTitle(missing ? t('rv.detail.notFound') : t('error.title'));
    body.append(
      missing
        ? el('div', { class: 'alert alert-info', dataset: { testid: 'not-found' } }, el('p', null, t('rv.detail.notFoundBody')), el('p', null, el('a', { href: '/announcements' }, t('rv.detail.back'))))
        : errorAlert(failure, { retry: load }),
    );
    return;
  }
  if (!a) {
    setH1(t('common.loading'));
    return;
  }
  setH1(a.title, 'zh-CN');
  setTitle(a.number, t('rv.title.announcements'));
  const zh = (text) => el('span', { lang: 'zh-CN' }, text);
  append(body, [
    el('p', { class: 'rv-card-meta' },
      el('span', { class: 'rv-number', lang: 'zh-CN', dataset: { testid: 'announcement-number' } }, a.number),
      a.kind === 'correction' ? el('span', { class: 'badge badge-neutral', dataset: { testid: 'announcement-kind' } }, t('rv.kind.correction')) : null,
      el('span', { class: ['badge', a.in_effect ? 'badge-revoked' : 'badge-pending'], dataset: { testid: 'announcement-effect' } }, effectText(a)),
    ),
    a.corrected_by.length
      ? el('div', { class: 'alert alert-warning', dataset: { testid: 'announcement-corrected-by' } },
          el('p', null, t('rv.detail.correctedBy')),
          el('ul', null, a.corrected_by.map((c) => el('li', null, announcementLink(c.id, `${c.number} ${c.title}`, 'correction-link')))))
      : null,
    a.corrects
      ? el('p', { class: 'alert alert-info', dataset: { testid: 'announcement-corrects' } },
          t('rv.detail.corrects'), ' ', announcementLink(a.corrects.id, `${a.corrects.number} ${a.corrects.title}`, 'corrects-link'))
      : null,
    facts([
      ['rv.field.dataset', el('a', { href: `/datasets/${encodeURIComponent(a.dataset.id)}`, lang: 'zh-CN', dataset: { testid: 'announcement-dataset' } }, a.dataset.name), null],
      ['rv.field.datasetId', el('code', null, a.dataset.id)],
      ['rv.field.scope', scopeText(a)],
      ['rv.field.department', zh(a.department.name)],
      ['rv.field.reason', zh(a.reason), 'announcement-reason'],
      ['rv.field.legalBasis', zh(a.legal_basis)],
      ['rv.field.approvedAt', fmtDate(a.approved_at)],
      ['rv.field.effectiveAt', fmtDate(a.effective_at), 'announcement-effective'],
      ['rv.field.existingUsers', zh(a.existing_users), 'announcement-users'],
      ['rv.field.correction', a.correction ? zh(a.correction) : ''],
    ], 'announcement-facts'),
    el('h2', null, t('rv.detail.text')),
    el('div', { class: 'rv-text', lang: 'zh-CN', dataset: { testid: 'announcement-body' } }, a.body),
    el('p', { class: 'rv-links' },
      el('a', { href: '/announcements' }, t('rv.detail.back')), ' · ',
      el('a', { class: 'rv-feed-link', href: '/announcements.atom', type: 'application/atom+xml' }, t('rv.feed'))),
  ]);
}

async function load() {
  a = null;
  failure = null;
  render();
  const key = id();
  if (!key) {
    failure = { status: 404 };
    render();
    return;
  }
  try {
    a = await apiGet(`/announcements/${encodeURIComponent(key)}`);
  } catch (err) {
    failure = err;
  }
  render();
}

async function main() {
  await initLayout();
  if (document.body.dataset.ssr === '1') return; // the server's text is the page
  onLangChange(render);
  await load();
}

main();
