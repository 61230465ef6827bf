//! The bin in the real window: a record deleted from its form is in "Thùng rác" with its kind
//! and when, and "Khôi phục" brings it back to its list.

use sobaucu_tests::{Screen, Window, binary};

#[test]
fn a_deleted_record_is_in_the_bin_and_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let screen = Screen::start();
    let ledger = data.path().join("ledger");
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        data.path(),
        &[("SOBAUCU_DATA", ledger.to_str().unwrap()), ("SOBAUCU_TODAY", "2026-02-01")],
    );
    w.create_ledger("Lò Văn Minh");
    w.click(&w.wait("#setup-demo"));
    w.wait("[data-count-kind=\"voter\"]");

    w.click(&w.wait("a[data-view=\"bin\"]"));
    w.wait_until("#bin-empty", |t| t.contains("Thùng rác trống"));

    w.click(&w.wait("a[data-kind=\"incident\"]"));
    w.wait("#list-view tr[data-id]");
    let id = w.script("return document.querySelector('#list-view tr[data-id]').dataset.id");
    let id = id.as_str().unwrap().to_string();
    w.click(&w.wait("#list-view tr[data-id] td"));
    let title = w.script("return document.querySelector('#record-form [name=\"summary\"]').value");
    let title = title.as_str().unwrap().to_string();
    w.click(&w.wait("#form-delete"));
    w.click(&w.wait("#confirm-ok"));
    w.wait("#list-view");
    assert!(w.find_all(&format!("#list-view tr[data-id=\"{id}\"]")).is_empty(), "deleted from its list");

    w.click(&w.wait("a[data-view=\"bin\"]"));
    let row = w.wait_until(&format!("#bin-list tr[data-id=\"{id}\"]"), |t| t.contains(&title));
    assert!(w.text(&row).contains("An ninh trật tự"), "{}", w.text(&row));
    w.screenshot("30-bin");
    w.click(&w.wait(&format!("#bin-list tr[data-id=\"{id}\"] button.bin-restore")));
    w.click(&w.wait("#confirm-ok"));
    w.wait_until("#bin-list", |t| t.contains("Thùng rác trống"));

    w.click(&w.wait("a[data-kind=\"incident\"]"));
    w.wait(&format!("#list-view tr[data-id=\"{id}\"]"));
}
