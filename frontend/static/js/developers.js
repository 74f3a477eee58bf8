// /developers: how to use the portal from scripts and tools — tokens, rate
// limits, downloads in every format, ranges and validators, the rows API,
// the CKAN Action API, DCAT-AP exports and the OpenAPI documentation.
// Prose comes from the developers.{zh,en}.json catalogs; the code samples
// are built from this site's address and a real resource of the catalog,
// so they can be copied and run. Everything is textContent (strict CSP).

import { el, clear, append } from './dom.js?v=__V__';
import { t, onLangChange } from './i18n.js?v=__V__';
import { tn } from './plural.js?v=__V__';
import { apiGet } from './api.js?v=__V__';
import { initLayout, setTitle } from './layout.js?v=__V__';

// A sample to fill the examples with: the most downloaded unconditional
// dataset with a CSV resource, one of its number fields and one text field.
const sample = {
  origin: location.origin,
  datasetID: 'DATASET_ID',
  title: '',
  resourceID: 'RESOURCE_ID',
  etag: '"SHA256"',
  department: 'DEPARTMENT_ID',
  numberField: 'amount',
  textField: 'name',
  found: false,
};
const limits = { limit: null, remaining: null, checked: false };

async function loadSample() {
  try {
    const list = await apiGet('/datasets', { open_type: 'unconditional', format: 'CSV', sort: 'downloads', page_size: 5 });
    for (const item of list.items || []) {
      const d = await apiGet(`/datasets/${encodeURIComponent(item.id)}`);
      const res = (d.resources || []).find((r) => String(r.format).toUpperCase() === 'CSV');
      if (!res) continue;
      const items = d.data_items || [];
      const num = items.find((i) => i.type === 'integer' || i.type === 'number');
      const txt = items.find((i) => i.type === 'string');
      Object.assign(sample, {
        datasetID: d.id,
        title: d.title,
        resourceID: res.id,
        etag: `"${res.sha256}"`,
        department: (d.department && d.department.id) || sample.department,
        numberField: num ? num.name : sample.numberField,
        textField: txt ? txt.name : sample.textField,
        found: true,
      });
      return;
    }
  } catch {
    /* the examples keep their placeholders */
  }
}

