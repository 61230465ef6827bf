//! Print-outs and report formats end to end: the real `sobaucu` binary writes real files, read
//! back with calamine (XLSX) and pdf-extract (PDF text through the fonts' `/ToUnicode` maps).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use calamine::{Data, DataType, Reader};
use serde_json::Value;

mod common;

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        common::run(&self.path("ledger"), Some("2026-02-01"), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.path("ledger"), Some("2026-02-01"), args)
    }

    fn import(&self, name: &str, lines: &[String]) {
        let file = self.path(name);
        std::fs::write(&file, lines.join("\n")).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
    }

    /// The id of the one record of `kind` matching `search`.
    fn id_of(&self, kind: &str, search: &str) -> String {
        let out = self.ok(&["list", "--kind", kind, "--search", search, "--json"]);
        let rows: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 1, "{search}: {out}");
        rows[0]["id"].as_str().unwrap().to_string()
    }

    /// Writes a file with `args` and `--out`, and returns its bytes.
    fn write(&self, name: &str, args: &[&str]) -> Vec<u8> {
        let out = self.path(name);
        let mut args = args.to_vec();
        args.extend(["--out", out.to_str().unwrap()]);
        self.ok(&args);
        std::fs::read(&out).unwrap()
    }
}

fn voter(name: &str, sex: &str, area: &str, residence: &str) -> String {
    serde_json::json!({"kind": "voter", "full_name": name, "birth_date": "1980-05-01", "sex": sex,
        "ethnicity": "Mông", "permanent_residence": residence, "polling_area": area,
        "ballots": "na,provincial,commune"})
    .to_string()
}

/// The text of each page, as a PDF reader extracts it.
fn pages(pdf: &[u8]) -> Vec<String> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    pdf_extract::extract_text_from_mem_by_pages(pdf).unwrap()
}

/// Renders every page of a PDF to `target/screenshots/<name>-<page>.png` with pdftoppm, to look
/// at; a page that does not render is a failure.
fn pictures(pdf: &std::path::Path, name: &str) {
    let dir = PathBuf::from(env!("CARGO_BIN_EXE_sobaucu")).parent().unwrap().parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let run = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80"])
        .arg(pdf)
        .arg(dir.join(name))
        .output()
        .expect("pdftoppm (poppler-utils; scripts/setup.sh installs it)");
    assert!(run.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&run.stderr));
    let first = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-1")))
        .expect("page 1 rendered");
    assert!(std::fs::metadata(first).unwrap().len() > 10_000, "page 1 is not blank");
}

/// Every sheet of a workbook: label in the first column → the other cells of its row.
fn sheets(bytes: &[u8]) -> BTreeMap<String, BTreeMap<String, Vec<Data>>> {
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows = range.rows().filter_map(|r| Some((r.first()?.get_string()?.to_string(), r[1..].to_vec()))).collect();
        out.insert(name, rows);
    }
    out
}

fn int(cell: Option<&Data>) -> i64 {
    match cell {
        Some(Data::Float(f)) => *f as i64,
        Some(Data::Int(n)) => *n,
        other => panic!("not a number: {other:?}"),
    }
}

const LEVELS: [(&str, &str); 4] =
    [("na", "Quốc hội"), ("provincial", "HĐND tỉnh"), ("district", "HĐND huyện"), ("commune", "HĐND xã")];

