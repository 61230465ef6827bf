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
    /// Excel 97–2003 (read only).
    Xls,
    /// OpenDocument spreadsheet (read only).
    Ods,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "xls" => Ok(Format::Xls),
            "ods" => Ok(Format::Ods),
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
                format!("{}: unknown file type; use .jsonl, .csv, .xlsx, .xls or .ods", path.display()),
                format!("{}: không rõ loại tệp; dùng .jsonl, .csv, .xlsx, .xls hoặc .ods", path.display()),
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

/// What an import wrote (or, previewed, would write).
#[derive(Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub records: usize,
    pub by_kind: std::collections::BTreeMap<String, usize>,
    /// The import's number, to undo it as one step (`undo_import`); none for a preview.
    pub import_id: Option<i64>,
    /// Rows that cannot be written, each with its place and reason (previews list them all).
    pub problems: Vec<Problem>,
    /// Probable duplicate voters: the same name (marks, case and spacing ignored) and date of
    /// birth, or the same ID number, within the files or against the voters already listed.
    pub duplicates: Vec<Duplicate>,
    /// Columns the import does not know (a preview lists them instead of failing), with the
    /// fields they might be.
    pub unknown_columns: Vec<UnknownColumn>,
    /// The row of each spreadsheet taken as its header (rows above it are titles).
    pub header_rows: Vec<HeaderRow>,
    /// With `update`: what matched, what changed, what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateSummary>,
}

/// The row of a spreadsheet its header was read from (1-based, as the editor numbers it).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HeaderRow {
    pub file: String,
    pub row: usize,
}

/// A column the import does not know.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnknownColumn {
    pub file: String,
    /// 1-based.
    pub column: usize,
    pub header: String,
    /// Fields whose names share a word with the header, the likeliest first.
    pub suggestions: Vec<String>,
}

/// What an update of a list found and did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct UpdateSummary {
    /// Rows that matched no record (created).
    pub added: usize,
    /// Rows that matched a record and changed it, field by field.
    pub changed: Vec<ChangedRecord>,
    /// Rows that matched a record and change nothing.
    pub unchanged: usize,
    /// Records held that no row matched (in the polling areas the files cover, for voters).
    pub missing: Vec<MissingRecord>,
    /// Missing records removed (`remove_missing`).
    pub removed: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangedRecord {
    pub kind: String,
    pub id: String,
    pub file: String,
    pub line: usize,
    pub fields: Vec<crate::store::FieldChange>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MissingRecord {
    pub kind: String,
    pub id: String,
    pub title: String,
}

/// One row that cannot be written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    /// The column's header in the file (or the JSONL key); none when the file has no column
    /// for the field.
    pub column: Option<String>,
    pub field: Option<String>,
    /// The field's label, Vietnamese and English (what a person knows the field by).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// The row's person (a voter's or candidate's name), for the window to show beside the
    /// line; never logged, never in an error message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The file has no column for the field: one problem stands for every row it leaves
    /// without (`rows` of them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing_column: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    pub message: String,
    pub message_vi: String,
}

/// A probable duplicate voter: where it is, and what it matches.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Duplicate {
    pub file: String,
    pub line: usize,
    /// Another line of the files (`file:line`), or the id of a voter already listed.
    pub matches: String,
    /// `name_birth` or `id_number`.
    pub rule: String,
}

/// How to import.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    /// The kind of CSV and XLSX files (and of JSONL lines that carry no `"kind"`).
    pub kind: Option<Kind>,
    /// Values for fields the files leave empty (`polling_area`, `ballots` for a sheet per area).
    pub defaults: Map<String, Value>,
    /// Check everything and write nothing.
    pub preview: bool,
    /// Columns the import does not know, mapped to a field (`--map "HEADER=field"`): header
    /// (as written) → field name.
    pub map: std::collections::BTreeMap<String, String>,
    /// Columns left out (`--skip-column HEADER`).
    pub skip: Vec<String>,
    /// A new version of a list: rows are matched to the records already held (by id, else ID
    /// number, else name and birth date in the same polling area) and only the differences are
    /// written; records the files no longer hold are listed as missing.
    pub update: bool,
    /// With `update`: remove the missing records, with this reason (a voter the legal way, by a
    /// voter-list change).
    pub remove_missing: Option<String>,
    /// The row of each spreadsheet that holds its header (1-based), instead of the one found.
    pub header_row: Option<usize>,
    /// Lines (rows) of the files left out: a person listed twice in the file, kept once.
    pub skip_lines: Vec<usize>,
}

/// What the reading of the files hands to the writing, in order: each file's start, then its
/// records a batch at a time.
enum Piece {
    /// A file begins: its name, and field → the header it came from (for naming columns).
    File {
        name: String,
        headers: Headers,
        unknown: Vec<UnknownColumn>,
        /// The sheet row taken as the header (1-based), for a spreadsheet.
        header_row: Option<usize>,
    },
    Records(Vec<Incoming>),
}

/// Records handed over at a time while a spreadsheet is read.
const BATCH: usize = 1_000;

/// Reads `files` in order, handing every piece to `sink`; an error names the file (and the line).
fn read_files(files: &[&Path], options: &ImportOptions, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
    let kind = options.kind;
    let rules = ColumnRules::of(options);
    for path in files {
        let name = path.display().to_string();
        let placed = |e: Error| match e {
            Error::At { .. } => e,
            Error::Io(io) => Error::input(format!("{name}: {io}"), format!("{name}: {io}")),
            other => other.at(&name, 0),
        };
        match Format::of_path(path)? {
            Format::Jsonl => {
                let records = read_jsonl(path, kind).map_err(placed)?;
                sink(Piece::File {
                    name: name.clone(),
                    headers: Headers::new(),
                    unknown: Vec::new(),
                    header_row: None,
                })?;
                sink(Piece::Records(records))?;
            }
            Format::Csv => read_csv(path, need_kind(kind, path)?, &rules, sink).map_err(placed)?,
            Format::Xlsx => read_xlsx(path, need_kind(kind, path)?, &rules, sink).map_err(placed)?,
            Format::Xls | Format::Ods => {
                read_other_sheet(path, need_kind(kind, path)?, &rules, sink).map_err(placed)?
            }
        }
    }
    Ok(())
}

/// The key that finds the same person twice: folded name and birth date.
fn person_key(fields: &Map<String, Value>) -> Option<String> {
    let name = fields.get("full_name")?.as_str()?;
    let birth = fields.get("birth_date").and_then(Value::as_str).unwrap_or_default();
    let birth = crate::validate::PartialDate::parse(birth).map(|d| d.to_string()).unwrap_or_else(|| birth.to_string());
    Some(format!("{}|{birth}", text::fold(name)))
}

