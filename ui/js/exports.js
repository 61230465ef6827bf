// exports.js — files the window writes for the official: the report as Excel or PDF, the voter
// list of a polling area (form Mẫu 33) and the candidate list as PDF. Each asks where to save in
// the system's save dialog (choose_export_file; $SOBAUCU_EXPORT_DIR answers in tests), then has
// the core write the file whole, and says where it went. Nothing happens if the dialog is
// cancelled.

import * as api from './api.js';
import { t, errorText } from './i18n.js';
import { toast } from './dialogs.js';
import { getNode } from './store.js';

/** Today as YYYYMMDD, for file names. */
function stamp() {
  const d = new Date();
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

function baseName(path) {
  return String(path || '').split(/[\\/]/).pop();
}

/**
 * Picks a file starting from `suggested`, runs `write(path)`, and toasts the result. Resolves
 * with the command's answer, or null when cancelled; errors are toasted, not thrown. `button`
 * (optional) is disabled while it works.
 */
async function saveAs(suggested, write, button) {
  if (button) button.disabled = true;
  try {
    const path = await api.chooseExportFile(suggested);
    if (!path) return null;
    toast(t('export.working'), { tone: 'info', duration: 1500 });
    const written = await write(path);
    toast(t('export.saved', { file: baseName(written?.path || path) }), { duration: 5000 });
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
  const unit = getNode()?.unit?.code || 'so-bau-cu';
  return saveAs(`bao-cao-${unit}-${stamp()}.${format}`, (path) => api.exportReport(format, path), button);
}

/** The voter list (Mẫu 33) of the polling area with this id and number. */
export function printVoterList(pollingArea, number, button) {
  const name = number ? `danh-sach-cu-tri-kvbp-${number}.pdf` : 'danh-sach-cu-tri.pdf';
  return saveAs(name, (path) => api.printVoterList(pollingArea, path), button);
}

/** The candidate list of one level, or of every level when `level` is null. */
export function printCandidates(level, button) {
  return saveAs(`danh-sach-ung-cu${level ? `-${level}` : ''}.pdf`, (path) => api.printCandidates(level, path), button);
}
