// The signed-in account, for every page: the header's user menu, pages
// that need a sign-in, sign-out. GET /api/v1/me answers 200 with the
// account or 401 for a visitor; the answer is asked once per page load.

import { apiGet, apiPost, setCsrfToken } from './api.js?v=__V__';

let mePromise = null;

// currentUser() -> the account (GET /me) or null for a visitor. Errors
// other than 401 count as signed out for display; pages that need the
// account use requireUser().
export function currentUser(opts = {}) {
  if (!mePromise || opts.refresh) {
    mePromise = apiGet('/me').catch((err) => {
      if (err && err.status === 401) {
        setCsrfToken('');
        return null;
      }
      throw err;
    });
  }
  return mePromise.catch(() => null);
}

// A same-site path to go back to after signing in; anything else ("//x",
// "https://x", "/\x") becomes fallback.
export function safeNext(raw, fallback = '/account') {
  const s = String(raw || '');
  if (!s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\') || /[\u0000-\u001f]/.test(s)) return fallback;
  if (s === '/login' || s.startsWith('/login?') || s.startsWith('/register')) return fallback;
  return s;
}

// The sign-in page's address, coming back to `next` (default: here).
export function loginHref(next = location.pathname + location.search) {
  return `/login?next=${encodeURIComponent(safeNext(next))}`;
}

// requireUser() -> the account; a visitor is sent to the sign-in page
// (and the promise never settles, so the page renders nothing more). A
// staff account whose password has expired can only change it, so every
// other signed-in page sends it to the password form.
// Other failures are thrown for the page to show.
export async function requireUser() {
  if (!mePromise) currentUser();
  try {
    const me = await mePromise;
    if (me && me.password_expired && location.pathname !== '/account') {
      location.replace('/account#profile-password-h');
      return new Promise(() => {});
    }
    if (me) return me;
  } catch (err) {
    if (!err || err.status !== 401) throw err;
  }
  location.replace(loginHref());
  return new Promise(() => {});
}

export function hasRole(me, role) {
  return Boolean(me && Array.isArray(me.roles) && me.roles.includes(role));
}

// Ends the session on the server and forgets the CSRF token.
export async function signOut() {
  try {
    await apiPost('/auth/logout');
  } catch (err) {
    if (!err || err.status !== 401) throw err; // already signed out is fine
  }
  setCsrfToken('');
  mePromise = Promise.resolve(null);
}
