// One catalog entry: /console/datasets/new (a new draft),
// /console/datasets/{id} (the department edits, uploads and submits) and
// /review/datasets/{id} (the authority reads the pending version, its
// changes and files, and approves or returns it with a comment).
// Every field of 000 Art 13; conditional entries state their conditions,
// not_open entries their reason (000 Art 33) — the server checks, the form
// shows its field errors next to the fields.

import { el } from '../dom.js?v=__V__';
import { t, lang, fmtDate, fmtDateTime, fmtBytes, fmtNumber, enumLabel } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost, apiPatch, apiDelete } from '../api.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startPage, fill, notForYou, statusBadge, dueText, freshnessText, errorFields, localiseErrors, sendFile, tableWrap } from './common.js?v=__V__';
import { Profiles } from './profile.js?v=__V__';

const OPEN_TYPES = ['unconditional', 'conditional', 'not_open'];
const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'];
const GRADES = ['L1', 'L2', 'L3', 'L4'];
const ITEM_TYPES = ['string', 'integer', 'number', 'date', 'datetime', 'boolean'];
// The value domains a data item may declare; its cells are then checked
// against that domain's rule ('' for none).
const ITEM_DOMAINS = ['', 'credit_code', 'region_code', 'phone', 'email'];
// The catalog record of the national guide (001 Art 13): share type,
// conditions and method, resource code and declared formats.
const SHARE_TYPES = ['unconditional', 'conditional', 'not_shared'];
const SHARE_METHODS = ['api', 'file', 'database'];
const FORMATS = ['CSV', 'XLSX', 'JSON'];
const DRAFT_FIELDS = ['title', 'description', 'topic', 'open_type', 'open_conditions', 'usage_scope', 'not_open_reason', 'share_type', 'share_conditions', 'share_method', 'update_frequency', 'classification', 'resource_code', 'grade', 'tags', 'region', 'formats', 'data_items'];

const path = location.pathname;
const isNew = path === '/console/datasets/new';
const idMatch = path.match(/^\/(?:console|review)\/datasets\/([^/]+)\/?$/);
const entryId = !isNew && idMatch ? safeDecode(idMatch[1]) : '';
const api = `/manage/datasets/${encodeURIComponent(entryId)}`;

let body = null;
let topics = [];
let detail = null;
let failure = null;
let draft = null; // the form's values, kept in step with every input
let formErr = null; // ApiError of the last save
let notice = '';
let upload = { busy: false, err: null };
let submitErr = null;
let note = '';
let review = { decision: '', comment: '', err: null };
// What the data checks found in the version's CSV files (profile.js).
const profiles = new Profiles();
// Data items proposed from a file for an entry that has none yet.
const noProposal = () => ({ busy: false, err: null, file: null, result: null, items: null, saveErr: null });
let propose = noProposal();

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function emptyDraft() {
  return {
    title: '', description: '', topic: { id: '' }, open_type: 'unconditional', open_conditions: '', usage_scope: '', not_open_reason: '',
    data_items: [{ name: '', label: '', type: 'string', domain: '', description: '', required: false }],
    update_frequency: 'monthly', classification: '', grade: 'L1', tags: [], region: '',
    share_type: 'unconditional', share_conditions: '', share_method: 'file', resource_code: '', formats: ['CSV'],
  };
}

function copyDraft(d) {
  const c = JSON.parse(JSON.stringify(d || emptyDraft()));
  for (const k of ['open_conditions', 'usage_scope', 'not_open_reason', 'region', 'classification', 'description', 'share_type', 'share_conditions', 'share_method', 'resource_code']) c[k] = c[k] || '';
  c.tags = c.tags || [];
  c.formats = c.formats || [];
  c.data_items = c.data_items || [];
  c.topic = c.topic || { id: '' };
  return c;
}

// The review hub's copy of the page: its breadcrumb.
if (path.startsWith('/review/')) {
  const crumb = document.querySelector('.breadcrumb a[href="/console"]');
  if (crumb) {
    crumb.href = '/review';
    crumb.dataset.i18n = 'pub.crumb.review';
  }
}

startPage({
  title: () => (isNew ? t('pub.entry.new') : detail ? detail.title : t('pub.entry.loading')),
  async render(me, node, retitle) {
    body = node;
    if (isNew && !hasRole(me, 'provider')) {
      fill(body, notForYou('pub.console.forbidden'));
      return null;
    }
    apiGet('/topics')
      .then((r) => {
        topics = r.items || [];
        if (draft) draw();
      })
      .catch(() => {});
    if (isNew) {
      draft = emptyDraft();
    } else {
      try {
        detail = await apiGet(api);
        resetDraft();
      } catch (err) {
        failure = err;
      }
    }
    retitle();
    draw();
    if (new URLSearchParams(location.search).get('created') === '1') {
      notice = t('pub.form.created');
      draw();
    }
    return draw;
  },
});

function resetDraft() {
  const src = detail.working ? detail.working.draft : detail.published ? detail.published.draft : null;
  draft = copyDraft(src);
}

// The version the page shows (pending, else published).
function shownVersion(d) {
  return d ? d.working || d.published : null;
}

function savedItems(d) {
  const v = shownVersion(d);
  return (v && v.draft && v.draft.data_items) || [];
}

// A profile checks a file against the data items: when they change, the
// profiles are made again (the server queues them).
function itemsKey(items) {
  return JSON.stringify((items || []).map((it) => [it.name, it.label, it.type, it.domain || '', Boolean(it.required)]));
}

