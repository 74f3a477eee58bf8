// /account/organisation: the organisation's member accounts; its
// administrator adds colleagues by e-mail (they get an invitation link).

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, keepValues, flash, checkEmail } from './forms.js?v=__V__';
import { startPage, section, when } from './shell.js?v=__V__';

function memberTable(members) {
  const cols = ['name', 'email', 'role', 'status', 'created'];
  return el(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t('accounts.org.membersHeading') },
    el(
      'table',
      { class: 'data-table', dataset: { testid: 'members-table' } },
      el('caption', { class: 'visually-hidden' }, t('accounts.org.caption', { n: members.length })),
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`accounts.org.col.${c}`))))),
      el(
        'tbody',
        null,
        members.map((m) =>
          el(
            'tr',
            { dataset: { testid: 'member-row' } },
            el('td', null, m.name),
            el('td', null, m.email),
            el('td', null, m.org_admin ? t('accounts.org.admin') : t('accounts.org.member')),
            el('td', null, m.disabled ? t('accounts.status.disabled') : t('accounts.status.active')),
            el('td', null, when(m.created_at)),
          ),
        ),
      ),
    ),
  );
}

startPage({
  section: 'account',
  page: 'organisation',
  render(me, body) {
    if (!me.organisation) {
      clear(body).append(el('p', { class: 'empty' }, t('accounts.org.none')));
      return;
    }
    const listBox = el('div', { dataset: { testid: 'members' } }, el('p', { class: 'loading' }, t('common.loading')));
    const load = async () => {
      try {
        const res = await apiGet('/me/organisation/members');
        clear(listBox).append(memberTable(res.items || []));
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: load }));
      }
    };
    let adder;
    if (me.org_admin) {
      const status = el('p', { class: 'flash', role: 'status', dataset: { testid: 'member-status' } });
      const old = body.querySelector('[data-testid=member-form]');
      const f = form(
        { submit: t('accounts.org.add'), testid: 'member-form', labelledby: 'org-add-h', extra: status },
        field({ name: 'email', label: t('accounts.field.email'), type: 'email', autocomplete: 'off', required: true, spellcheck: false, autocapitalize: 'off' }),
        field({ name: 'name', label: t('accounts.field.name'), required: true, maxlength: 100 }),
      );
      keepValues(old, f);
      onSubmit(f, {
        check: (v) => {
          const e = {};
          if (!checkEmail(v.email)) e.email = t('accounts.msg.email');
          if (!v.name.trim()) e.name = t('accounts.msg.name');
          return e;
        },
        submit: async (v, form2) => {
          const m = await apiPost('/me/organisation/members', { email: v.email.trim(), name: v.name.trim() });
          form2.querySelector('[name=email]').value = '';
          form2.querySelector('[name=name]').value = '';
          flash(form2.querySelector('.flash'), t('accounts.org.invited', { email: m.email }));
          load();
        },
      });
      adder = section('org-add-h', t('accounts.org.addHeading'), el('p', { class: 'muted' }, t('accounts.org.addNote')), f);
    } else {
      adder = el('p', { class: 'muted', dataset: { testid: 'org-admin-only' } }, t('accounts.org.adminOnly'));
    }
    clear(body).append(
      el(
        'dl',
        { class: 'meta-list meta-list--compact' },
        el('div', { class: 'field' }, el('dt', null, t('accounts.profile.organisation')), el('dd', null, me.organisation.name)),
        el('div', { class: 'field' }, el('dt', null, t('accounts.profile.creditCode')), el('dd', null, el('code', null, me.organisation.credit_code))),
      ),
      section('org-members-h', t('accounts.org.membersHeading'), listBox),
      adder,
    );
    load();
  },
});
