//! The change log as SQL, shared by a node's ledger and a hub's store (both have a `changes`
//! table of this shape): appending a change once whatever how often it arrives, keeping each
//! origin's hash chains ([`sobaucu_protocol::chain`]) as changes are appended, and reading the
//! changes after a log position that a peer may receive.
//!
//! Every change stored carries its chain: the stream its kind travels in, its place in the
//! chain of its (origin, unit, stream), the chain's hash after it, and the origin's signature
//! of that hash when the origin signed the chain's head there. A change a hub refused is kept
//! as its digest alone (`withheld`, with the reason), so the chain stays checkable.

use crate::args;
use crate::db::{Dialect, Row, Sql, Tx};
use serde_json::{Map, Value};
use sobaucu_protocol::chain::{self, GENESIS};
use sobaucu_protocol::{Change, Value as WireValue, Withheld};

use crate::error::{Error, Result};
use crate::ids::{NodeId, RecordId};

/// One entry of a log, as stored.
#[derive(Debug, Clone)]
pub struct Entry {
    pub idx: u64,
    pub change: Change,
    pub source: Option<String>,
}

/// Which entries a peer receives.
#[derive(Debug, Default, Clone)]
pub struct ReadFilter {
    /// Leave out entries that came from this peer (it has them).
    pub not_from: Option<String>,
    /// Only entries of these units (None: all).
    pub units: Option<Vec<String>>,
    /// Only entries of this stream (None: all): a national ledger reads the figures alone.
    pub stream: Option<u8>,
    /// Units whose published figures are left out: the figures go up, never down, so a
    /// child does not receive those of the units above it.
    pub no_figures_of: Option<Vec<String>>,
}

pub fn wire_value(value: &Value) -> WireValue {
    match value {
        Value::Null => WireValue::Null,
        Value::Bool(b) => WireValue::Bool(*b),
        Value::Number(n) => WireValue::Int(n.as_i64().unwrap_or_default()),
        Value::String(s) => WireValue::Text(s.clone()),
        other => WireValue::Text(other.to_string()),
    }
}

pub fn json_value(value: &WireValue) -> Value {
    match value {
        WireValue::Null => Value::Null,
        WireValue::Bool(b) => Value::Bool(*b),
        WireValue::Int(i) => Value::from(*i),
        WireValue::Text(s) => Value::String(s.clone()),
    }
}

fn bad_stored(what: &str) -> Error {
    Error::input(format!("the change log is damaged: {what}"), format!("nhật ký thay đổi bị hỏng: {what}"))
}

/// A change from its parts as a ledger holds them (fields and bases as JSON maps).
#[allow(clippy::too_many_arguments)]
pub fn change_from_maps(
    origin: NodeId,
    seq: u64,
    record: RecordId,
    kind: String,
    unit: String,
    hlc: u64,
    fields: &Map<String, Value>,
    bases: &Map<String, Value>,
) -> Change {
    Change {
        origin,
        seq,
        record_node: record.node,
        record_counter: record.counter,
        kind,
        unit,
        hlc,
        fields: fields.iter().map(|(k, v)| (k.clone(), wire_value(v))).collect(),
        bases: bases
            .iter()
            .map(|(k, v)| {
                let clocks = v.as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
                (k.clone(), clocks)
            })
            .collect(),
        withheld: None,
        base_refs: Vec::new(),
        head: None,
        author: None,
    }
}

