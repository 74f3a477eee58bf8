// /console/corrections: the provider department's queue of correction
// reports (000 Art 24) with the answer form (corrected / not an error /
// forwarded), extension requests and evidence; for the authority, the
// reports of the departments it oversees, overdue ones and extension
// requests to decide (000 Art 42); for a department head (provider_head),
// its department's reports and the extension requests it decides where the
// policy profile names the head. The decision form shows where the server
// says the caller decides (can_decide_extension). Only the handling
// department's view carries the reporter's contact details.

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtBytes } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { requireUser, hasRole } from '../session.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';
import { field, radios, form, onSubmit, flash } from '../accounts/forms.js?v=__V__';
import { startPage, badge, dueText, facts, timeEl, statusBadge, timeline, upload, departments, emptyNote, EVIDENCE_ACCEPT, fill } from './ui.js?v=__V__';

const FILTERS = {
  provider: ['open', 'answered', 'all'],
  authority: ['extension', 'overdue', 'open', 'all'],
  // A department head (provider_head) decides extensions where the policy
  // profile names the head (003 Art 21).
  provider_head: ['extension', 'open', 'all'],
};

startPage({
  title: 'corr.title.console',
  async render(body) {
    const me = await requireUser();
    mountConsoleNav(me);
    const role = hasRole(me, 'provider') ? 'provider' : hasRole(me, 'authority') ? 'authority' : hasRole(me, 'provider_head') ? 'provider_head' : '';
    if (!role) {
      clear(body).append(el('div', { class: 'alert alert-info', dataset: { testid: 'not-staff' } }, el('p', null, t('corr.console.notStaff')), el('p', null, el('a', { href: '/corrections/track' }, t('corr.title.track')))));
      return null;
    }
    const params = new URLSearchParams(location.search);
    let filter = params.get('filter') || FILTERS[role][0];
    if (!FILTERS[role].includes(filter)) filter = FILTERS[role][0];
    const openID = params.get('id');
    let list = null;
    let failure = null;
    let message = '';
    const details = new Map(); // id -> detail JSON, for the items opened
    const load = async () => {
      const q = { page_size: 100 };
      if (filter === 'open' || filter === 'answered') q.status = filter;
      if (filter === 'extension') q.extension = 'requested';
      if (filter === 'overdue') q.overdue = 'true';
      try {
        list = await apiGet('/corrections', q);
        failure = null;
      } catch (err) {
        failure = err;
      }
    };
    const openDetail = async (id) => {
      details.set(String(id), await apiGet(`/corrections/${encodeURIComponent(id)}`));
    };
    const draw = () => {
      const select = el(
        'select',
        { id: 'corr-filter', class: 'form-control', dataset: { testid: 'corr-filter' } },
        FILTERS[role].map((f) => el('option', { value: f, selected: f === filter }, t(`corr.console.filter.${f}`))),
      );
      select.addEventListener('change', async () => {
        filter = select.value;
        history.replaceState(null, '', `?filter=${filter}`);
        await load();
        draw();
        document.getElementById('corr-filter').focus();
      });
      const status = el('p', { id: 'corr-console-status', tabindex: '-1', dataset: { testid: 'console-status' } });
      if (message) flash(status, message);
      const items = list ? list.items : [];
      // A report opened from a notice but outside the filter is shown first.
      const extra = openID && details.has(openID) && !items.some((c) => String(c.id) === openID) ? [details.get(openID)] : [];
      fill(body,
        el('p', { class: 'fb-lead' }, t({ provider: 'corr.console.leadProvider', provider_head: 'corr.console.leadHead' }[role] || 'corr.console.leadAuthority')),
        status,
        el('div', { class: 'fb-toolbar' }, el('div', null, el('label', { for: 'corr-filter' }, t('corr.console.filter')), select)),
        failure ? errorAlert(failure) : null,
        [...extra, ...items].length
          ? el('ul', { class: 'fb-list', dataset: { testid: 'corr-queue' } }, [...extra, ...items].map((c) => item(c)))
          : emptyNote(t('corr.console.none'), 'corr-empty'),
      );
    };
    const item = (c) => {
      const id = String(c.id);
      const d = details.get(id);
      const toggle = el(
        'button',
        { type: 'button', class: 'btn btn-secondary btn-small', 'aria-expanded': d ? 'true' : 'false', 'aria-controls': `corr-detail-${id}`, dataset: { testid: 'corr-open' } },
        d ? t('corr.console.close') : c.status === 'open' && role === 'provider' ? t('corr.console.handle') : t('corr.console.view'),
      );
      toggle.addEventListener('click', async () => {
        if (details.has(id)) details.delete(id);
        else {
          details.clear(); // one report open at a time: its forms' ids stay unique
          try {
            await openDetail(id);
          } catch (err) {
            failure = err;
          }
        }
        draw();
        const again = document.querySelector(`[data-id="${CSS.escape(id)}"] [data-testid="corr-open"]`);
        if (again) again.focus();
      });
      return el(
        'li',
        { class: ['fb-item', c.overdue && 'fb-item--overdue', id === openID && 'fb-item--selected'], dataset: { testid: 'corr-item', id, status: c.status } },
        el('h3', { lang: 'zh-CN' }, c.dataset.name || c.dataset.id),
        el(
          'p',
          { class: 'fb-item-meta' },
          statusBadge(c),
          c.data_item ? el('span', null, t('corr.field.dataItem'), '：', el('code', null, c.data_item)) : null,
          el('span', null, t('corr.field.submitted'), '：', timeEl(c.created_at)),
          c.status === 'open' ? el('span', { class: c.overdue ? 'fb-overdue' : null, dataset: { testid: 'corr-due' } }, t('corr.field.due'), '：', dueText(c.due_at, c.working_days_left, c.overdue, c.due_provisional)) : null,
          c.extension ? badge(tn(`corr.extension.${c.extension.status}`, c.extension.days), c.extension.status === 'refused' ? 'bad' : 'open', 'corr-extension') : null,
          c.escalated ? badge(t('corr.track.escalated'), 'late', 'corr-escalated') : null,
          role === 'authority' ? el('span', { lang: 'zh-CN' }, t('corr.field.department'), '：', c.department.name) : null,
        ),
        el('div', { class: 'fb-item-actions' }, toggle),
        d ? detail(d, role, async (text) => {
          message = text;
          await Promise.all([load(), openDetail(id)]);
          draw();
          document.getElementById('corr-console-status').focus();
        }) : null,
      );
    };
    await load();
    if (openID) {
      try {
        await openDetail(openID);
      } catch {
        /* not ours or gone: the list says the rest */
      }
    }
    draw();
    return draw;
  },
});

