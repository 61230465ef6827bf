// hub.js — "Làm máy chủ cho các xã" (#hub-view, route #/hub): a district or province office
// serves its communes from this computer. The hub's status (#hub-status: running at which
// addresses, "closing the app stops the hub", #hub-start / #hub-stop, the port the first time,
// and the code of the hub above when the ledger syncs with another hub); a code for a unit
// chosen by name (#hub-unit, #hub-issue-button), shown as text (#hub-code-text) and as a QR code
// (#hub-code-qr) with the address to give with it, and printed alone (#hub-code-print); the
// units enrolled (#hub-children, a row per computer with its unit's name, last sync, state and
// a revoke button asking first). The hub runs in the app (sobaucu-app's hub.rs); this screen
// only shows its status and sends the person's choices. It reads the status again every few
// seconds, so a commune that just connected shows without a click.

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, errorText } from './i18n.js';
import { displayDate, fullMoment } from './dates.js';
import { getNode, canManage } from './store.js';
import { confirmDialog, toast } from './dialogs.js';

const REFRESH_MS = 4000;

/** A data: URL for the QR code's SVG (the Content-Security-Policy allows data: images). */
function svgUrl(svg) {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Draws the hub screen into `container`. */
export function render(container, params, ctx) {
  let alive = true;
  let status = null;
  let units = null;
  let busy = false;
  let issued = params.draft?.issued ?? null;
  const draft = params.draft || {};
  const node = getNode();
  const unitName = node?.unit?.name ?? '';

  const heading = h('h1', { id: 'hub-title', class: 'page-title', tabindex: '-1', text: t('hub.title') });
  const statusBox = h('section', { id: 'hub-status', class: 'panel hub-status', 'aria-labelledby': 'hub-status-title' },
    h('p', { class: 'muted', text: t('app.loading_short') }));
  const issueBox = h('section', { id: 'hub-issue', class: 'panel hub-issue', 'aria-labelledby': 'hub-issue-title', hidden: true });
  const codeBox = h('section', { id: 'hub-code-card', class: 'panel hub-code-card', 'aria-live': 'polite', hidden: true });
  const childrenBox = h('section', { id: 'hub-children', class: 'panel hub-children', 'aria-labelledby': 'hub-children-title', hidden: true });

  replaceChildren(container, h('section', { id: 'hub-view', class: 'hub-view', 'aria-labelledby': 'hub-title' },
    h('header', { class: 'page-head' },
      heading,
      h('p', { class: 'page-lead muted', text: t('hub.lead', { unit: unitName }) })),
    statusBox,
    h('div', { class: 'hub-columns' }, issueBox, codeBox),
    childrenBox));
  ctx.setTitle(t('hub.title'));
  if (!params.redraw) heading.focus({ preventScroll: true });

  // ---------------------------------------------------------------------------------------
  // Status, start and stop

  let startRefs = null;

  function paintStatus() {
    if (!status) return;
    startRefs = null;
    const title = h('h2', { id: 'hub-status-title', class: 'panel-title', text: t('hub.status_heading') });
    if (!status.available) {
      replaceChildren(statusBox, title, h('p', { class: 'panel-text', text: t('hub.not_available') }));
      return;
    }
    const parts = [title];
    if (status.running) {
      const urls = status.urls?.length ? status.urls : [];
      parts.push(h('p', { id: 'hub-running', class: 'hub-running' },
        urls.length
          ? t('hub.running', { urls: urls.join(', ') })
          : t('hub.running_local', { url: status.local_url })));
      parts.push(h('dl', { class: 'sync-facts hub-facts' },
        h('div', { class: 'sync-fact' },
          h('dt', { text: t('hub.addresses') }),
          h('dd', { id: 'hub-urls' }, (urls.length ? urls : [status.local_url]).map((url) => h('code', { class: 'sync-url hub-url', text: url })))),
        h('div', { class: 'sync-fact' }, h('dt', { text: t('hub.port') }), h('dd', { text: String(status.port) }))));
      parts.push(h('p', { class: 'muted hub-keep-open', text: t('hub.keep_open') }));
    } else {
      parts.push(h('p', { id: 'hub-stopped', class: 'panel-text', text: status.exists ? t('hub.stopped') : t('hub.never') }));
    }
    if (status.parent) {
      parts.push(h('p', { class: 'panel-text', text: t('hub.parent', { name: status.parent.name ?? status.parent.code, url: status.parent.url ?? '' }) }));
    }
    if (status.ledger === 'own') parts.push(h('p', { class: 'panel-text muted', text: t('hub.ledger_own') }));
    else if (status.ledger === 'elsewhere' && status.ledger_hub && !status.needs_parent_code) {
      parts.push(h('p', { class: 'panel-text muted', text: t('hub.ledger_elsewhere', { name: status.ledger_hub.name ?? status.ledger_hub.code, url: status.ledger_hub.url ?? '' }) }));
    }
    if (status.error && !status.running) {
      parts.push(h('div', { id: 'hub-error', class: 'sync-error', role: 'alert' },
        h('p', { class: 'sync-error-lead', text: t('hub.error_lead') }),
        h('p', { text: errorText(status.error) })));
    }
    const actionError = h('div', { id: 'hub-action-error', class: 'form-error', role: 'alert', hidden: true });
    if (status.running) {
      if (status.can_manage) {
        parts.push(h('div', { class: 'sync-actions' },
          h('button', { type: 'button', id: 'hub-stop', class: 'btn', text: t('hub.stop'), on: { click: stop } })));
      }
    } else if (status.can_manage) {
      parts.push(startForm(actionError));
    }
    parts.push(actionError);
    replaceChildren(statusBox, ...parts);
  }

  function startForm(actionError) {
    const fields = [];
    let portInput = null;
    let urlInput = null;
    let codeInput = null;
    if (!status.exists) {
      portInput = h('input', {
        id: 'hub-port', name: 'port', type: 'number', class: 'input input-int', min: '1', max: '65535',
        value: draft.port ?? String(status.default_port ?? status.port), 'aria-describedby': 'hub-port-hint',
      });
      fields.push(h('div', { class: 'field' },
        h('label', { for: 'hub-port', text: t('hub.port') }),
        portInput,
        h('div', { id: 'hub-port-hint', class: 'field-hint', text: t('hub.port_hint', { port: status.default_port ?? status.port }) })));
    }
    if (status.needs_parent_code && status.ledger_hub) {
      const above = status.ledger_hub;
      urlInput = h('input', {
        id: 'hub-parent-url', name: 'parent_url', type: 'url', class: 'input', autocomplete: 'off', spellcheck: 'false',
        value: draft.parentUrl ?? above.url ?? '',
      });
      codeInput = h('input', {
        id: 'hub-parent-code', name: 'parent_code', type: 'text', class: 'input input-code', autocomplete: 'off',
        spellcheck: 'false', autocapitalize: 'characters', placeholder: 'XXXXX-XXXXX-…', value: draft.parentCode ?? '',
      });
      fields.push(h('div', { class: 'hub-parent' },
        h('h3', { class: 'panel-subtitle', text: t('hub.parent_heading') }),
        h('p', { class: 'panel-text', text: t('hub.parent_intro', { name: above.name ?? above.code, url: above.url ?? '', unit: unitName }) }),
        h('div', { class: 'field' }, h('label', { for: 'hub-parent-url', text: t('hub.parent_url') }), urlInput),
        h('div', { class: 'field' }, h('label', { for: 'hub-parent-code', text: t('hub.parent_code') }), codeInput)));
    }
    const button = h('button', { type: 'submit', id: 'hub-start', class: 'btn btn-primary', text: t('hub.start') });
    startRefs = { portInput, urlInput, codeInput };
    return h('form', { class: 'hub-start-form', novalidate: true, on: { submit: (event) => start(event, button, actionError) } },
      fields,
      h('div', { class: 'sync-actions' }, button));
  }

  async function start(event, button, actionError) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    button.textContent = t('hub.starting');
    actionError.hidden = true;
    const port = startRefs?.portInput ? Number.parseInt(startRefs.portInput.value, 10) : null;
    try {
      status = await api.hubStart({
        port: Number.isFinite(port) ? port : null,
        parentUrl: startRefs?.urlInput?.value.trim() || null,
        parentCode: startRefs?.codeInput?.value.trim() || null,
      });
      if (!alive) return;
      toast(t('hub.started'));
      busy = false;
      paintAll();
      await refreshChildren();
    } catch (failure) {
      if (!alive) return;
      busy = false;
      button.disabled = false;
      button.textContent = t('hub.start');
      replaceChildren(actionError, errorText(failure));
      actionError.hidden = false;
    }
  }

  async function stop() {
    if (busy) return;
    const ok = await confirmDialog({ title: t('hub.stop_confirm_title'), message: t('hub.stop_confirm'), okLabel: t('hub.stop_ok') });
    if (!ok || !alive) return;
    busy = true;
    try {
      status = await api.hubStop();
      if (!alive) return;
      toast(t('hub.stopped_toast'));
    } catch (failure) {
      if (alive) toast(errorText(failure), { tone: 'error' });
    } finally {
      busy = false;
    }
    if (alive) paintAll();
  }

  // ---------------------------------------------------------------------------------------
  // Issuing a code

  let issueRefs = null;

  function paintIssue() {
    const show = Boolean(status?.available && status.exists && status.can_manage);
    issueBox.hidden = !show;
    if (!show) return;
    if (issueRefs && issueBox.isConnected && issueRefs.unitsShown === units) {
      issueRefs.button.disabled = busy || !status.running;
      issueRefs.note.hidden = status.running;
      return;
    }
    const select = h('select', { id: 'hub-unit', name: 'unit', class: 'input', 'aria-describedby': 'hub-issue-error' },
      h('option', { value: '', text: t('hub.unit_choose') }));
    const groups = new Map();
    for (const unit of units || []) {
      const label = unit.own ? t('hub.unit_own', { name: unit.name }) : unit.name;
      const option = h('option', { value: unit.code, text: label, title: unit.path ?? '' });
      if (unit.parent_name) {
        if (!groups.has(unit.parent_name)) {
          const group = h('optgroup', { label: unit.parent_name });
          groups.set(unit.parent_name, group);
          select.appendChild(group);
        }
        groups.get(unit.parent_name).appendChild(option);
      } else {
        select.appendChild(option);
      }
    }
    if (draft.unit) select.value = draft.unit;
    // A province issues codes to district hubs too; a district's units are communes.
    const offersHub = (units || []).some((unit) => !unit.own && unit.level === 'district');
    const role = h('select', { id: 'hub-role', name: 'role', class: 'input' },
      h('option', { value: 'node', text: t('hub.role_node') }),
      h('option', { value: 'hub', text: t('hub.role_hub') }));
    if (draft.role) role.value = draft.role;
    const days = h('input', { id: 'hub-days', name: 'days', type: 'number', class: 'input input-int', min: '1', max: '60', value: draft.days ?? '7' });
    const button = h('button', { type: 'submit', id: 'hub-issue-button', class: 'btn btn-primary', text: t('hub.issue'), disabled: busy || !status.running });
    const error = h('div', { id: 'hub-issue-error', class: 'form-error', role: 'alert', hidden: true });
    const note = h('p', { class: 'muted', text: t('hub.need_running'), hidden: status.running });
    issueRefs = { select, role, days, button, error, note, unitsShown: units };
    replaceChildren(issueBox,
      h('h2', { id: 'hub-issue-title', class: 'panel-title', text: t('hub.issue_heading') }),
      h('p', { class: 'panel-text muted', text: t('hub.issue_intro') }),
      h('form', { class: 'hub-issue-form', novalidate: true, on: { submit: issue } },
        h('div', { class: 'field' }, h('label', { for: 'hub-unit', text: t('hub.unit') }), select),
        offersHub ? h('div', { class: 'field' }, h('label', { for: 'hub-role', text: t('hub.role') }), role) : null,
        h('div', { class: 'field' }, h('label', { for: 'hub-days', text: t('hub.days') }), days),
        note,
        h('div', { class: 'sync-actions' }, button),
        error));
  }

  async function issue(event) {
    event.preventDefault();
    if (!issueRefs || busy) return;
    const { select, role, days, button, error } = issueRefs;
    error.hidden = true;
    if (!select.value) {
      replaceChildren(error, t('hub.need_unit'));
      error.hidden = false;
      select.focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.textContent = t('hub.issuing');
    try {
      const dayCount = Number.parseInt(days.value, 10);
      issued = await api.hubIssueCode({
        unit: select.value,
        role: role.isConnected ? role.value : 'node',
        days: Number.isFinite(dayCount) ? dayCount : null,
      });
      if (!alive) return;
      paintCode();
      codeBox.scrollIntoView({ block: 'nearest' });
    } catch (failure) {
      if (!alive) return;
      replaceChildren(error, errorText(failure));
      error.hidden = false;
    } finally {
      busy = false;
      if (alive && button.isConnected) {
        button.disabled = !status?.running;
        button.textContent = t('hub.issue');
      }
    }
  }

  function paintCode() {
    codeBox.hidden = !issued;
    if (!issued) return;
    const urls = issued.urls?.length ? issued.urls : [issued.local_url];
    replaceChildren(codeBox,
      h('h2', { id: 'hub-code-title', class: 'panel-title', text: t('hub.code_for', { name: issued.unit_name }) }),
      h('p', { class: 'muted hub-code-path', text: issued.unit_path ?? '' }),
      h('div', { class: 'hub-code-body' },
        h('img', { id: 'hub-code-qr', class: 'hub-code-qr', src: svgUrl(issued.qr_svg), alt: t('hub.code_qr'), width: '180', height: '180' }),
        h('dl', { class: 'hub-code-facts' },
          h('dt', { text: t('hub.code_label') }),
          h('dd', null, h('code', { id: 'hub-code-text', class: 'hub-code-text', text: issued.code })),
          h('dt', { text: t('hub.code_address') }),
          h('dd', { id: 'hub-code-urls' }, urls.map((url) => h('code', { class: 'sync-url hub-url', text: url }))))),
      h('p', { class: 'hub-code-expires', text: t('hub.code_expires', { date: displayDate(issued.expires) }) }),
      h('p', { class: 'hub-code-steps', text: t('hub.code_steps') }),
      h('div', { class: 'sync-actions hub-code-actions' },
        h('button', { type: 'button', id: 'hub-code-print', class: 'btn', text: t('hub.print'), on: { click: printCode } })));
  }

  /** Prints the code card alone (the print stylesheet hides the rest while body.printing-hub-code). */
  function printCode() {
    document.body.classList.add('printing-hub-code');
    const done = () => {
      document.body.classList.remove('printing-hub-code');
      window.removeEventListener('afterprint', done);
    };
    window.addEventListener('afterprint', done);
    try {
      window.print();
    } finally {
      // Some engines print synchronously and never send afterprint.
      setTimeout(done, 1000);
    }
  }

  // ---------------------------------------------------------------------------------------
  // The units enrolled

  let children = null;

  function paintChildren() {
    const show = Boolean(status?.available && status.exists);
    childrenBox.hidden = !show;
    if (!show) return;
    const title = h('h2', { id: 'hub-children-title', class: 'panel-title', text: t('hub.children_heading') });
    const others = (children || []).filter((child) => !child.this_computer);
    if (!children) {
      replaceChildren(childrenBox, title, h('p', { class: 'muted', text: t('app.loading_short') }));
      return;
    }
    const rows = children.map((child) => {
      const name = child.unit_name || child.unit;
      const state = child.revoked
        ? h('span', { class: 'badge badge-red', text: t('hub.revoked') })
        : child.must_enrol_again
          ? h('span', { class: 'badge badge-amber', text: t('hub.must_enrol_again') })
          : h('span', { class: 'badge badge-green', text: t('hub.active') });
      const action = !child.this_computer && !child.revoked && status.can_manage && canManage()
        ? h('button', { type: 'button', class: 'btn btn-danger-quiet btn-small hub-revoke', dataset: { node: child.node }, text: t('hub.revoke'),
          on: { click: () => revoke(child) } })
        : null;
      return h('tr', { dataset: { node: child.node, unit: child.unit }, class: child.revoked ? 'is-revoked' : null },
        h('td', { class: 'hub-child-unit', title: child.unit_path ?? '' },
          h('span', { class: 'hub-child-name', text: name }),
          child.this_computer ? h('span', { class: 'muted hub-child-note', text: ` · ${t('hub.this_computer')}` }) : null),
        h('td', { text: child.role === 'hub' ? t('hub.kind_hub') : t('hub.kind_node') }),
        h('td', { text: child.last_sync_at ? fullMoment(child.last_sync_at) : t('hub.never_synced') }),
        h('td', null, state),
        h('td', { class: 'hub-child-action' }, action));
    });
    replaceChildren(childrenBox,
      title,
      others.length ? null : h('p', { id: 'hub-children-none', class: 'muted', text: t('hub.children_none') }),
      rows.length
        ? h('div', { class: 'table-scroll' },
          h('table', { id: 'hub-children-table', class: 'records hub-children-table' },
            h('thead', null, h('tr', null,
              h('th', { scope: 'col', text: t('hub.col_unit') }),
              h('th', { scope: 'col', text: t('hub.col_role') }),
              h('th', { scope: 'col', text: t('hub.col_last') }),
              h('th', { scope: 'col', text: t('hub.col_state') }),
              h('th', { scope: 'col' }))),
            h('tbody', null, rows)))
        : null);
  }

  async function revoke(child) {
    const name = child.unit_name || child.unit;
    const ok = await confirmDialog({
      title: t('hub.revoke_title', { name }),
      message: t('hub.revoke_message'),
      okLabel: t('hub.revoke'),
    });
    if (!ok || !alive) return;
    try {
      children = await api.hubRevoke(child.node);
      if (!alive) return;
      toast(t('hub.revoked_toast', { name }));
      paintChildren();
    } catch (failure) {
      if (alive) toast(errorText(failure), { tone: 'error' });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Reading the status

  function paintAll() {
    paintStatus();
    paintIssue();
    paintCode();
    paintChildren();
  }

  async function refreshChildren() {
    if (!status?.exists) return;
    try {
      const fresh = await api.hubChildren();
      if (!alive) return;
      if (JSON.stringify(fresh) !== JSON.stringify(children)) {
        children = fresh;
        paintChildren();
      }
    } catch {
      // The next refresh tries again.
    }
  }

  async function refresh(first = false) {
    try {
      const fresh = await api.hubStatus();
      if (!alive) return;
      if (first && fresh.available && canManage()) units = await api.hubUnits();
      if (!alive) return;
      // Redraw the status only when it changed (and never under the person's typing).
      if (first || (!busy && JSON.stringify(fresh) !== JSON.stringify(status) && !statusBox.contains(document.activeElement))) {
        status = fresh;
        paintStatus();
        paintIssue();
        if (first) paintCode();
      }
      await refreshChildren();
      if (first) paintChildren();
    } catch (failure) {
      if (!alive) return;
      if (failure.kind === 'locked') {
        ctx.locked?.(await api.appInfo());
        return;
      }
      if (first) replaceChildren(statusBox, h('p', { class: 'form-error', role: 'alert', text: errorText(failure) }));
    }
  }

  refresh(true);
  const timer = setInterval(() => refresh(false), REFRESH_MS);

  return {
    snapshot() {
      return {
        issued,
        unit: issueRefs?.select?.value,
        role: issueRefs?.role?.value,
        days: issueRefs?.days?.value,
        port: startRefs?.portInput?.value,
        parentUrl: startRefs?.urlInput?.value,
        parentCode: startRefs?.codeInput?.value,
      };
    },
    destroy() {
      alive = false;
      clearInterval(timer);
    },
  };
}
