// /account/applications: the signed-in applicant's applications, newest
// first, with status, due date and the reasons of a rejection.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { fill, startPage, statusBadge, dueCell, table, tableWrap, fmtDateTime } from './common.js?v=__V__';

startPage({
  title: 'apps.title.mine',
  async render(me, body) {
    const list = await apiGet('/applications', { scope: 'mine', page_size: 100 });
    const draw = () => fill(body, render(list.items));
    draw();
    return draw;
  },
});

function render(items) {
  if (!items.length) {
    return el('p', { class: 'empty', dataset: { testid: 'apps-empty' } }, t('apps.mine.none'), ' ', el('a', { href: '/datasets?open_type=conditional' }, t('apps.mine.browse')));
  }
  const rows = items.map((a) =>
    el(
      'tr',
      { dataset: { testid: 'app-row', id: a.id } },
      el('th', { scope: 'row' }, el('a', { href: `/applications/${encodeURIComponent(a.id)}` }, a.dataset_title)),
      el('td', null, a.department_name),
      el('td', null, fmtDateTime(a.submitted_at)),
      el('td', null, statusBadge(a.status)),
      el('td', null, dueCell(a)),
      el(
        'td',
        { class: 'prewrap' },
        a.status === 'rejected' ? el('span', { dataset: { testid: 'app-reason' } }, a.reason) : null,
        a.status === 'needs_more_material' ? el('ul', { class: 'app-missing' }, a.missing.map((m) => el('li', null, m))) : null,
      ),
    ),
  );
  return tableWrap(t('apps.title.mine'), table('apps-table', ['apps.field.dataset', 'apps.field.department', 'apps.field.submitted', 'apps.field.status', 'apps.field.due', 'apps.field.reason'], rows));
}
