//! The district workspace in the real window: after the background sync brings in what its
//! communes entered, the progress board shows a late commune (with its delay and that it
//! synced) beside one that is on time and one that never synced, and drills down to a record.

use serde_json::json;
use sobaucu_tests::{Hub, Node, Screen, Window, binary};

const ELECTION: &str = "2021-05-23";

#[test]
fn the_progress_board_shows_a_late_commune_after_a_sync() {
    let tmp = tempfile::tempdir().unwrap();
    // Huyện Tam Đường (Lai Châu, 2021 units) and three of its communes.
    let hub = Hub::start(&tmp.path().join("hub-106"), "106", "2021", None);
    let on_time = Node::init(&tmp.path().join("c-03390"), "03390", "2021", ELECTION);
    let late = Node::init(&tmp.path().join("c-03394"), "03394", "2021", ELECTION);
    for (node, code, held) in [(&on_time, "03390", "2021-03-15"), (&late, "03394", "2021-03-17")] {
        node.enroll(&hub, code);
        // The boards are due on 14/03/2021 (70 days before the election).
        node.import(&[
            json!({"kind": "electoral_unit", "level": "commune", "number": 1, "name": "Đơn vị bầu cử số 1", "seats": 3}),
            json!({"kind": "board", "name": "Ban bầu cử số 1", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1", "size": 9, "formed_on": if code == "03390" { "2021-03-10" } else { held }}),
            json!({"kind": "consultation", "round": "2", "level": "commune", "held_on": held}),
        ]);
        node.ok(&["sync"]);
    }

    // The district's own ledger, enrolled with its hub; the window's background sync pulls.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", ELECTION);
    district.enroll(&hub, "106");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[
            ("SOBAUCU_DATA", district.dir.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2021-03-20"),
            ("SOBAUCU_EXPORT_DIR", exports.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait_until("#sync-status", |t| t.contains("Đã đồng bộ"));
    // The dashboard of a district leads with where its communes stand.
    w.click(&w.wait("a[data-view=\"dashboard\"]"));
    w.wait_until("#dash-progress tr[data-milestone=\"boards_formed\"]", |t| t.contains("2/13 xã"));
    w.click(&w.wait("a[data-view=\"progress\"]"));
    w.wait_until("#progress-title", |t| t.contains("Tam Đường"));

    // The boards: 1 of the 13 communes on time, 1 late by 3 days; the 11 never heard from are
    // "chưa đồng bộ", never counted overdue.
    let boards = w.wait_until("#progress-milestones tr[data-milestone=\"boards_formed\"]", |t| t.contains("2/13 xã"));
    let text = w.text(&boards);
    assert!(text.contains("11 chưa đồng bộ"), "{text}");
    assert!(text.contains("Xã Thèn Sin · 3 ngày"), "{text}");
    assert!(!text.contains("đơn vị khác"), "only the late commune is named: {text}");
    // The columns are headed by the milestones' names; the last sync is the second column.
    w.wait("#progress-units thead .pg-col-name");
    let head = w.script("return document.querySelector('#progress-units thead').textContent");
    let head = head.as_str().unwrap_or_default();
    assert!(head.contains("Thành lập Ban bầu cử") && head.contains("Đồng bộ lần cuối"), "{head}");
    let drawn = w.script(
        "return [...document.querySelectorAll('#progress-units .pg-col-name')].every((e) => { \
           const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })",
    );
    assert_eq!(drawn.as_bool(), Some(true), "every milestone's name is drawn in its column head");
    let second = w.script("return document.querySelector('#progress-units thead th:nth-child(2)').textContent");
    assert_eq!(second.as_str(), Some("Đồng bộ lần cuối"));
    let sync_box = w.script(
        "const r = document.querySelector('#progress-units thead th:nth-child(2)').getBoundingClientRect(); \
         return r.right <= window.innerWidth;",
    );
    assert_eq!(sync_box.as_bool(), Some(true), "the last-sync column is seen without scrolling");

    // The late commune's row: its board done late, its last sync today; another never synced.
    let row = w.wait("#progress-units tr[data-unit=\"03394\"]");
    let cell = w.find_all("#progress-units tr[data-unit=\"03394\"] td.pg-cell[data-status=\"done_late\"]");
    assert!(!cell.is_empty(), "the late commune shows a late cell: {}", w.text(&row));
    assert!(w.text(&row).contains("Hôm nay"), "{}", w.text(&row));
    let silent = w.wait("#progress-units tr[data-unit=\"03400\"]");
    assert!(w.text(&silent).contains("Chưa đồng bộ — chưa có số liệu"), "{}", w.text(&silent));
    assert!(!w.text(&silent).contains("quá hạn"), "{}", w.text(&silent));
    assert!(w.find_all("#progress-units tr[data-unit=\"03400\"] td.pg-cell[data-status=\"overdue\"]").is_empty());
    assert!(!w.find_all("#progress-units tr[data-unit=\"03400\"] td.pg-cell[data-status=\"no_data\"]").is_empty());
    w.screenshot("20-progress-board");
    w.script("document.querySelector('#progress-units').scrollIntoView(); return null;");
    w.screenshot("21-progress-units");

    // A commune's name opens its timeline and its records in the merged ledger.
    w.click(&w.wait("#progress-units tr[data-unit=\"03394\"] a.pg-unit-link"));
    w.wait_until("#progress-title", |t| t.contains("Thèn Sin"));
    let timeline = w.wait_until("#progress-unit-timeline", |t| t.contains("Thành lập Ban bầu cử"));
    assert!(w.text(&timeline).contains("Xong muộn"), "{}", w.text(&timeline));
    w.click(&w.wait("#progress-unit-records a[data-kind=\"board\"]"));
    w.wait_until("#list-count", |t| t.contains("1 bản ghi"));
    w.wait_until("#list-view tbody", |t| t.contains("Xã Thèn Sin") && !t.contains("Thị trấn Tam Đường"));
    w.wait_until("#list-unit", |t| t.contains("Xã Thèn Sin"));
    let filter = w.wait("#list-unit");
    let chosen = w.script("return document.querySelector('#list-unit').selectedOptions[0].textContent");
    assert_eq!(chosen.as_str(), Some("Xã Thèn Sin"), "{}", w.text(&filter));
    // The list's unit stays chosen for the session; set it back to all for what follows.
    w.script(
        "const s = document.querySelector('#list-unit'); s.value = ''; \
         s.dispatchEvent(new Event('change')); return null;",
    );
    w.wait_until("#list-count", |t| t.contains("2 bản ghi"));

    // The report of the district: in words throughout (no internal key), the late commune with
    // its days, and a row per commune, the silent ones shown as such.
    w.click(&w.wait("a[data-view=\"report\"]"));
    let units = w.wait_until("#report-units-table", |t| t.contains("Xã Thèn Sin"));
    assert_eq!(w.find_all("#report-units-table tbody tr").len(), 13, "{}", w.text(&units));
    assert_eq!(w.find_all("#report-units-table tbody tr.no-data").len(), 11);
    let progress = w.wait("#report-progress-table tr[data-key=\"boards_formed\"]");
    assert!(w.text(&progress).contains("Xã Thèn Sin (xong muộn 3 ngày)"), "{}", w.text(&progress));
    let keys = w.script(
        "return (document.querySelector('#main').innerText.match(/[A-Za-z0-9]+_[A-Za-z0-9_]+/g) || []).join(' ')",
    );
    assert_eq!(keys.as_str(), Some(""), "internal keys on the report screen");
    w.screenshot("22-district-report");
    // Its workbook, from the same screen: a row per commune, the silent ones said so.
    w.click(&w.wait("#report-export-xlsx"));
    w.wait_until("#written-panel", |t| t.contains(".xlsx"));
    let file = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .expect("the workbook");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&file).unwrap();
    let sheet = book.worksheet_range("Từng đơn vị").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = rows.iter().position(|r| r.first().is_some_and(|c| c == "Đơn vị")).unwrap();
    assert_eq!(rows.len() - header - 1, 14, "13 communes and the total");
    assert!(rows.iter().any(|r| r[0] == "Xã Thèn Sin"));
    assert_eq!(rows.iter().filter(|r| r.get(1).is_some_and(|c| c == "Chưa đồng bộ (chưa có số liệu)")).count(), 11);
    w.click(&w.wait("a[data-view=\"progress\"]"));
    w.wait("#progress-units");

    // The late cell is the way to the record behind it (the board of the late commune).
    let late_cell = w.wait("#progress-units tr[data-unit=\"03394\"] td.pg-cell[data-status=\"done_late\"] a");
    w.click(&late_cell);
    w.wait_until("#record-form [name=\"formed_on\"]", |_| true);
    let formed = w.script("return document.querySelector('#record-form [name=\"formed_on\"]').value");
    assert_eq!(formed.as_str(), Some("17/03/2021"));

    // Merged records: the boards of every commune, each with its unit, narrowed to one commune.
    w.click(&w.wait("a[data-kind=\"board\"]"));
    w.wait_until("#list-count", |t| t.contains("2 bản ghi"));
    w.wait_until("#list-view tbody", |t| t.contains("Xã Thèn Sin") && t.contains("Thị trấn Tam Đường"));
    w.wait_until("#list-unit", |t| t.contains("Xã Thèn Sin"));
    w.script(
        "const s = document.querySelector('#list-unit'); s.value = '03394'; \
         s.dispatchEvent(new Event('change')); return null;",
    );
    w.wait_until("#list-count", |t| t.contains("1 bản ghi"));
    w.wait_until("#list-view tbody", |t| t.contains("Xã Thèn Sin") && !t.contains("Thị trấn Tam Đường"));

    // English switch.
    w.click(&w.wait("a[data-view=\"progress\"]"));
    w.click(&w.wait("#lang-toggle"));
    w.wait_until("#progress-milestones", |t| t.contains("2/13 communes"));
}
