//! Backups of a ledger: one file holding a consistent, encrypted copy of the ledger (SQLite's
//! online backup, taken while other programs keep writing) and its keyring, so the same users
//! open it with the same passphrases. A backup is checked before it replaces anything, and
//! the ledger it replaces is moved aside, never deleted.
//!
//! The file: `SBCBAK` 0x01 `\n`, the length of a JSON header (u32, little-endian), the header
//! (`format`, `version`, when, which node and unit, the machine it was taken on, the keyring),
//! then the SQLCipher file itself. Nothing in it is readable without a passphrase: the header
//! holds the keyring (names of officials and sealed keys), no voter's data.
//!
//! Restored on the machine it was taken on, a ledger keeps its identity (the sync then brings
//! it back up to date with its hub, as for any copy restored from an older state). Restored on
//! another machine, it takes a new identity and must enrol: two computers must never write as
//! one node. What the old node had not yet synced is first written to a USB bundle of the old
//! node (by the program restoring, which has the sync client), for the hub to import.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::access::Action;
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::vault::{self, Credentials};

const MAGIC: &[u8; 8] = b"SBCBAK\x01\n";
const FORMAT: &str = "sobaucu backup";
/// A header larger than this is not a backup's.
const MAX_HEADER: u32 = 1 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    created_at: String,
    node_id: String,
    unit: String,
    /// A fingerprint of the machine the backup was taken on.
    machine: String,
    keyring: serde_json::Value,
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub path: String,
    pub bytes: u64,
    pub at: String,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub node_id: String,
    pub unit: String,
    pub taken_at: String,
    /// The backup was taken on another machine: the ledger has a new identity and must enrol.
    pub new_identity: bool,
    /// Where the ledger the backup replaced was moved (nothing is deleted).
    pub replaced: Option<String>,
}

/// A fingerprint of this machine: SHA-256 of its machine id (or host name), 16 hex digits.
/// Debug builds take `$SOBAUCU_TEST_MACHINE_ID` instead, for the tests that play two machines.
pub fn machine_fingerprint() -> String {
    #[cfg(debug_assertions)]
    if let Ok(id) = std::env::var("SOBAUCU_TEST_MACHINE_ID") {
        return fingerprint_of(&id);
    }
    let id = ["/etc/machine-id", "/var/lib/dbus/machine-id", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    fingerprint_of(&id)
}

fn fingerprint_of(id: &str) -> String {
    sobaucu_protocol::to_hex(&sobaucu_protocol::seal::sha256(format!("sobaucu machine|{id}").as_bytes())[..8])
}

fn bad_backup(file: &Path, what: &str) -> Error {
    Error::input(
        format!("{}: not a sobaucu backup, or a damaged one ({what}): nothing was restored", file.display()),
        format!("{}: không phải bản sao lưu của Sổ Bầu Cử, hoặc đã hỏng ({what}): chưa khôi phục gì", file.display()),
    )
}

impl Store {
    /// Writes an encrypted, consistent backup of the ledger to `out` (whole or not at all) and
    /// remembers when.
    pub fn backup(&mut self, out: &Path) -> Result<BackupInfo> {
        self.require(Action::Backup)?;
        let node = self.node()?.clone();
        let keyring_path = vault::keyring_path(&self.dir.join(crate::LEDGER_FILE));
        let keyring: serde_json::Value = serde_json::from_slice(&std::fs::read(&keyring_path)?)
            .map_err(|_| Error::input("the keyring is damaged", "tệp khóa bị hỏng"))?;
        let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let header = Header {
            format: FORMAT.into(),
            version: 1,
            created_at: at.clone(),
            node_id: node.node_id.to_string(),
            unit: node.unit.to_string(),
            machine: machine_fingerprint(),
            keyring,
        };
        let header = serde_json::to_vec(&header).expect("a header serialises");
        // The copy is taken beside the target (same disk, same permissions), then streamed in.
        let folder = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let staging = tempfile::Builder::new().prefix(".sobaucu-backup").tempdir_in(folder).map_err(|e| {
            Error::input(format!("{}: {e}", folder.display()), format!("{}: không ghi được ({e})", folder.display()))
        })?;
        let copy = staging.path().join("copy.sqlite");
        vault::backup_copy(&self.conn, &self.key, &copy)?;
        let mut db = std::fs::File::open(&copy)?;
        crate::files::write_whole_with(out, |w| {
            w.write_all(MAGIC)?;
            w.write_all(&(header.len() as u32).to_le_bytes())?;
            w.write_all(&header)?;
            std::io::copy(&mut db, w)?;
            Ok(())
        })?;
        vault::owner_only(out)?;
        self.conn.execute("UPDATE node SET last_backup_at = ?1", [&at])?;
        let bytes = std::fs::metadata(out)?.len();
        Ok(BackupInfo { path: out.display().to_string(), bytes, at })
    }

    /// When the ledger was last backed up.
    pub fn last_backup_at(&self) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT last_backup_at FROM node", [], |r| r.get(0)).optional()?.flatten())
    }

    /// Gives this ledger a new identity (a backup restored on another machine): a new node id
    /// and key, no hub (it must enrol again); its records and log stay.
    pub fn become_new_node(&mut self) -> Result<NodeId> {
        self.require(Action::Backup)?;
        let new = NodeId::random();
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE node SET node_id = ?1, secret_key = ?2, last_seq = 0, next_counter = 1",
            params![new.to_string(), super::replica::new_secret_hex()],
        )?;
        tx.execute("DELETE FROM peers WHERE role = 'parent'", [])?;
        tx.commit()?;
        self.node = super::Db(&self.conn).node()?;
        Ok(new)
    }
}

