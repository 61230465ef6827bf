//! Election day in the real window: a team's turnout report and its counting minutes entered
//! through their forms (an impossible figure refused on its field), the candidates' votes of
//! the team's CSV beside them, and the electoral unit's result on the report screen.

use serde_json::json;
use sobaucu_tests::{Node, Screen, Window, binary};

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

    let screen = Screen::start();
    let w = Window::open(
        &binary("sobaucu-desktop"),
        &screen,
        tmp.path(),
        &[("SOBAUCU_DATA", node.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2026-03-15")],
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
    w.click(&w.wait("#form-save"));
    w.wait_until("#record-form", |t| t.contains("phải bằng 150 phiếu thu vào"));
    fill(&w, "invalid", "10");
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
}
