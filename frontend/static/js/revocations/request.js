// /console/revocations: a provider department asks to revoke one of its
// published datasets (or one resource of an unconditionally open one) with
// the reason, the legal basis and the proposed effective date, and follows
// its requests. Nothing changes publicly until the same-level authority
// approves (000 Art 35).

import { apiGet, apiPost } from '../api.js?v=__V__';
import { el } from '../dom.js?v=__V__';
import { t, enumLabel } from '../i18n.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startStaffPage, statusBadge, scopeText, field, onSubmit, fill, fmtDate, fmtDateTime, chinaDate, announcementLink } from './common.js?v=__V__';

startStaffPage({
  title: 'rv.title.request',
  role: 'provider',
  async render(me, body) {
    const dept = me.department || {};
    let datasets = [];
    let list = null;
    let notice = null; // {ok: text} | {error}
    const values = { dataset_id: new URLSearchParams(location.search).get('dataset') || '', resource_id: '', reason: '', legal_basis: '', effective_date: '' };
    let detail = null; // the chosen dataset with its resources

    const loadList = async () => {
      list = await apiGet('/revocations', { page_size: 100 });
    };
    const loadDatasets = async () => {
      if (!dept.id) return;
      const res = await apiGet('/datasets', { department: dept.id, page_size: 100, sort: 'name' });
      datasets = res.items || [];
    };
    const loadDetail = async () => {
      detail = null;
      if (!values.dataset_id) return;
      try {
        detail = await apiGet(`/datasets/${encodeURIComponent(values.dataset_id)}`);
      } catch {
        detail = null;
      }
    };

    const form = () => {
      const datasetSelect = el(
        'select',
        { name: 'dataset_id', class: 'rv-control', required: true, dataset: { testid: 'rv-dataset' } },
        el('option', { value: '' }, t('rv.form.chooseDataset')),
        datasets.map((d) => el('option', { value: d.id, selected: d.id === values.dataset_id, lang: 'zh-CN' }, `${d.title}（${enumLabel('open_type', d.open_type)}）`)),
      );
      const resources = detail && detail.open_type === 'unconditional' && detail.resources.length > 1 ? detail.resources : [];
      const scopeSelect = el(
        'select',
        { name: 'resource_id', class: 'rv-control', dataset: { testid: 'rv-scope' } },
        el('option', { value: '' }, t('rv.scope.whole')),
        resources.map((r) => el('option', { value: r.id, selected: r.id === values.resource_id, lang: 'zh-CN' }, t('rv.scope.resource', { name: `${r.name} (${r.format})` }))),
      );
      const reason = el('textarea', { name: 'reason', class: 'rv-control', rows: 3, required: true, dataset: { testid: 'rv-reason' } }, values.reason);
      const basis = el('textarea', { name: 'legal_basis', class: 'rv-control', rows: 2, required: true, dataset: { testid: 'rv-legal-basis' } }, values.legal_basis);
      const date = el('input', { name: 'effective_date', type: 'date', class: 'rv-control rv-control--short', required: true, min: chinaDate(), value: values.effective_date, dataset: { testid: 'rv-effective-date' } });
      const f = el(
        'form',
        { class: 'rv-form', novalidate: true, 'aria-labelledby': 'rv-form-heading', dataset: { testid: 'revocation-form' } },
        el('h2', { id: 'rv-form-heading' }, t('rv.form.heading')),
        el('p', { class: 'rv-hint' }, t('rv.form.intro', { department: dept.name || '—' })),
        field('rv-f-dataset', 'dataset_id', 'rv.field.dataset', datasetSelect),
        field('rv-f-scope', 'resource_id', 'rv.field.scope', scopeSelect, { hint: 'rv.form.scopeHint', hidden: !resources.length }),
        field('rv-f-reason', 'reason', 'rv.field.reason', reason),
        field('rv-f-basis', 'legal_basis', 'rv.field.legalBasis', basis, { hint: 'rv.form.basisHint' }),
        field('rv-f-date', 'effective_date', 'rv.field.proposedDate', date, { hint: 'rv.form.dateHint' }),
        el('div', { class: 'rv-actions' }, el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'rv-submit' } }, t('rv.form.submit'))),
      );
      const keep = () => {
        values.reason = reason.value;
        values.legal_basis = basis.value;
        values.effective_date = date.value;
        values.resource_id = scopeSelect.value;
      };
      for (const c of [reason, basis, date, scopeSelect]) c.addEventListener('input', keep);
      scopeSelect.addEventListener('change', keep);
      datasetSelect.addEventListener('change', async () => {
        keep();
        values.dataset_id = datasetSelect.value;
        values.resource_id = '';
        await loadDetail();
        draw();
        document.getElementById('rv-f-dataset').focus();
      });
      onSubmit(f, {
        send: () => {
          keep();
          return apiPost('/revocations', {
            dataset_id: values.dataset_id, resource_id: values.resource_id, reason: values.reason,
            legal_basis: values.legal_basis, effective_date: values.effective_date,
          });
        },
        done: async (r) => {
          notice = { ok: t('rv.form.sent', { title: r.dataset.name }) };
          Object.assign(values, { dataset_id: '', resource_id: '', reason: '', legal_basis: '', effective_date: '' });
          detail = null;
          await loadList();
          draw();
        },
        result: '[data-testid=rv-notice]',
        failed: (err) => {
          notice = { error: err };
          draw();
        },
      });
      return f;
    };

    const rows = () => {
      if (!list.items.length) return el('p', { class: 'empty', dataset: { testid: 'rv-none' } }, t('rv.list.mineNone'));
      return el(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'rv-list-heading', tabindex: '0' },
        el(
          'table',
          { class: 'data-table', dataset: { testid: 'revocation-table' } },
          el('thead', null, el('tr', null, ['rv.field.dataset', 'rv.field.scope', 'rv.field.proposedDate', 'rv.field.status', 'rv.field.requestedAt', 'rv.field.outcome'].map((k) => el('th', { scope: 'col' }, t(k))))),
          el(
            'tbody',
            null,
            list.items.map((r) =>
              el(
                'tr',
                { dataset: { testid: 'revocation-row', id: r.id, status: r.status } },
                el('th', { scope: 'row', lang: 'zh-CN' }, r.dataset.name),
                el('td', null, scopeText(r)),
                el('td', null, r.effective_date),
                el('td', null, statusBadge(r.status)),
                el('td', null, fmtDateTime(r.requested_at)),
                el('td', null, outcome(r)),
              ),
            ),
          ),
        ),
      );
    };

    const draw = () => {
      fill(
        body,
        notice && notice.ok ? el('div', { class: 'alert alert-info', role: 'status', tabindex: '-1', dataset: { testid: 'rv-notice' } }, el('p', null, notice.ok)) : null,
        notice && notice.error ? errorAlert(notice.error) : null,
        dept.id ? form() : el('p', { class: 'alert alert-info' }, t('rv.form.noDepartment')),
        el('h2', { id: 'rv-list-heading' }, t('rv.list.mine')),
        rows(),
      );
    };

    await Promise.all([loadList(), loadDatasets(), loadDetail()]);
    draw();
    return draw;
  },
});

// What came of a request: the announcement, or the reasons it was refused.
function outcome(r) {
  if (r.status === 'approved') {
    return [
      announcementLink(r.announcement_id, t('rv.list.announcement'), 'rv-announcement-link'),
      el('br'),
      r.in_effect ? t('rv.effect.since', { date: fmtDate(r.effective_at) }) : t('rv.effect.from', { date: fmtDate(r.effective_at) }),
    ];
  }
  if (r.status === 'rejected') return el('span', { lang: 'zh-CN' }, t('rv.list.rejectedBecause', { reason: r.decision_reason }));
  return t('rv.list.waiting');
}

