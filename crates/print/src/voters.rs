//! The voter list of one polling area in the layout of form Mẫu 33, to post at the polling
//! area: the heading of the commune's People's Committee and the nation's motto, with the place
//! and date line under the motto; the title with the election (the National Assembly's term and
//! the councils' mandate, from the election's year), the polling area and its place; the table
//! (STT, Họ và tên, the birth date under Nam or Nữ, Dân tộc, Nghề nghiệp, Thường trú and Tạm
//! trú under Nơi cư trú, the National Assembly's ballot, the councils' under Bầu cử đại biểu
//! HĐND, Ghi chú) with its columns numbered (1)…(n) and a Tổng số row; the signature block.
//! Removed voters are left out; voters who vote elsewhere keep their row, with a remark. Under
//! the 2025 law (the 2026 election) the list is grouped by household — the head of household
//! first, households in the order of their village — and the voter-card number is the row
//! number.

use serde_json::Value;
use sobaucu_core::kinds::{BALLOT_LEVELS, Kind};
use sobaucu_core::store::{Db, display_value};
use sobaucu_core::units::Scheme;
use sobaucu_core::{Error, ListQuery, NodeInfo, RecordId, Result};

use crate::layout::{Column, Flow, TableRow};
use crate::pdf::{Align, PageSize, Weight};

/// What was printed: the file and a few figures to report back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterList {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub voters: usize,
    pub male: usize,
    pub female: usize,
}

fn text<'v>(row: &'v Value, field: &str) -> &'v str {
    row.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// Finds a polling area by its id, or by its number or exact name when that is unique.
pub(crate) fn find_polling_area(db: &Db<'_>, wanted: &str) -> Result<Value> {
    let wanted = wanted.trim();
    let not_found = || {
        let shown: String = wanted.chars().take(60).collect();
        Error::not_found(
            format!(
                "no polling area `{shown}` in this ledger (give its id, number or name; `sobaucu list --kind polling_area` lists them)"
            ),
            format!(
                "không có khu vực bỏ phiếu `{shown}` trong sổ (ghi mã, số hoặc tên; `sobaucu list --kind polling_area` liệt kê)"
            ),
        )
    };
    if let Ok(id) = wanted.parse::<RecordId>() {
        return match db.row(Kind::PollingArea, &id)? {
            Some(row) if !row.deleted => db.row_json(&row),
            _ => Err(not_found()),
        };
    }
    let number = wanted.parse::<i64>().ok();
    let mut found: Vec<Value> = Vec::new();
    for row in db.all_rows(Kind::PollingArea)? {
        let by_number = number.is_some() && row.fields.get("number").and_then(Value::as_i64) == number;
        let by_name = row.fields.get("name").and_then(Value::as_str) == Some(wanted);
        if by_number || by_name {
            found.push(db.row_json(&row)?);
        }
    }
    match found.len() {
        0 => Err(not_found()),
        1 => Ok(found.remove(0)),
        n => Err(Error::input(
            format!("{n} polling areas match `{wanted}`: give the id (`sobaucu list --kind polling_area`)"),
            format!("{n} khu vực bỏ phiếu khớp với `{wanted}`: hãy ghi mã (`sobaucu list --kind polling_area`)"),
        )),
    }
}

/// Every live voter of a polling area in list order, a page of the store at a time.
fn voters_of(db: &Db<'_>, area_id: &str) -> Result<Vec<Value>> {
    const PAGE: u64 = 5_000;
    let mut voters = Vec::new();
    loop {
        let query = ListQuery {
            filter: [("polling_area".to_string(), area_id.to_string())].into(),
            offset: Some(voters.len() as u64),
            limit: Some(PAGE),
            ..Default::default()
        };
        let page = db.list(Kind::Voter, &query)?;
        let got = page.rows.len();
        voters.extend(page.rows);
        if got < PAGE as usize || voters.len() as u64 >= page.total {
            return Ok(voters);
        }
    }
}

/// The ballot levels of this election: no district councils under the two-tier scheme.
pub(crate) fn levels_of(node: &NodeInfo) -> Vec<&'static sobaucu_core::kinds::Choice> {
    BALLOT_LEVELS.iter().filter(|c| node.scheme != Scheme::Y2025 || c.value != "district").collect()
}

