//! sobaucu-protocol: what crosses the wire between a node and its hub, and between hubs, and
//! what a USB bundle holds. Used by both ends; does no I/O.
//!
//! - [`Change`]: one write of one record (the fields it set, stamped with a hybrid logical
//!   clock and the id of the node that made it).
//! - [`Batch`]: changes encoded column-wise ([`codec`]) and compressed with zstd, with the
//!   certificates and revocations ([`cert`]) the receiver needs before them. A batch covers a
//!   range `(after, upto]` of the sender's log, so an acknowledgement is one number.
//! - [`seal`]: every request, answer and bundle part is one sealed message: HPKE (RFC 9180,
//!   X25519 + HKDF-SHA256 + ChaCha20-Poly1305) to the recipient's key, authenticated with the
//!   sender's, naming both and a counter, so a captured message is unreadable and useless.
//! - [`chain`]: end-to-end authenticity. Each origin keeps a hash chain per (unit, stream) it
//!   writes into and signs a chain's head once per batch; whoever holds a unit's records can
//!   check that every change is its origin's, in its order, with none missing.
//! - [`code`]: enrolment codes, short enough to read over a phone, pinning the hub's key.
//! - [`messages`]: the JSON headers of requests, answers and bundles.
//!
//! Every decoder works within [`Limits`]: counts, lengths and decompressed sizes from outside
//! are checked before anything is allocated for them.
//!
//! Left out: transport (HTTP lives in the client and the hub), storage, and what a change means.

mod batch;
mod bundle;
pub mod cert;
pub mod chain;
pub mod code;
pub mod codec;
pub mod messages;
pub mod seal;

pub use batch::{BATCH_DICTIONARY, BATCH_DICTIONARY_1, Batch, Message};
pub use bundle::{BUNDLE_MAGIC, BundleReader, bundle_bytes};
pub use cert::{Cert, Revocation, Role, Statement};
pub use seal::{BoxKey, Identity, PublicIdentity, Sealed};

use std::fmt;
use std::str::FromStr;

/// The protocol version; a peer refuses messages of another version with a clear error.
/// Version 2: sealed messages, certificates, hash chains; version 1 signed frames in clear.
pub const PROTOCOL_VERSION: u16 = 2;

/// The largest sealed message (request, answer or bundle part) a peer accepts.
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// The largest bundle file a peer accepts.
pub const MAX_BUNDLE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The id of one installation (a commune ledger, a district node, a hub): 64 random bits
/// drawn at `init`, written as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct NodeId(pub u64);

impl NodeId {
    /// Draws a fresh random node id from the operating system.
    pub fn random() -> NodeId {
        use rand_core::TryRngCore;
        NodeId(rand_core::OsRng.try_next_u64().expect("the operating system's random source"))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for NodeId {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, ProtocolError> {
        let shown: String = s.chars().take(40).collect();
        if s.len() != 16 {
            return Err(ProtocolError::Corrupt(format!("`{shown}` is not a node id (16 hex digits)")));
        }
        u64::from_str_radix(s, 16)
            .map(NodeId)
            .map_err(|_| ProtocolError::Corrupt(format!("`{shown}` is not a node id (16 hex digits)")))
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for NodeId {
    type Error = ProtocolError;
    fn try_from(s: String) -> Result<Self, ProtocolError> {
        s.parse()
    }
}

/// A field's value as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
}

/// One write of one record by one node. (`Default` is for changes made by hand, in tests and
/// simulations: nothing read from the wire starts from it.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// The node that made the change.
    pub origin: NodeId,
    /// The origin's sequence number of this change: 1, 2, 3, … over all its changes.
    pub seq: u64,
    /// The record: the node that created it and its counter there.
    pub record_node: NodeId,
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
    /// Bases as they travel: the changes (origin, sequence number) whose clocks they are;
    /// sequence number 0 names the change that created the record (most edits replace a value
    /// set then, and that reference costs a byte). A reference costs one to three bytes where
    /// a clock costs six; the receiver turns them back into clocks from the changes it holds
    /// ([`Change::bases`]) before anything else.
    pub base_refs: Vec<(String, Vec<(NodeId, u64)>)>,
    /// A change a hub refused travels on as its digest alone (the chain it belongs to stays
    /// whole and checkable) with the reason, never applied.
    pub withheld: Option<Withheld>,
    /// The origin's signature of the head of this change's chain, when this change ends the
    /// part of its chain a batch of the origin carried ([`chain`]).
    pub head: Option<[u8; 64]>,
    /// The official who made the change at its origin (the ledger's user), when it says.
    /// Part of the change's digest, so no hub can alter it; on the wire, a run of changes by one
    /// author costs a few bytes a batch.
    pub author: Option<String>,
}

/// What is left of a refused change: its digest and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub digest: [u8; 32],
    pub reason: String,
}

impl Change {
    /// The record id as text, `<node>-<counter>`.
    pub fn record_id(&self) -> String {
        format!("{}-{}", self.record_node, self.record_counter)
    }
}

/// Bounds on what a decoder accepts from outside, so no message can make a peer allocate
/// beyond them. Every one is settable; the defaults fit a province hub of a thousand communes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Changes in one batch.
    pub max_changes: usize,
    /// Fields (and bases) of one change.
    pub max_fields: usize,
    /// Bytes of one string (a value, a field name, a unit).
    pub max_text: usize,
    /// Clocks named as the bases of one field.
    pub max_clocks: usize,
    /// Bytes a batch's changes take once decompressed.
    pub max_decompressed: usize,
    /// Certificates and revocations in one batch.
    pub max_statements: usize,
    /// Bytes of one sealed message.
    pub max_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_changes: 20_000,
            max_fields: 128,
            max_text: 64 * 1024,
            max_clocks: 64,
            max_decompressed: 32 * 1024 * 1024,
            max_statements: 20_000,
            max_message: MAX_FRAME_BYTES,
        }
    }
}

/// Why a message was refused. Messages say what is wrong, never what a record holds.
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
    #[error("{0} exceeds this peer's limit")]
    OverLimit(String),
    #[error("the signature does not match: the data was changed or signed by another key")]
    BadSignature,
    #[error("the message cannot be opened: it was changed, or sealed by another key or for another peer")]
    BadSeal,
    #[error("node {0} is not known here")]
    UnknownKey(NodeId),
    #[error("the data is damaged: {0}")]
    Corrupt(String),
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lowercase or uppercase hex, or None.
pub fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect()
}

/// A fixed-size array from hex.
pub fn array_from_hex<const N: usize>(hex: &str, what: &str) -> Result<[u8; N], ProtocolError> {
    from_hex(hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ProtocolError::Corrupt(format!("{what} is not {} hex digits", 2 * N)))
}
