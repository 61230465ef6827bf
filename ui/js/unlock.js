// unlock.js — the passphrase screen (#unlock), shown before anything of the ledger is open. The
// ledger is encrypted on the disk; each official has a name and a passphrase of their own.
// With a ledger in the data folder: pick the user (when there are several) and type the
// passphrase. Without one: name the first user (the chair) and choose a passphrase, typed
// twice. Either way the shell's `unlock` command opens the ledger and the screen hands the
// answer (app_info's shape) to ctx.onUnlocked.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, errorText } from './i18n.js';
import { langToggleButton } from './langtoggle.js';

const MIN_CHARS = 8;

/**
 * Draws the screen into `container`.
 * params: { info (app_info's locked answer), draft (after a language switch) }
 * ctx: { onUnlocked(info) }
 */
export function render(container, params, ctx) {
  const info = params.info || {};
  const draft = params.draft || {};
  const creating = !info.exists;
  const users = Array.isArray(info.users) ? info.users : [];

  const userSelect = users.length > 1
    ? h('select', { id: 'unlock-user', name: 'user' }, users.map((u) => h('option', { value: u, text: u })))
    : null;
  if (userSelect && draft.user) userSelect.value = draft.user;
  const nameInput = creating
    ? h('input', { id: 'unlock-name', type: 'text', name: 'name', autocomplete: 'username', value: draft.name || '',
      placeholder: t('unlock.name_ph') })
    : null;
  const passInput = h('input', { id: 'unlock-passphrase', type: 'password', name: 'passphrase',
    autocomplete: creating ? 'new-password' : 'current-password' });
  const againInput = creating
    ? h('input', { id: 'unlock-again', type: 'password', name: 'again', autocomplete: 'new-password' })
    : null;
  const errorBox = h('p', { id: 'unlock-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', id: 'unlock-submit', class: 'btn btn-primary btn-large',
    text: creating ? t('unlock.create') : t('unlock.open') });

  function field(label, input, hint = null) {
    return h('label', { class: 'field' },
      h('span', { class: 'field-label', text: label }), input,
      hint ? h('span', { class: 'field-hint muted', text: hint }) : null);
  }

  const form = h('form', { id: 'unlock-form', class: 'setup-form', novalidate: true },
    creating ? field(t('unlock.name'), nameInput, t('unlock.name_hint')) : null,
    userSelect ? field(t('unlock.user'), userSelect) : null,
    !creating && users.length === 1 ? h('p', { id: 'unlock-only-user', class: 'muted', text: t('unlock.as', { name: users[0] }) }) : null,
    field(t('unlock.passphrase'), passInput, creating ? t('unlock.passphrase_hint', { n: MIN_CHARS }) : null),
    creating ? field(t('unlock.again'), againInput) : null,
    errorBox,
    h('div', { class: 'setup-actions' }, submit));

  const page = h('div', { id: 'unlock', class: 'setup' },
    h('div', { class: 'setup-topbar' }, langToggleButton()),
    h('div', { class: 'setup-card' },
      h('h1', { class: 'setup-title', text: t('app.name') }),
      h('h2', { class: 'setup-heading', text: creating ? t('unlock.heading_new') : t('unlock.heading') }),
      h('p', { class: 'setup-intro', text: creating ? t('unlock.intro_new') : t('unlock.intro') }),
      form,
      info.data_dir ? h('p', { class: 'setup-datadir muted', text: t('setup.data_dir', { dir: info.data_dir }) }) : null));
  replaceChildren(container, page);

  function showError(text) {
    errorBox.hidden = !text;
    errorBox.textContent = text || '';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError(null);
    const passphrase = passInput.value;
    if (creating) {
      if (!nameInput.value.trim()) { showError(t('unlock.need_name')); nameInput.focus(); return; }
      if ([...passphrase.trim()].length < MIN_CHARS) { showError(t('unlock.too_short', { n: MIN_CHARS })); passInput.focus(); return; }
      if (passphrase !== againInput.value) { showError(t('unlock.mismatch')); againInput.focus(); return; }
    } else if (!passphrase) {
      showError(t('unlock.need_passphrase'));
      passInput.focus();
      return;
    }
    const user = creating ? nameInput.value.trim() : (userSelect ? userSelect.value : (users[0] ?? null));
    submit.disabled = true;
    submit.textContent = t('unlock.opening');
    try {
      const answer = await api.unlock({ user, passphrase, create: creating });
      passInput.value = '';
      if (againInput) againInput.value = '';
      ctx.onUnlocked(answer);
    } catch (error) {
      submit.disabled = false;
      submit.textContent = creating ? t('unlock.create') : t('unlock.open');
      passInput.value = '';
      showError(errorText(error));
      passInput.focus();
    }
  });

  (creating ? nameInput : passInput).focus();

  return {
    // A language switch redraws the screen: keep what was chosen, never the passphrase.
    snapshot: () => ({ user: userSelect?.value, name: nameInput?.value }),
  };
}
