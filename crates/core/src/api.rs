//! The operations the desktop window offers, as plain functions over a [`Store`] that return
//! JSON values in the shapes `ui/README.md` documents. The Tauri commands call these and
//! nothing else, so the whole front-end contract is tested here without a window.

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::kinds::{GROUPS, KINDS, Kind};
use crate::law::LawVersion;
use crate::store::{InitOptions, ListQuery, NodeInfo, Store};
use crate::transfer::{self, ImportOptions};
use crate::units::{Catalogue, Scheme, Unit};
use crate::{demo, duplicates, report, timeline};

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("plain data serialises")
}

fn unit_json(unit: &Unit) -> Value {
    json!({"code": unit.code, "name": unit.name, "level": unit.level, "type": unit.unit_type, "path": unit.path})
}

fn node_json(node: &NodeInfo) -> Value {
    json!({
        "node_id": node.node_id,
        "unit": unit_json(node.unit()),
        "scheme": node.scheme.as_str(),
        "election_date": node.election_date,
        "law": node.law.as_str(),
        "law_title": node.law.rules().title,
        "law_title_en": node.law.rules().title_en,
    })
}

pub fn app_info(store: &Store) -> Result<Value> {
    Ok(json!({
        "locked": false,
        "exists": true,
        "initialized": store.is_initialized(),
        "data_dir": store.dir().display().to_string(),
        "node": store.node().ok().map(node_json),
        "user": to_value(store.actor()),
    }))
}

/// What the passphrase screen shows before a ledger is open: whether there is one in `dir`,
/// and the names of its users (from its keyring).
pub fn lock_state(dir: &std::path::Path) -> Result<Value> {
    let file = dir.join(crate::LEDGER_FILE);
    let users = match crate::vault::Keyring::load(&crate::vault::keyring_path(&file))? {
        Some(keyring) => keyring.users(),
        None => Vec::new(),
    };
    Ok(json!({
        "locked": true,
        "exists": crate::store::exists(dir),
        "initialized": false,
        "data_dir": dir.display().to_string(),
        "users": users,
    }))
}

/// Every violation and warning of the law's rules in the ledger ("Cần xử lý").
pub fn check(store: &Store) -> Result<Value> {
    let findings = crate::check::run(&store.db(), store.node()?, crate::today())?;
    Ok(to_value(&findings))
}

/// Each candidate (of `level`) with what their voter conferences add up to (the 3rd
/// consultation's view).
pub fn candidate_confidence(store: &Store, level: Option<&str>) -> Result<Value> {
    let level = level.filter(|l| !l.is_empty());
    Ok(to_value(&crate::check::confidence_by_candidate(&store.db(), level)?))
}

/// Who changed which field of a record when, from which node.
pub fn history(store: &Store, kind: &str, id: &str) -> Result<Value> {
    let kind = Kind::require(kind)?;
    Ok(to_value(&store.history(kind, id.parse()?)?))
}

pub fn list_units(scheme: &str, parent: Option<&str>) -> Result<Value> {
    let catalogue = Catalogue::get(scheme.parse()?);
    let parent = parent.filter(|p| !p.is_empty()).map(str::parse).transpose()?;
    // Without a parent: the provinces (a national ledger is made from the command line).
    let parent = parent.unwrap_or_else(|| crate::units::COUNTRY.parse().expect("the country's code"));
    Ok(Value::Array(catalogue.children(Some(&parent)).into_iter().map(unit_json).collect()))
}

pub fn search_units(scheme: &str, query: &str) -> Result<Value> {
    let catalogue = Catalogue::get(scheme.parse()?);
    Ok(Value::Array(catalogue.search(query, 50).into_iter().map(unit_json).collect()))
}

pub fn init_ledger(store: &mut Store, unit: &str, scheme: &str, election: &str, law: Option<&str>) -> Result<Value> {
    let election_date = crate::validate::parse_date(election).ok_or_else(|| {
        Error::field("election_date", "is not a date (use dd/mm/yyyy)", "không phải ngày (nhập dd/mm/yyyy)")
    })?;
    let scheme: Scheme = scheme.parse()?;
    let law = law.filter(|l| !l.is_empty()).map(str::parse::<LawVersion>).transpose()?;
    let node = store.init(InitOptions { unit: unit.parse()?, scheme, election_date, law })?;
    Ok(node_json(&node))
}

