//! The hub's side of the protocol, the same for HTTP and for USB bundles: a sealed message in,
//! a sealed answer out. [`Hub::sync`] authenticates a child once (its key opens the message,
//! its counter is above every one before), takes its push, and answers with what it lacks;
//! [`Hub::enroll`] binds a new node's role, unit and keys once, as its one-time code says.
//!
//! A request the hub cannot tie to an enrolled child (unknown, revoked, unopenable, replayed)
//! gets a [`Refused`] in clear, which the child acts on only by giving up; everything the
//! child acts on (acknowledgements, positions, refusals of its changes) is sealed.

use sobaucu_core::trust;
use sobaucu_core::units::UnitCode;
use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::messages::{
    EnrollRequest, EnrollResponse, Refusal, RefusalKind, RefusedChange, SyncRequest, SyncResponse,
};
use sobaucu_protocol::seal::Mode;
use sobaucu_protocol::{Batch, Cert, Limits, Message, NodeId, ProtocolError, PublicIdentity, Role, Sealed, Statement};

use crate::store::{ChildPeer, HubStore, StoreError};

/// The most changes one answer carries.
pub const MAX_PULL: u32 = 5000;
/// About the most bytes of changes one answer carries when the child names no bound.
pub const DEFAULT_PULL_BYTES: usize = 256 * 1024;

/// A refusal in clear: what the hub says to a request it could not tie to a child.
#[derive(Debug, Clone)]
pub struct Refused {
    pub body: Refusal,
}

impl Refused {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refused {
        Refused { body: Refusal { kind, message: message.into(), ack: None } }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.body.message, self.body.kind)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::new(RefusalKind::Internal, e.to_string())
    }
}

fn protocol_refusal(e: ProtocolError) -> Refused {
    let kind = match e {
        ProtocolError::BadSignature | ProtocolError::BadSeal => RefusalKind::BadSignature,
        ProtocolError::UnknownKey(_) => RefusalKind::UnknownNode,
        ProtocolError::TooLarge(_) | ProtocolError::OverLimit(_) => RefusalKind::TooLarge,
        ProtocolError::UnsupportedVersion(_) => RefusalKind::Version,
        _ => RefusalKind::Malformed,
    };
    Refused::new(kind, e.to_string())
}

/// What a sync did, for the log and the relay.
#[derive(Debug, Default, Clone)]
pub struct SyncOutcome {
    pub peer: NodeId,
    pub unit: String,
    pub pushed: usize,
    pub pulled: usize,
    pub refused: usize,
    /// Why the push was not taken, when it was not.
    pub push_refused: Option<RefusalKind>,
}

/// The hub: its store and its limits.
pub struct Hub<'a> {
    pub store: &'a mut HubStore,
    pub limits: Limits,
}

/// The child a sealed message comes from, checked: enrolled with protocol 2, not revoked.
pub fn child_of(store: &HubStore, bytes: &[u8]) -> Result<(ChildPeer, PublicIdentity), Refused> {
    let header = Sealed::peek(bytes).map_err(protocol_refusal)?;
    if header.mode != Mode::Auth {
        return Err(Refused::new(RefusalKind::Malformed, "a sync request must be sealed with the sender's key"));
    }
    let child = store.child(header.sender)?.ok_or_else(|| {
        Refused::new(RefusalKind::UnknownNode, format!("node {} is not enrolled with this hub", header.sender))
    })?;
    if child.revoked {
        return Err(Refused::new(RefusalKind::Revoked, format!("node {} was revoked by this hub", header.sender)));
    }
    let identity = child.identity.ok_or_else(|| {
        Refused::new(
            RefusalKind::Version,
            format!(
                "node {} was enrolled with protocol 1: ask this hub for a new code (`sobaucu-hub enroll-code --unit {}`) and enrol again with `sobaucu enroll --hub URL --code CODE`",
                header.sender, child.unit
            ),
        )
    })?;
    Ok((child, identity))
}

