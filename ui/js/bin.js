// bin.js — the bin ("Thùng rác", #/bin): records deleted from this ledger and the ledgers whose
// records it holds, the latest first, each with its kind, unit, when and why, and "Khôi phục"
// to bring it back (one more change, which syncs like any). A voter is never here: taking a
// voter off the list is a legal change with its reason (list_change), kept in the voter's history.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, errorText } from './i18n.js';
import { fullMoment } from './dates.js';
import { kindDef, kindLabel, hasUnitsBelow } from './store.js';
import { toast, confirmDialog } from './dialogs.js';

export function render(container, params, ctx) {
  let alive = true;
  const heading = h('h1', { class: 'page-title', id: 'bin-title', tabindex: '-1', text: t('bin.title') });
  const body = h('div', { id: 'bin-list' }, h('p', { class: 'muted', text: t('app.loading_short') }));
  replaceChildren(container, h('section', { id: 'bin', class: 'bin', 'aria-labelledby': 'bin-title' },
    h('header', { class: 'page-head' }, heading, h('p', { class: 'page-sub', text: t('bin.intro') })),
    body));
  ctx.setTitle(t('bin.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  async function load() {
    let rows;
    try {
      rows = await api.deletedRecords();
    } catch (error) {
      if (alive) replaceChildren(body, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive) return;
    if (!rows.length) {
      replaceChildren(body, h('div', { class: 'empty-state', id: 'bin-empty', text: t('bin.empty') }));
      return;
    }
    const merged = hasUnitsBelow();
    replaceChildren(body, h('table', { class: 'report-table bin-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', text: t('bin.kind') }),
        h('th', { scope: 'col', text: t('bin.record') }),
        merged ? h('th', { scope: 'col', text: t('bin.unit') }) : null,
        h('th', { scope: 'col', text: t('bin.deleted_at') }),
        h('th', { scope: 'col', text: t('bin.reason') }),
        h('th', { scope: 'col', class: 'visually-hidden', text: t('bin.actions') }))),
      h('tbody', null, rows.map((row) => {
        const def = kindDef(row.kind);
        const title = row.title || (def ? kindLabel(def) : t('bin.untitled'));
        return h('tr', { dataset: { kind: row.kind, id: row.id } },
          h('td', { text: def ? kindLabel(def) : t('bin.other_kind') }),
          h('th', { scope: 'row', text: title }),
          merged ? h('td', { text: row.unit_name || '' }) : null,
          h('td', { text: fullMoment(row.deleted_at) }),
          h('td', { text: row.reason || '—' }),
          h('td', null, h('button', {
            type: 'button', class: 'btn btn-small bin-restore', text: t('bin.restore'),
            'aria-label': `${t('bin.restore')}: ${title}`,
            on: { click: () => restore(row, title) },
          })));
      }))));
  }

  async function restore(row, title) {
    const ok = await confirmDialog({
      title: t('bin.restore'),
      message: t('bin.restore_confirm', { title }),
      okLabel: t('bin.restore'),
      danger: false,
    });
    if (!ok || !alive) return;
    try {
      await api.undelete(row.kind, row.id);
      if (!alive) return;
      toast(t('bin.restored', { title }));
      load();
    } catch (error) {
      if (alive) toast(errorText(error), { tone: 'error', duration: 6000 });
    }
  }

  load();
  return { destroy: () => { alive = false; } };
}
