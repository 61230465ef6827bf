//! The list of candidates to post, per level and per electoral unit: each candidate's name,
//! date of birth, sex, hometown, residence, ethnicity, religion, education, occupation,
//! position, workplace, nomination and status, in the official lists' alphabetical order.
//! Candidates who withdrew or were not retained are left out.

use std::collections::BTreeMap;

use serde_json::Value;
use sobaucu_core::kinds::{BALLOT_LEVELS, Kind};
use sobaucu_core::store::display_value;
use sobaucu_core::store::{Db, Row};
use sobaucu_core::{Error, NodeInfo, Result};

use crate::layout::{Column, Flow, TableRow};
use crate::pdf::{Align, PageSize, Weight};
use crate::voters::{SIGNATURE_ROOM, form_heading, signature};

/// What was printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateList {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub candidates: usize,
}

/// Where a candidate's electoral unit sorts: its administrative unit, its number, its id.
type UnitKey = (String, i64, String);

/// The fields printed, in order, after the row number.
const FIELDS: [&str; 13] = [
    "full_name",
    "birth_date",
    "sex",
    "hometown",
    "residence",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "position",
    "workplace",
    "nomination",
    "status",
];

/// The text of a field as printed: dates as dd/mm/yyyy, choices by their Vietnamese label.
fn shown(row: &Row, field: &str) -> String {
    let def = Kind::Candidate.def();
    let (Some(fd), Some(value)) = (def.field(field), row.fields.get(field)) else { return String::new() };
    let choices = fd.ty.choices();
    if let (false, Some(s)) = (choices.is_empty(), value.as_str()) {
        return choices.iter().find(|c| c.value == s).map_or(s.to_string(), |c| c.vi.to_string());
    }
    display_value(&fd.ty, value)
}

