//! Printing where people look for it, in the real window under Xvfb through WebDriver: "In" on a
//! list prints the whole list (a row far below the first screen is in the PDF, its values are
//! labels and names, never a record id), a search narrows the print-out as it narrows the list,
//! "In danh sách cử tri (Mẫu 33)" on the voter list and on the polling-area list prints a chosen
//! area or all of them, and the panel after a file is written opens it, its folder and prints it.
//! The system's save dialog, file opener and print dialog cannot be driven: `$SOBAUCU_EXPORT_DIR`
//! answers the dialog, `$SOBAUCU_HOST_LOG` records what would have been opened or printed.

use std::path::Path;

use sobaucu_tests::{LAST_VOTER, Screen, Window, binary, eventually, has_record_id, pdf_text, voter_ledger};

/// Waits for the panel of the `n`th file written, naming `name`, and returns the file's text.
fn written(w: &Window, exports: &Path, n: u32, name: &str) -> String {
    w.wait_until(&format!("#written-panel[data-file=\"{n}\"] #written-name"), |t| t.contains(name));
    let path = exports.join(name);
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-"), "{name} is a PDF");
    pdf_text(&path)
}

#[test]
fn lists_print_whole_mau_33_prints_from_the_lists_and_a_written_file_opens_and_prints() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let ledger = data.path().join("ledger");
    // 1,000 voters in three polling areas; the last of them in list order is LAST_VOTER.
    voter_ledger(&ledger, 1000);
    let exports = data.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let log = data.path().join("host.log");

    let screen = Screen::start();
    let w = Window::open(
        &app,
        &screen,
        data.path(),
        &[
            ("SOBAUCU_DATA", ledger.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_EXPORT_DIR", exports.to_str().unwrap()),
            ("SOBAUCU_HOST_LOG", log.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));

    // "In" on the voter list: the whole list, not the rows on screen.
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.wait_until("#list-count", |t| t.contains("1.000"));
    w.wait("#list-view tr[data-id]");
    let on_screen = w.script("return document.querySelector('#list-view tbody').innerText");
    let on_screen = on_screen.as_str().unwrap();
    assert!(!on_screen.is_empty() && !on_screen.contains(LAST_VOTER), "the last voter is not on the first screen");
    let print = w.wait_until("#list-print", |t| t.trim() == "In");
    w.click(&print);
    let text = written(&w, &exports, 1, "danh-sach-cu-tri-20260201.pdf");
    w.screenshot("30-list-printed");
    assert!(text.contains("DANH SÁCH CỬ TRI") && text.contains("Ngày in: 01/02/2026"), "{text}");
    assert!(text.contains(LAST_VOTER), "a voter far below the first screen is printed");
    assert!(text.contains("Tổng số: 1000 bản ghi."));
    for words in ["Họ và tên", "Giới tính", "Khu vực bỏ phiếu số 3", "Nữ", "Nam"] {
        assert!(text.contains(words), "the list lacks {words}");
    }
    assert!(!text.contains("female") && !has_record_id(&text), "a code or a record id is printed");
    assert!(w.find_all("#written-print").len() == 1, "a PDF can be printed");

    // A search narrows the print-out as it narrows the list.
    w.type_text(&w.wait("#list-search"), "hoang thi zyx");
    w.wait_until("#list-count", |t| t.trim() == "1 bản ghi");
    w.click(&w.wait("#list-print"));
    let text = written(&w, &exports, 2, "danh-sach-cu-tri-20260201.pdf");
    assert!(text.contains(LAST_VOTER) && text.contains("Tổng số: 1 bản ghi.") && text.contains("Tìm: “hoang thi zyx”"));
    w.clear(&w.wait("#list-search"));
    w.type_text(&w.wait("#list-search"), "\u{E007}");
    w.wait_until("#list-count", |t| t.contains("1.000"));

    // Mẫu 33 from the voter list: one polling area chosen by name, then all of them.
    w.click(&w.wait_until("#list-print-voters", |t| t.contains("In danh sách cử tri (Mẫu 33)")));
    let area = w.wait_until("#voter-list-dialog button[data-area-id]", |t| t.trim() == "Khu vực bỏ phiếu số 2");
    w.wait_until("#voter-list-all", |t| t.contains("Tất cả khu vực bỏ phiếu"));
    w.screenshot("31-voter-list-choose-area");
    w.click(&area);
    let text = written(&w, &exports, 3, "danh-sach-cu-tri-kvbp-2.pdf");
    assert!(text.contains("Mẫu số 33") && text.contains("Khu vực bỏ phiếu số 2"), "{text}");
    assert!(text.contains("Tổng số cử tri: 400 người") && !has_record_id(&text));
    assert!(w.find_all("#voter-list-dialog").is_empty(), "the dialog closed");
    w.click(&w.wait("#list-print-voters"));
    w.click(&w.wait("#voter-list-all"));
    let text = written(&w, &exports, 4, "danh-sach-cu-tri-tat-ca-kvbp.pdf");
    assert_eq!(text.matches("Mẫu số 33").count(), 3, "one list per polling area");
    assert!(text.contains("Tổng số cử tri: 200 người"), "the third area's 200 voters");

    // Mẫu 33 from the polling-area list.
    w.click(&w.wait("a[data-kind=\"polling_area\"]"));
    w.wait_until("#list-title", |t| t.contains("Khu vực bỏ phiếu"));
    w.click(&w.wait_until("#list-print-voters", |t| t.contains("Mẫu 33")));
    w.click(&w.wait_until("#voter-list-dialog button[data-area-id]", |t| t.trim() == "Khu vực bỏ phiếu số 1"));
    let text = written(&w, &exports, 5, "danh-sach-cu-tri-kvbp-1.pdf");
    assert!(text.contains("Khu vực bỏ phiếu số 1") && text.contains("Tổng số cử tri: 400 người"));

    // The file just written: opened, its folder opened, printed, all through the host.
    w.screenshot("32-written-panel");
    w.click(&w.wait_until("#written-open", |t| t.trim() == "Mở tệp"));
    w.click(&w.wait_until("#written-folder", |t| t.trim() == "Mở thư mục"));
    w.click(&w.wait_until("#written-print", |t| t.trim() == "In"));
    w.wait_until("#toast", |t| t.contains("Ctrl+P"));
    let file = exports.join("danh-sach-cu-tri-kvbp-1.pdf");
    let expected = [
        format!("open {}", file.display()),
        format!("open {}", exports.display()),
        format!("print {}", file.display()),
    ];
    eventually(15, "the host's log of the three calls", || {
        std::fs::read_to_string(&log).map(|l| l.lines().count() >= 3).unwrap_or(false)
    });
    let lines: Vec<String> = std::fs::read_to_string(&log).unwrap().lines().map(str::to_string).collect();
    assert_eq!(lines, expected);
    w.click(&w.wait("#written-close"));
    assert!(w.find_all("#written-panel").is_empty(), "the panel closes");

    // In English.
    w.click(&w.wait("#lang-toggle"));
    w.wait_until("#list-print", |t| t.trim() == "Print");
    w.wait_until("#list-print-voters", |t| t.contains("Print the voter list (form 33)"));
    w.click(&w.wait("#list-print"));
    w.wait_until("#written-panel[data-file=\"6\"] #written-name", |t| t.contains("Saved danh-sach-khu-vuc-bo-phieu-"));
    w.wait_until("#written-folder", |t| t.trim() == "Open the folder");
    let areas = pdf_text(&exports.join("danh-sach-khu-vuc-bo-phieu-20260201.pdf"));
    assert!(areas.contains("DANH SÁCH KHU VỰC BỎ PHIẾU") && areas.contains("Thông thường"), "{areas}");
    assert!(areas.contains("Khu vực bỏ phiếu số 3") && !areas.contains("ordinary") && !has_record_id(&areas));
}