/// The columns and tables protocol 2 adds to both a ledger's file and a hub's store: each
/// change's chain (stream, place, hash, head signature), what a hub withheld of it and its
/// digest; certificates and revocations; changes refused; and on each peer its sealing key,
/// the check of the entry pulled up to, the link's counters and certificate positions.
/// Each side's own migration runs this first, then its own additions.
pub const TRUST_TABLES_SQL: &str = r#"
ALTER TABLE changes ADD COLUMN stream INTEGER NOT NULL DEFAULT 0;
ALTER TABLE changes ADD COLUMN chain_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE changes ADD COLUMN chain_hash BLOB;
ALTER TABLE changes ADD COLUMN head_sig BLOB;
ALTER TABLE changes ADD COLUMN withheld TEXT;
ALTER TABLE changes ADD COLUMN digest BLOB;
CREATE INDEX changes_by_chain ON changes(origin, unit, stream, seq);
CREATE TABLE statements (
    idx     INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('cert', 'revocation')),
    subject TEXT NOT NULL,
    issuer  TEXT NOT NULL,
    unit    TEXT,
    role    TEXT,
    body    BLOB NOT NULL,
    source  TEXT,
    UNIQUE (kind, subject)
);
CREATE TABLE refused (
    origin  TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
ALTER TABLE peers ADD COLUMN seal_key TEXT;
ALTER TABLE peers ADD COLUMN received_check TEXT;
ALTER TABLE peers ADD COLUMN counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN certs_idx INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN certs_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN counter_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN protocol INTEGER NOT NULL DEFAULT 1;
"#;

/// The column both a ledger's file and a hub's store add for the author of each change (the
/// official who made it at its origin; see [`sobaucu_protocol::Change::author`]).
pub const AUTHOR_SQL: &str = "ALTER TABLE changes ADD COLUMN author TEXT;";

/// The columns [`read_entry`] reads, in order.
pub const ENTRY_COLUMNS: &str =
    "idx, origin, seq, record_id, kind, unit, hlc, fields, bases, source, head_sig, withheld, digest, author";

/// How many columns [`ENTRY_COLUMNS`] names: a query that selects more reads them from here.
pub const ENTRY_COLUMN_COUNT: usize = 14;

/// Where a change's payload column is sealed: its origin, sequence number and column.
pub fn payload_context(origin: &str, seq: i64, column: &str) -> String {
    format!("{origin}/{seq}/{column}")
}

/// An entry from a row of [`ENTRY_COLUMNS`], its payloads unsealed by `db`.
pub fn entry_of(db: &dyn Sql, mut r: Row) -> Result<Entry> {
    let origin_text = r.text(1)?;
    let seq = r.i64(2)?;
    let origin: NodeId = origin_text.parse()?;
    let record: RecordId = r.text(3)?.parse()?;
    let fields_text =
        db.unseal(&payload_context(&origin_text, seq, "fields"), r.take(7))?.ok_or_else(|| bad_stored("fields"))?;
    let fields: Map<String, Value> = serde_json::from_str(&fields_text).map_err(|_| bad_stored("fields"))?;
    let bases: Map<String, Value> = match db.unseal(&payload_context(&origin_text, seq, "bases"), r.take(8))? {
        Some(b) => serde_json::from_str(&b).map_err(|_| bad_stored("bases"))?,
        None => Map::new(),
    };
    let mut change = change_from_maps(origin, seq as u64, record, r.text(4)?, r.text(5)?, r.u64(6)?, &fields, &bases);
    change.head = r.opt_blob(10)?.and_then(|s| s.try_into().ok());
    change.author = db.unseal(&payload_context(&origin_text, seq, "author"), r.take(13))?;
    if let Some(reason) = r.opt_text(11)? {
        let digest: [u8; 32] = r
            .opt_blob(12)?
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| bad_stored("a withheld change has no digest"))?;
        change.fields.clear();
        change.bases.clear();
        change.author = None;
        change.withheld = Some(Withheld { digest, reason });
    }
    Ok(Entry { idx: r.u64(0)?, change, source: r.opt_text(9)? })
}

fn entries_of(db: &dyn Sql, rows: Vec<Row>) -> Result<Vec<Entry>> {
    rows.into_iter().map(|r| entry_of(db, r)).collect()
}

/// The stored columns of a change: record id, fields JSON, bases JSON.
pub fn change_columns(change: &Change) -> (String, String, Option<String>) {
    let record = RecordId { node: change.record_node, counter: change.record_counter };
    let fields: Map<String, Value> = change.fields.iter().map(|(k, v)| (k.clone(), json_value(v))).collect();
    let bases: Option<String> = (!change.bases.is_empty()).then(|| {
        let map: Map<String, Value> =
            change.bases.iter().map(|(k, clocks)| (k.clone(), Value::from(clocks.clone()))).collect();
        Value::Object(map).to_string()
    });
    (record.to_string(), Value::Object(fields).to_string(), bases)
}