#[test]
fn the_report_as_xlsx_holds_the_figures_of_report_json() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "400"]);
    let r: Value = serde_json::from_str(&l.ok(&["report", "--json"])).unwrap();
    // The new flags keep the JSON the same.
    let same: Value = serde_json::from_str(&l.ok(&["report", "--format", "json"])).unwrap();
    assert_eq!(same, r);
    let from_file: Value = serde_json::from_slice(&l.write("r.json", &["report", "--format", "json"])).unwrap();
    assert_eq!(from_file, r);

    let book = sheets(&l.write("report.xlsx", &["report", "--format", "xlsx"]));
    let summary = &book["Tổng hợp"];
    let figure = |label: &str| int(summary.get(label).unwrap_or_else(|| panic!("no row {label}")).first());
    assert_eq!(figure("Ủy ban bầu cử"), r["committees"]);
    assert_eq!(figure("Tổ bầu cử"), r["teams"]);
    for (key, vi) in LEVELS {
        assert_eq!(figure(&format!("Ban bầu cử đại biểu {vi}")), r["boards"][key]);
        assert_eq!(figure(&format!("Cử tri bầu đại biểu {vi}")), r["voters_by_level"][key]);
        let units = &summary[&format!("Đại biểu {vi}")];
        assert_eq!(int(units.first()), r["electoral_units"][key]["units"]);
        assert_eq!(int(units.get(1)), r["electoral_units"][key]["seats"]);
    }
    assert_eq!(figure("Tổng số khu vực bỏ phiếu"), r["polling_areas"]);
    assert_eq!(
        figure("Trong đó: khu vực bỏ phiếu riêng (lực lượng vũ trang, bệnh viện, cơ sở giam giữ)"),
        r["polling_areas_separate"]
    );
    assert_eq!(figure("Tổng số cử tri trong danh sách"), r["voters"]);
    assert_eq!(figure("Tổng số cử tri trong danh sách"), 400);
    assert_eq!(figure("Cử tri nam"), r["voters_by_sex"]["male"]);
    assert_eq!(figure("Cử tri nữ"), r["voters_by_sex"]["female"]);
    assert_eq!(figure("Cử tri đã xóa tên khỏi danh sách"), r["voters_removed"]);
    assert_eq!(figure("Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận)"), r["voters_voting_elsewhere"]);
    for (label, key) in [
        ("Đã tiếp nhận", "received"),
        ("Đã giải quyết", "resolved"),
        ("Đã chuyển cơ quan có thẩm quyền", "transferred"),
        ("Đang giải quyết", "open"),
        ("Quá hạn giải quyết", "overdue"),
    ] {
        assert_eq!(figure(label), r["complaints"][key], "{label}");
    }
    assert_eq!(figure("Vụ việc an ninh trật tự"), r["incidents"]);
    assert_eq!(figure("Hoạt động tuyên truyền"), r["propaganda"]);
    assert_eq!(figure("Cuộc giám sát, kiểm tra"), r["supervision"]);

    let candidates = &book["Người ứng cử"];
    for (label, key) in [
        ("Tổng số người ứng cử", "total"),
        ("Được giới thiệu", "nominated"),
        ("Tự ứng cử", "self_nominated"),
        ("Nữ", "women"),
        ("Dân tộc thiểu số", "ethnic_minority"),
        ("Dưới 40 tuổi", "under_40"),
        ("Tái cử", "incumbent"),
        ("Trong danh sách chính thức", "official"),
    ] {
        for (i, (level, _)) in LEVELS.iter().enumerate() {
            assert_eq!(int(candidates[label].get(i)), r["candidates"][level][key], "{label} {level}");
        }
    }
    assert!(r["candidates"]["commune"]["total"].as_i64().unwrap() > 0);

    let consultations = &book["Hiệp thương"];
    for (n, label) in
        ["Hiệp thương lần thứ nhất", "Hiệp thương lần thứ hai", "Hiệp thương lần thứ ba"].iter().enumerate()
    {
        let c = &r["consultations"][format!("round{}", n + 1)];
        let row = &consultations[*label];
        for (i, key) in ["districts_done", "districts_total", "communes_done", "communes_total"].iter().enumerate() {
            assert_eq!(int(row.get(i)), c[key], "{label} {key}");
        }
    }
    assert_eq!(consultations["Hiệp thương lần thứ hai"][4].to_string(), "1/1 xã");

    let conferences = &book["Hội nghị cử tri"];
    for (label, key) in [
        ("Số khu dân cư (thôn, bản, tổ dân phố) đã tổ chức", "areas"),
        ("Số xã", "communes"),
        ("Số huyện", "districts"),
        ("Số hội nghị", "conferences"),
        ("Cử tri được triệu tập", "convened"),
        ("Cử tri có mặt", "present"),
        ("Phiếu tín nhiệm", "confidence_for"),
        ("Phiếu không tín nhiệm", "confidence_against"),
    ] {
        for (i, (level, _)) in LEVELS.iter().enumerate() {
            assert_eq!(int(conferences[label].get(i)), r["voter_conferences"][level][key], "{label} {level}");
        }
    }

    // The timeline: every milestone, in order, named (never by its internal id), with its due date.
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(l.write("again.xlsx", &["report"]))).unwrap();
    let range = book.worksheet_range("Tiến độ").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect();
    let start = rows.iter().position(|row| row.first().is_some_and(|c| c == "Mốc công việc")).unwrap() + 1;
    let timeline = r["timeline"].as_array().unwrap();
    assert!(!timeline.is_empty());
    for (i, entry) in timeline.iter().enumerate() {
        let row = &rows[start + i];
        let due = chrono::NaiveDate::parse_from_str(entry["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(row[1], due.format("%d/%m/%Y").to_string(), "row {i}");
        assert!(!row[0].is_empty() && !row[0].contains('_'), "a milestone named by its id: {}", row[0]);
    }
    for row in &rows {
        for cell in row {
            assert!(timeline.iter().all(|e| e["milestone"].as_str() != Some(cell.as_str())), "an internal id: {cell}");
        }
    }
}

#[test]
fn the_report_as_pdf_is_a4_with_vietnamese_text_that_reads_back() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "200"]);
    let pdf = l.write("report.pdf", &["report", "--format", "pdf"]);
    let text = pages(&pdf);
    assert_eq!(text.len(), 3, "the report's pages");
    let all = text.concat();
    for words in
        ["BÁO CÁO TÌNH HÌNH CHUẨN BỊ BẦU CỬ", "XÃ MƯỜNG KIM", "Ủy ban bầu cử", "Hiệp thương lần thứ hai", "Trang 1/3"]
    {
        assert!(all.contains(words), "the report lacks {words}");
    }
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 595.28 841.89]"), "A4 portrait");
    // --out alone chooses the format by its extension; xlsx and pdf need a file.
    assert!(l.write("by-extension.pdf", &["report"]).starts_with(b"%PDF-"));
    let out = l.run(&["report", "--format", "pdf"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
    let text = l.ok(&["report", "--format", "text"]);
    assert!(text.contains("Tổng số cử tri trong danh sách") && text.contains("200"), "{text}");
}

#[test]
fn the_voter_list_of_a_polling_area_prints_in_the_layout_of_mau_33() {
    let l = Ledger::new();
    l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    l.import(
        "areas.jsonl",
        &[
            r#"{"kind":"polling_area","number":1,"name":"Khu vực bỏ phiếu số 1","area_type":"ordinary","location":"Nhà văn hóa bản Nà Khương"}"#.to_string(),
            r#"{"kind":"polling_area","number":2,"name":"Khu vực bỏ phiếu số 2","area_type":"ordinary"}"#.to_string(),
        ],
    );
    // 60 voters in area 1 (with the names to read back), 5 in area 2.
    let mut voters = vec![
        voter("Giàng Páo Mỷ", "male", "Khu vực bỏ phiếu số 1", "Bản Nà Khương"),
        voter("Lò Thị Ỏn", "female", "Khu vực bỏ phiếu số 1", "Bản Nà Khương"),
        voter("Nguyễn Văn Được", "male", "Khu vực bỏ phiếu số 1", "Bản Nà Khương"),
        voter("Hoàng Thị Xuyến", "female", "Khu vực bỏ phiếu số 1", "Bản Nà Khương"),
    ];
    let families = ["Vàng A", "Giàng A", "Sùng Seo", "Thào A", "Hờ A", "Lầu Văn", "Mùa A"];
    let given = ["Pó", "Sử", "Sình", "Tủa", "Chá", "Dình", "Lử", "Vư"];
    for i in 0..56 {
        let sex = if i % 2 == 0 { "male" } else { "female" };
        let name = format!("{} {}", families[i / 8], given[i % 8]);
        voters.push(voter(&name, sex, "Khu vực bỏ phiếu số 1", "Bản Che Bó"));
    }
    for i in 0..5 {
        voters.push(voter(&format!("Lường Văn Tiến {}", i + 1), "male", "Khu vực bỏ phiếu số 2", "Bản Mường Kim"));
    }
    l.import("voters.jsonl", &voters);
    // One voter removed, one voting elsewhere with a certificate.
    let removed = l.id_of("voter", "Nguyen Van Duoc");
    let elsewhere = l.id_of("voter", "Hoang Thi Xuyen");
    l.import(
        "changes.jsonl",
        &[
            serde_json::json!({"kind": "list_change", "voter": removed, "change": "removed",
                "changed_on": "2026-02-01", "reason": "Chuyển đi nơi khác"})
            .to_string(),
            serde_json::json!({"kind": "list_change", "voter": elsewhere, "change": "votes_elsewhere",
                "changed_on": "2026-02-01", "reason": "Đi làm xa", "certificate_no": "12/GCN"})
            .to_string(),
        ],
    );
    let area = l.id_of("polling_area", "Khu vuc bo phieu so 1");

    let pdf = l.write("mau33.pdf", &["print", "voter-list", "--polling-area", &area]);
    pictures(&l.path("mau33.pdf"), "mau33");
    let text = pages(&pdf);
    // 59 rows of one line each take three A4 landscape pages.
    assert_eq!(text.len(), 3, "pages of 59 voters");
    let all = text.concat();
    for words in [
        "DANH SÁCH CỬ TRI",
        "Mẫu số 33",
        "Khu vực bỏ phiếu số 1",
        "Nhà văn hóa bản Nà Khương",
        "Giàng Páo Mỷ",
        "Lò Thị Ỏn",
        "Hoàng Thị Xuyến",
        "Đi bỏ phiếu",
        "Bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026–2031",
        "Mường Kim, ngày ..... tháng ..... năm",
    ] {
        assert!(all.contains(words), "the list lacks {words}");
    }
    assert!(!all.contains("Nguyễn Văn Được"), "a removed voter is printed");
    assert!(!all.contains("Lường Văn Tiến"), "a voter of another area is printed");
    for (n, page) in text.iter().enumerate() {
        for heading in ["Họ và tên", "Nơi cư trú", "Thường trú", "Tạm trú", "Bầu cử đại biểu HĐND", "(1)", "(12)"]
        {
            assert!(page.contains(heading), "page {} repeats the header {heading}", n + 1);
        }
        assert!(page.contains(&format!("Trang {}/3", n + 1)), "page {} is numbered", n + 1);
    }
    // 59 voters: 29 men (Giàng Páo Mỷ and 28 of the others), 30 women (Hoàng Thị Xuyến, voting elsewhere, among them).
    let last = text.last().unwrap();
    assert!(last.contains("Tổng số: 59"), "the Tổng số row: {last}");
    assert!(!text[0].contains("Tổng số: 59"), "the Tổng số row is at the end");
    assert!(last.contains("Tổng số cử tri: 59 người, trong đó: Nam: 29 người; Nữ: 30 người."), "{last}");
    assert!(last.contains("Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận): 1 người."), "{last}");
    // Vietnamese order, by given name: Chá, …, Mỷ, Ỏn, Pó, …, Vư, Xuyến.
    let at = |name: &str| all.find(name).unwrap();
    assert!(at("Vàng A Chá") < at("Giàng Páo Mỷ"));
    assert!(at("Giàng Páo Mỷ") < at("Lò Thị Ỏn") && at("Lò Thị Ỏn") < at("Vàng A Pó"));
    assert!(at("Mùa A Vư") < at("Hoàng Thị Xuyến"));

    // By number too; an area with few voters is one page.
    let small = pages(&l.write("area2.pdf", &["print", "voter-list", "--polling-area", "2"]));
    assert_eq!(small.len(), 1);
    assert!(small[0].contains("Tổng số cử tri: 5 người, trong đó: Nam: 5 người; Nữ: 0 người."), "{}", small[0]);
}

#[test]
fn an_unknown_polling_area_is_an_error_that_names_it_and_writes_no_file() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "50"]);
    let out = l.path("never.pdf");
    for wanted in ["99", "ffffffffffffffff-999", "Khu vực không có"] {
        let run = l.run(&["print", "voter-list", "--polling-area", wanted, "--out", out.to_str().unwrap()]);
        assert!(!run.status.success());
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(&format!("no polling area `{wanted}`")), "{err}");
    }
    let left: Vec<_> = std::fs::read_dir(l.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("ledger")], "no file, not even a partial one");
}

