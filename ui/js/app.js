// app.js — the window's entry point. At startup it asks the shell (app_info) whether the ledger
// is open: if not it shows the passphrase screen (unlock.js); once open, if the ledger is not
// initialised it shows the first-run screen, else it loads the schema once and draws the main
// shell (sidebar + screen area). It then routes on location.hash:
//   #/dashboard · #/progress[/<unit>] · #/report · #/sync · #/hub · #/duplicates · #/import[/<kind>] · #/list/<kind> · #/new/<kind> · #/edit/<kind>/<id>
// It also starts following the sync with the district hub (syncstate.js) once the shell is open
// and keeps the sidebar's sync corner (#sync-status) and conflict badge up to date.
// Each screen module exports render(container, params, ctx) and returns a handle
// { onKey?(event), snapshot?(), destroy?() }. This module owns the one global key listener and
// re-draws on a language switch (passing the screen's snapshot back so typed input survives).

import * as api from './api.js';
import { h, replaceChildren } from './util.js';
import { t, pick, onLangChange, errorText } from './i18n.js';
import { langToggleButton } from './langtoggle.js';
import { displayDate } from './dates.js';
import { setNode, getNode, setUser, getUser, setSchema, groupedKinds, kindDef, kindLabel, hasUnitsBelow } from './store.js';
import { isDialogOpen } from './dialogs.js';
import * as setupScreen from './setup.js';
import * as unlockScreen from './unlock.js';
import * as dashboardScreen from './dashboard.js';
import * as listScreen from './list.js';
import * as formScreen from './form.js';
import * as reportScreen from './report.js';
import * as syncScreen from './sync.js';
import * as hubScreen from './hub.js';
import * as importScreen from './imports.js';
import * as duplicatesScreen from './duplicates.js';
import * as progressScreen from './progress.js';
import * as binScreen from './bin.js';
import * as electionDayScreen from './electionday.js';
import { helpPanel } from './help.js';
import { startSync, onSyncStatus, paintSyncCorner, conflictCount } from './syncstate.js';

const root = document.getElementById('app');

/** What the window shows: "loading", "unlock", "setup", "shell" or "error". */
let mode = 'loading';
/** The handle of the screen currently drawn (see the header comment). */
let currentScreen = null;
/** The parsed route of the screen currently drawn. */
let currentRoute = null;
/** app_info's answer, kept for the first-run screen (data folder). */
let appInfo = null;

// ---------------------------------------------------------------------------------------------
// Startup

async function boot() {
  mode = 'loading';
  destroyScreen();
  replaceChildren(root, h('div', { class: 'splash' }, h('p', { class: 'muted', text: t('app.loading') })));
  try {
    appInfo = await api.appInfo();
  } catch (error) {
    showFatal(error);
    return;
  }
  afterUnlock(appInfo);
}

/** Goes on from an open ledger (app_info's answer): the first-run screen or the shell. */
async function afterUnlock(info) {
  appInfo = info;
  setUser(info?.user ?? null);
  if (info?.locked) {
    showUnlock();
    return;
  }
  if (!info?.initialized) {
    showSetup();
    return;
  }
  await openShell(info.node);
}

/** The passphrase screen: the ledger is encrypted and opens with a user's passphrase. */
function showUnlock(draft = null) {
  mode = 'unlock';
  destroyScreen();
  const container = h('div', { class: 'setup-page' });
  replaceChildren(root, container);
  currentRoute = { name: 'unlock' };
  currentScreen = unlockScreen.render(container, { info: appInfo, draft }, { onUnlocked: afterUnlock });
  document.title = t('app.name');
}

/** Loads the schema and draws the main shell for `node`. */
async function openShell(node) {
  setNode(node);
  try {
    setSchema(await api.getSchema());
  } catch (error) {
    showFatal(error);
    return;
  }
  mode = 'shell';
  drawShell();
  route();
  startSync();
}

/** Called by the first-run screen once init_ledger or create_demo has resolved. */
function onLedgerCreated(node) {
  if (!location.hash || location.hash === '#' || location.hash.startsWith('#/setup')) {
    history.replaceState(null, '', '#/dashboard');
  }
  openShell(node);
}

