//! Imports and exports of records: JSONL (one record a line, `"kind"` names its kind), CSV and
//! XLSX (one kind a file, a header row naming the fields by name or by their Vietnamese or
//! English label). An import is atomic: every file is read and every row validated inside one
//! transaction, and the first bad row rolls everything back with an error that names the file,
//! the line and the field.

use std::path::Path;

use calamine::{Data, Reader};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::kinds::{FieldType, Kind, KindDef};
use crate::store::{Put, Row, Store, display_value};
use crate::text;
use crate::units::UnitCode;

/// The file formats of `import` and `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(Error::input(
                format!("unknown format `{other}`: use jsonl, csv or xlsx"),
                format!("không có định dạng `{other}`: dùng jsonl, csv hoặc xlsx"),
            )),
        }
    }

    /// The format a file's extension names.
    pub fn of_path(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        Format::parse(ext).map_err(|_| {
            Error::input(
                format!("{}: unknown file type; use .jsonl, .csv or .xlsx", path.display()),
                format!("{}: không rõ loại tệp; dùng .jsonl, .csv hoặc .xlsx", path.display()),
            )
        })
    }
}

/// One record read from a file, before validation.
struct Incoming {
    line: usize,
    kind: Kind,
    id: Option<RecordId>,
    unit: Option<UnitCode>,
    fields: Map<String, Value>,
}

/// What an import wrote.
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub records: usize,
    pub by_kind: std::collections::BTreeMap<String, usize>,
}

/// Imports `files` in order, all or nothing. `kind` names the kind of CSV and XLSX files (and
/// of JSONL lines that carry no `"kind"`).
pub fn import(store: &mut Store, files: &[&Path], kind: Option<Kind>) -> Result<ImportSummary> {
    let mut parsed: Vec<(String, Vec<Incoming>)> = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let records = match Format::of_path(path)? {
            Format::Jsonl => read_jsonl(path, kind),
            Format::Csv => read_csv(path, need_kind(kind, path)?),
            Format::Xlsx => read_xlsx(path, need_kind(kind, path)?),
        }
        .map_err(|e| match e {
            Error::At { .. } => e,
            Error::Io(io) => Error::input(format!("{name}: {io}"), format!("{name}: {io}")),
            other => other.at(&name, 0),
        })?;
        parsed.push((name, records));
    }
    store.write(|w| {
        let mut summary = ImportSummary::default();
        for (name, records) in &parsed {
            for r in records {
                let mode = Put::Create(r.id);
                w.put(r.kind, mode, r.unit.clone(), &r.fields).map_err(|e| e.at(name, r.line))?;
                summary.records += 1;
                *summary.by_kind.entry(r.kind.as_str().to_string()).or_default() += 1;
            }
        }
        Ok(summary)
    })
}

fn need_kind(kind: Option<Kind>, path: &Path) -> Result<Kind> {
    kind.ok_or_else(|| {
        Error::input(
            format!("{}: a CSV or XLSX file holds one kind of record: give it with --kind", path.display()),
            format!("{}: tệp CSV hoặc XLSX chứa một loại bản ghi: hãy chỉ rõ bằng --kind", path.display()),
        )
    })
}

/// Keys an export adds for people that an import passes over.
fn is_meta_key(def: &KindDef, key: &str) -> bool {
    matches!(key, "kind" | "id" | "unit" | "unit_name" | "title" | "updated_at" | "updated_by")
        || key.strip_suffix("_title").and_then(|f| def.field(f)).is_some_and(|f| matches!(f.ty, FieldType::Ref(_)))
}

fn read_jsonl(path: &Path, default_kind: Option<Kind>) -> Result<Vec<Incoming>> {
    let name = path.display().to_string();
    let content = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for (index, line) in content.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| {
            Error::input(format!("not valid JSON: {e}"), format!("không phải JSON hợp lệ: {e}")).at(&name, line_no)
        })?;
        let Value::Object(mut object) = value else {
            return Err(
                Error::input("a line must be a JSON object", "mỗi dòng phải là một đối tượng JSON").at(&name, line_no)
            );
        };
        let kind = match object.remove("kind") {
            Some(Value::String(k)) => Kind::require(&k).map_err(|e| e.at(&name, line_no))?,
            None => default_kind.ok_or_else(|| {
                Error::field("kind", "is missing: every line names its kind", "thiếu: mỗi dòng phải ghi loại bản ghi")
                    .at(&name, line_no)
            })?,
            Some(_) => return Err(Error::field("kind", "must be text", "phải là chữ").at(&name, line_no)),
        };
        out.push(incoming(kind, line_no, object).map_err(|e| e.at(&name, line_no))?);
    }
    Ok(out)
}

