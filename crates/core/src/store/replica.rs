//! Replication on the node's side: its signing key, its hub, applying changes that arrive
//! (from the hub or a USB bundle), and the conflicts their merge leaves for review.
//!
//! A record's state is a pure function of the set of its changes: each field holds the value
//! of the change with the greatest `(hlc, origin)`, whatever order the changes came in and
//! however often. A change that lost to a concurrent one (the winner's writer had not seen it)
//! is listed in `conflicts` until someone settles it; settling is a change like any other.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};
use sobaucu_protocol::{Batch, Change, Identity, PublicIdentity, Statement};

use crate::error::{Error, Result};
use crate::ids::{Hlc, RecordId};
use crate::kinds::Kind;
use crate::link::{self, ParentLink};
use crate::log;
use crate::store::{Put, RowValues, RowWrite, Store, from_sql, row_params, row_sql, stamp_of, to_sql};
use crate::validate::Fields;

/// A fresh secret key, from the operating system's random source.
pub(crate) fn new_secret_hex() -> String {
    Identity::new_secret_hex()
}

/// What applying changes did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ApplySummary {
    pub applied: usize,
    pub duplicates: usize,
    pub records: usize,
    /// Changes the rules refused (kept as their digests, never applied).
    pub refused: usize,
}

/// Moves the node's clock, sequence number and record counter above what arrived. Clocks are
/// bounded on arrival ([`crate::trust`]), so a clock taken here is never far ahead.
fn bump_node(conn: &Connection, max_hlc: u64, max_seq: u64, max_counter: u64) -> Result<()> {
    conn.execute(
        "UPDATE node SET last_hlc = max(last_hlc, ?1), last_seq = max(last_seq, ?2), next_counter = max(next_counter, ?3)",
        params![
            Hlc(max_hlc.min(Hlc::MAX.0)).0 as i64,
            max_seq.min(i64::MAX as u64) as i64,
            max_counter.saturating_add(1).min(i64::MAX as u64) as i64
        ],
    )?;
    Ok(())
}

/// The units a node may hold: its subtree and the units above it.
pub(crate) fn readable_units(node: &crate::store::NodeInfo) -> std::collections::HashSet<String> {
    let catalogue = node.catalogue();
    let mut units: std::collections::HashSet<String> =
        catalogue.subtree(&node.unit).iter().map(|u| u.code.to_string()).collect();
    let mut above = catalogue.unit(&node.unit).and_then(|u| u.parent.clone());
    while let Some(code) = above {
        units.insert(code.to_string());
        above = catalogue.unit(&code).and_then(|u| u.parent.clone());
    }
    units
}

/// One losing side of a concurrent edit, with the winning side beside it.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub kind: String,
    pub record_id: String,
    pub title: Option<Value>,
    pub unit: String,
    /// The record's unit by name.
    pub unit_name: Option<String>,
    pub field: String,
    pub winner: Side,
    pub loser: Side,
}

/// One side of a conflict: the value, the node that wrote it and when.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub value: Value,
    pub node: String,
    pub at: String,
    pub hlc: u64,
    /// The official who wrote it, where the change names one.
    pub author: Option<String>,
    /// The unit of the node that wrote it, and its name (this ledger's own, or as the hubs
    /// reported the node).
    pub node_unit: Option<String>,
    pub node_unit_name: Option<String>,
}

/// A settled conflict: the change that chose a value among two or more, and the values it
/// chose among. Choosing again the other way is one more change, so every node agrees.
#[derive(Debug, Clone, Serialize)]
pub struct Settlement {
    pub kind: String,
    pub record_id: String,
    pub title: Option<Value>,
    pub unit: String,
    pub unit_name: Option<String>,
    pub field: String,
    /// The settling change: the value chosen, by whom, when.
    pub chosen: Side,
    /// The values it settled (the chosen one among them when it was one of them).
    pub sides: Vec<Side>,
    /// The field's value now (a later change may have changed it again).
    pub current: Value,
}

/// A stored change of one record, in the order the merge folds them.
struct Stored {
    origin: String,
    seq: i64,
    hlc: u64,
    unit: String,
    kind: String,
    fields: Map<String, Value>,
    bases: Map<String, Value>,
    author: Option<String>,
}

