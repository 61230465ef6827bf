//! Election day's minutes, ready to sign, A4 portrait: the team's counting minutes of one
//! polling area and one level ([`count_minutes`]: "Biên bản kết quả kiểm phiếu") from its
//! `count_minutes` record and the candidates' votes counted there, and the board's minutes of
//! an electoral unit's result ([`unit_result`]: "Biên bản xác định kết quả bầu cử") from
//! [`sobaucu_core::results::results`], marked TẠM TÍNH while some polling area has not counted.
//! Both carry the body's heading beside the nation's motto, the place and date, the figures as
//! numbered lines with the numbers also in words, the candidates' table in the official lists'
//! alphabetical order, and the signers' blocks (each signer's role, room to sign, their name),
//! kept with the table's last rows so they never stand alone on a last page.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use sobaucu_core::collate::person_key;
use sobaucu_core::kinds::{Choice, Kind};
use sobaucu_core::store::{Db, Row};
use sobaucu_core::units::{Level, Unit, UnitCode};
use sobaucu_core::{Error, NodeInfo, RecordId, Result};

use crate::layout::{Column, Flow, TableRow};
use crate::pdf::{Align, PageSize, Weight};
use crate::voters::{find_polling_area, levels_of, roman};

/// What was printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Rows of the candidates' table.
    pub candidates: usize,
    /// The file name to suggest: `bien-ban-kiem-phieu-kvbp-1-commune.pdf`.
    pub suggested_name: String,
}

/// The body text's size.
const BODY: f32 = 10.5;
/// Rows of the candidates' table kept on the page of what follows it.
const ROWS_KEPT: usize = 2;
/// Room to sign between a signer's role and their printed name.
const SIGN_SPACE: f32 = 46.0;
/// The law the articles cited belong to.
const LAW: &str = "Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân";

fn s<'r>(row: &'r Row, field: &str) -> &'r str {
    row.fields.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn int(row: &Row, field: &str) -> i64 {
    row.fields.get(field).and_then(Value::as_i64).unwrap_or_default()
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A number as Vietnamese writes it: thousands separated by dots (1.250).
pub(crate) fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A percentage with a decimal comma: 68,6 %, 75 %.
fn percent_text(value: f64) -> String {
    let shown = format!("{value:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown).replace('.', ",");
    format!("{shown} %")
}

/// `part` as a percentage of `whole`, one decimal (as the results compute it).
fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 }
}

const DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

/// Three digits in words; `full` says "không trăm", "linh" where a higher group went before.
fn three_in_words(n: u64, full: bool, out: &mut Vec<&'static str>) {
    let (hundreds, tens, units) = ((n / 100) as usize, (n / 10 % 10) as usize, (n % 10) as usize);
    if hundreds > 0 || full {
        out.extend([DIGITS[hundreds], "trăm"]);
    }
    match tens {
        0 if units > 0 => {
            if hundreds > 0 || full {
                out.push("linh");
            }
            out.push(DIGITS[units]);
        }
        0 => {}
        1 => {
            out.push("mười");
            match units {
                0 => {}
                5 => out.push("lăm"),
                d => out.push(DIGITS[d]),
            }
        }
        _ => {
            out.extend([DIGITS[tens], "mươi"]);
            match units {
                0 => {}
                1 => out.push("mốt"),
                4 => out.push("tư"),
                5 => out.push("lăm"),
                d => out.push(DIGITS[d]),
            }
        }
    }
}

/// A whole number in Vietnamese words, as the minutes write figures a second time: 150 "một
/// trăm năm mươi", 105 "một trăm linh năm", 1.005 "một nghìn không trăm linh năm".
pub fn in_words(n: i64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    let mut words: Vec<String> = Vec::new();
    if n < 0 {
        words.push("âm".to_string());
    }
    let n = n.unsigned_abs();
    let (billions, rest) = (n / 1_000_000_000, n % 1_000_000_000);
    let mut started = billions > 0;
    if started {
        words.extend([in_words(billions as i64), "tỷ".to_string()]);
    }
    for (scale, name) in [(1_000_000, "triệu"), (1_000, "nghìn"), (1, "")] {
        let group = rest / scale % 1000;
        if group == 0 {
            continue;
        }
        let mut three = Vec::new();
        three_in_words(group, started, &mut three);
        words.extend(three.into_iter().map(str::to_string));
        if !name.is_empty() {
            words.push(name.to_string());
        }
        started = true;
    }
    words.join(" ")
}

/// "200 (bằng chữ: hai trăm)".
fn with_words(n: i64) -> String {
    format!("{} (bằng chữ: {})", number(n), in_words(n))
}

