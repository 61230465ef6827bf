//! The child's side of a sync link, over the tables a node's ledger and a hub's store share
//! (`peers` with its `parent` row, `changes`, `statements`, `refused`): what to push, what an
//! answer acknowledges, and where to pull from.
//!
//! **Positions, checked.** Each side acknowledges the other's log by position, and a position
//! is only as good as the entries behind it: a file restored from an older copy would reuse
//! positions its peers already hold. So the child pushes from where the parent's *sealed*
//! acknowledgement says (it may move back: a parent restored from an older copy asks again
//! for what it lost), the parent takes a batch it already has only when every change in it
//! is the one it holds (a child restored from an older copy is caught reusing a number), and
//! the child pulls after a position only with the check of the parent's entry there (a parent
//! whose entry is another one answers from the start again). Duplicates are idempotent, so
//! what is sent again costs bytes and loses nothing.
//!
//! **Durability.** Both stores write with `synchronous=FULL`: a position or counter written
//! is on the disk before the message that depends on it leaves.

use crate::args;
use crate::db::{Sql, Tx};
use sobaucu_protocol::chain::Head;
use sobaucu_protocol::{Batch, Change, Identity, PublicIdentity, Statement};

use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::log::{self, ReadFilter};

/// What a child knows of its parent.
#[derive(Debug, Clone)]
pub struct ParentLink {
    pub peer: NodeId,
    /// The parent's keys; None for a link made with protocol 1 (the child must enrol again).
    pub identity: Option<PublicIdentity>,
    pub unit: String,
    pub url: Option<String>,
    /// The parent's log position this child has everything up to, and the check of the
    /// parent's entry there.
    pub received_idx: u64,
    pub received_check: Option<String>,
    /// This child's log position the parent has acknowledged.
    pub sent_idx: u64,
    /// The parent's statements position this child has.
    pub certs_idx: u64,
    /// This child's statements position the parent has.
    pub certs_sent: u64,
    /// The last counter this child sealed a message to the parent with.
    pub counter: u64,
    /// The last counter of a message from the parent this child took (bundles).
    pub counter_in: u64,
    pub last_sync_at: Option<String>,
}

