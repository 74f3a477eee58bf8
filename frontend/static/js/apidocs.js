// API reference (/api/docs): our own renderer of the OpenAPI document,
// replacing Swagger UI, whose clickable operation headers nest buttons in
// buttons (axe nested-interactive). Every operation is a <section> with a
// real heading; its details and its "Try it" form are separate
// <details> elements, so no control sits inside another.
// The page chrome goes through the i18n catalogs; the spec text is shown
// as written.

import { el, fill, clear, idPart } from './dom.js?v=__V__';
import { t, onLangChange } from './i18n.js?v=__V__';
import { initLayout } from './layout.js?v=__V__';
import { tn } from './plural.js?v=__V__';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const MAX_DEPTH = 6; // nested schema levels drawn; deeper ones are named only
const MAX_SHOWN = 200000; // characters of a "Try it" answer shown

// resolve follows a local $ref ("#/components/schemas/X" or Swagger 2's
// "#/definitions/X") inside the document; anything else is returned as is.
function resolve(spec, obj) {
  let o = obj;
  for (let hops = 0; o && typeof o.$ref === 'string' && hops < 20; hops++) {
    if (!o.$ref.startsWith('#/')) return o;
    let cur = spec;
    for (const part of o.$ref.slice(2).split('/')) {
      cur = cur ? cur[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    if (!cur) return o;
    o = cur;
  }
  return o;
}

function refName(s) {
  return s && typeof s.$ref === 'string' ? s.$ref.split('/').pop() : '';
}

// typeLabel(spec, schema) -> "string", "array of catalog.Dataset", "integer (int64)".
function typeLabel(spec, schema) {
  if (!schema) return '';
  if (schema.$ref) return refName(schema);
  if (schema.type === 'array') return `array of ${typeLabel(spec, schema.items) || 'any'}`;
  const parts = [schema.type || (schema.properties ? 'object' : '')];
  if (schema.format) parts.push(`(${schema.format})`);
  if (Array.isArray(schema.enum)) parts.push(`[${schema.enum.join(', ')}]`);
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    if (Array.isArray(schema[k])) parts.push(`${k}: ${schema[k].map((s) => typeLabel(spec, s)).join(', ')}`);
  }
  return parts.filter(Boolean).join(' ');
}

// The document as operations: [{tag, method, path, op, params}], with
// path-level parameters merged into each operation's.
function operations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = new Map();
      for (const p of [...(item.parameters || []), ...(op.parameters || [])]) {
        const r = resolve(spec, p);
        if (r && r.name) params.set(`${r.in}:${r.name}`, r);
      }
      const tags = Array.isArray(op.tags) && op.tags.length ? op.tags : [''];
      out.push({ tag: tags[0], method, path, op, params: [...params.values()] });
    }
  }
  return out;
}

// The base the paths hang off: OpenAPI 3's first server (same origin), or
// Swagger 2's basePath.
function basePath(spec) {
  let base = '';
  if (Array.isArray(spec.servers) && spec.servers[0] && typeof spec.servers[0].url === 'string') {
    try {
      base = new URL(spec.servers[0].url, location.origin).pathname;
    } catch (e) {
      base = '';
    }
  } else if (typeof spec.basePath === 'string') {
    base = spec.basePath;
  }
  return base.replace(/\/+$/, '');
}

function securitySchemes(spec) {
  return (spec.components && spec.components.securitySchemes) || spec.securityDefinitions || {};
}

// securityText: "public" when no requirement (or an empty one, which makes
// the others optional); else the schemes, alternatives joined with "or".
function securityText(spec, op) {
  const req = Array.isArray(op.security) ? op.security : Array.isArray(spec.security) ? spec.security : [];
  const alts = req.map((r) => Object.keys(r || {}));
  const named = alts.filter((a) => a.length).map((a) => a.join(' + '));
  if (!named.length) return { public: true, text: t('ad.public') };
  if (alts.some((a) => !a.length)) return { public: true, text: t('ad.publicOptional', { schemes: named.join(t('ad.or')) }) };
  return { public: false, text: t('ad.needs', { schemes: named.join(t('ad.or')) }) };
}

