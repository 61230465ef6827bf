//! The voter list of one polling area in the layout of form Mẫu 33, to post at the polling
//! area: the heading of the commune's People's Committee and the nation's motto, the title
//! with the election, the polling area and its place; the table (STT, Họ và tên, the birth
//! date under Nam or Nữ, Dân tộc, Nghề nghiệp, Nơi thường trú, Nơi tạm trú, a column per
//! ballot, Ghi chú) in the list's Vietnamese order; totals by sex and by ballot; the
//! signature block. Removed voters are left out; voters who vote elsewhere keep their row,
//! with a remark. Under the 2025 law (the 2026 election) the list is grouped by household —
//! each household's members together, where its first member falls in the order — and the
//! voter-card number is the row number.

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
pub(crate) fn form_heading(flow: &mut Flow, unit_name: &str, form: &str) {
    let (x, width) = flow.frame();
    flow.doc.text_in(x, width, flow.y + 8.0, form, Weight::Regular, 8.0, Align::Right);
    flow.space(12.0);
    let body = unit_name.to_uppercase();
    flow.two_blocks(
        &[("ỦY BAN NHÂN DÂN", Weight::Regular), (&body, Weight::Bold)],
        &[("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Weight::Bold), ("Độc lập - Tự do - Hạnh phúc", Weight::Bold)],
        10.0,
    );
    flow.space(10.0);
}

/// The signature block at the end of a list: place and date, the committee's chair.
pub(crate) fn signature(flow: &mut Flow, place: &str) {
    flow.ensure(80.0);
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

/// The voters in list order, each household's members brought together where its first member
/// stands (households compared without marks, case or spacing); voters with no household keep
/// their place.
fn grouped_by_household(voters: Vec<Value>) -> Vec<Value> {
    let mut groups: Vec<Vec<Value>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for voter in voters {
        let key = sobaucu_core::text::fold(text(&voter, "household"));
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
    groups.into_iter().flatten().collect()
}

/// Prints the voter list of one polling area (by id, number or name).
pub fn voter_list(db: &Db<'_>, node: &NodeInfo, polling_area: &str) -> Result<VoterList> {
    let area = find_polling_area(db, polling_area)?;
    let area_id = text(&area, "id").to_string();
    let unit_code = text(&area, "unit").parse::<sobaucu_core::UnitCode>()?;
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
        voters = grouped_by_household(voters);
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
        Column::new("Nơi thường trú", 2.8, Align::Left),
        Column::new("Nơi tạm trú", 1.6, Align::Left),
    ];
    for level in &levels {
        columns.push(Column::new(level.vi, 0.75, Align::Center).in_group("Bầu cử đại biểu"));
    }
    columns.push(Column::new("Ghi chú", 1.4, Align::Left));

    let mut flow = Flow::new(PageSize::A4Landscape, 8.0);
    let number = area.get("number").and_then(Value::as_i64).unwrap_or_default();
    let area_name = text(&area, "name");
    flow.doc.footer = format!("Danh sách cử tri · Khu vực bỏ phiếu số {number} · {}", unit.name);
    form_heading(&mut flow, &unit.name, "Mẫu số 33");
    flow.paragraph("DANH SÁCH CỬ TRI", Weight::Bold, 14.0, Align::Center);
    flow.paragraph("Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân các cấp", Weight::Bold, 10.5, Align::Center);
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
    let villages = text(&area, "residential_areas");
    if !villages.is_empty() {
        flow.paragraph(&format!("Gồm: {villages}"), Weight::Regular, 9.5, Align::Left);
    }
    let location = text(&area, "location");
    if !location.is_empty() {
        flow.paragraph(&format!("Địa điểm bỏ phiếu: {location}"), Weight::Regular, 9.5, Align::Left);
    }
    flow.paragraph(&format!("Đơn vị hành chính: {}", unit.path), Weight::Regular, 9.5, Align::Left);
    if by_household {
        flow.paragraph("Cử tri xếp theo hộ gia đình; số thứ tự là số thẻ cử tri.", Weight::Regular, 9.5, Align::Left);
    }
    flow.space(6.0);
    flow.table(&columns, &rows);

    flow.space(8.0);
    flow.ensure(70.0);
    flow.paragraph(
        &format!("Tổng số cử tri: {voters} người, trong đó: Nam: {male} người; Nữ: {female} người."),
        Weight::Bold,
        10.0,
        Align::Left,
    );
    let per_level: Vec<String> =
        levels.iter().zip(&by_level).map(|(level, n)| format!("đại biểu {}: {n} người", level.vi)).collect();
    flow.paragraph(&format!("Số cử tri bầu {}.", per_level.join("; ")), Weight::Regular, 9.5, Align::Left);
    if elsewhere > 0 {
        flow.paragraph(
            &format!("Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận): {elsewhere} người."),
            Weight::Regular,
            9.5,
            Align::Left,
        );
    }
    let village = unit.name.clone();
    signature(&mut flow, &village);
    let pages = flow.doc.page_count();
    Ok(VoterList { pdf: flow.doc.finish(), pages, voters, male, female })
}