/// Splits the id and unit off a record's keys and drops the keys exports add.
fn incoming(kind: Kind, line: usize, mut object: Map<String, Value>) -> Result<Incoming> {
    let def = kind.def();
    let id = match object.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            Some(s.trim().parse().map_err(|e: Error| Error::field("id", e.to_string(), e.message_vi()))?)
        }
        Some(_) => return Err(Error::field("id", "must be text", "phải là chữ")),
    };
    let unit = match object.remove("unit") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => {
            Some(s.parse().map_err(|e: Error| Error::field("unit", e.to_string(), e.message_vi()))?)
        }
        Some(Value::Number(n)) => {
            return Err(Error::field(
                "unit",
                format!("`{n}` must be text at its official width, e.g. \"03637\""),
                format!("`{n}` phải ghi dạng chữ đủ số chữ số, ví dụ \"03637\""),
            ));
        }
        Some(_) => return Err(Error::field("unit", "must be text", "phải là chữ")),
    };
    object.retain(|key, _| !is_meta_key(def, key));
    Ok(Incoming { line, kind, id, unit, fields: object })
}

/// Maps a header cell to a field name (or `id` / `unit`), by name or label, marks ignored.
fn header_field(def: &KindDef, header: &str) -> Option<&'static str> {
    let folded = text::fold(header);
    match folded.as_str() {
        "id" | "ma ban ghi" => return Some("id"),
        "unit" | "don vi" | "ma don vi" => return Some("unit"),
        _ => {}
    }
    def.fields
        .iter()
        .find(|f| {
            f.name == header.trim() || text::fold(f.vi) == folded || text::fold(f.en) == folded || f.name == folded
        })
        .map(|f| f.name)
}

fn map_headers(def: &KindDef, headers: &[String], name: &str) -> Result<Vec<Option<&'static str>>> {
    let mut out = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        if header.trim().is_empty() {
            out.push(None);
            continue;
        }
        if is_meta_key(def, header.trim()) && !matches!(header.trim(), "id" | "unit") {
            out.push(None);
            continue;
        }
        let field = header_field(def, header).ok_or_else(|| {
            Error::input(
                format!("column {} (`{}`) is not a field of {}", column + 1, header.trim(), def.name),
                format!("cột {} (`{}`) không phải trường của {}", column + 1, header.trim(), def.vi),
            )
            .at(name, 1)
        })?;
        out.push(Some(field));
    }
    Ok(out)
}

fn read_csv(path: &Path, kind: Kind) -> Result<Vec<Incoming>> {
    let name = path.display().to_string();
    let def = kind.def();
    let bytes = std::fs::read(path)?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records();
    let csv_error = |e: csv::Error, line: usize| {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
        Error::input(format!("not valid CSV: {e}"), format!("không phải CSV hợp lệ: {e}")).at(&name, line)
    };
    let headers: Vec<String> = match records.next() {
        Some(r) => r.map_err(|e| csv_error(e, 1))?.iter().map(str::to_string).collect(),
        None => return Ok(Vec::new()),
    };
    let columns = map_headers(def, &headers, &name)?;
    let mut out = Vec::new();
    for (index, record) in records.enumerate() {
        let record = record.map_err(|e| csv_error(e, index + 2))?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(index + 2);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > columns.len() {
            return Err(Error::input(
                format!("has {} cells but the header names {}", record.len(), columns.len()),
                format!("có {} ô nhưng dòng tiêu đề chỉ có {} cột", record.len(), columns.len()),
            )
            .at(&name, line));
        }
        let mut object = Map::new();
        for (cell, field) in record.iter().zip(&columns) {
            if let Some(field) = field {
                object.insert(field.to_string(), Value::String(cell.to_string()));
            }
        }
        out.push(incoming(kind, line, object).map_err(|e| e.at(&name, line))?);
    }
    Ok(out)
}