fn stored_changes(conn: &Connection, record_id: &str) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT origin, seq, hlc, unit, kind, fields, bases, author FROM changes WHERE record_id = ?1 AND withheld IS NULL
         ORDER BY hlc, origin, seq",
    )?;
    let rows = stmt.query_map([record_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (origin, seq, hlc, unit, kind, fields, bases, author) = row?;
        out.push(Stored {
            origin,
            seq,
            hlc: hlc as u64,
            unit,
            kind,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            bases: bases.and_then(|b| serde_json::from_str(&b).ok()).unwrap_or_default(),
            author,
        });
    }
    Ok(out)
}

/// The merge's view of stored changes.
fn merge_input(changes: &[Stored]) -> Vec<crate::merge::Change<'_>> {
    changes
        .iter()
        .map(|c| crate::merge::Change { origin: &c.origin, seq: c.seq, hlc: c.hlc, fields: &c.fields, bases: &c.bases })
        .collect()
}

/// Rewrites a record's row and its conflicts from all its changes ([`crate::merge`]). A record
/// of a kind or unit this ledger does not know stays in the log only.
fn materialize(conn: &Connection, record_id: &str) -> Result<()> {
    let changes = stored_changes(conn, record_id)?;
    let Some(merged) = crate::merge::merge(&merge_input(&changes)) else { return Ok(()) };
    let (first, last) = (&changes[merged.first], &changes[merged.last]);
    let Some(kind) = Kind::parse(&last.kind) else { return Ok(()) };
    let known_unit: bool = conn.prepare_cached("SELECT 1 FROM units WHERE code = ?1")?.exists([last.unit.as_str()])?;
    if !known_unit {
        return Ok(());
    }
    let def = kind.def();
    let mut fields = Fields::new();
    for (name, value) in &merged.fields {
        if let Some(fd) = def.field(name)
            && let Some(v) = from_sql(&fd.ty, to_sql(Some(value)))
        {
            fields.insert(fd.name, v);
        }
    }
    let row = RowValues {
        id: record_id,
        unit: &last.unit,
        deleted: merged.deleted,
        created_at: Some(stamp_of(Hlc(first.hlc))),
        updated_at: &stamp_of(Hlc(last.hlc)),
        updated_by: &last.origin,
        fields: &fields,
    };
    conn.prepare_cached(&row_sql(def, RowWrite::Replace))?
        .execute(rusqlite::params_from_iter(row_params(def, &row)))?;
    write_conflicts(conn, kind, record_id, &changes, &merged)
}

pub(crate) fn has_conflicts(conn: &Connection, id: &RecordId) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM conflicts WHERE record_id = ?1")?.exists([id.to_string()])?)
}

/// Whether a record holds changes of another origin than `origin`: a local edit may then turn
/// one of them, which lost with the same value as the old winner, into a conflict.
pub(crate) fn has_changes_of_others(conn: &Connection, id: &RecordId, origin: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM changes WHERE record_id = ?1 AND origin <> ?2")?
        .exists(params![id.to_string(), origin])?)
}

/// Lists again, for every field of a record, the changes that lost to a concurrent one.
pub(crate) fn recompute_conflicts(conn: &Connection, kind: Kind, id: &RecordId) -> Result<()> {
    let record_id = id.to_string();
    let changes = stored_changes(conn, &record_id)?;
    match crate::merge::merge(&merge_input(&changes)) {
        Some(merged) => write_conflicts(conn, kind, &record_id, &changes, &merged),
        None => {
            conn.prepare_cached("DELETE FROM conflicts WHERE record_id = ?1")?.execute([&record_id])?;
            Ok(())
        }
    }
}

fn write_conflicts(
    conn: &Connection,
    kind: Kind,
    record_id: &str,
    changes: &[Stored],
    merged: &crate::merge::Merged,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM conflicts WHERE record_id = ?1")?.execute([record_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO conflicts (record_id, kind, field, origin, seq, hlc, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for loser in &merged.losers {
        let c = &changes[loser.change];
        insert.execute(params![
            record_id,
            kind.as_str(),
            loser.field,
            c.origin,
            c.seq,
            c.hlc as i64,
            c.fields[loser.field.as_str()].to_string()
        ])?;
    }
    Ok(())
}

