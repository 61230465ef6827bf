// api.js — the only module that talks to the Tauri shell (window.__TAURI__.core.invoke).
// One function per command of the contract in ui/README.md. Every failure, whatever shape the
// shell or the bridge gives it, is turned into one ApiError carrying
// { kind, message, message_vi, fields } so screens handle errors in a single way.
// It also holds the one event subscription (sync://status). It does no caching and holds no
// business rule.

/** The error every API call rejects with. */
export class ApiError extends Error {
  constructor({ kind = 'internal', message = '', message_vi = '', fields = [] } = {}) {
    super(message || message_vi || kind);
    this.name = 'ApiError';
    this.kind = kind;
    this.message = message || message_vi || kind;
    this.message_vi = message_vi || message || kind;
    this.fields = Array.isArray(fields) ? fields : [];
  }
}

/** Turns whatever `invoke` rejected with into an ApiError. */
function toApiError(raw) {
  if (raw instanceof ApiError) return raw;
  let value = raw;
  if (typeof value === 'string') {
    // The shell may send the error object serialised; otherwise it is a bare sentence.
    try {
      const parsed = JSON.parse(value);
      if (parsed && typeof parsed === 'object') value = parsed;
    } catch {
      return new ApiError({ kind: 'internal', message: value, message_vi: value });
    }
  }
  if (value && typeof value === 'object' && typeof value.kind === 'string') {
    return new ApiError(value);
  }
  const text = value instanceof Error ? value.message : String(value);
  return new ApiError({ kind: 'internal', message: text, message_vi: text });
}

/** Calls one Tauri command with its named (camelCase) arguments. */
async function call(command, args = {}) {
  const invoke = window.__TAURI__?.core?.invoke;
  if (typeof invoke !== 'function') {
    throw new ApiError({
      kind: 'internal',
      message: 'The application core cannot be reached (no Tauri bridge).',
      message_vi: 'Không kết nối được với phần lõi của ứng dụng.',
    });
  }
  try {
    return await invoke(command, args);
  } catch (raw) {
    throw toApiError(raw);
  }
}

/** `{ initialized, data_dir, node }` */
export const appInfo = () => call('app_info');

/** Opens the ledger with a user's passphrase, or creates it (`create`: the user is its chair);
 * answers like appInfo. */
export const unlock = ({ user, passphrase, create = false }) => call('unlock', { user, passphrase, create });

/** Closes the ledger; answers like appInfo (locked). */
export const lock = () => call('lock');

/** Every violation and warning of the law's rules: [{ rule, article, severity, kind, id, unit, message, message_vi }]. */
export const checkRules = () => call('check_rules');

/** Candidates (of `level`) with their voter conferences' confidence: [{ candidate, full_name, level, electoral_unit, status, conferences, carried, not_carried, without_quorum, verdict }]. */
export const candidateConfidence = (level = null) => call('candidate_confidence', { level });

/** Who changed which field of a record when, from which node: [{ at, node, author, here, fields }]. */
export const recordHistory = (kind, id) => call('record_history', { kind, id });

/** The provinces when `parent` is null, else the children of `parent`. */
export const listUnits = (scheme, parent = null) => call('list_units', { scheme, parent });

/** Units (at most 50) whose name or path matches `query`, marks ignored. */
export const searchUnits = (scheme, query) => call('search_units', { scheme, query });

/** Creates the ledger; `electionDate` is "YYYY-MM-DD", `law` "2015" | "2025". Resolves with a Node. */
export const initLedger = ({ unit, scheme, electionDate, law }) =>
  call('init_ledger', { unit, scheme, electionDate, law });

/** Whether to ask before taking an election date: `{ message, message_vi }`, or null. */
export const electionDateCheck = (election) => call('election_date_check', { election });

/** Creates the sample ledger (a real Lai Châu commune with generated records). */
export const createDemo = () => call('create_demo');

/** The description of every record kind. */
export const getSchema = () => call('schema');

/** Counts and the timeline. */
export const getDashboard = () => call('dashboard');

/** `{ total, rows }` for a kind; `query` = { q?, unit?, offset?, limit? }. */
export const listRecords = (kind, query = {}) => call('list_records', { kind, query });

/** One record. */
export const getRecord = (kind, id) => call('get_record', { kind, id });