/// An article of the law as cited in Vietnamese: "78.2" → "khoản 2 Điều 78".
pub fn article(art: &str) -> String {
    match art.split_once('.') {
        Some((article, clause)) => format!("khoản {clause} Điều {article}"),
        None => format!("Điều {art}"),
    }
}

/// The level of this election named `wanted` (its code, or its label: "HĐND xã").
fn require_level(node: &NodeInfo, wanted: &str) -> Result<&'static Choice> {
    let fold = sobaucu_core::text::fold;
    let levels = levels_of(node);
    let folded = fold(wanted.trim());
    levels
        .iter()
        .copied()
        .find(|c| c.value == wanted.trim() || fold(c.vi) == folded || fold(c.en) == folded)
        .ok_or_else(|| {
            let shown: String = wanted.chars().take(30).collect();
            let codes = levels.iter().map(|c| c.value).collect::<Vec<_>>().join(", ");
            Error::input(
                format!("no level `{shown}` in this election: use {codes}"),
                format!("không có cấp bầu cử `{shown}` trong cuộc bầu cử này: dùng {codes}"),
            )
        })
}

/// The administrative unit whose council a level elects, at or above `code`.
fn council_unit<'c>(node: &'c NodeInfo, level: &str, code: &UnitCode) -> Option<&'c Unit> {
    let tier = match level {
        "provincial" => Level::Province,
        "district" => Level::District,
        "commune" => Level::Commune,
        _ => return None,
    };
    node.catalogue().ancestor_at(code, tier)
}

/// The first letter in lower case: "Xã Mường Kim" → "xã Mường Kim".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| first.to_lowercase().chain(chars).collect())
}

/// Who is elected, as a sentence says it: "đại biểu Quốc hội khóa XVI", "đại biểu Hội đồng
/// nhân dân xã Mường Kim nhiệm kỳ 2026–2031" (a title puts it in capitals).
fn elected_body(node: &NodeInfo, level: &Choice, code: &UnitCode) -> String {
    let year = node.election_date.year();
    if level.value == "na" {
        let term = 15 + (year - 2021).div_euclid(5);
        return format!("đại biểu Quốc hội khóa {}", roman(term.max(1) as u32));
    }
    let council = match council_unit(node, level.value, code) {
        Some(unit) => format!("Hội đồng nhân dân {}", lower_first(&unit.name)),
        None => level.vi.replace("HĐND", "Hội đồng nhân dân"),
    };
    format!("đại biểu {council} nhiệm kỳ {year}–{}", year + 5)
}

/// The unit's name without its type, for the place of a date line ("Mường Kim").
fn place_name(unit: &Unit) -> String {
    let fold = sobaucu_core::text::fold;
    if fold(&unit.name).starts_with(&format!("{} ", fold(&unit.unit_type))) {
        unit.name.chars().skip(unit.unit_type.chars().count()).collect::<String>().trim().to_string()
    } else {
        unit.name.clone()
    }
}

/// "Mường Kim, ngày 15 tháng 03 năm 2026", or dots to fill when the day is not known.
fn date_line(place: &str, day: Option<NaiveDate>) -> String {
    match day {
        Some(d) => format!("{place}, ngày {:02} tháng {:02} năm {}", d.day(), d.month(), d.year()),
        None => format!("{place}, ngày ..... tháng ..... năm ......."),
    }
}

/// The heading: the body on the left, the motto and the date line on the right, each block
/// wrapped in its half; the cursor goes below the taller.
fn heading(flow: &mut Flow, left: &[(String, Weight)], right_date: &str) {
    let (x, width) = flow.frame();
    let half = width / 2.0;
    let top = flow.y;
    for (line, weight) in left {
        flow.paragraph_in(x, half - 6.0, line, *weight, 10.0, Align::Center);
    }
    let left_end = flow.y;
    flow.y = top;
    for (line, weight) in [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Weight::Bold),
        ("Độc lập - Tự do - Hạnh phúc", Weight::Bold),
        ("", Weight::Regular),
        (right_date, Weight::Regular),
    ] {
        flow.paragraph_in(x + half, half, line, weight, 10.0, Align::Center);
    }
    flow.y = flow.y.max(left_end) + 14.0;
}

/// The signers of a `signed_by` or `confirmed_by` field, a line each, "name — role": (role,
/// name). A line with no role is a name alone.
pub fn signers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            for separator in ["—", "–", " - ", ":", ","] {
                if let Some((name, role)) = line.split_once(separator) {
                    return (role.trim().to_string(), name.trim().to_string());
                }
            }
            (String::new(), line.to_string())
        })
        .collect()
}

