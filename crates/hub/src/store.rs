//! The hub's store: its identity, the change log of its whole subtree, its children and its
//! parent with their cursors, and one-time enrolment codes. [`HubStore`] is what the server
//! needs; [`SqliteHubStore`] keeps it in one SQLite file (WAL), using the same change-log SQL
//! as a node's ledger (`sobaucu_core::log`).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use sobaucu_client::{Child, ParentLink};
use sobaucu_core::log::{self, ReadFilter};
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_protocol::messages::{EnrollRequest, EnrollResponse, Refusal, Seen};
use sobaucu_protocol::{Batch, Change, Keypair};

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
];

/// Who this hub is.
#[derive(Debug, Clone)]
pub struct Identity {
    pub node_id: u64,
    pub unit: UnitCode,
    pub scheme: Scheme,
}

/// A node or hub enrolled below this hub.
#[derive(Debug, Clone)]
pub struct ChildPeer {
    pub peer: String,
    pub kind: String,
    pub unit: UnitCode,
    pub public_key: String,
    pub received_idx: u64,
    pub sent_idx: u64,
    pub revoked: bool,
    /// Changes received that were new, changes received again, batches refused as replays.
    pub counts: [u64; 3],
}

/// A refusal, with the HTTP status it maps to.
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: u16,
    pub body: Refusal,
}

impl Refused {
    pub fn new(status: u16, kind: &str, message: impl Into<String>) -> Refused {
        Refused { status, body: Refusal { kind: kind.into(), message: message.into(), ack: None } }
    }
    fn with_ack(mut self, ack: u64) -> Refused {
        self.body.ack = Some(ack);
        self
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.body.message, self.body.kind)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("hub store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Core(#[from] sobaucu_core::Error),
    #[error("{0}")]
    Refused(Refused),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What the hub server needs of its storage.
pub trait HubStore: Child<Error = StoreError> {
    fn identity(&self) -> Result<Identity>;
    /// A one-time enrolment code for a unit of this hub's subtree.
    fn issue_code(&mut self, unit: &UnitCode) -> Result<String>;
    fn enroll(&mut self, request: &EnrollRequest) -> Result<EnrollResponse>;
    fn child(&self, peer: u64) -> Result<Option<ChildPeer>>;
    fn revoke(&mut self, peer: u64) -> Result<()>;
    /// Checks and applies a batch a child pushed; returns the acknowledgement.
    fn accept(&mut self, child: &ChildPeer, batch: &Batch) -> Result<u64>;
    /// What a child may read after the hub's log position `after`: `(changes, upto, more)`.
    fn pull_for(&self, child: &ChildPeer, after: u64, limit: usize) -> Result<(Vec<Change>, u64, bool)>;
    /// Notes the hub log position a child has (from a bundle's header).
    fn child_has(&mut self, child: &ChildPeer, position: u64) -> Result<()>;
    fn children(&self) -> Result<Vec<ChildPeer>>;
    fn log_head(&self) -> Result<u64>;
    /// Keeps a child hub's report of when the nodes and hubs below it last synced (only
    /// entries within the child's own subtree).
    fn record_seen(&mut self, child: &ChildPeer, seen: &[Seen]) -> Result<()>;
    /// When every node and hub below this hub last synced: its own children as it saw them,
    /// and what its child hubs reported of theirs.
    fn seen(&self) -> Result<Vec<Seen>>;
}

/// The SQLite implementation of [`HubStore`].
pub struct SqliteHubStore {
    conn: Connection,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

fn hash_code(code: &str) -> String {
    let normalised: String =
        code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    Sha256::digest(normalised.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A code of 16 characters from an alphabet without look-alikes, in groups of four.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

type ChildRow = (String, String, String, String, i64, i64, i64, [i64; 3]);

const CHILD_COLUMNS: &str =
    "peer, kind, unit, public_key, received_idx, sent_idx, revoked, changes_new, changes_duplicate, replays";

fn read_child(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChildRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, [r.get(7)?, r.get(8)?, r.get(9)?]))
}

fn child_from(row: ChildRow) -> Result<ChildPeer> {
    let (peer, kind, unit, public_key, received, sent, revoked, counts) = row;
    Ok(ChildPeer {
        counts: counts.map(|c| c as u64),
        peer,
        kind,
        unit: unit.parse()?,
        public_key,
        received_idx: received as u64,
        sent_idx: sent as u64,
        revoked: revoked != 0,
    })
}

impl SqliteHubStore {
    /// Opens the hub store in `dir`, creating and migrating its file.
    pub fn open(dir: &Path) -> Result<SqliteHubStore> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
        let mut conn = Connection::open(dir.join(HUB_FILE))?;
        // `enroll-code` and `status` run beside the serving hub: wait for the file, and take the
        // write lock when a transaction begins, so no read-then-write can fail as busy.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(SqliteHubStore { conn })
    }

    pub fn is_initialized(&self) -> Result<bool> {
        Ok(self.conn.query_row("SELECT count(*) FROM hub", [], |r| r.get::<_, i64>(0))? > 0)
    }

    /// Makes this store the hub of `unit`.
    pub fn init(&mut self, unit: &UnitCode, scheme: Scheme) -> Result<Identity> {
        if self.is_initialized()? {
            return Err(StoreError::Other("this directory already holds a hub".into()));
        }
        Catalogue::get(scheme).require(unit)?;
        let node = sobaucu_core::NodeId::random();
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).expect("the operating system's random source");
        self.conn.execute(
            "INSERT INTO hub (singleton, node_id, unit, scheme, secret_key, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            params![node.to_string(), unit.as_str(), scheme.as_str(), Keypair::from_secret(secret).secret_hex(), now()],
        )?;
        self.identity()
    }

    /// What the hub knows of the syncs of the nodes and hubs in a child's subtree, the child
    /// itself left out.
    pub fn seen_within(&self, child: &ChildPeer) -> Result<Vec<Seen>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        Ok(HubStore::seen(self)?
            .into_iter()
            .filter(|s| {
                s.node != child.peer && s.unit.parse::<UnitCode>().is_ok_and(|u| catalogue.is_within(&u, &child.unit))
            })
            .collect())
    }