/// Imports `files` in order, all or nothing; see [`ImportOptions`]. Without `preview`, the
/// first bad row fails the import with its place; with it, every problem is listed and nothing
/// is written. The files are read on a second thread (which also looks for probable duplicates)
/// while the records already read are checked and written.
pub fn import(store: &mut Store, files: &[&Path], options: &ImportOptions) -> Result<ImportSummary> {
    store.require(crate::access::Action::Import)?;
    let voters_possible = options.kind.is_none_or(|k| k == Kind::Voter)
        || files.iter().any(|f| matches!(Format::of_path(f), Ok(Format::Jsonl)));
    // A new version of a list matches its rows to the voters held: they are no duplicates.
    let voters_possible = voters_possible && !options.update;
    let listed = if voters_possible { listed_voters(store)? } else { Listed::default() };
    let check_duplicates = !options.update;
    let outcome = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Piece>>(8);
        let reader = scope.spawn(move || {
            let mut duplicates = Duplicates::new(listed);
            let mut file = String::new();
            let read = read_files(files, options, &mut |piece| {
                match &piece {
                    Piece::File { name, .. } => file.clone_from(name),
                    Piece::Records(records) if check_duplicates => {
                        // A line left out is nobody's duplicate.
                        records
                            .iter()
                            .filter(|r| !options.skip_lines.contains(&r.line))
                            .for_each(|r| duplicates.check(&file, r))
                    }
                    Piece::Records(_) => {}
                }
                // A closed channel: the writing failed, and its error is the import's.
                send.send(Ok(piece)).map_err(|_| Error::input("the import stopped", "việc nhập đã dừng"))
            });
            if let Err(e) = read {
                let _ = send.send(Err(e));
            }
            duplicates.found
        });
        let written = write_records(store, receive, options);
        let duplicates = reader.join().expect("reading the files does not panic");
        (written, duplicates)
    });
    match outcome {
        (Ok(mut summary), duplicates) => {
            summary.duplicates = duplicates;
            Ok(summary)
        }
        (Err(Error::Preview(mut summary)), duplicates) => {
            summary.duplicates = duplicates;
            Ok(*summary)
        }
        (Err(e), _) => Err(e),
    }
}

