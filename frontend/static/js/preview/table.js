// The preview tab: 50 rows a page of a CSV resource from
// GET /resources/{id}/preview, sortable by column, filtered by one column's
// value, paged. Conditionally open data shows only for grant holders (and
// only their approved columns: the API does that); others see how to
// apply.

import { el, fill, idPart, preserveFocus } from '../dom.js?v=__V__';
import { t, fmtNumber } from '../i18n.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { fetchPreview } from './data.js?v=__V__';
import { NUMERIC, fieldLabel, typedValue } from './columns.js?v=__V__';

export const PAGE = 50;
const MAX_OFFSET = 10000; // the API pages no deeper

export function previewState() {
  return { offset: 0, sort: '', filter: null, page: null, fields: null, error: null, loading: false, seq: 0, filterError: '' };
}

// The notice for data the visitor may not read yet (403).
export function applyNotice(d, testid) {
  return el(
    'div',
    { class: 'callout', dataset: { testid } },
    el('p', { class: 'callout-title' }, t('preview.locked.title')),
    el('p', null, t('preview.locked.body')),
    el('p', null, el('a', { class: 'btn btn-primary btn-small', href: `/apply?dataset=${encodeURIComponent(d.id)}` }, t('preview.locked.apply'))),
  );
}

// A failed call's message: 403 apply, 404 nothing to show, 503 being
// prepared (retry), anything else the generic alert.
export function failureBox(d, err, retry, testid) {
  if (err.status === 403) return applyNotice(d, `${testid}-locked`);
  if (err.status === 404) return el('p', { class: 'empty', dataset: { testid: `${testid}-none` } }, t('preview.none'));
  if (err.status === 503) {
    return el(
      'div',
      { class: 'alert alert-info', dataset: { testid: `${testid}-preparing` } },
      el('p', null, t('preview.preparing')),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: retry }, t('common.retry')),
    );
  }
  return errorAlert(err, { title: t('preview.error'), retry });
}

