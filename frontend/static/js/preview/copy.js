// Copy to the clipboard with a spoken confirmation, shared by the dataset
// page's SHA-256 cells and its API examples.

import { t } from '../i18n.js?v=__V__';

// copyText(text, button, {code, status}): copies text; when the Clipboard
// API refuses (insecure context, permissions) it selects the code element
// instead so the user can copy with the keyboard. code and status default
// to the <code> and .copy-status next to the button.
export async function copyText(text, button, opts = {}) {
  const code = opts.code || button.parentElement.querySelector('code');
  const status = opts.status || button.parentElement.querySelector('.copy-status');
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    if (code) {
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  }
  if (status) {
    status.textContent = ok ? t('dataset.resources.copied') : t('dataset.resources.selected');
    setTimeout(() => {
      status.textContent = '';
    }, 3000);
  }
  return ok;
}
