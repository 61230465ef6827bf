//! The window's exports and print-outs, under Xvfb through WebDriver: the report's "Xuất Excel"
//! and "Xuất PDF" buttons and a polling area's "In danh sách cử tri (Mẫu 33)" write their files.
//! The system's save dialog cannot be driven, so `$SOBAUCU_EXPORT_DIR` answers it.

use std::path::Path;
use std::time::{Duration, Instant};

use sobaucu_tests::{Screen, Window, binary};

/// Waits for a file of `dir` whose name starts with `prefix` and ends with `extension`.
fn wait_for_file(dir: &Path, prefix: &str, extension: &str) -> Vec<u8> {
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with(prefix) && name.ends_with(extension)
        });
        if let Some(path) = found {
            return std::fs::read(path).unwrap();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no {prefix}…{extension} in {}", dir.display());
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_report_exports_and_a_polling_area_prints_its_voter_list() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let exports = data.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let screen = Screen::start();
    let ledger = data.path().join("ledger");
    let w = Window::open(
        &app,
        &screen,
        data.path(),
        &[
            ("SOBAUCU_DATA", ledger.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_EXPORT_DIR", exports.to_str().unwrap()),
        ],
    );
    w.create_ledger("Lò Văn Minh");
    w.click(&w.wait("#setup-demo"));
    w.wait("[data-count-kind=\"voter\"]");

    w.click(&w.wait("a[data-view=\"report\"]"));
    w.wait_until("#report-export-xlsx", |t| t.contains("Xuất Excel"));
    w.click(&w.wait("#report-export-xlsx"));
    assert!(wait_for_file(&exports, "bao-cao-03637-", ".xlsx").starts_with(b"PK"));
    w.click(&w.wait("#report-export-pdf"));
    assert!(wait_for_file(&exports, "bao-cao-03637-", ".pdf").starts_with(b"%PDF-"));
    w.wait_until("#written-panel", |t| t.contains("Đã lưu tệp") && t.contains("Mở thư mục"));
    w.screenshot("20-report-exported");
    w.click(&w.wait("#report-print-candidates"));
    assert!(wait_for_file(&exports, "danh-sach-ung-cu", ".pdf").starts_with(b"%PDF-"));

    // A figure opens the records behind it: the voters' count, the list of voters.
    w.click(&w.wait("a.figure-link[data-figure=\"voters\"]"));
    w.wait_until("#list-title", |t| t.contains("Cử tri"));
    w.click(&w.wait("a[data-view=\"report\"]"));
    w.wait("#report-export-xlsx");

    // A figure of a table opens the records it counts: the commune's candidates.
    let figure = w.wait("#report-view section[data-section=\"candidates\"] tr[data-key=\"total\"] td[data-level=\"commune\"] a.figure-link");
    let expected = w.text(&figure);
    w.click(&figure);
    w.wait_until("#list-filter", |t| t.contains("Đang lọc"));
    w.wait_until("#list-count", |t| t.trim() == format!("{expected} bản ghi"));
    w.click(&w.wait("a[data-view=\"report\"]"));
    w.wait("#report-export-xlsx");

    w.click(&w.wait("a[data-kind=\"polling_area\"]"));
    w.click(&w.wait("#list-view tr[data-id] td"));
    let button = w.wait_until("#form-print-voters", |t| t.contains("In danh sách cử tri (Mẫu 33)"));
    w.click(&button);
    assert!(wait_for_file(&exports, "danh-sach-cu-tri-kvbp-", ".pdf").starts_with(b"%PDF-"));
    w.screenshot("21-voter-list-printed");
}
