// /account/apps: the developer's apps (数据接口). An app has a public key and
// a secret that signs calls (docs/app-keys.md); the secret is shown once,
// after create or rotate, with a copy button and a warning. Per app: edit,
// rotate, delete (both confirmed) and a usage panel.

import { el, clear } from '../dom.js?v=__V__';
import { t } from '../i18n.js?v=__V__';
import { apiGet, apiPost, apiPatch, apiDelete } from '../api.js?v=__V__';
import { errorAlert } from '../layout.js?v=__V__';
import { field, form, onSubmit, keepValues, flash, apiMessage } from '../accounts/forms.js?v=__V__';
import { startPage, section, when } from '../accounts/shell.js?v=__V__';
import { usagePanel } from './usage.js?v=__V__';

let apps = null; // last list
let grants = []; // the caller's active grants, for the tie-to-grant select
let secret = null; // {name, app_key, app_secret} just created or rotated: shown until dismissed
const open = new Map(); // app id -> 'usage' | 'edit': the panel open under each app

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (http, old browser): select it for Ctrl+C.
    if (input) {
      input.focus();
      input.select();
    }
    return false;
  }
}

function copyButton(text, label, input, status) {
  const b = el('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-label': label, dataset: { testid: 'copy' } }, t('apps.copy'));
  b.addEventListener('click', async () => {
    const ok = await copyText(text, input);
    flash(status, ok ? t('apps.copied') : t('apps.copyManual'), ok ? 'ok' : 'warn');
  });
  return b;
}

function secretPanel(onClose) {
  const input = el('input', {
    id: 'new-secret',
    class: 'form-control token-value',
    type: 'text',
    readonly: true,
    value: secret.app_secret,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'new-secret-warning',
    dataset: { testid: 'new-secret' },
  });
  input.addEventListener('focus', () => input.select());
  const status = el('p', { class: 'flash', role: 'status' });
  const done = el('button', { type: 'button', class: 'btn btn-primary', dataset: { testid: 'secret-saved' } }, t('apps.secret.saved'));
  done.addEventListener('click', onClose);
  return el(
    'section',
    { class: 'token-created', 'aria-labelledby': 'secret-h', tabindex: '-1', dataset: { testid: 'secret-box' } },
    el('h2', { id: 'secret-h' }, t(secret.rotated ? 'apps.secret.rotatedTitle' : 'apps.secret.createdTitle', { name: secret.name })),
    el(
      'div',
      { class: 'alert alert-warning', id: 'new-secret-warning' },
      el('p', { class: 'alert-title' }, t('apps.secret.onceTitle')),
      el('p', null, t(secret.rotated ? 'apps.secret.rotatedBody' : 'apps.secret.onceBody')),
    ),
    el('p', null, t('apps.col.key'), ' ', el('code', { dataset: { testid: 'new-key' } }, secret.app_key)),
    el('label', { for: 'new-secret', class: 'form-label' }, t('apps.secret.label')),
    el('div', { class: 'token-row' }, input, copyButton(secret.app_secret, t('apps.secret.copy'), input, status)),
    status,
    el('p', { class: 'muted' }, t('apps.secret.how'), ' ', el('a', { href: '/developers#apps' }, t('apps.docsLink'))),
    done,
  );
}

function grantOptions(current) {
  const opts = [{ value: '', label: t('apps.grantNone') }];
  for (const g of grants) opts.push({ value: g.id, label: t('apps.grantOption', { title: g.dataset_title || g.dataset_id, id: g.id }) });
  // An app tied to a grant that is no longer active keeps showing it.
  if (current && !grants.some((g) => g.id === current)) opts.push({ value: current, label: current });
  return opts;
}

function appFields(prefix, a) {
  return [
    field({ name: 'name', id: `${prefix}-name`, label: t('apps.field.name'), hint: t('apps.field.nameHint'), required: true, maxlength: 80, value: a ? a.name : '' }),
    field({ name: 'description', id: `${prefix}-description`, label: t('apps.field.description'), type: 'textarea', maxlength: 2000, optional: true, value: a ? a.description : '' }),
    field({ name: 'intended_use', id: `${prefix}-intended`, label: t('apps.field.intendedUse'), hint: t('apps.field.intendedUseHint'), type: 'textarea', maxlength: 2000, optional: true, value: a ? a.intended_use : '' }),
    field({ name: 'grant_id', id: `${prefix}-grant`, label: t('apps.field.grant'), hint: t('apps.field.grantHint'), type: 'select', value: a && a.grant_id ? a.grant_id : '', options: grantOptions(a && a.grant_id) }),
  ];
}

function checkApp(v) {
  const e = {};
  if (!v.name.trim()) e.name = t('apps.msg.name');
  return e;
}

