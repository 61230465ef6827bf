// electionday.js — election day at a glance (#/election-day), made for speed on the day.
// At a commune: a turnout row per polling area with one box per reporting hour (typed and
// saved on Enter or when the box is left; a report already made is changed in place), the
// counting minutes of each area and level (entered or to enter, each a link to its form, the
// area and level filled in), and the team's CSV of votes. At a district or province: the units
// below through the day (a line per unit on a chart, a row each with its rate at every hour and
// the areas reporting and counted), then the results per electoral unit as they arrive.
// Everything comes from the core's election_day(); saving goes through save_record.

import * as api from './api.js';
import { h, replaceChildren, formatNumber } from './util.js';
import { t, lang, errorText } from './i18n.js';
import { displayDate } from './dates.js';
import { hasUnitsBelow } from './store.js';
import { toast } from './dialogs.js';

const LEVEL_LABEL = {
  na: { vi: 'Quốc hội', en: 'National Assembly' },
  provincial: { vi: 'HĐND tỉnh', en: 'Provincial council' },
  district: { vi: 'HĐND huyện', en: 'District council' },
  commune: { vi: 'HĐND xã', en: 'Commune council' },
};
const levelLabel = (level) => (LEVEL_LABEL[level] ? LEVEL_LABEL[level][lang()] : level);
const num = (n) => formatNumber(Number(n) || 0, lang());
const pct = (n) => `${formatNumber(Number(n) || 0, lang())} %`;