/// The heading both lists share: the People's Committee of the unit on the left, the motto on
/// the right, the form's number above them.
pub(crate) fn form_heading(flow: &mut Flow, unit_name: &str, form: &str, dated_at: Option<&str>) {
    let (x, width) = flow.frame();
    flow.doc.text_in(x, width, flow.y + 8.0, form, Weight::Regular, 8.0, Align::Right);
    flow.space(12.0);
    let body = unit_name.to_uppercase();
    let dated = dated_at.map(|place| format!("{place}, ngày ..... tháng ..... năm ......."));
    let mut right =
        vec![("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Weight::Bold), ("Độc lập - Tự do - Hạnh phúc", Weight::Bold)];
    if let Some(line) = &dated {
        right.push((line.as_str(), Weight::Regular));
    }
    flow.two_blocks(&[("ỦY BAN NHÂN DÂN", Weight::Regular), (&body, Weight::Bold)], &right, 10.0);
    flow.space(10.0);
}

/// "Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026–2031": the National
/// Assembly's term (the 15th was elected in 2021, one every five years) and the councils'
/// mandate, from the election's year.
pub(crate) fn election_title(year: i32) -> String {
    let term = 15 + (year - 2021).div_euclid(5);
    format!(
        "Bầu cử đại biểu Quốc hội khóa {} và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ {year}–{}",
        roman(term.max(1) as u32),
        year + 5
    )
}

pub(crate) fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The signature block at the end of a list: place and date, the committee's chair.
pub(crate) fn signature(flow: &mut Flow, place: &str) {
    flow.ensure(SIGNATURE_ROOM);
    flow.space(10.0);
    let (x, width) = flow.frame();
    let half = width / 2.0;
    let lines = [
        (format!("{place}, ngày ..... tháng ..... năm ......."), Weight::Regular),
        ("TM. ỦY BAN NHÂN DÂN".to_string(), Weight::Bold),
        ("CHỦ TỊCH".to_string(), Weight::Bold),
        ("(Ký, ghi rõ họ tên và đóng dấu)".to_string(), Weight::Regular),
    ];
    for (line, weight) in lines {
        flow.paragraph_in(x + half, half, &line, weight, 9.5, Align::Center);
    }
}

/// The voters of the 2026 lists: each household's members together, its head first (the
/// rest in list order), households in the order of their village (as the polling area lists
/// its villages, then others by name), and within a village where their first member stands.
/// Voters with no household are a household of their own. Households and villages compare
/// without marks, case or spacing.
fn grouped_by_household(voters: Vec<Value>, villages: &str) -> Vec<Value> {
    let fold = sobaucu_core::text::fold;
    let listed: Vec<String> = villages.split([',', ';']).map(|v| fold(v.trim())).filter(|v| !v.is_empty()).collect();
    let mut groups: Vec<Vec<Value>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for voter in voters {
        let key = fold(text(&voter, "household"));
        match (key.is_empty(), index.get(&key)) {
            (false, Some(&g)) => groups[g].push(voter),
            (empty, _) => {
                if !empty {
                    index.insert(key, groups.len());
                }
                groups.push(vec![voter]);
            }
        }
    }
    for group in &mut groups {
        // A stable sort: the head first, the others as they were.
        group.sort_by_key(|v| v.get("household_head") != Some(&Value::Bool(true)));
    }
    let village_of = |group: &Vec<Value>| -> (usize, String) {
        let village = group.iter().map(|v| fold(text(v, "village"))).find(|v| !v.is_empty()).unwrap_or_default();
        let rank = listed.iter().position(|l| *l == village).unwrap_or(listed.len());
        (rank, village)
    };
    let mut order: Vec<(usize, String, usize)> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (rank, village) = village_of(g);
            (rank, village, i)
        })
        .collect();
    order.sort();
    let mut groups: Vec<Option<Vec<Value>>> = groups.into_iter().map(Some).collect();
    order.into_iter().flat_map(|(_, _, i)| groups[i].take().unwrap_or_default()).collect()
}

/// Prints the voter list of one polling area (by id, number or name).
pub fn voter_list(db: &Db<'_>, node: &NodeInfo, polling_area: &str) -> Result<VoterList> {
    let area = find_polling_area(db, polling_area)?;
    let mut flow = Flow::new(PageSize::A4Landscape, 8.0);
    let (voters, male, female) = draw_area(&mut flow, db, node, &area)?;
    let pages = flow.doc.page_count();
    Ok(VoterList { pdf: flow.doc.finish(), pages, voters, male, female })
}

