// The entry lists of the department console (/console: the department's
// catalog entries) and of the review hub (/review: the authority's queue,
// oldest deadline first). Filters live in the address (?status=, ?overdue=1).
// The console also lists what to fix first: the failed quality checks of
// the department's public entries, the biggest gain first.

import { el } from '../dom.js?v=__V__';
import { t, lang, fmtDateTime, fmtNumber, enumLabel } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet } from '../api.js?v=__V__';
import { hasRole } from '../session.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { startPage, fill, notForYou, statusBadge, dueText, freshnessText, tableWrap } from './common.js?v=__V__';

const MODES = {
  console: {
    title: 'pub.console.title',
    role: 'provider',
    forbidden: 'pub.console.forbidden',
    filters: ['all', 'draft', 'submitted', 'returned', 'published', 'overdue'],
    initial: 'all',
    link: (id) => `/console/datasets/${encodeURIComponent(id)}`,
  },
  review: {
    title: 'pub.review.title',
    role: 'authority',
    forbidden: 'pub.review.forbidden',
    filters: ['submitted', 'returned', 'published', 'overdue', 'all'],
    initial: 'submitted',
    link: (id) => `/review/datasets/${encodeURIComponent(id)}`,
  },
};

export function startList(mode) {
  const m = MODES[mode];
  startPage({
    title: m.title,
    async render(me, body) {
      if (!hasRole(me, m.role)) {
        fill(body, notForYou(m.forbidden));
        return null;
      }
      const q = new URLSearchParams(location.search);
      let filter = q.get('overdue') === '1' ? 'overdue' : q.get('status') || m.initial;
      if (!m.filters.includes(filter)) filter = m.initial;
      let page = Math.max(1, Number(q.get('page')) || 1);
      let list = null;
      let failure = null;
      // What to fix first (console only); its hints come in the page's
      // language, so a language switch asks again.
      const fixes = { data: null, err: null, lang: '', node: el('section', { class: 'section pub-fixes', 'aria-labelledby': 'pub-fix-heading', dataset: { testid: 'pub-fix-first' } }) };
      const loadFixes = async () => {
        fixes.lang = lang();
        try {
          fixes.data = await apiGet('/manage/quality/fix-first', { limit: 10, lang: fixes.lang });
          fixes.err = null;
        } catch (err) {
          fixes.err = err;
        }
        drawFixes(fixes);
      };
      const load = async () => {
        const params = { page, page_size: 20 };
        if (filter === 'overdue') params.overdue = 'true';
        else if (filter !== 'all') params.status = filter;
        try {
          list = await apiGet('/manage/datasets', params);
          failure = null;
        } catch (err) {
          failure = err;
        }
      };
      const go = async (f, p) => {
        filter = f;
        page = p;
        const sp = new URLSearchParams();
        if (f === 'overdue') sp.set('overdue', '1');
        else if (f !== m.initial) sp.set('status', f);
        if (p > 1) sp.set('page', String(p));
        history.replaceState(null, '', sp.toString() ? `?${sp}` : location.pathname);
        await load();
        draw();
      };
      const draw = () => {
        const tabs = el(
          'ul',
          { class: 'pub-tabs', dataset: { testid: 'pub-filters' } },
          m.filters.map((f) => {
            const a = el('a', { href: '#', 'aria-current': f === filter ? 'true' : null, dataset: { filter: f } }, t(`pub.filter.${f}`));
            a.addEventListener('click', (ev) => {
              ev.preventDefault();
              go(f, 1).then(() => {
                const again = document.querySelector(`[data-filter="${f}"]`);
                if (again) again.focus();
              });
            });
            return el('li', null, a);
          }),
        );
        const toolbar =
          mode === 'console'
            ? el(
                'p',
                { class: 'pub-toolbar' },
                el('a', { class: 'btn btn-primary', href: '/console/datasets/new', dataset: { testid: 'pub-new' } }, t('pub.console.new')),
                el('a', { class: 'btn btn-secondary', href: '/console/import' }, t('pub.console.import')),
              )
            : null;
        if (mode === 'console') {
          if (fixes.lang !== lang()) loadFixes();
          drawFixes(fixes);
        }
        fill(
          body,
          toolbar,
          mode === 'console' ? fixes.node : null,
          el('nav', { 'aria-label': t('pub.filter.label') }, tabs),
          failure ? errorAlert(failure) : table(list, m, mode),
          failure ? null : pager(list, (p) => go(filter, p)),
        );
      };
      await load();
      draw();
      return draw;
    },
  });
}

