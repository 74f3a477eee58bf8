// /apply?dataset=ID: the application form for a conditionally open dataset
// (000 Art 34; 001 Art 20): the entry's open conditions, a notice for a
// citizen when they admit organisations only, the data items to choose
// from, the due date the applicant can expect, then the form.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import {
  fill, startPage, field, fieldset, textarea, input, showErrors, statusLine, uploadCommitment, errorText, fmtDate, facts,
} from './common.js?v=__V__';

function datasetParam() {
  const q = new URLSearchParams(location.search);
  return (q.get('dataset') || q.get('dataset_id') || '').trim();
}

startPage({
  title: 'apps.title.apply',
  async render(me, body) {
    const id = datasetParam();
    if (!id) {
      fill(body, el('p', { class: 'empty' }, t('apps.apply.noDataset'), ' ', el('a', { href: '/datasets' }, t('apps.mine.browse'))));
      return null;
    }
    const info = await apiGet('/applications/form', { dataset_id: id });
    const values = {}; // what the user typed survives a language switch
    const draw = () => {
      const keep = collect(body);
      if (keep) Object.assign(values, keep);
      fill(body, page(me, info, values));
    };
    draw();
    return draw;
  },
});

// collect(root) -> the current form values, or null before the form exists.
function collect(root) {
  const form = root.querySelector('form[data-testid=apply-form]');
  if (!form) return null;
  const v = {};
  for (const name of ['purpose', 'scenario', 'basis', 'security_measures', 'contact', 'period_start', 'period_end']) {
    v[name] = form.elements[name].value;
  }
  v.data_items = [...form.querySelectorAll('input[name=data_items]:checked')].map((c) => c.value);
  return v;
}

function page(me, info, values) {
  const d = info.dataset;
  const head = el(
    'section',
    { class: 'section app-dataset', 'aria-labelledby': 'apply-dataset' },
    el('h2', { id: 'apply-dataset' }, el('a', { href: `/datasets/${encodeURIComponent(d.id)}`, dataset: { testid: 'apply-dataset' } }, d.title)),
    facts([
      ['apps.field.department', d.department.name],
      ['apps.apply.conditions', el('span', { class: 'prewrap', lang: 'zh-CN' }, d.open_conditions || '—')],
      d.usage_scope ? ['apps.apply.scope', el('span', { class: 'prewrap', lang: 'zh-CN' }, d.usage_scope)] : null,
    ]),
  );
  if (!info.accepting) {
    return [head, el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'apply-closed' } }, el('p', null, t('apps.apply.closed')))];
  }
  // Told before the form, not after a refusal: the conditions admit legal
  // persons and other organisations only (the department still decides).
  const orgOnly = d.organisations_only && me.kind === 'citizen'
    ? el(
        'div',
        { class: 'alert alert-warning app-org-only', role: 'note', dataset: { testid: 'apply-org-only' } },
        el('p', { class: 'alert-title' }, t('apps.apply.orgOnly.title')),
        el('p', null, t('apps.apply.orgOnly.body')),
      )
    : null;
  const due = el(
    'p',
    { class: 'callout app-due', dataset: { testid: 'expected-due' } },
    tn('apps.apply.expectedDue', info.review_days, { date: fmtDate(info.expected_due_at), days: info.review_days }),
    // A plain fact for the applicant; the operator warning is for staff.
    info.expected_due_provisional ? el('span', { dataset: { testid: 'expected-due-provisional' } }, ' ', t('apps.apply.expectedDueProvisional')) : null,
  );
  return [head, orgOnly, due, form(info, values)];
}

function form(info, values) {
  const d = info.dataset;
  const today = info.today;
  const chosen = values.data_items || [];
  const items = fieldset(
    'data_items',
    t('apps.field.data_items'),
    el(
      'ul',
      { class: 'app-checks' },
      d.data_items.map((it, i) =>
        el(
          'li',
          null,
          el('input', { type: 'checkbox', id: `item-${i}`, name: 'data_items', value: it.name, checked: chosen.includes(it.name), dataset: { testid: `item-${it.name}` } }),
          el('label', { for: `item-${i}` }, it.label, ' ', el('span', { class: 'muted' }, `（${it.name}）`)),
        ),
      ),
    ),
    { hint: 'apps.hint.data_items' },
  );
  const file = el('input', { type: 'file', name: 'commitment', accept: 'application/pdf,.pdf', class: 'app-control', dataset: { testid: 'commitment-file' } });
  const status = el('p', { role: 'status', class: 'app-flash', dataset: { testid: 'apply-status' } });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'apply-submit' } }, t('apps.apply.submit'));
  const f = el(
    'form',
    { class: 'app-form', novalidate: true, dataset: { testid: 'apply-form' } },
    field('purpose', 'apps.field.purpose', textarea('purpose', values.purpose), { hint: 'apps.hint.purpose' }),
    field('scenario', 'apps.field.scenario', textarea('scenario', values.scenario), { hint: 'apps.hint.scenario' }),
    field('basis', 'apps.field.basis', textarea('basis', values.basis, 2), { hint: 'apps.hint.basis' }),
    items,
    el(
      'div',
      { class: 'app-row' },
      field('period_start', 'apps.field.period_start', input('period_start', 'date', values.period_start || today, { min: today })),
      field('period_end', 'apps.field.period_end', input('period_end', 'date', values.period_end || '', { min: today })),
    ),
    field('security_measures', 'apps.field.security_measures', textarea('security_measures', values.security_measures), { hint: 'apps.hint.security_measures' }),
    field('contact', 'apps.field.contact', input('contact', 'text', values.contact, { autocomplete: 'tel' })),
    field('commitment', 'apps.field.commitment', file, { hint: 'apps.hint.commitment', name: 'file' }),
    status,
    submit,
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = collect(f.parentNode);
    const body = { dataset_id: d.id, ...v };
    submit.disabled = true;
    statusLine(status, t('apps.apply.submitting'));
    try {
      const app = await apiPost('/applications', body);
      const pdf = file.files && file.files[0];
      if (pdf) {
        try {
          await uploadCommitment(app.id, pdf);
        } catch (err) {
          sessionStorage.setItem('apps.flash', t('apps.apply.uploadFailed', { message: errorText(err) }));
        }
      }
      location.assign(`/applications/${encodeURIComponent(app.id)}`);
    } catch (err) {
      submit.disabled = false;
      showErrors(f, err);
      statusLine(status, errorText(err), 'bad');
    }
  });
  return f;
}