/// The blocks of signers, two to a row: heights of each row.
fn signature_rows(flow: &mut Flow, signers: &[(String, String)]) -> Vec<f32> {
    let (_, width) = flow.frame();
    let half = width / 2.0;
    signers
        .chunks(2)
        .map(|pair| {
            let role_lines = pair
                .iter()
                .map(|(role, _)| flow.doc.wrap(&role.to_uppercase(), Weight::Bold, BODY, half - 8.0).len().max(1))
                .max()
                .unwrap_or(1);
            let name_lines = pair
                .iter()
                .map(|(_, name)| flow.doc.wrap(name, Weight::Bold, BODY, half - 8.0).len().max(1))
                .max()
                .unwrap_or(1);
            (role_lines + name_lines) as f32 * BODY * 1.25 + 8.5 * 1.25 + SIGN_SPACE + 12.0
        })
        .collect()
}

/// The height the signers' blocks take.
fn signatures_height(flow: &mut Flow, signers: &[(String, String)]) -> f32 {
    8.0 + signature_rows(flow, signers).iter().sum::<f32>()
}

/// Each signer's block: their role in capitals, "(Ký, ghi rõ họ tên)", room to sign, their
/// name; two to a row, a last one alone in the middle.
fn signatures(flow: &mut Flow, signers: &[(String, String)]) {
    let rows = signature_rows(flow, signers);
    flow.space(8.0);
    let (x, width) = flow.frame();
    let half = width / 2.0;
    for (pair, height) in signers.chunks(2).zip(rows) {
        flow.ensure(height);
        let top = flow.y;
        let mut bottom = top;
        for (i, (role, name)) in pair.iter().enumerate() {
            let left = if pair.len() == 1 { x + half / 2.0 } else { x + i as f32 * half };
            flow.y = top;
            if !role.is_empty() {
                flow.paragraph_in(left + 4.0, half - 8.0, &role.to_uppercase(), Weight::Bold, BODY, Align::Center);
            }
            flow.paragraph_in(left + 4.0, half - 8.0, "(Ký, ghi rõ họ tên)", Weight::Regular, 8.5, Align::Center);
            flow.space(SIGN_SPACE);
            flow.paragraph_in(left + 4.0, half - 8.0, name, Weight::Bold, BODY, Align::Center);
            bottom = bottom.max(flow.y);
        }
        flow.y = bottom.max(top + height - 12.0) + 12.0;
    }
}

/// A numbered line of figures: "1. Tổng số cử tri …".
fn figure(flow: &mut Flow, n: usize, text: &str) {
    flow.paragraph(&format!("{n}. {text}"), Weight::Regular, BODY, Align::Left);
    flow.space(2.0);
}

/// The lines that follow a table (text, weight), and their height.
fn tail_height(flow: &mut Flow, lines: &[(String, Weight)]) -> f32 {
    lines.iter().map(|(line, weight)| flow.paragraph_height(line, *weight, BODY) + 3.0).sum()
}

fn tail(flow: &mut Flow, lines: &[(String, Weight)]) {
    for (line, weight) in lines {
        flow.paragraph(line, *weight, BODY, Align::Left);
        flow.space(3.0);
    }
}

/// Space under the candidates' table.
const AFTER_TABLE: f32 = 8.0;

/// The candidates' table, or a line saying there is none, followed by `after` points of what
/// must stay with its last rows.
fn candidates_table(flow: &mut Flow, columns: &[Column], rows: &[TableRow], after: f32) {
    flow.space(2.0);
    if rows.is_empty() {
        flow.paragraph("Chưa có người ứng cử.", Weight::Regular, BODY, Align::Left);
        flow.ensure(AFTER_TABLE + after);
    } else {
        flow.table_kept_with(columns, rows, false, ROWS_KEPT, AFTER_TABLE + after);
    }
    flow.space(AFTER_TABLE);
}

/// A polling area's name as its title says it: "Khu vực bỏ phiếu số 1 (Bản Nà Luông)".
fn area_title(number: i64, name: &str) -> String {
    let plain = format!("Khu vực bỏ phiếu số {number}");
    if name.is_empty() || sobaucu_core::text::fold(name) == sobaucu_core::text::fold(&plain) {
        plain
    } else {
        format!("{plain} ({name})")
    }
}

/// An electoral unit's name: "Đơn vị bầu cử số 1", with its own name beside it when that says
/// more.
fn unit_title(number: i64, name: &str) -> String {
    let plain = format!("Đơn vị bầu cử số {number}");
    if name.is_empty() || sobaucu_core::text::fold(name) == sobaucu_core::text::fold(&plain) {
        plain
    } else {
        format!("{plain} ({name})")
    }
}