/** Creates (id null) or updates a record; resolves with the saved row. */
export const saveRecord = (kind, id, fields) => call('save_record', { kind, id: id ?? null, fields });

/** Deletes a record. */
export const deleteRecord = (kind, id) => call('delete_record', { kind, id });

/** The report object of `sobaucu report --json`. */
export const getReport = () => call('report');

/** The progress board rooted at `unit` (a code below the node's unit) or at the node's unit. */
export const getProgress = (unit) => call('progress', { unit });

// ---------------------------------------------------------------------------------------------
// Sync with the district hub (ui/README.md, "Sync (Đồng bộ)")

/** The SyncStatus: enrolment, last sync, pending changes, progress, last error, conflicts. */
export const syncStatus = () => call('sync_status');

/** Enrols this ledger with a hub using a one-time code; resolves with the SyncStatus. */
export const enrollHub = (url, code) => call('enroll_hub', { url, code });

/** Starts a sync in the background; resolves with null at once (progress comes as events). */
export const syncNow = () => call('sync_now');

/** Asks where to write the USB bundle of unacknowledged changes (the system's dialog) and
 * writes it: `{ path, changes, bytes }`, or null when the dialog is cancelled. */
export const bundleExport = () => call('bundle_export');

/** Asks which bundle of the hub's to read (the system's dialog) and applies it:
 * `{ changes, batches, already_had }`, or null when cancelled. */
export const bundleImport = () => call('bundle_import');

/** Every open conflict: `[{ kind, record_id, title, unit, field, winner, loser }]`. */
export const listConflicts = () => call('list_conflicts');
export const listRefused = () => call('list_refused');

/** Asks where to save (the system's dialog) and writes the report as "xlsx" or "pdf":
 * { path, bytes, pages?, file, pdf }, or null when cancelled (`file`: the number to open or
 * print it by). */
export const exportReport = (format) => call('export_report', { format });

/** Asks where to save and prints the voter list (form Mẫu 33) of a polling area:
 * { path, bytes, pages, rows }, or null when cancelled. */
export const printVoterList = (pollingArea) => call('print_voter_list', { pollingArea });

/** Asks where to save and prints the candidate list (one level, or all when null). */
export const printCandidates = (level) => call('print_candidates', { level: level ?? null });

/** Asks where to save and prints the voter lists (Mẫu 33) of every polling area in one PDF,
 * each area from a new page: { path, bytes, pages, rows, file, pdf }, or null when cancelled. */
export const printVoterLists = () => call('print_voter_lists');

/** Asks where to save and prints a team's counting minutes of a polling area (its id) and a
 * level (`na`, `provincial`, `district`, `commune`). */
export const printCountMinutes = (pollingArea, level) => call('print_count_minutes', { pollingArea, level });

/** Asks where to save and prints the board's minutes of an electoral unit's result (its id). */
export const printUnitResult = (electoralUnit) => call('print_unit_result', { electoralUnit });

/** Asks where to save and prints the whole list of `kind` narrowed by `query` = { q?, unit?,
 * where? } (every matching record, not a page): { path, bytes, pages, rows, file, pdf }, or null. */
export const printList = (kind, query = {}) => call('print_list', { kind, query });

/** Opens a file written since the ledger was opened, by its number (`file` of the answers
 * above), with the system's application; `folder`: the folder it is in. */
export const openWritten = (file, folder = false) => call('open_written', { file, folder: Boolean(folder) });

/** Prints a PDF written since the ledger was opened, by its number: { via: "system" | "viewer" }
 * (viewer: opened in the PDF viewer, to print from its print dialog). */
export const printWritten = (file) => call('print_written', { file });

/** Election day at a glance: `{ election_date, hours, levels, voters, turnout, areas, units, results }`. */
export const electionDay = () => call('election_day');

/** The bin: deleted records, the latest first: `[{ kind, id, unit, unit_name, title, deleted_at, reason }]`. */
export const deletedRecords = () => call('deleted');

/** Brings a deleted record back; resolves with the record. */
export const undelete = (kind, id) => call('undelete', { kind, id });

/** Settled conflicts, the latest first: `[{ kind, record_id, title, unit_name, field, chosen, sides, current }]`. */
export const listSettlements = () => call('list_settlements');

