// /applications/:id: one application for whoever may read it (the
// applicant, the providing department, its authority). The server says in
// "actions" what the caller may do now: the applicant resubmits, uploads
// the commitment letter or withdraws; the provider decides (000 Art 34:
// approve, reject with reasons, or ask once for everything missing).

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import {
  fill, startPage, statusBadge, dueCell, facts, field, fieldset, textarea, input, showErrors, statusLine, uploadCommitment,
  errorText, itemLabels, itemList, fmtDate, fmtDateTime, eventLabel,
} from './common.js?v=__V__';

const id = decodeURIComponent(location.pathname.split('/').pop() || '');

startPage({
  title: 'apps.title.detail',
  keepH1: true,
  async render(me, body) {
    let a = await apiGet(`/applications/${encodeURIComponent(id)}`);
    let labels = await itemLabels(a.dataset_id);
    let flash = sessionStorage.getItem('apps.flash') || '';
    sessionStorage.removeItem('apps.flash');
    const draw = () => {
      document.getElementById('page-title').textContent = a.dataset_title;
      document.getElementById('crumb-current').textContent = a.dataset_title;
      const parent = document.getElementById('crumb-parent');
      const [href, key] = a.applicant.id === me.id ? ['/account/applications', 'apps.title.mine']
        : hasRole(me, 'provider') ? ['/console/applications', 'apps.title.queue'] : ['/review/overdue', 'apps.title.overdue'];
      parent.setAttribute('href', href);
      parent.textContent = t(key);
      fill(body, page(a, labels, flash, update));
    };
    const update = (next, message) => {
      a = next;
      flash = message || '';
      draw();
      const s = document.querySelector('[data-testid=app-flash]');
      if (s) s.focus();
    };
    draw();
    return draw;
  },
});

function page(a, labels, flash, update) {
  const decided = a.decision
    ? el(
        'section',
        { class: 'section', 'aria-labelledby': 'h-decision', dataset: { testid: 'decision' } },
        el('h2', { id: 'h-decision' }, t('apps.detail.decision')),
        facts([
          ['apps.field.status', [statusBadge(a.status), a.decision.late ? t('apps.detail.late') : '']],
          a.decision.reason ? ['apps.field.reason', el('span', { class: 'prewrap', dataset: { testid: 'decision-reason' } }, a.decision.reason)] : null,
          a.status === 'approved' ? ['apps.detail.approvedItems', itemList(a.decision.data_items, labels)] : null,
          ['apps.field.submitted', fmtDateTime(a.decision.decided_at)],
        ]),
        a.grant_id ? el('p', null, el('a', { href: '/account/grants', dataset: { testid: 'grant-link' } }, t('apps.detail.grant'))) : null,
      )
    : null;
  const missing = a.missing && a.missing.length
    ? el(
        'section',
        { class: 'callout', dataset: { testid: 'missing' } },
        el('p', { class: 'callout-title' }, t('apps.detail.missingIntro')),
        el('ul', null, a.missing.map((m) => el('li', null, m))),
        a.material_note ? el('p', null, `${t('apps.field.note')}：${a.material_note}`) : null,
      )
    : null;
  return [
    el('p', { class: 'app-flash app-flash-ok', role: 'status', tabindex: '-1', hidden: !flash, dataset: { testid: 'app-flash' } }, flash),
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'h-summary' },
      el('h2', { id: 'h-summary', class: 'visually-hidden' }, t('apps.title.detail')),
      facts([
        ['apps.field.status', statusBadge(a.status)],
        ['apps.field.due', dueCell(a)],
        // Lateness stays once a due date was missed, decision or not.
        a.late && !a.decision ? ['apps.overdue.late', el('span', { class: 'app-overdue', dataset: { testid: 'late' } }, t('apps.due.late'))] : null,
        ['apps.field.dataset', el('a', { href: `/datasets/${encodeURIComponent(a.dataset_id)}` }, a.dataset_title)],
        ['apps.field.department', a.department_name],
        ['apps.field.applicant', a.applicant.name],
        ['apps.field.submitted', fmtDateTime(a.submitted_at)],
        a.round > 1 ? ['apps.field.round', String(a.round)] : null,
      ]),
    ),
    missing,
    decided,
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'h-content', dataset: { testid: 'app-content' } },
      el('h2', { id: 'h-content' }, t('apps.title.apply')),
      facts([
        ['apps.field.purpose', el('span', { class: 'prewrap' }, a.purpose)],
        ['apps.field.scenario', el('span', { class: 'prewrap' }, a.scenario)],
        ['apps.field.basis', el('span', { class: 'prewrap' }, a.basis)],
        ['apps.field.data_items', itemList(a.data_items, labels)],
        ['apps.field.period', `${a.period_start} – ${a.period_end}`],
        ['apps.field.security_measures', el('span', { class: 'prewrap' }, a.security_measures)],
        ['apps.field.contact', a.contact],
        [
          'apps.detail.commitment',
          a.commitment
            ? el('a', { href: a.commitment.url, dataset: { testid: 'commitment-link' } }, a.commitment.name)
            : t('apps.detail.noCommitment'),
        ],
      ]),
    ),
    history(a),
    // What the caller may do comes after what it decides on: the
    // application as submitted and its history.
    actions(a, labels, update),
  ];
}

