// /console/changes (provider department) and /review/changes (authority):
// catalog change notices (目录变更通知). When a law or a department's
// duties change, the authority (or the department) records a notice
// against the department's entries; the department updates them (submits
// a new version for review) or confirms, with a reason, that an entry
// needs no change, within the working days the notice states. It may ask
// once for more time, which the authority approves or refuses.

import { el } from '../dom.js?v=__V__';
import { t, has } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { requireUser, hasRole } from '../session.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';
import { field, radios, form, onSubmit, flash, showErrors } from '../accounts/forms.js?v=__V__';
import { startPage, departments, emptyNote, fill, badge, dueText, timeEl } from '../corrections/ui.js?v=__V__';

const FILTERS = ['open', 'overdue', 'completed', 'all'];

// Server messages (English) the page says in the interface language.
const KNOWN = [
  [/name the change of law/i, 'chg.msg.reason'],
  [/^at most (\d+) characters/i, 'chg.msg.tooLong'],
  [/changed_on must be a date/i, 'chg.msg.changedOn'],
  [/changed_on must not be after today/i, 'chg.msg.changedOnFuture'],
  [/give all_entries or dataset_ids, not both/i, 'chg.msg.entriesBoth'],
  [/name the affected entries/i, 'chg.msg.entriesNone'],
  [/at most (\d+) entries in one notice/i, 'chg.msg.entriesMany'],
  [/not catalog entries of this department|unknown entry/i, 'chg.msg.entriesUnknown'],
  [/the department has no catalog entries/i, 'chg.msg.noEntries'],
  [/name the department whose entries change/i, 'chg.msg.department'],
  [/^department not found/i, 'chg.msg.departmentNotFound'],
  [/only provider departments and the data authority/i, 'chg.msg.staffOnly'],
  [/catalog change notice not found/i, 'chg.msg.notFound'],
  [/the notice changed meanwhile/i, 'chg.msg.changed'],
  [/allows no extension/i, 'chg.msg.noExtension'],
  [/an extension is 1 to (\d+) working days/i, 'chg.msg.extensionDays'],
  [/give the special reason for the extension/i, 'chg.msg.extensionReason'],
  [/give the policy basis for the extension/i, 'chg.msg.extensionBasis'],
  [/every entry of this notice is already updated/i, 'chg.msg.completed'],
  [/an extension can be asked for once per notice/i, 'chg.msg.extensionOnce'],
  [/the deadline has passed: an extension/i, 'chg.msg.extensionLate'],
  [/decision must be approve or refuse/i, 'chg.msg.decision'],
  [/a refusal states its reason/i, 'chg.msg.refusalReason'],
  [/no extension request is waiting/i, 'chg.msg.noRequest'],
  [/this entry is not named in the notice/i, 'chg.msg.entryNotNamed'],
  [/say why the entry needs no change/i, 'chg.msg.confirmReason'],
  [/this entry is already updated or confirmed/i, 'chg.msg.entryDone'],
];

function say(msg) {
  const s = String(msg || '');
  for (const [re, key] of KNOWN) {
    const m = s.match(re);
    if (m && has(key)) return m[1] ? tn(key, Number(m[1])) : t(key, { n: '' });
  }
  return s;
}

// onError for onSubmit: the API's field and general messages, translated.
function showTranslated(err, f) {
  const e = err && err.body && err.body.error && typeof err.body.error === 'object' ? err.body.error : null;
  if (!e || (err.status >= 500 || err.status === 401)) return false;
  const fields = {};
  for (const [k, v] of Object.entries(e.fields || {})) fields[k] = say(v);
  const general = Object.keys(fields).length ? [] : [say(e.message)];
  showErrors(f, fields, general);
  return true;
}

// Today's date in China (YYYY-MM-DD), the default day of the change.
function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

