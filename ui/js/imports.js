// imports.js — the import screen (#import-view, route #/import/<kind>, opened from a list's
// "Nhập từ tệp"): for voters, optionally a polling area and ballots for the rows that leave
// them empty (a sheet per polling area); choose a spreadsheet (.xlsx,
// .csv) or a JSONL file in the system's dialog and the kind of its rows (voters by default), see
// what importing it would do before anything is written — the records it would add, every row
// with a problem (line, column, reason) and the probable duplicates inside the file and against
// the list — then "Nhập" (import, all or nothing) or "Hủy". A file with problems cannot be
// imported: correct it, then "Kiểm tra lại" reads it again. Below, the ledger's past imports,
// each with "Hoàn tác" (undo it as one step).

import * as api from './api.js';
import { h, replaceChildren, formatNumber } from './util.js';
import { t, lang, pick, errorText } from './i18n.js';
import { getSchema, kindLabel, fieldDef, fieldOptions } from './store.js';
import { toast, confirmDialog } from './dialogs.js';

/** The file and kind chosen, kept for the session (a language switch redraws the screen). */
const memory = {
  path: null, kind: 'voter', preview: null, area: '', ballots: [],
  // Unknown columns: header → field, or left out; a new version of a list updates it.
  map: {}, skip: [], update: false, removeMissing: false, reason: '',
  // Rows left out (a person listed twice in the file), by line.
  skipLines: [],
};

/** The column choices and the update mode, as the core takes them. */
function choicesOf() {
  return {
    map: memory.map,
    skip: memory.skip,
    update: memory.update,
    remove_missing: memory.update && memory.removeMissing && memory.reason.trim() ? memory.reason.trim() : null,
    header_row: memory.headerRow || null,
    skip_lines: memory.skipLines,
  };
}

/** A new file: its columns are chosen afresh. */
function forgetColumns() {
  memory.map = {};
  memory.skip = [];
  memory.skipLines = [];
}

/** Values for the cells a voter sheet leaves empty (a sheet per polling area has no such column). */
function defaultsOf() {
  if (memory.kind !== 'voter') return null;
  const defaults = {};
  if (memory.area) defaults.polling_area = memory.area;
  if (memory.ballots.length) defaults.ballots = memory.ballots.join(',');
  return Object.keys(defaults).length ? defaults : null;
}

