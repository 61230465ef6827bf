// progress.js — the progress board of a district or province (#/progress, #/progress/<unit>):
// per milestone of the legal timeline, how many units below are done out of how many (a bar per
// level), which are late and by how many days; then a chart of every unit below against every
// milestone (one coloured cell each) with its last sync. A unit's row drills down to that unit;
// a commune's cell opens the record that shows the milestone done. Everything comes from the
// core's progress board (`progress` command); this module only presents it.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, pick, errorText, lang as getLang } from './i18n.js';
import { displayDate } from './dates.js';
import { statusText, renderTimeline } from './timeline.js';
import { kindDef, kindLabel } from './store.js';

const LEVEL_WORD = {
  province: { vi: 'tỉnh', en: 'provinces' },
  district: { vi: 'huyện', en: 'districts' },
  commune: { vi: 'xã', en: 'communes' },
};

/** Late units named in a milestone's row; the others are counted. */
const LATE_SHOWN = 4;

function levelWord(level) {
  const word = LEVEL_WORD[level];
  return word ? (getLang() === 'en' ? word.en : word.vi) : level;
}

/** "3 ngày trước" / "hôm nay" / "chưa đồng bộ". */
function syncText(unit) {
  if (!unit.last_sync_at) return t(unit.no_data ? 'pg.no_data_long' : 'pg.never_synced');
  const days = unit.days_since_sync ?? 0;
  return days === 0 ? t('pg.synced_today') : t('pg.synced_days_ago', { n: days });
}

export function render(container, params, ctx) {
  let alive = true;
  const body = h('div', { class: 'progress-body' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  const heading = h('h1', { class: 'page-title', id: 'progress-title', tabindex: '-1', text: t('pg.title') });
  const trail = h('nav', { class: 'pg-trail', id: 'progress-trail', 'aria-label': t('pg.trail') });
  replaceChildren(container, h('section', { id: 'progress', class: 'progress-board', 'aria-labelledby': 'progress-title' },
    h('header', { class: 'page-head' }, h('div', { class: 'page-kicker', text: t('pg.kicker') }), heading, trail),
    body));
  ctx.setTitle(t('pg.title'));

  api.getProgress(params.unit || null).then((board) => {
    if (!alive) return;
    heading.textContent = board.root.name;
    if (!params.redraw) heading.focus({ preventScroll: true });
    replaceChildren(trail, board.trail.length < 2 ? [] : board.trail.map((u, i) => {
      const last = i === board.trail.length - 1;
      return h('span', { class: 'pg-crumb' },
        last ? h('span', { text: u.name }) : h('a', { href: `#/progress/${encodeURIComponent(u.code)}`, text: u.name }),
        last ? null : h('span', { class: 'pg-sep', 'aria-hidden': 'true', text: ' › ' }));
    }));
    if (!board.units.length) {
      replaceChildren(body, unitView(board));
      return;
    }
    replaceChildren(body,
      h('p', { class: 'page-sub', text: t('pg.today', { date: displayDate(board.today) }) }),
      milestoneTable(board),
      h('h2', { class: 'section-title', text: t('pg.units_title') }),
      unitChart(board));
  }).catch((error) => {
    if (!alive) return;
    replaceChildren(body, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
  });

  return { destroy: () => { alive = false; } };
}

/** Per milestone: its due date, a done/total bar per level, and the late units (also drawn on
 * the dashboard of a district or province). */
export function milestoneTable(board, { id = 'progress-milestones' } = {}) {
  const rows = board.milestones.filter((m) => m.counts.length).map((m) => {
    const bars = m.counts.map((c) => {
      const share = c.total ? Math.round((100 * c.done) / c.total) : 0;
      return h('div', { class: 'pg-count', dataset: { level: c.level } },
        h('span', { class: 'pg-count-text', text: `${c.done}/${c.total} ${levelWord(c.level)}` }),
        c.no_data ? h('span', { class: 'pg-nodata-count muted', text: t('pg.no_data_count', { n: c.no_data }) }) : null,
        h('span', { class: 'pg-bar', role: 'img', 'aria-label': `${share}%` },
          h('span', { class: 'pg-bar-done', style: `width:${share}%` }),
          c.overdue ? h('span', { class: 'pg-bar-overdue', style: `width:${c.total ? (100 * c.overdue) / c.total : 0}%` }) : null));
    });
    // The latest first, a few by name (each a way into that unit), the rest counted.
    const late = m.late.slice(0, LATE_SHOWN).map((l) => h('a', {
      class: `pg-late pg-late-${l.status}`,
      href: `#/progress/${encodeURIComponent(l.code)}`,
      title: `${l.name}: ${statusText(l, board.today)}`,
      dataset: { unit: l.code },
      text: t('pg.late_chip', { name: l.name, n: l.days_late }),
    }));
    if (m.late.length > LATE_SHOWN) {
      late.push(h('span', { class: 'muted pg-more', text: t('pg.more_late', { n: m.late.length - LATE_SHOWN }) }));
    }
    return h('tr', { dataset: { milestone: m.milestone } },
      h('th', { scope: 'row' }, h('span', { class: 'pg-ms', text: pick(m) }), h('span', { class: 'muted pg-art', text: ` (Đ. ${m.art})` })),
      h('td', { class: 'pg-due', text: displayDate(m.due) }),
      h('td', null, bars),
      h('td', { class: 'pg-late-cell' }, late.length ? late : h('span', { class: 'muted', text: '—' })));
  });
  return h('table', { class: 'report-table pg-table', id },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: t('pg.milestone') }),
      h('th', { scope: 'col', text: t('pg.due') }),
      h('th', { scope: 'col', text: t('pg.done') }),
      h('th', { scope: 'col', text: t('pg.late') }))),
    h('tbody', null, rows));
}

