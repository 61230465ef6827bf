//! Who may do what in a ledger. A ledger has named users (officials sharing the commune's
//! computer), each with one role; every action the core offers names what it needs, and the
//! store refuses it, with a clear error, to a user whose role does not allow it.
//!
//! | action | chair | secretary | member | viewer |
//! |---|---|---|---|---|
//! | read, search, reports, print | yes | yes | yes | yes |
//! | write records, settle conflicts and duplicates | yes | yes | yes | no |
//! | import, undo an import, export | yes | yes | no | no |
//! | sync, USB bundles, enrol | yes | yes | no | no |
//! | back up, restore a backup | yes | yes | no | no |
//! | add and remove users | yes | no | no | no |
//!
//! Everyone changes their own passphrase.

use serde::Serialize;

use crate::error::{Error, Result};

/// A user's role in a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and prints.
    Viewer,
    /// Writes records.
    Member,
    /// Writes, imports, prints, syncs, backs up.
    Secretary,
    /// Everything, and manages the users.
    Chair,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Chair, Role::Secretary, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Chair => "chair",
            Role::Secretary => "secretary",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// The role's name in the window.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Chair => "Chủ tịch / Trưởng ban",
            Role::Secretary => "Thư ký",
            Role::Member => "Thành viên",
            Role::Viewer => "Chỉ xem",
        }
    }

    /// Whether this role may do `action`.
    pub fn allows(self, action: Action) -> bool {
        self >= action.needs()
    }
}

impl std::str::FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            Error::field(
                "role",
                format!("`{s}` is not a role: chair, secretary, member or viewer"),
                format!("`{s}` không phải vai trò: chair, secretary, member hoặc viewer"),
            )
        })
    }
}

/// What a user asks the ledger to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Print,
    Write,
    Import,
    Export,
    Sync,
    Backup,
    ManageUsers,
}

impl Action {
    /// The least role that may do it.
    pub fn needs(self) -> Role {
        match self {
            Action::Read | Action::Print => Role::Viewer,
            Action::Write => Role::Member,
            Action::Import | Action::Export | Action::Sync | Action::Backup => Role::Secretary,
            Action::ManageUsers => Role::Chair,
        }
    }

    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Action::Read => ("read the ledger", "xem sổ"),
            Action::Print => ("print", "in"),
            Action::Write => ("change records", "thay đổi hồ sơ"),
            Action::Import => ("import files", "nhập tệp"),
            Action::Export => ("export records", "xuất hồ sơ"),
            Action::Sync => ("sync with the hub", "đồng bộ với máy chủ"),
            Action::Backup => ("back up or restore the ledger", "sao lưu hay khôi phục sổ"),
            Action::ManageUsers => ("manage the ledger's users", "quản lý người dùng của sổ"),
        }
    }
}

/// The user a ledger was opened by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// Refuses `action` unless this user's role allows it.
    pub fn require(&self, action: Action) -> Result<()> {
        if self.role.allows(action) {
            return Ok(());
        }
        let (en, vi) = action.describe();
        let needs = action.needs();
        Err(Error::access(
            "forbidden",
            format!(
                "{} is a {} of this ledger and may not {en}: ask a {} or the chair",
                self.name,
                self.role.as_str(),
                needs.as_str()
            ),
            format!(
                "{} có vai trò {} trong sổ này nên không được {vi}: hãy nhờ {} hoặc chủ tịch",
                self.name,
                self.role.label_vi(),
                needs.label_vi()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_what_the_table_says() {
        use Action::*;
        let table = [
            (Read, [true, true, true, true]),
            (Print, [true, true, true, true]),
            (Write, [true, true, true, false]),
            (Import, [true, true, false, false]),
            (Export, [true, true, false, false]),
            (Sync, [true, true, false, false]),
            (Backup, [true, true, false, false]),
            (ManageUsers, [true, false, false, false]),
        ];
        for (action, allowed) in table {
            for (role, allowed) in Role::ALL.into_iter().zip(allowed) {
                assert_eq!(role.allows(action), allowed, "{role:?} {action:?}");
            }
        }
        let viewer = Actor { name: "Sùng A Páo".into(), role: Role::Viewer };
        let error = viewer.require(Write).unwrap_err();
        assert_eq!(error.kind(), "forbidden");
        assert!(error.to_string().contains("may not change records"), "{error}");
    }
}
