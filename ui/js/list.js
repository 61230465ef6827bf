// list.js — the list screen of one record kind (#list-view): a search box (matching without
// marks is the core's job), "Thêm mới" (#list-new, key N), "Nhập từ tệp" (#list-import, the
// import screen for this kind), "In" (#list-print: the whole list as narrowed, as a PDF; on the
// voter and polling-area lists also #list-print-voters, form Mẫu 33 of a chosen area), and a
// table of the kind's list_fields
// whose rows open the record (click or Enter). The table scrolls through the whole list however
// long (100,000 voters): only the rows in view, plus a margin, are in the page, between two
// spacers that give the table its full height; rows come from list_records in pages of
// PAGE_SIZE by offset as the view reaches them, and pages are kept for the screen's life.
// On a district or province ledger the table shows each record's unit, and a select
// (#list-unit) narrows the list to one unit below the node and its subtree.
// The search text, unit and scroll position of each kind are remembered for the session, so
// coming back from a form lands where you were.

import * as api from './api.js';
import { h, replaceChildren, debounce, formatNumber, isTypingTarget, lowerFirst } from './util.js';
import { t, lang, pick, errorText } from './i18n.js';
import { kindDef, kindLabel, getNode, hasUnitsBelow } from './store.js';
import { displayFieldValue } from './values.js';
import { printList, chooseAndPrintVoterList } from './exports.js';

const PAGE_SIZE = 200;
/** Rows drawn above and below the visible ones. */
const MARGIN_ROWS = 30;
/** The row height until one is measured (CSS gives rows a fixed height). */
const DEFAULT_ROW_HEIGHT = 36;
const SEARCH_DELAY_MS = 200;

/** Per kind: { q, unit, scrollTop, lastId } for the rest of the session. */
const memory = new Map();

function remembered(kind) {
  if (!memory.has(kind)) memory.set(kind, { q: '', unit: '', scrollTop: 0, lastId: null });
  return memory.get(kind);
}

/** Lets the form tell the list which record was opened last (it gets focus on return). */
export function rememberOpened(kind, id) {
  remembered(kind).lastId = id;
}

