// /requests: the public list of data requests (供需对接, 000 Art 29) with
// their state, deadlines and late flags, never who asked. Signed-in
// citizens and organisations support (+1) a request instead of asking
// again. ?id=N shows one request on top.
//
// The server renders the list, its filters (a GET form) and its paging
// links for everyone; a visitor's support control is a sign-in link. For
// a signed-in reader this script only swaps each card's support control
// for the one that account has (the +1 button, or just the count).

import { el } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { initLayout, errorAlert } from '../layout.js?v=__V__';
import { currentUser, hasRole } from '../session.js?v=__V__';
import { startPage, emptyNote, fill } from '../corrections/ui.js?v=__V__';
import { card, supportControl } from './card.js?v=__V__';

const STATUSES = ['', 'submitted', 'routed', 'accepted', 'refused', 'fulfilled'];
const PAGE = 20;

// mayAsk: visitors (who sign in on the way) and public accounts ask for
// data; staff answer requests.
function mayAsk(me) {
  return !me || hasRole(me, 'citizen') || hasRole(me, 'organisation');
}

async function enhance() {
  await initLayout();
  const me = await currentUser();
  if (!me) return; // the server's page is the visitor's page
  if (!mayAsk(me)) document.querySelector('[data-testid=req-new-wrap]')?.remove();
  const items = [...document.querySelectorAll('[data-testid=req-item]')];
  if (!items.length) return;
  // The account's flags (supported, mine) for the requests on the page.
  const params = new URLSearchParams(location.search);
  const query = { page_size: PAGE };
  for (const k of ['q', 'status', 'sort', 'department', 'overdue', 'page']) if (params.get(k)) query[k] = params.get(k);
  const byID = new Map();
  try {
    const list = await apiGet('/requests', query);
    for (const r of list.items) byID.set(String(r.id), r);
    const focus = document.querySelector('[data-testid=req-focus] [data-testid=req-item]');
    if (focus && !byID.has(focus.dataset.id)) byID.set(focus.dataset.id, await apiGet(`/requests/${encodeURIComponent(focus.dataset.id)}`));
  } catch (err) {
    fill(document.getElementById('req-note'), errorAlert(err));
    return;
  }
  const note = document.getElementById('req-note');
  const show = (r) => {
    for (const li of document.querySelectorAll(`[data-testid=req-item][data-id="${r.id}"]`)) {
      const actions = li.querySelector('.fb-item-actions');
      if (actions) fill(actions, supportControl(me, r, changed));
    }
  };
  function changed(next, err) {
    if (err) {
      fill(note, errorAlert(err));
      return;
    }
    fill(note);
    show(next);
    const again = document.querySelector(`[data-id="${next.id}"] [data-testid=req-support]`);
    if (again) again.focus();
  }
  for (const r of byID.values()) show(r);
}

if (document.body.dataset.ssr === '1') enhance();
else startPage({
  title: 'req.title.list',
  async render(body) {
    const params = new URLSearchParams(location.search);
    const state = { q: params.get('q') || '', status: params.get('status') || '', sort: params.get('sort') || 'newest', page: 1 };
    if (!STATUSES.includes(state.status)) state.status = '';
    const focusID = params.get('id');
    const me = await currentUser();
    let list = null;
    let one = null;
    let failure = null;
    let note = null;
    const load = async () => {
      try {
        list = await apiGet('/requests', { q: state.q, status: state.status, sort: state.sort, page: state.page, page_size: PAGE });
        failure = null;
      } catch (err) {
        failure = err;
      }
    };
    const changed = (next, err) => {
      if (err) {
        note = err;
      } else if (next) {
        note = null;
        if (one && one.id === next.id) one = next;
        if (list) list.items = list.items.map((r) => (r.id === next.id ? next : r));
      }
      draw();
      const again = document.querySelector(`[data-id="${next ? next.id : ''}"] [data-testid=req-support]`);
      if (again) again.focus();
    };
    const draw = () => {
      const q = el('input', { id: 'req-q', type: 'search', class: 'form-control', value: state.q, maxlength: 100, dataset: { testid: 'req-q' } });
      const status = el('select', { id: 'req-status', class: 'form-control' }, STATUSES.map((s) => el('option', { value: s, selected: s === state.status }, s ? t(`req.status.${s}`) : t('req.filter.all'))));
      const sort = el('select', { id: 'req-sort', class: 'form-control' }, ['newest', 'supporters'].map((s) => el('option', { value: s, selected: s === state.sort }, t(`req.sort.${s}`))));
      const filters = el(
        'form',
        { class: 'fb-toolbar', role: 'search', 'aria-label': t('req.filter.label') },
        el('div', null, el('label', { for: 'req-q' }, t('req.filter.q')), q),
        el('div', null, el('label', { for: 'req-status' }, t('req.filter.status')), status),
        el('div', null, el('label', { for: 'req-sort' }, t('req.filter.sort')), sort),
        el('div', null, el('button', { type: 'submit', class: 'btn btn-secondary' }, t('req.filter.apply'))),
      );
      filters.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        Object.assign(state, { q: q.value.trim(), status: status.value, sort: sort.value, page: 1 });
        const sp = new URLSearchParams();
        for (const k of ['q', 'status', 'sort']) if (state[k] && !(k === 'sort' && state[k] === 'newest')) sp.set(k, state[k]);
        history.replaceState(null, '', sp.toString() ? `?${sp}` : location.pathname);
        await load();
        draw();
        document.getElementById('req-count').focus();
      });
      const items = list ? list.items.filter((r) => !one || r.id !== one.id) : [];
      const pages = list ? Math.max(1, Math.ceil(list.total / PAGE)) : 1;
      const pager = el(
        'nav',
        { class: 'pagination', 'aria-label': t('req.pages') },
        state.page > 1 ? pageButton(t('req.prev'), async () => { state.page--; await load(); draw(); }) : null,
        el('span', null, t('req.page', { page: state.page, pages })),
        state.page < pages ? pageButton(t('req.next'), async () => { state.page++; await load(); draw(); }) : null,
      );
      fill(body,
        el('p', { class: 'fb-lead' }, t('req.list.lead')),
        mayAsk(me) ? el('p', null, el('a', { class: 'btn btn-primary', href: '/requests/new', dataset: { testid: 'req-new' } }, t('req.title.new'))) : null,
        note ? errorAlert(note) : null,
        one ? el('ul', { class: 'fb-list', dataset: { testid: 'req-focus' } }, card(me, one, { selected: true, onChange: changed })) : null,
        filters,
        failure ? errorAlert(failure) : null,
        el('p', { id: 'req-count', class: 'result-count', tabindex: '-1', role: 'status' }, list ? t('req.count', { n: list.total }) : ''),
        items.length ? el('ul', { class: 'fb-list', dataset: { testid: 'req-list' } }, items.map((r) => card(me, r, { onChange: changed }))) : one ? null : emptyNote(t('req.none')),
        pages > 1 ? pager : null,
      );
    };
    await load();
    if (focusID) {
      try {
        one = await apiGet(`/requests/${encodeURIComponent(focusID)}`);
      } catch (err) {
        if (err.status !== 404) failure = err;
      }
    }
    draw();
    return draw;
  },
});

function pageButton(text, fn) {
  const b = el('button', { type: 'button', class: 'btn btn-secondary btn-small' }, text);
  b.addEventListener('click', fn);
  return b;
}
