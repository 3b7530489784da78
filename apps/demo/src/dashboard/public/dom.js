// Small DOM helpers: look-up by id, element creation, and writes that skip unchanged values.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

export function setBadge(node, state, text) {
  if (node.dataset.state !== state) node.dataset.state = state;
  if (node.textContent !== text) node.textContent = text;
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