/// Why an election date is most likely a typo — in the past, or more than a year ahead of
/// `today` — in English and Vietnamese; none when it looks right. A person is asked, a script
/// warned; neither is refused.
pub fn election_date_doubt(election: chrono::NaiveDate, today: chrono::NaiveDate) -> Option<(String, String)> {
    let (date, now) = (election.format("%d/%m/%Y"), today.format("%d/%m/%Y"));
    if election < today {
        Some((
            format!("the election date {date} is in the past (today is {now})"),
            format!("Ngày bầu cử {date} đã qua (hôm nay là {now})"),
        ))
    } else if (election - today).num_days() > 366 {
        Some((
            format!("the election date {date} is more than a year ahead (today is {now})"),
            format!("Ngày bầu cử {date} còn hơn một năm nữa (hôm nay là {now})"),
        ))
    } else {
        None
    }
}

/// The window's question before creating a ledger: `{ message, message_vi }`, or null.
pub fn election_date_check(election: &str, today: chrono::NaiveDate) -> Result<Value> {
    let election = crate::validate::parse_date(election).ok_or_else(|| {
        Error::field("election_date", "is not a date (use dd/mm/yyyy)", "không phải ngày (nhập dd/mm/yyyy)")
    })?;
    Ok(match election_date_doubt(election, today) {
        Some((en, vi)) => json!({"message": en, "message_vi": vi}),
        None => Value::Null,
    })
}

pub fn create_demo(store: &mut Store) -> Result<Value> {
    let node = demo::create(store, crate::today(), 2400)?;
    Ok(node_json(&node))
}

/// Every kind's description, for forms and lists.
pub fn schema() -> Value {
    let kinds: Vec<Value> = KINDS
        .iter()
        .map(|def| {
            let fields: Vec<Value> = def
                .fields
                .iter()
                .map(|f| {
                    let mut field = json!({
                        "name": f.name, "vi": f.vi, "en": f.en, "type": f.ty.name(),
                        "required": f.required, "computed": f.computed, "personal": f.personal,
                    });
                    let object = field.as_object_mut().expect("an object");
                    if let crate::kinds::FieldType::Int { min, max } = f.ty {
                        object.insert("min".into(), json!(min));
                        object.insert("max".into(), json!(max));
                    }
                    if !f.ty.choices().is_empty() {
                        object.insert("options".into(), to_value(&f.ty.choices()));
                    }
                    if let crate::kinds::FieldType::Ref(kinds) = f.ty {
                        object.insert("ref".into(), to_value(&kinds));
                    }
                    if !f.hint_vi.is_empty() {
                        object.insert("hint_vi".into(), json!(f.hint_vi));
                        object.insert("hint_en".into(), json!(f.hint_en));
                    }
                    field
                })
                .collect();
            json!({
                "kind": def.name, "vi": def.vi, "en": def.en, "group": def.group,
                "title_field": def.title_field, "list_fields": def.list_fields, "fields": fields,
            })
        })
        .collect();
    json!({"groups": to_value(&GROUPS), "kinds": kinds})
}

pub fn dashboard(store: &Store) -> Result<Value> {
    let node = store.node()?;
    let today = crate::today();
    let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, today)?;
    Ok(json!({
        "node": node_json(node),
        "today": today,
        "days_to_election": (node.election_date - today).num_days(),
        "counts": store.counts()?,
        "timeline": entries,
    }))
}

fn record_id(id: &str) -> Result<RecordId> {
    id.parse()
}

pub fn list_records(store: &Store, kind: &str, query: &ListQuery) -> Result<Value> {
    Ok(to_value(&store.list(Kind::require(kind)?, query)?))
}

pub fn get_record(store: &Store, kind: &str, id: &str) -> Result<Value> {
    store.get(Kind::require(kind)?, record_id(id)?)
}

pub fn save_record(store: &mut Store, kind: &str, id: Option<&str>, fields: &Map<String, Value>) -> Result<Value> {
    let id = id.filter(|i| !i.is_empty()).map(record_id).transpose()?;
    store.save(Kind::require(kind)?, id, fields)
}

pub fn delete_record(store: &mut Store, kind: &str, id: &str) -> Result<()> {
    store.delete(Kind::require(kind)?, record_id(id)?)
}

pub fn report(store: &Store) -> Result<Value> {
    Ok(to_value(&report::compute(&store.db(), store.node()?, crate::today())?))
}

/// The progress board ([`crate::progress::board`]) rooted at `unit`, or at the node's unit.
pub fn progress(store: &Store, unit: Option<&str>) -> Result<Value> {
    let root: Option<crate::units::UnitCode> = unit.filter(|u| !u.is_empty()).map(str::parse).transpose()?;
    let node = store.node()?;
    let now = crate::now();
    let board = crate::progress::board(&store.db(), node, root.as_ref(), now)?;
    let mut value = to_value(&board);
    // A unit with none below (a commune): its own timeline, as its ledger shows it, with the
    // records that show each milestone done (they are in this merged ledger).
    if board.units.is_empty() {
        let unit: crate::units::UnitCode = board.root.code.parse()?;
        let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &unit, now.date())?;
        value["timeline"] = to_value(&entries);
    }
    Ok(value)
}