fn no_parent() -> Error {
    Error::input("this peer has no parent hub", "máy này chưa có máy chủ cấp trên")
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// The parent link, if the child is enrolled.
pub fn parent(db: &dyn Sql) -> Result<Option<ParentLink>> {
    let Some(r) = db.row(
        "SELECT peer, public_key, seal_key, unit, url, received_idx, received_check, sent_idx, certs_idx, certs_sent,
                counter, last_sync_at, protocol, counter_in
         FROM peers WHERE role = 'parent'",
        &[],
    )?
    else {
        return Ok(None);
    };
    let (peer, sign, seal, unit, url) = (r.text(0)?, r.text(1)?, r.opt_text(2)?, r.text(3)?, r.opt_text(4)?);
    let [received, sent, certs, certs_sent, counter] = [r.i64(5)?, r.i64(7)?, r.i64(8)?, r.i64(9)?, r.i64(10)?];
    let (received_check, last_sync_at, protocol, counter_in) =
        (r.opt_text(6)?, r.opt_text(11)?, r.i64(12)?, r.i64(13)?);
    let peer: NodeId = peer.parse()?;
    let identity = match (protocol, seal) {
        (2, Some(seal)) => Some(PublicIdentity::from_hex(peer, &sign, &seal)?),
        _ => None,
    };
    Ok(Some(ParentLink {
        peer,
        identity,
        unit,
        url,
        received_idx: received as u64,
        received_check,
        sent_idx: sent as u64,
        certs_idx: certs as u64,
        certs_sent: certs_sent as u64,
        counter: counter as u64,
        counter_in: counter_in as u64,
        last_sync_at,
    }))
}

/// Records the hub this child enrolled with (replacing a link of protocol 1 to the same hub)
/// and the certificates its answer carried, in one transaction.
pub fn set_parent(
    db: &dyn Sql,
    hub: &PublicIdentity,
    unit: &str,
    url: Option<&str>,
    chain: &[Statement],
) -> Result<()> {
    let tx = Tx::write(db)?;
    tx.exec("DELETE FROM peers WHERE role = 'parent'", &[])?;
    tx.exec(
        "INSERT INTO peers (peer, role, unit, public_key, seal_key, url, enrolled_at, protocol)
         VALUES (?1, 'parent', ?2, ?3, ?4, ?5, ?6, 2)",
        args![hub.node.to_string(), unit, hub.sign_hex(), hub.seal_hex(), url, now_text()],
    )?;
    // The enrolment's answer is the truth about the certificates it carries (this child's own
    // among them, replacing one it signed itself as a top hub).
    for statement in chain {
        if let Statement::Cert(cert) = statement {
            tx.exec(
                "DELETE FROM statements WHERE kind = 'cert' AND subject = ?1",
                args![cert.subject.node.to_string()],
            )?;
        }
        crate::trust::store_statement(&*tx, statement, Some(&hub.node.to_string()))?;
    }
    tx.commit()?;
    Ok(())
}

/// The next counter to seal a message to the parent with: above every one used before and
/// above the clock in microseconds (so a file restored from an older copy still counts up),
/// written before the message leaves.
pub fn next_counter(db: &dyn Sql) -> Result<u64> {
    let micros =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
    let last = db.number("SELECT counter FROM peers WHERE role = 'parent'", &[])?.ok_or_else(no_parent)?;
    let next = (last as u64).saturating_add(1).max(micros).min(i64::MAX as u64);
    db.exec("UPDATE peers SET counter = ?1 WHERE role = 'parent'", args![next])?;
    Ok(next)
}

/// The check of this log's entry at `position`: the first 4 bytes of its digest, hex (None
/// at position 0, or where no entry is).
pub fn check_at(db: &dyn Sql, position: u64) -> Result<Option<String>> {
    if position == 0 {
        return Ok(None);
    }
    Ok(log::entry_at(db, position)?.map(|e| crate::link::short_hex(&sobaucu_protocol::chain::digest(&e.change))))
}

pub(crate) fn short_hex(digest: &[u8; 32]) -> String {
    // Four bytes: a check of position, not a seal (the seal is the messages').
    sobaucu_protocol::to_hex(&digest[..4])
}

/// Where a push starts: after a log position and a statements position.
#[derive(Debug, Clone, Copy)]
pub struct PushFrom {
    pub after: u64,
    pub certs_after: u64,
    /// Send this node's election-day changes beyond the batch's window with it (the first
    /// round of a sync over a link: they cross at once, whatever waits before them).
    pub ahead: bool,
}

/// At most this many of election day's changes ride ahead with a batch.
const PRIORITY_LIMIT: usize = 64;

/// The batch to push from `from`: the statements the parent lacks, then up to `limit`
/// changes (about `max_bytes` of them), with this node's signature of the head of each of its
/// chains the batch carries (kept in the log too), and this node's election-day changes
/// beyond them. Returns the batch and the statements position it covers.
pub fn push_batch(
    conn: &dyn Sql,
    me: &Identity,
    link: &ParentLink,
    from: PushFrom,
    limit: usize,
    max_bytes: usize,
) -> Result<(Batch, u64)> {
    let parent = link.peer.to_string();
    let statement_limit = (max_bytes / 200).clamp(1, 5_000);
    let (statements, certs_upto) =
        crate::trust::statements_after(conn, from.certs_after, statement_limit, Some(&parent), &|_, _| true)?;
    if statements.len() >= statement_limit {
        // The changes that need these certificates go in the next batch.
        return Ok((Batch { after: from.after, upto: from.after, statements, changes: Vec::new() }, certs_upto));
    }
    let filter = ReadFilter { not_from: Some(parent), units: None, stream: None, no_figures_of: None };
    let (entries, upto, _) = log::read(conn, from.after, limit, Some(max_bytes), &filter)?;
    let mut changes: Vec<Change> = entries.iter().map(|e| e.change.clone()).collect();
    // Election day's records go ahead of everything else waiting: those of this node beyond
    // the batch's window ride along with it, after the window (their chain is their own, so
    // the hub takes them in order). The hub keeps its position at the window's end; when the
    // window reaches them they arrive again and are known (duplicates).
    // They take at most the batch's own byte budget, so a link that shrank its batches after
    // cuts still carries them.
    if from.ahead && limit > 1 {
        let mut bytes = 0usize;
        for change in log::stream_after(conn, upto, me.node(), crate::kinds::STREAM_ELECTION_DAY, PRIORITY_LIMIT)? {
            bytes += log::entry_size(&change);
            if bytes > max_bytes && bytes > log::entry_size(&change) {
                break;
            }
            changes.push(change);
        }
    }
    sign_heads(conn, me, &mut changes)?;
    log::bases_to_refs(conn, &mut changes)?;
    Ok((Batch { after: from.after, upto, statements, changes }, certs_upto))
}

/// Signs, for each chain of `me` in `changes`, its head at the last of its changes there.
fn sign_heads(conn: &dyn Sql, me: &Identity, changes: &mut [Change]) -> Result<()> {
    let mut last: std::collections::HashMap<(String, u8), usize> = Default::default();
    for (i, c) in changes.iter().enumerate() {
        if c.origin == me.node() && c.withheld.is_none() {
            last.insert((c.unit.clone(), crate::kinds::stream_of(&c.kind).unwrap_or(0)), i);
        }
    }
    for ((unit, stream), i) in last {
        let c = &changes[i];
        if c.head.is_some() {
            continue;
        }
        let r = conn
            .row(
                "SELECT chain_n, chain_hash FROM changes WHERE origin = ?1 AND seq = ?2",
                args![c.origin.to_string(), c.seq],
            )?
            .ok_or_else(|| Error::input("a change to sign vanished", "một thay đổi cần ký đã mất"))?;
        let (length, hash) = (r.i64(0)?, r.blob(1)?);
        let hash: [u8; 32] =
            hash.try_into().map_err(|_| Error::input("a chain hash is damaged", "mã chuỗi bị hỏng"))?;
        let signature = Head { origin: me.node(), unit: &unit, stream, length: length as u64, hash }.sign(me);
        conn.exec(
            "UPDATE changes SET head_sig = ?3 WHERE origin = ?1 AND seq = ?2",
            args![c.origin.to_string(), c.seq, signature.to_vec()],
        )?;
        changes[i].head = Some(signature);
    }
    Ok(())
}

/// How many changes the parent has not acknowledged.
pub fn pending_count(conn: &dyn Sql) -> Result<u64> {
    match parent(conn)? {
        Some(link) => log::count_after(conn, link.sent_idx, &link.peer.to_string()),
        None => Ok(conn.number("SELECT count(*) FROM changes WHERE source IS NULL", &[])?.unwrap_or(0) as u64),
    }
}

/// Takes the parent's acknowledgement, from a sealed answer only: it has this log up to `ack`
/// (with `check`, this child's own check of its entry there), and the statements of the
/// round's push up to `certs_upto`. `pushed` is the range the round sent. Beyond it, the
/// position moves only if the entry there is still the one the check names (a batch sent again
/// after a lost answer); before it, it moves back (a parent restored from an older copy asks
/// again for what it lost). Returns the position taken.
pub fn take_ack(
    conn: &dyn Sql,
    ack: u64,
    check: Option<&str>,
    pushed: Option<(u64, u64)>,
    certs_upto: Option<u64>,
) -> Result<u64> {
    let ack = match pushed {
        Some((_, upto)) if ack > upto => {
            if check.is_some() && check_at(conn, ack)?.as_deref() == check {
                ack
            } else {
                upto
            }
        }
        _ => ack,
    };
    let ack = ack.min(log::head(conn)?);
    conn.exec(
        "UPDATE peers SET sent_idx = ?1, last_sync_at = ?2,
             certs_sent = CASE WHEN CAST(?3 AS BIGINT) IS NULL OR certs_sent > ?3 THEN certs_sent ELSE ?3 END
         WHERE role = 'parent'",
        args![ack, now_text(), certs_upto],
    )?;
    Ok(ack)
}

/// Notes the parent's refusal of changes this child sent.
pub fn record_refused(
    conn: &dyn Sql,
    origin: NodeId,
    refused: &[sobaucu_protocol::messages::RefusedChange],
) -> Result<()> {
    for r in refused {
        keep_refused(conn, origin, r.seq, r.kind.as_str(), &r.message)?;
    }
    Ok(())
}

/// The changes of this log refused by the parent or when they arrived here: origin, sequence
/// number, rule, message, when.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RefusedEntry {
    pub origin: String,
    pub seq: u64,
    pub kind: String,
    pub message: String,
    pub at: String,
    pub record_id: Option<String>,
    pub record_kind: Option<String>,
}

