// /register: a citizen (自然人) or an organisation (法人 / 非法人组织, with
// its 统一社会信用代码, checked here and by the server). Then to /login.

import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle } from '../layout.js?v=__V__';
import { apiPost } from '../api.js?v=__V__';
import { currentUser } from '../session.js?v=__V__';
import { field, radios, checkbox, form, onSubmit, keepValues, stash, checkEmail, validCreditCode, passwordProblem, MIN_PASSWORD } from './forms.js?v=__V__';

function render(body) {
  const old = body.querySelector('form');
  const kind = old ? old.querySelector('[name=kind]:checked')?.value || 'citizen' : 'citizen';
  const f = form(
    { submit: t('accounts.register.submit'), testid: 'register-form', labelledby: 'page-title' },
    radios({
      name: 'kind',
      legend: t('accounts.field.kind'),
      value: kind,
      options: [
        { value: 'citizen', label: t('accounts.kind.citizen'), hint: t('accounts.register.citizenHint') },
        { value: 'organisation', label: t('accounts.kind.organisation'), hint: t('accounts.register.organisationHint') },
      ],
    }),
    field({ name: 'name', label: t('accounts.field.name'), autocomplete: 'name', required: true, maxlength: 100 }),
    field({
      name: 'credit_code',
      label: t('accounts.field.creditCode'),
      hint: t('accounts.register.creditCodeHint'),
      required: true,
      maxlength: 18,
      spellcheck: false,
      autocapitalize: 'characters',
      wide: false,
    }),
    field({ name: 'email', label: t('accounts.field.email'), type: 'email', autocomplete: 'email', required: true, spellcheck: false, autocapitalize: 'off' }),
    field({ name: 'password', label: t('accounts.field.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('accounts.password.hint', { n: MIN_PASSWORD }) }),
    field({ name: 'password2', label: t('accounts.field.confirmPassword'), type: 'password', autocomplete: 'new-password', required: true }),
    checkbox({ name: 'show', label: t('accounts.field.showPassword') }),
  );
  keepValues(old, f);
  const code = f.querySelector('[data-field=credit_code]');
  const nameLabel = f.querySelector('label[for=f-name]');
  const sync = () => {
    const org = f.querySelector('[name=kind]:checked')?.value === 'organisation';
    code.hidden = !org;
    f.querySelector('[name=credit_code]').disabled = !org;
    nameLabel.textContent = org ? t('accounts.field.orgName') : t('accounts.field.name');
  };
  for (const r of f.querySelectorAll('[name=kind]')) r.addEventListener('change', sync);
  sync();
  const show = f.querySelector('[name=show]');
  const showSync = () => {
    for (const n of ['password', 'password2']) f.querySelector(`[name=${n}]`).type = show.checked ? 'text' : 'password';
  };
  show.addEventListener('change', showSync);
  showSync();

  onSubmit(f, {
    check: (v) => {
      const e = {};
      if (v.kind !== 'citizen' && v.kind !== 'organisation') e.kind = t('accounts.msg.kind');
      if (!v.name.trim()) e.name = v.kind === 'organisation' ? t('accounts.msg.orgNameRequired') : t('accounts.msg.name');
      if (v.kind === 'organisation' && !validCreditCode(v.credit_code)) e.credit_code = t('accounts.msg.creditCode');
      if (!checkEmail(v.email)) e.email = t('accounts.msg.email');
      const pw = passwordProblem(v.password);
      if (pw) e.password = pw;
      else if (v.password !== v.password2) e.password2 = t('accounts.msg.passwordMismatch');
      return e;
    },
    submit: async (v) => {
      const req = { kind: v.kind, name: v.name.trim(), email: v.email.trim(), password: v.password };
      if (v.kind === 'organisation') req.credit_code = v.credit_code.trim().toUpperCase();
      await apiPost('/auth/register', req, { noCsrf: true });
      stash('portal.lastEmail', req.email);
      location.assign('/login?done=registered');
    },
  });
  clear(body).append(
    f,
    el('p', { class: 'auth-links' }, t('accounts.register.haveAccount'), ' ', el('a', { href: '/login' }, t('accounts.register.login'))),
  );
}

async function main() {
  await initLayout();
  setTitle(t('accounts.register.title'));
  if (await currentUser()) {
    location.replace('/account');
    return;
  }
  const body = document.getElementById('auth-body');
  render(body);
  onLangChange(() => {
    setTitle(t('accounts.register.title'));
    render(body);
  });
}

main();
