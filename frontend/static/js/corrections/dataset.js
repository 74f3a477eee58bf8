// The dataset page's corrections corner: "report an error" (for the whole
// entry and per data item), the under-dispute mark on a data item, and the
// public history of reports in aggregate (000 Art 24). The server renders
// the button and the link; fillHistory fills the line on that page.

import { el } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { tn } from '../plural.js?v=__V__';

const summaries = {};

function summary(id) {
  if (!summaries[id]) summaries[id] = apiGet('/corrections/summary', { dataset_id: id }).catch(() => null);
  return summaries[id];
}

// reportHref(datasetID, item) -> the report form's address.
export function reportHref(id, item) {
  const q = new URLSearchParams({ dataset: id });
  if (item) q.set('item', item);
  return `/corrections/new?${q}`;
}

// itemDisputeMark(item) -> the badge of a data item named by an open report.
export function itemDisputeMark(it) {
  if (!it || !it.under_dispute) return null;
  return el('span', { class: 'badge badge-dispute fb-item-dispute', dataset: { testid: 'item-dispute', item: it.name } }, t('corr.dataset.itemDispute'));
}

// fillHistory(line, id, ready) writes the history line when the summary
// has arrived and ready (e.g. the page's own refresh) has settled, so the
// line never reports a state the rest of the page does not show yet.
export function fillHistory(line, id, ready = Promise.resolve()) {
  Promise.all([summary(id), ready.catch(() => null)]).then(([s]) => {
    if (!s) return;
    if (!s.received) {
      line.textContent = tn('corr.dataset.historyNone', s.answer_working_days);
      return;
    }
    const median = s.median_answer_working_days === null ? '—' : tn('corr.dataset.medianDays', s.median_answer_working_days);
    line.textContent = t('corr.dataset.history', { received: fmtNumber(s.received), answered: fmtNumber(s.answered), corrected: fmtNumber(s.corrected), median });
  });
}

// correctionsBox(d) -> the report button, the tracking link and the
// history line (filled when the summary arrives).
export function correctionsBox(d) {
  const line = el('p', { class: 'muted', dataset: { testid: 'corrections-history' }, 'aria-live': 'polite' });
  fillHistory(line, d.id);
  return el(
    'div',
    { dataset: { testid: 'corrections-box' } },
    el(
      'div',
      { class: 'fb-report-cta' },
      el('a', { class: 'btn btn-secondary', href: reportHref(d.id), dataset: { testid: 'report-error' } }, t('corr.dataset.report')),
      el('a', { href: '/corrections/track' }, t('corr.dataset.track')),
    ),
    line,
  );
}