/** Units below × milestones: one coloured cell per unit and milestone, with totals and syncs. */
function unitChart(board) {
  const columns = board.milestones.map((m, i) => ({ m, i })).filter(({ m }) => m.counts.length);
  // The last sync comes right after the name (seen without scrolling); each milestone's column
  // is headed by its name, its date beneath.
  const head = h('tr', null,
    h('th', { scope: 'col', text: t('pg.unit') }),
    h('th', { scope: 'col', text: t('pg.last_sync') }),
    h('th', { scope: 'col', text: t('pg.unit_done') }),
    columns.map(({ m }) => h('th', { scope: 'col', class: 'pg-col', title: `${pick(m)} — ${displayDate(m.due)}`, dataset: { milestone: m.milestone } },
      h('span', { class: 'pg-col-name', text: pick(m) }),
      h('span', { class: 'pg-col-date', text: displayDate(m.due).slice(0, 5) }))));
  const rows = board.units.map((u) => {
    const share = u.due ? Math.round((100 * u.done) / u.due) : 100;
    const drill = u.units_below > 0;
    // A unit with units below opens their board; a commune opens its own timeline and records.
    const name = h('a', { href: `#/progress/${encodeURIComponent(u.code)}`, class: 'pg-unit-link', text: u.name });
    const cells = columns.map(({ m, i }) => {
      const cell = u.cells[i];
      if (!cell) return h('td', { class: 'pg-cell pg-na', 'aria-label': t('pg.not_applicable') });
      const label = `${u.name} — ${pick(m)}: ${statusText(cell, board.today)}`;
      const mark = h('span', { class: `pg-dot pg-${cell.status}`, title: label, 'aria-label': label });
      const target = cell.record_id && cell.record_kind
        ? `#/edit/${encodeURIComponent(cell.record_kind)}/${encodeURIComponent(cell.record_id)}`
        : drill ? `#/progress/${encodeURIComponent(u.code)}` : null;
      return h('td', { class: 'pg-cell', dataset: { status: cell.status } }, target ? h('a', { href: target }, mark) : mark);
    });
    const stale = !u.no_data && (!u.last_sync_at || (u.days_since_sync ?? 0) >= 3);
    const syncNote = u.never_synced && drill ? t('pg.never_below', { n: u.never_synced }) : '';
    const rowClass = u.no_data ? 'pg-row-nodata' : u.overdue ? 'pg-row-late' : '';
    return h('tr', { dataset: { unit: u.code, overdue: String(u.overdue), noData: String(Boolean(u.no_data)) }, class: rowClass },
      h('th', { scope: 'row' }, name,
        u.overdue ? h('span', { class: 'badge badge-red pg-row-badge', text: t('pg.overdue_n', { n: u.overdue, days: u.days_late }) }) : null,
        (u.issues?.errors || u.issues?.warnings)
          ? h('span', {
            class: u.issues.errors ? 'badge badge-red pg-row-badge pg-issues' : 'badge pg-row-badge pg-issues',
            dataset: { errors: String(u.issues.errors), warnings: String(u.issues.warnings) },
            text: t('pg.issues', { e: u.issues.errors, w: u.issues.warnings }),
          })
          : null),
      h('td', { class: stale ? 'pg-sync pg-sync-stale' : 'pg-sync', dataset: { sync: u.last_sync_at ? 'yes' : 'never' } },
        syncText(u), syncNote ? h('div', { class: 'muted pg-sync-note', text: syncNote }) : null),
      u.no_data
        ? h('td', { class: 'pg-unit-done muted', text: '—' })
        : h('td', { class: 'pg-unit-done' },
          h('span', { class: 'pg-bar pg-bar-small', role: 'img', 'aria-label': `${share}%` },
            h('span', { class: 'pg-bar-done', style: `width:${share}%` })),
          h('span', { class: 'pg-count-text', text: ` ${u.done}/${u.due}` })),
      cells);
  });
  return h('div', { class: 'pg-chart-wrap' },
    h('table', { class: 'report-table pg-chart', id: 'progress-units' }, h('thead', null, head), h('tbody', null, rows)),
    h('p', { class: 'pg-legend muted' },
      ['done', 'done_late', 'overdue', 'due_soon', 'upcoming', 'no_data'].map((status) => h('span', { class: 'pg-legend-item' },
        h('span', { class: `pg-dot pg-${status}`, 'aria-hidden': 'true' }), ' ', t(`pg.legend_${status}`)))));
}

/** A unit with none below (a commune): its own timeline and its records in this ledger. */
function unitView(board) {
  const code = board.root.code;
  const kinds = ['committee', 'board', 'team', 'electoral_unit', 'polling_area', 'voter', 'candidate', 'voter_conference', 'complaint', 'incident']
    .filter((kind) => kindDef(kind));
  return h('div', { id: 'progress-unit-view' },
    h('p', { class: 'page-sub', text: t('pg.today', { date: displayDate(board.today) }) }),
    h('h2', { class: 'section-title', text: t('pg.unit_timeline') }),
    renderTimeline(board.timeline || [], { id: 'progress-unit-timeline', today: board.today }),
    h('h2', { class: 'section-title', text: t('pg.unit_records') }),
    h('ul', { class: 'pg-records', id: 'progress-unit-records' }, kinds.map((kind) => h('li', null,
      h('a', { href: `#/list/${encodeURIComponent(kind)}?${new URLSearchParams({ unit: code, unit_name: board.root.name })}`, dataset: { kind }, text: kindLabel(kindDef(kind)) })))));
}
