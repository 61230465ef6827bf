//! sobaucu-app: the desktop app's application layer. Every operation the window offers is one
//! method of [`App`], over the core ([`sobaucu_core::api`]), the sync client and the
//! print-outs; the Tauri commands are one line each over these methods, and these methods are
//! tested without a window (`tests/app_layer.rs`).
//!
//! What only the desktop can do is behind [`Host`]: the system's file dialogs (a file path is
//! never taken from the page: the operation that reads or writes a file asks the host which
//! one), opening and printing a file the app wrote, the clock used in suggested file names, and
//! the events that tell the window the sync's status. The page refers to a file written by the
//! number it was given when written ([`WrittenFile::file`]), never by its path. The ledger is
//! locked until a user gives a passphrase ([`App::unlock`]).
//!
//! Every method blocks; the shell runs each off the window's thread. Long work (imports,
//! print-outs, bundles, enrolment, backups) runs on a connection of its own, so the window's
//! other calls are not held behind it.

mod hub;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value, json};
use sobaucu_core::access::Action;
use sobaucu_core::kinds::Kind;
use sobaucu_core::vault::Credentials;
use sobaucu_core::{ListQuery, Store, api};

pub use hub::DEFAULT_PORT as DEFAULT_HUB_PORT;
pub use sync::SyncWorker;

/// What a file dialog is for: it picks the dialog's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A USB bundle (`.sbc`).
    Bundle,
    /// A spreadsheet, CSV or JSONL file to import.
    Import,
    /// An Excel workbook (`.xlsx`).
    Excel,
    /// A PDF print-out.
    Pdf,
    /// A backup of the ledger (`.sbk`).
    Backup,
}

impl FileKind {
    /// The extensions the dialog offers.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Bundle => &["sbc"],
            FileKind::Import => &["xlsx", "csv", "jsonl"],
            FileKind::Excel => &["xlsx"],
            FileKind::Pdf => &["pdf"],
            FileKind::Backup => &["sbk"],
        }
    }

    /// The filter's name.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Bundle => "Sổ Bầu Cử (.sbc)",
            FileKind::Import => "Excel, CSV, JSONL",
            FileKind::Excel => "Excel (.xlsx)",
            FileKind::Pdf => "PDF (.pdf)",
            FileKind::Backup => "Sao lưu Sổ Bầu Cử (.sbk)",
        }
    }
}

/// How [`Host::print_file`] printed a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintedVia {
    /// Handed to the system's printing (its print dialog or the default printer).
    System,
    /// Opened in the system's PDF viewer, to be printed from its print dialog.
    Viewer,
}

/// What the desktop provides to the application layer.
pub trait Host: Send + Sync + 'static {
    /// A file to read, chosen by the user; None when the dialog is cancelled.
    fn choose_open(&self, kind: FileKind) -> Option<PathBuf>;
    /// A file to write, chosen by the user starting from `suggested` (a file name).
    fn choose_save(&self, kind: FileKind, suggested: &str) -> Option<PathBuf>;
    /// Today's date, for the names suggested to save files under.
    fn today(&self) -> chrono::NaiveDate {
        sobaucu_core::today()
    }
    /// The sync's status changed (the window shows it at once).
    fn sync_status(&self, status: &Value);
    /// Opens a file or a folder the app wrote with the system's default application.
    fn open_path(&self, path: &Path) -> std::io::Result<()> {
        let _ = path;
        Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "this host opens no files"))
    }
    /// Prints a PDF the app wrote with the system's printing.
    fn print_file(&self, path: &Path) -> std::io::Result<PrintedVia> {
        let _ = path;
        Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "this host prints no files"))
    }
}

/// A file written where the user chose (a print-out, the report): what it holds, and the number
/// the window gives back to open, show or print it ([`App::open_written`],
/// [`App::print_written`]).
#[derive(Debug, Clone, Serialize)]
pub struct WrittenFile {
    #[serde(flatten)]
    pub written: sobaucu_print::Written,
    /// The number of this file among those written since the ledger was unlocked.
    pub file: u64,
    /// Whether it is a PDF (the window offers to print it).
    pub pdf: bool,
}

