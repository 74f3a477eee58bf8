// /admin/apps: every developer app, for the data authority: find by name,
// key or owner and status; suspend (a reason is required, the developer
// sees it) or reactivate; set the quotas per API family; view the usage.

import { el, clear, append } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPatch } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, flash } from '../accounts/forms.js?v=__V__';
import { startPage, when } from '../accounts/shell.js?v=__V__';
import { usagePanel, FAMILIES, familyLabel } from './usage.js?v=__V__';

const PAGE_SIZE = 20;
const MAX_LIMIT = 1000000000;
const query = { q: '', status: '', page: 1 };
let selected = null; // the app whose panel is open

function statusForm(a, onSaved) {
  const suspend = a.status !== 'suspended';
  const fields = suspend
    ? [field({ name: 'reason', id: 'sa-reason', label: t('apps.admin.reason'), hint: t('apps.admin.reasonHint'), type: 'textarea', required: true, maxlength: 2000 })]
    : [el('p', null, t('apps.suspendedBecause', { reason: a.suspended_reason || '—' }))];
  const f = form({ submit: t(suspend ? 'apps.admin.suspend' : 'apps.admin.reactivate'), testid: 'status-form', submitTestid: suspend ? 'suspend' : 'reactivate', labelledby: 'status-h' }, ...fields);
  onSubmit(f, {
    check: (v) => (suspend && !String(v.reason || '').trim() ? { reason: t('apps.msg.reason') } : {}),
    submit: async (v) => {
      const req = suspend ? { status: 'suspended', suspended_reason: v.reason.trim() } : { status: 'active' };
      onSaved(await apiPatch(`/admin/apps/${encodeURIComponent(a.id)}`, req), t(suspend ? 'apps.admin.suspended' : 'apps.admin.reactivated', { name: a.name }));
    },
  });
  return el('section', { class: 'apk-panel', 'aria-labelledby': 'status-h' }, el('h3', { id: 'status-h' }, t('apps.admin.statusHeading')), f);
}

function quotaForm(a, onSaved) {
  const by = new Map((a.quotas || []).map((q) => [q.family, q]));
  const num = (name, id, label, value) =>
    field({ name, id, label, type: 'number', inputmode: 'numeric', min: 0, value: String(value ?? 0), wide: false, testid: `quota-${name}` });
  const groups = FAMILIES.map((fam) => {
    const q = by.get(fam) || {};
    return el(
      'fieldset',
      { class: 'apk-quota' },
      el('legend', null, familyLabel(fam)),
      num(`${fam}.per_minute`, `q-${fam}-m`, t('apps.quota.perMinute'), q.per_minute),
      num(`${fam}.per_day`, `q-${fam}-d`, t('apps.quota.perDay'), q.per_day),
    );
  });
  const f = form({ submit: t('apps.admin.saveQuotas'), testid: 'quota-form', submitTestid: 'save-quotas', labelledby: 'quota-h' }, el('p', { class: 'form-hint' }, t('apps.admin.quotaHint')), el('div', { class: 'apk-quotas' }, groups));
  onSubmit(f, {
    check: (v) => {
      const e = {};
      for (const [k, raw] of Object.entries(v)) {
        const n = Number(raw);
        if (String(raw).trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_LIMIT) e[k] = t('apps.msg.limit', { max: MAX_LIMIT });
      }
      return e;
    },
    submit: async (v) => {
      const quotas = FAMILIES.map((fam) => ({ family: fam, per_minute: Number(v[`${fam}.per_minute`]), per_day: Number(v[`${fam}.per_day`]) }));
      onSaved(await apiPatch(`/admin/apps/${encodeURIComponent(a.id)}`, { quotas }), t('apps.admin.quotasSaved', { name: a.name }));
    },
  });
  return el('section', { class: 'apk-panel', 'aria-labelledby': 'quota-h' }, el('h3', { id: 'quota-h' }, t('apps.quota.heading')), f);
}

