// The API tab: calls to copy and run — download, the rows API with a real
// filter and CKAN's datastore_search — as curl, Python (requests) and
// JavaScript (fetch), with this site's address, the real resource id and a
// real column and value of the file (from the preview's first row or the
// profile's most frequent values).

import { el, fill } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { fetchPreview, profileIfLoaded } from './data.js?v=__V__';
import { DATES, NUMERIC, fieldLabel, isTabular } from './columns.js?v=__V__';
import { copyText } from './copy.js?v=__V__';

export const LANGS = ['curl', 'python', 'js'];

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const js = (s) => JSON.stringify(String(s));

function pyValue(v) {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return typeof v === 'number' ? String(v) : JSON.stringify(String(v));
}

// A good example filter: a short text value, else any value.
function pick(fields, row) {
  let best = null;
  fields.forEach((f, i) => {
    const v = row[i];
    if (v === null || v === undefined || v === '' || typeof v === 'object') return;
    const score = (typeof v === 'string' && !DATES.has(f.type) ? 2 : 1) + (String(v).length <= 30 ? 1 : 0);
    if (!best || score > best.score) best = { field: f, value: v, score };
  });
  return best;
}

// Finds {field, value} for the examples, or null.
async function sampleFilter(ctx) {
  const { r, st, d } = ctx;
  const prof = await profileIfLoaded(r.id);
  // A category (few distinct values) filters to several rows: the best example.
  const cat = ((prof && prof.columns) || []).find(
    (c) => !NUMERIC.has(c.declared_type) && !DATES.has(c.declared_type) && !c.domain && c.distinct >= 2 && c.distinct <= 50 && (c.top || []).length && c.top[0].value !== '',
  );
  if (cat) return { field: { id: cat.id, label: cat.label, type: cat.declared_type }, value: cat.top[0].value };
  const p = st.preview && st.preview.page;
  if (p && p.records && p.records.length) {
    const s = pick(p.fields || [], p.records[0]);
    if (s) return s;
  }
  if (prof && Array.isArray(prof.columns)) {
    for (const c of prof.columns) {
      const top = (c.top || [])[0];
      if (top && top.value !== '') {
        const f = { id: c.id, label: c.label, type: c.declared_type };
        const v = f.type === 'integer' || f.type === 'number' ? Number(top.value) : top.value;
        return { field: f, value: Number.isNaN(v) ? top.value : v };
      }
    }
  }
  // Unconditional data: one row is cheap and records nobody's use.
  if (d.open_type !== 'conditional') {
    try {
      const one = await fetchPreview(r.id, { limit: 1 });
      if (one.records && one.records.length) return pick(one.fields || [], one.records[0]);
    } catch {
      /* the examples say how to filter without a value */
    }
  }
  return null;
}

function build(ctx, sample) {
  const { d, r } = ctx;
  const origin = location.origin;
  const auth = d.open_type === 'conditional';
  const base = `${origin}/api/v1/resources/${encodeURIComponent(r.id)}`;
  const ext = isTabular(r) ? 'csv' : String(r.format || 'bin').toLowerCase();
  const fieldID = sample ? sample.field.id : 'FIELD';
  const value = sample ? sample.value : 'VALUE';
  const filterJSON = JSON.stringify({ [fieldID]: value });
  const pyFilter = `{${JSON.stringify(fieldID)}: ${pyValue(value)}}`;
  const curlAuth = auth ? [' -H "Authorization: Bearer $TOKEN"'] : [];
  const pyHead = auth ? ['import os', 'import requests', '', 'headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}'] : ['import requests', '', 'headers = {}'];
  const jsHead = auth ? ['const TOKEN = "…"; // ' + t('preview.api.tokenComment'), 'const headers = { Authorization: `Bearer ${TOKEN}` };'] : ['const headers = {};'];
  const dlQuery = isTabular(r) ? '?format=csv' : '';

  const out = { download: {}, rows: {}, ckan: {} };
  out.download.curl = [`curl -fL${curlAuth.join('')} -o ${shq(`${r.id}.${ext}`)} ${shq(`${base}/download${dlQuery}`)}`];
  out.download.python = [
    ...pyHead,
    `r = requests.get(${js(`${base}/download`)}${isTabular(r) ? ', params={"format": "csv"}' : ''}, headers=headers, timeout=60)`,
    'r.raise_for_status()',
    `with open(${js(`${r.id}.${ext}`)}, "wb") as f:`,
    '    f.write(r.content)',
  ];
  out.download.js = [
    ...jsHead,
    `const res = await fetch(${js(`${base}/download${dlQuery}`)}, { headers });`,
    'if (!res.ok) throw new Error(`HTTP ${res.status}`);',
    'const blob = await res.blob();',
    'console.log(blob.size, blob.type);',
  ];
  if (isTabular(r)) {
    out.rows.curl = [`curl -fG${curlAuth.join('')} ${shq(`${base}/rows`)} --data-urlencode ${shq(`filters=${filterJSON}`)} --data-urlencode 'limit=5'`];
    out.rows.python = [
      'import json',
      ...pyHead,
      `params = {"filters": json.dumps(${pyFilter}, ensure_ascii=False), "limit": 5}`,
      `r = requests.get(${js(`${base}/rows`)}, params=params, headers=headers, timeout=30)`,
      'r.raise_for_status()',
      'data = r.json()',
      'print(data["total"])',
      'for record in data["records"]:',
      '    print(record)',
    ];
    out.rows.js = [
      ...jsHead,
      `const url = new URL(${js(`${base}/rows`)});`,
      `url.searchParams.set("filters", JSON.stringify(${filterJSON}));`,
      'url.searchParams.set("limit", "5");',
      'const res = await fetch(url, { headers });',
      'const data = await res.json();',
      'console.log(data.total, data.records);',
    ];
    const ckan = `${origin}/api/3/action/datastore_search`;
    out.ckan.curl = [`curl -fG${curlAuth.join('')} ${shq(ckan)} --data-urlencode ${shq(`resource_id=${r.id}`)} --data-urlencode ${shq(`filters=${filterJSON}`)} --data-urlencode 'limit=5'`];
    out.ckan.python = [
      'import json',
      ...pyHead,
      `params = {"resource_id": ${js(r.id)}, "filters": json.dumps(${pyFilter}, ensure_ascii=False), "limit": 5}`,
      `r = requests.get(${js(ckan)}, params=params, headers=headers, timeout=30)`,
      'r.raise_for_status()',
      'for record in r.json()["result"]["records"]:',
      '    print(record)',
    ];
    out.ckan.js = [
      ...jsHead,
      `const url = new URL(${js(ckan)});`,
      `url.searchParams.set("resource_id", ${js(r.id)});`,
      `url.searchParams.set("filters", JSON.stringify(${filterJSON}));`,
      'url.searchParams.set("limit", "5");',
      'const res = await fetch(url, { headers });',
      'const body = await res.json();',
      'console.log(body.result.records);',
    ];
  }
  return out;
}

