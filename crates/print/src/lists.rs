//! The whole of any record list as a PDF: what the window's "In" prints. The kind's list
//! columns ([`sobaucu_core::kinds::KindDef::list_fields`]) under their Vietnamese labels, every
//! record matching the list's search, unit and field filters (not only the rows on screen), in
//! list order; values as people read them: choices by their label, dates as dd/mm/yyyy,
//! references by the title of the record they name (never an id). A4 portrait, landscape when
//! there are more than five columns; page numbers; the count kept with the last rows.

use chrono::NaiveDate;
use serde_json::Value;
use sobaucu_core::kinds::{FieldDef, FieldType, Kind};
use sobaucu_core::store::display_value;
use sobaucu_core::{ListQuery, Result, Store};

use crate::layout::{Column, Flow, TableRow};
use crate::pdf::{Align, PageSize, Weight};
use crate::voters::form_heading;

/// What was printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub rows: usize,
}

/// Rows read from the store at a time.
const PAGE: u64 = 10_000;

/// Columns beyond which the list is printed across the page (A4 landscape).
const PORTRAIT_COLUMNS: usize = 5;

/// The text of a field of a row (as `row_json` gives it) on paper.
pub fn shown(field: &FieldDef, row: &Value) -> String {
    let value = row.get(field.name).unwrap_or(&Value::Null);
    if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return String::new();
    }
    match &field.ty {
        FieldType::Enum(choices) => {
            let s = value.as_str().unwrap_or_default();
            choices.iter().find(|c| c.value == s).map_or_else(|| s.to_string(), |c| c.vi.to_string())
        }
        FieldType::Levels(choices) => value
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| choices.iter().find(|c| c.value == v).map_or(v, |c| c.vi))
            .collect::<Vec<_>>()
            .join(", "),
        FieldType::Bool => {
            let yes = value.as_bool().unwrap_or_else(|| value.as_i64().is_some_and(|n| n != 0));
            if yes { "Có" } else { "Không" }.to_string()
        }
        // A reference reads as the title of the record it names; a record no longer held is
        // left blank rather than shown as its id.
        FieldType::Ref(_) => {
            row.get(format!("{}_title", field.name)).and_then(Value::as_str).unwrap_or_default().to_string()
        }
        ty => display_value(ty, value),
    }
}

/// How wide a column of this field is, and how its text sits.
fn shape(field: &FieldDef, title: bool) -> (f32, Align) {
    if title {
        return (2.0, Align::Left);
    }
    match field.ty {
        FieldType::Int { .. } => (0.7, Align::Right),
        FieldType::Date | FieldType::PartialDate => (0.95, Align::Center),
        FieldType::Bool => (0.6, Align::Center),
        FieldType::Enum(_) | FieldType::Levels(_) => (1.0, Align::Left),
        FieldType::Ref(_) => (1.6, Align::Left),
        FieldType::LongText => (2.2, Align::Left),
        FieldType::Text => (1.5, Align::Left),
    }
}

/// Every row of `kind` matching `query` (its offset and limit ignored), in list order.
fn all_matching(store: &Store, kind: Kind, query: &ListQuery) -> Result<Vec<Value>> {
    let mut rows = Vec::new();
    loop {
        let page =
            store.list(kind, &ListQuery { offset: Some(rows.len() as u64), limit: Some(PAGE), ..query.clone() })?;
        let got = page.rows.len();
        rows.extend(page.rows);
        if got == 0 || rows.len() as u64 >= page.total {
            return Ok(rows);
        }
    }
}

/// What the list was narrowed to, in words: "Tìm: “lo thi” · Cấp bầu cử: Quốc hội".
fn filter_words(store: &Store, kind: Kind, query: &ListQuery, unit_name: Option<&str>) -> Vec<String> {
    let def = kind.def();
    let mut words = Vec::new();
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        words.push(format!("Tìm: “{q}”"));
    }
    if let Some(name) = unit_name {
        words.push(format!("Đơn vị: {name}"));
    }
    for (name, value) in &query.filter {
        let Some(field) = def.field(name) else { continue };
        let shown = match &field.ty {
            FieldType::Ref(kinds) => value
                .parse()
                .ok()
                .and_then(|id| kinds.iter().find_map(|k| store.get(*k, id).ok()))
                .and_then(|record| record.get("title").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default(),
            _ => shown(field, &serde_json::json!({ name.as_str(): value })),
        };
        if !shown.is_empty() {
            words.push(format!("{}: {shown}", field.vi));
        }
    }
    words
}

