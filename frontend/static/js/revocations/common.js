// Shared pieces of the revocation pages: the staff page frame (sign-in,
// role check, re-render on language switch, the console menu), status badges, form fields
// with their errors, and the announcement summary used by the lists.

import { el, fill } from '../dom.js?v=__V__';
import { t, has, fmtDate, fmtDateTime } from '../i18n.js?v=__V__';
import { setTitle } from '../layout.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { startSignedIn, labelledField, showFieldErrors } from '../page.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';

export { fmtDate, fmtDateTime, fill };

// startStaffPage({title, role, render(me, body)}): signs the visitor in,
// checks the role, renders into #rv-body; render returns a redraw function
// called again when the language changes.
export function startStaffPage(o) {
  const title = () => {
    setTitle(t(o.title));
    for (const n of document.querySelectorAll('[data-rv-title]')) n.textContent = t(o.title);
  };
  return startSignedIn({
    body: 'rv-body',
    title,
    // The console menu shows for every staff account, also one the page
    // refuses: it leads to the pages that account does use.
    refuse: (me) => {
      mountConsoleNav(me);
      return hasRole(me, o.role) ? null : el('div', { class: 'alert alert-info', dataset: { testid: 'rv-forbidden' } }, el('p', null, t(`rv.forbidden.${o.role}`)));
    },
    render: (me, body) => o.render(me, body),
  });
}

export function statusBadge(status) {
  const cls = { pending: 'badge-pending', approved: 'badge-revoked', rejected: 'badge-neutral' }[status] || 'badge-neutral';
  return el('span', { class: ['badge', cls], dataset: { testid: 'rv-status', status } }, t(`rv.status.${status}`));
}

// The scope of a revocation: the whole dataset or one resource.
export function scopeText(x) {
  return x.resource ? t('rv.scope.resource', { name: x.resource.name }) : t('rv.scope.whole');
}

// China date of an ISO time, "YYYY-MM-DD"; today when iso is omitted.
export function chinaDate(iso) {
  const d = iso ? new Date(iso) : new Date();
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return p;
}

// field(id, name, labelKey, control, {hint}) -> a labelled form field
// with a slot for its error message (filled by showErrors).
export function field(id, name, labelKey, control, opts = {}) {
  return labelledField('rv', id, name, labelKey, control, opts);
}

// showErrors(form, err, keys): puts each field error next to its field
// (keys maps a field to the i18n key of its message, default
// rv.error.<field>) and focuses the first; true when there were any.
export function showErrors(form, err, keys = {}) {
  return showFieldErrors(form, err, 'rv-error', (name, msg) => {
    const key = keys[name] || `rv.error.${name}`;
    return has(key) ? `${t(key)} (${msg})` : String(msg);
  });
}

// onSubmit(form, {send, done, result, keys, failed}): on submit the form's
// button is disabled while send() runs; done(out) records the outcome and
// redraws, then the element matching the selector result gets the focus.
// When that fails the button is enabled again and the error is shown next
// to its fields (showErrors with keys) or, without field errors, by
// failed(err).
export function onSubmit(form, o) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const out = await o.send();
      await o.done(out);
      const n = document.querySelector(o.result);
      if (n) n.focus();
    } catch (err) {
      button.disabled = false;
      if (!showErrors(form, err, o.keys)) o.failed(err);
    }
  });
}

// filterSelect(filters, current, label(x), change(x)): the status filter of
// a list (#rv-filter); a choice goes into ?status= and change(x) redraws,
// then the filter keeps the focus.
export function filterSelect(filters, current, label, change) {
  const select = el(
    'select',
    { id: 'rv-filter', class: 'rv-control rv-control--short', dataset: { testid: 'rv-filter' } },
    filters.map((x) => el('option', { value: x, selected: x === current }, label(x))),
  );
  select.addEventListener('change', async () => {
    history.replaceState(null, '', `?status=${select.value}`);
    await change(select.value);
    document.getElementById('rv-filter').focus();
  });
  return select;
}

// A definition list of label/value pairs; empty values are left out.
export function facts(pairs, testid) {
  return el(
    'dl',
    { class: 'meta-list meta-list--compact', dataset: testid ? { testid } : undefined },
    pairs
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v, id]) => el('div', { class: 'field' }, el('dt', null, t(k)), el('dd', { dataset: id ? { testid: id } : undefined }, v))),
  );
}

export function announcementLink(id, text, testid) {
  return el('a', { href: `/announcements/${encodeURIComponent(id)}`, dataset: testid ? { testid } : undefined }, text);
}

// A short line saying when the data goes (or went).
export function effectText(a) {
  return a.in_effect ? t('rv.effect.since', { date: fmtDate(a.effective_at) }) : t('rv.effect.from', { date: fmtDate(a.effective_at) });
}

// One announcement in a list (the announcements page, the home page,
// where its heading is one level lower).
export function announcementItem(a, testid = 'announcement-item', heading = 'h2') {
  return el(
    'li',
    { class: 'rv-card', dataset: { testid, id: a.id } },
    el('p', { class: 'rv-card-meta' },
      el('span', { class: 'rv-number', lang: 'zh-CN', dataset: { testid: 'announcement-number' } }, a.number),
      a.kind === 'correction' ? el('span', { class: 'badge badge-neutral' }, t('rv.kind.correction')) : null,
      el('span', null, t('rv.published', { date: fmtDate(a.published_at) })),
    ),
    el(heading, null, el('a', { href: `/announcements/${encodeURIComponent(a.id)}`, lang: 'zh-CN', dataset: { testid: 'announcement-link' } }, a.title)),
    el('p', { class: 'rv-card-meta' },
      el('span', { lang: 'zh-CN' }, a.department.name),
      el('span', { class: ['badge', a.in_effect ? 'badge-revoked' : 'badge-pending'] }, effectText(a)),
    ),
  );
}