function editForm(a, onDone) {
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { testid: 'edit-cancel' } }, t('accounts.cancel'));
  cancel.addEventListener('click', () => onDone(null));
  const f = form({ submit: t('accounts.save'), testid: 'app-edit-form', labelledby: `edit-h-${a.id}`, extra: cancel }, ...appFields(`e-${a.id}`, a));
  onSubmit(f, {
    check: checkApp,
    submit: async (v) => {
      const saved = await apiPatch(`/me/apps/${encodeURIComponent(a.id)}`, {
        name: v.name.trim(),
        description: v.description.trim(),
        intended_use: v.intended_use.trim(),
        grant_id: v.grant_id, // "" unties
      });
      onDone(saved);
    },
  });
  return el('div', { class: 'apk-panel', dataset: { testid: 'app-edit' } }, el('h4', { id: `edit-h-${a.id}`, tabindex: '-1' }, t('apps.editTitle', { name: a.name })), f);
}

function statusBadge(a) {
  return a.status === 'suspended'
    ? el('span', { class: 'badge badge-dispute', dataset: { testid: 'app-status' } }, t('apps.status.suspended'))
    : el('span', { class: 'badge badge-neutral', dataset: { testid: 'app-status' } }, t('apps.status.active'));
}

// One app as a card (a table of seven columns and four buttons does not
// fit a phone).
function appCard(a, h) {
  const status = el('p', { class: 'flash', role: 'status' });
  const keyStatus = el('span', { class: 'flash', role: 'status' });
  const actions = el('div', { class: 'apk-actions' });
  const panel = el('div');
  const btn = (key, testid, onclick, extra) => {
    const b = el('button', { type: 'button', class: ['btn btn-small', extra || 'btn-secondary'], 'aria-label': t(`apps.action.${key}Named`, { name: a.name }), dataset: { testid } }, t(`apps.action.${key}`));
    b.addEventListener('click', onclick);
    return b;
  };
  // A confirmation in place of the buttons: yes/no, Escape-free, focus kept.
  const confirm = (question, yesKey, yesTestid, run) => {
    const yes = el('button', { type: 'button', class: 'btn btn-small btn-danger', dataset: { testid: yesTestid } }, t(yesKey));
    const no = el('button', { type: 'button', class: 'btn btn-small btn-secondary', dataset: { testid: 'confirm-no' } }, t('accounts.cancel'));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await run();
      } catch (err) {
        yes.disabled = false;
        flash(status, apiMessage(err), 'error');
      }
    });
    no.addEventListener('click', () => {
      idle();
      actions.querySelector('button').focus();
    });
    clear(actions).append(el('span', { class: 'confirm-text' }, question), ' ', yes, ' ', no);
    yes.focus();
  };
  const toggle = (what) => {
    open.set(a.id, open.get(a.id) === what ? null : what);
    h.redraw(a.id);
  };
  const idle = () => {
    clear(actions).append(
      btn('usage', 'show-usage', () => toggle('usage')),
      btn('edit', 'edit-app', () => toggle('edit')),
      btn('rotate', 'rotate-secret', () => confirm(t('apps.rotateQuestion'), 'apps.action.confirmRotate', 'confirm-rotate', () => h.rotate(a))),
      btn('delete', 'delete-app', () => confirm(t('apps.deleteQuestion'), 'apps.action.confirmDelete', 'confirm-delete', () => h.remove(a))),
    );
  };
  idle();
  const which = open.get(a.id);
  if (which === 'usage') panel.append(el('div', { class: 'apk-panel' }, el('h4', null, t('apps.usage.heading', { name: a.name })), usagePanel(`/me/apps/${encodeURIComponent(a.id)}`)));
  if (which === 'edit') {
    panel.append(
      editForm(a, (saved) => {
        open.set(a.id, null);
        if (saved) h.replace(saved, t('apps.saved', { name: saved.name }));
        else h.redraw(a.id);
      }),
    );
  }
  for (const b of actions.querySelectorAll('[data-testid=show-usage], [data-testid=edit-app]')) {
    const mine = b.dataset.testid === 'show-usage' ? 'usage' : 'edit';
    b.setAttribute('aria-expanded', String(which === mine));
  }
  const dd = (label, ...v) => [el('dt', null, label), el('dd', null, ...v)];
  return el(
    'article',
    { class: 'apk-card', id: `app-${a.id}`, 'aria-labelledby': `app-h-${a.id}`, dataset: { testid: 'app-card', id: a.id } },
    el('h3', { id: `app-h-${a.id}`, tabindex: '-1' }, a.name, ' ', statusBadge(a)),
    a.status === 'suspended' && a.suspended_reason ? el('p', { class: 'alert alert-error', dataset: { testid: 'suspended-reason' } }, t('apps.suspendedBecause', { reason: a.suspended_reason })) : null,
    a.description ? el('p', { class: 'apk-desc' }, a.description) : null,
    el(
      'dl',
      { class: 'apk-meta' },
      dd(t('apps.col.key'), el('code', { class: 'apk-key', dataset: { testid: 'app-key' } }, a.app_key), ' ', copyButton(a.app_key, t('apps.copyKeyNamed', { name: a.name }), null, keyStatus), keyStatus),
      dd(t('apps.col.grant'), a.grant_id ? el('span', { dataset: { testid: 'app-grant' } }, a.grant_title || a.grant_id) : t('apps.grantNone')),
      a.intended_use ? dd(t('apps.field.intendedUse'), a.intended_use) : null,
      dd(t('apps.col.created'), when(a.created_at)),
      dd(t('apps.col.lastUsed'), el('span', { dataset: { testid: 'app-last-used' } }, a.last_used_at ? when(a.last_used_at) : t('accounts.never'))),
    ),
    actions,
    status,
    panel,
  );
}

