//! The ledger's SQLite store. All SQL of the ledger lives in this module and its children.
//!
//! Reads go through [`Db`], a view over a connection; every write goes through one function,
//! [`Writer::put`] (or [`Writer::delete`]), inside one transaction opened by [`Store::write`],
//! which also appends the change to the change log. A write that fails changes nothing.

pub mod backup;
pub mod checks;
mod lists;
pub mod queries;
mod replica;
pub mod schema;
mod users;

pub use users::{HistoryEntry, UserInfo};

pub use crate::link::ParentLink;
pub use replica::{ApplySummary, Conflict, Settlement, Side};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::access::{Action, Actor};
use crate::error::{Error, Result};
use crate::ids::{Hlc, NodeId, RecordId};
use crate::kinds::{FieldType, Kind, KindDef};
use crate::law::LawVersion;
use crate::text;
use crate::units::{Catalogue, Level, Scheme, Unit, UnitCode};
use crate::validate::{self, Context, Fields, Lookup, PartialDate};
use crate::vault::{self, Credentials};

/// What a ledger is for: one unit, one scheme, one election.
#[derive(Debug, Clone, Serialize)]
pub struct NodeInfo {
    pub node_id: NodeId,
    pub unit: UnitCode,
    pub scheme: Scheme,
    pub election_date: NaiveDate,
    pub law: LawVersion,
    pub created_at: String,
}

impl NodeInfo {
    pub fn catalogue(&self) -> &'static Catalogue {
        Catalogue::get(self.scheme)
    }
    pub fn unit(&self) -> &'static Unit {
        self.catalogue().unit(&self.unit).expect("a node's unit exists in its scheme")
    }
}

/// The choices made at `init`.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub unit: UnitCode,
    pub scheme: Scheme,
    pub election_date: NaiveDate,
    /// The law version; by default the one in force on the election date.
    pub law: Option<LawVersion>,
}

/// One import of files, as remembered for undoing it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub at: String,
    pub files: String,
    pub records: i64,
    pub undone_at: Option<String>,
}

/// A page of a list.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Words that must all appear (marks, case and đ/d ignored).
    pub q: Option<String>,
    /// Only records of this unit or below it.
    pub unit: Option<String>,
    /// Exact field values, e.g. `polling_area` = an id.
    #[serde(rename = "where")]
    pub filter: BTreeMap<String, String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    pub total: u64,
    pub rows: Vec<Value>,
}

/// A field an update would change: its value before and after (None: empty).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// One record as stored.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: RecordId,
    pub kind: Kind,
    pub unit: UnitCode,
    pub fields: Fields,
    pub deleted: bool,
    pub updated_at: String,
    pub updated_by: String,
}

/// An open ledger file.
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    node: Option<NodeInfo>,
    /// Each kind's list in order, read once and kept while the change log stays where it was.
    lists: std::cell::RefCell<std::collections::HashMap<Kind, lists::ListIndex>>,
    /// Who opened the ledger: the author of every change written through this store, and
    /// what it may do.
    actor: Actor,
    /// The file's key (the file is encrypted at rest: [`crate::vault`]).
    key: vault::FileKey,
    /// A file without encryption (benchmarks only: [`Store::open_unencrypted`]).
    plain: bool,
}

/// Whether a ledger (its file or its keyring) exists in `dir`.
pub fn exists(dir: &Path) -> bool {
    vault::exists(&dir.join(crate::LEDGER_FILE))
}

