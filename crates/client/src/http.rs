//! Enrolment and sync rounds over HTTP, with one blocking client.
//!
//! Every round is one sealed request and one sealed answer: the child pushes a batch of what
//! the parent has not acknowledged and asks for a batch of what it lacks. Only a sealed answer
//! from the hub the enrolment code pinned moves a position; a refusal in clear only stops the
//! sync. A cut round is retried with batches half the size (so a link that carries only a few
//! kilobytes between cuts still finishes), and batches grow again after rounds that get
//! through.

use std::io::Read;
use std::time::Duration;

use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::messages::{
    EnrollRequest, EnrollResponse, Health, Refusal, RefusalKind, SyncRequest, SyncResponse,
};
use sobaucu_protocol::{Batch, Limits, Message, PublicIdentity, Role, Sealed, Statement};

use crate::child::Child;

/// At most this many changes in one pushed or pulled batch.
pub const BATCH_CHANGES: usize = 1500;

/// The bytes of changes (before compression) a round carries each way: at most, at first, and
/// the least it shrinks to after cuts (small enough for a link that carries 4 KB between two
/// cuts). A round that takes less than half of [`ROUND_TARGET`] doubles the next; one that
/// takes more than twice as long halves it; a cut halves it. On a good link batches reach
/// their largest in a few rounds; on 2G they settle where a round takes a second or two, so a
/// cut loses little and the link is seldom idle.
pub const BATCH_BYTES: usize = 1024 * 1024;
pub const FIRST_BATCH_BYTES: usize = 128 * 1024;
pub const MIN_BATCH_BYTES: usize = 600;
pub const ROUND_TARGET: Duration = Duration::from_millis(6000);

/// Consecutive failed rounds a sync retries (each with a smaller batch) before giving up.
pub const MAX_RETRIES: u32 = 16;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the hub at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the link to the hub at {url} broke: {reason}")]
    Cut { url: String, reason: String },
    #[error("the hub refused: {0}")]
    Refused(String),
    #[error("the hub's answer is not valid: {0}")]
    BadAnswer(String),
    #[error("this ledger is not enrolled with a hub: run `sobaucu enroll --hub URL --code CODE` first")]
    NotEnrolled,
    #[error(
        "this ledger was enrolled with an older version of the sync (protocol 1): ask the hub for a new code and run `sobaucu enroll --hub URL --code CODE` again; every record stays"
    )]
    Legacy,
    #[error("{pending} changes are still to send: {reason}")]
    Pending { pending: u64, reason: String },
    #[error("{0}")]
    Local(String),
}

/// How far a sync has come.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Changes the hub has acknowledged so far in this sync (those acknowledged as already
    /// received after a lost answer count too).
    pub pushed: u64,
    /// Changes to push when the sync started.
    pub to_push: u64,
    /// Changes pulled so far.
    pub pulled: u64,
    /// Changes of this node the hub refused (listed by `sobaucu refused`).
    pub refused: u64,
    /// Bytes sent and received so far (request and answer bodies).
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub rounds: u64,
    /// Rounds retried after the link broke.
    pub retries: u64,
    /// How far the hub's clock is ahead of this computer's, in seconds, when it is far off.
    pub clock_off_seconds: Option<i64>,
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(180))
        .build()
        .expect("an HTTP client")
}

fn local<E: std::fmt::Display>(e: E) -> ClientError {
    ClientError::Local(e.to_string())
}

fn unreachable(url: &str, e: reqwest::Error) -> ClientError {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    if e.is_connect() {
        ClientError::Unreachable { url: url.to_string(), reason }
    } else {
        ClientError::Cut { url: url.to_string(), reason }
    }
}

/// Reads a body of at most `max` bytes (a hub cannot make the child allocate more).
fn read_body(url: &str, response: reqwest::blocking::Response, max: usize) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    response
        .take(max as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ClientError::Cut { url: url.to_string(), reason: e.to_string() })?;
    if body.len() > max {
        return Err(ClientError::BadAnswer(format!("the answer is larger than {max} bytes")));
    }
    Ok(body)
}

fn refusal(url: &str, response: reqwest::blocking::Response) -> ClientError {
    let status = response.status();
    match read_body(url, response, 64 * 1024) {
        Ok(body) => match serde_json::from_slice::<Refusal>(&body) {
            Ok(r) => ClientError::Refused(format!("{} ({})", r.message, r.kind)),
            Err(_) => ClientError::Refused(format!("HTTP {status}")),
        },
        Err(e) => e,
    }
}