/// The records of one kind held before an update of a list, and the keys rows are matched by:
/// the id; a voter's ID number (digits only); a voter's folded name, birth date and polling
/// area; another record's folded title within its unit.
struct Matcher {
    rows: Vec<Row>,
    by_id: std::collections::HashMap<RecordId, usize>,
    by_number: std::collections::HashMap<String, usize>,
    by_key: std::collections::HashMap<String, usize>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn text_of(fields: &crate::validate::Fields, name: &str) -> String {
    match fields.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

impl Matcher {
    fn key(kind: Kind, fields: &crate::validate::Fields, unit: &str) -> Option<String> {
        if kind == Kind::Voter {
            let name = text_of(fields, "full_name");
            (!name.is_empty()).then(|| {
                format!("{}|{}|{}", text::fold(&name), text_of(fields, "birth_date"), text_of(fields, "polling_area"))
            })
        } else {
            let title = text_of(fields, kind.def().title_field);
            (!title.is_empty()).then(|| format!("{}|{unit}", text::fold(&title)))
        }
    }

    fn load(rows: Vec<Row>, kind: Kind) -> Matcher {
        let mut m =
            Matcher { rows, by_id: Default::default(), by_number: Default::default(), by_key: Default::default() };
        for (i, row) in m.rows.iter().enumerate() {
            m.by_id.insert(row.id, i);
            if kind == Kind::Voter {
                let number = digits(&text_of(&row.fields, "id_number"));
                if !number.is_empty() {
                    m.by_number.insert(number, i);
                }
            }
            if let Some(key) = Matcher::key(kind, &row.fields, row.unit.as_str()) {
                m.by_key.insert(key, i);
            }
        }
        m
    }

    fn find(&self, kind: Kind, id: Option<RecordId>, fields: &crate::validate::Fields, unit: &str) -> Option<usize> {
        if let Some(id) = id {
            return self.by_id.get(&id).copied();
        }
        let number = digits(&text_of(fields, "id_number"));
        if kind == Kind::Voter
            && !number.is_empty()
            && let Some(&i) = self.by_number.get(&number)
        {
            return Some(i);
        }
        Matcher::key(kind, fields, unit).and_then(|k| self.by_key.get(&k).copied())
    }
}

/// Writes every record read, in one transaction; a preview checks them all and writes none.
/// With `update`, rows are matched to the records held and only their differences written.
fn write_records(
    store: &mut Store,
    pieces: std::sync::mpsc::Receiver<Result<Piece>>,
    options: &ImportOptions,
) -> Result<ImportSummary> {
    let preview = options.preview;
    let unit = store.node()?.unit.to_string();
    store.write(|w| {
        let mut summary = ImportSummary::default();
        let mut written = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut headers = Headers::new();
        let mut sheet = false;
        let mut matchers: std::collections::BTreeMap<Kind, Matcher> = Default::default();
        let mut matched: std::collections::HashSet<RecordId> = Default::default();
        let mut areas: std::collections::HashSet<String> = Default::default();
        let mut previous: Vec<(Kind, RecordId, Map<String, Value>)> = Vec::new();
        let mut update = UpdateSummary::default();
        for piece in pieces {
            let records = match piece? {
                Piece::File { name, headers: file_headers, unknown, header_row } => {
                    if let Some(row) = header_row {
                        summary.header_rows.push(HeaderRow { file: name.clone(), row });
                    }
                    names.push(name);
                    headers = file_headers;
                    sheet = header_row.is_some();
                    summary.unknown_columns.extend(unknown);
                    continue;
                }
                Piece::Records(records) => records,
            };
            let file = names.last().map(String::as_str).unwrap_or_default().to_string();
            for r in records {
                if options.skip_lines.contains(&r.line) {
                    continue;
                }
                let mut fields = r.fields;
                let person =
                    if preview { fields.get("full_name").and_then(Value::as_str).map(str::to_string) } else { None };
                let at = RowAt { file: &file, sheet, headers: &headers, line: r.line, kind: r.kind, name: person };
                for (key, value) in &options.defaults {
                    let empty =
                        fields.get(key).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
                    if empty {
                        fields.insert(key.clone(), value.clone());
                    }
                }
                if options.update {
                    if let std::collections::btree_map::Entry::Vacant(e) = matchers.entry(r.kind) {
                        e.insert(Matcher::load(w.db().all_rows(r.kind)?, r.kind));
                    }
                    let canonical = w.canonical(r.kind, &fields);
                    if let Some(Value::String(area)) = canonical.get("polling_area") {
                        areas.insert(area.clone());
                    }
                    let row_unit = r.unit.as_ref().map(|u| u.to_string()).unwrap_or_else(|| unit.clone());
                    let found = matchers[&r.kind].find(r.kind, r.id, &canonical, &row_unit);
                    if let Some(i) = found {
                        let id = matchers[&r.kind].rows[i].id;
                        if !matched.insert(id) {
                            let e = Error::input(
                                format!("this row matches record {id}, which another row matched already"),
                                format!("dòng này trùng với bản ghi {id} mà một dòng khác đã khớp"),
                            );
                            if preview {
                                summary.problems.extend(problems_of(&e, &at));
                                continue;
                            }
                            return Err(e.at(&file, r.line));
                        }
                        // Ids and units are the record's: only its fields are compared.
                        let mut input = fields.clone();
                        input.retain(|k, _| r.kind.def().field(k).is_some());
                        match w.changes(r.kind, id, &input) {
                            Ok(changes) if changes.is_empty() => update.unchanged += 1,
                            Ok(changes) => {
                                let only: Map<String, Value> = changes
                                    .iter()
                                    .filter_map(|c| input.get(&c.field).map(|v| (c.field.clone(), v.clone())))
                                    .collect();
                                let before: Map<String, Value> = changes
                                    .iter()
                                    .map(|c| (c.field.clone(), c.old.clone().unwrap_or(Value::Null)))
                                    .collect();
                                w.put(r.kind, Put::Update(id), None, &only).map_err(|e| e.at(&file, r.line))?;
                                previous.push((r.kind, id, before));
                                update.changed.push(ChangedRecord {
                                    kind: r.kind.as_str().to_string(),
                                    id: id.to_string(),
                                    file: file.clone(),
                                    line: r.line,
                                    fields: changes,
                                });
                            }
                            Err(e) if preview => summary.problems.extend(problems_of(&e, &at)),
                            Err(e) => return Err(e.at(&file, r.line)),
                        }
                        continue;
                    }
                }
                match w.put(r.kind, Put::Create(r.id), r.unit, &fields) {
                    Ok(row) => {
                        summary.records += 1;
                        update.added += 1;
                        *summary.by_kind.entry(r.kind.as_str().to_string()).or_default() += 1;
                        written.push((r.kind, row.id));
                        matched.insert(row.id);
                    }
                    Err(e) if preview => summary.problems.extend(problems_of(&e, &at)),
                    Err(e) => return Err(e.at(&file, r.line)),
                }
            }
        }
        if options.update {
            // What the files no longer hold: for voters, in the polling areas they cover.
            for (kind, matcher) in &matchers {
                for row in &matcher.rows {
                    if matched.contains(&row.id) {
                        continue;
                    }
                    if *kind == Kind::Voter {
                        let area = text_of(&row.fields, "polling_area");
                        let off_list =
                            matches!(text_of(&row.fields, "list_status").as_str(), "removed" | "votes_elsewhere");
                        if off_list || (!areas.is_empty() && !areas.contains(&area)) {
                            continue;
                        }
                    }
                    update.missing.push(MissingRecord {
                        kind: kind.as_str().to_string(),
                        id: row.id.to_string(),
                        title: text_of(&row.fields, kind.def().title_field),
                    });
                }
            }
            if let Some(reason) = options.remove_missing.as_deref() {
                for missing in &update.missing {
                    let (Some(kind), Ok(id)) = (Kind::parse(&missing.kind), missing.id.parse::<RecordId>()) else {
                        continue;
                    };
                    if kind == Kind::Voter {
                        let voter = w
                            .db()
                            .row(Kind::Voter, &id)?
                            .ok_or_else(|| Error::not_found(id.to_string(), id.to_string()))?;
                        let mut before = Map::new();
                        before.insert(
                            "list_status".into(),
                            voter.fields.get("list_status").cloned().unwrap_or(Value::Null),
                        );
                        let mut input = Map::new();
                        input.insert("voter".into(), Value::String(id.to_string()));
                        input.insert("change".into(), Value::String("removed".into()));
                        input.insert("changed_on".into(), Value::String(crate::today().format("%Y-%m-%d").to_string()));
                        input.insert("reason".into(), Value::String(reason.to_string()));
                        let change = w.put(Kind::ListChange, Put::Create(None), Some(voter.unit.clone()), &input)?;
                        written.push((Kind::ListChange, change.id));
                        previous.push((Kind::Voter, id, before));
                    } else {
                        w.delete(kind, id, Some(reason))?;
                        let mut before = Map::new();
                        before.insert("_deleted".into(), Value::Bool(true));
                        previous.push((kind, id, before));
                    }
                    update.removed += 1;
                }
            }
            summary.update = Some(update);
        }
        if preview {
            // Everything was checked against the ledger as it would become; write none of it.
            summary.problems = gather_missing_columns(std::mem::take(&mut summary.problems));
            return Err(Error::Preview(Box::new(summary)));
        }
        let id = w.record_import(&names.iter().map(String::as_str).collect::<Vec<_>>(), &written)?;
        for (kind, record, before) in &previous {
            w.record_update(id, *kind, *record, before)?;
        }
        summary.import_id = Some(id);
        Ok(summary)
    })
}

/// Where a row's problems are: its file, whether that is a sheet (columns have headers), the
/// headers, its line, its kind and its person's name.
struct RowAt<'a> {
    file: &'a str,
    sheet: bool,
    headers: &'a Headers,
    line: usize,
    kind: Kind,
    name: Option<String>,
}

fn problems_of(error: &Error, at: &RowAt<'_>) -> Vec<Problem> {
    let fields = error.fields();
    if fields.is_empty() {
        return vec![Problem {
            file: at.file.to_string(),
            line: at.line,
            column: None,
            field: None,
            label: None,
            label_en: None,
            name: at.name.clone(),
            missing_column: false,
            rows: None,
            message: error.to_string(),
            message_vi: error.message_vi(),
        }];
    }
    let def = at.kind.def();
    fields
        .iter()
        .map(|f| {
            let header = at.headers.get(&f.field).cloned();
            let fd = def.field(&f.field);
            Problem {
                file: at.file.to_string(),
                line: at.line,
                missing_column: at.sheet && header.is_none() && fd.is_some(),
                column: if at.sheet { header } else { Some(f.field.clone()) },
                field: Some(f.field.clone()),
                label: fd.map(|d| d.vi.to_string()),
                label_en: fd.map(|d| d.en.to_string()),
                name: at.name.clone(),
                rows: None,
                message: f.message.clone(),
                message_vi: f.message_vi.clone(),
            }
        })
        .collect()
}

/// The problems of a column the whole file lacks, one line for them all (with its fix) instead
/// of one a row; the others as they were.
fn gather_missing_columns(problems: Vec<Problem>) -> Vec<Problem> {
    let mut gathered: Vec<Problem> = Vec::new();
    let mut rest = Vec::new();
    for p in problems {
        if !p.missing_column {
            rest.push(p);
            continue;
        }
        match gathered.iter_mut().find(|g| g.file == p.file && g.field == p.field && g.message == p.message) {
            Some(g) => *g.rows.get_or_insert(1) += 1,
            None => gathered.push(Problem { rows: Some(1), name: None, ..p }),
        }
    }
    for g in &mut gathered {
        let (label, label_en) = (g.label.clone().unwrap_or_default(), g.label_en.clone().unwrap_or_default());
        let field = g.field.clone().unwrap_or_default();
        let rows = g.rows.unwrap_or(1);
        g.message = format!(
            "the file has no column {label_en} ({field}), and {rows} rows need it ({}): add the column, or give one value for all of them (--set {field}=VALUE; in the window, \"Values for rows that lack them\")",
            g.message
        );
        g.message_vi = format!(
            "Tệp không có cột {label}, cần cho {rows} dòng ({}): thêm cột này vào tệp, hoặc chọn một giá trị cho tất cả các dòng ở mục “Giá trị dùng cho các dòng thiếu” (dòng lệnh: --set {field}=GIÁ_TRỊ)",
            g.message_vi
        );
    }
    gathered.extend(rest);
    gathered
}

/// The voters already listed, by person key and by ID number.
#[derive(Default)]
struct Listed {
    by_person: std::collections::HashMap<String, String>,
    by_id_number: std::collections::HashMap<String, String>,
}

fn listed_voters(store: &Store) -> Result<Listed> {
    let mut listed = Listed::default();
    for row in store.db().all_rows(Kind::Voter)? {
        let object: Map<String, Value> = row.fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        if let Some(key) = person_key(&object) {
            listed.by_person.insert(key, row.id.to_string());
        }
        if let Some(id) = object.get("id_number").and_then(Value::as_str) {
            listed.by_id_number.insert(id.to_string(), row.id.to_string());
        }
    }
    Ok(listed)
}

/// The search for probable duplicate voters, within the files and against the voters already
/// listed, one record at a time as they are read.
struct Duplicates {
    listed: Listed,
    seen: std::collections::HashMap<String, String>,
    seen_ids: std::collections::HashMap<String, String>,
    found: Vec<Duplicate>,
}

impl Duplicates {
    fn new(listed: Listed) -> Duplicates {
        Duplicates { listed, seen: Default::default(), seen_ids: Default::default(), found: Vec::new() }
    }