/// The settings of every connection to a ledger.
fn configure(conn: &mut Connection) -> Result<()> {
    // Another process (the CLI beside the desktop app) may hold the file: wait for it, and
    // take the write lock when a transaction begins, so no read-then-write can fail as busy.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Positions, acknowledgements and counters must survive a power cut: a commit is on the
    // disk when it returns (with WAL, NORMAL could lose the last commits, and a peer would
    // then hold acknowledgements this file no longer remembers).
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A list of 100,000 voters and its indexes are some 100 MB: a page cache of 64 MiB and
    // the file mapped keep an import and a walk through the list off the disk. (SQLCipher
    // decrypts pages into the cache; the map is of encrypted pages and unused by it.)
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The name of the first user of a ledger created without one.
pub const FIRST_USER: &str = "chair";

impl Store {
    /// Opens the ledger in `dir` with `credentials`, creating it (and its keyring, with the
    /// user named as its chair) if there is none, or encrypting a plain ledger of an earlier
    /// version; brings its schema up to date. A wrong or missing passphrase changes nothing.
    pub fn open(dir: &Path, credentials: &Credentials) -> Result<Store> {
        let opened = vault::open(&dir.join(crate::LEDGER_FILE), credentials, FIRST_USER)?;
        let mut conn = opened.conn;
        configure(&mut conn)?;
        schema::migrate(&mut conn)?;
        let actor = users::actor(&conn, &opened.user)?;
        let node = Db(&conn).node()?;
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            node,
            lists: Default::default(),
            actor,
            key: opened.key,
            plain: false,
        })
    }

    /// Benchmarks only (the core's `unencrypted` feature, which only `crates/bench` enables): a
    /// ledger file without encryption, to measure what encryption costs beside it.
    #[cfg(feature = "unencrypted")]
    pub fn open_unencrypted(dir: &Path) -> Result<Store> {
        vault::create_private_dir(dir)?;
        let mut conn = Connection::open(dir.join(crate::LEDGER_FILE))?;
        configure(&mut conn)?;
        schema::migrate(&mut conn)?;
        let actor = users::actor(&conn, FIRST_USER)?;
        let node = Db(&conn).node()?;
        let key = vault::FileKey::random();
        Ok(Store { conn, dir: dir.to_path_buf(), node, lists: Default::default(), actor, key, plain: true })
    }

    /// Opens a ledger that must already exist.
    pub fn open_existing(dir: &Path, credentials: &Credentials) -> Result<Store> {
        if !exists(dir) {
            return Err(Error::NotInitialized(dir.display().to_string()));
        }
        let store = Store::open(dir, credentials)?;
        store.node()?;
        Ok(store)
    }

    /// A second connection to the same ledger, for the same user (no passphrase asked again).
    pub fn reopen(&self) -> Result<Store> {
        let path = self.dir.join(crate::LEDGER_FILE);
        let mut conn = if self.plain { Connection::open(&path)? } else { vault::connect(&path, &self.key)? };
        configure(&mut conn)?;
        let node = Db(&conn).node()?;
        Ok(Store {
            conn,
            dir: self.dir.clone(),
            node,
            lists: Default::default(),
            actor: self.actor.clone(),
            key: self.key.clone(),
            plain: self.plain,
        })
    }

    /// A second connection that acts for the node itself, whoever opened the ledger: the
    /// desktop app's background sync, so a member's records reach the hub without waiting for
    /// the secretary. It writes no record.
    pub fn reopen_for_background_sync(&self) -> Result<Store> {
        let mut store = self.reopen()?;
        store.actor = Actor { name: self.actor.name.clone(), role: crate::access::Role::Secretary };
        Ok(store)
    }

    /// Who opened this ledger.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Refuses `action` unless the user who opened the ledger may do it.
    pub fn require(&self, action: Action) -> Result<()> {
        self.actor.require(action)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_initialized(&self) -> bool {
        self.node.is_some()
    }

    pub fn node(&self) -> Result<&NodeInfo> {
        self.node.as_ref().ok_or_else(|| Error::NotInitialized(self.dir.display().to_string()))
    }

    /// A read view of the ledger.
    pub fn db(&self) -> Db<'_> {
        Db(&self.conn)
    }

    /// Makes this ledger the node of one unit for one election.
    pub fn init(&mut self, options: InitOptions) -> Result<NodeInfo> {
        if self.node.is_some() {
            return Err(Error::AlreadyInitialized(self.dir.display().to_string()));
        }
        let catalogue = Catalogue::get(options.scheme);
        let unit = catalogue.require(&options.unit)?;
        // A ledger keeps its province's units; a national ledger (the country, `0`) keeps every
        // province's, each province at the top (the country is no row: it holds no records).
        let top = match catalogue.ancestor_at(&unit.code, Level::Province) {
            Some(province) => province.code.clone(),
            None => unit.code.clone(),
        };
        let node = NodeInfo {
            node_id: NodeId::random(),
            unit: unit.code.clone(),
            scheme: options.scheme,
            election_date: options.election_date,
            law: options.law.unwrap_or_else(|| LawVersion::in_force_on(options.election_date)),
            created_at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        };
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx
                .prepare("INSERT INTO units (code, level, name, type, parent, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
            let mut units = catalogue.subtree(&top);
            units.retain(|u| u.level != Level::Country);
            units.sort_by_key(|u| u.level);
            for u in units {
                insert.execute(params![
                    u.code.as_str(),
                    u.level.as_str(),
                    u.name,
                    u.unit_type,
                    // The ledger's units start at its province.
                    u.parent.as_ref().map(UnitCode::as_str).filter(|_| u.level != Level::Province),
                    u.path
                ])?;
            }
            tx.execute(
                "INSERT INTO node (singleton, node_id, unit, scheme, election_date, law, created_at, secret_key)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    node.node_id.to_string(),
                    node.unit.as_str(),
                    node.scheme.as_str(),
                    node.election_date.format("%Y-%m-%d").to_string(),
                    node.law.as_str(),
                    node.created_at,
                    replica::new_secret_hex()
                ],
            )?;
        }
        tx.commit()?;
        self.node = Some(node.clone());
        Ok(node)
    }

    /// Runs `f` in one transaction: everything it wrote lands together, or nothing does.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.actor.require(Action::Write)?;
        let node = self.node()?.clone();
        let node_text = node.node_id.to_string();
        if replica::parked_count(&self.conn)? > 0 {
            return Err(Error::input(
                "this ledger is taking back from its hub the changes it had sent before it was restored from an older copy: sync it, then try again",
                "sổ đang nhận lại từ máy chủ các thay đổi đã gửi trước khi sổ được khôi phục từ bản sao cũ: hãy đồng bộ rồi thử lại",
            ));
        }
        let tx = self.conn.transaction()?;
        let (counter, hlc, seq) = tx.query_row("SELECT next_counter, last_hlc, last_seq FROM node", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut writer = Writer {
            tx,
            node,
            next_counter: counter as u64,
            hlc: Hlc(hlc as u64),
            seq: seq as u64,
            lookups: LookupCache::default(),
            now: crate::now(),
            origin: node_text,
            author: self.actor.name.clone(),
            statements: std::collections::HashMap::new(),
            chains: std::collections::HashMap::new(),
        };
        let out = f(&mut writer)?;
        writer.tx.execute(
            "UPDATE node SET next_counter = ?1, last_hlc = ?2, last_seq = ?3",
            params![writer.next_counter as i64, writer.hlc.0 as i64, writer.seq as i64],
        )?;
        writer.tx.commit()?;
        Ok(out)
    }

    /// Creates (`id` None) or updates a record from form input; returns it as the UI shows it.
    pub fn save(&mut self, kind: Kind, id: Option<RecordId>, input: &Map<String, Value>) -> Result<Value> {
        let row = self.write(|w| match id {
            Some(id) => w.put(kind, Put::Update(id), None, input),
            None => w.put(kind, Put::Create(None), None, input),
        })?;
        self.db().row_json(&row)
    }

    /// Writes this ledger's figures again if they changed since it last published them
    /// ([`crate::figures`]); a sync and a bundle do it first. Returns whether a change was
    /// written. A national ledger publishes none, nor does one its user may not write in, nor
    /// one taking back its changes after a restore.
    pub fn publish_figures(&mut self) -> Result<bool> {
        let node = self.node()?.clone();
        if node.unit().level == Level::Country
            || self.actor.require(Action::Write).is_err()
            || replica::parked_count(&self.conn)? > 0
        {
            return Ok(false);
        }
        let own = self
            .db()
            .all_rows(Kind::Figures)?
            .into_iter()
            .find(|r| r.id.node == node.node_id && r.unit == node.unit)
            .map(|r| (r.id, r.updated_at));
        let row = self.write(|w| match &own {
            Some((id, _)) => w.put(Kind::Figures, Put::Update(*id), None, &Map::new()),
            None => w.put(Kind::Figures, Put::Create(None), None, &Map::new()),
        })?;
        Ok(own.is_none_or(|(_, at)| at != row.updated_at))
    }

    pub fn delete(&mut self, kind: Kind, id: RecordId) -> Result<()> {
        self.write(|w| w.delete(kind, id, None))
    }

    /// Deletes a record, saying why (the reason travels with the deletion and its history
    /// shows it). A voter is not deleted but removed from the list, the legal way: a voter-list
    /// change `removed` with the reason, dated today.
    pub fn delete_because(&mut self, kind: Kind, id: RecordId, reason: &str) -> Result<Value> {
        let reason = text::clean(reason);
        if reason.is_empty() {
            return Err(Error::field("reason", "a deletion says why", "phải ghi lý do xóa"));
        }
        if kind == Kind::Voter {
            let mut input = Map::new();
            input.insert("voter".into(), Value::String(id.to_string()));
            input.insert("change".into(), Value::String("removed".into()));
            input.insert("changed_on".into(), Value::String(crate::today().format("%Y-%m-%d").to_string()));
            input.insert("reason".into(), Value::String(reason));
            return self.save(Kind::ListChange, None, &input);
        }
        self.write(|w| w.delete(kind, id, Some(&reason)))?;
        Ok(serde_json::json!({"deleted": id.to_string()}))
    }

    /// The bin ("Thùng rác"): every deleted record of `kind` (or of every kind), the latest
    /// first: kind, id, unit, title, when, and the reason its deletion gave.
    pub fn deleted(&self, kind: Option<Kind>) -> Result<Vec<Value>> {
        let db = self.db();
        let mut out = Vec::new();
        for kind in Kind::ALL.into_iter().filter(|k| kind.is_none_or(|want| want == *k)) {
            let def = kind.def();
            for row in db.deleted_rows(kind)? {
                let title = row.fields.get(def.title_field).and_then(Value::as_str).unwrap_or_default().to_string();
                let reason = self.history(kind, row.id)?.into_iter().rev().find_map(|h| {
                    h.fields.get("_deleted").filter(|v| **v == Value::Bool(true))?;
                    h.fields.get("_reason").and_then(Value::as_str).map(str::to_string)
                });
                let unit_name = self.node()?.catalogue().unit(&row.unit).map(|u| u.name.clone());
                out.push(serde_json::json!({"kind": def.name, "id": row.id.to_string(), "unit": row.unit.to_string(),
                    "unit_name": unit_name, "title": title, "deleted_at": row.updated_at, "reason": reason}));
            }
        }
        out.sort_by(|a, b| b["deleted_at"].as_str().cmp(&a["deleted_at"].as_str()));
        Ok(out)
    }

    /// Brings a deleted record back from the bin (a change like any other, so it syncs).
    pub fn undelete(&mut self, kind: Kind, id: RecordId) -> Result<Value> {
        self.write(|w| w.undelete(kind, id))?;
        self.get(kind, id)
    }

    pub fn get(&self, kind: Kind, id: RecordId) -> Result<Value> {
        let db = self.db();
        let row = db.row(kind, &id)?.filter(|r| !r.deleted).ok_or_else(|| not_found(kind, &id))?;
        db.row_json(&row)
    }

    /// A page of a list, from the list's in-memory index ([`lists`]); a list filtered by field
    /// values is read with SQL.
    pub fn list(&self, kind: Kind, query: &ListQuery) -> Result<Page> {
        if !query.filter.is_empty() {
            return self.db().list(kind, query);
        }
        let db = self.db();
        let words: Vec<String> = query
            .q
            .as_deref()
            .map(|q| text::fold(q).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let limit = query.limit.unwrap_or(100).min(10_000) as usize;
        let offset = query.offset.unwrap_or(0).min(usize::MAX as u64) as usize;
        let stamp = lists::log_stamp(&self.conn)?;
        let mut indexes = self.lists.borrow_mut();
        let current = match indexes.get_mut(&kind) {
            Some(index) if index.stamp() == stamp => Ok(true),
            // Brought up to date from what was written since it was read.
            Some(index) => index.refresh(&self.conn, kind),
            None => Ok(false),
        };
        if !matches!(current, Ok(true)) {
            indexes.remove(&kind);
            current?;
            // The top of a list, unsearched, reads quicker from the ordered SQL index than the
            // whole list does into memory: the list opens at once, and the index is read when
            // a search or a page far down needs it.
            if words.is_empty() && offset + limit <= SHALLOW_ROWS {
                return db.list(kind, query);
            }
            indexes.insert(kind, lists::ListIndex::read(&self.conn, kind, stamp)?);
        }
        let index = &indexes[&kind];
        let units = match query.unit.as_deref().filter(|u| !u.is_empty()) {
            Some(unit) => Some(db.subtree(unit)?),
            None => None,
        };
        let (total, rowids) = index.page(&words, units.as_ref(), offset, limit);
        let mut rows = Vec::with_capacity(rowids.len());
        for rowid in rowids {
            if let Some(row) = db.row_at(kind, rowid)? {
                rows.push(db.row_json(&row)?);
            }
        }
        Ok(Page { total: total as u64, rows })
    }

    /// The imports of this ledger, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        let mut stmt = self.conn.prepare("SELECT id, at, files, records, undone_at FROM imports ORDER BY id DESC")?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                at: r.get(1)?,
                files: r.get(2)?,
                records: r.get(3)?,
                undone_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Undoes an import as one step: every record it created that is still live is deleted
    /// (tombstones that sync like any deletion). Returns how many.
    pub fn undo_import(&mut self, import_id: i64) -> Result<usize> {
        self.actor.require(Action::Import)?;
        let undone: Option<Option<String>> =
            self.conn.query_row("SELECT undone_at FROM imports WHERE id = ?1", [import_id], |r| r.get(0)).optional()?;
        match undone {
            None => {
                return Err(Error::not_found(
                    format!("no import number {import_id}"),
                    format!("không có lần nhập số {import_id}"),
                ));
            }
            Some(Some(at)) => {
                return Err(Error::input(
                    format!("import {import_id} was already undone ({at})"),
                    format!("lần nhập {import_id} đã được hoàn tác ({at})"),
                ));
            }
            Some(None) => {}
        }
        let records: Vec<(String, String)> = self
            .conn
            .prepare("SELECT kind, record_id FROM import_records WHERE import_id = ?1 ORDER BY record_id")?
            .query_map([import_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let updates: Vec<(String, String, String)> = self
            .conn
            .prepare("SELECT kind, record_id, previous FROM import_updates WHERE import_id = ?1 ORDER BY record_id")?
            .query_map([import_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let reason = format!("hoàn tác lần nhập số {import_id}");
        self.write(|w| {
            let mut count = 0;
            for (kind, id) in &records {
                let (Some(kind), Ok(id)) = (Kind::parse(kind), id.parse::<RecordId>()) else { continue };
                if w.db().row(kind, &id)?.is_some_and(|r| !r.deleted) {
                    w.delete(kind, id, Some(&reason))?;
                    count += 1;
                }
            }
            // What an update of a list changed goes back to what it was.
            for (kind, id, previous) in &updates {
                let (Some(kind), Ok(id)) = (Kind::parse(kind), id.parse::<RecordId>()) else { continue };
                let mut previous: Map<String, Value> = serde_json::from_str(previous).unwrap_or_default();
                if previous.remove("_deleted").is_some() {
                    if w.db().row(kind, &id)?.is_some_and(|r| r.deleted) {
                        w.undelete(kind, id)?;
                    }
                } else if !previous.is_empty() && w.db().row(kind, &id)?.is_some_and(|r| !r.deleted) {
                    w.put(kind, Put::Update(id), None, &previous)?;
                }
                count += 1;
            }
            w.tx.execute(
                "UPDATE imports SET undone_at = ?2 WHERE id = ?1",
                params![import_id, Utc::now().to_rfc3339()],
            )?;
            Ok(count)
        })
    }

    /// Live records of each kind.
    pub fn counts(&self) -> Result<BTreeMap<&'static str, i64>> {
        let mut counts = BTreeMap::new();
        for kind in Kind::ALL {
            let n: i64 =
                self.conn.query_row(&format!("SELECT count(*) FROM {} WHERE deleted = 0", kind.as_str()), [], |r| {
                    r.get(0)
                })?;
            counts.insert(kind.as_str(), n);
        }
        Ok(counts)
    }
}

/// How far down a list its pages are read with SQL while its in-memory index is not read yet.
const SHALLOW_ROWS: usize = 2_000;

pub(crate) fn not_found(kind: Kind, id: &RecordId) -> Error {
    Error::not_found(
        format!("no {} with id {id}", kind.as_str()),
        format!("không có bản ghi {} mã {id}", kind.def().vi),
    )
}

/// How [`Writer::put`] treats the id.
#[derive(Debug, Clone, Copy)]
pub enum Put {
    /// A new record: with a fresh id, or with the given one (an import), which must be unused.
    Create(Option<RecordId>),
    /// An existing live record.
    Update(RecordId),
}

/// The one way records are written; lives for one transaction.
pub struct Writer<'c> {
    tx: Transaction<'c>,
    node: NodeInfo,
    next_counter: u64,
    hlc: Hlc,
    seq: u64,
    /// What references resolved to in this transaction (an import of 100,000 voters names the
    /// same few polling areas 100,000 times). Emptied for a kind whenever one of its records
    /// is written.
    lookups: LookupCache,
    /// The time the transaction began: the "now" of every rule it checks.
    now: chrono::NaiveDateTime,
    /// This node's id as text: the origin of every change it writes.
    origin: String,
    /// The user who writes: the author of every change.
    author: String,
    /// The INSERT and UPDATE of each kind's rows, built once per transaction.
    statements: std::collections::HashMap<(Kind, bool), String>,
    /// The heads of this node's chains by (unit, stream), as the transaction moves them.
    chains: std::collections::HashMap<(UnitCode, u8), crate::log::ChainHead>,
}

/// Cached lookups by (kinds, key).
type Cached<K, V> = std::cell::RefCell<std::collections::HashMap<(Vec<Kind>, K), V>>;

#[derive(Default)]
struct LookupCache {
    by_title: Cached<String, Vec<RecordId>>,
    by_id: Cached<RecordId, Option<(Kind, Fields)>>,
    /// The kinds some cached answer is about (a voter written forgets nothing about areas).
    kinds: std::cell::RefCell<std::collections::HashSet<Kind>>,
}

impl LookupCache {
    fn forget(&self, kind: Kind) {
        if !self.kinds.borrow_mut().remove(&kind) {
            return;
        }
        self.by_title.borrow_mut().retain(|(kinds, _), _| !kinds.contains(&kind));
        self.by_id.borrow_mut().retain(|(kinds, _), _| !kinds.contains(&kind));
    }

    fn remember_kinds(&self, kinds: &[Kind]) {
        self.kinds.borrow_mut().extend(kinds.iter().copied());
    }
}

/// A [`Db`] that remembers what references resolved to.
struct CachedLookup<'a> {
    db: Db<'a>,
    cache: &'a LookupCache,
}

impl Lookup for CachedLookup<'_> {
    fn find(&self, id: &RecordId, kinds: &[Kind]) -> Result<Option<(Kind, Fields)>> {
        let key = (kinds.to_vec(), *id);
        if let Some(found) = self.cache.by_id.borrow().get(&key) {
            return Ok(found.clone());
        }
        let found = self.db.find(id, kinds)?;
        self.cache.remember_kinds(kinds);
        self.cache.by_id.borrow_mut().insert(key, found.clone());
        Ok(found)
    }

    fn find_by_title(&self, kinds: &[Kind], title: &str) -> Result<Vec<RecordId>> {
        let key = (kinds.to_vec(), title.to_string());
        if let Some(found) = self.cache.by_title.borrow().get(&key) {
            return Ok(found.clone());
        }
        let found = self.db.find_by_title(kinds, title)?;
        self.cache.remember_kinds(kinds);
        self.cache.by_title.borrow_mut().insert(key, found.clone());
        Ok(found)
    }

    fn matching(&self, kind: Kind, conditions: &[(&str, &str)]) -> Result<Vec<(RecordId, Fields)>> {
        self.db.matching(kind, conditions)
    }
}