impl std::ops::Deref for WrittenFile {
    type Target = sobaucu_print::Written;
    fn deref(&self) -> &sobaucu_print::Written {
        &self.written
    }
}

/// How many written files the app remembers for the window (the latest).
const FILES_KEPT: usize = 50;

/// An error as the window receives it: `{kind, message, message_vi, fields}`.
#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub kind: &'static str,
    pub message: String,
    pub message_vi: String,
    pub fields: Vec<sobaucu_core::FieldError>,
}

impl AppError {
    pub fn other(kind: &'static str, en: impl ToString, vi: impl ToString) -> AppError {
        AppError { kind, message: en.to_string(), message_vi: vi.to_string(), fields: Vec::new() }
    }

    fn locked() -> AppError {
        AppError::other("locked", "the ledger is locked: enter your passphrase", "sổ đang khóa: hãy nhập mật khẩu")
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<sobaucu_core::Error> for AppError {
    fn from(e: sobaucu_core::Error) -> Self {
        AppError { kind: e.kind(), message: e.to_string(), message_vi: e.message_vi(), fields: e.fields().to_vec() }
    }
}

impl From<sobaucu_client::ClientError> for AppError {
    fn from(e: sobaucu_client::ClientError) -> Self {
        AppError::other("sync", e.to_string(), sync::vietnamese(&e))
    }
}

pub type Reply<T> = Result<T, AppError>;

/// The desktop app's state and operations.
pub struct App<H: Host> {
    host: std::sync::Arc<H>,
    dir: PathBuf,
    /// The open ledger; None while locked.
    store: Mutex<Option<Store>>,
    /// The file chosen to import (previewed, then imported): the page never names a path.
    import_file: Mutex<Option<PathBuf>>,
    sync: SyncWorker,
    /// The hub this computer serves its communes with, if it does ([`hub`]).
    hub: std::sync::Arc<hub::HostedHub>,
    /// The files written since the ledger was unlocked, by number, latest last.
    written: Mutex<Vec<(u64, PathBuf)>>,
    next_file: std::sync::atomic::AtomicU64,
}

impl<H: Host> App<H> {
    /// The app over the ledger folder `dir`, locked.
    pub fn new(host: H, dir: PathBuf) -> App<H> {
        let host = std::sync::Arc::new(host);
        let sync = SyncWorker::start(host.clone());
        let hub = std::sync::Arc::new(hub::HostedHub::new(&dir));
        App {
            host,
            dir,
            store: Mutex::new(None),
            import_file: Mutex::new(None),
            sync,
            hub,
            written: Mutex::new(Vec::new()),
            next_file: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The host the app was made with.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The ledger folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> sobaucu_core::Result<T>) -> Reply<T> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let store = guard.as_mut().ok_or_else(AppError::locked)?;
        Ok(f(store)?)
    }

    /// A connection of its own to the open ledger, for long work.
    fn second(&self) -> Reply<Store> {
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        Ok(guard.as_ref().ok_or_else(AppError::locked)?.reopen()?)
    }

    /// Whether the ledger is open, and what it is (or, locked, its users).
    pub fn app_info(&self) -> Reply<Value> {
        let guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(store) => {
                let mut info = api::app_info(store)?;
                info["last_backup_at"] = json!(store.last_backup_at()?);
                info["today"] = json!(self.host.today());
                Ok(info)
            }
            None => {
                let mut info = api::lock_state(&self.dir)?;
                info["today"] = json!(self.host.today());
                Ok(info)
            }
        }
    }

    /// Opens the ledger with a user's passphrase, or creates it (`create`: the user is its
    /// chair). A wrong passphrase changes nothing.
    pub fn unlock(&self, user: Option<&str>, passphrase: &str, create: bool) -> Reply<Value> {
        let credentials = Credentials::new(user, passphrase);
        let store = if create {
            if sobaucu_core::store::exists(&self.dir) {
                return Err(sobaucu_core::Error::AlreadyInitialized(self.dir.display().to_string()).into());
            }
            sobaucu_core::vault::check_new_passphrase(passphrase)?;
            Store::open(&self.dir, &credentials)?
        } else {
            Store::open_existing(&self.dir, &credentials)?
        };
        self.sync.attach(store.reopen_for_background_sync()?);
        let serve = self.hub.unlocked(&store.actor().name, passphrase);
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = Some(store);
        if serve {
            self.serve_again();
        }
        self.app_info()
    }

    /// Closes the ledger: the passphrase is asked again.
    pub fn lock(&self) -> Reply<Value> {
        self.hub.locked();
        self.sync.detach();
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *self.import_file.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.written.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(api::lock_state(&self.dir)?)
    }

    pub fn list_units(&self, scheme: &str, parent: Option<&str>) -> Reply<Value> {
        Ok(api::list_units(scheme, parent)?)
    }

    pub fn search_units(&self, scheme: &str, query: &str) -> Reply<Value> {
        Ok(api::search_units(scheme, query)?)
    }

    pub fn init_ledger(&self, unit: &str, scheme: &str, election: &str, law: Option<&str>) -> Reply<Value> {
        let node = self.with(|s| api::init_ledger(s, unit, scheme, election, law))?;
        self.restart_sync()?;
        Ok(node)
    }

    /// Whether to ask before taking an election date (in the past, or over a year ahead of the
    /// host's today): `{ message, message_vi }`, or null.
    pub fn election_date_check(&self, election: &str) -> Reply<Value> {
        Ok(api::election_date_check(election, self.host.today())?)
    }

    pub fn create_demo(&self) -> Reply<Value> {
        let node = self.with(api::create_demo)?;
        self.restart_sync()?;
        Ok(node)
    }

    /// Gives the background sync a new connection once the ledger knows what it is.
    fn restart_sync(&self) -> Reply<()> {
        let store = self.with(|s| s.reopen_for_background_sync())?;
        self.sync.attach(store);
        Ok(())
    }

    pub fn schema(&self) -> Value {
        api::schema()
    }

    pub fn dashboard(&self) -> Reply<Value> {
        self.with(|s| api::dashboard(s))
    }

    pub fn list_records(&self, kind: &str, query: &ListQuery) -> Reply<Value> {
        self.with(|s| api::list_records(s, kind, query))
    }

    pub fn get_record(&self, kind: &str, id: &str) -> Reply<Value> {
        self.with(|s| api::get_record(s, kind, id))
    }

    /// Every violation and warning of the law's rules in the ledger.
    pub fn check_rules(&self) -> Reply<Value> {
        self.with(|s| api::check(s))
    }

    /// The candidates (of `level`) with the confidence their voter conferences gave them.
    pub fn candidate_confidence(&self, level: Option<&str>) -> Reply<Value> {
        self.with(|s| api::candidate_confidence(s, level))
    }

    pub fn record_history(&self, kind: &str, id: &str) -> Reply<Value> {
        self.with(|s| api::history(s, kind, id))
    }

    pub fn save_record(&self, kind: &str, id: Option<&str>, fields: &Map<String, Value>) -> Reply<Value> {
        let saved = self.with(|s| api::save_record(s, kind, id, fields))?;
        self.sync.changed();
        Ok(saved)
    }

    pub fn delete_record(&self, kind: &str, id: &str) -> Reply<()> {
        self.with(|s| api::delete_record(s, kind, id))?;
        self.sync.changed();
        Ok(())
    }

    pub fn report(&self) -> Reply<Value> {
        self.with(|s| api::report(s))
    }

    pub fn progress(&self, unit: Option<&str>) -> Reply<Value> {
        self.with(|s| api::progress(s, unit))
    }

    pub fn sync_status(&self) -> Reply<Value> {
        self.with(|s| Ok(self.sync.status(s)))
    }

    /// Enrols the ledger with a hub, then syncs at once.
    pub fn enroll_hub(&self, url: &str, code: &str) -> Reply<Value> {
        let mut store = self.second()?;
        store.require(Action::Sync)?;
        sobaucu_client::enroll(&mut store, url, code, sobaucu_protocol::Role::Node)?;
        self.sync.sync_now();
        self.sync_status()
    }

    /// Syncs as soon as possible (the background sync runs it).
    pub fn sync_now(&self) -> Reply<()> {
        self.with(|s| s.require(Action::Sync))?;
        self.sync.sync_now();
        Ok(())
    }

    /// Writes a USB bundle for the hub, where the user chooses; None when cancelled.
    pub fn bundle_export(&self) -> Reply<Option<Value>> {
        let mut store = self.second()?;
        store.require(Action::Sync)?;
        let suggested = format!("sobaucu-{}.sbc", chrono::Local::now().format("%Y%m%d-%H%M"));
        let Some(path) = self.host.choose_save(FileKind::Bundle, &suggested) else { return Ok(None) };
        let (bytes, changes) = sobaucu_client::bundle::export_up(&mut store)?;
        sobaucu_core::files::write_whole(&path, &bytes)?;
        Ok(Some(json!({"path": path.display().to_string(), "changes": changes, "bytes": bytes.len()})))
    }

    /// Applies a USB bundle from the hub, chosen by the user; None when cancelled.
    pub fn bundle_import(&self) -> Reply<Option<Value>> {
        let mut store = self.second()?;
        store.require(Action::Sync)?;
        let Some(path) = self.host.choose_open(FileKind::Bundle) else { return Ok(None) };
        let file = std::fs::File::open(&path).map_err(|e| {
            let p = path.display();
            AppError::other("input", format!("{p}: {e}"), format!("{p}: không đọc được tệp ({e})"))
        })?;
        let report = sobaucu_client::bundle::import_down(&mut store, std::io::BufReader::new(file))?;
        self.sync.changed();
        Ok(Some(json!({"changes": report.changes, "batches": report.batches, "already_had": report.already_had})))
    }

    pub fn list_conflicts(&self) -> Reply<Value> {
        self.with(|s| Ok(serde_json::to_value(s.conflicts()?).unwrap_or_default()))
    }

    /// This ledger's changes the hub refused (and changes refused on arrival), with the reasons.
    pub fn list_refused(&self) -> Reply<Value> {
        self.with(|s| Ok(serde_json::to_value(s.refused()?).unwrap_or_default()))
    }

    /// Election day at a glance: the hours, every area's turnout and minutes, the units below,
    /// the results.
    pub fn election_day(&self) -> Reply<Value> {
        self.with(|s| api::election_day(s))
    }

    /// The bin: records deleted (not voters, whose removal is a legal change of the list), the
    /// latest first.
    pub fn deleted(&self) -> Reply<Value> {
        self.with(|s| Ok(Value::Array(s.deleted(None)?)))
    }

    /// Brings a deleted record back (one more change, which syncs).
    pub fn undelete(&self, kind: &str, id: &str) -> Reply<Value> {
        let record = self.with(|s| s.undelete(Kind::require(kind)?, id.parse()?))?;
        self.sync.changed();
        Ok(record)
    }

    /// Every settled conflict, the latest first, with the values it chose among.
    pub fn list_settlements(&self) -> Reply<Value> {
        self.with(|s| Ok(serde_json::to_value(s.settlements()?).unwrap_or_default()))
    }

    /// Settles a settled conflict again another way: one more change of the field (it syncs,
    /// so every node agrees); the settlement stays in the history.
    pub fn settle_again(&self, kind: &str, id: &str, field: &str, value: Value) -> Reply<()> {
        let mut fields = Map::new();
        fields.insert(field.to_string(), value);
        self.with(|s| api::save_record(s, kind, Some(id), &fields).map(|_| ()))?;
        self.sync.changed();
        Ok(())
    }

    pub fn resolve_conflict(&self, kind: &str, id: &str, field: &str, value: Value) -> Reply<()> {
        self.with(|s| s.resolve(Kind::require(kind)?, id.parse()?, field, value))?;
        self.sync.changed();
        Ok(())
    }

    fn unit_code(&self) -> Reply<String> {
        self.with(|s| Ok(s.node()?.unit.to_string()))
    }

    fn stamp(&self) -> String {
        self.host.today().format("%Y%m%d").to_string()
    }

    /// The report as Excel (`xlsx`) or PDF, where the user chooses; None when cancelled.
    pub fn export_report(&self, format: &str) -> Reply<Option<WrittenFile>> {
        let format = sobaucu_print::ReportFormat::parse(format)?;
        let store = self.second()?;
        store.require(Action::Print)?;
        let (kind, extension) = match format {
            sobaucu_print::ReportFormat::Xlsx => (FileKind::Excel, "xlsx"),
            _ => (FileKind::Pdf, "pdf"),
        };
        let suggested = format!("bao-cao-{}-{}.{extension}", self.unit_code()?, self.stamp());
        let Some(path) = self.host.choose_save(kind, &suggested) else { return Ok(None) };
        Ok(Some(self.keep(sobaucu_print::export_report(&store, format, &path)?, &path)))
    }

    /// A blank sheet to fill for `kind`, where the user chooses (the import screen's "Tải mẫu").
    pub fn save_template(&self, kind: &str) -> Reply<Option<Value>> {
        let kind = sobaucu_core::Kind::require(kind)?;
        let scheme = self.with(|s| Ok(s.node()?.scheme))?;
        let suggested = format!("mau-{}.xlsx", kind.as_str().replace('_', "-"));
        let Some(path) = self.host.choose_save(FileKind::Excel, &suggested) else { return Ok(None) };
        sobaucu_core::transfer::template(kind, &sobaucu_core::kinds::ballot_levels(scheme), &path)?;
        Ok(Some(json!({"path": path.display().to_string()})))
    }

    /// The voter list (Mẫu 33) of a polling area as PDF, where the user chooses.
    pub fn print_voter_list(&self, polling_area: &str) -> Reply<Option<WrittenFile>> {
        let store = self.second()?;
        store.require(Action::Print)?;
        let number = api::get_record(&store, "polling_area", polling_area)?.get("number").and_then(Value::as_i64);
        let suggested = match number {
            Some(n) => format!("danh-sach-cu-tri-kvbp-{n}.pdf"),
            None => "danh-sach-cu-tri.pdf".to_string(),
        };
        let Some(path) = self.host.choose_save(FileKind::Pdf, &suggested) else { return Ok(None) };
        Ok(Some(self.keep(sobaucu_print::print_voter_list(&store, polling_area, &path)?, &path)))
    }

    /// The voter lists (Mẫu 33) of every polling area in one PDF, each area from a new page with
    /// page numbers of its own, where the user chooses.
    pub fn print_voter_lists(&self) -> Reply<Option<WrittenFile>> {
        let store = self.second()?;
        store.require(Action::Print)?;
        let Some(path) = self.host.choose_save(FileKind::Pdf, "danh-sach-cu-tri-tat-ca-kvbp.pdf") else {
            return Ok(None);
        };
        Ok(Some(self.keep(sobaucu_print::print_voter_lists(&store, &path)?, &path)))
    }

    /// The whole list of `kind` as PDF: every record matching the list's search, unit and field
    /// filters in `query` (its offset and limit ignored), where the user chooses.
    pub fn print_list(&self, kind: &str, query: &ListQuery) -> Reply<Option<WrittenFile>> {
        let kind = Kind::require(kind)?;
        let store = self.second()?;
        store.require(Action::Print)?;
        let slug: String = sobaucu_core::text::fold(kind.def().vi)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let suggested = format!("danh-sach-{slug}-{}.pdf", self.stamp());
        let Some(path) = self.host.choose_save(FileKind::Pdf, &suggested) else { return Ok(None) };
        let written = sobaucu_print::print_list(&store, kind, query, self.host.today(), &path)?;
        Ok(Some(self.keep(written, &path)))
    }

    /// The candidate list of one level (or every level) as PDF, where the user chooses.
    pub fn print_candidates(&self, level: Option<&str>) -> Reply<Option<WrittenFile>> {
        let store = self.second()?;
        store.require(Action::Print)?;
        let suggested = format!("danh-sach-ung-cu{}.pdf", level.map(|l| format!("-{l}")).unwrap_or_default());
        let Some(path) = self.host.choose_save(FileKind::Pdf, &suggested) else { return Ok(None) };
        Ok(Some(self.keep(sobaucu_print::print_candidates(&store, level, &path)?, &path)))
    }

    /// The team's counting minutes of a polling area and a level as PDF, where the user chooses.
    /// Drawn before the dialog opens, so an area with no minutes of that level is said at once.
    pub fn print_count_minutes(&self, polling_area: &str, level: &str) -> Reply<Option<WrittenFile>> {
        let store = self.second()?;
        store.require(Action::Print)?;
        let minutes = sobaucu_print::minutes::count_minutes(&store.db(), store.node()?, polling_area, level)?;
        self.save_minutes(minutes)
    }

    /// The board's minutes of an electoral unit's result as PDF (TẠM TÍNH while some polling
    /// area has not counted), where the user chooses.
    pub fn print_unit_result(&self, electoral_unit: &str) -> Reply<Option<WrittenFile>> {
        let store = self.second()?;
        store.require(Action::Print)?;
        let minutes = sobaucu_print::minutes::unit_result(&store.db(), store.node()?, electoral_unit, None)?;
        self.save_minutes(minutes)
    }

    fn save_minutes(&self, minutes: sobaucu_print::minutes::Minutes) -> Reply<Option<WrittenFile>> {
        let Some(path) = self.host.choose_save(FileKind::Pdf, &minutes.suggested_name) else { return Ok(None) };
        sobaucu_print::write_file(&path, &minutes.pdf)?;
        let written = sobaucu_print::Written {
            path: path.display().to_string(),
            bytes: minutes.pdf.len(),
            pages: Some(minutes.pages),
            rows: Some(minutes.candidates),
        };
        Ok(Some(self.keep(written, &path)))
    }

    /// Remembers a file just written and gives it its number.
    fn keep(&self, written: sobaucu_print::Written, path: &Path) -> WrittenFile {
        let file = self.next_file.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut kept = self.written.lock().unwrap_or_else(|p| p.into_inner());
        kept.push((file, path.to_path_buf()));
        let excess = kept.len().saturating_sub(FILES_KEPT);
        kept.drain(..excess);
        let pdf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        WrittenFile { written, file, pdf }
    }

    /// The path of a file written since the ledger was unlocked, by its number, if it is still
    /// there.
    fn written_path(&self, file: u64) -> Reply<PathBuf> {
        let path = self
            .written
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(n, _)| *n == file)
            .map(|(_, path)| path.clone())
            .ok_or_else(|| {
                AppError::other(
                    "not_found",
                    "this file is not among those written since the ledger was opened: write it again",
                    "tệp này không còn trong danh sách tệp vừa tạo: hãy tạo lại",
                )
            })?;
        if !path.exists() {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(AppError::other(
                "not_found",
                format!("{name} was moved or deleted: write it again"),
                format!("tệp {name} đã bị chuyển đi hoặc xóa: hãy tạo lại"),
            ));
        }
        Ok(path)
    }

