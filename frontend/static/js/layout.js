// Header, footer and site search box shared by every page.
//
// Pages contain empty <header id="site-header"> and <footer id="site-footer">
// landmarks plus a skip link; initLayout() loads the language, fills both
// landmarks and fetches /api/v1/site for the footer notice. Pages call
// initLayout() first, then render their own <main>.

import { apiGet } from './api.js?v=__V__';
import { el, clear } from './dom.js?v=__V__';
import { initI18n, applyI18n, t, has, lang, setLang, onLangChange, htmlLang } from './i18n.js?v=__V__';

const NAV = [
  { key: 'home', href: '/', match: (p) => p === '/' },
  { key: 'datasets', href: '/datasets', match: (p) => p === '/datasets' || p.startsWith('/datasets/') },
  { key: 'announcements', href: '/announcements', match: (p) => p.startsWith('/announcements') },
  { key: 'developers', href: '/developers', match: (p) => p.startsWith('/developers') },
];

let site = null;
let searchHandler = null;
let titleParts = [];

// Sets <title> to "part - part - 平台名"; parts are already translated.
export function setTitle(...parts) {
  titleParts = parts.filter(Boolean);
  document.title = [...titleParts, t('site.name')].join(' - ');
}

// On the catalog page the header search runs in place (pushState) instead
// of loading /datasets?q= again.
export function onSearch(fn) {
  searchHandler = fn;
}

export function setSearchValue(q) {
  const input = document.getElementById('site-search-input');
  if (input) input.value = q || '';
}

function searchForm(id, opts = {}) {
  const input = el('input', {
    id,
    type: 'search',
    name: 'q',
    class: 'search-input',
    autocomplete: 'off',
    enterkeyhint: 'search',
    placeholder: t('search.placeholder'),
    dataset: { testid: opts.testid || 'search-input' },
  });
  const form = el(
    'form',
    {
      class: ['search-form', opts.big && 'search-form--big'],
      role: 'search',
      'aria-label': t(opts.regionLabel || 'search.region'),
      action: '/datasets',
      method: 'get',
    },
    el('label', { for: id, class: opts.big ? 'search-label' : 'visually-hidden' }, t('search.label')),
    el(
      'div',
      { class: 'search-row' },
      input,
      el('button', { type: 'submit', class: 'btn btn-primary search-submit' }, t('search.submit')),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    if (searchHandler) {
      searchHandler(q);
      return;
    }
    location.assign(q ? `/datasets?q=${encodeURIComponent(q)}` : '/datasets');
  });
  return form;
}

// A search form for page bodies (the home page hero); same behaviour as the
// header one.
export function bigSearchForm(id) {
  return searchForm(id, { big: true, testid: 'hero-search-input', regionLabel: 'search.heroRegion' });
}

function renderHeader() {
  const header = document.getElementById('site-header');
  if (!header) return;
  const prev = document.getElementById('site-search-input');
  const keep = prev ? prev.value : '';
  const focusLang = document.activeElement && document.activeElement.dataset.testid === 'lang-switch';
  clear(header);
  header.classList.add('site-header');

  const other = lang() === 'zh' ? 'en' : 'zh';
  const langBtn = el(
    'button',
    {
      type: 'button',
      class: 'lang-switch',
      id: 'lang-switch',
      lang: htmlLang(other),
      dataset: { testid: 'lang-switch', lang: other },
    },
    t('lang.switch'),
  );
  langBtn.addEventListener('click', () => setLang(other));

  const path = location.pathname;
  const items = NAV.map((n) =>
    el(
      'li',
      null,
      el('a', { href: n.href, 'aria-current': n.match(path) ? 'page' : null, dataset: { nav: n.key } }, t(`nav.${n.key}`)),
    ),
  );
  items.push(
    el(
      'li',
      { class: 'nav-login' },
      el('a', { href: '/login', 'aria-current': path.startsWith('/login') ? 'page' : null, dataset: { nav: 'login' } }, t('nav.login')),
    ),
  );

  header.append(
    el(
      'div',
      { class: 'topbar' },
      el(
        'div',
        { class: 'container topbar-inner' },
        el(
          'a',
          { class: 'brand', href: '/' },
          el('img', { class: 'brand-logo', src: '/static/img/logo.svg?v=__V__', alt: '', width: 40, height: 40 }),
          el('span', { class: 'brand-name' }, t('site.name')),
        ),
        langBtn,
      ),
    ),
    el(
      'div',
      { class: 'navbar' },
      el(
        'div',
        { class: 'container navbar-inner' },
        el('nav', { class: 'main-nav', 'aria-label': t('nav.label') }, el('ul', null, items)),
        searchForm('site-search-input'),
      ),
    ),
  );
  const input = document.getElementById('site-search-input');
  if (input) input.value = keep;
  if (focusLang) document.getElementById('lang-switch').focus();
}

