//! Enrolment and sync rounds over HTTP.

use std::time::Duration;

use sobaucu_protocol::messages::{EnrollRequest, EnrollResponse, Refusal, SyncRequest, SyncResponse};
use sobaucu_protocol::{Batch, Envelope, ProtocolError, verifying_key_from_hex};

use crate::child::Child;

/// Changes in one pushed or pulled batch: small enough to cross a 2G link between two cuts.
pub const BATCH_CHANGES: usize = 1500;

/// Consecutive failed rounds a sync retries (each with a smaller batch) before giving up.
pub const MAX_RETRIES: u32 = 12;

/// The smallest batch a struggling link is offered.
const MIN_BATCH: usize = 50;

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
    #[error("{0}")]
    Local(String),
}

/// How far a sync has come.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Changes pushed and acknowledged so far in this sync.
    pub pushed: u64,
    /// Changes still to push when the sync started.
    pub to_push: u64,
    /// Changes pulled so far.
    pub pulled: u64,
    /// Bytes sent and received so far.
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub rounds: u64,
    /// Rounds retried after the link broke.
    pub retries: u64,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
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

async fn refusal(response: reqwest::Response) -> ClientError {
    let status = response.status();
    match response.json::<Refusal>().await {
        Ok(r) => ClientError::Refused(format!("{} ({})", r.message, r.kind)),
        Err(_) => ClientError::Refused(format!("HTTP {status}")),
    }
}

/// Joins the hub at `url` with a one-time `code`; the child remembers the hub and its key.
pub async fn enroll<C: Child>(child: &mut C, url: &str, code: &str, role: &str) -> Result<EnrollResponse, ClientError> {
    let url = url.trim_end_matches('/');
    let request = EnrollRequest {
        code: code.trim().to_string(),
        node_id: format!("{:016x}", child.node_id().map_err(local)?),
        unit: child.unit().map_err(local)?,
        public_key: child.keypair().map_err(local)?.public_hex(),
        role: role.to_string(),
    };
    let response =
        client().post(format!("{url}/v1/enroll")).json(&request).send().await.map_err(|e| unreachable(url, e))?;
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let answer: EnrollResponse = response.json().await.map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    verifying_key_from_hex(&answer.hub_public_key).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    child.set_parent(&answer.hub_node_id, &answer.hub_unit, &answer.hub_public_key, Some(url)).map_err(local)?;
    Ok(answer)
}

/// One round: push one batch (if any is pending), pull one batch. Returns whether the hub
/// has more for us and whether anything is left to push.
async fn round<C: Child>(
    child: &mut C,
    http: &reqwest::Client,
    url: &str,
    batch_size: usize,
    progress: &mut Progress,
) -> Result<bool, ClientError> {
    let parent = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let hub_key = verifying_key_from_hex(&parent.public_key).map_err(|e| ClientError::Local(e.to_string()))?;
    let hub_id = u64::from_str_radix(&parent.peer, 16).map_err(local)?;
    let me = child.node_id().map_err(local)?;
    let key = child.keypair().map_err(local)?;
    let after = parent.sent_idx;
    let (changes, upto) = child.pending_after(after, batch_size).map_err(local)?;
    let pushing = changes.len() as u64;
    let batch = (upto > after).then(|| Batch { sender: me, after, upto, changes }.seal(&key));
    // Who synced when travels once per sync, in its first round.
    let first = progress.rounds == 0;
    let meta = SyncRequest {
        pull_after: parent.received_idx,
        max_changes: batch_size as u32,
        seen: if first { child.presence().map_err(local)? } else { Vec::new() },
        want_seen: first && child.wants_presence(),
    };
    let body = Envelope { sender: me, meta: serde_json::to_value(&meta).expect("JSON"), batch }.seal(&key);
    progress.bytes_up += body.len() as u64;
    let response = http.post(format!("{url}/v1/sync")).body(body).send().await.map_err(|e| unreachable(url, e))?;
    if response.status() == reqwest::StatusCode::CONFLICT {
        // The hub has a different idea of what it holds (an acknowledgement was lost in a cut):
        // take its position and go on from there.
        let refusal: Refusal = response.json().await.map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        if let Some(ack) = refusal.ack {
            child.acknowledge_up(ack).map_err(local)?;
            return Ok(true);
        }
        return Err(ClientError::Refused(refusal.message));
    }
    if !response.status().is_success() {
        return Err(refusal(response).await);
    }
    let bytes = response.bytes().await.map_err(|e| unreachable(url, e))?;
    progress.bytes_down += bytes.len() as u64;
    progress.rounds += 1;
    let key_of = |sender: u64| (sender == hub_id).then_some(hub_key);
    let envelope = Envelope::open(&bytes, &key_of).map_err(|e: ProtocolError| ClientError::BadAnswer(e.to_string()))?;
    let answer: SyncResponse =
        serde_json::from_value(envelope.meta).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
    if answer.ack >= upto && upto > after {
        progress.pushed += pushing;
    }
    child.acknowledge_up(answer.ack).map_err(local)?;
    if !answer.seen.is_empty() {
        child.record_presence(&answer.seen).map_err(local)?;
    }
    if let Some(batch) = envelope.batch {
        let batch = Batch::open(&batch, &key_of).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        if batch.after != parent.received_idx {
            return Err(ClientError::BadAnswer("the hub answered for another position".into()));
        }
        progress.pulled += batch.changes.len() as u64;
        child.apply_from_parent(&batch.changes, batch.upto).map_err(local)?;
    } else if answer.pull_upto > parent.received_idx {
        child.apply_from_parent(&[], answer.pull_upto).map_err(local)?;
    }
    let left = child.pending_count().map_err(local)?;
    Ok(answer.more || left > 0)
}

/// Syncs until nothing is left to push or pull, reporting progress after every round.
///
/// A hub that refuses the connection fails the sync at once. A link that breaks mid-round is
/// retried, with half the batch each time (so a poor link still carries something between two
/// cuts) and a growing pause, up to [`MAX_RETRIES`] times in a row; then the error is returned.
/// What was acknowledged stays acknowledged: the next round or sync resumes from there.
pub async fn sync<C: Child>(
    child: &mut C,
    url_override: Option<&str>,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Progress, ClientError> {
    let parent = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let url = url_override.map(str::to_string).or(parent.url).ok_or(ClientError::NotEnrolled)?;
    let url = url.trim_end_matches('/').to_string();
    let http = client();
    let mut progress = Progress { to_push: child.pending_count().map_err(local)?, ..Progress::default() };
    on_progress(&progress);
    let mut batch_size = BATCH_CHANGES;
    let mut failures = 0;
    loop {
        let before = child.parent().map_err(local)?.map(|p| (p.sent_idx, p.received_idx));
        let again = match round(child, &http, &url, batch_size, &mut progress).await {
            Ok(again) => {
                failures = 0;
                batch_size = (batch_size * 2).min(BATCH_CHANGES);
                again
            }
            Err(ClientError::Cut { url, reason }) if failures < MAX_RETRIES => {
                failures += 1;
                progress.retries += 1;
                batch_size = (batch_size / 2).max(MIN_BATCH);
                let _ = (url, reason);
                tokio::time::sleep(Duration::from_millis(250 << failures.min(5))).await;
                on_progress(&progress);
                continue;
            }
            Err(e) => return Err(e),
        };
        on_progress(&progress);
        if !again {
            return Ok(progress);
        }
        let after = child.parent().map_err(local)?.map(|p| (p.sent_idx, p.received_idx));
        if after == before {
            return Err(ClientError::Refused("the hub accepts nothing more and sends nothing new".into()));
        }
    }
}