    /// Opens a file written since the ledger was unlocked (by its number) with the system's
    /// default application, or (`folder`) the folder it is in.
    pub fn open_written(&self, file: u64, folder: bool) -> Reply<()> {
        let path = self.written_path(file)?;
        let target = match (folder, path.parent()) {
            (true, Some(parent)) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => path,
        };
        self.host.open_path(&target).map_err(|e| {
            AppError::other(
                "internal",
                format!("could not open {}: {e}", target.display()),
                format!("không mở được {}: {e}", target.display()),
            )
        })
    }

    /// Prints a PDF written since the ledger was unlocked (by its number) through the system:
    /// `{ via: "system" | "viewer" }` (viewer: opened in the PDF viewer, to print from there).
    pub fn print_written(&self, file: u64) -> Reply<Value> {
        let path = self.written_path(file)?;
        if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            return Err(AppError::other("input", "only a PDF is printed from here", "chỉ in được tệp PDF từ đây"));
        }
        let via = self.host.print_file(&path).map_err(|e| {
            AppError::other(
                "internal",
                format!("could not print {}: {e}", path.display()),
                format!("không in được {}: {e}", path.display()),
            )
        })?;
        Ok(json!({ "via": via }))
    }

    pub fn duplicates(&self, all: bool) -> Reply<Value> {
        self.with(|s| api::duplicates(s, all))
    }

    pub fn decide_duplicate(
        &self,
        a: &str,
        b: &str,
        decision: &str,
        removed: Option<&str>,
        reason: Option<&str>,
    ) -> Reply<Value> {
        let decided = self.with(|s| api::decide_duplicate(s, a, b, decision, removed, reason))?;
        self.sync.changed();
        Ok(decided)
    }

    /// Asks which file to import and keeps it for the preview and the import; answers with its
    /// name (None: cancelled).
    pub fn choose_import_file(&self) -> Reply<Option<Value>> {
        self.with(|s| s.require(Action::Import))?;
        let Some(path) = self.host.choose_open(FileKind::Import) else { return Ok(None) };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let answer = json!({"name": name, "path": path.display().to_string()});
        *self.import_file.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
        Ok(Some(answer))
    }

    fn chosen_import_file(&self) -> Reply<PathBuf> {
        self.import_file
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| AppError::other("input", "choose a file to import first", "hãy chọn tệp cần nhập trước"))
    }

    /// Checks the chosen file: what would be added (or, updating a list, changed and missing),
    /// every problem, the columns not known; writes nothing.
    pub fn import_preview(&self, choices: &api::ImportChoices) -> Reply<Value> {
        let path = self.chosen_import_file()?;
        let mut store = self.second()?;
        Ok(api::import_preview(&mut store, &path.display().to_string(), choices)?)
    }

    /// Imports the chosen file, all or nothing.
    pub fn import_file(&self, choices: &api::ImportChoices) -> Reply<Value> {
        let path = self.chosen_import_file()?;
        let mut store = self.second()?;
        let summary = api::import_file(&mut store, &path.display().to_string(), choices)?;
        self.sync.changed();
        Ok(summary)
    }

    pub fn imports(&self) -> Reply<Value> {
        self.with(|s| api::imports(s))
    }

    pub fn undo_import(&self, id: i64) -> Reply<Value> {
        let undone = self.with(|s| api::undo_import(s, id))?;
        self.sync.changed();
        Ok(undone)
    }

    /// Backs the ledger up where the user chooses; None when cancelled.
    pub fn backup(&self) -> Reply<Option<Value>> {
        let mut store = self.second()?;
        store.require(Action::Backup)?;
        let suggested = format!("so-bau-cu-{}-{}.sbk", self.unit_code()?, self.stamp());
        let Some(path) = self.host.choose_save(FileKind::Backup, &suggested) else { return Ok(None) };
        Ok(Some(serde_json::to_value(store.backup(&path)?).unwrap_or_default()))
    }

    /// Restores a backup the user chooses, opened with `passphrase` (the user's passphrase
    /// when it was taken); the ledger it replaces is moved aside, and the app is locked (the
    /// restored ledger opens with its own users' passphrases). None when cancelled.
    pub fn restore_backup(&self, passphrase: &str) -> Reply<Option<Value>> {
        let user = self.with(|s| {
            s.require(Action::Backup)?;
            Ok(s.actor().name.clone())
        })?;
        let Some(file) = self.host.choose_open(FileKind::Backup) else { return Ok(None) };
        let credentials = Credentials::new(Some(&user), passphrase);
        self.lock()?;
        let done = sobaucu_client::restore::restore_backup(&self.dir, &file, &credentials)?;
        let mut answer = serde_json::to_value(done.restored).unwrap_or_default();
        answer["bundle"] = json!(done.bundle.map(|(path, _)| path.display().to_string()));
        Ok(Some(answer))
    }

    /// The ledger's users and their roles.
    pub fn users(&self) -> Reply<Value> {
        self.with(|s| Ok(serde_json::to_value(s.users()?).unwrap_or_default()))
    }
}
