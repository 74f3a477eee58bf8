// /console/import: bulk import of draft entries from the template (CSV or
// XLSX). "Check" is a dry run that lists the entries; "Import" creates
// them all or none; problems come by row and column.

import { el } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startPage, fill, notForYou, errorFields, localiseErrors, sendFile, splitRowKey, tableWrap } from './common.js?v=__V__';

let body = null;
let result = null;
let failure = null;
let busy = false;

startPage({
  title: 'pub.import.title',
  async render(me, node) {
    body = node;
    if (!hasRole(me, 'provider')) {
      fill(body, notForYou('pub.console.forbidden'));
      return null;
    }
    draw();
    return draw;
  },
});

function draw() {
  const input = el('input', { type: 'file', id: 'f-import', class: 'form-control', accept: '.csv,.txt,.xlsx,.json', 'aria-describedby': 'f-import-hint' });
  const check = el('button', { type: 'submit', class: 'btn btn-secondary', value: 'check', disabled: busy, dataset: { testid: 'pub-import-check' } }, t('pub.import.check'));
  const run = el('button', { type: 'submit', class: 'btn btn-primary', value: 'import', disabled: busy, dataset: { testid: 'pub-import-run' } }, t('pub.import.run'));
  const form = el(
    'form',
    { class: 'form', novalidate: true },
    el(
      'div',
      { class: 'form-field' },
      el('label', { class: 'form-label', for: 'f-import' }, t('pub.import.file')),
      el('p', { class: 'form-hint', id: 'f-import-hint' }, t('pub.import.hint')),
      input,
    ),
    el('p', { class: 'pub-actions' }, check, ' ', run),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      input.focus();
      return;
    }
    const dry = ev.submitter && ev.submitter.value === 'check';
    busy = true;
    result = null;
    failure = null;
    draw();
    try {
      result = await sendFile('/manage/import', file, { params: dry ? { dry_run: 'true' } : undefined });
    } catch (err) {
      failure = localiseErrors(err);
    }
    busy = false;
    draw();
    const target = document.getElementById('pub-import-result');
    if (target) target.focus();
  });
  fill(
    body,
    el(
      'section',
      { class: 'section', 'aria-labelledby': 'pub-template-heading' },
      el('h2', { id: 'pub-template-heading' }, t('pub.import.templateHeading')),
      el('p', null, t('pub.import.templateHint')),
      el(
        'ul',
        { dataset: { testid: 'pub-import-record-help' } },
        ['shareType', 'shareConditions', 'shareMethod', 'resourceCode', 'formats'].map((k) => el('li', null, t(`pub.import.help.${k}`))),
      ),
      el(
        'p',
        { class: 'pub-toolbar' },
        el('a', { class: 'btn btn-secondary', href: '/api/v1/manage/import/template?format=xlsx', download: '' }, t('pub.import.templateXlsx')),
        el('a', { class: 'btn btn-secondary', href: '/api/v1/manage/import/template?format=csv', download: '' }, t('pub.import.templateCsv')),
      ),
    ),
    el('section', { class: 'section', 'aria-labelledby': 'pub-upload-heading' }, el('h2', { id: 'pub-upload-heading' }, t('pub.import.uploadHeading')), form),
    resultView(),
  );
}

function resultView() {
  if (failure) {
    const fields = errorFields(failure);
    const keys = Object.keys(fields).sort((a, b) => (splitRowKey(a).row || 0) - (splitRowKey(b).row || 0) || a.localeCompare(b));
    return el(
      'section',
      { class: 'section', id: 'pub-import-result', tabindex: '-1', 'aria-labelledby': 'pub-result-heading', dataset: { testid: 'pub-import-errors' } },
      el('h2', { id: 'pub-result-heading' }, t('pub.import.problems')),
      errorAlert(failure),
      keys.length
        ? tableWrap(
            el(
              'table',
              { class: 'data-table' },
              el('caption', { id: 'pub-problems-caption', class: 'visually-hidden' }, t('pub.import.problems')),
              el('thead', null, el('tr', null, ['row', 'column', 'problem'].map((c) => el('th', { scope: 'col' }, t(`pub.import.col.${c}`))))),
              el(
                'tbody',
                null,
                keys.map((k) => {
                  const { row, field } = splitRowKey(k);
                  return el('tr', null, el('td', null, row === null ? '—' : String(row)), el('td', null, el('code', null, field || k)), el('td', null, fields[k]));
                }),
              ),
            ),
            'pub-problems-caption',
          )
        : null,
    );
  }
  if (!result) return null;
  return el(
    'section',
    { class: 'section', id: 'pub-import-result', tabindex: '-1', 'aria-labelledby': 'pub-result-heading', dataset: { testid: 'pub-import-result' } },
    el('h2', { id: 'pub-result-heading' }, tn(result.dry_run ? 'pub.import.checked' : 'pub.import.created', result.count)),
    tableWrap(
      el(
        'table',
        { class: 'data-table' },
        el('caption', { id: 'pub-result-caption', class: 'visually-hidden' }, t('pub.import.entries')),
        el('thead', null, el('tr', null, ['row', 'title'].map((c) => el('th', { scope: 'col' }, t(`pub.import.col.${c}`))))),
        el(
          'tbody',
          null,
          result.entries.map((e) =>
            el('tr', null, el('td', null, String(e.line)), el('td', { lang: 'zh-CN' }, e.id ? el('a', { href: `/console/datasets/${encodeURIComponent(e.id)}` }, e.title) : e.title)),
          ),
        ),
      ),
      'pub-result-caption',
    ),
  );
}
