// /account/notifications: the inbox (GET /me/notifications), newest first,
// with "mark read" per notice and for all; the header's count follows.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert, setUnreadCount } from '../layout.js?v=__V__';
import { flash, apiMessage } from './forms.js?v=__V__';
import { startPage, when } from './shell.js?v=__V__';

const PAGE = 20;
let items = null;
let unread = 0;
let more = false;

// A notice's link is a portal path; anything else is not followed.
function safeLink(s) {
  return typeof s === 'string' && s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '';
}

startPage({
  section: 'account',
  page: 'notifications',
  render(me, body) {
    const status = el('p', { class: 'flash', role: 'status', dataset: { testid: 'inbox-status' } });
    const listBox = el('div', { dataset: { testid: 'inbox' } });
    const summary = el('p', { class: 'inbox-summary', dataset: { testid: 'inbox-unread' } });
    const allBtn = el('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { testid: 'read-all' } }, t('accounts.inbox.readAll'));

    const markRead = async (n) => {
      await apiPost(`/me/notifications/${encodeURIComponent(n.id)}/read`);
      if (!n.read_at) {
        n.read_at = new Date().toISOString();
        unread = Math.max(0, unread - 1);
        setUnreadCount(unread);
      }
    };
    const draw = () => {
      summary.textContent = unread ? t('accounts.inbox.unread', { n: unread }) : t('accounts.inbox.allRead');
      allBtn.hidden = !unread;
      clear(listBox);
      if (items === null) {
        listBox.append(el('p', { class: 'loading' }, t('common.loading')));
        return;
      }
      if (!items.length) {
        listBox.append(el('p', { class: 'empty', dataset: { testid: 'inbox-empty' } }, t('accounts.inbox.none')));
        return;
      }
      listBox.append(
        el(
          'ul',
          { class: 'inbox-list' },
          items.map((n) => {
            const link = safeLink(n.link);
            const title = link ? el('a', { href: link }, n.title) : n.title;
            if (link) {
              title.addEventListener('click', async (ev) => {
                if (n.read_at || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
                ev.preventDefault();
                try {
                  await markRead(n);
                } finally {
                  location.assign(link);
                }
              });
            }
            let btn = null;
            if (!n.read_at) {
              btn = el('button', { type: 'button', class: 'link-button', 'aria-label': t('accounts.inbox.markReadNamed', { title: n.title }), dataset: { testid: 'mark-read' } }, t('accounts.inbox.markRead'));
              btn.addEventListener('click', async () => {
                try {
                  await markRead(n);
                  draw();
                  flash(status, t('accounts.inbox.marked'));
                  summary.focus();
                } catch (err) {
                  flash(status, apiMessage(err), 'error');
                }
              });
            }
            return el(
              'li',
              { class: ['inbox-item', !n.read_at && 'is-unread'], dataset: { testid: 'notice', id: String(n.id) } },
              el(
                'h3',
                { class: 'inbox-title' },
                !n.read_at ? el('span', { class: 'badge badge-conditional inbox-new' }, t('accounts.inbox.new')) : null,
                title,
              ),
              n.body ? el('p', { class: 'inbox-body prewrap' }, n.body) : null,
              el('p', { class: 'inbox-meta' }, el('time', { datetime: n.created_at }, when(n.created_at)), btn ? ' · ' : null, btn),
            );
          }),
        ),
      );
      if (more) {
        const b = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'inbox-more' } }, t('accounts.inbox.more'));
        b.addEventListener('click', () => load(true));
        listBox.append(b);
      }
    };
    const load = async (older) => {
      try {
        const params = { limit: PAGE };
        if (older && items && items.length) params.before = items[items.length - 1].id;
        const res = await apiGet('/me/notifications', params);
        const got = res.items || [];
        items = older && items ? items.concat(got) : got;
        unread = Number(res.unread) || 0;
        more = got.length === PAGE;
        setUnreadCount(unread);
        draw();
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: () => load(older) }));
      }
    };
    allBtn.addEventListener('click', async () => {
      try {
        await apiPost('/me/notifications/read-all');
        const now = new Date().toISOString();
        for (const n of items || []) if (!n.read_at) n.read_at = now;
        unread = 0;
        setUnreadCount(0);
        draw();
        flash(status, t('accounts.inbox.allMarked'));
        summary.focus();
      } catch (err) {
        flash(status, apiMessage(err), 'error');
      }
    });
    summary.setAttribute('tabindex', '-1');
    clear(body).append(el('div', { class: 'inbox-bar' }, summary, allBtn), status, listBox);
    draw();
    if (items === null) load(false);
  },
});
