// list.js — the list screen of one record kind (#list-view): a search box (matching without
// marks is the core's job), "Thêm mới" (#list-new, key N), a table of the kind's list_fields
// whose rows open the record (click or Enter), and paging by 100. The search text and page of
// each kind are remembered for the session so coming back from a form lands where you were.

import * as api from './api.js';
import { h, replaceChildren, debounce, formatNumber, isTypingTarget, lowerFirst } from './util.js';
import { t, lang, pick, errorText } from './i18n.js';
import { kindDef, kindLabel } from './store.js';
import { displayFieldValue } from './values.js';

const PAGE_SIZE = 100;
const SEARCH_DELAY_MS = 200;

/** Per kind: { q, offset, lastId } for the rest of the session. */
const memory = new Map();

function remembered(kind) {
  if (!memory.has(kind)) memory.set(kind, { q: '', offset: 0, lastId: null });
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
  let alive = true;
  let sequence = 0;
  let lastData = null;

  const columns = buildColumns(def);
  const label = kindLabel(def);

  const heading = h('h1', { class: 'page-title', id: 'list-title', tabindex: '-1', text: label });
  const searchInput = h('input', {
    id: 'list-search', type: 'search', name: 'q', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('list.search_ph'), value: mem.q, 'aria-label': t('list.search_label', { kind: lowerFirst(label) }),
  });
  const newButton = h('button', {
    type: 'button', id: 'list-new', class: 'btn btn-primary', 'aria-keyshortcuts': 'n',
    text: t('list.new'), on: { click: () => ctx.navigate(`#/new/${encodeURIComponent(kind)}`) },
  });
  const printButton = h('button', { type: 'button', id: 'list-print', class: 'btn btn-quiet', text: t('list.print'), on: { click: () => window.print() } });

  const tbody = h('tbody');
  const table = h('table', { class: 'records', 'aria-labelledby': 'list-title' },
    h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col', dataset: { field: column.name }, class: column.numeric ? 'num' : null, text: column.label })))),
    tbody);
  const tableWrap = h('div', { class: 'table-wrap', hidden: true }, table);
  const statusArea = h('div', { class: 'list-status' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  const countText = h('span', { id: 'list-count', class: 'list-count' });
  const rangeText = h('span', { class: 'list-range muted' });
  const prevButton = h('button', { type: 'button', id: 'list-prev', class: 'btn btn-small', text: t('list.prev'), on: { click: () => goPage(-1) } });
  const nextButton = h('button', { type: 'button', id: 'list-next', class: 'btn btn-small', text: t('list.next'), on: { click: () => goPage(1) } });
  const pager = h('div', { class: 'pager', hidden: true }, rangeText, prevButton, nextButton);

  replaceChildren(container, h('section', { id: 'list-view', class: 'list-view', dataset: { kind } },
    h('header', { class: 'page-head list-head' },
      heading,
      h('div', { class: 'list-tools' }, searchInput, newButton, printButton)),
    statusArea,
    tableWrap,
    h('footer', { class: 'list-foot' },
      countText,
      pager,
      h('span', { class: 'keys-hint muted', text: t('list.keys_hint') })),
  ));
  ctx.setTitle(label);
  if (!params.redraw) heading.focus({ preventScroll: true });

  // ----- loading -----

  async function load({ focusRemembered = false } = {}) {
    const current = ++sequence;
    const query = { offset: mem.offset, limit: PAGE_SIZE };
    if (mem.q.trim()) query.q = mem.q.trim();
    container.querySelector('#list-view')?.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api.listRecords(kind, query);
    } catch (error) {
      if (!alive || current !== sequence) return;
      tableWrap.hidden = true;
      replaceChildren(statusArea, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    } finally {
      if (alive && current === sequence) container.querySelector('#list-view')?.setAttribute('aria-busy', 'false');
    }
    if (!alive || current !== sequence) return;
    const total = Number(data?.total) || 0;
    const rows = Array.isArray(data?.rows) ? data.rows : [];
    // A page past the end (after deletions): go back to the last page.
    if (rows.length === 0 && total > 0 && mem.offset > 0) {
      mem.offset = Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
      load({ focusRemembered });
      return;
    }
    lastData = { total, rows };
    draw(total, rows);
    if (focusRemembered && mem.lastId !== null) {
      const row = [...tbody.rows].find((candidate) => candidate.dataset.id === String(mem.lastId));
      if (row) row.focus();
    }
  }

  function draw(total, rows) {
    countText.textContent = t('list.count', { n: formatNumber(total, lang()), raw: total });
    if (rows.length === 0) {
      tableWrap.hidden = true;
      replaceChildren(statusArea, h('div', { class: 'empty-state', id: 'list-empty' },
        h('p', { text: mem.q.trim() ? t('list.empty_search', { q: mem.q.trim() }) : t('list.empty') })));
    } else {
      replaceChildren(statusArea);
      replaceChildren(tbody, rows.map(rowElement));
      tableWrap.hidden = false;
    }
    const paged = total > PAGE_SIZE || mem.offset > 0;
    pager.hidden = !paged;
    if (paged) {
      rangeText.textContent = rows.length
        ? t('list.range', { from: formatNumber(mem.offset + 1, lang()), to: formatNumber(mem.offset + rows.length, lang()) })
        : '';
      prevButton.disabled = mem.offset === 0;
      nextButton.disabled = mem.offset + rows.length >= total;
    }
  }

  function rowElement(row) {
    const open = () => {
      mem.lastId = String(row.id);
      ctx.navigate(`#/edit/${encodeURIComponent(kind)}/${encodeURIComponent(row.id)}`);
    };
    return h('tr', {
      tabindex: '0', dataset: { id: String(row.id) }, class: 'record-row',
      on: {
        click: open,
        keydown: (event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            open();
          } else if (event.key === 'ArrowDown') {
            event.preventDefault();
            event.currentTarget.nextElementSibling?.focus();
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            const previous = event.currentTarget.previousElementSibling;
            if (previous) previous.focus();
            else searchInput.focus();
          }
        },
      },
    }, columns.map((column) => {
      const text = column.format(row);
      return h('td', { dataset: { field: column.name }, class: column.numeric ? 'num' : null, title: text.length > 40 ? text : null, text });
    }));
  }

  function goPage(direction) {
    const total = lastData?.total ?? 0;
    const next = mem.offset + direction * PAGE_SIZE;
    if (next < 0 || (direction > 0 && next >= total)) return;
    mem.offset = next;
    load().then(() => {
      if (alive) heading.focus({ preventScroll: false });
    });
  }

  const searchLater = debounce(() => {
    mem.offset = 0;
    load();
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
      mem.offset = 0;
      load();
    } else if (event.key === 'ArrowDown' && tbody.rows.length && !tableWrap.hidden) {
      event.preventDefault();
      tbody.rows[0].focus();
    } else if (event.key === 'Escape' && searchInput.value) {
      event.preventDefault();
      searchInput.value = '';
      mem.q = '';
      searchLater.cancel();
      mem.offset = 0;
      load();
    }
  });

  load({ focusRemembered: !params.redraw });

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

/** The table's columns from the kind's list_fields: { name, label, numeric, format(row) }. */
function buildColumns(def) {
  const names = Array.isArray(def.list_fields) && def.list_fields.length ? def.list_fields : ['title'];
  return names.map((name) => {
    const field = (def.fields || []).find((candidate) => candidate.name === name);
    if (!field) {
      return {
        name,
        label: name === 'title' ? t('list.title_column') : name,
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
