// /forgot-password: asks for a reset link. The answer is the same whether
// or not the address has an account (the server says nothing more).

import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle } from '../layout.js?v=__V__';
import { apiPost } from '../api.js?v=__V__';
import { field, form, onSubmit, keepValues, checkEmail } from './forms.js?v=__V__';

let sentTo = '';

function render(body) {
  if (sentTo) {
    clear(body).append(
      el(
        'div',
        { class: 'alert alert-info', role: 'status', tabindex: '-1', dataset: { testid: 'reset-sent' } },
        el('p', { class: 'alert-title' }, t('accounts.forgot.sentTitle')),
        el('p', null, t('accounts.forgot.sent', { email: sentTo })),
      ),
      el('p', { class: 'auth-links' }, el('a', { href: '/login' }, t('accounts.forgot.back'))),
    );
    return;
  }
  const old = body.querySelector('form');
  const f = form(
    { submit: t('accounts.forgot.submit'), testid: 'forgot-form', labelledby: 'page-title' },
    field({ name: 'email', label: t('accounts.field.email'), type: 'email', autocomplete: 'email', required: true, hint: t('accounts.forgot.hint'), spellcheck: false, autocapitalize: 'off' }),
  );
  keepValues(old, f);
  onSubmit(f, {
    check: (v) => (checkEmail(v.email) ? {} : { email: t('accounts.msg.email') }),
    submit: async (v) => {
      await apiPost('/auth/password-reset', { email: v.email.trim() }, { noCsrf: true });
      sentTo = v.email.trim();
      render(body);
      body.querySelector('[data-testid=reset-sent]').focus();
    },
  });
  clear(body).append(f, el('p', { class: 'auth-links' }, el('a', { href: '/login' }, t('accounts.forgot.back'))));
}

async function main() {
  await initLayout();
  const title = () => setTitle(t('accounts.forgot.title'));
  title();
  const body = document.getElementById('auth-body');
  render(body);
  onLangChange(() => {
    title();
    render(body);
  });
}

main();
