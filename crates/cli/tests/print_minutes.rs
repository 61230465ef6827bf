//! Election day's print-outs end to end: the real `sobaucu` writes a team's counting minutes
//! and a board's minutes of an electoral unit's result, read back with pdf-extract (the text
//! through the fonts' `/ToUnicode` maps): the figures and their words, the candidates with
//! their marks in the official order, the signers, the elected with their article, TẠM TÍNH
//! while an area has not counted, the rerun with its article and day; an unknown polling area
//! is an error naming it, and no file is written.

use std::path::PathBuf;

mod common;

const TODAY: Option<&str> = Some("2026-03-15");

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        let l = Ledger { dir: tempfile::tempdir().unwrap() };
        l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
        l
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.path("ledger"), TODAY, args)
    }

    fn fails(&self, args: &[&str]) -> String {
        common::fails(&self.path("ledger"), TODAY, args)
    }

    fn import(&self, lines: &[serde_json::Value]) {
        let file = self.path("records.jsonl");
        std::fs::write(&file, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
    }

    /// Prints with `args` and `--out`, and returns the text of the PDF, its pages joined.
    fn print(&self, name: &str, args: &[&str]) -> String {
        let out = self.path(name);
        let mut all = vec!["print"];
        all.extend(args);
        all.extend(["--out", out.to_str().unwrap()]);
        let said = self.ok(&all);
        assert!(said.contains("wrote") && said.contains("pages"), "{said}");
        let pdf = std::fs::read(&out).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
        pages.join("\n")
    }
}

/// The text with its runs of white space made one space, as a reader reads a line.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle).unwrap_or_else(|| panic!("no {needle} in {text}"))
}

/// A commune with two electoral units: unit 1 (two seats) over two polling areas, unit 2 (one
/// seat) over a third; three candidates in unit 1, one in unit 2.
fn commune() -> Ledger {
    use serde_json::json;
    let l = Ledger::new();
    l.import(&[
        json!({"kind": "electoral_unit", "level": "commune", "number": 1, "name": "Đơn vị bầu cử số 1", "seats": 2}),
        json!({"kind": "electoral_unit", "level": "commune", "number": 2, "name": "Đơn vị bầu cử số 2", "seats": 1}),
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bản Nà Luông", "area_type": "ordinary",
               "location": "Nhà văn hóa bản Nà Luông", "electoral_unit_commune": "Đơn vị bầu cử số 1"}),
        json!({"kind": "polling_area", "number": 2, "name": "Khu vực bản Hua Pầu", "area_type": "ordinary",
               "electoral_unit_commune": "Đơn vị bầu cử số 1"}),
        json!({"kind": "polling_area", "number": 3, "name": "Khu vực bản Thẳm Phé", "area_type": "ordinary",
               "electoral_unit_commune": "Đơn vị bầu cử số 2"}),
        json!({"kind": "team", "name": "Tổ bầu cử số 1", "polling_area": "Khu vực bản Nà Luông", "formed_on": "2026-01-20"}),
        json!({"kind": "candidate", "full_name": "Lò Thị Xuân", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1",
               "nomination": "nominated", "birth_date": "1982-04-02", "sex": "female", "status": "official"}),
        json!({"kind": "candidate", "full_name": "Tẩn Văn Pao", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1",
               "nomination": "nominated", "birth_date": "1979-11-20", "sex": "male", "status": "official"}),
        json!({"kind": "candidate", "full_name": "Đèo Văn Ánh", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 1",
               "nomination": "nominated", "birth_date": "1975-06-09", "sex": "male", "status": "official"}),
        json!({"kind": "candidate", "full_name": "Vàng Thị Dợ", "level": "commune", "electoral_unit": "Đơn vị bầu cử số 2",
               "nomination": "nominated", "birth_date": "1988-02-14", "sex": "female", "status": "official"}),
    ]);
    l
}