pub fn refused(conn: &dyn Sql) -> Result<Vec<RefusedEntry>> {
    conn.rows(
        "SELECT r.origin, r.seq, r.kind, r.message, r.at, c.record_id, c.kind FROM refused r
         LEFT JOIN changes c ON c.origin = r.origin AND c.seq = r.seq ORDER BY r.at, r.origin, r.seq",
        &[],
    )?
    .into_iter()
    .map(|r| {
        Ok(RefusedEntry {
            origin: r.text(0)?,
            seq: r.u64(1)?,
            kind: r.text(2)?,
            message: r.text(3)?,
            at: r.text(4)?,
            record_id: r.opt_text(5)?,
            record_kind: r.opt_text(6)?,
        })
    })
    .collect()
}

/// Keeps why a change was refused (the newest reason of a change refused again).
pub fn keep_refused(db: &dyn Sql, origin: NodeId, seq: u64, kind: &str, message: &str) -> Result<()> {
    db.exec(
        "INSERT INTO refused (origin, seq, kind, message, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (origin, seq) DO UPDATE SET kind = excluded.kind, message = excluded.message, at = excluded.at",
        args![origin.to_string(), seq, kind, message, now_text()],
    )?;
    Ok(())
}

/// Where the next pull starts: the parent may have said this child's position is not in its
/// log as it is now (it was restored from an older copy).
pub fn rewind_pull(conn: &dyn Sql, to: u64) -> Result<()> {
    conn.exec("UPDATE peers SET received_idx = ?1 WHERE role = 'parent' AND received_idx > ?1", args![to])?;
    Ok(())
}