export function render(container, params, ctx) {
  let alive = true;
  const heading = h('h1', { class: 'page-title', id: 'ed-title', tabindex: '-1', text: t('ed.title') });
  const sub = h('p', { class: 'page-sub' });
  const body = h('div', { id: 'ed-body' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  replaceChildren(container, h('section', { id: 'election-day', class: 'election-day', 'aria-labelledby': 'ed-title' },
    h('header', { class: 'page-head' }, heading, sub), body));
  ctx.setTitle(t('ed.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  async function load() {
    let day;
    try {
      day = await api.electionDay();
    } catch (error) {
      if (alive) replaceChildren(body, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive) return;
    sub.textContent = t('ed.sub', { date: displayDate(day.election_date) });
    const parts = [];
    if (hasUnitsBelow() && day.units.length) parts.push(unitsBoard(day));
    if (!hasUnitsBelow() || !day.units.length) {
      parts.push(turnoutGrid(day), minutesGrid(day));
    }
    parts.push(resultsPart(day));
    replaceChildren(body, parts);
  }

  /** One row per polling area, one box per reporting hour. */
  function turnoutGrid(day) {
    if (!day.areas.length) return h('p', { class: 'muted', id: 'ed-no-areas', text: t('ed.no_areas') });
    const latestTotal = day.areas.reduce((sum, a) => sum + (a.latest || 0), 0);
    return h('section', { class: 'ed-part', 'aria-labelledby': 'ed-turnout-title' },
      h('h2', { class: 'section-title', id: 'ed-turnout-title', text: t('ed.turnout') }),
      h('p', { class: 'muted', text: t('ed.turnout_help') }),
      h('div', { class: 'table-scroll' }, h('table', { class: 'report-table ed-turnout', id: 'ed-turnout' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', text: t('ed.area') }),
          h('th', { scope: 'col', class: 'num', text: t('ed.voters') }),
          day.hours.map((hour) => h('th', { scope: 'col', class: 'num', text: hour })),
          h('th', { scope: 'col', class: 'num', text: t('ed.rate') }))),
        h('tbody', null, day.areas.map((area) => h('tr', { dataset: { area: area.id } },
          h('th', { scope: 'row' }, `${area.number}. ${area.name}`,
            area.day && area.day !== day.election_date
              ? h('span', { class: 'muted ed-early', text: ` (${t('ed.early', { date: displayDate(area.day) })})` })
              : null),
          h('td', { class: 'num', text: num(area.voters) }),
          day.hours.map((hour) => h('td', { class: 'num' }, hourBox(day, area, hour))),
          h('td', { class: 'num ed-rate', text: area.voters ? pct(Math.round((1000 * (area.latest || 0)) / area.voters) / 10) : '—' })))),
        h('tfoot', null, h('tr', { class: 'report-total' },
          h('th', { scope: 'row', text: t('report.sum') }),
          h('td', { class: 'num', text: num(day.voters) }),
          day.turnout.map((p) => h('td', { class: 'num', text: p.voted === null ? '—' : num(p.voted) })),
          h('td', { class: 'num', text: day.voters ? pct(Math.round((1000 * latestTotal) / day.voters) / 10) : '—' }))))));
  }

  function hourBox(day, area, hour) {
    const report = area.reports[hour];
    const input = h('input', {
      type: 'number', min: '0', inputmode: 'numeric', class: 'input ed-box',
      value: report ? String(report.voted) : '',
      'aria-label': t('ed.box', { area: area.name, hour }),
      dataset: { area: area.id, hour },
    });
    let saved = input.value;
    const save = async () => {
      const value = input.value.trim();
      if (value === saved || value === '') return;
      input.classList.remove('is-saved', 'is-error');
      try {
        if (report) {
          await api.saveRecord('turnout_report', report.id, { voted: value });
        } else {
          const fresh = await api.saveRecord('turnout_report', null, {
            polling_area: area.id, reported_at: `${area.day || day.election_date} ${hour}`, voted: value,
          });
          area.reports[hour] = { id: fresh?.id, voted: Number(value) };
        }
        saved = value;
        input.classList.add('is-saved');
        input.title = t('ed.saved');
        toast(t('ed.saved_toast', { area: area.name, hour }));
        load();
      } catch (error) {
        input.classList.add('is-error');
        input.title = errorText(error);
        toast(errorText(error), { tone: 'error', duration: 6000 });
      }
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        save();
      }
    });
    input.addEventListener('change', save);
    return input;
  }

  /** Each area's minutes per level: entered (its valid ballots) or to enter. */
  function minutesGrid(day) {
    if (!day.areas.length) return null;
    return h('section', { class: 'ed-part', 'aria-labelledby': 'ed-minutes-title' },
      h('h2', { class: 'section-title', id: 'ed-minutes-title', text: t('ed.minutes') }),
      h('p', { class: 'muted' }, t('ed.minutes_help'), ' ',
        h('a', { href: '#/import/candidate_votes', id: 'ed-import-votes', text: t('ed.import_votes') })),
      h('div', { class: 'table-scroll' }, h('table', { class: 'report-table', id: 'ed-minutes' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', text: t('ed.area') }),
          day.levels.map((level) => h('th', { scope: 'col', text: levelLabel(level) })))),
        h('tbody', null, day.areas.map((area) => h('tr', { dataset: { area: area.id } },
          h('th', { scope: 'row', text: `${area.number}. ${area.name}` }),
          day.levels.map((level) => {
            const m = area.minutes[level];
            return h('td', { dataset: { level } }, m
              ? h('a', { href: `#/edit/count_minutes/${encodeURIComponent(m.id)}`, class: 'ed-minutes-done', text: t('ed.minutes_done', { valid: num(m.valid) }) })
              : h('a', {
                href: `#/new/count_minutes?${new URLSearchParams({ polling_area: area.id, level, voters_listed: String(area.voters || ''), counted_on: day.election_date })}`,
                class: 'ed-minutes-todo', text: t('ed.minutes_todo'),
              }));
          })))))));
  }

  /** The units below through the day: a line each on a chart, and a row each. */
  function unitsBoard(day) {
    return h('section', { class: 'ed-part', 'aria-labelledby': 'ed-units-title' },
      h('h2', { class: 'section-title', id: 'ed-units-title', text: t('ed.units') }),
      turnoutChart(day),
      h('div', { class: 'table-scroll' }, h('table', { class: 'report-table', id: 'ed-units' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col', text: t('report.unit') }),
          day.hours.map((hour) => h('th', { scope: 'col', class: 'num', text: hour })),
          h('th', { scope: 'col', class: 'num', text: t('ed.reporting') }),
          h('th', { scope: 'col', class: 'num', text: t('ed.counted') }))),
        h('tbody', null, day.units.map((u) => h('tr', { dataset: { unit: u.code } },
          h('th', { scope: 'row', text: u.name }),
          u.points.map((p) => h('td', { class: 'num', text: u.voters && p.rate !== null ? pct(p.rate) : '—' })),
          h('td', { class: 'num', text: `${u.areas_reporting}/${u.areas_total}` }),
          h('td', { class: 'num', text: `${u.areas_counted}/${u.areas_total}` })))))));
  }

  /** A small SVG chart: turnout (percent) at each hour, one line per unit and one for all. */
  function turnoutChart(day) {
    const width = 560;
    const height = 180;
    const pad = 30;
    const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(1, day.hours.length - 1);
    const y = (rate) => height - pad - ((height - 2 * pad) * Math.min(100, rate)) / 100;
    const ns = 'http://www.w3.org/2000/svg';
    const el = (name, attrs) => {
      const node = document.createElementNS(ns, name);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
      return node;
    };
    const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'ed-chart', id: 'ed-chart', role: 'img', 'aria-label': t('ed.chart') });
    for (const rate of [0, 50, 100]) {
      svg.appendChild(el('line', { x1: pad, x2: width - pad, y1: y(rate), y2: y(rate), class: 'ed-grid' }));
      const label = el('text', { x: 2, y: y(rate) + 4, class: 'ed-axis' });
      label.textContent = `${rate}%`;
      svg.appendChild(label);
    }
    day.hours.forEach((hour, i) => {
      const label = el('text', { x: x(i) - 14, y: height - 8, class: 'ed-axis' });
      label.textContent = hour;
      svg.appendChild(label);
    });
    // A line stops at the last hour reported: later hours are not known yet.
    const line = (points, cls) => el('polyline', {
      points: points.map((p, i) => (p.rate === null ? null : `${x(i)},${y(p.rate)}`)).filter(Boolean).join(' '),
      class: cls, fill: 'none',
    });
    for (const u of day.units) if (u.voters) svg.appendChild(line(u.points, 'ed-line'));
    svg.appendChild(line(day.turnout, 'ed-line ed-line-all'));
    return h('figure', { class: 'ed-figure' }, svg, h('figcaption', { class: 'muted', text: t('ed.chart') }));
  }

  /** Results per level and electoral unit, as they arrive. */
  function resultsPart(day) {
    const levels = Object.keys(day.results || {});
    return h('section', { class: 'ed-part', 'aria-labelledby': 'ed-results-title' },
      h('h2', { class: 'section-title', id: 'ed-results-title', text: t('report.sec_results') }),
      levels.length
        ? levels.map((level) => {
          const r = day.results[level];
          return h('div', { class: 'report-sub', dataset: { level } },
            h('h3', { class: 'report-sub-title', text: `${levelLabel(level)} — ${t('ed.level_counted', { n: r.areas_reported, total: r.areas_total, rate: pct(r.turnout) })}` }),
            h('ul', { class: 'ed-results', id: `ed-results-${level}` }, r.units.map((u) => h('li', { dataset: { outcome: u.outcome } },
              h('strong', { text: u.name }), ': ',
              t(`report.outcome_${u.outcome}`, { art: u.art, due: u.due ? displayDate(u.due) : '' }), ' — ',
              (u.candidates || []).filter((c) => c.elected).map((c) => `${c.name} (${num(c.votes)}; ${pct(c.share)})`).join('; ') || t('ed.none_elected')))));
        })
        : h('p', { class: 'muted', id: 'ed-no-results', text: t('ed.no_results') }));
  }

  load();
  return { destroy: () => { alive = false; } };
}
