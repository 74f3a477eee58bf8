// Header, footer and site search box shared by every page.
//
// Pages contain empty <header id="site-header"> and <footer id="site-footer">
// landmarks plus a skip link; initLayout() loads the language, fills both
// landmarks and fetches /api/v1/site for the footer notice. Pages call
// initLayout() first, then render their own <main>.

import { apiGet } from './api.js?v=__V__';
import { currentUser, hasRole, signOut } from './session.js?v=__V__';
import { el, clear } from './dom.js?v=__V__';
import { initI18n, applyI18n, t, has, lang, setLang, onLangChange, htmlLang } from './i18n.js?v=__V__';

const NAV = [
  { key: 'home', href: '/', match: (p) => p === '/' },
  { key: 'datasets', href: '/datasets', match: (p) => p === '/datasets' || p.startsWith('/datasets/') },
  { key: 'announcements', href: '/announcements', match: (p) => p.startsWith('/announcements') },
  { key: 'requests', href: '/requests', match: (p) => p.startsWith('/requests') },
  { key: 'stats', href: '/stats', match: (p) => p.startsWith('/stats') },
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
  items.push(...accountItems(path));

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

// ---- the signed-in state (user menu) ----
// account: undefined while GET /me is on its way, null for a visitor.
let account;
let unread = 0;

// The last items of the main nav: 登录/注册, or the user's menu.
function accountItems(path) {
  if (account === undefined) return [];
  if (!account) {
    const link = (key, href) =>
      el('li', { class: 'nav-login', dataset: { account: 'visitor' } }, el('a', { href, 'aria-current': path.startsWith(href) ? 'page' : null, dataset: { nav: key } }, t(`nav.${key}`)));
    return [link('login', '/login'), link('register', '/register')];
  }
  const links = [
    { key: 'account', href: '/account' },
    { key: 'notifications', href: '/account/notifications', text: unread > 0 ? t('nav.notificationsUnread', { n: unread }) : t('nav.notifications') },
  ];
  if (hasRole(account, 'provider')) links.push({ key: 'console', href: '/console' });
  // A department head (部门负责人) decides correction extensions where the profile says so.
  else if (hasRole(account, 'provider_head')) links.push({ key: 'console', href: '/console/corrections' });
  if (hasRole(account, 'authority') || hasRole(account, 'province')) links.push({ key: 'review', href: '/review' });
  if (hasRole(account, 'admin')) links.push({ key: 'admin', href: '/admin/users' });
  const list = el(
    'ul',
    { id: 'user-menu-list', class: 'user-menu-list', hidden: true, dataset: { testid: 'user-menu' } },
    links.map((l) => el('li', null, el('a', { href: l.href, dataset: { nav: l.key } }, l.text || t(`nav.${l.key}`)))),
    el('li', null, el('button', { type: 'button', class: 'user-menu-logout', dataset: { testid: 'logout' } }, t('nav.logout'))),
  );
  const button = el(
    'button',
    { type: 'button', id: 'user-menu-button', class: 'user-menu-button', 'aria-expanded': 'false', 'aria-controls': 'user-menu-list', dataset: { testid: 'user-menu-button' } },
    el('span', { class: 'user-menu-name' }, account.name || account.email),
    unread > 0 ? el('span', { class: 'user-menu-badge' }, String(unread), el('span', { class: 'visually-hidden' }, t('nav.unreadSuffix'))) : null,
  );
  const item = el('li', { class: 'user-menu', dataset: { account: 'user' } }, button, list);
  button.addEventListener('click', () => setMenuOpen(item, list.hidden));
  item.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !list.hidden) {
      ev.preventDefault();
      setMenuOpen(item, false, true);
    }
  });
  item.addEventListener('focusout', (ev) => {
    if (ev.relatedTarget && !item.contains(ev.relatedTarget)) setMenuOpen(item, false);
  });
  if (!closeOnOutsideClick) {
    closeOnOutsideClick = true;
    document.addEventListener('click', (ev) => {
      const open = document.querySelector('.user-menu');
      if (open && !open.contains(ev.target)) setMenuOpen(open, false);
    });
  }
  list.querySelector('.user-menu-logout').addEventListener('click', () => {
    signOut()
      .catch(() => {}) // a failed call still leaves this tab without its token
      .then(() => location.assign('/'));
  });
  return [item];
}

let closeOnOutsideClick = false;

function setMenuOpen(item, open, focusButton) {
  const button = item.querySelector('.user-menu-button');
  const list = item.querySelector('.user-menu-list');
  button.setAttribute('aria-expanded', String(open));
  list.hidden = !open;
  if (!open && focusButton) button.focus();
}

// Replaces the account items at the end of the main nav (the rest of the
// header, e.g. a half-typed search, is left alone).
function renderAccount() {
  const ul = document.querySelector('#site-header .main-nav ul');
  if (!ul) return;
  for (const li of ul.querySelectorAll(':scope > [data-account]')) li.remove();
  ul.append(...accountItems(location.pathname));
}

async function loadAccount() {
  account = await currentUser();
  if (account) {
    try {
      const inbox = await apiGet('/me/notifications', { limit: 1 });
      unread = Number(inbox.unread) || 0;
    } catch {
      unread = 0;
    }
  }
  renderAccount();
}

// A page that changed the account (its name) redraws the user menu.
export function accountChanged() {
  renderAccount();
}

// Pages that change the unread count (the inbox) tell the header.
export function setUnreadCount(n) {
  unread = Number(n) || 0;
  if (account) renderAccount();
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

// The server renders the header and footer (templates/layout.html); this
// wires them up: the language switch keeps the whole address, the search
// box can run in place, the phone menu button opens the navigation.
function enhanceHeader() {
  const header = document.getElementById('site-header');
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.addEventListener('click', (ev) => {
      ev.preventDefault();
      setLang(sw.dataset.lang);
    });
  }
  const form = header.querySelector('form.search-form');
  const input = document.getElementById('site-search-input');
  if (form && input) {
    form.addEventListener('submit', (ev) => {
      if (!searchHandler) return; // a plain GET to /datasets
      ev.preventDefault();
      searchHandler(input.value.trim());
    });
  }
  const toggle = document.getElementById('menu-toggle');
  const list = document.getElementById('main-nav-list');
  if (toggle && list) {
    toggle.hidden = false;
    const set = (open) => {
      toggle.setAttribute('aria-expanded', String(open));
      header.classList.toggle('nav-open', open);
    };
    toggle.addEventListener('click', () => set(toggle.getAttribute('aria-expanded') !== 'true'));
    header.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && header.classList.contains('nav-open')) {
        set(false);
        toggle.focus();
      }
    });
  }
}

// A page whose language came from the cookie or Accept-Language gets
// ?lang= in its address, so a copied link opens in the same language.
function keepLangInAddress() {
  const url = new URL(location.href);
  if (url.searchParams.has('lang') || lang() === 'zh') return;
  url.searchParams.set('lang', lang());
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

// Call once per page, before rendering <main>.
export async function initLayout() {
  document.documentElement.classList.add('js');
  await initI18n();
  applyI18n();
  keepLangInAddress();
  const ssr = document.getElementById('site-header')?.dataset.ssr === '1';
  if (ssr) {
    enhanceHeader();
  } else {
    renderHeader();
    renderFooter();
    loadSite();
  }
  loadAccount();
  onLangChange(() => {
    if (!ssr) {
      renderHeader();
      renderFooter();
    }
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