/// Prints the candidates of one level (`na`, `provincial`, `district`, `commune`), or of every
/// level that has any, each level from a new page.
pub fn candidate_list(db: &Db<'_>, node: &NodeInfo, level: Option<&str>) -> Result<CandidateList> {
    if let Some(level) = level
        && !BALLOT_LEVELS.iter().any(|c| c.value == level)
    {
        let shown: String = level.chars().take(30).collect();
        return Err(Error::input(
            format!("unknown level `{shown}`: use na, provincial, district or commune"),
            format!("không có cấp `{shown}`: dùng na, provincial, district hoặc commune"),
        ));
    }
    // Electoral unit id → (the administrative unit it belongs to, number, name, seats).
    let mut units: BTreeMap<String, (String, i64, String, i64)> = BTreeMap::new();
    for unit in db.all_rows(Kind::ElectoralUnit)? {
        let number = unit.fields.get("number").and_then(Value::as_i64).unwrap_or_default();
        let name = unit.fields.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let seats = unit.fields.get("seats").and_then(Value::as_i64).unwrap_or_default();
        units.insert(unit.id.to_string(), (unit.unit.to_string(), number, name, seats));
    }
    // Level → electoral unit (by administrative unit and number; none last) → candidates in
    // alphabetical order. A district's ledger holds several communes' units "số 1".
    let mut grouped: BTreeMap<usize, BTreeMap<UnitKey, Vec<Row>>> = BTreeMap::new();
    for row in db.all_rows(Kind::Candidate)? {
        let row_level = row.fields.get("level").and_then(Value::as_str).unwrap_or_default();
        if level.is_some_and(|l| l != row_level)
            || row.fields.get("status").and_then(Value::as_str) == Some("withdrawn")
        {
            continue;
        }
        let Some(level_index) = BALLOT_LEVELS.iter().position(|c| c.value == row_level) else { continue };
        let unit_id = row.fields.get("electoral_unit").and_then(Value::as_str).filter(|id| units.contains_key(*id));
        let key = match unit_id {
            Some(id) => (units[id].0.clone(), units[id].1, id.to_string()),
            None => ("~".to_string(), i64::MAX, String::new()),
        };
        grouped.entry(level_index).or_default().entry(key).or_default().push(row);
    }

    let unit = node.unit();
    let mut flow = Flow::new(PageSize::A4Landscape, 7.5);
    flow.doc.footer = format!("Danh sách người ứng cử · {}", unit.name);
    let columns: Vec<Column> = std::iter::once(Column::new("STT", 0.4, Align::Right))
        .chain(FIELDS.iter().map(|f| {
            let def = Kind::Candidate.def().field(f).expect("the printed fields are candidate fields");
            let (weight, align) = match *f {
                "full_name" => (1.6, Align::Left),
                "birth_date" => (0.85, Align::Center),
                "sex" | "ethnicity" | "religion" => (0.6, Align::Center),
                "education" => (0.65, Align::Center),
                "hometown" | "residence" | "workplace" => (1.5, Align::Left),
                _ => (1.05, Align::Left),
            };
            Column::new(def.vi, weight, align)
        }))
        .collect();

    let mut printed = 0;
    let levels: Vec<usize> = if grouped.is_empty() {
        // An empty list still prints, so the commune can see there is nothing to post yet.
        let wanted = level.unwrap_or("commune");
        BALLOT_LEVELS.iter().position(|c| c.value == wanted).into_iter().collect()
    } else {
        grouped.keys().copied().collect()
    };
    for (n, level_index) in levels.iter().enumerate() {
        if n > 0 {
            flow.page_break();
        }
        let level = &BALLOT_LEVELS[*level_index];
        form_heading(&mut flow, &unit.name, "", None);
        flow.paragraph("DANH SÁCH NGƯỜI ỨNG CỬ", Weight::Bold, 14.0, Align::Center);
        let title = match level.value {
            "na" => "Đại biểu Quốc hội".to_string(),
            _ => format!("Đại biểu Hội đồng nhân dân {}", level.vi.trim_start_matches("HĐND ")),
        };
        flow.paragraph(&title, Weight::Bold, 10.5, Align::Center);
        flow.paragraph(
            &format!("Ngày bầu cử: {} · {}", node.election_date.format("%d/%m/%Y"), unit.path),
            Weight::Regular,
            9.0,
            Align::Center,
        );
        flow.space(6.0);
        let empty = BTreeMap::new();
        let by_unit = grouped.get(level_index).unwrap_or(&empty);
        if by_unit.is_empty() {
            flow.paragraph("Chưa có người ứng cử.", Weight::Regular, 9.5, Align::Left);
        }
        for (n, ((_, _, id), rows)) in by_unit.iter().enumerate() {
            let heading = match units.get(id) {
                None => "Chưa xếp vào đơn vị bầu cử".to_string(),
                Some((code, number, name, seats)) => {
                    let mut name = if name.contains(&number.to_string()) {
                        name.clone()
                    } else {
                        format!("{name} (số {number})")
                    };
                    // In a district's or province's ledger, say whose unit it is.
                    let owner = code.parse::<sobaucu_core::UnitCode>().ok().and_then(|c| node.catalogue().unit(&c));
                    if let Some(owner) = owner.filter(|o| o.code != unit.code) {
                        name = format!("{name}, {}", owner.name);
                    }
                    format!("{name} — số đại biểu được bầu: {seats}; số người ứng cử: {}", rows.len())
                }
            };
            flow.ensure(70.0);
            flow.space(4.0);
            flow.paragraph(&heading, Weight::Bold, 10.0, Align::Left);
            flow.space(2.0);
            let table: Vec<TableRow> = rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let mut cells = vec![(i + 1).to_string()];
                    cells.extend(FIELDS.iter().map(|f| shown(row, f)));
                    TableRow::new(cells)
                })
                .collect();
            printed += table.len();
            if n + 1 == by_unit.len() {
                // The signature under the level's last table keeps its last rows with it.
                flow.table_kept_with(&columns, &table, false, 2, SIGNATURE_ROOM);
            } else {
                flow.table(&columns, &table);
            }
        }
        signature(&mut flow, &unit.name);
    }
    let pages = flow.doc.page_count();
    Ok(CandidateList { pdf: flow.doc.finish(), pages, candidates: printed })
}
