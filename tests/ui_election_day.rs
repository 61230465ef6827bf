//! Election day in the real window: a team's turnout report and its counting minutes entered
//! through their forms (an impossible figure refused on its field), the candidates' votes of
//! the team's CSV beside them, and the electoral unit's result on the report screen; the
//! team's counting minutes printed from their form and the board's minutes of the unit's result
//! from the unit's (the save dialog answered by `$SOBAUCU_EXPORT_DIR`, the PDF read back).

use std::path::Path;

use serde_json::json;
use sobaucu_tests::{Node, Screen, Window, binary, pdf_words};

/// Waits for the panel of the `n`th file written, naming `name`, and returns the file's text.
fn written(w: &Window, exports: &Path, n: u32, name: &str) -> String {
    w.wait_until(&format!("#written-panel[data-file=\"{n}\"] #written-name"), |t| t.contains(name));
    let path = exports.join(name);
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-"), "{name} is a PDF");
    pdf_words(&path)
}

/// The id of the one record of `kind`.
fn only_id(node: &Node, kind: &str) -> String {
    let listed = node.ok(&["list", "--kind", kind, "--json"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let row: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    row["id"].as_str().unwrap().to_string()
}

/// Sets a form's select to the option whose text contains `text`.
fn choose(w: &Window, name: &str, text: &str) {
    let done = w.script(&format!(
        "const s = document.querySelector('#record-form [name=\"{name}\"]'); \
         const o = [...s.options].find((o) => o.textContent.includes('{text}')); \
         if (!o) return false; s.value = o.value; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true;"
    ));
    assert_eq!(done.as_bool(), Some(true), "no option {text} in {name}");
}

fn fill(w: &Window, name: &str, value: &str) {
    let input = w.wait(&format!("#record-form [name=\"{name}\"]"));
    w.clear(&input);
    w.type_text(&input, value);
}

#[test]
fn a_team_reports_turnout_and_its_minutes_and_the_unit_result_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let node = Node::init_on(&tmp.path().join("commune"), "03637", "2025", "2026-03-15", "2026-03-15");
    node.import(&[
        json!({"kind": "electoral_unit", "level": "commune", "number": 1, "name": "Đơn vị bầu cử số 1", "seats": 1}),
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bản Nà Luông", "area_type": "ordinary", "voters": 200,
               "electoral_unit_commune": "Đơn vị bầu cử số 1"}),
        json!({"kind": "candidate", "full_name": "Lò Thị Xuân", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1",
               "nomination": "nominated", "birth_date": "1982-04-02", "sex": "female", "status": "official"}),
        json!({"kind": "candidate", "full_name": "Tẩn Văn Pao", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1",
               "nomination": "nominated", "birth_date": "1979-11-20", "sex": "male", "status": "official"}),
    ]);

    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[
            ("SOBAUCU_DATA", node.dir.to_str().unwrap()),
            ("SOBAUCU_TODAY", "2026-03-15"),
            ("SOBAUCU_EXPORT_DIR", exports.to_str().unwrap()),
        ],
    );
    w.unlock();
    w.wait("#main");

    // 09:00: the team's turnout.
    w.script("location.hash = '#/new/turnout_report'; return null;");
    w.wait("#record-form [name=\"polling_area\"] option[value]:not([value=\"\"])");
    choose(&w, "polling_area", "Nà Luông");
    fill(&w, "reported_at", "15/03/2026 09:00");
    fill(&w, "voted", "120");
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view tbody", |t| t.contains("2026-03-15 09:00") && t.contains("120"));

    // The counting minutes: valid and invalid must make the ballots received.
    w.script("location.hash = '#/new/count_minutes'; return null;");
    w.wait("#record-form [name=\"polling_area\"] option[value]:not([value=\"\"])");
    choose(&w, "polling_area", "Nà Luông");
    choose(&w, "level", "HĐND xã");
    for (name, value) in [
        ("voters_listed", "200"),
        ("voted", "150"),
        ("ballots_issued", "150"),
        ("ballots_received", "150"),
        ("valid", "140"),
        ("invalid", "5"),
        ("counted_on", "15/03/2026"),
    ] {
        fill(&w, name, value);
    }
    // Checked as typed, before any save.
    w.wait_until("#minutes-check", |t| t.contains("phải bằng số phiếu thu vào (150)"));
    w.click(&w.wait("#form-save"));
    w.wait_until("#record-form", |t| t.contains("phải bằng 150 phiếu thu vào"));
    fill(&w, "invalid", "10");
    w.wait_until("#minutes-check", |t| t.contains("khớp nhau"));
    w.click(&w.wait("#form-save"));
    w.wait_until("#list-view tbody", |t| t.contains("140"));
    w.screenshot("40-count-minutes");

    // The candidates' votes, as the team's CSV.
    let csv = tmp.path().join("phieu.csv");
    std::fs::write(
        &csv,
        "Khu vực bỏ phiếu,Cấp bầu cử,Người ứng cử,Số phiếu bầu\nKhu vực bản Nà Luông,HĐND xã,Lò Thị Xuân,96\nKhu vực bản Nà Luông,HĐND xã,Tẩn Văn Pao,44\n",
    )
    .unwrap();
    node.ok(&["import", "--kind", "candidate_votes", csv.to_str().unwrap()]);

    // The result: 150 of 200 voted; Lò Thị Xuân has more than half of the 140 valid ballots.
    w.script("location.hash = '#/report'; return null;");
    let results = w.wait_until("#report-view section[data-section=\"results\"]", |t| t.contains("Lò Thị Xuân"));
    let text = w.text(&results);
    assert!(text.contains("Đã bầu đủ"), "{text}");
    assert!(text.contains("Lò Thị Xuân (96; 68,6 %)"), "{text}");
    assert!(!text.contains("Tẩn Văn Pao"), "{text}");
    let turnout = w.wait_until("#report-turnout", |t| t.contains("120"));
    assert!(w.text(&turnout).contains("60 %"), "{}", w.text(&turnout));
    w.script("document.querySelector('#report-view section[data-section=\"results\"]').scrollIntoView(); return null;");
    w.screenshot("41-election-day-result");

    // The team's counting minutes print from their form, ready to sign.
    w.script(&format!("location.hash = '#/edit/count_minutes/{}'; return null;", only_id(&node, "count_minutes")));
    w.click(&w.wait_until("#form-print-minutes", |t| t.contains("In biên bản kiểm phiếu")));
    let text = written(&w, &exports, 1, "bien-ban-kiem-phieu-kvbp-1-commune.pdf");
    for words in [
        "BIÊN BẢN KẾT QUẢ KIỂM PHIẾU",
        "TẠI KHU VỰC BỎ PHIẾU SỐ 1 (KHU VỰC BẢN NÀ LUÔNG)",
        "ngày 15 tháng 03 năm 2026",
        "200 (bằng chữ: hai trăm)",
        "150 (bằng chữ: một trăm năm mươi)",
        "140 (bằng chữ: một trăm bốn mươi)",
        "Lò Thị Xuân",
        "Tẩn Văn Pao",
        "chín mươi sáu",
        "68,6 %",
        "TỔ TRƯỞNG",
        "THƯ KÝ",
    ] {
        assert!(text.contains(words), "the counting minutes lack {words}: {text}");
    }
    w.wait_until("#written-print", |t| t.trim() == "In");
    w.screenshot("44-count-minutes-printed");

    // The board's minutes of the unit's result print from the electoral unit's form.
    w.script(&format!("location.hash = '#/edit/electoral_unit/{}'; return null;", only_id(&node, "electoral_unit")));
    w.click(&w.wait_until("#form-print-result", |t| t.contains("In biên bản xác định kết quả")));
    let text = written(&w, &exports, 2, "bien-ban-xac-dinh-ket-qua-commune-dvbc-1.pdf");
    for words in [
        "BIÊN BẢN XÁC ĐỊNH KẾT QUẢ BẦU CỬ",
        "Ở ĐƠN VỊ BẦU CỬ SỐ 1",
        "Số khu vực bỏ phiếu đã có biên bản kết quả kiểm phiếu: 1/1",
        "Lò Thị Xuân: 96 phiếu",
        "trúng cử theo khoản 2 Điều 78",
        "TRƯỞNG BAN BẦU CỬ",
    ] {
        assert!(text.contains(words), "the result minutes lack {words}: {text}");
    }
    assert!(!text.contains("TẠM TÍNH"), "every area has counted: {text}");
}

