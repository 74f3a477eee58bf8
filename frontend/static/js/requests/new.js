// /requests/new: a signed-in citizen or organisation asks for data that is
// not in the catalog (000 Art 29). While the title is typed, similar open
// requests are shown so the user can support one instead of asking again;
// the server refuses the same open title with "duplicate_of".

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { requireUser, hasRole } from '../session.js?v=__V__';
import { field, radios, form, onSubmit, showErrors, keepValues } from '../accounts/forms.js?v=__V__';
import { startPage, departments, dueText, fill } from '../corrections/ui.js?v=__V__';
import { card } from './card.js?v=__V__';

startPage({
  title: 'req.title.new',
  async render(body) {
    const me = await requireUser();
    if (!hasRole(me, 'citizen') && !hasRole(me, 'organisation')) {
      clear(body).append(el('div', { class: 'alert alert-info', dataset: { testid: 'req-not-public' } }, el('p', null, t('req.new.onlyPublic')), el('p', null, el('a', { href: '/requests' }, t('req.title.list')))));
      return null;
    }
    const deps = await departments();
    let created = null;
    let similar = [];
    let duplicate = null;
    let current = null;
    const draw = () => {
      if (created) {
        clear(body).append(done(created));
        return;
      }
      const next = requestForm(me, deps, {
        similar,
        duplicate,
        onTitle: async (title) => {
          if (title.trim().length < 2) {
            similar = [];
          } else {
            try {
              const res = await apiGet('/requests', { q: title.trim(), page_size: 5 });
              similar = res.items.filter((r) => r.status !== 'refused' && r.status !== 'fulfilled');
            } catch {
              similar = [];
            }
          }
          renderSimilar();
        },
        onCreated: (r) => {
          created = r;
          draw();
          document.getElementById('page-title').focus();
        },
        onDuplicate: (r) => {
          duplicate = r;
          renderSimilar();
        },
      });
      if (current) keepValues(current, next.form);
      current = next.form;
      clear(body).append(next.node);
      renderSimilar();
    };
    const renderSimilar = () => {
      const slot = document.getElementById('req-similar');
      if (!slot) return;
      const list = duplicate ? [duplicate, ...similar.filter((r) => r.id !== duplicate.id)] : similar;
      const changed = (next) => {
        if (!next) return;
        similar = similar.map((r) => (r.id === next.id ? next : r));
        if (duplicate && duplicate.id === next.id) duplicate = next;
        renderSimilar();
      };
      fill(slot,
        list.length
          ? el(
              'div',
              { class: 'fb-similar fb-panel fb-panel--warn', dataset: { testid: 'req-similar' } },
              el('h2', null, duplicate ? t('req.new.duplicate') : t('req.new.similar')),
              el('ul', { class: 'fb-list' }, list.map((r) => card(me, r, { onChange: changed, heading: 'h3' }))),
            )
          : null,
      );
    };
    draw();
    return draw;
  },
});

function requestForm(me, deps, o) {
  const f = form(
    { submit: t('req.new.submit'), testid: 'request-form', submitTestid: 'request-submit' },
    field({ name: 'title', label: t('req.field.title'), hint: t('req.field.titleHint'), maxlength: 100, required: true }),
    el('div', { id: 'req-similar', 'aria-live': 'polite' }),
    field({ name: 'description', type: 'textarea', label: t('req.field.description'), hint: t('req.field.descriptionHint'), rows: 4, maxlength: 2000, required: true }),
    field({ name: 'intended_use', type: 'textarea', label: t('req.field.intendedUse'), hint: t('req.field.intendedUseHint'), rows: 2, maxlength: 1000, required: true }),
    radios({
      name: 'routing',
      legend: t('req.field.routing'),
      value: 'authority',
      options: [
        { value: 'authority', label: t('req.routing.authority'), hint: t('req.routing.authorityHint') },
        { value: 'department', label: t('req.routing.department'), hint: t('req.routing.departmentHint') },
      ],
    }),
    field({ name: 'department_id', type: 'select', label: t('req.field.departmentPick'), optional: true,
      options: [{ value: '', label: t('req.field.noDepartment') }, ...deps.map((d) => ({ value: d.id, label: d.name }))] }),
  );
  let timer = null;
  f.querySelector('[name=title]').addEventListener('input', (ev) => {
    clearTimeout(timer);
    const v = ev.target.value;
    timer = setTimeout(() => o.onTitle(v), 350);
  });
  onSubmit(f, {
    check(v) {
      const errs = {};
      if (!v.title.trim()) errs.title = t('req.check.title');
      if (!v.description.trim()) errs.description = t('req.check.description');
      if (!v.intended_use.trim()) errs.intended_use = t('req.check.intendedUse');
      if (v.routing === 'department' && !v.department_id) errs.department_id = t('req.check.department');
      return errs;
    },
    async submit(v) {
      const body = { title: v.title, description: v.description, intended_use: v.intended_use };
      if (v.department_id) body[v.routing === 'department' ? 'department_id' : 'suggested_department_id'] = v.department_id;
      o.onCreated(await apiPost('/requests', body));
    },
    onError(err, form) {
      const dup = err && err.body && err.body.duplicate_of;
      if (err.status === 409 && dup) {
        apiGet(`/requests/${encodeURIComponent(dup)}`).then(o.onDuplicate).catch(() => {});
        showErrors(form, { title: t('req.new.duplicateError') });
        return true;
      }
      return false;
    },
  });
  return { form: f, node: el('div', null, el('p', { class: 'fb-lead' }, t('req.new.lead')), f) };
}

function done(r) {
  return el(
    'div',
    { class: 'fb-panel fb-panel--success', role: 'status', dataset: { testid: 'request-done' } },
    el('h2', null, t('req.new.done')),
    el('p', null, r.status === 'routed' ? t('req.new.doneRouted', { date: dueText(r.answer_due_at) }) : t('req.new.doneSubmitted')),
    el('p', null, el('a', { class: 'btn btn-primary', href: `/requests?id=${encodeURIComponent(r.id)}`, dataset: { testid: 'request-link' } }, t('req.new.view'))),
  );
}
