// syncstate.js — what the window knows about syncing with the district hub: the last SyncStatus
// (from sync_status at startup and from every `sync://status` event), listeners that redraw
// when it changes, and how the status reads in the sidebar corner (#sync-status). The sync
// itself runs in the core; nothing here decides when to sync.

import * as api from './api.js';
import { t, lang, errorText } from './i18n.js';
import { formatNumber } from './util.js';
import { shortMoment, fullMoment } from './dates.js';
import { getNode } from './store.js';

let status = null;
let started = false;
/** Counts the statuses received, so an older sync_status answer never overwrites a newer event. */
let received = 0;
const listeners = new Set();
/** Hub unit code → { name, promise } (looked up once with search_units). */
const unitNames = new Map();

/** The last SyncStatus received, or null before the first one. */
export function getSyncStatus() {
  return status;
}

/** Stores a SyncStatus (from an event or a command) and tells every listener. */
export function setSyncStatus(next) {
  if (!next || typeof next !== 'object') return;
  status = next;
  received += 1;
  for (const listener of listeners) {
    try {
      listener(status);
    } catch (error) {
      console.error(error);
    }
  }
}

/** Registers `listener(status)`; returns a function that removes it. */
export function onSyncStatus(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Runs a command that answers a SyncStatus (`call()`), and stores the answer unless a status
 * event came meanwhile: the background sync may finish, and say so, before the answer is read.
 */
export async function statusFromCommand(call) {
  const before = received;
  const answer = await call();
  if (received === before) setSyncStatus(answer);
  return answer;
}

/** Asks the core for the status (sync_status). Failures are only logged: the corner stays as is. */
export async function refreshSyncStatus() {
  try {
    await statusFromCommand(() => api.syncStatus());
  } catch (error) {
    console.warn('sync_status:', error);
  }
  return status;
}

/** Subscribes to `sync://status` and reads the first status. Runs once per window. */
export function startSync() {
  if (started) return;
  started = true;
  api.listenSyncStatus(setSyncStatus).catch((error) => console.warn('sync://status:', error));
  refreshSyncStatus();
}

/** Pushed out of to_push as a whole percentage, or null when nothing is counted yet. */
export function progressPercent(progress) {
  const toPush = Number(progress?.to_push);
  if (!Number.isFinite(toPush) || toPush <= 0) return null;
  const pushed = Math.max(0, Number(progress.pushed) || 0);
  return Math.max(0, Math.min(100, Math.floor((pushed / toPush) * 100)));
}

/** "none" | "running" | "error" | "ok" | "never" — the state the corner shows. */
export function syncState(current = status) {
  if (!current?.enrolled) return 'none';
  if (current.running) return 'running';
  if (current.last_error) return 'error';
  return current.last_sync_at ? 'ok' : 'never';
}

/** How the sidebar corner reads: { state, text, title }. */
export function syncCorner(current = status) {
  const state = syncState(current);
  const pending = formatNumber(Number(current?.pending) || 0, lang());
  switch (state) {
    case 'running': {
      const pct = progressPercent(current.progress);
      return { state, text: pct === null ? t('sync.running') : t('sync.running_pct', { pct }), title: t('sync.corner_title') };
    }
    case 'error':
      return { state, text: t('sync.offline', { n: pending }), title: errorText(current.last_error) || t('sync.corner_title') };
    case 'ok':
      return {
        state,
        text: t('sync.ok', { time: shortMoment(current.last_sync_at), n: pending }),
        title: t('sync.corner_synced_at', { date: fullMoment(current.last_sync_at) }),
      };
    case 'never':
      return { state, text: t('sync.never', { n: pending }), title: t('sync.corner_title') };
    default:
      return { state: 'none', text: t('sync.none'), title: t('sync.corner_title') };
  }
}

/** Paints the sidebar corner element from the current status. */
export function paintSyncCorner(element, current = status) {
  if (!element) return;
  const { state, text, title } = syncCorner(current);
  element.dataset.state = state;
  element.textContent = text;
  element.title = title;
}

/** The number of open conflicts the status reports (0 when unknown). */
export function conflictCount(current = status) {
  const n = Number(current?.conflicts);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * The hub's unit as people read it. `hub_unit` is a unit code (or, tolerated, a Unit object);
 * its name is looked up once with search_units (which matches codes exactly). Returns
 * { name, code, named }: the name known now ("" while unknown) and a promise of the name.
 */
export function hubUnit(current) {
  const raw = current?.hub_unit;
  if (raw && typeof raw === 'object') {
    const name = raw.name || '';
    return { name, code: raw.code ? String(raw.code) : '', named: Promise.resolve(name) };
  }
  const code = raw === null || raw === undefined ? '' : String(raw);
  if (!code) return { name: '', code: '', named: Promise.resolve('') };
  if (!unitNames.has(code)) {
    const scheme = getNode()?.scheme;
    const lookup = scheme
      ? api.searchUnits(scheme, code)
        .then((units) => (Array.isArray(units) ? units.find((unit) => String(unit.code) === code)?.name || '' : ''))
        .catch(() => '')
      : Promise.resolve('');
    const entry = { name: '', promise: lookup };
    lookup.then((name) => {
      entry.name = name;
    });
    unitNames.set(code, entry);
  }
  const entry = unitNames.get(code);
  return { name: entry.name, code, named: entry.promise };
}