    fn check(&mut self, file: &str, r: &Incoming) {
        if r.kind != Kind::Voter {
            return;
        }
        let here = format!("{file}:{}", r.line);
        let clean: Map<String, Value> = ["id_number", "full_name", "birth_date"]
            .into_iter()
            .filter_map(|k| {
                let v = r.fields.get(k)?;
                Some((k.to_string(), v.as_str().map(|s| Value::String(text::clean(s))).unwrap_or_else(|| v.clone())))
            })
            .collect();
        let matched = |found: &mut Vec<Duplicate>, matches: String, rule: &str| {
            found.push(Duplicate { file: file.to_string(), line: r.line, matches, rule: rule.to_string() })
        };
        if let Some(id) = clean.get("id_number").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            if let Some(other) = self.seen_ids.get(id).or_else(|| self.listed.by_id_number.get(id)) {
                matched(&mut self.found, other.clone(), "id_number");
            } else {
                self.seen_ids.insert(id.to_string(), here.clone());
            }
        }
        if let Some(key) = person_key(&clean) {
            if let Some(other) = self.seen.get(&key).or_else(|| self.listed.by_person.get(&key)) {
                matched(&mut self.found, other.clone(), "name_birth");
            } else {
                self.seen.insert(key, here);
            }
        }
    }
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

/// A header as the aliases are written: no marks, lower case, punctuation as spaces.
fn header_key(header: &str) -> String {
    let folded = text::fold(header);
    let spaced: String = folded.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a column of a spreadsheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Field(&'static str),
    /// A column passed over (the row number, a signature, an export's extra keys).
    Skip,
    /// The old voter-list layout: the birth date written under "Nam" or "Nữ", which also gives
    /// the sex.
    BirthIf(&'static str),
}

/// Maps a header cell to a column: a field by its name, its Vietnamese or English label or one
/// of its aliases (marks, case and punctuation ignored).
fn header_column(def: &KindDef, header: &str) -> Option<Column> {
    let key = header_key(header);
    match key.as_str() {
        "id" | "ma ban ghi" => return Some(Column::Field("id")),
        "unit" | "don vi" | "ma don vi" => return Some(Column::Field("unit")),
        _ => {}
    }
    if crate::kinds::IGNORED_HEADERS.contains(&key.as_str()) {
        return Some(Column::Skip);
    }
    if def.kind == Kind::Voter {
        match key.as_str() {
            "nam" | "male" => return Some(Column::BirthIf("male")),
            "nu" | "female" => return Some(Column::BirthIf("female")),
            _ => {}
        }
        // "Ngày sinh (Nam)", "Ngày, tháng, năm sinh - Nữ": a birth-date heading with the sex.
        for (word, sex) in [(" nam", "male"), (" nu", "female"), (" male", "male"), (" female", "female")] {
            if let Some(heading) = key.strip_suffix(word)
                && def.field("birth_date").is_some_and(|f| field_names(f).iter().any(|n| n == heading))
            {
                return Some(Column::BirthIf(sex));
            }
        }
    }
    def.fields
        .iter()
        .find(|f| {
            f.name == header.trim()
                || f.name == key.replace(' ', "_")
                || header_key(f.vi) == key
                || header_key(f.en) == key
                || f.aliases.contains(&key.as_str())
        })
        .map(|f| Column::Field(f.name))
}

/// What to do with the columns the import does not know by itself.
struct ColumnRules {
    /// Header (as its key) → field.
    map: std::collections::BTreeMap<String, String>,
    skip: std::collections::HashSet<String>,
    /// List unknown columns instead of failing (a preview).
    lenient: bool,
    /// The sheet row to take as the header (`--header-row N`), instead of finding it.
    header_row: Option<usize>,
}

impl ColumnRules {
    fn of(options: &ImportOptions) -> ColumnRules {
        ColumnRules {
            map: options.map.iter().map(|(h, f)| (header_key(h), f.trim().to_string())).collect(),
            skip: options.skip.iter().map(|h| header_key(h)).collect(),
            lenient: options.preview,
            header_row: options.header_row,
        }
    }
}

/// The words of a field's names (its name, labels and aliases), as header keys.
fn field_names(f: &crate::kinds::FieldDef) -> Vec<String> {
    let mut names = vec![header_key(&f.name.replace('_', " ")), header_key(f.vi), header_key(f.en)];
    names.extend(f.aliases.iter().map(|a| a.to_string()));
    names
}

/// A header matched by its words: the field one of whose names has all its words in the
/// header, the most words winning; none when two fields tie (ambiguous).
fn header_by_words(def: &KindDef, key: &str) -> Option<&'static str> {
    let words: std::collections::HashSet<&str> = key.split(' ').collect();
    let mut best: Option<(usize, &'static str)> = None;
    let mut tie = false;
    for f in def.fields.iter().filter(|f| !f.computed) {
        let score = field_names(f)
            .iter()
            .filter(|n| !n.is_empty() && n.split(' ').all(|w| words.contains(w)))
            .map(|n| n.split(' ').count())
            .max();
        let Some(score) = score.filter(|s| *s >= 2) else { continue };
        match best {
            Some((b, _)) if b > score => {}
            Some((b, name)) if b == score && name != f.name => tie = true,
            _ => {
                best = Some((score, f.name));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(_, name)| name) }
}

/// Fields a header might be: those whose names share a word with it, the likeliest first.
fn suggestions(def: &KindDef, header: &str) -> Vec<String> {
    let key = header_key(header);
    let words: std::collections::HashSet<&str> = key.split(' ').filter(|w| w.len() > 1).collect();
    let mut scored: Vec<(usize, &str)> = def
        .fields
        .iter()
        .filter(|f| !f.computed)
        .map(|f| {
            let shared =
                field_names(f).iter().map(|n| n.split(' ').filter(|w| words.contains(w)).count()).max().unwrap_or(0);
            (shared, f.name)
        })
        .filter(|(shared, _)| *shared > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(5).map(|(_, name)| name.to_string()).collect()
}

fn map_headers(
    def: &KindDef,
    headers: &[String],
    name: &str,
    rules: &ColumnRules,
    line: usize,
) -> Result<(Vec<Column>, Vec<UnknownColumn>)> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        if header.trim().is_empty() || (is_meta_key(def, header.trim()) && !matches!(header.trim(), "id" | "unit")) {
            out.push(Column::Skip);
            continue;
        }
        let key = header_key(header);
        if rules.skip.contains(&key) {
            out.push(Column::Skip);
            continue;
        }
        if let Some(field) = rules.map.get(&key) {
            let Some(fd) = def.field(field).filter(|f| !f.computed) else {
                return Err(Error::input(
                    format!("--map `{}={field}`: {field} is not a field of {}", header.trim(), def.name),
                    format!("--map `{}={field}`: {field} không phải trường của {}", header.trim(), def.vi),
                ));
            };
            out.push(Column::Field(fd.name));
            continue;
        }
        match header_column(def, header).or_else(|| header_by_words(def, &key).map(Column::Field)) {
            Some(mapped) => out.push(mapped),
            None if rules.lenient => {
                unknown.push(UnknownColumn {
                    file: name.to_string(),
                    column: column + 1,
                    header: header.trim().to_string(),
                    suggestions: suggestions(def, header),
                });
                out.push(Column::Skip);
            }
            None => {
                return Err(Error::input(
                    format!(
                        "column {} (`{}`) is not a field of {}: name its field with --map \"{}=FIELD\" or leave it out with --skip-column \"{}\"",
                        column + 1,
                        header.trim(),
                        def.name,
                        header.trim(),
                        header.trim()
                    ),
                    format!(
                        "cột {} (`{}`) không phải trường của {}: chọn trường bằng --map \"{}=TRƯỜNG\" hoặc bỏ qua bằng --skip-column \"{}\"",
                        column + 1,
                        header.trim(),
                        def.vi,
                        header.trim(),
                        header.trim()
                    ),
                )
                .at(name, line));
            }
        }
    }
    Ok((out, unknown))
}

/// Puts one cell into a record being read.
fn put_cell(object: &mut Map<String, Value>, column: Column, value: Value) {
    match column {
        Column::Skip => {}
        Column::Field(field) => {
            object.insert(field.to_string(), value);
        }
        Column::BirthIf(sex) => {
            let blank = match &value {
                Value::String(s) => s.trim().is_empty(),
                Value::Null => true,
                _ => false,
            };
            if !blank {
                object.insert("birth_date".into(), value);
                object.insert("sex".into(), Value::String(sex.into()));
            }
        }
    }
}

type Headers = std::collections::BTreeMap<String, String>;

/// Field → header text, for naming the column of a problem.
fn header_names(headers: &[String], columns: &[Column]) -> Headers {
    let mut out = Headers::new();
    for (header, column) in headers.iter().zip(columns) {
        match column {
            Column::Field(f) => {
                out.insert(f.to_string(), header.trim().to_string());
            }
            Column::BirthIf(_) => {
                out.entry("birth_date".into()).or_insert_with(|| header.trim().to_string());
            }
            Column::Skip => {}
        }
    }
    out
}

/// Rows read before the header row is chosen: the header is the one among them whose cells
/// name the most fields (title rows above it, "ỦY BAN NHÂN DÂN XÃ …", are passed over).
const HEADER_SCAN: usize = 20;

/// Turns the rows of a sheet (CSV, XLSX, XLS or ODS) into records: finds the header row among
/// the first rows (or takes the one asked for), reads a second header row beneath it when every
/// cell of that row names a column (`Nam` and `Nữ` under a merged birth-date heading), passes over
/// a row numbering the columns, reads each row after that, and stops at a `Tổng số` row (the
/// totals and the signatures under the table). Columns are the sheet's own (A = 0).
struct SheetRows<'a> {
    def: &'static KindDef,
    name: String,
    rules: &'a ColumnRules,
    pending: Vec<(usize, Vec<Data>)>,
    /// The line the header was read from.
    header_line: Option<usize>,
    columns: Option<Vec<Column>>,
    ended: bool,
    batch: Vec<Incoming>,
}

impl<'a> SheetRows<'a> {
    fn new(def: &'static KindDef, name: &str, rules: &'a ColumnRules) -> SheetRows<'a> {
        SheetRows {
            def,
            name: name.to_string(),
            rules,
            pending: Vec::new(),
            header_line: None,
            columns: None,
            ended: false,
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// How many cells of a row name a column (a field, a column passed over such as `STT`).
    fn score(&self, row: &[Data]) -> usize {
        row.iter()
            .filter(|c| !cell_blank(c))
            .filter(|c| {
                let text = cell_text(c);
                let key = header_key(&text);
                self.rules.map.contains_key(&key)
                    || self.rules.skip.contains(&key)
                    || header_column(self.def, &text).is_some()
                    || header_by_words(self.def, &key).is_some()
            })
            .count()
    }

    /// One row of the sheet, numbered as the official sees it (1-based).
    fn push(&mut self, line: usize, row: Vec<Data>, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
        if self.ended {
            return Ok(());
        }
        if self.columns.is_some() {
            return self.record(line, row, sink);
        }
        match self.rules.header_row {
            Some(wanted) if line < wanted => Ok(()),
            Some(wanted) if line == wanted => self.take_header(line, row, sink),
            Some(_) => self.take_header(line, Vec::new(), sink).and_then(|()| self.record(line, row, sink)),
            None => {
                if row.iter().all(cell_blank) {
                    return Ok(());
                }
                self.pending.push((line, row));
                if self.pending.len() >= HEADER_SCAN { self.decide(sink) } else { Ok(()) }
            }
        }
    }

    /// Chooses the header among the rows read so far, then reads the rows after it.
    fn decide(&mut self, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(());
        }
        let mut best = 0;
        let mut best_score = 0;
        for (i, (_, row)) in pending.iter().enumerate() {
            let score = self.score(row);
            if score > best_score {
                (best, best_score) = (i, score);
            }
        }
        // A sheet whose rows name no two columns: its first row is the header, as it says.
        if best_score < 2 {
            best = 0;
        }
        let mut rest = pending.into_iter().skip(best);
        let (line, row) = rest.next().expect("the header row");
        self.take_header(line, row, sink)?;
        for (line, row) in rest {
            self.record(line, row, sink)?;
        }
        Ok(())
    }

    fn take_header(&mut self, line: usize, row: Vec<Data>, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
        let texts: Vec<String> = row.iter().map(cell_text).collect();
        let (mapped, unknown) = map_headers(self.def, &texts, &self.name, self.rules, line)?;
        sink(Piece::File {
            name: self.name.clone(),
            headers: header_names(&texts, &mapped),
            unknown,
            header_row: Some(line),
        })?;
        self.header_line = Some(line);
        self.columns = Some(mapped);
        Ok(())
    }

    fn record(&mut self, line: usize, row: Vec<Data>, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
        if self.ended || row.iter().all(cell_blank) {
            return Ok(());
        }
        let texts: Vec<String> = row.iter().filter(|c| !cell_blank(c)).map(cell_text).collect();
        // A row numbering the columns: (1) (2) (3) …
        if texts.len() >= 3
            && texts.iter().all(|t| {
                let t = t.trim().trim_start_matches('(').trim_end_matches(')');
                !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
            })
        {
            return Ok(());
        }
        // The totals end the table; what follows is the signature block.
        if texts.first().is_some_and(|t| {
            let key = header_key(t);
            key.starts_with("tong so") || key.starts_with("tong cong") || key == "cong"
        }) {
            self.ended = true;
            return Ok(());
        }
        let columns = self.columns.as_mut().expect("a header");
        // A second header row: every cell names a column (Nam, Nữ under "Ngày, tháng, năm sinh").
        if self.header_line.is_some_and(|header| line == header + 1) {
            let sub: Vec<(usize, Column)> = row
                .iter()
                .enumerate()
                .filter(|(_, c)| !cell_blank(c))
                .filter_map(|(i, c)| header_column(self.def, &cell_text(c)).map(|col| (i, col)))
                .collect();
            if !sub.is_empty() && sub.len() == texts.len() {
                for (i, column) in sub {
                    if columns.len() <= i {
                        columns.resize(i + 1, Column::Skip);
                    }
                    columns[i] = column;
                }
                return Ok(());
            }
        }
        let columns: &[Column] = columns;
        if let Some(extra) = row.iter().enumerate().skip(columns.len()).find(|(_, c)| !cell_blank(c)) {
            return Err(Error::input(
                format!("has a value in column {} but the header names {} columns", extra.0 + 1, columns.len()),
                format!("có giá trị ở cột {} nhưng dòng tiêu đề chỉ có {} cột", extra.0 + 1, columns.len()),
            )
            .at(&self.name, line));
        }
        self.batch.push(xlsx_record(self.def, columns, &row, line).map_err(|e| e.at(&self.name, line))?);
        if self.batch.len() >= BATCH {
            sink(Piece::Records(std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH))))?;
        }
        Ok(())
    }

