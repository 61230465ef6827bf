//! sobaucu-core: everything the commune ledger knows, and nothing about how it is shown.
//!
//! The domain types and their validation ([`kinds`], [`validate`]), the administrative units
//! ([`units`]), the legal timeline ([`timeline`]), the reports ([`report`]), imports and
//! exports ([`transfer`]) and the SQLite store with its change log ([`store`]).
//!
//! Deliberately left out: network I/O, terminal output and any UI toolkit. The desktop shell,
//! the CLI and the hub are thin adapters over this crate.

pub mod access;
pub mod api;
pub mod check;
pub mod collate;
pub mod db;
pub mod demo;
pub mod duplicates;
pub mod error;
pub mod figures;
pub mod files;
pub mod ids;
pub mod kinds;
pub mod law;
pub mod link;
pub mod log;
pub mod merge;
pub mod progress;
pub mod report;
pub mod results;
pub mod store;
pub mod text;
pub mod timeline;
pub mod transfer;
pub mod trust;
pub mod units;
pub mod validate;
pub mod vault;
pub mod verify;

pub use error::{Error, FieldError, Result};
pub use ids::{Hlc, NodeId, RecordId};
pub use kinds::{Kind, KindDef};
pub use store::{ImportRecord, ListQuery, NodeInfo, Store};
pub use units::{Level, Scheme, UnitCode};

/// The file name of the ledger inside a data directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";

/// The data directory the CLI and the desktop app share when none is given: the platform's
/// data directory (`~/.local/share/sobaucu` on Linux), or `$SOBAUCU_DATA` when it is set.
pub fn default_data_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("SOBAUCU_DATA") {
        return dir.into();
    }
    dirs::data_dir().unwrap_or_else(|| std::path::PathBuf::from(".")).join("sobaucu")
}

/// Today's date for deadlines: `$SOBAUCU_TODAY` (YYYY-MM-DD) when set, so tests and
/// rehearsals can pin it, else the local date.
pub fn today() -> chrono::NaiveDate {
    now().date()
}

/// The local date and time for deadlines: `$SOBAUCU_TODAY` when set (`YYYY-MM-DD`, taken as
/// midnight, or `YYYY-MM-DDTHH:MM`), else the clock.
pub fn now() -> chrono::NaiveDateTime {
    let pinned = std::env::var("SOBAUCU_TODAY").ok().and_then(|d| {
        chrono::NaiveDateTime::parse_from_str(&d, "%Y-%m-%dT%H:%M").ok().or_else(|| {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
    });
    pinned.unwrap_or_else(|| chrono::Local::now().naive_local())
}