impl Store {
    /// This node's keys (made at `init`; made now for a ledger from before sync).
    pub fn identity(&mut self) -> Result<Identity> {
        let node = self.node()?.node_id;
        let secret: Option<String> = self.conn.query_row("SELECT secret_key FROM node", [], |r| r.get(0))?;
        let secret = match secret {
            Some(s) => s,
            None => {
                let s = new_secret_hex();
                self.conn.execute("UPDATE node SET secret_key = ?1", [&s])?;
                s
            }
        };
        Ok(Identity::from_secret_hex(node, &secret)?)
    }

    /// The ledger's election day and law version, while its hub has not acknowledged them.
    pub fn settings_to_send(&self) -> Result<Option<sobaucu_protocol::messages::LedgerSettings>> {
        let Some(node) = self.node.as_ref() else { return Ok(None) };
        let sent: Option<i64> = self
            .conn
            .query_row("SELECT settings_sent FROM peers WHERE role = 'parent'", [], |r| r.get(0))
            .optional()?;
        Ok((sent == Some(0)).then(|| sobaucu_protocol::messages::LedgerSettings {
            election_date: node.election_date.format("%Y-%m-%d").to_string(),
            law: node.law.as_str().to_string(),
        }))
    }

    /// The hub has the ledger's settings.
    pub fn settings_sent(&mut self) -> Result<()> {
        self.conn.execute("UPDATE peers SET settings_sent = 1 WHERE role = 'parent'", [])?;
        Ok(())
    }

    /// Sets the election day and law version of a ledger being restored from its hub (`sobaucu
    /// restore`), before it holds any record of its own.
    pub fn restore_settings(&mut self, settings: &sobaucu_protocol::messages::LedgerSettings) -> Result<()> {
        self.require(crate::access::Action::ManageUsers)?;
        let date = chrono::NaiveDate::parse_from_str(&settings.election_date, "%Y-%m-%d").map_err(|_| {
            Error::input("the hub sent an election day that is not a date", "máy chủ gửi ngày bầu cử không hợp lệ")
        })?;
        let law: crate::law::LawVersion = settings.law.parse()?;
        self.conn.execute(
            "UPDATE node SET election_date = ?1, law = ?2",
            params![date.format("%Y-%m-%d").to_string(), law.as_str()],
        )?;
        self.node = super::Db(&self.conn).node()?;
        Ok(())
    }

    /// The hub this node syncs with, once enrolled.
    pub fn parent(&self) -> Result<Option<ParentLink>> {
        link::parent(&self.conn)
    }

    /// Records the hub this node enrolled with and the certificates of its answer (this node's
    /// own, and its hub's up to the top hub).
    pub fn set_parent(
        &mut self,
        hub: &PublicIdentity,
        unit: &str,
        url: Option<&str>,
        chain: &[Statement],
    ) -> Result<()> {
        link::set_parent(&self.conn, hub, unit, url, chain)
    }

    /// The next counter to seal a message to the hub with (written before it is used).
    pub fn next_counter(&mut self) -> Result<u64> {
        link::next_counter(&self.conn)
    }

    /// The batch to push next (up to `limit` changes, about `max_bytes`), its chains' heads
    /// signed, and the statements position it covers.
    pub fn push_batch(&mut self, from: link::PushFrom, limit: usize, max_bytes: usize) -> Result<(Batch, u64)> {
        let me = self.identity()?;
        let link = self.parent()?.ok_or_else(not_enrolled)?;
        link::push_batch(&self.conn, &me, &link, from, limit, max_bytes)
    }

    /// How many of this node's changes its hub has not acknowledged.
    pub fn pending_count(&self) -> Result<u64> {
        link::pending_count(&self.conn)
    }

    /// The highest sequence number of this node's own changes.
    pub fn own_seq(&self) -> Result<u64> {
        log::last_seq(&self.conn, self.node()?.node_id)
    }

    /// This node's own changes after its sequence number `after_seq`, as the sync sends them
    /// (at most `limit`).
    pub fn own_changes_after(&self, after_seq: u64, limit: usize) -> Result<Vec<Change>> {
        log::origin_after(&self.conn, self.node()?.node_id, after_seq, limit)
    }

