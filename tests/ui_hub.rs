//! "Làm máy chủ cho các xã" in the real window: a district office starts its hub from the
//! sync screen, issues a code for a commune chosen by name, and the test reads the code off the
//! page (text and QR code); a commune's CLI ledger enrols with it and syncs; the commune shows by
//! name in the window's list, its record in the district's merged ledger; it is revoked after a
//! confirmation and refused; the English switch.

use serde_json::json;
use sobaucu_tests::{Node, Screen, Window, binary, eventually, free_port};

const ELECTION: &str = "2021-05-23";

#[test]
fn a_hub_started_from_the_window_enrols_a_commune_with_the_code_it_showed() {
    let tmp = tempfile::tempdir().unwrap();
    // Huyện Tam Đường's ledger (2021 units), made by the CLI so the test starts past the
    // first-run screen.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", ELECTION);
    let port = free_port();

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[("SOBAUCU_DATA", district.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2021-03-20")],
    );
    w.unlock();
    w.click(&w.wait("a[data-view=\"sync\"]"));
    w.click(&w.wait("#sync-to-hub"));
    w.wait_until("#hub-view", |t| t.contains("Làm máy chủ cho các xã"));
    w.wait_until("#hub-status", |t| t.contains("chưa làm máy chủ"));

    // Started on a port of the test's choosing.
    let port_input = w.wait("#hub-port");
    w.clear(&port_input);
    w.type_text(&port_input, &port.to_string());
    w.click(&w.wait("#hub-start"));
    let running = w.wait_until("#hub-running", |t| t.contains("Máy chủ đang chạy tại"));
    let text = w.text(&running);
    assert!(text.contains(&format!(":{port}")), "{text}");
    assert!(text.contains("đóng ứng dụng sẽ dừng máy chủ"), "{text}");
    // The district's own ledger enrolled to its hub by itself.
    w.wait_until("#hub-status", |t| t.contains("Sổ của máy này đồng bộ với máy chủ này"));
    w.wait_until("#sync-status", |t| t.contains("Đã đồng bộ"));
    w.screenshot("59-hub-running");

    // A code for Xã Thèn Sin, chosen by name.
    let options = w.script("return Array.from(document.querySelectorAll('#hub-unit option')).map(o => o.textContent)");
    let options: Vec<&str> = options.as_array().unwrap().iter().filter_map(|o| o.as_str()).collect();
    assert!(options.contains(&"Xã Thèn Sin"), "{options:?}");
    assert!(options.iter().all(|o| !o.chars().all(|c| c.is_ascii_digit())), "no bare codes: {options:?}");
    w.script(
        "const s = document.querySelector('#hub-unit'); \
         s.value = Array.from(s.options).find(o => o.textContent === 'Xã Thèn Sin').value; \
         s.dispatchEvent(new Event('change')); return null;",
    );
    w.click(&w.wait("#hub-issue-button"));
    w.wait_until("#hub-code-card", |t| t.contains("Mã đăng ký cho Xã Thèn Sin") && t.contains("Dùng được một lần"));
    let code = w.text(&w.wait("#hub-code-text")).trim().to_string();
    assert!(code.len() > 20 && code.contains('-'), "{code}");
    let qr = w.script("const i = document.querySelector('#hub-code-qr'); return i.complete && i.naturalWidth > 0");
    assert_eq!(qr.as_bool(), Some(true), "the QR code is drawn");
    w.wait("#hub-code-print");
    w.screenshot("60-hub-code");

    // The commune's ledger enrols with the code read off the page, and syncs a record.
    let commune = Node::init(&tmp.path().join("c-03394"), "03394", "2021", ELECTION);
    commune.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Bó", "summary": "Mất điện cả bản"}),
    ]);
    commune.ok(&["enroll", "--hub", &format!("http://127.0.0.1:{port}"), "--code", &code]);
    commune.ok(&["sync"]);
    let row = w.wait_until("#hub-children-table tbody tr[data-unit=\"03394\"]", |t| t.contains("Xã Thèn Sin"));
    assert!(w.text(&row).contains("Đang hoạt động"), "{}", w.text(&row));
    w.wait_until("#hub-children-table tbody", |t| t.contains("Sổ của máy này"));
    w.script("document.querySelector('#hub-children').scrollIntoView(); return null;");
    w.screenshot("61-hub-children");

    // Its record in the district's merged ledger (the hub wakes the ledger's sync).
    eventually(40, "the commune's incident in the district's list", || {
        w.click(&w.wait("a[data-kind=\"incident\"]"));
        let count = w.wait_until("#list-count", |t| !t.trim().is_empty());
        w.text(&count).starts_with('1')
    });
    w.wait_until("#list-view tbody", |t| t.contains("Bản Nà Bó"));

    // The laptop is lost: revoked after a confirmation, the commune is refused.
    w.click(&w.wait("a[data-view=\"hub\"]"));
    w.click(&w.wait("#hub-children-table tr[data-unit=\"03394\"] button.hub-revoke"));
    w.wait_until("#confirm-dialog", |t| t.contains("Thu hồi máy của Xã Thèn Sin"));
    w.click(&w.wait("#confirm-ok"));
    w.wait_until("#hub-children-table tr[data-unit=\"03394\"]", |t| t.contains("Đã thu hồi"));
    commune.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-20", "place": "Bản Hon", "summary": "Cháy rừng"}),
    ]);
    let refused = commune.fails(&["sync"]);
    assert!(refused.to_lowercase().contains("revoked"), "{refused}");

    // English.
    w.click(&w.wait("#lang-toggle"));
    w.wait_until("#hub-running", |t| {
        t.contains("The hub is running at") && t.contains("closing the app stops the hub")
    });
    w.wait_until("#hub-children-table", |t| t.contains("Revoked") && t.contains("Xã Thèn Sin"));
}