/// A backup file opened and checked: staged beside the ledger's folder, not yet in place.
pub struct StagedRestore {
    staging: tempfile::TempDir,
    pub store: Store,
    pub taken_at: String,
    /// Taken on another machine.
    pub other_machine: bool,
}

/// Reads and checks the backup `file` for the ledger folder `dir` with `credentials` (the
/// passphrases that opened the ledger when the backup was taken): it must open, pass SQLite's
/// integrity check and hold a ledger. Nothing in `dir` is touched.
pub fn stage_restore(dir: &Path, file: &Path, credentials: &Credentials) -> Result<StagedRestore> {
    let mut input = std::fs::File::open(file).map_err(|e| {
        Error::input(format!("{}: {e}", file.display()), format!("{}: không đọc được tệp ({e})", file.display()))
    })?;
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic).map_err(|_| bad_backup(file, "too short"))?;
    if &magic != MAGIC {
        return Err(bad_backup(file, "no backup header"));
    }
    let mut len = [0u8; 4];
    input.read_exact(&mut len).map_err(|_| bad_backup(file, "too short"))?;
    let len = u32::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(bad_backup(file, "header too long"));
    }
    let mut header = vec![0u8; len as usize];
    input.read_exact(&mut header).map_err(|_| bad_backup(file, "too short"))?;
    let header: Header = serde_json::from_slice(&header).map_err(|_| bad_backup(file, "header"))?;
    if header.format != FORMAT || header.version != 1 {
        return Err(bad_backup(file, "another format"));
    }
    let parent = dir.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    vault::create_private_dir(parent)?;
    let staging = tempfile::Builder::new().prefix(".sobaucu-restore").tempdir_in(parent)?;
    let db = staging.path().join(crate::LEDGER_FILE);
    {
        let mut out = std::fs::File::create(&db)?;
        std::io::copy(&mut input, &mut out)?;
        out.sync_all()?;
    }
    let keyring = serde_json::to_vec_pretty(&header.keyring).expect("JSON serialises");
    std::fs::write(vault::keyring_path(&db), keyring)?;
    vault::owner_only(&db)?;
    vault::owner_only(&vault::keyring_path(&db))?;
    let store = Store::open_existing(staging.path(), credentials)?;
    let check = store.db().integrity_check()?;
    if check != "ok" {
        return Err(bad_backup(file, &format!("integrity check: {check}")));
    }
    let node = store.node().map_err(|_| bad_backup(file, "no ledger inside"))?;
    if node.node_id.to_string() != header.node_id {
        return Err(bad_backup(file, "its header names another node"));
    }
    Ok(StagedRestore {
        staging,
        store,
        taken_at: header.created_at,
        other_machine: header.machine != machine_fingerprint(),
    })
}

impl StagedRestore {
    /// Puts the staged ledger in `dir`, moving a ledger already there aside (into
    /// `replaced-<time>` inside `dir`).
    pub fn finish(self, dir: &Path, new_identity: bool) -> Result<Restored> {
        let node = self.store.node()?.clone();
        let staged_dir = self.staging.path().to_path_buf();
        // Fold the staged file's WAL in and close it before it moves.
        self.store.conn.pragma_update(None, "journal_mode", "DELETE")?;
        drop(self.store);
        vault::create_private_dir(dir)?;
        let names = [crate::LEDGER_FILE, "ledger.keys", "ledger.sqlite-wal", "ledger.sqlite-shm"];
        let replaced = if names.iter().any(|n| dir.join(n).exists()) {
            let aside: PathBuf = dir.join(format!("replaced-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")));
            vault::create_private_dir(&aside)?;
            for name in names {
                if dir.join(name).exists() {
                    std::fs::rename(dir.join(name), aside.join(name))?;
                }
            }
            Some(aside.display().to_string())
        } else {
            None
        };
        for name in [crate::LEDGER_FILE, "ledger.keys"] {
            std::fs::rename(staged_dir.join(name), dir.join(name))?;
        }
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        Ok(Restored {
            node_id: node.node_id.to_string(),
            unit: node.unit.to_string(),
            taken_at: self.taken_at,
            new_identity,
            replaced,
        })
    }
}