startPage({
  title: 'chg.title',
  async render(body) {
    const me = await requireUser();
    mountConsoleNav(me);
    const role = hasRole(me, 'provider') ? 'provider' : hasRole(me, 'authority') ? 'authority' : '';
    if (!role) {
      fill(body, el('div', { class: 'alert alert-info', dataset: { testid: 'not-staff' } }, el('p', null, t('chg.notStaff'))));
      return null;
    }
    const hub = document.getElementById('chg-hub');
    if (hub && role === 'authority') {
      hub.setAttribute('href', '/review');
      hub.dataset.i18n = 'nav.review';
      hub.textContent = t('nav.review');
    }
    const params = new URLSearchParams(location.search);
    let filter = params.get('filter') || (params.get('overdue') ? 'overdue' : FILTERS[0]);
    if (!FILTERS.includes(filter)) filter = FILTERS[0];
    const openID = params.get('id');
    const deps = role === 'authority' ? (await departments()).filter((d) => !me.region || d.region === me.region) : [];
    let list = null;
    let failure = null;
    let message = '';
    const load = async () => {
      const q = { page_size: 100 };
      if (filter === 'open' || filter === 'completed') q.status = filter;
      if (filter === 'overdue') q.overdue = 'true';
      try {
        list = await apiGet('/catalog-changes', q);
        failure = null;
      } catch (err) {
        failure = err;
      }
    };
    const after = async (text) => {
      message = text;
      await load();
      draw();
      const s = document.getElementById('chg-status');
      if (s) s.focus();
    };
    const draw = () => {
      const select = el(
        'select',
        { id: 'chg-filter', class: 'form-control', dataset: { testid: 'chg-filter' } },
        FILTERS.map((f) => el('option', { value: f, selected: f === filter }, t(`chg.filter.${f}`))),
      );
      select.addEventListener('change', async () => {
        filter = select.value;
        history.replaceState(null, '', `?filter=${filter}`);
        await load();
        draw();
        document.getElementById('chg-filter').focus();
      });
      const status = el('p', { id: 'chg-status', tabindex: '-1', dataset: { testid: 'chg-console-status' } });
      if (message) flash(status, message);
      const items = list ? list.items : [];
      fill(
        body,
        el('p', { class: 'fb-lead' }, t(role === 'provider' ? 'chg.leadProvider' : 'chg.leadAuthority')),
        status,
        newNotice(me, role, deps, after),
        el('div', { class: 'fb-toolbar' }, el('div', null, el('label', { for: 'chg-filter' }, t('chg.filter')), select)),
        failure ? errorAlert(failure) : null,
        items.length
          ? el('ul', { class: 'fb-list', dataset: { testid: 'chg-list' } }, items.map((n) => card(role, n, String(n.id) === openID, after)))
          : emptyNote(t('chg.none'), 'chg-empty'),
      );
    };
    await load();
    draw();
    return draw;
  },
});

// The form that records a notice, folded away until opened.
function newNotice(me, role, deps, after) {
  const fields = [];
  if (role === 'authority') {
    fields.push(
      field({ id: 'chg-f-department', name: 'department_id', type: 'select', label: t('chg.field.department'),
        options: [{ value: '', label: t('chg.field.pickDepartment') }, ...deps.map((d) => ({ value: d.id, label: d.name }))] }),
    );
  }
  fields.push(
    field({ id: 'chg-f-reason', name: 'reason', type: 'textarea', label: t('chg.field.reason'), hint: t('chg.field.reasonHint'), rows: 3, maxlength: 2000 }),
    field({ id: 'chg-f-changed', name: 'changed_on', type: 'date', label: t('chg.field.changedOn'), hint: t('chg.field.changedOnHint'), value: chinaToday(), wide: false }),
    radios({ name: 'scope', legend: t('chg.field.scope'), value: 'all', options: [{ value: 'all', label: t('chg.scope.all') }, { value: 'some', label: t('chg.scope.some') }] }),
    field({ id: 'chg-f-ids', name: 'dataset_ids', type: 'textarea', label: t('chg.field.datasetIds'), hint: t('chg.field.datasetIdsHint'), rows: 2 }),
  );
  const f = form({ submit: t('chg.create.submit'), testid: 'chg-create-form', submitTestid: 'chg-create-submit' }, ...fields);
  onSubmit(f, {
    check(v) {
      const errs = {};
      if (role === 'authority' && !v.department_id) errs.department_id = t('chg.msg.department');
      if (!v.reason.trim()) errs.reason = t('chg.msg.reason');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v.changed_on)) errs.changed_on = t('chg.msg.changedOn');
      else if (v.changed_on > chinaToday()) errs.changed_on = t('chg.msg.changedOnFuture');
      if (v.scope === 'some' && !v.dataset_ids.trim()) errs.dataset_ids = t('chg.msg.entriesNone');
      return errs;
    },
    onError: showTranslated,
    async submit(v) {
      const body = { reason: v.reason, changed_on: v.changed_on };
      if (role === 'authority') body.department_id = v.department_id;
      else if (me.department) body.department_id = me.department.id;
      if (v.scope === 'some') body.dataset_ids = v.dataset_ids.split(/[\s,，、]+/).filter(Boolean);
      else body.all_entries = true;
      const n = await apiPost('/catalog-changes', body);
      await after(t('chg.create.done', { date: dueText(n.due_at, undefined, false, n.due_provisional) }));
    },
  });
  return el('details', { class: 'fb-panel', dataset: { testid: 'chg-create' } }, el('summary', null, t('chg.create.title')), el('p', { class: 'form-hint' }, t('chg.create.hint')), f);
}

