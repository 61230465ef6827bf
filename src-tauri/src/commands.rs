//! The commands the window calls (`ui/README.md` is the contract). Each is a line or two over
//! sobaucu-core; errors reach the UI as `{kind, message, message_vi, fields}`.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value};
use sobaucu_core::api;
use sobaucu_core::kinds::Kind;
use sobaucu_core::{ListQuery, Store};
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::sync::SyncWorker;

/// The ledger, shared by every command: locked (None) until the user gives a passphrase.
pub struct AppState {
    store: Mutex<Option<Store>>,
    dir: PathBuf,
}

impl AppState {
    pub fn new(dir: PathBuf) -> AppState {
        AppState { store: Mutex::new(None), dir }
    }

    /// A connection of its own to the open ledger, for work off the window's thread.
    fn second_connection(&self) -> Reply<Store> {
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        Ok(guard.as_ref().ok_or_else(locked)?.reopen()?)
    }
}

fn locked() -> UiError {
    UiError::other("locked", "the ledger is locked: enter your passphrase", "sổ đang khóa: hãy nhập mật khẩu")
}

/// The error payload the UI receives.
#[derive(Debug, Serialize)]
pub struct UiError {
    kind: &'static str,
    message: String,
    message_vi: String,
    fields: Vec<sobaucu_core::FieldError>,
}

impl UiError {
    fn other(kind: &'static str, en: impl ToString, vi: impl ToString) -> UiError {
        UiError { kind, message: en.to_string(), message_vi: vi.to_string(), fields: Vec::new() }
    }
}

impl From<sobaucu_client::ClientError> for UiError {
    fn from(e: sobaucu_client::ClientError) -> Self {
        let vi = match &e {
            sobaucu_client::ClientError::Unreachable { .. } => "Không kết nối được máy chủ".to_string(),
            sobaucu_client::ClientError::Refused(why) => format!("Máy chủ từ chối: {why}"),
            sobaucu_client::ClientError::Legacy => {
                "Sổ đã đăng ký với máy chủ theo phiên bản cũ: hãy xin mã mới và đăng ký lại; dữ liệu được giữ nguyên"
                    .to_string()
            }
            sobaucu_client::ClientError::Pending { pending, .. } => {
                format!("Còn {pending} thay đổi chưa gửi được; sẽ thử lại")
            }
            other => other.to_string(),
        };
        UiError::other("sync", e.to_string(), vi)
    }
}

impl From<sobaucu_core::Error> for UiError {
    fn from(e: sobaucu_core::Error) -> Self {
        UiError { kind: e.kind(), message: e.to_string(), message_vi: e.message_vi(), fields: e.fields().to_vec() }
    }
}

type Reply<T> = Result<T, UiError>;

fn with<T>(state: &State<'_, AppState>, f: impl FnOnce(&mut Store) -> sobaucu_core::Result<T>) -> Reply<T> {
    let mut guard = state.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let store = guard.as_mut().ok_or_else(locked)?;
    f(store).map_err(UiError::from)
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Reply<Value> {
    let guard = state.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match guard.as_ref() {
        Some(store) => Ok(api::app_info(store)?),
        None => Ok(api::lock_state(&state.dir)?),
    }
}

/// Opens the ledger with a user's passphrase (Argon2id takes a moment: off the window's
/// thread), or creates it when there is none (`create`: the user becomes its chair).
#[tauri::command]
pub async fn unlock(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    user: Option<String>,
    passphrase: String,
    create: Option<bool>,
) -> Reply<Value> {
    let dir = state.dir.clone();
    let store = tauri::async_runtime::spawn_blocking(move || {
        let credentials = sobaucu_core::vault::Credentials::new(user.as_deref(), &passphrase);
        if create.unwrap_or(false) {
            if sobaucu_core::store::exists(&dir) {
                return Err(sobaucu_core::Error::AlreadyInitialized(dir.display().to_string()));
            }
            sobaucu_core::vault::check_new_passphrase(&passphrase)?;
            Store::open(&dir, &credentials)
        } else {
            Store::open_existing(&dir, &credentials)
        }
    })
    .await
    .map_err(|e| UiError::other("internal", &e, &e))??;
    worker.attach(store.reopen_for_background_sync()?);
    let info = api::app_info(&store)?;
    *state.store.lock().unwrap_or_else(|p| p.into_inner()) = Some(store);
    Ok(info)
}

/// Closes the ledger: the passphrase is asked again.
#[tauri::command]
pub fn lock(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> Reply<Value> {
    worker.detach();
    *state.store.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(api::lock_state(&state.dir)?)
}

#[tauri::command]
pub fn record_history(state: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    with(&state, |s| api::history(s, &kind, &id))
}

#[tauri::command]
pub fn list_units(scheme: String, parent: Option<String>) -> Reply<Value> {
    api::list_units(&scheme, parent.as_deref()).map_err(UiError::from)
}

#[tauri::command]
pub fn search_units(scheme: String, query: String) -> Reply<Value> {
    api::search_units(&scheme, &query).map_err(UiError::from)
}

#[tauri::command]
pub fn init_ledger(
    state: State<'_, AppState>,
    unit: String,
    scheme: String,
    election_date: String,
    law: Option<String>,
) -> Reply<Value> {
    with(&state, |s| api::init_ledger(s, &unit, &scheme, &election_date, law.as_deref()))
}

#[tauri::command]
pub fn create_demo(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, api::create_demo)
}

#[tauri::command]
pub fn schema() -> Value {
    api::schema()
}

#[tauri::command]
pub fn dashboard(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::dashboard(s))
}

