//! The ledger's trust features in the real window: the passphrase screen (a wrong passphrase
//! refused, a user picked among several), a viewer who cannot save, a record's history naming
//! who changed what, the lock, the backup reminder and a backup, and the Content-Security-Policy
//! in force (an injected inline script does not run).

use serde_json::{Value, json};
use sobaucu_core::Store;
use sobaucu_core::vault::{Credentials, TEST_PASSPHRASE};
use sobaucu_tests::{Node, Screen, Window, binary, eventually};

const VIEWER: &str = "Vàng Thị Mỷ";
const SECRETARY: &str = "Hà Thị Thư";
const OTHERS: &str = "mật khẩu của người khác";

fn pick_user(w: &Window, name: &str) {
    w.click(&w.wait(&format!("#unlock-user option[value=\"{name}\"]")));
}

#[test]
fn passphrase_viewer_history_lock_backup_and_the_csp_in_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger = Node::init(&tmp.path().join("ledger"), "03637", "2025", "2026-03-15");
    ledger.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
    ]);
    ledger.ok_with(&[("SOBAUCU_NEW_PASSPHRASE", OTHERS)], &["user", "add", SECRETARY, "--role", "secretary"]);
    ledger.ok_with(
        &[("SOBAUCU_NEW_PASSPHRASE", OTHERS)],
        &["--user", "chair", "user", "add", VIEWER, "--role", "viewer"],
    );
    // The secretary changes the polling area: its history has two authors.
    let id = {
        let mut store = Store::open_existing(&ledger.dir, &Credentials::new(Some(SECRETARY), OTHERS)).unwrap();
        let page = store.list(sobaucu_core::Kind::PollingArea, &Default::default()).unwrap();
        let id = page.rows[0]["id"].as_str().unwrap().to_string();
        let mut input = serde_json::Map::new();
        input.insert("voters".into(), json!(420));
        store.save(sobaucu_core::Kind::PollingArea, Some(id.parse().unwrap()), &input).unwrap();
        id
    };
    let backup = tmp.path().join("so-bau-cu.sbk");

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[
            ("SOBAUCU_DATA", ledger.dir.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_BACKUP_FILE", backup.to_str().unwrap()),
        ],
    );

    // The passphrase screen lists the users; a wrong passphrase is refused, in Vietnamese.
    w.wait("#unlock-user");
    pick_user(&w, "chair");
    w.type_text(&w.wait("#unlock-passphrase"), "không phải mật khẩu");
    w.click(&w.wait("#unlock-submit"));
    w.wait_until("#unlock-error", |t| t.contains("sai mật khẩu"));
    w.screenshot("30-passphrase-wrong");

    // The CSP: an inline script injected into the page does not run.
    let verdict = w.script(
        "const s = document.createElement('script'); s.textContent = 'window.__injected = 1;'; \
         document.head.appendChild(s); return window.__injected === 1 ? 'ran' : 'blocked';",
    );
    assert_eq!(verdict, Value::String("blocked".into()), "an inline script ran despite the CSP");

    // The viewer opens the ledger: the form is read-only, the history names who changed what.
    pick_user(&w, VIEWER);
    w.type_text(&w.wait("#unlock-passphrase"), OTHERS);
    w.click(&w.wait("#unlock-submit"));
    w.wait_until("#side-user", |t| t.contains(VIEWER) && t.contains("Chỉ xem"));
    assert!(w.find_all("#dash-backup").is_empty(), "a viewer has no backup card");
    w.script(&format!("location.hash = '#/edit/polling_area/{id}'; return null;"));
    w.wait_until("#form-readonly", |t| t.contains("Chỉ xem"));
    assert_eq!(w.script("return document.querySelector('#form-save').disabled;"), Value::Bool(true));
    w.click(&w.wait("#form-history-toggle"));
    w.wait_until("#history-table", |t| t.contains("chair") && t.contains(SECRETARY) && t.contains("420"));
    w.screenshot("31-viewer-history");

    // Lock, and open as the chair: the backup reminder, then a backup.
    w.click(&w.wait("#lock-button"));
    w.wait("#unlock-user");
    pick_user(&w, "chair");
    w.type_text(&w.wait("#unlock-passphrase"), TEST_PASSPHRASE);
    w.click(&w.wait("#unlock-submit"));
    w.wait_until("#backup-reminder", |t| t.contains("hơn một tuần"));
    w.screenshot("32-backup-reminder");
    w.click(&w.wait("#backup-now"));
    eventually(15, "the backup file", || backup.exists());
    w.wait_until("#backup-last", |t| t.contains("Sao lưu gần nhất"));
    assert!(w.find_all("#backup-reminder").is_empty(), "the reminder goes once backed up");
    assert!(std::fs::read(&backup).unwrap().starts_with(b"SBCBAK\x01\n"));
}