/// Keeps news of when nodes and hubs last synced in `table` (`presence` in a node's ledger,
/// `seen` in a hub's store; both `node, unit, kind, last_sync_at`): one row a node, the newest
/// time kept, older news changing nothing. Runs in the caller's transaction.
pub fn keep_seen<'a>(
    db: &dyn Sql,
    table: &str,
    seen: impl IntoIterator<Item = &'a sobaucu_protocol::messages::Seen>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {table} (node, unit, kind, last_sync_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (node) DO UPDATE SET unit = excluded.unit, kind = excluded.kind,
             last_sync_at = CASE WHEN excluded.last_sync_at > {table}.last_sync_at
                                 THEN excluded.last_sync_at ELSE {table}.last_sync_at END"
    );
    for s in seen {
        db.exec(&sql, args![s.node.to_string(), s.unit.as_str(), s.kind.as_str(), s.last_sync_at.as_str()])?;
    }
    Ok(())
}

/// Where a chain stands: its length, its hash and its last sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub length: u64,
    pub hash: [u8; 32],
    pub last_seq: u64,
}

impl ChainHead {
    pub const EMPTY: ChainHead = ChainHead { length: 0, hash: GENESIS, last_seq: 0 };

    /// The head after one more change.
    pub fn next(&self, change: &Change) -> ChainHead {
        ChainHead {
            length: self.length + 1,
            hash: chain::step(&self.hash, &chain::digest(change)),
            last_seq: change.seq,
        }
    }
}

/// The head of the chain of (`origin`, `unit`, `stream`) in this log.
pub fn chain_head(db: &dyn Sql, origin: NodeId, unit: &str, stream: u8) -> Result<ChainHead> {
    let row = db.row(
        "SELECT chain_n, chain_hash, seq FROM changes WHERE origin = ?1 AND unit = ?2 AND stream = ?3 AND chain_n > 0
         ORDER BY seq DESC LIMIT 1",
        args![origin.to_string(), unit, stream],
    )?;
    Ok(match row {
        None => ChainHead::EMPTY,
        Some(r) => ChainHead {
            length: r.u64(0)?,
            hash: r.opt_blob(1)?.and_then(|h| h.try_into().ok()).ok_or_else(|| bad_stored("a chain hash"))?,
            last_seq: r.u64(2)?,
        },
    })
}

/// What appending a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// New to this log, at position `idx`; its chain now stands at `head`.
    New { idx: u64, head: ChainHead },
    /// The log already held this very change (a batch sent again).
    Duplicate,
    /// The log holds another change under the same origin and sequence number (an origin
    /// restored from a backup reused it): nothing was written.
    Reused,
    /// The change comes before the last change of its chain here (`last_seq`): reordered.
    OutOfOrder { last_seq: u64 },
}

/// Appends a change that came from `source` (None: made here), extending its chain; a
/// withheld change is stored as its digest and reason. Runs in the caller's transaction.
pub fn append(db: &dyn Sql, change: &Change, stream: u8, source: Option<&str>) -> Result<Appended> {
    append_in(db, change, stream, source, true)
}

/// [`append`] for a merge that takes changes in any order (the convergence model's tests): a
/// change that comes before its chain's last is kept outside the chain (no place, no hash).
pub fn append_any_order(db: &dyn Sql, change: &Change, stream: u8, source: Option<&str>) -> Result<Appended> {
    append_in(db, change, stream, source, false)
}