#[tauri::command]
pub fn list_records(state: State<'_, AppState>, kind: String, query: Option<ListQuery>) -> Reply<Value> {
    with(&state, |s| api::list_records(s, &kind, &query.unwrap_or_default()))
}

#[tauri::command]
pub fn get_record(state: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    with(&state, |s| api::get_record(s, &kind, &id))
}

#[tauri::command]
pub fn save_record(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    kind: String,
    id: Option<String>,
    fields: Map<String, Value>,
) -> Reply<Value> {
    let saved = with(&state, |s| api::save_record(s, &kind, id.as_deref(), &fields))?;
    worker.changed();
    Ok(saved)
}

#[tauri::command]
pub fn delete_record(state: State<'_, AppState>, worker: State<'_, SyncWorker>, kind: String, id: String) -> Reply<()> {
    with(&state, |s| api::delete_record(s, &kind, &id))?;
    worker.changed();
    Ok(())
}

#[tauri::command]
pub fn report(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::report(s))
}

#[tauri::command]
pub fn progress(state: State<'_, AppState>, unit: Option<String>) -> Reply<Value> {
    with(&state, |s| api::progress(s, unit.as_deref()))
}

#[tauri::command]
pub fn sync_status(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> Reply<Value> {
    with(&state, |s| Ok(worker.status(s)))
}

/// Runs network or file work off the window's thread, on its own connection to the ledger.
async fn off_thread<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut Store) -> Result<T, UiError> + Send + 'static,
) -> Reply<T> {
    let mut store = state.second_connection()?;
    tauri::async_runtime::spawn_blocking(move || work(&mut store))
        .await
        .map_err(|e| UiError::other("internal", e.to_string(), e.to_string()))?
}

#[tauri::command]
pub async fn enroll_hub(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    url: String,
    code: String,
) -> Reply<Value> {
    off_thread(&state, move |store| {
        sobaucu_client::enroll(store, &url, &code, sobaucu_protocol::Role::Node)?;
        Ok(())
    })
    .await?;
    worker.sync_now();
    with(&state, |s| Ok(worker.status(s)))
}

#[tauri::command]
pub fn sync_now(worker: State<'_, SyncWorker>) {
    worker.sync_now();
}

/// Runs the system's file dialog off the main thread and answers with the chosen path (None:
/// cancelled). `seam` — set from an environment variable by the window tests, which cannot drive
/// the system's dialog — answers instead.
async fn file_dialog(
    seam: Option<String>,
    ask: impl FnOnce() -> Option<tauri_plugin_dialog::FilePath> + Send + 'static,
) -> Reply<Option<String>> {
    if let Some(path) = seam {
        return Ok(Some(path));
    }
    tauri::async_runtime::spawn_blocking(move || {
        ask().and_then(|p| p.into_path().ok()).map(|p| p.display().to_string())
    })
    .await
    .map_err(|e| UiError::other("internal", &e, &e))
}

/// A USB bundle to write (`save`) or to read; `$SOBAUCU_BUNDLE_FILE` answers in tests.
#[tauri::command]
pub async fn choose_bundle_file(app: tauri::AppHandle, save: bool) -> Reply<Option<String>> {
    file_dialog(std::env::var("SOBAUCU_BUNDLE_FILE").ok(), move || {
        let dialog = app.dialog().file().add_filter("Sổ Bầu Cử (.sbc)", &["sbc"]);
        if save {
            dialog
                .set_file_name(format!("sobaucu-{}.sbc", chrono::Local::now().format("%Y%m%d-%H%M")))
                .blocking_save_file()
        } else {
            dialog.blocking_pick_file()
        }
    })
    .await
}

#[tauri::command]
pub async fn bundle_export(state: State<'_, AppState>, path: String) -> Reply<Value> {
    off_thread(&state, move |store| {
        let (bytes, changes) = sobaucu_client::bundle::export_up(store)?;
        sobaucu_core::files::write_whole(std::path::Path::new(&path), &bytes).map_err(|e| {
            UiError::other("input", format!("{path}: {e}"), format!("{path}: không ghi được tệp ({e})"))
        })?;
        Ok(serde_json::json!({"path": path, "changes": changes, "bytes": bytes.len()}))
    })
    .await
}