function statusBadge(n) {
  if (n.status === 'completed') return n.on_time ? badge(t('chg.status.onTime'), 'done', 'chg-state') : badge(t('chg.status.late'), 'late', 'chg-state');
  if (n.overdue) return badge(t('chg.status.overdue'), 'late', 'chg-state');
  return badge(t('chg.status.open'), 'open', 'chg-state');
}

// card(role, n, selected, after) -> <li> of one notice with what the
// caller may do.
function card(role, n, selected, after) {
  const id = String(n.id);
  const ext = n.extension;
  return el(
    'li',
    { class: ['fb-item', selected && 'fb-item--selected', n.overdue && 'fb-item--overdue'], dataset: { testid: 'chg-item', id, status: n.status } },
    el('h3', { lang: 'zh-CN' }, n.department.name || n.department.id),
    el(
      'p',
      { class: 'fb-item-meta' },
      statusBadge(n),
      n.escalated ? badge(t('chg.escalated'), 'late', 'chg-escalated') : null,
      el('span', null, t('chg.field.noticed'), '：', timeEl(n.noticed_at, false)),
      el('span', null, t('chg.field.changedOn'), '：', n.changed_on),
      el(
        'span',
        { dataset: { testid: 'chg-due', provisional: n.due_provisional ? 'true' : 'false' }, title: n.due_provisional ? t('chg.dueProvisionalHint') : null },
        t('chg.field.due'),
        '：',
        dueText(n.due_at, n.status === 'open' ? n.days_left : undefined, n.overdue, n.due_provisional),
      ),
      n.completed_at ? el('span', null, t('chg.field.completed'), '：', timeEl(n.completed_at, false)) : null,
      el('span', { dataset: { testid: 'chg-progress' } }, tn('chg.progress', n.entries_total, { done: n.entries_done, total: n.entries_total })),
    ),
    el('p', { class: 'fb-desc' }, t('chg.field.reason'), '：', el('span', { lang: 'zh-CN' }, n.reason)),
    ext
      ? el(
          'p',
          { class: 'fb-note', dataset: { testid: 'chg-extension', status: ext.status } },
          tn(`chg.extension.${ext.status}`, ext.days),
          ' ',
          el('span', { lang: 'zh-CN' }, ext.reason),
          ext.basis ? [' · ', t('chg.field.basis'), '：', el('span', { lang: 'zh-CN' }, ext.basis)] : null,
          ext.comment ? [' · ', t('chg.field.comment'), '：', el('span', { lang: 'zh-CN' }, ext.comment)] : null,
        )
      : null,
    el('ul', { class: 'chg-entries', dataset: { testid: 'chg-entries' } }, n.entries.map((e) => entry(role, n, e, after))),
    el('div', { class: 'fb-item-actions' }, extensionForm(role, n, after), decisionForm(role, n, after)),
  );
}