    /// Takes the hub's acknowledgement (from a sealed answer only); returns the position now
    /// acknowledged, which may be lower than before (a hub restored from an older copy).
    pub fn take_ack(
        &mut self,
        ack: u64,
        check: Option<&str>,
        pushed: Option<(u64, u64)>,
        certs_upto: Option<u64>,
    ) -> Result<u64> {
        link::take_ack(&self.conn, ack, check, pushed, certs_upto)
    }

    /// Notes this node's changes the hub refused, with the reasons it gave.
    pub fn record_refused(&mut self, refused: &[sobaucu_protocol::messages::RefusedChange]) -> Result<()> {
        let me = self.node()?.node_id;
        link::record_refused(&self.conn, me, refused)
    }

    /// Re-checks everything this ledger holds ([`crate::verify`]).
    pub fn verify(&self) -> Result<crate::verify::Report> {
        crate::verify::verify(&self.conn, self.node()?.catalogue())
    }

    /// Changes refused, by the hub or on arrival here.
    pub fn refused(&self) -> Result<Vec<link::RefusedEntry>> {
        link::refused(&self.conn)
    }

    /// The check of this ledger's log entry at `position`.
    pub fn check_at(&self, position: u64) -> Result<Option<String>> {
        link::check_at(&self.conn, position)
    }

    /// Takes the counter of a message the hub sealed in a bundle (false: imported before).
    pub fn take_counter_in(&mut self, counter: u64) -> Result<bool> {
        link::take_counter_in(&self.conn, counter)
    }

    /// Makes the next pull start after `to` (the hub's log is not what it was).
    pub fn rewind_pull(&mut self, to: u64) -> Result<()> {
        link::rewind_pull(&self.conn, to)
    }

    /// Keeps what the hub reported of when the nodes and hubs below this node last synced:
    /// the newest time of each kept. The progress board reads it.
    pub fn record_presence(&mut self, seen: &[sobaucu_protocol::messages::Seen]) -> Result<()> {
        let tx = self.conn.transaction()?;
        log::keep_seen(&tx, "presence", seen)?;
        tx.commit()?;
        Ok(())
    }

    /// Checks and applies a batch the hub sent, in one transaction, and records that this node
    /// now has the hub's log up to the batch's end (`check`: the hub's entry there) and its
    /// statements up to `certs_upto`. A change the rules refuse is kept as its digest and listed; a batch whose
    /// chains do not hold is refused whole, and nothing of it is applied.
    pub fn apply_from_parent(&mut self, batch: &Batch, check: Option<&str>, certs_upto: u64) -> Result<ApplySummary> {
        let parent = self.parent()?.ok_or_else(not_enrolled)?;
        let node = self.node()?.clone();
        let catalogue = node.catalogue();
        let readable = readable_units(&node);
        let readable = |u: &str| readable.contains(u);
        let tx = self.conn.transaction()?;
        let checker = crate::trust::Checker {
            conn: &tx,
            catalogue,
            readable: &readable,
            now_ms: crate::trust::now_ms(),
            max_skew_ms: crate::trust::max_skew_ms(),
        };
        let source = parent.peer.to_string();
        let applied = match link::append_batch(&checker, &crate::trust::Sender::Parent, batch, &source)? {
            Ok(applied) => applied,
            Err(link::BatchRefused::Chain(refusal)) => {
                return Err(Error::refused(
                    refusal.kind.as_str(),
                    format!("the hub {} sent changes this ledger cannot accept: {}", parent.peer, refusal.message),
                    format!("máy chủ {} gửi thay đổi không nhận được: {}", parent.peer, refusal.message),
                ));
            }
            Err(link::BatchRefused::Reused { origin, seq }) => {
                return Err(Error::refused(
                    "seq_reused",
                    format!(
                        "the hub {} sent a change {seq} of node {origin} that differs from the one this ledger holds",
                        parent.peer
                    ),
                    format!(
                        "máy chủ {} gửi thay đổi {seq} của máy {origin} khác với thay đổi sổ đang giữ",
                        parent.peer
                    ),
                ));
            }
        };
        for record in &applied.touched {
            materialize(&tx, record)?;
        }
        let own = node.node_id;
        let (mut max_seq, mut max_counter) = (0u64, 0u64);
        for change in &batch.changes {
            if change.origin == own {
                max_seq = max_seq.max(change.seq);
            }
            if change.record_node == own {
                max_counter = max_counter.max(change.record_counter);
            }
        }
        bump_node(&tx, applied.max_hlc, max_seq, max_counter)?;
        link::received(&tx, batch.upto, check, certs_upto)?;
        tx.commit()?;
        Ok(ApplySummary {
            applied: applied.new,
            duplicates: applied.duplicates,
            records: applied.touched.len(),
            refused: applied.refused.len(),
        })
    }

