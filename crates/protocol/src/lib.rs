//! sobaucu-protocol: what crosses the wire between a node and its hub, and between hubs, and
//! what a USB bundle holds. Used by both ends; does no I/O.
//!
//! - [`Change`]: one write of one record (the fields it set, stamped with a hybrid logical
//!   clock and the id of the node that made it).
//! - [`Batch`]: changes encoded column-wise ([`codec`]), compressed with zstd and signed with
//!   the sender's ed25519 key. A batch covers a range `(after, upto]` of the sender's log, so
//!   the receiver's acknowledgement is one number per direction.
//! - [`Envelope`]: a signed request or response: a small JSON header and at most one batch.
//! - [`Bundle`]: the same batches in one signed file, for a USB stick.
//!
//! Left out: transport (HTTP lives in the client and the hub), storage, and what a change means.

pub mod codec;
mod frame;
pub mod messages;

pub use frame::{Batch, Bundle, Envelope, Keypair, public_key_hex, verifying_key_from_hex};

/// The protocol version; a peer refuses frames of another version with a clear error.
pub const PROTOCOL_VERSION: u16 = 1;

/// The largest request, response or batch a peer accepts.
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// The largest bundle file a peer accepts.
pub const MAX_BUNDLE_BYTES: usize = 2 * 1024 * 1024 * 1024;

/// The largest batch payload a peer decompresses (a guard against compression bombs).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024 * 1024;

/// A field's value as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
}

/// One write of one record by one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The node that made the change.
    pub origin: u64,
    /// The origin's sequence number of this change: 1, 2, 3, … with no gaps.
    pub seq: u64,
    /// The record: the node that created it and its counter there.
    pub record_node: u64,
    pub record_counter: u64,
    /// The record kind (`voter`, `candidate`, …).
    pub kind: String,
    /// The administrative unit the record belongs to, at its official width.
    pub unit: String,
    /// Hybrid logical clock of the change.
    pub hlc: u64,
    /// The fields it set, with their new values.
    pub fields: Vec<(String, Value)>,
    /// For each field it replaced: the clocks of the values the writer saw there (the value it
    /// overwrote and, for a conflict resolution, the losing values it settled).
    pub bases: Vec<(String, Vec<u64>)>,
}

/// Why a frame was refused. Messages say what is wrong, never what a record holds.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("the data ends too early (truncated at byte {0})")]
    Truncated(usize),
    #[error("not a sobaucu {0}")]
    BadMagic(&'static str),
    #[error("protocol version {0} is not supported (this program speaks version {PROTOCOL_VERSION})")]
    UnsupportedVersion(u16),
    #[error("the data is too large ({0} bytes)")]
    TooLarge(usize),
    #[error("the signature does not match: the data was changed or signed by another key")]
    BadSignature,
    #[error("node {0:016x} is not known here")]
    UnknownKey(u64),
    #[error("the data is damaged: {0}")]
    Corrupt(String),
}