/// Election day at a glance ([`crate::results::election_day`]): the hours, every polling area's
/// turnout reports and minutes, the units below through the day, the results.
pub fn election_day(store: &Store) -> Result<Value> {
    crate::results::election_day(&store.db(), store.node()?)
}

/// Probable duplicate voters across communes ([`crate::duplicates::find`]), surest first; with
/// `all`, pairs already decided too, each with its `decision`.
pub fn duplicates(store: &Store, all: bool) -> Result<Value> {
    let options = duplicates::Options { include_same_unit: false, include_decided: all };
    Ok(to_value(&store.duplicates(&options)?))
}

/// Decides about a pair of voters: `decision` is `keep_both`, or `removed` with the `removed`
/// voter (one of the two) and a `reason`. Returns `{ decision_id, list_change_id }`.
pub fn decide_duplicate(
    store: &mut Store,
    a: &str,
    b: &str,
    decision: &str,
    removed: Option<&str>,
    reason: Option<&str>,
) -> Result<Value> {
    let decision = match (decision, removed.filter(|r| !r.is_empty())) {
        ("keep_both", None) => duplicates::Decision::KeepBoth,
        ("removed", Some(voter)) => duplicates::Decision::Remove(record_id(voter)?),
        ("keep_both", Some(_)) => {
            return Err(Error::field(
                "removed_voter",
                "is only given when a voter is removed",
                "chỉ ghi khi xóa tên một cử tri",
            ));
        }
        ("removed", None) => {
            return Err(Error::field(
                "removed_voter",
                "is required when a voter is removed",
                "bắt buộc khi xóa tên một cử tri",
            ));
        }
        (other, _) => {
            let shown: String = other.chars().take(40).collect();
            return Err(Error::field(
                "decision",
                format!("`{shown}` is not a decision: use keep_both or removed"),
                format!("`{shown}` không phải quyết định: dùng keep_both hoặc removed"),
            ));
        }
    };
    let request = duplicates::DecideRequest {
        a: record_id(a)?,
        b: record_id(b)?,
        decision,
        reason: reason.map(str::to_string),
        on: crate::today(),
    };
    Ok(to_value(&store.decide_duplicate(&request)?))
}

/// What the window's import screen chose: the kind of the rows, values for empty fields, the
/// columns mapped to a field or left out, and whether the file is a new version of a list.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ImportChoices {
    pub kind: Option<String>,
    pub defaults: Option<Map<String, Value>>,
    pub map: std::collections::BTreeMap<String, String>,
    pub skip: Vec<String>,
    pub update: bool,
    /// Updating a list: remove the records no row matched, with this reason.
    pub remove_missing: Option<String>,
    /// The sheet row that holds the header, instead of the one found.
    pub header_row: Option<usize>,
    /// Rows left out (a person listed twice in the file).
    pub skip_lines: Vec<usize>,
}

fn import_options(choices: &ImportChoices, preview: bool) -> Result<ImportOptions> {
    let kind = Kind::require(choices.kind.as_deref().filter(|k| !k.is_empty()).unwrap_or("voter"))?;
    Ok(ImportOptions {
        kind: Some(kind),
        defaults: choices.defaults.clone().unwrap_or_default(),
        preview,
        map: choices.map.clone(),
        skip: choices.skip.clone(),
        update: choices.update,
        remove_missing: choices.remove_missing.clone().filter(|r| !r.trim().is_empty()),
        header_row: choices.header_row,
        skip_lines: choices.skip_lines.clone(),
    })
}

/// What importing a file would do, writing nothing: the records it would add, every row with a
/// problem (line, column, reason) and the probable duplicates. CSV and XLSX rows are of `kind`
/// (voters by default); `defaults` fill the fields a row leaves empty (a sheet per polling area).
pub fn import_preview(store: &mut Store, path: &str, choices: &ImportChoices) -> Result<Value> {
    let summary = transfer::import(store, &[std::path::Path::new(path)], &import_options(choices, true)?)?;
    Ok(to_value(&summary))
}

/// Imports a file, all or nothing; the summary carries the import's number for undoing it.
pub fn import_file(store: &mut Store, path: &str, choices: &ImportChoices) -> Result<Value> {
    let summary = transfer::import(store, &[std::path::Path::new(path)], &import_options(choices, false)?)?;
    Ok(to_value(&summary))
}

/// The ledger's imports, newest first.
pub fn imports(store: &Store) -> Result<Value> {
    Ok(to_value(&store.imports()?))
}

/// Undoes an import as one step; `{ undone: n }`, the records deleted.
pub fn undo_import(store: &mut Store, id: i64) -> Result<Value> {
    Ok(json!({ "undone": store.undo_import(id)? }))
}
