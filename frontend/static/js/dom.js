// Small DOM helpers. Everything is built with createElement/textContent;
// nothing here parses HTML.

// el('a', {href: '/x', class: 'y', dataset: {testid: 'z'}}, 'text', child)
// Attribute values are set with setAttribute (never as HTML). Keys starting
// with "on" must be functions and are added as listeners. null/undefined/false
// attributes are skipped; children may be strings, nodes, arrays or null.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'text') node.textContent = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') node[k] = Boolean(v);
      else if (k === 'value') node.value = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.appendChild(c);
    else node.appendChild(document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// fill(node, ...parts): replaces node's children (parts as for append).
export function fill(node, ...parts) {
  return append(clear(node), parts);
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

// Decodes the HTML character references a server-side escaper produces.
// Unknown references are left as they are (shown literally, never parsed).
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref) => {
    if (ref[0] === '#') {
      const n = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return m;
      return String.fromCodePoint(n);
    }
    const v = NAMED[ref.toLowerCase()];
    return v === undefined ? m : v;
  });
}

// Renders a search highlight snippet into `node`. The server sends the text
// HTML-escaped with only <mark>...</mark> added; we do not trust that: the
// string is split on the exact tags <mark> and </mark>, every other piece is
// decoded and inserted as a text node (so any other markup shows up as
// literal text and can never run), and <mark> becomes a real <mark> element.
// No HTML parsing (inner/outer HTML) is involved.
export function renderHighlight(node, snippet) {
  clear(node);
  const parts = String(snippet).split(/(<\/?mark>)/i);
  let target = node;
  for (const p of parts) {
    if (!p) continue;
    const tag = p.toLowerCase();
    if (tag === '<mark>') {
      if (target === node) {
        target = document.createElement('mark');
        node.appendChild(target);
      }
    } else if (tag === '</mark>') {
      target = node;
    } else {
      target.appendChild(document.createTextNode(decodeEntities(p)));
    }
  }
  return node;
}

// Keeps the element with the same id focused across a re-render of `root`.
export function preserveFocus(root, fn) {
  const active = document.activeElement;
  const id = active && root.contains(active) ? active.id : '';
  fn();
  if (id) {
    const again = document.getElementById(id);
    if (again && again !== document.activeElement) again.focus({ preventScroll: true });
  }
}

// Turns an arbitrary value into a string safe for an id attribute.
export function idPart(v) {
  return String(v).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.codePointAt(0).toString(16)}`);
}