// detail(c, role, done) -> the opened report with its forms; done(text)
// reloads the page's data and shows text.
function detail(c, role, done) {
  const id = String(c.id);
  const rep = c.report || {};
  const who = c.reporter;
  return el(
    'div',
    { class: 'fb-detail', id: `corr-detail-${id}`, dataset: { testid: 'corr-detail' } },
    facts([
      [t('corr.field.description'), el('span', { class: 'fb-desc', lang: 'zh-CN', dataset: { testid: 'corr-description' } }, rep.description || '')],
      [t('corr.field.proposed'), rep.proposed_value ? el('span', { class: 'fb-desc', lang: 'zh-CN' }, rep.proposed_value) : ''],
      [t('corr.field.rowKey'), rep.row_key ? el('code', null, rep.row_key) : ''],
      [t('corr.field.resource'), c.resource_id ? el('code', null, c.resource_id) : ''],
      [t('corr.field.aboutSelf'), rep.about_self ? t('common.yes') : ''],
      [t('corr.field.reporter'), who ? reporter(who) : ''],
      [t('corr.field.forwards'), c.forwards ? String(c.forwards) : ''],
      [t('corr.field.extensionReason'), c.extension && c.extension.reason ? el('span', { class: 'fb-desc', lang: 'zh-CN' }, c.extension.reason) : ''],
    ], 'corr-report'),
    (c.evidence || []).length
      ? el(
          'div',
          null,
          el('h4', null, t('corr.track.evidence')),
          el('ul', null, c.evidence.map((e) => el('li', null, el('a', { href: e.url, download: '' }, `${t(`corr.party.${e.party}`)} · ${e.media_type} · ${fmtBytes(e.size)}`)))),
        )
      : null,
    el('h4', null, t('corr.track.history')),
    timeline(c.events || []),
    role === 'provider' && c.status === 'open' ? answerForm(c, done) : null,
    role === 'provider' && c.can_extend ? extensionForm(c, done) : null,
    role === 'provider' && c.status === 'open' ? evidenceForm(c, done) : null,
    c.can_decide_extension && c.extension && c.extension.status === 'requested' ? decisionForm(c, done) : null,
  );
}

function reporter(who) {
  return el(
    'span',
    { dataset: { testid: 'corr-reporter' } },
    [who.name, who.email, who.phone].filter(Boolean).join(' · '),
    ' ',
    el('span', { class: 'muted' }, who.signed_in ? t('corr.console.signedIn') : t('corr.console.visitor')),
  );
}