#[test]
fn the_candidate_list_prints_per_level_and_electoral_unit() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "50"]);
    let r: Value = serde_json::from_str(&l.ok(&["report", "--json"])).unwrap();
    let candidates = l.ok(&["list", "--kind", "candidate", "--limit", "100", "--json"]);
    let names: Vec<String> = candidates
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["full_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len() as i64, r["candidates"]["commune"]["total"].as_i64().unwrap());

    let text = pages(&l.write("candidates.pdf", &["print", "candidates"])).concat();
    assert!(text.contains("DANH SÁCH NGƯỜI ỨNG CỬ") && text.contains("Đại biểu Hội đồng nhân dân xã"));
    for n in 1..=4 {
        assert!(text.contains(&format!("Đơn vị bầu cử số {n} — số đại biểu được bầu")), "unit {n}");
    }
    for name in &names {
        assert!(text.contains(name.as_str()), "the list lacks a candidate");
    }
    assert!(text.contains("Quê quán") && text.contains("Nơi công tác") && text.contains("Xã Mường Kim"));

    // One level only; a level with no candidates still prints, saying so.
    let na = pages(&l.write("na.pdf", &["print", "candidates", "--level", "na"])).concat();
    assert!(na.contains("Đại biểu Quốc hội") && na.contains("Chưa có người ứng cử."));
    let bad = l.run(&["print", "candidates", "--level", "village", "--out", l.path("x.pdf").to_str().unwrap()]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("unknown level `village`"));
    assert!(!l.path("x.pdf").exists());
}

