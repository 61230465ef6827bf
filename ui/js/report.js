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

/**
 * The whole report, in the order and shape of the official tables (the same as the Excel
 * workbook's sheets, crates/print/src/report.rs): bodies, electoral units, polling areas, voters,
 * complaints, other activity; candidates and voter conferences with one column per level;
 * consultations; the timeline; then, at a district or province, each milestone's X/Y of the
 * units below with the late ones, and one row per unit below. Keys the core adds later are drawn
 * by the generic renderer after these.
 */
function renderReport(report, dashboardTimeline) {
  const used = new Set(HEADER_KEYS);
  const take = (key) => {
    used.add(key);
    return report[key];
  };
  const num = (key) => (typeof report[key] === 'number' ? take(key) : (used.add(key), null));
  const hideDistrict = report.scheme === '2025';
  const levels = LEVEL_ORDER.filter((level) => !(hideDistrict && level === 'district'));
  const sections = [];

  // Election bodies: the committee, the boards of each level, the teams.
  const boards = isObject(report.boards) ? take('boards') : {};
  sections.push(section('organisation', t('report.sec_organisation'), [figureTable([
    { key: 'committees', label: labelFor('committees'), value: num('committees'), href: '#/list/committee' },
    ...levels.map((level) => ({
      key: `boards_${level}`,
      label: t('report.board_of', { level: labelFor(level) }),
      value: boards[level] ?? 0,
      href: listOf('board', { level }),
    })),
    { key: 'teams', label: labelFor('teams'), value: num('teams'), href: '#/list/team' },
  ])]));

  // Electoral units and seats by level.
  const units = isObject(report.electoral_units) ? take('electoral_units') : {};
  sections.push(section('electoral_units', t('report.sec_electoral_units'), [columnsTable(
    t('report.ballot_level'),
    [{ key: 'units', label: t('report.eu_units') }, { key: 'seats', label: t('report.eu_seats') }],
    levels.map((level) => ({ key: level, label: t('report.deputies_of', { level: labelFor(level) }), values: units[level] || {} })),
    { totals: true, link: (level, column) => (column === 'units' ? listOf('electoral_unit', { level }) : null) },
  )]));

  // Polling areas.
  sections.push(section('polling_areas', t('report.sec_areas'), [figureTable([
    { key: 'polling_areas', label: t('report.areas_total'), value: num('polling_areas'), href: '#/list/polling_area' },
    { key: 'polling_areas_separate', label: labelFor('polling_areas_separate'), value: num('polling_areas_separate') },
  ])]));

  // Voters.
  const bySex = isObject(report.voters_by_sex) ? take('voters_by_sex') : {};
  const byLevel = isObject(report.voters_by_level) ? take('voters_by_level') : {};
  sections.push(section('voters', labelFor('voters'), [figureTable([
    { key: 'voters', label: t('report.voters_total'), value: num('voters'), href: '#/list/voter' },
    { key: 'voters_male', label: t('report.voters_male'), value: bySex.male ?? 0, href: listOf('voter', { sex: 'male' }) },
    { key: 'voters_female', label: t('report.voters_female'), value: bySex.female ?? 0, href: listOf('voter', { sex: 'female' }) },
    ...levels.map((level) => ({ key: `voters_${level}`, label: t('report.voters_of', { level: labelFor(level) }), value: byLevel[level] ?? 0 })),
    { key: 'voters_voting_elsewhere', label: t('report.voters_elsewhere'), value: num('voters_voting_elsewhere') },
    { key: 'voters_removed', label: t('report.voters_removed'), value: num('voters_removed') },
  ])]));

  // Complaints.
  const complaints = isFlatObject(report.complaints) ? take('complaints') : {};
  sections.push(section('complaints', labelFor('complaints'), [figureTable([
    { key: 'received', label: t('report.complaints_received'), value: complaints.received ?? 0, href: '#/list/complaint' },
    { key: 'resolved', label: t('report.complaints_resolved'), value: complaints.resolved ?? 0, href: listOf('complaint', { status: 'resolved' }) },
    { key: 'transferred', label: t('report.complaints_transferred'), value: complaints.transferred ?? 0, href: listOf('complaint', { status: 'transferred' }) },
    { key: 'open', label: t('report.complaints_open'), value: complaints.open ?? 0 },
    { key: 'overdue', label: t('report.complaints_overdue'), value: complaints.overdue ?? 0 },
  ])]));

  // Other activity.
  sections.push(section('other', t('report.sec_other'), [figureTable([
    { key: 'incidents', label: labelFor('incidents'), value: num('incidents'), href: '#/list/incident' },
    { key: 'propaganda', label: t('report.propaganda'), value: num('propaganda'), href: '#/list/propaganda' },
    { key: 'supervision', label: t('report.supervision'), value: num('supervision'), href: '#/list/supervision' },
  ])]));

  // Candidates: one row per figure, one column per level (the official table's shape).
  if (isObject(report.candidates)) {
    const byLevelCandidates = take('candidates');
    sections.push(section('candidates', t('report.sec_candidates'), [levelColumnsTable(CANDIDATE_ROWS, levels, byLevelCandidates,
      (key, level) => (CANDIDATE_FILTERS[key] ? listOf('candidate', { level, ...CANDIDATE_FILTERS[key] }) : null))]));
  }

  // Consultations: the rounds, with districts and communes that held each.
  if (isObject(report.consultations)) {
    sections.push(section('consultations', labelFor('consultations'), [consultationTable(take('consultations'))]));
  }

  // Voter conferences: one row per figure, one column per level.
  if (isObject(report.voter_conferences)) {
    sections.push(section('voter_conferences', t('report.sec_conferences'),
      [levelColumnsTable(CONFERENCE_ROWS, levels, take('voter_conferences'), () => null)]));
  }

  // The timeline of the node's own unit.
  if (Array.isArray(report.timeline)) {
    used.add('timeline');
    const labels = new Map(dashboardTimeline.map((entry) => [entry.milestone, entry]));
    const entries = report.timeline.map((entry) => ({ ...(labels.get(entry.milestone) || {}), ...entry }));
    sections.push(section('timeline', t('report.sec_timeline'),
      [renderTimeline(entries, { today: typeof report.today === 'string' ? report.today : null })]));
  }

  // The units below: each milestone's X/Y with the late ones, then one row per unit.
  if (Array.isArray(report.progress)) {
    const progress = take('progress');
    if (progress.length) {
      const names = new Map(dashboardTimeline.map((entry) => [entry.milestone, pick(entry)]));
      sections.push(section('progress', t('report.sec_progress'), [progressTable(progress, names)]));
    }
  }
  if (Array.isArray(report.units)) {
    const rows = take('units');
    if (rows.length) sections.push(section('units', t('report.sec_units'), [unitsTable(rows)]));
  }

  // Election day: turnout through the day, then each level's results by electoral unit.
  if (Array.isArray(report.turnout)) {
    const points = take('turnout');
    if (points.length) sections.push(section('turnout', t('report.sec_turnout'), [turnoutTable(points)]));
  }
  if (isObject(report.results)) {
    const byLevel = take('results');
    const parts = levels.filter((level) => isObject(byLevel[level])).map((level) => subsection(
      t('report.deputies_of', { level: labelFor(level) }), resultsTable(byLevel[level])));
    if (parts.length) sections.push(section('results', t('report.sec_results'), parts));
  }

  // Anything else, in the order the core sent it.
  for (const [key, value] of Object.entries(report)) {
    if (used.has(key)) continue;
    sections.push(section(key, labelFor(key), [renderValue(value, key, 3)]));
  }
  return h('div', null, sections);
}

