// Shared pieces of the pages for a signed-in account (applications and
// grants, the catalog console and review, revocations): the page frame and
// labelled form fields with their errors.

import { el, fill } from './dom.js?v=__V__';
import { t, onLangChange } from './i18n.js?v=__V__';
import { initLayout, errorAlert } from './layout.js?v=__V__';
import { requireUser } from './session.js?v=__V__';

// startSignedIn({body, title(), nav(me), refuse(me), render(me, body, title)}):
// lays out the page and sets its title, signs the visitor in, then renders
// into #<body>. refuse (optional) returns what to show instead when the
// account may not use the page; nav (optional) draws the page's links.
// A language switch sets the title and the links again and calls the
// function render returned (render keeps its data and only redraws).
export async function startSignedIn(o) {
  await initLayout();
  const body = document.getElementById(o.body);
  o.title();
  let me;
  try {
    me = await requireUser();
  } catch (err) {
    fill(body, errorAlert(err));
    return;
  }
  const refusal = o.refuse ? o.refuse(me) : null;
  if (refusal) {
    fill(body, refusal);
    onLangChange(o.title);
    return;
  }
  if (o.nav) o.nav(me);
  let redraw = null;
  try {
    redraw = await o.render(me, body, o.title);
  } catch (err) {
    fill(body, errorAlert(err));
  }
  onLangChange(() => {
    o.title();
    if (o.nav) o.nav(me);
    if (typeof redraw === 'function') redraw();
  });
}

// labelledField(prefix, id, name, labelKey, control, {hint, hidden}) -> a
// labelled form field (classes <prefix>-field, -label, -hint, -error) with
// a slot for its error message, filled by showFieldErrors.
export function labelledField(prefix, id, name, labelKey, control, opts = {}) {
  const hintId = opts.hint ? `${id}-hint` : null;
  const errId = `${id}-error`;
  control.id = id;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return el(
    'div',
    { class: `${prefix}-field`, dataset: { field: name }, hidden: opts.hidden },
    el('label', { for: id, class: `${prefix}-label` }, t(labelKey)),
    opts.hint ? el('p', { id: hintId, class: `${prefix}-hint` }, t(opts.hint)) : null,
    el('p', { id: errId, class: `${prefix}-error`, hidden: true }),
    control,
  );
}

// showFieldErrors(form, err, errorClass, message(name, msg)): puts each
// field error of err's body next to its field (in the .<errorClass> slot
// of the [data-field] box) and focuses the first; true when there were any.
export function showFieldErrors(form, err, errorClass, message) {
  for (const p of form.querySelectorAll(`.${errorClass}`)) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const fields = err && err.body && err.body.error && err.body.error.fields;
  if (!fields) return false;
  let first = null;
  for (const [name, msg] of Object.entries(fields)) {
    const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!box) continue;
    const p = box.querySelector(`.${errorClass}`);
    p.textContent = message(name, msg);
    p.hidden = false;
    const control = box.querySelector('input, textarea, select');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      if (!first) first = control;
    }
  }
  if (first) first.focus();
  return Boolean(first);
}
