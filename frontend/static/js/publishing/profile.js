// What the portal found in a version's CSV files, for the department
// before it submits and for the authority that reviews
// (GET /manage/resources/{id}/profile): rows, duplicate rows, and per
// column the empty share, distinct values, the type found against the
// declared one, the cells that break their type or value domain (with
// their row numbers) and the most frequent values. While a file is being
// checked (202) the page asks again every 3 s, for at most 2 minutes.
//
// The views are long-lived nodes updated in place: the entry page redraws
// its form on every change, and a redraw must neither close an open
// <details> nor lose a chosen file.

import { el, fill } from '../dom.js?v=__V__';
import { t, lang, fmtNumber, fmtDateTime, enumLabel } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { tableWrap } from './common.js?v=__V__';

const POLL_MS = 3000;
const POLL_FOR_MS = 2 * 60 * 1000;
const ROWS_NAMED = 10; // row numbers named in a sentence
const RULES = ['type', 'date', 'credit_code', 'region_code', 'phone', 'email'];

const key = (r) => `${r.id}:${r.sha256}`;

export class Profiles {
  constructor() {
    this.items = new Map(); // key -> {resource, state, data, err, since, timer, node}
    this.list = el('div', { class: 'pub-profiles', dataset: { testid: 'pub-profiles' } });
    this.warn = el('div', { dataset: { testid: 'pub-submit-warnings-slot' } });
    this.lang = lang();
  }

  // track(resources): follows the profiles of the CSV files among them,
  // in their order; files no longer listed are forgotten.
  track(resources) {
    const csv = (resources || []).filter((r) => String(r.format).toUpperCase() === 'CSV');
    const keep = new Set(csv.map(key));
    for (const [k, it] of this.items) {
      if (!keep.has(k)) {
        clearTimeout(it.timer);
        this.items.delete(k);
      }
    }
    for (const r of csv) {
      if (!this.items.has(key(r))) {
        const it = { resource: r, state: 'loading', data: null, err: null, since: Date.now(), timer: 0, node: el('section', { class: 'pub-profile' }) };
        this.items.set(key(r), it);
        this.render(it);
        this.load(it);
      }
    }
    fill(this.list, csv.map((r) => this.items.get(key(r)).node));
    this.renderWarnings();
  }

  // refresh(resources): the data items changed, so every profile is made
  // again: forget what was shown and follow them anew.
  refresh(resources) {
    for (const it of this.items.values()) clearTimeout(it.timer);
    this.items.clear();
    this.track(resources);
  }

  // view() is the node listing the profiles (empty when no CSV file);
  // a language switch renders it again.
  view() {
    if (this.lang !== lang()) {
      this.lang = lang();
      for (const it of this.items.values()) this.render(it);
      this.renderWarnings();
    }
    return this.items.size ? this.list : null;
  }

  // warnings() is the node that sums up, near the submit button, what the
  // checks found (it does not block submitting).
  warnings() {
    return this.warn;
  }

  async load(it) {
    try {
      const body = await apiGet(`/manage/resources/${encodeURIComponent(it.resource.id)}/profile`);
      if (this.items.get(key(it.resource)) !== it) return; // forgotten meanwhile
      if (body && body.status === 'profiling') {
        it.state = Date.now() - it.since < POLL_FOR_MS ? 'running' : 'slow';
        if (it.state === 'running') it.timer = setTimeout(() => this.load(it), POLL_MS);
      } else {
        it.state = 'ready';
        it.data = body;
      }
    } catch (err) {
      if (this.items.get(key(it.resource)) !== it) return;
      it.state = 'failed';
      it.err = err;
    }
    this.render(it);
    this.renderWarnings();
  }

  render(it) {
    const r = it.resource;
    const hid = `pub-profile-h-${r.id}`;
    const node = it.node;
    node.setAttribute('aria-labelledby', hid);
    node.dataset.testid = 'pub-profile';
    node.dataset.resource = r.id;
    node.dataset.state = it.state;
    const head = el('h3', { id: hid }, t('pub.profile.heading', { name: r.name }));
    if (it.state === 'loading' || it.state === 'running') {
      fill(node, head, el('p', { class: 'muted', role: 'status', dataset: { testid: 'pub-profile-running' } }, t('pub.profile.running')));
    } else if (it.state === 'slow') {
      fill(node, head, el('p', { class: 'muted', dataset: { testid: 'pub-profile-slow' } }, t('pub.profile.slow')));
    } else if (it.state === 'failed') {
      fill(node, head, errorAlert(it.err, { title: t('pub.profile.failed') }));
    } else {
      fill(node, head, profileBody(it.data, r.id));
    }
  }

  renderWarnings() {
    const found = [];
    for (const it of this.items.values()) {
      if (it.state !== 'ready') continue;
      const parts = problems(it.data);
      if (parts.length) found.push(el('li', null, el('span', { lang: 'zh-CN' }, it.resource.name), t('pub.profile.warnSep'), parts.join(t('pub.profile.sep'))));
    }
    fill(
      this.warn,
      found.length
        ? el(
            'div',
            { class: 'callout pub-profile-warn', dataset: { testid: 'pub-submit-warnings' } },
            el('p', { class: 'callout-title' }, t('pub.profile.warnTitle')),
            el('ul', null, found),
            el('p', null, t('pub.profile.warnAllowed')),
          )
        : null,
    );
  }
}