    fn readable_units(&self, child: &ChildPeer) -> Result<Vec<String>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let mut units: Vec<String> = catalogue.subtree(&child.unit).iter().map(|u| u.code.to_string()).collect();
        let mut above = catalogue.unit(&child.unit).and_then(|u| u.parent.clone());
        while let Some(code) = above {
            units.push(code.to_string());
            above = catalogue.unit(&code).and_then(|u| u.parent.clone());
        }
        Ok(units)
    }
}

impl HubStore for SqliteHubStore {
    fn identity(&self) -> Result<Identity> {
        let (node, unit, scheme): (String, String, String) = self
            .conn
            .query_row("SELECT node_id, unit, scheme FROM hub", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?
            .ok_or_else(|| {
                StoreError::Other("no hub here: run `sobaucu-hub --data DIR init --unit CODE` first".into())
            })?;
        Ok(Identity { node_id: node.parse::<sobaucu_core::NodeId>()?.0, unit: unit.parse()?, scheme: scheme.parse()? })
    }

    fn issue_code(&mut self, unit: &UnitCode) -> Result<String> {
        let me = self.identity()?;
        let catalogue = Catalogue::get(me.scheme);
        catalogue.require(unit)?;
        if !catalogue.is_within(unit, &me.unit) {
            return Err(StoreError::Other(format!("unit {unit} is not in this hub's subtree ({})", me.unit)));
        }
        let code = new_code();
        self.conn.execute(
            "INSERT INTO enroll_codes (code_hash, unit, created_at) VALUES (?1, ?2, ?3)",
            params![hash_code(&code), unit.as_str(), now()],
        )?;
        Ok(code)
    }

    fn enroll(&mut self, request: &EnrollRequest) -> Result<EnrollResponse> {
        let me = self.identity()?;
        let refused = |kind: &str, message: String| StoreError::Refused(Refused::new(403, kind, message));
        let tx = self.conn.transaction()?;
        let code: Option<(String, Option<String>)> = tx
            .query_row("SELECT unit, used_by FROM enroll_codes WHERE code_hash = ?1", [hash_code(&request.code)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((unit, used_by)) = code else {
            return Err(refused("bad_code", "this enrolment code is not known to this hub".into()));
        };
        if used_by.is_some() {
            return Err(refused("bad_code", "this enrolment code was already used".into()));
        }
        if unit != request.unit {
            return Err(refused("bad_code", format!("this code was issued for unit {unit}, not {}", request.unit)));
        }
        let node: sobaucu_core::NodeId =
            request.node_id.parse().map_err(|_| refused("malformed", "the node id is not 16 hex digits".into()))?;
        sobaucu_protocol::verifying_key_from_hex(&request.public_key)
            .map_err(|e| refused("malformed", format!("public key: {e}")))?;
        let kind = if request.role == "hub" { "hub" } else { "node" };
        tx.execute(
            "INSERT INTO peers (peer, role, kind, unit, public_key, enrolled_at) VALUES (?1, 'child', ?2, ?3, ?4, ?5)
             ON CONFLICT (peer) DO UPDATE SET kind = excluded.kind, unit = excluded.unit,
                 public_key = excluded.public_key, revoked = 0",
            params![node.to_string(), kind, unit, request.public_key, now()],
        )?;
        tx.execute(
            "UPDATE enroll_codes SET used_by = ?2, used_at = ?3 WHERE code_hash = ?1",
            params![hash_code(&request.code), node.to_string(), now()],
        )?;
        tx.commit()?;
        Ok(EnrollResponse {
            hub_node_id: format!("{:016x}", me.node_id),
            hub_unit: me.unit.to_string(),
            hub_public_key: self.keypair()?.public_hex(),
            scheme: me.scheme.as_str().to_string(),
        })
    }

    fn child(&self, peer: u64) -> Result<Option<ChildPeer>> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {CHILD_COLUMNS} FROM peers WHERE peer = ?1 AND role = 'child'"),
                [format!("{peer:016x}")],
                read_child,
            )
            .optional()?;
        row.map(child_from).transpose()
    }

    fn children(&self) -> Result<Vec<ChildPeer>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {CHILD_COLUMNS} FROM peers WHERE role = 'child' ORDER BY unit"))?;
        let rows: Vec<_> = stmt.query_map([], read_child)?.collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(child_from).collect()
    }