fn now_micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}

/// Who the hub at `url` is, as it says in clear (checked against an enrolment code).
pub fn health(url: &str) -> Result<Health, ClientError> {
    let url = url.trim_end_matches('/');
    let response = client().get(format!("{url}/v1/health")).send().map_err(|e| unreachable(url, e))?;
    if !response.status().is_success() {
        return Err(refusal(url, response));
    }
    let body = read_body(url, response, 64 * 1024)?;
    serde_json::from_slice(&body).map_err(|e| ClientError::BadAnswer(format!("health: {e}")))
}

/// Joins the hub at `url` with a one-time `code`. The code pins the hub's keys: a hub whose
/// keys do not match is refused before anything is sent to it. The child remembers the hub,
/// its own certificate and the hub's chain of certificates.
pub fn enroll<C: Child>(child: &mut C, url: &str, code_text: &str, role: Role) -> Result<EnrollResponse, ClientError> {
    child.may_sync().map_err(local)?;
    let url = url.trim_end_matches('/');
    let code = EnrolCode::parse(code_text).map_err(|e| ClientError::Refused(e.to_string()))?;
    if code.role != role {
        return Err(ClientError::Refused(match code.role {
            Role::Hub => "this code enrols a hub: use it with `sobaucu-hub init --parent URL --code CODE`".into(),
            Role::Node => {
                "this code enrols a ledger, not a hub: ask the parent hub for a code with `--role hub`".into()
            }
        }));
    }
    let unit = child.unit().map_err(local)?;
    if code.unit != unit {
        return Err(ClientError::Refused(format!(
            "this code is for unit {}, and this ledger is for unit {unit}",
            code.unit
        )));
    }
    let today = (chrono::Utc::now().timestamp() / 86_400) as u32;
    if today > code.expires_day {
        return Err(ClientError::Refused("this enrolment code has expired: ask the hub for a new one".into()));
    }
    let health = health(url)?;
    let hub = PublicIdentity::from_hex(health.node_id, &health.sign_key, &health.seal_key)
        .map_err(|_| ClientError::Refused(format!("the hub at {url} does not speak this version of the sync")))?;
    if hub.fingerprint() != code.hub {
        return Err(ClientError::Refused(format!(
            "the server at {url} is not the hub that issued this code (its keys do not match the code): nothing was sent to it"
        )));
    }
    let me = child.identity().map_err(local)?;
    let public = *me.public();
    let request = EnrollRequest::signed(&me, &code, code_text, &unit, role);
    let counter = now_micros();
    let body = Sealed::seal_anonymous(public.node, &hub, counter, &Message::new(&request, Vec::new()).encode());
    let response = client().post(format!("{url}/v1/enroll")).body(body).send().map_err(|e| unreachable(url, e))?;
    if !response.status().is_success() {
        return Err(refusal(url, response));
    }
    let bytes = read_body(url, response, 1 << 20)?;
    let plain = Sealed::open_answer(&me, &bytes, &hub, counter, 1 << 20).map_err(|e| {
        ClientError::BadAnswer(format!("{e} (not the answer of the hub the code names to this request)"))
    })?;
    let message = Message::decode(&plain).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    let answer: EnrollResponse = message.header().map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    let chain = message
        .parts
        .first()
        .map(|p| Batch::decode(p, &Limits::default()))
        .transpose()
        .map_err(|e| ClientError::BadAnswer(e.to_string()))?
        .map(|b| b.statements)
        .unwrap_or_default();
    check_chain(&chain, &public, &hub, &unit, role)?;
    child.set_parent(&hub, &answer.hub_unit, Some(url), &chain).map_err(local)?;
    Ok(answer)
}

