// form.js — the one generic record form (#record-form), drawn entirely from the kind's schema:
// one column, labels above fields, hints and errors under the field they concern. Input controls
// by field type: text → input, longtext → textarea, int → numeric input, date → dd/mm/yyyy,
// partial_date → yyyy | mm/yyyy | dd/mm/yyyy, bool → checkbox, enum → select, levels →
// checkboxes joined with commas, ref → select filled from list_records of the referenced kinds,
// computed → read-only. Before saving it checks only what it can see (required, date and number
// format) and shows it at once; the core's answer to save_record always has the last word.
// Keys: Ctrl+S or Ctrl+Enter saves, Esc cancels. A viewer sees the form read-only. A saved
// record has its history below the form ("Lịch sử thay đổi"): who changed which field when,
// from which computer.

import * as api from './api.js';
import { h, replaceChildren, lowerFirst } from './util.js';
import { t, lang, pick, errorText } from './i18n.js';
import { displayDate, parseDate, parsePartialDate } from './dates.js';
import { kindDef, kindLabel, getNode, canWrite, fieldOptions } from './store.js';
import { isTrue, splitLevels, optionLabel, displayFieldValue } from './values.js';
import { toast, confirmDialog } from './dialogs.js';
import { rememberOpened } from './list.js';
import { printVoterList, printCountMinutes, printUnitResult } from './exports.js';

/** How many records of a referenced kind fill a ref select. */
const REF_LIMIT = 1000;

/**
 * Draws the form for params { name: "new"|"edit", kind, id?, draft? } into `container`.
 * The form element appears once the record and the ref choices are loaded.
 */
