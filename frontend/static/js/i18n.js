// Interface strings and formatting. All strings live in
// /static/i18n/{zh,en}.json and domain catalogs; the server picks the
// language (server/locale) and renders <html lang>; this module loads the
// catalogs, fills [data-i18n] elements and formats numbers, dates and sizes.

export const LANGS = ['zh', 'en'];
const HTML_LANG = { zh: 'zh-CN', en: 'en' };

let current = 'zh';
let messages = {};
let fallback = {};
const cache = {};
const listeners = [];

// The server chose the language (?lang=, the lang cookie, Accept-Language,
// Chinese) and wrote it into <html lang>; scripts follow it.
export function detectLang() {
  const l = (document.documentElement.lang || '').toLowerCase();
  return l.startsWith('en') ? 'en' : 'zh';
}

function fetchCatalog(file) {
  return fetch(`/static/i18n/${file}.json?v=__V__`, { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
}

// Each domain keeps its strings in its own catalog pair
// (/static/i18n/<domain>.<lang>.json); a page names the ones it needs in
// <body data-i18n-extra="publishing accounts">. They merge over the shared
// one and the layout's (site).
function extraCatalogs() {
  const names = (document.body && document.body.dataset.i18nExtra) || '';
  return ['site', ...names.split(/\s+/).filter((n) => /^[a-z][a-z0-9-]*$/.test(n))];
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

// Switches language: remembers the choice in the lang cookie (the server
// reads it) and loads the page again in that language, with ?lang= in the
// address so a shared link opens in the same language.
export function setLang(l) {
  if (!LANGS.includes(l)) return;
  document.cookie = `lang=${l}; path=/; max-age=31536000; samesite=lax`;
  const url = new URL(location.href);
  url.searchParams.set('lang', l);
  location.assign(url.pathname + url.search + url.hash);
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