#[test]
fn the_2026_voter_list_is_grouped_by_household_and_the_2021_one_is_not() {
    // In Vietnamese order by given name: Chá, Mỷ, Ỏn, Pọm, Sử, Tủa. Households: Vàng A Sử's
    // (he is its head), Lò Văn Pọm's (its head, in the first village the polling area lists),
    // Giàng Páo Mỷ alone, Mùa A Tủa alone in no village.
    let people = [
        ("Vàng A Chá", "male", "Hộ Vàng A Sử", false, "Bản Nà Khương"),
        ("Giàng Páo Mỷ", "male", "", false, "Bản Nà Khương"),
        ("Lò Thị Ỏn", "female", "hộ  LÒ VĂN PỌM", false, "Bản Che Bó"),
        ("Lò Văn Pọm", "male", "Hộ Lò Văn Pọm", true, "bản che bó"),
        ("Vàng A Sử", "male", "Hộ Vàng A Sử", true, "Bản Nà Khương"),
        ("Mùa A Tủa", "male", "", false, ""),
    ];
    for (election, grouped) in [("2026-03-15", true), ("2021-05-23", false)] {
        let l = Ledger::new();
        l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", election]);
        let mut lines = vec![
            r#"{"kind":"polling_area","number":1,"name":"Khu vực bỏ phiếu số 1","area_type":"ordinary","residential_areas":"Bản Che Bó, Bản Nà Khương"}"#.to_string(),
        ];
        for (name, sex, household, head, village) in people {
            let mut v: Value =
                serde_json::from_str(&voter(name, sex, "Khu vực bỏ phiếu số 1", "Bản Nà Khương")).unwrap();
            if !household.is_empty() {
                v["household"] = Value::from(household);
            }
            if head {
                v["household_head"] = Value::from(true);
            }
            if !village.is_empty() {
                v["village"] = Value::from(village);
            }
            lines.push(v.to_string());
        }
        l.import("voters.jsonl", &lines);
        let area = l.id_of("polling_area", "Khu vuc bo phieu so 1");
        let pdf = l.write("list.pdf", &["print", "voter-list", "--polling-area", &area]);
        let all = pages(&pdf).concat();
        let at = |name: &str| all.find(name).unwrap_or_else(|| panic!("{name} is not printed"));
        let mut order: Vec<&str> = people.iter().map(|p| p.0).collect();
        order.sort_by_key(|name| at(name));
        if grouped {
            pictures(&l.path("list.pdf"), "mau33-households");
            // Households in the order of their villages, each head first; the voter-card number
            // is the row.
            assert_eq!(order, ["Lò Văn Pọm", "Lò Thị Ỏn", "Vàng A Sử", "Vàng A Chá", "Giàng Páo Mỷ", "Mùa A Tủa"]);
            assert!(all.contains("số thứ tự là số thẻ cử tri"), "the row number is the voter-card number: {all}");
            assert!(all.contains("khóa XVI") && all.contains("2026–2031"), "{all}");
        } else {
            assert_eq!(order, ["Vàng A Chá", "Giàng Páo Mỷ", "Lò Thị Ỏn", "Lò Văn Pọm", "Vàng A Sử", "Mùa A Tủa"]);
            assert!(!all.contains("số thẻ cử tri"));
            assert!(all.contains("khóa XV ") && all.contains("2021–2026"), "{all}");
        }
    }
}