/// Checks the certificates an enrolment answer carries: the child's own, issued by the hub
/// for the unit and role asked, then the hub's, each signed by the next, up to a top hub that
/// signed its own.
fn check_chain(
    chain: &[Statement],
    me: &PublicIdentity,
    hub: &PublicIdentity,
    unit: &str,
    role: Role,
) -> Result<(), ClientError> {
    let bad = |m: &str| ClientError::BadAnswer(format!("the hub's certificates: {m}"));
    let certs: Vec<&sobaucu_protocol::Cert> = chain
        .iter()
        .map(|s| match s {
            Statement::Cert(c) => Ok(c),
            Statement::Revocation(_) => Err(bad("a revocation among them")),
        })
        .collect::<Result<_, _>>()?;
    let (mine, rest) = certs.split_first().ok_or_else(|| bad("none"))?;
    if mine.subject != *me || mine.unit != unit || mine.role != role || mine.issuer != hub.node {
        return Err(bad("this node's certificate is not what was asked"));
    }
    mine.verify(hub).map_err(|_| bad("this node's certificate is not signed by the hub"))?;
    let (hubs, _) = rest.split_first().ok_or_else(|| bad("the hub's own is missing"))?;
    if hubs.subject != *hub {
        return Err(bad("the hub's certificate names other keys"));
    }
    for pair in rest.windows(2) {
        if pair[0].issuer != pair[1].subject.node {
            return Err(bad("they do not chain"));
        }
        pair[0].verify(&pair[1].subject).map_err(|_| bad("one is not signed by the next"))?;
    }
    let top = rest.last().expect("the hub's own is there");
    if !top.is_self_signed() || top.verify(&top.subject).is_err() {
        return Err(bad("they do not end at a top hub"));
    }
    Ok(())
}

/// What a round found.
struct Round {
    again: bool,
    moved: bool,
    /// The hub holds more of this node's own changes than this file does (it was restored
    /// from an older copy): the highest sequence number and record counter the hub holds.
    recover: Option<(u64, u64)>,
    /// The node's own changes the hub sent back (a recovery round).
    recovered: usize,
}

/// The sync's state between rounds.
struct State {
    url: String,
    http: reqwest::blocking::Client,
    hub: PublicIdentity,
    batch_bytes: usize,
    limits: Limits,
    started_pending: u64,
    /// The one change the last round pushed alone, named for the error if it cannot pass.
    last_single: Option<String>,
}

