//! Voter lists as officials keep them: generated spreadsheets of 10,000 rows with realistic
//! Vietnamese and minority names, every header variant of form Mẫu 33, every date form, NFD
//! input; names round-trip byte-exact in NFC; bad rows are reported with line and column and
//! nothing is written; probable duplicates are listed; an import is undone as one step; search
//! with and without marks finds the same people.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

const NAMES: [&str; 12] = [
    "Giàng Páo Mỷ",
    "Tủa Sín Chải",
    "Lò Thị Ỏn",
    "Đặng Thị Đào",
    "Vàng A Dở",
    "Tẩn Mý Mẩy",
    "Lường Văn Ơn",
    "Hờ Thị Xúa",
    "Nguyễn Thị Ánh Tuyết",
    "Sùng Seo Dính",
    "Chảo Láo Lở",
    "Điêu Thị Ưởng",
];

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        let l = Ledger { dir: tempfile::tempdir().unwrap() };
        l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
        let areas = l.path("areas.jsonl");
        std::fs::write(
            &areas,
            "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}\n\
             {\"kind\":\"polling_area\",\"number\":2,\"name\":\"Khu vực bỏ phiếu số 2\",\"area_type\":\"ordinary\"}\n",
        )
        .unwrap();
        l.ok(&["import", areas.to_str().unwrap()]);
        l
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_sobaucu"))
            .arg("--data")
            .arg(self.dir.path().join("ledger"))
            .args(args)
            .env("LANG", "C")
            .env("SOBAUCU_PASSPHRASE", "bầu cử 2026 thử")
            .env("SOBAUCU_TEST_FAST_KDF", "1")
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
    fn voters(&self) -> i64 {
        let r: Value = serde_json::from_str(&self.ok(&["report", "--json"])).unwrap();
        r["voters"].as_i64().unwrap()
    }
}

