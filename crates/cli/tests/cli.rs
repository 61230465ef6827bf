//! The `sobaucu` binary end to end: real processes on real ledger files.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger { dir: tempfile::tempdir().unwrap() }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.data(), Some("2026-02-01"), args)
    }

    /// Runs a command that must fail; returns its error message.
    fn fails(&self, args: &[&str]) -> String {
        common::fails(&self.data(), Some("2026-02-01"), args)
    }

    fn init_commune(&self) {
        self.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    }

    fn report(&self) -> Value {
        serde_json::from_str(&self.ok(&["report", "--json"])).unwrap()
    }

    fn export(&self, kind: &str, format: &str) -> Vec<u8> {
        let out = self.dir.path().join(format!("out-{kind}.{format}"));
        self.ok(&["export", "--kind", kind, "--format", format, "--out", out.to_str().unwrap()]);
        std::fs::read(out).unwrap()
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn areas(l: &Ledger) -> PathBuf {
    l.file(
        "areas.jsonl",
        &[
            r#"{"kind":"polling_area","number":1,"name":"Khu vực bỏ phiếu số 1","area_type":"ordinary"}"#,
            r#"{"kind":"polling_area","number":2,"name":"Khu vực bỏ phiếu số 2","area_type":"Thông thường"}"#,
        ]
        .join("\n"),
    )
}

#[test]
fn init_creates_a_ledger_and_refuses_bad_arguments() {
    let l = Ledger::new();
    let out = l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    assert!(out.contains("Xã Mường Kim"), "{out}");
    assert!(out.contains("2025 law"), "{out}");
    assert!(
        l.fails(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"])
            .contains("already exists")
    );

    let other = Ledger::new();
    assert!(
        other
            .fails(&["init", "--unit", "3637", "--scheme", "2025", "--election", "2026-03-15"])
            .contains("not a unit code")
    );
    assert!(
        other
            .fails(&["init", "--unit", "99999", "--scheme", "2025", "--election", "2026-03-15"])
            .contains("does not exist")
    );
    assert!(
        other
            .fails(&["init", "--unit", "03637", "--scheme", "2030", "--election", "2026-03-15"])
            .contains("unknown scheme")
    );
    assert!(
        other
            .fails(&["init", "--unit", "03637", "--scheme", "2025", "--election", "15/03/2026"])
            .contains("--election")
    );
    assert!(other.fails(&["report", "--json"]).contains("no ledger"));
    // A district code of the 2021 list (3 digits) and a 2021 commune.
    let district = Ledger::new();
    district.ok(&["init", "--unit", "106", "--scheme", "2021", "--election", "2021-05-23"]);
    assert_eq!(district.report()["unit"]["level"], "district");
    assert_eq!(district.report()["law"], "2015");
}

#[test]
fn import_each_format_and_report() {
    let l = Ledger::new();
    l.init_commune();
    // The exact shape a data-entry file has: Vietnamese headers, dd/mm/yyyy, NFD marks.
    let area_file = l.file(
        "areas.jsonl",
        "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"kind_of\":1}\n",
    );
    let err = l.fails(&["import", path(&area_file)]);
    assert!(err.contains("areas.jsonl:1") && err.contains("kind_of"), "{err}");

    let jsonl = l.file(
        "records.jsonl",
        &[
            r#"{"kind":"polling_area","number":1,"name":"Khu vực bỏ phiếu số 1","area_type":"ordinary","voters":350}"#,
            r#"{"kind":"committee","name":"Ủy ban bầu cử xã Mường Kim","level":"commune","formed_on":"30/11/2025","size":11}"#,
            r#"{"kind":"candidate","full_name":"Lò Thị Ỏn","level":"commune","nomination":"self","birth_date":"02/04/1990","sex":"female","status":"registered"}"#,
        ]
        .join("\n"),
    );
    let out = l.ok(&["import", path(&jsonl)]);
    assert!(out.contains("imported 3 records"), "{out}");

    let csv = l.file(
        "voters.csv",
        "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Khu vực bỏ phiếu,Bầu cử\n\
         Gia\u{300}ng Pa\u{301}o My\u{309},1970,Nam,Mông,Khu vực bỏ phiếu số 1,\"na,provincial,commune\"\n\
         Tủa Sín Chải,03/1985,nam,Hà Nhì,Khu vực bỏ phiếu số 1,na;provincial;commune\n",
    );
    let out = l.ok(&["import", "--kind", "voter", path(&csv)]);
    assert!(out.contains("imported 2 records"), "{out}");

    let xlsx = l.dir.path().join("voters.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Full name", "Date of birth", "Sex", "Polling area", "Ballots", "Occupation"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Đặng Thị Đào").unwrap();
    sheet.write_string(1, 1, "12/05/1990").unwrap();
    sheet.write_string(1, 2, "Nữ").unwrap();
    sheet.write_string(1, 3, "Khu vực bỏ phiếu số 1").unwrap();
    sheet.write_string(1, 4, "na,provincial,commune").unwrap();
    sheet.write_string(1, 5, "Giáo viên").unwrap();
    book.save(&xlsx).unwrap();
    let out = l.ok(&["import", "--kind", "voter", path(&xlsx)]);
    assert!(out.contains("imported 1 records"), "{out}");

    let r = l.report();
    assert_eq!(r["unit"], serde_json::json!({"code": "03637", "name": "Xã Mường Kim", "level": "commune"}));
    assert_eq!(r["voters"], 3);
    assert_eq!(r["polling_areas"], 1);
    assert_eq!(r["candidates"]["commune"]["total"], 1);
    assert_eq!(r["candidates"]["commune"]["self_nominated"], 1);
    assert_eq!(r["consultations"]["round1"]["communes_total"], 1);
    assert!(r["complaints"]["received"].is_i64());
    assert!(r["boards"]["na"].is_i64());
    assert!(r["voter_conferences"]["provincial"]["areas"].is_i64());
    let timeline = r["timeline"].as_array().unwrap();
    let committees = timeline.iter().find(|t| t["milestone"] == "committees_formed").unwrap();
    assert_eq!(committees["status"], "done");
    assert_eq!(committees["due"], "2025-11-30");

    // Search finds the NFD-typed name, stored as NFC, with or without marks.
    let found = l.ok(&["list", "--kind", "voter", "--search", "giang pao my", "--json"]);
    let row: Value = serde_json::from_str(found.lines().next().unwrap()).unwrap();
    assert_eq!(row["full_name"], "Giàng Páo Mỷ");
    assert!(l.ok(&["list", "--kind", "voter", "--search", "dang thi dao"]).contains("Đặng Thị Đào"));
    assert!(l.ok(&["timeline"]).contains("committees_formed"));
}

#[test]
fn a_bad_row_fails_the_whole_import_and_changes_nothing() {
    let l = Ledger::new();
    l.init_commune();
    l.ok(&["import", path(&areas(&l))]);
    let before = l.export("voter", "jsonl");
    let report_before = l.report();

    let csv = l.file(
        "voters.csv",
        "full_name,birth_date,sex,polling_area,ballots\n\
         Lò Văn Pọm,1980,male,Khu vực bỏ phiếu số 1,na\n\
         Lò Thị Ỏn,31/02/1990,female,Khu vực bỏ phiếu số 1,na\n",
    );
    let err = l.fails(&["import", "--kind", "voter", path(&csv)]);
    assert!(err.contains("voters.csv:3"), "names the line: {err}");
    assert!(err.contains("birth_date"), "names the field: {err}");
    assert!(!err.contains("Lò Thị Ỏn"), "does not repeat personal data: {err}");
    assert_eq!(l.export("voter", "jsonl"), before);
    assert_eq!(l.report()["voters"], report_before["voters"]);

    // Across files: the second file's bad row rolls back the first file too.
    let good = l.file(
        "good.jsonl",
        r#"{"kind":"incident","occurred_on":"2026-01-10","place":"Bản Che Bó","summary":"Mất điện"}"#,
    );
    let bad = l.file("bad.jsonl", "{\"kind\":\"incident\",\"occurred_on\":\"2026-01-11\",\"place\":\"X\",\"summary\":\"Y\"}\n{\"kind\":\"incident\",");
    let err = l.fails(&["import", path(&good), path(&bad)]);
    assert!(err.contains("bad.jsonl:2") && err.contains("not valid JSON"), "{err}");
    assert_eq!(l.report()["incidents"], 0);

    let cases: &[(&str, &str, &str)] = &[
        ("unknown-kind.jsonl", r#"{"kind":"ballot","x":1}"#, "unknown kind `ballot`"),
        ("no-kind.jsonl", r#"{"x":1}"#, "kind"),
        (
            "bad-unit.jsonl",
            r#"{"kind":"incident","unit":"99999","occurred_on":"2026-01-10","place":"P","summary":"S"}"#,
            "99999 does not exist",
        ),
        (
            "outside.jsonl",
            r#"{"kind":"incident","unit":"03640","occurred_on":"2026-01-10","place":"P","summary":"S"}"#,
            "outside",
        ),
        (
            "short-unit.jsonl",
            r#"{"kind":"incident","unit":"3637","occurred_on":"2026-01-10","place":"P","summary":"S"}"#,
            "not a unit code",
        ),
        (
            "bad-date.jsonl",
            r#"{"kind":"incident","occurred_on":"2026-13-01","place":"P","summary":"S"}"#,
            "occurred_on",
        ),
        (
            "bad-id.jsonl",
            r#"{"kind":"incident","id":"abc","occurred_on":"2026-01-10","place":"P","summary":"S"}"#,
            "not a record id",
        ),
    ];
    for (name, content, expected) in cases {
        let file = l.file(name, content);
        let err = l.fails(&["import", path(&file)]);
        assert!(err.contains(&format!("{name}:1")), "{name}: {err}");
        assert!(err.contains(expected), "{name}: expected `{expected}` in {err}");
    }
    let listed = l.ok(&["list", "--kind", "polling_area", "--json", "--limit", "1"]);
    let first: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    let own = first["id"].as_str().unwrap().to_string();
    let node = own.split('-').next().unwrap();
    let dup = l.file(
        "dup.jsonl",
        &format!(
            "{{\"kind\":\"incident\",\"id\":\"{node}-999\",\"occurred_on\":\"2026-01-10\",\"place\":\"P\",\"summary\":\"S\"}}\n\
             {{\"kind\":\"incident\",\"id\":\"{node}-999\",\"occurred_on\":\"2026-01-10\",\"place\":\"P\",\"summary\":\"S\"}}\n"
        ),
    );
    let err = l.fails(&["import", path(&dup)]);
    assert!(err.contains("dup.jsonl:2") && err.contains("duplicate id"), "{err}");
    let malformed = l.file("broken.csv", "full_name,birth_date\n\"Lò Văn,1980\n");
    assert!(l.fails(&["import", "--kind", "voter", path(&malformed)]).contains("broken.csv"));
    let header = l.file("header.csv", "full_name,colour\nA,red\n");
    let err = l.fails(&["import", "--kind", "voter", path(&header)]);
    assert!(err.contains("header.csv:1") && err.contains("colour"), "{err}");
    assert!(l.fails(&["import", path(&header)]).contains("--kind"));
    assert!(l.fails(&["import", "--kind", "voter", "/nonexistent/v.csv"]).contains("/nonexistent/v.csv"));
    assert_eq!(l.report()["incidents"], 0);
    assert_eq!(l.export("voter", "jsonl"), before);
}

#[test]
fn export_round_trips_byte_identical() {
    let l = Ledger::new();
    l.init_commune();
    l.ok(&["import", path(&areas(&l))]);
    let snapshot = l.dir.path().join("snapshot");
    copy_dir(&l.data(), &snapshot);
    let names = [
        "Giàng Páo Mỷ",
        "Tủa Sín Chải",
        "Lò Thị Ỏn",
        "Đặng Thị Đào",
        "Nguyễn Thị Ánh Tuyết",
        "Vàng A Dở",
        "Hờ Thị Xúa",
    ];
    let mut csv = String::from(
        "full_name,birth_date,sex,ethnicity,permanent_residence,polling_area,ballots,temporary_under_12m\n",
    );
    for (i, name) in names.iter().enumerate() {
        csv.push_str(&format!(
            "{name},{:02}/0{}/19{},{},Mông,\"Bản Nà Khương, xã Mường Kim\",Khu vực bỏ phiếu số {},\"na,provincial\",{}\n",
            i + 10,
            i + 1,
            60 + i,
            if i % 2 == 0 { "Nam" } else { "Nữ" },
            1 + i % 2,
            i % 2
        ));
    }
    l.ok(&["import", "--kind", "voter", path(&l.file("voters.csv", &csv))]);

    for format in ["jsonl", "csv", "xlsx"] {
        let first = l.export("voter", format);
        // The same ledger restored from its copy before the voters came: the ids are its own,
        // so the export imports whole (another ledger refuses ids it did not make).
        let copy = Ledger::new();
        copy_dir(&snapshot, &copy.data());
        let voters_file = l.dir.path().join(format!("voters-out.{format}"));
        std::fs::write(&voters_file, &first).unwrap();
        copy.ok(&["import", "--kind", "voter", path(&voters_file)]);
        let second = copy.export("voter", format);
        if format == "xlsx" {
            // Workbooks carry a creation time; compare what they hold, cell by cell.
            assert_eq!(xlsx_cells(&first), xlsx_cells(&second));
        } else {
            assert_eq!(String::from_utf8_lossy(&first), String::from_utf8_lossy(&second), "{format} differs");
            assert_eq!(first, second, "{format} is not byte-identical");
        }
        let text =
            if format == "xlsx" { xlsx_cells(&first).concat() } else { String::from_utf8(first.clone()).unwrap() };
        for name in names {
            assert!(text.contains(name), "{format} lost {name}");
        }
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\t")).collect()
}

#[test]
fn the_demo_ledger_opens_with_records() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "300"]);
    let r = l.report();
    assert_eq!(r["voters"], 300);
    assert_eq!(r["unit"]["name"], "Xã Mường Kim");
    assert!(r["candidates"]["commune"]["total"].as_i64().unwrap() > 0);
    assert!(l.ok(&["units", "--scheme", "2021", "tam duong"]).contains("Huyện Tam Đường"));
}

#[test]
fn check_lists_every_finding_and_fails_only_when_strict() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "300"]);
    // The demo holds a voter conference without its quorum and an overdue voter-list complaint.
    let found: serde_json::Value = serde_json::from_str(&l.ok(&["check", "--json"])).unwrap();
    let found = found.as_array().unwrap();
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"quorum") && rules.contains(&"complaint_overdue"), "{rules:?}");
    for f in found {
        for key in ["rule", "article", "severity", "kind", "id", "unit", "message"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert!(f["severity"] == "error" || f["severity"] == "warning");
    }
    let text = l.ok(&["check"]);
    assert!(text.contains("ERROR   quorum") && text.contains("2 errors, 0 warnings"), "{text}");
    let strict = l.fails(&["check", "--strict"]);
    assert!(strict.contains("2 errors found"), "{strict}");

    // The 3rd consultation's view: 24 commune candidates, nine carried by a conference with
    // its quorum, one whose only conference lacked it.
    let rows: serde_json::Value = serde_json::from_str(&l.ok(&["confidence", "--level", "commune", "--json"])).unwrap();
    let rows = rows.as_array().unwrap();
    let verdict = |v: &str| rows.iter().filter(|r| r["verdict"] == v).count();
    assert_eq!((rows.len(), verdict("carried"), verdict("not_carried")), (24, 9, 0));
    assert_eq!(rows.iter().filter(|r| r["without_quorum"] == 1).count(), 1);
    assert!(l.ok(&["confidence"]).contains("24 candidates, 9 carried"));
    assert!(l.fails(&["confidence", "--level", "huyen"]).contains("`huyen` is not a level"));
}