// The problems of a profile as sentences: invalid cells per column,
// duplicate rows, columns not declared, declared items not in the file.
function problems(p) {
  const out = [];
  for (const c of p.columns || []) if (c.invalid > 0) out.push(`${columnName(c)}${t('pub.profile.warnSep')}${invalidSentence(c)}`);
  if (p.duplicate_rows > 0) out.push(tn('pub.profile.duplicates', p.duplicate_rows));
  if ((p.undeclared_columns || []).length) out.push(t('pub.profile.undeclared', { list: p.undeclared_columns.join(t('pub.profile.nameSep')) }));
  if ((p.missing_columns || []).length) out.push(t('pub.profile.missing', { list: p.missing_columns.join(t('pub.profile.nameSep')) }));
  return out;
}

// invalidSentence: "3 rows have an invalid credit code (rows 12, 40, 77)".
export function invalidSentence(c) {
  const rule = RULES.includes(c.invalid_rule) ? c.invalid_rule : 'other';
  const rows = (c.invalid_examples || []).slice(0, ROWS_NAMED);
  let list = rows.map((n) => String(n)).join(t('pub.profile.rowSep'));
  if (c.invalid > rows.length && rows.length) list += t('pub.profile.rowMore');
  const where = rows.length ? (rows.length === 1 && c.invalid === 1 ? t('pub.profile.rows.one', { list }) : t('pub.profile.rows', { list })) : '';
  return tn(`pub.profile.invalid.${rule}`, c.invalid, { type: enumLabel('type', c.declared_type), where });
}

function columnName(c) {
  return c.label && c.label !== c.id ? `${c.label}（${c.id}）` : c.id;
}

function pct(part, whole) {
  if (!whole) return '—';
  const v = (part * 100) / whole;
  return `${v > 0 && v < 0.1 ? '<0.1' : fmtNumber(Math.round(v * 10) / 10)}%`;
}

function profileBody(p, rid) {
  const cap = `pub-profile-cap-${rid}`;
  const rows = (p.columns || []).map((c) => {
    const declared = c.declared_type ? enumLabel('type', c.declared_type) : t('pub.profile.notDeclared');
    const differs = c.declared_type && c.inferred_type && c.inferred_type !== c.declared_type;
    return el(
      'tr',
      { dataset: { testid: 'pub-profile-col', column: c.id } },
      el('th', { scope: 'row' }, c.label ? el('span', { lang: 'zh-CN' }, c.label) : null, c.label ? ' ' : null, el('code', null, c.id)),
      el(
        'td',
        null,
        declared,
        c.inferred_type && (differs || !c.declared_type) ? el('span', { class: differs ? 'pub-late' : 'muted' }, t('pub.profile.found', { type: enumLabel('type', c.inferred_type) })) : null,
      ),
      el('td', { class: 'num' }, pct(c.empty, p.rows)),
      el('td', { class: 'num' }, (c.distinct_approx ? '≈' : '') + fmtNumber(c.distinct)),
      el('td', { class: c.invalid > 0 ? 'pub-late' : null, dataset: { testid: 'pub-profile-invalid' } }, c.invalid > 0 ? invalidSentence(c) : t('pub.profile.noInvalid')),
      el('td', null, topValues(c)),
    );
  });
  const lines = [
    el(
      'p',
      { dataset: { testid: 'pub-profile-summary' } },
      tn('pub.profile.rowCount', p.rows),
      t('pub.profile.sep'),
      p.duplicate_rows > 0 ? el('strong', { class: 'pub-late' }, tn('pub.profile.duplicates', p.duplicate_rows)) : t('pub.profile.noDuplicates'),
      p.profiled_at ? [t('pub.profile.sep'), t('pub.profile.at', { at: fmtDateTime(p.profiled_at) })] : null,
    ),
  ];
  if ((p.undeclared_columns || []).length) lines.push(el('p', { class: 'pub-late', dataset: { testid: 'pub-profile-undeclared' } }, t('pub.profile.undeclared', { list: p.undeclared_columns.join(t('pub.profile.nameSep')) })));
  if ((p.missing_columns || []).length) lines.push(el('p', { class: 'pub-late', dataset: { testid: 'pub-profile-missing' } }, t('pub.profile.missing', { list: p.missing_columns.join(t('pub.profile.nameSep')) })));
  return [
    lines,
    rows.length
      ? tableWrap(
          el(
            'table',
            { class: 'data-table pub-profile-table' },
            el('caption', { id: cap, class: 'visually-hidden' }, t('pub.profile.caption')),
            el('thead', null, el('tr', null, ['column', 'type', 'empty', 'distinct', 'invalid', 'top'].map((k) => el('th', { scope: 'col' }, t(`pub.profile.col.${k}`))))),
            el('tbody', null, rows),
          ),
          cap,
        )
      : null,
  ];
}

function clip(s) {
  const v = String(s);
  return v.length > 60 ? `${v.slice(0, 60)}…` : v;
}

function topValues(c) {
  const top = c.top || [];
  const bad = c.invalid_values || [];
  if (!top.length && !bad.length) return '—';
  return el(
    'details',
    { class: 'pub-profile-top' },
    el('summary', null, t('pub.profile.topSummary', { n: fmtNumber(top.length) })),
    top.length
      ? el(
          'ol',
          null,
          top.map((x) => el('li', null, el('span', { lang: 'zh-CN' }, x.value === '' ? t('pub.profile.emptyValue') : clip(x.value)), ' ', el('span', { class: 'muted' }, t('pub.profile.times', { n: fmtNumber(x.count) })))),
        )
      : null,
    c.top_approx ? el('p', { class: 'muted' }, t('pub.profile.topApprox')) : null,
    bad.length ? el('p', null, t('pub.profile.invalidValues'), el('span', { lang: 'zh-CN' }, bad.map(clip).join(t('pub.profile.nameSep')))) : null,
  );
}