function draw() {
  if (!body) return;
  const active = document.activeElement;
  const focusId = active && body.contains(active) ? active.id : '';
  if (failure) {
    fill(body, failure.status === 404 ? el('div', { class: 'alert alert-info' }, el('p', null, t('pub.entry.notFound'))) : errorAlert(failure));
    return;
  }
  if (isNew) {
    fill(body, formSection());
  } else {
    const d = detail;
    const v = shownVersion(d);
    profiles.track(v ? v.resources : []);
    fill(
      body,
      notice ? el('div', { class: 'alert alert-info', role: 'status', id: 'pub-notice', tabindex: '-1', dataset: { testid: 'pub-notice' } }, el('p', null, notice)) : null,
      summary(d),
      returnedCallout(d),
      d.can_edit ? formSection() : readOnly(d),
      resourcesSection(d),
      d.can_edit && d.working ? submitSection(d) : null,
      reviewsSection(d),
      historySection(d),
      // The authority's decision comes after the version it decides on
      // and that entry's earlier reviews and versions.
      d.can_review ? reviewSection(d) : null,
    );
  }
  if (focusId) {
    const again = document.getElementById(focusId);
    if (again && again !== document.activeElement) again.focus({ preventScroll: true });
  }
}

function section(id, key, ...content) {
  return el('section', { class: 'section', 'aria-labelledby': id }, el('h2', { id }, t(key)), content);
}

// ---- summary ----

function summary(d) {
  const w = d.working;
  const due = w && w.status === 'returned' ? w.fix_due : w && w.status === 'submitted' ? w.review_due : null;
  const row = (key, value) => el('div', { class: 'field' }, el('dt', null, t(key)), el('dd', null, value));
  return el(
    'dl',
    { class: 'meta-list meta-list--compact pub-summary', dataset: { testid: 'pub-summary' } },
    row('pub.col.status', statusBadge(d.status)),
    row('pub.col.department', el('span', { lang: 'zh-CN' }, d.department.name)),
    row(
      'pub.entry.published',
      d.published_version
        ? [t('pub.version.n', { n: d.published_version }), ' ', d.public_url ? el('a', { href: d.public_url, dataset: { testid: 'pub-public-link' } }, t('pub.entry.viewPublic')) : null]
        : t('pub.entry.never'),
    ),
    w ? row('pub.entry.pending', t('pub.version.n', { n: w.version })) : null,
    due ? row(w.status === 'returned' ? 'pub.entry.fixDue' : 'pub.entry.reviewDue', el('span', { class: w.days_left < 0 ? 'pub-late' : null }, dueText(due, w.days_left, w.due_provisional))) : null,
    d.freshness ? row('pub.col.freshness', el('span', { class: d.freshness.on_schedule ? null : 'pub-late' }, freshnessText(d.freshness))) : null,
  );
}

function returnedCallout(d) {
  if (!d.working || d.working.status !== 'returned') return null;
  const last = (d.reviews || []).find((r) => r.decision === 'return');
  return el(
    'div',
    { class: 'callout pub-returned', dataset: { testid: 'pub-returned' } },
    el('p', { class: 'callout-title' }, t('pub.entry.returnedTitle')),
    last ? el('p', { class: 'prewrap', lang: 'zh-CN' }, last.comment) : null,
  );
}

// ---- the form ----

