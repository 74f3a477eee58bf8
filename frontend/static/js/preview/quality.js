// The quality panel of the dataset page: the score from
// GET /datasets/{id}/quality (a meter with its number), what would raise
// it (failed checks, biggest weight first, with their hints) and what
// already passes; then, per CSV resource, its profile (rows, duplicates,
// empty cells, invalid cells with example rows) in a collapsible element
// that loads when opened.

import { el, fill } from '../dom.js?v=__V__';
import { t, lang, has, fmtNumber, fmtDateTime, enumLabel } from '../i18n.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { profileOf } from './data.js?v=__V__';
import { isTabular } from './columns.js?v=__V__';
import { failureBox } from './table.js?v=__V__';

const reports = new Map(); // "<dataset id>|<lang>" -> promise (hints come in the page's language)
const profiles = new Map(); // resource id -> {data, err} once opened

function reportOf(id) {
  const key = `${id}|${lang()}`;
  if (!reports.has(key)) {
    // The page's language, not the browser's Accept-Language.
    const p = apiGet(`/datasets/${encodeURIComponent(id)}/quality`, { lang: lang() });
    p.catch(() => reports.delete(key));
    reports.set(key, p);
  }
  return reports.get(key);
}

export function checkName(id) {
  return has(`quality.check.${id}`) ? t(`quality.check.${id}`) : id;
}

export function grade(score) {
  if (score >= 80) return 'good';
  if (score >= 60) return 'fair';
  return 'poor';
}

function scoreBlock(q) {
  const score = Math.max(0, Math.min(100, Number(q.score) || 0));
  const g = grade(score);
  return el(
    'div',
    { class: ['q-score', `q-${g}`] },
    el(
      'p',
      { class: 'q-score-num', id: 'quality-score-text', dataset: { testid: 'quality-score', score: String(score) } },
      el('strong', null, String(score)),
      el('span', { class: 'q-score-max' }, ' / 100'),
      ' ',
      el('span', { class: ['badge', g === 'good' ? 'badge-open' : g === 'fair' ? 'badge-conditional' : 'badge-dispute'] }, t(`quality.grade.${g}`)),
    ),
    el('meter', { min: '0', max: '100', low: '60', high: '80', optimum: '100', value: String(score), 'aria-labelledby': 'quality-score-text', class: 'q-meter' }, `${score} / 100`),
    q.computed_at ? el('p', { class: 'muted q-when' }, t('quality.computedAt', { time: fmtDateTime(q.computed_at) })) : null,
  );
}

function checkItem(c, passed) {
  return el(
    'li',
    { class: ['q-check', passed ? 'q-pass' : 'q-fail'], dataset: { testid: 'quality-check', check: c.id, passed: String(Boolean(c.passed)) } },
    el('span', { class: 'q-mark', 'aria-hidden': 'true' }, passed ? '✓' : '✗'),
    el(
      'div',
      null,
      el('strong', null, checkName(c.id)),
      ' ',
      el('span', { class: 'badge badge-neutral' }, t(passed ? 'quality.weightPassed' : 'quality.weightGain', { n: c.weight })),
      el('span', { class: 'visually-hidden' }, passed ? t('quality.passed') : t('quality.failed')),
      !passed && c.hint ? el('p', { class: 'q-hint' }, c.hint) : null,
      c.detail ? el('p', { class: 'q-detail muted' }, c.detail) : null,
    ),
  );
}

function checksBlock(q) {
  const checks = Array.isArray(q.checks) ? q.checks : [];
  const failed = checks.filter((c) => !c.passed).sort((a, b) => b.weight - a.weight || String(a.id).localeCompare(String(b.id)));
  const passed = checks.filter((c) => c.passed);
  return [
    el('h3', { id: 'quality-raise' }, t('quality.raise')),
    failed.length
      ? el('ol', { class: 'q-checks', 'aria-labelledby': 'quality-raise', dataset: { testid: 'quality-failed' } }, failed.map((c) => checkItem(c, false)))
      : el('p', { dataset: { testid: 'quality-all-passed' } }, t('quality.allPassed')),
    passed.length ? el('h3', { id: 'quality-ok' }, t('quality.passedHeading')) : null,
    passed.length ? el('ul', { class: 'q-checks', 'aria-labelledby': 'quality-ok', dataset: { testid: 'quality-passed' } }, passed.map((c) => checkItem(c, true))) : null,
  ];
}

const pct = (n, total) => (total > 0 ? `${(Math.round((n / total) * 1000) / 10).toLocaleString(lang() === 'en' ? 'en-US' : 'zh-CN')}%` : '—');