impl Writer<'_> {
    pub fn node(&self) -> &NodeInfo {
        &self.node
    }

    pub fn db(&self) -> Db<'_> {
        Db(&self.tx)
    }

    fn context<'a>(&self, lookup: &'a CachedLookup<'a>) -> Context<'a> {
        Context {
            law: self.node.law,
            scheme: self.node.scheme,
            election: self.node.election_date,
            now: self.now,
            lookup,
            settling: false,
            record: None,
        }
    }

    /// Checks that a unit exists and lies within this node's scope.
    pub fn check_unit(&self, code: &UnitCode) -> Result<()> {
        let catalogue = self.node.catalogue();
        catalogue.require(code)?;
        if !catalogue.is_within(code, &self.node.unit) {
            return Err(Error::scope(
                format!("unit {code} is outside this ledger's unit {}", self.node.unit),
                format!("đơn vị {code} nằm ngoài phạm vi của sổ ({})", self.node.unit),
            ));
        }
        Ok(())
    }

    /// Validates `input` and writes it as a new or changed record, appending the change to the
    /// change log; `unit` defaults to the record's current unit, then to the node's.
    pub fn put(&mut self, kind: Kind, mode: Put, unit: Option<UnitCode>, input: &Map<String, Value>) -> Result<Row> {
        self.put_seeing(kind, mode, unit, input, None)
    }

    /// [`Writer::put`], also naming, per field, clocks of values the writer settled (the losing
    /// sides of a conflict it resolved): they join the change's bases.
    pub(crate) fn put_seeing(
        &mut self,
        kind: Kind,
        mode: Put,
        unit: Option<UnitCode>,
        input: &Map<String, Value>,
        extra_bases: Option<Vec<(String, Vec<u64>)>>,
    ) -> Result<Row> {
        let def = kind.def();
        let existing = match mode {
            Put::Create(Some(id)) => {
                if self.db().any_row(&id)? {
                    return Err(Error::input(
                        format!("duplicate id {id}: a record with this id already exists"),
                        format!("trùng mã {id}: đã có bản ghi mang mã này"),
                    ));
                }
                // Only the node that made an id may create a record under it: another node's
                // id for a record this ledger does not hold would take over that record
                // wherever the two meet.
                if id.node != self.node.node_id {
                    return Err(Error::input(
                        format!(
                            "id {id} was made by another node and this ledger holds no record under it: leave `id` empty to create a new record"
                        ),
                        format!(
                            "mã {id} do máy khác tạo và sổ này không có bản ghi mang mã đó: để trống cột `id` để tạo bản ghi mới"
                        ),
                    ));
                }
                self.next_counter = self.next_counter.max(id.counter.saturating_add(1));
                None
            }
            Put::Create(None) => None,
            Put::Update(id) => {
                Some(self.db().row(kind, &id)?.filter(|r| !r.deleted).ok_or_else(|| not_found(kind, &id))?)
            }
        };
        if let (Some(row), Some(asked)) = (&existing, &unit)
            && row.unit != *asked
        {
            return Err(Error::input(
                format!(
                    "record {} belongs to unit {} for good: a record's unit never changes (delete it and create it again in unit {asked})",
                    row.id, row.unit
                ),
                format!(
                    "bản ghi {} thuộc đơn vị {}: không đổi được đơn vị của bản ghi (hãy xóa rồi tạo lại ở đơn vị {asked})",
                    row.id, row.unit
                ),
            ));
        }
        let unit = unit.or_else(|| existing.as_ref().map(|r| r.unit.clone())).unwrap_or_else(|| self.node.unit.clone());
        self.check_unit(&unit)?;
        if self.node.catalogue().unit(&unit).is_some_and(|u| u.level == Level::Country) {
            return Err(Error::input(
                "a national ledger keeps no records of its own: it reads the figures each province's ledgers publish",
                "sổ cả nước không ghi bản ghi riêng: sổ đọc số liệu sổ các tỉnh gửi lên",
            ));
        }
        let empty = Fields::new();
        let base = existing.as_ref().map(|r| &r.fields).unwrap_or(&empty);
        let mut fields = {
            let lookup = CachedLookup { db: self.db(), cache: &self.lookups };
            let mut ctx = self.context(&lookup);
            ctx.settling = extra_bases.is_some();
            ctx.record = existing.as_ref().map(|r| r.id);
            validate::parse_fields(def, base, input, &ctx).map_err(Error::Validation)?
        };
        // A board's result minutes hold what was computed from the teams' minutes when it
        // confirmed them (never typed twice).
        if kind == Kind::UnitResult && extra_bases.is_none() {
            crate::results::confirm(&self.db(), &self.node, &mut fields)?;
        }
        // The figures a ledger publishes are its report's, never typed.
        if kind == Kind::Figures {
            crate::figures::fill(&self.db(), &self.node, crate::today(), base, &mut fields)?;
        }
        self.lookups.forget(kind);

        let mut changed = Map::new();
        for fd in def.fields {
            let new = fields.get(fd.name);
            if new != base.get(fd.name) {
                changed.insert(fd.name.to_string(), new.cloned().unwrap_or(Value::Null));
            }
        }
        if existing.as_ref().is_none_or(|r| r.unit != unit) {
            changed.insert("unit".to_string(), Value::String(unit.to_string()));
        }
        for (field, _) in extra_bases.iter().flatten() {
            if !changed.contains_key(field) {
                changed.insert(field.clone(), fields.get(field.as_str()).cloned().unwrap_or(Value::Null));
            }
        }
        if let Some(row) = &existing
            && changed.is_empty()
            && extra_bases.is_none()
        {
            return Ok(row.clone());
        }

        let id = match (mode, &existing) {
            (Put::Update(id), _) | (Put::Create(Some(id)), _) => id,
            (Put::Create(None), _) => {
                let id = RecordId { node: self.node.node_id, counter: self.next_counter };
                self.next_counter += 1;
                id
            }
        };
        self.hlc = Hlc::tick(self.hlc, now_millis());
        let stamp = stamp_of(self.hlc);
        let row =
            Row { id, kind, unit, fields, deleted: false, updated_at: stamp.clone(), updated_by: self.origin.clone() };
        self.store_row(def, &row, existing.is_none())?;
        let mut bases = match &existing {
            None => None,
            Some(_) => Some(self.db().field_clocks(&id, changed.keys())?),
        };
        if let Some(extra) = extra_bases {
            let bases = bases.get_or_insert_with(Map::new);
            for (field, clocks) in extra {
                let list = bases.entry(field).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.extend(clocks.into_iter().map(Value::from));
                }
            }
        }
        let unit = row.unit.clone();
        self.log(kind, &id, &unit, changed, bases)?;
        if kind == Kind::ListChange && existing.is_none() {
            self.apply_list_change(&row)?;
        }
        Ok(row)
    }

    /// What a new voter-list change does to its voter: removed or votes elsewhere changes the
    /// voter's standing, moved changes the polling area, added lists the voter again. The
    /// voter's own change syncs like any other; the list change stays as the history.
    fn apply_list_change(&mut self, change: &Row) -> Result<()> {
        let text = |name: &str| change.fields.get(name).and_then(Value::as_str).map(str::to_string);
        let Some(voter) = text("voter").and_then(|v| v.parse::<RecordId>().ok()) else { return Ok(()) };
        let mut input = Map::new();
        match text("change").as_deref() {
            Some("removed") => input.insert("list_status".into(), Value::String("removed".into())),
            Some("votes_elsewhere") => input.insert("list_status".into(), Value::String("votes_elsewhere".into())),
            Some("added") => input.insert("list_status".into(), Value::String("listed".into())),
            Some("moved") => {
                input.insert("polling_area".into(), text("to_polling_area").map(Value::String).unwrap_or(Value::Null))
            }
            _ => None,
        };
        self.put(Kind::Voter, Put::Update(voter), None, &input).map(|_| ())
    }

    /// Remembers an import and the records it created; returns its number.
    /// The canonical values `input` would give a new record of `kind`, leniently (fields it
    /// lacks and the rules across fields not judged): for matching rows to records.
    pub fn canonical(&mut self, kind: Kind, input: &Map<String, Value>) -> Fields {
        let lookup = CachedLookup { db: self.db(), cache: &self.lookups };
        let mut ctx = self.context(&lookup);
        ctx.settling = true;
        let mut fields = validate::parse_fields(kind.def(), &Fields::new(), input, &ctx).unwrap_or_default();
        fields.retain(|name, _| input.contains_key(*name));
        fields
    }

    /// The fields `input` would change in record `id`, before and after, writing nothing (an
    /// error when the record as updated would be invalid).
    pub fn changes(&mut self, kind: Kind, id: RecordId, input: &Map<String, Value>) -> Result<Vec<FieldChange>> {
        let def = kind.def();
        let row = self.db().row(kind, &id)?.filter(|r| !r.deleted).ok_or_else(|| not_found(kind, &id))?;
        let lookup = CachedLookup { db: self.db(), cache: &self.lookups };
        let ctx = self.context(&lookup);
        let after = validate::parse_fields(def, &row.fields, input, &ctx).map_err(Error::Validation)?;
        Ok(def
            .fields
            .iter()
            .filter(|f| !f.computed && input.contains_key(f.name))
            .filter(|f| row.fields.get(f.name) != after.get(f.name))
            .map(|f| FieldChange {
                field: f.name.to_string(),
                old: row.fields.get(f.name).cloned(),
                new: after.get(f.name).cloned(),
            })
            .collect())
    }

    /// Remembers what an import changed in a record (its previous values), to undo it.
    pub fn record_update(
        &mut self,
        import: i64,
        kind: Kind,
        id: RecordId,
        previous: &Map<String, Value>,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR REPLACE INTO import_updates (import_id, kind, record_id, previous) VALUES (?1, ?2, ?3, ?4)",
            params![import, kind.as_str(), id.to_string(), Value::Object(previous.clone()).to_string()],
        )?;
        Ok(())
    }

    /// Brings a deleted record back (an import undone that had removed it).
    pub fn undelete(&mut self, kind: Kind, id: RecordId) -> Result<()> {
        self.lookups.forget(kind);
        let row = self.db().row(kind, &id)?.filter(|r| r.deleted).ok_or_else(|| not_found(kind, &id))?;
        self.check_unit(&row.unit)?;
        self.hlc = Hlc::tick(self.hlc, now_millis());
        self.tx.execute(
            &format!("UPDATE {} SET deleted = 0, updated_at = ?2, updated_by = ?3 WHERE id = ?1", kind.as_str()),
            params![id.to_string(), stamp_of(self.hlc), self.origin],
        )?;
        let mut changed = Map::new();
        changed.insert("_deleted".to_string(), Value::Bool(false));
        let bases = self.db().field_clocks(&id, changed.keys())?;
        self.log(kind, &id, &row.unit, changed, Some(bases))
    }

    pub fn record_import(&mut self, files: &[&str], records: &[(Kind, RecordId)]) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO imports (at, files, records) VALUES (?1, ?2, ?3)",
            params![Utc::now().to_rfc3339(), files.join("\n"), records.len() as i64],
        )?;
        let id = self.tx.last_insert_rowid();
        // One statement per kind over a JSON array of ids, not one per record.
        let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for (kind, record) in records {
            by_kind.entry(*kind).or_default().push(record.to_string());
        }
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO import_records (import_id, kind, record_id) SELECT ?1, ?2, value FROM json_each(?3)",
        )?;
        for (kind, ids) in by_kind {
            insert.execute(params![id, kind.as_str(), Value::from(ids).to_string()])?;
        }
        Ok(id)
    }

    /// Marks a record deleted (a tombstone: the row stays, and the deletion syncs).
    pub fn delete(&mut self, kind: Kind, id: RecordId, reason: Option<&str>) -> Result<()> {
        self.lookups.forget(kind);
        let row = self.db().row(kind, &id)?.filter(|r| !r.deleted).ok_or_else(|| not_found(kind, &id))?;
        self.check_unit(&row.unit)?;
        self.hlc = Hlc::tick(self.hlc, now_millis());
        self.tx.execute(
            &format!("UPDATE {} SET deleted = 1, updated_at = ?2, updated_by = ?3 WHERE id = ?1", kind.as_str()),
            params![id.to_string(), stamp_of(self.hlc), self.origin],
        )?;
        let mut changed = Map::new();
        changed.insert("_deleted".to_string(), Value::Bool(true));
        let bases = self.db().field_clocks(&id, changed.keys())?;
        if let Some(reason) = reason {
            changed.insert("_reason".to_string(), Value::String(reason.chars().take(500).collect()));
        }
        self.log(kind, &id, &row.unit, changed, Some(bases))
    }

    fn store_row(&mut self, def: &KindDef, row: &Row, insert: bool) -> Result<()> {
        let mode = if insert { RowWrite::Insert } else { RowWrite::Update };
        let values = RowValues {
            id: &row.id.to_string(),
            unit: row.unit.as_str(),
            deleted: false,
            created_at: insert.then(|| row.updated_at.clone()),
            updated_at: &row.updated_at,
            updated_by: &row.updated_by,
            fields: &row.fields,
        };
        let sql = self.statements.entry((def.kind, insert)).or_insert_with(|| row_sql(def, mode));
        self.tx.prepare_cached(sql)?.execute(rusqlite::params_from_iter(row_params(def, &values)))?;
        Ok(())
    }

    fn log(
        &mut self,
        kind: Kind,
        id: &RecordId,
        unit: &UnitCode,
        changed: Map<String, Value>,
        bases: Option<Map<String, Value>>,
    ) -> Result<()> {
        self.seq += 1;
        // Only a change to an existing record (it has bases) can touch a conflict.
        let bases_present = bases.is_some();
        let bases = bases.unwrap_or_default();
        let mut change = crate::log::change_from_maps(
            self.node.node_id,
            self.seq,
            *id,
            kind.as_str().to_string(),
            unit.to_string(),
            self.hlc.0,
            &changed,
            &bases,
        );
        change.author = Some(self.author.clone());
        let stream = kind.stream();
        let previous = match self.chains.get(&(unit.clone(), stream)) {
            Some(head) => *head,
            None => crate::log::chain_head(&self.tx, self.node.node_id, unit.as_str(), stream)?,
        };
        let head = previous.next(&change);
        self.chains.insert((unit.clone(), stream), head);
        self.tx
            .prepare_cached(
                "INSERT INTO changes (origin, seq, record_id, kind, unit, hlc, fields, bases, stream, chain_n, chain_hash, author)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                self.origin,
                self.seq as i64,
                id.to_string(),
                kind.as_str(),
                unit.as_str(),
                self.hlc.0 as i64,
                Value::Object(changed).to_string(),
                bases_present.then(|| Value::Object(bases).to_string()),
                stream,
                head.length as i64,
                head.hash.to_vec(),
                self.author,
            ])?;
        if bases_present
            && (replica::has_conflicts(&self.tx, id)? || replica::has_changes_of_others(&self.tx, id, &self.origin)?)
        {
            replica::recompute_conflicts(&self.tx, kind, id)?;
        }
        Ok(())
    }
}

