// The dataset page's data calls: preview pages, rows and the profile of a
// resource. The profile may still be computing (202 + Retry-After): it is
// polled, boundedly, and shared by every part of the page that needs it.

import { apiGet, ApiError, API_BASE } from '../api.js?v=__V__';
import { currentUser } from '../session.js?v=__V__';

const rid = (id) => encodeURIComponent(id);

// One preview page ({fields, records, total, limit, offset}).
export function fetchPreview(resourceID, { offset = 0, limit = 50, sort = '', filters = null } = {}) {
  return apiGet(`/resources/${rid(resourceID)}/preview`, {
    offset: offset || null,
    limit,
    sort: sort || null,
    filters: filters && Object.keys(filters).length ? JSON.stringify(filters) : null,
  });
}

// Rows API page ({fields, records: [{...}], total}).
export function fetchRows(resourceID, params) {
  return apiGet(`/resources/${rid(resourceID)}/rows`, params);
}

const MAX_POLLS = 30; // with waits of at most 10 s: a few minutes at most
const profiles = new Map(); // resource id -> {promise, pending}

async function profileOnce(resourceID) {
  let res;
  try {
    res = await fetch(`${API_BASE}/resources/${rid(resourceID)}/profile`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '', null);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (res.status === 202) {
    const wait = parseInt(res.headers.get('Retry-After') || '', 10);
    return { pending: true, wait: Math.min(Math.max(Number.isFinite(wait) ? wait : 3, 1), 10) };
  }
  if (!res.ok || !body) {
    const e = body && body.error ? body.error : {};
    throw new ApiError(res.status, String(e.code || ''), String(e.message || ''), body);
  }
  return { pending: false, data: body };
}

const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

// profileOf(id, onPending) -> the profile; onPending() is called while the
// server is still profiling the file. A failure is not kept: the next call
// asks again.
export function profileOf(resourceID, onPending) {
  let entry = profiles.get(resourceID);
  if (!entry) {
    entry = { promise: null, pending: false, listeners: new Set() };
    profiles.set(resourceID, entry);
  }
  if (onPending) {
    entry.listeners.add(onPending);
    if (entry.pending) onPending();
  }
  if (!entry.promise) {
    entry.promise = (async () => {
      for (let i = 0; i < MAX_POLLS; i++) {
        const r = await profileOnce(resourceID);
        if (!r.pending) return r.data;
        entry.pending = true;
        for (const fn of entry.listeners) fn();
        await sleep(r.wait);
      }
      throw new ApiError(503, 'profiling', '', null);
    })().then(
      (data) => {
        entry.pending = false;
        entry.listeners.clear();
        return data;
      },
      (err) => {
        entry.pending = false;
        entry.listeners.clear();
        entry.promise = null;
        throw err;
      },
    );
  }
  return entry.promise;
}

// The profile only when it is already there (for code samples).
export function profileIfLoaded(resourceID) {
  const entry = profiles.get(resourceID);
  return entry && entry.promise && !entry.pending ? entry.promise.catch(() => null) : Promise.resolve(null);
}

const access = new Map(); // dataset id -> promise of a boolean

// Whether the visitor may download the dataset's files: anyone for
// unconditional data; for conditional data the holder of an active grant
// (the catalog API gives conditional resources no download_url, whoever
// asks).
export function mayDownload(d, r) {
  if (d.open_type !== 'conditional') return Promise.resolve(Boolean(r.download_url));
  if (!access.has(d.id)) {
    const p = currentUser()
      .then((me) => (me ? apiGet('/grants', { scope: 'mine', dataset_id: d.id, page_size: 100 }) : null))
      .then((res) => Boolean(res && (res.items || []).some((g) => g.status === 'active')))
      .catch(() => false);
    access.set(d.id, p);
  }
  return access.get(d.id);
}

export function downloadURL(r) {
  return r.download_url || `${API_BASE}/resources/${rid(r.id)}/download`;
}