/// A district's report carries what it sends upward: per milestone the communes done of all,
/// those never heard from, the late ones by name and days, and one row per commune.
#[test]
fn a_district_report_names_its_late_and_silent_communes_and_has_a_row_per_commune() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ledger");
    let today = Some("2021-04-10");
    common::ok(&data, today, &["init", "--unit", "106", "--scheme", "2021", "--election", "2021-05-23"]);
    let import = |name: &str, lines: &[Value]| {
        let file = dir.path().join(name);
        std::fs::write(&file, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")).unwrap();
        common::ok(&data, today, &["import", file.to_str().unwrap()]);
    };
    import(
        "area.jsonl",
        &[
            serde_json::json!({"kind": "polling_area", "unit": "03390", "number": 1, "name": "Khu vực số 1", "area_type": "ordinary"}),
        ],
    );
    let areas = common::ok(&data, today, &["list", "--kind", "polling_area", "--json"]);
    let area: Value = serde_json::from_str(areas.lines().next().unwrap()).unwrap();
    let pa = area["id"].as_str().unwrap();
    import(
        "commune.jsonl",
        &[
            serde_json::json!({"kind": "team", "unit": "03390", "name": "Tổ bầu cử số 1", "polling_area": pa, "size": 11, "formed_on": "2021-03-30"}),
            serde_json::json!({"kind": "voter", "unit": "03390", "full_name": "Lò Văn Páo", "birth_date": "1980-05-01", "sex": "male", "ethnicity": "Thái", "permanent_residence": "Bản Nà Luông", "polling_area": pa, "ballots": "na,provincial,district,commune"}),
            serde_json::json!({"kind": "voter", "unit": "03390", "full_name": "Tẩn Thị Mẩy", "birth_date": "1985-02-03", "sex": "female", "ethnicity": "Dao", "permanent_residence": "Bản Nà Luông", "polling_area": pa, "ballots": "na,provincial,district,commune"}),
        ],
    );

    // The board: twelve communes never synced and hold nothing here: no data, never overdue.
    let board: Value = serde_json::from_str(&common::ok(&data, today, &["progress", "--json"])).unwrap();
    assert_eq!(board["no_data"], 12);
    let teams = board["milestones"].as_array().unwrap().iter().find(|m| m["milestone"] == "teams_formed").unwrap();
    assert_eq!((teams["counts"][0]["done"].as_u64(), teams["counts"][0]["no_data"].as_u64()), (Some(1), Some(12)));
    assert_eq!(teams["counts"][0]["overdue"], 0);
    let silent = board["units"].as_array().unwrap().iter().find(|u| u["code"] == "03394").unwrap();
    assert_eq!(silent["no_data"], true);
    assert!(silent["cells"].as_array().unwrap().iter().filter(|c| !c.is_null()).all(|c| c["status"] == "no_data"));
    let text = common::ok(&data, today, &["progress"]);
    assert!(text.contains("12 no data"), "{text}");

    // The report: the same, with the late commune named and its days.
    let r: Value = serde_json::from_str(&common::ok(&data, today, &["report", "--json"])).unwrap();
    let progress = |id: &str| r["progress"].as_array().unwrap().iter().find(|m| m["milestone"] == id).unwrap().clone();
    let teams = progress("teams_formed");
    assert_eq!((teams["communes_done"].as_u64(), teams["communes_total"].as_u64()), (Some(1), Some(13)));
    assert_eq!((teams["communes_no_data"].as_u64(), teams["late"].as_u64()), (Some(12), Some(0)));
    let boards = progress("boards_formed");
    let late = boards["late_units"].as_array().unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(
        (late[0]["code"].as_str(), late[0]["status"].as_str(), late[0]["days_late"].as_i64()),
        (Some("03390"), Some("overdue"), Some(27))
    );
    let units = r["units"].as_array().unwrap();
    assert_eq!(units.len(), 13);
    let row = units.iter().find(|u| u["code"] == "03390").unwrap();
    let name = row["name"].as_str().unwrap().to_string();
    assert_eq!(
        (row["voters"].as_i64(), row["voters_male"].as_i64(), row["voters_female"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(
        (row["polling_areas"].as_i64(), row["teams"].as_i64(), row["no_data"].as_bool()),
        (Some(1), Some(1), Some(false))
    );
    assert_eq!(units.iter().filter(|u| u["no_data"] == true).count(), 12);

    // The workbook: the late commune with its days on the timeline sheet, a row per commune.
    let out = dir.path().join("report.xlsx");
    common::ok(&data, today, &["report", "--out", out.to_str().unwrap()]);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(std::fs::read(&out).unwrap())).unwrap();
    let cells = |range: &calamine::Range<calamine::Data>| -> Vec<Vec<String>> {
        range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
    };
    let timeline = cells(&book.worksheet_range("Tiến độ").unwrap());
    let below = timeline.iter().position(|row| row.get(2).is_some_and(|c| c == "Xã đã xong")).unwrap();
    let board_row = timeline[below..].iter().find(|row| row[0] == "Thành lập Ban bầu cử").unwrap();
    assert_eq!(board_row[2], "0/13");
    assert_eq!(board_row[3], "12");
    assert!(board_row[4].contains(&format!("{name} (quá hạn 27 ngày)")), "{board_row:?}");
    let sheet = cells(&book.worksheet_range("Từng đơn vị").unwrap());
    let header = sheet.iter().position(|row| row.first().is_some_and(|c| c == "Đơn vị")).unwrap();
    assert_eq!(sheet[header][4], "Cử tri");
    let commune_rows = &sheet[header + 1..];
    assert_eq!(commune_rows.len(), 14, "13 communes and the total");
    let row = commune_rows.iter().find(|row| row[0] == name).unwrap();
    assert_eq!(
        (row[2].as_str(), row[3].as_str(), row[4].as_str(), row[5].as_str(), row[6].as_str()),
        ("1", "1", "2", "1", "1")
    );
    assert_eq!(commune_rows.iter().filter(|row| row[1] == "Chưa đồng bộ (chưa có số liệu)").count(), 12);
    assert_eq!(commune_rows.last().unwrap()[0], "Cộng");
}

/// Whether `text` holds something shaped like a record id (`<16 hex digits>-<counter>`).
fn has_record_id(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(17)).any(|i| {
        chars[i..i + 16].iter().all(char::is_ascii_hexdigit)
            && chars[i + 16] == '-'
            && chars[i + 17].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_ascii_hexdigit())
    })
}

