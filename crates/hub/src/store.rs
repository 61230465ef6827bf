//! The hub's store: its identity, the change log of its whole subtree, its children and its
//! parent with their positions and counters, certificates and revocations, and one-time
//! enrolment codes. All SQL of the hub lives here (the log's and the trust rules' through
//! `sobaucu_core::log`, `trust` and `link`, which a node's ledger shares); the protocol's
//! steps are in [`crate::service`].

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sobaucu_core::link::{self, ParentLink};
use sobaucu_core::log::{self, ReadFilter};
use sobaucu_core::trust;
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_core::vault;
use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::messages::Seen;
use sobaucu_protocol::{Cert, Change, Identity, NodeId, PublicIdentity, Revocation, Role, Statement};

/// The file of a hub's store inside its data directory.
pub const HUB_FILE: &str = "hub.sqlite";

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE hub (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    node_id    TEXT NOT NULL,
    unit       TEXT NOT NULL,
    scheme     TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE changes (
    idx       INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    fields    TEXT NOT NULL,
    bases     TEXT,
    source    TEXT,
    UNIQUE (origin, seq)
);
CREATE INDEX changes_by_unit ON changes(unit, idx);
CREATE TABLE peers (
    peer         TEXT PRIMARY KEY,
    role         TEXT NOT NULL CHECK (role IN ('parent', 'child')),
    kind         TEXT NOT NULL DEFAULT 'node',
    unit         TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    url          TEXT,
    received_idx INTEGER NOT NULL DEFAULT 0,
    sent_idx     INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT,
    revoked      INTEGER NOT NULL DEFAULT 0,
    enrolled_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE enroll_codes (
    code_hash  TEXT PRIMARY KEY,
    unit       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_by    TEXT,
    used_at    TEXT
) WITHOUT ROWID;
"#,
    r#"
-- What each child sent: changes new to the hub, changes it already had, and batches refused
-- as replays (an acknowledgement lost in a cut, or a real replay).
ALTER TABLE peers ADD COLUMN changes_new INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN changes_duplicate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peers ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- When the nodes and hubs below the hub's children last synced, as the child hubs reported.
CREATE TABLE seen (
    node         TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    last_sync_at TEXT NOT NULL
) WITHOUT ROWID;
"#,
    r#"
-- Protocol 2: chains, certificates and revocations, refused changes, sealing keys
-- and counters; codes that say the role they enrol and when they expire. (The columns and
-- tables a ledger's migration 9 adds too are `log::TRUST_TABLES_SQL`, run first; the chains
-- of the changes held are computed after.)
CREATE INDEX changes_by_record ON changes(record_id);
ALTER TABLE peers ADD COLUMN refused_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enroll_codes ADD COLUMN role TEXT NOT NULL DEFAULT 'node';
ALTER TABLE enroll_codes ADD COLUMN expires_day INTEGER NOT NULL DEFAULT 0;
"#,
    // The author of each change (`log::AUTHOR_SQL`, run first); the election day and law
    // version each ledger below told (a new ledger restored for its unit takes them back).
    r#"
ALTER TABLE peers ADD COLUMN election_date TEXT;
ALTER TABLE peers ADD COLUMN law TEXT;
"#,
];

/// The version the protocol 2 migration brings a hub's file to.
const TRUST_VERSION: usize = 4;

/// The version that records each change's author.
const AUTHORS_VERSION: usize = 5;

/// Who this hub is.
#[derive(Debug, Clone)]
pub struct HubInfo {
    pub node_id: NodeId,
    pub unit: UnitCode,
    pub scheme: Scheme,
}

/// A child as `status --json` and the desktop's hub panel show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeerStatus {
    pub node: String,
    pub unit: String,
    pub unit_name: Option<String>,
    pub role: &'static str,
    pub revoked: bool,
    pub must_enrol_again: bool,
    pub last_sync_at: Option<String>,
    pub received_idx: u64,
    pub sent_idx: u64,
    /// Changes of the hub's log the child may read and had not pulled when it last said.
    pub lag: u64,
    pub changes_new: u64,
    pub changes_duplicate: u64,
    pub replays: u64,
    pub changes_refused: u64,
}

