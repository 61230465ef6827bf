// dialogs.js — the small overlays every screen may need: a short toast ("Đã lưu"), an in-page
// confirmation dialog and a passphrase prompt. The dialogs are drawn in the page rather than with
// window.confirm so they look like the rest of the app, follow the language and work under
// WebDriver.
// Both live in #overlay-root (index.html), outside the screen area, so they survive navigation.

import { h, replaceChildren } from './util.js';
import { t } from './i18n.js';

let toastTimer = null;
let openDialog = null;

function overlayRoot() {
  return document.getElementById('overlay-root') || document.body;
}

/** Shows a short message at the bottom of the window for a few seconds (#toast). */
export function toast(message, { tone = 'success', duration = 2600 } = {}) {
  let element = document.getElementById('toast');
  if (!element) {
    element = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    overlayRoot().appendChild(element);
  }
  element.className = `toast toast-${tone} is-visible`;
  replaceChildren(element, message);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove('is-visible'), duration);
}

/** True while the confirmation dialog is open (screens then leave Esc and Enter to it). */
export function isDialogOpen() {
  return openDialog !== null;
}

/**
 * Shows `box` in a modal backdrop (#`id`): Esc or a click outside calls `cancel`. Resolves the
 * returned promise with what `close(answer)` is given, puts the focus back where it was, and
 * runs `cleanup` first.
 */
export function modal(id, box, { cancel, onKey = null, cleanup = null }) {
  if (openDialog) openDialog.close(openDialog.cancelled);
  const previousFocus = document.activeElement;
  let resolveAnswer;
  const answer = new Promise((resolve) => { resolveAnswer = resolve; });
  const backdrop = h('div', { id, class: 'dialog-backdrop' }, box);
  const keys = (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(cancel);
    } else if (onKey) {
      onKey(event);
    }
  };
  function close(value) {
    document.removeEventListener('keydown', keys, true);
    if (cleanup) cleanup();
    backdrop.remove();
    openDialog = null;
    if (previousFocus instanceof HTMLElement && previousFocus.isConnected) previousFocus.focus();
    resolveAnswer(value);
  }
  backdrop.addEventListener('mousedown', (event) => {
    if (event.target === backdrop) close(cancel);
  });
  document.addEventListener('keydown', keys, true);
  openDialog = { close, cancelled: cancel };
  overlayRoot().appendChild(backdrop);
  return { answer, close };
}

/**
 * Asks a yes/no question in a modal (#confirm-dialog, buttons #confirm-ok and #confirm-cancel).
 * Resolves true when confirmed. Esc or a click outside cancels.
 */
export function confirmDialog({ title, message, okLabel = t('confirm.ok'), cancelLabel = t('confirm.cancel'), danger = true }) {
  const okButton = h('button', { type: 'button', id: 'confirm-ok', class: danger ? 'btn btn-danger' : 'btn btn-primary', text: okLabel });
  const cancelButton = h('button', { type: 'button', id: 'confirm-cancel', class: 'btn', text: cancelLabel });
  const box = h(
    'div',
    { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-message' },
    h('h2', { id: 'confirm-title', class: 'dialog-title', text: title }),
    h('p', { id: 'confirm-message', class: 'dialog-message', text: message }),
    h('div', { class: 'dialog-actions' }, cancelButton, okButton),
  );
  const onKey = (event) => {
    if (event.key !== 'Tab') return;
    // Keep focus inside the dialog.
    const targets = [cancelButton, okButton];
    const index = targets.indexOf(document.activeElement);
    event.preventDefault();
    const next = event.shiftKey ? (index <= 0 ? targets.length - 1 : index - 1) : (index + 1) % targets.length;
    targets[next].focus();
  };
  const { answer, close } = modal('confirm-dialog', box, { cancel: false, onKey });
  okButton.addEventListener('click', () => close(true));
  cancelButton.addEventListener('click', () => close(false));
  cancelButton.focus();
  return answer;
}

/**
 * Asks for a passphrase in a modal (#passphrase-dialog: #passphrase-input, #passphrase-ok,
 * #passphrase-cancel). Resolves with what was typed, or null when cancelled.
 */
export function passphraseDialog({ title, message, okLabel = t('confirm.ok'), cancelLabel = t('confirm.cancel') }) {
  const input = h('input', { type: 'password', id: 'passphrase-input', class: 'input', autocomplete: 'current-password' });
  const okButton = h('button', { type: 'submit', id: 'passphrase-ok', class: 'btn btn-primary', text: okLabel });
  const cancelButton = h('button', { type: 'button', id: 'passphrase-cancel', class: 'btn', text: cancelLabel });
  const form = h('form', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'passphrase-title' },
    h('h2', { id: 'passphrase-title', class: 'dialog-title', text: title }),
    h('p', { class: 'dialog-message', text: message }),
    input,
    h('div', { class: 'dialog-actions' }, cancelButton, okButton));
  const { answer, close } = modal('passphrase-dialog', form, { cancel: null, cleanup: () => { input.value = ''; } });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value) close(input.value);
  });
  cancelButton.addEventListener('click', () => close(null));
  input.focus();
  return answer;
}
