// /account/tokens: personal API tokens. A new token is shown once, with a
// copy button and a warning; the list shows only each token's prefix.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { tn } from '../plural.js?v=__V__';
import { apiGet, apiPost, apiDelete } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, keepValues, flash, apiMessage } from './forms.js?v=__V__';
import { startPage, section, when } from './shell.js?v=__V__';

const EXPIRY_DAYS = ['30', '90', '365', 'never'];

let tokens = null; // last list
let created = null; // the token just created: shown until dismissed or the page is left

function expiryOptions() {
  return EXPIRY_DAYS.map((d) => ({ value: d, label: d === 'never' ? t('accounts.tokens.expiryNever') : tn('accounts.tokens.expiryDays', Number(d)) }));
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (http, old browser): select it for Ctrl+C.
    input.focus();
    input.select();
    return false;
  }
}

function createdPanel(onClose) {
  const input = el('input', {
    id: 'new-token',
    class: 'form-control token-value',
    type: 'text',
    readonly: true,
    value: created.token,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'new-token-warning',
    dataset: { testid: 'new-token' },
  });
  const status = el('p', { class: 'flash', role: 'status', dataset: { testid: 'copy-status' } });
  const copy = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'copy-token' } }, t('accounts.tokens.copy'));
  copy.addEventListener('click', async () => {
    const ok = await copyText(created.token, input);
    flash(status, ok ? t('accounts.tokens.copied') : t('accounts.tokens.copyManual'), ok ? 'ok' : 'warn');
  });
  input.addEventListener('focus', () => input.select());
  const done = el('button', { type: 'button', class: 'btn btn-primary', dataset: { testid: 'token-saved' } }, t('accounts.tokens.saved'));
  done.addEventListener('click', onClose);
  return el(
    'section',
    { class: 'token-created', 'aria-labelledby': 'token-created-h', tabindex: '-1', dataset: { testid: 'token-created' } },
    el('h2', { id: 'token-created-h' }, t('accounts.tokens.createdTitle', { name: created.name })),
    el(
      'div',
      { class: 'alert alert-warning', id: 'new-token-warning' },
      el('p', { class: 'alert-title' }, t('accounts.tokens.onceTitle')),
      el('p', null, t('accounts.tokens.onceBody')),
    ),
    el('label', { for: 'new-token', class: 'form-label' }, t('accounts.tokens.value')),
    el('div', { class: 'token-row' }, input, copy),
    status,
    el('p', { class: 'muted' }, t('accounts.tokens.usage')),
    el('pre', { class: 'code-sample' }, el('code', null, `curl -H "Authorization: Bearer $TOKEN" ${location.origin}/api/v1/me`)),
    done,
  );
}

function tokenTable(onRevoke) {
  if (!tokens.length) return el('p', { class: 'empty', dataset: { testid: 'tokens-empty' } }, t('accounts.tokens.none'));
  const cols = ['name', 'prefix', 'created', 'expires', 'lastUsed', 'actions'];
  return el(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t('accounts.tokens.listHeading') },
    el(
      'table',
      { class: 'data-table tokens-table', dataset: { testid: 'tokens-table' } },
      el('caption', { class: 'visually-hidden' }, t('accounts.tokens.caption', { n: tokens.length })),
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col' }, t(`accounts.tokens.col.${c}`))))),
      el(
        'tbody',
        null,
        tokens.map((tk) => {
          const expired = tk.expires_at && new Date(tk.expires_at) <= new Date();
          const cell = el('td', { class: 'actions-cell' });
          const ask = () => {
            const yes = el('button', { type: 'button', class: 'btn btn-small btn-danger', dataset: { testid: 'confirm-revoke' } }, t('accounts.tokens.confirmRevoke'));
            const no = el('button', { type: 'button', class: 'btn btn-small btn-secondary' }, t('accounts.cancel'));
            yes.addEventListener('click', () => onRevoke(tk, cell));
            no.addEventListener('click', () => {
              idle();
              cell.querySelector('button').focus();
            });
            clear(cell).append(el('span', { class: 'confirm-text' }, t('accounts.tokens.revokeQuestion')), ' ', yes, ' ', no);
            yes.focus();
          };
          const idle = () => {
            const b = el('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': t('accounts.tokens.revokeNamed', { name: tk.name }), dataset: { testid: 'revoke-token' } }, t('accounts.tokens.revoke'));
            b.addEventListener('click', ask);
            clear(cell).append(b);
          };
          idle();
          return el(
            'tr',
            { dataset: { testid: 'token-row', id: String(tk.id) } },
            el('td', null, tk.name, tk.grant_id ? el('span', { class: 'badge badge-neutral token-grant' }, t('accounts.tokens.grant', { id: tk.grant_id })) : null),
            el('td', null, el('code', null, `${tk.prefix}…`)),
            el('td', null, when(tk.created_at)),
            el('td', null, tk.expires_at ? when(tk.expires_at) : t('accounts.tokens.noExpiry'), expired ? el('span', { class: 'badge badge-dispute token-expired' }, t('accounts.tokens.expired')) : null),
            el('td', null, tk.last_used_at ? when(tk.last_used_at) : t('accounts.never')),
            cell,
          );
        }),
      ),
    ),
  );
}