/// An area's minutes of the commune council's election and its candidates' votes.
fn count(l: &Ledger, area: &str, figures: [i64; 4], signed_by: &str, votes: &[(&str, i64)]) {
    use serde_json::json;
    let [listed, voted, valid, invalid] = figures;
    let mut lines = vec![json!({"kind": "count_minutes", "polling_area": area, "level": "commune",
        "voters_listed": listed, "voted": voted, "ballots_issued": voted, "ballots_received": valid + invalid,
        "valid": valid, "invalid": invalid, "signed_by": signed_by, "counted_on": "2026-03-15"})];
    lines.extend(votes.iter().map(|(candidate, n)| {
        json!({"kind": "candidate_votes", "polling_area": area, "level": "commune", "candidate": candidate, "votes": n})
    }));
    l.import(&lines);
}

#[test]
fn a_teams_counting_minutes_print_its_figures_candidates_and_signers() {
    let l = commune();
    count(
        &l,
        "Khu vực bản Nà Luông",
        [200, 150, 140, 10],
        "Lò Văn Thắng — Tổ trưởng\nVàng Thị Mai — Thư ký\nHà Thị Lan — Cử tri chứng kiến",
        &[("Lò Thị Xuân", 96), ("Tẩn Văn Pao", 44), ("Đèo Văn Ánh", 80)],
    );
    // By number, by name and by id alike.
    let text = flat(&l.print("bb1.pdf", &["minutes", "--polling-area", "1", "--level", "commune"]));
    for words in [
        "BIÊN BẢN KẾT QUẢ KIỂM PHIẾU",
        "BẦU CỬ ĐẠI BIỂU HỘI ĐỒNG NHÂN DÂN",
        "NHIỆM KỲ 2026–2031",
        "TẠI KHU VỰC BỎ PHIẾU SỐ 1 (KHU VỰC BẢN NÀ LUÔNG)",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỔ BẦU CỬ SỐ 1",
        "ngày 15 tháng 03 năm 2026",
        "Nhà văn hóa bản Nà Luông",
        "Tổng số cử tri của khu vực bỏ phiếu: 200 (bằng chữ: hai trăm) người",
        "Số cử tri đã tham gia bỏ phiếu: 150 (bằng chữ: một trăm năm mươi) người, đạt 75 %",
        "Số phiếu thu vào: 150",
        "Số phiếu hợp lệ: 140 (bằng chữ: một trăm bốn mươi) phiếu",
        "Số phiếu không hợp lệ: 10 (bằng chữ: mười) phiếu",
        "chín mươi sáu",
        "68,6 %",
        "TỔ TRƯỞNG",
        "THƯ KÝ",
        "CỬ TRI CHỨNG KIẾN",
        "Lò Văn Thắng",
        "Vàng Thị Mai",
        "(Ký, ghi rõ họ tên)",
    ] {
        assert!(text.contains(words), "the minutes lack {words}: {text}");
    }
    // The candidates in the official lists' order: by given name (Ánh, Pao, Xuân).
    let (anh, pao, xuan) =
        (position(&text, "Đèo Văn Ánh"), position(&text, "Tẩn Văn Pao"), position(&text, "Lò Thị Xuân"));
    assert!(anh < pao && pao < xuan, "{text}");
    assert!(!text.contains("Vàng Thị Dợ"), "a candidate of another unit");
    // The same minutes by the area's name.
    let by_name =
        flat(&l.print("bb1b.pdf", &["minutes", "--polling-area", "Khu vực bản Nà Luông", "--level", "HĐND xã"]));
    assert!(by_name.contains("Lò Thị Xuân") && by_name.contains("200 (bằng chữ: hai trăm)"));

    // A correction carries its reason.
    let id = l.ok(&["list", "--kind", "count_minutes", "--json"]);
    let id: serde_json::Value = serde_json::from_str(id.lines().next().unwrap()).unwrap();
    l.ok(&[
        "edit",
        "--kind",
        "count_minutes",
        "--id",
        id["id"].as_str().unwrap(),
        "--set",
        "correction_reason=Cộng nhầm số phiếu không hợp lệ",
    ]);
    let text = flat(&l.print("bb1c.pdf", &["minutes", "--polling-area", "1", "--level", "commune"]));
    assert!(text.contains("Lý do: Cộng nhầm số phiếu không hợp lệ"), "{text}");

    // An area with no minutes of that level, an unknown area, a level not held: errors that say
    // so, and no file.
    for (args, says) in [
        (["--polling-area", "2", "--level", "commune"], "Khu vực bỏ phiếu số 2 (Khu vực bản Hua Pầu)"),
        (["--polling-area", "Khu vực bản Không Có", "--level", "commune"], "Khu vực bản Không Có"),
        (["--polling-area", "1", "--level", "district"], "district"),
    ] {
        let out = l.path("none.pdf");
        let mut all = vec!["print", "minutes"];
        all.extend(args);
        all.extend(["--out", out.to_str().unwrap()]);
        let err = l.fails(&all);
        assert!(err.contains(says), "{says}: {err}");
        assert!(!out.exists(), "no file for {args:?}");
    }
}