/// One round: push one batch (if any is pending), pull one batch; with `own_after`, take back
/// this node's own changes after that number instead of pushing (a recovery round).
fn round<C: Child>(
    child: &mut C,
    s: &mut State,
    progress: &mut Progress,
    own_after: Option<u64>,
) -> Result<Round, ClientError> {
    let link = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let before = (link.sent_idx, link.received_idx, link.certs_idx);
    let me = child.identity().map_err(local)?;
    // Election day's changes go ahead with the first round's batch (a cut run starts again
    // with them); later rounds follow the log.
    let from = sobaucu_core::link::PushFrom {
        after: link.sent_idx,
        certs_after: link.certs_sent,
        ahead: progress.rounds == 0,
    };
    let (batch, certs_upto) = if own_after.is_some() {
        (Batch { after: link.sent_idx, upto: link.sent_idx, ..Batch::default() }, link.certs_sent)
    } else {
        child.push_batch(from, BATCH_CHANGES, s.batch_bytes).map_err(local)?
    };
    let pushing = batch.upto > batch.after || !batch.statements.is_empty();
    s.last_single = match batch.changes.as_slice() {
        [one] => Some(format!(
            "change {} (record {}, a {}) of about {} bytes",
            one.seq,
            one.record_id(),
            one.kind,
            sobaucu_core::log::entry_size(one)
        )),
        _ => None,
    };
    let first = progress.rounds == 0;
    let own_seq = child.own_seq().map_err(local)?;
    let request = SyncRequest {
        pull_after: link.received_idx,
        max_changes: BATCH_CHANGES as u32,
        max_bytes: s.batch_bytes as u32,
        seen: if first { child.presence().map_err(local)? } else { Vec::new() },
        want_seen: first && child.wants_presence(),
        pull_check: link.received_check.clone(),
        push_check: if pushing { child.check_at(batch.upto).map_err(local)? } else { None },
        own_seq: first.then_some(own_seq),
        own_after,
        certs_after: link.certs_idx,
        settings: if first { child.settings_to_send().map_err(local)? } else { None },
    };
    let sent_settings = request.settings.is_some();
    let parts = if pushing { vec![batch.encode()] } else { Vec::new() };
    let counter = child.next_counter().map_err(local)?;
    let body = Sealed::seal(&me, &s.hub, counter, &Message::new(&request, parts).encode());
    progress.bytes_up += body.len() as u64;
    let url = &s.url;
    let response = s.http.post(format!("{url}/v1/sync")).body(body).send().map_err(|e| unreachable(url, e))?;
    if !response.status().is_success() {
        return Err(refusal(url, response));
    }
    let bytes = read_body(url, response, s.limits.max_message)?;
    progress.bytes_down += bytes.len() as u64;
    progress.rounds += 1;
    let plain = Sealed::open_answer(&me, &bytes, &s.hub, counter, s.limits.max_message)
        .map_err(|e| ClientError::BadAnswer(format!("{e} (not the enrolled hub's answer to this request)")))?;
    let message = Message::decode(&plain).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    let answer: SyncResponse = message.header().map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    let off = answer.time_ms as i64 - sobaucu_core::trust::now_ms() as i64;
    if first {
        child.stay_above(answer.held_seq, answer.held_counter).map_err(local)?;
    }
    if sent_settings && answer.refusal.is_none() {
        child.settings_sent().map_err(local)?;
    }
    if answer.time_ms > 0 && off.unsigned_abs() > sobaucu_core::trust::max_skew_ms() / 4 {
        progress.clock_off_seconds = Some(off / 1000);
    }
    if let Some(r) = &answer.refusal {
        if r.kind == RefusalKind::SeqReused && own_after.is_none() {
            return Ok(Round {
                again: true,
                moved: true,
                recover: Some((answer.held_seq, answer.held_counter)),
                recovered: 0,
            });
        }
        return Err(ClientError::Refused(format!("{} ({})", r.message, r.kind)));
    }
    let acked_all = answer.ack >= batch.upto;
    let pushed = pushing.then_some((batch.after, batch.upto));
    child.take_ack(answer.ack, answer.ack_check.as_deref(), pushed, acked_all.then_some(certs_upto)).map_err(local)?;
    if !answer.refused.is_empty() {
        progress.refused += answer.refused.len() as u64;
        child.record_refused(&answer.refused).map_err(local)?;
    }
    if !answer.seen.is_empty() {
        child.record_presence(&answer.seen).map_err(local)?;
    }
    let expected_after = answer.rewound_to.unwrap_or(link.received_idx);
    if let Some(to) = answer.rewound_to {
        child.rewind_pull(to).map_err(local)?;
    }
    let pulled = match message.parts.first() {
        Some(part) => Batch::decode(part, &s.limits).map_err(|e| ClientError::BadAnswer(e.to_string()))?,
        None => return Err(ClientError::BadAnswer("the answer carries no batch".into())),
    };
    if pulled.after != expected_after || pulled.upto != answer.pull_upto {
        return Err(ClientError::BadAnswer("the hub answered for another position".into()));
    }
    progress.pulled += pulled.changes.len() as u64;
    child.apply_from_parent(&pulled, answer.pull_check.as_deref(), answer.certs_upto).map_err(local)?;
    let mut recovered = 0;
    if own_after.is_some()
        && let Some(part) = message.parts.get(1)
    {
        let own = Batch::decode(part, &s.limits).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        recovered = own.changes.len();
        child.apply_recovered(&own).map_err(local)?;
    }
    let left = child.pending_count().map_err(local)?;
    progress.pushed = s.started_pending.saturating_sub(left);
    let after = child.parent().map_err(local)?.map(|p| (p.sent_idx, p.received_idx, p.certs_idx));
    let restored = first && answer.held_seq > own_seq;
    tracing::debug!(
        round = progress.rounds, hub = %s.hub.node, pushed = batch.changes.len(), ack = answer.ack,
        pulled = pulled.changes.len(), refused = answer.refused.len(), left, up = progress.bytes_up,
        down = progress.bytes_down, "sync round"
    );
    Ok(Round {
        again: answer.more || left > 0 || restored,
        moved: after != Some(before) || !pulled.changes.is_empty() || recovered > 0,
        recover: restored.then_some((answer.held_seq, answer.held_counter)),
        recovered,
    })
}