/// The totals and the signature of Mẫu 33 never stand alone on a last page: for every length
/// of list from one that fits one page to one that fills two (so the table ends at every row of
/// a page, the rows where the totals did not fit below it among them), the last page holds
/// voters' rows as well as the totals.
#[test]
fn the_totals_of_a_voter_list_never_stand_alone_on_its_last_page() {
    let l = Ledger::new();
    l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
    let counts = 1..=60usize;
    let mut lines = Vec::new();
    for (n, count) in counts.clone().enumerate() {
        let area = format!("Khu vực bỏ phiếu số {}", n + 1);
        lines.push(
            serde_json::json!({"kind": "polling_area", "number": n + 1, "name": area, "area_type": "ordinary"})
                .to_string(),
        );
        for i in 0..count {
            let sex = if i % 2 == 0 { "male" } else { "female" };
            lines.push(voter(&format!("Lò Văn Pọm {}", i + 1), sex, &area, "Bản Che Bó"));
        }
    }
    l.import("voters.jsonl", &lines);
    let mut pages_seen = std::collections::BTreeMap::new();
    for (n, count) in counts.enumerate() {
        let name = format!("kvbp-{}.pdf", n + 1);
        let text = pages(&l.write(&name, &["print", "voter-list", "--polling-area", &(n + 1).to_string()]));
        pages_seen.insert(count, text.len());
        let last = text.last().unwrap();
        assert!(last.contains(&format!("Tổng số cử tri: {count} người")), "{count} voters: the totals: {last}");
        assert!(last.contains("CHỦ TỊCH"), "{count} voters: the signature is on the last page");
        assert!(
            last.contains("Lò Văn Pọm") && last.contains(&format!("Tổng số: {count}")),
            "{count} voters: the totals alone on page {} of {}:\n{last}",
            text.len(),
            text.len()
        );
        if text.len() > 1 {
            assert!(text[text.len() - 2].contains("Lò Văn Pọm"), "{count} voters: a page before the last is empty");
        }
    }
    let lengths: std::collections::BTreeSet<usize> = pages_seen.values().copied().collect();
    assert_eq!(lengths.into_iter().collect::<Vec<_>>(), [1, 2, 3], "{pages_seen:?}");

    // All areas in one file: each from a new page, numbered on its own.
    let all = pages(&l.write("all.pdf", &["print", "voter-list", "--all"]));
    let firsts: Vec<&String> = all.iter().filter(|p| p.contains("DANH SÁCH CỬ TRI")).collect();
    assert_eq!(firsts.len(), 60, "one list per polling area");
    assert!(firsts.iter().all(|p| p.contains("Trang 1/")), "each area's pages are numbered from 1");
    assert!(all[0].contains("Khu vực bỏ phiếu số 1") && all.last().unwrap().contains("Tổng số cử tri: 60 người"));
}