#[test]
fn the_boards_minutes_say_provisional_then_who_is_elected_and_by_which_article() {
    let l = commune();
    count(
        &l,
        "Khu vực bản Nà Luông",
        [200, 150, 140, 10],
        "Lò Văn Thắng — Tổ trưởng",
        &[("Lò Thị Xuân", 96), ("Tẩn Văn Pao", 44), ("Đèo Văn Ánh", 80)],
    );
    // One of its two areas counted: TẠM TÍNH, nobody elected, nothing to sign.
    let text = flat(&l.print("kq-tam.pdf", &["unit-result", "--electoral-unit", "Đơn vị bầu cử số 1"]));
    for words in [
        "BIÊN BẢN XÁC ĐỊNH KẾT QUẢ BẦU CỬ",
        "Ở ĐƠN VỊ BẦU CỬ SỐ 1",
        "TẠM TÍNH",
        "Mới có 1/2 khu vực bỏ phiếu",
        "chưa xác định người trúng cử",
        "Lò Thị Xuân",
    ] {
        assert!(text.contains(words), "the provisional minutes lack {words}: {text}");
    }
    assert!(!text.contains("Trúng cử") && !text.contains("trúng cử theo"), "{text}");
    assert!(!text.contains("(Ký, ghi rõ họ tên)"), "a provisional result is not signed");

    // Both areas in: 300 listed, 230 voted, 218 valid; Xuân 146 and Ánh 120 have more than half.
    count(
        &l,
        "Khu vực bản Hua Pầu",
        [100, 80, 78, 2],
        "",
        &[("Lò Thị Xuân", 50), ("Tẩn Văn Pao", 30), ("Đèo Văn Ánh", 40)],
    );
    l.import(&[serde_json::json!({"kind": "unit_result", "electoral_unit": "Đơn vị bầu cử số 1",
        "confirmed_on": "2026-03-17", "confirmed_by": "Hà Văn Dũng — Trưởng Ban bầu cử\nLường Thị Hoa — Thư ký",
        "areas_reported": 2})]);
    let text = flat(&l.print("kq-1.pdf", &["unit-result", "--electoral-unit", "1", "--level", "commune"]));
    for words in [
        "ĐẠI BIỂU HỘI ĐỒNG NHÂN DÂN",
        "ngày 17 tháng 03 năm 2026",
        "Số đại biểu được bầu: 2 (bằng chữ: hai) người",
        "Số khu vực bỏ phiếu đã có biên bản kết quả kiểm phiếu: 2/2",
        "Tổng số cử tri của đơn vị bầu cử: 300 (bằng chữ: ba trăm) người",
        "Số cử tri đã tham gia bỏ phiếu: 230 (bằng chữ: hai trăm ba mươi) người, đạt 76,7 %",
        "Số phiếu hợp lệ: 218",
        "Số phiếu không hợp lệ: 12",
        "Những người trúng cử",
        "(2/2 đại biểu được bầu)",
        "1. Lò Thị Xuân: 146 phiếu, đạt 67 % số phiếu hợp lệ — trúng cử theo khoản 2 Điều 78",
        "2. Đèo Văn Ánh: 120 phiếu, đạt 55 % số phiếu hợp lệ — trúng cử theo khoản 2 Điều 78",
        "Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân",
        "TRƯỞNG BAN BẦU CỬ",
        "Hà Văn Dũng",
        "Lường Thị Hoa",
    ] {
        assert!(text.contains(words), "the minutes lack {words}: {text}");
    }
    assert!(!text.contains("TẠM TÍNH"), "{text}");
    assert!(!text.contains("Tẩn Văn Pao: "), "Pao is not elected");
    assert_eq!(text.matches("Trúng cử").count(), 2, "{text}");

    // Unit 2: 40 of 100 voted, so the election there is held again (Art 80) within 15 days.
    count(&l, "Khu vực bản Thẳm Phé", [100, 40, 40, 0], "", &[("Vàng Thị Dợ", 40)]);
    let text = flat(&l.print("kq-2.pdf", &["unit-result", "--electoral-unit", "Đơn vị bầu cử số 2"]));
    assert!(text.contains("chưa quá một nửa tổng số cử tri"), "{text}");
    assert!(
        text.contains("khoản 1 Điều 78") && text.contains("bầu cử lại theo Điều 80, chậm nhất ngày 30/03/2026"),
        "{text}"
    );
    assert!(!text.contains("Trúng cử"), "{text}");
    // Not yet confirmed: the board's chair and deputy sign.
    assert!(text.contains("TRƯỞNG BAN BẦU CỬ") && text.contains("PHÓ TRƯỞNG BAN BẦU CỬ"), "{text}");

    // An unknown unit is an error naming it, and no file.
    let out = l.path("none.pdf");
    let err = l.fails(&["print", "unit-result", "--electoral-unit", "Đơn vị số 9", "--out", out.to_str().unwrap()]);
    assert!(err.contains("Đơn vị số 9"), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_signers_never_stand_alone_on_a_last_page() {
    use serde_json::json;
    // Unit k stands k candidates in its one polling area: tables of every length from 1 to 45,
    // the longer running over two or three pages.
    let l = Ledger::new();
    let counts = 1..=45usize;
    let mut lines = Vec::new();
    for k in counts.clone() {
        let unit = format!("Đơn vị bầu cử số {k}");
        lines.push(json!({"kind": "electoral_unit", "level": "commune", "number": k, "name": unit, "seats": 1}));
        lines.push(json!({"kind": "polling_area", "number": k, "name": format!("Khu vực bỏ phiếu số {k}"),
            "area_type": "ordinary", "electoral_unit_commune": unit}));
        lines.push(
            json!({"kind": "count_minutes", "polling_area": format!("Khu vực bỏ phiếu số {k}"), "level": "commune",
            "voters_listed": 1000, "voted": 900, "ballots_issued": 900, "ballots_received": 900, "valid": 900,
            "invalid": 0, "counted_on": "2026-03-15"}),
        );
        for i in 1..=k {
            lines.push(json!({"kind": "candidate", "full_name": format!("Lò Văn Pọm {k}-{i}"), "level": "commune",
                "electoral_unit": unit, "nomination": "nominated", "birth_date": "1980-01-01", "sex": "male",
                "status": "official"}));
        }
    }
    l.import(&lines);
    let mut lengths = std::collections::BTreeSet::new();
    for k in counts {
        for (what, args, signer) in [
            ("minutes", vec!["minutes", "--polling-area", &*k.to_string(), "--level", "commune"], "TỔ TRƯỞNG"),
            ("unit-result", vec!["unit-result", "--electoral-unit", &*k.to_string()], "TRƯỞNG BAN BẦU CỬ"),
        ] {
            let out = l.path(&format!("{what}-{k}.pdf"));
            let mut all = vec!["print"];
            all.extend(args.iter().map(|a| &**a));
            all.extend(["--out", out.to_str().unwrap()]);
            l.ok(&all);
            let pages = pdf_extract::extract_text_from_mem_by_pages(&std::fs::read(&out).unwrap()).unwrap();
            lengths.insert(pages.len());
            let last = flat(pages.last().unwrap());
            assert!(last.contains(signer), "{what}, {k} candidates: the signers are on the last page");
            assert!(
                last.contains("Lò Văn Pọm"),
                "{what}, {k} candidates: the signers alone on page {}: {last}",
                pages.len()
            );
            let every = flat(&pages.join("\n"));
            assert!(every.contains(&format!("Lò Văn Pọm {k}-{k}")), "{what}, {k}: every candidate is listed");
        }
    }
    assert!(lengths.contains(&1) && lengths.contains(&2), "{lengths:?}");
}
