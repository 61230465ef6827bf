//! The hub's figures for its operators, in the Prometheus text format (`/metrics`), served on a
//! listener of its own (`serve --metrics ADDR`, loopback unless a token guards it): counters of
//! syncs, enrolments, changes and bytes since the hub started, sync latency as a histogram,
//! and, read from the store when scraped, the log's head and the peers by role. Rates (changes
//! per second) are the counters' `rate()`; nothing personal is ever a label.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::server::AppState;

/// Upper bounds of the sync latency histogram, in seconds.
const BUCKETS: [f64; 9] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// Counters the handlers move; read when scraped.
#[derive(Default)]
pub struct Metrics {
    pub syncs: AtomicU64,
    pub syncs_refused: AtomicU64,
    pub enrolments: AtomicU64,
    pub enrolments_refused: AtomicU64,
    pub changes_pushed: AtomicU64,
    pub changes_pulled: AtomicU64,
    pub changes_refused: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    latency_micros: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
}

impl Metrics {
    /// One sync served (refused or not) in `took`.
    pub fn observe_sync(&self, took: Duration) {
        self.latency_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
}

/// The figures as Prometheus text.
pub fn render(state: &AppState) -> String {
    let m = &state.metrics;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let mut out = String::new();
    counter(&mut out, "sobaucu_hub_syncs_total", "Sync requests answered.", get(&m.syncs));
    counter(&mut out, "sobaucu_hub_syncs_refused_total", "Sync requests refused.", get(&m.syncs_refused));
    counter(&mut out, "sobaucu_hub_enrolments_total", "Nodes and hubs enrolled.", get(&m.enrolments));
    counter(&mut out, "sobaucu_hub_enrolments_refused_total", "Enrolments refused.", get(&m.enrolments_refused));
    counter(
        &mut out,
        "sobaucu_hub_changes_pushed_total",
        "Changes children pushed that the hub took.",
        get(&m.changes_pushed),
    );
    counter(&mut out, "sobaucu_hub_changes_pulled_total", "Changes children pulled.", get(&m.changes_pulled));
    counter(
        &mut out,
        "sobaucu_hub_changes_refused_total",
        "Changes refused by the trust rules.",
        get(&m.changes_refused),
    );
    counter(&mut out, "sobaucu_hub_bytes_in_total", "Bytes of sync requests.", get(&m.bytes_in));
    counter(&mut out, "sobaucu_hub_bytes_out_total", "Bytes of sync answers.", get(&m.bytes_out));
    let _ = writeln!(
        out,
        "# HELP sobaucu_hub_sync_seconds Time to answer a sync request.\n# TYPE sobaucu_hub_sync_seconds histogram"
    );
    for (i, bound) in BUCKETS.iter().enumerate() {
        let _ = writeln!(out, "sobaucu_hub_sync_seconds_bucket{{le=\"{bound}\"}} {}", get(&m.latency_buckets[i]));
    }
    let all = get(&m.syncs) + get(&m.syncs_refused);
    let _ = writeln!(out, "sobaucu_hub_sync_seconds_bucket{{le=\"+Inf\"}} {all}");
    let _ = writeln!(out, "sobaucu_hub_sync_seconds_sum {}", get(&m.latency_micros) as f64 / 1e6);
    let _ = writeln!(out, "sobaucu_hub_sync_seconds_count {all}");
    // What the store holds, read now.
    let store = state.store.lock();
    if let Ok(head) = store.log_head() {
        gauge(&mut out, "sobaucu_hub_log_head", "The hub's change log position.", head);
    }
    if let Ok(children) = store.children() {
        let _ = writeln!(out, "# HELP sobaucu_hub_peers Enrolled children by role.\n# TYPE sobaucu_hub_peers gauge");
        for role in ["node", "hub"] {
            let n = children.iter().filter(|c| c.role.as_str() == role && !c.revoked).count();
            let _ = writeln!(out, "sobaucu_hub_peers{{role=\"{role}\"}} {n}");
        }
        let revoked = children.iter().filter(|c| c.revoked).count() as u64;
        gauge(&mut out, "sobaucu_hub_peers_revoked", "Children revoked.", revoked);
    }
    out
}

/// Whether two secrets are equal, in a time that does not tell how much of one matches.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `/metrics` router: open on loopback, or behind `token` (a bearer token) elsewhere.
pub fn router(state: Arc<AppState>, token: Option<String>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move |State(state): State<Arc<AppState>>, headers: HeaderMap| {
                let token = token.clone();
                async move {
                    if let Some(token) = token {
                        let given = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                        if !same_secret(given.as_bytes(), format!("Bearer {token}").as_bytes()) {
                            return StatusCode::UNAUTHORIZED.into_response();
                        }
                    }
                    let text = tokio::task::spawn_blocking(move || render(&state)).await.unwrap_or_default();
                    Response::builder()
                        .header("content-type", "text/plain; version=0.0.4")
                        .body(axum::body::Body::from(text))
                        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
                }
            }),
        )
        .with_state(state)
}