/// The turnout grid of the commune's election-day screen: a number typed in the box of an hour
/// and Enter is a turnout report, saved at once.
#[test]
fn the_election_day_screen_takes_turnout_by_the_hour() {
    let tmp = tempfile::tempdir().unwrap();
    let node = Node::init_on(&tmp.path().join("commune"), "03637", "2025", "2026-03-15", "2026-03-15");
    node.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bản Nà Luông", "area_type": "ordinary", "voters": 200}),
        json!({"kind": "polling_area", "number": 2, "name": "Khu vực bản Hát Nam", "area_type": "ordinary", "voters": 300}),
    ]);
    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[("SOBAUCU_DATA", node.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2026-03-15")],
    );
    w.unlock();
    w.click(&w.wait("a[data-view=\"election-day\"]"));
    let box_at = |area: &str, hour: &str| {
        let id = w.script(&format!(
            "return [...document.querySelectorAll('#ed-turnout tr[data-area]')].find((r) => r.textContent.includes('{area}')).dataset.area"
        ));
        format!("#ed-turnout input[data-area=\"{}\"][data-hour=\"{hour}\"]", id.as_str().unwrap())
    };
    let first = w.wait(&box_at("Nà Luông", "09:00"));
    w.type_text(&first, "80\u{E007}");
    w.wait_until("#ed-turnout tfoot", |t| t.contains("80"));
    let second = w.wait(&box_at("Hát Nam", "09:00"));
    w.type_text(&second, "120\u{E007}");
    // 200 of 500 voters by 09:00: 40 %.
    w.wait_until("#ed-turnout tfoot", |t| t.contains("200") && t.contains("40 %"));
    let listed = node.ok(&["list", "--kind", "turnout_report", "--json"]);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.contains("2026-03-15 09:00"));
    // A report made is changed in place, never twice.
    let first = w.wait(&box_at("Nà Luông", "09:00"));
    w.clear(&first);
    w.type_text(&first, "90\u{E007}");
    w.wait_until("#ed-turnout tfoot", |t| t.contains("210"));
    assert_eq!(node.ok(&["list", "--kind", "turnout_report", "--json"]).lines().count(), 2);
    // The minutes of an area and level open their form with both filled in.
    w.click(&w.wait("#ed-minutes a.ed-minutes-todo"));
    w.wait("#record-form [name=\"level\"]");
    let level = w.script("return document.querySelector('#record-form [name=\"level\"]').value");
    assert!(!level.as_str().unwrap_or_default().is_empty(), "the level is filled in");
    let area = w.script("return document.querySelector('#record-form [name=\"polling_area\"]').value");
    assert!(area.as_str().unwrap_or_default().contains('-'), "the polling area is filled in: {area}");
    w.screenshot("42-election-day-commune");
}

