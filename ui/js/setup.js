// setup.js — the first-run screen (#setup): pick the administrative scheme and the unit (search
// first, browsing province → district → commune as a fallback), type the election day, pick the
// law version (chosen from the date unless the user overrides it), then create the ledger with
// init_ledger — or open the sample ledger with create_demo. It keeps no state beyond the screen.

import * as api from './api.js';
import { h, replaceChildren, debounce } from './util.js';
import { t, lang, errorText } from './i18n.js';
import { langToggleButton } from './langtoggle.js';
import { parseDate, displayDate } from './dates.js';
import { confirmDialog } from './dialogs.js';

/** The amended law (83/2025/QH15) applies to elections on or after this day. */
const AMENDED_LAW_FROM = '2025-07-01';
const SEARCH_DELAY_MS = 150;

/**
 * Draws the first-run screen into `container`.
 * params: { draft (from snapshot, after a language switch), dataDir }
 * ctx: { onCreated(node), onAlreadyInitialized() }
 */
export function render(container, params, ctx) {
  const draft = params.draft || {};
  const state = {
    scheme: draft.scheme || '2025',
    query: draft.query || '',
    results: null, // null: nothing searched; []: searched, nothing found
    chosen: draft.chosen || null,
    electionText: draft.electionText || '',
    law: draft.law || '2025',
    lawTouched: Boolean(draft.lawTouched),
    browseOpen: Boolean(draft.browseOpen),
    browsePath: draft.browsePath || [], // codes chosen in the browse selects, top down
    error: draft.error || null,
    busy: false,
  };
  let searchSequence = 0;
  let browseSequence = 0;

  // ----- elements -----
  const schemeSelect = h('select', { id: 'setup-scheme', name: 'scheme' },
    h('option', { value: '2025', text: t('setup.scheme_2025') }),
    h('option', { value: '2021', text: t('setup.scheme_2021') }));
  schemeSelect.value = state.scheme;

  const searchInput = h('input', {
    id: 'setup-unit-search', type: 'search', name: 'unit_search', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('setup.unit_search_ph'), value: state.query,
    role: 'combobox', 'aria-controls': 'setup-unit-results', 'aria-expanded': 'false',
    'aria-describedby': 'setup-unit-hint',
  });
  const resultsBox = h('div', { id: 'setup-unit-results', class: 'unit-results', role: 'listbox', 'aria-label': t('setup.unit') });
  const chosenBox = h('div', { id: 'setup-unit-chosen', class: 'unit-chosen', 'aria-live': 'polite' });
  const browseBox = h('div', { id: 'setup-browse', class: 'unit-browse' });
  const browseDetails = h('details', { class: 'browse-details' },
    h('summary', { text: t('setup.browse') }), browseBox);
  if (state.browseOpen) browseDetails.open = true;

  const electionInput = h('input', {
    id: 'setup-election', type: 'text', name: 'election_date', inputmode: 'numeric', autocomplete: 'off',
    placeholder: 'dd/mm/yyyy', value: state.electionText, 'aria-describedby': 'setup-election-hint',
  });
  const lawSelect = h('select', { id: 'setup-law', name: 'law', 'aria-describedby': 'setup-law-hint' },
    h('option', { value: '2025', text: t('setup.law_2025') }),
    h('option', { value: '2015', text: t('setup.law_2015') }));
  lawSelect.value = state.law;

  const errorBox = h('div', { id: 'setup-error', class: 'form-error', role: 'alert', hidden: true });
  const createButton = h('button', { type: 'submit', id: 'setup-create', class: 'btn btn-primary btn-large', text: t('setup.create') });
  const demoButton = h('button', { type: 'button', id: 'setup-demo', class: 'btn btn-secondary', text: t('setup.demo') });

  const form = h('form', { id: 'setup-form', class: 'setup-form', novalidate: true },
    field(h('label', { for: 'setup-scheme', text: t('setup.scheme') }), schemeSelect),
    h('div', { class: 'field' },
      h('label', { for: 'setup-unit-search', text: t('setup.unit') }),
      searchInput,
      h('div', { class: 'field-hint', id: 'setup-unit-hint', text: t('setup.unit_hint') }),
      resultsBox,
      browseDetails,
      chosenBox),
    field(h('label', { for: 'setup-election', text: t('setup.election') }), electionInput,
      h('div', { class: 'field-hint', id: 'setup-election-hint', text: t('setup.election_hint') })),
    field(h('label', { for: 'setup-law', text: t('setup.law') }), lawSelect,
      h('div', { class: 'field-hint', id: 'setup-law-hint', text: t('setup.law_hint') })),
    errorBox,
    h('div', { class: 'setup-actions' },
      createButton,
      h('span', { class: 'setup-or muted', text: t('setup.or') }),
      demoButton),
    h('p', { class: 'field-hint', text: t('setup.demo_hint') }),
  );

  const page = h('div', { id: 'setup', class: 'setup' },
    h('div', { class: 'setup-topbar' },
      langToggleButton()),
    h('div', { class: 'setup-card' },
      h('h1', { class: 'setup-title', text: t('app.name') }),
      h('p', { class: 'setup-intro', text: t('setup.intro') }),
      h('h2', { class: 'setup-heading', text: t('setup.heading') }),
      form,
      params.dataDir ? h('p', { class: 'setup-datadir muted', text: t('setup.data_dir', { dir: params.dataDir }) }) : null),
  );
  replaceChildren(container, page);

  // ----- drawing parts -----

  function field(...children) {
    return h('div', { class: 'field' }, ...children);
  }

  function drawChosen() {
    if (!state.chosen) {
      replaceChildren(chosenBox, h('span', { class: 'muted', text: t('setup.none_chosen') }));
      chosenBox.classList.remove('has-unit');
      return;
    }
    chosenBox.classList.add('has-unit');
    replaceChildren(chosenBox,
      h('div', { class: 'unit-chosen-label', text: t('setup.chosen') }),
      h('div', { class: 'unit-chosen-name', id: 'setup-unit-chosen-name', dataset: { code: state.chosen.code }, text: state.chosen.name }),
      state.chosen.path ? h('div', { class: 'unit-chosen-path', text: state.chosen.path }) : null,
      h('button', {
        type: 'button', class: 'btn btn-link', text: t('setup.change_unit'),
        on: { click: () => { searchInput.focus(); searchInput.select(); } },
      }));
  }

  function drawResults(message = null) {
    const items = state.results || [];
    searchInput.setAttribute('aria-expanded', String(items.length > 0));
    if (message) {
      replaceChildren(resultsBox, h('div', { class: 'unit-results-message muted', text: message }));
      return;
    }
    if (state.results === null) {
      replaceChildren(resultsBox);
      return;
    }
    if (items.length === 0) {
      replaceChildren(resultsBox, h('div', { class: 'unit-results-message muted', text: t('setup.no_results') }));
      return;
    }
    replaceChildren(resultsBox, items.map((unit) => h('button', {
      type: 'button', class: 'unit-option', role: 'option',
      dataset: { code: unit.code }, 'aria-selected': String(state.chosen?.code === unit.code),
      on: { click: () => choose(unit, { clearResults: true }), keydown: onOptionKey },
    },
    h('span', { class: 'unit-option-name', text: unit.name }),
    h('span', { class: 'unit-option-path', text: unit.path || '' }))));
  }

  function showError(error) {
    state.error = error;
    if (!error) {
      errorBox.hidden = true;
      replaceChildren(errorBox);
      return;
    }
    // A validation error lists its fields' messages, each with the label of the input it is about.
    const fieldLabels = { unit: t('setup.unit'), scheme: t('setup.scheme'), election_date: t('setup.election'), law: t('setup.law') };
    const fields = typeof error === 'object' && Array.isArray(error.fields) ? error.fields : [];
    const lines = typeof error === 'string'
      ? [error]
      : fields.length
        ? fields.map((item) => (fieldLabels[item.field] ? `${fieldLabels[item.field]}: ${errorText(item)}` : errorText(item)))
        : [errorText(error)];
    const unique = [...new Set(lines.filter(Boolean))];
    replaceChildren(errorBox, unique.length === 1
      ? unique[0]
      : h('ul', null, unique.map((line) => h('li', { text: line }))));
    errorBox.hidden = false;
  }

  function setBusy(busy, button) {
    state.busy = busy;
    createButton.disabled = busy;
    demoButton.disabled = busy;
    if (button === createButton) createButton.textContent = busy ? t('setup.creating') : t('setup.create');
    if (button === demoButton) demoButton.textContent = busy ? t('setup.creating') : t('setup.demo');
    page.setAttribute('aria-busy', String(busy));
  }

  // ----- behaviour -----

  function choose(unit, { clearResults = false } = {}) {
    state.chosen = unit;
    if (clearResults) {
      state.results = null;
      drawResults();
    }
    drawChosen();
    if (state.error === t('setup.err_unit')) showError(null);
  }

  const runSearch = debounce(async () => {
    const query = state.query.trim();
    const sequence = ++searchSequence;
    if (!query) {
      state.results = null;
      drawResults();
      return;
    }
    drawResults(t('setup.searching'));
    try {
      const units = await api.searchUnits(state.scheme, query);
      if (sequence !== searchSequence) return; // a newer search has started
      state.results = Array.isArray(units) ? units : [];
      drawResults();
    } catch (error) {
      if (sequence !== searchSequence) return;
      state.results = [];
      drawResults(errorText(error));
    }
  }, SEARCH_DELAY_MS);

  function onOptionKey(event) {
    const options = [...resultsBox.querySelectorAll('.unit-option')];
    const index = options.indexOf(event.currentTarget);
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)]?.focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (index <= 0) searchInput.focus();
      else options[index - 1].focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      searchInput.focus();
    }
  }

  searchInput.addEventListener('input', () => {
    state.query = searchInput.value;
    runSearch();
  });
  searchInput.addEventListener('keydown', (event) => {
    const options = resultsBox.querySelectorAll('.unit-option');
    if (event.key === 'ArrowDown' && options.length) {
      event.preventDefault();
      options[0].focus();
    } else if (event.key === 'Enter') {
      // Enter in the search box picks the first match instead of submitting the form.
      event.preventDefault();
      if (options.length) options[0].click();
    }
  });

  schemeSelect.addEventListener('change', () => {
    state.scheme = schemeSelect.value;
    state.chosen = null;
    state.browsePath = [];
    drawChosen();
    if (state.query.trim()) runSearch();
    else {
      state.results = null;
      drawResults();
    }
    if (browseDetails.open) loadBrowseLevel(0, null);
    else replaceChildren(browseBox);
  });

  // Browsing: one select per level; picking a non-commune unit loads its children below.
  browseDetails.addEventListener('toggle', () => {
    state.browseOpen = browseDetails.open;
    if (browseDetails.open && !browseBox.firstChild) loadBrowseLevel(0, null);
  });

  async function loadBrowseLevel(depth, parentCode, preselect = []) {
    const sequence = ++browseSequence;
    // Drop the selects at this depth and below.
    [...browseBox.children].slice(depth).forEach((child) => child.remove());
    let units;
    try {
      units = await api.listUnits(state.scheme, parentCode);
    } catch (error) {
      if (sequence === browseSequence) browseBox.appendChild(h('div', { class: 'field-error', text: errorText(error) }));
      return;
    }
    if (sequence !== browseSequence || !Array.isArray(units) || units.length === 0) return;
    const level = units[0].level || (depth === 0 ? 'province' : 'commune');
    const selectId = `setup-browse-${depth}`;
    const select = h('select', { id: selectId, class: 'browse-select', dataset: { depth: String(depth), level } },
      h('option', { value: '', text: t('setup.choose') }),
      units.map((unit) => h('option', { value: unit.code, text: unit.name })));
    select.addEventListener('change', () => {
      const unit = units.find((candidate) => candidate.code === select.value);
      state.browsePath = state.browsePath.slice(0, depth);
      if (!unit) {
        [...browseBox.children].slice(depth + 1).forEach((child) => child.remove());
        return;
      }
      state.browsePath.push(unit.code);
      if (unit.level === 'commune') {
        [...browseBox.children].slice(depth + 1).forEach((child) => child.remove());
        choose(unit);
      } else {
        loadBrowseLevel(depth + 1, unit.code);
      }
    });
    const levelLabel = ['province', 'district', 'commune'].includes(level) ? t(`setup.level_${level}`) : level;
    browseBox.appendChild(h('div', { class: 'browse-level' },
      h('label', { for: selectId, text: levelLabel }), select));
    // Restore a path after a language switch.
    const [next, ...remaining] = preselect;
    if (next && units.some((unit) => unit.code === next)) {
      select.value = next;
      const unit = units.find((candidate) => candidate.code === next);
      if (unit.level !== 'commune') loadBrowseLevel(depth + 1, unit.code, remaining);
    }
  }

  electionInput.addEventListener('input', () => {
    state.electionText = electionInput.value;
    const iso = parseDate(electionInput.value);
    if (iso && !state.lawTouched) {
      state.law = iso >= AMENDED_LAW_FROM ? '2025' : '2015';
      lawSelect.value = state.law;
    }
  });
  electionInput.addEventListener('blur', () => {
    const iso = parseDate(electionInput.value);
    if (iso) {
      electionInput.value = displayDate(iso);
      state.electionText = electionInput.value;
    }
  });
  lawSelect.addEventListener('change', () => {
    state.law = lawSelect.value;
    state.lawTouched = true;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.busy) return;
    if (!state.chosen) {
      showError(t('setup.err_unit'));
      searchInput.focus();
      return;
    }
    const electionDate = parseDate(electionInput.value);
    if (!electionDate) {
      showError(t('setup.err_date'));
      electionInput.focus();
      return;
    }
    showError(null);
    // A date in the past or more than a year ahead is most likely a typo: ask.
    let doubt = null;
    try {
      doubt = await api.electionDateCheck(electionDate);
    } catch (error) {
      showError(error);
      return;
    }
    if (doubt) {
      const sure = await confirmDialog({
        title: t('setup.date_check_title'),
        message: `${lang() === 'vi' ? doubt.message_vi : doubt.message}. ${t('setup.date_question')}`,
        okLabel: t('setup.date_keep'),
      });
      if (!sure) {
        electionInput.focus();
        return;
      }
    }
    setBusy(true, createButton);
    try {
      const node = await api.initLedger({
        unit: state.chosen.code,
        scheme: state.scheme,
        electionDate,
        law: lawSelect.value,
      });
      ctx.onCreated(node);
    } catch (error) {
      setBusy(false, createButton);
      if (error.kind === 'already_initialized') {
        ctx.onAlreadyInitialized();
        return;
      }
      showError(error);
    }
  });

  demoButton.addEventListener('click', async () => {
    if (state.busy) return;
    showError(null);
    setBusy(true, demoButton);
    try {
      const node = await api.createDemo();
      ctx.onCreated(node);
    } catch (error) {
      setBusy(false, demoButton);
      if (error.kind === 'already_initialized') {
        ctx.onAlreadyInitialized();
        return;
      }
      showError(error);
    }
  });

  // ----- first draw -----
  drawChosen();
  drawResults();
  if (state.error) showError(state.error);
  if (state.query.trim()) runSearch();
  if (state.browseOpen) loadBrowseLevel(0, null, state.browsePath);
  if (!draft.scheme) searchInput.focus();

  return {
    snapshot: () => ({
      scheme: state.scheme,
      query: state.query,
      chosen: state.chosen,
      electionText: electionInput.value,
      law: lawSelect.value,
      lawTouched: state.lawTouched,
      browseOpen: browseDetails.open,
      browsePath: state.browsePath,
      // A plain-string error was written in the old language: drop it; error objects carry both.
      error: typeof state.error === 'string' ? null : state.error,
    }),
    destroy: () => {
      runSearch.cancel();
      searchSequence += 1;
      browseSequence += 1;
    },
  };
}