pub(crate) fn now_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub(crate) fn stamp_of(hlc: Hlc) -> String {
    use chrono::{Datelike, Timelike};
    Utc.timestamp_millis_opt(hlc.millis() as i64)
        .single()
        .map(|t| {
            // As `%Y-%m-%dT%H:%M:%S%.3fZ`, without parsing a format for every record written.
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.timestamp_subsec_millis()
            )
        })
        .unwrap_or_default()
}

/// How a record's row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowWrite {
    /// A new record, by its writer.
    Insert,
    /// A live record changed by its writer (its creation time kept).
    Update,
    /// A record rewritten from all its changes (the merge), created if new.
    Replace,
}

/// What a record's row holds, the one shape both the writer and the merge write.
pub(crate) struct RowValues<'a> {
    pub id: &'a str,
    pub unit: &'a str,
    pub deleted: bool,
    pub created_at: Option<String>,
    pub updated_at: &'a str,
    pub updated_by: &'a str,
    pub fields: &'a Fields,
}

/// The statement that writes a row of `def` (parameters: id, unit, deleted, created_at,
/// updated_at, updated_by, search, sort_key, then the fields in order; see [`row_params`]).
pub(crate) fn row_sql(def: &KindDef, mode: RowWrite) -> String {
    let columns: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
    match mode {
        RowWrite::Insert | RowWrite::Replace => {
            let marks: Vec<String> = (1..=def.fields.len() + 8).map(|i| format!("?{i}")).collect();
            // A rewrite is an upsert, not `INSERT OR REPLACE`: the row keeps its rowid, and
            // the update triggers (`voter_counts`) see it as the update it is.
            let upsert = match mode {
                RowWrite::Replace => {
                    let sets: Vec<String> =
                        ["unit", "deleted", "created_at", "updated_at", "updated_by", "search", "sort_key"]
                            .iter()
                            .chain(columns.iter())
                            .map(|c| format!("{c} = excluded.{c}"))
                            .collect();
                    format!(" ON CONFLICT (id) DO UPDATE SET {}", sets.join(", "))
                }
                _ => String::new(),
            };
            format!(
                "INSERT INTO {} (id, unit, deleted, created_at, updated_at, updated_by, search, sort_key, {}) VALUES ({}){upsert}",
                def.name,
                columns.join(", "),
                marks.join(", ")
            )
        }
        RowWrite::Update => {
            let sets: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 9)).collect();
            format!(
                // ?4 (the creation time) is bound and not used: a row keeps its creation time.
                "UPDATE {} SET unit = ?2, deleted = ?3, updated_at = ?5, updated_by = ?6, search = ?7, sort_key = ?8, {} \
                 WHERE id = ?1",
                def.name,
                sets.join(", ")
            )
        }
    }
}

