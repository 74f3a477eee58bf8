// Accessible forms for the account pages (usable by any page): labelled
// inputs with hints, an error summary at the top of the form (role=alert,
// links to each field) and inline messages next to each field, filled
// from local checks or from the API's error.fields. Everything is built
// with createElement; nothing here needs inline script or style.

import { el, clear } from '../dom.js?v=__V__';
import { t, has } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { errorMessage, errorRequestId } from '../layout.js?v=__V__';
import { loginHref } from '../session.js?v=__V__';

// field({name, label, type, value, hint, required, autocomplete, ...}) ->
// the wrapper <div class="form-field"> with label, hint, error slot and
// control. type 'select' takes options [{value, label}]; 'textarea' a
// multi-line box. The control's id is opts.id or "f-<name>".
export function field(o) {
  const id = o.id || `f-${o.name}`;
  const hintId = o.hint ? `${id}-hint` : null;
  const common = {
    id,
    name: o.name,
    required: o.required,
    'aria-describedby': hintId,
    dataset: { testid: o.testid || `field-${o.name}` },
  };
  let control;
  if (o.type === 'select') {
    control = el(
      'select',
      { ...common, class: 'form-control' },
      (o.options || []).map((op) => el('option', { value: op.value, selected: String(op.value) === String(o.value ?? '') }, op.label)),
    );
  } else if (o.type === 'textarea') {
    control = el('textarea', { ...common, class: 'form-control', rows: o.rows || 3, maxlength: o.maxlength }, o.value || '');
  } else {
    control = el('input', {
      ...common,
      class: ['form-control', o.wide === false && 'form-control--short'],
      type: o.type || 'text',
      value: o.value ?? '',
      autocomplete: o.autocomplete || 'off',
      inputmode: o.inputmode,
      maxlength: o.maxlength,
      spellcheck: o.spellcheck === undefined ? null : String(o.spellcheck),
      autocapitalize: o.autocapitalize,
      readonly: o.readonly,
      min: o.min,
    });
  }
  return el(
    'div',
    { class: 'form-field', dataset: { field: o.name } },
    el(
      'label',
      { for: id, class: 'form-label' },
      o.label,
      o.optional ? el('span', { class: 'form-optional' }, t('form.optional')) : null,
    ),
    o.hint ? el('p', { id: hintId, class: 'form-hint' }, o.hint) : null,
    el('p', { id: `${id}-error`, class: 'form-error', hidden: true }),
    control,
  );
}

// radios({name, legend, options: [{value, label, hint}], value}) -> a
// fieldset of radio buttons.
export function radios(o) {
  return el(
    'fieldset',
    { class: 'form-field form-radios', dataset: { field: o.name } },
    el('legend', { class: 'form-label' }, o.legend),
    el('p', { id: `f-${o.name}-error`, class: 'form-error', hidden: true }),
    o.options.map((op) => {
      const id = `f-${o.name}-${op.value}`;
      const hintId = op.hint ? `${id}-hint` : null;
      return el(
        'div',
        { class: 'form-radio' },
        el('input', { type: 'radio', id, name: o.name, value: op.value, checked: op.value === o.value, 'aria-describedby': hintId, dataset: { testid: `${o.name}-${op.value}` } }),
        el('label', { for: id }, op.label),
        op.hint ? el('p', { id: hintId, class: 'form-hint' }, op.hint) : null,
      );
    }),
  );
}

// A checkbox with its label after it.
export function checkbox(o) {
  const id = o.id || `f-${o.name}`;
  return el(
    'div',
    { class: 'form-field form-check', dataset: { field: o.name } },
    el('input', { type: 'checkbox', id, name: o.name, value: o.value || 'on', checked: o.checked, dataset: { testid: o.testid || `field-${o.name}` } }),
    el('label', { for: id }, o.label),
  );
}

// A form with an error summary slot first and a submit row last.
export function form(o, ...fields) {
  return el(
    'form',
    { class: ['form', o.class], novalidate: true, 'aria-labelledby': o.labelledby, dataset: { testid: o.testid } },
    el('div', { class: 'form-summary', tabindex: '-1' }),
    fields,
    el(
      'div',
      { class: 'form-actions' },
      el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: o.submitTestid || 'submit' } }, o.submit),
      o.extra || null,
    ),
  );
}

// The form's values by control name (checkboxes give true/false, radios
// the checked value).
export function values(f) {
  const out = {};
  for (const c of f.elements) {
    if (!c.name) continue;
    if (c.type === 'checkbox') out[c.name] = c.checked;
    else if (c.type === 'radio') {
      if (c.checked) out[c.name] = c.value;
      else if (!(c.name in out)) out[c.name] = '';
    } else out[c.name] = c.value;
  }
  return out;
}

