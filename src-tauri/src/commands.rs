//! The commands the window calls (`ui/README.md` is the contract): each is one line over
//! [`sobaucu_app::App`], run off the window's thread, so a long duplicate search or report never
//! freezes the window. Errors reach the UI as `{kind, message, message_vi, fields}`.
//!
//! [`TauriHost`] gives the application layer the system's file dialogs, opening and printing
//! the files it wrote, and the window's events. No command takes a file path from the page: a
//! file written is named by the number the app gave it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use sobaucu_app::{App, AppError, FileKind, Host, PrintedVia, Reply, WrittenFile};
use sobaucu_core::ListQuery;
use tauri::{Emitter, State};
use tauri_plugin_dialog::DialogExt;

/// The desktop's side of [`Host`].
pub struct TauriHost {
    pub app: tauri::AppHandle,
}

impl TauriHost {
    /// Debug builds only: the window tests cannot drive the system's dialogs, so these
    /// variables answer them (`$SOBAUCU_EXPORT_DIR`: save into that folder under the suggested
    /// name; `$SOBAUCU_IMPORT_FILE`, `$SOBAUCU_BUNDLE_FILE`, `$SOBAUCU_BACKUP_FILE`: that file).
    /// A release build has no such switch.
    #[cfg(debug_assertions)]
    fn test_answer(kind: FileKind, suggested: Option<&str>) -> Option<PathBuf> {
        let var = |name: &str| std::env::var(name).ok().map(PathBuf::from);
        match (kind, suggested) {
            (FileKind::Import, _) => var("SOBAUCU_IMPORT_FILE"),
            (FileKind::Bundle, _) => var("SOBAUCU_BUNDLE_FILE"),
            (FileKind::Backup, _) => var("SOBAUCU_BACKUP_FILE"),
            (_, Some(name)) => var("SOBAUCU_EXPORT_DIR").map(|dir| dir.join(name)),
            (_, None) => None,
        }
    }

    #[cfg(not(debug_assertions))]
    fn test_answer(_kind: FileKind, _suggested: Option<&str>) -> Option<PathBuf> {
        None
    }

    /// Debug builds only: the window tests cannot see a file opened or printed, so with
    /// `$SOBAUCU_HOST_LOG` naming a file, opening and printing append a line to it instead
    /// (`open <path>`, `print <path>`) and launch nothing. True when it did.
    #[cfg(debug_assertions)]
    fn logged_instead(what: &str, path: &Path) -> std::io::Result<bool> {
        use std::io::Write;
        let Some(log) = std::env::var_os("SOBAUCU_HOST_LOG") else { return Ok(false) };
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        writeln!(file, "{what} {}", path.display())?;
        Ok(true)
    }

    #[cfg(not(debug_assertions))]
    fn logged_instead(_what: &str, _path: &Path) -> std::io::Result<bool> {
        Ok(false)
    }
}

