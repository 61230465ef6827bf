// report.js — a readable view of the report object (the same JSON as `sobaucu report --json`,
// crates/core/src/report.rs). The unit, election day, law and date go on top; then election
// bodies (boards by level), electoral units, polling areas and voters, candidates by level
// (nominated / self-nominated, women, ...), consultations as X/Y, voter conferences, complaints,
// other activity and the timeline, as tables. Keys the core adds later still show up: any key
// not laid out here is drawn by a generic renderer (flat objects → two-column tables, objects of
// objects → matrices, arrays of objects → tables). The report's timeline carries no labels, so
// they are taken from dashboard() when it answers.

import * as api from './api.js';
import { h, replaceChildren, formatNumber } from './util.js';
import { t, lang, pick, errorText, reportKeyLabel } from './i18n.js';
import { displayDate } from './dates.js';
import { getNode, schemaLabelFor, hasUnitsBelow } from './store.js';
import { renderTimeline, statusBadge } from './timeline.js';
import { exportReport, printCandidates } from './exports.js';

/** Top-level keys shown in the header rather than as sections. */
const HEADER_KEYS = ['node', 'unit', 'election_date', 'law', 'scheme', 'today', 'generated_at', 'generated_on', 'days_to_election'];
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
        h('div', { class: 'report-actions' },
          h('button', { type: 'button', id: 'report-export-xlsx', class: 'btn btn-quiet', text: t('report.export_xlsx'), on: { click: (e) => exportReport('xlsx', e.currentTarget) } }),
          h('button', { type: 'button', id: 'report-export-pdf', class: 'btn btn-quiet', text: t('report.export_pdf'), on: { click: (e) => exportReport('pdf', e.currentTarget) } }),
          h('button', { type: 'button', id: 'report-print-candidates', class: 'btn btn-quiet', text: t('report.print_candidates'), on: { click: (e) => printCandidates(null, e.currentTarget) } }),
          hasUnitsBelow()
            ? h('a', { id: 'report-progress', class: 'btn btn-quiet', href: '#/progress', text: t('nav.progress') })
            : null,
          h('button', { type: 'button', id: 'report-print', class: 'btn btn-quiet', text: t('report.print'), on: { click: () => window.print() } })))),
    body));
  ctx.setTitle(t('report.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });
  drawMeta(meta, {});

  // The dashboard's timeline only lends labels and day counts; the report works without it.
  const dashboard = api.getDashboard().catch(() => null);
  api.getReport().then(async (report) => {
    const labels = await dashboard;
    if (!alive) return;
    const data = report && typeof report === 'object' && !Array.isArray(report) ? report : null;
    drawMeta(meta, data || {});
    replaceChildren(body, data ? renderReport(data, labels?.timeline || []) : renderValue(report, '', 2));
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
  const node = (isObject(report.node) ? report.node : null) || getNode() || {};
  const nodeUnit = node.unit || {};
  const reportUnit = isObject(report.unit) ? report.unit : {};
  const unit = !reportUnit.code || reportUnit.code === nodeUnit.code ? { ...nodeUnit, ...reportUnit } : reportUnit;
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

// ---------------------------------------------------------------------------------------------
// The known layout

/** The whole report: known sections first, then anything else the core sends. */
function renderReport(report, dashboardTimeline) {
  const used = new Set(HEADER_KEYS);
  const take = (key) => {
    used.add(key);
    return report[key];
  };
  const has = (key) => Object.prototype.hasOwnProperty.call(report, key);
  const hideDistrict = report.scheme === '2025';
  const sections = [];

  // Election bodies: committees and teams, boards by level.
  if (has('committees') || has('teams') || has('boards')) {
    const parts = [];
    const figures = ['committees', 'teams'].filter(has).map((key) => [key, take(key)]);
    if (figures.length) parts.push(keyValueTable(figures));
    if (isObject(report.boards)) {
      const boards = take('boards');
      parts.push(subsection(t('report.boards_by_level'),
        levelTable(levelEntries(boards, hideDistrict), [{ key: 'count', label: labelFor('boards') }], (value) => ({ count: value }),
          { totals: true, link: (level) => listOf('board', { level }) })));
    }
    sections.push(section('organisation', t('report.sec_organisation'), parts));
  }

  // Electoral units: units and seats by level.
  if (isObject(report.electoral_units)) {
    const unitsByLevel = take('electoral_units');
    sections.push(section('electoral_units', labelFor('electoral_units'),
      [matrixTable(levelEntries(unitsByLevel, hideDistrict), {
        totals: true,
        link: (level, column) => (column === 'units' ? listOf('electoral_unit', { level }) : null),
      })]));
  }

  // Polling areas and voters.
  if (['polling_areas', 'polling_areas_separate', 'voters', 'voters_by_sex', 'voters_by_level'].some(has)) {
    const parts = [];
    const figures = ['polling_areas', 'polling_areas_separate', 'voters'].filter(has).map((key) => [key, take(key)]);
    if (figures.length) parts.push(keyValueTable(figures));
    if (isObject(report.voters_by_sex)) {
      parts.push(subsection(labelFor('voters_by_sex'), keyValueTable(Object.entries(take('voters_by_sex')))));
    }
    if (isObject(report.voters_by_level)) {
      parts.push(subsection(labelFor('voters_by_level'), keyValueTable(levelEntries(take('voters_by_level'), hideDistrict))));
    }
    sections.push(section('voters', t('report.sec_areas_voters'), parts));
  }

  // Candidates by level.
  if (isObject(report.candidates) && Object.values(report.candidates).every(isFlatObject)) {
    sections.push(section('candidates', t('report.sec_candidates'),
      [matrixTable(levelEntries(take('candidates'), hideDistrict), {
        totals: true,
        link: (level, column) => (CANDIDATE_FILTERS[column] ? listOf('candidate', { level, ...CANDIDATE_FILTERS[column] }) : null),
      })]));
  }

  // Consultations: communes (and districts) that held each round, as X/Y.
  if (isObject(report.consultations) && Object.values(report.consultations).every(isFlatObject)) {
    sections.push(section('consultations', labelFor('consultations'), [consultationTable(take('consultations'))]));
  }

  // Voter conferences by level.
  if (isObject(report.voter_conferences) && Object.values(report.voter_conferences).every(isFlatObject)) {
    sections.push(section('voter_conferences', labelFor('voter_conferences'),
      [matrixTable(levelEntries(take('voter_conferences'), hideDistrict), { totals: true })]));
  }

  // Complaints.
  if (isFlatObject(report.complaints)) {
    sections.push(section('complaints', labelFor('complaints'), [keyValueTable(Object.entries(take('complaints')))]));
  }

  // Other activity.
  const others = ['incidents', 'propaganda', 'supervision'].filter((key) => has(key) && isScalar(report[key]));
  if (others.length) {
    sections.push(section('other', t('report.sec_other'), [keyValueTable(others.map((key) => [key, take(key)]))]));
  }

  // Anything else, in the order the core sent it; the timeline last.
  for (const [key, value] of Object.entries(report)) {
    if (used.has(key) || key === 'timeline') continue;
    sections.push(section(key, labelFor(key), [renderValue(value, key, 3)]));
  }
  if (Array.isArray(report.timeline)) {
    const labels = new Map(dashboardTimeline.map((entry) => [entry.milestone, entry]));
    const entries = report.timeline.map((entry) => ({ ...(labels.get(entry.milestone) || {}), ...entry }));
    sections.push(section('timeline', labelFor('timeline'),
      [renderTimeline(entries, { today: typeof report.today === 'string' ? report.today : null })]));
  }

  if (!sections.length) return h('p', { class: 'muted', text: t('report.empty') });
  return h('div', null, sections);
}

function section(key, title, parts) {
  const titleId = `report-${key}`;
  return h('section', { class: 'report-section', dataset: { section: key }, 'aria-labelledby': titleId },
    h('h2', { class: 'section-title', id: titleId, text: title }),
    parts);
}

function subsection(title, content) {
  return h('div', { class: 'report-sub' }, h('h3', { class: 'report-sub-title', text: title }), content);
}

/** Ballot levels from the top down; the core's maps come sorted by name instead. */
const LEVEL_ORDER = ['na', 'provincial', 'district', 'commune'];

/**
 * A level-keyed object's entries in level order (unknown keys after, as sent), without the
 * district level under the 2025 scheme when it is empty.
 */
function levelEntries(byLevel, hideDistrict) {
  const rank = (key) => {
    const index = LEVEL_ORDER.indexOf(key);
    return index < 0 ? LEVEL_ORDER.length : index;
  };
  return Object.entries(byLevel)
    .filter(([level, value]) => !(hideDistrict && level === 'district' && isZero(value)))
    .sort((a, b) => rank(a[0]) - rank(b[0]));
}

function isZero(value) {
  if (typeof value === 'number') return value === 0;
  if (isObject(value)) return Object.values(value).every((inner) => inner === 0 || inner === null);
  return false;
}

/** Rows of levels with the given columns; `pickRow(value)` turns a row's value into {column: n}. */
function levelTable(entries, columns, pickRow, { totals = false, link = null } = {}) {
  const rows = entries.map(([key, value]) => [key, pickRow(value)]);
  return gridTable(rows, columns, { totals, corner: t('report.level'), link });
}

/** Rows are the outer keys (e.g. levels), columns the union of the inner keys (e.g. figures). */
function matrixTable(entries, { totals = false, link = null } = {}) {
  const keys = [];
  for (const [, inner] of entries) {
    for (const column of Object.keys(inner || {})) if (!keys.includes(column)) keys.push(column);
  }
  return gridTable(entries, keys.map((key) => ({ key, label: labelFor(key) })), { totals, link });
}

/** A table of rows [key, {column: value}] with an optional "Cộng" row summing numeric columns. */
function gridTable(rows, columns, { totals = false, corner = '', link = null } = {}) {
  const numericColumn = (column) => rows.every(([, inner]) => inner?.[column.key] === undefined || inner?.[column.key] === null || typeof inner[column.key] === 'number');
  const sums = totals && rows.length > 1
    ? columns.map((column) => (numericColumn(column) ? rows.reduce((sum, [, inner]) => sum + (Number(inner?.[column.key]) || 0), 0) : null))
    : null;
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      corner ? h('th', { scope: 'col', text: corner }) : h('td', { class: 'corner' }),
      columns.map((column) => h('th', { scope: 'col', class: 'num', text: column.label })))),
    h('tbody', null, rows.map(([key, inner]) => h('tr', { dataset: { key } },
      h('th', { scope: 'row', text: labelFor(key) }),
      columns.map((column) => numberCell(inner?.[column.key], column.key, link?.(key, column.key)))))),
    sums ? h('tfoot', null, h('tr', { class: 'report-total' },
      h('th', { scope: 'row', text: t('report.sum') }),
      sums.map((sum) => h('td', { class: 'num', text: sum === null ? '' : formatScalar(sum, '') })))) : null));
}

