// duplicates.js — the duplicate-voter screen (#duplicates-view, route #/duplicates): voters
// listed in more than one commune of a merged (district or province) ledger, pair by pair,
// both records side by side with their commune, the score and the rule that matched. For each
// pair: "Giữ cả hai" (two different people) or "Xóa khỏi danh sách xã …" for either side, with
// a reason (required to remove). A decision is a record that syncs to the communes like any
// change; decided pairs leave the list ("Hiện cả cặp đã xử lý" shows them again). The rules
// live in the core (crates/core/src/duplicates.rs); this screen only shows and sends.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, errorText } from './i18n.js';
import { displayDate } from './dates.js';
import { toast, confirmDialog } from './dialogs.js';

/** How many pairs are drawn at once. */
const SHOWN = 200;

/** Draws the duplicates screen into `container`. */
export function render(container, params, ctx) {
  let alive = true;
  let busy = false;
  let sequence = 0;
  let showAll = Boolean(params.draft?.all);

  const heading = h('h1', { id: 'duplicates-title', class: 'page-title', tabindex: '-1', text: t('dup.title') });
  const count = h('p', { id: 'duplicates-count', class: 'page-sub' });
  const allToggle = h('input', { type: 'checkbox', id: 'duplicates-all', checked: showAll });
  allToggle.addEventListener('change', () => {
    showAll = allToggle.checked;
    load();
  });
  const listArea = h('div', { class: 'conflict-list', id: 'duplicates-list' },
    h('p', { class: 'muted', text: t('app.loading_short') }));

  replaceChildren(container, h('section', { id: 'duplicates-view', class: 'duplicates-view', 'aria-labelledby': 'duplicates-title' },
    h('header', { class: 'page-head' },
      heading,
      h('p', { class: 'page-lead muted', text: t('dup.lead') }),
      count,
      h('label', { class: 'check-label' }, allToggle, ' ', t('dup.show_all'))),
    listArea));
  ctx.setTitle(t('dup.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  async function load() {
    const current = ++sequence;
    let pairs;
    try {
      pairs = await api.listDuplicates(showAll);
    } catch (error) {
      if (!alive || current !== sequence) return;
      replaceChildren(listArea, h('div', { class: 'form-error', role: 'alert', text: errorText(error) }));
      return;
    }
    if (!alive || current !== sequence) return;
    const open = pairs.filter((pair) => !pair.decision).length;
    count.textContent = t('dup.count', { n: open });
    if (!pairs.length) {
      replaceChildren(listArea, h('div', { id: 'duplicates-empty', class: 'empty-state', text: t('dup.none') }));
      return;
    }
    // The surest pairs first; a long list is drawn in part (the rest after these are decided).
    const shown = pairs.slice(0, SHOWN);
    replaceChildren(listArea, shown.map((pair, index) => pairCard(pair, index)),
      pairs.length > SHOWN ? h('p', { class: 'muted', text: t('dup.more', { shown: SHOWN, n: pairs.length }) }) : null);
  }

  function pairCard(pair, index) {
    const titleId = `dup-title-${index}`;
    const card = h('article', {
      class: 'conflict duplicate', 'aria-labelledby': titleId,
      dataset: { a: pair.a.id, b: pair.b.id, rule: pair.rule },
    });
    const error = h('div', { class: 'form-error conflict-error', role: 'alert', hidden: true });
    const reason = h('input', {
      type: 'text', class: 'dup-reason', id: `dup-reason-${index}`, maxlength: '500',
      placeholder: t('dup.reason_placeholder'),
    });
    const side = (voter, which) => h('div', { class: `conflict-side duplicate-${which}` },
      h('div', { class: 'conflict-side-label', text: `${voter.unit_name || ''} (${voter.unit})` }),
      h('div', { class: 'conflict-value', text: voter.full_name || voter.id }),
      h('dl', { class: 'dup-fields' },
        row(t('dup.birth'), voter.birth_date ? displayDate(voter.birth_date) : ''),
        row(t('dup.sex'), voter.sex === 'female' ? t('dup.female') : voter.sex === 'male' ? t('dup.male') : ''),
        row(t('dup.residence'), voter.permanent_residence || voter.temporary_residence || ''),
        row(t('dup.area'), voter.polling_area_title || ''),
        row(t('dup.id_number'), voter.id_number || ''),
        row(t('dup.status'), voter.list_status === 'removed' ? t('dup.removed') : '')),
      h('a', { class: 'conflict-meta muted', href: `#/edit/voter/${encodeURIComponent(voter.id)}`, text: voter.id }));

    const decision = pair.decision;
    const actions = decision
      ? h('p', { class: 'muted dup-decided', text: decidedText(decision, pair) })
      : h('div', { class: 'dup-actions' },
        h('label', { for: `dup-reason-${index}`, text: t('dup.reason') }), reason,
        h('button', { type: 'button', class: 'btn btn-small dup-keep-both', text: t('dup.keep_both'),
          on: { click: () => decide(pair, 'keep_both', null, reason, card, error) } }),
        h('button', { type: 'button', class: 'btn btn-small btn-danger dup-remove-a',
          text: t('dup.remove_from', { unit: pair.a.unit_name || pair.a.unit }),
          on: { click: () => decide(pair, 'removed', pair.a, reason, card, error) } }),
        h('button', { type: 'button', class: 'btn btn-small btn-danger dup-remove-b',
          text: t('dup.remove_from', { unit: pair.b.unit_name || pair.b.unit }),
          on: { click: () => decide(pair, 'removed', pair.b, reason, card, error) } }));

    card.append(
      h('header', { class: 'conflict-head' },
        h('div', { class: 'conflict-kind muted', text: t(pair.rule === 'id_number' ? 'dup.rule_id' : 'dup.rule_name') }),
        h('div', { id: titleId, class: 'conflict-title', text: t('dup.score', { score: pair.score }) })),
      h('div', { class: 'conflict-sides' }, side(pair.a, 'a'), side(pair.b, 'b')),
      actions,
      error);
    return card;
  }

  async function decide(pair, decision, removed, reasonInput, card, error) {
    if (busy) return;
    const reason = reasonInput.value.trim();
    error.hidden = true;
    if (decision === 'removed') {
      if (!reason) {
        error.textContent = t('dup.reason_required');
        error.hidden = false;
        reasonInput.focus();
        return;
      }
      const ok = await confirmDialog({
        title: t('dup.confirm_title'),
        message: t('dup.confirm_remove', { name: removed.full_name || removed.id, unit: removed.unit_name || removed.unit }),
        okLabel: t('dup.confirm_ok'),
      });
      if (!ok || !alive) return;
    }
    busy = true;
    const buttons = [...card.querySelectorAll('button')];
    buttons.forEach((button) => { button.disabled = true; });
    card.setAttribute('aria-busy', 'true');
    try {
      await api.decideDuplicate({ a: pair.a.id, b: pair.b.id, decision, removed: removed?.id ?? null, reason: reason || null });
      if (!alive) return;
      toast(t('dup.decided'));
      await load();
    } catch (failure) {
      if (!alive) return;
      error.textContent = errorText(failure);
      error.hidden = false;
      buttons.forEach((button) => { button.disabled = false; });
      card.removeAttribute('aria-busy');
    } finally {
      busy = false;
    }
  }

  load();

  return {
    snapshot() {
      return { all: showAll };
    },
    destroy() {
      alive = false;
    },
  };
}

function row(label, value) {
  if (!value) return null;
  return [h('dt', { text: label }), h('dd', { text: value })];
}

function decidedText(decision, pair) {
  const on = decision.decided_on ? displayDate(decision.decided_on) : '';
  if (decision.decision === 'removed') {
    const voter = decision.removed_voter === pair.a.id ? pair.a : pair.b;
    return t('dup.decided_removed', { on, unit: voter.unit_name || voter.unit, reason: decision.reason || '' });
  }
  return t('dup.decided_keep', { on, reason: decision.reason || '' });
}
