//! The hub's HTTP face (axum on hyper): `GET /v1/health`, `POST /v1/enroll`, `POST /v1/sync`.
//! The handlers only move bytes and choose HTTP statuses; the protocol's steps are
//! [`crate::service`]. Opening, decoding, compressing and sealing run beside the store's work;
//! the store's work takes a connection of the pool ([`crate::pool`]), many children at once.
//!
//! Every limit is in [`Config`] and settable from the command line: connections at once,
//! time to send the headers, time to send the body, time for a whole request, the size of a
//! body, enrolment attempts per address and requests per node in a window. The defaults fit
//! a province hub of a thousand communes on 2G.

// Work on the store answers its errors as ready HTTP responses (axum's `Response`, 128 bytes):
// the handlers return them as they are, once per request, so their size costs nothing.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sobaucu_protocol::messages::{Health, Refusal, RefusalKind};
use sobaucu_protocol::{Batch, Identity, Limits, MAX_FRAME_BYTES, Message, PROTOCOL_VERSION, Sealed};
use tower::ServiceExt;

use crate::service::{Hub, Refused, SyncOutcome, child_of, open_sealed, read_request};
use crate::store::HubStore;

/// The server's limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// Connections served at once; more wait in the kernel's queue.
    pub max_connections: usize,
    /// Time a client has to send a request's headers (also how long an idle kept-alive
    /// connection stays open).
    pub header_timeout: Duration,
    /// Time a client has to send a request's body (a 2G link sends 256 KB in about 40 s).
    pub body_timeout: Duration,
    /// Time for a whole request, answer included.
    pub request_timeout: Duration,
    /// The largest body.
    pub max_body: usize,
    /// Refused enrolment attempts one address may make per window.
    pub enrol_attempts: u32,
    /// Sync requests one node may make per window.
    pub requests_per_node: u32,
    pub window: Duration,
    /// What the decoders accept.
    pub limits: Limits,
    /// Connections to the store the handlers share (SQLite: readers beside one writer;
    /// PostgreSQL: server processes).
    pub store_connections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connections: 1024,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(180),
            request_timeout: Duration::from_secs(300),
            max_body: MAX_FRAME_BYTES,
            enrol_attempts: 20,
            requests_per_node: 600,
            window: Duration::from_secs(600),
            limits: Limits::default(),
            store_connections: 8,
        }
    }
}

/// What the handlers share.
pub struct AppState {
    /// The connections to the store ([`crate::pool`]).
    pub store: crate::pool::StorePool,
    /// The hub's keys, read once.
    pub keys: Identity,
    /// Woken when children pushed something, so the relay to the parent runs soon.
    pub relay: Option<sobaucu_client::scheduler::Scheduler>,
    pub config: Config,
    rates: Mutex<HashMap<String, (Instant, u32)>>,
    next_request: AtomicU64,
    /// The figures `/metrics` serves ([`crate::metrics`]).
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn new(
        store: HubStore,
        relay: Option<sobaucu_client::scheduler::Scheduler>,
        config: Config,
    ) -> anyhow::Result<AppState> {
        let keys = store.keys()?;
        Ok(AppState {
            store: crate::pool::StorePool::new(store, config.store_connections),
            keys,
            relay,
            config,
            rates: Mutex::new(HashMap::new()),
            next_request: AtomicU64::new(1),
            metrics: crate::metrics::Metrics::default(),
        })
    }

    /// Whether `key` has some of the window's allowance left; with `count`, spends one.
    fn allow(&self, key: String, allowance: u32, count: bool) -> bool {
        let mut rates = self.rates.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if rates.len() > 100_000 {
            let window = self.config.window;
            rates.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = rates.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.config.window {
            *entry = (now, 0);
        }
        if count {
            entry.1 += 1;
        }
        entry.1 <= allowance
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    let config = state.config.clone();
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll))
        .route("/v1/sync", post(sync))
        .layer(DefaultBodyLimit::max(config.max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(config.body_timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout))
        .with_state(state)
}

/// The HTTP status of a refusal: chosen here and nowhere else.
pub fn status_of(kind: RefusalKind) -> StatusCode {
    use RefusalKind as K;
    match kind {
        K::BadSignature | K::UnknownNode => StatusCode::UNAUTHORIZED,
        K::Revoked
        | K::ForeignUnit
        | K::ForeignOrigin
        | K::ForeignRecord
        | K::ForeignKind
        | K::BadCode
        | K::KnownNode
        | K::WrongHub => StatusCode::FORBIDDEN,
        K::Replayed | K::Gap | K::SeqReused => StatusCode::CONFLICT,
        K::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        K::Busy | K::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        K::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        K::Version | K::Malformed | K::BadValue | K::ClockAhead | K::BadChain | K::UnknownOrigin | K::Other => {
            StatusCode::BAD_REQUEST
        }
    }
}

fn refusal(r: Refused) -> Response {
    (status_of(r.body.kind), axum::Json(r.body)).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    refusal(Refused { body: Refusal { kind: RefusalKind::Internal, message: e.to_string(), ack: None } })
}

/// Runs blocking work (the store, or a CPU-heavy step) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Refused> + Send + 'static,
) -> Result<T, Response> {
    tokio::task::spawn_blocking(work).await.map_err(internal)?.map_err(refusal)
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let result = blocking(move || {
        let store = state.store.lock();
        let me = store.identity()?;
        Ok(Health {
            node_id: me.node_id,
            unit: me.unit.to_string(),
            scheme: me.scheme.as_str().to_string(),
            log_head: store.log_head()?,
            protocol: PROTOCOL_VERSION,
            sign_key: state.keys.public().sign_hex(),
            seal_key: state.keys.public().seal_hex(),
        })
    })
    .await;
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(r) => r,
    }
}

