// report.js — a readable view of the report object (the same JSON as `sobaucu report --json`):
// the unit and election day on top, then one section per top-level key (boards by level, polling
// areas, voters, candidates by level, consultations, voter conferences, complaints, ...) drawn as
// tables, and the timeline as on the dashboard. It does not assume an exact shape: flat objects
// become two-column tables, objects of objects become matrices (e.g. level × figure), arrays of
// objects become tables; labels come from i18n's report keys, then the schema, then the key.

import * as api from './api.js';
import { h, replaceChildren, formatNumber } from './util.js';
import { t, lang, pick, errorText, reportKeyLabel } from './i18n.js';
import { displayDate } from './dates.js';
import { getNode, schemaLabelFor } from './store.js';
import { renderTimeline, statusBadge } from './timeline.js';

/** Top-level keys shown in the header rather than as sections. */
const HEADER_KEYS = new Set(['node', 'unit', 'election_date', 'law', 'scheme', 'today', 'generated_at', 'generated_on', 'days_to_election']);
/** Columns whose values are names of things (levels, kinds, statuses) and get a label too. */
const LABELLED_VALUE_COLUMNS = new Set(['level', 'kind', 'record_kind', 'round', 'type', 'sex']);

/** Draws the report screen into `container`. */
export function render(container, params, ctx) {
  let alive = true;
  const heading = h('h1', { class: 'page-title', tabindex: '-1', text: t('report.title') });
  const meta = h('div', { class: 'report-meta' });
  const body = h('div', { class: 'report-body' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  replaceChildren(container, h('section', { id: 'report-view', class: 'report-view' },
    h('header', { class: 'page-head report-head' },
      h('div', { class: 'page-head-row' },
        h('div', null, heading, meta),
        h('button', { type: 'button', id: 'report-print', class: 'btn btn-quiet', text: t('report.print'), on: { click: () => window.print() } }))),
    body));
  ctx.setTitle(t('report.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });
  drawMeta(meta, {});

  api.getReport().then((report) => {
    if (!alive) return;
    drawMeta(meta, report && typeof report === 'object' ? report : {});
    replaceChildren(body, renderReportBody(report));
  }).catch((error) => {
    if (!alive) return;
    replaceChildren(body, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
  });

  return {
    destroy: () => {
      alive = false;
    },
  };
}

/** The unit, its path, the election day, the law and the report date. */
function drawMeta(target, report) {
  const node = (report.node && typeof report.node === 'object' ? report.node : null) || getNode() || {};
  const unit = (report.unit && typeof report.unit === 'object' ? report.unit : null) || node.unit || {};
  const lines = [];
  if (unit.name) lines.push(h('div', { class: 'report-unit', text: unit.name }));
  if (unit.path && unit.path !== unit.name) lines.push(h('div', { class: 'muted', text: unit.path }));
  const facts = [];
  const electionDate = report.election_date || node.election_date;
  if (electionDate) facts.push(`${labelFor('election_date')}: ${displayDate(electionDate)}`);
  const law = report.law || node.law;
  if (law) facts.push(`${labelFor('law')}: ${law === '2025' ? t('setup.law_2025') : law === '2015' ? t('setup.law_2015') : law}`);
  const generated = report.generated_at || report.generated_on || report.today;
  if (generated) facts.push(`${labelFor('generated_on')}: ${displayDate(generated)}`);
  if (facts.length) lines.push(h('div', { class: 'report-facts muted', text: facts.join(' · ') }));
  replaceChildren(target, lines);
}

/** The sections of the report. */
function renderReportBody(report) {
  if (report === null || report === undefined || typeof report !== 'object' || Array.isArray(report)) {
    return h('div', { class: 'report-section' }, renderValue(report, '', 2));
  }
  const sections = [];
  for (const [key, value] of Object.entries(report)) {
    if (HEADER_KEYS.has(key)) continue;
    const titleId = `report-${key}`;
    const content = key === 'timeline' && Array.isArray(value)
      ? renderTimeline(value, { today: typeof report.today === 'string' ? report.today : null })
      : renderValue(value, key, 3);
    sections.push(h('section', { class: 'report-section', dataset: { section: key }, 'aria-labelledby': titleId },
      h('h2', { class: 'section-title', id: titleId, text: labelFor(key) }),
      content));
  }
  if (!sections.length) return h('p', { class: 'muted', text: t('report.empty') });
  return h('div', null, sections);
}

/**
 * Renders any JSON value. `key` is the key it sits under (for labelling cell values);
 * `depth` is the heading level to use for nested sub-sections.
 */
function renderValue(value, key, depth) {
  if (isScalar(value)) return h('p', { class: 'report-scalar', text: formatScalar(value, key) });
  if (Array.isArray(value)) return renderArray(value);
  const entries = Object.entries(value);
  if (!entries.length) return h('p', { class: 'muted', text: t('report.none') });

  if (entries.every(([, inner]) => isScalar(inner))) return keyValueTable(entries);
  if (entries.every(([, inner]) => isFlatObject(inner))) return matrixTable(entries);

  // Mixed: the plain figures first, then each nested part under its own heading.
  const scalars = entries.filter(([, inner]) => isScalar(inner));
  const nested = entries.filter(([, inner]) => !isScalar(inner));
  const heading = `h${Math.min(depth, 6)}`;
  return h('div', { class: 'report-group' },
    scalars.length ? keyValueTable(scalars) : null,
    nested.map(([innerKey, inner]) => h('div', { class: 'report-sub', dataset: { section: innerKey } },
      h(heading, { class: 'report-sub-title', text: labelFor(innerKey) }),
      innerKey === 'timeline' && Array.isArray(inner) ? renderTimeline(inner) : renderValue(inner, innerKey, depth + 1))));
}

/** Two columns: item and figure. */
function keyValueTable(entries) {
  return h('table', { class: 'report-table report-kv' },
    h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('report.item') }), h('th', { scope: 'col', class: 'num', text: t('report.value') }))),
    h('tbody', null, entries.map(([key, value]) => h('tr', { dataset: { key } },
      h('th', { scope: 'row', text: labelFor(key) }),
      h('td', { class: typeof value === 'number' ? 'num' : null, text: formatScalar(value, key) })))));
}

/** Rows are the outer keys (e.g. levels), columns the union of the inner keys (e.g. figures). */
function matrixTable(entries) {
  const columns = [];
  for (const [, inner] of entries) {
    for (const column of Object.keys(inner)) if (!columns.includes(column)) columns.push(column);
  }
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      h('td', { class: 'corner' }),
      columns.map((column) => h('th', { scope: 'col', class: 'num', text: labelFor(column) })))),
    h('tbody', null, entries.map(([key, inner]) => h('tr', { dataset: { key } },
      h('th', { scope: 'row', text: labelFor(key) }),
      columns.map((column) => h('td', { class: typeof inner[column] === 'number' ? 'num' : null, text: formatScalar(inner[column], column) })))))));
}