    fn finish(mut self, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
        if self.columns.is_none() {
            if self.pending.is_empty() {
                sink(Piece::File {
                    name: self.name.clone(),
                    headers: Headers::new(),
                    unknown: Vec::new(),
                    header_row: None,
                })?;
            } else {
                self.decide(sink)?;
            }
        }
        sink(Piece::Records(std::mem::take(&mut self.batch)))
    }
}

/// The line (1-based) of the record that begins at `byte`, as an editor shows it whatever the
/// line ends: the reader may place a record on the line end before it (`\r` then `\n`).
fn line_of(body: &[u8], line_starts: &[usize], mut byte: usize) -> usize {
    while matches!(body.get(byte), Some(b'\r' | b'\n')) {
        byte += 1;
    }
    line_starts.partition_point(|&start| start <= byte)
}

fn read_csv(path: &Path, kind: Kind, rules: &ColumnRules, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)?;
    let bom = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let body = &bytes[bom..];
    let mut line_starts = vec![0];
    line_starts.extend(body.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut rows = SheetRows::new(kind.def(), &name, rules);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_of(body, &line_starts, p.byte() as usize)).unwrap_or(0);
            Error::input(format!("not valid CSV: {e}"), format!("không phải CSV hợp lệ: {e}")).at(&name, line)
        })?;
        let line = record.position().map(|p| line_of(body, &line_starts, p.byte() as usize)).unwrap_or(0);
        let row = record.iter().map(|c| Data::String(c.to_string())).collect();
        rows.push(line, row, sink)?;
    }
    rows.finish(sink)
}

