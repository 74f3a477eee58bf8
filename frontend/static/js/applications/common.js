// Shared pieces of the application and grant pages: the page frame (sign-in,
// title, re-render on language switch), status badges, due-date text, form
// fields with their errors, and the PDF upload.

import { el, clear, fill } from '../dom.js?v=__V__';
import { t, has, fmtDate, fmtDateTime } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { setTitle, errorMessage } from '../layout.js?v=__V__';
import { apiGet, API_BASE, ApiError, apiHeaders } from '../api.js?v=__V__';
import { startSignedIn, labelledField, showFieldErrors } from '../page.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';

// startPage({title, render(me, main)}): lays out the page, signs the
// visitor in first, then renders into #apps-body; a language switch
// renders again (render keeps its data and only redraws).
export function startPage(o) {
  const title = () => {
    setTitle(t(o.title));
    const h1 = document.getElementById('page-title');
    if (h1 && !o.keepH1) h1.textContent = t(o.title);
  };
  return startSignedIn({ body: 'apps-body', title, nav: navLinks, render: (me, body) => o.render(me, body) });
}

export { fill };

// An applicant's links between its application pages. Staff pages (the
// queue, grants on the department's data, the overdue board, an
// application under review) show the console menu instead, like every
// console page.
const NAV = [
  { key: 'mine', href: '/account/applications' },
  { key: 'grants', href: '/account/grants' },
];

function navLinks(me) {
  const nav = document.getElementById('apps-nav');
  if (me.kind === 'staff') {
    if (nav) nav.hidden = true;
    mountConsoleNav(me);
    return;
  }
  if (!nav) return;
  clear(nav);
  nav.hidden = false;
  nav.append(
    el(
      'ul',
      null,
      NAV.map((n) =>
        el('li', null, el('a', { href: n.href, 'aria-current': location.pathname === n.href ? 'page' : null, dataset: { nav: n.key } }, t(`apps.nav.${n.key}`))),
      ),
    ),
  );
}

export function statusBadge(status) {
  const cls = {
    approved: 'badge-open',
    rejected: 'app-badge-bad',
    needs_more_material: 'app-badge-warn',
    withdrawn: 'badge-neutral',
  }[status] || 'badge-conditional';
  return el('span', { class: ['badge', cls], dataset: { testid: 'app-status', status } }, t(`apps.status.${status}`));
}

export function grantBadge(status) {
  const cls = { active: 'badge-open', suspended: 'app-badge-bad', expired: 'badge-neutral' }[status] || 'badge-conditional';
  return el('span', { class: ['badge', cls], dataset: { testid: 'grant-status', status } }, t(`apps.grantStatus.${status}`));
}

// The due date and what is left of it, or why no clock runs.
export function dueText(a) {
  if (!a.due_at) return a.status === 'needs_more_material' ? t('apps.due.stopped') : t('apps.due.none');
  const n = a.working_days_left;
  let left = '';
  if (a.overdue) left = tn('apps.due.overdue', Math.abs(n));
  else if (n === 0) left = t('apps.due.today');
  else left = tn('apps.due.left', n);
  // A date counted on a provisional calendar year is said to be so.
  const date = a.due_provisional ? `${fmtDate(a.due_at)}${t('apps.due.provisional')}` : fmtDate(a.due_at);
  return `${date} · ${left}`;
}

export function dueCell(a) {
  return el(
    'span',
    { class: a.overdue ? 'app-overdue' : null, title: a.due_provisional ? t('apps.due.provisionalHint') : null, dataset: { testid: 'due', provisional: a.due_provisional ? 'true' : 'false' } },
    dueText(a),
  );
}

export { fmtDate, fmtDateTime };

// field(id, labelKey, control, {hint, optional}) -> a labelled form field
// with a slot for its error message (filled by showErrors).
export function field(id, labelKey, control, opts = {}) {
  return labelledField('app', id, opts.name || id, labelKey, control, { hint: opts.hint });
}

