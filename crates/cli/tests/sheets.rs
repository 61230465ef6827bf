//! The sheets commune offices keep, imported as they are: title rows in merged cells above the
//! header (the header row found, or named with --header-row), "Ngày, tháng, năm sinh" merged
//! over "Nam" and "Nữ" or written "Ngày sinh (Nam)", a row numbering the columns, the totals and
//! the signature under the table; Excel 97–2003 (.xls), OpenDocument (.ods) and .xlsx alike;
//! CSV line numbers that are the editor's whatever the line ends; and a small .xls or .ods that
//! names a far cell refused before it is made dense in memory.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

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
            r#"{"kind":"polling_area","number":1,"name":"Khu vực bỏ phiếu số 1","area_type":"ordinary"}"#,
        )
        .unwrap();
        l.ok(&["import", areas.to_str().unwrap()]);
        l
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.path("ledger"), Some("2026-02-01"), args)
    }
    fn fails(&self, args: &[&str]) -> String {
        common::fails(&self.path("ledger"), Some("2026-02-01"), args)
    }
    fn voters(&self) -> Vec<Value> {
        let out = self.ok(&["list", "--kind", "voter", "--json", "--limit", "100"]);
        out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

fn voter<'a>(voters: &'a [Value], name: &str) -> &'a Value {
    voters.iter().find(|v| v["full_name"] == name).unwrap_or_else(|| panic!("{name} not imported"))
}

#[test]
fn a_commune_sheet_with_title_rows_imports_from_xls_ods_and_xlsx() {
    // The same sheet as Excel 97–2003 and as OpenDocument (fixtures/make_sheets.py), and as
    // .xlsx written here with merged cells.
    let xlsx = tempfile::tempdir().unwrap();
    let xlsx_file = xlsx.path().join("danh-sach-cu-tri.xlsx");
    write_xlsx(&xlsx_file);
    for file in [fixture("danh-sach-cu-tri.xls"), fixture("danh-sach-cu-tri.ods"), xlsx_file] {
        let l = Ledger::new();
        let file = file.to_str().unwrap();
        let args = ["import", "--kind", "voter", "--set", "ballots=na,provincial,commune"];
        let preview: Value =
            serde_json::from_str(&l.ok(&[&args[..], &["--preview", "--json", file]].concat())).unwrap();
        assert_eq!(preview["header_rows"][0]["row"], 6, "{file}: the header under the titles: {preview:#}");
        assert_eq!(preview["records"], 3, "{file}: three voters, not the totals or the signature: {preview:#}");
        assert_eq!(preview["problems"].as_array().unwrap().len(), 0, "{file}: {preview:#}");
        let said = l.ok(&[&args[..], &[file]].concat());
        assert!(said.contains("the header is row 6"), "{said}");
        let voters = l.voters();
        assert_eq!(voters.len(), 3, "{file}");
        // The birth date under Nam or Nữ gives the sex; the header's own words find the rest.
        let my = voter(&voters, "Giàng Páo Mỷ");
        assert_eq!((my["sex"].as_str(), my["birth_date"].as_str()), (Some("male"), Some("1970-03-12")), "{file}");
        let on = voter(&voters, "Lò Thị Ỏn");
        assert_eq!((on["sex"].as_str(), on["birth_date"].as_str()), (Some("female"), Some("1985")), "{file}");
        let lo = voter(&voters, "Tẩn Láo Lở");
        assert_eq!(lo["temporary_residence"], "Bản Nà Khương", "{file}: `Nơi ở tạm trú`");
    }
}

/// The sheet of the fixtures, as .xlsx with merged title cells.
fn write_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    sheet.merge_range(0, 0, 0, 3, "ỦY BAN NHÂN DÂN XÃ MƯỜNG KIM", &plain).unwrap();
    sheet.merge_range(0, 5, 0, 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", &plain).unwrap();
    sheet.write_string(1, 5, "Độc lập - Tự do - Hạnh phúc").unwrap();
    sheet.merge_range(3, 0, 3, 9, "DANH SÁCH CỬ TRI", &plain).unwrap();
    sheet.write_string(4, 0, "Khu vực bỏ phiếu số 1 - Bản Nà Khương").unwrap();
    // One header row, the sex in the birth-date headings.
    let header = [
        "STT",
        "Họ và tên",
        "Ngày sinh (Nam)",
        "Ngày sinh (Nữ)",
        "Dân tộc",
        "Nghề nghiệp",
        "Nơi thường trú",
        "Nơi ở tạm trú",
        "Khu vực bỏ phiếu",
        "Ghi chú",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(5, c as u16, *h).unwrap();
    }
    for c in 0..10u16 {
        sheet.write_string(6, c, format!("({})", c + 1)).unwrap();
    }
    let rows = [
        ["1", "Giàng Páo Mỷ", "12/03/1970", "", "Mông", "Làm ruộng", "Bản Nà Khương", "", "Khu vực bỏ phiếu số 1", ""],
        ["2", "Lò Thị Ỏn", "", "1985", "Thái", "Giáo viên", "Bản Nà Khương", "", "Khu vực bỏ phiếu số 1", ""],
        ["3", "Tẩn Láo Lở", "05/1990", "", "Dao", "", "Bản Che Bó", "Bản Nà Khương", "Khu vực bỏ phiếu số 1", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(7 + r as u32, c as u16, *v).unwrap();
        }
    }
    sheet.write_string(10, 0, "Tổng số: 3 cử tri").unwrap();
    sheet.write_string(12, 6, "Mường Kim, ngày 01 tháng 02 năm 2026").unwrap();
    sheet.write_string(13, 6, "CHỦ TỊCH").unwrap();
    book.save(path).unwrap();
}

