// /verify-email?token=…: the link from the sign-up mail. The token is
// moved out of the address bar at once (history, Referer) and posted
// once; a mail scanner that merely fetches the link verifies nothing.

import { el, clear } from '../dom.js?v=__V__';
import { t, onLangChange } from '../i18n.js?v=__V__';
import { initLayout, setTitle } from '../layout.js?v=__V__';
import { apiPost } from '../api.js?v=__V__';
import { apiMessage } from './forms.js?v=__V__';

const url = new URL(location.href);
const token = url.searchParams.get('token') || '';
if (token) {
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

// state: 'none' (no token), 'working', 'done' or an error message.
let state = token ? 'working' : 'none';

function render(body) {
  const links = el('p', { class: 'auth-links' }, el('a', { href: '/account' }, t('accounts.verify.toAccount')));
  if (state === 'none') {
    clear(body).append(el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'verify-no-token' } }, el('p', null, t('accounts.verify.noToken'))), links);
  } else if (state === 'working') {
    clear(body).append(el('p', { class: 'loading', role: 'status' }, t('accounts.verify.working')));
  } else if (state === 'done') {
    clear(body).append(el('div', { class: 'alert alert-info', role: 'status', dataset: { testid: 'verify-done' } }, el('p', null, t('accounts.verify.done'))), links);
  } else {
    clear(body).append(el('div', { class: 'alert alert-error', role: 'alert', dataset: { testid: 'verify-failed' } }, el('p', null, state)), links);
  }
}

async function main() {
  await initLayout();
  const title = () => setTitle(t('accounts.verify.title'));
  title();
  const body = document.getElementById('auth-body');
  render(body);
  onLangChange(() => {
    title();
    render(body);
  });
  if (!token) return;
  try {
    await apiPost('/auth/verify-email', { token }, { noCsrf: true });
    state = 'done';
  } catch (err) {
    state = apiMessage(err);
  }
  render(body);
}

main();