function profileView(r, p) {
  const rows = Number(p.rows) || 0;
  const cols = p.columns || [];
  const capID = `profile-cap-${r.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const typeText = (c) => {
    const decl = c.declared_type ? enumLabel('type', c.declared_type) : '—';
    const inf = c.inferred_type ? enumLabel('type', c.inferred_type) : '—';
    return c.declared_type && c.inferred_type && c.declared_type !== c.inferred_type ? t('quality.profile.typeDiffers', { declared: decl, inferred: inf }) : decl;
  };
  return [
    el(
      'ul',
      { class: 'q-facts', dataset: { testid: 'profile-facts' } },
      el('li', null, t('quality.profile.rows', { n: fmtNumber(rows) })),
      el('li', { dataset: { testid: 'profile-duplicates', n: String(p.duplicate_rows || 0) } }, t('quality.profile.duplicates', { n: fmtNumber(p.duplicate_rows || 0) })),
      (p.undeclared_columns || []).length ? el('li', { lang: 'zh-CN' }, t('quality.profile.undeclared', { list: p.undeclared_columns.join('、') })) : null,
      (p.missing_columns || []).length ? el('li', { lang: 'zh-CN' }, t('quality.profile.missing', { list: p.missing_columns.join('、') })) : null,
      p.profiled_at ? el('li', null, t('quality.profile.at', { time: fmtDateTime(p.profiled_at) })) : null,
    ),
    el(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-labelledby': capID, tabindex: '0' },
      el(
        'table',
        { class: 'data-table q-profile', dataset: { testid: 'profile-table' } },
        el('caption', { id: capID, class: 'visually-hidden' }, t('quality.profile.caption', { name: r.name || r.id })),
        el(
          'thead',
          null,
          el(
            'tr',
            null,
            ['column', 'type', 'empty', 'distinct', 'invalid'].map((k) => el('th', { scope: 'col', class: k === 'empty' || k === 'distinct' ? 'num' : null }, t(`quality.profile.col.${k}`))),
          ),
        ),
        el(
          'tbody',
          null,
          cols.map((c) =>
            el(
              'tr',
              { dataset: { column: c.id } },
              el('th', { scope: 'row' }, el('span', { lang: 'zh-CN' }, c.label || c.id), c.label ? [' ', el('code', null, c.id)] : null),
              el('td', null, typeText(c)),
              el('td', { class: 'num' }, pct(c.empty || 0, rows)),
              el('td', { class: 'num' }, (c.distinct_approx ? '≈' : '') + fmtNumber(c.distinct || 0)),
              el(
                'td',
                { dataset: { testid: 'profile-invalid', n: String(c.invalid || 0) } },
                c.invalid
                  ? [
                      el('strong', null, fmtNumber(c.invalid)),
                      c.invalid_rule ? ` ${t('quality.profile.rule', { rule: has(`quality.rule.${c.invalid_rule}`) ? t(`quality.rule.${c.invalid_rule}`) : c.invalid_rule })}` : '',
                      (c.invalid_examples || []).length
                        ? el('span', { class: 'q-examples' }, t('quality.profile.examples', { rows: c.invalid_examples.slice(0, 5).map((n) => fmtNumber(n)).join('、') }))
                        : null,
                    ]
                  : '0',
              ),
            ),
          ),
        ),
      ),
    ),
  ];
}

function profileDetails(d, r) {
  const body = el('div', { class: 'q-profile-body' });
  const details = el(
    'details',
    { class: 'q-details', dataset: { testid: 'profile-details', id: r.id } },
    el('summary', null, t('quality.profile.summary', { name: r.name || r.id })),
    body,
  );
  const show = () => {
    const known = profiles.get(r.id);
    if (known && known.data) return fill(body, profileView(r, known.data));
    if (known && known.err) return fill(body, failureBox(d, known.err, load, 'profile'));
    fill(body, el('p', { class: 'loading', role: 'status' }, t('common.loading')));
  };
  const load = () => {
    profiles.delete(r.id);
    show();
    profileOf(r.id, () => fill(body, el('p', { class: 'loading', role: 'status' }, t('preview.profiling'))))
      .then((data) => profiles.set(r.id, { data }))
      .catch((err) => profiles.set(r.id, { err }))
      .finally(() => body.isConnected && show());
  };
  details.addEventListener('toggle', () => {
    if (!details.open) return;
    if (profiles.has(r.id)) show();
    else load();
  });
  if (profiles.has(r.id) && profiles.get(r.id).data) {
    // Opened before a language switch: keep it open.
    details.open = true;
    show();
  }
  return details;
}

// fillQuality(sec, body, d): the score, the checks and the file profiles
// into a quality section (sec) whose report goes into body.
function fillQuality(sec, body, d, retry) {
  const csv = (d.resources || []).filter(isTabular);
  body.setAttribute('aria-busy', 'true');
  if (csv.length) sec.append(el('h3', null, t('quality.profile.heading')), ...csv.map((r) => profileDetails(d, r)));
  reportOf(d.id)
    .then((q) => {
      body.removeAttribute('aria-busy');
      fill(body, el('p', { class: 'muted' }, t('quality.intro')), scoreBlock(q), checksBlock(q));
    })
    .catch((err) => {
      body.removeAttribute('aria-busy');
      if (err.status === 404) fill(body, el('p', { class: 'empty', dataset: { testid: 'quality-none' } }, t('quality.none')));
      else fill(body, errorAlert(err, { title: t('quality.error'), retry }));
    });
}

// The section, drawn by script (the page without server data).
export function qualitySection(d) {
  const body = el('div', { class: 'q-body' }, el('p', { class: 'loading' }, t('common.loading')));
  const sec = el(
    'section',
    { class: 'section q-section', 'aria-labelledby': 'quality-heading', dataset: { testid: 'quality' } },
    el('h2', { id: 'quality-heading' }, t('quality.heading')),
    body,
  );
  fillQuality(sec, body, d, () => sec.replaceWith(qualitySection(d)));
  return sec;
}

// mountQuality(sec, d): the details into the section the server rendered
// (its heading and score stay until the report replaces the score).
export function mountQuality(sec, d) {
  const body = sec.querySelector('.q-body');
  if (!body) return;
  fillQuality(sec, body, d, () => {
    for (const n of sec.querySelectorAll(':scope > h3, :scope > details')) n.remove();
    mountQuality(sec, d);
  });
}
