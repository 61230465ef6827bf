//! The real desktop window, under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver): the passphrase screen of a new ledger, the first-run screen, a record created through its form and seen in the
//! list and the dashboard count, a validation error shown for a bad value, and the English
//! switch. Screenshots of each screen land in `target/screenshots/`.

use sobaucu_tests::{Screen, Window, binary};

#[test]
fn first_run_then_a_record_through_its_form() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let screen = Screen::start();
    let ledger = data.path().join("ledger");
    let data_dir = ledger.to_str().unwrap();
    let w = Window::open(&app, &screen, data.path(), &[("SOBAUCU_DATA", data_dir), ("SOBAUCU_TODAY", "2026-02-01")]);
    // An empty data folder: the ledger is created encrypted, its first user (the chair) named.
    w.wait("#unlock-name");
    w.screenshot("00-passphrase-new");
    w.create_ledger("Lò Văn Minh");

    // First run: choose the unit by searching without marks, type the date, create.
    w.wait("#setup");
    w.screenshot("01-first-run");
    let search = w.wait("#setup-unit-search");
    w.type_text(&search, "muong kim");
    let option = w.wait(".unit-option[data-code=\"03637\"]");
    w.click(&option);
    // A date already past is most likely a typo: the window asks, and "Hủy" goes back to it.
    let election = w.wait("#setup-election");
    w.type_text(&election, "15/03/2021");
    w.click(&w.wait("#setup-create"));
    w.wait_until("#confirm-message", |t| t.contains("15/03/2021") && t.contains("01/02/2026"));
    w.click(&w.wait("#confirm-cancel"));
    let election = w.wait("#setup-election");
    w.clear(&election);
    w.type_text(&election, "15/03/2026");
    w.screenshot("02-first-run-filled");
    w.click(&w.wait("#setup-create"));

    // The dashboard, with the commune's timeline and empty counts.
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));
    w.wait_until("[data-count-kind=\"polling_area\"]", |t| t.trim() == "0");
    w.wait_until("#timeline", |t| t.contains("Thành lập Tổ bầu cử"));
    w.screenshot("03-dashboard-empty");

    // A polling area through its form: a bad value first.
    w.click(&w.wait("a[data-kind=\"polling_area\"]"));
    w.wait("#list-view");
    w.click(&w.wait("#list-new"));
    w.wait("#record-form");
    w.type_text(&w.wait("#record-form [name=\"number\"]"), "1");
    w.type_text(&w.wait("#record-form [name=\"name\"]"), "Khu vực bỏ phiếu số 1 – Bản Nà Khương");
    w.click(&w.wait("#record-form [name=\"area_type\"] option[value=\"ordinary\"]"));
    w.type_text(&w.wait("#record-form [name=\"voters\"]"), "5000");
    w.click(&w.wait("#form-save"));
    let error = w.wait_until(".field-error[data-field=\"voters\"]", |t| t.contains("4.000"));
    assert!(w.text(&error).contains("Điều 11"), "the core's rule is shown under the field");
    w.screenshot("04-form-validation-error");

    // Correct it and save: the record is in the list and counted on the dashboard.
    let voters = w.wait("#record-form [name=\"voters\"]");
    w.clear(&voters);
    w.type_text(&voters, "350");
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view tr[data-id]", |t| t.contains("Bản Nà Khương"));
    w.screenshot("05-list");
    w.click(&w.wait("a[data-view=\"dashboard\"]"));
    w.wait_until("[data-count-kind=\"polling_area\"]", |t| t.trim() == "1");
    w.screenshot("06-dashboard");

    // The English switch.
    w.click(&w.wait("#lang-toggle"));
    w.wait_until("a[data-kind=\"voter\"]", |t| t.contains("Voters"));
    w.screenshot("07-dashboard-english");
}

#[test]
fn the_demo_ledger_opens_from_the_first_run_screen() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let screen = Screen::start();
    // The demo is built relative to today: pin it (the core tests every day of a year).
    let w = Window::open(
        &app,
        &screen,
        data.path(),
        &[("SOBAUCU_DATA", data.path().join("ledger").to_str().unwrap()), ("SOBAUCU_TODAY", "2026-12-01")],
    );
    w.create_ledger("Lò Văn Minh");
    w.click(&w.wait("#setup-demo"));
    w.wait_until("[data-count-kind=\"voter\"]", |t| t.trim() == "2400" || t.trim() == "2.400" || t.trim() == "2,400");
    w.wait_until("#timeline", |t| t.contains("Quá hạn"));
    // The overdue voter list (posted at every polling area) links to the polling areas.
    w.wait_until("#timeline .tl-overdue .tl-add[data-kind=\"polling_area\"]", |t| t.contains("Mở danh sách"));
    // "Cần xử lý": the law's rules broken in the demo, each linked to its record.
    w.wait_until("#check-list", |t| t.contains("không đủ số lượng") && t.contains("quá hạn giải quyết"));
    w.screenshot("08-demo-dashboard");
    // The 3rd consultation's record shows each candidate's confidence: 9 of the 24 carried it
    // (one conference lacked its quorum; the other 14 have had none yet).
    w.script("location.hash = '#/new/consultation'; return null;");
    w.click(&w.wait("#record-form [name=\"round\"] option[value=\"3\"]"));
    w.click(&w.wait("#record-form [name=\"level\"] option[value=\"commune\"]"));
    w.type_text(&w.wait("#record-form [name=\"held_on\"]"), "01/12/2026");
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view", |t| t.contains("Lần thứ ba"));
    w.script(
        "const row = [...document.querySelectorAll('#list-view tr[data-id]')].find((r) => r.textContent.includes('Lần thứ ba'));
         location.hash = '#/edit/consultation/' + row.dataset.id; return null;",
    );
    w.wait_until("#confidence-summary", |t| t.contains("9/24"));
    w.wait_until("#confidence-table", |t| t.contains("Không đủ số lượng") && t.contains("Được tín nhiệm"));
    w.script("document.getElementById('form-confidence').scrollIntoView(); return null;");
    w.screenshot("08b-third-consultation");
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    let search = w.wait("#list-search");
    w.type_text(&search, "giang");
    w.wait_until("#list-view tr[data-id]", |t| t.contains("Giàng"));
    w.screenshot("09-demo-voters");
}