export function render(container, params, ctx) {
  const kind = params.kind;
  const def = kindDef(kind);
  const isNew = params.name === 'new';
  const recordId = isNew ? null : params.id;
  const label = kindLabel(def);
  // The kind in a sentence: the schema's optional singular (one_vi / one_en) if any.
  const singular = pick(def, 'one') || (lang() === 'vi' ? lowerFirst(label) : '');
  let alive = true;
  let saving = false;
  let controls = []; // one FieldControl per field, in schema order
  let row = null;
  let formElement = null;
  let formError = null;
  let saveButton = null;

  const title = singular
    ? t(isNew ? 'form.add' : 'form.edit', { kind: singular })
    : t(isNew ? 'form.add_plural' : 'form.edit_plural', { kind: label });
  const listHash = `#/list/${encodeURIComponent(kind)}`;
  const heading = h('h1', { class: 'page-title', id: 'form-title', tabindex: '-1', text: title });
  const subline = h('p', { class: 'page-sub muted' });
  const body = h('div', { class: 'form-body' }, h('p', { class: 'muted', text: t('app.loading_short') }));

  replaceChildren(container, h('section', { class: 'form-view', dataset: { kind } },
    h('header', { class: 'page-head' },
      h('div', { class: 'page-kicker' }, h('a', { href: listHash, text: label })),
      heading,
      subline),
    body));
  ctx.setTitle(title);

  // ----- loading -----

  Promise.all([isNew ? Promise.resolve(null) : api.getRecord(kind, recordId), loadRefChoices(def)])
    .then(([record, refChoices]) => {
      if (!alive) return;
      row = record;
      build(refChoices);
    })
    .catch((error) => {
      if (!alive) return;
      replaceChildren(body,
        h('div', { class: 'form-error', role: 'alert', text: errorText(error) }),
        h('p', null, h('a', { href: listHash, class: 'btn', text: t('form.cancel') })));
    });

  // ----- building -----

  function build(refChoices) {
    const draftValues = params.draft?.values || null;
    controls = (def.fields || []).map((field) => createControl(field, row, refChoices));
    // A new record may come with values from the route (`#/new/count_minutes?polling_area=…`).
    const preset = isNew && !draftValues ? params.where || {} : {};
    for (const control of controls) {
      if (draftValues && Object.prototype.hasOwnProperty.call(draftValues, control.field.name) && !control.field.computed) {
        control.setRaw(draftValues[control.field.name]);
      } else if (Object.prototype.hasOwnProperty.call(preset, control.field.name) && !control.field.computed) {
        control.setRaw(preset[control.field.name]);
      }
    }

    if (row) {
      const updated = row.updated_at ? displayDate(row.updated_at) : '';
      const parts = [];
      if (row.title) parts.push(h('strong', { class: 'record-title', text: row.title }));
      if (updated) {
        // updated_by is the id of the computer (node) that wrote it: worth showing only when it
        // is another one than this (after a sync).
        const byOther = row.updated_by && String(row.updated_by) !== String(getNode()?.node_id ?? '');
        parts.push(h('span', {
          text: byOther ? t('form.updated_by', { date: updated, who: t('conflict.unknown_writer') }) : t('form.updated', { date: updated }),
        }));
      }
      replaceChildren(subline, parts.flatMap((part, index) => (index ? [h('span', { class: 'sep', 'aria-hidden': 'true', text: ' · ' }), part] : [part])));
    }

    formError = h('div', { id: 'form-error', class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
    const minutesCheck = kind === 'count_minutes' ? h('div', { id: 'minutes-check', class: 'minutes-check', 'aria-live': 'polite' }) : null;
    saveButton = h('button', { type: 'submit', id: 'form-save', class: 'btn btn-primary', 'aria-keyshortcuts': 'Control+S', text: t('form.save') });
    const cancelButton = h('button', {
      type: 'button', id: 'form-cancel', class: 'btn', 'aria-keyshortcuts': 'Escape',
      text: t('form.cancel'), on: { click: cancel },
    });
    const deleteButton = isNew ? null : h('button', {
      type: 'button', id: 'form-delete', class: 'btn btn-danger-quiet', text: t('form.delete'), on: { click: remove },
    });
    // A polling area prints its voter list (form Mẫu 33) from here.
    const printButton = kind === 'polling_area' && row ? h('button', {
      type: 'button', id: 'form-print-voters', class: 'btn btn-quiet', text: t('print.voter_list'),
      on: { click: (event) => printVoterList(recordId, row.number, event.currentTarget) },
    }) : null;
    // Election day's minutes print from their records, ready to sign: a team's counting minutes
    // from its count_minutes; the board's minutes of a unit's result from its unit_result or the
    // electoral unit itself (as saved; TẠM TÍNH while an area has not counted).
    const resultUnit = row && (kind === 'unit_result' ? row.electoral_unit : kind === 'electoral_unit' ? recordId : null);
    const minutesButton = kind === 'count_minutes' && row ? h('button', {
      type: 'button', id: 'form-print-minutes', class: 'btn btn-quiet', text: t('print.count_minutes'),
      on: { click: (event) => printCountMinutes(row.polling_area, row.level, event.currentTarget) },
    }) : resultUnit ? h('button', {
      type: 'button', id: 'form-print-result', class: 'btn btn-quiet', text: t('print.unit_result'),
      on: { click: (event) => printUnitResult(resultUnit, event.currentTarget) },
    }) : null;
    const hasRequired = controls.some((control) => control.field.required && !control.field.computed);
    // A viewer reads and prints: nothing to save or delete (the core refuses it anyway).
    const readOnly = !canWrite();
    if (readOnly) {
      saveButton.disabled = true;
      if (deleteButton) deleteButton.hidden = true;
    }

    formElement = h('form', { id: 'record-form', class: 'record-form', novalidate: true, dataset: { kind, recordId: recordId ?? '' } },
      readOnly ? h('p', { id: 'form-readonly', class: 'notice', role: 'note', text: t('form.readonly') }) : null,
      hasRequired ? h('p', { class: 'form-legend muted', text: t('form.required_legend') }) : null,
      controls.map((control) => control.wrap),
      minutesCheck,
      formError,
      h('div', { class: 'form-actions' },
        saveButton,
        cancelButton,
        printButton,
        minutesButton,
        h('span', { class: 'spacer' }),
        h('span', { class: 'keys-hint muted', text: t('form.keys_hint') }),
        deleteButton));
    // A team's counting minutes are checked as they are typed (the core checks them again on
    // save): voted ≤ listed, received ≤ issued, valid + invalid = received.
    if (minutesCheck) {
      const figure = (name) => {
        const raw = controls.find((c) => c.field.name === name)?.getRaw();
        const n = Number(String(raw ?? '').trim());
        return String(raw ?? '').trim() === '' || !Number.isFinite(n) ? null : n;
      };
      const recheck = () => {
        const [listed, voted, issued, received, valid, invalid] =
          ['voters_listed', 'voted', 'ballots_issued', 'ballots_received', 'valid', 'invalid'].map(figure);
        const problems = [];
        if (listed !== null && voted !== null && voted > listed) problems.push(t('minutes.voted_over', { voted, listed }));
        if (issued !== null && received !== null && received > issued) problems.push(t('minutes.received_over', { received, issued }));
        if (valid !== null && invalid !== null && received !== null && valid + invalid !== received) {
          problems.push(t('minutes.sum', { valid, invalid, sum: valid + invalid, received }));
        }
        replaceChildren(minutesCheck, problems.length
          ? h('ul', null, problems.map((p) => h('li', { text: p })))
          : h('p', { text: t('minutes.ok') }));
        minutesCheck.classList.toggle('is-wrong', problems.length > 0);
      };
      formElement.addEventListener('input', recheck);
      recheck();
    }
    formElement.addEventListener('submit', (event) => {
      event.preventDefault();
      save();
    });
    // The 3rd consultation looks at each candidate's voter conferences (Art 45, 54).
    const confidence = kind === 'consultation' && row && String(row.round) === '3' && row.level
      ? confidencePanel(row.level) : null;
    replaceChildren(body, formElement, confidence, row ? historyPanel() : null);

    if (!params.redraw) {
      const first = controls.find((control) => !control.field.computed);
      if (first) first.focusTarget.focus();
      else heading.focus();
    }
  }

  // ----- the 3rd consultation -----

  /** "Tín nhiệm ở hội nghị cử tri": each candidate of the level, their conferences and verdict. */
  function confidencePanel(level) {
    const area = h('div', { class: 'history-body' }, h('p', { class: 'muted', text: t('app.loading_short') }));
    const panel = h('section', { id: 'form-confidence', class: 'history', 'aria-labelledby': 'form-confidence-title' },
      h('h3', { id: 'form-confidence-title', class: 'confidence-title', text: t('confidence.title') }), area);
    api.candidateConfidence(level).then((rows) => {
      if (!alive) return;
      rows = rows || [];
      if (!rows.length) {
        replaceChildren(area, h('p', { class: 'muted', text: t('confidence.none') }));
        return;
      }
      const carried = rows.filter((c) => c.verdict === 'carried').length;
      replaceChildren(area,
        h('p', { id: 'confidence-summary', text: t('confidence.summary', { carried, total: rows.length }) }),
        h('table', { class: 'history-table', id: 'confidence-table' },
          h('thead', null, h('tr', null,
            h('th', { text: t('confidence.candidate') }), h('th', { text: t('confidence.unit') }),
            h('th', { text: t('confidence.conferences') }), h('th', { text: t('confidence.carried') }),
            h('th', { text: t('confidence.not_carried') }), h('th', { text: t('confidence.without_quorum') }),
            h('th', { text: t('confidence.verdict') }))),
          h('tbody', null, rows.map((c) => h('tr', { class: `confidence-row verdict-${c.verdict}`, dataset: { candidate: c.candidate } },
            h('td', null, h('a', { href: `#/edit/candidate/${encodeURIComponent(c.candidate)}`, text: c.full_name })),
            h('td', { text: c.electoral_unit || '' }),
            h('td', { text: String(c.conferences) }),
            h('td', { text: String(c.carried) }),
            h('td', { text: String(c.not_carried) }),
            h('td', { text: String(c.without_quorum) }),
            h('td', { class: 'confidence-verdict', text: t(`confidence.${c.verdict}_verdict`) }))))));
    }, (error) => {
      if (alive) replaceChildren(area, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
    });
    return panel;
  }

  // ----- history -----

  /** "Lịch sử thay đổi": loaded when opened. */
  function historyPanel() {
    const area = h('div', { class: 'history-body' });
    const panel = h('details', { id: 'form-history', class: 'history' },
      h('summary', { id: 'form-history-toggle', text: t('history.title') }), area);
    let loaded = false;
    panel.addEventListener('toggle', () => {
      if (!panel.open || loaded) return;
      loaded = true;
      replaceChildren(area, h('p', { class: 'muted', text: t('app.loading_short') }));
      api.recordHistory(kind, recordId).then((entries) => {
        if (!alive) return;
        replaceChildren(area, historyTable(entries || []));
      }, (error) => {
        loaded = false;
        if (alive) replaceChildren(area, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      });
    });
    return panel;
  }

  function historyTable(entries) {
    const describe = (fields) => Object.entries(fields || {}).map(([name, value]) => {
      if (name === '_deleted') return isTrue(value) ? t('history.deleted') : '';
      if (name === '_reason') return value ? `${t('history.reason')}: ${value}` : '';
      const field = (def.fields || []).find((f) => f.name === name);
      if (!field) return '';
      const shown = field.type === 'ref' ? '' : displayFieldValue(field, { [name]: value });
      return shown ? `${pick(field) || name}: ${shown}` : (pick(field) || name);
    }).filter(Boolean).join('; ');
    return h('table', { class: 'history-table', id: 'history-table' },
      h('thead', null, h('tr', null,
        h('th', { text: t('history.when') }), h('th', { text: t('history.who') }),
        h('th', { text: t('history.node') }), h('th', { text: t('history.fields') }))),
      h('tbody', null, entries.slice().reverse().map((entry) => h('tr', { class: 'history-row' },
        h('td', { text: displayDate(entry.at) }),
        h('td', { class: 'history-author', text: entry.author || t('history.unknown') }),
        h('td', { class: 'muted', text: entry.here ? t('history.here') : entry.node }),
        h('td', { text: describe(entry.fields) })))));
  }

  // ----- errors -----

  function clearErrors() {
    for (const control of controls) control.setError(null);
    if (formError) {
      formError.hidden = true;
      replaceChildren(formError);
    }
  }

  /**
   * Shows errors: `fieldErrors` is [{ field, text }]; `headline` goes first in #form-error.
   * Focuses the first invalid field in form order (or #form-error when none is on the form).
   */
  function showErrors(fieldErrors, headline) {
    const byField = new Map();
    const loose = [];
    for (const item of fieldErrors) {
      const control = controls.find((candidate) => candidate.field.name === item.field);
      if (control) {
        const list = byField.get(control) || [];
        list.push(item.text);
        byField.set(control, list);
      } else {
        loose.push(item.text);
      }
    }
    for (const [control, texts] of byField) control.setError(texts.join(' '));

    const items = [];
    for (const control of controls) {
      if (!byField.has(control)) continue;
      const fieldLabel = pick(control.field) || control.field.name;
      items.push(h('li', null, h('a', {
        href: `#f-${control.field.name}`,
        on: { click: (event) => { event.preventDefault(); control.focusTarget.focus(); } },
        text: `${fieldLabel}: ${byField.get(control).join(' ')}`,
      })));
    }
    for (const text of loose) items.push(h('li', { text }));
    replaceChildren(formError,
      h('p', { class: 'form-error-headline', text: headline }),
      items.length ? h('ul', null, items) : null);
    formError.hidden = false;

    const firstInvalid = controls.find((control) => byField.has(control) && !control.field.computed);
    if (firstInvalid) firstInvalid.focusTarget.focus();
    else formError.focus();
  }

  // ----- actions -----

  /** Reads every editable control: { fields: {name: value}, inline: [{field, text}] }. */
  function collect() {
    const fields = {};
    const inline = [];
    for (const control of controls) {
      if (control.field.computed) continue;
      const { value, error } = control.collect();
      fields[control.field.name] = value;
      if (error) inline.push({ field: control.field.name, text: error });
    }
    return { fields, inline };
  }

  async function save() {
    if (saving || !formElement) return;
    const { fields, inline } = collect();
    clearErrors();
    if (inline.length) showErrors(inline, t('form.errors_summary'));
    setSaving(true);
    try {
      const saved = await api.saveRecord(kind, recordId, fields);
      if (!alive) return;
      rememberOpened(kind, saved?.id ?? recordId);
      toast(t('form.saved'));
      ctx.navigate(listHash);
    } catch (error) {
      if (!alive) return;
      clearErrors();
      if (error.kind === 'validation' && error.fields.length) {
        // The core's word replaces the inline checks.
        showErrors(error.fields.map((item) => ({ field: item.field, text: errorText(item) })), t('form.errors_summary'));
      } else if (error.kind === 'validation') {
        showErrors(inline, errorText(error) || t('form.not_saved'));
      } else {
        showErrors(inline, `${t('form.not_saved')} ${errorText(error)}`);
      }
    } finally {
      if (alive) setSaving(false);
    }
  }

  function setSaving(value) {
    saving = value;
    if (!saveButton) return;
    saveButton.disabled = value;
    saveButton.textContent = value ? t('form.saving') : t('form.save');
    formElement?.setAttribute('aria-busy', String(value));
  }

  function cancel() {
    ctx.navigate(listHash);
  }

  async function remove() {
    if (saving || isNew) return;
    const recordTitle = row?.title || singular || label;
    const confirmed = await confirmDialog({
      title: t('form.confirm_delete_title'),
      message: t('form.confirm_delete', { title: recordTitle }),
    });
    if (!confirmed || !alive) return;
    setSaving(true);
    try {
      await api.deleteRecord(kind, recordId);
      if (!alive) return;
      rememberOpened(kind, null);
      toast(t('form.deleted'));
      ctx.navigate(listHash);
    } catch (error) {
      if (!alive) return;
      clearErrors();
      showErrors([], `${t('form.not_saved')} ${errorText(error)}`);
    } finally {
      if (alive) setSaving(false);
    }
  }

  return {
    onKey(event) {
      const key = event.key;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === 's' || key === 'S' || key === 'Enter')) {
        event.preventDefault();
        save();
      } else if (key === 'Escape' && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        cancel();
      }
    },
    snapshot() {
      if (!formElement) return null;
      const values = {};
      for (const control of controls) {
        if (!control.field.computed) values[control.field.name] = control.getRaw();
      }
      return { values };
    },
    destroy() {
      alive = false;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ref choices

/**
 * Loads, for every kind that a ref field of `def` may point to, its records (id and title):
 * Map(kind → { rows, total }). A kind that fails to load simply offers no choice.
 */
async function loadRefChoices(def) {
  const kinds = new Set();
  for (const field of def.fields || []) {
    if (field.type === 'ref' && !field.computed) for (const refKind of field.ref || []) kinds.add(refKind);
  }
  const entries = await Promise.all([...kinds].map(async (refKind) => {
    try {
      const result = await api.listRecords(refKind, { offset: 0, limit: REF_LIMIT });
      return [refKind, { rows: Array.isArray(result?.rows) ? result.rows : [], total: Number(result?.total) || 0 }];
    } catch {
      return [refKind, { rows: [], total: 0 }];
    }
  }));
  return new Map(entries);
}

// ---------------------------------------------------------------------------------------------
// Field controls

/**
 * Creates the control for one field:
 * { field, wrap, focusTarget, getRaw(), setRaw(raw), collect() → {value, error}, setError(text) }.
 * `raw` is what the control shows (text, boolean, or an array of level values).
 */
function createControl(field, row, refChoices) {
  const name = field.name;
  const inputId = `f-${name}`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const value = row ? row[name] : undefined;
  const hint = pick(field, 'hint');
  const fieldLabel = pick(field) || name;
  const required = Boolean(field.required) && !field.computed;

  const labelChildren = [fieldLabel, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null];
  const hintElement = hint ? h('div', { class: 'field-hint', id: hintId, text: hint }) : null;
  const describedBy = () => [errorElement ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || null;
  let errorElement = null;

  let control;
  if (field.computed) control = computedControl();
  else if (field.type === 'bool') control = boolControl();
  else if (field.type === 'levels') control = levelsControl();
  else if (field.type === 'enum') control = enumControl();
  else if (field.type === 'ref') control = refControl();
  else if (field.type === 'longtext') control = textControl('textarea');
  else control = textControl('input');

  const wrap = h('div', {
    class: `field field-${field.type}${field.computed ? ' field-computed' : ''}${required ? ' is-required' : ''}`,
    id: `field-${name}`,
    dataset: { fieldWrap: name },
  }, control.parts, hintElement);

  control.setRaw(toRaw(field, value));

  function setError(text) {
    if (errorElement) {
      errorElement.remove();
      errorElement = null;
    }
    wrap.classList.toggle('has-error', Boolean(text));
    for (const input of control.inputs) {
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    if (text) {
      errorElement = h('div', { class: 'field-error', id: errorId, dataset: { field: name }, text });
      // Errors sit right under the control, above the hint.
      if (hintElement) wrap.insertBefore(errorElement, hintElement);
      else wrap.appendChild(errorElement);
    }
    const described = describedBy();
    for (const input of control.inputs) {
      if (described) input.setAttribute('aria-describedby', described);
      else input.removeAttribute('aria-describedby');
    }
  }

  // Clear a field's error once the user changes it.
  for (const input of control.inputs) {
    const clear = () => { if (errorElement) setError(null); };
    input.addEventListener('input', clear);
    input.addEventListener('change', clear);
    if (hint) input.setAttribute('aria-describedby', hintId);
  }

  // Dates are re-shown as dd/mm/yyyy once they can be read, and checked when leaving the field.
  if ((field.type === 'date' || field.type === 'partial_date') && !field.computed) {
    const input = control.inputs[0];
    input.addEventListener('blur', () => {
      const text = input.value.trim();
      if (!text) return;
      const iso = field.type === 'date' ? parseDate(text) : parsePartialDate(text);
      if (iso) input.value = displayDate(iso);
      else setError(field.type === 'date' ? t('form.invalid_date') : t('form.invalid_partial_date'));
    });
  }

  return {
    field,
    wrap,
    focusTarget: control.inputs[0],
    getRaw: control.getRaw,
    setRaw: control.setRaw,
    collect: () => {
      const result = control.collect();
      if (!result.error && required && isMissing(field, result.value)) result.error = t('form.required');
      return result;
    },
    setError,
  };

  // ----- one builder per kind of control -----

  function labelFor() {
    return h('label', { for: inputId, class: 'field-label' }, labelChildren);
  }

  function textControl(tag) {
    const isDate = field.type === 'date';
    const isPartial = field.type === 'partial_date';
    const isInt = field.type === 'int';
    const attrs = { id: inputId, name, autocomplete: 'off', class: `input${isInt ? ' input-int' : ''}${isDate || isPartial ? ' input-date' : ''}` };
    if (tag === 'input') attrs.type = 'text';
    else attrs.rows = '4';
    if (isDate) { attrs.placeholder = t('form.date_ph'); attrs.inputmode = 'numeric'; }
    if (isPartial) attrs.placeholder = t('form.partial_date_ph');
    if (isInt) attrs.inputmode = 'numeric';
    if (required) attrs['aria-required'] = 'true';
    const input = h(tag, attrs);
    return {
      parts: [labelFor(), input],
      inputs: [input],
      getRaw: () => input.value,
      setRaw: (raw) => { input.value = raw ?? ''; },
      collect: () => readText(field, input.value),
    };
  }

  function boolControl() {
    const input = h('input', { type: 'checkbox', id: inputId, name, class: 'checkbox' });
    return {
      parts: [h('label', { class: 'check-label', for: inputId }, input, h('span', { text: fieldLabel }))],
      inputs: [input],
      getRaw: () => input.checked,
      setRaw: (raw) => { input.checked = Boolean(raw); },
      collect: () => ({ value: input.checked, error: null }),
    };
  }

  function levelsControl() {
    const options = fieldOptions(field);
    const boxes = options.map((option, index) => h('input', {
      type: 'checkbox', name, value: String(option.value), id: index === 0 ? inputId : `${inputId}-${index}`, class: 'checkbox',
    }));
    const legendId = `${inputId}-legend`;
    const fieldset = h('fieldset', { class: 'levels', 'aria-labelledby': legendId },
      h('legend', { id: legendId, class: 'field-label' }, labelChildren),
      h('div', { class: 'levels-options' }, options.map((option, index) =>
        h('label', { class: 'check-label', for: boxes[index].id }, boxes[index], h('span', { text: pick(option) || String(option.value) })))));
    let unknown = []; // stored values the schema has no option for: kept as they were
    return {
      parts: [fieldset],
      inputs: boxes.length ? boxes : [fieldset],
      getRaw: () => [...boxes.filter((box) => box.checked).map((box) => box.value), ...unknown],
      setRaw: (raw) => {
        const values = Array.isArray(raw) ? raw.map(String) : [];
        for (const box of boxes) box.checked = values.includes(box.value);
        unknown = values.filter((candidate) => !boxes.some((box) => box.value === candidate));
      },
      collect: () => {
        const chosen = [...boxes.filter((box) => box.checked).map((box) => box.value), ...unknown];
        return { value: chosen.length ? chosen.join(',') : null, error: null };
      },
    };
  }

  function enumControl() {
    const select = h('select', { id: inputId, name, class: 'input', 'aria-required': required ? 'true' : null },
      h('option', { value: '', text: required ? t('setup.choose') : t('form.none') }),
      fieldOptions(field).map((option) => h('option', { value: String(option.value), text: pick(option) || String(option.value) })));
    return selectControl(select, (raw) => optionLabel(field, raw));
  }

  function refControl() {
    const select = h('select', { id: inputId, name, class: 'input', 'aria-required': required ? 'true' : null },
      h('option', { value: '', text: required ? t('setup.choose') : t('form.none') }));
    const refKinds = (field.ref || []).filter((refKind) => refChoices.has(refKind));
    const grouped = refKinds.length > 1;
    let truncated = false;
    for (const refKind of refKinds) {
      const { rows, total } = refChoices.get(refKind);
      if (total > rows.length) truncated = true;
      const options = rows.map((choice) => h('option', { value: String(choice.id), text: choice.title || String(choice.id) }));
      if (grouped) select.appendChild(h('optgroup', { label: kindLabel(refKind) }, options));
      else options.forEach((option) => select.appendChild(option));
    }
    const control = selectControl(select, (raw) => (row && String(row[name]) === String(raw) && row[`${name}_title`]) || raw);
    if (truncated) control.parts.push(h('div', { class: 'field-hint', text: t('form.ref_more', { n: REF_LIMIT }) }));
    return control;
  }

  /** Shared by enum and ref: a select that keeps a stored value even if it is not among the options. */
  function selectControl(select, labelOfUnknown) {
    return {
      parts: [labelFor(), select],
      inputs: [select],
      getRaw: () => select.value,
      setRaw: (raw) => {
        const wanted = raw === null || raw === undefined ? '' : String(raw);
        if (wanted && ![...select.options].some((option) => option.value === wanted)) {
          select.appendChild(h('option', { value: wanted, text: String(labelOfUnknown(wanted)) }));
        }
        select.value = wanted;
      },
      collect: () => ({ value: select.value === '' ? null : select.value, error: null }),
    };
  }

  function computedControl() {
    const shown = row ? displayFieldValue(field, row) : '';
    const input = h('input', {
      type: 'text', id: inputId, name, class: 'input input-computed', readOnly: true, tabindex: '-1',
      value: shown, placeholder: row ? '' : t('form.computed_on_save'), 'aria-readonly': 'true',
    });
    return {
      parts: [h('label', { for: inputId, class: 'field-label' }, fieldLabel, h('span', { class: 'computed-tag', text: t('form.computed') })), input],
      inputs: [input],
      getRaw: () => input.value,
      setRaw: () => {},
      collect: () => ({ value: undefined, error: null }),
    };
  }
}

/** The raw (on-screen) form of a stored value. */
function toRaw(field, value) {
  if (field.computed) return value;
  switch (field.type) {
    case 'bool':
      return isTrue(value);
    case 'levels':
      return splitLevels(value);
    case 'date':
    case 'partial_date':
      return value === null || value === undefined ? '' : displayDate(value);
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

/**
 * Reads the text of a text-like field into the value to send and an inline error, if any.
 * Unreadable dates and numbers are sent as typed, so the core's message is the one that stays.
 */
function readText(field, text) {
  const trimmed = String(text ?? '').normalize('NFC').trim();
  if (!trimmed) return { value: null, error: null };
  switch (field.type) {
    case 'date': {
      const iso = parseDate(trimmed);
      return iso ? { value: iso, error: null } : { value: trimmed, error: t('form.invalid_date') };
    }
    case 'partial_date': {
      const iso = parsePartialDate(trimmed);
      return iso ? { value: iso, error: null } : { value: trimmed, error: t('form.invalid_partial_date') };
    }
    case 'int': {
      // Accept digit grouping as people write it: 2.540, 2 540, 2,540.
      const compact = /^-?\d{1,3}([.,\s]\d{3})+$/.test(trimmed) ? trimmed.replace(/[.,\s]/g, '') : trimmed;
      if (!/^-?\d+$/.test(compact)) return { value: trimmed, error: t('form.invalid_int') };
      const number = Number.parseInt(compact, 10);
      if (Number.isFinite(field.min) && number < field.min) return { value: number, error: t('form.too_small', { n: field.min }) };
      if (Number.isFinite(field.max) && number > field.max) return { value: number, error: t('form.too_large', { n: field.max }) };
      return { value: number, error: null };
    }
    default:
      return { value: trimmed, error: null };
  }
}

/** True when a collected value leaves a required field empty. */
function isMissing(field, value) {
  if (field.type === 'bool') return false;
  return value === null || value === undefined || value === '';
}