function formSection() {
  const errs = errorFields(formErr);
  const described = (id, hint, err) => [hint ? `${id}-hint` : '', err ? `${id}-err` : ''].filter(Boolean).join(' ') || null;
  const wrap = (key, control, opts = {}) => {
    const id = `f-${key}`;
    const err = errs[key];
    control.setAttribute('aria-invalid', err ? 'true' : 'false');
    const by = described(id, opts.hint, err);
    if (by) control.setAttribute('aria-describedby', by);
    return el(
      'div',
      { class: 'form-field', id: `ff-${key}`, hidden: opts.hidden },
      el('label', { class: 'form-label', for: id }, t(`pub.field.${key}`), opts.required ? null : el('span', { class: 'form-optional' }, t('pub.form.optional'))),
      opts.hint ? el('p', { class: 'form-hint', id: `${id}-hint` }, t(opts.hint)) : null,
      err ? el('p', { class: 'form-error', id: `${id}-err` }, err) : null,
      control,
    );
  };
  const shareHint = () => (draft.share_type === 'not_shared' ? 'pub.hint.not_shared_reason' : 'pub.hint.share_conditions');
  const text = (key, attrs = {}) => {
    const input = el('input', { id: `f-${key}`, class: 'form-control', type: 'text', value: draft[key] || '', ...attrs });
    input.addEventListener('input', () => (draft[key] = input.value));
    return input;
  };
  const area = (key, rows = 3) => {
    const ta = el('textarea', { id: `f-${key}`, class: 'form-control', rows });
    ta.value = draft[key] || '';
    ta.addEventListener('input', () => (draft[key] = ta.value));
    return ta;
  };
  const select = (key, values, label, current) => {
    const s = el(
      'select',
      { id: `f-${key}`, class: 'form-control form-control--short' },
      values.map((v) => el('option', { value: v, selected: v === current }, label(v))),
    );
    return s;
  };

  const topic = select('topic', ['', ...topics.map((tp) => tp.id)], (v) => {
    if (!v) return t('pub.form.chooseTopic');
    const tp = topics.find((x) => x.id === v);
    return tp ? (lang() === 'en' && tp.name_en ? tp.name_en : tp.name) : v;
  }, draft.topic.id);
  if (draft.topic.id && !topics.some((x) => x.id === draft.topic.id)) topic.append(el('option', { value: draft.topic.id, selected: true }, draft.topic.id));
  topic.addEventListener('change', () => (draft.topic = { id: topic.value }));

  const openType = select('open_type', OPEN_TYPES, (v) => enumLabel('open_type', v), draft.open_type);
  openType.addEventListener('change', () => {
    draft.open_type = openType.value;
    document.getElementById('ff-open_conditions').hidden = draft.open_type !== 'conditional';
    document.getElementById('ff-usage_scope').hidden = draft.open_type !== 'conditional';
    document.getElementById('ff-not_open_reason').hidden = draft.open_type !== 'not_open';
  });
  const shareType = select('share_type', SHARE_TYPES, (v) => enumLabel('share_type', v), draft.share_type);
  shareType.addEventListener('change', () => {
    draft.share_type = shareType.value;
    document.getElementById('ff-share_conditions').hidden = draft.share_type === 'unconditional';
    document.getElementById('ff-share_method').hidden = draft.share_type === 'not_shared';
    const hint = document.getElementById('f-share_conditions-hint');
    if (hint) hint.textContent = t(shareHint());
  });
  const shareMethod = select('share_method', ['', ...SHARE_METHODS], (v) => (v ? enumLabel('share_method', v) : t('pub.form.chooseShareMethod')), draft.share_method);
  shareMethod.addEventListener('change', () => (draft.share_method = shareMethod.value));
  const freq = select('update_frequency', FREQUENCIES, (v) => enumLabel('update_frequency', v), draft.update_frequency);
  freq.addEventListener('change', () => (draft.update_frequency = freq.value));
  const grade = select('grade', GRADES, (v) => enumLabel('grade', v), draft.grade);
  grade.addEventListener('change', () => (draft.grade = grade.value));
  const tags = el('input', { id: 'f-tags', class: 'form-control', type: 'text', value: (draft.tags || []).join('，') });
  tags.addEventListener('input', () => (draft.tags = tags.value.split(/[,，;；、]/).map((x) => x.trim()).filter(Boolean)));

  const save = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'pub-save' } }, t(isNew ? 'pub.form.create' : 'pub.form.save'));
  const form = el(
    'form',
    { class: 'form pub-form', id: 'pub-form', novalidate: true, 'aria-labelledby': 'pub-form-heading' },
    formErr ? el('div', { id: 'pub-form-alert', tabindex: '-1', dataset: { testid: 'pub-alert' } }, errorAlert(formErr, { title: t('pub.form.fixErrors') })) : null,
    wrap('title', text('title', { maxlength: 300 }), { required: true }),
    wrap('description', area('description', 4), { required: true }),
    wrap('topic', topic, { required: true }),
    wrap('open_type', openType, { required: true, hint: 'pub.hint.open_type' }),
    wrap('open_conditions', area('open_conditions'), { required: true, hidden: draft.open_type !== 'conditional', hint: 'pub.hint.open_conditions' }),
    wrap('usage_scope', area('usage_scope'), { required: true, hidden: draft.open_type !== 'conditional' }),
    wrap('not_open_reason', area('not_open_reason'), { required: true, hidden: draft.open_type !== 'not_open', hint: 'pub.hint.not_open_reason' }),
    wrap('share_type', shareType, { required: true, hint: 'pub.hint.share_type' }),
    wrap('share_conditions', area('share_conditions'), { required: true, hidden: draft.share_type === 'unconditional', hint: shareHint() }),
    wrap('share_method', shareMethod, { required: true, hidden: draft.share_type === 'not_shared' }),
    wrap('update_frequency', freq, { required: true }),
    wrap('classification', text('classification', { maxlength: 64 }), { required: true, hint: 'pub.hint.classification' }),
    wrap('resource_code', text('resource_code', { maxlength: 32, inputmode: 'numeric', autocomplete: 'off' }), { hint: 'pub.hint.resource_code' }),
    wrap('grade', grade, { required: true }),
    wrap('tags', tags, { hint: 'pub.hint.tags' }),
    wrap('region', text('region', { maxlength: 100 }), { hint: 'pub.hint.region' }),
    formatsFieldset(errs),
    itemsFieldset(errs),
    el('p', { class: 'pub-actions' }, save),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saveDraft(save);
  });
  return section('pub-form-heading', isNew ? 'pub.entry.new' : 'pub.form.heading', form);
}

// The declared formats: one checkbox per format the portal accepts. At
// submission every file must have a declared format and every declared
// format a file.
function formatsFieldset(errs) {
  const err = errs.formats;
  const boxes = FORMATS.map((f) => {
    const box = el('input', { type: 'checkbox', id: `f-formats-${f}`, value: f, checked: draft.formats.includes(f) });
    box.addEventListener('change', () => {
      draft.formats = FORMATS.filter((x) => (x === f ? box.checked : draft.formats.includes(x)));
    });
    return el('label', { class: 'pub-format', for: `f-formats-${f}` }, box, ' ', f, ' ');
  });
  return el(
    'fieldset',
    { class: 'form-field', id: 'ff-formats', 'aria-describedby': err ? 'f-formats-hint f-formats-err' : 'f-formats-hint', 'aria-invalid': err ? 'true' : 'false' },
    el('legend', { class: 'form-label' }, t('pub.field.formats')),
    el('p', { class: 'form-hint', id: 'f-formats-hint' }, t('pub.hint.formats')),
    err ? el('p', { class: 'form-error', id: 'f-formats-err' }, err) : null,
    el('p', null, boxes),
  );
}