/// A node or hub enrolled below this hub.
#[derive(Debug, Clone)]
pub struct ChildPeer {
    pub peer: NodeId,
    pub role: Role,
    pub unit: UnitCode,
    /// None for a child enrolled with protocol 1: it must enrol again.
    pub identity: Option<PublicIdentity>,
    /// The child's log position the hub has, and the child's check of its entry there.
    pub received_idx: u64,
    pub received_check: Option<String>,
    /// The hub's log position the child last said it has.
    pub sent_idx: u64,
    /// The last counter accepted from the child.
    pub counter: u64,
    pub revoked: bool,
    pub last_sync_at: Option<String>,
    /// Changes received that were new, changes received again, batches refused as replays,
    /// changes refused.
    pub counts: [u64; 4],
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("hub store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Core(#[from] sobaucu_core::Error),
    #[error("{0}")]
    Protocol(#[from] sobaucu_protocol::ProtocolError),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// The settings of every connection to the store.
fn configure(conn: &mut Connection) -> Result<()> {
    // `enroll-code` and `status` run beside the serving hub: wait for the file, and take the
    // write lock when a transaction begins, so no read-then-write can fail as busy.
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Acknowledgements and counters are on the disk before the answer that carries them
    // leaves (see `sobaucu_core::link`).
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// The hub's SQLite store.
pub struct SqliteHubStore {
    conn: Connection,
    dir: std::path::PathBuf,
    /// The store's file key (it is encrypted at rest: `sobaucu_core::vault`).
    key: vault::FileKey,
}

const CHILD_COLUMNS: &str = "peer, kind, unit, public_key, seal_key, protocol, received_idx, received_check, sent_idx, counter, \
     revoked, last_sync_at, changes_new, changes_duplicate, replays, refused_count";

fn read_child(r: &rusqlite::Row<'_>) -> Result<ChildPeer> {
    let peer: NodeId = r.get::<_, String>(0)?.parse()?;
    let sign: String = r.get(3)?;
    let seal: Option<String> = r.get(4)?;
    let protocol: i64 = r.get(5)?;
    let identity = match (protocol, seal) {
        (2, Some(seal)) => Some(PublicIdentity::from_hex(peer, &sign, &seal)?),
        _ => None,
    };
    Ok(ChildPeer {
        peer,
        role: r.get::<_, String>(1)?.parse()?,
        unit: r.get::<_, String>(2)?.parse()?,
        identity,
        received_idx: r.get::<_, i64>(6)? as u64,
        received_check: r.get(7)?,
        sent_idx: r.get::<_, i64>(8)? as u64,
        counter: r.get::<_, i64>(9)? as u64,
        revoked: r.get::<_, i64>(10)? != 0,
        last_sync_at: r.get(11)?,
        counts: [
            r.get::<_, i64>(12)? as u64,
            r.get::<_, i64>(13)? as u64,
            r.get::<_, i64>(14)? as u64,
            r.get::<_, i64>(15)? as u64,
        ],
    })
}

/// An enrolment code as the hub keeps it.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub unit: String,
    pub role: Role,
    /// The last day it can be used, as days since 1970-01-01.
    pub expires_day: u32,
    /// The node it enrolled, once used.
    pub used_by: Option<String>,
}

/// What a hub did with a batch a child pushed.
#[derive(Debug, Default)]
pub struct Accepted {
    pub new: usize,
    pub duplicates: usize,
    pub refused: Vec<(NodeId, u64, trust::Refusal)>,
    /// The batch was held already, change for change.
    pub replay: bool,
}

impl SqliteHubStore {
    /// Opens the hub store in `dir` with `credentials`, creating it (encrypted, with its keyring
    /// beside it, owner-only) or encrypting a plain store of an earlier version, and migrating
    /// it. A wrong or missing passphrase changes nothing.
    pub fn open(dir: &Path, credentials: &vault::Credentials) -> Result<SqliteHubStore> {
        let opened = vault::open(&dir.join(HUB_FILE), credentials, "hub")?;
        let key = opened.key;
        let mut conn = opened.conn;
        configure(&mut conn)?;
        // Every pending migration in one transaction (a crash leaves the file where it was);
        // the chains of a log from before protocol 2 are computed once all have run.
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if version < MIGRATIONS.len() {
            let tx = conn.transaction()?;
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
                if i + 1 == TRUST_VERSION {
                    tx.execute_batch(log::TRUST_TABLES_SQL)?;
                }
                if i + 1 == AUTHORS_VERSION {
                    tx.execute_batch(log::AUTHOR_SQL)?;
                }
                tx.execute_batch(sql)?;
            }
            if version < TRUST_VERSION {
                log::fill_chains(&tx, &|k| sobaucu_core::kinds::stream_of(k).unwrap_or(0))?;
                // Children enrolled with protocol 1 must enrol again (their sealing keys are
                // not known); codes issued before carry no role or expiry and are withdrawn.
                tx.execute(
                    "UPDATE enroll_codes SET used_by = 'withdrawn', used_at = ?1 WHERE used_by IS NULL",
                    [now()],
                )?;
            }
            tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
            tx.commit()?;
        }
        Ok(SqliteHubStore { conn, dir: dir.to_path_buf(), key })
    }

    /// A second connection to the same store (the relay's), without asking the passphrase
    /// again.
    pub fn reopen(&self) -> Result<SqliteHubStore> {
        let mut conn = vault::connect(&self.dir.join(HUB_FILE), &self.key)?;
        configure(&mut conn)?;
        Ok(SqliteHubStore { conn, dir: self.dir.clone(), key: self.key.clone() })
    }

    /// Gives the hub's store a new passphrase (with the current one), and re-keys it.
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<()> {
        let path = vault::keyring_path(&self.dir.join(HUB_FILE));
        let mut keyring =
            vault::Keyring::load(&path)?.ok_or_else(|| StoreError::Other("the keyring is missing".into()))?;
        let user = keyring.users().into_iter().next().unwrap_or_default();
        keyring.change_passphrase(&user, old, new, &self.key)?;
        keyring.save()?;
        self.key = vault::rekey(&self.conn, &mut keyring)?;
        Ok(())
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn is_initialized(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT count(*) FROM hub", [], |r| r.get::<_, i64>(0))? > 0)
    }

    /// Makes this store the hub of `unit`. A hub without a parent is the top of its tree and
    /// certifies itself; a hub with one gets its certificate when it enrols there.
    pub fn init(&mut self, unit: &UnitCode, scheme: Scheme, top: bool) -> Result<HubInfo> {
        if self.is_initialized()? {
            return Err(StoreError::Other("this directory already holds a hub".into()));
        }
        Catalogue::get(scheme).require(unit)?;
        let node = NodeId::random();
        let secret = Identity::new_secret_hex();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO hub (singleton, node_id, unit, scheme, secret_key, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            params![node.to_string(), unit.as_str(), scheme.as_str(), secret, now()],
        )?;
        if top {
            let me = Identity::from_secret_hex(node, &secret)?;
            let cert = Cert::issue(&me, *me.public(), Role::Hub, unit.as_str(), chrono::Utc::now().timestamp());
            trust::store_statement(&tx, &Statement::Cert(cert), None)?;
        }
        tx.commit()?;
        self.identity()
    }

    pub fn identity(&self) -> Result<HubInfo> {
        let (node, unit, scheme): (String, String, String) = self
            .conn
            .query_row("SELECT node_id, unit, scheme FROM hub", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?
            .ok_or_else(|| {
                StoreError::Other("no hub here: run `sobaucu-hub --data DIR init --unit CODE` first".into())
            })?;
        Ok(HubInfo { node_id: node.parse()?, unit: unit.parse()?, scheme: scheme.parse()? })
    }

    /// The hub's keys.
    pub fn keys(&self) -> Result<Identity> {
        let (node, secret): (String, String) =
            self.conn.query_row("SELECT node_id, secret_key FROM hub", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Identity::from_secret_hex(node.parse()?, &secret)?)
    }

    /// The check of the hub's log entry at `position` (what a child pulling after it names).
    pub fn check_at(&self, position: u64) -> Result<Option<String>> {
        Ok(link::check_at(&self.conn, position)?)
    }

    /// Keeps a one-time code (its secret's hash) for `unit` and `role`, until `expires_day`.
    pub fn keep_code(&mut self, secret_hash: &str, unit: &UnitCode, role: Role, expires_day: u32) -> Result<()> {
        self.conn.execute(
            "INSERT INTO enroll_codes (code_hash, unit, created_at, role, expires_day) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret_hash, unit.as_str(), now(), role.as_str(), expires_day],
        )?;
        Ok(())
    }

    /// Issues a one-time enrolment code for `unit` (in this hub's subtree) and `role`, valid
    /// for `days` days from today (at least one), and keeps it. The command line's
    /// `enroll-code` and the desktop's hub both issue codes here.
    pub fn issue_code(&mut self, unit: &UnitCode, role: Role, days: u32) -> Result<EnrolCode> {
        let me = self.identity()?;
        let catalogue = Catalogue::get(me.scheme);
        catalogue.require(unit)?;
        if !catalogue.is_within(unit, &me.unit) {
            return Err(StoreError::Other(format!("unit {unit} is not in this hub's subtree ({})", me.unit)));
        }
        if role == Role::Hub && *unit == me.unit {
            return Err(StoreError::Other(format!(
                "a hub below this one serves a unit below {}, not {} itself",
                me.unit, me.unit
            )));
        }
        if self.chain()?.is_empty() {
            return Err(StoreError::Other(
                "this hub has no certificate yet: enrol it at its parent hub first (`init --parent URL --code CODE`)"
                    .into(),
            ));
        }
        let keys = self.keys()?;
        let expires_day = (chrono::Utc::now().timestamp() / 86_400) as u32 + days.max(1);
        let code = EnrolCode::new(role, unit.as_str(), expires_day, keys.public())?;
        self.keep_code(&code.secret_hash(), unit, role, expires_day)?;
        Ok(code)
    }

    /// A code's unit, role, expiry day and who used it.
    pub fn code(&self, secret_hash: &str) -> Result<Option<IssuedCode>> {
        let row: Option<(String, String, i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT unit, role, expires_day, used_by FROM enroll_codes WHERE code_hash = ?1",
                [secret_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(unit, role, day, used_by)| {
            Ok(IssuedCode { unit, role: role.parse()?, expires_day: day as u32, used_by })
        })
        .transpose()
    }

    /// Enrols a child with the code `secret_hash`: binds its id, role, unit and keys once,
    /// spends the code and keeps the child's certificate, in one transaction.
    pub fn enrol_child(&mut self, secret_hash: &str, cert: &Cert, replacing_legacy: bool) -> Result<()> {
        let tx = self.conn.transaction()?;
        let spent = tx.execute(
            "UPDATE enroll_codes SET used_by = ?2, used_at = ?3 WHERE code_hash = ?1 AND used_by IS NULL",
            params![secret_hash, cert.subject.node.to_string(), now()],
        )?;
        if spent != 1 {
            return Err(StoreError::Other("this enrolment code was already used".into()));
        }
        if replacing_legacy {
            tx.execute(
                "UPDATE peers SET seal_key = ?2, protocol = 2, kind = ?3, unit = ?4, received_idx = 0, sent_idx = 0
                 WHERE peer = ?1 AND role = 'child' AND protocol = 1",
                params![cert.subject.node.to_string(), cert.subject.seal_hex(), cert.role.as_str(), cert.unit],
            )?;
        } else {
            tx.execute(
                "INSERT INTO peers (peer, role, kind, unit, public_key, seal_key, protocol, enrolled_at)
                 VALUES (?1, 'child', ?2, ?3, ?4, ?5, 2, ?6)",
                params![
                    cert.subject.node.to_string(),
                    cert.role.as_str(),
                    cert.unit,
                    cert.subject.sign_hex(),
                    cert.subject.seal_hex(),
                    now()
                ],
            )?;
        }
        tx.execute("DELETE FROM statements WHERE kind = 'cert' AND subject = ?1", [cert.subject.node.to_string()])?;
        trust::store_statement(&tx, &Statement::Cert(cert.clone()), None)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether a node id is known here at all (a child, the parent, or a certificate).
    pub fn knows_node(&self, node: NodeId) -> Result<Option<&'static str>> {
        let peer: Option<(String, i64)> = self
            .conn
            .query_row("SELECT role, protocol FROM peers WHERE peer = ?1", [node.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((role, protocol)) = peer {
            return Ok(Some(if role == "child" && protocol == 1 { "legacy" } else { "peer" }));
        }
        if trust::cert_of(&self.conn, node)?.is_some() || self.identity()?.node_id == node {
            return Ok(Some("certified"));
        }
        Ok(None)
    }

    /// The protocol 1 child's signing key (for its enrolment again).
    pub fn legacy_key(&self, node: NodeId) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT public_key FROM peers WHERE peer = ?1 AND role = 'child' AND protocol = 1",
                [node.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The certificates from this hub up to the top hub (this hub's own first).
    pub fn chain(&self) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        let mut at = self.identity()?.node_id;
        for _ in 0..8 {
            let Some(cert) = trust::cert_of(&self.conn, at)? else { break };
            let done = cert.is_self_signed();
            at = cert.issuer;
            out.push(Statement::Cert(cert));
            if done {
                break;
            }
        }
        Ok(out)
    }

    pub fn child(&self, peer: NodeId) -> Result<Option<ChildPeer>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {CHILD_COLUMNS} FROM peers WHERE peer = ?1 AND role = 'child'"))?;
        let mut rows = stmt.query([peer.to_string()])?;
        match rows.next()? {
            Some(r) => Ok(Some(read_child(r)?)),
            None => Ok(None),
        }
    }

    /// Every child as its operators see it (`status --json`, the desktop's hub panel): its
    /// unit by name, role, last sync, lag behind the log, and counts.
    pub fn peer_status(&self) -> Result<Vec<PeerStatus>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        self.children()?
            .into_iter()
            .map(|c| {
                Ok(PeerStatus {
                    node: c.peer.to_string(),
                    unit: c.unit.to_string(),
                    unit_name: catalogue.unit(&c.unit).map(|u| u.name.clone()),
                    role: c.role.as_str(),
                    revoked: c.revoked,
                    must_enrol_again: c.identity.is_none(),
                    last_sync_at: c.last_sync_at.clone(),
                    received_idx: c.received_idx,
                    sent_idx: c.sent_idx,
                    lag: self.lag_of(&c)?,
                    changes_new: c.counts[0],
                    changes_duplicate: c.counts[1],
                    replays: c.counts[2],
                    changes_refused: c.counts[3],
                })
            })
            .collect()
    }

    pub fn children(&self) -> Result<Vec<ChildPeer>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {CHILD_COLUMNS} FROM peers WHERE role = 'child' ORDER BY unit, peer"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_child(r)?);
        }
        Ok(out)
    }

    /// Takes a counter from a child's message if it is above every one taken before (written
    /// at once: a replayed message is refused even after a crash).
    pub fn take_counter(&mut self, peer: NodeId, counter: u64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE peers SET counter = ?2 WHERE peer = ?1 AND role = 'child' AND counter < ?2",
            params![peer.to_string(), counter.min(i64::MAX as u64) as i64],
        )?;
        if n == 0 {
            self.conn.execute("UPDATE peers SET replays = replays + 1 WHERE peer = ?1", [peer.to_string()])?;
        }
        Ok(n == 1)
    }

    /// Revokes a child: every further message of it is refused, and a signed revocation (with
    /// the last of its changes accepted) travels up and down so every peer refuses what it
    /// makes after.
    pub fn revoke(&mut self, peer: NodeId) -> Result<Revocation> {
        let child = self.child(peer)?.ok_or_else(|| StoreError::Other(format!("no node {peer} is enrolled here")))?;
        let keys = self.keys()?;
        let last_seq = log::last_seq(&self.conn, peer)?;
        let revocation = Revocation::issue(&keys, child.peer, chrono::Utc::now().timestamp(), last_seq);
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE peers SET revoked = 1 WHERE peer = ?1 AND role = 'child'", [peer.to_string()])?;
        trust::store_statement(&tx, &Statement::Revocation(revocation.clone()), None)?;
        tx.commit()?;
        Ok(revocation)
    }

    /// The units a child may read: its subtree and the units above it.
    pub fn readable_units(&self, unit: &UnitCode) -> Result<Vec<String>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let mut units: Vec<String> = catalogue.subtree(unit).iter().map(|u| u.code.to_string()).collect();
        let mut above = catalogue.unit(unit).and_then(|u| u.parent.clone());
        while let Some(code) = above {
            units.push(code.to_string());
            above = catalogue.unit(&code).and_then(|u| u.parent.clone());
        }
        Ok(units)
    }

    /// Whether every change of a batch is already held here, the very same (a batch sent
    /// again after its answer was lost).
    fn holds_all(&self, batch: &sobaucu_protocol::Batch) -> Result<bool> {
        for change in &batch.changes {
            let Some(change) = log::resolve_refs(&self.conn, change)? else { return Ok(false) };
            let change = &change;
            let idx: Option<i64> = self
                .conn
                .prepare_cached("SELECT idx FROM changes WHERE origin = ?1 AND seq = ?2")?
                .query_row(params![change.origin.to_string(), change.seq as i64], |r| r.get(0))
                .optional()?;
            let Some(idx) = idx else { return Ok(false) };
            let held = log::entry_at(&self.conn, idx as u64)?;
            let same = held.is_some_and(|e| {
                sobaucu_protocol::chain::digest(&e.change) == sobaucu_protocol::chain::digest(change)
                    || e.change.withheld.is_some()
            });
            if !same {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Checks and appends a batch a child pushed, in one transaction, and moves the child's
    /// position to the batch's end; a batch whose chains do not hold, or that reuses a
    /// sequence number, changes nothing. A batch the hub holds already, change for change, is
    /// counted as a replay (an answer lost in a cut).
    pub fn accept(
        &mut self,
        child: &ChildPeer,
        batch: &sobaucu_protocol::Batch,
        push_check: Option<&str>,
    ) -> Result<std::result::Result<Accepted, link::BatchRefused>> {
        if batch.statements.is_empty()
            && !batch.changes.is_empty()
            && batch.upto <= child.received_idx
            && self.holds_all(batch)?
        {
            self.conn.execute(
                "UPDATE peers SET replays = replays + 1, last_sync_at = ?2 WHERE peer = ?1",
                params![child.peer.to_string(), now()],
            )?;
            return Ok(Ok(Accepted { replay: true, ..Accepted::default() }));
        }
        let me = self.identity()?;
        let catalogue = Catalogue::get(me.scheme);
        let readable: std::collections::HashSet<String> = self.readable_units(&me.unit)?.into_iter().collect();
        let readable = |u: &str| readable.contains(u);
        let tx = self.conn.transaction()?;
        let checker = trust::Checker {
            conn: &tx,
            catalogue,
            readable: &readable,
            now_ms: trust::now_ms(),
            max_skew_ms: trust::max_skew_ms(),
        };
        let sender = trust::Sender::Child { peer: child.peer, role: child.role, unit: child.unit.clone() };
        let applied = match link::append_batch(&checker, &sender, batch, &child.peer.to_string())? {
            Ok(a) => a,
            Err(refused) => return Ok(Err(refused)),
        };
        tx.execute(
            "UPDATE peers SET received_idx = ?2, received_check = ?7, last_sync_at = ?3,
                 changes_new = changes_new + ?4, changes_duplicate = changes_duplicate + ?5,
                 refused_count = refused_count + ?6
             WHERE peer = ?1",
            params![
                child.peer.to_string(),
                batch.upto as i64,
                now(),
                applied.new as i64,
                applied.duplicates as i64,
                applied.refused.len() as i64,
                push_check
            ],
        )?;
        tx.commit()?;
        Ok(Ok(Accepted { new: applied.new, duplicates: applied.duplicates, refused: applied.refused, replay: false }))
    }

    /// How many changes the child may read that it has not pulled yet (its lag behind the log).
    pub fn lag_of(&self, child: &ChildPeer) -> Result<u64> {
        let units = serde_json::to_string(&self.readable_units(&child.unit)?).expect("a list of strings");
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM changes
             WHERE idx > ?1 AND (source IS NULL OR source <> ?2) AND unit IN (SELECT value FROM json_each(?3))",
            params![child.sent_idx as i64, child.peer.to_string(), units],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// What a child may read after the hub's log position `after`: `(changes, upto, more)`.
    pub fn pull_for(
        &self,
        child: &ChildPeer,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<(Vec<Change>, u64, bool)> {
        let filter =
            ReadFilter { not_from: Some(child.peer.to_string()), units: Some(self.readable_units(&child.unit)?) };
        let (entries, upto, more) = log::read(&self.conn, after, limit, Some(max_bytes), &filter)?;
        let mut changes: Vec<Change> = entries.into_iter().map(|e| e.change).collect();
        log::bases_to_refs(&self.conn, &mut changes)?;
        Ok((changes, upto, more))
    }

    /// The statements a child lacks after `after`: those about the units it may read.
    pub fn statements_for(&self, child: &ChildPeer, after: u64, limit: usize) -> Result<(Vec<Statement>, u64)> {
        let readable: std::collections::HashSet<String> = self.readable_units(&child.unit)?.into_iter().collect();
        let conn = &self.conn;
        let keep = |s: &Statement, unit: Option<&str>| match s {
            Statement::Cert(_) => unit.is_some_and(|u| readable.contains(u)),
            Statement::Revocation(r) => {
                trust::cert_of(conn, r.node).ok().flatten().is_some_and(|c| readable.contains(&c.unit))
            }
        };
        Ok(trust::statements_after(conn, after, limit, Some(&child.peer.to_string()), &keep)?)
    }

    /// The hub's own changes of a child's origin after `after_seq` (a child restored from an
    /// older copy takes back what it had sent).
    pub fn own_changes_of(&self, child: NodeId, after_seq: u64, limit: usize) -> Result<Vec<Change>> {
        let mut changes = log::origin_after(&self.conn, child, after_seq, limit)?;
        log::bases_to_refs(&self.conn, &mut changes)?;
        Ok(changes)
    }

    /// What the hub holds of a child's own changes: the highest sequence number, and the
    /// highest counter of records it created.
    pub fn held_of(&self, child: NodeId) -> Result<(u64, u64)> {
        Ok((log::last_seq(&self.conn, child)?, log::last_counter(&self.conn, child)?))
    }

    /// Notes the hub log position a child has, and when it synced.
    pub fn child_has(&mut self, child: NodeId, position: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE peers SET sent_idx = ?2, last_sync_at = ?3 WHERE peer = ?1",
            params![child.to_string(), position as i64, now()],
        )?;
        Ok(())
    }

    pub fn log_head(&self) -> Result<u64> {
        Ok(log::head(&self.conn)?)
    }

    /// Keeps a child hub's report of when the nodes and hubs below it last synced: only entries
    /// within the child's own subtree, dated no later than now.
    pub fn record_seen(&mut self, child: &ChildPeer, seen: &[Seen]) -> Result<()> {
        if child.role != Role::Hub {
            return Ok(());
        }
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let latest = chrono::Utc::now() + chrono::Duration::hours(1);
        let within = seen.iter().filter(|s| {
            s.node != child.peer
                && s.unit
                    .parse::<UnitCode>()
                    .is_ok_and(|u| catalogue.unit(&u).is_some() && catalogue.is_within(&u, &child.unit))
                && chrono::DateTime::parse_from_rfc3339(&s.last_sync_at).is_ok_and(|t| t <= latest)
        });
        let tx = self.conn.transaction()?;
        log::keep_seen(&tx, "seen", within)?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps a child ledger's election day and law version.
    pub fn record_settings(
        &mut self,
        child: &ChildPeer,
        settings: &sobaucu_protocol::messages::LedgerSettings,
    ) -> Result<()> {
        if child.role != Role::Node
            || chrono::NaiveDate::parse_from_str(&settings.election_date, "%Y-%m-%d").is_err()
            || settings.law.parse::<sobaucu_core::law::LawVersion>().is_err()
        {
            return Ok(());
        }
        self.conn.execute(
            "UPDATE peers SET election_date = ?2, law = ?3 WHERE peer = ?1 AND role = 'child'",
            params![child.peer.to_string(), settings.election_date, settings.law],
        )?;
        Ok(())
    }

    /// The settings the ledger of `unit` that synced last told this hub.
    pub fn settings_of(&self, unit: &str) -> Result<Option<sobaucu_protocol::messages::LedgerSettings>> {
        Ok(self
            .conn
            .query_row(
                "SELECT election_date, law FROM peers
                  WHERE role = 'child' AND kind = 'node' AND unit = ?1 AND election_date IS NOT NULL
                  ORDER BY last_sync_at DESC LIMIT 1",
                [unit],
                |r| Ok(sobaucu_protocol::messages::LedgerSettings { election_date: r.get(0)?, law: r.get(1)? }),
            )
            .optional()?)
    }

    /// When every node and hub below this hub last synced: its own children as it saw them,
    /// and what its child hubs reported of theirs.
    pub fn seen(&self) -> Result<Vec<Seen>> {
        let mut stmt = self.conn.prepare(
            "SELECT peer, unit, kind, last_sync_at FROM peers
               WHERE role = 'child' AND revoked = 0 AND last_sync_at IS NOT NULL
             UNION ALL
             SELECT node, unit, kind, last_sync_at FROM seen
               WHERE node NOT IN (SELECT peer FROM peers WHERE role = 'child')",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (node, unit, kind, last_sync_at) = row?;
            let (Ok(node), Ok(kind)) = (node.parse(), kind.parse()) else { continue };
            out.push(Seen { node, unit, kind, last_sync_at });
        }
        Ok(out)
    }

    /// What the hub knows of the syncs of the nodes and hubs in a child's subtree, the child
    /// itself left out.
    pub fn seen_within(&self, child: &ChildPeer) -> Result<Vec<Seen>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        Ok(self
            .seen()?
            .into_iter()
            .filter(|s| {
                s.node != child.peer && s.unit.parse::<UnitCode>().is_ok_and(|u| catalogue.is_within(&u, &child.unit))
            })
            .collect())
    }

    /// The parent link (a hub enrolled at a parent hub).
    pub fn parent(&self) -> Result<Option<ParentLink>> {
        Ok(link::parent(&self.conn)?)
    }
}