// The caller's current limit, from the headers of one cheap limited call.
async function loadLimits() {
  try {
    const res = await fetch('/api/util/status', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const n = res.headers.get('RateLimit-Limit');
    limits.limit = n === null ? null : Number(n);
    limits.remaining = Number(res.headers.get('RateLimit-Remaining'));
    limits.checked = true;
  } catch {
    /* shown as unknown */
  }
}

// ---- building blocks

const p = (key, vars) => el('p', null, t(key, vars));

function link(href, key) {
  return el('p', { class: 'dev-link' }, el('a', { href }, t(key)));
}

function copyText(text, status) {
  const done = (ok) => {
    status.textContent = ok ? t('dev.copied') : t('dev.copyFailed');
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
  } else {
    done(false);
  }
}

// A code sample with a copy button; label names it for screen readers.
function code(label, lines) {
  const text = lines.join('\n');
  const status = el('span', { class: 'dev-copy-status', role: 'status' });
  const btn = el('button', { type: 'button', class: 'btn btn-secondary btn-small dev-copy', 'aria-label': t('dev.copyLabel', { what: label }) }, t('dev.copy'));
  btn.addEventListener('click', () => copyText(text, status));
  return el(
    'figure',
    { class: 'dev-code', dataset: { testid: 'code-sample' } },
    el('figcaption', null, el('span', { class: 'dev-code-label' }, label), btn, status),
    el('pre', null, el('code', null, text)),
  );
}

function table(caption, head, rows, testid) {
  return el(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': caption },
    el(
      'table',
      { class: 'data-table dev-table', dataset: { testid } },
      el('caption', { class: 'visually-hidden' }, caption),
      el('thead', null, el('tr', null, head.map((h) => el('th', { scope: 'col' }, h)))),
      el(
        'tbody',
        null,
        rows.map((r) => el('tr', null, el('th', { scope: 'row' }, el('code', null, r[0])), r.slice(1).map((c) => el('td', null, c)))),
      ),
    ),
  );
}

function section(id, blocks) {
  return el('section', { class: 'section dev-section', id, 'aria-labelledby': `${id}-h`, dataset: { testid: `dev-${id}` } }, el('h2', { id: `${id}-h` }, t(`dev.${id}.h`)), blocks);
}

// ---- the sections

const SECTIONS = ['token', 'apps', 'limits', 'downloads', 'ranges', 'rows', 'ckan', 'dcat', 'openapi'];

function render(body) {
  const o = sample.origin;
  const dl = `${o}/api/v1/resources/${sample.resourceID}/download`;
  const rows = `${o}/api/v1/resources/${sample.resourceID}/rows`;
  const action = `${o}/api/3/action`;
  const num = sample.numberField;

  const limitNote = () => {
    if (!limits.checked) return null;
    const text = limits.limit === null ? t('dev.limits.none') : tn('dev.limits.live', limits.limit, { left: limits.remaining });
    return el('p', { class: 'alert alert-info', dataset: { testid: 'live-limit' } }, text);
  };

  const sections = {
    token: [
      p('dev.token.p1'),
      link('/account/tokens', 'dev.token.link'),
      p('dev.token.p2'),
      code(t('dev.token.codeMe'), [`curl -H "Authorization: Bearer $TOKEN" ${o}/api/v1/me`]),
      p('dev.token.grant'),
      code(t('dev.token.codeGrant'), [
        `curl -X POST ${o}/api/v1/me/tokens \\`,
        '  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
        `  -d '{"name":"research-script","grant_id":"GRANT_ID","expires_at":"2027-06-30T23:59:59+08:00"}'`,
      ]),
      link('/account/grants', 'dev.token.grantsLink'),
    ],
    // App keys (数据接口): the signature as docs/app-keys.md defines it.
    apps: [
      p('dev.apps.p1'),
      link('/account/apps', 'dev.apps.link'),
      p('dev.apps.p2'),
      code(t('dev.apps.codeString'), ['METHOD + "\\n" + path + "\\n" + query + "\\n" + timestamp + "\\n" + nonce + "\\n" + hex(sha256(body))']),
      p('dev.apps.p3'),
      code(t('dev.apps.codeCurl'), [
        'KEY=APP_KEY SECRET=APP_SECRET',
        'TS=$(date +%s) NONCE=$(openssl rand -hex 16)',
        "BODY=$(printf '' | sha256sum | cut -d' ' -f1)",
        `SIG=$(printf 'GET\\n%s\\n%s\\n%s\\n%s\\n%s' /api/v1/datasets 'page_size=5' "$TS" "$NONCE" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64)`,
        `curl -H "X-App-Key: $KEY" -H "X-Timestamp: $TS" -H "X-Nonce: $NONCE" -H "X-Signature: $SIG" "${o}/api/v1/datasets?page_size=5"`,
      ]),
      p('dev.apps.p4'),
    ],
    limits: [
      p('dev.limits.p1'),
      limitNote(),
      p('dev.limits.p2'),
      code(t('dev.limits.code'), [
        `curl -s -D - -o /dev/null ${o}/api/util/status | grep -i '^ratelimit'`,
        '',
        'HTTP/1.1 429 Too Many Requests',
        'Retry-After: 12',
        'RateLimit-Limit: 120',
        'RateLimit-Remaining: 0',
      ]),
    ],
    downloads: [
      p('dev.downloads.p1'),
      table(
        t('dev.downloads.caption'),
        [t('dev.downloads.colParam'), t('dev.downloads.colFormat'), t('dev.downloads.colNotes')],
        [
          ['—', t('dev.downloads.original'), t('dev.downloads.originalNote')],
          ['format=csv', 'CSV', t('dev.downloads.csvNote')],
          ['format=json', 'JSON', t('dev.downloads.jsonNote')],
          ['format=xlsx', 'XLSX', t('dev.downloads.xlsxNote')],
          ['format=xml', 'XML', t('dev.downloads.xmlNote')],
        ],
        'formats-table',
      ),
      code(t('dev.downloads.code'), [
        `curl -OJ "${dl}"`,
        `curl -o data.json "${dl}?format=json"`,
        `curl -o data.ndjson "${dl}?format=json&json=ndjson"`,
        `curl -o data.csv "${dl}?format=csv&bom=true"`,
        `curl -o data.xlsx "${dl}?format=xlsx"`,
        `curl -o data.xml "${dl}?format=xml"`,
      ]),
      p('dev.downloads.conditional'),
      code(t('dev.downloads.codeToken'), [`curl -H "Authorization: Bearer $TOKEN" -o data.json "${o}/api/v1/resources/CONDITIONAL_RESOURCE_ID/download?format=json"`]),
    ],
    ranges: [
      p('dev.ranges.p1'),
      code(t('dev.ranges.codeResume'), [`curl -C - -o data.csv "${dl}"`, `curl -r 0-1048575 -o part1.csv "${dl}"`, `curl -r 0-99,1000-1099 "${dl}"`]),
      p('dev.ranges.p2'),
      code(t('dev.ranges.codeEtag'), [
        `curl -sI "${dl}" | grep -i -e '^etag' -e '^last-modified'`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -H 'If-None-Match: ${sample.etag}' "${dl}"`,
        `curl -r 1048576- -H 'If-Range: ${sample.etag}' -o rest.csv "${dl}"`,
      ]),
      p('dev.ranges.p3'),
    ],
    rows: [
      p('dev.rows.p1'),
      table(
        t('dev.rows.caption'),
        [t('dev.rows.colParam'), t('dev.rows.colMeaning')],
        [
          ['filters', t('dev.rows.filters')],
          ['q', t('dev.rows.q')],
          ['fields', t('dev.rows.fields')],
          ['sort', t('dev.rows.sort')],
          ['limit, offset', t('dev.rows.limit')],
          ['cursor', t('dev.rows.cursor')],
        ],
        'rows-table',
      ),
      code(t('dev.rows.code'), [
        `curl "${rows}?limit=5"`,
        `curl -G "${rows}" --data-urlencode 'filters={"${num}":{"gte":100}}' --data-urlencode 'sort=-${num}' -d limit=20`,
        `curl -G "${rows}" --data-urlencode 'q=哈尔滨' -d 'fields=${sample.textField},${num}'`,
      ]),
      p('dev.rows.p2'),
      code(t('dev.rows.codeCursor'), [
        'cursor=""',
        'while :; do',
        `  page=$(curl -s -G "${rows}" -d limit=1000 \${cursor:+--data-urlencode "cursor=$cursor"})`,
        `  echo "$page" | jq -c '.records[]'`,
        `  cursor=$(echo "$page" | jq -r '.next_cursor // empty')`,
        '  [ -z "$cursor" ] && break',
        'done',
      ]),
      p('dev.rows.p3'),
    ],
    ckan: [
      p('dev.ckan.p1'),
      p('dev.ckan.actions'),
      el(
        'ul',
        { class: 'dev-actions', dataset: { testid: 'ckan-actions' } },
        [
          'package_search',
          'package_show',
          'package_list',
          'current_package_list_with_resources',
          'organization_list',
          'organization_show',
          'group_list',
          'group_show',
          'tag_list',
          'license_list',
          'resource_show',
          'status_show',
          'datastore_search',
        ].map((a) => el('li', null, el('code', null, a))),
      ),
      code(t('dev.ckan.code'), [
        `curl -G ${action}/package_search --data-urlencode 'q=企业' --data-urlencode 'fq=organization:${sample.department} res_format:CSV' -d rows=10`,
        `curl -G ${action}/package_search --data-urlencode 'fq=metadata_modified:[2026-01-01T00:00:00Z TO *]' --data-urlencode 'sort=metadata_modified desc'`,
        `curl "${action}/package_show?id=${sample.datasetID}"`,
        `curl "${action}/datastore_search?resource_id=${sample.resourceID}&limit=5"`,
      ]),
      p('dev.ckan.ckanapi'),
      code(t('dev.ckan.codeCkanapi'), [
        'pip install ckanapi',
        `ckanapi action package_search q=企业 rows=5 -r ${o}`,
        `ckanapi dump datasets --all -O datasets.jsonl -r ${o}`,
        '',
        'from ckanapi import RemoteCKAN',
        `portal = RemoteCKAN('${o}')`,
        "page = portal.action.package_search(fq='res_format:CSV', rows=100, start=0)",
      ]),
      p('dev.ckan.harvest'),
    ],
    dcat: [
      p('dev.dcat.p1'),
      code(t('dev.dcat.code'), [
        `curl "${o}/catalog.ttl?page=1&page_size=100"`,
        `curl "${o}/catalog.jsonld?modified_since=2026-01-01"`,
        `curl "${o}/catalog.rdf"`,
        `curl "${o}/dataset/${sample.datasetID}.jsonld"`,
        `curl "${o}/ns/portal"`,
      ]),
      p('dev.dcat.p2'),
    ],
    openapi: [p('dev.openapi.p1'), link('/api/docs', 'dev.openapi.link'), code(t('dev.openapi.code'), [`curl -o swagger.json ${o}/api/docs/swagger.json`])],
  };

  append(clear(body), [
    p('dev.intro'),
    sample.found
      ? el('p', { class: 'muted', dataset: { testid: 'sample-note' } }, t('dev.sample', { title: sample.title, id: sample.resourceID }))
      : el('p', { class: 'muted', dataset: { testid: 'sample-note' } }, t('dev.sampleNone')),
    el(
      'nav',
      { class: 'dev-toc', 'aria-labelledby': 'dev-toc-h' },
      el('h2', { id: 'dev-toc-h', class: 'dev-toc-h' }, t('dev.toc')),
      el('ol', null, SECTIONS.map((id) => el('li', null, el('a', { href: `#${id}` }, t(`dev.${id}.h`))))),
    ),
    SECTIONS.map((id) => section(id, sections[id])),
  ]);
  // A #fragment in the address points into content built just now.
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
}

async function main() {
  await initLayout();
  const body = document.getElementById('dev-body');
  const title = () => {
    setTitle(t('dev.title'));
    document.getElementById('page-title').textContent = t('dev.title');
  };
  title();
  await Promise.all([loadSample(), loadLimits()]);
  render(body);
  onLangChange(() => {
    title();
    render(body);
  });
}

main();