/// The district's election-day board follows its communes' reports as they sync.
#[test]
fn the_district_board_follows_turnout_after_a_sync() {
    use sobaucu_tests::{Hub, eventually};
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub-106"), "106", "2021", None);
    let commune = Node::init_on(&tmp.path().join("c-03390"), "03390", "2021", "2021-05-23", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực số 1", "area_type": "ordinary", "voters": 400}),
    ]);
    commune.import(&[json!({"kind": "turnout_report", "polling_area": "Khu vực số 1", "reported_at": "23/05/2021 09:00", "voted": 100})]);
    commune.ok(&["sync"]);
    let district = Node::init_on(&tmp.path().join("district"), "106", "2021", "2021-05-23", "2021-05-23");
    district.enroll(&hub, "106");
    // The district's committee sets the reporting hours; they sync down to its communes.
    district.import(&[json!({"kind": "committee", "name": "Ủy ban bầu cử huyện Tam Đường", "level": "district",
                              "formed_on": "2021-02-05", "turnout_hours": "9h, 11h, 15h, 19h"})]);
    district.ok(&["sync"]);
    commune.ok(&["sync"]);
    assert_eq!(commune.json(&["election-day", "--json"])["hours"], json!(["09:00", "11:00", "15:00", "19:00"]));

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[("SOBAUCU_DATA", district.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2021-05-23")],
    );
    w.unlock();
    w.wait_until("#sync-status", |t| t.contains("Đã đồng bộ"));
    w.click(&w.wait("a[data-view=\"election-day\"]"));
    let row = w.wait_until("#ed-units tr[data-unit=\"03390\"]", |t| t.contains("25 %"));
    assert!(w.text(&row).contains("1/1"), "{}", w.text(&row));
    assert!(
        !w.text(&row).contains("55 %") && w.text(&row).contains('—'),
        "later hours are not known yet: {}",
        w.text(&row)
    );
    w.wait("#ed-chart polyline");

    // 11:00 at the commune; the district syncs and its board follows.
    commune.import(&[json!({"kind": "turnout_report", "polling_area": "Khu vực số 1", "reported_at": "23/05/2021 11:00", "voted": 220})]);
    commune.ok(&["sync"]);
    eventually(60, "the district board to show 55 % at 11:00", || {
        w.click(&w.wait("a[data-view=\"sync\"]"));
        w.click(&w.wait("#sync-now"));
        w.click(&w.wait("a[data-view=\"election-day\"]"));
        let row = w.wait("#ed-units tr[data-unit=\"03390\"]");
        w.text(&row).contains("55 %")
    });
    w.screenshot("43-election-day-district");
}