/// Columns of an .xlsx read beyond: no form has this many, and a far cell must not make a row
/// of a million empty cells.
const MAX_COLUMNS: usize = 1_000;

/// Reads the first sheet cell by cell as the file is unpacked, handing the records over a
/// batch at a time: the writing starts before the whole sheet is read.
fn read_xlsx(path: &Path, kind: Kind, rules: &ColumnRules, sink: &mut dyn FnMut(Piece) -> Result<()>) -> Result<()> {
    let name = path.display().to_string();
    let bad = |e: String| {
        Error::input(format!("not a readable XLSX file: {e}"), format!("không đọc được tệp XLSX: {e}")).at(&name, 0)
    };
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| bad(e.to_string()))?;
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| bad("no sheet".into()))?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(|e| bad(e.to_string()))?;
    let mut rows = SheetRows::new(kind.def(), &name, rules);
    let mut current: Option<u32> = None;
    let mut row: Vec<Data> = Vec::new();
    loop {
        let next = cells.next_cell().map_err(|e| bad(e.to_string()))?;
        let next = next.map(|cell| (cell.get_position(), Data::from(cell.get_value().clone())));
        if let Some(Data::Empty) = next.as_ref().map(|(_, value)| value) {
            continue;
        }
        // A row ends when the next value is on another row, or at the sheet's end.
        if let Some(row_number) = current
            && next.as_ref().is_none_or(|((r, _), _)| *r != row_number)
        {
            rows.push(row_number as usize + 1, std::mem::take(&mut row), sink)?;
        }
        let Some(((r, c), value)) = next else { break };
        current = Some(r);
        let at = c as usize;
        if at > MAX_COLUMNS {
            continue;
        }
        if row.len() <= at {
            row.resize(at + 1, Data::Empty);
        }
        row[at] = value;
    }
    rows.finish(sink)
}

