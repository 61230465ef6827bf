//! Sync in the real window: enrolling with a hub from the sync screen, the background sync
//! carrying a record made in a form, a USB export, and a conflict shown side by side and
//! settled with one click.

use serde_json::json;
use sobaucu_tests::{Hub, Node, Screen, Window, binary, eventually};

fn log_head(hub: &Hub) -> u64 {
    let mut r = ureq::get(&format!("{}/v1/health", hub.url)).call().unwrap();
    let v: serde_json::Value = r.body_mut().read_json().unwrap();
    v["log_head"].as_u64().unwrap()
}

#[test]
fn enrol_sync_export_and_settle_a_conflict_in_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "12", "2025", None);
    // The window's ledger, made by the CLI so the test starts past the first-run screen.
    let ledger = Node::init(&tmp.path().join("ledger"), "03637", "2025", "2026-03-15");
    ledger.import(&[
        json!({"kind": "incident", "occurred_on": "2026-02-01", "place": "Bản Che Bó", "summary": "Mất điện"}),
    ]);
    let usb = tmp.path().join("usb.sbc");

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[
            ("SOBAUCU_DATA", ledger.dir.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_BUNDLE_FILE", usb.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait_until("#sync-status", |t| t.contains("Chưa kết nối"));
    w.click(&w.wait("a[data-view=\"sync\"]"));
    w.wait("#sync-view");
    w.type_text(&w.wait("#sync-hub-url"), &hub.url);
    w.type_text(&w.wait("#sync-code"), &hub.enroll_code("03637"));
    w.click(&w.wait("#sync-enroll"));
    w.wait_until("#sync-pending", |t| t.trim() == "0");
    w.wait_until("#sync-status", |t| t.contains("Đã đồng bộ"));
    // The imported incident, and the figures the ledger published as it synced.
    assert_eq!(log_head(&hub), 2, "the imported incident reached the hub");
    w.screenshot("10-sync-enrolled");

    // A record made in a form reaches the hub by itself.
    w.click(&w.wait("a[data-kind=\"propaganda\"]"));
    w.click(&w.wait("#list-new"));
    w.type_text(&w.wait("#record-form [name=\"held_on\"]"), "01/02/2026");
    w.type_text(&w.wait("#record-form [name=\"activity\"]"), "Phát thanh bằng tiếng Mông");
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view tr[data-id]", |t| t.contains("tiếng Mông"));
    // With it, the figures again: they count it.
    eventually(30, "the background sync to push the new record", || log_head(&hub) == 4);

    // USB export (the file chooser answers with $SOBAUCU_BUNDLE_FILE).
    w.click(&w.wait("a[data-view=\"sync\"]"));
    w.click(&w.wait("#usb-export"));
    eventually(15, "the bundle file", || usb.exists());

    // A second desktop of the same commune edits the incident's place while this one edits it
    // too, each without seeing the other: a conflict.
    let other = Node::init(&tmp.path().join("other"), "03637", "2025", "2026-03-15");
    other.enroll(&hub, "03637");
    other.ok(&["sync"]);
    let listed = other.ok(&["list", "--kind", "incident", "--json"]);
    let incident: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    let id = incident["id"].as_str().unwrap().to_string();
    let store_edit = |node: &Node, place: &str| {
        let mut store =
            sobaucu_core::Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
        let mut input = serde_json::Map::new();
        input.insert("place".into(), json!(place));
        store.save(sobaucu_core::Kind::Incident, Some(id.parse().unwrap()), &input).unwrap();
    };
    store_edit(&other, "Bản Nà Khương");
    other.ok(&["sync"]);
    w.click(&w.wait("a[data-kind=\"incident\"]"));
    w.click(&w.wait_until("#list-view tr[data-id] td", |t| t.contains("Che Bó")));
    let place = w.wait("#record-form [name=\"place\"]");
    w.clear(&place);
    w.type_text(&place, "Bản Hát Nam");
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view tr[data-id]", |t| t.contains("Hát Nam") || t.contains("Nà Khương"));
    w.click(&w.wait("a[data-view=\"sync\"]"));
    eventually(40, "the conflict to arrive", || {
        w.click(&w.wait("a[data-view=\"sync\"]"));
        w.find_all(".conflict[data-field=\"place\"]").len() == 1
    });
    let card = w.wait_until(".conflict[data-field=\"place\"]", |t| t.contains("Hát Nam") && t.contains("Nà Khương"));
    // Named by the unit and the official, never by a node id.
    let text = w.text(&card);
    assert!(text.to_lowercase().contains("xã mường kim"), "{text}");
    assert!(text.contains("chair, máy khác"), "{text}");
    assert!(text.contains("máy này"), "{text}");
    let hex_word = |w: &str| w.len() >= 8 && w.chars().all(|c| c.is_ascii_hexdigit());
    assert!(!text.split(|c: char| !c.is_ascii_alphanumeric()).any(hex_word), "a node id on the card: {text}");
    w.screenshot("11-conflict");
    // Settling asks first; cancelled, nothing changes.
    w.click(&w.wait(".conflict[data-field=\"place\"] button.keep-loser"));
    w.wait_until("#confirm-message", |t| t.contains("Nà Khương"));
    w.click(&w.wait("#confirm-cancel"));
    assert_eq!(w.find_all(".conflict[data-field=\"place\"]").len(), 1);
    w.click(&w.wait(".conflict[data-field=\"place\"] button.keep-loser"));
    w.click(&w.wait("#confirm-ok"));
    w.wait_until("#conflicts", |t| t.contains("Không có xung đột"));
    // The settlement stays in the history, and is settled again the other way from there.
    let settled =
        w.wait_until("#conflict-history .conflict-settled[data-field=\"place\"]", |t| t.contains("Nà Khương"));
    assert!(w.text(&settled).contains("Giá trị hiện nay: Bản Nà Khương"), "{}", w.text(&settled));
    w.screenshot("12-conflict-settled");
    w.click(&w.wait("#conflict-history .conflict-settled[data-field=\"place\"] button.settle-again"));
    w.wait_until("#confirm-message", |t| t.contains("Hát Nam"));
    w.click(&w.wait("#confirm-ok"));
    w.wait_until("#conflict-history .conflict-settled[data-field=\"place\"]", |t| {
        t.contains("Giá trị hiện nay: Bản Hát Nam")
    });
    // One more change: the other desktop takes both choices, and has no conflict left.
    eventually(40, "the other desktop to take the second choice", || {
        other.ok(&["sync"]);
        let listed = other.ok(&["list", "--kind", "incident", "--json"]);
        let settled = other.json(&["conflicts", "--json"]).as_array().is_some_and(|a| a.is_empty());
        settled && listed.contains("Bản Hát Nam")
    });
    w.click(&w.wait("a[data-view=\"sync\"]"));
    w.wait_until("#conflicts", |t| t.contains("Không có xung đột"));
}