/// Starts a program on a file and leaves it running (reaped on a thread of its own).
fn launch(program: &str, args: &[&std::ffi::OsStr]) -> std::io::Result<()> {
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Opens a file or folder with the system's default application: `xdg-open` on Linux and the
/// BSDs, `open` on macOS, Explorer on Windows.
fn open_with_system(path: &Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    launch(program, &[path.as_os_str()])
}

impl Host for TauriHost {
    fn choose_open(&self, kind: FileKind) -> Option<PathBuf> {
        if let Some(path) = Self::test_answer(kind, None) {
            return Some(path);
        }
        let picked = self.app.dialog().file().add_filter(kind.label(), kind.extensions()).blocking_pick_file();
        picked.and_then(|p| p.into_path().ok())
    }

    fn choose_save(&self, kind: FileKind, suggested: &str) -> Option<PathBuf> {
        if let Some(path) = Self::test_answer(kind, Some(suggested)) {
            return Some(path);
        }
        let picked = self
            .app
            .dialog()
            .file()
            .add_filter(kind.label(), kind.extensions())
            .set_file_name(suggested)
            .blocking_save_file();
        picked.and_then(|p| p.into_path().ok())
    }

    fn sync_status(&self, status: &Value) {
        let _ = self.app.emit("sync://status", status);
    }

    fn open_path(&self, path: &Path) -> std::io::Result<()> {
        if Self::logged_instead("open", path)? {
            return Ok(());
        }
        open_with_system(path)
    }

    /// On Windows the PDF application's own print command (`Start-Process -Verb Print`, which
    /// shows its print dialog or prints to the default printer); elsewhere the PDF opens in the
    /// default viewer, whose print dialog (Ctrl+P) chooses printer, pages and copies: a list of
    /// many pages is never sent to a printer unasked.
    fn print_file(&self, path: &Path) -> std::io::Result<PrintedVia> {
        if Self::logged_instead("print", path)? {
            return Ok(PrintedVia::Viewer);
        }
        if cfg!(target_os = "windows") {
            let quoted = path.display().to_string().replace('\'', "''");
            let command = format!("Start-Process -FilePath '{quoted}' -Verb Print");
            launch("powershell", &["-NoProfile".as_ref(), "-Command".as_ref(), command.as_ref()])?;
            return Ok(PrintedVia::System);
        }
        open_with_system(path)?;
        Ok(PrintedVia::Viewer)
    }
}

pub type AppState = Arc<App<TauriHost>>;

/// Runs `work` on a blocking thread of its own (the dialogs block, the core's work blocks).
async fn run<T: Send + 'static>(
    app: &State<'_, AppState>,
    work: impl FnOnce(&App<TauriHost>) -> Reply<T> + Send + 'static,
) -> Reply<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || work(&app)).await.map_err(|e| AppError::other("internal", &e, &e))?
}

#[tauri::command]
pub async fn app_info(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.app_info()).await
}

#[tauri::command]
pub async fn unlock(
    app: State<'_, AppState>,
    user: Option<String>,
    passphrase: String,
    create: Option<bool>,
) -> Reply<Value> {
    run(&app, move |a| a.unlock(user.as_deref(), &passphrase, create.unwrap_or(false))).await
}

#[tauri::command]
pub async fn lock(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.lock()).await
}

#[tauri::command]
pub async fn check_rules(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.check_rules()).await
}

#[tauri::command]
pub async fn candidate_confidence(app: State<'_, AppState>, level: Option<String>) -> Reply<Value> {
    run(&app, move |a| a.candidate_confidence(level.as_deref())).await
}

#[tauri::command]
pub async fn record_history(app: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    run(&app, move |a| a.record_history(&kind, &id)).await
}

#[tauri::command]
pub async fn list_units(app: State<'_, AppState>, scheme: String, parent: Option<String>) -> Reply<Value> {
    run(&app, move |a| a.list_units(&scheme, parent.as_deref())).await
}

#[tauri::command]
pub async fn search_units(app: State<'_, AppState>, scheme: String, query: String) -> Reply<Value> {
    run(&app, move |a| a.search_units(&scheme, &query)).await
}

#[tauri::command]
pub async fn init_ledger(
    app: State<'_, AppState>,
    unit: String,
    scheme: String,
    election_date: String,
    law: Option<String>,
) -> Reply<Value> {
    run(&app, move |a| a.init_ledger(&unit, &scheme, &election_date, law.as_deref())).await
}

#[tauri::command]
pub async fn election_date_check(app: State<'_, AppState>, election: String) -> Reply<Value> {
    run(&app, move |a| a.election_date_check(&election)).await
}

#[tauri::command]
pub async fn create_demo(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.create_demo()).await
}

#[tauri::command]
pub async fn schema(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| Ok(a.schema())).await
}

#[tauri::command]
pub async fn dashboard(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.dashboard()).await
}

