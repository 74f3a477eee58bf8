// Interface strings and formatting. All strings live in
// /static/i18n/{zh,en}.json; this module picks the language (?lang= in the
// URL wins and is remembered, then localStorage, then Chinese), loads the
// catalog, fills [data-i18n] elements and formats numbers, dates and sizes.

export const LANGS = ['zh', 'en'];
const HTML_LANG = { zh: 'zh-CN', en: 'en' };
const STORE_KEY = 'portal.lang';

let current = 'zh';
let messages = {};
let fallback = {};
const cache = {};
const listeners = [];

function stored() {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

function store(lang) {
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    /* storage may be disabled; the choice then lasts for this page only */
  }
}

export function detectLang() {
  const p = new URLSearchParams(location.search).get('lang');
  if (p && LANGS.includes(p)) {
    store(p);
    return p;
  }
  const s = stored();
  return s && LANGS.includes(s) ? s : 'zh';
}

function fetchCatalog(file) {
  return fetch(`/static/i18n/${file}.json?v=__V__`, { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
}

// Each domain keeps its strings in its own catalog pair
// (/static/i18n/<domain>.<lang>.json); a page names the ones it needs in
// <body data-i18n-extra="publishing accounts">. They merge over the shared one.
function extraCatalogs() {
  const names = (document.body && document.body.dataset.i18nExtra) || '';
  return names.split(/\s+/).filter((n) => /^[a-z][a-z0-9-]*$/.test(n));
}

async function load(lang) {
  if (!cache[lang]) {
    cache[lang] = Promise.all([fetchCatalog(lang), ...extraCatalogs().map((n) => fetchCatalog(`${n}.${lang}`))])
      .then((list) => Object.assign({}, ...list));
  }
  return cache[lang];
}

export async function initI18n() {
  current = detectLang();
  [messages, fallback] = await Promise.all([load(current), load('zh')]);
  document.documentElement.lang = HTML_LANG[current];
  return current;
}

export function lang() {
  return current;
}

export function htmlLang(l = current) {
  return HTML_LANG[l];
}

// t('catalog.resultCount', {n: 3}) -> "共 3 个数据集". Unknown keys fall back to
// Chinese, then to the key itself.
export function t(key, vars) {
  let s = messages[key];
  if (typeof s !== 'string') s = fallback[key];
  if (typeof s !== 'string') return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
  return s;
}

export function has(key) {
  return typeof messages[key] === 'string' || typeof fallback[key] === 'string';
}

// Switches language without reloading: stores the choice, keeps an explicit
// ?lang= in the address in step, re-applies [data-i18n] and tells listeners.
export async function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  messages = await load(l);
  current = l;
  store(l);
  document.documentElement.lang = HTML_LANG[l];
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', l);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  applyI18n();
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// <x data-i18n="key"> gets textContent; <x data-i18n-attr="placeholder:key;aria-label:key2">
// gets attributes.
export function applyI18n(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x && x.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

// ---- formatting ----------------------------------------------------------

export function locale() {
  return current === 'en' ? 'en-US' : 'zh-CN';
}

export function fmtNumber(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(locale()).format(v);
}

const dtf = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function parts(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const p = {};
  for (const x of dtf.formatToParts(d)) p[x.type] = x.value;
  return p;
}

// "2024-05-01T02:30:00Z" -> "2024-05-01 10:30" (Asia/Shanghai).
export function fmtDateTime(iso) {
  const p = parts(iso);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : String(iso || '—');
}

export function fmtDate(iso) {
  const p = parts(iso);
  return p ? `${p.year}-${p.month}-${p.day}` : String(iso || '—');
}

export function fmtBytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v) || v < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  const digits = i === 0 || x >= 100 ? 0 : 1;
  return `${x.toFixed(digits)} ${units[i]}`;
}

// enumLabel('open_type', 'conditional') -> "有条件开放". Falls back to the
// server's label, then the raw value.
export function enumLabel(kind, value, serverLabel) {
  const key = `enum.${kind}.${value}`;
  if (has(key)) return t(key);
  return serverLabel || String(value ?? '');
}
