//! The desktop's application layer without a window: a host that answers the file dialogs from
//! the test and records the sync events, over a real ledger file and a real hub process. Every
//! operation the window offers works through it: unlocking (and creating), records and their
//! history, print-outs and exports only where the host's dialog says (nothing when cancelled),
//! an import previewed then imported from the chosen file, enrolment and the sync's events,
//! USB bundles, backups and their restore, and the roles refusing what they must.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value, json};
use sobaucu_app::{App, FileKind, Host, PrintedVia};
use sobaucu_core::vault::TEST_PASSPHRASE;
use sobaucu_tests::{Hub, eventually, has_record_id, pdf_text};

#[derive(Default)]
struct TestHost {
    /// What the next dialogs answer, in order (None: cancelled).
    answers: Mutex<VecDeque<Option<PathBuf>>>,
    /// The dialogs shown: kind and suggested name.
    asked: Mutex<Vec<(FileKind, Option<String>)>>,
    statuses: Mutex<Vec<Value>>,
    /// Files and folders opened and printed: ("open" | "print", path).
    launched: Mutex<Vec<(&'static str, PathBuf)>>,
}

impl TestHost {
    fn next(&self, kind: FileKind, suggested: Option<&str>) -> Option<PathBuf> {
        self.asked.lock().unwrap().push((kind, suggested.map(str::to_string)));
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

impl Host for TestHost {
    fn choose_open(&self, kind: FileKind) -> Option<PathBuf> {
        self.next(kind, None)
    }
    fn choose_save(&self, kind: FileKind, suggested: &str) -> Option<PathBuf> {
        self.next(kind, Some(suggested))
    }
    fn today(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
    }
    fn sync_status(&self, status: &Value) {
        self.statuses.lock().unwrap().push(status.clone());
    }
    fn open_path(&self, path: &Path) -> std::io::Result<()> {
        self.launched.lock().unwrap().push(("open", path.to_path_buf()));
        Ok(())
    }
    fn print_file(&self, path: &Path) -> std::io::Result<PrintedVia> {
        self.launched.lock().unwrap().push(("print", path.to_path_buf()));
        Ok(PrintedVia::System)
    }
}

struct Fixture {
    tmp: tempfile::TempDir,
    app: App<TestHost>,
}

/// A new, locked app over an empty folder.
fn fixture() -> Fixture {
    sobaucu_core::vault::use_cheap_kdf_for_tests();
    let tmp = tempfile::tempdir().unwrap();
    let app = App::new(TestHost::default(), tmp.path().join("ledger"));
    Fixture { tmp, app }
}

impl Fixture {
    fn host(&self) -> &TestHost {
        self.app.host()
    }
    fn answer(&self, path: Option<PathBuf>) {
        self.host().answers.lock().unwrap().push_back(path);
    }
    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn dialogs(&self) -> usize {
        self.host().asked.lock().unwrap().len()
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// An unlocked commune ledger (chair "Lò Văn Minh") with one polling area.
fn commune() -> (Fixture, String) {
    let f = fixture();
    let info = f.app.app_info().unwrap();
    assert_eq!((info["locked"].as_bool(), info["exists"].as_bool()), (Some(true), Some(false)));
    assert_eq!(f.app.dashboard().unwrap_err().kind, "locked");
    let info = f.app.unlock(Some("Lò Văn Minh"), TEST_PASSPHRASE, true).unwrap();
    assert_eq!(info["user"]["role"], "chair");
    assert_eq!(info["initialized"], false);
    f.app.init_ledger("03637", "2025", "15/03/2026", None).unwrap();
    let area = f
        .app
        .save_record(
            "polling_area",
            None,
            &obj(json!({"number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"})),
        )
        .unwrap();
    (f, area["id"].as_str().unwrap().to_string())
}

#[test]
fn records_history_and_the_lock_without_a_window() {
    let (f, area) = commune();
    f.app.save_record("polling_area", Some(&area), &obj(json!({"voters": 420}))).unwrap();
    let history = f.app.record_history("polling_area", &area).unwrap();
    let authors: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["Lò Văn Minh", "Lò Văn Minh"]);
    assert_eq!(f.app.dashboard().unwrap()["counts"]["polling_area"], 1);
    // Locked: nothing answers but the passphrase screen's facts.
    let locked = f.app.lock().unwrap();
    assert_eq!(locked["users"], json!(["Lò Văn Minh"]));
    assert_eq!(f.app.list_records("polling_area", &Default::default()).unwrap_err().kind, "locked");
    let wrong = f.app.unlock(None, "sai mật khẩu rồi", false).unwrap_err();
    assert_eq!(wrong.kind, "wrong_passphrase");
    assert!(wrong.message_vi.contains("sai mật khẩu"), "{}", wrong.message_vi);
    f.app.unlock(None, TEST_PASSPHRASE, false).unwrap();
    assert_eq!(f.app.list_records("polling_area", &Default::default()).unwrap()["total"], 1);
    // Creating over an existing ledger is refused.
    assert_eq!(f.app.unlock(Some("Ai Đó"), TEST_PASSPHRASE, true).unwrap_err().kind, "already_initialized");
}

#[test]
fn files_are_written_only_where_the_host_says() {
    let (f, area) = commune();
    // Cancelled: nothing written, no error.
    f.answer(None);
    assert!(f.app.export_report("xlsx").unwrap().is_none());
    // The report, the voter list, the candidates: each where the dialog said, under the name it
    // suggested.
    let xlsx = f.path("report.xlsx");
    f.answer(Some(xlsx.clone()));
    let written = f.app.export_report("xlsx").unwrap().unwrap();
    assert_eq!(written.path, xlsx.display().to_string());
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    f.answer(Some(f.path("list.pdf")));
    f.app.print_voter_list(&area).unwrap().unwrap();
    assert!(std::fs::read(f.path("list.pdf")).unwrap().starts_with(b"%PDF-"));
    let asked = f.host().asked.lock().unwrap().clone();
    assert_eq!(asked[0], (FileKind::Excel, Some("bao-cao-03637-20260201.xlsx".to_string())));
    assert_eq!(asked[2], (FileKind::Pdf, Some("danh-sach-cu-tri-kvbp-1.pdf".to_string())));

    // An import: the file is chosen once, previewed, then imported.
    let csv = f.path("mau33.csv");
    std::fs::write(
        &csv,
        "STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Khu vực bỏ phiếu\n1,Giàng Thị Mỷ,01/02/1990,Nữ,Mông,Khu vực bỏ phiếu số 1\n",
    )
    .unwrap();
    let choices = |defaults: Option<Map<String, Value>>| sobaucu_core::api::ImportChoices {
        kind: Some("voter".into()),
        defaults,
        ..Default::default()
    };
    assert_eq!(f.app.import_preview(&choices(None)).unwrap_err().kind, "input");
    f.answer(Some(csv));
    let chosen = f.app.choose_import_file().unwrap().unwrap();
    assert_eq!(chosen["name"], "mau33.csv");
    let defaults = obj(json!({"ballots": "na,provincial,commune"}));
    let preview = f.app.import_preview(&choices(Some(defaults.clone()))).unwrap();
    assert_eq!(f.app.list_records("voter", &Default::default()).unwrap()["total"], 0, "{preview}");
    f.app.import_file(&choices(Some(defaults))).unwrap();
    assert_eq!(f.app.list_records("voter", &Default::default()).unwrap()["total"], 1);

    // "Tải mẫu": a blank sheet where the dialog says, under the name it suggested.
    f.answer(None);
    assert!(f.app.save_template("voter").unwrap().is_none());
    let template = f.path("mau.xlsx");
    f.answer(Some(template.clone()));
    let saved = f.app.save_template("voter").unwrap().unwrap();
    assert_eq!(saved["path"], template.display().to_string());
    assert!(std::fs::read(&template).unwrap().starts_with(b"PK"));
    let asked = f.host().asked.lock().unwrap().clone();
    assert_eq!(asked.last().unwrap(), &(FileKind::Excel, Some("mau-voter.xlsx".to_string())));
    assert_eq!(f.app.app_info().unwrap()["today"], "2026-02-01", "the host's today");
}

#[test]
fn enrolment_sync_events_bundles_and_backups_through_the_app_layer() {
    let (f, _) = commune();
    let hub = Hub::start(&f.path("hub"), "12", "2025", None);
    let status = f.app.enroll_hub(&hub.url, &hub.enroll_code("03637")).unwrap();
    assert_eq!(status["enrolled"], true);
    // The background sync reports through the host.
    eventually(30, "a sync status with nothing pending", || {
        f.host()
            .statuses
            .lock()
            .unwrap()
            .iter()
            .any(|s| s["running"] == false && s["pending"] == 0 && s["last_sync_at"].is_string())
    });
    f.app
        .save_record(
            "incident",
            None,
            &obj(json!({"occurred_on": "2026-02-01", "place": "Bản Che Bó", "summary": "Mất điện"})),
        )
        .unwrap();
    let usb = f.path("usb.sbc");
    f.answer(Some(usb.clone()));
    let exported = f.app.bundle_export().unwrap().unwrap();
    assert!(exported["changes"].as_u64().unwrap() >= 1);
    assert!(usb.exists());

    // A backup, then a restore: the app is locked, and the restored ledger opens again.
    let backup = f.path("so-bau-cu.sbk");
    f.answer(Some(backup.clone()));
    let done = f.app.backup().unwrap().unwrap();
    assert_eq!(done["path"], backup.display().to_string());
    assert!(f.app.app_info().unwrap()["last_backup_at"].is_string());
    f.answer(Some(backup));
    let restored = f.app.restore_backup(TEST_PASSPHRASE).unwrap().unwrap();
    assert_eq!(restored["new_identity"], false);
    assert!(restored["replaced"].is_string());
    assert_eq!(f.app.app_info().unwrap()["locked"], true);
    f.app.unlock(None, TEST_PASSPHRASE, false).unwrap();
    assert_eq!(f.app.list_records("incident", &Default::default()).unwrap()["total"], 1);
}

#[test]
fn a_viewer_is_refused_before_any_dialog_opens() {
    let (f, area) = commune();
    {
        let mut store = sobaucu_core::Store::open_existing(
            f.app.dir(),
            &sobaucu_core::vault::Credentials::new(Some("Lò Văn Minh"), TEST_PASSPHRASE),
        )
        .unwrap();
        store.add_user("Vàng Thị Mỷ", sobaucu_core::access::Role::Viewer, "mật khẩu người xem").unwrap();
    }
    f.app.lock().unwrap();
    f.app.unlock(Some("Vàng Thị Mỷ"), "mật khẩu người xem", false).unwrap();
    let dialogs = f.dialogs();
    assert_eq!(
        f.app.save_record("polling_area", Some(&area), &obj(json!({"voters": 1}))).unwrap_err().kind,
        "forbidden"
    );
    assert_eq!(f.app.delete_record("polling_area", &area).unwrap_err().kind, "forbidden");
    assert_eq!(f.app.backup().unwrap_err().kind, "forbidden");
    assert_eq!(f.app.bundle_export().unwrap_err().kind, "forbidden");
    assert_eq!(f.app.choose_import_file().unwrap_err().kind, "forbidden");
    assert_eq!(f.app.sync_now().unwrap_err().kind, "forbidden");
    assert_eq!(f.dialogs(), dialogs, "a refused action shows no dialog");
    // A viewer reads and prints.
    f.answer(Some(f.path("list.pdf")));
    f.app.print_voter_list(&area).unwrap().unwrap();
    assert_eq!(f.app.get_record("polling_area", &area).unwrap()["number"], 1);
}

#[test]
fn a_whole_list_prints_every_row_by_label_and_written_files_open_and_print_through_the_host() {
    let (f, area) = commune();
    let second = f
        .app
        .save_record(
            "polling_area",
            None,
            &obj(json!({"number": 2, "name": "Khu vực bỏ phiếu số 2", "area_type": "ordinary"})),
        )
        .unwrap();
    let second = second["id"].as_str().unwrap().to_string();
    // 300 voters, imported; the one that sorts last (by given name) is a woman of area 2.
    let mut csv = String::from("STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Khu vực bỏ phiếu\n");
    for i in 0..299 {
        let sex = if i % 2 == 0 { "Nam" } else { "Nữ" };
        csv.push_str(&format!("{},Lò Văn Bun {},01/02/1980,{sex},Thái,Khu vực bỏ phiếu số 1\n", i + 1, i + 1));
    }
    csv.push_str("300,Hoàng Thị Zyx,03/04/1990,Nữ,Mông,Khu vực bỏ phiếu số 2\n");
    let file = f.path("voters.csv");
    std::fs::write(&file, csv).unwrap();
    f.answer(Some(file));
    f.app.choose_import_file().unwrap().unwrap();
    let choices = sobaucu_core::api::ImportChoices {
        kind: Some("voter".into()),
        defaults: Some(obj(json!({"ballots": "na,provincial,commune"}))),
        ..Default::default()
    };
    f.app.import_file(&choices).unwrap();

    // The list's first page on screen is 10 rows; the print-out is the whole list.
    let query = sobaucu_core::ListQuery { limit: Some(10), ..Default::default() };
    let screen = f.app.list_records("voter", &query).unwrap();
    assert_eq!(screen["rows"].as_array().unwrap().len(), 10);
    assert!(!screen.to_string().contains("Hoàng Thị Zyx"), "the last voter is not on the first screen");
    f.answer(None);
    assert!(f.app.print_list("voter", &query).unwrap().is_none(), "cancelled: nothing written");
    let pdf = f.path("cu-tri.pdf");
    f.answer(Some(pdf.clone()));
    let written = f.app.print_list("voter", &query).unwrap().unwrap();
    assert_eq!((written.rows, written.pdf), (Some(300), true));
    assert_eq!(f.host().asked.lock().unwrap().last().unwrap().1.as_deref(), Some("danh-sach-cu-tri-20260201.pdf"));
    let text = pdf_text(&pdf);
    assert!(text.contains("DANH SÁCH CỬ TRI") && text.contains("Ngày in: 01/02/2026"), "{text}");
    assert!(text.contains("Hoàng Thị Zyx") && text.contains("Lò Văn Bun 137"), "every row is printed");
    assert!(text.contains("Tổng số: 300 bản ghi."));
    assert!(text.contains("Khu vực bỏ phiếu số 2") && text.contains("Nữ") && text.contains("03/04/1990"));
    assert!(!text.contains("female") && !text.contains(&second) && !has_record_id(&text), "codes or ids printed");

    // Narrowed like the list on screen: a search, a polling area (named, not by its id).
    let narrowed = sobaucu_core::ListQuery {
        q: Some("hoang thi".into()),
        filter: [("polling_area".to_string(), second.clone())].into(),
        ..Default::default()
    };
    f.answer(Some(f.path("tim.pdf")));
    assert_eq!(f.app.print_list("voter", &narrowed).unwrap().unwrap().rows, Some(1));
    let text = pdf_text(&f.path("tim.pdf"));
    assert!(text.contains("Tìm: “hoang thi”") && text.contains("Khu vực bỏ phiếu: Khu vực bỏ phiếu số 2"), "{text}");
    assert!(!text.contains("Lò Văn Bun") && !has_record_id(&text));
    let dialogs = f.dialogs();
    assert_eq!(f.app.print_list("no_such_kind", &query).unwrap_err().kind, "input");
    assert_eq!(f.dialogs(), dialogs, "an unknown kind asks nothing");

    // Mẫu 33 of every polling area in one file, each area from a new page.
    f.answer(Some(f.path("tat-ca.pdf")));
    let all = f.app.print_voter_lists().unwrap().unwrap();
    assert_eq!(all.rows, Some(300));
    let text = pdf_text(&f.path("tat-ca.pdf"));
    assert_eq!(text.matches("DANH SÁCH CỬ TRI").count(), 2, "{text}");
    assert!(text.contains("Tổng số cử tri: 299 người") && text.contains("Tổng số cử tri: 1 người"));

    // What was written opens, shows its folder and prints through the host, by its number.
    f.app.open_written(written.file, false).unwrap();
    f.app.open_written(written.file, true).unwrap();
    assert_eq!(f.app.print_written(written.file).unwrap()["via"], "system");
    assert_eq!(
        *f.host().launched.lock().unwrap(),
        [("open", pdf.clone()), ("open", f.tmp.path().to_path_buf()), ("print", pdf.clone())]
    );
    assert_ne!(all.file, written.file);
    assert_eq!(f.app.open_written(9_999, false).unwrap_err().kind, "not_found");
    // Only a PDF prints; a file gone since is named, not opened.
    f.answer(Some(f.path("bao-cao.xlsx")));
    let report = f.app.export_report("xlsx").unwrap().unwrap();
    assert!(!report.pdf);
    assert_eq!(f.app.print_written(report.file).unwrap_err().kind, "input");
    std::fs::remove_file(f.path("tat-ca.pdf")).unwrap();
    assert_eq!(f.app.open_written(all.file, false).unwrap_err().kind, "not_found");
    // Locking forgets them all.
    f.app.lock().unwrap();
    f.app.unlock(None, TEST_PASSPHRASE, false).unwrap();
    assert_eq!(f.app.print_written(written.file).unwrap_err().kind, "not_found");
    assert_eq!(f.host().launched.lock().unwrap().len(), 3, "nothing else was launched");
    assert!(!area.is_empty());
}
