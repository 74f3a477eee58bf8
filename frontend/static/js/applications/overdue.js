// /review/overdue: the authority's deadline board (000 Art 42): pending
// applications past their due date in its region, counts per department,
// and the working-day calendar's warnings for staff (a year without an
// official holiday file is counted on a provisional calendar).

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { fill, startPage, dueCell, table, tableWrap, fmtDateTime, forbidden } from './common.js?v=__V__';

startPage({
  title: 'apps.title.overdue',
  async render(me, body) {
    if (!hasRole(me, 'authority') && !hasRole(me, 'province') && !hasRole(me, 'provider')) {
      fill(body, forbidden());
      return null;
    }
    const board = await apiGet('/applications/overdue');
    const draw = () => fill(body, render(board));
    draw();
    return draw;
  },
});

function render(b) {
  const out = [];
  if (b.calendar_warnings.length) {
    out.push(
      el(
        'div',
        { class: 'alert alert-warning', role: 'note', dataset: { testid: 'calendar-warnings' } },
        el('p', { class: 'alert-title' }, t('apps.overdue.warnings')),
        b.calendar_warnings.map((w) => el('p', null, w)),
      ),
    );
  }
  out.push(
    el('h2', { id: 'h-items' }, t('apps.overdue.items')),
    b.items.length
      ? tableWrap(
          t('apps.overdue.items'),
          table(
            'overdue-table',
            ['apps.field.department', 'apps.field.dataset', 'apps.field.applicant', 'apps.field.due', 'apps.field.escalated'],
            b.items.map((a) =>
              el(
                'tr',
                { dataset: { testid: 'overdue-row', id: a.id } },
                el('th', { scope: 'row' }, a.department_name),
                el('td', null, el('a', { href: `/applications/${encodeURIComponent(a.id)}` }, a.dataset_title)),
                el('td', null, a.applicant.name),
                el('td', null, dueCell(a)),
                el('td', null, a.escalated_at ? fmtDateTime(a.escalated_at) : '—'),
              ),
            ),
          ),
        )
      : el('p', { class: 'empty', dataset: { testid: 'overdue-empty' } }, t('apps.overdue.none')),
  );
  const cols = ['received', 'pending', 'overdue', 'escalated', 'decidedLate', 'late', 'approved', 'rejected'];
  const key = { decidedLate: 'decided_late' };
  out.push(
    el('h2', { id: 'h-depts' }, t('apps.overdue.departments')),
    b.departments.length
      ? tableWrap(
          t('apps.overdue.departments'),
          table(
            'departments-table',
            ['apps.field.department', ...cols.map((c) => `apps.overdue.${c}`)],
            b.departments.map((d) =>
              el(
                'tr',
                { class: d.overdue > 0 ? 'app-row-overdue' : null, dataset: { testid: 'department-row', id: d.department_id } },
                el('th', { scope: 'row' }, d.department_name || d.department_id),
                cols.map((c) => el('td', { class: 'num' }, fmtNumber(d[key[c] || c]))),
              ),
            ),
          ),
        )
      : el('p', { class: 'empty' }, t('common.empty')),
  );
  return out;
}
