// /admin/departments: every department; add one (its id is a permanent
// slug) or rename / move one.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost, apiPatch } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, flash } from './forms.js?v=__V__';
import { startPage, disclosure, when } from './shell.js?v=__V__';

const LEVELS = ['province', 'city', 'county'];
let departments = null;

function levelLabel(l) {
  return t(`accounts.level.${l}`);
}

// The fields of a department form; prefix keeps ids apart (create / edit).
function deptFields(prefix, d, isNew) {
  const parents = [{ value: '', label: t('accounts.dept.noParent') }].concat(
    (departments || []).filter((x) => !d || x.id !== d.id).map((x) => ({ value: x.id, label: `${x.name}（${x.id}）` })),
  );
  return [
    isNew ? field({ name: 'id', id: `${prefix}-id`, label: t('accounts.dept.id'), hint: t('accounts.dept.idHint'), required: true, maxlength: 64, spellcheck: false, autocapitalize: 'off', wide: false }) : null,
    field({ name: 'name', id: `${prefix}-name`, label: t('accounts.dept.name'), value: d ? d.name : '', required: true, maxlength: 200 }),
    field({ name: 'region_level', id: `${prefix}-level`, label: t('accounts.dept.level'), type: 'select', value: d ? d.region_level : 'city', options: LEVELS.map((l) => ({ value: l, label: levelLabel(l) })) }),
    field({ name: 'region', id: `${prefix}-region`, label: t('accounts.dept.region'), hint: t('accounts.dept.regionHint'), value: d ? d.region : '', required: true, maxlength: 100 }),
    field({ name: 'parent_id', id: `${prefix}-parent`, label: t('accounts.dept.parent'), type: 'select', value: d ? d.parent_id : '', options: parents }),
    field({ name: 'code', id: `${prefix}-code`, label: t('accounts.dept.code'), hint: t('accounts.dept.codeHint'), value: d ? d.code || '' : '', maxlength: 18, spellcheck: false, autocapitalize: 'characters' }),
  ].filter(Boolean);
}

function check(v, isNew) {
  const e = {};
  if (isNew && !/^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/.test(v.id.trim())) e.id = t('accounts.msg.departmentId');
  if (!v.name.trim()) e.name = t('accounts.msg.departmentName');
  if (!v.region.trim()) e.region = t('accounts.msg.region');
  if (v.code.trim() && !/^[0-9A-HJ-NPQRTUWXY]{18}$/i.test(v.code.trim())) e.code = t('accounts.msg.departmentCode');
  return e;
}

function body(v) {
  return { name: v.name.trim(), region_level: v.region_level, region: v.region.trim(), parent_id: v.parent_id, code: v.code.trim().toUpperCase() };
}

startPage({
  section: 'admin',
  page: 'departments',
  role: 'admin',
  render(me, root) {
    const listBox = el('div', { dataset: { testid: 'departments' } }, el('p', { class: 'loading' }, t('common.loading')));
    const status = el('p', { class: 'flash', role: 'status', dataset: { testid: 'dept-status' } });
    const editBox = el('div');
    const createBox = el('div');

    const nameOf = (id) => {
      const d = (departments || []).find((x) => x.id === id);
      return d ? d.name : id;
    };
    const edit = (d) => {
      const cancel = el('button', { type: 'button', class: 'btn btn-secondary' }, t('accounts.cancel'));
      const close = () => {
        clear(editBox);
        const b = document.querySelector(`[data-testid=edit-department][data-id="${CSS.escape(d.id)}"]`);
        if (b) b.focus();
      };
      cancel.addEventListener('click', close);
      const f = form({ submit: t('accounts.save'), testid: 'dept-edit-form', labelledby: 'dept-edit-h', extra: cancel }, ...deptFields('ed', d, false));
      onSubmit(f, {
        check: (v) => check(v, false),
        submit: async (v) => {
          const saved = await apiPatch(`/admin/departments/${encodeURIComponent(d.id)}`, body(v));
          await load();
          close();
          flash(status, t('accounts.dept.saved', { name: saved.name }));
        },
      });
      clear(editBox).append(
        el(
          'section',
          { class: 'account-section edit-panel', 'aria-labelledby': 'dept-edit-h', dataset: { testid: 'dept-edit' } },
          el('h2', { id: 'dept-edit-h', tabindex: '-1' }, t('accounts.dept.editTitle', { id: d.id })),
          f,
        ),
      );
      document.getElementById('dept-edit-h').focus();
    };
    const table = () => {
      if (!departments.length) return el('p', { class: 'empty' }, t('accounts.dept.none'));
      const cols = ['id', 'name', 'level', 'region', 'parent', 'created', 'actions'];
      return el(
        'div',
        { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t('accounts.admin.nav.departments') },
        el(
          'table',
          { class: 'data-table', dataset: { testid: 'departments-table' } },
          el('caption', { class: 'visually-hidden' }, t('accounts.dept.caption', { n: departments.length })),
          el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`accounts.dept.col.${c}`))))),
          el(
            'tbody',
            null,
            departments.map((d) => {
              const b = el('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': t('accounts.dept.editNamed', { name: d.name }), dataset: { testid: 'edit-department', id: d.id } }, t('accounts.edit'));
              b.addEventListener('click', () => edit(d));
              return el(
                'tr',
                { dataset: { testid: 'department-row' } },
                el('td', null, el('code', null, d.id)),
                el('td', null, d.name),
                el('td', null, levelLabel(d.region_level)),
                el('td', null, d.region),
                el('td', null, d.parent_id ? nameOf(d.parent_id) : '—'),
                el('td', null, when(d.created_at)),
                el('td', null, b),
              );
            }),
          ),
        ),
      );
    };
    const drawCreate = () => {
      const f = form({ submit: t('accounts.dept.create'), testid: 'dept-create-form' }, ...deptFields('nd', null, true));
      onSubmit(f, {
        check: (v) => check(v, true),
        submit: async (v) => {
          const saved = await apiPost('/admin/departments', { id: v.id.trim(), ...body(v) });
          await load();
          drawCreate();
          flash(status, t('accounts.dept.created', { name: saved.name }));
        },
      });
      const open = createBox.querySelector('details');
      clear(createBox).append(disclosure('dept-create', t('accounts.dept.createHeading'), f));
      if (open && open.open) createBox.querySelector('details').open = true;
    };
    const load = async () => {
      try {
        departments = (await apiGet('/admin/departments')).items || [];
        clear(listBox).append(table());
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: load }));
      }
    };
    clear(root).append(createBox, status, editBox, listBox);
    load().then(drawCreate);
  },
});
