//! Election day from the command line: a team's counting minutes imported from a sheet; every
//! figure that cannot be is refused naming the file, the line and the field, and nothing of the
//! file is kept.

mod common;

use std::path::Path;

fn import(data: &Path, file: &Path) -> std::process::Output {
    common::run(data, Some("2026-03-15"), &["import", "--kind", "count_minutes", file.to_str().unwrap()])
}

#[test]
fn impossible_minutes_are_refused_naming_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ledger");
    let today = Some("2026-03-15");
    common::ok(&data, today, &["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    let areas = dir.path().join("areas.jsonl");
    std::fs::write(
        &areas,
        (1..=4)
            .map(|n| format!("{{\"kind\": \"polling_area\", \"number\": {n}, \"name\": \"Khu vực số {n}\", \"area_type\": \"ordinary\"}}\n"))
            .collect::<String>(),
    )
    .unwrap();
    common::ok(&data, today, &["import", areas.to_str().unwrap()]);
    let header = "Khu vực bỏ phiếu,Cấp bầu cử,Tổng số cử tri trong danh sách,Số cử tri đã tham gia bỏ phiếu,Số phiếu phát ra,Số phiếu thu vào,Số phiếu hợp lệ,Số phiếu không hợp lệ,Ngày kiểm phiếu\n";
    let good = "Khu vực số 1,HĐND xã,300,250,250,250,240,10,15/03/2026\n";
    for (bad, field) in [
        ("Khu vực số 2,HĐND xã,300,301,301,301,300,1,15/03/2026\n", "voted"),
        ("Khu vực số 3,HĐND xã,300,250,250,251,240,11,15/03/2026\n", "ballots_received"),
        ("Khu vực số 4,HĐND xã,300,250,250,250,240,9,15/03/2026\n", "valid"),
    ] {
        let file = dir.path().join("bien-ban.csv");
        std::fs::write(&file, format!("{header}{good}{bad}")).unwrap();
        let out = import(&data, &file);
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bien-ban.csv:3"), "{err}");
        assert!(err.contains(field), "{field}: {err}");
        // Nothing of the file was kept, not even its good line.
        assert_eq!(common::ok(&data, today, &["list", "--kind", "count_minutes", "--json"]).trim(), "");
    }
    let file = dir.path().join("bien-ban.csv");
    std::fs::write(&file, format!("{header}{good}")).unwrap();
    assert!(import(&data, &file).status.success());
    // The same minutes again: a team reports each level once.
    let out = import(&data, &file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("bien-ban.csv:2") && err.contains("level"), "{err}");
}

/// `sobaucu election-day` reads the day's turnout at each hour and the unit's result.
#[test]
fn election_day_prints_turnout_by_the_hour_and_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ledger");
    let today = Some("2026-03-15");
    common::ok(&data, today, &["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    let lines = [
        r#"{"kind": "electoral_unit", "level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 1}"#,
        r#"{"kind": "polling_area", "number": 1, "name": "Khu vực số 1", "area_type": "ordinary", "voters": 200, "electoral_unit_commune": "Đơn vị số 1"}"#,
        r#"{"kind": "candidate", "full_name": "Lò Thị Xuân", "level": "commune", "electoral_unit": "Đơn vị số 1", "nomination": "nominated", "birth_date": "1982-04-02", "sex": "female", "status": "official"}"#,
        r#"{"kind": "turnout_report", "polling_area": "Khu vực số 1", "reported_at": "15/03/2026 09:00", "voted": 50}"#,
        r#"{"kind": "count_minutes", "polling_area": "Khu vực số 1", "level": "commune", "voters_listed": 200, "voted": 150, "ballots_issued": 150, "ballots_received": 150, "valid": 148, "invalid": 2, "counted_on": "2026-03-15"}"#,
        r#"{"kind": "candidate_votes", "polling_area": "Khu vực số 1", "level": "commune", "candidate": "Lò Thị Xuân", "votes": 120}"#,
    ];
    let file = dir.path().join("day.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    common::ok(&data, today, &["import", file.to_str().unwrap()]);
    let day: serde_json::Value = serde_json::from_str(&common::ok(&data, today, &["election-day", "--json"])).unwrap();
    assert_eq!(day["hours"][0], "09:00");
    assert_eq!(day["turnout"][0]["voted"], 50);
    assert_eq!(day["turnout"][0]["rate"], 25.0);
    assert!(day["turnout"][1]["voted"].is_null(), "11:00 not reported yet");
    assert_eq!(day["results"]["commune"]["units"][0]["outcome"], "elected");
    let text = common::ok(&data, today, &["election-day"]);
    assert!(text.contains("25.0%") && text.contains("Lò Thị Xuân (120)") && text.contains("elected"), "{text}");
}
