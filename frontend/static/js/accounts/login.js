// /login: e-mail and password. The answer's CSRF token is kept for the
// tab (api.js); then back to ?next= (a same-site path) or /account, or to
// the password form when a staff password has expired.

import { el, clear, append } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle } from '../layout.js?v=__V__';
import { apiPost, setCsrfToken } from '../api.js?v=__V__';
import { currentUser, safeNext } from '../session.js?v=__V__';
import { field, checkbox, form, onSubmit, apiMessage, showErrors, keepValues, stash, unstash } from './forms.js?v=__V__';

const params = new URLSearchParams(location.search);
const next = safeNext(params.get('next'));
const PASSWORD_PAGE = '/account#profile-password-h';

function notice() {
  const key = { registered: 'accounts.login.registered', reset: 'accounts.login.resetDone', expired: 'accounts.login.expired' }[params.get('done') || ''];
  return key ? el('div', { class: 'alert alert-info', role: 'status', dataset: { testid: 'login-notice' } }, el('p', null, t(key))) : null;
}

function render(body) {
  const old = body.querySelector('form');
  const remembered = unstash('portal.lastEmail');
  const f = form(
    { submit: t('accounts.login.submit'), testid: 'login-form', labelledby: 'page-title' },
    field({ name: 'email', label: t('accounts.field.email'), type: 'email', autocomplete: 'username', required: true, value: remembered, spellcheck: false, autocapitalize: 'off' }),
    field({ name: 'password', label: t('accounts.field.password'), type: 'password', autocomplete: 'current-password', required: true }),
    checkbox({ name: 'show', label: t('accounts.field.showPassword') }),
  );
  const show = f.querySelector('[name=show]');
  show.addEventListener('change', () => {
    f.querySelector('[name=password]').type = show.checked ? 'text' : 'password';
  });
  onSubmit(f, {
    check: (v) => {
      const e = {};
      if (!v.email.trim()) e.email = t('accounts.msg.emailRequired');
      if (!v.password) e.password = t('accounts.msg.required');
      return e;
    },
    submit: async (v) => {
      const res = await apiPost('/auth/login', { email: v.email.trim(), password: v.password }, { noCsrf: true });
      setCsrfToken(res.csrf_token);
      stash('portal.lastEmail', '');
      // A staff password past its age can only be changed (profile page).
      location.assign(res.password_expired ? PASSWORD_PAGE : next);
    },
    onError: (err, f2) => {
      // Wrong credentials name no field: which one was wrong stays unsaid.
      showErrors(f2, {}, [apiMessage(err)]);
      return true;
    },
  });
  keepValues(old, f);
  f.querySelector('[name=password]').type = show.checked ? 'text' : 'password';
  append(clear(body), [
    notice(),
    f,
    el(
      'ul',
      { class: 'auth-links' },
      el('li', null, el('a', { href: '/forgot-password', dataset: { testid: 'forgot-link' } }, t('accounts.login.forgot'))),
      el('li', null, t('accounts.login.noAccount'), ' ', el('a', { href: '/register' }, t('accounts.login.register'))),
    ),
  ]);
}

async function main() {
  await initLayout();
  setTitle(t('accounts.login.title'));
  const me = await currentUser();
  if (me) {
    location.replace(me.password_expired ? PASSWORD_PAGE : next);
    return;
  }
  const body = document.getElementById('auth-body');
  render(body);
  onLangChange(() => {
    setTitle(t('accounts.login.title'));
    render(body);
  });
}

main();