// The builders of one data-item row's cells (the entry's items and the
// proposed ones): each control gets an id, a label naming its row and
// field, and the server's error for that field under it.
function itemControls(prefix, i, it, errs) {
  const cell = (key, control) => {
    const err = errs[`data_items[${i}].${key}`];
    control.id = `${prefix}-${i}-${key}`;
    control.setAttribute('aria-label', t('pub.items.cellLabel', { n: i + 1, field: t(`pub.items.${key}`) }));
    if (err) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', `${prefix}-${i}-${key}-err`);
    }
    return el('td', null, control, err ? el('p', { class: 'form-error', id: `${prefix}-${i}-${key}-err` }, err) : null);
  };
  const input = (key) => {
    const x = el('input', { type: 'text', class: 'form-control', value: it[key] || '' });
    x.addEventListener('input', () => (it[key] = x.value));
    return x;
  };
  return { cell, input };
}

function itemsFieldset(errs) {
  const rows = draft.data_items.map((it, i) => {
    const { cell, input } = itemControls('di', i, it, errs);
    const req = el('input', { type: 'checkbox', checked: it.required });
    req.addEventListener('change', () => (it.required = req.checked));
    const remove = el('button', { type: 'button', class: 'link-button', id: `di-${i}-remove`, 'aria-label': t('pub.items.removeLabel', { n: i + 1 }) }, t('pub.items.remove'));
    remove.addEventListener('click', () => {
      draft.data_items.splice(i, 1);
      draw();
      const next = document.getElementById(`di-${Math.min(i, draft.data_items.length - 1)}-name`) || document.getElementById('di-add');
      if (next) next.focus();
    });
    return el('tr', { dataset: { testid: 'pub-item-row' } }, cell('name', input('name')), cell('label', input('label')), cell('type', typeSelect(it)), cell('domain', domainSelect(it)), cell('required', req), cell('description', input('description')), el('td', null, remove));
  });
  const add = el('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'di-add', dataset: { testid: 'pub-item-add' } }, t('pub.items.add'));
  add.addEventListener('click', () => {
    draft.data_items.push({ name: '', label: '', type: 'string', domain: '', description: '', required: false });
    draw();
    const n = document.getElementById(`di-${draft.data_items.length - 1}-name`);
    if (n) n.focus();
  });
  const err = errs.data_items;
  return el(
    'fieldset',
    { class: 'form-field pub-items', id: 'ff-data_items' },
    el('legend', { class: 'form-label' }, t('pub.field.data_items')),
    el('p', { class: 'form-hint' }, t('pub.hint.data_items')),
    err ? el('p', { class: 'form-error' }, err) : null,
    rows.length
      ? tableWrap(
          el(
            'table',
            { class: 'data-table pub-items-table' },
            el('caption', { id: 'pub-items-caption', class: 'visually-hidden' }, t('pub.field.data_items')),
            el('thead', null, el('tr', null, ['name', 'label', 'type', 'domain', 'required', 'description', 'action'].map((c) => el('th', { scope: 'col' }, t(`pub.items.${c}`))))),
            el('tbody', null, rows),
          ),
          'pub-items-caption',
        )
      : el('p', { class: 'empty', dataset: { testid: 'pub-items-none' } }, t(isNew ? 'pub.items.noneNew' : 'pub.items.none')),
    el('p', null, add),
  );
}

function typeSelect(it) {
  const s = el('select', { class: 'form-control' }, ITEM_TYPES.map((v) => el('option', { value: v, selected: v === it.type }, enumLabel('type', v))));
  s.addEventListener('change', () => (it.type = s.value));
  return s;
}

function domainSelect(it) {
  const s = el('select', { class: 'form-control' }, ITEM_DOMAINS.map((v) => el('option', { value: v, selected: v === (it.domain || '') }, t(`pub.domain.${v || 'none'}`))));
  s.addEventListener('change', () => (it.domain = s.value));
  return s;
}

// A row nobody filled in (the new form's first row) is no data item.
function blankItem(it) {
  return !String(it.name || '').trim() && !String(it.label || '').trim() && !String(it.description || '').trim();
}

function payload() {
  const p = {};
  for (const k of DRAFT_FIELDS) p[k] = draft[k];
  p.topic = { id: draft.topic.id };
  p.data_items = draft.data_items.filter((it) => !blankItem(it));
  return p;
}

async function saveDraft(button) {
  button.disabled = true;
  formErr = null;
  notice = '';
  try {
    if (isNew) {
      const d = await apiPost('/manage/datasets', payload());
      location.assign(`/console/datasets/${encodeURIComponent(d.id)}?created=1`);
      return;
    }
    const before = itemsKey(savedItems(detail));
    detail = await apiPatch(api, payload());
    resetDraft();
    if (itemsKey(savedItems(detail)) !== before) profiles.refresh(shownVersion(detail).resources);
    notice = t('pub.form.saved');
  } catch (err) {
    formErr = localiseErrors(err);
  }
  button.disabled = false;
  draw();
  const target = document.getElementById(formErr ? 'pub-form-alert' : 'pub-notice');
  if (target) target.focus();
}

// ---- read-only view ----

function readOnly(d) {
  const v = d.working || d.published;
  if (!v) return null;
  const dr = v.draft;
  const row = (key, value) => (value === '' || value === null || value === undefined ? null : el('div', { class: 'field' }, el('dt', null, t(`pub.field.${key}`)), el('dd', { lang: 'zh-CN', class: 'prewrap' }, value)));
  const changed = d.working && d.published ? changedFields(d.published, d.working) : null;
  return section(
    'pub-ro-heading',
    d.working ? 'pub.entry.pendingHeading' : 'pub.entry.publishedHeading',
    changed ? el('p', { class: 'callout', dataset: { testid: 'pub-changes' } }, t('pub.entry.changes', { list: changed.length ? changed.map((k) => t(`pub.field.${k}`)).join('、') : t('pub.entry.noChanges') })) : null,
    el(
      'dl',
      { class: 'meta-list' },
      row('title', dr.title),
      row('description', dr.description),
      row('topic', topicName(dr.topic && dr.topic.id)),
      row('open_type', enumLabel('open_type', dr.open_type)),
      row('open_conditions', dr.open_conditions),
      row('usage_scope', dr.usage_scope),
      row('not_open_reason', dr.not_open_reason),
      row('share_type', dr.share_type ? enumLabel('share_type', dr.share_type) : ''),
      row('share_conditions', dr.share_conditions),
      row('share_method', dr.share_method ? enumLabel('share_method', dr.share_method) : ''),
      row('update_frequency', enumLabel('update_frequency', dr.update_frequency)),
      row('classification', dr.classification),
      row('resource_code', dr.resource_code),
      row('grade', enumLabel('grade', dr.grade)),
      row('tags', (dr.tags || []).join('，')),
      row('region', dr.region),
      row('formats', (dr.formats || []).join('、')),
    ),
    itemsTable(dr.data_items || []),
  );
}

function topicName(id) {
  const tp = topics.find((x) => x.id === id);
  if (!tp) return id || '';
  return lang() === 'en' && tp.name_en ? tp.name_en : tp.name;
}

function itemsTable(items) {
  return tableWrap(
    el(
      'table',
      { class: 'data-table' },
      el('caption', { id: 'pub-ro-items' }, t('pub.field.data_items')),
      el('thead', null, el('tr', null, ['name', 'label', 'type', 'domain', 'required', 'description'].map((c) => el('th', { scope: 'col' }, t(`pub.items.${c}`))))),
      el(
        'tbody',
        null,
        items.map((it) =>
          el(
            'tr',
            null,
            el('td', null, el('code', null, it.name)),
            el('td', { lang: 'zh-CN' }, it.label),
            el('td', null, enumLabel('type', it.type)),
            el('td', null, it.domain ? t(`pub.domain.${it.domain}`) : '—'),
            el('td', null, it.required ? t('common.yes') : t('common.no')),
            el('td', { lang: 'zh-CN' }, it.description || ''),
          ),
        ),
      ),
    ),
    'pub-ro-items',
  );
}

// The draft fields (and files) a pending version changes.
function changedFields(pub, work) {
  const out = [];
  for (const k of DRAFT_FIELDS) {
    if (JSON.stringify(norm(pub.draft[k])) !== JSON.stringify(norm(work.draft[k]))) out.push(k);
  }
  const key = (v) => v.resources.map((r) => `${r.id}:${r.sha256}`).sort().join(',');
  if (key(pub) !== key(work)) out.push('resources');
  return out;
}

function norm(v) {
  if (v === undefined || v === null) return '';
  if (v && typeof v === 'object' && !Array.isArray(v) && 'id' in v) return v.id;
  return v;
}

// ---- resources ----

function resourcesSection(d) {
  const v = d.working || d.published;
  const list = v ? v.resources : [];
  const canEdit = d.can_edit;
  const rows = list.map((r) => {
    const remove = canEdit ? el('button', { type: 'button', class: 'link-button', 'aria-label': t('pub.files.removeLabel', { name: r.name }), dataset: { testid: 'pub-resource-remove' } }, t('pub.files.remove')) : null;
    if (remove) remove.addEventListener('click', () => removeResource(r, remove));
    return el(
      'tr',
      { dataset: { testid: 'pub-resource-row', id: r.id } },
      el('th', { scope: 'row', lang: 'zh-CN' }, r.name),
      el('td', null, r.format),
      el('td', { class: 'num' }, fmtNumber(r.rows)),
      el('td', { class: 'num' }, fmtBytes(r.size)),
      el('td', null, r.encoding || '—'),
      el('td', { class: 'hash-cell' }, el('code', { class: 'hash', title: r.sha256 }, r.sha256.slice(0, 12))),
      el('td', null, el('a', { href: r.download_url, download: '', 'aria-label': t('pub.files.downloadLabel', { name: r.name }) }, t('pub.files.download')), remove ? ' ' : null, remove),
    );
  });
  const table = list.length
    ? tableWrap(
        el(
          'table',
          { class: 'data-table', dataset: { testid: 'pub-resources' } },
          el('caption', { id: 'pub-files-caption', class: 'visually-hidden' }, t('pub.files.heading')),
          el('thead', null, el('tr', null, ['name', 'format', 'rows', 'size', 'encoding', 'sha256', 'action'].map((c) => el('th', { scope: 'col' }, t(`pub.files.${c}`))))),
          el('tbody', null, rows),
        ),
        'pub-files-caption',
      )
    : el('p', { class: 'empty' }, t('pub.files.none'));
  const adding = !canEdit ? null : savedItems(d).length ? uploadForm() : proposeArea();
  return section('pub-files-heading', 'pub.files.heading', table, profiles.view(), adding);
}

function uploadForm() {
  const input = el('input', { type: 'file', id: 'f-file', class: 'form-control', accept: '.csv,.txt,.xlsx,.json', 'aria-describedby': 'f-file-hint' });
  const button = el('button', { type: 'submit', class: 'btn btn-secondary', disabled: upload.busy, dataset: { testid: 'pub-upload' } }, t(upload.busy ? 'pub.files.uploading' : 'pub.files.upload'));
  const progress = el('progress', { id: 'pub-upload-progress', max: '100', value: '0', hidden: !upload.busy, 'aria-label': t('pub.files.progress') });
  const form = el(
    'form',
    { class: 'form pub-upload', novalidate: true },
    upload.err ? el('div', { id: 'pub-upload-alert', tabindex: '-1', dataset: { testid: 'pub-upload-alert' } }, errorAlert(upload.err, { title: t('pub.files.refused') })) : null,
    el(
      'div',
      { class: 'form-field' },
      el('label', { class: 'form-label', for: 'f-file' }, t('pub.files.choose')),
      el('p', { class: 'form-hint', id: 'f-file-hint' }, t('pub.hint.file')),
      input,
    ),
    el('p', { class: 'pub-actions' }, button, ' ', progress),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      input.focus();
      return;
    }
    upload = { busy: true, err: null };
    notice = '';
    draw();
    try {
      await sendFile(`${api}/resources`, file, {
        onProgress: (loaded, total) => {
          const p = document.getElementById('pub-upload-progress');
          if (p) p.value = String(Math.round((loaded * 100) / total));
        },
      });
      detail = await apiGet(api);
      resetDraft();
      notice = t('pub.files.done', { name: file.name });
    } catch (err) {
      upload.err = err;
    }
    upload.busy = false;
    draw();
    const target = document.getElementById(upload.err ? 'pub-upload-alert' : 'pub-notice');
    if (target) target.focus();
  });
  return form;
}