/// Row `i` of the generated list: name (some in NFD), birth date in one of the forms officials
/// write, sex.
fn row(i: usize) -> (String, String, &'static str) {
    let name = format!(
        "{} {}",
        NAMES[i % NAMES.len()],
        ["An", "Bình", "Chứ", "Dính", "Ỏn", "Mỷ", "Pó", "Xuân"][i / NAMES.len() % 8]
    );
    let name = if i.is_multiple_of(3) { name.nfd().collect() } else { name };
    let year = 1940 + (i * 7) % 66;
    let birth = match i % 5 {
        0 => format!("{:02}/{:02}/{year}", 1 + i % 28, 1 + i % 12),
        1 => format!("{year}"),
        2 => format!("{:02}/{year}", 1 + i % 12),
        3 => format!("{year}-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        _ => format!("{}/{}/{year}", 1 + i % 28, 1 + i % 12),
    };
    (name, birth, if i.is_multiple_of(2) { "Nam" } else { "Nữ" })
}

fn write_xlsx(path: &Path, headers: &[&str], rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn ten_thousand_rows_with_every_header_variant_date_form_and_nfd_input() {
    let l = Ledger::new();
    let n = 10_000;
    // The Mẫu 33 layout with "Ngày, tháng, năm sinh" and the row number, one polling area.
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày, tháng, năm sinh",
        "Giới tính",
        "Dân tộc",
        "Nghề nghiệp",
        "Nơi thường trú",
        "Nơi tạm trú",
        "Ghi chú",
    ];
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let (name, birth, sex) = row(i);
            vec![
                (i + 1).to_string(),
                name,
                birth,
                sex.into(),
                "Mông".into(),
                "Làm nông".into(),
                format!("Bản {}, xã Mường Kim", i % 12),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let xlsx = l.path("mau33.xlsx");
    write_xlsx(&xlsx, &headers, &rows);
    let set = ["--set", "polling_area=Khu vực bỏ phiếu số 1", "--set", "ballots=na,provincial,commune"];
    let preview = l.ok(&[&["import", "--kind", "voter", "--preview"][..], &set, &[xlsx.to_str().unwrap()]].concat());
    assert!(preview.contains(&format!("preview: {n} records can be added")), "{preview}");
    assert_eq!(l.voters(), 0, "a preview writes nothing");
    let out = l.ok(&[&["import", "--kind", "voter"][..], &set, &[xlsx.to_str().unwrap()]].concat());
    assert!(out.contains(&format!("imported {n} records")), "{out}");
    assert_eq!(l.voters(), n as i64);

    // Every name comes back byte-exact in NFC.
    let csv_out = l.path("out.csv");
    l.ok(&["export", "--kind", "voter", "--format", "csv", "--out", csv_out.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&csv_out).unwrap();
    let mut names: Vec<String> =
        exported.lines().skip(1).map(|line| line.split(',').nth(2).unwrap().to_string()).collect();
    let mut expected: Vec<String> = (0..n).map(|i| row(i).0.nfc().collect()).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    assert!(names.iter().all(|name| name.nfc().collect::<String>() == *name));

    // Other header variants and the old layout where the birth date sits under "Nam" or "Nữ".
    let variants = l.path("variants.csv");
    let mut csv = String::from("Số TT,Họ tên,Nam,Nữ,DT,Địa chỉ thường trú,Tạm trú,Khu vực,Cấp bầu cử,Số CCCD\n");
    for i in 0..50 {
        let (name, birth, sex) = row(n + i);
        let (male, female) = if sex == "Nam" { (birth, String::new()) } else { (String::new(), birth) };
        csv.push_str(&format!(
            "{},{name},{male},{female},Thái,Bản Nà Khương,,Khu vực bỏ phiếu số 2,\"na,provincial\",{:012}\n",
            i + 1,
            100_000_000 + i
        ));
    }
    std::fs::write(&variants, csv).unwrap();
    let out = l.ok(&["import", "--kind", "voter", variants.to_str().unwrap()]);
    assert!(out.contains("imported 50 records"), "{out}");
    let found = l.ok(&["list", "--kind", "voter", "--search", "Khuong", "--json", "--limit", "100"]);
    let rows: Vec<Value> = found.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().any(|r| r["sex"] == "female") && rows.iter().any(|r| r["sex"] == "male"));
}

#[test]
fn bad_rows_are_reported_with_line_and_column_and_nothing_is_written() {
    let l = Ledger::new();
    let csv = l.path("bad.csv");
    std::fs::write(
        &csv,
        "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Bầu cử\n\
         Giàng Páo Mỷ,1970,Nam,Khu vực bỏ phiếu số 1,na\n\
         Lò Thị Ỏn,31/02/1990,Nữ,Khu vực bỏ phiếu số 1,na\n\
         Tủa Sín Chải,2012,Nam,Khu vực bỏ phiếu số 1,na\n\
         Đặng Thị Đào,1980,X,Khu vực bỏ phiếu số 9,na\n",
    )
    .unwrap();
    let out = l.run(&["import", "--kind", "voter", "--preview", csv.to_str().unwrap()]);
    assert!(!out.status.success(), "a preview with problems exits non-zero");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("bad.csv:3, column `Ngày sinh`"), "{text}");
    assert!(text.contains("bad.csv:4, column `Ngày sinh`: is not 18 by election day"), "{text}");
    assert!(text.contains("bad.csv:5, column `Giới tính`"), "{text}");
    assert!(text.contains("bad.csv:5, column `Khu vực bỏ phiếu`"), "{text}");
    assert!(!text.contains("Lò Thị Ỏn") && !text.contains("Tủa Sín Chải"), "no personal data in problems: {text}");
    let json = l.run(&["import", "--kind", "voter", "--preview", "--json", csv.to_str().unwrap()]);
    let summary: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary["problems"].as_array().unwrap().len(), 4);
    assert_eq!(summary["records"], 1);
    let err = l.run(&["import", "--kind", "voter", csv.to_str().unwrap()]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("bad.csv:3"));
    assert_eq!(l.voters(), 0);
}