#[test]
fn the_header_row_can_be_named_and_a_wrong_one_says_so() {
    let l = Ledger::new();
    let file = fixture("danh-sach-cu-tri.xls");
    let file = file.to_str().unwrap();
    let base = ["import", "--kind", "voter", "--set", "ballots=na,provincial,commune"];
    l.ok(&[&base[..], &["--header-row", "6", "--preview", file]].concat());
    let wrong = l.fails(&[&base[..], &["--header-row", "1", file]].concat());
    assert!(wrong.contains(":1") && wrong.contains("column 1") && wrong.contains("ỦY BAN NHÂN DÂN"), "{wrong}");
    assert!(l.voters().is_empty(), "nothing written");
}

#[test]
fn csv_lines_are_the_editors_whatever_the_line_ends() {
    // The third line is the bad one (too young), after a quoted cell that spans two lines in
    // the second: the editor shows it on line 4.
    let body = [
        "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,Ghi chú",
        "Giàng Páo Mỷ,12/03/1970,Nam,Khu vực bỏ phiếu số 1,\"hai\ndòng\"",
        "Lò Thị Ỏn,20/03/2015,Nữ,Khu vực bỏ phiếu số 1,",
    ];
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let l = Ledger::new();
        let file = l.path(name);
        std::fs::write(&file, body.join(end).replace('\n', end).replace("\r\r", "\r") + end).unwrap();
        let err = l.fails(&["import", "--kind", "voter", "--set", "ballots=na,provincial", file.to_str().unwrap()]);
        assert!(err.contains(&format!("{name}:4")), "{name}: {err}");
    }
}

