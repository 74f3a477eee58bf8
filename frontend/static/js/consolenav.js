// The console navigation: one list of the console pages the signed-in
// account's roles may use, the same items in the same order on every
// console, review and administration page, at the top of <main>. Page
// scripts call mountConsoleNav(me) once they know the account; the list
// follows language switches by itself.

import { el } from './dom.js?v=__V__';
import { t, onLangChange } from './i18n.js?v=__V__';
import { currentUser, hasRole } from './session.js?v=__V__';

// The console pages (frontend/embed.go lists their routes), by audience.
// A page may serve several roles (the authority routes requests and
// decides correction extensions on the /console pages); it is listed once,
// where the first group of the account's roles puts it.
export const CONSOLE_GROUPS = [
  {
    // 数据提供部门: its catalog and everything asked of it.
    roles: ['provider'],
    pages: ['catalog', 'import', 'applications', 'grants', 'corrections', 'requests', 'changes', 'revocations', 'overdue'],
  },
  // 部门负责人: decides correction extensions where the profile names it.
  { roles: ['provider_head'], pages: ['corrections'] },
  {
    // 政务数据主管部门: reviews, routes and chases (000 Art 5, 12, 35, 42).
    roles: ['authority'],
    pages: ['catalogReview', 'changesReview', 'revocationReview', 'requests', 'corrections', 'grants', 'overdue', 'apps'],
  },
  // 省级政务数据主管部门: receives revocation filings.
  { roles: ['province'], pages: ['filings', 'overdue'] },
  // 平台管理员.
  { roles: ['admin'], pages: ['users', 'departments'] },
];

export const CONSOLE_PAGES = {
  catalog: '/console',
  import: '/console/import',
  applications: '/console/applications',
  grants: '/console/grants',
  corrections: '/console/corrections',
  requests: '/console/requests',
  changes: '/console/changes',
  revocations: '/console/revocations',
  catalogReview: '/review',
  changesReview: '/review/changes',
  revocationReview: '/review/revocations',
  filings: '/review/filings',
  overdue: '/review/overdue',
  users: '/admin/users',
  departments: '/admin/departments',
  apps: '/admin/apps',
};

// Pages without an item of their own and the item they belong to.
const UNDER = [
  ['/console/datasets/', 'catalog'],
  ['/review/datasets/', 'catalogReview'],
  ['/applications/', 'applications'],
];

// consoleItems(me) -> [{key, href}] for the account's roles, in order.
export function consoleItems(me) {
  const keys = [];
  for (const g of CONSOLE_GROUPS) {
    if (!g.roles.some((r) => hasRole(me, r))) continue;
    for (const k of g.pages) if (!keys.includes(k)) keys.push(k);
  }
  return keys.map((key) => ({ key, href: CONSOLE_PAGES[key] }));
}

function currentKey(items, path) {
  const exact = items.find((i) => i.href === path);
  if (exact) return exact.key;
  for (const [prefix, key] of UNDER) {
    if (path.startsWith(prefix) && items.some((i) => i.key === key)) return key;
  }
  return '';
}

let mounted = null; // {me, opts} of the page's nav, for a language switch

function render(me, opts) {
  const main = document.getElementById('main') || document.querySelector('main');
  const old = document.getElementById('console-nav');
  const items = consoleItems(me);
  if (!main || !items.length) {
    if (old) old.remove();
    return null;
  }
  const current = opts.current || currentKey(items, location.pathname);
  const nav = el(
    'nav',
    { id: 'console-nav', class: 'console-nav', 'aria-label': t('consoleNav.label'), dataset: { testid: 'console-nav' } },
    el(
      'ul',
      null,
      items.map((i) =>
        el('li', null, el('a', { href: i.href, 'aria-current': i.key === current ? 'page' : null, dataset: { consoleNav: i.key } }, t(`consoleNav.${i.key}`))),
      ),
    ),
  );
  if (old) old.replaceWith(nav);
  else main.prepend(nav);
  return nav;
}

// mountConsoleNav(me?, {current?}) puts the console navigation first in
// <main> (replacing an earlier one) and returns it; null for an account
// without console roles. Without me it asks the session. current names
// the item to mark when the address alone does not tell.
export async function mountConsoleNav(me, opts = {}) {
  const account = me === undefined ? await currentUser() : me;
  if (!mounted) onLangChange(() => mounted && render(mounted.me, mounted.opts));
  mounted = { me: account, opts };
  return render(account, opts);
}