function numberCell(value, key, href = null) {
  // A figure counting records opens their list (across the node's whole scope): by its key
  // alone, or where a table says which records a cell counts.
  const target = href ?? (FIGURE_KINDS[key] ? `#/list/${FIGURE_KINDS[key]}` : null);
  if (target && typeof value === 'number') {
    return h('td', { class: 'num' }, h('a', {
      href: target, class: 'figure-link', dataset: { figure: key }, title: t('report.open_records'),
      text: formatScalar(value, key),
    }));
  }
  return h('td', { class: typeof value === 'number' ? 'num' : null, text: formatScalar(value, key) });
}

/** The list of `kind` narrowed to field values, as a route: `#/list/candidate?level=na`. */
function listOf(kind, where) {
  return `#/list/${kind}?${new URLSearchParams(where).toString()}`;
}

/** Candidate figures that are counts of candidates with one field value, by column. */
const CANDIDATE_FILTERS = {
  total: {},
  self_nominated: { nomination: 'self' },
  women: { sex: 'female' },
  official: { status: 'official' },
};

/** Report keys whose figure is a count of records of a kind, and that kind. */
const FIGURE_KINDS = {
  committees: 'committee',
  teams: 'team',
  polling_areas: 'polling_area',
  voters: 'voter',
  incidents: 'incident',
  propaganda: 'propaganda',
  supervision: 'supervision',
  received: 'complaint',
};