startPage({
  section: 'account',
  page: 'tokens',
  render(me, body) {
    const listBox = el('div', { 'aria-live': 'polite', dataset: { testid: 'tokens-list' } });
    const createdBox = el('div');
    const listStatus = el('p', { class: 'flash', role: 'status' });

    const drawCreated = () => {
      clear(createdBox);
      if (created) createdBox.append(createdPanel(() => {
        created = null;
        drawCreated();
        document.getElementById('tokens-list-h').focus();
      }));
    };
    const revoke = async (tk, cell) => {
      try {
        await apiDelete(`/me/tokens/${encodeURIComponent(tk.id)}`);
        tokens = tokens.filter((x) => x.id !== tk.id);
        drawList();
        flash(listStatus, t('accounts.tokens.revoked', { name: tk.name }));
        document.getElementById('tokens-list-h').focus();
      } catch (err) {
        clear(cell).append(el('span', { class: 'form-error', role: 'alert' }, apiMessage(err)));
      }
    };
    const drawList = () => {
      clear(listBox);
      listBox.append(tokens ? tokenTable(revoke) : el('p', { class: 'loading' }, t('common.loading')));
    };
    const load = async () => {
      try {
        tokens = (await apiGet('/me/tokens')).items || [];
        drawList();
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: load }));
      }
    };

    const old = body.querySelector('[data-testid=token-form]');
    const f = form(
      { submit: t('accounts.tokens.create'), testid: 'token-form', labelledby: 'tokens-new-h' },
      field({ name: 'name', label: t('accounts.tokens.name'), hint: t('accounts.tokens.nameHint'), required: true, maxlength: 100 }),
      field({ name: 'expiry', label: t('accounts.tokens.expiry'), type: 'select', value: '90', options: expiryOptions() }),
      field({ name: 'grant', label: t('accounts.tokens.scope'), hint: t('accounts.tokens.scopeHint'), type: 'select', value: '', options: [{ value: '', label: t('accounts.tokens.scopeAll') }] }),
    );
    keepValues(old, f);
    // A token may be limited to one of my active grants (conditional data);
    // the choice appears only when there is a grant to limit it to.
    const scopeField = f.querySelector('[data-field=grant]');
    scopeField.hidden = true;
    apiGet('/grants')
      .then((res) => {
        const active = (res.items || []).filter((g) => g.status === 'active');
        const select = scopeField.querySelector('select');
        for (const g of active) {
          select.append(el('option', { value: g.id }, t('accounts.tokens.scopeGrant', { title: g.dataset_title || g.dataset_id, id: g.id })));
        }
        scopeField.hidden = active.length === 0;
      })
      .catch(() => {
        /* staff accounts have no grants: keep the field hidden */
      });
    onSubmit(f, {
      check: (v) => (v.name.trim() ? {} : { name: t('accounts.msg.tokenName') }),
      submit: async (v, form2) => {
        const req = { name: v.name.trim() };
        if (v.expiry !== 'never') req.expires_at = new Date(Date.now() + Number(v.expiry) * 86400000).toISOString();
        if (v.grant) req.grant_id = v.grant;
        created = await apiPost('/me/tokens', req);
        form2.querySelector('[name=name]').value = '';
        drawCreated();
        createdBox.querySelector('[data-testid=token-created]').focus();
        load();
      },
    });

    const listHeading = el('h2', { id: 'tokens-list-h', tabindex: '-1' }, t('accounts.tokens.listHeading'));
    clear(body).append(
      el('p', { class: 'lead' }, t('accounts.tokens.intro')),
      createdBox,
      section('tokens-new-h', t('accounts.tokens.newHeading'), f),
      el('section', { class: 'account-section', 'aria-labelledby': 'tokens-list-h' }, listHeading, listStatus, listBox),
    );
    drawCreated();
    drawList();
    load();
  },
});