/// The team's counting minutes of one polling area (by id, number or name) and one level
/// (`na`, `provincial`, `district`, `commune`, or its label): the figures of its
/// `count_minutes`, the votes of each candidate counted there, the team's signers.
pub fn count_minutes(db: &Db<'_>, node: &NodeInfo, polling_area: &str, level: &str) -> Result<Minutes> {
    let area = find_polling_area(db, polling_area)?;
    let level = require_level(node, level)?;
    let area_id = area.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let area_number = area.get("number").and_then(Value::as_i64).unwrap_or_default();
    let area_name = area.get("name").and_then(Value::as_str).unwrap_or_default();
    let area_title = area_title(area_number, area_name);
    let Some(minutes) = db
        .all_rows(Kind::CountMinutes)?
        .into_iter()
        .find(|m| s(m, "polling_area") == area_id && s(m, "level") == level.value)
    else {
        return Err(Error::not_found(
            format!("{area_title} has no counting minutes of the {} election yet: enter them first", level.en),
            format!("{area_title} chưa có biên bản kết quả kiểm phiếu bầu cử {}: hãy nhập biên bản trước", level.vi),
        ));
    };
    let unit_code: UnitCode = area.get("unit").and_then(Value::as_str).unwrap_or_default().parse()?;
    let unit = node.catalogue().require(&unit_code)?;
    let electoral_unit = area
        .get(format!("electoral_unit_{}", level.value))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .and_then(|id| id.parse::<RecordId>().ok())
        .map(|id| db.row(Kind::ElectoralUnit, &id))
        .transpose()?
        .flatten()
        .filter(|u| !u.deleted);
    let team = db.all_rows(Kind::Team)?.into_iter().find(|t| s(t, "polling_area") == area_id);

    // The candidates: those with votes counted here, and those standing in the area's unit.
    let mut votes: HashMap<String, i64> = HashMap::new();
    for v in db.all_rows(Kind::CandidateVotes)? {
        if s(&v, "polling_area") == area_id && s(&v, "level") == level.value {
            *votes.entry(s(&v, "candidate").to_string()).or_default() += int(&v, "votes");
        }
    }
    let unit_id = electoral_unit.as_ref().map(|u| u.id.to_string());
    let mut standing: Vec<(String, String, Option<i64>)> = db
        .all_rows(Kind::Candidate)?
        .into_iter()
        .filter(|c| {
            votes.contains_key(&c.id.to_string())
                || (s(c, "level") == level.value
                    && s(c, "status") != "withdrawn"
                    && unit_id.as_deref().is_some_and(|u| s(c, "electoral_unit") == u))
        })
        .map(|c| {
            (person_key(s(&c, "full_name")), s(&c, "full_name").to_string(), votes.get(&c.id.to_string()).copied())
        })
        .collect();
    standing.sort();

    let listed = int(&minutes, "voters_listed");
    let voted = int(&minutes, "voted");
    let received = int(&minutes, "ballots_received");
    let valid = int(&minutes, "valid");
    let counted_on = date(s(&minutes, "counted_on"));

    let mut flow = Flow::new(PageSize::A4Portrait, 9.5);
    flow.doc.footer = format!("Biên bản kết quả kiểm phiếu · {area_title} · {}", level.vi);
    let team_name = team.as_ref().map(|t| s(t, "name").to_string()).filter(|n| !n.is_empty());
    let mut left = vec![(team_name.clone().unwrap_or_else(|| "TỔ BẦU CỬ".to_string()).to_uppercase(), Weight::Bold)];
    left.push((area_title.clone(), Weight::Regular));
    if let Some(eu) = &electoral_unit {
        left.push((unit_title(int(eu, "number"), s(eu, "name")), Weight::Regular));
    }
    left.push((unit.name.clone(), Weight::Regular));
    heading(&mut flow, &left, &date_line(&place_name(unit), counted_on));

    flow.paragraph("BIÊN BẢN KẾT QUẢ KIỂM PHIẾU", Weight::Bold, 14.0, Align::Center);
    flow.paragraph(
        &format!("BẦU CỬ {}", elected_body(node, level, &unit_code).to_uppercase()),
        Weight::Bold,
        11.0,
        Align::Center,
    );
    flow.paragraph(&format!("TẠI {}", area_title.to_uppercase()), Weight::Bold, 11.0, Align::Center);
    flow.space(10.0);

    let place = area.get("location").and_then(Value::as_str).filter(|l| !l.is_empty());
    let team_words = team_name.unwrap_or_else(|| format!("Tổ bầu cử {}", lower_first(&area_title)));
    let day = counted_on.map_or("ngày ..... tháng ..... năm .......".to_string(), |d| {
        format!("ngày {:02} tháng {:02} năm {}", d.day(), d.month(), d.year())
    });
    let mut opening = format!(
        "Hồi ..... giờ ..... {day}, {team_words} đã tiến hành kiểm phiếu cuộc bầu cử {} tại {}",
        elected_body(node, level, &unit_code),
        lower_first(&area_title)
    );
    if let Some(place) = place {
        opening.push_str(&format!(", địa điểm bỏ phiếu: {place}"));
    }
    opening.push('.');
    flow.paragraph(&opening, Weight::Regular, BODY, Align::Left);
    flow.space(4.0);
    flow.paragraph("Kết quả kiểm phiếu như sau:", Weight::Bold, BODY, Align::Left);
    flow.space(2.0);

    figure(&mut flow, 1, &format!("Tổng số cử tri của khu vực bỏ phiếu: {} người.", with_words(listed)));
    figure(
        &mut flow,
        2,
        &format!(
            "Số cử tri đã tham gia bỏ phiếu: {} người, đạt {} so với tổng số cử tri của khu vực bỏ phiếu.",
            with_words(voted),
            percent_text(percent(voted, listed))
        ),
    );
    figure(&mut flow, 3, &format!("Số phiếu phát ra: {} phiếu.", with_words(int(&minutes, "ballots_issued"))));
    figure(&mut flow, 4, &format!("Số phiếu thu vào: {} phiếu.", with_words(received)));
    figure(
        &mut flow,
        5,
        &format!(
            "Số phiếu hợp lệ: {} phiếu, bằng {} so với tổng số phiếu thu vào.",
            with_words(valid),
            percent_text(percent(valid, received))
        ),
    );
    let invalid = int(&minutes, "invalid");
    figure(
        &mut flow,
        6,
        &format!(
            "Số phiếu không hợp lệ: {} phiếu, bằng {} so với tổng số phiếu thu vào.",
            with_words(invalid),
            percent_text(percent(invalid, received))
        ),
    );
    figure(&mut flow, 7, "Số phiếu bầu cho mỗi người ứng cử:");

    let columns = [
        Column::new("STT", 0.45, Align::Right),
        Column::new("Họ và tên người ứng cử", 2.6, Align::Left),
        Column::new("Số phiếu bầu", 0.95, Align::Right),
        Column::new("Ghi bằng chữ", 2.4, Align::Left),
        Column::new("Tỷ lệ so với số phiếu hợp lệ", 1.1, Align::Right),
    ];
    let rows: Vec<TableRow> = standing
        .iter()
        .enumerate()
        .map(|(i, (_, name, votes))| {
            TableRow::new(vec![
                (i + 1).to_string(),
                name.clone(),
                votes.map(number).unwrap_or_default(),
                votes.map(in_words).unwrap_or_default(),
                votes.map(|v| percent_text(percent(v, valid))).unwrap_or_default(),
            ])
        })
        .collect();

    let mut after: Vec<(String, Weight)> = Vec::new();
    let correction = s(&minutes, "correction_reason").trim();
    if !correction.is_empty() {
        after.push((format!("Biên bản này được lập lại để sửa biên bản trước. Lý do: {correction}"), Weight::Bold));
    }
    after.push((
        "Biên bản kết quả kiểm phiếu có chữ ký của Tổ trưởng, Thư ký Tổ bầu cử và hai cử tri được mời chứng kiến việc kiểm phiếu."
            .to_string(),
        Weight::Regular,
    ));
    let mut signed = signers(s(&minutes, "signed_by"));
    if signed.is_empty() {
        signed = ["Tổ trưởng", "Thư ký", "Cử tri chứng kiến", "Cử tri chứng kiến"]
            .iter()
            .map(|role| (role.to_string(), String::new()))
            .collect();
    }
    let needed = tail_height(&mut flow, &after) + signatures_height(&mut flow, &signed);
    candidates_table(&mut flow, &columns, &rows, needed);
    tail(&mut flow, &after);
    signatures(&mut flow, &signed);

    let pages = flow.doc.page_count();
    Ok(Minutes {
        pdf: flow.doc.finish(),
        pages,
        candidates: rows.len(),
        suggested_name: format!("bien-ban-kiem-phieu-kvbp-{area_number}-{}.pdf", level.value),
    })
}

