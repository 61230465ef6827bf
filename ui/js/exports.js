// exports.js — files the window writes for the official: the report as Excel or PDF, the voter
// list of a polling area (form Mẫu 33, one area or all), the candidate list, election day's
// minutes (a team's counting minutes, a board's minutes of a unit's result) and any whole record
// list as PDF. The shell asks where to save in the system's dialog (the page never names a path),
// has the core write the file whole, and answers with where it went and the file's number. The
// panel #written-panel then offers "Mở tệp" (#written-open), "Mở thư mục" (#written-folder) and,
// for a PDF, "In" (#written-print): each sends the number back, never a path. Nothing happens if
// the dialog is cancelled.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, errorText } from './i18n.js';
import { toast, modal } from './dialogs.js';

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
    showWritten(written);
    return written;
  } catch (error) {
    toast(errorText(error), { tone: 'error', duration: 8000 });
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Runs one of the panel's actions; errors are toasted. */
async function act(work, button) {
  button.disabled = true;
  try {
    return await work();
  } catch (error) {
    toast(errorText(error), { tone: 'error', duration: 8000 });
    return null;
  } finally {
    button.disabled = false;
  }
}

/**
 * The panel after a file is written (#written-panel, above the bottom of the window until closed
 * or replaced by the next one): its name and pages, and what to do with it.
 */
function showWritten(written) {
  document.getElementById('written-panel')?.remove();
  const file = written.file;
  const pages = written.pages ? ` · ${t('written.pages', { n: written.pages })}` : '';
  const button = (id, label, work) => h('button', {
    type: 'button', id, class: 'btn btn-quiet', text: label,
    on: { click: (event) => act(work, event.currentTarget) },
  });
  const panel = h('div', { id: 'written-panel', class: 'written-panel', role: 'status', 'aria-live': 'polite', dataset: { file: String(file) } },
    h('span', { id: 'written-name', class: 'written-name', text: `${t('export.saved', { file: baseName(written.path) })}${pages}` }),
    h('span', { class: 'written-actions' },
      button('written-open', t('written.open'), () => api.openWritten(file, false)),
      button('written-folder', t('written.folder'), () => api.openWritten(file, true)),
      written.pdf ? button('written-print', t('written.print'), async () => {
        const done = await api.printWritten(file);
        toast(t(done?.via === 'system' ? 'written.printing' : 'written.print_viewer'), { duration: 6000 });
      }) : null,
      h('button', {
        type: 'button', id: 'written-close', class: 'btn btn-quiet written-close', 'aria-label': t('written.close'), title: t('written.close'), text: '×',
        on: { click: () => panel.remove() },
      })));
  (document.getElementById('overlay-root') || document.body).appendChild(panel);
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

/** A team's counting minutes of a polling area (its id) and a level. */
export function printCountMinutes(pollingArea, level, button) {
  return saveAs(() => api.printCountMinutes(pollingArea, level), button);
}

/** The board's minutes of an electoral unit's result (its id). */
export function printUnitResult(electoralUnit, button) {
  return saveAs(() => api.printUnitResult(electoralUnit), button);
}

/** The whole list of `kind` narrowed as on screen: `query` = { q?, unit?, where? }. */
export function printList(kind, query, button) {
  return saveAs(() => api.printList(kind, query), button);
}

/**
 * "In danh sách cử tri (Mẫu 33)" from a list: asks which polling area in a dialog
 * (#voter-list-dialog: a button per area, [data-area-id], by name; #voter-list-all for every
 * area in one file, each from a new page; #voter-list-cancel), then prints it.
 */
export async function chooseAndPrintVoterList(button) {
  let areas;
  try {
    const page = await api.listRecords('polling_area', { limit: 5000 });
    areas = Array.isArray(page?.rows) ? page.rows : [];
  } catch (error) {
    toast(errorText(error), { tone: 'error', duration: 8000 });
    return null;
  }
  const units = new Set(areas.map((area) => area.unit));
  const choices = h('div', { class: 'choice-list', id: 'voter-list-choices' });
  const cancel = h('button', { type: 'button', id: 'voter-list-cancel', class: 'btn', text: t('confirm.cancel') });
  const box = h('div', { class: 'dialog dialog-wide', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'voter-list-title' },
    h('h2', { id: 'voter-list-title', class: 'dialog-title', text: t('print.voter_list') }),
    h('p', { class: 'dialog-message', text: areas.length ? t('print.choose_area') : t('print.no_areas') }),
    choices,
    h('div', { class: 'dialog-actions' }, cancel));
  const { answer, close } = modal('voter-list-dialog', box, { cancel: null });
  const items = areas.map((area) => {
    const name = area.name || area.title || '';
    const label = units.size > 1 && area.unit_name ? `${name} — ${area.unit_name}` : name;
    return h('button', {
      type: 'button', class: 'btn btn-quiet choice', dataset: { areaId: String(area.id) }, text: label,
      on: { click: () => close({ area: String(area.id) }) },
    });
  });
  if (areas.length > 1) {
    items.push(h('button', {
      type: 'button', id: 'voter-list-all', class: 'btn btn-quiet choice choice-all', text: t('print.all_areas'),
      on: { click: () => close({ all: true }) },
    }));
  }
  replaceChildren(choices, items);
  cancel.addEventListener('click', () => close(null));
  (items[0] || cancel).focus();
  const chosen = await answer;
  if (!chosen) return null;
  return saveAs(() => (chosen.all ? api.printVoterLists() : api.printVoterList(chosen.area)), button);
}
