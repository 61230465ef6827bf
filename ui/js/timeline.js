// timeline.js — draws the legal timeline (the dashboard's and the report's) as a vertical list:
// milestone, due date, a status badge, and for finished milestones a link to the record that
// finished it. Statuses and day counts come from the core; this module only presents them.

import { h } from './util.js';
import { t, pick } from './i18n.js';
import { displayDate, daysBetween } from './dates.js';
import { kindLabel } from './store.js';

/** Badge colour for each status. */
const STATUS_TONE = {
  done: 'green',
  done_late: 'amber',
  overdue: 'red',
  due_soon: 'amber',
  upcoming: 'grey',
  passed: 'grey',
};

/** The badge text of a timeline entry ("Quá hạn 3 ngày"). */
export function statusText(entry, today) {
  const n = (value, fallback) => Math.abs(Number.isFinite(value) ? value : fallback ?? 0);
  switch (entry.status) {
    case 'done':
      return t('status.done');
    case 'done_late': {
      const late = Number.isFinite(entry.days_late) ? entry.days_late : daysBetween(entry.due, entry.done_on);
      return Number.isFinite(late) ? t('status.done_late', { n: Math.abs(late) }) : t('status.done_late_plain');
    }
    case 'overdue':
      return t('status.overdue', { n: n(entry.days_late, daysBetween(entry.due, today)) });
    case 'due_soon':
      return t('status.due_soon', { n: n(entry.days_left, daysBetween(today, entry.due)) });
    case 'upcoming':
      return t('status.upcoming');
    case 'passed':
      return t('status.passed');
    case 'no_data':
      return t('status.no_data');
    default:
      return String(entry.status ?? '');
  }
}

/** One status badge element. */
export function statusBadge(entry, today) {
  const tone = STATUS_TONE[entry.status] || 'grey';
  return h('span', { class: `badge badge-${tone}`, dataset: { status: entry.status ?? '' }, text: statusText(entry, today) });
}

/**
 * The timeline as an <ol>. `options.id` sets the element id (the dashboard uses "timeline");
 * `options.today` ("YYYY-MM-DD") places a "today" marker between past and future milestones.
 */
export function renderTimeline(entries, { id = null, today = null } = {}) {
  const list = h('ol', { id, class: 'timeline' });
  if (!Array.isArray(entries) || entries.length === 0) {
    list.appendChild(h('li', { class: 'timeline-empty muted', text: t('tl.empty') }));
    return list;
  }
  // Chronological order (the law's table is not quite), ties kept in the core's order.
  const ordered = [...entries].sort((a, b) => String(a.due ?? '').localeCompare(String(b.due ?? '')));
  let todayPlaced = !today;
  for (const entry of ordered) {
    if (!todayPlaced && entry.due && entry.due > today) {
      list.appendChild(todayMarker(today));
      todayPlaced = true;
    }
    list.appendChild(timelineItem(entry, today));
  }
  if (!todayPlaced) list.appendChild(todayMarker(today));
  return list;
}

function todayMarker(today) {
  return h('li', { class: 'tl-today', 'aria-label': t('tl.today_marker', { date: displayDate(today) }) },
    h('span', { text: t('tl.today_marker', { date: displayDate(today) }) }));
}

function timelineItem(entry, today) {
  const meta = [];
  if (entry.art !== undefined && entry.art !== null && entry.art !== '') {
    meta.push(h('span', { text: t('tl.art', { art: entry.art }) }));
  }
  if (entry.done_on) meta.push(h('span', { text: t('tl.done_on', { date: displayDate(entry.done_on) }) }));
  if (entry.record_id && entry.record_kind) {
    const href = `#/edit/${encodeURIComponent(entry.record_kind)}/${encodeURIComponent(entry.record_id)}`;
    meta.push(h('a', { href, class: 'tl-link', text: t('tl.open_record') }));
  }
  // Not done yet: where to complete it — a new record, or (a date due on every record of a
  // kind, such as the lists posted at every polling area) that kind's list.
  const open = ['overdue', 'due_soon', 'upcoming'].includes(entry.status);
  if (open && entry.evidence_kind && !entry.record_id && entry.evidence_rule !== 'no_open') {
    const kind = encodeURIComponent(entry.evidence_kind);
    const every = entry.evidence_rule === 'all';
    meta.push(h('a', {
      href: every ? `#/list/${kind}` : `#/new/${kind}`,
      class: 'tl-link tl-add', dataset: { kind: entry.evidence_kind },
      text: every ? t('tl.open_list', { kind: kindLabel(entry.evidence_kind) }) : t('tl.add', { kind: kindLabel(entry.evidence_kind) }),
    }));
  }
  const metaLine = h('div', { class: 'tl-meta' });
  meta.forEach((part, index) => {
    if (index > 0) metaLine.appendChild(h('span', { class: 'tl-sep', 'aria-hidden': 'true', text: '·' }));
    metaLine.appendChild(part);
  });

  return h(
    'li',
    { class: `tl-item tl-${entry.status || 'unknown'}`, dataset: { milestone: entry.milestone ?? '' } },
    h('div', { class: 'tl-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'tl-when' }, h('span', { class: 'tl-due', text: displayDate(entry.due) })),
    h('div', { class: 'tl-body' },
      h('div', { class: 'tl-label', text: pick(entry) || entry.milestone || '' }),
      meta.length ? metaLine : null),
    h('div', { class: 'tl-status' }, statusBadge(entry, today)),
  );
}
