//! The ledger's users (officials who share its computer) and their roles, and the history of
//! a record: who changed which field when, from which node.
//!
//! Who may open the file is the keyring's business ([`crate::vault`]); what each user may do
//! is here, inside the encrypted file, so editing the keyring cannot raise anyone's role.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Store, stamp_of};
use crate::access::{Action, Actor, Role};
use crate::error::{Error, Result};
use crate::ids::{Hlc, RecordId};
use crate::kinds::Kind;
use crate::text;
use crate::vault::{self, Keyring};

/// One user of a ledger.
#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub added_at: String,
    pub added_by: Option<String>,
}

/// One change in a record's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// When it was made (UTC, from the change's clock).
    pub at: String,
    /// The node it was made on, and the official who made it (absent for changes made before
    /// authors were recorded).
    pub node: String,
    pub author: Option<String>,
    /// This node's own change, or one that arrived from another.
    pub here: bool,
    /// The fields it set, with their new values.
    pub fields: Map<String, Value>,
}

fn now_stamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn key_of(name: &str) -> String {
    text::clean(name).to_lowercase()
}

fn role_of(text: &str) -> Result<Role> {
    text.parse()
}

/// The user `name` (as the keyring spells it) as an actor. The first user of a ledger that has
/// none (a new ledger, or one from before users) becomes its chair.
pub(super) fn actor(conn: &Connection, name: &str) -> Result<Actor> {
    let count: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
    if count == 0 {
        conn.execute(
            "INSERT INTO users (key, name, role, added_at) VALUES (?1, ?2, 'chair', ?3)",
            params![key_of(name), text::clean(name), now_stamp()],
        )?;
    }
    let row: Option<(String, String)> = conn
        .query_row("SELECT name, role FROM users WHERE key = ?1", [key_of(name)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((name, role)) = row else {
        return Err(Error::access(
            "unknown_user",
            format!("`{name}` holds a key to this ledger but is no longer one of its users: ask the chair"),
            format!("`{name}` có khóa của sổ nhưng không còn là người dùng của sổ: hãy hỏi chủ tịch"),
        ));
    };
    Ok(Actor { name, role: role_of(&role)? })
}

impl Store {
    /// The ledger's users.
    pub fn users(&self) -> Result<Vec<UserInfo>> {
        let mut stmt = self.conn.prepare("SELECT name, role, added_at, added_by FROM users ORDER BY added_at, name")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, role, added_at, added_by) = row?;
            out.push(UserInfo { name, role: role_of(&role)?, added_at, added_by });
        }
        Ok(out)
    }

    fn keyring(&self) -> Result<Keyring> {
        let path = vault::keyring_path(&self.dir.join(crate::LEDGER_FILE));
        Keyring::load(&path)?.ok_or_else(|| {
            Error::input(
                format!("{}: the keyring is missing", path.display()),
                format!("{}: thiếu tệp khóa", path.display()),
            )
        })
    }

    /// Adds a user with a role and a passphrase of their own (the chair only).
    pub fn add_user(&mut self, name: &str, role: Role, passphrase: &str) -> Result<UserInfo> {
        self.require(Action::ManageUsers)?;
        let mut keyring = self.keyring()?;
        let name = text::clean(name);
        keyring.add(&name, passphrase, &self.key)?;
        let added_at = now_stamp();
        let tx = self.conn.transaction()?;
        // A name removed from the keyring's users but still in the table (a removal a crash
        // interrupted) is replaced.
        tx.execute("DELETE FROM users WHERE key = ?1", [key_of(&name)])?;
        tx.execute(
            "INSERT INTO users (key, name, role, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key_of(&name), name, role.as_str(), added_at, self.actor.name],
        )?;
        // The keyring is written before the row commits: a failure leaves neither.
        keyring.save()?;
        tx.commit()?;
        Ok(UserInfo { name, role, added_at, added_by: Some(self.actor.name.clone()) })
    }

    /// Removes a user (the chair only) and re-keys the file, so the key they held no longer
    /// opens it. Other programs that have the ledger open must open it again.
    pub fn remove_user(&mut self, name: &str) -> Result<String> {
        self.require(Action::ManageUsers)?;
        let mut keyring = self.keyring()?;
        let removing: Option<(String, String)> = self
            .conn
            .query_row("SELECT name, role FROM users WHERE key = ?1", [key_of(name)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((_, role)) = &removing {
            let chairs: i64 =
                self.conn.query_row("SELECT count(*) FROM users WHERE role = 'chair'", [], |r| r.get(0))?;
            if role == "chair" && chairs == 1 {
                return Err(Error::input(
                    "a ledger keeps at least one chair: add another chair first",
                    "sổ phải còn ít nhất một chủ tịch: hãy thêm chủ tịch khác trước",
                ));
            }
        }
        let in_keyring = keyring.users().iter().any(|u| key_of(u) == key_of(name));
        if removing.is_none() && !in_keyring {
            return Err(Error::not_found(
                format!("no user `{name}` in this ledger"),
                format!("sổ không có người dùng `{name}`"),
            ));
        }
        self.conn.execute("DELETE FROM users WHERE key = ?1", [key_of(name)])?;
        let removed = removing.map(|(n, _)| n).unwrap_or_else(|| name.to_string());
        if in_keyring {
            keyring.remove(name)?;
            self.key = vault::rekey(&self.conn, &mut keyring)?;
        }
        Ok(removed)
    }

    /// Gives the user who opened the ledger a new passphrase (with the current one), and
    /// re-keys the file.
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<()> {
        let mut keyring = self.keyring()?;
        keyring.change_passphrase(&self.actor.name, old, new, &self.key)?;
        keyring.save()?;
        self.key = vault::rekey(&self.conn, &mut keyring)?;
        Ok(())
    }

    /// Who changed which field of a record when, from which node, oldest first.
    pub fn history(&self, kind: Kind, id: RecordId) -> Result<Vec<HistoryEntry>> {
        self.require(Action::Read)?;
        let me = self.node()?.node_id.to_string();
        let mut stmt = self.conn.prepare(
            "SELECT hlc, origin, author, fields, kind FROM changes
              WHERE record_id = ?1 AND withheld IS NULL ORDER BY hlc, origin, seq",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (hlc, origin, author, fields, stored_kind) = row?;
            if stored_kind != kind.as_str() {
                continue;
            }
            let fields: Map<String, Value> = serde_json::from_str(&fields).unwrap_or_default();
            out.push(HistoryEntry { at: stamp_of(Hlc(hlc as u64)), here: origin == me, node: origin, author, fields });
        }
        if out.is_empty() {
            return Err(Error::not_found(
                format!("no {} record {id}", kind.as_str()),
                format!("không có hồ sơ {} {id}", kind.def().vi),
            ));
        }
        Ok(out)
    }
}