fn append_in(db: &dyn Sql, change: &Change, stream: u8, source: Option<&str>, strict: bool) -> Result<Appended> {
    let origin = change.origin.to_string();
    let seq = change.seq.min(i64::MAX as u64) as i64;
    let existing = db.number("SELECT idx FROM changes WHERE origin = ?1 AND seq = ?2", args![origin.as_str(), seq])?;
    if let Some(idx) = existing {
        let stored = entry_at(db, idx as u64)?.ok_or_else(|| bad_stored("an entry vanished"))?;
        if chain::digest(&stored.change) != chain::digest(change) {
            return Ok(Appended::Reused);
        }
        // The same change again; keep a head signature it carries that the log lacked.
        if let (Some(signature), None) = (&change.head, &stored.change.head) {
            db.exec("UPDATE changes SET head_sig = ?2 WHERE idx = ?1", args![idx, signature.to_vec()])?;
        }
        return Ok(Appended::Duplicate);
    }
    let previous = chain_head(db, change.origin, &change.unit, stream)?;
    let head = if previous.last_seq > change.seq {
        if strict {
            return Ok(Appended::OutOfOrder { last_seq: previous.last_seq });
        }
        ChainHead { length: 0, hash: GENESIS, last_seq: change.seq }
    } else {
        previous.next(change)
    };
    let (record_id, fields, bases) = change_columns(change);
    let (reason, digest) = match &change.withheld {
        Some(w) => (Some(w.reason.as_str()), Some(w.digest.to_vec())),
        None => (None, None),
    };
    let fields = db.seal(&payload_context(&origin, seq, "fields"), Some(fields))?;
    let bases = db.seal(&payload_context(&origin, seq, "bases"), bases)?;
    let author = db.seal(&payload_context(&origin, seq, "author"), change.author.clone())?;
    let idx = db
        .number(
            "INSERT INTO changes (origin, seq, record_id, kind, unit, hlc, fields, bases, source,
                                  stream, chain_n, chain_hash, head_sig, withheld, digest, author)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             RETURNING idx",
            &[
                origin.into(),
                seq.into(),
                record_id.into(),
                change.kind.as_str().into(),
                change.unit.as_str().into(),
                change.hlc.into(),
                fields,
                bases,
                source.into(),
                stream.into(),
                head.length.into(),
                head.hash.to_vec().into(),
                change.head.map(|s| s.to_vec()).into(),
                reason.into(),
                digest.into(),
                author,
            ],
        )?
        .ok_or_else(|| bad_stored("an appended entry has no position"))?;
    Ok(Appended::New { idx: idx as u64, head })
}

fn entry_select(filter: &str) -> String {
    format!("SELECT {ENTRY_COLUMNS} FROM changes {filter}")
}

/// `origin`'s changes of one stream after log position `after`, in log order (at most `limit`):
/// what a sync sends ahead of the rest.
pub fn stream_after(db: &dyn Sql, after: u64, origin: NodeId, stream: u8, limit: usize) -> Result<Vec<Change>> {
    let rows = db.rows(
        &entry_select("WHERE idx > ?1 AND origin = ?2 AND stream = ?3 ORDER BY idx LIMIT ?4"),
        args![after, origin.to_string(), stream, limit],
    )?;
    Ok(entries_of(db, rows)?.into_iter().map(|e| e.change).collect())
}

/// The entry at a log position.
pub fn entry_at(db: &dyn Sql, idx: u64) -> Result<Option<Entry>> {
    db.row(&entry_select("WHERE idx = ?1"), args![idx])?.map(|r| entry_of(db, r)).transpose()
}

/// The unit and kind a record belongs to, from the changes of it this log holds (None: none).
pub fn record_home(db: &dyn Sql, record_id: &str) -> Result<Option<(String, String)>> {
    db.row("SELECT unit, kind FROM changes WHERE record_id = ?1 AND withheld IS NULL LIMIT 1", args![record_id])?
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .transpose()
}

/// The last position of the log (0 when empty).
pub fn head(db: &dyn Sql) -> Result<u64> {
    Ok(db.number("SELECT coalesce(max(idx), 0) FROM changes", &[])?.unwrap_or(0) as u64)
}