function table(caption, headers, rows) {
  return el(
    'div',
    { class: 'ad-table-wrap' },
    el(
      'table',
      { class: 'ad-table' },
      el('caption', null, caption),
      el('thead', null, el('tr', null, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, rows),
    ),
  );
}

// schemaBlock draws a schema as an expandable <details>; its fields are
// drawn only when opened (the document has hundreds of them).
function schemaBlock(spec, schema, depth = 0, seen = new Set()) {
  if (!schema) return null;
  const name = refName(schema);
  const s = resolve(spec, schema);
  const label = name ? t('ad.schema', { name }) : t('ad.schemaAnon');
  if (depth >= MAX_DEPTH || (name && seen.has(name))) {
    return el('p', { class: 'ad-schema-ref' }, `${label} ${t('ad.schemaDepth')}`);
  }
  const next = new Set(seen);
  if (name) next.add(name);
  const d = el('details', { class: 'ad-schema' }, el('summary', null, `${label} — ${typeLabel(spec, schema)}`));
  let drawn = false;
  d.addEventListener('toggle', () => {
    if (!d.open || drawn) return;
    drawn = true;
    d.appendChild(schemaBody(spec, s, depth, next));
  });
  return d;
}

function schemaBody(spec, s, depth, seen) {
  const box = el('div', { class: 'ad-schema-body' });
  if (s.description) box.appendChild(el('p', null, s.description));
  if (s.type === 'array' && s.items) {
    box.appendChild(el('p', null, `${t('ad.schemaItems')}: ${typeLabel(spec, s.items)}`));
    const inner = resolve(spec, s.items);
    if (inner && (inner.properties || inner.items)) box.appendChild(schemaBlock(spec, s.items, depth + 1, seen));
    return box;
  }
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    if (Array.isArray(s[k])) for (const sub of s[k]) box.appendChild(schemaBlock(spec, sub, depth + 1, seen));
  }
  const props = Object.entries(s.properties || {});
  if (!props.length) return box;
  const required = new Set(s.required || []);
  const rows = props.map(([pname, ps]) => {
    const r = resolve(spec, ps) || {};
    const nested = r.properties || (r.type === 'array' && r.items && resolve(spec, r.items).properties);
    return el(
      'tr',
      null,
      el('th', { scope: 'row' }, el('code', null, pname)),
      el('td', null, typeLabel(spec, ps)),
      el('td', null, required.has(pname) ? t('ad.yes') : t('ad.no')),
      el('td', null, r.description || ps.description || '', nested ? schemaBlock(spec, ps, depth + 1, seen) : null),
    );
  });
  box.appendChild(
    table(tn('ad.schemaProps', props.length), [t('ad.col.name'), t('ad.col.type'), t('ad.col.required'), t('ad.col.desc')], rows),
  );
  return box;
}

// bodySchema: OpenAPI 3's content (JSON first) or Swagger 2's schema.
function bodySchema(obj) {
  if (!obj) return null;
  if (obj.schema) return obj.schema;
  const c = obj.content || {};
  const type = Object.keys(c).find((k) => k.includes('json')) || Object.keys(c)[0];
  return type && c[type] ? c[type].schema : null;
}

function detailsBlock(spec, o, sid) {
  // The operation in hidden text too: a screen reader's list of summaries
  // tells 146 "Parameters and responses" apart.
  const d = el('details', { class: 'ad-details' }, el('summary', null, t('ad.details'), el('span', { class: 'visually-hidden' }, ` ${o.method.toUpperCase()} ${o.path}`)));
  let drawn = false;
  d.addEventListener('toggle', () => {
    if (!d.open || drawn) return;
    drawn = true;
    const { op, params } = o;
    if (op.description && op.description !== op.summary) d.appendChild(el('p', { class: 'ad-desc' }, op.description));
    const plain = params.filter((p) => p.in !== 'body');
    if (plain.length) {
      d.appendChild(
        table(
          t('ad.params'),
          [t('ad.col.name'), t('ad.col.in'), t('ad.col.type'), t('ad.col.required'), t('ad.col.desc')],
          plain.map((p) =>
            el(
              'tr',
              null,
              el('th', { scope: 'row' }, el('code', null, p.name)),
              el('td', null, p.in),
              el('td', null, typeLabel(spec, p.schema || p)),
              el('td', null, p.required ? t('ad.yes') : t('ad.no')),
              el('td', null, p.description || ''),
            ),
          ),
        ),
      );
    } else {
      d.appendChild(el('p', null, t('ad.noParams')));
    }
    const body = op.requestBody ? resolve(spec, op.requestBody) : params.find((p) => p.in === 'body');
    if (body) {
      d.appendChild(el('h4', null, t('ad.body')));
      if (body.description) d.appendChild(el('p', null, body.description));
      d.appendChild(schemaBlock(spec, bodySchema(body)));
    }
    const responses = Object.entries(op.responses || {});
    if (responses.length) {
      d.appendChild(
        table(
          t('ad.responses'),
          [t('ad.col.status'), t('ad.col.desc'), t('ad.col.body')],
          responses.map(([code, r0]) => {
            const r = resolve(spec, r0) || {};
            const sch = bodySchema(r);
            return el(
              'tr',
              null,
              el('th', { scope: 'row' }, code),
              el('td', null, r.description || ''),
              el('td', null, sch ? schemaBlock(spec, sch) : ''),
            );
          }),
        ),
      );
    }
  });
  d.id = `${sid}-details`;
  return d;
}