// ---- data items proposed from a file ----

// proposeArea: the entry declares no data items, so no file can be checked
// yet. The provider may propose them from the data file itself: the server
// profiles it without keeping it, the provider corrects the proposal, and
// confirming saves the items and uploads that same file.
function proposeArea() {
  const intro = el('div', { class: 'callout', dataset: { testid: 'pub-no-items' } }, el('p', null, t('pub.propose.noItems')));
  if (propose.result) return [intro, proposalForm()];
  const input = el('input', { type: 'file', id: 'f-propose-file', class: 'form-control', accept: '.csv,.txt,.xlsx', 'aria-describedby': 'f-propose-file-hint' });
  const button = el('button', { type: 'submit', class: 'btn btn-secondary', disabled: propose.busy, dataset: { testid: 'pub-propose' } }, t(propose.busy ? 'pub.propose.reading' : 'pub.propose.button'));
  const form = el(
    'form',
    { class: 'form pub-upload', novalidate: true, 'aria-labelledby': 'pub-propose-heading' },
    el('h3', { id: 'pub-propose-heading' }, t('pub.propose.heading')),
    propose.err ? el('div', { id: 'pub-propose-alert', tabindex: '-1', dataset: { testid: 'pub-propose-alert' } }, proposeAlert(propose.err)) : null,
    el(
      'div',
      { class: 'form-field' },
      el('label', { class: 'form-label', for: 'f-propose-file' }, t('pub.propose.choose')),
      el('p', { class: 'form-hint', id: 'f-propose-file-hint' }, t('pub.propose.hint')),
      input,
    ),
    el('p', { class: 'pub-actions' }, button),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      input.focus();
      return;
    }
    propose = { ...noProposal(), busy: true };
    notice = '';
    draw();
    try {
      const res = await sendFile(`${api}/propose-items`, file);
      const items = (res.data_items || []).map((x) => ({ name: x.name, label: x.label, type: x.type, domain: x.domain || '', required: Boolean(x.required), description: x.description || '' }));
      propose = { ...noProposal(), file, result: res, items };
    } catch (err) {
      propose = { ...noProposal(), err };
    }
    draw();
    const target = document.getElementById(propose.err ? 'pub-propose-alert' : 'pub-proposal-heading');
    if (target) target.focus();
  });
  return [intro, form];
}