function showSetup(draft = null) {
  mode = 'setup';
  destroyScreen();
  const container = h('div', { class: 'setup-page' });
  replaceChildren(root, container);
  currentRoute = { name: 'setup' };
  currentScreen = setupScreen.render(container, { draft, dataDir: appInfo?.data_dir ?? null }, {
    onCreated: onLedgerCreated,
    onAlreadyInitialized: boot,
  });
  document.title = t('app.name');
}

function showFatal(error) {
  mode = 'error';
  destroyScreen();
  replaceChildren(
    root,
    h('div', { class: 'splash' },
      h('div', { class: 'fatal', role: 'alert' },
        h('h1', { text: t('app.start_failed') }),
        h('p', { text: errorText(error) || t('app.no_bridge') }),
        h('button', { type: 'button', class: 'btn btn-primary', text: t('app.retry'), on: { click: boot } }))),
  );
}

// ---------------------------------------------------------------------------------------------
// Shell: sidebar and screen area

let mainArea = null;

function drawShell() {
  mainArea = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  replaceChildren(root, h('div', { id: 'shell', class: 'shell' }, buildSidebar(), mainArea));
}

function buildSidebar() {
  const node = getNode();
  const unitName = node?.unit?.name ?? '';
  const head = h('div', { class: 'sidebar-head', id: 'sidebar-head' },
    h('div', { class: 'brand', text: t('app.name') }),
    h('div', { class: 'side-unit', id: 'side-unit', title: node?.unit?.path ?? '', text: unitName }),
    node?.election_date
      ? h('div', { class: 'side-election', id: 'side-election', text: t('shell.election_on', { date: displayDate(node.election_date) }) })
      : null,
  );

  const nav = h('nav', { class: 'side-nav', 'aria-label': t('nav.label') });
  nav.appendChild(h('ul', { class: 'nav-list nav-main' },
    h('li', null, h('a', { href: '#/dashboard', dataset: { view: 'dashboard' }, text: t('nav.dashboard') })),
    // A district or province follows the units below it; a commune has none.
    hasUnitsBelow(node)
      ? h('li', null, h('a', { href: '#/progress', dataset: { view: 'progress' }, text: t('nav.progress') }))
      : null,
    h('li', null, h('a', { href: '#/report', dataset: { view: 'report' }, text: t('nav.report') })),
    h('li', null, h('a', { href: '#/election-day', dataset: { view: 'election-day' }, text: t('nav.election_day') })),
    hasUnitsBelow(node)
      ? h('li', null, h('a', { href: '#/duplicates', dataset: { view: 'duplicates' }, text: t('nav.duplicates') }))
      : null,
    h('li', null, h('a', { href: '#/sync', class: 'nav-sync', dataset: { view: 'sync' } },
      h('span', { class: 'nav-text', text: t('nav.sync') }),
      h('span', { id: 'sync-nav-badge', class: 'nav-badge', hidden: true }))),
    // A district or province serves its communes from this computer.
    hasUnitsBelow(node)
      ? h('li', null, h('a', { href: '#/hub', dataset: { view: 'hub' }, text: t('nav.hub') }))
      : null,
  ));
  for (const { group, kinds } of groupedKinds()) {
    const titleId = `nav-group-${group.id}`;
    nav.appendChild(h('div', { class: 'nav-group' },
      h('h2', { class: 'nav-group-title', id: titleId, text: group.id === '_other' ? t('nav.other') : pick(group) }),
      h('ul', { class: 'nav-list', 'aria-labelledby': titleId },
        kinds.map((kind) => h('li', null,
          h('a', { href: `#/list/${encodeURIComponent(kind.kind)}`, dataset: { kind: kind.kind }, text: kindLabel(kind) })))),
    ));
  }

  // The bin last: deleted records, brought back from there.
  nav.appendChild(h('ul', { class: 'nav-list nav-bin' },
    h('li', null, h('a', { href: '#/bin', dataset: { view: 'bin' }, text: t('nav.bin') }))));

  const corner = h('a', { id: 'sync-status', class: 'sync-status', href: '#/sync' });
  const user = getUser();
  const who = user
    ? h('div', { class: 'side-user', id: 'side-user' },
      h('span', { class: 'side-user-name', text: user.name }),
      h('span', { class: 'side-user-role muted', text: t(`role.${user.role}`) }),
      h('button', { type: 'button', id: 'lock-button', class: 'btn btn-quiet btn-small', text: t('unlock.lock'),
        on: { click: lockLedger } }))
    : null;
  const foot = h('div', { class: 'sidebar-foot' }, who, corner, langToggleButton());
  const sidebar = h('aside', { class: 'sidebar' }, head, nav, foot);
  // A link to the page already shown reads it again (a plain link would do nothing).
  sidebar.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#/"]') : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) return;
    if (link.getAttribute('href') === location.hash) {
      event.preventDefault();
      route();
    }
  });
  paintSidebarSync(sidebar);
  return sidebar;
}