/// The parameters of [`row_sql`]: text borrowed from the row, not copied.
pub(crate) fn row_params<'a>(def: &KindDef, row: &'a RowValues<'a>) -> Vec<rusqlite::types::ToSqlOutput<'a>> {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    let text = |s: &'a str| ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()));
    let mut values: Vec<ToSqlOutput<'a>> = Vec::with_capacity(def.fields.len() + 8);
    values.extend([
        text(row.id),
        text(row.unit),
        ToSqlOutput::Owned(SqlValue::Integer(row.deleted as i64)),
        match &row.created_at {
            Some(at) => text(at),
            None => ToSqlOutput::Owned(SqlValue::Null),
        },
        text(row.updated_at),
        text(row.updated_by),
        ToSqlOutput::Owned(SqlValue::Text(search_text(def, row.fields))),
        ToSqlOutput::Owned(SqlValue::Text(sort_key(def, row.fields))),
    ]);
    for fd in def.fields {
        values.push(match row.fields.get(fd.name) {
            Some(Value::String(s)) => text(s),
            other => ToSqlOutput::Owned(to_sql(other)),
        });
    }
    values
}

pub(crate) fn to_sql(value: Option<&Value>) -> SqlValue {
    match value {
        None | Some(Value::Null) => SqlValue::Null,
        Some(Value::Bool(b)) => SqlValue::Integer(*b as i64),
        Some(Value::Number(n)) => SqlValue::Integer(n.as_i64().unwrap_or_default()),
        Some(Value::String(s)) => SqlValue::Text(s.clone()),
        Some(other) => SqlValue::Text(other.to_string()),
    }
}

