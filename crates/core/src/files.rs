//! Files written whole and durably, the one way every export, print-out, bundle and backup is
//! written: to a temporary file in the target's folder, synced to the disk, renamed over the
//! target, and the folder synced, so a crash or a pulled USB stick leaves the old file or the
//! new one, never half of one. Errors name the file, never its content.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` whole or not at all.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    write_whole_with(path, |w| w.write_all(bytes))
}

/// Writes what `write` writes to `path` whole or not at all (for content streamed from
/// elsewhere, e.g. a backup's copy of the ledger).
pub fn write_whole_with(path: &Path, write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(Error::input(
            format!("{}: not a file name", path.display()),
            format!("{}: không phải tên tệp", path.display()),
        ));
    }
    let failed = |e: std::io::Error| {
        Error::input(format!("{}: {e}", path.display()), format!("{}: không ghi được tệp ({e})", path.display()))
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".partial").tempfile_in(dir).map_err(failed)?;
    write(file.as_file_mut()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    // The rename itself is durable once the folder is synced (not possible everywhere).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bundle.sbc");
        write_whole(&path, b"first").unwrap();
        write_whole(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_whole(&dir.path().join("missing/x.pdf"), b"x").unwrap_err().to_string().contains("missing"));
    }
}