/// Prints every record of `kind` matching `query` (search, unit, field filters), as of `today`.
pub fn record_list(store: &Store, kind: Kind, query: &ListQuery, today: NaiveDate) -> Result<RecordList> {
    let node = store.node()?;
    let def = kind.def();
    let rows = all_matching(store, kind, query)?;
    let catalogue = node.catalogue();
    let own = node.unit();
    let chosen_unit = query
        .unit
        .as_deref()
        .filter(|u| !u.is_empty())
        .and_then(|u| u.parse::<sobaucu_core::UnitCode>().ok())
        .and_then(|code| catalogue.unit(&code));
    // A district's or province's list says which unit each record is of.
    let with_units = rows.iter().any(|row| row.get("unit").and_then(Value::as_str) != Some(own.code.as_str()));

    let fields: Vec<&FieldDef> = def.list_fields.iter().filter_map(|name| def.field(name)).collect();
    let mut columns = vec![Column::new("STT", 0.45, Align::Right)];
    for (i, field) in fields.iter().enumerate() {
        let (weight, align) = shape(field, field.name == def.title_field);
        columns.push(Column::new(field.vi, weight, align));
        if with_units && i == 0 {
            columns.push(Column::new("Đơn vị", 1.4, Align::Left));
        }
    }
    let table: Vec<TableRow> = rows
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let mut cells = vec![(n + 1).to_string()];
            for (i, field) in fields.iter().enumerate() {
                cells.push(shown(field, row));
                if with_units && i == 0 {
                    cells.push(row.get("unit_name").and_then(Value::as_str).unwrap_or_default().to_string());
                }
            }
            TableRow::new(cells)
        })
        .collect();

    let size = if columns.len() - 1 > PORTRAIT_COLUMNS { PageSize::A4Landscape } else { PageSize::A4Portrait };
    let mut flow = Flow::new(size, 8.5);
    let unit = chosen_unit.unwrap_or(own);
    let date = today.format("%d/%m/%Y");
    flow.doc.footer = format!("Danh sách {} · {} · in ngày {date}", def.vi.to_lowercase(), unit.name);
    form_heading(&mut flow, &own.name, "", None);
    flow.paragraph(&format!("DANH SÁCH {}", def.vi.to_uppercase()), Weight::Bold, 14.0, Align::Center);
    flow.paragraph(&unit.path, Weight::Regular, 9.5, Align::Center);
    flow.paragraph(&format!("Ngày in: {date}"), Weight::Regular, 9.5, Align::Center);
    let narrowed = filter_words(store, kind, query, chosen_unit.map(|u| u.name.as_str()));
    if !narrowed.is_empty() {
        flow.paragraph(&format!("Lọc theo: {}", narrowed.join(" · ")), Weight::Regular, 9.5, Align::Center);
    }
    flow.space(6.0);
    let total = format!("Tổng số: {} bản ghi.", rows.len());
    if table.is_empty() {
        flow.paragraph("Không có bản ghi nào.", Weight::Regular, 9.5, Align::Left);
    } else {
        let tail = 6.0 + flow.paragraph_height(&total, Weight::Bold, 10.0);
        flow.table_kept_with(&columns, &table, false, 2, tail);
    }
    flow.space(6.0);
    flow.paragraph(&total, Weight::Bold, 10.0, Align::Left);
    let pages = flow.doc.page_count();
    Ok(RecordList { pdf: flow.doc.finish(), pages, rows: rows.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_labels_dates_and_titles_never_codes_or_ids() {
        let voter = Kind::Voter.def();
        let row = serde_json::json!({
            "sex": "female", "birth_date": "1985-02-03", "ballots": "na,commune",
            "polling_area": "00ab12cd34ef5678-7", "polling_area_title": "Khu vực bỏ phiếu số 2",
        });
        let field = |name: &str| voter.field(name).unwrap();
        assert_eq!(shown(field("sex"), &row), "Nữ");
        assert_eq!(shown(field("birth_date"), &row), "03/02/1985");
        assert_eq!(shown(field("ballots"), &row), "Quốc hội, HĐND xã");
        assert_eq!(shown(field("polling_area"), &row), "Khu vực bỏ phiếu số 2");
        let gone = serde_json::json!({"polling_area": "00ab12cd34ef5678-7", "polling_area_title": null});
        assert_eq!(shown(field("polling_area"), &gone), "", "an id is never printed");
    }
}