/// Up to `limit` entries after `after` that pass `filter` (and, with `max_bytes`, about that
/// many bytes of fields), and the position the answer covers up to: the last entry's, or the
/// head of the log when all that passed were read.
pub fn read(
    db: &dyn Sql,
    after: u64,
    limit: usize,
    max_bytes: Option<usize>,
    filter: &ReadFilter,
) -> Result<(Vec<Entry>, u64, bool)> {
    let tx = Tx::read(db)?;
    let units = filter.units.as_ref().map(|u| serde_json::to_string(u).expect("a list of strings"));
    let above = filter.no_figures_of.as_ref().map(|u| serde_json::to_string(u).expect("a list of strings"));
    let in_list = |n: u8| match tx.dialect() {
        Dialect::Sqlite => format!("unit IN (SELECT value FROM json_each(?{n}))"),
        Dialect::Postgres => format!("unit IN (SELECT json_array_elements_text(CAST(?{n} AS TEXT)::json))"),
    };
    let (in_units, in_above) = (in_list(3), in_list(6));
    let figures = crate::kinds::STREAM_FIGURES;
    // Read in pages, so a byte budget reached early does not read the rest of the limit.
    let page = match max_bytes {
        Some(max) => (max / 64).clamp(16, limit.max(16)),
        None => limit,
    };
    let sql = entry_select(&format!(
        "WHERE idx > ?1 AND (CAST(?2 AS TEXT) IS NULL OR source IS NULL OR source <> ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR {in_units})
           AND (CAST(?5 AS BIGINT) IS NULL OR stream = ?5)
           AND (CAST(?6 AS TEXT) IS NULL OR stream <> {figures} OR NOT {in_above})
         ORDER BY idx LIMIT ?4"
    ));
    let mut entries = Vec::new();
    let mut bytes = 0usize;
    let mut more = false;
    let mut from = after;
    loop {
        // This page's rows, and one more to tell whether any lie beyond it.
        let want = (limit - entries.len()).min(page);
        let stream = filter.stream.map(i64::from);
        let rows =
            tx.rows(&sql, args![from, filter.not_from.clone(), units.clone(), want + 1, stream, above.clone()])?;
        let got = rows.len();
        let mut taken = 0;
        let mut full = false;
        for r in rows.into_iter().take(want) {
            let entry = entry_of(&*tx, r)?;
            taken += 1;
            from = entry.idx;
            bytes += entry_size(&entry.change);
            entries.push(entry);
            if max_bytes.is_some_and(|max| bytes >= max) {
                full = true;
                break;
            }
        }
        if full {
            more = got > taken;
            break;
        }
        if got <= want {
            break;
        }
        if entries.len() == limit {
            more = true;
            break;
        }
    }
    let upto = if more { entries.last().map_or(after, |e| e.idx) } else { head(&*tx)?.max(after) };
    tx.commit()?;
    Ok((entries, upto, more))
}

/// About how many bytes a change takes in a batch before compression.
pub fn entry_size(change: &Change) -> usize {
    let values: usize = change
        .fields
        .iter()
        .map(|(name, value)| {
            name.len()
                + match value {
                    WireValue::Text(s) => s.len() + 2,
                    _ => 3,
                }
        })
        .sum();
    24 + values + change.bases.iter().map(|(_, c)| 4 + 8 * c.len()).sum::<usize>() + change.head.map_or(0, |_| 66)
}

/// How many entries after `after` did not come from `not_from` (what a peer still lacks).
pub fn count_after(db: &dyn Sql, after: u64, not_from: &str) -> Result<u64> {
    Ok(db
        .number(
            "SELECT count(*) FROM changes WHERE idx > ?1 AND (source IS NULL OR source <> ?2)",
            args![after, not_from],
        )?
        .unwrap_or(0) as u64)
}

/// The highest sequence number of `origin` the log holds.
pub fn last_seq(db: &dyn Sql, origin: NodeId) -> Result<u64> {
    Ok(db.number("SELECT max(seq) FROM changes WHERE origin = ?1", args![origin.to_string()])?.unwrap_or(0) as u64)
}

/// The highest record counter of records created by `node` that the log holds.
pub fn last_counter(db: &dyn Sql, node: NodeId) -> Result<u64> {
    let prefix = format!("{node}-");
    Ok(db
        .number(
            "SELECT max(CAST(substr(record_id, 18) AS BIGINT)) FROM changes WHERE origin = ?1 AND substr(record_id, 1, 17) = ?2",
            args![node.to_string(), prefix],
        )?
        .unwrap_or(0) as u64)
}

/// Up to `limit` changes of `origin` with sequence numbers after `after_seq`, in order.
pub fn origin_after(db: &dyn Sql, origin: NodeId, after_seq: u64, limit: usize) -> Result<Vec<Change>> {
    let rows = db.rows(
        &entry_select("WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"),
        args![origin.to_string(), after_seq, limit],
    )?;
    Ok(entries_of(db, rows)?.into_iter().map(|e| e.change).collect())
}