// Server messages about a proposal, in the page's language.
const PROPOSE_MESSAGES = [
  [/^column (\d+) has no name$/, 'pub.propose.err.noName', ['n']],
  [/^"(.+)" repeats column (\d+)$/, 'pub.propose.err.repeats', ['name', 'n']],
  [/^the file is empty/, 'pub.propose.err.empty', []],
  [/^the file has no data rows$/, 'pub.propose.err.noRows', []],
];

function proposeText(msg) {
  for (const [re, key, names] of PROPOSE_MESSAGES) {
    const m = String(msg).match(re);
    if (m) {
      const vars = {};
      names.forEach((n, i) => (vars[n] = m[i + 1]));
      return t(key, vars);
    }
  }
  return '';
}

function proposeAlert(err) {
  let msgs = [];
  if (err.status === 422) msgs = [t('pub.propose.err.json')];
  else if (err.status === 409 && /already declares/.test(err.message)) msgs = [t('pub.propose.err.hasItems')];
  else if (err.status === 413) msgs = [t('pub.propose.err.tooLarge')];
  else if (err.status === 400) {
    const fields = errorFields(err);
    msgs = Object.keys(fields).length ? Object.values(fields).map(proposeText) : [proposeText(err.message)];
    if (msgs.some((m) => !m)) msgs = [];
  }
  if (!msgs.length) return errorAlert(err, { title: t('pub.propose.refused') });
  return el('div', { class: 'alert alert-error', role: 'alert' }, el('p', { class: 'alert-title' }, t('pub.propose.refused')), msgs.map((m) => el('p', null, m)));
}

