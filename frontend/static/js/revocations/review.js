// /review/revocations: the same-level data authority's queue of
// revocation requests (000 Art 35). Approving files the revocation with the
// provincial authority and publishes the numbered announcement; rejecting
// needs reasons and changes nothing publicly.

import { apiGet, apiPost } from '../api.js?v=__V__';
import { el } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startStaffPage, statusBadge, scopeText, field, onSubmit, filterSelect, fill, facts, fmtDate, fmtDateTime, announcementLink, effectText } from './common.js?v=__V__';

const FILTERS = ['pending', 'approved', 'rejected', 'all'];

startStaffPage({
  title: 'rv.title.review',
  role: 'authority',
  async render(me, body) {
    let filter = new URLSearchParams(location.search).get('status') || 'pending';
    if (!FILTERS.includes(filter)) filter = 'pending';
    let list = null;
    let notice = null; // {decision, revocation} | {error}
    const drafts = {}; // revocation id -> {decision, reason}

    const load = async () => {
      list = await apiGet('/revocations', { status: filter === 'all' ? '' : filter, page_size: 100 });
    };

    const decisionForm = (r) => {
      const d = drafts[r.id] || (drafts[r.id] = { decision: '', reason: '' });
      const radio = (value) =>
        el('li', null, el('label', null,
          el('input', { type: 'radio', name: `decision-${r.id}`, value, checked: d.decision === value, dataset: { testid: `rv-decision-${value}` } }),
          t(`rv.decision.${value}`)));
      const reason = el('textarea', { name: 'reason', class: 'rv-control', rows: 2, dataset: { testid: 'rv-decision-reason' } }, d.reason);
      const f = el(
        'form',
        { class: 'rv-form rv-form--inline', novalidate: true, 'aria-label': t('rv.decision.label', { title: r.dataset.name }), dataset: { testid: 'rv-decision-form' } },
        el('fieldset', { class: 'rv-field', dataset: { field: 'decision' }, 'aria-describedby': `rv-d-${r.id}-error` },
          el('legend', { class: 'rv-label' }, t('rv.decision.legend')),
          el('p', { id: `rv-d-${r.id}-error`, class: 'rv-error', hidden: true }),
          el('ul', { class: 'rv-choices' }, radio('approve'), radio('reject'))),
        field(`rv-d-${r.id}-reason`, 'reason', 'rv.decision.reason', reason, { hint: 'rv.decision.reasonHint' }),
        el('div', { class: 'rv-actions' }, el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'rv-decide' } }, t('rv.decision.submit'))),
      );
      f.addEventListener('change', () => {
        const checked = f.querySelector(`input[name="decision-${r.id}"]:checked`);
        d.decision = checked ? checked.value : '';
      });
      reason.addEventListener('input', () => {
        d.reason = reason.value;
      });
      onSubmit(f, {
        send: () => apiPost(`/revocations/${encodeURIComponent(r.id)}/decision`, { decision: d.decision, reason: d.reason }),
        done: async (out) => {
          notice = { decision: out };
          delete drafts[r.id];
          await load();
          draw();
        },
        result: '[data-testid=rv-decision-result]',
        keys: { reason: 'rv.error.decisionReason' },
        failed: (err) => {
          notice = { error: err };
          draw();
        },
      });
      return f;
    };

    const card = (r) =>
      el(
        'li',
        { class: 'rv-card', dataset: { testid: 'review-row', id: r.id, status: r.status } },
        el('h2', { lang: 'zh-CN' }, r.dataset.name),
        el('p', { class: 'rv-card-meta' }, statusBadge(r.status), el('span', { lang: 'zh-CN' }, r.department.name), el('span', null, scopeText(r))),
        facts([
          ['rv.field.datasetId', el('code', null, r.dataset.id)],
          ['rv.field.reason', el('span', { lang: 'zh-CN' }, r.reason)],
          ['rv.field.legalBasis', el('span', { lang: 'zh-CN' }, r.legal_basis)],
          ['rv.field.proposedDate', r.effective_date],
          ['rv.field.requester', r.requester_name ? el('span', { lang: 'zh-CN' }, r.requester_name) : ''],
          ['rv.field.requestedAt', fmtDateTime(r.requested_at)],
          ['rv.field.decidedAt', r.decided_at ? fmtDateTime(r.decided_at) : ''],
          ['rv.field.decisionReason', r.decision_reason ? el('span', { lang: 'zh-CN' }, r.decision_reason) : ''],
          ['rv.field.effectiveAt', r.effective_at ? fmtDate(r.effective_at) : ''],
          ['rv.field.announcement', r.announcement_id ? announcementLink(r.announcement_id, t('rv.list.announcement')) : ''],
        ]),
        r.status === 'pending' ? decisionForm(r) : null,
      );

    const result = () => {
      if (!notice) return null;
      if (notice.error) return errorAlert(notice.error);
      const o = notice.decision;
      const approved = o.revocation.status === 'approved';
      return el(
        'div',
        { class: 'alert alert-info', role: 'status', tabindex: '-1', dataset: { testid: 'rv-decision-result' } },
        el('p', null, approved ? t('rv.decision.approved', { title: o.revocation.dataset.name }) : t('rv.decision.rejected', { title: o.revocation.dataset.name })),
        approved
          ? el('p', null,
              announcementLink(o.announcement.id, o.announcement.number, 'rv-result-announcement'), ' · ',
              t('rv.decision.filed', { number: o.filing.number }), ' · ', effectText(o.announcement))
          : null,
      );
    };

    const draw = () => {
      const select = filterSelect(FILTERS, filter, (x) => t(`rv.filter.${x}`), async (x) => {
        filter = x;
        notice = null;
        await load();
        draw();
      });
      fill(
        body,
        result(),
        el('div', { class: 'rv-toolbar' }, el('label', { for: 'rv-filter' }, t('rv.filter')), select,
          el('span', { dataset: { testid: 'rv-count' } }, t('rv.list.count', { n: list.total }))),
        list.items.length ? el('ul', { class: 'rv-cards' }, list.items.map(card)) : el('p', { class: 'empty', dataset: { testid: 'rv-none' } }, t('rv.list.reviewNone')),
      );
    };

    await load();
    draw();
    return draw;
  },
});
