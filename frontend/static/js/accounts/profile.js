// /account: the account's details, its display name and its password.

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtDateTime } from '../i18n.js?v=__V__';
import { currentUser } from '../session.js?v=__V__';
import { apiPatch, apiPost } from '../api.js?v=__V__';
import { field, checkbox, form, onSubmit, keepValues, flash, apiMessage, passwordProblem, MIN_PASSWORD } from './forms.js?v=__V__';
import { startPage, section } from './shell.js?v=__V__';
import { accountChanged } from '../layout.js?v=__V__';

export function roleLabel(r) {
  return t(`accounts.role.${r}`);
}

function details(me) {
  const rows = [
    ['email', me.email],
    ['kind', t(`accounts.kind.${me.kind}`)],
    ['roles', (me.roles || []).map(roleLabel).join('、') || '—'],
  ];
  if (me.department) rows.push(['department', `${me.department.name}（${me.department.id}）`]);
  if (me.region) rows.push(['region', me.region]);
  if (me.organisation) {
    rows.push(['organisation', me.organisation.name]);
    rows.push(['creditCode', me.organisation.credit_code]);
    rows.push(['orgAdmin', me.org_admin ? t('common.yes') : t('common.no')]);
  }
  rows.push(['createdAt', fmtDateTime(me.created_at)]);
  if (me.password_expires_at) rows.push(['passwordExpiresAt', fmtDateTime(me.password_expires_at)]);
  return el(
    'dl',
    { class: 'meta-list meta-list--compact', dataset: { testid: 'profile-details' } },
    rows.map(([k, v]) => el('div', { class: 'field', dataset: { testid: `profile-${k}` } }, el('dt', null, t(`accounts.profile.${k}`)), el('dd', null, v))),
  );
}

function nameForm(me, refresh) {
  const status = el('p', { class: 'flash', role: 'status' });
  const f = form(
    { submit: t('accounts.profile.saveName'), testid: 'name-form', labelledby: 'profile-name-h', extra: status },
    field({ name: 'name', label: t('accounts.field.name'), value: me.name, autocomplete: 'name', required: true, maxlength: 100 }),
  );
  onSubmit(f, {
    check: (v) => (v.name.trim() ? {} : { name: t('accounts.msg.name') }),
    submit: async (v, form2) => {
      const updated = await apiPatch('/me', { name: v.name.trim() });
      Object.assign(me, updated); // the header shows the same object
      refresh();
      accountChanged();
      flash(form2.querySelector('.flash'), t('accounts.profile.nameSaved'));
    },
  });
  return f;
}

// Staff passwords expire (profile days); until the change nothing else works.
function expiredNotice(me) {
  return el(
    'div',
    { class: 'alert alert-error', role: 'alert', dataset: { testid: 'password-expired' } },
    el('p', { class: 'alert-title' }, t('accounts.profile.passwordExpiredTitle')),
    el('p', null, t('accounts.profile.passwordExpired', { date: fmtDateTime(me.password_expires_at) })),
  );
}

// A new account proves its address before it may apply or report; the
// button mails a new link (the server limits how often).
function verifyNotice(me) {
  const status = el('p', { class: 'flash', role: 'status' });
  const button = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'resend-verification' } }, t('accounts.profile.resendVerification'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await apiPost('/me/verify-email', {});
      flash(status, t('accounts.profile.verificationSent', { email: me.email }));
    } catch (err) {
      flash(status, apiMessage(err), 'error');
    } finally {
      button.disabled = false;
    }
  });
  return el(
    'div',
    { class: 'alert alert-warning', role: 'region', 'aria-labelledby': 'verify-email-h', dataset: { testid: 'verify-email-banner' } },
    el('p', { class: 'alert-title', id: 'verify-email-h' }, t('accounts.profile.unverifiedTitle')),
    el('p', null, t('accounts.profile.unverified', { email: me.email })),
    button,
    status,
  );
}

function passwordForm(me, redraw) {
  const status = el('p', { class: 'flash', role: 'status' });
  const f = form(
    { submit: t('accounts.profile.changePassword'), testid: 'password-form', labelledby: 'profile-password-h', extra: status },
    field({ name: 'current_password', label: t('accounts.field.currentPassword'), type: 'password', autocomplete: 'current-password', required: true }),
    field({ name: 'new_password', label: t('accounts.field.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('accounts.password.hint', { n: MIN_PASSWORD }) }),
    field({ name: 'new_password2', label: t('accounts.field.confirmPassword'), type: 'password', autocomplete: 'new-password', required: true }),
    checkbox({ name: 'show', id: 'f-show-pw', label: t('accounts.field.showPassword') }),
  );
  const show = f.querySelector('[name=show]');
  show.addEventListener('change', () => {
    for (const n of ['current_password', 'new_password', 'new_password2']) f.querySelector(`[name=${n}]`).type = show.checked ? 'text' : 'password';
  });
  onSubmit(f, {
    check: (v) => {
      const e = {};
      if (!v.current_password) e.current_password = t('accounts.msg.required');
      const pw = passwordProblem(v.new_password);
      if (pw) e.new_password = pw;
      else if (v.new_password !== v.new_password2) e.new_password2 = t('accounts.msg.passwordMismatch');
      return e;
    },
    submit: async (v, form2) => {
      await apiPost('/me/password', { current_password: v.current_password, new_password: v.new_password });
      for (const n of ['current_password', 'new_password', 'new_password2']) form2.querySelector(`[name=${n}]`).value = '';
      const wasExpired = me.password_expired;
      const fresh = await currentUser({ refresh: true });
      if (fresh) Object.assign(me, fresh);
      if (wasExpired) {
        redraw();
        accountChanged();
      }
      const node = document.querySelector('[data-testid=password-form] .flash');
      flash(node, t(wasExpired ? 'accounts.profile.passwordRenewed' : 'accounts.profile.passwordChanged'));
    },
  });
  return f;
}

startPage({
  section: 'account',
  page: 'profile',
  render(me, body) {
    const oldName = body.querySelector('[data-testid=name-form]');
    const oldPw = body.querySelector('[data-testid=password-form]');
    const draw = () => {
      const detailsNode = body.querySelector('[data-testid=profile-details]');
      if (detailsNode) detailsNode.replaceWith(details(me));
    };
    const nf = nameForm(me, draw);
    const pf = passwordForm(me, () => this.render(me, body));
    keepValues(oldName, nf);
    keepValues(oldPw, pf);
    const pw = section('profile-password-h', t('accounts.profile.passwordHeading'), el('p', { class: 'muted' }, t('accounts.profile.passwordNote')), pf);
    if (me.password_expired) {
      // The only thing this account can do now: change the password.
      clear(body).append(expiredNotice(me), pw, section('profile-details-h', t('accounts.profile.details'), details(me)));
      pf.querySelector('[name=current_password]').focus();
      return;
    }
    clear(body).append(
      ...(me.email_verified === false ? [verifyNotice(me)] : []),
      section('profile-details-h', t('accounts.profile.details'), details(me)),
      section('profile-name-h', t('accounts.profile.nameHeading'), nf),
      pw,
    );
  },
});