/// The most cells a sheet read whole may span (its rows by its columns, to its last value): a
/// .xls or .ods is made dense in memory, and a small file can name a far cell (32 bytes a cell:
/// 160 MB at most). 100,000 voters over 20 columns are 2,000,000.
const MAX_SHEET_CELLS: u64 = 5_000_000;

/// The most bytes of an OpenDocument sheet's `content.xml` (or an Excel 97–2003 workbook
/// stream) read while measuring it.
const MAX_ODS_XML: u64 = 1 << 30;

/// The rows and columns the first sheet of an .ods spans to its last value, read as a stream
/// (repeated rows and cells counted, never expanded).
fn ods_extent(path: &Path) -> std::result::Result<(u64, u64), String> {
    use quick_xml::events::Event;
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
    let content = zip.by_name("content.xml").map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content.take(MAX_ODS_XML)));
    let repeat = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> u64 {
        e.try_get_attribute(key).ok().flatten().and_then(|a| a.value.parse().ok()).unwrap_or(1)
    };
    let (mut row, mut row_repeat, mut col) = (0u64, 1u64, 0u64);
    let (mut rows, mut cols, mut row_last) = (0u64, 0u64, None::<u64>);
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table-row" => {
                    (row_repeat, col, row_last) = (repeat(e, "table:number-rows-repeated"), 0, None);
                    if matches!(event, Event::Empty(_)) {
                        row = row.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeat(e, "table:number-columns-repeated");
                    // A cell with a value, or with anything inside it, counts as a value.
                    let valued = matches!(event, Event::Start(_))
                        || e.try_get_attribute("office:value-type").ok().flatten().is_some();
                    if valued {
                        row_last = Some(col.saturating_add(n));
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    if let Some(last) = row_last {
                        rows = row.saturating_add(row_repeat);
                        cols = cols.max(last);
                    }
                    row = row.saturating_add(row_repeat);
                }
                // The first sheet is the one imported.
                "table:table" => break,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((rows, cols))
}

/// The cells the sheets of an Excel 97–2003 file span (each sheet's rows by its columns, to its
/// last cell, summed: calamine makes every sheet dense when it opens the file), read from the
/// BIFF records' positions without reading a value.
fn xls_extent(path: &Path) -> std::result::Result<u64, String> {
    use std::io::Read;
    let mut file = cfb::open(path).map_err(|e| e.to_string())?;
    let stream = if file.exists("/Workbook") { "/Workbook" } else { "/Book" };
    let mut bytes = Vec::new();
    file.open_stream(stream)
        .map_err(|e| e.to_string())?
        .take(MAX_ODS_XML)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    let (mut total, mut rows, mut cols, mut at) = (0u64, 0u64, 0u64, 0usize);
    while let Some(head) = bytes.get(at..at + 4) {
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        let data = bytes.get(at + 4..at + 4 + len).unwrap_or_default();
        let u16_at = |i: usize| data.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u64);
        match kind {
            // BOF: a sheet (or the workbook globals) begins.
            0x0809 => (rows, cols) = (0, 0),
            // EOF: it ends.
            0x000A => {
                total = total.saturating_add(rows.saturating_mul(cols));
                (rows, cols) = (0, 0);
            }
            // Cells: LABELSST, LABEL, NUMBER, RK, BOOLERR, FORMULA, BLANK, RSTRING (row, column);
            // MULRK, MULBLANK (row, first column, …, last column).
            0x00FD | 0x0204 | 0x0203 | 0x027E | 0x0205 | 0x0006 | 0x0201 | 0x00D6 => {
                rows = rows.max(u16_at(0) + 1);
                cols = cols.max(u16_at(2) + 1);
            }
            0x00BD | 0x00BE => {
                rows = rows.max(u16_at(0) + 1);
                cols = cols.max(u16_at(len.saturating_sub(2)) + 1);
            }
            _ => {}
        }
        at += 4 + len;
    }
    Ok(total.saturating_add(rows.saturating_mul(cols)))
}

