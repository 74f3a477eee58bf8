// /console/requests: the authority routes data requests to departments;
// the provider department accepts (a catalog entry is then due within 10
// working days) or refuses with a reason, and links the published entry
// that fulfils an accepted request (000 Art 29).

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { requireUser, hasRole } from '../session.js?v=__V__';
import { mountConsoleNav } from '../consolenav.js?v=__V__';
import { field, radios, form, onSubmit, flash } from '../accounts/forms.js?v=__V__';
import { startPage, departments, emptyNote, fill } from '../corrections/ui.js?v=__V__';
import { card } from './card.js?v=__V__';

// overdue: requests whose running clock (routing, answer, catalog entry)
// is past its due date.
const FILTERS = {
  provider: ['routed', 'accepted', 'overdue', 'all'],
  authority: ['submitted', 'routed', 'accepted', 'overdue', 'all'],
};

startPage({
  title: 'req.title.console',
  async render(body) {
    const me = await requireUser();
    mountConsoleNav(me);
    const role = hasRole(me, 'provider') ? 'provider' : hasRole(me, 'authority') ? 'authority' : '';
    if (!role) {
      clear(body).append(el('div', { class: 'alert alert-info', dataset: { testid: 'not-staff' } }, el('p', null, t('req.console.notStaff')), el('p', null, el('a', { href: '/requests' }, t('req.title.list')))));
      return null;
    }
    const params = new URLSearchParams(location.search);
    let filter = params.get('filter') || FILTERS[role][0];
    if (!FILTERS[role].includes(filter)) filter = FILTERS[role][0];
    const openID = params.get('id');
    const deps = role === 'authority' ? await departments() : [];
    let datasets = null; // the department's public entries, for fulfilment
    let list = null;
    let failure = null;
    let message = '';
    const load = async () => {
      try {
        const q = filter === 'overdue' ? { overdue: 'true' } : { status: filter === 'all' ? '' : filter };
        list = await apiGet('/requests/queue', { ...q, page_size: 100 });
        failure = null;
      } catch (err) {
        failure = err;
      }
    };
    const ownDatasets = async () => {
      if (datasets === null && me.department) {
        try {
          const res = await apiGet('/datasets', { department: me.department.id, page_size: 100, sort: 'name' });
          datasets = res.items;
        } catch {
          datasets = [];
        }
      }
      return datasets || [];
    };
    if (role === 'provider') await ownDatasets();
    const after = async (text) => {
      message = text;
      await load();
      draw();
      const s = document.getElementById('req-console-status');
      if (s) s.focus();
    };
    const draw = () => {
      const select = el(
        'select',
        { id: 'req-filter', class: 'form-control', dataset: { testid: 'req-filter' } },
        FILTERS[role].map((f) => el('option', { value: f, selected: f === filter }, t(`req.console.filter.${f}`))),
      );
      select.addEventListener('change', async () => {
        filter = select.value;
        history.replaceState(null, '', `?filter=${filter}`);
        await load();
        draw();
        document.getElementById('req-filter').focus();
      });
      const status = el('p', { id: 'req-console-status', tabindex: '-1', dataset: { testid: 'console-status' } });
      if (message) flash(status, message);
      const items = list ? list.items : [];
      fill(body,
        el('p', { class: 'fb-lead' }, t(role === 'provider' ? 'req.console.leadProvider' : 'req.console.leadAuthority')),
        status,
        el('div', { class: 'fb-toolbar' }, el('div', null, el('label', { for: 'req-filter' }, t('req.console.filter')), select)),
        failure ? errorAlert(failure) : null,
        items.length
          ? el(
              'ul',
              { class: 'fb-list', dataset: { testid: 'req-queue' } },
              items.map((r) => card(me, r, { selected: String(r.id) === openID, actions: actions(role, r, deps, datasets || [], after) })),
            )
          : emptyNote(t('req.console.none'), 'req-empty'),
      );
    };
    await load();
    draw();
    return draw;
  },
});

// The forms a request offers to the caller's role in its state.
function actions(role, r, deps, datasets, after) {
  const id = String(r.id);
  if (role === 'authority' && r.status === 'submitted') {
    const f = form(
      { submit: t('req.route.submit'), testid: 'route-form', submitTestid: 'route-submit', class: 'fb-inline-form' },
      field({ id: `f-route-${id}`, name: 'department_id', type: 'select', label: t('req.route.department'), value: r.suggested_department ? r.suggested_department.id : '',
        options: [{ value: '', label: t('req.field.noDepartment') }, ...deps.map((d) => ({ value: d.id, label: d.name }))] }),
    );
    onSubmit(f, {
      check: (v) => (v.department_id ? {} : { department_id: t('req.check.department') }),
      async submit(v) {
        await apiPost(`/requests/${encodeURIComponent(id)}/route`, { department_id: v.department_id });
        await after(t('req.route.done'));
      },
    });
    return f;
  }
  if (role === 'provider' && r.status === 'routed') {
    const f = form(
      { submit: t('req.answer.submit'), testid: 'req-answer-form', submitTestid: 'req-answer-submit', class: 'fb-inline-form' },
      radios({ name: `decision-${id}`, legend: t('req.answer.legend'), value: 'accept', options: ['accept', 'refuse'].map((d) => ({ value: d, label: t(`req.answer.${d}`) })) }),
      field({ id: `f-reason-${id}`, name: 'reason', type: 'textarea', label: t('req.answer.reason'), hint: t('req.answer.reasonHint'), rows: 2, maxlength: 2000 }),
    );
    onSubmit(f, {
      check: (v) => (v[`decision-${id}`] === 'refuse' && !v.reason.trim() ? { reason: t('req.check.reason') } : {}),
      async submit(v) {
        const decision = v[`decision-${id}`];
        await apiPost(`/requests/${encodeURIComponent(id)}/answer`, { decision, reason: v.reason });
        await after(t(`req.answer.done.${decision}`));
      },
    });
    return f;
  }
  if (role === 'provider' && r.status === 'accepted') {
    const f = form(
      { submit: t('req.fulfil.submit'), testid: 'fulfil-form', submitTestid: 'fulfil-submit', class: 'fb-inline-form' },
      field({ id: `f-dataset-${id}`, name: 'dataset_id', type: 'select', label: t('req.fulfil.dataset'), hint: t('req.fulfil.hint'),
        options: [{ value: '', label: t('req.fulfil.pick') }, ...datasets.map((d) => ({ value: d.id, label: d.title }))] }),
    );
    onSubmit(f, {
      check: (v) => (v.dataset_id ? {} : { dataset_id: t('req.check.dataset') }),
      async submit(v) {
        await apiPost(`/requests/${encodeURIComponent(id)}/fulfil`, { dataset_id: v.dataset_id });
        await after(t('req.fulfil.done'));
      },
    });
    return f;
  }
  return null;
}
