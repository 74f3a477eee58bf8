// /corrections/track#CODE: follow a report by its tracking code. The code
// travels in the fragment, which the browser never sends to a server (nor
// in a Referer); the API answers the status only, without personal data.

import { el, clear } from '../dom.js?v=__V__';
import { t, fmtBytes } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, showErrors } from '../accounts/forms.js?v=__V__';
import { startPage, dueText, facts, timeEl, statusBadge, timeline, fill } from './ui.js?v=__V__';

const CODE_RE = /^[A-Za-z0-9_-]{24}$/;

startPage({
  title: 'corr.title.track',
  async render(body) {
    let code = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
    let report = null;
    let failure = null;
    const lookup = async () => {
      report = null;
      failure = null;
      try {
        report = await apiGet(`/corrections/track/${encodeURIComponent(code)}`);
      } catch (err) {
        failure = err;
      }
    };
    const draw = () => {
      const f = form(
        { submit: t('corr.track.submit'), testid: 'track-form', submitTestid: 'track-submit' },
        field({ name: 'code', label: t('corr.track.code'), hint: t('corr.track.codeHint'), value: code, autocomplete: 'off', spellcheck: false, maxlength: 24 }),
      );
      onSubmit(f, {
        check(v) {
          return CODE_RE.test(v.code.trim()) ? {} : { code: t('corr.track.badCode') };
        },
        async submit(v) {
          code = v.code.trim();
          history.replaceState(null, '', `#${code}`);
          await lookup();
          if (failure && failure.status === 404) {
            showErrors(f, { code: t('corr.track.notFound') });
            return;
          }
          draw();
          const h = document.getElementById('report-heading');
          if (h) h.focus();
        },
      });
      fill(body,
        el('p', { class: 'fb-lead' }, t('corr.track.lead')),
        f,
        report ? view(report, code) : null,
        failure && failure.status !== 404 ? errorAlert(failure) : null,
      );
    };
    if (CODE_RE.test(code)) await lookup();
    draw();
    return draw;
  },
});

function view(r, code) {
  const ev = (r.evidence || []).filter((e) => e.party === 'department');
  return el(
    'section',
    { class: 'fb-panel', 'aria-labelledby': 'report-heading', dataset: { testid: 'report-view', status: r.status } },
    el('h2', { id: 'report-heading', tabindex: '-1' }, t('corr.track.heading', { id: r.id })),
    facts([
      [t('corr.field.status'), statusBadge(r)],
      [t('corr.field.dataset'), el('a', { href: `/datasets/${encodeURIComponent(r.dataset.id)}`, lang: 'zh-CN' }, r.dataset.name || r.dataset.id)],
      [t('corr.field.dataItem'), r.data_item ? el('code', null, r.data_item) : ''],
      [t('corr.field.department'), el('span', { lang: 'zh-CN' }, r.department.name || r.department.id)],
      [t('corr.field.submitted'), timeEl(r.created_at)],
      [t('corr.field.due'), el('span', { class: r.overdue ? 'fb-overdue' : null, dataset: { testid: 'report-due' } }, dueText(r.due_at, r.working_days_left, r.overdue, r.due_provisional))],
      [t('corr.field.extension'), r.extension && r.extension.status === 'approved' ? tn('corr.track.extended', r.extension.days) : ''],
      [t('corr.field.escalated'), r.escalated ? t('corr.track.escalated') : ''],
    ], 'report-facts'),
    r.answer
      ? el(
          'div',
          { class: 'fb-panel fb-panel--success', dataset: { testid: 'report-answer' } },
          el('h3', null, t(`corr.outcome.${r.answer.outcome}`)),
          el('p', { class: 'fb-desc', lang: 'zh-CN' }, r.answer.explanation),
          facts([
            [t('corr.field.answered'), timeEl(r.answer.answered_at)],
            [t('corr.field.onTime'), r.answer.on_time ? t('common.yes') : t('common.no')],
            [t('corr.field.newResource'), r.answer.new_resource_id ? el('a', { href: `/datasets/${encodeURIComponent(r.dataset.id)}#resources` }, r.answer.new_resource_id) : ''],
          ]),
        )
      : null,
    ev.length
      ? el(
          'div',
          null,
          el('h3', null, t('corr.track.evidence')),
          el('ul', null, ev.map((e, i) => el('li', null, el('a', { href: e.url, download: '' }, t('corr.track.evidenceFile', { n: i + 1, type: e.media_type, size: fmtBytes(e.size) }))))),
        )
      : null,
    el('h3', null, t('corr.track.history')),
    timeline(r.events || []),
    el('p', { class: 'muted' }, t('corr.track.codeNote', { code: code.slice(0, 4) })),
  );
}