/// Records that this child now has the parent's log up to `upto` (with the check of the
/// parent's entry there), and its statements up to `certs_upto`. Runs in the caller's
/// transaction.
pub fn received(conn: &dyn Sql, upto: u64, check: Option<&str>, certs_upto: u64) -> Result<()> {
    conn.exec(
        "UPDATE peers SET received_idx = ?1, received_check = ?2,
             certs_idx = CASE WHEN certs_idx > ?3 THEN certs_idx ELSE ?3 END, last_sync_at = ?4
         WHERE role = 'parent'",
        args![upto, check, certs_upto, now_text()],
    )?;
    Ok(())
}

/// What checking and appending a batch from another peer did.
#[derive(Debug, Default, Clone)]
pub struct Applied {
    /// Changes new to this log, and those it already had.
    pub new: usize,
    pub duplicates: usize,
    /// Records the new changes touch (a ledger rewrites their rows).
    pub touched: std::collections::BTreeSet<String>,
    /// Changes refused by the rules (kept as their digests), by sequence number.
    pub refused: Vec<(NodeId, u64, crate::trust::Refusal)>,
    /// Statements refused.
    pub refused_statements: Vec<crate::trust::Refusal>,
    /// The greatest clock among the new changes.
    pub max_hlc: u64,
}

/// Whether a whole batch must be refused: a broken chain, a reused sequence number or a
/// reordering means the sender (or a hub before it) altered what an origin wrote.
#[derive(Debug)]
pub enum BatchRefused {
    Chain(crate::trust::Refusal),
    /// The log holds another change under one of the batch's (origin, sequence number).
    Reused {
        origin: NodeId,
        seq: u64,
    },
}

/// Whether a refused change is kept as its digest: only when it belongs to a chain the sender
/// may carry (its own as a node; one of its subtree's origins as a hub; anything from this
/// peer's own parent), so its origin's chain stays whole and no sender takes another origin's
/// sequence numbers.
fn keeps_withheld(checker: &crate::trust::Checker<'_>, sender: &crate::trust::Sender, change: &Change) -> Result<bool> {
    use crate::trust::Sender;
    Ok(match sender {
        Sender::Parent => true,
        Sender::Child { peer, role: sobaucu_protocol::Role::Node, .. } => change.origin == *peer,
        Sender::Child { unit, .. } => crate::trust::cert_of(checker.conn, change.origin)?.is_some_and(|c| {
            c.unit.parse::<crate::units::UnitCode>().is_ok_and(|u| checker.catalogue.is_within(&u, unit))
        }),
    })
}