// tryBlock: inputs for the operation's path, query and header parameters,
// an optional API token, and the answer in a live region. GET only: the
// page never changes data on a reader's behalf.
function tryBlock(spec, o, sid, base) {
  const d = el('details', { class: 'ad-try' }, el('summary', null, t('ad.try'), el('span', { class: 'visually-hidden' }, ` ${o.method.toUpperCase()} ${o.path}`)));
  if (o.method !== 'get') {
    d.appendChild(el('p', null, t('ad.tryGetOnly')));
    return d;
  }
  const inputs = [];
  const form = el('form', { class: 'ad-try-form', novalidate: true });
  o.params
    .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
    .forEach((p, i) => {
      const id = `${sid}-p${i}`;
      const sch = resolve(spec, p.schema || p) || {};
      let input;
      if (Array.isArray(sch.enum)) {
        input = el('select', { id }, p.required ? null : el('option', { value: '' }, ''), sch.enum.map((v) => el('option', { value: String(v) }, String(v))));
      } else {
        input = el('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '2000' });
        if (sch.default !== undefined) input.value = String(sch.default);
        else if (p.example !== undefined) input.value = String(p.example);
      }
      if (p.required) input.setAttribute('aria-required', 'true');
      inputs.push({ p, input });
      form.appendChild(
        el(
          'div',
          { class: 'ad-field' },
          el('label', { for: id }, el('code', null, p.name), ` (${p.in}${p.required ? ', ' + t('ad.col.required') : ''})`),
          input,
        ),
      );
    });
  const tokenId = `${sid}-token`;
  const token = el('input', { id: tokenId, type: 'password', autocomplete: 'off', maxlength: '512' });
  form.appendChild(el('div', { class: 'ad-field' }, el('label', { for: tokenId }, t('ad.token')), token));
  const status = el('p', { class: 'ad-try-status', role: 'status', 'aria-live': 'polite', dataset: { testid: 'try-status' } });
  const out = el('pre', { class: 'ad-try-out', 'aria-live': 'polite', 'aria-label': t('ad.response'), tabindex: '0', hidden: true, dataset: { testid: 'try-body' } });
  const button = el('button', { type: 'submit', class: 'btn btn-primary ad-execute' }, t('ad.execute'));
  form.append(button, status, out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let path = o.path;
    const query = new URLSearchParams();
    const headers = { Accept: 'application/json' };
    for (const { p, input } of inputs) {
      const v = input.value.trim();
      if (!v) {
        if (p.required) {
          status.textContent = t('ad.missing', { name: p.name });
          input.focus();
          return;
        }
        continue;
      }
      if (p.in === 'path') path = path.split(`{${p.name}}`).join(encodeURIComponent(v));
      else if (p.in === 'query') query.append(p.name, v);
      else headers[p.name] = v;
    }
    if (token.value.trim()) headers.Authorization = `Bearer ${token.value.trim()}`;
    const qs = query.toString();
    const url = base + path + (qs ? `?${qs}` : '');
    button.disabled = true;
    status.textContent = t('ad.sending');
    out.hidden = true;
    try {
      const res = await fetch(url, { method: 'GET', headers, credentials: 'same-origin' });
      let text = await res.text();
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch (e) {
        // not JSON: shown as it came
      }
      let note = '';
      if (text.length > MAX_SHOWN) {
        text = text.slice(0, MAX_SHOWN);
        note = ` ${t('ad.truncated', { n: MAX_SHOWN })}`;
      }
      status.textContent = `${t('ad.request', { method: 'GET', url })} — ${t('ad.status', { status: res.status })}${note}`;
      status.dataset.status = String(res.status);
      out.textContent = text;
      out.hidden = false;
    } catch (err) {
      status.textContent = t('ad.networkError', { msg: err && err.message ? err.message : String(err) });
    } finally {
      button.disabled = false;
    }
  });
  d.appendChild(form);
  return d;
}