/** Turnout at each moment the teams reported. */
function turnoutTable(points) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table', id: 'report-turnout' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.turnout_at') }),
      h('th', { scope: 'col', class: 'num', text: t('report.turnout_voted') }),
      h('th', { scope: 'col', class: 'num', text: t('report.turnout_voters') }),
      h('th', { scope: 'col', class: 'num', text: t('report.turnout_rate') }),
      h('th', { scope: 'col', class: 'num', text: t('report.areas_reported') }))),
    h('tbody', null, points.map((p) => h('tr', null,
      h('th', { scope: 'row', text: String(p.at).replace(/^(\d{4})-(\d{2})-(\d{2}) /, '$3/$2/$1 ') }),
      h('td', { class: 'num', text: formatScalar(p.voted, '') }),
      h('td', { class: 'num', text: formatScalar(p.voters, '') }),
      h('td', { class: 'num', text: `${formatScalar(p.rate, '')} %` }),
      h('td', { class: 'num', text: `${p.areas_reported}/${p.areas_total}` }))))));
}

/** A level's electoral units: counted areas, turnout, the outcome and who is elected. */
function resultsTable(level) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-results' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.result_unit') }),
      h('th', { scope: 'col', class: 'num', text: t('report.eu_seats') }),
      h('th', { scope: 'col', class: 'num', text: t('report.areas_reported') }),
      h('th', { scope: 'col', class: 'num', text: t('report.turnout_rate') }),
      h('th', { scope: 'col', text: t('report.result_outcome') }),
      h('th', { scope: 'col', text: t('report.result_elected') }))),
    h('tbody', null, (level.units || []).map((u) => h('tr', { dataset: { outcome: u.outcome } },
      h('th', { scope: 'row', text: u.name }),
      h('td', { class: 'num', text: formatScalar(u.seats, '') }),
      h('td', { class: 'num', text: `${u.areas_reported}/${u.areas_total}` }),
      h('td', { class: 'num', text: `${formatScalar(u.voters_listed ? Math.round((1000 * u.voted) / u.voters_listed) / 10 : 0, '')} %` }),
      h('td', { text: t(`report.outcome_${u.outcome}`, { art: u.art, due: u.due ? displayDate(u.due) : '' }) }),
      h('td', { text: (u.candidates || []).filter((c) => c.elected).map((c) => `${c.name} (${formatScalar(c.votes, '')}; ${formatScalar(c.share, '')} %)`).join('; ') || '—' }))))));
}

