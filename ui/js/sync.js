// sync.js — the sync screen (#sync-view, route #/sync). Not enrolled: the hub address and the
// one-time code from the district (#sync-hub-url, #sync-code, #sync-enroll). Enrolled: the hub,
// the last sync (#sync-last), the changes waiting (#sync-pending), a progress bar while a sync
// runs (#sync-progress), the last error and the next attempt (#sync-error), and "Đồng bộ ngay"
// (#sync-now). Beside it the USB box (#usb-export, #usb-import) for communes without a network,
// and below the conflicts to review (#conflicts), each with the kept value and the other one
// side by side. The sync runs in the core; this screen only shows the SyncStatus it reports
// (syncstate.js) and sends the person's choices.

import * as api from './api.js';
import { h, replaceChildren, formatNumber } from './util.js';
import { t, lang, pick, errorText } from './i18n.js';
import { fullMoment, shortMoment } from './dates.js';
import { getNode, fieldDef, kindLabel, hasUnitsBelow } from './store.js';
import { displayFieldValue, isEmptyValue, isTrue } from './values.js';
import { toast, confirmDialog } from './dialogs.js';
import { getSyncStatus, onSyncStatus, refreshSyncStatus, statusFromCommand, hubUnit, conflictCount } from './syncstate.js';

/** Draws the sync screen into `container`. */
export function render(container, params, ctx) {
  let alive = true;
  /** "enroll" or "hub": which panel is drawn; null until the first status. */
  let mode = null;
  let draft = params.draft || null;
  let enrolling = false;
  let nowPending = false;
  let usbBusy = false;
  let resolving = false;
  let conflictSequence = 0;
  let lastConflictCount = null;
  let lastRunning = false;

  const heading = h('h1', { class: 'page-title', tabindex: '-1', text: t('sync.title') });
  const mainArea = h('div', { class: 'sync-main' }, h('p', { class: 'muted', text: t('app.loading_short') }));

  // ----- USB box -----
  const exportButton = h('button', { type: 'button', id: 'usb-export', class: 'btn', text: t('usb.export'), on: { click: () => usb('export') } });
  const importButton = h('button', { type: 'button', id: 'usb-import', class: 'btn', text: t('usb.import'), on: { click: () => usb('import') } });
  const usbNote = h('p', { class: 'usb-note', hidden: true, text: t('usb.needs_hub') });
  const usbBusyText = h('p', { class: 'usb-busy muted', hidden: true, text: t('usb.working') });
  const usbError = h('div', { id: 'usb-error', class: 'form-error', role: 'alert', hidden: true });
  const usbBox = h('section', { class: 'panel usb-box', 'aria-labelledby': 'usb-title' },
    h('h2', { id: 'usb-title', class: 'panel-title', text: t('usb.heading') }),
    h('p', { class: 'panel-text muted', text: t('usb.intro') }),
    usbNote,
    h('div', { class: 'usb-actions' }, exportButton, importButton),
    usbBusyText,
    usbError);

  // ----- conflicts -----
  const conflictsHeading = h('h2', { id: 'conflicts-title', class: 'section-title', tabindex: '-1', text: t('conflict.heading') });
  const conflictList = h('div', { class: 'conflict-list' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  const conflictsSection = h('section', { id: 'conflicts', class: 'conflicts', 'aria-labelledby': 'conflicts-title' },
    h('div', { class: 'conflicts-head' },
      conflictsHeading,
      h('span', { class: 'badge badge-amber conflicts-count', hidden: true })),
    h('p', { class: 'conflicts-intro muted', text: t('conflict.intro') }),
    conflictList);
  // ----- settled conflicts: the history, from which one is settled again the other way -----
  const historyList = h('div', { class: 'conflict-list', id: 'conflict-history-list' });
  const historySection = h('section', { id: 'conflict-history', class: 'conflicts', 'aria-labelledby': 'conflict-history-title', hidden: true },
    h('h2', { id: 'conflict-history-title', class: 'section-title', text: t('conflict.history') }),
    h('p', { class: 'conflicts-intro muted', text: t('conflict.history_intro') }),
    historyList);

  replaceChildren(container, h('section', { id: 'sync-view', class: 'sync-view', 'aria-labelledby': 'sync-title' },
    h('header', { class: 'page-head' },
      heading,
      h('p', { class: 'page-lead muted', text: t('sync.lead') }),
      // A district or province serves its communes from this computer (hub.js).
      hasUnitsBelow() ? h('p', null, h('a', { id: 'sync-to-hub', href: '#/hub', class: 'btn btn-quiet', text: t('hub.from_sync') })) : null),
    h('div', { class: 'sync-columns' }, mainArea, usbBox),
    conflictsSection,
    historySection));
  heading.id = 'sync-title';
  ctx.setTitle(t('sync.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  // ---------------------------------------------------------------------------------------
  // Not enrolled: the enrolment form

  let enrollRefs = null;

  function enrollPanel() {
    const urlInput = h('input', {
      id: 'sync-hub-url', name: 'hub_url', type: 'url', class: 'input', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'http://…', value: draft?.url ?? '', 'aria-describedby': 'sync-enroll-error',
    });
    const codeInput = h('input', {
      id: 'sync-code', name: 'code', type: 'text', class: 'input input-code', autocomplete: 'off', spellcheck: 'false',
      autocapitalize: 'characters', placeholder: 'XXXX-XXXX-XXXX-XXXX', value: draft?.code ?? '',
      'aria-describedby': 'sync-code-hint sync-enroll-error',
    });
    const button = h('button', { type: 'submit', id: 'sync-enroll', class: 'btn btn-primary', text: t('sync.enroll') });
    const error = h('div', { id: 'sync-enroll-error', class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'sync-enroll-form', novalidate: true, on: { submit: enroll } },
      h('div', { class: 'field' },
        h('label', { for: 'sync-hub-url', text: t('sync.hub_url') }),
        urlInput),
      h('div', { class: 'field' },
        h('label', { for: 'sync-code', text: t('sync.code') }),
        codeInput,
        h('div', { id: 'sync-code-hint', class: 'field-hint', text: t('sync.code_hint') })),
      h('div', { class: 'sync-actions' }, button),
      error);
    enrollRefs = { urlInput, codeInput, button, error };
    draft = null;
    return h('section', { class: 'panel sync-enroll', 'aria-labelledby': 'sync-enroll-title' },
      h('h2', { id: 'sync-enroll-title', class: 'panel-title', text: t('sync.enroll_heading') }),
      h('p', { class: 'panel-text', text: t('sync.enroll_intro') }),
      form);
  }

  async function enroll(event) {
    event.preventDefault();
    if (enrolling || !enrollRefs) return;
    const { urlInput, codeInput, button, error } = enrollRefs;
    const url = urlInput.value.trim();
    const code = codeInput.value.trim();
    error.hidden = true;
    urlInput.removeAttribute('aria-invalid');
    codeInput.removeAttribute('aria-invalid');
    const fail = (message, input) => {
      replaceChildren(error, message);
      error.hidden = false;
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    };
    if (!url) {
      fail(t('sync.err_url'), urlInput);
      return;
    }
    if (!code) {
      fail(t('sync.err_code'), codeInput);
      return;
    }
    enrolling = true;
    button.disabled = true;
    button.textContent = t('sync.enrolling');
    try {
      const result = await statusFromCommand(() => api.enrollHub(url, code));
      if (!alive) return;
      if (!result || typeof result !== 'object') await refreshSyncStatus();
      if (!alive) return;
      if (getSyncStatus()?.enrolled) {
        toast(t('sync.enrolled'));
        document.getElementById('sync-now')?.focus();
      }
    } catch (failure) {
      if (!alive) return;
      const fieldErrors = (failure.fields || []).map((item) => (lang() === 'vi' ? item.message_vi || item.message : item.message || item.message_vi));
      const text = [errorText(failure), ...fieldErrors].filter(Boolean).join(' ');
      const badField = (failure.fields || []).map((item) => item.field).find((name) => name === 'code' || name === 'url');
      fail(text || t('sync.not_enrolled_failed'), badField === 'code' ? codeInput : badField === 'url' ? urlInput : null);
    } finally {
      enrolling = false;
      if (alive && button.isConnected) {
        button.disabled = false;
        button.textContent = t('sync.enroll');
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Enrolled: the hub, last sync, pending changes, progress, last error, "Đồng bộ ngay"

  let hubRefs = null;

  function hubPanel() {
    const unitValue = h('dd', { class: 'sync-hub-unit' });
    const urlValue = h('dd', null, h('code', { class: 'sync-url' }));
    const lastValue = h('dd', { id: 'sync-last' });
    const pendingValue = h('dd', { id: 'sync-pending', class: 'sync-number' });
    const refusedValue = h('dd', { id: 'sync-refused', class: 'sync-number' });
    const refusedFact = h('div', { class: 'sync-fact', hidden: true }, h('dt', { text: t('sync.refused') }), refusedValue);
    const refusedList = h('ul', { id: 'sync-refused-list', class: 'sync-refused-list', hidden: true });
    const progress = h('progress', { id: 'sync-progress', 'aria-label': t('sync.progress_label'), hidden: true });
    const progressLine = h('p', { class: 'sync-progress-line muted' });
    const progressWrap = h('div', { class: 'sync-progress-wrap', hidden: true }, progress, progressLine);
    const errorMessage = h('p', { class: 'sync-error-message' });
    const nextAttempt = h('p', { class: 'sync-next muted' });
    const errorBox = h('div', { id: 'sync-error', class: 'sync-error', role: 'status', hidden: true },
      h('p', { class: 'sync-error-lead', text: t('sync.error_lead') }),
      errorMessage,
      nextAttempt);
    const nowButton = h('button', { type: 'button', id: 'sync-now', class: 'btn btn-primary', text: t('sync.now'), on: { click: syncNow } });
    const nowError = h('div', { id: 'sync-now-error', class: 'form-error', role: 'alert', hidden: true });
    hubRefs = { unitValue, urlValue, lastValue, pendingValue, refusedValue, refusedFact, refusedList, refusedShown: -1, progress, progressLine, progressWrap, errorBox, errorMessage, nextAttempt, nowButton, nowError };
    return h('section', { class: 'panel sync-hub', 'aria-labelledby': 'sync-hub-title' },
      h('h2', { id: 'sync-hub-title', class: 'panel-title', text: t('sync.hub_heading') }),
      h('dl', { class: 'sync-facts' },
        h('div', { class: 'sync-fact' }, h('dt', { text: t('sync.hub') }), unitValue),
        h('div', { class: 'sync-fact' }, h('dt', { text: t('sync.address') }), urlValue),
        h('div', { class: 'sync-fact' }, h('dt', { text: t('sync.last') }), lastValue),
        h('div', { class: 'sync-fact' }, h('dt', { text: t('sync.pending') }), pendingValue),
        refusedFact),
      refusedList,
      progressWrap,
      errorBox,
      h('div', { class: 'sync-actions' },
        nowButton,
        h('span', { class: 'sync-auto muted', text: t('sync.auto_hint') })),
      nowError);
  }

  function paintHub(status) {
    if (!hubRefs) return;
    const refs = hubRefs;
    const unit = hubUnit(status);
    const paintUnit = (name) => {
      const parts = [];
      if (name) parts.push(name);
      if (unit.code) parts.push(name ? `(${t('sync.hub_code', { code: unit.code })})` : unit.code);
      refs.unitValue.textContent = parts.join(' ') || '—';
    };
    paintUnit(unit.name);
    if (!unit.name && unit.code) {
      unit.named.then((name) => {
        if (alive && name && hubRefs === refs) paintUnit(name);
      });
    }
    refs.urlValue.firstChild.textContent = status.hub_url || '—';
    refs.lastValue.textContent = status.last_sync_at ? fullMoment(status.last_sync_at) || String(status.last_sync_at) : t('sync.last_never');
    refs.pendingValue.textContent = String(Number(status.pending) || 0);
    const refused = Number(status.refused) || 0;
    refs.refusedValue.textContent = String(refused);
    refs.refusedFact.hidden = refused === 0;
    if (refused !== refs.refusedShown) {
      refs.refusedShown = refused;
      loadRefused(refs);
    }

    const running = Boolean(status.running);
    refs.progressWrap.hidden = !running;
    refs.progress.hidden = !running;
    if (running) {
      const progress = status.progress || {};
      const toPush = Number(progress.to_push) || 0;
      const pushed = Math.max(0, Number(progress.pushed) || 0);
      if (toPush > 0) {
        refs.progress.max = toPush;
        refs.progress.value = Math.min(pushed, toPush);
      } else {
        refs.progress.removeAttribute('value');
      }
      const bytes = formatBytes((Number(progress.bytes_up) || 0) + (Number(progress.bytes_down) || 0));
      const pulled = formatNumber(Number(progress.pulled) || 0, lang());
      refs.progressLine.textContent = toPush > 0
        ? t('sync.progress_line', { pushed: formatNumber(pushed, lang()), to_push: formatNumber(toPush, lang()), pulled, bytes })
        : t('sync.progress_line_nopush', { pulled, bytes });
    }

    const error = status.last_error;
    refs.errorBox.hidden = !error;
    if (error) {
      refs.errorMessage.textContent = errorText(error);
      const next = !running && status.next_attempt_at ? shortMoment(status.next_attempt_at) : '';
      refs.nextAttempt.textContent = next ? t('sync.next_attempt', { time: next }) : '';
      refs.nextAttempt.hidden = !next;
    }
    refs.nowButton.disabled = running || nowPending;
    refs.nowButton.setAttribute('aria-disabled', String(refs.nowButton.disabled));
  }

  /** The changes the hub refused, each with its record and the reason in the window's language. */
  async function loadRefused(refs) {
    let list = [];
    try {
      list = await api.listRefused();
    } catch (_) {
      list = [];
    }
    if (!alive || hubRefs !== refs) return;
    const items = (Array.isArray(list) ? list : []).slice(-50).map((r) => {
      const kind = r.record_kind ? kindLabel(String(r.record_kind)) : '';
      const what = [kind, r.record_id || ''].filter(Boolean).join(' ');
      const why = t(`refusal.${r.kind}`) !== `refusal.${r.kind}` ? t(`refusal.${r.kind}`) : String(r.message || r.kind);
      return h('li', { class: 'sync-refused-item', 'data-kind': String(r.kind || '') }, t('sync.refused_item', { what: what || '—', why }));
    });
    replaceChildren(refs.refusedList, items);
    refs.refusedList.hidden = items.length === 0;
  }

  async function syncNow() {
    if (!hubRefs || nowPending || getSyncStatus()?.running) return;
    const refs = hubRefs;
    nowPending = true;
    refs.nowButton.disabled = true;
    refs.nowError.hidden = true;
    try {
      await api.syncNow();
      if (!alive) return;
      await refreshSyncStatus();
    } catch (error) {
      if (!alive) return;
      refs.nowError.textContent = errorText(error);
      refs.nowError.hidden = false;
    } finally {
      nowPending = false;
      if (alive) {
        const status = getSyncStatus();
        if (status?.enrolled) paintHub(status);
        else refs.nowButton.disabled = false;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Status updates

  function update(status) {
    if (!alive) return;
    const enrolled = Boolean(status?.enrolled);
    const wanted = enrolled ? 'hub' : 'enroll';
    if (wanted !== mode) {
      mode = wanted;
      hubRefs = null;
      enrollRefs = null;
      replaceChildren(mainArea, enrolled ? hubPanel() : enrollPanel());
    }
    if (enrolled) paintHub(status);
    usbNote.hidden = enrolled;
    setUsbDisabled(usbBusy || !enrolled);

    const count = conflictCount(status);
    const running = Boolean(status?.running);
    const finished = lastRunning && !running;
    lastRunning = running;
    if (lastConflictCount !== null && (count !== lastConflictCount || finished)) loadConflicts();
    lastConflictCount = count;
  }

  // ---------------------------------------------------------------------------------------
  // USB files

  function setUsbDisabled(disabled) {
    exportButton.disabled = disabled;
    importButton.disabled = disabled;
  }

  async function usb(direction) {
    if (usbBusy) return;
    usbBusy = true;
    setUsbDisabled(true);
    usbError.hidden = true;
    try {
      usbBusyText.hidden = false;
      if (direction === 'export') {
        const result = await api.bundleExport();
        if (!alive || !result) return;
        const changes = Number(result?.changes) || 0;
        toast(t('usb.exported', { n: formatNumber(changes, lang()), raw: changes, file: baseName(result?.path) }), { duration: 5000 });
      } else {
        const result = await api.bundleImport();
        if (!alive || !result) return;
        const changes = Number(result?.changes) || 0;
        const batches = Number(result?.batches) || 0;
        const alreadyHad = Number(result?.already_had) || 0;
        if (alreadyHad === batches) toast(t('usb.already'), { tone: 'info', duration: 5000 });
        else toast(t('usb.imported', { n: formatNumber(changes, lang()), raw: changes }), { duration: 4000 });
        refreshSyncStatus();
        loadConflicts();
      }
    } catch (error) {
      if (!alive) return;
      usbError.textContent = errorText(error);
      usbError.hidden = false;
    } finally {
      usbBusy = false;
      if (alive) {
        usbBusyText.hidden = true;
        setUsbDisabled(!getSyncStatus()?.enrolled);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Conflicts

  /** Reads the conflicts again; `focusIndex` puts the keyboard on that card afterwards. */
  async function loadConflicts({ focusIndex = null } = {}) {
    const current = ++conflictSequence;
    let list;
    try {
      list = await api.listConflicts();
    } catch (error) {
      if (!alive || current !== conflictSequence) return;
      replaceChildren(conflictList, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive || current !== conflictSequence) return;
    drawConflicts(Array.isArray(list) ? list : [], focusIndex);
    loadHistory();
  }

  /** Reads the settled conflicts again. */
  async function loadHistory() {
    let list;
    try {
      list = await api.listSettlements();
    } catch (error) {
      if (!alive) return;
      historySection.hidden = false;
      replaceChildren(historyList, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive) return;
    list = Array.isArray(list) ? list : [];
    historySection.hidden = list.length === 0;
    replaceChildren(historyList, list.map((settled, index) => settledCard(settled, index)));
  }

  /** A settled conflict: what was chosen, by whom and when, and the other values to choose again. */
  function settledCard(settled, index) {
    const kind = String(settled.kind ?? '');
    const fieldName = String(settled.field ?? '');
    const field = fieldDef(kind, fieldName);
    const fieldLabel = field ? pick(field) || fieldName : fieldName;
    const title = plainText(settled.title) || kindLabel(kind);
    const current = valueText(field, fieldName, settled.current) || t('conflict.empty_value');
    const error = h('div', { class: 'form-error conflict-error', role: 'alert', hidden: true });
    const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const others = (settled.sides || []).filter((side) => !same(side.value, settled.current));
    const card = h('article', { class: 'conflict conflict-settled', dataset: { recordId: settled.record_id, field: fieldName, kind, index: String(index) } },
      h('header', { class: 'conflict-head' },
        h('div', { class: 'conflict-kind muted', text: [kindLabel(kind), settled.unit_name].filter(Boolean).join(' · ') }),
        h('a', { class: 'conflict-title', href: `#/edit/${encodeURIComponent(kind)}/${encodeURIComponent(settled.record_id)}`, text: title }),
        h('div', { class: 'conflict-field', text: t('conflict.field', { field: fieldLabel }) })),
      h('p', { class: 'conflict-chosen', text: t('conflict.chosen', { value: valueText(field, fieldName, settled.chosen?.value) || t('conflict.empty_value'), who: sideWho(settled.chosen), when: fullMoment(settled.chosen?.at) }) }),
      h('p', { class: 'conflict-current muted', text: t('conflict.now', { value: current }) }),
      h('div', { class: 'conflict-sides' }, others.map((side) => {
        const text = valueText(field, fieldName, side.value) || t('conflict.empty_value');
        return h('div', { class: 'conflict-side' },
          h('div', { class: 'conflict-value', text }),
          h('div', { class: 'conflict-meta muted', text: [sideWho(side), fullMoment(side.at)].filter(Boolean).join(' · ') }),
          h('button', {
            type: 'button', class: 'btn btn-small settle-again', text: t('conflict.settle_again'),
            'aria-label': `${t('conflict.settle_again')}: ${text} — ${fieldLabel}, ${title}`,
            on: { click: () => settleAgain(settled, side.value, text, fieldLabel, title, card, error) },
          }));
      })),
      error);
    return card;
  }

  async function settleAgain(settled, value, text, fieldLabel, title, card, error) {
    const ok = await confirmDialog({
      title: t('conflict.confirm_title'),
      message: t('conflict.confirm_again', { value: text, field: fieldLabel, title }),
      okLabel: t('conflict.settle_again'),
      danger: false,
    });
    if (!ok || !alive) return;
    error.hidden = true;
    try {
      await api.settleAgain(settled.kind, settled.record_id, settled.field, value);
      if (!alive) return;
      toast(t('conflict.resolved'));
      await loadHistory();
      refreshSyncStatus();
    } catch (failure) {
      if (!alive) return;
      error.textContent = errorText(failure);
      error.hidden = false;
    }
  }

  function drawConflicts(list, focusIndex = null) {
    // Keep the keyboard where it was when the list is redrawn under it.
    const focused = document.activeElement;
    let keep = null;
    if (focused && conflictList.contains(focused)) {
      const card = focused.closest('.conflict');
      const cards = [...conflictList.querySelectorAll('.conflict')];
      keep = card
        ? { recordId: card.dataset.recordId, field: card.dataset.field, index: cards.indexOf(card), winner: focused.classList.contains('keep-winner') }
        : { index: 0, winner: true };
    }
    if (focusIndex !== null) keep = { index: focusIndex, winner: true };

    const countBadge = conflictsSection.querySelector('.conflicts-count');
    countBadge.textContent = String(list.length);
    countBadge.hidden = list.length === 0;

    if (list.length === 0) {
      replaceChildren(conflictList, h('div', { id: 'conflicts-empty', class: 'empty-state conflicts-empty', text: t('conflict.none') }));
      if (keep) conflictsHeading.focus();
      return;
    }
    const cards = list.map((conflict, index) => conflictCard(conflict, index));
    replaceChildren(conflictList, cards);
    if (keep) {
      const same = cards.find((card) => card.dataset.recordId === keep.recordId && card.dataset.field === keep.field);
      const target = same || cards[Math.min(Math.max(keep.index, 0), cards.length - 1)];
      const button = target.querySelector(same && !keep.winner ? 'button.keep-loser' : 'button.keep-winner');
      (button || target).focus();
    }
  }

  function conflictCard(conflict, index) {
    const kind = String(conflict.kind ?? '');
    const recordId = String(conflict.record_id ?? '');
    const fieldName = String(conflict.field ?? '');
    const field = fieldDef(kind, fieldName);
    const title = plainText(conflict.title) || recordId;
    const titleId = `conflict-title-${index}`;
    const fieldLabel = field ? pick(field) || fieldName : fieldName;
    const card = h('article', {
      class: 'conflict', dataset: { recordId, field: fieldName, kind }, 'aria-labelledby': titleId,
    });
    const error = h('div', { class: 'form-error conflict-error', role: 'alert', hidden: true });
    const side = (which, data) => {
      const value = data?.value ?? null;
      const text = valueText(field, fieldName, value);
      const meta = [sideWho(data), fullMoment(data?.at)].filter(Boolean).join(' · ');
      const buttonLabel = which === 'winner' ? t('conflict.keep_winner') : t('conflict.keep_loser');
      return h('div', { class: `conflict-side conflict-${which}` },
        h('div', { class: 'conflict-side-label', text: t(which === 'winner' ? 'conflict.winner' : 'conflict.loser') }),
        h('div', { class: text ? 'conflict-value' : 'conflict-value is-empty', text: text || t('conflict.empty_value') }),
        meta ? h('div', { class: 'conflict-meta muted', text: meta }) : null,
        h('button', {
          type: 'button',
          class: `btn btn-small ${which === 'winner' ? 'keep-winner' : 'keep-loser'}`,
          text: buttonLabel,
          'aria-label': `${buttonLabel}: ${text || t('conflict.empty_value')} — ${fieldLabel}, ${title}`,
          on: { click: () => resolve(conflict, value, card, error, { text: text || t('conflict.empty_value'), fieldLabel, title }) },
        }));
    };
    return appendAll(card,
      h('header', { class: 'conflict-head' },
        h('div', { class: 'conflict-kind muted', text: [kindLabel(kind), conflict.unit_name].filter(Boolean).join(' · ') }),
        h('a', { id: titleId, class: 'conflict-title', href: `#/edit/${encodeURIComponent(kind)}/${encodeURIComponent(recordId)}`, text: title }),
        h('div', { class: 'conflict-field', text: t('conflict.field', { field: fieldLabel }) })),
      h('div', { class: 'conflict-sides' }, side('winner', conflict.winner), side('loser', conflict.loser)),
      error);
  }

  async function resolve(conflict, value, card, error, words) {
    if (resolving) return;
    // Settling is a change every node will take: it is asked once more.
    const ok = await confirmDialog({
      title: t('conflict.confirm_title'),
      message: t('conflict.confirm', { value: words.text, field: words.fieldLabel, title: words.title }),
      okLabel: t('conflict.confirm_ok'),
      danger: false,
    });
    if (!ok || !alive || resolving) return;
    resolving = true;
    const index = [...conflictList.querySelectorAll('.conflict')].indexOf(card);
    const hadFocus = card.contains(document.activeElement);
    const buttons = [...card.querySelectorAll('button')];
    buttons.forEach((button) => {
      button.disabled = true;
    });
    card.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      await api.resolveConflict(conflict.kind, conflict.record_id, conflict.field, value);
      if (!alive) return;
      toast(t('conflict.resolved'));
      // The settlement syncs like any change: nothing to start here. The list and the count
      // are only read again.
      await loadConflicts({ focusIndex: hadFocus ? Math.max(index, 0) : null });
      refreshSyncStatus();
    } catch (failure) {
      if (!alive) return;
      error.textContent = errorText(failure);
      error.hidden = false;
      buttons.forEach((button) => {
        button.disabled = false;
      });
      card.removeAttribute('aria-busy');
    } finally {
      resolving = false;
    }
  }

  // ---------------------------------------------------------------------------------------

  const unsubscribe = onSyncStatus(update);
  const known = getSyncStatus();
  if (known) update(known);
  refreshSyncStatus().then((status) => {
    // No status at all (the core cannot tell): offer the enrolment form.
    if (alive && mode === null) update(status);
  });
  loadConflicts();

  return {
    snapshot() {
      if (!enrollRefs) return null;
      return { url: enrollRefs.urlInput.value, code: enrollRefs.codeInput.value };
    },
    destroy() {
      alive = false;
      unsubscribe();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function appendAll(parent, ...children) {
  for (const child of children) if (child) parent.appendChild(child);
  return parent;
}

/** A title or other loose value as plain text ("" for nothing). */
function plainText(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).trim();
}

/** A conflict value the way lists show it (dates dd/mm/yyyy, option labels, levels, Có/Không). */
function valueText(field, fieldName, value) {
  if (field) return displayFieldValue(field, { [field.name]: value });
  if (typeof value === 'boolean') return isTrue(value) ? t('value.yes') : t('value.no');
  if (isEmptyValue(value)) return '';
  return plainText(value);
}

/** Who wrote a value: "máy này" for this computer, the hub, else the node id's first 8 characters. */
/** Who wrote a side: the official and the unit of the ledger it came from (never a node id
 * where a name is known). */
function sideWho(side) {
  if (!side) return '';
  const own = same(side.node, getNode()?.node_id);
  const place = own ? t('conflict.this_machine') : side.node_unit_name || (same(side.node, getSyncStatus()?.hub_node_id) ? t('conflict.the_hub') : '');
  return [side.author, place || t('conflict.unknown_writer')].filter(Boolean).join(', ');
}

function same(a, b) {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a).toLowerCase() === String(b).toLowerCase();
}

/** The file name at the end of a path (either separator). */
function baseName(path) {
  const text = String(path ?? '');
  const parts = text.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : text;
}

/** Bytes as people read them: "820 B", "35 KB", "1,2 MB". */
function formatBytes(bytes) {
  const n = Math.max(0, Number(bytes) || 0);
  if (n < 1024) return `${formatNumber(n, lang())} B`;
  if (n < 1024 * 1024) {
    const kb = n / 1024;
    return `${formatNumber(kb < 10 ? Math.round(kb * 10) / 10 : Math.round(kb), lang())} KB`;
  }
  const mb = n / (1024 * 1024);
  return `${formatNumber(mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb), lang())} MB`;
}
