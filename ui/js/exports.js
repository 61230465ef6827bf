// exports.js — files the window writes for the official: the report as Excel or PDF, the voter
// list of a polling area (form Mẫu 33) and the candidate list as PDF. The shell asks where to
// save in the system's dialog (the page never names a path), has the core write the file whole,
// and answers with where it went. Nothing happens if the dialog is cancelled.

import * as api from './api.js';
import { t, errorText } from './i18n.js';
import { toast } from './dialogs.js';

function baseName(path) {
  return String(path || '').split(/[\\/]/).pop();
}

/**
 * Runs `write()` (a command that asks where to save, then writes) and toasts the result.
 * Resolves with the command's answer, or null when cancelled; errors are toasted, not thrown.
 * `button` (optional) is disabled while it works.
 */
async function saveAs(write, button) {
  if (button) button.disabled = true;
  try {
    const written = await write();
    if (!written) return null;
    toast(t('export.saved', { file: baseName(written.path) }), { duration: 5000 });
    return written;
  } catch (error) {
    toast(errorText(error), { tone: 'error', duration: 8000 });
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

/** The report as "xlsx" or "pdf". */
export function exportReport(format, button) {
  return saveAs(() => api.exportReport(format), button);
}

/** The voter list (Mẫu 33) of the polling area with this id. */
export function printVoterList(pollingArea, _number, button) {
  return saveAs(() => api.printVoterList(pollingArea), button);
}

/** The candidate list of one level, or of every level when `level` is null. */
export function printCandidates(level, button) {
  return saveAs(() => api.printCandidates(level), button);
}
