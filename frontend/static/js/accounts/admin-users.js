// /admin/users: find accounts; set roles, department, region, name and the
// disabled state; create staff accounts (a generated password is shown once).

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost, apiPatch } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, checkbox, form, onSubmit, flash, checkEmail } from './forms.js?v=__V__';
import { startPage, disclosure } from './shell.js?v=__V__';

const ROLES = ['citizen', 'organisation', 'provider', 'authority', 'province', 'admin'];
const STAFF_ROLES = ['provider', 'authority', 'province', 'admin'];
const KINDS = ['citizen', 'organisation', 'staff'];
const PAGE_SIZE = 20;

let departments = null;
const query = { q: '', role: '', kind: '', department: '', page: 1 };

function rolesFor(kind) {
  return kind === 'staff' ? STAFF_ROLES : [kind];
}

function deptOptions(empty) {
  return [{ value: '', label: empty }].concat((departments || []).map((d) => ({ value: d.id, label: `${d.name}（${d.id}）` })));
}

// A fieldset of role checkboxes.
function roleBoxes(prefix, kind, checked) {
  return el(
    'fieldset',
    { class: 'form-field form-checks', dataset: { field: 'roles' } },
    el('legend', { class: 'form-label' }, t('accounts.admin.roles')),
    el('p', { id: `${prefix}-roles-error`, class: 'form-error', hidden: true }),
    rolesFor(kind).map((r) =>
      el(
        'div',
        { class: 'form-check' },
        el('input', { type: 'checkbox', id: `${prefix}-role-${r}`, name: `role:${r}`, value: r, checked: checked.includes(r), dataset: { testid: `role-${r}` } }),
        el('label', { for: `${prefix}-role-${r}` }, t(`accounts.role.${r}`)),
      ),
    ),
  );
}

function pickedRoles(v) {
  return Object.keys(v).filter((k) => k.startsWith('role:') && v[k]).map((k) => k.slice(5));
}

function editPanel(u, onDone) {
  const status = el('p', { class: 'flash', role: 'status' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'edit-cancel' } }, t('accounts.cancel'));
  cancel.addEventListener('click', () => onDone(null));
  const fields = [
    field({ name: 'name', id: 'eu-name', label: t('accounts.field.name'), value: u.name, required: true, maxlength: 100 }),
    // Citizens and organisations hold the role of their kind, nothing else.
    u.kind === 'staff'
      ? roleBoxes('eu', u.kind, u.roles || [])
      : el('p', { class: 'muted' }, t('accounts.admin.kindRole', { role: t(`accounts.role.${u.kind}`) })),
  ];
  if (u.kind === 'staff') {
    fields.push(
      field({ name: 'department_id', id: 'eu-department', label: t('accounts.admin.department'), type: 'select', value: u.department ? u.department.id : '', options: deptOptions(t('accounts.admin.noDepartment')), hint: t('accounts.admin.departmentHint') }),
      field({ name: 'region', id: 'eu-region', label: t('accounts.admin.region'), value: u.region || '', hint: t('accounts.admin.regionHint'), maxlength: 100 }),
    );
  }
  fields.push(checkbox({ name: 'disabled', id: 'eu-disabled', label: t('accounts.admin.disabled'), checked: u.disabled }));
  const f = form({ submit: t('accounts.save'), testid: 'user-edit-form', labelledby: 'user-edit-h', extra: [cancel, status] }, ...fields);
  onSubmit(f, {
    check: (v) => (v.name.trim() ? {} : { name: t('accounts.msg.name') }),
    submit: async (v) => {
      const req = { name: v.name.trim(), disabled: Boolean(v.disabled) };
      if (u.kind === 'staff') {
        req.roles = pickedRoles(v);
        req.department_id = v.department_id;
        req.region = v.region.trim();
      }
      const saved = await apiPatch(`/admin/users/${encodeURIComponent(u.id)}`, req);
      onDone(saved);
    },
  });
  return el(
    'section',
    { class: 'account-section edit-panel', 'aria-labelledby': 'user-edit-h', dataset: { testid: 'user-edit' } },
    el('h2', { id: 'user-edit-h', tabindex: '-1' }, t('accounts.admin.editTitle', { email: u.email })),
    f,
  );
}

function createPanel(onCreated) {
  const status = el('p', { class: 'flash', role: 'status' });
  const result = el('div');
  const f = form(
    { submit: t('accounts.admin.create'), testid: 'user-create-form', extra: status },
    field({ name: 'email', id: 'cu-email', label: t('accounts.field.email'), type: 'email', required: true, spellcheck: false, autocapitalize: 'off' }),
    field({ name: 'name', id: 'cu-name', label: t('accounts.field.name'), required: true, maxlength: 100 }),
    roleBoxes('cu', 'staff', []),
    field({ name: 'department_id', id: 'cu-department', label: t('accounts.admin.department'), type: 'select', value: '', options: deptOptions(t('accounts.admin.noDepartment')), hint: t('accounts.admin.departmentHint') }),
    field({ name: 'region', id: 'cu-region', label: t('accounts.admin.region'), hint: t('accounts.admin.regionHint'), maxlength: 100, optional: true }),
  );
  onSubmit(f, {
    check: (v) => {
      const e = {};
      if (!checkEmail(v.email)) e.email = t('accounts.msg.email');
      if (!v.name.trim()) e.name = t('accounts.msg.name');
      if (!pickedRoles(v).length) e.roles = t('accounts.msg.rolesRequired');
      return e;
    },
    submit: async (v, form2) => {
      const res = await apiPost('/admin/users', { email: v.email.trim(), name: v.name.trim(), roles: pickedRoles(v), department_id: v.department_id, region: v.region.trim() });
      form2.querySelector('[name=email]').value = '';
      form2.querySelector('[name=name]').value = '';
      clear(result).append(
        el(
          'div',
          { class: 'alert alert-warning', role: 'status', dataset: { testid: 'created-user' } },
          el('p', { class: 'alert-title' }, t('accounts.admin.created', { email: res.user.email })),
          res.password ? el('p', null, t('accounts.admin.generatedPassword'), ' ', el('code', { class: 'token-value', dataset: { testid: 'generated-password' } }, res.password)) : null,
        ),
      );
      onCreated();
    },
  });
  return disclosure('user-create', t('accounts.admin.createHeading'), el('p', { class: 'muted' }, t('accounts.admin.createNote')), result, f);
}