fn read_xlsx(path: &Path, kind: Kind) -> Result<Vec<Incoming>> {
    let name = path.display().to_string();
    let def = kind.def();
    let bad = |e: String| {
        Error::input(format!("not a readable XLSX file: {e}"), format!("không đọc được tệp XLSX: {e}")).at(&name, 0)
    };
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| bad("no sheet".into()))?;
    let range = workbook.worksheet_range(&sheet).map_err(|e| bad(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        Some(r) => r.iter().map(cell_text).collect(),
        None => return Ok(Vec::new()),
    };
    let columns = map_headers(def, &headers, &name)?;
    let mut out = Vec::new();
    for (index, row) in rows.enumerate() {
        let line = first_row + index + 2;
        if row.iter().all(|c| cell_text(c).trim().is_empty()) {
            continue;
        }
        let mut object = Map::new();
        for (cell, field) in row.iter().zip(&columns) {
            if let Some(field) = field {
                let fd = def.field(field);
                let value = match (cell, fd.map(|f| &f.ty)) {
                    (Data::Int(i), Some(FieldType::Int { .. })) => Value::from(*i),
                    (Data::Float(f), Some(FieldType::Int { .. })) if f.fract() == 0.0 => Value::from(*f as i64),
                    (Data::Bool(b), Some(FieldType::Bool)) => Value::Bool(*b),
                    (Data::DateTime(d), _) => match d.as_datetime() {
                        Some(dt) => Value::String(dt.date().format("%Y-%m-%d").to_string()),
                        None => Value::String(cell_text(cell)),
                    },
                    _ => Value::String(cell_text(cell)),
                };
                object.insert(field.to_string(), value);
            }
        }
        out.push(incoming(kind, line, object).map_err(|e| e.at(&name, line))?);
    }
    Ok(out)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Data::DateTime(d) => d.as_datetime().map(|dt| dt.date().format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// The columns of a CSV or XLSX export: `id`, `unit`, then every field.
fn export_columns(def: &KindDef) -> Vec<&'static str> {
    let mut columns = vec!["id", "unit"];
    columns.extend(def.fields.iter().map(|f| f.name));
    columns
}

/// A row's cells as text: dates as dd/mm/yyyy, levels as `na,provincial`, yes/no as 1/0.
fn row_cells(def: &KindDef, row: &Row) -> Vec<String> {
    let mut cells = vec![row.id.to_string(), row.unit.to_string()];
    for fd in def.fields {
        cells.push(row.fields.get(fd.name).map(|v| display_value(&fd.ty, v)).unwrap_or_default());
    }
    cells
}

/// Writes every live record of `kind` to `out` in `format`; returns how many.
pub fn export(store: &Store, kind: Kind, format: Format, out: &Path) -> Result<usize> {
    let def = kind.def();
    let rows = store.db().all_rows(kind)?;
    let tmp = out.with_extension("partial");
    match format {
        Format::Jsonl => {
            let mut text = String::new();
            for row in &rows {
                let mut object = Map::new();
                object.insert("kind".into(), Value::String(def.name.into()));
                object.insert("id".into(), Value::String(row.id.to_string()));
                object.insert("unit".into(), Value::String(row.unit.to_string()));
                for fd in def.fields {
                    if let Some(v) = row.fields.get(fd.name) {
                        object.insert(fd.name.into(), v.clone());
                    }
                }
                text.push_str(&Value::Object(object).to_string());
                text.push('\n');
            }
            std::fs::write(&tmp, text)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_path(&tmp).map_err(csv_io)?;
            writer.write_record(export_columns(def)).map_err(csv_io)?;
            for row in &rows {
                writer.write_record(row_cells(def, row)).map_err(csv_io)?;
            }
            writer.flush()?;
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let xlsx = |e: rust_xlsxwriter::XlsxError| {
                Error::input(format!("writing XLSX: {e}"), format!("lỗi ghi XLSX: {e}"))
            };
            sheet.set_name(def.name).map_err(xlsx)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, name) in export_columns(def).iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, *name, &bold).map_err(xlsx)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = (r + 1) as u32;
                sheet.write_string(r, 0, row.id.to_string()).map_err(xlsx)?;
                sheet.write_string(r, 1, row.unit.to_string()).map_err(xlsx)?;
                for (c, fd) in def.fields.iter().enumerate() {
                    let c = (c + 2) as u16;
                    match (row.fields.get(fd.name), &fd.ty) {
                        (None, _) => {}
                        (Some(Value::Number(n)), FieldType::Int { .. }) => {
                            sheet.write_number(r, c, n.as_f64().unwrap_or_default()).map_err(xlsx)?;
                        }
                        (Some(v), _) => {
                            sheet.write_string(r, c, display_value(&fd.ty, v)).map_err(xlsx)?;
                        }
                    }
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
            book.save(&tmp).map_err(xlsx)?;
        }
    }
    std::fs::rename(&tmp, out)?;
    Ok(rows.len())
}

fn csv_io(e: csv::Error) -> Error {
    Error::input(format!("writing CSV: {e}"), format!("lỗi ghi CSV: {e}"))
}