function answerForm(c, done) {
  const id = String(c.id);
  const f = form(
    { submit: t('corr.answer.submit'), testid: 'answer-form', submitTestid: 'answer-submit', class: 'fb-inline-form' },
    el('h4', null, t('corr.answer.title')),
    radios({
      name: 'outcome',
      legend: t('corr.answer.outcome'),
      value: 'corrected',
      options: ['corrected', 'not_an_error', 'forwarded'].map((o) => ({ value: o, label: t(`corr.outcome.${o}`), hint: t(`corr.answer.hint.${o}`) })),
    }),
    field({ id: `f-explanation-${id}`, name: 'explanation', type: 'textarea', label: t('corr.answer.explanation'), hint: t('corr.answer.explanationHint'), rows: 3, maxlength: 2000 }),
    field({ id: `f-new-resource-${id}`, name: 'new_resource_id', label: t('corr.answer.newResource'), hint: t('corr.answer.newResourceHint'), optional: true, maxlength: 64 }),
    el('div', { dataset: { slot: 'departments' } }),
  );
  // The department list for forwarding arrives asynchronously.
  departments().then((list) => {
    const slot = f.querySelector('[data-slot=departments]');
    if (!slot) return;
    slot.append(
      field({ id: `f-forward-${id}`, name: 'department_id', type: 'select', label: t('corr.answer.forwardTo'), optional: true,
        options: [{ value: '', label: t('corr.answer.noForward') }, ...list.filter((d) => d.id !== c.department.id).map((d) => ({ value: d.id, label: d.name }))] }),
    );
  });
  onSubmit(f, {
    check(v) {
      const errs = {};
      if (!v.explanation.trim()) errs.explanation = t('corr.check.explanation');
      if (v.outcome === 'forwarded' && !v.department_id) errs.department_id = t('corr.check.forwardTo');
      return errs;
    },
    async submit(v) {
      const body = { outcome: v.outcome, explanation: v.explanation };
      if (v.outcome === 'corrected' && v.new_resource_id.trim()) body.new_resource_id = v.new_resource_id.trim();
      if (v.outcome === 'forwarded') body.department_id = v.department_id;
      await apiPost(`/corrections/${encodeURIComponent(id)}/answer`, body);
      await done(t(`corr.answer.done.${v.outcome}`));
    },
  });
  return f;
}

function extensionForm(c, done) {
  const id = String(c.id);
  const f = form(
    { submit: t('corr.extension.submit'), testid: 'extension-form', submitTestid: 'extension-submit', class: 'fb-inline-form' },
    el('h4', null, t('corr.extension.title')),
    field({ id: `f-days-${id}`, name: 'days', type: 'number', label: t('corr.extension.days'), hint: t('corr.extension.daysHint'), min: 1, wide: false }),
    field({ id: `f-reason-${id}`, name: 'reason', type: 'textarea', label: t('corr.extension.reason'), rows: 2, maxlength: 2000 }),
  );
  onSubmit(f, {
    async submit(v) {
      await apiPost(`/corrections/${encodeURIComponent(id)}/extension`, { days: Number(v.days), reason: v.reason });
      await done(t('corr.extension.sent'));
    },
  });
  return f;
}

function decisionForm(c, done) {
  const id = String(c.id);
  const f = form(
    { submit: t('corr.decision.submit'), testid: 'decision-form', submitTestid: 'decision-submit', class: 'fb-inline-form' },
    el('h4', null, tn('corr.decision.title', c.extension.days)),
    radios({ name: 'decision', legend: t('corr.decision.legend'), value: 'approve', options: ['approve', 'refuse'].map((d) => ({ value: d, label: t(`corr.decision.${d}`) })) }),
    field({ id: `f-comment-${id}`, name: 'comment', type: 'textarea', label: t('corr.decision.comment'), hint: t('corr.decision.commentHint'), rows: 2, maxlength: 2000 }),
  );
  onSubmit(f, {
    async submit(v) {
      await apiPost(`/corrections/${encodeURIComponent(id)}/extension/decision`, { decision: v.decision, comment: v.comment });
      await done(t(`corr.decision.done.${v.decision}`));
    },
  });
  return f;
}

function evidenceForm(c, done) {
  const id = String(c.id);
  const input = el('input', { type: 'file', id: `f-dept-evidence-${id}`, name: 'file', accept: EVIDENCE_ACCEPT, class: 'form-control' });
  const f = form(
    { submit: t('corr.evidence.submit'), testid: 'dept-evidence-form', class: 'fb-inline-form' },
    el(
      'div',
      { class: 'form-field', dataset: { field: 'file' } },
      el('label', { for: input.id, class: 'form-label' }, t('corr.evidence.label')),
      el('p', { class: 'form-hint' }, t('corr.field.evidenceHint')),
      el('p', { id: `${input.id}-error`, class: 'form-error', hidden: true }),
      input,
    ),
  );
  onSubmit(f, {
    check() {
      return input.files && input.files[0] ? {} : { file: t('corr.check.file') };
    },
    async submit() {
      await upload(`/corrections/${encodeURIComponent(id)}/evidence`, input.files[0], { signedIn: true });
      await done(t('corr.evidence.done'));
    },
  });
  return f;
}