/// Takes back what the hub holds of this node's own changes (a file restored from an older
/// copy), then writes the node's newer changes again above them.
fn recover<C: Child>(
    child: &mut C,
    s: &mut State,
    progress: &mut Progress,
    held: (u64, u64),
) -> Result<(), ClientError> {
    let parked = child.park_unacked().map_err(local)?;
    tracing::warn!(held_seq = held.0, parked, "the hub holds changes of this ledger that it lacks: taking them back");
    let mut failures = 0;
    loop {
        let own_after = child.own_seq().map_err(local)?;
        match round(child, s, progress, Some(own_after)) {
            Ok(r) if r.recovered == 0 => break,
            Ok(_) => failures = 0,
            Err(ClientError::Cut { .. }) if failures < MAX_RETRIES => {
                failures += 1;
                std::thread::sleep(Duration::from_millis(100 << failures.min(6)));
            }
            Err(e) => return Err(e),
        }
    }
    child.unpark(held.0, held.1).map_err(local)?;
    s.started_pending = s.started_pending.max(child.pending_count().map_err(local)?);
    progress.to_push = s.started_pending;
    Ok(())
}

/// Syncs until nothing is left to push or pull, reporting progress after every round.
///
/// A hub that refuses the connection fails the sync at once. A link that breaks mid-round is
/// retried with half the batch each time and a growing pause, up to [`MAX_RETRIES`] times in
/// a row; then the error is returned, saying how many changes are still to send. What was
/// acknowledged stays acknowledged: the next round or sync resumes from there.
pub fn sync<C: Child>(
    child: &mut C,
    url_override: Option<&str>,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Progress, ClientError> {
    child.may_sync().map_err(local)?;
    let link = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let hub = link.identity.ok_or(ClientError::Legacy)?;
    let url = url_override.map(str::to_string).or(link.url).ok_or(ClientError::NotEnrolled)?;
    child.prepare().map_err(local)?;
    let started_pending = child.pending_count().map_err(local)?;
    let mut s = State {
        url: url.trim_end_matches('/').to_string(),
        http: client(),
        hub,
        batch_bytes: FIRST_BATCH_BYTES,
        limits: Limits::default(),
        started_pending,
        last_single: None,
    };
    let mut progress = Progress { to_push: started_pending, ..Progress::default() };
    on_progress(&progress);
    let mut failures = 0;
    let mut still = 0;
    loop {
        let started = std::time::Instant::now();
        match round(child, &mut s, &mut progress, None) {
            Ok(Round { recover: Some(held), .. }) => {
                recover(child, &mut s, &mut progress, held)?;
                on_progress(&progress);
            }
            Ok(r) => {
                failures = 0;
                let took = started.elapsed();
                if took < ROUND_TARGET / 2 {
                    s.batch_bytes = (s.batch_bytes * 2).min(BATCH_BYTES);
                } else if took > ROUND_TARGET * 2 {
                    s.batch_bytes = (s.batch_bytes / 2).max(MIN_BATCH_BYTES);
                }
                on_progress(&progress);
                if !r.again {
                    return Ok(progress);
                }
                still = if r.moved { 0 } else { still + 1 };
                if still >= 3 {
                    let pending = child.pending_count().map_err(local)?;
                    return Err(ClientError::Pending {
                        pending,
                        reason: "the hub takes nothing more and sends nothing new".into(),
                    });
                }
            }
            Err(ClientError::Cut { url, reason }) => {
                failures += 1;
                progress.retries += 1;
                s.batch_bytes = (s.batch_bytes / 2).max(MIN_BATCH_BYTES);
                tracing::info!(%url, failures, batch_bytes = s.batch_bytes, "the link broke; trying again with a smaller batch");
                if failures > MAX_RETRIES {
                    let pending = child.pending_count().map_err(local)?;
                    let too_large = match (&s.last_single, s.batch_bytes == MIN_BATCH_BYTES) {
                        (Some(change), true) => format!(
                            "; {change} is more than this link carries between two cuts: send it on a USB stick (`sobaucu bundle export`)"
                        ),
                        _ => String::new(),
                    };
                    return Err(ClientError::Pending {
                        pending,
                        reason: format!("the link to {url} broke {MAX_RETRIES} times in a row ({reason}){too_large}"),
                    });
                }
                // The link is likely back at once (2G drops and returns): try again soon.
                std::thread::sleep(Duration::from_millis((100 * failures as u64).min(2000)));
                on_progress(&progress);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Why a sync stopped, as a refusal kind when the hub said so.
pub fn refusal_kind(e: &ClientError) -> Option<RefusalKind> {
    match e {
        ClientError::Refused(m) => m
            .rsplit_once('(')
            .and_then(|(_, k)| serde_json::from_value(serde_json::Value::String(k.trim_end_matches(')').into())).ok()),
        _ => None,
    }
}