function history(a) {
  return el(
    'section',
    { class: 'section', 'aria-labelledby': 'h-history' },
    el('h2', { id: 'h-history' }, t('apps.detail.history')),
    el(
      'ol',
      { class: 'app-history', dataset: { testid: 'history' } },
      (a.history || []).map((h) =>
        el(
          'li',
          { dataset: { action: h.action } },
          el('span', { class: 'app-history-time' }, fmtDateTime(h.at)),
          ' ',
          el('strong', null, eventLabel(h.action)),
          h.note ? el('span', { class: 'prewrap app-history-note' }, h.note) : null,
        ),
      ),
    ),
  );
}

function actions(a, labels, update) {
  const can = (x) => (a.actions || []).includes(x);
  const parts = [];
  if (can('approve')) parts.push(decisionForm(a, labels, update));
  if (can('resubmit')) parts.push(resubmitForm(a, update));
  if (can('upload_commitment')) parts.push(uploadForm(a, update));
  if (can('withdraw')) parts.push(withdrawButton(a, update));
  if (!parts.length) return null;
  return el('div', { class: 'app-actions' }, parts);
}

// The provider's decision (000 Art 34; 001 Art 21).
function decisionForm(a, labels, update) {
  const choices = ['approve', 'reject'];
  if ((a.actions || []).includes('need_material')) choices.push('need_material');
  const radios = fieldset(
    'decision',
    t('apps.decision.legend'),
    el(
      'div',
      { class: 'app-radios' },
      choices.map((c) =>
        el(
          'span',
          { class: 'app-radio' },
          el('input', { type: 'radio', name: 'decision', id: `decision-${c}`, value: c, dataset: { testid: `decision-${c}` } }),
          el('label', { for: `decision-${c}` }, t(`apps.decision.${c}`)),
        ),
      ),
    ),
  );
  const items = fieldset(
    'data_items',
    t('apps.decision.approveItems'),
    el(
      'ul',
      { class: 'app-checks' },
      a.data_items.map((n, i) =>
        el(
          'li',
          null,
          el('input', { type: 'checkbox', id: `approve-item-${i}`, name: 'data_items', value: n, checked: true, dataset: { testid: `approve-${n}` } }),
          el('label', { for: `approve-item-${i}` }, labels[n] ? `${labels[n]}（${n}）` : n),
        ),
      ),
    ),
  );
  const reason = field('decision-reason-input', 'apps.decision.rejectReason', textarea('reason', ''), { name: 'reason' });
  const missing = field('decision-missing', 'apps.field.missing', textarea('missing', '', 4), { hint: 'apps.hint.missingLines', name: 'missing' });
  const status = el('p', { role: 'status', class: 'app-flash' });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'decision-submit' } }, t('apps.action.submitDecision'));
  const f = el(
    'form',
    { class: 'app-form app-panel', novalidate: true, 'aria-labelledby': 'h-decide', dataset: { testid: 'decision-form' } },
    el('h2', { id: 'h-decide' }, t('apps.action.decide')),
    (a.actions || []).includes('need_material') ? null : el('p', { class: 'muted' }, t('apps.decision.noNeedMaterial')),
    radios,
    items,
    reason,
    missing,
    status,
    submit,
  );
  const show = () => {
    const d = f.elements.decision.value;
    items.hidden = d !== 'approve';
    reason.hidden = !d;
    missing.hidden = d !== 'need_material';
    reason.querySelector('label').textContent = t(d === 'reject' ? 'apps.decision.rejectReason' : 'apps.decision.note');
  };
  f.addEventListener('change', show);
  show();
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const decision = f.elements.decision.value;
    if (!decision) {
      statusLine(status, `${t('apps.decision.legend')}?`, 'bad');
      return;
    }
    const body = { decision, reason: f.elements.reason.value };
    if (decision === 'approve') body.data_items = [...f.querySelectorAll('input[name=data_items]:checked')].map((c) => c.value);
    if (decision === 'need_material') body.missing = f.elements.missing.value.split('\n').map((s) => s.trim()).filter(Boolean);
    submit.disabled = true;
    try {
      update(await apiPost(`/applications/${encodeURIComponent(a.id)}/decision`, body), t('apps.action.done'));
    } catch (err) {
      submit.disabled = false;
      showErrors(f, err);
      statusLine(status, errorText(err), 'bad');
    }
  });
  return f;
}