async fn enroll(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Response {
    let id = state.next_request.fetch_add(1, Ordering::Relaxed);
    // Refused attempts count (someone guessing codes), enrolments do not: a district office
    // enrols its forty communes from one address in an afternoon.
    let key = format!("enrol:{}", ip_key(peer.ip()));
    if !state.allow(key.clone(), state.config.enrol_attempts, false) {
        tracing::warn!(request = id, peer = %peer.ip(), "enrolment refused: too many attempts");
        return refusal(Refused::new(
            RefusalKind::TooManyRequests,
            "too many enrolment attempts from this address: wait a few minutes",
        ));
    }
    let work = state.clone();
    let result = blocking(move || {
        let mut store = work.store.lock();
        Hub { store: &mut store, limits: work.config.limits }.enroll(&body)
    })
    .await;
    match result {
        Ok((answer, node, role, unit)) => {
            crate::metrics::Metrics::add(&state.metrics.enrolments, 1);
            tracing::info!(request = id, peer = %peer.ip(), node = %node, role = role.as_str(), unit = %unit, "enrolled");
            answer.into_response()
        }
        Err(r) => {
            crate::metrics::Metrics::add(&state.metrics.enrolments_refused, 1);
            state.allow(key, state.config.enrol_attempts, true);
            tracing::warn!(request = id, peer = %peer.ip(), status = r.status().as_u16(), "enrolment refused");
            r
        }
    }
}

/// A per-network key for rate limits: the address, or its /64 for IPv6.
fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

async fn sync(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, body: Bytes) -> Response {
    let id = state.next_request.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let bytes_in = body.len() as u64;
    let result = sync_steps(state.clone(), body, id).await;
    let m = &state.metrics;
    m.observe_sync(started.elapsed());
    crate::metrics::Metrics::add(&m.bytes_in, bytes_in);
    match result {
        Ok((answer, outcome)) => {
            crate::metrics::Metrics::add(&m.syncs, 1);
            crate::metrics::Metrics::add(&m.bytes_out, answer.len() as u64);
            crate::metrics::Metrics::add(&m.changes_pushed, outcome.pushed as u64);
            crate::metrics::Metrics::add(&m.changes_pulled, outcome.pulled as u64);
            crate::metrics::Metrics::add(&m.changes_refused, outcome.refused as u64);
            tracing::info!(
                request = id, peer = %peer.ip(), node = %outcome.peer, unit = %outcome.unit,
                pushed = outcome.pushed, pulled = outcome.pulled, refused = outcome.refused,
                push_refused = outcome.push_refused.map(|k| k.as_str()), "sync"
            );
            if outcome.pushed > 0
                && let Some(relay) = &state.relay
            {
                relay.changed();
            }
            // No content type: on a 2G link every header byte counts, and the body is ours.
            answer.into_response()
        }
        Err(r) => {
            crate::metrics::Metrics::add(&m.syncs_refused, 1);
            tracing::warn!(request = id, peer = %peer.ip(), status = r.status().as_u16(), "sync refused");
            r
        }
    }
}

async fn sync_steps(state: Arc<AppState>, body: Bytes, id: u64) -> Result<(Vec<u8>, SyncOutcome), Response> {
    let header = Sealed::peek(&body).map_err(|e| refusal(Refused::new(RefusalKind::Malformed, e.to_string())))?;
    if !state.allow(format!("sync:{}", header.sender), state.config.requests_per_node, true) {
        return Err(refusal(Refused::new(
            RefusalKind::TooManyRequests,
            format!("node {} sent too many requests: wait a few minutes", header.sender),
        )));
    }
    // Who it is, under the lock; opening and decoding, outside it.
    let s = state.clone();
    let peeked = body.clone();
    let (child, identity) = blocking(move || {
        let store = s.store.lock();
        child_of(&store, &peeked)
    })
    .await?;
    let s = state.clone();
    let opened_identity = identity;
    let (counter, request, push) = blocking(move || {
        let (counter, message) = open_sealed(&s.keys, &opened_identity, &body, &s.config.limits)?;
        let (request, push) = read_request(&message, &s.config.limits)?;
        Ok((counter, request, push))
    })
    .await?;
    tracing::debug!(request = id, node = %child.peer, "opened");
    let s = state.clone();
    let (response, parts, outcome) = blocking(move || {
        let _in_order = s.store.peer_lock(child.peer);
        let mut store = s.store.lock();
        let mut hub = Hub { store: &mut store, limits: s.config.limits };
        hub.take_counter(&child, counter)?;
        // The child as it is now (its positions moved with the counter's transaction).
        let child = hub.store.child(child.peer)?.ok_or_else(|| Refused::new(RefusalKind::UnknownNode, "vanished"))?;
        hub.plan(&child, &request, push.as_ref())
    })
    .await?;
    let s = state.clone();
    let answer = blocking(move || {
        let message = Message::new(&response, parts.iter().map(Batch::encode).collect());
        Ok(Sealed::seal_answer(&s.keys, &identity, counter, &message.encode()))
    })
    .await?;
    Ok((answer, outcome))
}

/// Serves `router` on `listener` within `config`'s limits until `shutdown` resolves: at most
/// `max_connections` at once, each given `header_timeout` to send a request's headers.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let config = state.config.clone();
    let app = router(state);
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore stays open"),
            _ = &mut shutdown => return Ok(()),
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was taken: wait.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let app = app.clone();
        let header_timeout = config.header_timeout;
        let connection_limit = config.request_timeout * 4;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(request)
            });
            // No `date` header: on 2G every header byte counts, and nothing reads it.
            let connection = hyper::server::conn::http1::Builder::new()
                .auto_date_header(false)
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(connection_limit, connection).await;
            drop(permit);
        });
    }
}
