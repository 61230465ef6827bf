//! The JSON headers of requests and responses. Field names are a contract between versions of
//! the programs: add, never rename.

use serde::{Deserialize, Serialize};

/// `POST /v1/enroll`: a node (or a child hub) joins a hub with a one-time code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrollRequest {
    pub code: String,
    pub node_id: String,
    pub unit: String,
    pub public_key: String,
    /// "node" (a desktop or CLI ledger) or "hub".
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrollResponse {
    pub hub_node_id: String,
    pub hub_unit: String,
    pub hub_public_key: String,
    pub scheme: String,
}

/// The header of `POST /v1/sync`: the requester's pushed batch (if any) travels beside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncRequest {
    /// The hub log position the requester has everything up to.
    pub pull_after: u64,
    /// At most this many changes in the answer's batch.
    pub max_changes: u32,
    /// A child hub's report of when the nodes and hubs below it last synced (first round).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
    /// Asks the hub for the same report about the requester's subtree (first round).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub want_seen: bool,
}

/// When a node or hub last synced with its hub, as that hub saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seen {
    /// The node id (hex).
    pub node: String,
    pub unit: String,
    /// "node" or "hub".
    pub kind: String,
    /// RFC 3339, UTC.
    pub last_sync_at: String,
}

/// The header of the answer to `POST /v1/sync`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SyncResponse {
    /// The requester's log position the hub has everything up to (the push acknowledgement).
    pub ack: u64,
    /// The hub's log position the answer's batch covers up to (the next `pull_after`).
    pub pull_upto: u64,
    /// Whether the hub has more for the requester after `pull_upto`.
    pub more: bool,
    /// When asked: when the nodes and hubs in the requester's subtree last synced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
}

/// The body of a refusal (HTTP 4xx), always with a sentence that says what is wrong.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    /// `bad_signature`, `unknown_node`, `revoked`, `replayed`, `gap`, `foreign_unit`,
    /// `malformed`, `too_large`, `bad_code`, `version`.
    pub kind: String,
    pub message: String,
    /// For `replayed` and `gap`: the requester's log position the hub has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u64>,
}

/// The header of a bundle file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BundleMeta {
    /// "up" (a node's changes for its hub) or "down" (a hub's answer for a node).
    pub direction: String,
    /// The node or hub the bundle is for.
    pub to: String,
    /// Up: the hub log position the node has everything up to. Down: the node's log position
    /// the hub has everything up to (the acknowledgement carried back).
    pub cursor: u64,
    /// Up, from a hub: when the nodes and hubs below it last synced. Down, for a district or
    /// province ledger: the same news of its subtree (as `SyncRequest`/`SyncResponse.seen`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
}
