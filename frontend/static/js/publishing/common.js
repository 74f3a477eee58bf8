// Shared pieces of the catalog console and review pages: the page frame
// (sign-in, title, re-render on language switch, the console menu),
// status badges, deadline text and multipart uploads with the CSRF token
// and progress.

import { el, fill } from '../dom.js?v=__V__';
import { t, fmtDate } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { setTitle } from '../layout.js?v=__V__';
import { API_BASE, ApiError, setCsrfToken, pageLanguage } from '../api.js?v=__V__';
import { startSignedIn } from '../page.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';

// startPage({title, render(me, body)}): signs the visitor in, renders into
// #pub-body; a language switch calls the function render returned.
export function startPage(o) {
  const title = () => {
    const text = typeof o.title === 'function' ? o.title() : t(o.title);
    setTitle(text);
    const h1 = document.getElementById('page-title');
    if (h1) {
      h1.removeAttribute('data-i18n');
      h1.textContent = text;
    }
  };
  // The console menu replaces the hubs' own section links (#pub-nav stays
  // hidden): every console page shows the same one.
  return startSignedIn({ body: 'pub-body', title, nav: (me) => mountConsoleNav(me), render: o.render });
}

export { fill };

// A notice for accounts that may not use the page.
export function notForYou(key) {
  return el('div', { class: 'alert alert-info', dataset: { testid: 'pub-forbidden' } }, el('p', null, t(key)));
}

const STATUS_CLASS = {
  draft: 'pub-badge-draft',
  submitted: 'pub-badge-submitted',
  returned: 'pub-badge-returned',
  published: 'badge-open',
  approved: 'badge-open',
  revoked: 'pub-badge-revoked',
};

export function statusBadge(status) {
  return el('span', { class: ['badge', STATUS_CLASS[status] || 'badge-neutral'], dataset: { testid: 'pub-status', status } }, t(`pub.status.${status}`));
}

// "2026-11-25（剩 2 个工作日）", "（逾期 1 个工作日）".
// dueText says when something is due; provisional (the date was counted on
// a year whose official holiday notice is not out yet) is said after it.
export function dueText(due, daysLeft, provisional = false) {
  if (!due) return '—';
  const date = fmtDate(due) + (provisional ? t('pub.due.provisional') : '');
  if (daysLeft === null || daysLeft === undefined) return date;
  if (daysLeft < 0) return tn('pub.due.overdue', -daysLeft, { date });
  if (daysLeft === 0) return t('pub.due.today', { date });
  return tn('pub.due.left', daysLeft, { date });
}

export function freshnessText(fr) {
  if (!fr) return '—';
  if (!fr.next_update_due) return t('pub.freshness.irregular');
  return fr.on_schedule ? t('pub.freshness.onSchedule', { date: fmtDate(fr.next_update_due) }) : t('pub.freshness.overdue', { date: fmtDate(fr.next_update_due) });
}

// The fields of an error body ({} when none).
export function errorFields(err) {
  const e = err && err.body && err.body.error;
  return e && e.fields && typeof e.fields === 'object' ? e.fields : {};
}

async function csrfToken() {
  try {
    const res = await fetch(`${API_BASE}/auth/csrf`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const body = res.ok ? await res.json() : null;
    const tok = body && typeof body.csrf_token === 'string' ? body.csrf_token : '';
    setCsrfToken(tok);
    return tok;
  } catch {
    return '';
  }
}

// sendFile('/manage/datasets/x/resources', file, {onProgress, params}) ->
// parsed JSON, or throws ApiError. Multipart with the file in "file".
export async function sendFile(path, file, opts = {}) {
  const token = await csrfToken();
  const form = new FormData();
  form.append('file', file, file.name);
  const qs = opts.params ? `?${new URLSearchParams(opts.params)}` : '';
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API_BASE + path + qs);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', pageLanguage());
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.withCredentials = true;
    xhr.responseType = 'text';
    if (opts.onProgress) {
      xhr.upload.addEventListener('progress', (ev) => {
        if (ev.lengthComputable) opts.onProgress(ev.loaded, ev.total);
      });
    }
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
        return;
      }
      const e = body && body.error ? body.error : {};
      reject(new ApiError(xhr.status, String(e.code || ''), String(e.message || ''), body));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', '', null)));
    xhr.send(form);
  });
}

// A table inside a focusable, labelled scroll region.
export function tableWrap(table, captionId) {
  return el('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' }, table);
}

// "rows[4].open_conditions" -> {row: 4, field: "open_conditions"}.
export function splitRowKey(key) {
  const m = /^rows\[(\d+)\]\.?(.*)$/.exec(key);
  if (!m) return { row: null, field: key };
  return { row: Number(m[1]), field: m[2] || '' };
}

// Server messages about the catalog record (001 Art 13; the national
// catalog guide), as the catalogs word them. The server answers in
// English; these patterns match its messages exactly.
const RECORD_MESSAGES = [
  [/^the resource code is 类\(1-3\) 项\(2 digits\) 目\(3 digits\) \[细目\(3 digits\)\] \/ sequence \(6 digits\), e\.g\. 213001\/000042$/, 'pub.msg.resourceCodeFormat', []],
  [/^the 项, 目 and sequence number of a resource code cannot be all zeros$/, 'pub.msg.resourceCodeZeros', []],
  [/^the resource code's class \(类\) (\d) does not match the classification (.+) \((\d)\)$/, 'pub.msg.resourceCodeClass', ['code', 'classification', 'want']],
  [/^a conditionally shared entry must list its share conditions \(scope and use\)$/, 'pub.msg.shareConditions', []],
  [/^an entry that is not shared must state the reason and its legal basis$/, 'pub.msg.notSharedReason', []],
  [/^share_type must be unconditional, conditional or not_shared$/, 'pub.msg.shareType', []],
  [/^share_method must be one of (.+)$/, 'pub.msg.shareMethod', ['list']],
  [/^formats must be among (.+)$/, 'pub.msg.formatsAllowed', ['list']],
  [/^declare the data's formats before submitting$/, 'pub.msg.formatsEmpty', []],
  [/^(.+) is a (\w+) file, but \w+ is not a declared format$/, 'pub.msg.formatUndeclared', ['name', 'format']],
  [/^the declared format (\w+) has no resource: upload a \w+ file or remove the format$/, 'pub.msg.formatNoResource', ['format']],
  [/^domain must be empty or one of (.+)$/, 'pub.msg.domain', []],
  [/^declare at least one data item before submitting$/, 'pub.msg.itemsEmpty', []],
];

// localiseRecordMessage('…') -> the catalog's wording, or the message itself.
export function localiseRecordMessage(msg) {
  const s = String(msg);
  for (const [re, key, names] of RECORD_MESSAGES) {
    const m = s.match(re);
    if (m) {
      const params = {};
      names.forEach((n, i) => (params[n] = m[i + 1]));
      return t(key, params);
    }
  }
  return s;
}

// localiseErrors(err) rewrites the field messages of an error body about
// the catalog record in the page's language, and returns err.
export function localiseErrors(err) {
  const e = err && err.body && err.body.error;
  if (e && e.fields && typeof e.fields === 'object') {
    for (const k of Object.keys(e.fields)) e.fields[k] = localiseRecordMessage(e.fields[k]);
  }
  return err;
}