/** Arrays: of scalars → one line; of objects → a table with the union of their keys. */
function renderArray(items) {
  if (!items.length) return h('p', { class: 'muted', text: t('report.none') });
  if (items.every(isScalar)) return h('p', { class: 'report-scalar', text: items.map((item) => formatScalar(item, '')).join(', ') });
  const objects = items.filter((item) => item && typeof item === 'object' && !Array.isArray(item));
  const columns = [];
  for (const item of objects) {
    for (const column of Object.keys(item)) {
      // vi/en pairs collapse into one "label" column in the current language.
      const name = column === 'vi' || column === 'en' ? 'label' : column;
      if (!columns.includes(name)) columns.push(name);
    }
  }
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table' },
    h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col', text: column === 'label' ? t('report.item') : labelFor(column) })))),
    h('tbody', null, objects.map((item) => h('tr', null, columns.map((column) => cell(item, column)))))));
}

function cell(item, column) {
  if (column === 'label') return h('td', { text: pick(item) });
  const value = item[column];
  if (column === 'status' && typeof value === 'string' && item.due) return h('td', null, statusBadge(item));
  if (isScalar(value)) return h('td', { class: typeof value === 'number' ? 'num' : null, text: formatScalar(value, column) });
  if (Array.isArray(value)) return h('td', { text: value.map((inner) => (isScalar(inner) ? formatScalar(inner, column) : compact(inner))).join('; ') });
  return h('td', { text: compact(value) });
}

/** A small object on one line: "Nam: 3, Nữ: 2". */
function compact(object) {
  if (!object || typeof object !== 'object') return formatScalar(object, '');
  return Object.entries(object).map(([key, value]) => `${labelFor(key)}: ${isScalar(value) ? formatScalar(value, key) : '…'}`).join(', ');
}

function isScalar(value) {
  return value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);
}

function isFlatObject(value) {
  return value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isScalar);
}

/** A figure or a word as it should read. */
function formatScalar(value, key) {
  if (value === null || value === undefined || value === '') return t('report.none');
  if (typeof value === 'boolean') return value ? t('value.yes') : t('value.no');
  if (typeof value === 'number') return formatNumber(value, lang());
  const text = String(value);
  if (/^\d{4}-\d{2}(-\d{2})?([T ].*)?$/.test(text)) return displayDate(text);
  if (LABELLED_VALUE_COLUMNS.has(key)) return labelFor(text);
  return text;
}

/** The label of a report key: i18n's report keys, then the schema, then the key made readable. */
function labelFor(key) {
  const known = reportKeyLabel(key) ?? schemaLabelFor(key);
  if (known) return known;
  const words = String(key).replace(/_/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}
