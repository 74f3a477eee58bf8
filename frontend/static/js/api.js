// Shared fetch wrapper for the portal's JSON API.
//
// Every non-2xx answer carries {"error":{"code","message"}}; it is turned into
// an ApiError so pages can show the message and branch on status/code. The
// whole parsed body is kept on the error (a 410 also has "tombstone").

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status; // 0 when the request never got an answer
    this.code = code || '';
    this.body = body || null;
  }
}

// Builds a query string from an object; array values repeat the key
// (topic=a&topic=b). Empty strings, null and undefined are left out.
export function toQuery(params) {
  const sp = new URLSearchParams();
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) {
        for (const x of v) if (x !== '' && x != null) sp.append(k, String(x));
      } else if (v !== '' && v != null) {
        sp.append(k, String(v));
      }
    }
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

// apiGet('/datasets', {q: 'x'}) -> parsed JSON, or throws ApiError.
// opts.signal is passed to fetch (AbortController); an abort rethrows the
// DOMException so callers can ignore it.
export async function apiGet(path, params, opts = {}) {
  const url = API_BASE + path + toQuery(params);
  let res;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', '', null);
  }
  let body = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) {
    try {
      body = await res.json();
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const e = body && typeof body === 'object' && body.error ? body.error : {};
    throw new ApiError(res.status, String(e.code || ''), String(e.message || ''), body);
  }
  if (body === null) throw new ApiError(res.status, 'bad_response', '', null);
  return body;
}

export function isAbort(err) {
  return err && err.name === 'AbortError';
}