export function clearErrors(f) {
  clear(f.querySelector('.form-summary'));
  f.querySelector('.form-summary').classList.remove('alert', 'alert-error');
  for (const p of f.querySelectorAll('.form-error')) {
    p.hidden = true;
    clear(p);
  }
  for (const c of f.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid');
    const ids = (c.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-error'));
    if (ids.length) c.setAttribute('aria-describedby', ids.join(' '));
    else c.removeAttribute('aria-describedby');
  }
}

// showErrors(form, {field: message}, general) marks each field, lists
// every problem in the summary (a link per field) and moves focus to the
// summary so screen readers announce it. Messages for fields the form
// does not have, and `general` messages, are listed without a link.
export function showErrors(f, fields, general = [], opts = {}) {
  clearErrors(f);
  const items = [];
  for (const [name, raw] of Object.entries(fields || {})) {
    const msg = serverMessage(raw);
    const wrap = f.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const control = wrap && (wrap.querySelector('input:checked') || wrap.querySelector('input, select, textarea'));
    if (!wrap || !control) {
      items.push(el('li', null, msg));
      continue;
    }
    const p = wrap.querySelector('.form-error');
    p.append(el('span', { class: 'visually-hidden' }, t('form.errorPrefix')), msg);
    p.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    const ids = (control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    control.setAttribute('aria-describedby', [p.id, ...ids].join(' '));
    const link = el('a', { href: `#${control.id}` }, msg);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      control.focus();
    });
    items.push(el('li', null, link));
  }
  for (const g of general) items.push(el('li', null, g));
  const summary = f.querySelector('.form-summary');
  summary.classList.add('alert', 'alert-error');
  summary.setAttribute('role', 'alert');
  summary.append(
    el('p', { class: 'alert-title' }, opts.title || t('form.errorTitle')),
    el('ul', { class: 'form-summary-list', dataset: { testid: 'form-errors' } }, items),
  );
  if (opts.requestId) summary.append(el('p', { class: 'alert-meta' }, t('error.requestId', { id: opts.requestId })));
  summary.focus();
}

// Shows an ApiError on a form: its per-field messages when it has them,
// else one readable message.
export function showApiError(f, err) {
  const e = err && err.body && err.body.error && typeof err.body.error === 'object' ? err.body.error : {};
  const fields = e.fields && typeof e.fields === 'object' ? e.fields : null;
  const id = err && err.status >= 500 ? errorRequestId(err) : ''; // for support, when it is ours
  if (fields && Object.keys(fields).length) {
    showErrors(f, fields, [], { requestId: id });
    return;
  }
  showErrors(f, {}, [apiMessage(err)], { requestId: id });
}

// A readable sentence for an ApiError: a known server message in the
// interface language, else the shared errorMessage().
export function apiMessage(err) {
  if (err && err.status === 401 && /wrong e-mail address or password/i.test(err.message)) return t('accounts.error.badLogin');
  // The server says which limit (sign-in, sign-up, verification mail), in the reader's language.
  if (err && err.code === 'rate_limited') return err.message || t('accounts.error.rateLimited');
  const m = err && err.message ? serverMessage(err.message, '') : '';
  return m || errorMessage(err);
}