    fn revoke(&mut self, peer: u64) -> Result<()> {
        let n = self
            .conn
            .execute("UPDATE peers SET revoked = 1 WHERE peer = ?1 AND role = 'child'", [format!("{peer:016x}")])?;
        if n == 0 {
            return Err(StoreError::Other(format!("no node {peer:016x} is enrolled here")));
        }
        Ok(())
    }

    fn accept(&mut self, child: &ChildPeer, batch: &Batch) -> Result<u64> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let tx = self.conn.transaction()?;
        let received: i64 =
            tx.query_row("SELECT received_idx FROM peers WHERE peer = ?1", [&child.peer], |r| r.get(0))?;
        let received = received as u64;
        if batch.upto <= received && batch.upto > batch.after {
            drop(tx);
            self.conn.execute("UPDATE peers SET replays = replays + 1 WHERE peer = ?1", [&child.peer])?;
            return Err(StoreError::Refused(
                Refused::new(
                    409,
                    "replayed",
                    format!(
                        "this batch (positions {}..{}) was already received: the hub has up to {received}",
                        batch.after, batch.upto
                    ),
                )
                .with_ack(received),
            ));
        }
        if batch.after > received {
            return Err(StoreError::Refused(
                Refused::new(
                    409,
                    "gap",
                    format!("this batch starts after position {}, the hub has only up to {received}", batch.after),
                )
                .with_ack(received),
            ));
        }
        let sender = u64::from_str_radix(&child.peer, 16).unwrap_or_default();
        let (mut new, mut duplicate) = (0i64, 0i64);
        for (n, change) in batch.changes.iter().enumerate() {
            let unit: UnitCode = change.unit.parse().map_err(|_| {
                StoreError::Refused(Refused::new(403, "foreign_unit", format!("change {} names no valid unit", n + 1)))
            })?;
            if !catalogue.is_within(&unit, &child.unit) {
                return Err(StoreError::Refused(Refused::new(
                    403,
                    "foreign_unit",
                    format!(
                        "change {} of the batch is for unit {unit}, outside this node's unit {}: nothing was applied",
                        n + 1,
                        child.unit
                    ),
                )));
            }
            if child.kind == "node" && change.origin != sender {
                return Err(StoreError::Refused(Refused::new(
                    403,
                    "foreign_origin",
                    format!("change {} claims another node as its author: nothing was applied", n + 1),
                )));
            }
            if log::append(&tx, change, Some(&child.peer))? {
                new += 1;
            } else {
                duplicate += 1;
            }
        }
        tx.execute(
            "UPDATE peers SET received_idx = max(received_idx, ?2), last_sync_at = ?3,
                 changes_new = changes_new + ?4, changes_duplicate = changes_duplicate + ?5 WHERE peer = ?1",
            params![child.peer, batch.upto as i64, now(), new, duplicate],
        )?;
        tx.commit()?;
        Ok(batch.upto.max(received))
    }

    fn pull_for(&self, child: &ChildPeer, after: u64, limit: usize) -> Result<(Vec<Change>, u64, bool)> {
        let filter = ReadFilter { not_from: Some(child.peer.clone()), units: Some(self.readable_units(child)?) };
        let (entries, upto, more) = log::read(&self.conn, after, limit, &filter)?;
        Ok((entries.into_iter().map(|e| e.change).collect(), upto, more))
    }

    fn child_has(&mut self, child: &ChildPeer, position: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE peers SET sent_idx = max(sent_idx, ?2), last_sync_at = ?3 WHERE peer = ?1",
            params![child.peer, position as i64, now()],
        )?;
        Ok(())
    }

    fn log_head(&self) -> Result<u64> {
        Ok(log::head(&self.conn)?)
    }

    fn record_seen(&mut self, child: &ChildPeer, seen: &[Seen]) -> Result<()> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let within = seen.iter().filter(|s| {
            s.node != child.peer && s.unit.parse::<UnitCode>().is_ok_and(|u| catalogue.is_within(&u, &child.unit))
        });
        let tx = self.conn.transaction()?;
        log::keep_seen(&tx, "seen", within)?;
        tx.commit()?;
        Ok(())
    }

    fn seen(&self) -> Result<Vec<Seen>> {
        let mut stmt = self.conn.prepare(
            "SELECT peer, unit, kind, last_sync_at FROM peers
               WHERE role = 'child' AND revoked = 0 AND last_sync_at IS NOT NULL
             UNION ALL
             SELECT node, unit, kind, last_sync_at FROM seen
               WHERE node NOT IN (SELECT peer FROM peers WHERE role = 'child')",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Seen { node: r.get(0)?, unit: r.get(1)?, kind: r.get(2)?, last_sync_at: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The hub as the child of its own parent (a district hub under a province hub).
impl Child for SqliteHubStore {
    type Error = StoreError;

    fn presence(&self) -> Result<Vec<Seen>> {
        HubStore::seen(self)
    }

    fn node_id(&self) -> Result<u64> {
        Ok(self.identity()?.node_id)
    }
    fn unit(&self) -> Result<String> {
        Ok(self.identity()?.unit.to_string())
    }
    fn keypair(&mut self) -> Result<Keypair> {
        let secret: String = self.conn.query_row("SELECT secret_key FROM hub", [], |r| r.get(0))?;
        Keypair::from_secret_hex(&secret).map_err(|e| StoreError::Other(e.to_string()))
    }
    fn parent(&self) -> Result<Option<ParentLink>> {
        Ok(self
            .conn
            .query_row(
                "SELECT peer, url, public_key, received_idx, sent_idx FROM peers WHERE role = 'parent'",
                [],
                |r| {
                    Ok(ParentLink {
                        peer: r.get(0)?,
                        url: r.get(1)?,
                        public_key: r.get(2)?,
                        received_idx: r.get::<_, i64>(3)? as u64,
                        sent_idx: r.get::<_, i64>(4)? as u64,
                    })
                },
            )
            .optional()?)
    }
    fn set_parent(&mut self, peer: &str, unit: &str, public_key: &str, url: Option<&str>) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM peers WHERE role = 'parent'", [])?;
        tx.execute(
            "INSERT INTO peers (peer, role, kind, unit, public_key, url, enrolled_at) VALUES (?1, 'parent', 'hub', ?2, ?3, ?4, ?5)",
            params![peer, unit, public_key, url, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
    fn pending_after(&self, after: u64, limit: usize) -> Result<(Vec<Change>, u64)> {
        let parent = self.parent()?.ok_or_else(|| StoreError::Other("this hub has no parent".into()))?;
        let filter = ReadFilter { not_from: Some(parent.peer), units: None };
        let (entries, upto, _) = log::read(&self.conn, after, limit, &filter)?;
        Ok((entries.into_iter().map(|e| e.change).collect(), upto))
    }
    fn pending_count(&self) -> Result<u64> {
        let Some(parent) = self.parent()? else { return Ok(0) };
        Ok(log::count_after(&self.conn, parent.sent_idx, &parent.peer)?)
    }
    fn acknowledge_up(&mut self, upto: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE peers SET sent_idx = max(sent_idx, ?1), last_sync_at = ?2 WHERE role = 'parent'",
            params![upto as i64, now()],
        )?;
        Ok(())
    }
    fn apply_from_parent(&mut self, changes: &[Change], upto: u64) -> Result<()> {
        let tx = self.conn.transaction()?;
        let parent: String = tx.query_row("SELECT peer FROM peers WHERE role = 'parent'", [], |r| r.get(0))?;
        for change in changes {
            log::append(&tx, change, Some(&parent))?;
        }
        tx.execute(
            "UPDATE peers SET received_idx = max(received_idx, ?1), last_sync_at = ?2 WHERE role = 'parent'",
            params![upto as i64, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
}