function userTable(list, onEdit) {
  if (!list.items.length) return el('p', { class: 'empty', dataset: { testid: 'users-empty' } }, t('accounts.admin.noUsers'));
  const cols = ['name', 'email', 'kind', 'roles', 'department', 'status', 'actions'];
  return el(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t('accounts.admin.usersCaption') },
    el(
      'table',
      { class: 'data-table', dataset: { testid: 'users-table' } },
      el('caption', { class: 'visually-hidden' }, t('accounts.admin.usersCaption')),
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`accounts.admin.col.${c}`))))),
      el(
        'tbody',
        null,
        list.items.map((u) => {
          const b = el('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': t('accounts.admin.editNamed', { email: u.email }), dataset: { testid: 'edit-user', id: String(u.id) } }, t('accounts.edit'));
          b.addEventListener('click', () => onEdit(u, b));
          return el(
            'tr',
            { dataset: { testid: 'user-row' } },
            el('td', null, u.name),
            el('td', null, u.email),
            el('td', null, t(`accounts.kind.${u.kind}`)),
            el('td', null, (u.roles || []).map((r) => t(`accounts.role.${r}`)).join('、') || '—'),
            el('td', null, u.department ? u.department.name : u.region || '—'),
            el('td', null, u.disabled ? el('span', { class: 'badge badge-dispute' }, t('accounts.status.disabled')) : t('accounts.status.active')),
            el('td', null, b),
          );
        }),
      ),
    ),
  );
}

startPage({
  section: 'admin',
  page: 'users',
  role: 'admin',
  async render(me, body) {
    const listBox = el('div', { dataset: { testid: 'users' } }, el('p', { class: 'loading' }, t('common.loading')));
    const countLine = el('p', { class: 'result-count', role: 'status', dataset: { testid: 'users-count' } });
    const editBox = el('div');
    const pager = el('nav', { class: 'pager-simple', 'aria-label': t('pager.label') });
    let lastEditButton = null;

    const edit = (u, button) => {
      lastEditButton = button;
      clear(editBox).append(
        editPanel(u, (saved) => {
          clear(editBox);
          if (saved) {
            load().then(() => flash(countLine, t('accounts.admin.saved', { email: saved.email })));
          }
          const again = lastEditButton && document.querySelector(`[data-testid=edit-user][data-id="${u.id}"]`);
          if (again) again.focus();
        }),
      );
      document.getElementById('user-edit-h').focus();
    };
    const load = async () => {
      try {
        const params = { q: query.q, role: query.role, kind: query.kind, department: query.department, page: query.page, page_size: PAGE_SIZE };
        const list = await apiGet('/admin/users', params);
        countLine.textContent = tn('accounts.admin.count', list.total);
        clear(listBox).append(userTable(list, edit));
        clear(pager);
        const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
        if (pages > 1) {
          const go = (p) => {
            query.page = p;
            load();
          };
          const prev = el('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: query.page <= 1 }, t('pager.prev'));
          const next = el('button', { type: 'button', class: 'btn btn-small btn-secondary', disabled: query.page >= pages }, t('pager.next'));
          prev.addEventListener('click', () => go(query.page - 1));
          next.addEventListener('click', () => go(query.page + 1));
          pager.append(prev, el('span', null, t('accounts.admin.pageOf', { n: query.page, total: pages })), next);
        }
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: load }));
      }
    };

    if (departments === null) {
      try {
        departments = (await apiGet('/admin/departments')).items || [];
      } catch {
        departments = [];
      }
    }
    const search = el(
      'form',
      { class: 'filter-form', role: 'search', 'aria-label': t('accounts.admin.searchLabel'), dataset: { testid: 'user-search' } },
      field({ name: 'q', id: 'us-q', label: t('accounts.admin.search'), type: 'search', value: query.q }),
      field({ name: 'role', id: 'us-role', label: t('accounts.admin.role'), type: 'select', value: query.role, options: [{ value: '', label: t('accounts.all') }].concat(ROLES.map((r) => ({ value: r, label: t(`accounts.role.${r}`) }))) }),
      field({ name: 'kind', id: 'us-kind', label: t('accounts.admin.kind'), type: 'select', value: query.kind, options: [{ value: '', label: t('accounts.all') }].concat(KINDS.map((k) => ({ value: k, label: t(`accounts.kind.${k}`) }))) }),
      field({ name: 'department', id: 'us-dept', label: t('accounts.admin.department'), type: 'select', value: query.department, options: deptOptions(t('accounts.all')) }),
      el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'user-search-submit' } }, t('accounts.admin.searchSubmit'))),
    );
    search.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const fd = new FormData(search);
      Object.assign(query, { q: String(fd.get('q') || '').trim(), role: fd.get('role') || '', kind: fd.get('kind') || '', department: fd.get('department') || '', page: 1 });
      load();
    });
    clear(body).append(createPanel(load), search, countLine, editBox, listBox, pager);
    load();
  },
});