function snippet(ctx, kind, lang, lines) {
  const text = lines.join('\n');
  const code = el('code', null, text);
  const status = el('span', { class: 'copy-status', role: 'status' });
  const label = t('preview.api.sampleLabel', { what: t(`preview.api.${kind}`), lang: t(`preview.api.lang.${lang}`) });
  const btn = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-label': t('preview.api.copyLabel', { what: label }), dataset: { testid: 'api-copy' } }, t('dataset.resources.copy'));
  btn.addEventListener('click', () => copyText(text, btn, { code, status }));
  return el(
    'figure',
    { class: 'pv-code', dataset: { testid: `api-${kind}-${lang}` } },
    el('figcaption', null, el('span', { class: 'pv-code-label' }, t(`preview.api.lang.${lang}`)), btn, status),
    el('pre', { tabindex: '0', 'aria-label': label }, code),
  );
}

export function apiPanel(ctx) {
  const { d, r, st, uid } = ctx;
  const root = el('div', { class: 'pv-api', dataset: { testid: 'api' } });
  function draw() {
    const { sample, ready } = st.api;
    if (!ready) {
      fill(root, el('p', { class: 'loading' }, t('common.loading')));
      return;
    }
    const calls = build(ctx, sample);
    const lang = st.api.lang;
    const picker = el(
      'fieldset',
      { class: 'pv-lang' },
      el('legend', null, t('preview.api.langLegend')),
      LANGS.map((l) =>
        el(
          'label',
          { class: 'pv-lang-option' },
          el('input', {
            type: 'radio',
            name: `${uid}-lang`,
            value: l,
            checked: l === lang,
            dataset: { testid: `api-lang-${l}` },
            onchange: () => {
              st.api.lang = l;
              draw();
              const again = root.querySelector(`input[value="${l}"]`);
              if (again) again.focus();
            },
          }),
          ' ',
          t(`preview.api.lang.${l}`),
        ),
      ),
    );
    const group = (kind) =>
      calls[kind][lang] ? el('div', { class: 'pv-api-group' }, el('h4', null, t(`preview.api.${kind}`)), snippet(ctx, kind, lang, calls[kind][lang])) : null;
    fill(
      root,
      el(
        'p',
        { class: 'muted', dataset: { testid: 'api-note' } },
        sample
          ? t('preview.api.sampleNote', { column: fieldLabel(sample.field), id: sample.field.id, value: String(sample.value) })
          : isTabular(r)
            ? t('preview.api.placeholderNote')
            : t('preview.api.fileNote'),
      ),
      d.open_type === 'conditional'
        ? el('p', { class: 'callout' }, t('preview.api.tokenNote'), ' ', el('a', { href: '/account/tokens' }, t('preview.api.tokenLink')))
        : null,
      picker,
      group('download'),
      group('rows'),
      group('ckan'),
      el('p', null, el('a', { href: '/developers' }, t('preview.api.more'))),
    );
  }

  draw();
  return {
    node: root,
    activate() {
      if (st.api.ready) return;
      if (!st.api.finding) {
        st.api.finding = (isTabular(r) ? sampleFilter(ctx) : Promise.resolve(null)).then((s) => Object.assign(st.api, { sample: s, ready: true }));
      }
      st.api.finding.then(() => root.isConnected && draw());
    },
  };
}