/// Prints the voter list of every polling area in one file: each area from a new page, its
/// pages numbered on their own (each area's list is posted at its own polling station), areas
/// by unit and number.
pub fn voter_lists(db: &Db<'_>, node: &NodeInfo) -> Result<VoterList> {
    let mut areas: Vec<(String, i64, Value)> = Vec::new();
    for row in db.all_rows(Kind::PollingArea)? {
        let number = row.fields.get("number").and_then(Value::as_i64).unwrap_or_default();
        areas.push((row.unit.to_string(), number, db.row_json(&row)?));
    }
    if areas.is_empty() {
        return Err(Error::not_found(
            "no polling area in this ledger: add one first",
            "sổ chưa có khu vực bỏ phiếu nào: hãy thêm khu vực bỏ phiếu trước",
        ));
    }
    // A stable sort: areas of one unit by number, as the list shows them.
    areas.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut flow = Flow::new(PageSize::A4Landscape, 8.0);
    let (mut voters, mut male, mut female) = (0, 0, 0);
    for (n, (_, _, area)) in areas.iter().enumerate() {
        if n > 0 {
            flow.page_break();
        }
        let (v, m, f) = draw_area(&mut flow, db, node, area)?;
        (voters, male, female) = (voters + v, male + m, female + f);
    }
    let pages = flow.doc.page_count();
    Ok(VoterList { pdf: flow.doc.finish(), pages, voters, male, female })
}

/// Room the signature block needs below the totals: the date line, the committee, the chair,
/// and space to sign ([`signature`] asks for it).
pub(crate) const SIGNATURE_ROOM: f32 = 80.0;

/// Rows of a table kept on the page of what follows it (the last voters and the Tổng số row),
/// so the totals and the signature never stand alone on a last page.
pub(crate) const ROWS_KEPT_WITH_TOTALS: usize = 3;