function opSection(spec, o, base) {
  const sid = `op-${idPart(o.op.operationId || `${o.method}-${o.path}`)}`;
  const sec = securityText(spec, o.op);
  const h = el(
    'h3',
    { class: 'ad-op-title', id: `${sid}-h` },
    el('span', { class: `ad-method ad-method-${o.method}` }, o.method.toUpperCase()),
    ' ',
    el('code', { class: 'ad-path' }, o.path),
    o.op.summary ? el('span', { class: 'ad-summary' }, ` ${o.op.summary}`) : null,
  );
  return el(
    'section',
    {
      class: ['ad-op', o.op.deprecated ? 'ad-op-deprecated' : null],
      id: sid,
      'aria-labelledby': `${sid}-h`,
      dataset: { method: o.method, path: o.path, testid: 'operation' },
    },
    h,
    o.op.deprecated ? el('p', { class: 'ad-badge' }, t('ad.deprecated')) : null,
    el('p', { class: ['ad-security', sec.public ? 'ad-public' : 'ad-auth'] }, el('strong', null, `${t('ad.security')}: `), sec.text),
    detailsBlock(spec, o, sid),
    tryBlock(spec, o, sid, base),
  );
}

function render(body, spec) {
  const ops = operations(spec);
  const base = basePath(spec);
  const tags = new Map();
  for (const o of ops) {
    if (!tags.has(o.tag)) tags.set(o.tag, []);
    tags.get(o.tag).push(o);
  }
  const described = new Map((spec.tags || []).map((tg) => [tg.name, tg.description || '']));
  const order = [...tags.keys()].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
  const tagId = (tag) => `tag-${idPart(tag || 'other')}`;

  const count = el('p', { class: 'ad-count', role: 'status', dataset: { testid: 'op-count' } }, tn('ad.count', ops.length));
  const filterId = 'ad-filter';
  const filter = el('input', { id: filterId, type: 'search', maxlength: '200', 'aria-describedby': 'ad-filter-hint', autocomplete: 'off' });
  const nav = el(
    'nav',
    { class: 'ad-nav', 'aria-label': t('ad.nav') },
    el('label', { for: filterId, class: 'ad-filter-label' }, t('ad.filter')),
    filter,
    el('p', { id: 'ad-filter-hint', class: 'ad-hint' }, t('ad.filterHint')),
    count,
    el(
      'ul',
      null,
      order.map((tag) =>
        el('li', { dataset: { tag } }, el('a', { href: `#${tagId(tag)}` }, tag || t('ad.untagged'), ' ', el('span', { class: 'ad-nav-n' }, `(${t('ad.opCount', { n: tags.get(tag).length })})`))),
      ),
    ),
  );
  const groups = order.map((tag) =>
    el(
      'section',
      { class: 'ad-tag', id: tagId(tag), 'aria-labelledby': `${tagId(tag)}-h`, dataset: { tag } },
      el('h2', { id: `${tagId(tag)}-h` }, tag || t('ad.untagged')),
      described.get(tag) ? el('p', null, described.get(tag)) : null,
      tags.get(tag).map((o) => opSection(spec, o, base)),
    ),
  );
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const g of groups) {
      let any = 0;
      for (const s of g.querySelectorAll('.ad-op')) {
        const hit = !q || `${s.dataset.method} ${s.dataset.path} ${s.textContent} ${g.dataset.tag}`.toLowerCase().includes(q);
        s.hidden = !hit;
        if (hit) any++;
      }
      g.hidden = any === 0;
      const li = nav.querySelector(`li[data-tag="${CSS.escape(g.dataset.tag)}"]`);
      if (li) li.hidden = any === 0;
      shown += any;
    }
    count.textContent = q ? t('ad.countShown', { shown, n: ops.length }) : tn('ad.count', ops.length);
  });
  fill(body, el('div', { class: 'ad-layout' }, nav, el('div', { class: 'ad-ops' }, groups)));
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
}

async function start() {
  await initLayout();
  const body = document.getElementById('ad-body');
  if (!body) return;
  let spec = null;
  let failure = '';
  // The OpenAPI 3 document; the Swagger 2.0 one only while a server does
  // not serve the former yet (404). The renderer reads both.
  for (const url of [body.dataset.specUrl, body.dataset.specFallback].filter(Boolean)) {
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (res.ok) {
        spec = await res.json();
        body.dataset.specLoaded = url;
        break;
      }
      failure = String(res.status);
      if (res.status !== 404) break;
    } catch (err) {
      failure = err && err.message ? err.message : String(err);
      break;
    }
  }
  const draw = () => {
    if (spec) render(body, spec);
    else fill(body, el('p', { class: 'alert alert-error', role: 'alert' }, t('ad.loadFailed', { status: failure })));
  };
  draw();
  onLangChange(() => {
    clear(body);
    draw();
  });
}

start();
