// /announcements: the public announcements of revoked open data, newest
// first (000 Art 35), with their Atom feed. The server renders the list
// and its paging links; this script only draws it when the page came
// without server data.

import { apiGet } from '../api.js?v=__V__';
import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle, errorAlert } from '../layout.js?v=__V__';
import { announcementItem } from './common.js?v=__V__';

const PAGE_SIZE = 20;
let data = null;
let failure = null;

function page() {
  const n = parseInt(new URLSearchParams(location.search).get('page') || '1', 10);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

function render() {
  const body = clear(document.getElementById('rv-body'));
  if (failure) {
    body.append(errorAlert(failure, { retry: load }));
    return;
  }
  if (!data) {
    body.append(el('p', { class: 'loading' }, t('common.loading')));
    return;
  }
  body.append(
    el('p', { class: 'rv-toolbar' },
      el('span', { dataset: { testid: 'announcement-count' } }, t('rv.list.count', { n: data.total })),
      el('a', { class: 'rv-feed-link', href: '/announcements.atom', type: 'application/atom+xml', dataset: { testid: 'feed-link' } }, t('rv.feed')),
    ),
  );
  if (!data.items.length) {
    body.append(el('p', { class: 'empty', dataset: { testid: 'announcements-empty' } }, t('rv.list.none')));
    return;
  }
  body.append(el('ol', { class: 'rv-cards', dataset: { testid: 'announcement-list' } }, data.items.map((a) => announcementItem(a))));
  const p = data.page;
  const last = Math.max(1, Math.ceil(data.total / data.page_size));
  if (last > 1) {
    body.append(
      el('nav', { class: 'rv-pager', 'aria-label': t('rv.pager') },
        p > 1 ? el('a', { href: `?page=${p - 1}`, rel: 'prev' }, t('rv.pager.prev')) : null,
        el('span', null, t('rv.pager.page', { page: p, last })),
        p < last ? el('a', { href: `?page=${p + 1}`, rel: 'next' }, t('rv.pager.next')) : null,
      ),
    );
  }
}

async function load() {
  data = null;
  failure = null;
  render();
  try {
    data = await apiGet('/announcements', { page: page(), page_size: PAGE_SIZE });
  } catch (err) {
    failure = err;
  }
  render();
}

async function main() {
  await initLayout();
  if (document.body.dataset.ssr === '1') return; // the server's list is the page
  const title = () => setTitle(t('rv.title.announcements'));
  title();
  onLangChange(() => {
    title();
    render();
  });
  await load();
}

main();