#[test]
fn a_blank_template_of_every_kind_imports_back() {
    let l = Ledger::new();
    for kind in [
        "committee",
        "board",
        "team",
        "member",
        "electoral_unit",
        "polling_area",
        "voter",
        "candidate",
        "consultation",
        "voter_conference",
        "complaint",
        "incident",
        "propaganda",
        "supervision",
        "list_change",
        "voter_cards",
        "readiness",
        "early_voting",
    ] {
        let file = l.path(&format!("mau-{kind}.xlsx"));
        l.ok(&["template", "--kind", kind, "--out", file.to_str().unwrap()]);
        let preview: Value =
            serde_json::from_str(&l.ok(&["import", "--kind", kind, "--preview", "--json", file.to_str().unwrap()]))
                .unwrap();
        assert_eq!(preview["unknown_columns"].as_array().unwrap().len(), 0, "{kind}: {preview:#}");
        assert_eq!(
            (preview["records"].as_u64(), preview["header_rows"][0]["row"].as_u64()),
            (Some(0), Some(1)),
            "{kind}"
        );
    }
    // The voter template's header, with a row under it, imports one voter; its guide lists
    // no district council under the 2025 scheme.
    let file = l.path("mau-voter.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    use calamine::Reader;
    let header: Vec<String> =
        book.worksheet_range_at(0).unwrap().unwrap().rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert!(header.contains(&"Họ và tên *".to_string()), "{header:?}");
    let guide = book.worksheet_range("Hướng dẫn").unwrap();
    let ballots: Vec<String> = guide.rows().filter(|r| r[3] == "ballots").map(|r| r[2].to_string()).collect();
    assert!(ballots[0].contains("HĐND tỉnh") && !ballots[0].contains("HĐND huyện"), "{ballots:?}");
    let value = |label: &str| match label.trim_end_matches(" *") {
        "Họ và tên" => "Vàng A Sử",
        "Ngày sinh" => "02/09/1975",
        "Giới tính" => "Nam",
        "Khu vực bỏ phiếu" => "Khu vực bỏ phiếu số 1",
        "Bầu cử" => "Quốc hội, HĐND tỉnh, HĐND xã",
        _ => "",
    };
    let csv = l.path("filled.csv");
    let row: Vec<String> = header.iter().map(|h| format!("\"{}\"", value(h))).collect();
    let head: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    std::fs::write(&csv, format!("{}\n{}\n", head.join(","), row.join(","))).unwrap();
    l.ok(&["import", "--kind", "voter", csv.to_str().unwrap()]);
    assert_eq!(voter(&l.voters(), "Vàng A Sử")["ballots"], "na,provincial,commune");
}

#[test]
fn a_column_the_file_lacks_is_one_problem_with_its_fix_and_a_twice_listed_row_can_be_left_out() {
    let l = Ledger::new();
    let csv = l.path("no-area.csv");
    std::fs::write(
        &csv,
        "Họ và tên,Ngày sinh,Giới tính\nGiàng Páo Mỷ,12/03/1970,Nam\nLò Thị Ỏn,1985,Nữ\nGiàng Páo Mỷ,12/03/1970,Nam\nTẩn Láo Lở,1990,Nam\n",
    )
    .unwrap();
    let file = csv.to_str().unwrap();
    let args = ["import", "--kind", "voter", "--set", "ballots=na,provincial"];
    let preview =
        common::run(&l.path("ledger"), Some("2026-02-01"), &[&args[..], &["--preview", "--json", file]].concat());
    let summary: Value = serde_json::from_slice(&preview.stdout).unwrap();
    let problems = summary["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "one line for the missing column, not one a row: {summary:#}");
    let p = &problems[0];
    assert_eq!(
        (p["missing_column"].as_bool(), p["rows"].as_u64(), p["label"].as_str()),
        (Some(true), Some(4), Some("Khu vực bỏ phiếu"))
    );
    assert!(p["message_vi"].as_str().unwrap().starts_with("Tệp không có cột Khu vực bỏ phiếu"), "{p}");
    assert!(p["message_vi"].as_str().unwrap().contains("Giá trị dùng cho các dòng thiếu"), "{p}");
    // The text lists it once too, with no one's name.
    let text = l.fails(&[&args[..], &["--preview", file]].concat());
    let shown = String::from_utf8(
        common::run(&l.path("ledger"), Some("2026-02-01"), &[&args[..], &["--preview", file]].concat()).stdout,
    )
    .unwrap();
    assert!(shown.contains("has no column Polling area (polling_area), and 4 rows need it"), "{shown}{text}");
    assert!(!shown.contains("Giàng Páo Mỷ"), "{shown}");

    // With the area for every row: a bad row names its person (for the window), and the row
    // listed twice (line 4) can be left out.
    let with_area = [&args[..], &["--set", "polling_area=Khu vực bỏ phiếu số 1"]].concat();
    let summary: Value =
        serde_json::from_str(&l.ok(&[&with_area[..], &["--preview", "--json", file]].concat())).unwrap();
    let dups = summary["duplicates"].as_array().unwrap();
    assert_eq!((dups.len(), dups[0]["line"].as_u64()), (1, Some(4)), "{summary:#}");
    let summary: Value =
        serde_json::from_str(&l.ok(&[&with_area[..], &["--skip-line", "4", "--preview", "--json", file]].concat()))
            .unwrap();
    assert!(summary["duplicates"].as_array().unwrap().is_empty(), "{summary:#}");
    assert_eq!(summary["records"], 3);
    l.ok(&[&with_area[..], &["--skip-line", "4", file]].concat());
    assert_eq!(l.voters().len(), 3);
}

#[test]
fn an_election_date_in_the_past_or_years_ahead_is_warned_about_but_not_refused() {
    for (election, words) in
        [("2025-03-15", "in the past"), ("2031-05-23", "more than a year ahead"), ("2026-03-15", "")]
    {
        let dir = tempfile::tempdir().unwrap();
        let out = common::run(
            &dir.path().join("ledger"),
            Some("2026-02-01"),
            &["init", "--unit", "03637", "--scheme", "2025", "--election", election],
        );
        assert!(out.status.success(), "a script is not stopped");
        let err = String::from_utf8_lossy(&out.stderr);
        if words.is_empty() {
            assert!(!err.contains("warning"), "{err}");
        } else {
            let shown: Vec<&str> = election.split('-').rev().collect();
            assert!(err.contains(&format!("warning: the election date {} is {words}", shown.join("/"))), "{err}");
        }
    }
}

#[test]
fn a_small_sheet_that_names_a_far_cell_is_refused_before_it_is_read() {
    // 1.6 kB of .ods spanning 6,002 rows by 16,001 columns, and 5.6 kB of .xls whose two sheets
    // end at row 65,536, column 256: read whole, they took 6 GB and 1 GB. They are measured
    // from their records first (repeats counted, never expanded) and refused, naming the file.
    let l = Ledger::new();
    for (name, cells) in [("sparse-bomb.ods", "96038002"), ("sparse-bomb.xls", "33554432")] {
        let file = fixture(name);
        let err = l.fails(&["import", "--kind", "voter", "--preview", file.to_str().unwrap()]);
        assert!(err.contains(name) && err.contains(&format!("span {cells} cells")), "{err}");
        assert!(err.contains("save the sheet as .xlsx"), "{err}");
    }
    assert!(l.voters().is_empty());
}
