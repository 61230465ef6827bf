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

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[("SOBAUCU_DATA", district.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2021-03-20")],
    );
    w.unlock();
    w.wait_until("#sync-status", |t| t.contains("Đã đồng bộ"));
    // The dashboard of a district leads with where its communes stand.
    w.click(&w.wait("a[data-view=\"dashboard\"]"));
    w.wait_until("#dash-progress tr[data-milestone=\"boards_formed\"]", |t| t.contains("2/13 xã"));
    w.click(&w.wait("a[data-view=\"progress\"]"));
    w.wait_until("#progress-title", |t| t.contains("Tam Đường"));

    // The boards: 1 of the 13 communes on time, 1 late by 3 days, the rest overdue.
    let boards = w.wait_until("#progress-milestones tr[data-milestone=\"boards_formed\"]", |t| t.contains("2/13 xã"));
    let text = w.text(&boards);
    // The most overdue first: 11 communes without a board, then the one done late.
    assert!(text.contains("Xã Tả Lèng · 6 ngày"), "{text}");
    assert!(text.contains("và 8 đơn vị khác"), "{text}");

    // The late commune's row: its board done late, its last sync today; another never synced.
    let row = w.wait("#progress-units tr[data-unit=\"03394\"]");
    let cell = w.find_all("#progress-units tr[data-unit=\"03394\"] td.pg-cell[data-status=\"done_late\"]");
    assert!(!cell.is_empty(), "the late commune shows a late cell: {}", w.text(&row));
    assert!(w.text(&row).contains("Hôm nay"), "{}", w.text(&row));
    let silent = w.wait("#progress-units tr[data-unit=\"03400\"]");
    assert!(w.text(&silent).contains("Chưa đồng bộ"), "{}", w.text(&silent));
    assert!(w.text(&silent).contains("quá hạn"), "{}", w.text(&silent));
    w.screenshot("20-progress-board");
    w.script("document.querySelector('#progress-units').scrollIntoView(); return null;");
    w.screenshot("21-progress-units");

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