/// Opens a sealed message from a child whose keys are known (no store needed).
pub fn open_sealed(
    keys: &sobaucu_protocol::Identity,
    child: &PublicIdentity,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(u64, Message), Refused> {
    let (header, plaintext) = Sealed::open(keys, bytes, Some(child), limits.max_message).map_err(protocol_refusal)?;
    let message = Message::decode(&plaintext).map_err(protocol_refusal)?;
    Ok((header.counter, message))
}

/// A sync request's header and pushed batch.
pub fn read_request(message: &Message, limits: &Limits) -> Result<(SyncRequest, Option<Batch>), Refused> {
    let request: SyncRequest = message.header().map_err(protocol_refusal)?;
    let push = match message.parts.first() {
        Some(part) if !part.is_empty() => Some(Batch::decode(part, limits).map_err(protocol_refusal)?),
        _ => None,
    };
    Ok((request, push))
}

/// Microseconds since the Unix epoch (the counter of the hub's bundle messages).
pub fn now_micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}

impl Hub<'_> {
    /// Opens a child's sealed message and takes its counter.
    pub fn open_message(&mut self, bytes: &[u8]) -> Result<(ChildPeer, PublicIdentity, u64, Message), Refused> {
        let (child, identity) = child_of(self.store, bytes)?;
        let keys = self.store.keys()?;
        let (counter, message) = open_sealed(&keys, &identity, bytes, &self.limits)?;
        self.take_counter(&child, counter)?;
        Ok((child, identity, counter, message))
    }

    /// Takes a child's message counter: refused if not above every one taken before.
    pub fn take_counter(&mut self, child: &ChildPeer, counter: u64) -> Result<(), Refused> {
        if !self.store.take_counter(child.peer, counter)? {
            return Err(Refused::new(
                RefusalKind::Replayed,
                format!("this message from node {} was already received (or is older than one received)", child.peer),
            ));
        }
        Ok(())
    }

    /// One sync round: a sealed request in, a sealed answer out.
    pub fn sync(&mut self, bytes: &[u8]) -> Result<(Vec<u8>, SyncOutcome), Refused> {
        let (child, identity, counter, message) = self.open_message(bytes)?;
        let (request, push) = read_request(&message, &self.limits)?;
        let (answer, outcome) = self.answer(&child, &request, push.as_ref())?;
        let keys = self.store.keys()?;
        Ok((Sealed::seal_answer(&keys, &identity, counter, &answer.encode()), outcome))
    }

    /// Takes a child's push (if any) and answers with what it lacks.
    pub fn answer(
        &mut self,
        child: &ChildPeer,
        request: &SyncRequest,
        push: Option<&Batch>,
    ) -> Result<(Message, SyncOutcome), Refused> {
        let (response, parts, outcome) = self.plan(child, request, push)?;
        Ok((Message::new(&response, parts.iter().map(Batch::encode).collect()), outcome))
    }

    /// [`Hub::answer`] before its batches are encoded (the server compresses them outside the
    /// store's lock).
    pub fn plan(
        &mut self,
        child: &ChildPeer,
        request: &SyncRequest,
        push: Option<&Batch>,
    ) -> Result<(SyncResponse, Vec<Batch>, SyncOutcome), Refused> {
        let mut outcome = SyncOutcome { peer: child.peer, unit: child.unit.to_string(), ..SyncOutcome::default() };
        let mut response = SyncResponse { time_ms: trust::now_ms(), ..SyncResponse::default() };
        if !request.seen.is_empty() {
            self.store.record_seen(child, &request.seen)?;
        }
        if let Some(settings) = &request.settings {
            self.store.record_settings(child, settings)?;
        }
        let mut ack = child.received_idx;
        if let Some(batch) = push {
            if batch.after > child.received_idx {
                // A gap: the child believes the hub has more than it does (the hub was restored
                // from an older copy). The acknowledgement tells it where to send from again.
                outcome.push_refused = Some(RefusalKind::Gap);
            } else {
                match self.store.accept(child, batch, request.push_check.as_deref())? {
                    Ok(accepted) if accepted.replay => {
                        // Sent again after a lost answer: the hub has it, and had more (the
                        // child checks its entry there before it moves on).
                        outcome.push_refused = Some(RefusalKind::Replayed);
                        response.ack_check = child.received_check.clone();
                    }
                    Ok(accepted) => {
                        ack = batch.upto;
                        outcome.pushed = accepted.new;
                        outcome.refused = accepted.refused.len();
                        response.refused = accepted
                            .refused
                            .into_iter()
                            .filter(|(origin, _, _)| *origin == child.peer)
                            .map(|(_, seq, r)| RefusedChange { seq, kind: r.kind, message: r.message })
                            .collect();
                    }
                    Err(sobaucu_core::link::BatchRefused::Chain(r)) => {
                        outcome.push_refused = Some(r.kind);
                        response.refusal = Some(Refusal { kind: r.kind, message: r.message, ack: None });
                    }
                    Err(sobaucu_core::link::BatchRefused::Reused { origin, seq }) => {
                        outcome.push_refused = Some(RefusalKind::SeqReused);
                        response.refusal = Some(Refusal {
                            kind: RefusalKind::SeqReused,
                            message: format!(
                                "change {seq} of node {origin} differs from the change {seq} this hub already holds: the ledger was restored from an older copy"
                            ),
                            ack: None,
                        });
                    }
                }
            }
        }
        response.ack = ack;
        // Where to pull from: after the child's position, if the hub's entry there is the one
        // the child was told of; from the start again if not (the hub was restored from an
        // older copy, and its positions are not what the child saw).
        let pull_after = if request.pull_after == 0
            || (request.pull_check.is_some() && self.store.check_at(request.pull_after)? == request.pull_check)
        {
            request.pull_after
        } else {
            response.rewound_to = Some(0);
            0
        };
        self.store.child_has(child.peer, pull_after)?;
        let limit = request.max_changes.clamp(1, MAX_PULL) as usize;
        let max_bytes = if request.max_bytes == 0 { DEFAULT_PULL_BYTES } else { request.max_bytes as usize };
        // A certificate takes some 170 bytes: as many as the answer's size allows.
        let statement_limit = (max_bytes / 200).clamp(1, 5_000);
        let (statements, certs_upto) = self.store.statements_for(child, request.certs_after, statement_limit)?;
        let (changes, upto, more) = if statements.len() >= statement_limit {
            (Vec::new(), pull_after, true)
        } else {
            self.store.pull_for(child, pull_after, limit, max_bytes)?
        };
        outcome.pulled = changes.len();
        response.pull_upto = upto.max(pull_after);
        response.more = more;
        response.pull_check = self.store.check_at(response.pull_upto)?;
        response.certs_upto = certs_upto;
        if request.own_seq.is_some() {
            // The first round of a sync: what the hub holds of the child's own, and its clock.
            let (held_seq, held_counter) = self.store.held_of(child.peer)?;
            response.held_seq = held_seq;
            response.held_counter = held_counter;
        } else {
            response.time_ms = 0;
        }
        if request.want_seen {
            response.seen = self.store.seen_within(child)?;
        }
        let pulled = Batch { after: pull_after, upto: response.pull_upto, statements, changes };
        let mut parts = vec![pulled];
        if let Some(after) = request.own_after {
            let own = self.store.own_changes_of(child.peer, after, limit)?;
            parts.push(Batch { after, upto: after, statements: Vec::new(), changes: own });
        }
        Ok((response, parts, outcome))
    }

    /// Enrols a node or a child hub: an anonymous sealed request in, an answer sealed to the
    /// new node out (its certificate and the hub's chain up to the top hub).
    pub fn enroll(&mut self, bytes: &[u8]) -> Result<(Vec<u8>, NodeId, Role, String), Refused> {
        let bad_code = |m: String| Refused::new(RefusalKind::BadCode, m);
        let header = Sealed::peek(bytes).map_err(protocol_refusal)?;
        if header.mode != Mode::Anonymous {
            return Err(Refused::new(RefusalKind::Malformed, "an enrolment request is sealed anonymously"));
        }
        let keys = self.store.keys()?;
        let me = self.store.identity()?;
        let (_, plaintext) = Sealed::open(&keys, bytes, None, 64 * 1024).map_err(protocol_refusal)?;
        let message = Message::decode(&plaintext).map_err(protocol_refusal)?;
        let request: EnrollRequest = message.header().map_err(protocol_refusal)?;
        if request.node_id != header.sender {
            return Err(Refused::new(RefusalKind::Malformed, "the request names another node than its seal"));
        }
        let code = EnrolCode::parse(&request.code).map_err(|e| bad_code(e.to_string()))?;
        if code.hub != keys.public().fingerprint() {
            return Err(Refused::new(RefusalKind::WrongHub, "this enrolment code was issued by another hub"));
        }
        let secret_hash = code.secret_hash();
        let Some(crate::store::IssuedCode { unit, role, expires_day, used_by }) = self.store.code(&secret_hash)? else {
            return Err(bad_code("this enrolment code is not known to this hub".into()));
        };
        if used_by.is_some() {
            return Err(bad_code("this enrolment code was already used (a code enrols one node, once)".into()));
        }
        let today = (chrono::Utc::now().timestamp() / 86_400) as u32;
        if today > expires_day {
            return Err(bad_code("this enrolment code has expired: ask the hub for a new one".into()));
        }
        if unit != code.unit || role != code.role {
            return Err(bad_code("this enrolment code does not match what the hub issued".into()));
        }
        if request.unit != unit {
            return Err(bad_code(format!("this code was issued for unit {unit}, not {}", request.unit)));
        }
        if request.role != role {
            return Err(bad_code(format!("this code enrols a {}, not a {}", role.as_str(), request.role.as_str())));
        }
        let subject = PublicIdentity::from_hex(request.node_id, &request.public_key, &request.seal_key)
            .map_err(|e| Refused::new(RefusalKind::Malformed, format!("the node's keys: {e}")))?;
        let proof: [u8; 64] = sobaucu_protocol::array_from_hex(&request.proof, "the proof")
            .map_err(|e| Refused::new(RefusalKind::Malformed, e.to_string()))?;
        let proof_message =
            EnrollRequest::proof_message(&secret_hash, request.node_id, &request.public_key, &request.seal_key);
        subject
            .verify(&proof_message, &proof)
            .map_err(|_| Refused::new(RefusalKind::BadSignature, "the node does not hold the key it names"))?;
        let replacing_legacy = match self.store.knows_node(request.node_id)? {
            None => false,
            Some("legacy")
                if self.store.legacy_key(request.node_id)?.as_deref() == Some(request.public_key.as_str()) =>
            {
                true
            }
            Some(_) => {
                return Err(Refused::new(
                    RefusalKind::KnownNode,
                    format!(
                        "node {} is already known here and is not enrolled again: a new computer, or a copy of a ledger restored on another computer, enrols as a new node",
                        request.node_id
                    ),
                ));
            }
        };
        let unit_code: UnitCode = unit.parse().map_err(|_| bad_code("the code's unit is not valid".into()))?;
        let catalogue = sobaucu_core::units::Catalogue::get(me.scheme);
        if catalogue.unit(&unit_code).is_none() || !catalogue.is_within(&unit_code, &me.unit) {
            return Err(bad_code(format!("unit {unit} is not in this hub's subtree")));
        }
        let cert = Cert::issue(&keys, subject, role, &unit, chrono::Utc::now().timestamp());
        self.store.enrol_child(&secret_hash, &cert, replacing_legacy).map_err(|e| match e {
            StoreError::Other(m) => bad_code(m),
            other => other.into(),
        })?;
        let mut chain = vec![Statement::Cert(cert)];
        chain.extend(self.store.chain()?);
        let answer = EnrollResponse {
            hub_node_id: me.node_id,
            hub_unit: me.unit.to_string(),
            hub_public_key: keys.public().sign_hex(),
            hub_seal_key: keys.public().seal_hex(),
            scheme: me.scheme.as_str().to_string(),
            settings: if role == Role::Node { self.store.settings_of(&unit)? } else { None },
        };
        let batch = Batch { after: 0, upto: 0, statements: chain, changes: Vec::new() };
        let sealed =
            Sealed::seal_answer(&keys, &subject, header.counter, &Message::new(&answer, vec![batch.encode()]).encode());
        Ok((sealed, request.node_id, role, unit))
    }
}