/** Draws the list of `params.kind` into `container`. */
export function render(container, params, ctx) {
  const kind = params.kind;
  const def = kindDef(kind);
  const mem = remembered(kind);
  const node = getNode();
  // A district or province ledger holds the records of the units below it.
  const merged = hasUnitsBelow(node);
  /** Exact field values the route narrows the list to (`#/list/candidate?level=na`). */
  const where = Object.fromEntries(Object.entries(params.where || {}).filter(([field]) => field === 'unit' || def.fields.some((f) => f.name === field)));
  // A unit in the route (`?unit=<code>&unit_name=<name>`, from the progress board) narrows the
  // list as the unit select does, shown by its name.
  const routeUnitName = params.where?.unit_name || '';
  if (merged && where.unit) {
    mem.unit = where.unit;
    delete where.unit;
  }
  let alive = true;
  /** Bumped whenever the query changes: answers for an older query are dropped. */
  let generation = 0;
  let total = null;
  /** page number → rows (an array) or a pending promise. */
  let pages = new Map();
  let rowHeight = DEFAULT_ROW_HEIGHT;
  let measured = false;
  let drawnFrom = -1;
  let drawnTo = -1;
  let pendingFocus = null;

  const columns = buildColumns(def, merged);
  const label = kindLabel(def);

  const heading = h('h1', { class: 'page-title', id: 'list-title', tabindex: '-1', text: label });
  const searchInput = h('input', {
    id: 'list-search', type: 'search', name: 'q', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('list.search_ph'), value: mem.q, 'aria-label': t('list.search_label', { kind: lowerFirst(label) }),
  });
  const unitSelect = merged
    ? h('select', { id: 'list-unit', class: 'input list-unit', 'aria-label': t('list.unit_label') },
      h('option', { value: '', text: t('list.unit_all') }))
    : null;
  const newButton = h('button', {
    type: 'button', id: 'list-new', class: 'btn btn-primary', 'aria-keyshortcuts': 'n',
    text: t('list.new'), on: { click: () => ctx.navigate(`#/new/${encodeURIComponent(kind)}`) },
  });
  const importButton = h('button', {
    type: 'button', id: 'list-import', class: 'btn btn-quiet', text: t('list.import'),
    on: { click: () => ctx.navigate(`#/import/${encodeURIComponent(kind)}`) },
  });
  // "In": the whole list as narrowed on screen (search, unit, filter) as a PDF, not the rows
  // drawn. The voter and polling-area lists also print form Mẫu 33 of an area chosen in a dialog.
  const printButton = h('button', {
    type: 'button', id: 'list-print', class: 'btn btn-quiet', text: t('list.print'), title: t('list.print_title'),
    on: { click: (event) => printList(kind, printQuery(), event.currentTarget) },
  });
  const voterListButton = kind === 'voter' || kind === 'polling_area'
    ? h('button', {
      type: 'button', id: 'list-print-voters', class: 'btn btn-quiet', text: t('print.voter_list'),
      on: { click: (event) => chooseAndPrintVoterList(event.currentTarget) },
    })
    : null;

  const tbody = h('tbody');
  const table = h('table', { class: 'records virtual', 'aria-labelledby': 'list-title', 'aria-rowcount': '0' },
    h('colgroup', null, columns.map((column) => h('col', { class: `col-${column.name}` }))),
    h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col', dataset: { field: column.name }, class: column.numeric ? 'num' : null, text: column.label })))),
    tbody);
  const tableWrap = h('div', { class: 'table-wrap virtual-wrap', id: 'list-scroll', hidden: true }, table);
  const statusArea = h('div', { class: 'list-status' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  const countText = h('span', { id: 'list-count', class: 'list-count' });

  replaceChildren(container, h('section', { id: 'list-view', class: 'list-view', dataset: { kind } },
    h('header', { class: 'page-head list-head' },
      heading,
      h('div', { class: 'list-tools' }, searchInput, unitSelect, newButton, importButton, printButton, voterListButton)),
    Object.keys(where).length ? filterNote() : null,
    statusArea,
    tableWrap,
    h('footer', { class: 'list-foot' },
      countText,
      h('span', { class: 'keys-hint muted', text: t('list.keys_hint') })),
  ));
  ctx.setTitle(label);
  if (!params.redraw) heading.focus({ preventScroll: true });

  if (unitSelect) fillUnits();

  /** "Lọc: Cấp = Quốc hội · Bỏ lọc": what the route narrowed the list to, and the way back. */
  function filterNote() {
    const parts = Object.entries(where).map(([name, value]) => {
      if (name === 'unit') return `${t('list.unit_column')} = ${routeUnitName || value}`;
      const field = def.fields.find((f) => f.name === name);
      const option = field?.options?.find((o) => o.value === value);
      return `${field ? pick(field) : name} = ${option ? pick(option) : value}`;
    });
    return h('p', { class: 'list-filter', id: 'list-filter' },
      h('span', { text: t('list.filtered', { what: parts.join(', ') }) }), ' ',
      h('a', { href: `#/list/${encodeURIComponent(kind)}`, id: 'list-filter-clear', text: t('list.filter_clear') }));
  }

  async function fillUnits() {
    try {
      const units = await api.listUnits(node.scheme, node.unit.code);
      if (!alive) return;
      for (const unit of units || []) {
        unitSelect.appendChild(h('option', { value: unit.code, text: unit.name }));
      }
      if (mem.unit && !(units || []).some((unit) => unit.code === mem.unit)) {
        unitSelect.appendChild(h('option', { value: mem.unit, text: routeUnitName || mem.unit }));
      }
      unitSelect.value = mem.unit;
    } catch (error) {
      console.error(error);
    }
  }

  // ----- pages -----

  /** What the list is narrowed to, for its print-out (every matching record). */
  function printQuery() {
    const q = {};
    if (mem.q.trim()) q.q = mem.q.trim();
    if (mem.unit) q.unit = mem.unit;
    if (Object.keys(where).length) q.where = where;
    return q;
  }

  function query(offset) {
    const q = { offset, limit: PAGE_SIZE };
    if (mem.q.trim()) q.q = mem.q.trim();
    if (mem.unit) q.unit = mem.unit;
    if (Object.keys(where).length) q.where = where;
    return q;
  }

  /** Fetches one page (once); resolves with its rows, or null if the query changed meanwhile. */
  function fetchPage(page) {
    const have = pages.get(page);
    if (have) return Array.isArray(have) ? Promise.resolve(have) : have;
    const asked = generation;
    const promise = api.listRecords(kind, query(page * PAGE_SIZE)).then((data) => {
      if (!alive || asked !== generation) return null;
      const rows = Array.isArray(data?.rows) ? data.rows : [];
      pages.set(page, rows);
      const newTotal = Number(data?.total) || 0;
      if (newTotal !== total) setTotal(newTotal);
      return rows;
    }, (error) => {
      if (alive && asked === generation) pages.delete(page);
      throw error;
    });
    pages.set(page, promise);
    return promise;
  }

  function rowAt(index) {
    const rows = pages.get(Math.floor(index / PAGE_SIZE));
    return Array.isArray(rows) ? rows[index % PAGE_SIZE] : undefined;
  }

  // ----- loading -----

  /** Starts the list over for the current search and unit. */
  async function reload({ scrollTop = 0, focusRemembered = false } = {}) {
    generation += 1;
    pages = new Map();
    total = null;
    drawnFrom = drawnTo = -1;
    const asked = generation;
    container.querySelector('#list-view')?.setAttribute('aria-busy', 'true');
    try {
      const first = Math.max(0, Math.floor(scrollTop / rowHeight) - MARGIN_ROWS);
      await fetchPage(Math.floor(first / PAGE_SIZE));
    } catch (error) {
      if (!alive || asked !== generation) return;
      tableWrap.hidden = true;
      replaceChildren(statusArea, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    } finally {
      if (alive && asked === generation) container.querySelector('#list-view')?.setAttribute('aria-busy', 'false');
    }
    if (!alive || asked !== generation) return;
    tableWrap.scrollTop = scrollTop;
    drawVisible();
    // For the window benchmark: the first rows of the list are in the page.
    if (total > 0) performance.mark('list-rows');
    if (focusRemembered && mem.lastId !== null) {
      const row = [...tbody.rows].find((candidate) => candidate.dataset.id === String(mem.lastId));
      if (row) row.focus({ preventScroll: true });
    }
  }

  function setTotal(newTotal) {
    total = newTotal;
    // The rows drawn belong to the previous answer: drawVisible draws this one's.
    replaceChildren(tbody);
    countText.textContent = t('list.count', { n: formatNumber(total, lang()), raw: total });
    table.setAttribute('aria-rowcount', String(total));
    if (total === 0) {
      tableWrap.hidden = true;
      replaceChildren(statusArea, h('div', { class: 'empty-state', id: 'list-empty' },
        h('p', { text: mem.q.trim() ? t('list.empty_search', { q: mem.q.trim() }) : t('list.empty') })));
    } else {
      replaceChildren(statusArea);
      tableWrap.hidden = false;
    }
    drawnFrom = drawnTo = -1;
  }

  /** Draws the rows in view (and a margin) between two spacers; fetches pages not yet read. */
  function drawVisible() {
    if (!alive || !total) return;
    const viewRows = Math.ceil((tableWrap.clientHeight || 600) / rowHeight);
    const top = Math.floor(tableWrap.scrollTop / rowHeight);
    const from = Math.max(0, top - MARGIN_ROWS);
    const to = Math.min(total, top + viewRows + MARGIN_ROWS);
    const missing = new Set();
    for (let i = from; i < to; i += 1) {
      if (rowAt(i) === undefined) missing.add(Math.floor(i / PAGE_SIZE));
    }
    for (const page of missing) {
      fetchPage(page).then((rows) => {
        if (rows) {
          drawnFrom = drawnTo = -1;
          drawVisible();
        }
      }, (error) => console.error(error));
    }
    if (from === drawnFrom && to === drawnTo && missing.size === 0) return;
    const hadFocus = tbody.contains(document.activeElement) ? document.activeElement.dataset.index : null;
    const rows = [spacer(from * rowHeight)];
    for (let i = from; i < to; i += 1) {
      const row = rowAt(i);
      rows.push(row ? rowElement(row, i) : placeholder(i));
    }
    rows.push(spacer((total - to) * rowHeight));
    replaceChildren(tbody, rows);
    drawnFrom = missing.size ? -1 : from;
    drawnTo = missing.size ? -1 : to;
    if (!measured) {
      const first = tbody.querySelector('tr.record-row');
      const height = first?.getBoundingClientRect().height;
      if (height) {
        measured = true;
        if (Math.abs(height - rowHeight) > 0.5) {
          rowHeight = height;
          drawnFrom = drawnTo = -1;
          drawVisible();
          return;
        }
      }
    }
    const focusIndex = pendingFocus ?? hadFocus;
    if (focusIndex !== null && focusIndex !== undefined) {
      const element = tbody.querySelector(`tr[data-index="${focusIndex}"]`);
      if (element && element.classList.contains('record-row')) {
        element.focus({ preventScroll: true });
        pendingFocus = null;
      }
    }
  }

  // Scroll events come at most once a frame; drawing is skipped when the rows in view are
  // those already drawn.
  tableWrap.addEventListener('scroll', () => {
    mem.scrollTop = tableWrap.scrollTop;
    drawVisible();
  }, { passive: true });

  function spacer(height) {
    const element = h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: String(columns.length) }));
    element.style.height = `${height}px`;
    return element;
  }

  function placeholder(index) {
    return h('tr', { class: 'placeholder-row', dataset: { index: String(index) }, 'aria-hidden': 'true' },
      h('td', { colspan: String(columns.length), class: 'muted', text: '…' }));
  }

  /** Moves the focus to row `index`, scrolling it into view (drawing it if needed). */
  function focusRow(index) {
    if (index < 0) {
      searchInput.focus();
      return;
    }
    if (index >= total) return;
    const top = index * rowHeight;
    const bottom = top + rowHeight;
    const viewTop = tableWrap.scrollTop;
    const header = table.tHead?.getBoundingClientRect().height || 0;
    if (top < viewTop) tableWrap.scrollTop = top;
    else if (bottom > viewTop + tableWrap.clientHeight - header) tableWrap.scrollTop = bottom - tableWrap.clientHeight + header;
    pendingFocus = String(index);
    drawnFrom = drawnTo = -1;
    drawVisible();
  }

  function rowElement(row, index) {
    const open = () => {
      mem.lastId = String(row.id);
      ctx.navigate(`#/edit/${encodeURIComponent(kind)}/${encodeURIComponent(row.id)}`);
    };
    return h('tr', {
      tabindex: '0', dataset: { id: String(row.id), index: String(index) }, class: 'record-row',
      'aria-rowindex': String(index + 2),
      on: {
        click: open,
        keydown: (event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            open();
          } else if (event.key === 'ArrowDown') {
            event.preventDefault();
            focusRow(index + 1);
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            focusRow(index - 1);
          }
        },
      },
    }, columns.map((column) => {
      const text = column.format(row);
      return h('td', { dataset: { field: column.name }, class: column.numeric ? 'num' : null, title: text.length > 40 ? text : null, text });
    }));
  }

  const searchLater = debounce(() => {
    mem.scrollTop = 0;
    reload();
  }, SEARCH_DELAY_MS);

  searchInput.addEventListener('input', () => {
    mem.q = searchInput.value;
    searchLater();
  });
  searchInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      searchLater.cancel();
      mem.q = searchInput.value;
      mem.scrollTop = 0;
      reload();
    } else if (event.key === 'ArrowDown' && total > 0 && !tableWrap.hidden) {
      event.preventDefault();
      focusRow(Math.floor(tableWrap.scrollTop / rowHeight));
    } else if (event.key === 'Escape' && searchInput.value) {
      event.preventDefault();
      searchInput.value = '';
      mem.q = '';
      searchLater.cancel();
      mem.scrollTop = 0;
      reload();
    }
  });
  unitSelect?.addEventListener('change', () => {
    mem.unit = unitSelect.value;
    mem.scrollTop = 0;
    reload();
  });

  reload({ scrollTop: mem.scrollTop, focusRemembered: !params.redraw });

  return {
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      if (event.key === 'n' || event.key === 'N') {
        event.preventDefault();
        ctx.navigate(`#/new/${encodeURIComponent(kind)}`);
      } else if (event.key === '/') {
        event.preventDefault();
        searchInput.focus();
        searchInput.select();
      }
    },
    destroy() {
      alive = false;
      searchLater.cancel();
    },
  };
}

/**
 * The table's columns from the kind's list_fields: { name, label, numeric, format(row) }; on a
 * merged ledger, the unit each record came from first after the title.
 */
function buildColumns(def, merged) {
  const names = Array.isArray(def.list_fields) && def.list_fields.length ? [...def.list_fields] : ['title'];
  if (merged) names.splice(1, 0, 'unit_name');
  return names.map((name) => {
    const field = (def.fields || []).find((candidate) => candidate.name === name);
    if (!field) {
      const labels = { title: t('list.title_column'), unit_name: t('list.unit_column') };
      return {
        name,
        label: labels[name] ?? name,
        numeric: false,
        format: (row) => (row[name] === null || row[name] === undefined ? '' : String(row[name])),
      };
    }
    return {
      name,
      label: pick(field) || name,
      numeric: field.type === 'int',
      format: (row) => displayFieldValue(field, row),
    };
  });
}