// The proposed items, editable, with what was read; confirming saves them
// with the draft and then uploads the file.
function proposalForm() {
  const errs = errorFields(propose.saveErr);
  const cols = propose.result.columns || [];
  const rows = propose.items.map((it, i) => {
    const { cell, input } = itemControls('pi', i, it, errs);
    const req = el('input', { type: 'checkbox', checked: it.required });
    req.addEventListener('change', () => (it.required = req.checked));
    const col = cols[i];
    const sample = col && col.top && col.top.length ? col.top.slice(0, 3).map((x) => x.value).join(t('pub.profile.nameSep')) : '';
    return el(
      'tr',
      { dataset: { testid: 'pub-proposed-row' } },
      cell('name', input('name')),
      cell('label', input('label')),
      cell('type', typeSelect(it)),
      cell('domain', domainSelect(it)),
      cell('required', req),
      cell('description', input('description')),
      el('td', { lang: 'zh-CN', class: 'muted' }, sample || '—'),
    );
  });
  const confirm = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'pub-propose-confirm' } }, t('pub.propose.confirm'));
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'pub-propose-cancel' } }, t('pub.propose.cancel'));
  cancel.addEventListener('click', () => {
    propose = noProposal();
    draw();
    const f = document.getElementById('f-propose-file');
    if (f) f.focus();
  });
  const form = el(
    'form',
    { class: 'form pub-upload', novalidate: true, 'aria-labelledby': 'pub-proposal-heading', dataset: { testid: 'pub-proposal' } },
    el('h3', { id: 'pub-proposal-heading', tabindex: '-1' }, t('pub.propose.proposed')),
    propose.saveErr ? el('div', { id: 'pub-proposal-alert', tabindex: '-1', dataset: { testid: 'pub-proposal-alert' } }, errorAlert(propose.saveErr, { title: t('pub.form.fixErrors') })) : null,
    el('p', { dataset: { testid: 'pub-proposal-read' } }, t('pub.propose.read', { rows: tn('pub.propose.rows', propose.result.rows), columns: tn('pub.propose.columns', propose.items.length), name: propose.file.name })),
    el('p', { class: 'form-hint' }, t('pub.propose.check')),
    tableWrap(
      el(
        'table',
        { class: 'data-table pub-items-table' },
        el('caption', { id: 'pub-proposal-caption', class: 'visually-hidden' }, t('pub.propose.proposed')),
        el('thead', null, el('tr', null, ['name', 'label', 'type', 'domain', 'required', 'description', 'sample'].map((c) => el('th', { scope: 'col' }, t(`pub.items.${c}`))))),
        el('tbody', null, rows),
      ),
      'pub-proposal-caption',
    ),
    el('p', { class: 'pub-actions' }, confirm, ' ', cancel),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    confirmProposal(confirm);
  });
  return form;
}

async function confirmProposal(button) {
  button.disabled = true;
  propose.saveErr = null;
  upload.err = null;
  notice = '';
  const items = propose.items.map((x) => ({ name: x.name, label: x.label, type: x.type, domain: x.domain || '', required: Boolean(x.required), description: x.description || '' }));
  try {
    detail = await apiPatch(api, { data_items: items });
  } catch (err) {
    propose.saveErr = localiseErrors(err);
    draw();
    const target = document.getElementById('pub-proposal-alert');
    if (target) target.focus();
    return;
  }
  // Only the items were saved: other unsaved edits of the form stay.
  draft.data_items = JSON.parse(JSON.stringify(items));
  const file = propose.file;
  propose = noProposal();
  upload = { busy: true, err: null };
  draw();
  try {
    await sendFile(`${api}/resources`, file, {
      onProgress: (loaded, total) => {
        const p = document.getElementById('pub-upload-progress');
        if (p) p.value = String(Math.round((loaded * 100) / total));
      },
    });
    notice = tn('pub.propose.done', items.length, { name: file.name });
  } catch (err) {
    upload.err = err;
    notice = tn('pub.propose.savedOnly', items.length);
  }
  try {
    detail = await apiGet(api);
  } catch {
    /* the page keeps the entry as the save returned it */
  }
  upload.busy = false;
  draw();
  const target = document.getElementById(upload.err ? 'pub-upload-alert' : 'pub-notice');
  if (target) target.focus();
}

async function removeResource(r, button) {
  button.disabled = true;
  try {
    await apiDelete(`/manage/resources/${encodeURIComponent(r.id)}`);
    detail = await apiGet(api);
    resetDraft();
    notice = t('pub.files.removed', { name: r.name });
  } catch (err) {
    upload.err = err;
  }
  draw();
  const target = document.getElementById(upload.err ? 'pub-upload-alert' : 'pub-notice');
  if (target) target.focus();
}

// ---- submit ----