#[tauri::command]
pub async fn list_records(app: State<'_, AppState>, kind: String, query: Option<ListQuery>) -> Reply<Value> {
    run(&app, move |a| a.list_records(&kind, &query.unwrap_or_default())).await
}

#[tauri::command]
pub async fn get_record(app: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    run(&app, move |a| a.get_record(&kind, &id)).await
}

#[tauri::command]
pub async fn save_record(
    app: State<'_, AppState>,
    kind: String,
    id: Option<String>,
    fields: Map<String, Value>,
) -> Reply<Value> {
    run(&app, move |a| a.save_record(&kind, id.as_deref(), &fields)).await
}

#[tauri::command]
pub async fn delete_record(app: State<'_, AppState>, kind: String, id: String) -> Reply<()> {
    run(&app, move |a| a.delete_record(&kind, &id)).await
}

#[tauri::command]
pub async fn report(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.report()).await
}

#[tauri::command]
pub async fn progress(app: State<'_, AppState>, unit: Option<String>) -> Reply<Value> {
    run(&app, move |a| a.progress(unit.as_deref())).await
}

#[tauri::command]
pub async fn sync_status(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.sync_status()).await
}

#[tauri::command]
pub async fn enroll_hub(app: State<'_, AppState>, url: String, code: String) -> Reply<Value> {
    run(&app, move |a| a.enroll_hub(&url, &code)).await
}

#[tauri::command]
pub async fn sync_now(app: State<'_, AppState>) -> Reply<()> {
    run(&app, |a| a.sync_now()).await
}

#[tauri::command]
pub async fn bundle_export(app: State<'_, AppState>) -> Reply<Option<Value>> {
    run(&app, |a| a.bundle_export()).await
}

#[tauri::command]
pub async fn bundle_import(app: State<'_, AppState>) -> Reply<Option<Value>> {
    run(&app, |a| a.bundle_import()).await
}

#[tauri::command]
pub async fn list_conflicts(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.list_conflicts()).await
}

#[tauri::command]
pub async fn list_refused(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.list_refused()).await
}

#[tauri::command]
pub async fn resolve_conflict(
    app: State<'_, AppState>,
    kind: String,
    id: String,
    field: String,
    value: Value,
) -> Reply<()> {
    run(&app, move |a| a.resolve_conflict(&kind, &id, &field, value)).await
}

#[tauri::command]
pub async fn election_day(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.election_day()).await
}

#[tauri::command]
pub async fn deleted(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.deleted()).await
}

#[tauri::command]
pub async fn undelete(app: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    run(&app, move |a| a.undelete(&kind, &id)).await
}

#[tauri::command]
pub async fn list_settlements(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.list_settlements()).await
}

#[tauri::command]
pub async fn settle_again(
    app: State<'_, AppState>,
    kind: String,
    id: String,
    field: String,
    value: Value,
) -> Reply<()> {
    run(&app, move |a| a.settle_again(&kind, &id, &field, value)).await
}

#[tauri::command]
pub async fn export_report(app: State<'_, AppState>, format: String) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.export_report(&format)).await
}

#[tauri::command]
pub async fn print_voter_list(app: State<'_, AppState>, polling_area: String) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.print_voter_list(&polling_area)).await
}

#[tauri::command]
pub async fn print_voter_lists(app: State<'_, AppState>) -> Reply<Option<WrittenFile>> {
    run(&app, |a| a.print_voter_lists()).await
}

#[tauri::command]
pub async fn print_candidates(app: State<'_, AppState>, level: Option<String>) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.print_candidates(level.as_deref())).await
}

#[tauri::command]
pub async fn print_count_minutes(
    app: State<'_, AppState>,
    polling_area: String,
    level: String,
) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.print_count_minutes(&polling_area, &level)).await
}

#[tauri::command]
pub async fn print_unit_result(app: State<'_, AppState>, electoral_unit: String) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.print_unit_result(&electoral_unit)).await
}