pub(crate) fn from_sql(ty: &FieldType, value: SqlValue) -> Option<Value> {
    match (ty, value) {
        (_, SqlValue::Null) => None,
        (FieldType::Bool, SqlValue::Integer(i)) => Some(Value::Bool(i != 0)),
        (_, SqlValue::Integer(i)) => Some(Value::from(i)),
        (_, SqlValue::Text(s)) => Some(Value::String(s)),
        (_, SqlValue::Real(f)) => Some(Value::from(f)),
        (_, SqlValue::Blob(_)) => None,
    }
}

/// The text a field shows on screen and in CSV: dates as dd/mm/yyyy.
pub fn display_value(ty: &FieldType, value: &Value) -> String {
    match (ty, value) {
        (FieldType::Date | FieldType::PartialDate, Value::String(s)) => {
            PartialDate::parse(s).map(PartialDate::display).unwrap_or_else(|| s.clone())
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
        (_, other) => other.to_string(),
    }
}

pub(crate) fn search_text(def: &KindDef, fields: &Fields) -> String {
    let mut parts = Vec::new();
    for fd in def.fields.iter().filter(|f| f.search) {
        if let Some(v) = fields.get(fd.name) {
            parts.push(text::fold(&display_value(&fd.ty, v)));
        }
    }
    parts.join(" | ")
}

/// The order lists show, in Vietnamese alphabetical order ([`crate::collate`]): people by given
/// name, then middle and family name (as the official lists are), numbered things by number,
/// the rest by title.
pub(crate) fn sort_key(def: &KindDef, fields: &Fields) -> String {
    if let Some(n) = fields.get("number").and_then(Value::as_i64) {
        return format!("{n:08}");
    }
    let title = fields.get(def.title_field).and_then(Value::as_str).unwrap_or_default();
    if def.title_field == "full_name" {
        return crate::collate::person_key(title);
    }
    crate::collate::key(title)
}

/// A read view over a connection (the store's, or a writer's transaction).
pub struct Db<'c>(pub(crate) &'c Connection);