/// Checks and appends a batch from `sender` in the caller's transaction: the statements
/// first, then each change (a refused one is kept as its digest and reason, never applied),
/// then each chain head the batch carries. `source` names the peer in the log.
pub fn append_batch(
    checker: &crate::trust::Checker<'_>,
    sender: &crate::trust::Sender,
    batch: &Batch,
    source: &str,
) -> Result<std::result::Result<Applied, BatchRefused>> {
    use sobaucu_protocol::Withheld;
    use sobaucu_protocol::messages::RefusalKind;
    let conn = checker.conn;
    let mut applied = Applied::default();
    for statement in &batch.statements {
        if let Err(refusal) = checker.take_statement(sender, statement, Some(source))? {
            applied.refused_statements.push(refusal);
        }
    }
    for change in &batch.changes {
        // References among the bases become clocks again before anything else (the digest,
        // the rules and the log all see clocks).
        let Some(change) = log::resolve_refs(conn, change)? else {
            return Ok(Err(BatchRefused::Chain(crate::trust::Refusal::new(
                RefusalKind::BadChain,
                format!(
                    "change {} of node {} names as its base a change this peer does not hold",
                    change.seq, change.origin
                ),
            ))));
        };
        let change = &change;
        let verdict = checker.check_change(sender, change)?;
        let stream = crate::kinds::stream_of(&change.kind).unwrap_or(crate::kinds::STREAM_MAIN);
        if let Err(refusal) = &verdict
            && !keeps_withheld(checker, sender, change)?
        {
            // Not the sender's to send at all (another origin's, outside its subtree): kept
            // nowhere, so it cannot take another origin's place in this log.
            applied.refused.push((change.origin, change.seq, refusal.clone()));
            continue;
        }
        let kept;
        let to_append = match &verdict {
            Ok(()) => change,
            Err(refusal) => {
                let mut withheld = change.clone();
                withheld.fields.clear();
                withheld.bases.clear();
                withheld.author = None;
                withheld.withheld = Some(Withheld {
                    digest: sobaucu_protocol::chain::digest(change),
                    reason: refusal.kind.as_str().to_string(),
                });
                kept = withheld;
                &kept
            }
        };
        match log::append(conn, to_append, stream, Some(source))? {
            log::Appended::New { head, .. } => {
                if let Err(refusal) = checker.check_head(change, stream, &head)? {
                    return Ok(Err(BatchRefused::Chain(refusal)));
                }
                match verdict {
                    Ok(()) if change.withheld.is_none() => {
                        applied.new += 1;
                        applied.touched.insert(change.record_id());
                        applied.max_hlc = applied.max_hlc.max(change.hlc);
                    }
                    Ok(()) => applied.new += 1,
                    Err(refusal) => {
                        keep_refused(conn, change.origin, change.seq, refusal.kind.as_str(), &refusal.message)?;
                        applied.refused.push((change.origin, change.seq, refusal));
                    }
                }
            }
            log::Appended::Duplicate => applied.duplicates += 1,
            log::Appended::Reused => return Ok(Err(BatchRefused::Reused { origin: change.origin, seq: change.seq })),
            log::Appended::OutOfOrder { last_seq } => {
                return Ok(Err(BatchRefused::Chain(crate::trust::Refusal::new(
                    RefusalKind::BadChain,
                    format!(
                        "change {} of node {} arrived after its change {last_seq} of the same chain: the changes were reordered",
                        change.seq, change.origin
                    ),
                ))));
            }
        }
    }
    Ok(Ok(applied))
}

/// Takes a counter of a message from the parent (a bundle it made) if it is above every one
/// taken before; a bundle imported again, or an older one, is then recognised.
pub fn take_counter_in(conn: &dyn Sql, counter: u64) -> Result<bool> {
    Ok(conn.exec("UPDATE peers SET counter_in = ?1 WHERE role = 'parent' AND counter_in < ?1", args![counter])? == 1)
}