/** Candidate figures, in the official table's order. */
const CANDIDATE_ROWS = ['total', 'nominated', 'self_nominated', 'women', 'ethnic_minority', 'under_40', 'incumbent', 'official'];
/** Voter-conference figures, in the official table's order. */
const CONFERENCE_ROWS = ['areas', 'communes', 'districts', 'conferences', 'convened', 'present', 'confidence_for', 'confidence_against'];

/** Two columns, "Chỉ tiêu" and "Số lượng": rows {key, label, value, href?}. */
function figureTable(rows) {
  return h('table', { class: 'report-table report-kv' },
    h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('report.item') }), h('th', { scope: 'col', class: 'num', text: t('report.count') }))),
    h('tbody', null, rows.map((row) => h('tr', { dataset: { key: row.key } },
      h('th', { scope: 'row', text: row.label }),
      numberCell(row.value ?? 0, row.key, row.href ?? null, false)))));
}

/** Rows {key, label, values: {column: n}} under columns [{key, label}]; an optional "Cộng" row. */
function columnsTable(corner, columns, rows, { totals = false, link = null } = {}) {
  const sums = totals && rows.length > 1
    ? columns.map((column) => rows.reduce((sum, row) => sum + (Number(row.values?.[column.key]) || 0), 0))
    : null;
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: corner }),
      columns.map((column) => h('th', { scope: 'col', class: 'num', text: column.label })))),
    h('tbody', null, rows.map((row) => h('tr', { dataset: { key: row.key } },
      h('th', { scope: 'row', text: row.label }),
      columns.map((column) => numberCell(row.values?.[column.key] ?? 0, column.key, link?.(row.key, column.key) ?? null, false))))),
    sums ? h('tfoot', null, h('tr', { class: 'report-total' },
      h('th', { scope: 'row', text: t('report.sum') }),
      sums.map((sum) => h('td', { class: 'num', text: formatScalar(sum, '') })))) : null));
}

/** Figures as rows and levels as columns, from a level-keyed object of figures. */
function levelColumnsTable(figureKeys, levels, byLevel, link) {
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.item') }),
      levels.map((level) => h('th', { scope: 'col', class: 'num', text: labelFor(level) })))),
    h('tbody', null, figureKeys.map((key) => h('tr', { dataset: { key } },
      h('th', { scope: 'row', text: t(`report.fig_${key}`) }),
      levels.map((level) => {
        const td = numberCell(byLevel?.[level]?.[key] ?? 0, key, link(key, level), false);
        td.dataset.level = level;
        return td;
      }))))));
}

