// /corrections/new?dataset=ID[&item=NAME][&resource=ID]: report an error
// in a published dataset (000 Art 24). Visitors leave an e-mail address or
// a phone number; signed-in accounts may report errors in data about
// themselves. The answer carries the tracking code, shown once.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { currentUser, loginHref } from '../session.js?v=__V__';
import { field, checkbox, form, onSubmit, keepValues } from '../accounts/forms.js?v=__V__';
import { startPage, facts, copyButton, upload, fmtDate, EVIDENCE_ACCEPT, EVIDENCE_MAX } from './ui.js?v=__V__';

const params = new URLSearchParams(location.search);
const datasetId = params.get('dataset') || '';

startPage({
  title: 'corr.title.new',
  async render(body) {
    if (!datasetId) {
      clear(body).append(el('div', { class: 'alert alert-info' }, el('p', null, t('corr.new.pickDataset')), el('p', null, el('a', { href: '/datasets' }, t('nav.datasets')))));
      return null;
    }
    const [ds, me, summary] = await Promise.all([
      apiGet(`/datasets/${encodeURIComponent(datasetId)}`),
      currentUser(),
      apiGet('/corrections/summary').catch(() => null),
    ]);
    let done = null; // the answer once the report is filed
    let current = null;
    const draw = () => {
      const next = done ? success(ds, done) : reportForm(ds, me, summary, (res) => {
        done = res;
        draw();
        document.getElementById('page-title').focus();
      });
      if (current && !done) keepValues(current, next);
      current = done ? null : next;
      clear(body).append(next);
    };
    draw();
    return draw;
  },
});

