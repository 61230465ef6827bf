// dashboard.js — the overview screen (#dashboard): the unit, the election day and the days left,
// one count card per record kind (grouped like the sidebar; a click opens that kind's list), and
// the legal timeline with each milestone's status. Everything shown comes from dashboard().

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, pick, errorText } from './i18n.js';
import { displayDate } from './dates.js';
import { getNode, groupedKinds, kindLabel, hasUnitsBelow } from './store.js';
import { renderTimeline } from './timeline.js';
import { milestoneTable } from './progress.js';

/** Draws the dashboard into `container`; data arrives asynchronously. */
export function render(container, params, ctx) {
  let alive = true;
  const node = getNode();
  const heading = h('h1', { class: 'page-title', tabindex: '-1', text: node?.unit?.name || t('dash.title') });
  const subline = h('p', { class: 'page-sub' });
  const countsArea = h('div', { class: 'dash-counts' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  const timelineArea = h('div', { class: 'dash-timeline' }, h('p', { class: 'muted', text: t('app.loading_short') }));

  // A district or province sees first where the units below it stand.
  const below = hasUnitsBelow(node);
  const progressArea = below
    ? h('section', { class: 'dash-section dash-progress', id: 'dash-progress', 'aria-labelledby': 'dash-progress-title' },
      h('h2', { id: 'dash-progress-title', class: 'section-title' },
        h('a', { href: '#/progress', text: t('nav.progress') })),
      h('p', { class: 'muted', text: t('app.loading_short') }))
    : null;
  replaceChildren(container, h('section', { id: 'dashboard', class: 'dashboard', 'aria-labelledby': 'dashboard-title' },
    h('header', { class: 'page-head' },
      h('div', { class: 'page-kicker', text: t('dash.title') }),
      heading,
      node?.unit?.path ? h('p', { class: 'page-path muted', text: node.unit.path }) : null,
      subline),
    progressArea,
    // The timeline is what a commune is judged by: it takes the main column, the counts the side.
    h('div', { class: 'dash-columns' },
      h('section', { class: 'dash-section dash-main', 'aria-labelledby': 'dash-timeline-title' },
        h('h2', { id: 'dash-timeline-title', class: 'section-title', text: t('dash.timeline') }),
        timelineArea),
      h('section', { class: 'dash-section dash-side', 'aria-labelledby': 'dash-records-title' },
        h('h2', { id: 'dash-records-title', class: 'section-title', text: t('dash.records') }),
        countsArea)),
  ));
  heading.id = 'dashboard-title';
  ctx.setTitle(t('dash.title'));
  drawSubline(node, null);
  if (!params.redraw) heading.focus({ preventScroll: true });

  function drawSubline(currentNode, daysToElection) {
    const parts = [];
    if (currentNode?.election_date) {
      parts.push(h('span', { text: t('dash.election_day', { date: displayDate(currentNode.election_date) }) }));
    }
    if (Number.isFinite(daysToElection)) {
      let text;
      if (daysToElection > 0) text = t('dash.days_left', { n: daysToElection });
      else if (daysToElection === 0) text = t('dash.today_is_election');
      else text = t('dash.days_after', { n: -daysToElection });
      parts.push(h('span', { class: 'days-pill', id: 'days-to-election', text }));
    }
    replaceChildren(subline, parts);
  }

  function drawCounts(counts) {
    const groups = groupedKinds();
    replaceChildren(countsArea, groups.map(({ group, kinds }) => h('div', { class: 'count-group' },
      h('h3', { class: 'count-group-title', text: group.id === '_other' ? t('nav.other') : pick(group) }),
      h('div', { class: 'count-grid' }, kinds.map((kind) => {
        const value = counts?.[kind.kind];
        const number = Number.isFinite(value) ? value : 0;
        return h('a', {
          href: `#/list/${encodeURIComponent(kind.kind)}`,
          class: 'count-card',
          dataset: { cardKind: kind.kind },
          'aria-label': `${kindLabel(kind)}: ${number}`,
        },
        h('span', { class: 'count-num', dataset: { countKind: kind.kind }, text: String(number) }),
        h('span', { class: 'count-label', text: kindLabel(kind) }));
      })),
    )));
  }

  if (progressArea) {
    api.getProgress(null).then((board) => {
      if (!alive) return;
      const title = progressArea.firstChild;
      replaceChildren(progressArea, title, board.units.length
        ? milestoneTable(board, { id: 'dash-progress-milestones' })
        : h('p', { class: 'muted', text: t('pg.no_units') }));
    }).catch((error) => {
      if (!alive) return;
      replaceChildren(progressArea, progressArea.firstChild, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
    });
  }

  api.getDashboard().then((data) => {
    if (!alive) return;
    const fresh = data?.node;
    if (fresh && JSON.stringify(fresh) !== JSON.stringify(getNode())) {
      ctx.refreshNode(fresh);
      heading.textContent = fresh.unit?.name || heading.textContent;
    }
    drawSubline(fresh || node, data?.days_to_election);
    drawCounts(data?.counts || {});
    replaceChildren(timelineArea, renderTimeline(data?.timeline || [], { id: 'timeline', today: data?.today || null }));
  }).catch((error) => {
    if (!alive) return;
    const message = h('div', { class: 'form-error', role: 'alert', text: errorText(error) });
    replaceChildren(countsArea, message);
    replaceChildren(timelineArea);
  });

  return {
    destroy: () => {
      alive = false;
    },
  };
}
