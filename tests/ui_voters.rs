//! Voter lists in the real window, under Xvfb through WebDriver: a CSV imported through the
//! import screen (its preview names the bad row's line and column, nothing is imported until
//! the file is correct, the list then shows the voters, and the import is undone as one step),
//! and a list of 20,000 voters scrolled to its end with only a screenful of rows in the page.

use std::path::Path;

use sobaucu_tests::{LAST_VOTER, Node, Screen, Window, binary, voter_ledger};

// No ballots column: the import screen gives the ballots for every row.
const HEADER: &str = "STT,Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu\n";

fn write_voters(path: &Path, third_birth: &str) {
    let rows = [
        "1,Giàng Páo Mỷ,12/03/1970,Nam,Khu vực bỏ phiếu số 1\n".to_string(),
        "2,Lò Thị Ỏn,1985,Nữ,Khu vực bỏ phiếu số 1\n".to_string(),
        format!("3,Tủa Sín Chải,{third_birth},Nam,Khu vực bỏ phiếu số 1\n"),
        "4,Đặng Thị Đào,05/1990,Nữ,Khu vực bỏ phiếu số 1\n".to_string(),
    ];
    std::fs::write(path, format!("{HEADER}{}", rows.concat())).unwrap();
}

#[test]
fn a_csv_is_previewed_imported_listed_and_undone_in_the_window() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let ledger = data.path().join("ledger");
    let node = Node::init(&ledger, "03637", "2025", "2026-03-15");
    let areas = data.path().join("areas.jsonl");
    std::fs::write(
        &areas,
        "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}\n",
    )
    .unwrap();
    node.ok(&["import", areas.to_str().unwrap()]);
    // Line 4 of the file (the third voter) is too young to vote on election day.
    let csv = data.path().join("cu-tri.csv");
    write_voters(&csv, "20/03/2010");

    let screen = Screen::start();
    let w = Window::open(
        &app,
        &screen,
        data.path(),
        &[
            ("SOBAUCU_DATA", ledger.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_IMPORT_FILE", csv.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.click(&w.wait("#list-import"));
    w.wait("#import-view");
    assert_eq!(w.script("return document.getElementById('import-kind').value"), serde_json::json!("voter"));
    w.wait_until("#import-history", |t| t.contains("areas.jsonl"));
    for level in ["na", "provincial", "commune"] {
        w.click(&w.wait(&format!("#import-defaults input[name=\"import-ballots\"][value=\"{level}\"]")));
    }
    w.click(&w.wait("#import-choose"));

    // The preview: the bad row with its line, its column as the file names it, and the reason.
    w.wait_until(".import-problem[data-line=\"4\"]", |t| t.contains("Ngày sinh") && t.contains("18"));
    // The person's name beside the line, on screen only.
    let cells = w.script(
        "return Array.from(document.querySelectorAll('.import-problem td')).slice(0, 3).map(td => td.textContent)",
    );
    assert_eq!(cells, serde_json::json!(["4", "Tủa Sín Chải", "Ngày sinh"]));
    w.wait_until("#import-count", |t| t.contains("Sẽ thêm 3"));
    assert_eq!(w.script("return document.getElementById('import-run').disabled"), serde_json::json!(true));
    w.screenshot("20-import-preview-problem");

    // Corrected in the file, checked again, imported.
    write_voters(&csv, "20/03/1960");
    w.click(&w.wait("#import-recheck"));
    w.wait_until("#import-count", |t| t.contains("Sẽ thêm 4"));
    assert!(w.find_all(".import-problem").is_empty());
    w.screenshot("21-import-preview-clean");
    w.click(&w.wait("#import-run"));
    w.wait_until("#import-done", |t| t.contains("Đã nhập 4"));
    w.wait_until(".import-entry", |t| t.contains("cu-tri.csv") && t.contains("Hoàn tác"));
    w.screenshot("22-import-done");

    // The voters are in the list ("Xem danh sách"), in Vietnamese order by given name.
    w.click(&w.wait("#import-view-list"));
    w.wait_until("#list-count", |t| t.contains("4 bản ghi"));
    let names = w.script(
        "return Array.from(document.querySelectorAll('#list-view tr[data-id] td[data-field=full_name]')).map(td => td.textContent)",
    );
    assert_eq!(names, serde_json::json!(["Tủa Sín Chải", "Đặng Thị Đào", "Giàng Páo Mỷ", "Lò Thị Ỏn"]));
    w.screenshot("23-import-listed");

    // Undone as one step.
    w.click(&w.wait("#list-import"));
    w.click(&w.wait(".import-entry .import-undo"));
    w.click(&w.wait("#confirm-ok"));
    w.wait_until(".import-entry", |t| t.contains("Đã hoàn tác"));
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.wait("#list-empty");
    w.screenshot("24-import-undone");
}

#[test]
fn a_new_version_of_the_list_is_matched_and_its_unknown_columns_chosen_in_the_window() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let ledger = data.path().join("ledger");
    let node = Node::init(&ledger, "03637", "2025", "2026-03-15");
    let first = data.path().join("first.jsonl");
    let voter = |name: &str, birth: &str, sex: &str, occupation: &str| {
        serde_json::json!({"kind": "voter", "full_name": name, "birth_date": birth, "sex": sex, "occupation": occupation,
            "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na,provincial,commune"})
        .to_string()
    };
    std::fs::write(
        &first,
        [
            "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}"
                .to_string(),
            voter("Giàng Páo Mỷ", "1970-03-12", "male", "Làm ruộng"),
            voter("Lò Thị Ỏn", "1985-01-01", "female", "Giáo viên"),
            voter("Tủa Sín Chải", "1960-03-20", "male", "Làm ruộng"),
        ]
        .join("\n"),
    )
    .unwrap();
    node.ok(&["import", first.to_str().unwrap()]);
    // The village's new version: Lò Thị Ỏn's work has changed, Đặng Thị Đào is new, Tủa Sín
    // Chải is no longer on it; its work is under a header the import does not know, and a
    // phone column it has no field for.
    let csv = data.path().join("cu-tri-moi.csv");
    std::fs::write(
        &csv,
        "STT,Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Công việc đang làm,Số điện thoại\n\
         1,Giàng Páo Mỷ,12/03/1970,Nam,Khu vực bỏ phiếu số 1,Làm ruộng,0912000001\n\
         2,Lò Thị Ỏn,01/01/1985,Nữ,Khu vực bỏ phiếu số 1,Y tá,0912000002\n\
         3,Đặng Thị Đào,05/05/1990,Nữ,Khu vực bỏ phiếu số 1,Buôn bán,\n",
    )
    .unwrap();

    let screen = Screen::start();
    let w = Window::open(
        &app,
        &screen,
        data.path(),
        &[
            ("SOBAUCU_DATA", ledger.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-02-01"),
            ("SOBAUCU_IMPORT_FILE", csv.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.click(&w.wait("#list-import"));
    w.wait("#import-view");
    for level in ["na", "provincial", "commune"] {
        w.click(&w.wait(&format!("#import-defaults input[name=\"import-ballots\"][value=\"{level}\"]")));
    }
    w.click(&w.wait("#import-update"));
    w.click(&w.wait("#import-choose"));

    // Two columns not known: named with their numbers; nothing can be written until chosen.
    w.wait_until(".import-unknown[data-header=\"Công việc đang làm\"]", |t| t.contains("6"));
    w.wait(".import-unknown[data-header=\"Số điện thoại\"]");
    assert_eq!(w.script("return document.getElementById('import-run').disabled"), serde_json::json!(true));
    w.screenshot("25-import-unknown-columns");
    w.click(&w.wait(".import-unknown[data-header=\"Công việc đang làm\"] option[value=\"occupation\"]"));
    w.wait_until("#import-unknown", |t| !t.contains("Công việc đang làm"));
    w.click(&w.wait(".import-unknown[data-header=\"Số điện thoại\"] option[value=\"-\"]"));

    // The update: one added, one changed field by field, one unchanged, one missing (listed only).
    w.wait_until("#import-update-counts", |t| t.contains("Thêm mới 1") && t.contains("không còn trong tệp 1"));
    assert_eq!(
        w.script("const d = document.getElementById('import-update-counts').dataset; return [d.added, d.changed, d.unchanged, d.missing]"),
        serde_json::json!(["1", "1", "1", "1"])
    );
    w.wait_until(".import-change[data-field=\"occupation\"]", |t| t.contains("Giáo viên") && t.contains("Y tá"));
    w.wait_until("#import-missing", |t| t.contains("Tủa Sín Chải"));
    assert!(w.find_all("#import-unknown").is_empty(), "every column is chosen");
    w.screenshot("26-import-update-preview");
    w.click(&w.wait("#import-run"));
    w.wait_until("#import-done", |t| t.contains("thêm 1, thay đổi 1, xóa 0"));

    // Four voters: the missing one is kept; Lò Thị Ỏn's work is the new one.
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.wait_until("#list-count", |t| t.contains("4 bản ghi"));
    let listed = node.json(&["list", "--kind", "voter", "--search", "lo thi on", "--json"]);
    assert_eq!(listed["occupation"], "Y tá", "{listed}");

    // The same file again: nothing to change, and the missing voter removed only when asked,
    // with a reason.
    w.click(&w.wait("#list-import"));
    w.click(&w.wait("#import-choose"));
    w.click(&w.wait(".import-unknown[data-header=\"Công việc đang làm\"] option[value=\"occupation\"]"));
    w.wait_until("#import-unknown", |t| !t.contains("Công việc đang làm"));
    w.click(&w.wait(".import-unknown[data-header=\"Số điện thoại\"] option[value=\"-\"]"));
    w.wait_until("#import-update-counts", |t| t.contains("Thêm mới 0 · thay đổi 0 · không đổi 3"));
    assert_eq!(w.script("return document.getElementById('import-run').disabled"), serde_json::json!(true));
    w.click(&w.wait("#import-remove-missing"));
    let reason = w.wait("#import-remove-reason");
    w.type_text(&reason, "Chuyển đi nơi khác\n");
    w.script("document.getElementById('import-remove-reason').dispatchEvent(new Event('change')); return null;");
    w.wait_until("#import-update-counts", |t| t.contains("không còn trong tệp 1"));
    w.wait("#import-run:not([disabled])");
    w.click(&w.wait("#import-run"));
    w.wait_until("#import-done", |t| t.contains("thêm 0, thay đổi 0, xóa 1"));
    // Removed the legal way: still a record, off the list, with a change that gives the reason.
    let gone = node.json(&["list", "--kind", "voter", "--search", "tua sin chai", "--json"]);
    assert_eq!(gone["list_status"], "removed", "{gone}");
    let change = node.json(&["list", "--kind", "list_change", "--json"]);
    assert_eq!(
        (change["voter"].as_str(), change["reason"].as_str()),
        (gone["id"].as_str(), Some("Chuyển đi nơi khác"))
    );
}

#[test]
fn a_list_of_20000_voters_scrolls_to_its_last_voter() {
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let ledger = data.path().join("ledger");
    voter_ledger(&ledger, 20_000);

    let screen = Screen::start();
    let w = Window::open(&app, &screen, data.path(), &[("SOBAUCU_DATA", ledger.to_str().unwrap())]);
    w.unlock();
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));
    w.click(&w.wait("a[data-kind=\"voter\"]"));
    w.wait_until("#list-count", |t| t.contains("20.000") || t.contains("20,000"));
    w.wait("#list-view tr[data-id]");

    // Halfway down: the rows there are drawn (fetched by offset), and only a screenful of them.
    w.script("const s = document.getElementById('list-scroll'); s.scrollTop = s.scrollHeight / 2; return 0");
    w.wait_until("#list-view tr[data-index=\"10000\"]", |t| !t.trim().is_empty() && !t.contains('…'));
    // To the end: the last voter in the list's order is drawn.
    w.script("const s = document.getElementById('list-scroll'); s.scrollTop = s.scrollHeight; return 0");
    w.wait_until("#list-view tr[data-index=\"19999\"]", |t| t.contains(LAST_VOTER));
    let drawn = w.script("return document.querySelectorAll('#list-view tr.record-row').length");
    assert!(drawn.as_u64().is_some_and(|n| (10..=300).contains(&n)), "{drawn} rows drawn");
    w.screenshot("25-list-end-of-20000");

    // A search still finds the voter, and a row still opens its record.
    w.type_text(&w.wait("#list-search"), "hoang thi zyx");
    w.wait_until("#list-count", |t| t.contains("1 bản ghi"));
    w.click(&w.wait_until("#list-view tr[data-index=\"0\"] td[data-field=\"full_name\"]", |t| t.contains(LAST_VOTER)));
    w.wait("#record-form");
}
