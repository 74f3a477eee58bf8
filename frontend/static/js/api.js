// Shared fetch wrapper for the portal's JSON API.
//
// Every non-2xx answer carries {"error":{"code","message"}}; it is turned into
// an ApiError so pages can show the message and branch on status/code. The
// whole parsed body is kept on the error (a 410 also has "tombstone").

export const API_BASE = '/api/v1';

// The language the server answers in (error messages): the page's own.
// An English page asks for English, any other for Chinese, whatever the
// browser's Accept-Language says.
export function pageLanguage() {
  const lang = (typeof document !== 'undefined' && document.documentElement.lang) || '';
  return lang.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

// The headers every API request sends; pages that call fetch themselves
// (uploads) start from these.
export function apiHeaders(extra) {
  return { Accept: 'application/json', 'Accept-Language': pageLanguage(), ...(extra || {}) };
}

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
  const res = await send(url, {
    headers: apiHeaders(),
    credentials: 'same-origin',
    signal: opts.signal,
  });
  const body = await readBody(res);
  if (body === null) throw new ApiError(res.status, 'bad_response', '', null);
  return body;
}

async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', '', null);
  }
}

// The parsed JSON body of res (null when there is none); throws ApiError
// for a non-2xx answer.
async function readBody(res) {
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
  return body;
}

// ---- state-changing requests and the session's CSRF token ----------------
//
// A cookie session must send its CSRF token in X-CSRF-Token on every
// POST/PUT/PATCH/DELETE. Sign-in answers {"csrf_token"}; the page keeps it
// in sessionStorage (per tab, gone when the tab closes). A tab that lacks it
// (opened later, or storage disabled) asks GET /auth/csrf once.

const CSRF_KEY = 'portal.csrf';
let csrfMemo = '';

export function setCsrfToken(token) {
  csrfMemo = token || '';
  try {
    if (csrfMemo) sessionStorage.setItem(CSRF_KEY, csrfMemo);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* storage disabled: the token lives in this page only */
  }
}

function storedCsrf() {
  if (csrfMemo) return csrfMemo;
  try {
    return sessionStorage.getItem(CSRF_KEY) || '';
  } catch {
    return '';
  }
}

// Asks the server for the current session's token ('' when signed out).
async function fetchCsrf() {
  try {
    const res = await fetch(`${API_BASE}/auth/csrf`, { headers: apiHeaders(), credentials: 'same-origin' });
    const body = res.ok ? await res.json() : null;
    const tok = body && typeof body.csrf_token === 'string' ? body.csrf_token : '';
    setCsrfToken(tok);
    return tok;
  } catch {
    return '';
  }
}

// apiSend('POST', '/me/tokens', {name: 'x'}) -> parsed JSON (null for 204),
// or throws ApiError. Sends the CSRF token; if the server refuses a token
// kept from an older session (403), fetches the current one and retries once.
export async function apiSend(method, path, body, opts = {}) {
  const url = API_BASE + path + toQuery(opts.params);
  const attempt = (token) => {
    const headers = apiHeaders();
    if (token) headers['X-CSRF-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return send(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  };
  const kept = storedCsrf();
  let token = kept || (opts.noCsrf ? '' : await fetchCsrf());
  let res = await attempt(token);
  if (res.status === 403 && kept && !opts.noCsrf) {
    const fresh = await fetchCsrf();
    if (fresh && fresh !== token) {
      token = fresh;
      res = await attempt(token);
    }
  }
  return readBody(res);
}

export const apiPost = (path, body, opts) => apiSend('POST', path, body, opts);
export const apiPatch = (path, body, opts) => apiSend('PATCH', path, body, opts);
export const apiDelete = (path, opts) => apiSend('DELETE', path, undefined, opts);

export function isAbort(err) {
  return err && err.name === 'AbortError';
}