/** Closes the ledger: the passphrase screen comes back. */
async function lockLedger() {
  try {
    appInfo = await api.lock();
  } catch (error) {
    showFatal(error);
    return;
  }
  setUser(null);
  history.replaceState(null, '', '#/dashboard');
  showUnlock();
}

/** Paints the sync corner and the conflict badge from the last SyncStatus (syncstate.js). */
function paintSidebarSync(scope = document) {
  paintSyncCorner(scope.querySelector('#sync-status'));
  const badge = scope.querySelector('#sync-nav-badge');
  if (badge) {
    const count = conflictCount();
    badge.hidden = count === 0;
    badge.textContent = count ? String(count) : '';
    const label = count ? t('nav.sync_conflicts', { n: count, raw: count }) : '';
    if (label) {
      badge.title = label;
      badge.setAttribute('aria-label', label);
    } else {
      badge.removeAttribute('title');
      badge.removeAttribute('aria-label');
    }
  }
}

onSyncStatus(() => {
  if (mode === 'shell') paintSidebarSync();
});

/** Updates the sidebar's unit and date after the node changed (e.g. from dashboard()). */
function refreshNode(node) {
  if (!node) return;
  setNode(node);
  const head = document.getElementById('sidebar-head');
  if (!head) return;
  const sidebar = head.closest('.sidebar');
  const fresh = buildSidebar();
  sidebar.replaceWith(fresh);
  markActiveNav();
}