function entry(role, n, e, after) {
  const href = role === 'provider' ? `/console/datasets/${encodeURIComponent(e.dataset_id)}` : `/review/datasets/${encodeURIComponent(e.dataset_id)}`;
  let state = t(`chg.entry.${e.status}`);
  if (e.status === 'updated' && e.version) state = t('chg.entry.updatedVersion', { n: e.version });
  const li = el(
    'li',
    { dataset: { testid: 'chg-entry', id: e.dataset_id, status: e.status } },
    el('a', { href, lang: 'zh-CN' }, e.title || e.dataset_id),
    ' · ',
    el('span', null, state),
    e.done_at ? [' · ', timeEl(e.done_at, false)] : null,
    e.reason ? [' · ', el('span', { lang: 'zh-CN' }, e.reason)] : null,
  );
  if (role === 'provider' && n.can_confirm && e.status === 'pending') {
    const key = `${n.id}-${e.dataset_id}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const f = form(
      { submit: t('chg.confirm.submit'), testid: 'chg-confirm-form', submitTestid: 'chg-confirm-submit', class: 'fb-inline-form' },
      field({ id: `chg-f-confirm-${key}`, name: 'reason', type: 'textarea', label: t('chg.confirm.reason'), hint: t('chg.confirm.hint'), rows: 2, maxlength: 2000 }),
    );
    onSubmit(f, {
      check: (v) => (v.reason.trim() ? {} : { reason: t('chg.msg.confirmReason') }),
      onError: showTranslated,
      async submit(v) {
        await apiPost(`/catalog-changes/${encodeURIComponent(n.id)}/entries/${encodeURIComponent(e.dataset_id)}/confirm`, { reason: v.reason });
        await after(t('chg.confirm.done'));
      },
    });
    li.append(el('details', null, el('summary', null, t('chg.confirm.title')), f));
  }
  return li;
}

function extensionForm(role, n, after) {
  if (role !== 'provider' || !n.can_request_extension) return null;
  const max = n.extension_max_days || 1;
  const days = [];
  for (let i = 1; i <= max; i++) days.push({ value: String(i), label: tn('chg.extension.daysOption', i) });
  const f = form(
    { submit: t('chg.extension.submit'), testid: 'chg-extension-form', submitTestid: 'chg-extension-submit', class: 'fb-inline-form' },
    field({ id: `chg-f-days-${n.id}`, name: 'days', type: 'select', label: t('chg.extension.days'), value: String(max), options: days }),
    field({ id: `chg-f-ext-reason-${n.id}`, name: 'reason', type: 'textarea', label: t('chg.extension.reason'), rows: 2, maxlength: 2000 }),
    field({ id: `chg-f-basis-${n.id}`, name: 'basis', type: 'textarea', label: t('chg.field.basis'), hint: t('chg.extension.basisHint'), rows: 2, maxlength: 2000 }),
  );
  onSubmit(f, {
    check(v) {
      const errs = {};
      if (!v.reason.trim()) errs.reason = t('chg.msg.extensionReason');
      if (!v.basis.trim()) errs.basis = t('chg.msg.extensionBasis');
      return errs;
    },
    onError: showTranslated,
    async submit(v) {
      await apiPost(`/catalog-changes/${encodeURIComponent(n.id)}/extension`, { days: Number(v.days), reason: v.reason, basis: v.basis });
      await after(t('chg.extension.done'));
    },
  });
  return el('details', null, el('summary', null, tn('chg.extension.title', max)), f);
}

function decisionForm(role, n, after) {
  if (role !== 'authority' || !n.can_decide_extension) return null;
  const name = `chg-decision-${n.id}`;
  const f = form(
    { submit: t('chg.decision.submit'), testid: 'chg-decision-form', submitTestid: 'chg-decision-submit', class: 'fb-inline-form' },
    radios({ name, legend: tn('chg.decision.legend', n.extension.days), value: 'approve', options: ['approve', 'refuse'].map((d) => ({ value: d, label: t(`chg.decision.${d}`) })) }),
    field({ id: `chg-f-comment-${n.id}`, name: 'comment', type: 'textarea', label: t('chg.field.comment'), hint: t('chg.decision.commentHint'), rows: 2, maxlength: 2000 }),
  );
  onSubmit(f, {
    check: (v) => (v[name] === 'refuse' && !v.comment.trim() ? { comment: t('chg.msg.refusalReason') } : {}),
    onError: showTranslated,
    async submit(v) {
      const decision = v[name];
      await apiPost(`/catalog-changes/${encodeURIComponent(n.id)}/extension/decision`, { decision, comment: v.comment });
      await after(t(`chg.decision.done.${decision}`));
    },
  });
  return f;
}