impl<'c> Db<'c> {
    fn node(&self) -> Result<Option<NodeInfo>> {
        let row = self
            .0
            .query_row("SELECT node_id, unit, scheme, election_date, law, created_at FROM node", [], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        let Some((node_id, unit, scheme, election, law, created_at)) = row else {
            return Ok(None);
        };
        Ok(Some(NodeInfo {
            node_id: node_id.parse()?,
            unit: unit.parse()?,
            scheme: scheme.parse()?,
            election_date: NaiveDate::parse_from_str(&election, "%Y-%m-%d")
                .map_err(|_| Error::input("the ledger's election date is damaged", "ngày bầu cử trong sổ bị hỏng"))?,
            law: law.parse()?,
            created_at,
        }))
    }

    fn any_row(&self, id: &RecordId) -> Result<bool> {
        let id = id.to_string();
        for kind in Kind::ALL {
            let found =
                self.0.prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", kind.as_str()))?.exists([&id])?;
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A record, live or deleted.
    pub fn row(&self, kind: Kind, id: &RecordId) -> Result<Option<Row>> {
        let def = kind.def();
        let columns: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
        let sql = format!(
            "SELECT id, unit, deleted, updated_at, updated_by, {} FROM {} WHERE id = ?1",
            columns.join(", "),
            def.name
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let mut rows = stmt.query([id.to_string()])?;
        match rows.next()? {
            Some(r) => Ok(Some(read_row(kind, r)?)),
            None => Ok(None),
        }
    }

    /// A record by its place in its table (the list index's handle).
    fn row_at(&self, kind: Kind, rowid: i64) -> Result<Option<Row>> {
        let def = kind.def();
        let columns: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
        let sql = format!(
            "SELECT id, unit, deleted, updated_at, updated_by, {} FROM {} WHERE rowid = ?1",
            columns.join(", "),
            def.name
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let mut rows = stmt.query([rowid])?;
        match rows.next()? {
            Some(r) => Ok(Some(read_row(kind, r)?)),
            None => Ok(None),
        }
    }

    /// A unit's code and the codes of every unit below it.
    pub fn subtree(&self, unit: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.0.prepare_cached(
            "WITH RECURSIVE below(code) AS (SELECT ?1 UNION ALL \
             SELECT u.code FROM units u JOIN below b ON u.parent = b.code) SELECT code FROM below",
        )?;
        let codes = stmt.query_map([unit], |r| r.get::<_, String>(0))?;
        Ok(codes.collect::<rusqlite::Result<_>>()?)
    }

    /// For each of `fields` of a record, the clock of the change that set its current value
    /// (as a one-element list: the base of a change that replaces it).
    fn field_clocks<'k>(&self, id: &RecordId, fields: impl Iterator<Item = &'k String>) -> Result<Map<String, Value>> {
        let mut wanted: Vec<&String> = fields.collect();
        let mut clocks = Map::new();
        let mut stmt = self.0.prepare_cached(
            "SELECT hlc, fields FROM changes WHERE record_id = ?1 AND withheld IS NULL
                 ORDER BY hlc DESC, origin DESC, seq DESC",
        )?;
        let mut rows = stmt.query([id.to_string()])?;
        while let Some(r) = rows.next()? {
            if wanted.is_empty() {
                break;
            }
            let hlc: i64 = r.get(0)?;
            let changed: Map<String, Value> = serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default();
            wanted.retain(|f| {
                if changed.contains_key(f.as_str()) {
                    clocks.insert(f.to_string(), Value::from(vec![hlc]));
                    false
                } else {
                    true
                }
            });
        }
        Ok(clocks)
    }

    /// A record as the UI and the exports show it: its fields, plus `id`, `unit`, `unit_name`,
    /// `title`, `updated_at`, `updated_by` and, for each reference, `<field>_title`.
    pub fn row_json(&self, row: &Row) -> Result<Value> {
        let def = row.kind.def();
        let mut out = Map::new();
        out.insert("id".into(), Value::String(row.id.to_string()));
        out.insert("kind".into(), Value::String(def.name.into()));
        out.insert("unit".into(), Value::String(row.unit.to_string()));
        let unit_name: Option<String> = self
            .0
            .prepare_cached("SELECT name FROM units WHERE code = ?1")?
            .query_row([row.unit.as_str()], |r| r.get(0))
            .optional()?;
        out.insert("unit_name".into(), unit_name.map(Value::String).unwrap_or(Value::Null));
        out.insert("title".into(), row.fields.get(def.title_field).cloned().unwrap_or(Value::Null));
        out.insert("updated_at".into(), Value::String(row.updated_at.clone()));
        out.insert("updated_by".into(), Value::String(row.updated_by.clone()));
        for fd in def.fields {
            let value = row.fields.get(fd.name).cloned().unwrap_or(Value::Null);
            if let (FieldType::Ref(kinds), Some(target)) = (&fd.ty, value.as_str()) {
                let title = self.title_of(kinds, target)?;
                out.insert(format!("{}_title", fd.name), title.map(Value::String).unwrap_or(Value::Null));
            }
            out.insert(fd.name.to_string(), value);
        }
        // A kind known by a reference (a team's minutes by its polling area) is titled by the
        // name of what it refers to, never by a record id.
        if let Some(FieldType::Ref(_)) = def.field(def.title_field).map(|f| &f.ty) {
            let named = out.get(&format!("{}_title", def.title_field)).cloned().unwrap_or(Value::Null);
            out.insert("title".into(), named);
        }
        Ok(Value::Object(out))
    }

    fn title_of(&self, kinds: &[Kind], id: &str) -> Result<Option<String>> {
        for kind in kinds {
            let def = kind.def();
            let title: Option<Option<String>> = self
                .0
                .prepare_cached(&format!("SELECT {} FROM {} WHERE id = ?1", def.title_field, def.name))?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if let Some(title) = title {
                return Ok(title);
            }
        }
        Ok(None)
    }

    pub fn list(&self, kind: Kind, query: &ListQuery) -> Result<Page> {
        let def = kind.def();
        // With a search, `+deleted` keeps SQLite from walking the (deleted, sort_key) index and
        // fetching every row out of order: one sequential pass over the table is far quicker.
        let searching = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        let mut conditions = vec![if searching { "+deleted = 0" } else { "deleted = 0" }.to_string()];
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(q) = query.q.as_deref() {
            for word in text::fold(q).split(' ').filter(|w| !w.is_empty()) {
                args.push(SqlValue::Text(word.to_string()));
                conditions.push(format!("instr(search, ?{}) > 0", args.len()));
            }
        }
        if let Some(unit) = query.unit.as_deref().filter(|u| !u.is_empty()) {
            args.push(SqlValue::Text(unit.to_string()));
            let n = args.len();
            conditions.push(format!(
                "unit IN (WITH RECURSIVE below(code) AS (SELECT ?{n} UNION ALL \
                 SELECT u.code FROM units u JOIN below b ON u.parent = b.code) SELECT code FROM below)"
            ));
        }
        for (field, value) in &query.filter {
            if def.field(field).is_none() && field != "unit" {
                return Err(Error::input(
                    format!("`{field}` is not a field of {}", def.name),
                    format!("`{field}` không phải trường của {}", def.vi),
                ));
            }
            args.push(SqlValue::Text(value.clone()));
            conditions.push(format!("{field} = ?{}", args.len()));
        }
        let filter = conditions.join(" AND ");
        // The voters of a list neither searched nor filtered are counted from the counts the
        // triggers keep (`voter_counts`), not row by row: a province holds millions.
        let counted = kind == Kind::Voter && !searching && query.filter.is_empty();
        let total: i64 = self.0.query_row(
            &if counted {
                let within = conditions[1..].iter().map(|c| format!(" AND {c}")).collect::<String>();
                format!("SELECT coalesce(sum(n), 0) FROM voter_counts WHERE 1{within}")
            } else {
                format!("SELECT count(*) FROM {} WHERE {filter}", def.name)
            },
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let limit = query.limit.unwrap_or(100).min(10_000);
        let offset = query.offset.unwrap_or(0);
        let columns: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
        // A search reads the table in one sequential pass and sorts what matched; walking the
        // ordered index instead would visit every row out of order to find a few.
        let order = if searching { "+sort_key, id" } else { "sort_key, id" };
        let sql = format!(
            "SELECT id, unit, deleted, updated_at, updated_by, {} FROM {} WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            columns.join(", "),
            def.name
        );
        let mut stmt = self.0.prepare(&sql)?;
        let mut result = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut rows = Vec::new();
        while let Some(r) = result.next()? {
            rows.push(self.row_json(&read_row(kind, r)?)?);
        }
        Ok(Page { total: total as u64, rows })
    }

    /// Every live record of a kind, in list order (exports, reports).
    pub fn all_rows(&self, kind: Kind) -> Result<Vec<Row>> {
        self.rows_where(kind, "deleted = 0 ORDER BY sort_key, id")
    }

    /// The deleted records of `kind` (the bin), the latest deleted first.
    pub fn deleted_rows(&self, kind: Kind) -> Result<Vec<Row>> {
        self.rows_where(kind, "deleted = 1 ORDER BY updated_at DESC, id")
    }

    /// Every row of `kind` matching `condition` (SQL after WHERE, written here, never input).
    fn rows_where(&self, kind: Kind, condition: &str) -> Result<Vec<Row>> {
        let def = kind.def();
        let columns: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
        let sql = format!(
            "SELECT id, unit, deleted, updated_at, updated_by, {} FROM {} WHERE {condition}",
            columns.join(", "),
            def.name
        );
        let mut stmt = self.0.prepare(&sql)?;
        let mut result = stmt.query([])?;
        let mut rows = Vec::new();
        while let Some(r) = result.next()? {
            rows.push(read_row(kind, r)?);
        }
        Ok(rows)
    }

    /// The units of the node's province held by this ledger.
    pub fn units(&self) -> Result<Vec<(UnitCode, Level, Option<UnitCode>)>> {
        let mut stmt = self.0.prepare("SELECT code, level, parent FROM units")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, level, parent) = row?;
            let level = match level.as_str() {
                "province" => Level::Province,
                "district" => Level::District,
                _ => Level::Commune,
            };
            out.push((code.parse()?, level, parent.map(|p| p.parse()).transpose()?));
        }
        Ok(out)
    }
}

fn read_row(kind: Kind, r: &rusqlite::Row<'_>) -> Result<Row> {
    let def = kind.def();
    let id: String = r.get(0)?;
    let unit: String = r.get(1)?;
    let mut fields = Fields::new();
    for (i, fd) in def.fields.iter().enumerate() {
        if let Some(v) = from_sql(&fd.ty, r.get::<_, SqlValue>(i + 5)?) {
            fields.insert(fd.name, v);
        }
    }
    Ok(Row {
        id: id.parse()?,
        kind,
        unit: unit.parse()?,
        fields,
        deleted: r.get::<_, i64>(2)? != 0,
        updated_at: r.get(3)?,
        updated_by: r.get(4)?,
    })
}

impl Lookup for Db<'_> {
    fn matching(&self, kind: Kind, conditions: &[(&str, &str)]) -> Result<Vec<(RecordId, Fields)>> {
        let def = kind.def();
        let mut sql = format!("SELECT id FROM {} WHERE deleted = 0", def.name);
        for (i, (field, _)) in conditions.iter().enumerate() {
            // Field names come from the kinds' tables (the rules), never from input.
            let field = def.field(field).map(|f| f.name).ok_or_else(|| {
                Error::input(format!("no field {field} in {}", def.name), format!("không có trường {field}"))
            })?;
            sql.push_str(&format!(" AND {field} = ?{}", i + 1));
        }
        let mut stmt = self.0.prepare_cached(&sql)?;
        let ids: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(conditions.iter().map(|(_, v)| *v)), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for id in ids {
            let id: RecordId = id.parse()?;
            if let Some(row) = self.row(kind, &id)? {
                out.push((id, row.fields));
            }
        }
        Ok(out)
    }

    fn find(&self, id: &RecordId, kinds: &[Kind]) -> Result<Option<(Kind, Fields)>> {
        for kind in kinds {
            if let Some(row) = self.row(*kind, id)? {
                return Ok((!row.deleted).then_some((*kind, row.fields)));
            }
        }
        Ok(None)
    }

    fn find_by_title(&self, kinds: &[Kind], title: &str) -> Result<Vec<RecordId>> {
        let mut ids = Vec::new();
        for kind in kinds {
            let def = kind.def();
            let mut stmt = self.0.prepare_cached(&format!(
                "SELECT id FROM {} WHERE deleted = 0 AND {} = ?1 LIMIT 2",
                def.name, def.title_field
            ))?;
            let found = stmt.query_map([title], |r| r.get::<_, String>(0))?;
            for id in found {
                ids.push(id?.parse()?);
            }
        }
        Ok(ids)
    }
}