// A group of checkboxes or radios in a fieldset with a legend.
export function fieldset(name, legend, children, opts = {}) {
  const errId = `${name}-error`;
  return el(
    'fieldset',
    { class: 'app-field app-fieldset', dataset: { field: name }, 'aria-describedby': [opts.hint ? `${name}-hint` : null, errId].filter(Boolean).join(' ') },
    el('legend', { class: 'app-label' }, legend),
    opts.hint ? el('p', { id: `${name}-hint`, class: 'app-hint' }, t(opts.hint)) : null,
    el('p', { id: errId, class: 'app-error', hidden: true }),
    children,
  );
}

export function textarea(name, value, rows = 3) {
  return el('textarea', { name, class: 'app-control', rows }, value || '');
}

export function input(name, type, value, extra = {}) {
  return el('input', { name, type, class: 'app-control', value: value || '', ...extra });
}

// showErrors(form, err): puts each field error next to its field and
// focuses the first; returns true when there were field errors.
export function showErrors(form, err) {
  return showFieldErrors(form, err, 'app-error', (name, msg) => String(msg));
}

// A status line under a form (role=status), or an alert for errors.
export function statusLine(node, text, kind = 'ok') {
  clear(node);
  node.className = kind === 'ok' ? 'app-flash app-flash-ok' : 'app-flash app-flash-bad';
  node.textContent = text;
}

export function errorText(err) {
  return errorMessage(err);
}

// uploadCommitment(id, file): PUT the PDF as the request body. Cookie
// sessions send the CSRF token (asked from the server once).
export async function uploadCommitment(id, file) {
  let token = '';
  try {
    const r = await apiGet('/auth/csrf');
    token = r.csrf_token || '';
  } catch {
    token = '';
  }
  const res = await fetch(`${API_BASE}/applications/${encodeURIComponent(id)}/commitment?name=${encodeURIComponent(file.name || 'commitment.pdf')}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: apiHeaders({ 'Content-Type': 'application/pdf', 'X-CSRF-Token': token }),
    body: file,
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = body && body.error ? body.error : {};
    throw new ApiError(res.status, String(e.code || ''), String(e.message || ''), body);
  }
  return body;
}

// Data item labels of a dataset (name -> label) from the public catalog;
// an entry that is gone leaves the names as they are.
const labelCache = {};
export async function itemLabels(datasetId) {
  if (!labelCache[datasetId]) {
    labelCache[datasetId] = apiGet(`/datasets/${encodeURIComponent(datasetId)}`)
      .then((d) => Object.fromEntries((d.data_items || []).map((it) => [it.name, it.label])))
      .catch(() => ({}));
  }
  return labelCache[datasetId];
}

export function itemList(names, labels) {
  return el(
    'ul',
    { class: 'app-items', dataset: { testid: 'data-items' } },
    (names || []).map((n) => el('li', { dataset: { item: n } }, labels && labels[n] ? `${labels[n]}（${n}）` : n)),
  );
}

// A definition list of [labelKey, value] rows.
export function facts(rows) {
  return el(
    'dl',
    { class: 'meta-list app-facts' },
    rows.filter(Boolean).map(([k, v]) => el('div', { class: 'field' }, el('dt', null, t(k)), el('dd', null, v))),
  );
}

export function tableWrap(label, table) {
  return el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': label }, table);
}

export function table(testid, heads, rows) {
  return el(
    'table',
    { class: 'data-table app-table', dataset: { testid } },
    el('thead', null, el('tr', null, heads.map((h) => el('th', { scope: 'col' }, t(h))))),
    el('tbody', null, rows),
  );
}

export function eventLabel(action) {
  return has(`apps.event.${action}`) ? t(`apps.event.${action}`) : action;
}

export function forbidden() {
  return el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'forbidden' } }, el('p', null, t('apps.forbidden')));
}
