//! The JSON headers of requests, answers and bundles. Field names are a contract between
//! versions of the programs: add, never rename.

use serde::{Deserialize, Serialize};

use crate::NodeId;
use crate::cert::Role;

/// `GET /v1/health`: who the hub is, in clear (what a node checks against its enrolment code).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Health {
    pub node_id: NodeId,
    pub unit: String,
    pub scheme: String,
    pub log_head: u64,
    #[serde(default)]
    pub protocol: u16,
    /// The hub's ed25519 key (hex).
    #[serde(default)]
    pub sign_key: String,
    /// The hub's X25519 key messages are sealed to (hex).
    #[serde(default)]
    pub seal_key: String,
}

/// `POST /v1/enroll`, sealed to the hub: a node (or a child hub) joins with a one-time code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrollRequest {
    /// The enrolment code as typed (it travels sealed).
    pub code: String,
    pub node_id: NodeId,
    pub unit: String,
    /// The node's ed25519 key (hex).
    pub public_key: String,
    /// The node's X25519 key (hex).
    #[serde(default)]
    pub seal_key: String,
    /// What the node enrols as; it must be what the code says.
    pub role: Role,
    /// The node's signature over [`EnrollRequest::proof_message`]: it holds the key it names.
    #[serde(default)]
    pub proof: String,
}

impl EnrollRequest {
    /// The request of `me` to enrol as `role` of `unit` with `code` (sent as `code_text`, the
    /// code as typed), signed with its key.
    pub fn signed(
        me: &crate::seal::Identity,
        code: &crate::code::EnrolCode,
        code_text: &str,
        unit: &str,
        role: Role,
    ) -> Self {
        let public = *me.public();
        let (public_key, seal_key) = (public.sign_hex(), public.seal_hex());
        let proof = me.sign(&Self::proof_message(&code.secret_hash(), public.node, &public_key, &seal_key));
        EnrollRequest {
            code: code_text.trim().to_string(),
            node_id: public.node,
            unit: unit.to_string(),
            public_key,
            seal_key,
            role,
            proof: crate::to_hex(&proof),
        }
    }

    /// What the enrolment proof signs: the code's secret hash, the node id and its keys.
    pub fn proof_message(code_secret_hash: &str, node: NodeId, public_key: &str, seal_key: &str) -> Vec<u8> {
        format!("sobaucu enrol v2|{code_secret_hash}|{node}|{public_key}|{seal_key}").into_bytes()
    }
}

/// The answer to an enrolment, sealed to the new node; its first part is a batch whose
/// certificates are the node's own and its hub's chain up to the top hub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrollResponse {
    pub hub_node_id: NodeId,
    pub hub_unit: String,
    pub hub_public_key: String,
    #[serde(default)]
    pub hub_seal_key: String,
    pub scheme: String,
    /// The election day and law version the last ledger of the same unit told this hub: a new
    /// ledger restored for a unit (`sobaucu restore`) takes them back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<LedgerSettings>,
}

/// What a ledger was made for beyond its unit, told to its hub once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerSettings {
    /// YYYY-MM-DD.
    pub election_date: String,
    /// `2015` or `2025`.
    pub law: String,
}

/// The header of `POST /v1/sync`: the requester's pushed batch (if any) is its first part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct SyncRequest {
    /// The hub log position the requester has everything up to.
    pub pull_after: u64,
    /// At most this many changes in the answer's batch.
    pub max_changes: u32,
    /// At most about this many bytes in the answer (0: the hub's default).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub max_bytes: u32,
    /// A child hub's report of when the nodes and hubs below it last synced (first round).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
    /// Asks the hub for the same report about the requester's subtree (first round).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub want_seen: bool,
    /// What the hub said of its entry at `pull_after` (its digest's first bytes, hex): a hub
    /// whose entry there is not that one (it was restored from an older copy) answers with
    /// where to pull from again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_check: Option<String>,
    /// The highest sequence number of its own changes the requester holds (first round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_seq: Option<u64>,
    /// Asks for the requester's own changes after this sequence number (a node restored from a
    /// backup takes back what it had sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_after: Option<u64>,
    /// The check of the requester's own entry at the end of its pushed batch (so a later
    /// acknowledgement beyond what it sent can be checked against its log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_check: Option<String>,
    /// The hub's certificates and revocations the requester has, up to this position.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub certs_after: u64,
    /// A ledger's election day and law version, until its hub has them (first round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<LedgerSettings>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// When a node or hub last synced with its hub, as that hub saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seen {
    pub node: NodeId,
    pub unit: String,
    /// "node" or "hub".
    pub kind: Role,
    /// RFC 3339, UTC.
    pub last_sync_at: String,
}

/// One change of a pushed batch that the hub refused: its sequence number and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefusedChange {
    pub seq: u64,
    pub kind: RefusalKind,
    pub message: String,
}

