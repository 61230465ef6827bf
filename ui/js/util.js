// util.js — small helpers shared by every screen: a DOM element builder that never parses
// record text as HTML, an HTML escaper, debouncing and number formatting.
// It deliberately knows nothing about records, the schema or the Tauri bridge.

/**
 * Builds an element. `attrs` keys:
 *   class, id, text (textContent), dataset: {..}, style: "...",
 *   on: { click: fn, ... }          event listeners,
 *   value, checked, disabled, selected, hidden, readOnly, tabIndex: set as properties,
 *   anything else: setAttribute (skipped when null/undefined/false).
 * Children may be nodes, strings (inserted as text, never HTML), arrays, or null/false (skipped).
 */
export function h(tag, attrs = null, ...children) {
  const element = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined) continue;
      if (key === 'class') element.className = value;
      else if (key === 'text') element.textContent = String(value);
      else if (key === 'dataset') Object.assign(element.dataset, value);
      // Through the CSSOM: the Content-Security-Policy refuses style attributes.
      else if (key === 'style') element.style.cssText = String(value);
      else if (key === 'on') {
        for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
      } else if (PROPERTY_KEYS.has(key)) element[key] = value;
      else if (value === false) continue;
      else element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendChildren(element, children);
  return element;
}

const PROPERTY_KEYS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'readOnly', 'tabIndex']);

/** Appends children (nodes, strings as text, nested arrays; null/false/undefined skipped). */
export function appendChildren(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent, ...children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  return appendChildren(parent, children);
}

/** Escapes text for the rare place where an HTML string is unavoidable. */
export function escapeHtml(text) {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Returns a function that runs `fn` once `wait` ms have passed without another call. */
export function debounce(fn, wait) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** Formats a number with the language's digit grouping (vi: 2.540, en: 2,540). */
export function formatNumber(value, language) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value ?? '');
  return new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 2 }).format(value);
}

/** True when the keyboard event comes from a place where the user is typing text. */
export function isTypingTarget(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target.getAttribute('type') || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}

/** Lower-cases the first letter of a label unless it starts an acronym
 *  ("Cử tri" → "cử tri", "ĐBQH" stays), so it reads well inside a sentence. */
export function lowerFirst(label) {
  const text = String(label ?? '');
  if (text.length < 2) return text.toLowerCase();
  const second = text[1];
  const secondIsUpper = second !== second.toLowerCase();
  return secondIsUpper ? text : text[0].toLowerCase() + text.slice(1);
}