/** Each milestone of the units below: X/Y districts and communes done, no data, the late ones. */
function progressTable(progress, names) {
  const districts = progress.some((p) => Number(p.districts_total) > 0);
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table', id: 'report-progress-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.milestone') }),
      h('th', { scope: 'col', text: t('report.due') }),
      districts ? h('th', { scope: 'col', class: 'num', text: t('report.districts_done') }) : null,
      h('th', { scope: 'col', class: 'num', text: t('report.communes_done') }),
      h('th', { scope: 'col', class: 'num', text: t('pg.no_data') }),
      h('th', { scope: 'col', text: t('report.late_units') }))),
    h('tbody', null, progress.map((p) => h('tr', { dataset: { key: p.milestone } },
      h('th', { scope: 'row', text: names.get(p.milestone) || t('report.milestone') }),
      h('td', { text: displayDate(p.due) }),
      districts ? h('td', { class: 'num', text: `${p.districts_done}/${p.districts_total}` }) : null,
      h('td', { class: 'num', text: `${p.communes_done}/${p.communes_total}` }),
      h('td', { class: 'num', text: formatScalar((p.districts_no_data || 0) + (p.communes_no_data || 0), '') }),
      h('td', null, (p.late_units || []).map((late, i) => h('span', { class: 'late-unit' },
        i ? '; ' : '',
        h('a', { href: `#/progress/${encodeURIComponent(late.code)}`, text: late.name }),
        ` (${t(late.status === 'overdue' ? 'report.late_overdue' : 'report.late_done', { n: late.days_late })})`))))))));
}

/** One row per unit below, its figures side by side (the workbook's "Từng đơn vị" sheet). */
function unitsTable(rows) {
  const columns = [
    ['polling_areas', t('report.areas_total')],
    ['teams', labelFor('teams')],
    ['voters', labelFor('voters')],
    ['voters_male', t('report.voters_male')],
    ['voters_female', t('report.voters_female')],
    ['candidates', labelFor('candidates')],
    ['complaints_open', t('report.complaints_open')],
  ];
  const sum = (key) => rows.reduce((total, row) => total + (Number(row[key]) || 0), 0);
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix', id: 'report-units-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.unit') }),
      h('th', { scope: 'col', text: t('pg.last_sync') }),
      columns.map(([, label]) => h('th', { scope: 'col', class: 'num', text: label })),
      h('th', { scope: 'col', class: 'num', text: t('report.milestones_done') }),
      h('th', { scope: 'col', class: 'num', text: t('report.milestones_overdue') }))),
    h('tbody', null, rows.map((row) => h('tr', { dataset: { key: row.code }, class: row.no_data ? 'no-data' : null },
      h('th', { scope: 'row' }, h('a', { href: `#/progress/${encodeURIComponent(row.code)}`, text: row.name })),
      h('td', { text: row.last_sync_at ? displayDate(row.last_sync_at) : t(row.no_data ? 'pg.no_data_long' : 'pg.never_synced') }),
      columns.map(([key]) => h('td', { class: 'num', text: formatScalar(row[key] ?? 0, '') })),
      h('td', { class: 'num', text: `${row.milestones_done}/${row.milestones_due}` }),
      h('td', { class: 'num', text: formatScalar(row.overdue ?? 0, '') })))),
    h('tfoot', null, h('tr', { class: 'report-total' },
      h('th', { scope: 'row', text: t('report.sum') }),
      h('td'),
      columns.map(([key]) => h('td', { class: 'num', text: formatScalar(sum(key), '') })),
      h('td'),
      h('td', { class: 'num', text: formatScalar(sum('overdue'), '') })))));
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

function numberCell(value, key, href = null, byKey = true) {
  // A figure counting records opens their list (across the node's whole scope): where a table
  // says which records a cell counts, or (generic tables) by its key alone.
  const target = href ?? (byKey && FIGURE_KINDS[key] ? `#/list/${FIGURE_KINDS[key]}` : null);
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

/** Consultation rounds: districts held of all, communes held of all, and the result in words. */
function consultationTable(byRound) {
  const rounds = ['round1', 'round2', 'round3'].filter((round) => isObject(byRound[round]));
  const showDistricts = rounds.some((round) => Number(byRound[round].districts_total) > 0);
  const columns = showDistricts
    ? ['districts_done', 'districts_total', 'communes_done', 'communes_total']
    : ['communes_done', 'communes_total'];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'report-table report-matrix' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('report.conference') }),
      columns.map((key) => h('th', { scope: 'col', class: 'num', text: labelFor(key) })),
      h('th', { scope: 'col', text: t('report.result') }))),
    h('tbody', null, rounds.map((round) => {
      const f = byRound[round];
      const summary = showDistricts
        ? t('report.consult_summary_districts', { dd: f.districts_done, dt: f.districts_total, cd: f.communes_done, ct: f.communes_total })
        : t('report.consult_summary', { cd: f.communes_done, ct: f.communes_total });
      return h('tr', { dataset: { key: round } },
        h('th', { scope: 'row', text: labelFor(round) }),
        columns.map((key) => h('td', { class: 'num', text: formatScalar(f[key] ?? 0, '') })),
        h('td', { text: summary }));
    }))));
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
