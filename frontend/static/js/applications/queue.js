// /console/applications: the provider department's queue. Pending
// applications first, the most overdue on top (the server orders them),
// each with its due date and working days left (000 Art 34).

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { fill, startPage, statusBadge, dueCell, table, tableWrap, fmtDateTime, forbidden } from './common.js?v=__V__';

const FILTERS = ['pending', 'open', 'decided', 'all'];

startPage({
  title: 'apps.title.queue',
  async render(me, body) {
    if (!hasRole(me, 'provider')) {
      fill(body, forbidden());
      return null;
    }
    let filter = new URLSearchParams(location.search).get('status') || 'pending';
    if (!FILTERS.includes(filter)) filter = 'pending';
    let list = null;
    const load = async () => {
      list = await apiGet('/applications', { scope: 'review', status: filter === 'all' ? '' : filter, page_size: 100 });
    };
    const draw = () => {
      const select = el(
        'select',
        { id: 'queue-filter', class: 'app-control app-control--short', dataset: { testid: 'queue-filter' } },
        FILTERS.map((f) => el('option', { value: f, selected: f === filter }, t(`apps.queue.filter.${f}`))),
      );
      select.addEventListener('change', async () => {
        filter = select.value;
        history.replaceState(null, '', `?status=${filter}`);
        await load();
        draw();
        document.getElementById('queue-filter').focus();
      });
      fill(body, 
        el('div', { class: 'app-toolbar' }, el('label', { for: 'queue-filter' }, t('apps.queue.filter')), select),
        render(list.items),
      );
    };
    await load();
    draw();
    return draw;
  },
});

function render(items) {
  if (!items.length) return el('p', { class: 'empty', dataset: { testid: 'queue-empty' } }, t('apps.queue.none'));
  const rows = items.map((a) =>
    el(
      'tr',
      { class: a.overdue ? 'app-row-overdue' : null, dataset: { testid: 'queue-row', id: a.id } },
      el('th', { scope: 'row' }, a.dataset_title),
      el('td', null, a.applicant.name),
      el('td', null, fmtDateTime(a.submitted_at)),
      el('td', null, statusBadge(a.status)),
      el('td', null, dueCell(a)),
      el('td', null, el('a', { class: 'btn btn-secondary btn-small', href: `/applications/${encodeURIComponent(a.id)}`, dataset: { testid: 'queue-open' } }, a.actions.length ? t('apps.queue.review') : t('apps.open'))),
    ),
  );
  return tableWrap(t('apps.title.queue'), table('queue-table', ['apps.field.dataset', 'apps.field.applicant', 'apps.field.submitted', 'apps.field.status', 'apps.field.due', 'apps.field.actions'], rows));
}
