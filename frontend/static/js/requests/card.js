// One data request as a card: title, state, department, deadlines with
// their late flags, the refusal reason, the dataset that fulfilled it,
// and the support (+1) button. Used by the public list, the new-request
// form (similar requests) and the console.

import { el } from '../dom.js?v=__V__';
import { t, has } from '../i18n.js?v=__V__';
import { apiPost, apiDelete } from '../api.js?v=__V__';
import { hasRole, loginHref } from '../session.js?v=__V__';
import { badge, dueText, timeEl } from '../corrections/ui.js?v=__V__';

const KIND = { submitted: 'open', routed: 'open', accepted: 'open', refused: 'bad', fulfilled: 'done' };

export function statusBadge(r) {
  return badge(t(`req.status.${r.status}`), KIND[r.status], 'req-status');
}

// canSupport: a signed-in citizen or organisation, not the requester, on
// a request still open.
export function canSupport(me, r) {
  return Boolean(me) && (hasRole(me, 'citizen') || hasRole(me, 'organisation')) && !r.mine && r.status !== 'refused' && r.status !== 'fulfilled';
}

// supportControl(me, r, onChange) -> the count and the +1 button (or a
// sign-in link for visitors).
export function supportControl(me, r, onChange) {
  const key = r.supporters === 1 && has('req.supporters.one') ? 'req.supporters.one' : 'req.supporters';
  const count = el('span', { class: 'fb-support-count', dataset: { testid: 'req-supporters' } }, t(key, { n: r.supporters }));
  const closed = r.status === 'refused' || r.status === 'fulfilled';
  if (!me && !closed) {
    return el('span', { class: 'fb-support' }, count, el('a', { href: loginHref(), class: 'btn btn-secondary btn-small' }, t('req.supportSignIn')));
  }
  if (!canSupport(me, r)) return el('span', { class: 'fb-support' }, count);
  const btn = el(
    'button',
    { type: 'button', class: ['btn', 'btn-small', r.supported ? 'btn-secondary' : 'btn-primary'], 'aria-pressed': r.supported ? 'true' : 'false', dataset: { testid: 'req-support' } },
    r.supported ? t('req.supported') : t('req.support'),
  );
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const path = `/requests/${encodeURIComponent(r.id)}/support`;
      const next = r.supported ? await apiDelete(path) : await apiPost(path);
      onChange(next);
    } catch (err) {
      btn.disabled = false;
      onChange(null, err);
    }
  });
  return el('span', { class: 'fb-support' }, count, btn);
}

// due(me, r, at, running) -> the due date. For staff, the running clock's
// date says so when it was counted on a provisional calendar year; the
// public never sees that operator's caveat.
function due(me, r, at, running) {
  const staff = hasRole(me, 'provider') || hasRole(me, 'authority') || hasRole(me, 'admin');
  const provisional = staff && running && r.due_provisional;
  return el(
    'span',
    { title: provisional ? t('req.dueProvisionalHint') : null, dataset: { provisional: provisional ? 'true' : 'false' } },
    dueText(at, undefined, running && r.overdue),
    provisional ? t('req.dueProvisional') : null,
  );
}

// card(me, r, {onChange, selected, actions, heading}) -> <li>.
export function card(me, r, o = {}) {
  const h = o.heading || 'h3';
  return el(
    'li',
    { class: ['fb-item', o.selected && 'fb-item--selected', (r.overdue || r.answer_late || r.catalog_late) && 'fb-item--overdue'], dataset: { testid: 'req-item', id: String(r.id), status: r.status } },
    el(h, { lang: 'zh-CN' }, el('a', { href: `/requests?id=${encodeURIComponent(r.id)}` }, r.title)),
    el(
      'p',
      { class: 'fb-item-meta' },
      statusBadge(r),
      r.department ? el('span', { lang: 'zh-CN' }, t('req.field.department'), '：', r.department.name || r.department.id) : el('span', null, t('req.unrouted')),
      el('span', null, t('req.field.created'), '：', timeEl(r.created_at, false)),
      r.status === 'submitted' && r.route_due_at ? el('span', { dataset: { testid: 'req-route-due' } }, t('req.field.routeDue'), '：', due(me, r, r.route_due_at, true)) : null,
      r.route_late ? badge(t('req.late.route'), 'late', 'req-route-late') : null,
      r.status === 'routed' && r.answer_due_at ? el('span', { dataset: { testid: 'req-answer-due' } }, t('req.field.answerDue'), '：', due(me, r, r.answer_due_at, true)) : null,
      r.answered_at ? el('span', null, t('req.field.answered'), '：', timeEl(r.answered_at, false)) : null,
      r.answer_late ? badge(t('req.late.answer'), 'late', 'req-answer-late') : null,
      (r.status === 'accepted' || r.status === 'fulfilled') && r.catalog_due_at ? el('span', { dataset: { testid: 'req-catalog-due' } }, t('req.field.catalogDue'), '：', due(me, r, r.catalog_due_at, r.status === 'accepted')) : null,
      r.catalog_late ? badge(t('req.late.catalog'), 'late', 'req-catalog-late') : null,
      r.escalated ? badge(t('req.escalated'), 'late', 'req-escalated') : null,
    ),
    el('p', { class: 'fb-desc', lang: 'zh-CN' }, r.description),
    r.intended_use ? el('p', { class: 'muted' }, t('req.field.intendedUse'), '：', el('span', { lang: 'zh-CN' }, r.intended_use)) : null,
    r.reason ? el('p', { dataset: { testid: 'req-reason' } }, t(r.status === 'refused' ? 'req.field.refusal' : 'req.field.note'), '：', el('span', { lang: 'zh-CN' }, r.reason)) : null,
    r.dataset
      ? el('p', { dataset: { testid: 'req-dataset' } }, t('req.field.dataset'), '：', el('a', { href: `/datasets/${encodeURIComponent(r.dataset.id)}`, lang: 'zh-CN' }, r.dataset.name || r.dataset.id))
      : null,
    el('div', { class: 'fb-item-actions' }, supportControl(me, r, o.onChange || (() => {})), o.actions || null),
  );
}