/** Consultation rounds with "done/total" for communes, and for districts where there are any. */
function consultationTable(byRound) {
  const rounds = Object.entries(byRound);
  const showDistricts = rounds.some(([, f]) => Number(f.districts_total) > 0);
  const columns = [];
  if (showDistricts) columns.push({ key: 'districts', label: t('report.consult_districts'), done: 'districts_done', total: 'districts_total' });
  columns.push({ key: 'communes', label: t('report.consult_communes'), done: 'communes_done', total: 'communes_total' });
  const known = new Set(['districts_done', 'districts_total', 'communes_done', 'communes_total']);
  const extra = [];
  for (const [, figures] of rounds) for (const key of Object.keys(figures)) if (!known.has(key) && !extra.includes(key)) extra.push(key);
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      h('td', { class: 'corner' }),
      columns.map((column) => h('th', { scope: 'col', class: 'num', text: column.label })),
      extra.map((key) => h('th', { scope: 'col', class: 'num', text: labelFor(key) })))),
    h('tbody', null, rounds.map(([round, figures]) => h('tr', { dataset: { key: round } },
      h('th', { scope: 'row', text: labelFor(round) }),
      columns.map((column) => h('td', {
        class: 'num',
        text: t('report.done_of', { done: formatScalar(figures[column.done] ?? 0, ''), total: formatScalar(figures[column.total] ?? 0, '') }),
      })),
      extra.map((key) => numberCell(figures[key], key)))))));
}

