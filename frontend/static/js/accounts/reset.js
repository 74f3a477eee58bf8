// /reset-password?token=…: the link from a reset or invitation mail. The
// token is moved out of the address bar at once (history, Referer) and
// kept in this page only; it works once.

import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle } from '../layout.js?v=__V__';
import { apiPost, setCsrfToken } from '../api.js?v=__V__';
import { field, checkbox, form, onSubmit, keepValues, passwordProblem, MIN_PASSWORD } from './forms.js?v=__V__';

const url = new URL(location.href);
const token = url.searchParams.get('token') || '';
if (token) {
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function render(body) {
  if (!token) {
    clear(body).append(
      el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'reset-no-token' } }, el('p', null, t('accounts.reset.noToken'))),
      el('p', { class: 'auth-links' }, el('a', { href: '/forgot-password' }, t('accounts.reset.again'))),
    );
    return;
  }
  const old = body.querySelector('form');
  const f = form(
    { submit: t('accounts.reset.submit'), testid: 'reset-form', labelledby: 'page-title' },
    field({ name: 'password', label: t('accounts.field.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('accounts.password.hint', { n: MIN_PASSWORD }) }),
    field({ name: 'password2', label: t('accounts.field.confirmPassword'), type: 'password', autocomplete: 'new-password', required: true }),
    checkbox({ name: 'show', label: t('accounts.field.showPassword') }),
  );
  keepValues(old, f);
  const show = f.querySelector('[name=show]');
  const showSync = () => {
    for (const n of ['password', 'password2']) f.querySelector(`[name=${n}]`).type = show.checked ? 'text' : 'password';
  };
  show.addEventListener('change', showSync);
  showSync();
  onSubmit(f, {
    check: (v) => {
      const pw = passwordProblem(v.password);
      if (pw) return { password: pw };
      if (v.password !== v.password2) return { password2: t('accounts.msg.passwordMismatch') };
      return {};
    },
    submit: async (v) => {
      await apiPost('/auth/password-reset/confirm', { token, password: v.password }, { noCsrf: true });
      setCsrfToken(''); // every session of the account has ended
      location.assign('/login?done=reset');
    },
  });
  clear(body).append(f, el('p', { class: 'auth-links' }, el('a', { href: '/forgot-password' }, t('accounts.reset.again'))));
}

async function main() {
  await initLayout();
  const title = () => setTitle(t('accounts.reset.title'));
  title();
  const body = document.getElementById('auth-body');
  render(body);
  onLangChange(() => {
    title();
    render(body);
  });
}

main();