/// The header of the answer to `POST /v1/sync` (sealed to the requester).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct SyncResponse {
    /// The requester's log position the hub has everything up to (the push acknowledgement).
    /// It may be lower than what the requester believed (a hub restored from an older copy):
    /// the requester sends again from there.
    pub ack: u64,
    /// The check the requester gave of its entry at `ack`, when `ack` is beyond what it just
    /// sent (a batch sent again after a lost answer): it moves there only if its entry still is
    /// that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_check: Option<String>,
    /// The hub's log position the answer's batch covers up to (the next `pull_after`).
    pub pull_upto: u64,
    /// Whether the hub has more for the requester after `pull_upto`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// When asked: when the nodes and hubs in the requester's subtree last synced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
    /// The hub's entry at `pull_upto` (its digest's first bytes, hex): the next request's
    /// `pull_check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_check: Option<String>,
    /// Set when the requester's pull position is not in the hub's log as it is now: the
    /// answer's batch starts after this position instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewound_to: Option<u64>,
    /// The highest sequence number of the requester's own changes the hub holds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub held_seq: u64,
    /// The highest record counter of records the requester created that the hub holds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub held_counter: u64,
    /// Changes of the pushed batch the hub refused (the rest were taken).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedChange>,
    /// The hub's certificate position the answer's batch covers up to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub certs_upto: u64,
    /// The hub's clock (milliseconds since the Unix epoch), so a node can tell its own is wrong
    /// (first round of a sync).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub time_ms: u64,
    /// A refusal of the whole request, sealed (so the requester may act on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// What went wrong, as a machine-readable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    BadSignature,
    UnknownNode,
    Revoked,
    Replayed,
    Gap,
    ForeignUnit,
    ForeignOrigin,
    ForeignRecord,
    ForeignKind,
    BadValue,
    ClockAhead,
    SeqReused,
    BadChain,
    UnknownOrigin,
    Malformed,
    TooLarge,
    BadCode,
    KnownNode,
    WrongHub,
    Version,
    Busy,
    TooManyRequests,
    Internal,
    #[serde(other)]
    Other,
}

impl RefusalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalKind::BadSignature => "bad_signature",
            RefusalKind::UnknownNode => "unknown_node",
            RefusalKind::Revoked => "revoked",
            RefusalKind::Replayed => "replayed",
            RefusalKind::Gap => "gap",
            RefusalKind::ForeignUnit => "foreign_unit",
            RefusalKind::ForeignOrigin => "foreign_origin",
            RefusalKind::ForeignRecord => "foreign_record",
            RefusalKind::ForeignKind => "foreign_kind",
            RefusalKind::BadValue => "bad_value",
            RefusalKind::ClockAhead => "clock_ahead",
            RefusalKind::SeqReused => "seq_reused",
            RefusalKind::BadChain => "bad_chain",
            RefusalKind::UnknownOrigin => "unknown_origin",
            RefusalKind::Malformed => "malformed",
            RefusalKind::TooLarge => "too_large",
            RefusalKind::BadCode => "bad_code",
            RefusalKind::KnownNode => "known_node",
            RefusalKind::WrongHub => "wrong_hub",
            RefusalKind::Version => "version",
            RefusalKind::Busy => "busy",
            RefusalKind::TooManyRequests => "too_many_requests",
            RefusalKind::Internal => "internal",
            RefusalKind::Other => "other",
        }
    }
}

impl std::fmt::Display for RefusalKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal, always with a sentence that says what is wrong. In clear (an HTTP 4xx body) when
/// the hub could not tell who asked; sealed inside a [`SyncResponse`] when it could.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
    /// For `replayed` and `gap`: the requester's log position the hub has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u64>,
}

/// Which way a bundle goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// A node's (or a child hub's) changes for its hub.
    Up,
    /// A hub's answer for a node (or a child hub).
    Down,
}

/// The header of each message of a bundle. Up, the message is a [`SyncRequest`] with this
/// beside it; down, a [`SyncResponse`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BundleMeta {
    pub direction: Direction,
    /// The node or hub the bundle is for.
    pub to: NodeId,
    /// Up: the hub log position the node has everything up to. Down: the node's log position
    /// the hub has everything up to (the acknowledgement carried back).
    pub cursor: u64,
    /// Up, from a hub: when the nodes and hubs below it last synced. Down, for a district or
    /// province ledger: the same news of its subtree (as `SyncRequest`/`SyncResponse.seen`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_on_the_wire_stay_as_they_were() {
        let seen = Seen { node: NodeId(0xab), unit: "106".into(), kind: Role::Hub, last_sync_at: "t".into() };
        assert_eq!(
            serde_json::to_value(&seen).unwrap(),
            serde_json::json!({"node": "00000000000000ab", "unit": "106", "kind": "hub", "last_sync_at": "t"})
        );
        let r: Refusal = serde_json::from_value(serde_json::json!({"kind": "gap", "message": "m", "ack": 3})).unwrap();
        assert_eq!((r.kind, r.ack), (RefusalKind::Gap, Some(3)));
        let future: Refusal = serde_json::from_value(serde_json::json!({"kind": "new_thing", "message": "m"})).unwrap();
        assert_eq!(future.kind, RefusalKind::Other);
        let request: SyncRequest =
            serde_json::from_value(serde_json::json!({"pull_after": 4, "max_changes": 10})).unwrap();
        assert_eq!((request.pull_after, request.own_seq), (4, None));
    }
}