// Server messages (English) the interface knows how to say; the key's
// text may use {n} from the first number in the message.
const KNOWN = [
  [/valid e-mail address is required/i, 'accounts.msg.email'],
  [/account with this e-mail address exists/i, 'accounts.msg.emailTaken'],
  [/^name is required/i, 'accounts.msg.name'],
  [/only organisations give a credit code/i, 'accounts.msg.creditCodeCitizen'],
  [/unified social credit code is required/i, 'accounts.msg.creditCode'],
  [/organisation is already registered/i, 'accounts.msg.orgExists'],
  [/kind must be citizen or organisation/i, 'accounts.msg.kind'],
  [/password must be at least (\d+)/i, 'accounts.msg.passwordShort'],
  [/password must be at most (\d+)/i, 'accounts.msg.passwordLong'],
  [/password is too common/i, 'accounts.msg.passwordCommon'],
  [/too few different characters/i, 'accounts.msg.passwordRepeats'],
  [/must not contain your e-mail/i, 'accounts.msg.passwordEmail'],
  [/must not contain your name/i, 'accounts.msg.passwordName'],
  [/current password is wrong/i, 'accounts.msg.currentPasswordWrong'],
  [/must differ from the current one/i, 'accounts.msg.passwordSame'],
  [/link is invalid, used or expired/i, 'accounts.msg.resetToken'],
  [/expires_at must be in the future/i, 'accounts.msg.expiresFuture'],
  [/you have (\d+) live tokens/i, 'accounts.msg.tooManyTokens'],
  [/only your organisation's administrator/i, 'accounts.msg.orgAdminOnly'],
  [/belongs to no organisation/i, 'accounts.msg.noOrganisation'],
  [/id must be a slug/i, 'accounts.msg.departmentId'],
  [/department ".*" exists/i, 'accounts.msg.departmentExists'],
  [/region_level must be/i, 'accounts.msg.regionLevel'],
  [/^region is required/i, 'accounts.msg.region'],
  [/cannot be its own parent/i, 'accounts.msg.parentSelf'],
  [/^no department/i, 'accounts.msg.noDepartment'],
  [/a provider belongs to a department/i, 'accounts.msg.providerDepartment'],
  [/an authority oversees a region/i, 'accounts.msg.authorityRegion'],
  [/only for (staff|citizen|organisation) accounts/i, 'accounts.msg.roleKind'],
  [/unknown role/i, 'accounts.msg.unknownRole'],
  [/cannot disable your own account/i, 'accounts.msg.disableSelf'],
  [/cannot remove your own administrator role/i, 'accounts.msg.demoteSelf'],
  [/leave no active administrator/i, 'accounts.msg.lastAdmin'],
  [/this account is disabled/i, 'accounts.msg.disabled'],
  [/session has ended/i, 'accounts.msg.sessionEnded'],
];

export function serverMessage(msg, fallback) {
  const s = String(msg || '');
  for (const [re, key] of KNOWN) {
    const m = s.match(re);
    // A number the message carries is a count: "1 token", "3 tokens".
    if (m && has(key)) return m[1] ? tn(key, Number(m[1])) : t(key, { n: '' });
  }
  return fallback === undefined ? s : fallback;
}

// onSubmit(form, {check, submit}): on submit, runs check(values) (an
// object of field errors; empty = fine), then await submit(values, form)
// with the submit button disabled; an ApiError is shown on the form.
export function onSubmit(f, o) {
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (f.getAttribute('aria-busy') === 'true') return;
    const v = values(f);
    const local = o.check ? o.check(v) : null;
    if (local && Object.keys(local).length) {
      showErrors(f, local);
      return;
    }
    clearErrors(f);
    const button = f.querySelector('button[type=submit]');
    f.setAttribute('aria-busy', 'true');
    if (button) button.disabled = true;
    try {
      await o.submit(v, f);
    } catch (err) {
      if (o.onError && o.onError(err, f)) return;
      if (err && err.status === 401) {
        // The session ended meanwhile: sign in again and come back.
        location.assign(`${loginHref()}&done=expired`);
        return;
      }
      showApiError(f, err);
    } finally {
      f.removeAttribute('aria-busy');
      if (button) button.disabled = false;
    }
  });
}

// A polite live region message (saved, copied…): <p class="form-status">.
export function flash(node, text, kind = 'ok') {
  clear(node);
  node.className = `flash flash-${kind}`;
  node.setAttribute('role', 'status');
  node.textContent = text;
}

// ---- checks shared by the pages ----

export const MIN_PASSWORD = 12;

export function checkEmail(v) {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(String(v || '').trim());
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// GB 32100-2015: 18 characters of the code set, digits 3–8 (division),
// check character last. The server checks the same.
export function validCreditCode(raw) {
  const s = String(raw || '').trim().toUpperCase();
  if (s.length !== 18 || !/^..[0-9]{6}/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARS.indexOf(s[i]);
    if (v < 0) return false;
    sum += v * CREDIT_WEIGHTS[i];
  }
  const c = (31 - (sum % 31)) % 31;
  return CREDIT_CHARS[c] === s[17];
}

// Local password checks (the server also refuses common passwords).
export function passwordProblem(pw) {
  if (!pw) return t('accounts.msg.required');
  if ([...pw].length < MIN_PASSWORD) return t('accounts.msg.passwordShort', { n: MIN_PASSWORD });
  return '';
}

// Copies what the visitor typed from a form about to be replaced (a
// language switch re-renders) into its successor.
export function keepValues(from, to) {
  if (!from || !to) return;
  for (const c of from.elements) {
    if (!c.name) continue;
    const same = [...to.elements].filter((x) => x.name === c.name);
    for (const x of same) {
      if (c.type === 'checkbox' || c.type === 'radio') {
        if (x.value === c.value) x.checked = c.checked;
      } else x.value = c.value;
    }
  }
}

// sessionStorage that tolerates being switched off.
export function stash(key, value) {
  try {
    if (value === undefined || value === null || value === '') sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    /* storage disabled */
  }
}

export function unstash(key) {
  try {
    return sessionStorage.getItem(key) || '';
  } catch {
    return '';
  }
}
