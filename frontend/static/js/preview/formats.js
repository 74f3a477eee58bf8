// The formats tab: one click for each format the portal converts a CSV
// resource to (download?format=…), including CSV for Excel (UTF-8 with a
// byte order mark, so Excel reads Chinese text right, and formula-like
// cells prefixed with ' so Excel does not run them). Only where the
// visitor may download: unconditional data, or a grant holder.

import { el, fill } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { applyNotice } from './table.js?v=__V__';
import { isTabular } from './columns.js?v=__V__';
import { mayDownload, downloadURL } from './data.js?v=__V__';

export const FORMATS = [
  { key: 'excel', query: { format: 'csv', bom: 'true' } },
  { key: 'csv', query: { format: 'csv' } },
  { key: 'xlsx', query: { format: 'xlsx' } },
  { key: 'json', query: { format: 'json' } },
  { key: 'xml', query: { format: 'xml' } },
];

export function downloadHref(r, query) {
  const u = new URL(downloadURL(r), location.origin);
  for (const [k, v] of Object.entries(query || {})) u.searchParams.set(k, v);
  return u.pathname + u.search;
}

function links(ctx, allowed) {
  const { d, r } = ctx;
  let node;
  if (!allowed) {
    node = applyNotice(d, 'formats-locked');
  } else if (!isTabular(r)) {
    node = el(
      'ul',
      { class: 'pv-formats', dataset: { testid: 'formats' } },
      el(
        'li',
        null,
        el('a', { class: 'btn btn-primary btn-small', href: downloadURL(r), download: '', dataset: { testid: 'format-original' } }, t('preview.format.original', { format: r.format || '' })),
      ),
    );
  } else {
    node = el(
      'div',
      null,
      el('p', { class: 'muted' }, t('preview.format.intro')),
      el(
        'ul',
        { class: 'pv-formats', dataset: { testid: 'formats' } },
        FORMATS.map((f) =>
          el(
            'li',
            null,
            el(
              'a',
              {
                class: ['btn', 'btn-small', f.key === 'excel' ? 'btn-primary' : 'btn-secondary'],
                href: downloadHref(r, f.query),
                download: '',
                'aria-describedby': `${ctx.uid}-fmt-${f.key}`,
                dataset: { testid: `format-${f.key}` },
              },
              t(`preview.format.${f.key}`),
            ),
            el('span', { id: `${ctx.uid}-fmt-${f.key}`, class: 'pv-format-note' }, t(`preview.format.${f.key}.note`)),
          ),
        ),
      ),
    );
  }
  return node;
}

export function formatsPanel(ctx) {
  const root = el('div', { class: 'pv-formats-tab' }, el('p', { class: 'loading' }, t('common.loading')));
  return {
    node: root,
    activate() {
      if (root.dataset.ready) return;
      root.dataset.ready = '1';
      mayDownload(ctx.d, ctx.r).then((ok) => fill(root, links(ctx, ok)));
    },
  };
}