function submitSection(d) {
  const ta = el('textarea', { id: 'f-note', class: 'form-control', rows: 2, 'aria-describedby': 'f-note-hint' });
  ta.value = note;
  ta.addEventListener('input', () => (note = ta.value));
  const button = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'pub-submit' } }, t(d.working.status === 'returned' ? 'pub.submit.again' : 'pub.submit.button'));
  const form = el(
    'form',
    { class: 'form', novalidate: true },
    submitErr ? el('div', { id: 'pub-submit-alert', tabindex: '-1', dataset: { testid: 'pub-submit-alert' } }, errorAlert(submitErr, { title: t('pub.submit.refused') })) : null,
    el('p', { class: 'form-hint' }, t('pub.submit.hint')),
    profiles.warnings(),
    el('div', { class: 'form-field' }, el('label', { class: 'form-label', for: 'f-note' }, t('pub.submit.note'), el('span', { class: 'form-optional' }, t('pub.form.optional'))), el('p', { class: 'form-hint', id: 'f-note-hint' }, t('pub.submit.noteHint')), ta),
    el('p', { class: 'pub-actions' }, button),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    submitErr = null;
    notice = '';
    try {
      detail = await apiPost(`${api}/submit`, { note });
      resetDraft();
      note = '';
      notice = t('pub.submit.done');
    } catch (err) {
      submitErr = localiseErrors(err);
    }
    draw();
    const target = document.getElementById(submitErr ? 'pub-submit-alert' : 'pub-notice');
    if (target) target.focus();
  });
  return section('pub-submit-heading', 'pub.submit.heading', form);
}

// ---- review (authority) ----

function reviewSection(d) {
  const radio = (value) => {
    const r = el('input', { type: 'radio', name: 'decision', id: `r-${value}`, value, checked: review.decision === value });
    r.addEventListener('change', () => (review.decision = value));
    return el('div', { class: 'form-radio' }, r, el('label', { for: `r-${value}` }, t(`pub.review.${value}`)));
  };
  const errs = errorFields(review.err);
  const ta = el('textarea', { id: 'f-comment', class: 'form-control', rows: 3, 'aria-describedby': errs.comment ? 'f-comment-err f-comment-hint' : 'f-comment-hint', 'aria-invalid': errs.comment ? 'true' : 'false' });
  ta.value = review.comment;
  ta.addEventListener('input', () => (review.comment = ta.value));
  const button = el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'pub-review-submit' } }, t('pub.review.submit'));
  const form = el(
    'form',
    { class: 'form', novalidate: true },
    review.err ? el('div', { id: 'pub-review-alert', tabindex: '-1', dataset: { testid: 'pub-review-alert' } }, errorAlert(review.err)) : null,
    el('p', { class: 'form-hint' }, t('pub.review.hint', { date: fmtDate(d.working.review_due) + (d.working.due_provisional ? t('pub.due.provisional') : '') })),
    el('fieldset', { class: 'form-field' }, el('legend', { class: 'form-label' }, t('pub.review.decision')), radio('approve'), radio('return')),
    el(
      'div',
      { class: 'form-field' },
      el('label', { class: 'form-label', for: 'f-comment' }, t('pub.review.comment')),
      el('p', { class: 'form-hint', id: 'f-comment-hint' }, t('pub.review.commentHint')),
      errs.comment ? el('p', { class: 'form-error', id: 'f-comment-err' }, errs.comment) : null,
      ta,
    ),
    el('p', { class: 'pub-actions' }, button),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!review.decision) {
      document.getElementById('r-approve').focus();
      return;
    }
    button.disabled = true;
    const decision = review.decision;
    try {
      detail = await apiPost(`${api}/review`, { decision, comment: review.comment });
      review = { decision: '', comment: '', err: null };
      notice = t(`pub.review.done.${decision}`);
    } catch (err) {
      review.err = err;
    }
    draw();
    const target = document.getElementById(review.err ? 'pub-review-alert' : 'pub-notice');
    if (target) target.focus();
  });
  return section('pub-review-heading', 'pub.review.heading', form);
}

// ---- reviews and versions ----

function reviewsSection(d) {
  if (!d.reviews || !d.reviews.length) return null;
  return section(
    'pub-reviews-heading',
    'pub.reviews.heading',
    el(
      'ol',
      { class: 'pub-timeline', dataset: { testid: 'pub-reviews' } },
      d.reviews.map((r) =>
        el(
          'li',
          null,
          el('p', null, el('strong', null, t(`pub.reviews.${r.decision}`)), ' · ', t('pub.version.n', { n: r.version }), ' · ', el('time', { datetime: r.at }, fmtDateTime(r.at))),
          r.comment ? el('p', { class: 'prewrap', lang: 'zh-CN' }, r.comment) : null,
        ),
      ),
    ),
  );
}

function historySection(d) {
  if (!d.history || !d.history.length) return null;
  return section(
    'pub-history-heading',
    'pub.history.heading',
    el(
      'ol',
      { class: 'pub-timeline' },
      d.history.map((h) =>
        el(
          'li',
          null,
          el('p', null, el('strong', null, t('pub.version.n', { n: h.version })), ' · ', el('time', { datetime: h.published_at }, fmtDate(h.published_at))),
          h.changes && h.changes.length ? el('p', { class: 'muted' }, h.changes.map((c) => t(`pub.change.${c}`)).join('、')) : null,
          h.note ? el('p', { class: 'prewrap', lang: 'zh-CN' }, h.note) : null,
        ),
      ),
    ),
  );
}