// ---------------------------------------------------------------------------------------------
// The generic renderer, for keys not laid out above

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
      renderValue(inner, innerKey, depth + 1))));
}

/** Two columns: item and figure. */
function keyValueTable(entries) {
  return h('table', { class: 'report-table report-kv' },
    h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('report.item') }), h('th', { scope: 'col', class: 'num', text: t('report.value') }))),
    h('tbody', null, entries.map(([key, value]) => h('tr', { dataset: { key } },
      h('th', { scope: 'row', text: labelFor(key) }),
      numberCell(value, key)))));
}

/** Arrays: of scalars → one line; of objects → a table with the union of their keys. */
function renderArray(items) {
  if (!items.length) return h('p', { class: 'muted', text: t('report.none') });
  if (items.every(isScalar)) return h('p', { class: 'report-scalar', text: items.map((item) => formatScalar(item, '')).join(', ') });
  const objects = items.filter(isObject);
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
  if (isScalar(value)) return numberCell(value, column);
  if (Array.isArray(value)) return h('td', { text: value.map((inner) => (isScalar(inner) ? formatScalar(inner, column) : compact(inner))).join('; ') });
  return h('td', { text: compact(value) });
}

/** A small object on one line: "Nam: 3, Nữ: 2". */
function compact(object) {
  if (!isObject(object)) return formatScalar(object, '');
  return Object.entries(object).map(([key, value]) => `${labelFor(key)}: ${isScalar(value) ? formatScalar(value, key) : '…'}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isScalar(value) {
  return value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);
}

function isFlatObject(value) {
  return isObject(value) && Object.values(value).every(isScalar);
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
