// dashboard.js — the overview screen (#dashboard): the unit, the election day and the days left,
// one count card per record kind (grouped like the sidebar; a click opens that kind's list), and
// the legal timeline with each milestone's status (from dashboard()). For a chair or secretary,
// the backup card: when the ledger was last backed up, a reminder when that is over a week ago,
// and the buttons to back up or restore (the shell asks where, in the system's dialog).

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, pick, errorText, lang } from './i18n.js';
import { displayDate } from './dates.js';
import { getNode, groupedKinds, kindLabel, hasUnitsBelow, canManage } from './store.js';
import { toast, passphraseDialog } from './dialogs.js';
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

  const backupArea = canManage() ? h('div', { class: 'dash-backup', id: 'dash-backup' }) : null;
  // "Cần xử lý": the law's rules violated or warned about, each linked to its record.
  const checkArea = h('section', { class: 'dash-section dash-check', id: 'dash-check', 'aria-labelledby': 'dash-check-title' },
    h('h2', { id: 'dash-check-title', class: 'section-title', text: t('check.title') }),
    h('p', { class: 'muted', text: t('app.loading_short') }));

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
    checkArea,
    // The timeline is what a commune is judged by: it takes the main column, the counts the side.
    h('div', { class: 'dash-columns' },
      h('section', { class: 'dash-section dash-main', 'aria-labelledby': 'dash-timeline-title' },
        h('h2', { id: 'dash-timeline-title', class: 'section-title', text: t('dash.timeline') }),
        timelineArea),
      h('section', { class: 'dash-section dash-side', 'aria-labelledby': 'dash-records-title' },
        backupArea,
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

  /** The backup card, from app_info's `last_backup_at`. */
  function drawBackup(lastBackupAt) {
    if (!backupArea) return;
    const week = 7 * 24 * 3600 * 1000;
    const stale = !lastBackupAt || Date.now() - Date.parse(lastBackupAt) > week;
    const now = h('button', { type: 'button', id: 'backup-now', class: stale ? 'btn btn-primary' : 'btn', text: t('backup.now'),
      on: { click: (event) => backupNow(event.currentTarget) } });
    const restore = h('button', { type: 'button', id: 'backup-restore', class: 'btn btn-quiet', text: t('backup.restore'),
      on: { click: (event) => restoreBackup(event.currentTarget) } });
    replaceChildren(backupArea,
      h('h2', { class: 'section-title', text: t('backup.title') }),
      h('p', { id: 'backup-last', class: 'muted', text: lastBackupAt ? t('backup.last', { date: displayDate(lastBackupAt) }) : t('backup.never') }),
      stale ? h('p', { id: 'backup-reminder', class: 'notice notice-warn', role: 'status', text: t('backup.remind') }) : null,
      h('div', { class: 'dash-backup-actions' }, now, restore));
  }

  function loadBackup() {
    if (!backupArea) return;
    api.appInfo().then((info) => { if (alive) drawBackup(info?.last_backup_at ?? null); }, () => {});
  }

  async function backupNow(button) {
    button.disabled = true;
    try {
      const done = await api.backup();
      if (done) toast(t('backup.done', { file: String(done.path).split(/[\\/]/).pop() }), { duration: 5000 });
      loadBackup();
    } catch (error) {
      toast(errorText(error), { tone: 'error', duration: 8000 });
    } finally {
      button.disabled = false;
    }
  }

  async function restoreBackup(button) {
    const passphrase = await passphraseDialog({ title: t('backup.restore_title'), message: t('backup.restore_message') });
    if (!passphrase) return;
    button.disabled = true;
    try {
      const restored = await api.restoreBackup(passphrase);
      if (!restored) return;
      toast(restored.new_identity ? t('backup.restored_new_node') : t('backup.restored', { date: displayDate(restored.taken_at) }), { duration: 8000 });
      ctx.locked(await api.appInfo());
    } catch (error) {
      toast(errorText(error), { tone: 'error', duration: 8000 });
    } finally {
      button.disabled = false;
    }
  }

  loadBackup();

  const CHECK_SHOWN = 50;
  api.checkRules().then((findings) => {
    if (!alive) return;
    const title = checkArea.firstChild;
    const list = Array.isArray(findings) ? findings : [];
    if (!list.length) {
      replaceChildren(checkArea, title, h('p', { class: 'muted', id: 'check-none', text: t('check.none') }));
      return;
    }
    const items = list.slice(0, CHECK_SHOWN).map((f) => {
      const text = lang() === 'vi' ? f.message_vi : f.message;
      const link = f.id ? h('a', { href: `#/edit/${encodeURIComponent(f.kind)}/${encodeURIComponent(f.id)}`, text }) : h('span', { text });
      return h('li', { class: `check-item check-${f.severity}`, dataset: { rule: f.rule, severity: f.severity } },
        h('span', { class: f.severity === 'error' ? 'badge badge-red' : 'badge', text: t(`check.${f.severity}`) }), ' ',
        link, ' ',
        h('span', { class: 'muted', text: `(${t('check.article', { art: f.article })})` }));
    });
    replaceChildren(checkArea, title, h('ul', { class: 'check-list', id: 'check-list' }, items),
      list.length > CHECK_SHOWN ? h('p', { class: 'muted', text: t('check.more', { n: list.length - CHECK_SHOWN }) }) : null);
  }).catch((error) => {
    if (alive) replaceChildren(checkArea, checkArea.firstChild, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
  });

  return {
    destroy: () => {
      alive = false;
    },
  };
}