export function render(container, params, ctx) {
  let alive = true;
  // Opened from a list: that list's kind.
  if (params.kind && params.kind !== memory.kind) {
    memory.kind = params.kind;
    memory.path = null;
    memory.preview = null;
    forgetColumns();
  }
  let busy = false;

  const heading = h('h1', { class: 'page-title', id: 'import-title', tabindex: '-1', text: t('import.title') });
  const kindSelect = h('select', { id: 'import-kind', class: 'input', 'aria-label': t('import.kind') },
    (getSchema()?.kinds || []).filter((def) => def.group !== 'system').map((def) => h('option', { value: def.kind, text: kindLabel(def), selected: def.kind === memory.kind })));
  const chooseButton = h('button', { type: 'button', id: 'import-choose', class: 'btn btn-primary', text: t('import.choose') });
  // A blank sheet of the chosen kind, to fill and import.
  const templateButton = h('button', { type: 'button', id: 'import-template', class: 'btn', text: t('import.template') });
  const fileText = h('p', { id: 'import-file', class: 'import-file muted' });
  // Voters: a polling area and ballots for the rows that leave them empty.
  const areaSelect = h('select', { id: 'import-default-area', class: 'input', 'aria-label': t('import.default_area') },
    h('option', { value: '', text: t('import.default_none') }));
  const ballotsField = fieldDef('voter', 'ballots');
  const ballotBoxes = fieldOptions(ballotsField).map((option) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'import-ballots', value: option.value, checked: memory.ballots.includes(option.value) }),
    ` ${pick(option)}`));
  const defaultsBox = h('fieldset', { id: 'import-defaults', class: 'import-defaults', hidden: memory.kind !== 'voter' },
    h('legend', { text: t('import.defaults') }),
    h('label', { class: 'field-label', for: 'import-default-area', text: t('import.default_area') }),
    areaSelect,
    h('div', { class: 'import-ballots' }, h('span', { class: 'field-label', text: t('import.default_ballots') }), ballotBoxes));
  // A new version of a list already held: match its rows, write only the differences.
  const updateBox = h('input', { type: 'checkbox', id: 'import-update', checked: memory.update });
  const updateRow = h('label', { class: 'check import-update', for: 'import-update' }, updateBox, ` ${t('import.update')}`);
  const previewArea = h('div', { id: 'import-preview', class: 'import-preview', 'aria-live': 'polite' });
  const errorArea = h('div', { id: 'import-error', class: 'form-error', role: 'alert', hidden: true });
  const historyArea = h('div', { id: 'import-history', class: 'import-history' });

  replaceChildren(container, h('section', { id: 'import-view', class: 'import-view' },
    h('header', { class: 'page-head' }, heading, h('p', { class: 'muted', text: t('import.intro') })),
    h('div', { class: 'import-choose' },
      h('label', { class: 'field-label', for: 'import-kind', text: t('import.kind') }),
      kindSelect,
      chooseButton,
      templateButton),
    updateRow,
    defaultsBox,
    fileText,
    errorArea,
    previewArea,
    h('h2', { class: 'section-title', text: t('import.history') }),
    historyArea,
  ));
  ctx.setTitle(t('import.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  updateBox.addEventListener('change', () => {
    memory.update = updateBox.checked;
    if (memory.path) check();
  });
  kindSelect.addEventListener('change', () => {
    memory.kind = kindSelect.value;
    forgetColumns();
    defaultsBox.hidden = memory.kind !== 'voter';
    if (memory.path) check();
  });
  areaSelect.addEventListener('change', () => {
    memory.area = areaSelect.value;
    if (memory.path) check();
  });
  for (const box of defaultsBox.querySelectorAll('input[name="import-ballots"]')) {
    box.addEventListener('change', () => {
      memory.ballots = [...defaultsBox.querySelectorAll('input[name="import-ballots"]:checked')].map((b) => b.value);
      if (memory.path) check();
    });
  }
  api.listRecords('polling_area', { offset: 0, limit: 1000 }).then((data) => {
    if (!alive) return;
    for (const row of data?.rows || []) areaSelect.appendChild(h('option', { value: String(row.id), text: row.title ?? String(row.id) }));
    areaSelect.value = memory.area;
  }, (error) => console.error(error));
  templateButton.addEventListener('click', async () => {
    try {
      const saved = await api.saveTemplate(memory.kind);
      if (alive && saved) toast(t('import.template_saved', { path: saved.path }));
    } catch (error) {
      showError(error);
    }
  });
  chooseButton.addEventListener('click', async () => {
    if (busy) return;
    let chosen;
    try {
      chosen = await api.chooseImportFile();
    } catch (error) {
      showError(error);
      return;
    }
    if (!alive || !chosen) return;
    memory.path = chosen.path || chosen.name;
    forgetColumns();
    check();
  });

  function showError(error) {
    errorArea.textContent = error ? errorText(error) : '';
    errorArea.hidden = !error;
  }

  function setBusy(value, text) {
    busy = value;
    chooseButton.disabled = value;
    kindSelect.disabled = value;
    updateBox.disabled = value;
    container.querySelector('#import-view')?.setAttribute('aria-busy', value ? 'true' : 'false');
    if (value) replaceChildren(previewArea, h('p', { class: 'muted', id: 'import-working', text }));
  }

  /** Previews the chosen file: nothing is written. */
  async function check() {
    fileText.textContent = memory.path ? t('import.file', { path: memory.path }) : '';
    showError(null);
    memory.preview = null;
    setBusy(true, t('import.checking'));
    try {
      const preview = await api.importPreview(memory.kind, defaultsOf(), choicesOf());
      if (!alive) return;
      memory.preview = preview;
      drawPreview();
    } catch (error) {
      if (!alive) return;
      replaceChildren(previewArea);
      showError(error);
    } finally {
      if (alive) setBusy(false);
    }
  }

  function drawPreview() {
    const preview = memory.preview;
    if (!preview) {
      replaceChildren(previewArea);
      return;
    }
    const problems = Array.isArray(preview.problems) ? preview.problems : [];
    const duplicates = Array.isArray(preview.duplicates) ? preview.duplicates : [];
    const unknown = Array.isArray(preview.unknown_columns) ? preview.unknown_columns : [];
    const rows = Number(preview.records) || 0;
    const update = preview.update || null;
    const parts = [];
    if (unknown.length) parts.push(...unknownColumns(unknown));
    if (update) {
      parts.push(...updateSummary(update));
    } else {
      parts.push(h('p', { id: 'import-count', class: 'import-count', dataset: { records: String(rows) },
        text: t('import.would_add', { n: formatNumber(rows, lang()), raw: rows }) }));
    }
    if (problems.length) {
      const vi = lang() === 'vi';
      const problemRows = problems.map((problem) => h('tr', {
        class: problem.missing_column ? 'import-problem import-problem-column' : 'import-problem',
        dataset: { line: String(problem.line), column: problem.column ?? '', field: problem.field ?? '' },
      },
      h('td', { class: 'num', text: problem.missing_column ? t('import.all_rows', { n: problem.rows ?? 0 }) : String(problem.line) }),
      // The person the row is about, on screen only.
      h('td', { class: 'import-person', text: problem.missing_column ? '' : (problem.name ?? '') }),
      h('td', { text: problem.column ?? (vi ? problem.label : problem.label_en) ?? '' }),
      h('td', { text: (vi ? problem.message_vi : problem.message) || problem.message })));
      parts.push(h('h3', { class: 'import-subtitle', text: t('import.problems', { n: problems.length, raw: problems.length }) }));
      parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'import-problems', class: 'records' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num', text: t('import.line') }),
          h('th', { scope: 'col', text: t('import.person') }),
          h('th', { scope: 'col', text: t('import.column') }),
          h('th', { scope: 'col', text: t('import.reason') }))),
        h('tbody', null, problemRows))));
      parts.push(h('p', { class: 'muted', text: t('import.fix_first') }));
    }
    if (duplicates.length) {
      parts.push(h('h3', { class: 'import-subtitle', text: t('import.duplicates', { n: duplicates.length, raw: duplicates.length }) }));
      parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'import-duplicates', class: 'records' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num', text: t('import.line') }),
          h('th', { scope: 'col', text: t('import.matches') }),
          h('th', { scope: 'col', text: t('import.rule') }),
          h('th', { scope: 'col', text: '' }))),
        h('tbody', null, duplicates.map((duplicate) => h('tr', { class: 'import-duplicate', dataset: { line: String(duplicate.line) } },
          h('td', { class: 'num', text: String(duplicate.line) }),
          h('td', { text: duplicateTarget(duplicate.matches) }),
          h('td', { text: t(`import.rule_${duplicate.rule}`) }),
          // A person twice in the file: keep the first row, leave this one out.
          h('td', null, /:\d+$/.test(String(duplicate.matches ?? '')) ? h('button', {
            type: 'button', class: 'btn btn-small import-skip-line', dataset: { line: String(duplicate.line) },
            text: t('import.skip_line'),
            on: { click: () => { memory.skipLines = [...new Set([...memory.skipLines, duplicate.line])]; check(); } },
          }) : null)))))));
    }
    if (memory.skipLines.length) {
      parts.push(h('p', { id: 'import-skipped', class: 'muted' },
        t('import.skipped', { lines: memory.skipLines.join(', ') }), ' ',
        h('button', { type: 'button', class: 'btn btn-small btn-quiet', id: 'import-unskip', text: t('import.unskip'),
          on: { click: () => { memory.skipLines = []; check(); } } })));
    }
    const runButton = h('button', {
      type: 'button', id: 'import-run', class: 'btn btn-primary', text: t('import.run'),
      disabled: problems.length > 0 || unknown.length > 0 || (update ? !updateWrites(update) : rows === 0),
      on: { click: run },
    });
    const recheckButton = h('button', { type: 'button', id: 'import-recheck', class: 'btn', text: t('import.recheck'), on: { click: check } });
    const cancelButton = h('button', {
      type: 'button', id: 'import-cancel', class: 'btn btn-quiet', text: t('import.cancel'),
      on: { click: () => { memory.path = null; memory.preview = null; fileText.textContent = ''; drawPreview(); } },
    });
    parts.push(h('div', { class: 'form-actions' }, runButton, recheckButton, cancelButton));
    replaceChildren(previewArea, parts);
  }

  /** Each column the import does not know, with a choice: one of the kind's fields, or leave it out. */
  function unknownColumns(unknown) {
    const fields = (getSchema()?.kinds || []).find((def) => def.kind === memory.kind)?.fields || [];
    const writable = fields.filter((field) => !field.computed);
    const rows = unknown.map((column) => {
      const suggested = new Set(column.suggestions || []);
      const select = h('select', { class: 'input import-map', 'aria-label': t('import.map_to', { header: column.header }), dataset: { header: column.header } },
        h('option', { value: '', text: t('import.map_choose') }),
        h('option', { value: '-', text: t('import.map_skip') }),
        (column.suggestions || []).length
          ? h('optgroup', { label: t('import.map_suggested') },
            writable.filter((f) => suggested.has(f.name)).map((f) => h('option', { value: f.name, text: `${pick(f)} (${f.name})` })))
          : null,
        h('optgroup', { label: t('import.map_all') },
          writable.filter((f) => !suggested.has(f.name)).map((f) => h('option', { value: f.name, text: `${pick(f)} (${f.name})` }))));
      select.addEventListener('change', () => {
        if (!select.value) return;
        if (select.value === '-') memory.skip = [...memory.skip.filter((x) => x !== column.header), column.header];
        else memory.map = { ...memory.map, [column.header]: select.value };
        check();
      });
      return h('tr', { class: 'import-unknown', dataset: { header: column.header, column: String(column.column) } },
        h('td', { class: 'num', text: String(column.column) }),
        h('td', { text: column.header }),
        h('td', null, select));
    });
    return [
      h('h3', { class: 'import-subtitle', text: t('import.unknown', { n: unknown.length, raw: unknown.length }) }),
      h('p', { class: 'muted', text: t('import.unknown_hint') }),
      h('div', { class: 'table-wrap' }, h('table', { id: 'import-unknown', class: 'records' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num', text: t('import.column_number') }),
          h('th', { scope: 'col', text: t('import.column') }),
          h('th', { scope: 'col', text: t('import.map_field') }))),
        h('tbody', null, rows))),
    ];
  }

  /** Whether applying an update writes anything. */
  function updateWrites(update) {
    const removing = memory.removeMissing && memory.reason.trim() ? (update.missing || []).length : 0;
    return (update.added || 0) + (update.changed || []).length + removing > 0;
  }

  /** An update's preview: added, changed field by field, unchanged, and the records no row matched. */
  function updateSummary(update) {
    const changed = update.changed || [];
    const missing = update.missing || [];
    const label = (name) => {
      const field = fieldDef(memory.kind, name);
      return field ? pick(field) : name;
    };
    const shown = (value) => (value === null || value === undefined || value === '' ? '—' : String(value));
    const parts = [h('p', { id: 'import-update-counts', class: 'import-count', dataset: {
      added: String(update.added || 0), changed: String(changed.length), unchanged: String(update.unchanged || 0), missing: String(missing.length),
    }, text: t('import.update_counts', {
      added: formatNumber(update.added || 0, lang()), changed: formatNumber(changed.length, lang()),
      unchanged: formatNumber(update.unchanged || 0, lang()), missing: formatNumber(missing.length, lang()),
    }) })];
    if (changed.length) {
      parts.push(h('h3', { class: 'import-subtitle', text: t('import.changed', { n: changed.length, raw: changed.length }) }));
      parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'import-changed', class: 'records' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', class: 'num', text: t('import.line') }),
          h('th', { scope: 'col', text: t('import.field') }),
          h('th', { scope: 'col', text: t('import.old') }),
          h('th', { scope: 'col', text: t('import.new') }))),
        h('tbody', null, changed.flatMap((record) => (record.fields || []).map((change, i) => h('tr', {
          class: 'import-change', dataset: { line: String(record.line), field: change.field, id: record.id },
        },
        h('td', { class: 'num', text: i === 0 ? String(record.line) : '' }),
        h('td', { text: label(change.field) }),
        h('td', { text: shown(change.old) }),
        h('td', { text: shown(change.new) }))))))));
    }
    if (missing.length) {
      parts.push(h('h3', { class: 'import-subtitle', text: t('import.missing', { n: missing.length, raw: missing.length }) }));
      parts.push(h('ul', { id: 'import-missing', class: 'import-missing' },
        missing.map((record) => h('li', { dataset: { id: record.id } },
          h('a', { href: `#/edit/${encodeURIComponent(record.kind)}/${encodeURIComponent(record.id)}`, text: record.title || record.id })))));
      // Removing them is explicit, with the reason the law asks for (a voter's removal).
      const removeBox = h('input', { type: 'checkbox', id: 'import-remove-missing', checked: memory.removeMissing });
      const reasonInput = h('input', { type: 'text', id: 'import-remove-reason', class: 'input', value: memory.reason,
        placeholder: t('import.remove_reason'), 'aria-label': t('import.remove_reason'), disabled: !memory.removeMissing });
      removeBox.addEventListener('change', () => {
        memory.removeMissing = removeBox.checked;
        reasonInput.disabled = !removeBox.checked;
        drawPreview();
      });
      reasonInput.addEventListener('change', () => {
        memory.reason = reasonInput.value;
        drawPreview();
      });
      parts.push(h('div', { class: 'import-remove' },
        h('label', { class: 'check', for: 'import-remove-missing' }, removeBox, ` ${t('import.remove_missing')}`),
        reasonInput));
    }
    return parts;
  }

  /** `file:line` of another row of the file, or the id of a record already listed. */
  function duplicateTarget(matches) {
    const text = String(matches ?? '');
    const line = text.match(/:(\d+)$/);
    return line ? t('import.match_line', { line: line[1] }) : t('import.match_record', { id: text });
  }

  async function run() {
    if (busy || !memory.path) return;
    showError(null);
    setBusy(true, t('import.importing'));
    try {
      const summary = await api.importFile(memory.kind, defaultsOf(), choicesOf());
      if (!alive) return;
      memory.path = null;
      memory.preview = null;
      fileText.textContent = '';
      const done = summary.update
        ? t('import.update_done', {
          added: formatNumber(summary.update.added || 0, lang()), changed: formatNumber((summary.update.changed || []).length, lang()),
          removed: formatNumber(summary.update.removed || 0, lang()), id: summary.import_id,
        })
        : t('import.done', { n: formatNumber(summary.records, lang()), raw: summary.records, id: summary.import_id });
      // What was imported is one click away.
      replaceChildren(previewArea, h('p', { id: 'import-done', class: 'import-done' }, done, ' ',
        h('a', { id: 'import-view-list', class: 'btn btn-small', href: `#/list/${encodeURIComponent(memory.kind)}`, text: t('import.view_list') })));
      toast(t('import.done_short'));
      loadHistory();
    } catch (error) {
      if (!alive) return;
      drawPreview();
      showError(error);
    } finally {
      if (alive) setBusy(false);
    }
  }

  async function loadHistory() {
    let entries;
    try {
      entries = await api.imports();
    } catch (error) {
      if (alive) replaceChildren(historyArea, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive) return;
    if (!entries?.length) {
      replaceChildren(historyArea, h('p', { id: 'import-history-empty', class: 'muted', text: t('import.history_empty') }));
      return;
    }
    replaceChildren(historyArea, h('div', { class: 'table-wrap' }, h('table', { class: 'records' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'num', text: t('import.number') }),
        h('th', { scope: 'col', text: t('import.at') }),
        h('th', { scope: 'col', text: t('import.files') }),
        h('th', { scope: 'col', class: 'num', text: t('import.records') }),
        h('th', { scope: 'col', text: '' }))),
      h('tbody', null, entries.map(historyRow)))));
  }

  function historyRow(entry) {
    const action = entry.undone_at
      ? h('span', { class: 'muted import-undone', text: t('import.undone_at', { at: shortTime(entry.undone_at) }) })
      : h('button', { type: 'button', class: 'btn btn-small import-undo', text: t('import.undo'), on: { click: () => undo(entry) } });
    return h('tr', { class: 'import-entry', dataset: { importId: String(entry.id) } },
      h('td', { class: 'num', text: String(entry.id) }),
      h('td', { text: shortTime(entry.at) }),
      h('td', { text: String(entry.files || '').split('\n').map((f) => f.split(/[\\/]/).pop()).join(', '), title: entry.files }),
      h('td', { class: 'num', text: formatNumber(entry.records, lang()) }),
      h('td', null, action));
  }

  async function undo(entry) {
    const sure = await confirmDialog({
      title: t('import.undo_title', { id: entry.id }),
      message: t('import.undo_message', { n: formatNumber(entry.records, lang()), raw: entry.records }),
      okLabel: t('import.undo'),
    });
    if (!sure || !alive) return;
    try {
      const result = await api.undoImport(entry.id);
      if (!alive) return;
      toast(t('import.undone', { n: formatNumber(result?.undone ?? 0, lang()), raw: result?.undone ?? 0 }));
    } catch (error) {
      showError(error);
    }
    loadHistory();
  }

  if (memory.preview) {
    fileText.textContent = memory.path ? t('import.file', { path: memory.path }) : '';
    drawPreview();
  }
  loadHistory();

  return {
    destroy() {
      alive = false;
    },
  };
}

/** "2026-02-01T08:30:00+00:00" → "01/02/2026 08:30" in local time. */
function shortTime(stamp) {
  const date = new Date(stamp);
  if (Number.isNaN(date.getTime())) return String(stamp ?? '');
  const two = (n) => String(n).padStart(2, '0');
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}`;
}