/// Draws one polling area's list (Mẫu 33) from the current page, as its own section of page
/// numbers: (voters, male, female).
fn draw_area(flow: &mut Flow, db: &Db<'_>, node: &NodeInfo, area: &Value) -> Result<(usize, usize, usize)> {
    let area_id = text(area, "id").to_string();
    let unit_code = text(area, "unit").parse::<sobaucu_core::UnitCode>()?;
    let unit = node.catalogue().require(&unit_code)?;
    let levels = levels_of(node);
    let voter_def = Kind::Voter.def();
    let birth_type = &voter_def.field("birth_date").expect("voters have a birth date").ty;

    let mut rows = Vec::new();
    let (mut male, mut female, mut elsewhere) = (0usize, 0usize, 0usize);
    let mut by_level = vec![0usize; levels.len()];
    let by_household = node.law == sobaucu_core::law::LawVersion::Y2025;
    let mut voters = voters_of(db, &area_id)?;
    if by_household {
        voters = grouped_by_household(voters, text(area, "residential_areas"));
    }
    for voter in voters {
        let status = text(&voter, "list_status");
        if status == "removed" {
            continue;
        }
        let birth = voter.get("birth_date").map(|v| display_value(birth_type, v)).unwrap_or_default();
        let sex = text(&voter, "sex");
        match sex {
            "male" => male += 1,
            "female" => female += 1,
            _ => {}
        }
        let ballots: Vec<&str> = text(&voter, "ballots").split(',').collect();
        let mut remarks: Vec<String> = Vec::new();
        if status == "votes_elsewhere" {
            elsewhere += 1;
            remarks.push("Đi bỏ phiếu nơi khác (có giấy chứng nhận)".to_string());
        }
        if voter.get("temporary_under_12m") == Some(&Value::Bool(true)) {
            remarks.push("Tạm trú dưới 12 tháng".to_string());
        }
        let own = text(&voter, "remarks");
        if !own.is_empty() {
            remarks.push(own.to_string());
        }
        let mut cells = vec![
            (rows.len() + 1).to_string(),
            text(&voter, "full_name").to_string(),
            if sex == "male" { birth.clone() } else { String::new() },
            if sex == "female" { birth } else { String::new() },
            text(&voter, "ethnicity").to_string(),
            text(&voter, "occupation").to_string(),
            text(&voter, "permanent_residence").to_string(),
            text(&voter, "temporary_residence").to_string(),
        ];
        for (i, level) in levels.iter().enumerate() {
            let votes = ballots.contains(&level.value);
            if votes {
                by_level[i] += 1;
            }
            cells.push(if votes { "x".to_string() } else { String::new() });
        }
        cells.push(remarks.join("; "));
        rows.push(TableRow::new(cells));
    }
    let voters = rows.len();

    let mut columns = vec![
        Column::new("STT", 0.45, Align::Right),
        Column::new("Họ và tên", 2.1, Align::Left),
        Column::new("Nam", 0.95, Align::Center).in_group("Ngày, tháng, năm sinh"),
        Column::new("Nữ", 0.95, Align::Center).in_group("Ngày, tháng, năm sinh"),
        Column::new("Dân tộc", 0.8, Align::Left),
        Column::new("Nghề nghiệp", 1.1, Align::Left),
        Column::new("Thường trú", 2.1, Align::Left).in_group("Nơi cư trú"),
        Column::new("Tạm trú", 1.6, Align::Left).in_group("Nơi cư trú"),
    ];
    // The National Assembly's ballot on its own; the councils' under one heading.
    for level in &levels {
        if level.value == "na" {
            columns.push(Column::new("Bầu cử đại biểu Quốc hội", 0.9, Align::Center));
        } else {
            let short = level.vi.trim_start_matches("HĐND ");
            let short = short[..1].to_uppercase() + &short[1..];
            columns.push(Column::new(&short, 0.9, Align::Center).in_group("Bầu cử đại biểu HĐND"));
        }
    }
    columns.push(Column::new("Ghi chú", 1.4, Align::Left));
    // The Tổng số row: voters by sex under the birth dates, by ballot under each level.
    let mut total = vec![String::new(), format!("Tổng số: {voters}"), male.to_string(), female.to_string()];
    total.extend(std::iter::repeat_n(String::new(), 4));
    total.extend(by_level.iter().map(|n| n.to_string()));
    total.push(String::new());
    rows.push(TableRow { cells: total, bold: true });

    let number = area.get("number").and_then(Value::as_i64).unwrap_or_default();
    let area_name = text(area, "name");
    flow.doc.start_section(&format!("Danh sách cử tri · Khu vực bỏ phiếu số {number} · {}", unit.name));
    // The place of the date line: the unit's name without its type ("Mường Kim").
    let kind_words = unit.unit_type.chars().count();
    let place_name = if sobaucu_core::text::fold(&unit.name)
        .starts_with(&format!("{} ", sobaucu_core::text::fold(&unit.unit_type)))
    {
        unit.name.chars().skip(kind_words).collect::<String>().trim().to_string()
    } else {
        unit.name.clone()
    };
    form_heading(flow, &unit.name, "Mẫu số 33", Some(&place_name));
    flow.paragraph("DANH SÁCH CỬ TRI", Weight::Bold, 14.0, Align::Center);
    use chrono::Datelike;
    flow.paragraph(&election_title(node.election_date.year()), Weight::Bold, 10.5, Align::Center);
    flow.paragraph(
        &format!("Ngày bầu cử: {}", node.election_date.format("%d/%m/%Y")),
        Weight::Regular,
        9.5,
        Align::Center,
    );
    flow.space(4.0);
    let mut place = format!("Khu vực bỏ phiếu số {number}");
    if !area_name.is_empty() && area_name != place {
        place = format!("{place}: {area_name}");
    }
    flow.paragraph(&place, Weight::Bold, 10.0, Align::Left);
    let villages = text(area, "residential_areas");
    if !villages.is_empty() {
        flow.paragraph(&format!("Gồm: {villages}"), Weight::Regular, 9.5, Align::Left);
    }
    let location = text(area, "location");
    if !location.is_empty() {
        flow.paragraph(&format!("Địa điểm bỏ phiếu: {location}"), Weight::Regular, 9.5, Align::Left);
    }
    flow.paragraph(&format!("Đơn vị hành chính: {}", unit.path), Weight::Regular, 9.5, Align::Left);
    if by_household {
        flow.paragraph("Cử tri xếp theo hộ gia đình; số thứ tự là số thẻ cử tri.", Weight::Regular, 9.5, Align::Left);
    }
    flow.space(6.0);
    // The totals under the table, then the signature: kept with the last rows.
    let mut totals: Vec<(String, Weight, f32)> = vec![(
        format!("Tổng số cử tri: {voters} người, trong đó: Nam: {male} người; Nữ: {female} người."),
        Weight::Bold,
        10.0,
    )];
    let per_level: Vec<String> =
        levels.iter().zip(&by_level).map(|(level, n)| format!("đại biểu {}: {n} người", level.vi)).collect();
    totals.push((format!("Số cử tri bầu {}.", per_level.join("; ")), Weight::Regular, 9.5));
    if elsewhere > 0 {
        totals.push((
            format!("Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận): {elsewhere} người."),
            Weight::Regular,
            9.5,
        ));
    }
    let tail = 8.0
        + totals.iter().map(|(line, weight, size)| flow.paragraph_height(line, *weight, *size)).sum::<f32>()
        + SIGNATURE_ROOM;
    flow.table_kept_with(&columns, &rows, true, ROWS_KEPT_WITH_TOTALS, tail);

    flow.space(8.0);
    flow.ensure(70.0);
    for (line, weight, size) in &totals {
        flow.paragraph(line, *weight, *size, Align::Left);
    }
    signature(flow, &unit.name);
    Ok((voters, male, female))
}