function reportForm(ds, me, summary, onDone) {
  const items = ds.data_items || [];
  const resources = ds.resources || [];
  const days = summary && summary.answer_working_days;
  const intro = el(
    'div',
    { class: 'fb-lead' },
    el('p', null, t('corr.new.about'), ' ', el('a', { href: `/datasets/${encodeURIComponent(ds.id)}`, lang: 'zh-CN', dataset: { testid: 'report-dataset' } }, ds.title)),
    days ? el('p', null, tn('corr.new.deadline', days)) : null,
    el('p', { class: 'muted' }, t('corr.new.privacy')),
  );
  const file = el('input', { type: 'file', id: 'f-evidence', name: 'evidence', accept: EVIDENCE_ACCEPT, class: 'form-control', 'aria-describedby': 'f-evidence-hint', dataset: { testid: 'field-evidence' } });
  const contactHint = me ? t('corr.new.contactSignedIn') : t('corr.new.contactVisitor');
  const f = form(
    { submit: t('corr.new.submit'), testid: 'report-form', submitTestid: 'report-submit' },
    resources.length
      ? field({ name: 'resource_id', type: 'select', label: t('corr.field.resource'), optional: true, value: params.get('resource') || '',
          options: [{ value: '', label: t('corr.field.wholeDataset') }, ...resources.map((r) => ({ value: r.id, label: `${r.name}（${r.format}）` }))] })
      : null,
    items.length
      ? field({ name: 'data_item', type: 'select', label: t('corr.field.dataItem'), optional: true, value: params.get('item') || '',
          options: [{ value: '', label: t('corr.field.noItem') }, ...items.map((it) => ({ value: it.name, label: `${it.label}（${it.name}）` }))] })
      : null,
    field({ name: 'row_key', label: t('corr.field.rowKey'), hint: t('corr.field.rowKeyHint'), optional: true, maxlength: 200 }),
    field({ name: 'description', type: 'textarea', label: t('corr.field.description'), hint: t('corr.field.descriptionHint'), required: true, rows: 4, maxlength: 2000 }),
    field({ name: 'proposed_value', type: 'textarea', label: t('corr.field.proposed'), optional: true, rows: 2, maxlength: 1000 }),
    me
      ? checkbox({ name: 'about_self', label: t('corr.field.aboutSelf') })
      : el('p', { class: 'form-hint', dataset: { testid: 'about-self-signin' } }, t('corr.new.aboutSelfSignIn'), ' ', el('a', { href: loginHref() }, t('nav.login'))),
    el(
      'fieldset',
      { class: 'form-field', dataset: { field: 'contact' } },
      el('legend', { class: 'form-label' }, t('corr.field.contact')),
      el('p', { class: 'form-hint', id: 'contact-hint' }, contactHint),
      el('p', { id: 'f-contact-error', class: 'form-error', hidden: true }),
      field({ name: 'contact.name', label: t('corr.field.contactName'), optional: true, autocomplete: 'name', maxlength: 100 }),
      field({ name: 'contact.email', type: 'email', label: t('corr.field.contactEmail'), autocomplete: 'email', optional: Boolean(me) }),
      field({ name: 'contact.phone', type: 'tel', label: t('corr.field.contactPhone'), autocomplete: 'tel', inputmode: 'tel', optional: true }),
    ),
    el(
      'div',
      { class: 'form-field', dataset: { field: 'evidence' } },
      el('label', { for: 'f-evidence', class: 'form-label' }, t('corr.field.evidence'), el('span', { class: 'form-optional' }, t('form.optional'))),
      el('p', { id: 'f-evidence-hint', class: 'form-hint' }, t('corr.field.evidenceHint')),
      el('p', { id: 'f-evidence-error', class: 'form-error', hidden: true }),
      file,
    ),
  );
  onSubmit(f, {
    check(v) {
      const errs = {};
      if (!v.description.trim()) errs.description = t('corr.check.description');
      if (!me && !v['contact.email'].trim() && !v['contact.phone'].trim()) errs.contact = t('corr.check.contact');
      const picked = file.files && file.files[0];
      if (picked && picked.size > EVIDENCE_MAX) errs.evidence = t('corr.check.evidenceSize');
      return errs;
    },
    async submit(v) {
      const body = {
        dataset_id: ds.id,
        resource_id: v.resource_id || undefined,
        data_item: v.data_item || undefined,
        row_key: v.row_key || undefined,
        description: v.description,
        proposed_value: v.proposed_value || undefined,
        about_self: Boolean(v.about_self),
        contact: { name: v['contact.name'], email: v['contact.email'], phone: v['contact.phone'] },
      };
      const res = await apiPost('/corrections', body, { noCsrf: !me });
      const picked = file.files && file.files[0];
      if (picked) {
        try {
          await upload(`/corrections/track/${encodeURIComponent(res.tracking_code)}/evidence`, picked);
          res.evidence = 'ok';
        } catch (err) {
          res.evidence = err;
        }
      }
      onDone(res);
    },
  });
  return el('div', null, intro, f);
}

function success(ds, res) {
  const trackHref = `/corrections/track#${res.tracking_code}`;
  return el(
    'div',
    { class: 'fb-panel fb-panel--success', role: 'status', dataset: { testid: 'report-done' } },
    el('h2', null, t('corr.done.title')),
    el('p', null, t('corr.done.code')),
    el('div', { class: 'fb-code-row' }, el('code', { class: 'fb-code', dataset: { testid: 'tracking-code' } }, res.tracking_code), copyButton(res.tracking_code)),
    el('p', { class: 'alert alert-warning' }, t('corr.done.keep')),
    facts([
      [t('corr.field.dataset'), el('a', { href: `/datasets/${encodeURIComponent(ds.id)}`, lang: 'zh-CN' }, ds.title)],
      [t('corr.field.due'), res.due_provisional ? `${fmtDate(res.due_at)}${t('fb.due.provisional')}` : fmtDate(res.due_at), 'report-due'],
    ]),
    res.evidence && res.evidence !== 'ok'
      ? errorAlert(res.evidence, { title: t('corr.done.evidenceFailed') })
      : res.evidence === 'ok'
        ? el('p', null, t('corr.done.evidenceOk'))
        : null,
    el('p', null, el('a', { class: 'btn btn-primary', href: trackHref, dataset: { testid: 'track-link' } }, t('corr.done.track'))),
  );
}