/** Settles a settled conflict again with `value` (one more change of the field). */
export const settleAgain = (kind, id, field, value) =>
  call('settle_again', { kind, id, field, value: value === undefined ? null : value });

/** Settles the conflicts of one field of a record with `value`; resolves with null. */
export const resolveConflict = (kind, id, field, value) =>
  call('resolve_conflict', { kind, id, field, value: value === undefined ? null : value });

/** Probable duplicate voters across communes, surest first; with `all`, decided pairs too. */
export const listDuplicates = (all = false) => call('duplicates', { all: Boolean(all) });

/**
 * Decides about a pair: `decision` "keep_both", or "removed" with `removed` (one of the two ids)
 * and a `reason`. Resolves with `{ decision_id, list_change_id }`.
 */
export const decideDuplicate = ({ a, b, decision, removed = null, reason = null }) =>
  call('decide_duplicate', { a, b, decision, removed, reason });

/**
 * Calls `handler(SyncStatus)` on every `sync://status` event. Resolves with a function that
 * stops listening, or with null when the bridge has no event API (the window then relies on
 * sync_status alone).
 */
// Import from a file (#import-view)

/** The system's dialog for a file to import; the shell keeps the file for the preview and the
 * import: `{ name, path }`, or null when cancelled. */
export const chooseImportFile = () => call('choose_import_file');

/** A blank sheet to fill for `kind`, saved where the user chooses: `{ path }`, or null when cancelled. */
export const saveTemplate = (kind) => call('save_template', { kind });

/** What importing the chosen file would do; writes nothing. */
export const importPreview = (kind, defaults = null, choices = {}) => call('import_preview', { choices: { kind, defaults, ...choices } });

/** Imports the chosen file, all or nothing. */
export const importFile = (kind, defaults = null, choices = {}) => call('import_file', { choices: { kind, defaults, ...choices } });

/** The ledger's imports, newest first. */
export const imports = () => call('imports');

/** Undoes one import as one step. */
export const undoImport = (id) => call('undo_import', { id });

// ---------------------------------------------------------------------------------------------
// Backups and users

/** Asks where to save and backs the ledger up: `{ path, bytes, at }`, or null when cancelled. */
export const backup = () => call('backup');

/** Asks which backup to restore and restores it, opened with `passphrase`; the window is then
 * locked: `{ node_id, unit, taken_at, new_identity, replaced, bundle }`, or null when cancelled. */
export const restoreBackup = (passphrase) => call('restore_backup', { passphrase });

/** The ledger's users: `[{ name, role, added_at, added_by }]`. */
export const users = () => call('users');

// The hub this computer serves its communes with ("Làm máy chủ cho các xã", hub.js).

/** `{ available, exists, running, serve_on_unlock, port, default_port, urls, local_url, unit, hub_node_id, parent,
 * ledger: "own"|"elsewhere"|"none", ledger_hub, needs_parent_code, children, can_manage, error }` */
export const hubStatus = () => call('hub_status');

/** Starts the hub (made the first time, on `port`); a ledger that syncs with another hub needs that
 * hub's code of role hub (`parentCode`, at `parentUrl`, default the ledger's hub). Answers like hubStatus. */
export const hubStart = ({ port = null, parentUrl = null, parentCode = null } = {}) =>
  call('hub_start', { port, parentUrl, parentCode });

/** Stops the hub; answers like hubStatus. */
export const hubStop = () => call('hub_stop');

/** The units a code is issued for: `[{ code, name, level, path, parent_name, own }]`. */
export const hubUnits = () => call('hub_units');

/** A one-time enrolment code: `{ code, qr_svg, unit, unit_name, unit_path, role, expires, urls, local_url }`. */
export const hubIssueCode = ({ unit, role = null, days = null }) => call('hub_issue_code', { unit, role, days });

/** The ledgers and hubs enrolled here: `[{ node, unit, unit_name, unit_path, role, last_sync_at, revoked, this_computer }]`. */
export const hubChildren = () => call('hub_children');

/** Revokes an enrolled ledger or hub (a lost laptop); answers like hubChildren. */
export const hubRevoke = (node) => call('hub_revoke', { node });

export async function listenSyncStatus(handler) {
  const events = window.__TAURI__?.event;
  if (typeof events?.listen !== 'function') return null;
  return events.listen('sync://status', (event) => handler(event?.payload ?? null));
}