// The applicant answers a "needs more material" notice.
function resubmitForm(a, update) {
  const status = el('p', { role: 'status', class: 'app-flash' });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'resubmit-submit' } }, t('apps.action.resubmit'));
  const f = el(
    'form',
    { class: 'app-form app-panel', novalidate: true, 'aria-labelledby': 'h-resubmit', dataset: { testid: 'resubmit-form' } },
    el('h2', { id: 'h-resubmit' }, t('apps.action.resubmit')),
    el('p', { class: 'muted' }, t('apps.hint.resubmit')),
    field('resubmit-note', 'apps.field.note', textarea('note', ''), { name: 'note' }),
    field('resubmit-purpose', 'apps.field.purpose', textarea('purpose', a.purpose), { name: 'purpose' }),
    field('resubmit-scenario', 'apps.field.scenario', textarea('scenario', a.scenario), { name: 'scenario' }),
    field('resubmit-basis', 'apps.field.basis', textarea('basis', a.basis, 2), { name: 'basis' }),
    el(
      'div',
      { class: 'app-row' },
      field('resubmit-start', 'apps.field.period_start', input('period_start', 'date', a.period_start), { name: 'period_start' }),
      field('resubmit-end', 'apps.field.period_end', input('period_end', 'date', a.period_end), { name: 'period_end' }),
    ),
    field('resubmit-security', 'apps.field.security_measures', textarea('security_measures', a.security_measures), { name: 'security_measures' }),
    field('resubmit-contact', 'apps.field.contact', input('contact', 'text', a.contact), { name: 'contact' }),
    status,
    submit,
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const name of ['note', 'purpose', 'scenario', 'basis', 'period_start', 'period_end', 'security_measures', 'contact']) {
      body[name] = f.elements[name].value;
    }
    submit.disabled = true;
    try {
      update(await apiPost(`/applications/${encodeURIComponent(a.id)}/resubmit`, body), t('apps.action.done'));
    } catch (err) {
      submit.disabled = false;
      showErrors(f, err);
      statusLine(status, errorText(err), 'bad');
    }
  });
  return f;
}

function uploadForm(a, update) {
  const file = el('input', { type: 'file', name: 'file', accept: 'application/pdf,.pdf', class: 'app-control', dataset: { testid: 'upload-file' } });
  const status = el('p', { role: 'status', class: 'app-flash' });
  const submit = el('button', { type: 'submit', class: 'btn btn-secondary', dataset: { testid: 'upload-submit' } }, t('apps.action.upload'));
  const f = el(
    'form',
    { class: 'app-form app-panel', novalidate: true, 'aria-labelledby': 'h-upload' },
    el('h2', { id: 'h-upload' }, t('apps.action.upload')),
    field('upload-file', 'apps.field.commitment', file, { hint: 'apps.hint.commitment', name: 'file' }),
    status,
    submit,
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const pdf = file.files && file.files[0];
    if (!pdf) return;
    submit.disabled = true;
    try {
      update(await uploadCommitment(a.id, pdf), t('apps.action.done'));
    } catch (err) {
      submit.disabled = false;
      showErrors(f, err);
      statusLine(status, errorText(err), 'bad');
    }
  });
  return f;
}

function withdrawButton(a, update) {
  const status = el('p', { role: 'status', class: 'app-flash' });
  const b = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'withdraw' } }, t('apps.action.withdraw'));
  b.addEventListener('click', async () => {
    if (!window.confirm(t('apps.action.withdrawConfirm'))) return;
    b.disabled = true;
    try {
      update(await apiPost(`/applications/${encodeURIComponent(a.id)}/withdraw`), t('apps.action.done'));
    } catch (err) {
      b.disabled = false;
      statusLine(status, errorText(err), 'bad');
    }
  });
  return el('div', { class: 'app-panel' }, b, status);
}

export { fmtDate };