function detail(a, onSaved, onClose) {
  const close = el('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { testid: 'close-app' } }, t('apps.admin.close'));
  close.addEventListener('click', onClose);
  return el(
    'section',
    { class: 'account-section apk-detail', 'aria-labelledby': 'detail-h', dataset: { testid: 'app-detail' } },
    el('h2', { id: 'detail-h', tabindex: '-1' }, t('apps.admin.detailTitle', { name: a.name }), ' ', a.status === 'suspended' ? el('span', { class: 'badge badge-dispute' }, t('apps.status.suspended')) : null),
    el(
      'dl',
      { class: 'apk-meta' },
      el('dt', null, t('apps.admin.col.owner')),
      el('dd', null, a.owner ? `${a.owner.name} <${a.owner.email}>` : '—'),
      el('dt', null, t('apps.col.key')),
      el('dd', null, el('code', null, a.app_key)),
      el('dt', null, t('apps.field.description')),
      el('dd', null, a.description || '—'),
      el('dt', null, t('apps.field.intendedUse')),
      el('dd', null, a.intended_use || '—'),
      el('dt', null, t('apps.col.grant')),
      el('dd', null, a.grant_id ? a.grant_title || a.grant_id : t('apps.grantNone')),
    ),
    close,
    statusForm(a, onSaved),
    quotaForm(a, onSaved),
    el('section', { class: 'apk-panel', 'aria-labelledby': 'usage-h' }, el('h3', { id: 'usage-h' }, t('apps.usage.heading', { name: a.name })), usagePanel(`/admin/apps/${encodeURIComponent(a.id)}`)),
  );
}

startPage({
  section: 'admin',
  page: 'apps',
  role: 'authority',
  render(me, body) {
    const listBox = el('div', { 'aria-live': 'polite', dataset: { testid: 'admin-apps-list' } });
    const detailBox = el('div');
    const status = el('p', { class: 'flash', role: 'status' });
    let items = [];

    const openApp = (a) => {
      selected = a;
      clear(detailBox).append(
        detail(
          a,
          (saved, msg) => {
            items = items.map((x) => (x.id === saved.id ? { ...saved, owner: saved.owner || x.owner } : x));
            drawTable(items, null);
            openApp(items.find((x) => x.id === saved.id));
            flash(status, msg);
            document.getElementById('detail-h').focus();
          },
          () => {
            selected = null;
            clear(detailBox);
            const b = listBox.querySelector(`[data-app="${CSS.escape(a.id)}"]`);
            if (b) b.focus();
          },
        ),
      );
    };

    let total = 0;
    function drawTable(list) {
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const cols = ['name', 'owner', 'key', 'status', 'created', 'lastUsed', 'actions'];
      const rows = list.map((a) => {
        const manage = el('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': t('apps.admin.manageNamed', { name: a.name }), dataset: { testid: 'manage-app', app: a.id } }, t('apps.admin.manage'));
        manage.addEventListener('click', () => {
          openApp(a);
          document.getElementById('detail-h').focus();
        });
        return el(
          'tr',
          { dataset: { testid: 'admin-app-row', id: a.id } },
          el('td', null, a.name),
          el('td', null, a.owner ? el('span', null, a.owner.name, el('br'), el('small', null, a.owner.email)) : '—'),
          el('td', null, el('code', null, a.app_key)),
          el('td', { dataset: { testid: 'row-status' } }, t(`apps.status.${a.status}`), a.status === 'suspended' && a.suspended_reason ? el('small', { class: 'apk-reason' }, a.suspended_reason) : null),
          el('td', null, when(a.created_at)),
          el('td', null, a.last_used_at ? when(a.last_used_at) : t('accounts.never')),
          el('td', null, manage),
        );
      });
      const pager = el('nav', { class: 'pager', 'aria-label': t('apps.admin.pager') });
      const prev = el('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: query.page <= 1, dataset: { testid: 'prev-page' } }, t('apps.admin.prev'));
      const next = el('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: query.page >= pages, dataset: { testid: 'next-page' } }, t('apps.admin.next'));
      prev.addEventListener('click', () => go(query.page - 1));
      next.addEventListener('click', () => go(query.page + 1));
      pager.append(prev, ' ', el('span', null, t('apps.admin.pageOf', { page: query.page, pages })), ' ', next);
      // dom.js append skips null (Element.append would write "null").
      append(clear(listBox), [
        el('p', { dataset: { testid: 'apps-count' } }, tn('apps.admin.count', total)),
        list.length
          ? el(
              'div',
              { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t('apps.admin.caption') },
              el(
                'table',
                { class: 'data-table apk-table', dataset: { testid: 'admin-apps-table' } },
                el('caption', { class: 'visually-hidden' }, t('apps.admin.caption')),
                el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`apps.admin.col.${c}`))))),
                el('tbody', null, rows),
              ),
            )
          : el('p', { class: 'empty', dataset: { testid: 'admin-apps-empty' } }, t('apps.admin.none')),
        pages > 1 ? pager : null,
      ]);
    }
    // Only the latest request draws: an earlier one answering late (the
    // first page after a filter was submitted) must not replace its list.
    let seq = 0;
    async function load() {
      const mine = ++seq;
      try {
        const res = await apiGet('/admin/apps', { q: query.q, status: query.status, page: query.page, page_size: PAGE_SIZE });
        if (mine !== seq) return;
        items = res.items || [];
        total = Number(res.total || 0);
        drawTable(items);
        if (selected) {
          const again = items.find((x) => x.id === selected.id);
          if (again) openApp(again);
        }
      } catch (err) {
        if (mine === seq) clear(listBox).append(errorAlert(err, { retry: load }));
      }
    }
    function go(page) {
      query.page = page;
      load();
    }

    const filter = form(
      { submit: t('apps.admin.search'), testid: 'apps-filter', class: 'filter-form', labelledby: 'apps-filter-h' },
      field({ name: 'q', id: 'af-q', label: t('apps.admin.q'), type: 'search', value: query.q, maxlength: 200 }),
      field({
        name: 'status',
        id: 'af-status',
        label: t('apps.admin.statusFilter'),
        type: 'select',
        value: query.status,
        options: [{ value: '', label: t('accounts.all') }, { value: 'active', label: t('apps.status.active') }, { value: 'suspended', label: t('apps.status.suspended') }],
      }),
    );
    onSubmit(filter, {
      submit: async (v) => {
        query.q = v.q.trim();
        query.status = v.status;
        query.page = 1;
        selected = null;
        clear(detailBox);
        await load();
      },
    });

    clear(body).append(
      el('p', { class: 'lead' }, t('apps.admin.intro')),
      el('section', { class: 'account-section', 'aria-labelledby': 'apps-filter-h' }, el('h2', { id: 'apps-filter-h', class: 'visually-hidden' }, t('apps.admin.filterHeading')), filter),
      status,
      listBox,
      detailBox,
    );
    listBox.append(el('p', { class: 'loading' }, t('common.loading')));
    load();
  },
});
