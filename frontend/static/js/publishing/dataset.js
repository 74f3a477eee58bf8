// The publishing parts of the public dataset page: whether the entry is
// updated on the schedule it declares and its change history (every
// published version).

import { el } from '../dom.js?v=__V__';
import { t, fmtDate } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { freshnessText } from './common.js?v=__V__';

// A metadata row (dt/dd) for the page's definition list.
export function freshnessField(d) {
  if (!d.freshness) return null;
  const late = !d.freshness.on_schedule;
  return el(
    'div',
    { class: 'field', dataset: { field: 'freshness' } },
    el('dt', null, t('pub.dataset.freshness')),
    el('dd', { dataset: { testid: 'field-freshness', onSchedule: String(!late) } }, el('span', { class: ['badge', late ? 'badge-dispute' : 'badge-open'] }, freshnessText(d.freshness))),
  );
}

const histories = {};

// The change history, loaded after the page shows.
export function historySection(d) {
  const list = el('ul', { class: 'history-list', dataset: { testid: 'dataset-history' } });
  const sec = el('section', { class: 'section', 'aria-labelledby': 'history-heading', hidden: true }, el('h2', { id: 'history-heading' }, t('pub.dataset.history')), list);
  if (!histories[d.id]) histories[d.id] = apiGet(`/datasets/${encodeURIComponent(d.id)}/history`);
  histories[d.id]
    .then((r) => {
      for (const h of r.items || []) {
        const changes = (h.changes || []).map((c) => t(`pub.change.${c}`)).join('、');
        list.append(
          el(
            'li',
            { dataset: { testid: 'history-item' } },
            el('strong', null, t('pub.dataset.historyVersion', { n: h.version })),
            ' · ',
            el('time', { datetime: h.published_at }, fmtDate(h.published_at)),
            changes ? [' · ', changes] : null,
            h.note ? el('p', { class: 'prewrap', lang: 'zh-CN' }, h.note) : null,
          ),
        );
      }
      sec.hidden = list.children.length === 0;
    })
    .catch(() => {});
  return sec;
}