#[tauri::command]
pub async fn print_list(
    app: State<'_, AppState>,
    kind: String,
    query: Option<ListQuery>,
) -> Reply<Option<WrittenFile>> {
    run(&app, move |a| a.print_list(&kind, &query.unwrap_or_default())).await
}

#[tauri::command]
pub async fn open_written(app: State<'_, AppState>, file: u64, folder: Option<bool>) -> Reply<()> {
    run(&app, move |a| a.open_written(file, folder.unwrap_or(false))).await
}

#[tauri::command]
pub async fn print_written(app: State<'_, AppState>, file: u64) -> Reply<Value> {
    run(&app, move |a| a.print_written(file)).await
}

#[tauri::command]
pub async fn duplicates(app: State<'_, AppState>, all: Option<bool>) -> Reply<Value> {
    run(&app, move |a| a.duplicates(all.unwrap_or(false))).await
}

#[tauri::command]
pub async fn decide_duplicate(
    app: State<'_, AppState>,
    a: String,
    b: String,
    decision: String,
    removed: Option<String>,
    reason: Option<String>,
) -> Reply<Value> {
    run(&app, move |s| s.decide_duplicate(&a, &b, &decision, removed.as_deref(), reason.as_deref())).await
}

#[tauri::command]
pub async fn choose_import_file(app: State<'_, AppState>) -> Reply<Option<Value>> {
    run(&app, |a| a.choose_import_file()).await
}

#[tauri::command]
pub async fn save_template(app: State<'_, AppState>, kind: String) -> Reply<Option<Value>> {
    run(&app, move |a| a.save_template(&kind)).await
}

/// The import screen's choices arrive as one object (`ImportChoices`, snake_case keys).
#[tauri::command]
pub async fn import_preview(app: State<'_, AppState>, choices: sobaucu_core::api::ImportChoices) -> Reply<Value> {
    run(&app, move |a| a.import_preview(&choices)).await
}

#[tauri::command]
pub async fn import_file(app: State<'_, AppState>, choices: sobaucu_core::api::ImportChoices) -> Reply<Value> {
    run(&app, move |a| a.import_file(&choices)).await
}

#[tauri::command]
pub async fn imports(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.imports()).await
}

#[tauri::command]
pub async fn undo_import(app: State<'_, AppState>, id: i64) -> Reply<Value> {
    run(&app, move |a| a.undo_import(id)).await
}

#[tauri::command]
pub async fn backup(app: State<'_, AppState>) -> Reply<Option<Value>> {
    run(&app, |a| a.backup()).await
}

#[tauri::command]
pub async fn restore_backup(app: State<'_, AppState>, passphrase: String) -> Reply<Option<Value>> {
    run(&app, move |a| a.restore_backup(&passphrase)).await
}

#[tauri::command]
pub async fn users(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.users()).await
}

#[tauri::command]
pub async fn hub_status(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.hub_status()).await
}

#[tauri::command]
pub async fn hub_start(
    app: State<'_, AppState>,
    port: Option<u16>,
    parent_url: Option<String>,
    parent_code: Option<String>,
) -> Reply<Value> {
    run(&app, move |a| a.hub_start(port, parent_url.as_deref(), parent_code.as_deref())).await
}

#[tauri::command]
pub async fn hub_stop(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.hub_stop()).await
}

#[tauri::command]
pub async fn hub_units(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.hub_units()).await
}

#[tauri::command]
pub async fn hub_issue_code(
    app: State<'_, AppState>,
    unit: String,
    role: Option<String>,
    days: Option<u32>,
) -> Reply<Value> {
    run(&app, move |a| a.hub_issue_code(&unit, role.as_deref(), days)).await
}

#[tauri::command]
pub async fn hub_children(app: State<'_, AppState>) -> Reply<Value> {
    run(&app, |a| a.hub_children()).await
}

#[tauri::command]
pub async fn hub_revoke(app: State<'_, AppState>, node: String) -> Reply<Value> {
    run(&app, move |a| a.hub_revoke(&node)).await
}
