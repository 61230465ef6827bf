// langtoggle.js — the #lang-toggle button ("EN" while in Vietnamese, "VI" while in English).
// Screens are redrawn when the language changes; this hands back the same button element each
// time (moved into the new screen, its text updated) so that it is never replaced under the
// user's focus or under a test that holds it.

import { h } from './util.js';
import { t, toggleLang } from './i18n.js';

let button = null;

/** The one #lang-toggle button, created on first use, with its text in the current language. */
export function langToggleButton() {
  if (!button) {
    button = h('button', { type: 'button', id: 'lang-toggle', class: 'lang-toggle', on: { click: toggleLang } });
  }
  button.textContent = t('lang.toggle');
  button.title = t('lang.toggle_title');
  button.setAttribute('aria-label', t('lang.toggle_title'));
  return button;
}