function cellText(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function previewPanel(ctx) {
  const { d, r, st, uid } = ctx;
  const s = st.preview;
  const root = el('div', { class: 'pv-preview', dataset: { testid: 'preview' } });

  async function load() {
    const my = ++s.seq;
    s.loading = true;
    s.error = null;
    draw();
    try {
      const page = await fetchPreview(r.id, { offset: s.offset, limit: PAGE, sort: s.sort, filters: s.filter ? { [s.filter.field]: s.filter.value } : null });
      if (my !== s.seq) return;
      s.page = page;
      if (!s.fields) s.fields = page.fields || [];
    } catch (err) {
      if (my !== s.seq) return;
      s.error = err;
    }
    s.loading = false;
    draw();
  }

  function sortState(id) {
    if (s.sort === id) return 'ascending';
    if (s.sort === `-${id}`) return 'descending';
    return null;
  }

  function cycleSort(id) {
    const cur = sortState(id);
    s.sort = cur === null ? id : cur === 'ascending' ? `-${id}` : '';
    s.offset = 0;
    load();
  }

  function filterForm() {
    const fields = s.fields || [];
    if (!fields.length) return null;
    const colID = `${uid}-filter-col`;
    const valID = `${uid}-filter-val`;
    const errID = `${uid}-filter-err`;
    const select = el(
      'select',
      { id: colID, name: 'field', dataset: { testid: 'preview-filter-field' } },
      fields.map((f) => el('option', { value: f.id, selected: s.filter ? s.filter.field === f.id : false }, fieldLabel(f))),
    );
    const input = el('input', {
      id: valID,
      name: 'value',
      type: 'text',
      value: s.filter ? String(s.filter.raw) : '',
      'aria-describedby': errID,
      'aria-invalid': s.filterError ? 'true' : null,
      autocomplete: 'off',
      dataset: { testid: 'preview-filter-value' },
    });
    const form = el(
      'form',
      { class: 'pv-filter', role: 'search', 'aria-label': t('preview.filter.label', { name: r.name || '' }), dataset: { testid: 'preview-filter' } },
      el('div', { class: 'pv-filter-field' }, el('label', { for: colID }, t('preview.filter.column')), select),
      el('div', { class: 'pv-filter-field pv-filter-grow' }, el('label', { for: valID }, t('preview.filter.value')), input),
      el(
        'div',
        { class: 'pv-filter-actions' },
        el('button', { type: 'submit', class: 'btn btn-primary btn-small', dataset: { testid: 'preview-filter-apply' } }, t('preview.filter.apply')),
        s.filter ? el('button', { type: 'button', class: 'btn btn-secondary btn-small', dataset: { testid: 'preview-filter-clear' }, onclick: clearFilter }, t('preview.filter.clear')) : null,
      ),
      el('p', { id: errID, class: 'pv-filter-error', hidden: !s.filterError }, s.filterError),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = fields.find((x) => x.id === select.value);
      if (!f) return;
      if (input.value.trim() === '') {
        clearFilter();
        return;
      }
      const typed = typedValue(f.type, input.value);
      if (!typed.ok) {
        s.filterError = t(`preview.filter.bad.${NUMERIC.has(f.type) ? 'number' : f.type === 'boolean' ? 'boolean' : f.type === 'date' ? 'date' : 'text'}`, { column: fieldLabel(f) });
        draw();
        document.getElementById(valID).focus();
        return;
      }
      s.filterError = '';
      s.filter = { field: f.id, value: typed.value, raw: input.value.trim() };
      s.offset = 0;
      load();
    });
    return form;
  }

  function clearFilter() {
    s.filter = null;
    s.filterError = '';
    s.offset = 0;
    load();
  }

  function statusLine() {
    const p = s.page;
    let text = '';
    if (s.loading && !p) text = t('common.loading');
    else if (p) {
      const total = Number(p.total) || 0;
      const n = (p.records || []).length;
      text = n ? t('preview.range', { from: fmtNumber(p.offset + 1), to: fmtNumber(p.offset + n), total: fmtNumber(total) }) : t('preview.noRows');
      if (s.filter) {
        const f = (s.fields || []).find((x) => x.id === s.filter.field);
        text += ` ${t('preview.filtered', { column: fieldLabel(f || { id: s.filter.field }), value: s.filter.raw })}`;
      }
    }
    return el('p', { class: 'pv-status', role: 'status', dataset: { testid: 'preview-status', total: p ? String(p.total) : '' } }, text);
  }

  function table() {
    const p = s.page;
    if (!p || !(p.records || []).length) return null;
    const fields = p.fields || [];
    const capID = `${uid}-preview-cap`;
    const tbl = el(
      'table',
      { class: 'data-table pv-table', dataset: { testid: 'preview-table' } },
      el('caption', { id: capID, class: 'visually-hidden' }, t('preview.caption', { name: r.name || '' })),
      el(
        'thead',
        null,
        el(
          'tr',
          null,
          fields.map((f) => {
            const sorted = sortState(f.id);
            return el(
              'th',
              { scope: 'col', 'aria-sort': sorted, class: NUMERIC.has(f.type) ? 'num' : null },
              el(
                'button',
                {
                  type: 'button',
                  class: 'pv-sort',
                  id: `${uid}-sort-${idPart(f.id)}`,
                  dataset: { field: f.id, testid: 'preview-sort' },
                  onclick: () => cycleSort(f.id),
                },
                el('span', { class: 'pv-col-label', lang: 'zh-CN' }, fieldLabel(f)),
                f.label && f.label !== f.id ? el('code', { class: 'pv-col-id' }, f.id) : null,
                el('span', { class: 'pv-sort-icon', 'aria-hidden': 'true' }, sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'),
                el('span', { class: 'visually-hidden' }, t(sorted === 'ascending' ? 'preview.sort.toDesc' : sorted === 'descending' ? 'preview.sort.toNone' : 'preview.sort.toAsc')),
              ),
            );
          }),
        ),
      ),
      el(
        'tbody',
        { lang: 'zh-CN' },
        p.records.map((rec) =>
          el(
            'tr',
            { dataset: { testid: 'preview-row' } },
            fields.map((f, i) => el('td', { class: NUMERIC.has(f.type) ? 'num' : null }, cellText(rec[i]))),
          ),
        ),
      ),
    );
    return el('div', { class: 'table-wrap pv-table-wrap', role: 'region', 'aria-labelledby': capID, tabindex: '0', 'aria-busy': s.loading ? 'true' : null }, tbl);
  }

  function pager() {
    const p = s.page;
    if (!p) return null;
    const total = Number(p.total) || 0;
    const n = (p.records || []).length;
    const hasPrev = p.offset > 0;
    const hasNext = p.offset + n < total && p.offset + PAGE <= MAX_OFFSET;
    if (!hasPrev && !hasNext) return null;
    const go = (off) => {
      s.offset = off;
      load();
    };
    return el(
      'nav',
      { class: 'pv-pager', 'aria-label': t('preview.pager', { name: r.name || '' }) },
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', id: `${uid}-prev`, disabled: !hasPrev, dataset: { testid: 'preview-prev' }, onclick: () => !s.loading && go(Math.max(0, p.offset - PAGE)) }, t('pager.prev')),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', id: `${uid}-next`, disabled: !hasNext, dataset: { testid: 'preview-next' }, onclick: () => !s.loading && go(p.offset + PAGE) }, t('pager.next')),
    );
  }

  function draw() {
    const was = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : '';
    preserveFocus(root, () => {
      if (s.error && !s.page) {
        fill(root, failureBox(d, s.error, load, 'preview'));
        return;
      }
      fill(
        root,
        filterForm(),
        s.error ? failureBox(d, s.error, load, 'preview') : null,
        statusLine(),
        table(),
        pager(),
      );
    });
    // Paging onto the first or last page disables the button just used:
    // keep the focus in the pager.
    if (was && !root.contains(document.activeElement)) {
      const other = document.getElementById(was === `${uid}-next` ? `${uid}-prev` : was === `${uid}-prev` ? `${uid}-next` : '');
      if (other && !other.disabled) other.focus({ preventScroll: true });
    }
  }

  draw();
  return {
    node: root,
    activate() {
      if (!s.page && !s.loading && !s.error) load();
    },
  };
}
