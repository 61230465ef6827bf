//! Restoring a ledger's backup (the CLI's `restore-backup`, the window's "Khôi phục"): the core
//! checks the backup and puts it in place; on another machine, what the old node had not synced
//! is first written to a bundle of the old node's, for the hub (this needs the sync client).

use std::path::{Path, PathBuf};

use sobaucu_core::access::Action;
use sobaucu_core::store::backup::{self, Restored};
use sobaucu_core::vault::Credentials;

/// What a restore did, and where the old node's unsynced changes went (another machine).
pub struct RestoredBackup {
    pub restored: Restored,
    /// The bundle of the old node's unsynced changes, and how many it holds.
    pub bundle: Option<(PathBuf, usize)>,
}

/// Restores the backup `file` into the ledger folder `dir`, opened with `credentials` (a user
/// of the backup who may back up and restore). The bundle, if any, is written beside `dir` as
/// `pending-of-node-ID.sbc`.
pub fn restore_backup(dir: &Path, file: &Path, credentials: &Credentials) -> sobaucu_core::Result<RestoredBackup> {
    let mut staged = backup::stage_restore(dir, file, credentials)?;
    staged.store.require(Action::Backup)?;
    let new_identity = staged.other_machine;
    let mut bundle = None;
    if new_identity {
        let old = staged.store.node()?.node_id;
        if staged.store.parent()?.is_some() && staged.store.pending_count()? > 0 {
            let (bytes, count) = crate::bundle::export_up(&mut staged.store).map_err(|e| {
                sobaucu_core::Error::input(
                    format!("the old node's unsynced changes could not be written to a bundle: {e}"),
                    format!("không ghi được các thay đổi chưa đồng bộ của máy cũ ra tệp USB: {e}"),
                )
            })?;
            let path = dir.with_file_name(format!("pending-of-node-{old}.sbc"));
            sobaucu_core::files::write_whole(&path, &bytes)?;
            bundle = Some((path, count));
        }
        staged.store.become_new_node()?;
    }
    let restored = staged.finish(dir, new_identity)?;
    Ok(RestoredBackup { restored, bundle })
}