/// Reads the first sheet of an Excel 97–2003 (`.xls`) or OpenDocument (`.ods`) file.
fn read_other_sheet(
    path: &Path,
    kind: Kind,
    rules: &ColumnRules,
    sink: &mut dyn FnMut(Piece) -> Result<()>,
) -> Result<()> {
    let name = path.display().to_string();
    let bad = |e: String| {
        Error::input(format!("not a readable spreadsheet: {e}"), format!("không đọc được bảng tính: {e}")).at(&name, 0)
    };
    // Measured before calamine makes the sheets dense: a small file can name a far cell.
    let cells = match Format::of_path(path) {
        Ok(Format::Ods) => ods_extent(path).map(|(rows, cols)| rows.saturating_mul(cols)),
        _ => xls_extent(path),
    }
    .map_err(bad)?;
    if cells > MAX_SHEET_CELLS {
        return Err(Error::input(
            format!(
                "the sheets span {cells} cells to their last values, more than an import reads ({MAX_SHEET_CELLS}): delete the far cells, or save the sheet as .xlsx"
            ),
            format!(
                "các trang tính trải {cells} ô tới ô có giá trị cuối cùng, quá số ô được nhập ({MAX_SHEET_CELLS}): xóa các ô ở xa, hoặc lưu thành .xlsx"
            ),
        )
        .at(&name, 0));
    }
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| bad(e.to_string()))?;
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| bad("no sheet".into()))?;
    let range = workbook.worksheet_range(&sheet).map_err(|e| bad(e.to_string()))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = SheetRows::new(kind.def(), &name, rules);
    for (i, cells) in range.rows().enumerate() {
        let mut row = vec![Data::Empty; left as usize];
        row.extend(cells.iter().cloned());
        while row.last().is_some_and(cell_blank) {
            row.pop();
        }
        rows.push(top as usize + i + 1, row, sink)?;
    }
    rows.finish(sink)
}

/// One row of a sheet as a record being read.
fn xlsx_record(def: &KindDef, columns: &[Column], row: &[Data], line: usize) -> Result<Incoming> {
    let mut object = Map::new();
    for (cell, column) in row.iter().zip(columns) {
        let fd = match column {
            Column::Field(field) => def.field(field),
            _ => None,
        };
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
        put_cell(&mut object, *column, value);
    }
    incoming(def.kind, line, object)
}

fn cell_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        other => cell_text(other).trim().is_empty(),
    }
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

/// How a value of a field is written in a sheet, in Vietnamese (the template's guide).
fn how_to_write(ty: &FieldType, levels: &[&str]) -> String {
    match ty {
        FieldType::Enum(c) => c.iter().map(|c| c.vi).collect::<Vec<_>>().join("; "),
        FieldType::Levels(c) => format!(
            "{} (nhiều cấp thì ngăn cách bằng dấu phẩy)",
            c.iter().filter(|c| levels.contains(&c.value)).map(|c| c.vi).collect::<Vec<_>>().join(", ")
        ),
        FieldType::Int { min, max } => format!("số từ {min} đến {max}"),
        FieldType::Ref(kinds) => {
            format!(
                "tên (hoặc mã) của {}",
                kinds.iter().map(|k| k.def().vi.to_lowercase()).collect::<Vec<_>>().join(" / ")
            )
        }
        FieldType::Date => "ngày/tháng/năm, ví dụ 15/03/2026".into(),
        FieldType::PartialDate => "ngày/tháng/năm; nếu không rõ: tháng/năm hoặc năm".into(),
        FieldType::Bool => "có / không".into(),
        _ => String::new(),
    }
}

/// A blank sheet to fill for `kind` (`sobaucu template`, the import screen's "Tải mẫu"): a
/// header row of the fields' Vietnamese labels (required ones marked `*`), which the import
/// reads back as they are, and a second sheet saying how each column is written. `levels`
/// are the ballot levels that exist under the ledger's scheme.
pub fn template(kind: Kind, levels: &[&str], out: &Path) -> Result<()> {
    let def = kind.def();
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::input(format!("xlsx: {e}"), format!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold =
        rust_xlsxwriter::Format::new().set_bold().set_text_wrap().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let fields: Vec<_> = def.fields.iter().filter(|f| !f.computed).collect();
    let sheet = book.add_worksheet();
    let name: String = def.vi.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    sheet.set_name(&name).map_err(xlsx)?;
    for (c, f) in fields.iter().enumerate() {
        let label = if f.required { format!("{} *", f.vi) } else { f.vi.to_string() };
        sheet.write_string_with_format(0, c as u16, &label, &bold).map_err(xlsx)?;
        sheet.set_column_width(c as u16, (f.vi.chars().count() as f64 + 4.0).clamp(12.0, 40.0)).map_err(xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    let guide = book.add_worksheet();
    guide.set_name("Hướng dẫn").map_err(xlsx)?;
    for (c, title) in ["Cột", "Bắt buộc", "Cách ghi", "Tên trường"].iter().enumerate() {
        guide.write_string_with_format(0, c as u16, *title, &bold).map_err(xlsx)?;
    }
    for (r, f) in fields.iter().enumerate() {
        let r = r as u32 + 1;
        guide.write_string(r, 0, f.vi).map_err(xlsx)?;
        guide.write_string(r, 1, if f.required { "có" } else { "" }).map_err(xlsx)?;
        guide.write_string(r, 2, how_to_write(&f.ty, levels)).map_err(xlsx)?;
        guide.write_string(r, 3, f.name).map_err(xlsx)?;
    }
    guide.set_column_width(0, 36).map_err(xlsx)?;
    guide.set_column_width(2, 60).map_err(xlsx)?;
    let bytes = book.save_to_buffer().map_err(xlsx)?;
    crate::files::write_whole(out, &bytes)
}

/// Writes every live record of `kind` to `out` in `format`; returns how many.
pub fn export(store: &Store, kind: Kind, format: Format, out: &Path) -> Result<usize> {
    store.require(crate::access::Action::Export)?;
    if matches!(format, Format::Xls | Format::Ods) {
        return Err(Error::input(
            "exports are written as jsonl, csv or xlsx (xls and ods are read only)",
            "chỉ xuất ra jsonl, csv hoặc xlsx (xls và ods chỉ dùng để nhập)",
        ));
    }
    let def = kind.def();
    let rows = store.db().all_rows(kind)?;
    let bytes = match format {
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
            text.into_bytes()
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(export_columns(def)).map_err(csv_io)?;
            for row in &rows {
                writer.write_record(row_cells(def, row)).map_err(csv_io)?;
            }
            writer.into_inner().map_err(|e| Error::input(format!("writing CSV: {e}"), format!("lỗi ghi CSV: {e}")))?
        }
        Format::Xlsx | Format::Xls | Format::Ods => {
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
            book.save_to_buffer().map_err(xlsx)?
        }
    };
    crate::files::write_whole(out, &bytes)?;
    Ok(rows.len())
}

fn csv_io(e: csv::Error) -> Error {
    Error::input(format!("writing CSV: {e}"), format!("lỗi ghi CSV: {e}"))
}