/** Highlights the sidebar entry of the current route. */
function markActiveNav() {
  const route = currentRoute || {};
  for (const link of document.querySelectorAll('.side-nav a')) {
    const active = link.dataset.view
      ? link.dataset.view === route.name
      : link.dataset.kind !== undefined && link.dataset.kind === route.kind;
    link.classList.toggle('is-active', active);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------------------------------------
// Routing

/** Reads location.hash into { name, kind?, id? }. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  const parts = path.split('/').filter((part) => part !== '').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const [name = '', kind, ...rest] = parts;
  switch (name) {
    case '':
    case 'dashboard':
      return { name: 'dashboard' };
    case 'report':
      return { name: 'report' };
    case 'sync':
      return { name: 'sync' };
    case 'hub':
      return { name: 'hub' };
    case 'import':
      return kind ? { name: 'import', kind } : { name: 'import' };
    case 'duplicates':
      return { name: 'duplicates' };
    case 'bin':
      return { name: 'bin' };
    case 'election-day':
      return { name: 'election-day' };
    case 'progress':
      return { name: 'progress', unit: kind || null };
    case 'list':
      // `?field=value&...` narrows the list to exact field values (a report figure's records).
      return kind ? { name: 'list', kind, where: Object.fromEntries(new URLSearchParams(search)) } : { name: 'notfound' };
    case 'new':
      // `?field=value&...` fills those fields of the new record.
      return kind ? { name: 'new', kind, where: Object.fromEntries(new URLSearchParams(search)) } : { name: 'notfound' };
    case 'edit':
      return kind && rest.length ? { name: 'edit', kind, id: rest.join('/') } : { name: 'notfound' };
    default:
      return { name: 'notfound' };
  }
}

/** Sets the hash (drawing the screen through hashchange). */
export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function destroyScreen() {
  if (currentScreen?.destroy) {
    try {
      currentScreen.destroy();
    } catch (error) {
      console.error(error);
    }
  }
  currentScreen = null;
}

/**
 * Draws the screen for the current hash. On a language switch `redraw` is true and `draft` carries
 * the old screen's snapshot; screens then keep their hands off the focus.
 */
function route(draft = null, redraw = false) {
  if (mode !== 'shell') return;
  if (!location.hash || location.hash === '#' || location.hash === '#/') {
    history.replaceState(null, '', '#/dashboard');
  }
  const routeInfo = parseHash();
  destroyScreen();
  currentRoute = routeInfo;
  markActiveNav();

  const container = h('div', { class: 'screen' });
  // Every screen has its help above it (what the law asks here, and what to do), closed.
  const help = helpPanel(routeInfo);
  replaceChildren(mainArea, help ? [help, container] : container);
  mainArea.scrollTop = 0;

  const ctx = {
    navigate,
    refreshNode,
    // The ledger was closed under the screen (a backup restored): ask the passphrase again.
    locked: (info) => {
      appInfo = info;
      setUser(null);
      history.replaceState(null, '', '#/dashboard');
      showUnlock();
    },
    setTitle: (title) => {
      document.title = title ? `${title} — ${t('app.name')}` : t('app.name');
    },
  };
  const params = { ...routeInfo, draft, redraw };

  if (routeInfo.kind !== undefined && !kindDef(routeInfo.kind)) {
    showNotFound(container, t('app.unknown_kind', { kind: routeInfo.kind }));
    return;
  }
  switch (routeInfo.name) {
    case 'dashboard':
      currentScreen = dashboardScreen.render(container, params, ctx);
      break;
    case 'report':
      currentScreen = reportScreen.render(container, params, ctx);
      break;
    case 'sync':
      currentScreen = syncScreen.render(container, params, ctx);
      break;
    case 'hub':
      currentScreen = hubScreen.render(container, params, ctx);
      break;
    case 'import':
      currentScreen = importScreen.render(container, params, ctx);
      break;
    case 'duplicates':
      currentScreen = duplicatesScreen.render(container, params, ctx);
      break;
    case 'progress':
      currentScreen = progressScreen.render(container, params, ctx);
      break;
    case 'bin':
      currentScreen = binScreen.render(container, params, ctx);
      break;
    case 'election-day':
      currentScreen = electionDayScreen.render(container, params, ctx);
      break;
    case 'list':
      currentScreen = listScreen.render(container, params, ctx);
      break;
    case 'new':
    case 'edit':
      currentScreen = formScreen.render(container, params, ctx);
      break;
    default:
      showNotFound(container, t('app.not_found'));
  }
}

function showNotFound(container, message) {
  replaceChildren(container,
    h('div', { class: 'empty-state' },
      h('p', { text: message }),
      h('a', { href: '#/dashboard', class: 'btn', text: t('app.back_dashboard') })));
  document.title = t('app.name');
}

// ---------------------------------------------------------------------------------------------
// Global listeners

window.addEventListener('hashchange', () => route());

window.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || isDialogOpen()) return;
  currentScreen?.onKey?.(event);
});

onLangChange(() => {
  const draft = currentScreen?.snapshot ? currentScreen.snapshot() : null;
  const toggleHadFocus = document.activeElement?.id === 'lang-toggle';
  if (mode === 'setup') {
    showSetup(draft);
  } else if (mode === 'unlock') {
    showUnlock(draft);
  } else if (mode === 'shell') {
    drawShell();
    route(draft, true);
  } else {
    boot();
    return;
  }
  // The toggle is the same element moved into the redrawn screen; moving it drops focus.
  if (toggleHadFocus) document.getElementById('lang-toggle')?.focus();
});

boot();