/// Computes every stored change's stream and chain (a log from before chains), in the order
/// of each chain. `stream_of` names a kind's stream.
pub fn fill_chains(db: &dyn Sql, stream_of: &dyn Fn(&str) -> u8) -> Result<()> {
    let mut chains: std::collections::HashMap<(String, String, u8), ChainHead> = Default::default();
    for r in db.rows(&entry_select("ORDER BY origin, seq"), &[])? {
        let entry = entry_of(db, r)?;
        let c = &entry.change;
        let stream = stream_of(&c.kind);
        let key = (c.origin.to_string(), c.unit.clone(), stream);
        let head = chains.get(&key).copied().unwrap_or(ChainHead::EMPTY).next(c);
        chains.insert(key, head);
        db.exec(
            "UPDATE changes SET stream = ?2, chain_n = ?3, chain_hash = ?4 WHERE idx = ?1",
            args![entry.idx, stream, head.length, head.hash.to_vec()],
        )?;
    }
    Ok(())
}

/// Turns the bases of changes about to be sent into references to the changes they are the
/// clocks of (two or three bytes on the wire instead of six), where this log holds them.
pub fn bases_to_refs(db: &dyn Sql, changes: &mut [Change]) -> Result<()> {
    for change in changes.iter_mut() {
        if change.bases.is_empty() {
            continue;
        }
        let record = change.record_id();
        let mut kept = Vec::new();
        for (field, clocks) in std::mem::take(&mut change.bases) {
            let mut raw = Vec::new();
            let mut refs = Vec::new();
            for clock in clocks {
                let found = db.row(
                    "SELECT origin, seq FROM changes WHERE record_id = ?1 AND hlc = ?2 LIMIT 1",
                    args![record.as_str(), clock],
                )?;
                match found {
                    Some(r) => {
                        let origin: NodeId = r.text(0)?.parse()?;
                        let seq = r.i64(1)?;
                        let first = db.number(
                            "SELECT min(seq) FROM changes WHERE record_id = ?1 AND origin = ?2",
                            args![record.as_str(), change.record_node.to_string()],
                        )?;
                        if origin == change.record_node && first == Some(seq) {
                            refs.push((origin, 0));
                        } else {
                            refs.push((origin, seq as u64));
                        }
                    }
                    None => raw.push(clock),
                }
            }
            if !raw.is_empty() || refs.is_empty() {
                kept.push((field.clone(), raw));
            }
            if !refs.is_empty() {
                change.base_refs.push((field, refs));
            }
        }
        change.bases = kept;
    }
    Ok(())
}

/// Turns the references among a received change's bases back into clocks, from the changes
/// this log holds; None when it names a change this log does not hold.
pub fn resolve_refs(db: &dyn Sql, change: &Change) -> Result<Option<Change>> {
    if change.base_refs.is_empty() {
        return Ok(Some(change.clone()));
    }
    let record = change.record_id();
    let mut resolved = change.clone();
    for (field, refs) in std::mem::take(&mut resolved.base_refs) {
        let mut clocks = Vec::with_capacity(refs.len());
        for (origin, seq) in refs {
            let hlc = if seq == 0 {
                db.number(
                    "SELECT hlc FROM changes WHERE record_id = ?1 AND origin = ?2 ORDER BY seq LIMIT 1",
                    args![record.as_str(), origin.to_string()],
                )?
            } else {
                db.number("SELECT hlc FROM changes WHERE origin = ?1 AND seq = ?2", args![origin.to_string(), seq])?
            };
            let Some(hlc) = hlc else { return Ok(None) };
            clocks.push(hlc as u64);
        }
        match resolved.bases.iter_mut().find(|(name, _)| *name == field) {
            Some((_, list)) => list.extend(clocks),
            None => resolved.bases.push((field, clocks)),
        }
    }
    Ok(Some(resolved))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_entry_column_count_is_the_entry_columns() {
        assert_eq!(super::ENTRY_COLUMNS.split(',').count(), super::ENTRY_COLUMN_COUNT);
    }
}
