// The frame of the account and administration pages: layout, sign-in
// check, the side navigation (account pages) or the console menu
// (administration pages) and the page title.

import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange, fmtDateTime } from '../i18n.js?v=__V__';
import { initLayout, setTitle, errorAlert } from '../layout.js?v=__V__';
import { requireUser, hasRole } from '../session.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';

// Account pages, in the side navigation's order. `when` hides a page the
// account has no use for.
const ACCOUNT_PAGES = [
  { key: 'profile', href: '/account' },
  { key: 'applications', href: '/account/applications', when: (me) => me.kind !== 'staff' },
  { key: 'grants', href: '/account/grants', when: (me) => me.kind !== 'staff' },
  { key: 'tokens', href: '/account/tokens', when: (me) => me.kind !== 'staff' },
  { key: 'apps', href: '/account/apps', when: (me) => me.kind !== 'staff' },
  { key: 'organisation', href: '/account/organisation', when: (me) => Boolean(me.organisation) },
  { key: 'notifications', href: '/account/notifications' },
];

function sideNav(me, section, current) {
  return el(
    'nav',
    { class: 'side-nav', 'aria-label': t(`accounts.${section}.navLabel`) },
    el(
      'ul',
      null,
      ACCOUNT_PAGES
        .filter((p) => !p.when || p.when(me))
        .map((p) =>
          el('li', null, el('a', { href: p.href, 'aria-current': p.key === current ? 'page' : null, dataset: { testid: `side-${p.key}` } }, t(`accounts.${section}.nav.${p.key}`))),
        ),
    ),
  );
}

// startPage({section: 'account'|'admin', page, role?, render(me, body)})
// signs the visitor in first, checks the role, then renders the side
// navigation and calls render; a language switch renders again.
export async function startPage(o) {
  await initLayout();
  const body = document.getElementById('account-body');
  const side = document.getElementById('side-nav');
  const title = () => setTitle(t(`accounts.${o.section}.nav.${o.page}`), o.section === 'admin' ? t('accounts.admin.title') : t('accounts.account.title'));
  title();
  let me;
  try {
    me = await requireUser();
  } catch (err) {
    clear(body).append(errorAlert(err));
    return;
  }
  // The administration pages are console pages: the console menu (the
  // same on every console page) takes the side navigation's place.
  const consoleMenu = o.section === 'admin';
  if (consoleMenu) {
    side.hidden = true;
    side.parentElement.classList.add('account-layout--single');
    mountConsoleNav(me);
  }
  const draw = () => {
    title();
    if (!consoleMenu) clear(side).append(sideNav(me, o.section, o.page));
    if (o.role && !hasRole(me, o.role)) {
      clear(body).append(
        el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'forbidden' } }, el('p', null, t('accounts.forbidden'))),
      );
      return;
    }
    o.render(me, body);
  };
  draw();
  onLangChange(draw);
}

// A date-time cell value, '—' for none.
export function when(iso) {
  return iso ? fmtDateTime(iso) : t('accounts.never');
}

// A section with a heading, for the body of a page.
export function section(id, heading, ...children) {
  return el('section', { class: 'account-section', 'aria-labelledby': id }, el('h2', { id }, heading), children);
}

// A closed-by-default panel (<details>) for a form that is not the page's
// main task, e.g. "add a department" above the list.
export function disclosure(testid, summary, ...children) {
  return el('details', { class: 'create-panel', dataset: { testid } }, el('summary', null, summary), el('div', { class: 'create-panel-body' }, children));
}
