//! The change log as SQL, shared by a node's ledger and a hub's store (both have a `changes`
//! table of this shape): appending a change once whatever how often it arrives, and reading
//! the changes after a log position that a peer may receive.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};
use sobaucu_protocol::{Change, Value as WireValue};

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

/// Builds a change from its stored columns.
#[allow(clippy::too_many_arguments)]
pub fn change_from_columns(
    origin: &str,
    seq: i64,
    record_id: &str,
    kind: String,
    unit: String,
    hlc: i64,
    fields: &str,
    bases: Option<&str>,
) -> Result<Change> {
    let origin: NodeId = origin.parse()?;
    let record: RecordId = record_id.parse()?;
    let fields: Map<String, Value> = serde_json::from_str(fields).map_err(|_| bad_stored("fields"))?;
    let bases: Map<String, Value> = match bases {
        Some(b) => serde_json::from_str(b).map_err(|_| bad_stored("bases"))?,
        None => Map::new(),
    };
    Ok(Change {
        origin: origin.0,
        seq: seq as u64,
        record_node: record.node.0,
        record_counter: record.counter,
        kind,
        unit,
        hlc: hlc as u64,
        fields: fields.iter().map(|(k, v)| (k.clone(), wire_value(v))).collect(),
        bases: bases
            .iter()
            .map(|(k, v)| {
                let clocks = v.as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
                (k.clone(), clocks)
            })
            .collect(),
    })
}

/// The stored columns of a change: record id, fields JSON, bases JSON.
pub fn change_columns(change: &Change) -> (String, String, Option<String>) {
    let record = RecordId { node: NodeId(change.record_node), counter: change.record_counter };
    let fields: Map<String, Value> = change.fields.iter().map(|(k, v)| (k.clone(), json_value(v))).collect();
    let bases: Option<String> = (!change.bases.is_empty()).then(|| {
        let map: Map<String, Value> =
            change.bases.iter().map(|(k, clocks)| (k.clone(), Value::from(clocks.clone()))).collect();
        Value::Object(map).to_string()
    });
    (record.to_string(), Value::Object(fields).to_string(), bases)
}

/// Appends a change that came from `source`; returns false if the log already holds it.
/// Keeps news of when nodes and hubs last synced in `table` (`presence` in a node's ledger,
/// `seen` in a hub's store; both `node, unit, kind, last_sync_at`): one row a node, the newest
/// time kept, older news changing nothing. Runs in the caller's transaction.
pub fn keep_seen<'a>(
    conn: &Connection,
    table: &str,
    seen: impl IntoIterator<Item = &'a sobaucu_protocol::messages::Seen>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO {table} (node, unit, kind, last_sync_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (node) DO UPDATE SET unit = excluded.unit, kind = excluded.kind,
             last_sync_at = max(last_sync_at, excluded.last_sync_at)"
    ))?;
    for s in seen {
        stmt.execute(params![s.node, s.unit, s.kind, s.last_sync_at])?;
    }
    Ok(())
}

pub fn append(conn: &Connection, change: &Change, source: Option<&str>) -> Result<bool> {
    let (record_id, fields, bases) = change_columns(change);
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO changes (origin, seq, record_id, kind, unit, hlc, fields, bases, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            NodeId(change.origin).to_string(),
            change.seq as i64,
            record_id,
            change.kind,
            change.unit,
            change.hlc as i64,
            fields,
            bases,
            source
        ])?;
    Ok(inserted == 1)
}

/// The last position of the log (0 when empty).
pub fn head(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT coalesce(max(idx), 0) FROM changes", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Up to `limit` entries after `after` that pass `filter`, and the position the answer covers
/// up to: the last entry's, or the head of the log when fewer than `limit` passed.
pub fn read(conn: &Connection, after: u64, limit: usize, filter: &ReadFilter) -> Result<(Vec<Entry>, u64, bool)> {
    let tx = conn.unchecked_transaction()?;
    let units = filter.units.as_ref().map(|u| serde_json::to_string(u).expect("a list of strings"));
    let mut stmt = tx.prepare_cached(
        "SELECT idx, origin, seq, record_id, kind, unit, hlc, fields, bases, source FROM changes
         WHERE idx > ?1 AND (?2 IS NULL OR source IS NULL OR source <> ?2)
           AND (?3 IS NULL OR unit IN (SELECT value FROM json_each(?3)))
         ORDER BY idx LIMIT ?4",
    )?;
    let mut rows = stmt.query(params![after as i64, filter.not_from, units, limit as i64])?;
    let mut entries = Vec::new();
    while let Some(r) = rows.next()? {
        let change = change_from_columns(
            &r.get::<_, String>(1)?,
            r.get(2)?,
            &r.get::<_, String>(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            &r.get::<_, String>(7)?,
            r.get::<_, Option<String>>(8)?.as_deref(),
        )?;
        entries.push(Entry { idx: r.get::<_, i64>(0)? as u64, change, source: r.get(9)? });
    }
    drop(rows);
    drop(stmt);
    let more = entries.len() == limit;
    let upto = if more { entries.last().map_or(after, |e| e.idx) } else { head(&tx)?.max(after) };
    tx.commit()?;
    Ok((entries, upto, more))
}

/// How many entries after `after` did not come from `not_from` (what a peer still lacks).
pub fn count_after(conn: &Connection, after: u64, not_from: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM changes WHERE idx > ?1 AND (source IS NULL OR source <> ?2)",
        params![after as i64, not_from],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// The highest sequence number of `origin` the log holds.
pub fn last_seq(conn: &Connection, origin: NodeId) -> Result<u64> {
    let seq: Option<i64> = conn
        .query_row("SELECT max(seq) FROM changes WHERE origin = ?1", [origin.to_string()], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(seq.unwrap_or(0) as u64)
}