    /// Makes sure this ledger's sequence numbers and record counters stay above what the hub
    /// holds of this node (`held_seq`, `held_counter`): a ledger restored from an older copy
    /// then continues above them instead of reusing them.
    pub fn stay_above(&mut self, held_seq: u64, held_counter: u64) -> Result<()> {
        bump_node(&self.conn, 0, held_seq, held_counter)
    }

    /// Applies changes as they come, in any order, with no rule of who may write what: the
    /// merge alone (the convergence model's tests). Each is added to the log once, and every
    /// record they touch is rewritten from all its changes.
    pub fn apply(
        &mut self,
        changes: &[Change],
        source: Option<&str>,
        received_upto: Option<u64>,
    ) -> Result<ApplySummary> {
        let own = self.node()?.node_id;
        let tx = self.conn.transaction()?;
        let mut summary = ApplySummary::default();
        let mut touched = BTreeSet::new();
        let (mut max_hlc, mut max_seq, mut max_counter) = (0u64, 0u64, 0u64);
        for change in changes {
            let stream = crate::kinds::stream_of(&change.kind).unwrap_or(crate::kinds::STREAM_MAIN);
            if let log::Appended::New { .. } = log::append_any_order(&tx, change, stream, source)? {
                summary.applied += 1;
                touched.insert(RecordId { node: change.record_node, counter: change.record_counter }.to_string());
                max_hlc = max_hlc.max(change.hlc);
            } else {
                summary.duplicates += 1;
            }
            if change.origin == own {
                max_seq = max_seq.max(change.seq);
            }
            if change.record_node == own {
                max_counter = max_counter.max(change.record_counter);
            }
        }
        for record in &touched {
            materialize(&tx, record)?;
        }
        summary.records = touched.len();
        bump_node(&tx, max_hlc, max_seq, max_counter)?;
        if let (Some(peer), Some(upto)) = (source, received_upto) {
            tx.execute(
                "UPDATE peers SET received_idx = max(received_idx, ?2), last_sync_at = ?3 WHERE peer = ?1",
                params![peer, upto as i64, chrono::Utc::now().to_rfc3339()],
            )?;
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Every open conflict, the winning value beside each losing one.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn.prepare(
            "SELECT record_id, kind, field, origin, hlc, value FROM conflicts ORDER BY kind, record_id, field, hlc",
        )?;
        let rows: Vec<(String, String, String, String, i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        let who = self.writers()?;
        let mut winners: BTreeMap<(String, String), Side> = BTreeMap::new();
        let mut authors: BTreeMap<(String, u64), Option<String>> = BTreeMap::new();
        for (record_id, kind, field, origin, hlc, value) in rows {
            let key = (record_id.clone(), field.clone());
            if !winners.contains_key(&key) {
                let changes = stored_changes(&self.conn, &record_id)?;
                for c in &changes {
                    authors.insert((c.origin.clone(), c.hlc), c.author.clone());
                }
                let winner = changes.iter().rev().find(|c| c.fields.contains_key(&field));
                let side = winner.map(|w| who.side(w, &field));
                winners.insert(key.clone(), side.unwrap_or_else(|| who.empty()));
            }
            let (title, unit) = match Kind::parse(&kind) {
                Some(k) => {
                    let row = self.db().row(k, &record_id.parse()?)?;
                    (
                        row.as_ref().and_then(|r| r.fields.get(k.def().title_field).cloned()),
                        row.map(|r| r.unit.to_string()).unwrap_or_default(),
                    )
                }
                None => (None, String::new()),
            };
            let author = authors.get(&(origin.clone(), hlc as u64)).cloned().flatten();
            let (node_unit, node_unit_name) = who.unit_of(&origin);
            out.push(Conflict {
                kind,
                record_id,
                title,
                unit_name: who.name_of(&unit),
                unit,
                field,
                winner: winners[&key].clone(),
                loser: Side {
                    value: serde_json::from_str(&value).unwrap_or(Value::Null),
                    node: origin,
                    at: stamp_of(Hlc(hlc as u64)),
                    hlc: hlc as u64,
                    author,
                    node_unit,
                    node_unit_name,
                },
            });
        }
        Ok(out)
    }

    /// Who wrote what: this ledger's node and the nodes its hubs reported, by unit.
    fn writers(&self) -> Result<Writers> {
        let node = self.node()?;
        let mut units: HashMap<String, String> = self
            .conn
            .prepare("SELECT node, unit FROM presence")?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        units.insert(node.node_id.to_string(), node.unit.to_string());
        Ok(Writers { units, catalogue: node.catalogue() })
    }

    /// Every settled conflict, the latest first: the settling change and the values it chose
    /// among, from the change log (so every node that holds the record shows the same).
    pub fn settlements(&self) -> Result<Vec<Settlement>> {
        let who = self.writers()?;
        // A settling change names two or more clocks of one field among its bases; an ordinary
        // edit names the one it saw.
        let mut stmt =
            self.conn.prepare("SELECT DISTINCT record_id FROM changes WHERE bases LIKE '%,%' AND withheld IS NULL")?;
        let records: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for record_id in records {
            let changes = stored_changes(&self.conn, &record_id)?;
            let Some(kind) = changes.first().and_then(|c| Kind::parse(&c.kind)) else { continue };
            let row = self.db().row(kind, &record_id.parse()?)?;
            for change in &changes {
                for (field, clocks) in &change.bases {
                    let Some(clocks) = clocks.as_array().filter(|c| c.len() > 1) else { continue };
                    if !change.fields.contains_key(field) {
                        continue;
                    }
                    let sides: Vec<Side> = clocks
                        .iter()
                        .filter_map(Value::as_u64)
                        .filter_map(|hlc| changes.iter().find(|c| c.hlc == hlc && c.fields.contains_key(field)))
                        .map(|c| who.side(c, field))
                        .collect();
                    let unit = change.unit.clone();
                    out.push(Settlement {
                        kind: kind.as_str().to_string(),
                        record_id: record_id.clone(),
                        title: row.as_ref().and_then(|r| r.fields.get(kind.def().title_field).cloned()),
                        unit_name: who.name_of(&unit),
                        unit,
                        field: field.clone(),
                        chosen: who.side(change, field),
                        sides,
                        current: row
                            .as_ref()
                            .and_then(|r| r.fields.get(field.as_str()).cloned())
                            .unwrap_or(Value::Null),
                    });
                }
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.chosen.hlc));
        Ok(out)
    }

    /// Settles every conflict of one field of a record with `value` (the winning value, a
    /// losing one, or a new one): a change that names the values it settled, and syncs.
    pub fn resolve(&mut self, kind: Kind, id: RecordId, field: &str, value: Value) -> Result<()> {
        self.actor.require(crate::access::Action::Write)?;
        let losers: Vec<u64> = self
            .conn
            .prepare("SELECT hlc FROM conflicts WHERE record_id = ?1 AND field = ?2")?
            .query_map(params![id.to_string(), field], |r| r.get::<_, i64>(0))?
            .map(|h| h.map(|h| h as u64))
            .collect::<rusqlite::Result<_>>()?;
        if losers.is_empty() {
            return Err(Error::not_found(
                format!("no conflict on field `{field}` of {} {id}", kind.as_str()),
                format!("không có xung đột ở trường `{field}` của bản ghi {id}"),
            ));
        }
        let mut input = Map::new();
        input.insert(field.to_string(), value);
        self.write(|w| w.put_seeing(kind, Put::Update(id), None, &input, Some(vec![(field.to_string(), losers)])))?;
        Ok(())
    }
}

fn not_enrolled() -> Error {
    Error::input(
        "this ledger is not enrolled with a hub: run `sobaucu enroll --hub URL --code CODE` first",
        "sổ này chưa đăng ký với máy chủ: hãy chạy `sobaucu enroll --hub URL --code CODE` trước",
    )
}

/// How many of this node's changes are set aside (a restore being recovered).
pub(crate) fn parked_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM parked", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Recovery after a restore from an older copy: the hub holds changes of this node that this
/// file lost, and this file may hold new changes under the same numbers. The node sets its
/// unacknowledged changes aside ([`Store::park_unacked`]), takes back from the hub what it
/// had sent ([`Store::apply_recovered`]), then writes the set-aside changes again above every
/// number the hub holds ([`Store::unpark`]), giving records made since the restore new ids
/// where the hub holds records under theirs. Nothing is lost and nothing is dropped; writes
/// wait meanwhile.
impl Store {
    /// Sets this node's unacknowledged changes aside; returns how many.
    pub fn park_unacked(&mut self) -> Result<usize> {
        // The log shrinks: the lists' indexes are read anew, not brought up to date.
        self.lists.get_mut().clear();
        let node = self.node()?.node_id;
        let link = self.parent()?.ok_or_else(not_enrolled)?;
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "INSERT INTO parked (seq, record_id, kind, unit, hlc, fields, bases)
             SELECT seq, record_id, kind, unit, hlc, fields, bases FROM changes
             WHERE origin = ?1 AND source IS NULL AND idx > ?2 ORDER BY seq",
            params![node.to_string(), link.sent_idx as i64],
        )?;
        tx.execute(
            "DELETE FROM changes WHERE origin = ?1 AND source IS NULL AND idx > ?2",
            params![node.to_string(), link.sent_idx as i64],
        )?;
        tx.execute(
            "UPDATE node SET last_seq = (SELECT coalesce(max(seq), 0) FROM changes WHERE origin = ?1)",
            [node.to_string()],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Applies this node's own changes the hub sent back (in order), and the records they touch.
    pub fn apply_recovered(&mut self, batch: &Batch) -> Result<usize> {
        let parent = self.parent()?.ok_or_else(not_enrolled)?;
        let node = self.node()?.clone();
        let readable = readable_units(&node);
        let readable = |u: &str| readable.contains(u);
        let tx = self.conn.transaction()?;
        let checker = crate::trust::Checker {
            conn: &tx,
            catalogue: node.catalogue(),
            readable: &readable,
            now_ms: crate::trust::now_ms(),
            max_skew_ms: crate::trust::max_skew_ms(),
        };
        let own = Batch { after: 0, upto: 0, statements: Vec::new(), changes: batch.changes.clone() };
        let applied = match link::append_batch(&checker, &crate::trust::Sender::Parent, &own, &parent.peer.to_string())?
        {
            Ok(a) => a,
            Err(_) => {
                return Err(Error::refused(
                    "bad_chain",
                    "the hub sent back changes of this node that do not follow its own",
                    "máy chủ gửi lại các thay đổi không khớp với sổ này",
                ));
            }
        };
        for record in &applied.touched {
            materialize(&tx, record)?;
        }
        let max_seq = batch.changes.iter().filter(|c| c.origin == node.node_id).map(|c| c.seq).max().unwrap_or(0);
        let max_counter =
            batch.changes.iter().filter(|c| c.record_node == node.node_id).map(|c| c.record_counter).max().unwrap_or(0);
        bump_node(&tx, applied.max_hlc, max_seq, max_counter)?;
        tx.commit()?;
        Ok(applied.new)
    }

    /// Writes the set-aside changes again above `held_seq` (and above every number this file
    /// holds), records made since the restore under an id the hub holds getting a new one
    /// above `held_counter`; changes the hub sent back unchanged are dropped. Returns how many
    /// were written again.
    pub fn unpark(&mut self, held_seq: u64, held_counter: u64) -> Result<usize> {
        let node = self.node()?.node_id;
        let me = node.to_string();
        let tx = self.conn.transaction()?;
        let parked: Vec<(String, String, String, i64, String, Option<String>)> = tx
            .prepare("SELECT record_id, kind, unit, hlc, fields, bases FROM parked ORDER BY n")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let (mut seq, mut counter): (i64, i64) =
            tx.query_row("SELECT last_seq, next_counter FROM node", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        seq = seq.max(held_seq as i64);
        counter = counter.max(held_counter as i64 + 1);
        // Records made since the restore whose id the hub holds for another record: new ids.
        let mut renamed: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut seen_records = HashSet::new();
        for (record_id, _, _, _, fields, _) in &parked {
            let first = seen_records.insert(record_id.clone());
            let creates = first && record_id.starts_with(&format!("{me}-")) && fields.contains("\"unit\"");
            if creates && log::record_home(&tx, record_id)?.is_some() {
                renamed.insert(record_id.clone(), format!("{me}-{counter}"));
                counter += 1;
            }
        }
        let rename = |text: &str| -> String {
            let mut value: Map<String, Value> = serde_json::from_str(text).unwrap_or_default();
            for v in value.values_mut() {
                if let Some(new) = v.as_str().and_then(|s| renamed.get(s)) {
                    *v = Value::String(new.clone());
                }
            }
            Value::Object(value).to_string()
        };
        let mut touched = BTreeSet::new();
        let mut written = 0;
        for (record_id, kind, unit, hlc, fields, bases) in &parked {
            let record_id = renamed.get(record_id).cloned().unwrap_or_else(|| record_id.clone());
            let fields = rename(fields);
            let same_held: bool = tx
                .prepare_cached(
                    "SELECT 1 FROM changes WHERE origin = ?1 AND record_id = ?2 AND hlc = ?3 AND fields = ?4
                       AND coalesce(bases, '') = coalesce(?5, '')",
                )?
                .exists(params![me, record_id, hlc, fields, bases])?;
            if same_held {
                continue;
            }
            seq += 1;
            let record: RecordId = record_id.parse()?;
            let fields_map: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
            let bases_map: Map<String, Value> =
                bases.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
            let change = log::change_from_maps(
                node,
                seq as u64,
                record,
                kind.clone(),
                unit.clone(),
                *hlc as u64,
                &fields_map,
                &bases_map,
            );
            let stream = crate::kinds::stream_of(kind).unwrap_or(crate::kinds::STREAM_MAIN);
            log::append(&tx, &change, stream, None)?;
            touched.insert(record_id.clone());
            written += 1;
        }
        for (old, new) in &renamed {
            tx.execute("UPDATE import_records SET record_id = ?2 WHERE record_id = ?1", params![old, new])?;
            touched.insert(old.clone());
            touched.insert(new.clone());
        }
        for record in &touched {
            materialize(&tx, record)?;
        }
        tx.execute("DELETE FROM parked", [])?;
        tx.execute(
            "UPDATE node SET last_seq = max(last_seq, ?1), next_counter = max(next_counter, ?2)",
            params![seq, counter],
        )?;
        tx.commit()?;
        Ok(written)
    }
}

/// The units of the nodes that wrote changes, to name a change's writer.
struct Writers {
    units: HashMap<String, String>,
    catalogue: &'static crate::units::Catalogue,
}

impl Writers {
    fn name_of(&self, unit: &str) -> Option<String> {
        unit.parse::<crate::units::UnitCode>().ok().and_then(|u| self.catalogue.unit(&u).map(|u| u.name.clone()))
    }

    fn unit_of(&self, node: &str) -> (Option<String>, Option<String>) {
        match self.units.get(node) {
            Some(unit) => (Some(unit.clone()), self.name_of(unit)),
            None => (None, None),
        }
    }

    fn side(&self, change: &Stored, field: &str) -> Side {
        let (node_unit, node_unit_name) = self.unit_of(&change.origin);
        Side {
            value: change.fields.get(field).cloned().unwrap_or(Value::Null),
            node: change.origin.clone(),
            at: stamp_of(Hlc(change.hlc)),
            hlc: change.hlc,
            author: change.author.clone(),
            node_unit,
            node_unit_name,
        }
    }

    fn empty(&self) -> Side {
        Side {
            value: Value::Null,
            node: String::new(),
            at: String::new(),
            hlc: 0,
            author: None,
            node_unit: None,
            node_unit_name: None,
        }
    }
}