#[tauri::command]
pub async fn bundle_import(state: State<'_, AppState>, worker: State<'_, SyncWorker>, path: String) -> Reply<Value> {
    let report = off_thread(&state, move |store| {
        let file = std::fs::File::open(&path).map_err(|e| {
            UiError::other("input", format!("{path}: {e}"), format!("{path}: không đọc được tệp ({e})"))
        })?;
        let report = sobaucu_client::bundle::import_down(store, std::io::BufReader::new(file))?;
        Ok(serde_json::json!({"changes": report.changes, "batches": report.batches, "already_had": report.already_had}))
    })
    .await?;
    worker.changed();
    Ok(report)
}

#[tauri::command]
pub fn list_conflicts(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| Ok(serde_json::to_value(s.conflicts()?).unwrap_or_default()))
}

/// This ledger's changes the hub refused (and changes refused on arrival), with the reasons.
#[tauri::command]
pub fn list_refused(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| Ok(serde_json::to_value(s.refused()?).unwrap_or_default()))
}

#[tauri::command]
pub fn resolve_conflict(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    kind: String,
    id: String,
    field: String,
    value: Value,
) -> Reply<()> {
    with(&state, |s| s.resolve(Kind::require(&kind)?, id.parse()?, &field, value))?;
    worker.changed();
    Ok(())
}

/// A file to save an export or a print-out to, chosen in the system's save dialog, starting
/// from `suggested` (e.g. `bao-cao.xlsx`). `$SOBAUCU_EXPORT_DIR`, when set, answers instead
/// with `suggested` inside that directory.
#[tauri::command]
pub async fn choose_export_file(app: tauri::AppHandle, suggested: String) -> Reply<Option<String>> {
    let name = PathBuf::from(&suggested).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let seam = std::env::var("SOBAUCU_EXPORT_DIR").ok().map(|dir| PathBuf::from(dir).join(&name).display().to_string());
    file_dialog(seam, move || {
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_string()).unwrap_or_default();
        let filter = if extension == "xlsx" { "Excel (.xlsx)" } else { "PDF (.pdf)" };
        app.dialog().file().add_filter(filter, &[extension.as_str()]).set_file_name(name).blocking_save_file()
    })
    .await
}

#[tauri::command]
pub async fn export_report(state: State<'_, AppState>, format: String, path: String) -> Reply<sobaucu_print::Written> {
    off_thread(&state, move |s| {
        Ok(sobaucu_print::export_report(s, sobaucu_print::ReportFormat::parse(&format)?, path.as_ref())?)
    })
    .await
}

#[tauri::command]
pub async fn print_voter_list(
    state: State<'_, AppState>,
    polling_area: String,
    path: String,
) -> Reply<sobaucu_print::Written> {
    off_thread(&state, move |s| Ok(sobaucu_print::print_voter_list(s, &polling_area, path.as_ref())?)).await
}

#[tauri::command]
pub async fn print_candidates(
    state: State<'_, AppState>,
    level: Option<String>,
    path: String,
) -> Reply<sobaucu_print::Written> {
    off_thread(&state, move |s| Ok(sobaucu_print::print_candidates(s, level.as_deref(), path.as_ref())?)).await
}

#[tauri::command]
pub fn duplicates(state: State<'_, AppState>, all: Option<bool>) -> Reply<Value> {
    with(&state, |s| api::duplicates(s, all.unwrap_or(false)))
}

#[tauri::command]
pub fn decide_duplicate(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    a: String,
    b: String,
    decision: String,
    removed: Option<String>,
    reason: Option<String>,
) -> Reply<Value> {
    let decided = with(&state, |s| api::decide_duplicate(s, &a, &b, &decision, removed.as_deref(), reason.as_deref()))?;
    worker.changed();
    Ok(decided)
}

/// A spreadsheet (or JSONL file) to import, chosen in the system's dialog;
/// `$SOBAUCU_IMPORT_FILE` answers in tests.
#[tauri::command]
pub async fn choose_import_file(app: tauri::AppHandle) -> Reply<Option<String>> {
    file_dialog(std::env::var("SOBAUCU_IMPORT_FILE").ok(), move || {
        app.dialog().file().add_filter("Excel, CSV, JSONL", &["xlsx", "csv", "jsonl"]).blocking_pick_file()
    })
    .await
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: String,
    kind: Option<String>,
    defaults: Option<Map<String, Value>>,
) -> Reply<Value> {
    off_thread(&state, move |s| Ok(api::import_preview(s, &path, kind.as_deref(), defaults.as_ref())?)).await
}

#[tauri::command]
pub async fn import_file(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    path: String,
    kind: Option<String>,
    defaults: Option<Map<String, Value>>,
) -> Reply<Value> {
    let summary =
        off_thread(&state, move |s| Ok(api::import_file(s, &path, kind.as_deref(), defaults.as_ref())?)).await?;
    worker.changed();
    Ok(summary)
}

#[tauri::command]
pub fn imports(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::imports(s))
}

#[tauri::command]
pub fn undo_import(state: State<'_, AppState>, worker: State<'_, SyncWorker>, id: i64) -> Reply<Value> {
    let undone = with(&state, |s| api::undo_import(s, id))?;
    worker.changed();
    Ok(undone)
}
