//! The hub's store: its identity, the change log of its whole subtree, its children and its
//! parent with their positions and counters, certificates and revocations, and one-time
//! enrolment codes. All SQL of the hub lives here (the log's and the trust rules' through
//! `sobaucu_core::log`, `trust` and `link`, which a node's ledger shares); the protocol's
//! steps are in [`crate::service`].

use std::path::Path;

use rusqlite::Connection;
use sobaucu_core::args;
use sobaucu_core::db::{Dialect, Row, Sql, Tx};
use sobaucu_core::link::{self, ParentLink};
use sobaucu_core::log::{self, ReadFilter};
use sobaucu_core::trust;
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_core::vault;
use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::messages::Seen;
use sobaucu_protocol::{Cert, Change, Identity, NodeId, PublicIdentity, Revocation, Role, Statement};

/// The file of a hub's store inside its data directory (SQLite); the keyring beside it
/// (`hub.keys`) holds the store's key on either database.
pub const HUB_FILE: &str = "hub.sqlite";

/// The file naming a hub's PostgreSQL database inside its data directory (owner-only: the
/// URL may carry a password). A directory with it is a hub on PostgreSQL.
pub const DATABASE_FILE: &str = "database";

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

/// Where the hub's secret key is sealed (on PostgreSQL).
const SECRET_CONTEXT: &str = "hub/secret_key";

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
    #[error("hub store: {0}")]
    Postgres(#[from] postgres::Error),
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

/// The database a hub's store lives in.
enum Backend {
    /// One SQLite file, encrypted at rest (SQLCipher) with the store's key.
    Sqlite(Connection),
    /// A PostgreSQL database; payloads sealed with the store's key (see [`crate::pg`]).
    Postgres { db: Box<crate::pg::PgDb>, url: zeroize::Zeroizing<String> },
}

/// The hub's store, on SQLite (the default) or PostgreSQL: the same SQL, the same protocol,
/// authorisation and relay on both ([`sobaucu_core::db`]).
pub struct HubStore {
    backend: Backend,
    dir: std::path::PathBuf,
    /// The store's key (`sobaucu_core::vault`, unlocked by the hub's passphrase).
    key: vault::FileKey,
}

/// Brings an SQLite hub store to the newest version: every pending migration in one
/// transaction (a crash leaves the file where it was); the chains of a log from before
/// protocol 2 are computed once all have run. Also makes the tables of a simulated node
/// ([`crate::sim`]) in memory.
pub fn migrate_sqlite(conn: &mut Connection) -> Result<()> {
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
            tx.execute("UPDATE enroll_codes SET used_by = 'withdrawn', used_at = ?1 WHERE used_by IS NULL", [now()])?;
        }
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Opens further connections to a store already open (its key unlocked).
#[derive(Clone)]
pub struct Reopener {
    dir: std::path::PathBuf,
    key: vault::FileKey,
    url: Option<zeroize::Zeroizing<String>>,
}

impl Reopener {
    pub fn open(&self) -> Result<HubStore> {
        let backend = match &self.url {
            None => {
                let mut conn = vault::connect(&self.dir.join(HUB_FILE), &self.key)?;
                configure(&mut conn)?;
                Backend::Sqlite(conn)
            }
            Some(url) => {
                Backend::Postgres { db: Box::new(crate::pg::PgDb::connect(url, self.key.clone())?), url: url.clone() }
            }
        };
        Ok(HubStore { backend, dir: self.dir.clone(), key: self.key.clone() })
    }
}

/// The database URL of the hub in `dir`, if it lives on PostgreSQL.
pub fn database_url(dir: &Path) -> Result<Option<zeroize::Zeroizing<String>>> {
    match std::fs::read_to_string(dir.join(DATABASE_FILE)) {
        Ok(text) => Ok(Some(zeroize::Zeroizing::new(text.trim().to_string()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Other(format!("{}: {e}", dir.join(DATABASE_FILE).display()))),
    }
}

/// Writes the database URL of a hub owner-only, whole or not at all.
fn keep_database_url(dir: &Path, url: &str) -> Result<()> {
    vault::create_private_dir(dir)?;
    let path = dir.join(DATABASE_FILE);
    sobaucu_core::files::write_whole(&path, format!("{url}\n").as_bytes())?;
    vault::owner_only(&path)?;
    Ok(())
}

const CHILD_COLUMNS: &str = "peer, kind, unit, public_key, seal_key, protocol, received_idx, received_check, sent_idx, counter, \
     revoked, last_sync_at, changes_new, changes_duplicate, replays, refused_count";

fn read_child(r: &Row) -> Result<ChildPeer> {
    let peer: NodeId = r.text(0)?.parse()?;
    let sign: String = r.text(3)?;
    let seal: Option<String> = r.opt_text(4)?;
    let protocol: i64 = r.i64(5)?;
    let identity = match (protocol, seal) {
        (2, Some(seal)) => Some(PublicIdentity::from_hex(peer, &sign, &seal)?),
        _ => None,
    };
    Ok(ChildPeer {
        peer,
        role: r.text(1)?.parse()?,
        unit: r.text(2)?.parse()?,
        identity,
        received_idx: r.u64(6)?,
        received_check: r.opt_text(7)?,
        sent_idx: r.u64(8)?,
        counter: r.u64(9)?,
        revoked: r.i64(10)? != 0,
        last_sync_at: r.opt_text(11)?,
        counts: [r.u64(12)?, r.u64(13)?, r.u64(14)?, r.u64(15)?],
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

impl HubStore {
    /// Opens the hub store in `dir` with `credentials`: on PostgreSQL when the directory names
    /// a database, else its SQLite file, creating it (encrypted, with its keyring beside it,
    /// owner-only) or encrypting a plain store of an earlier version; and migrates it. A wrong
    /// or missing passphrase changes nothing.
    pub fn open(dir: &Path, credentials: &vault::Credentials) -> Result<HubStore> {
        if let Some(url) = database_url(dir)? {
            return HubStore::open_postgres(dir, &url, credentials);
        }
        HubStore::open_sqlite(dir, credentials)
    }

    /// Opens the hub store in `dir`, creating it on the PostgreSQL database at `database` when
    /// it is new (`init --database`); None: as [`HubStore::open`].
    pub fn open_with(dir: &Path, credentials: &vault::Credentials, database: Option<&str>) -> Result<HubStore> {
        let Some(url) = database else { return HubStore::open(dir, credentials) };
        if let Some(existing) = database_url(dir)? {
            if existing.as_str() != url {
                return Err(StoreError::Other(format!("{} already holds a hub on another database", dir.display())));
            }
        } else if vault::exists(&dir.join(HUB_FILE)) {
            return Err(StoreError::Other(format!(
                "{} already holds a hub on SQLite: move it with `sobaucu-hub --data DIR migrate --to URL`",
                dir.display()
            )));
        } else {
            // The database must be reachable, and not another hub's, before anything is kept.
            let (_, key) = vault::open_keyring(&dir.join(HUB_FILE), credentials, "hub")?;
            empty_database(url, key)?;
            keep_database_url(dir, url)?;
        }
        HubStore::open(dir, credentials)
    }

    fn open_postgres(dir: &Path, url: &str, credentials: &vault::Credentials) -> Result<HubStore> {
        let (_, key) = vault::open_keyring(&dir.join(HUB_FILE), credentials, "hub")?;
        let db = crate::pg::PgDb::connect(url, key.clone())?;
        db.migrate()?;
        let store = HubStore {
            backend: Backend::Postgres { db: Box::new(db), url: zeroize::Zeroizing::new(url.to_string()) },
            dir: dir.to_path_buf(),
            key,
        };
        // A keyring that is not this database's opens nothing in it.
        if store.is_initialized()? {
            store.keys()?;
        }
        Ok(store)
    }

    fn open_sqlite(dir: &Path, credentials: &vault::Credentials) -> Result<HubStore> {
        let opened = vault::open(&dir.join(HUB_FILE), credentials, "hub")?;
        let key = opened.key;
        let mut conn = opened.conn;
        configure(&mut conn)?;
        migrate_sqlite(&mut conn)?;
        Ok(HubStore { backend: Backend::Sqlite(conn), dir: dir.to_path_buf(), key })
    }

    /// A second connection to the same store (the relay's), without asking the passphrase
    /// again.
    pub fn reopen(&self) -> Result<HubStore> {
        self.reopener().open()
    }

    /// What opens further connections to this store (the server's pool).
    pub fn reopener(&self) -> Reopener {
        let url = match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres { url, .. } => Some(url.clone()),
        };
        Reopener { dir: self.dir.clone(), key: self.key.clone(), url }
    }

    /// Which database the store lives in: `sqlite` or `postgres`.
    pub fn database_kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    /// Gives the hub's store a new passphrase (with the current one), and re-keys it.
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<()> {
        let path = vault::keyring_path(&self.dir.join(HUB_FILE));
        let mut keyring =
            vault::Keyring::load(&path)?.ok_or_else(|| StoreError::Other("the keyring is missing".into()))?;
        let user = keyring.users().into_iter().next().unwrap_or_default();
        keyring.change_passphrase(&user, old, new, &self.key)?;
        keyring.save()?;
        // SQLCipher's file takes a new key; PostgreSQL's sealed payloads keep theirs (the
        // passphrase guards the key, and the key stays on this machine).
        if let Backend::Sqlite(conn) = &self.backend {
            self.key = vault::rekey(conn, &mut keyring)?;
        }
        Ok(())
    }

    /// The store's database, for the SQL shared with ledgers.
    pub fn db(&self) -> &dyn Sql {
        match &self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres { db, .. } => db.as_ref(),
        }
    }

    pub fn is_initialized(&self) -> Result<bool> {
        Ok(self.db().number("SELECT count(*) FROM hub", &[])?.unwrap_or(0) > 0)
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
        let tx = Tx::write(self.db())?;
        let sealed = tx.seal(SECRET_CONTEXT, Some(secret.to_string()))?;
        tx.exec(
            "INSERT INTO hub (singleton, node_id, unit, scheme, secret_key, created_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            &[node.to_string().into(), unit.as_str().into(), scheme.as_str().into(), sealed, now().into()],
        )?;
        if top {
            let me = Identity::from_secret_hex(node, &secret)?;
            let cert = Cert::issue(&me, *me.public(), Role::Hub, unit.as_str(), chrono::Utc::now().timestamp());
            trust::store_statement(&*tx, &Statement::Cert(cert), None)?;
        }
        tx.commit()?;
        self.identity()
    }

    pub fn identity(&self) -> Result<HubInfo> {
        let r = self.db().row("SELECT node_id, unit, scheme FROM hub", &[])?.ok_or_else(|| {
            StoreError::Other("no hub here: run `sobaucu-hub --data DIR init --unit CODE` first".into())
        })?;
        Ok(HubInfo { node_id: r.text(0)?.parse()?, unit: r.text(1)?.parse()?, scheme: r.text(2)?.parse()? })
    }

    /// The hub's keys.
    pub fn keys(&self) -> Result<Identity> {
        let mut r = self
            .db()
            .row("SELECT node_id, secret_key FROM hub", &[])?
            .ok_or_else(|| StoreError::Other("no hub here".into()))?;
        let secret = zeroize::Zeroizing::new(
            self.db()
                .unseal(SECRET_CONTEXT, r.take(1))?
                .ok_or_else(|| StoreError::Other("the hub's secret key is missing".into()))?,
        );
        Ok(Identity::from_secret_hex(r.text(0)?.parse()?, &secret)?)
    }

    /// The check of the hub's log entry at `position` (what a child pulling after it names).
    pub fn check_at(&self, position: u64) -> Result<Option<String>> {
        Ok(link::check_at(self.db(), position)?)
    }

    /// Keeps a one-time code (its secret's hash) for `unit` and `role`, until `expires_day`.
    pub fn keep_code(&mut self, secret_hash: &str, unit: &UnitCode, role: Role, expires_day: u32) -> Result<()> {
        self.db().exec(
            "INSERT INTO enroll_codes (code_hash, unit, created_at, role, expires_day) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![secret_hash, unit.as_str(), now(), role.as_str(), expires_day],
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
        let row = self.db().row(
            "SELECT unit, role, expires_day, used_by FROM enroll_codes WHERE code_hash = ?1",
            args![secret_hash],
        )?;
        row.map(|r| {
            Ok(IssuedCode {
                unit: r.text(0)?,
                role: r.text(1)?.parse()?,
                expires_day: r.i64(2)? as u32,
                used_by: r.opt_text(3)?,
            })
        })
        .transpose()
    }

    /// Enrols a child with the code `secret_hash`: binds its id, role, unit and keys once,
    /// spends the code and keeps the child's certificate, in one transaction.
    pub fn enrol_child(&mut self, secret_hash: &str, cert: &Cert, replacing_legacy: bool) -> Result<()> {
        let tx = Tx::write(self.db())?;
        let spent = tx.exec(
            "UPDATE enroll_codes SET used_by = ?2, used_at = ?3 WHERE code_hash = ?1 AND used_by IS NULL",
            args![secret_hash, cert.subject.node.to_string(), now()],
        )?;
        if spent != 1 {
            return Err(StoreError::Other("this enrolment code was already used".into()));
        }
        if replacing_legacy {
            tx.exec(
                "UPDATE peers SET seal_key = ?2, protocol = 2, kind = ?3, unit = ?4, received_idx = 0, sent_idx = 0
                 WHERE peer = ?1 AND role = 'child' AND protocol = 1",
                args![cert.subject.node.to_string(), cert.subject.seal_hex(), cert.role.as_str(), cert.unit.as_str()],
            )?;
        } else {
            tx.exec(
                "INSERT INTO peers (peer, role, kind, unit, public_key, seal_key, protocol, enrolled_at)
                 VALUES (?1, 'child', ?2, ?3, ?4, ?5, 2, ?6)",
                args![
                    cert.subject.node.to_string(),
                    cert.role.as_str(),
                    cert.unit.as_str(),
                    cert.subject.sign_hex(),
                    cert.subject.seal_hex(),
                    now()
                ],
            )?;
        }
        tx.exec("DELETE FROM statements WHERE kind = 'cert' AND subject = ?1", args![cert.subject.node.to_string()])?;
        trust::store_statement(&*tx, &Statement::Cert(cert.clone()), None)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether a node id is known here at all (a child, the parent, or a certificate).
    pub fn knows_node(&self, node: NodeId) -> Result<Option<&'static str>> {
        if let Some(r) = self.db().row("SELECT role, protocol FROM peers WHERE peer = ?1", args![node.to_string()])? {
            let (role, protocol) = (r.text(0)?, r.i64(1)?);
            return Ok(Some(if role == "child" && protocol == 1 { "legacy" } else { "peer" }));
        }
        if trust::cert_of(self.db(), node)?.is_some() || self.identity()?.node_id == node {
            return Ok(Some("certified"));
        }
        Ok(None)
    }

    /// The protocol 1 child's signing key (for its enrolment again).
    pub fn legacy_key(&self, node: NodeId) -> Result<Option<String>> {
        self.db()
            .row(
                "SELECT public_key FROM peers WHERE peer = ?1 AND role = 'child' AND protocol = 1",
                args![node.to_string()],
            )?
            .map(|r| Ok(r.text(0)?))
            .transpose()
    }

    /// The certificates from this hub up to the top hub (this hub's own first).
    pub fn chain(&self) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        let mut at = self.identity()?.node_id;
        for _ in 0..8 {
            let Some(cert) = trust::cert_of(self.db(), at)? else { break };
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
        self.db()
            .row(
                &format!("SELECT {CHILD_COLUMNS} FROM peers WHERE peer = ?1 AND role = 'child'"),
                args![peer.to_string()],
            )?
            .map(|r| read_child(&r))
            .transpose()
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
        self.db()
            .rows(&format!("SELECT {CHILD_COLUMNS} FROM peers WHERE role = 'child' ORDER BY unit, peer"), &[])?
            .iter()
            .map(read_child)
            .collect()
    }

    /// Takes a counter from a child's message if it is above every one taken before (written
    /// at once: a replayed message is refused even after a crash).
    pub fn take_counter(&mut self, peer: NodeId, counter: u64) -> Result<bool> {
        let n = self.db().exec(
            "UPDATE peers SET counter = ?2 WHERE peer = ?1 AND role = 'child' AND counter < ?2",
            args![peer.to_string(), counter],
        )?;
        if n == 0 {
            self.db().exec("UPDATE peers SET replays = replays + 1 WHERE peer = ?1", args![peer.to_string()])?;
        }
        Ok(n == 1)
    }

    /// Revokes a child: every further message of it is refused, and a signed revocation (with
    /// the last of its changes accepted) travels up and down so every peer refuses what it
    /// makes after.
    pub fn revoke(&mut self, peer: NodeId) -> Result<Revocation> {
        let child = self.child(peer)?.ok_or_else(|| StoreError::Other(format!("no node {peer} is enrolled here")))?;
        let keys = self.keys()?;
        let last_seq = log::last_seq(self.db(), peer)?;
        let revocation = Revocation::issue(&keys, child.peer, chrono::Utc::now().timestamp(), last_seq);
        let tx = Tx::write(self.db())?;
        tx.exec("UPDATE peers SET revoked = 1 WHERE peer = ?1 AND role = 'child'", args![peer.to_string()])?;
        trust::store_statement(&*tx, &Statement::Revocation(revocation.clone()), None)?;
        tx.commit()?;
        Ok(revocation)
    }

    /// The units a child may read: its subtree and the units above it.
    /// The one stream a child reads, if it reads one alone: a national ledger (a node of the
    /// country) reads the figures each ledger publishes, never a voter. A hub below reads all.
    pub fn stream_read_by(&self, child: &ChildPeer) -> Result<Option<u8>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let national = catalogue.unit(&child.unit).is_some_and(|u| u.level == sobaucu_core::units::Level::Country);
        Ok((child.role == Role::Node && national).then_some(sobaucu_core::kinds::STREAM_FIGURES))
    }

    pub fn readable_units(&self, unit: &UnitCode) -> Result<Vec<String>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let mut units: Vec<String> = catalogue.subtree(unit).iter().map(|u| u.code.to_string()).collect();
        units.extend(self.units_above(unit)?);
        Ok(units)
    }

    /// The units above `unit`, up to the country.
    pub fn units_above(&self, unit: &UnitCode) -> Result<Vec<String>> {
        let catalogue = Catalogue::get(self.identity()?.scheme);
        let mut units = Vec::new();
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
            let Some(change) = log::resolve_refs(self.db(), change)? else { return Ok(false) };
            let change = &change;
            let idx = self.db().number(
                "SELECT idx FROM changes WHERE origin = ?1 AND seq = ?2",
                args![change.origin.to_string(), change.seq],
            )?;
            let Some(idx) = idx else { return Ok(false) };
            let held = log::entry_at(self.db(), idx as u64)?;
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
            self.db().exec(
                "UPDATE peers SET replays = replays + 1, last_sync_at = ?2 WHERE peer = ?1",
                args![child.peer.to_string(), now()],
            )?;
            return Ok(Ok(Accepted { replay: true, ..Accepted::default() }));
        }
        let me = self.identity()?;
        let catalogue = Catalogue::get(me.scheme);
        let readable: std::collections::HashSet<String> = self.readable_units(&me.unit)?.into_iter().collect();
        let readable = |u: &str| readable.contains(u);
        let tx = Tx::write(self.db())?;
        let checker = trust::Checker {
            conn: &*tx,
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
        tx.exec(
            "UPDATE peers SET received_idx = ?2, received_check = ?7, last_sync_at = ?3,
                 changes_new = changes_new + ?4, changes_duplicate = changes_duplicate + ?5,
                 refused_count = refused_count + ?6
             WHERE peer = ?1",
            args![
                child.peer.to_string(),
                batch.upto,
                now(),
                applied.new,
                applied.duplicates,
                applied.refused.len(),
                push_check
            ],
        )?;
        tx.commit()?;
        Ok(Ok(Accepted { new: applied.new, duplicates: applied.duplicates, refused: applied.refused, replay: false }))
    }

    /// How many changes the child may read that it has not pulled yet (its lag behind the log).
    pub fn lag_of(&self, child: &ChildPeer) -> Result<u64> {
        let units = serde_json::to_string(&self.readable_units(&child.unit)?).expect("a list of strings");
        let in_units = match self.db().dialect() {
            Dialect::Sqlite => "unit IN (SELECT value FROM json_each(?3))",
            Dialect::Postgres => "unit IN (SELECT json_array_elements_text(CAST(?3 AS TEXT)::json))",
        };
        let n = self.db().number(
            &format!("SELECT count(*) FROM changes WHERE idx > ?1 AND (source IS NULL OR source <> ?2) AND {in_units}"),
            args![child.sent_idx, child.peer.to_string(), units],
        )?;
        Ok(n.unwrap_or(0) as u64)
    }

    /// What a child may read after the hub's log position `after`: `(changes, upto, more)`.
    pub fn pull_for(
        &self,
        child: &ChildPeer,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<(Vec<Change>, u64, bool)> {
        let filter = ReadFilter {
            not_from: Some(child.peer.to_string()),
            units: Some(self.readable_units(&child.unit)?),
            stream: self.stream_read_by(child)?,
            no_figures_of: Some(self.units_above(&child.unit)?),
        };
        let (entries, upto, more) = log::read(self.db(), after, limit, Some(max_bytes), &filter)?;
        let mut changes: Vec<Change> = entries.into_iter().map(|e| e.change).collect();
        log::bases_to_refs(self.db(), &mut changes)?;
        Ok((changes, upto, more))
    }

    /// The statements a child lacks after `after`: those about the units it may read.
    pub fn statements_for(&self, child: &ChildPeer, after: u64, limit: usize) -> Result<(Vec<Statement>, u64)> {
        let readable: std::collections::HashSet<String> = self.readable_units(&child.unit)?.into_iter().collect();
        let conn = self.db();
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
        let mut changes = log::origin_after(self.db(), child, after_seq, limit)?;
        log::bases_to_refs(self.db(), &mut changes)?;
        Ok(changes)
    }

    /// What the hub holds of a child's own changes: the highest sequence number, and the
    /// highest counter of records it created.
    pub fn held_of(&self, child: NodeId) -> Result<(u64, u64)> {
        Ok((log::last_seq(self.db(), child)?, log::last_counter(self.db(), child)?))
    }

    /// Notes the hub log position a child has, and when it synced.
    pub fn child_has(&mut self, child: NodeId, position: u64) -> Result<()> {
        self.db().exec(
            "UPDATE peers SET sent_idx = ?2, last_sync_at = ?3 WHERE peer = ?1",
            args![child.to_string(), position, now()],
        )?;
        Ok(())
    }

    pub fn log_head(&self) -> Result<u64> {
        Ok(log::head(self.db())?)
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
        let tx = Tx::write(self.db())?;
        log::keep_seen(&*tx, "seen", within)?;
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
        self.db().exec(
            "UPDATE peers SET election_date = ?2, law = ?3 WHERE peer = ?1 AND role = 'child'",
            args![child.peer.to_string(), settings.election_date.as_str(), settings.law.as_str()],
        )?;
        Ok(())
    }

    /// The settings the ledger of `unit` that synced last told this hub.
    pub fn settings_of(&self, unit: &str) -> Result<Option<sobaucu_protocol::messages::LedgerSettings>> {
        self.db()
            .row(
                "SELECT election_date, law FROM peers
                  WHERE role = 'child' AND kind = 'node' AND unit = ?1 AND election_date IS NOT NULL
                  ORDER BY last_sync_at DESC LIMIT 1",
                args![unit],
            )?
            .map(|r| Ok(sobaucu_protocol::messages::LedgerSettings { election_date: r.text(0)?, law: r.text(1)? }))
            .transpose()
    }

    /// When every node and hub below this hub last synced: its own children as it saw them,
    /// and what its child hubs reported of theirs.
    pub fn seen(&self) -> Result<Vec<Seen>> {
        let rows = self.db().rows(
            "SELECT peer, unit, kind, last_sync_at FROM peers
               WHERE role = 'child' AND revoked = 0 AND last_sync_at IS NOT NULL
             UNION ALL
             SELECT node, unit, kind, last_sync_at FROM seen
               WHERE node NOT IN (SELECT peer FROM peers WHERE role = 'child')",
            &[],
        )?;
        let mut out = Vec::new();
        for r in rows {
            let (node, unit, kind, last_sync_at) = (r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?);
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
        Ok(link::parent(self.db())?)
    }
}

/// A connection to the database at `url`, its schema made, refused when it holds a hub already.
fn empty_database(url: &str, key: vault::FileKey) -> Result<crate::pg::PgDb> {
    let db = crate::pg::PgDb::connect(url, key)?;
    db.migrate()?;
    if db.number("SELECT count(*) FROM hub", &[])?.unwrap_or(0) > 0 {
        return Err(StoreError::Other("that database already holds a hub: give each hub a database of its own".into()));
    }
    Ok(db)
}

/// The tables of a hub's store, in the order `migrate --to` copies them.
const TABLES: &[&str] = &["hub", "changes", "peers", "enroll_codes", "seen", "statements", "refused"];

/// Moves the SQLite hub store in `dir` to the empty PostgreSQL database at `url`: every row of
/// every table with its positions (children go on from where they were), payloads sealed on
/// the way, in one transaction (a failure leaves the database empty and the file in use); then
/// the directory names the database, and the file is kept beside as `hub.sqlite.moved`.
/// Returns what was moved, in words.
pub fn migrate_to_postgres(dir: &Path, credentials: &vault::Credentials, url: &str) -> Result<String> {
    if database_url(dir)?.is_some() {
        return Err(StoreError::Other(format!("the hub in {} is on PostgreSQL already", dir.display())));
    }
    if !vault::exists(&dir.join(HUB_FILE)) {
        return Err(StoreError::Other(format!("no hub store in {} to move", dir.display())));
    }
    let source = HubStore::open_sqlite(dir, credentials)?;
    if !source.is_initialized()? {
        return Err(StoreError::Other(format!("the store in {} holds no hub yet: nothing to move", dir.display())));
    }
    let Backend::Sqlite(conn) = &source.backend else { unreachable!("opened as SQLite") };
    let target = empty_database(url, source.key.clone())?;
    let tx = Tx::write(&target)?;
    let mut moved = Vec::new();
    for table in TABLES {
        let wanted: Vec<String> = tx
            .rows(
                "SELECT column_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
                args![*table],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect::<sobaucu_core::Result<_>>()?;
        let have: std::collections::HashSet<String> = conn
            .rows(&format!("SELECT name FROM pragma_table_info('{table}')"), &[])?
            .iter()
            .map(|r| r.text(0))
            .collect::<sobaucu_core::Result<_>>()?;
        let columns: Vec<&String> = wanted.iter().filter(|c| have.contains(*c)).collect();
        let list = columns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
        let marks = (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let insert = format!("INSERT INTO {table} ({list}) VALUES ({marks})");
        let sealed: Vec<bool> = columns.iter().map(|c| crate::pg::SEALED.contains(&(*table, c.as_str()))).collect();
        let position = |name: &str| columns.iter().position(|c| *c == name);
        let (origin_at, seq_at) = (position("origin"), position("seq"));
        let rows = conn.rows(&format!("SELECT {list} FROM {table}"), &[])?;
        let count = rows.len();
        for mut row in rows {
            let mut cells = Vec::with_capacity(columns.len());
            for (i, column) in columns.iter().enumerate() {
                let cell = row.take(i);
                if !sealed[i] {
                    cells.push(cell);
                    continue;
                }
                let context = match (*table, origin_at, seq_at) {
                    ("hub", _, _) => SECRET_CONTEXT.to_string(),
                    (_, Some(o), Some(q)) => {
                        let origin = match &cells.get(o) {
                            Some(sobaucu_core::db::Cell::Text(t)) => t.clone(),
                            _ => return Err(StoreError::Other(format!("{table}: a row without its origin"))),
                        };
                        let seq = match cells.get(q) {
                            Some(sobaucu_core::db::Cell::Int(v)) => *v,
                            _ => return Err(StoreError::Other(format!("{table}: a row without its number"))),
                        };
                        log::payload_context(&origin, seq, column)
                    }
                    _ => return Err(StoreError::Other(format!("{table}.{column}: no place to seal it to"))),
                };
                let clear = Row(vec![cell]).opt_text(0)?;
                cells.push(tx.seal(&context, clear)?);
            }
            tx.exec(&insert, &cells)?;
        }
        moved.push(format!("{count} {table}"));
    }
    target.reset_sequences()?;
    tx.commit()?;
    keep_database_url(dir, url)?;
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
    drop(source);
    std::fs::rename(dir.join(HUB_FILE), dir.join(format!("{HUB_FILE}.moved")))
        .map_err(|e| StoreError::Other(format!("{}: {e}", dir.join(HUB_FILE).display())))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("{HUB_FILE}{suffix}")));
    }
    Ok(moved.join(", "))
}
