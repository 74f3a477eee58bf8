// Grants and their use records. <body data-scope="mine"> (/account/grants)
// lists the holder's own grants: dataset, approved data items, period,
// status; <body data-scope="manage"> (/console/grants) lists the grants on
// the department's data with suspend / reinstate (000 Art 43). Both show
// the use records (000 Art 28).

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import {
  fill, facts, startPage, grantBadge, table, tableWrap, itemLabels, itemList, fmtDate, fmtDateTime, field, textarea, showErrors, statusLine, errorText,
} from './common.js?v=__V__';

const scope = document.body.dataset.scope === 'manage' ? 'manage' : 'mine';

startPage({
  title: scope === 'manage' ? 'apps.title.manageGrants' : 'apps.title.grants',
  async render(me, body) {
    let grants = null;
    let uses = null;
    const labels = {};
    const load = async () => {
      [grants, uses] = await Promise.all([
        apiGet('/grants', { scope, page_size: 100 }),
        apiGet('/use-records', { scope, page_size: 100 }),
      ]);
      await Promise.all([...new Set(grants.items.map((g) => g.dataset_id))].map(async (id) => {
        labels[id] = await itemLabels(id);
      }));
    };
    const draw = (message) => {
      fill(body, 
        el('p', { class: 'app-flash app-flash-ok', role: 'status', tabindex: '-1', hidden: !message, dataset: { testid: 'grants-flash' } }, message || ''),
        grantList(grants.items, labels, async (msg) => {
          await load();
          draw(msg);
          document.querySelector('[data-testid=grants-flash]').focus();
        }),
        useList(uses.items),
      );
    };
    await load();
    draw();
    return () => draw();
  },
});

function grantList(items, labels, reload) {
  if (!items.length) return el('p', { class: 'empty', dataset: { testid: 'grants-empty' } }, t('apps.grants.none'));
  return el(
    'ul',
    { class: 'app-grants', dataset: { testid: 'grants' } },
    items.map((g) =>
      el(
        'li',
        { class: 'app-grant', dataset: { testid: 'grant', id: g.id, dataset: g.dataset_id } },
        el('h2', { class: 'app-grant-title' }, el('a', { href: `/datasets/${encodeURIComponent(g.dataset_id)}` }, g.dataset_title), ' ', grantBadge(g.status)),
        facts([
          ['apps.grants.items', itemList(g.data_items, labels[g.dataset_id])],
          ['apps.grants.period', el('span', { dataset: { testid: 'grant-period' } }, `${g.period_start} – ${g.period_end}`)],
          ['apps.field.accessUntil', fmtDateTime(g.access_until)],
          scope === 'manage' ? ['apps.grants.holder', String(g.holder_id)] : null,
          g.suspend_reason ? ['apps.field.reason', el('span', { class: 'prewrap', dataset: { testid: 'suspend-reason' } }, g.suspend_reason)] : null,
        ]),
        g.revoked ? el('p', { class: 'alert alert-warning' }, t('apps.grants.revoked', { date: fmtDate(g.access_until) })) : null,
        scope === 'mine' && g.status === 'active'
          ? el('p', null, el('a', { class: 'btn btn-secondary btn-small', href: `/datasets/${encodeURIComponent(g.dataset_id)}#resources-heading` }, t('apps.grants.download')))
          : null,
        manageForm(g, reload),
      ),
    ),
  );
}

// Suspend (with a reason) or reinstate, for the provider or authority.
function manageForm(g, reload) {
  const can = (x) => (g.actions || []).includes(x);
  if (!can('suspend') && !can('reinstate')) return null;
  const suspend = can('suspend');
  const id = `reason-${g.id}`;
  const status = el('p', { role: 'status', class: 'app-flash' });
  const submit = el('button', { type: 'submit', class: 'btn btn-secondary', dataset: { testid: suspend ? 'grant-suspend' : 'grant-reinstate' } }, t(suspend ? 'apps.action.suspend' : 'apps.action.reinstate'));
  const f = el(
    'form',
    { class: 'app-form app-inline-form', novalidate: true },
    field(id, suspend ? 'apps.grants.suspendReason' : 'apps.decision.note', textarea('reason', '', 2), { name: 'reason' }),
    status,
    submit,
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      await apiPost(`/grants/${encodeURIComponent(g.id)}/${suspend ? 'suspend' : 'reinstate'}`, { reason: f.elements.reason.value });
      await reload(t('apps.action.done'));
    } catch (err) {
      submit.disabled = false;
      showErrors(f, err);
      statusLine(status, errorText(err), 'bad');
    }
  });
  return f;
}

function useList(items) {
  const rows = items.map((u) =>
    el(
      'tr',
      { dataset: { testid: 'use-row' } },
      el('td', null, fmtDateTime(u.at)),
      el('td', null, u.resource_id),
      el('td', null, u.format),
      el('td', null, u.fields.join(', ')),
      el('td', { class: 'num' }, fmtNumber(u.rows)),
      el('td', { class: 'num' }, fmtNumber(u.bytes)),
      scope === 'manage' ? el('td', null, String(u.user_id)) : null,
    ),
  );
  const heads = ['apps.uses.at', 'apps.uses.resource', 'apps.uses.format', 'apps.uses.fields', 'apps.uses.rows', 'apps.uses.bytes'];
  if (scope === 'manage') heads.push('apps.uses.user');
  return el(
    'section',
    { class: 'section', 'aria-labelledby': 'h-uses' },
    el('h2', { id: 'h-uses' }, t('apps.uses.heading')),
    el('p', { class: 'muted' }, t('apps.uses.retention')),
    items.length ? tableWrap(t('apps.uses.heading'), table('uses-table', heads, rows)) : el('p', { class: 'empty' }, t('apps.uses.none')),
  );
}