#[test]
fn duplicates_are_listed_and_an_import_is_undone_as_one_step() {
    let l = Ledger::new();
    let first = l.path("first.csv");
    std::fs::write(
        &first,
        "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Bầu cử\n\
         Giàng Páo Mỷ,12/05/1970,Nam,Khu vực bỏ phiếu số 1,na\n\
         Lò Thị Ỏn,1990,Nữ,Khu vực bỏ phiếu số 1,na\n",
    )
    .unwrap();
    l.ok(&["import", "--kind", "voter", first.to_str().unwrap()]);
    let second = l.path("second.csv");
    std::fs::write(
        &second,
        "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Bầu cử\n\
         GIANG  PAO MY,1970-05-12,Nam,Khu vực bỏ phiếu số 2,na\n\
         Vàng A Dở,1985,Nam,Khu vực bỏ phiếu số 2,na\n\
         Vang A Do,1985,Nam,Khu vực bỏ phiếu số 2,na\n\
         Lò Thị Ỏn,1991,Nữ,Khu vực bỏ phiếu số 2,na\n",
    )
    .unwrap();
    let preview = l.ok(&["import", "--kind", "voter", "--preview", "--json", second.to_str().unwrap()]);
    let summary: Value = serde_json::from_str(&preview).unwrap();
    let duplicates = summary["duplicates"].as_array().unwrap();
    assert_eq!(duplicates.len(), 2, "{duplicates:?}");
    assert_eq!(duplicates[0]["line"], 2, "matches the voter already listed");
    assert_eq!(duplicates[1]["line"], 4);
    assert!(duplicates[1]["matches"].as_str().unwrap().ends_with("second.csv:3"));
    let out = l.ok(&["import", "--kind", "voter", second.to_str().unwrap()]);
    assert!(out.contains("as import 3"), "{out}");
    assert_eq!(l.voters(), 6);
    assert!(l.ok(&["imports"]).contains("second.csv"));
    assert!(l.ok(&["undo-import", "3"]).contains("4 records deleted"));
    assert_eq!(l.voters(), 2);
    assert!(!l.run(&["undo-import", "3"]).status.success(), "an import is undone once");
    // Search with and without marks finds the same people.
    let with = l.ok(&["list", "--kind", "voter", "--search", "Giàng Páo Mỷ", "--json"]);
    let without = l.ok(&["list", "--kind", "voter", "--search", "giang pao my", "--json"]);
    assert_eq!(with, without);
    assert_eq!(with.lines().count(), 1);
}

#[test]
fn list_changes_are_allowed_until_24_hours_before_voting() {
    let l = Ledger::new();
    let voters = l.path("v.csv");
    std::fs::write(
        &voters,
        "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Bầu cử\nGiàng Páo Mỷ,1970,Nam,Khu vực bỏ phiếu số 1,na\n",
    )
    .unwrap();
    l.ok(&["import", "--kind", "voter", voters.to_str().unwrap()]);
    let change = l.path("change.jsonl");
    std::fs::write(
        &change,
        r#"{"kind":"list_change","voter":"Giàng Páo Mỷ","change":"removed","changed_on":"2026-03-14","reason":"Chuyển đi nơi khác"}"#,
    )
    .unwrap();
    let at = |when: &str| {
        Command::new(env!("CARGO_BIN_EXE_sobaucu"))
            .arg("--data")
            .arg(l.dir.path().join("ledger"))
            .args(["import", change.to_str().unwrap()])
            .env("SOBAUCU_TODAY", when)
            .env("LANG", "C")
            .env("SOBAUCU_PASSPHRASE", "bầu cử 2026 thử")
            .env("SOBAUCU_TEST_FAST_KDF", "1")
            .output()
            .unwrap()
    };
    // Election day is 15/03/2026: voting opens at 07:00, so changes close at 07:00 on the 14th.
    let late = at("2026-03-14T07:00");
    assert!(!late.status.success());
    let err = String::from_utf8_lossy(&late.stderr);
    assert!(err.contains("change.jsonl:1") && err.contains("24 hours"), "{err}");
    assert_eq!(l.voters(), 1);
    let in_time = at("2026-03-14T06:59");
    assert!(in_time.status.success(), "{}", String::from_utf8_lossy(&in_time.stderr));
    let report: Value = serde_json::from_str(&l.ok(&["report", "--json"])).unwrap();
    assert_eq!((report["voters"].as_i64(), report["voters_removed"].as_i64()), (Some(0), Some(1)));
    let history = l.ok(&["list", "--kind", "list_change"]);
    assert!(history.contains("Chuyển đi nơi khác"), "{history}");
}