/// Finds an electoral unit by id, or by its number or exact name when that is unique (among
/// the units of `level`, when given).
fn find_electoral_unit(db: &Db<'_>, wanted: &str, level: Option<&Choice>) -> Result<Row> {
    let wanted = wanted.trim();
    let shown: String = wanted.chars().take(60).collect();
    let not_found = || {
        Error::not_found(
            format!(
                "no electoral unit `{shown}` in this ledger (give its id, number or name; `sobaucu list --kind electoral_unit` lists them)"
            ),
            format!(
                "không có đơn vị bầu cử `{shown}` trong sổ (ghi mã, số hoặc tên; `sobaucu list --kind electoral_unit` liệt kê)"
            ),
        )
    };
    let of_level = |row: &Row| level.is_none_or(|l| s(row, "level") == l.value);
    if let Ok(id) = wanted.parse::<RecordId>() {
        return match db.row(Kind::ElectoralUnit, &id)? {
            Some(row) if !row.deleted && of_level(&row) => Ok(row),
            _ => Err(not_found()),
        };
    }
    let number = wanted.parse::<i64>().ok();
    let mut found: Vec<Row> = db
        .all_rows(Kind::ElectoralUnit)?
        .into_iter()
        .filter(|row| of_level(row) && (number == Some(int(row, "number")) || s(row, "name") == wanted))
        .collect();
    match found.len() {
        0 => Err(not_found()),
        1 => Ok(found.remove(0)),
        n => Err(Error::input(
            format!(
                "{n} electoral units match `{shown}`: give --level or the id (`sobaucu list --kind electoral_unit`)"
            ),
            format!("{n} đơn vị bầu cử khớp với `{shown}`: hãy ghi cấp hoặc mã (`sobaucu list --kind electoral_unit`)"),
        )),
    }
}