/// `sobaucu print list`: a whole list, every matching record (not a page of them), its values
/// as labels and names, never codes or record ids.
#[test]
fn a_whole_list_prints_every_matching_record_with_labels_not_codes() {
    let l = Ledger::new();
    l.ok(&["demo", "--voters", "700"]);
    let listed: Vec<Value> = l
        .ok(&["list", "--kind", "voter", "--limit", "1000", "--json"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(listed.len(), 700);
    let text = pages(&l.write("voters.pdf", &["print", "list", "--kind", "voter"]));
    pictures(&l.path("voters.pdf"), "list-voters");
    let all = text.concat();
    assert!(text.len() > 10, "700 voters take many pages: {}", text.len());
    assert!(all.contains("DANH SÁCH CỬ TRI") && all.contains("Tổng số: 700 bản ghi."));
    for heading in ["Họ và tên", "Ngày sinh", "Giới tính", "Khu vực bỏ phiếu"] {
        assert!(text.iter().all(|page| page.contains(heading)), "every page repeats {heading}");
    }
    for (n, page) in text.iter().enumerate() {
        assert!(page.contains(&format!("Trang {}/{}", n + 1, text.len())), "page {} is numbered", n + 1);
    }
    for voter in [&listed[0], &listed[350], &listed[699]] {
        assert!(all.contains(voter["full_name"].as_str().unwrap()), "{voter}");
    }
    assert!(all.contains(listed[699]["polling_area_title"].as_str().unwrap()), "areas by name");
    assert!(all.contains("Nữ") && all.contains("Nam"));
    for code in ["female", "male", "ordinary", "na,provincial"] {
        assert!(!all.contains(code), "a code printed: {code}");
    }
    assert!(!has_record_id(&all), "a record id printed");
    let last_page = text.last().unwrap();
    assert!(last_page.contains(listed[699]["full_name"].as_str().unwrap()) && last_page.contains("Tổng số: 700"));

    // Narrowed as the window narrows it: a search, a field's value.
    let one = &listed[123];
    let name = one["full_name"].as_str().unwrap();
    let found = pages(&l.write("found.pdf", &["print", "list", "--kind", "voter", "--search", name])).concat();
    let matches = listed.iter().filter(|v| v["full_name"] == one["full_name"]).count();
    assert!(found.contains(&format!("Tìm: “{name}”")) && found.contains(&format!("Tổng số: {matches} bản ghi")));
    let women = listed.iter().filter(|v| v["sex"] == "female").count();
    let only = pages(&l.write("women.pdf", &["print", "list", "--kind", "voter", "--where", "sex=female"])).concat();
    assert!(only.contains("Giới tính: Nữ") && only.contains(&format!("Tổng số: {women} bản ghi")), "{women}");

    // Another kind: choices and references by their labels and titles.
    let candidates = pages(&l.write("c.pdf", &["print", "list", "--kind", "candidate"])).concat();
    assert!(candidates.contains("DANH SÁCH NGƯỜI ỨNG CỬ"), "{candidates}");
    assert!(candidates.contains("HĐND xã") && candidates.contains("Đơn vị bầu cử số 1"), "{candidates}");
    assert!(!has_record_id(&candidates) && !candidates.contains("commune"));
    // An unknown kind is an error, and no file is written.
    let bad = l.run(&["print", "list", "--kind", "nope", "--out", l.path("nope.pdf").to_str().unwrap()]);
    assert!(!bad.status.success() && !l.path("nope.pdf").exists());
}