startPage({
  section: 'account',
  page: 'apps',
  render(me, body) {
    const listBox = el('div', { dataset: { testid: 'apps-list' } });
    const secretBox = el('div');
    const listStatus = el('p', { class: 'flash', role: 'status' });

    const drawSecret = () => {
      clear(secretBox);
      if (secret) {
        secretBox.append(
          secretPanel(() => {
            secret = null;
            drawSecret();
            document.getElementById('apps-list-h').focus();
          }),
        );
      }
    };
    const h = {
      redraw(id) {
        drawList();
        const card = id && document.getElementById(`app-${id}`);
        const target = card && (card.querySelector('.apk-panel h4[tabindex]') || card.querySelector('h3'));
        if (target) target.focus();
      },
      replace(saved, msg) {
        apps = apps.map((x) => (x.id === saved.id ? saved : x));
        h.redraw(saved.id);
        flash(listStatus, msg);
      },
      async rotate(a) {
        const res = await apiPost(`/me/apps/${encodeURIComponent(a.id)}/secret`);
        secret = { name: a.name, app_key: a.app_key, app_secret: res.app_secret, rotated: true };
        drawList();
        drawSecret();
        secretBox.querySelector('[data-testid=secret-box]').focus();
      },
      async remove(a) {
        await apiDelete(`/me/apps/${encodeURIComponent(a.id)}`);
        apps = apps.filter((x) => x.id !== a.id);
        open.delete(a.id);
        drawList();
        flash(listStatus, t('apps.deleted', { name: a.name }));
        document.getElementById('apps-list-h').focus();
      },
    };
    function drawList() {
      clear(listBox);
      if (!apps) listBox.append(el('p', { class: 'loading' }, t('common.loading')));
      else if (!apps.length) listBox.append(el('p', { class: 'empty', dataset: { testid: 'apps-empty' } }, t('apps.none')));
      else listBox.append(...apps.map((a) => appCard(a, h)));
    }
    const load = async () => {
      try {
        apps = (await apiGet('/me/apps')).items || [];
        drawList();
      } catch (err) {
        clear(listBox).append(errorAlert(err, { retry: load }));
      }
    };

    const old = body.querySelector('[data-testid=app-form]');
    const f = form({ submit: t('apps.create'), testid: 'app-form', labelledby: 'apps-new-h' }, ...appFields('c', null));
    keepValues(old, f);
    // The grant select lists my active grants (conditional data); hidden
    // when there is none to tie an app to.
    const grantField = f.querySelector('[data-field=grant_id]');
    grantField.hidden = !grants.length;
    apiGet('/grants')
      .then((res) => {
        grants = (res.items || []).filter((g) => g.status === 'active');
        const select = grantField.querySelector('select');
        const keep = select.value;
        clear(select).append(...grantOptions('').map((o) => el('option', { value: o.value, selected: o.value === keep }, o.label)));
        grantField.hidden = grants.length === 0;
      })
      .catch(() => {
        /* no grants to offer: keep the field hidden */
      });
    onSubmit(f, {
      check: checkApp,
      submit: async (v, form2) => {
        const req = { name: v.name.trim(), description: v.description.trim(), intended_use: v.intended_use.trim() };
        if (v.grant_id) req.grant_id = v.grant_id;
        const res = await apiPost('/me/apps', req);
        secret = { name: res.name, app_key: res.app_key, app_secret: res.app_secret };
        for (const n of ['name', 'description', 'intended_use']) form2.querySelector(`[name=${n}]`).value = '';
        drawSecret();
        secretBox.querySelector('[data-testid=secret-box]').focus();
        load();
      },
    });

    clear(body).append(
      el('p', { class: 'lead' }, t('apps.intro'), ' ', el('a', { href: '/developers#apps' }, t('apps.docsLink'))),
      secretBox,
      el('section', { class: 'account-section', 'aria-labelledby': 'apps-list-h' }, el('h2', { id: 'apps-list-h', tabindex: '-1' }, t('apps.listHeading')), listStatus, listBox),
      section('apps-new-h', t('apps.newHeading'), f),
    );
    drawSecret();
    drawList();
    load();
  },
});