/// The board's minutes of the result of one electoral unit (by id, number or name; `level`
/// narrows the search): its seats, the polling areas counted, voters listed and voting,
/// valid and invalid ballots, each candidate's votes and share, who is elected under which
/// article or what follows instead (a supplementary election, an election held again, with its
/// article and last day); TẠM TÍNH on every page while some area has not counted; the board's
/// signers (`unit_result.confirmed_by`) once it has confirmed.
pub fn unit_result(db: &Db<'_>, node: &NodeInfo, electoral_unit: &str, level: Option<&str>) -> Result<Minutes> {
    let wanted_level = level.map(|l| require_level(node, l)).transpose()?;
    let unit_row = find_electoral_unit(db, electoral_unit, wanted_level)?;
    let unit_id = unit_row.id.to_string();
    let unit_number = int(&unit_row, "number");
    let unit_title = unit_title(unit_number, s(&unit_row, "name"));
    let level = require_level(node, s(&unit_row, "level"))?;
    let results = sobaucu_core::results::results(db, node)?;
    let Some(outcome) = results.get(level.value).and_then(|l| l.units.iter().find(|u| u.id == unit_id)) else {
        return Err(Error::not_found(
            format!("{unit_title} has no result to print"),
            format!("{unit_title} chưa có kết quả để in"),
        ));
    };
    let code = unit_row.unit.clone();
    let admin = node.catalogue().require(&code)?;
    let confirmation = db.all_rows(Kind::UnitResult)?.into_iter().find(|r| s(r, "electoral_unit") == unit_id);
    let confirmed_on = confirmation.as_ref().and_then(|r| date(s(r, "confirmed_on")));
    let board = db
        .all_rows(Kind::Board)?
        .into_iter()
        .find(|b| s(b, "electoral_unit") == unit_id)
        .map(|b| s(&b, "name").to_string())
        .filter(|n| !n.is_empty());
    let provisional = outcome.provisional;
    let body = elected_body(node, level, &code);

    let mut flow = Flow::new(PageSize::A4Portrait, 9.5);
    flow.doc.footer = format!(
        "{}Biên bản xác định kết quả bầu cử · {unit_title} · {}",
        if provisional { "TẠM TÍNH · " } else { "" },
        level.vi
    );
    let left = vec![
        (board.clone().unwrap_or_else(|| "BAN BẦU CỬ".to_string()).to_uppercase(), Weight::Bold),
        (unit_title.clone(), Weight::Regular),
        (admin.name.clone(), Weight::Regular),
    ];
    heading(&mut flow, &left, &date_line(&place_name(admin), confirmed_on.filter(|_| !provisional)));

    flow.paragraph("BIÊN BẢN XÁC ĐỊNH KẾT QUẢ BẦU CỬ", Weight::Bold, 14.0, Align::Center);
    flow.paragraph(&body.to_uppercase(), Weight::Bold, 11.0, Align::Center);
    flow.paragraph(&format!("Ở ĐƠN VỊ BẦU CỬ SỐ {unit_number}"), Weight::Bold, 11.0, Align::Center);
    if provisional {
        flow.space(6.0);
        flow.paragraph("TẠM TÍNH", Weight::Bold, 16.0, Align::Center);
        flow.paragraph(
            &format!(
                "Mới có {}/{} khu vực bỏ phiếu gửi biên bản kết quả kiểm phiếu: đây chưa phải kết quả bầu cử, chưa xác định người trúng cử.",
                outcome.areas_reported, outcome.areas_total
            ),
            Weight::Bold,
            BODY,
            Align::Center,
        );
    }
    flow.space(10.0);

    let by = board.unwrap_or_else(|| format!("Ban bầu cử {}", lower_first(&unit_title)));
    flow.paragraph(
        &format!(
            "Căn cứ biên bản kết quả kiểm phiếu của các Tổ bầu cử ở {} khu vực bỏ phiếu thuộc {}, {by} xác định kết quả bầu cử như sau:",
            outcome.areas_reported,
            lower_first(&unit_title)
        ),
        Weight::Regular,
        BODY,
        Align::Left,
    );
    flow.space(4.0);
    figure(&mut flow, 1, &format!("Số đại biểu được bầu: {} người.", with_words(outcome.seats)));
    figure(
        &mut flow,
        2,
        &format!(
            "Số khu vực bỏ phiếu đã có biên bản kết quả kiểm phiếu: {}/{}.",
            outcome.areas_reported, outcome.areas_total
        ),
    );
    figure(&mut flow, 3, &format!("Tổng số cử tri của đơn vị bầu cử: {} người.", with_words(outcome.voters_listed)));
    figure(
        &mut flow,
        4,
        &format!(
            "Số cử tri đã tham gia bỏ phiếu: {} người, đạt {} so với tổng số cử tri.",
            with_words(outcome.voted),
            percent_text(percent(outcome.voted, outcome.voters_listed))
        ),
    );
    let received = outcome.valid + outcome.invalid;
    figure(
        &mut flow,
        5,
        &format!(
            "Số phiếu hợp lệ: {} phiếu, bằng {} so với tổng số phiếu thu vào.",
            with_words(outcome.valid),
            percent_text(percent(outcome.valid, received))
        ),
    );
    figure(
        &mut flow,
        6,
        &format!(
            "Số phiếu không hợp lệ: {} phiếu, bằng {} so với tổng số phiếu thu vào.",
            with_words(outcome.invalid),
            percent_text(percent(outcome.invalid, received))
        ),
    );
    figure(&mut flow, 7, "Số phiếu bầu cho mỗi người ứng cử (xếp theo vần chữ cái):");

    let mut listed: Vec<_> = outcome.candidates.iter().collect();
    listed.sort_by_cached_key(|c| (person_key(&c.name), c.id.clone()));
    let columns = [
        Column::new("STT", 0.45, Align::Right),
        Column::new("Họ và tên người ứng cử", 2.5, Align::Left),
        Column::new("Số phiếu bầu", 0.95, Align::Right),
        Column::new("Ghi bằng chữ", 2.3, Align::Left),
        Column::new("Tỷ lệ so với số phiếu hợp lệ", 1.05, Align::Right),
        Column::new("Kết quả", 0.9, Align::Center),
    ];
    let rows: Vec<TableRow> = listed
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut row = TableRow::new(vec![
                (i + 1).to_string(),
                c.name.clone(),
                number(c.votes),
                in_words(c.votes),
                percent_text(c.share),
                if c.elected && !provisional { "Trúng cử".to_string() } else { String::new() },
            ]);
            row.bold = c.elected && !provisional;
            row
        })
        .collect();

    // What follows the table: the outcome, the confirmation, the signers.
    let mut after: Vec<(String, Weight)> = Vec::new();
    let elected: Vec<_> = outcome.candidates.iter().filter(|c| c.elected).collect();
    let due = |d: Option<NaiveDate>| d.map_or(String::new(), |d| format!(", chậm nhất ngày {}", d.format("%d/%m/%Y")));
    if provisional {
        after.push((
            format!(
                "8. Kết quả: TẠM TÍNH ({}/{} khu vực bỏ phiếu); Ban bầu cử chưa xác định người trúng cử.",
                outcome.areas_reported, outcome.areas_total
            ),
            Weight::Bold,
        ));
    } else {
        if !outcome.stands {
            after.push((
                format!(
                    "8. Số cử tri đã tham gia bỏ phiếu chưa quá một nửa tổng số cử tri trong danh sách cử tri ({}): cuộc bầu cử ở đơn vị bầu cử phải tổ chức bầu cử lại theo {}{}.",
                    article(&node.law.rules().results.stands.art),
                    article(&outcome.art),
                    due(outcome.due)
                ),
                Weight::Bold,
            ));
        } else if elected.is_empty() {
            after.push(("8. Không có người ứng cử nào trúng cử.".to_string(), Weight::Bold));
        } else {
            after.push((
                format!(
                    "8. Những người trúng cử {} ({}/{} đại biểu được bầu), theo thứ tự số phiếu:",
                    body,
                    elected.len(),
                    outcome.seats
                ),
                Weight::Bold,
            ));
            for (i, c) in elected.iter().enumerate() {
                after.push((
                    format!(
                        "    {}. {}: {} phiếu, đạt {} số phiếu hợp lệ — trúng cử theo {}.",
                        i + 1,
                        c.name,
                        number(c.votes),
                        percent_text(c.share),
                        article(c.art.as_deref().unwrap_or(&outcome.art))
                    ),
                    Weight::Regular,
                ));
            }
        }
        if outcome.outcome == "supplementary_due" {
            after.push((
                format!(
                    "Số người trúng cử ({}) chưa đủ số đại biểu được bầu ({}): tổ chức bầu cử thêm theo {}{}.",
                    elected.len(),
                    outcome.seats,
                    article(&outcome.art),
                    due(outcome.due)
                ),
                Weight::Bold,
            ));
        }
        after.push((format!("Các điều, khoản dẫn trên là của {LAW}."), Weight::Regular));
    }
    let summary = confirmation.as_ref().map(|r| s(r, "summary").trim()).unwrap_or_default();
    if !summary.is_empty() {
        after.push((format!("Ban bầu cử xác nhận: {summary}"), Weight::Regular));
    }
    let mut signed = Vec::new();
    if provisional {
        after.push((
            "Bản tạm tính để theo dõi, không dùng để ký: Ban bầu cử lập biên bản khi đủ biên bản kết quả kiểm phiếu của các khu vực bỏ phiếu."
                .to_string(),
            Weight::Regular,
        ));
    } else {
        signed = confirmation.as_ref().map(|r| signers(s(r, "confirmed_by"))).unwrap_or_default();
        if signed.is_empty() {
            signed = ["Trưởng Ban bầu cử", "Phó Trưởng Ban bầu cử"]
                .iter()
                .map(|role| (role.to_string(), String::new()))
                .collect();
        }
    }
    let needed =
        tail_height(&mut flow, &after) + if signed.is_empty() { 0.0 } else { signatures_height(&mut flow, &signed) };
    candidates_table(&mut flow, &columns, &rows, needed);
    tail(&mut flow, &after);
    if !signed.is_empty() {
        signatures(&mut flow, &signed);
    }

    let pages = flow.doc.page_count();
    Ok(Minutes {
        pdf: flow.doc.finish(),
        pages,
        candidates: rows.len(),
        suggested_name: format!(
            "bien-ban-xac-dinh-ket-qua-{}-dvbc-{unit_number}{}.pdf",
            level.value,
            if provisional { "-tam-tinh" } else { "" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_words() {
        for (n, words) in [
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (105, "một trăm linh năm"),
            (150, "một trăm năm mươi"),
            (200, "hai trăm"),
            (1000, "một nghìn"),
            (1005, "một nghìn không trăm linh năm"),
            (1250, "một nghìn hai trăm năm mươi"),
            (10_000, "mười nghìn"),
            (100_000, "một trăm nghìn"),
            (1_000_050, "một triệu không trăm năm mươi"),
        ] {
            assert_eq!(in_words(n), words, "{n}");
        }
    }

    #[test]
    fn figures_articles_and_signers() {
        assert_eq!(number(1250), "1.250");
        assert_eq!(number(200), "200");
        assert_eq!(percent_text(68.6), "68,6 %");
        assert_eq!(percent_text(75.0), "75 %");
        assert_eq!(article("78.2"), "khoản 2 Điều 78");
        assert_eq!(article("80"), "Điều 80");
        assert_eq!(
            signers("Lò Văn Thắng — Tổ trưởng\n\n Vàng Thị Mai - Thư ký \nHoàng A"),
            vec![
                ("Tổ trưởng".to_string(), "Lò Văn Thắng".to_string()),
                ("Thư ký".to_string(), "Vàng Thị Mai".to_string()),
                (String::new(), "Hoàng A".to_string()),
            ]
        );
    }
}
