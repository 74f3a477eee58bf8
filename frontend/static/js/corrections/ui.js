// Shared pieces of the correction, data request and statistics pages: the
// page frame, badges, due-date text, facts lists, the multipart upload and
// a copy button. Everything is built with createElement/textContent.

import { el, clear, fill } from '../dom.js?v=__V__';
import { t, onLangChange, fmtDate, fmtDateTime } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { initLayout, setTitle, errorAlert } from '../layout.js?v=__V__';
import { API_BASE, ApiError, apiGet, apiHeaders } from '../api.js?v=__V__';

export { fmtDate, fmtDateTime };

// startPage({title, body, render}): lays out the page, renders into the
// element #<body>, and renders again on a language switch (render returns
// a redraw function that keeps its data).
export async function startPage(o) {
  await initLayout();
  const body = document.getElementById(o.body || 'fb-body');
  const title = () => {
    const text = typeof o.title === 'function' ? o.title() : t(o.title);
    setTitle(text);
    const h1 = document.getElementById('page-title');
    if (h1) h1.textContent = text;
  };
  title();
  let redraw = null;
  try {
    redraw = await o.render(body);
  } catch (err) {
    clear(body).append(errorAlert(err));
  }
  onLangChange(() => {
    title();
    if (typeof redraw === 'function') redraw();
  });
}

// A status badge; kind picks the colour.
export function badge(text, kind, testid) {
  const cls = { open: 'fb-badge-open', done: 'fb-badge-done', bad: 'fb-badge-bad', late: 'fb-badge-late' }[kind] || 'badge-neutral';
  return el('span', { class: ['badge', cls], dataset: { testid: testid || 'status-badge' } }, text);
}

// "2026-03-09 · 还剩 3 个工作日" for an open item with due_at and
// working_days_left (corrections) or just the date. A provisional date
// (its year's official holiday notice is not out yet) says so, as a plain
// fact about the date.
export function dueText(dueAt, left, overdue, provisional) {
  if (!dueAt) return '—';
  let rest = '';
  if (overdue) rest = t('fb.due.overdue');
  else if (left === 0) rest = t('fb.due.today');
  else if (typeof left === 'number') rest = tn('fb.due.left', left);
  const date = provisional ? `${fmtDate(dueAt)}${t('fb.due.provisional')}` : fmtDate(dueAt);
  return rest ? `${date} · ${rest}` : date;
}

export function timeEl(iso, withTime = true) {
  if (!iso) return '—';
  return el('time', { datetime: iso }, withTime ? fmtDateTime(iso) : fmtDate(iso));
}

// facts([[label, value], ...]) -> <dl>; rows with an empty value are left out.
export function facts(rows, testid) {
  return el(
    'dl',
    { class: 'fb-facts', dataset: { testid: testid || 'facts' } },
    rows
      .filter((r) => r && r[1] !== null && r[1] !== undefined && r[1] !== '')
      .map(([k, v, id]) => [el('dt', null, k), el('dd', { dataset: id ? { testid: id } : null }, v)]),
  );
}

// A button that copies text, with a polite status next to it.
export function copyButton(text, label) {
  const status = el('span', { class: 'copy-status', role: 'status' });
  const btn = el('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { testid: 'copy-code' } }, label || t('fb.copy'));
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t('fb.copied');
    } catch {
      status.textContent = t('fb.copyFailed');
    }
  });
  return [btn, status];
}

// The session's CSRF token for a multipart request ('' for a visitor).
async function csrf() {
  try {
    const r = await apiGet('/auth/csrf');
    return (r && r.csrf_token) || '';
  } catch {
    return '';
  }
}

// upload(path, file): POST the file as multipart field "file"; returns the
// JSON answer or throws ApiError. Public routes need no token; a signed-in
// session sends its CSRF token.
export async function upload(path, file, opts = {}) {
  const fd = new FormData();
  fd.append('file', file, file.name || 'evidence');
  const headers = apiHeaders();
  const token = opts.signedIn ? await csrf() : '';
  if (token) headers['X-CSRF-Token'] = token;
  let res;
  try {
    res = await fetch(API_BASE + path, { method: 'POST', credentials: 'same-origin', headers, body: fd });
  } catch {
    throw new ApiError(0, 'network', '', null);
  }
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

// Accepted evidence files (the server judges the content; this only
// filters the file picker).
export const EVIDENCE_ACCEPT = 'image/png,image/jpeg,application/pdf,.png,.jpg,.jpeg,.pdf';
export const EVIDENCE_MAX = 5 * 1024 * 1024;

// departments() -> [{id, name}] of the catalog, cached.
let deps = null;
export function departments() {
  if (!deps) deps = apiGet('/departments').then((r) => r.items || []).catch(() => []);
  return deps;
}

// A labelled <select> of departments (value ''= none) for forms.
export function departmentOptions(list, blankLabel) {
  return [{ value: '', label: blankLabel }, ...list.map((d) => ({ value: d.id, label: d.name }))];
}

// fill(node, ...children): replaces node's content; null, false and
// undefined children are skipped (the DOM's own append would print them).
export { fill };

export function emptyNote(text, testid) {
  return el('p', { class: 'empty', dataset: { testid: testid || 'empty' } }, text);
}

// The status of a correction report as a badge.
export function statusBadge(r) {
  if (r.status === 'answered') return badge(t(`corr.outcome.${r.answer ? r.answer.outcome : 'answered'}`), 'done', 'report-status');
  if (r.overdue) return badge(t('corr.status.overdue'), 'late', 'report-status');
  return badge(t('corr.status.open'), 'open', 'report-status');
}

// A report's history, oldest first.
export function timeline(events) {
  return el(
    'ol',
    { class: 'fb-timeline', dataset: { testid: 'report-events' } },
    events.map((e) =>
      el(
        'li',
        { dataset: { kind: e.kind } },
        timeEl(e.at),
        el('strong', null, t(`corr.event.${e.kind}`)),
        e.due_at ? ` · ${t('corr.event.due', { date: dueText(e.due_at, undefined, false, e.due_provisional) })}` : null,
        e.note && e.kind !== 'evidence_added' ? el('span', { class: 'fb-note', lang: 'zh-CN' }, e.note) : null,
      ),
    ),
  );
}