function table(list, m, mode) {
  if (!list.items.length) return el('p', { class: 'empty', dataset: { testid: 'pub-empty' } }, t(`pub.${mode}.empty`));
  const cols = mode === 'review' ? ['title', 'department', 'status', 'submitted', 'due'] : ['title', 'status', 'version', 'openType', 'updated', 'due', 'freshness'];
  const rows = list.items.map((it) => {
    const due = it.status === 'returned' ? it.fix_due : it.status === 'submitted' ? it.review_due : null;
    const late = it.days_left !== null && it.days_left !== undefined && it.days_left < 0;
    const cells = {
      title: el('th', { scope: 'row', lang: 'zh-CN' }, el('a', { href: m.link(it.id), dataset: { testid: 'pub-entry-link' } }, it.title)),
      department: el('td', { lang: 'zh-CN' }, it.department.name),
      status: el('td', null, statusBadge(it.status)),
      version: el('td', null, versionText(it)),
      openType: el('td', null, it.open_type ? enumLabel('open_type', it.open_type) : '—'),
      updated: el('td', null, fmtDateTime(it.updated_at)),
      submitted: el('td', null, it.submitted_at ? fmtDateTime(it.submitted_at) : '—'),
      due: el('td', { class: late ? 'pub-late' : null }, due ? dueText(due, it.days_left, it.due_provisional) : '—'),
      freshness: el('td', { class: it.freshness && !it.freshness.on_schedule ? 'pub-late' : null }, it.freshness ? freshnessText(it.freshness) : '—'),
    };
    return el('tr', { dataset: { testid: 'pub-row', id: it.id } }, cols.map((c) => cells[c]));
  });
  return tableWrap(
    el(
      'table',
      { class: 'data-table pub-table', dataset: { testid: 'pub-list' } },
      el('caption', { id: 'pub-list-caption', class: 'visually-hidden' }, t('pub.list.caption', { n: list.total })),
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`pub.col.${c}`))))),
      el('tbody', null, rows),
    ),
    'pub-list-caption',
  );
}

// drawFixes fills the "what to fix first" section: per failed check, the
// entry (a link to its editor), its score, the hint and the points it adds.
function drawFixes(f) {
  const head = el('h2', { id: 'pub-fix-heading' }, t('pub.fix.heading'));
  if (f.err) {
    fill(f.node, head, errorAlert(f.err));
    return;
  }
  if (!f.data) {
    fill(f.node, head, el('p', { class: 'loading' }, t('common.loading')));
    return;
  }
  const items = f.data.items || [];
  if (!items.length) {
    fill(f.node, head, el('p', { class: 'empty', dataset: { testid: 'pub-fix-empty' } }, t('pub.fix.empty')));
    return;
  }
  fill(
    f.node,
    head,
    el('p', { class: 'form-hint' }, t('pub.fix.lead')),
    el(
      'ol',
      { class: 'pub-fix-list' },
      items.map((it) =>
        el(
          'li',
          { dataset: { testid: 'pub-fix-item', id: it.dataset_id, check: it.check } },
          el(
            'p',
            { class: 'pub-fix-title' },
            el('a', { href: `/console/datasets/${encodeURIComponent(it.dataset_id)}`, lang: 'zh-CN' }, it.title),
            ' ',
            el('span', { class: 'badge badge-neutral', dataset: { testid: 'pub-fix-score' } }, t('pub.fix.score', { score: fmtNumber(it.score) })),
          ),
          el('p', null, el('strong', null, t(`pub.check.${it.check}`)), t('pub.profile.warnSep'), it.hint),
          el('p', { class: 'pub-fix-gain', dataset: { testid: 'pub-fix-gain' } }, tn('pub.fix.gain', it.weight)),
        ),
      ),
    ),
  );
}

function versionText(it) {
  if (it.working_version && it.published_version) return t('pub.version.pending', { n: it.working_version, p: it.published_version });
  if (it.working_version) return t('pub.version.n', { n: it.working_version });
  return it.published_version ? t('pub.version.n', { n: it.published_version }) : '—';
}

function pager(list, go) {
  const pages = Math.ceil(list.total / list.page_size);
  if (pages <= 1) return el('p', { class: 'muted' }, t('pub.list.count', { n: list.total }));
  const prev = el('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: list.page <= 1 }, t('pub.list.prev'));
  const next = el('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: list.page >= pages }, t('pub.list.next'));
  prev.addEventListener('click', () => go(list.page - 1));
  next.addEventListener('click', () => go(list.page + 1));
  return el('p', { class: 'pub-pager' }, prev, ' ', el('span', null, t('pub.list.page', { page: list.page, pages, n: list.total })), ' ', next);
}
