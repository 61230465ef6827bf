//! The hub's HTTP face (axum): `GET /v1/health`, `POST /v1/enroll`, `POST /v1/sync`. Each
//! handler checks who is asking and hands the work to the store; a refusal is a 4xx with a
//! [`Refusal`] body that says what is wrong, and nothing is applied.

// Work on the store answers its errors as ready HTTP responses (axum's `Response`, 128 bytes):
// the handlers return them as they are, once per request, so their size costs nothing.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sobaucu_client::Child;
use sobaucu_protocol::messages::{EnrollRequest, Refusal, SyncRequest, SyncResponse};
use sobaucu_protocol::{Batch, Envelope, MAX_FRAME_BYTES, ProtocolError, verifying_key_from_hex};
use tokio::sync::Notify;

use crate::store::{HubStore, Refused, SqliteHubStore, StoreError};

/// The most changes one answer carries.
pub const MAX_PULL: u32 = 5000;

pub struct AppState {
    pub store: Mutex<SqliteHubStore>,
    /// Woken when children pushed something, so the relay to the parent runs soon.
    pub relay: Arc<Notify>,
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .layer(DefaultBodyLimit::max(MAX_FRAME_BYTES))
        .with_state(state)
}

fn refusal(r: Refused) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(r.body)).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    let body = Refusal { kind: "internal".into(), message: e.to_string(), ack: None };
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}

fn store_error(e: StoreError) -> Response {
    match e {
        StoreError::Refused(r) => refusal(r),
        other => internal(other),
    }
}

/// Runs store work off the async threads.
async fn with_store<T: Send + 'static>(
    state: Arc<AppState>,
    work: impl FnOnce(&mut SqliteHubStore) -> Result<T, Response> + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(move || {
        let mut store = state.store.lock().unwrap_or_else(|p| p.into_inner());
        work(&mut store)
    })
    .await
    .map_err(internal)?
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let result = with_store(state, |store| {
        let me = store.identity().map_err(store_error)?;
        let head = store.log_head().map_err(store_error)?;
        Ok(serde_json::json!({
            "node_id": format!("{:016x}", me.node_id), "unit": me.unit, "scheme": me.scheme.as_str(), "log_head": head,
        }))
    })
    .await;
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(r) => r,
    }
}

async fn enroll(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let request: EnrollRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return refusal(Refused::new(400, "malformed", format!("enrolment request: {e}"))),
    };
    match with_store(state, move |store| store.enroll(&request).map_err(store_error)).await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(r) => r,
    }
}

fn protocol_refusal(e: ProtocolError) -> Refused {
    match e {
        ProtocolError::BadSignature => Refused::new(401, "bad_signature", e.to_string()),
        ProtocolError::UnknownKey(_) => Refused::new(401, "unknown_node", e.to_string()),
        ProtocolError::TooLarge(_) => Refused::new(413, "too_large", e.to_string()),
        ProtocolError::UnsupportedVersion(_) => Refused::new(400, "version", e.to_string()),
        _ => Refused::new(400, "malformed", e.to_string()),
    }
}

/// Checks a sync request, applies its push, and answers with what the child lacks.
pub fn handle_sync(store: &mut SqliteHubStore, body: &[u8]) -> Result<(Vec<u8>, bool), Refused> {
    let sender =
        Envelope::peek_sender(body).ok_or_else(|| Refused::new(400, "malformed", "not a sobaucu sync request"))?;
    let child = store.child(sender).map_err(|e| Refused::new(500, "internal", e.to_string()))?.ok_or_else(|| {
        Refused::new(401, "unknown_node", format!("node {sender:016x} is not enrolled with this hub"))
    })?;
    if child.revoked {
        return Err(Refused::new(403, "revoked", format!("node {sender:016x} was revoked by this hub")));
    }
    let key = verifying_key_from_hex(&child.public_key).map_err(|e| Refused::new(500, "internal", e.to_string()))?;
    let key_of = |s: u64| (s == sender).then_some(key);
    let envelope = Envelope::open(body, &key_of).map_err(protocol_refusal)?;
    let request: SyncRequest = serde_json::from_value(envelope.meta)
        .map_err(|e| Refused::new(400, "malformed", format!("sync request header: {e}")))?;
    let fail = |e: StoreError| Refused::new(500, "internal", e.to_string());
    if !request.seen.is_empty() {
        store.record_seen(&child, &request.seen).map_err(fail)?;
    }
    let mut ack = child.received_idx;
    let mut pushed = false;
    if let Some(sealed) = envelope.batch {
        let batch = Batch::open(&sealed, &key_of).map_err(protocol_refusal)?;
        ack = store.accept(&child, &batch).map_err(|e| match e {
            StoreError::Refused(r) => r,
            other => Refused::new(500, "internal", other.to_string()),
        })?;
        pushed = !batch.changes.is_empty();
    }
    store.child_has(&child, request.pull_after).map_err(fail)?;
    let limit = request.max_changes.clamp(1, MAX_PULL) as usize;
    let (changes, upto, more) = store.pull_for(&child, request.pull_after, limit).map_err(fail)?;
    let me = store.identity().map_err(fail)?;
    let hub_key = store.keypair().map_err(fail)?;
    let batch = (upto > request.pull_after)
        .then(|| Batch { sender: me.node_id, after: request.pull_after, upto, changes }.seal(&hub_key));
    let seen = if request.want_seen { store.seen_within(&child).map_err(fail)? } else { Vec::new() };
    let meta = SyncResponse { ack, pull_upto: upto.max(request.pull_after), more, seen };
    let answer = Envelope { sender: me.node_id, meta: serde_json::to_value(meta).expect("JSON"), batch }.seal(&hub_key);
    Ok((answer, pushed))
}

async fn sync(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let relay = state.relay.clone();
    match with_store(state, move |store| handle_sync(store, &body).map_err(refusal)).await {
        Ok((answer, pushed)) => {
            if pushed {
                relay.notify_one();
            }
            // No content type: on a 2G link every header byte counts, and the body is ours.
            answer.into_response()
        }
        Err(r) => r,
    }
}
