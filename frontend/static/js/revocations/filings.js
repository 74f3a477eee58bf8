// /review/filings: the provincial data authority receives the filing (备案)
// of every approved revocation and acknowledges it (000 Art 35).

import { apiGet, apiPost } from '../api.js?v=__V__';
import { el } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startStaffPage, scopeText, field, onSubmit, filterSelect, fill, facts, fmtDate, fmtDateTime, announcementLink } from './common.js?v=__V__';

const FILTERS = ['pending', 'acknowledged', 'all'];

startStaffPage({
  title: 'rv.title.filings',
  role: 'province',
  async render(me, body) {
    let filter = new URLSearchParams(location.search).get('status') || 'pending';
    if (!FILTERS.includes(filter)) filter = 'pending';
    let list = null;
    let notice = null;
    const notes = {};

    const load = async () => {
      list = await apiGet('/filings', { status: filter === 'all' ? '' : filter, page_size: 100 });
    };

    const ackForm = (f) => {
      const note = el('input', { type: 'text', name: 'note', class: 'rv-control', value: notes[f.id] || '', dataset: { testid: 'filing-note' } });
      note.addEventListener('input', () => {
        notes[f.id] = note.value;
      });
      const form = el(
        'form',
        { class: 'rv-form rv-form--inline', novalidate: true, 'aria-label': t('rv.filing.ackLabel', { number: f.number }) },
        field(`rv-n-${f.id}`, 'note', 'rv.filing.note', note, { hint: 'rv.filing.noteHint' }),
        el('div', { class: 'rv-actions' }, el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'filing-ack' } }, t('rv.filing.ack'))),
      );
      onSubmit(form, {
        send: () => apiPost(`/filings/${encodeURIComponent(f.id)}/acknowledge`, { note: notes[f.id] || '' }),
        done: async (out) => {
          notice = { ok: t('rv.filing.acked', { number: out.number }) };
          delete notes[f.id];
          await load();
          draw();
        },
        result: '[data-testid=filing-result]',
        keys: { note: 'rv.error.note' },
        failed: (err) => {
          notice = { error: err };
          draw();
        },
      });
      return form;
    };

    const card = (f) =>
      el(
        'li',
        { class: 'rv-card', dataset: { testid: 'filing-row', id: f.id, acknowledged: f.acknowledged_at ? 'yes' : 'no' } },
        el('h2', null, el('span', { class: 'rv-number', lang: 'zh-CN', dataset: { testid: 'filing-number' } }, f.number)),
        el('p', { class: 'rv-card-meta' },
          el('span', { class: ['badge', f.acknowledged_at ? 'badge-neutral' : 'badge-pending'] }, f.acknowledged_at ? t('rv.filing.acknowledged') : t('rv.filing.pending')),
          el('span', { lang: 'zh-CN' }, f.department.name)),
        facts([
          ['rv.field.dataset', el('span', { lang: 'zh-CN' }, f.dataset.name)],
          ['rv.field.scope', scopeText(f)],
          ['rv.field.reason', el('span', { lang: 'zh-CN' }, f.reason)],
          ['rv.field.legalBasis', el('span', { lang: 'zh-CN' }, f.legal_basis)],
          ['rv.field.approvedAt', fmtDate(f.approved_at)],
          ['rv.field.approver', f.approver_name ? el('span', { lang: 'zh-CN' }, f.approver_name) : ''],
          ['rv.field.effectiveAt', fmtDate(f.effective_at)],
          ['rv.field.filedAt', fmtDateTime(f.filed_at)],
          ['rv.field.announcement', announcementLink(f.announcement_id, t('rv.list.announcement'))],
          ['rv.filing.acknowledgedAt', f.acknowledged_at ? fmtDateTime(f.acknowledged_at) : ''],
          ['rv.filing.note', f.note ? el('span', { lang: 'zh-CN' }, f.note) : ''],
        ]),
        f.acknowledged_at ? null : ackForm(f),
      );

    const draw = () => {
      const select = filterSelect(FILTERS, filter, (x) => t(`rv.filing.filter.${x}`), async (x) => {
        filter = x;
        notice = null;
        await load();
        draw();
      });
      fill(
        body,
        notice && notice.ok ? el('div', { class: 'alert alert-info', role: 'status', tabindex: '-1', dataset: { testid: 'filing-result' } }, el('p', null, notice.ok)) : null,
        notice && notice.error ? errorAlert(notice.error) : null,
        el('div', { class: 'rv-toolbar' }, el('label', { for: 'rv-filter' }, t('rv.filter')), select,
          el('span', { dataset: { testid: 'rv-count' } }, t('rv.filing.count', { n: list.total }))),
        list.items.length ? el('ul', { class: 'rv-cards' }, list.items.map(card)) : el('p', { class: 'empty', dataset: { testid: 'rv-none' } }, t('rv.filing.none')),
      );
    };

    await load();
    draw();
    return draw;
  },
});