function renderFooter() {
  const footer = document.getElementById('site-footer');
  if (!footer) return;
  clear(footer);
  footer.classList.add('site-footer');
  const notice = site && typeof site.notice === 'string' && site.notice.trim() ? site.notice : '';
  footer.append(
    el(
      'div',
      { class: 'container footer-inner' },
      notice
        ? el(
            'p',
            { class: 'site-notice', id: 'site-notice', lang: 'zh-CN', dataset: { testid: 'site-notice' } },
            el('span', { class: 'site-notice-label' }, t('footer.noticeLabel')),
            notice,
          )
        : null,
      el(
        'nav',
        { class: 'footer-nav', 'aria-label': t('footer.navLabel') },
        el(
          'ul',
          null,
          NAV.map((n) => el('li', null, el('a', { href: n.href }, t(`nav.${n.key}`)))),
        ),
      ),
      el('p', { class: 'footer-name' }, t('footer.copyright', { name: t('site.name') })),
    ),
  );
  // The notice is published in Chinese; mark it so screen readers read it
  // right when the interface is English. The label is interface text.
  const label = footer.querySelector('.site-notice-label');
  if (label) label.setAttribute('lang', htmlLang());
}

async function loadSite() {
  try {
    site = await apiGet('/site');
  } catch {
    site = null;
  }
  renderFooter();
}

// Call once per page, before rendering <main>.
export async function initLayout() {
  document.documentElement.classList.add('js');
  await initI18n();
  applyI18n();
  renderHeader();
  renderFooter();
  loadSite();
  onLangChange(() => {
    renderHeader();
    renderFooter();
    document.title = [...titleParts, t('site.name')].join(' - ');
  });
  const main = document.getElementById('main');
  const skip = document.querySelector('.skip-link');
  if (main && skip) {
    skip.addEventListener('click', () => main.focus());
  }
}

// Shows a visible alert in `container` (role=alert).
export function errorAlert(err, opts = {}) {
  return el(
    'div',
    { class: 'alert alert-error', role: 'alert', dataset: { testid: 'error-alert' } },
    el('p', { class: 'alert-title' }, opts.title || t('error.title')),
    el('p', null, errorMessage(err)),
    errorRequestId(err) ? el('p', { class: 'alert-meta' }, t('error.requestId', { id: errorRequestId(err) })) : null,
    opts.retry ? el('button', { type: 'button', class: 'btn btn-secondary', onclick: opts.retry }, t('common.retry')) : null,
  );
}

// A readable message for an ApiError: the translated meaning of its code
// (or status), followed by the server's own explanation: the per-field
// messages of a validation error when there are any, else its message.
export function errorMessage(err) {
  if (!err) return t('error.generic', { status: '?' });
  if (err.status === 0) return t('error.network');
  let head = '';
  if (err.code && has(`error.code.${err.code}`)) head = t(`error.code.${err.code}`);
  else if (err.status && has(`error.status.${err.status}`)) head = t(`error.status.${err.status}`);
  else if (err.status) head = t('error.generic', { status: err.status });
  const e = err.body && err.body.error && typeof err.body.error === 'object' ? err.body.error : {};
  let detail = '';
  if (e.fields && typeof e.fields === 'object') {
    detail = Object.entries(e.fields)
      .map(([k, v]) => t('error.fieldDetail', { field: has(`error.field.${k}`) ? t(`error.field.${k}`) : k, message: String(v) }))
      .join('; ');
  }
  if (!detail && err.status && err.message && err.message !== err.code) detail = err.message;
  if (head && detail) return t('error.withDetail', { head, detail });
  return head || detail || String(err.message || err);
}

// The request id the server put in an error body, for support.
export function errorRequestId(err) {
  const e = err && err.body && err.body.error;
  return e && typeof e.request_id === 'string' ? e.request_id : '';
}
