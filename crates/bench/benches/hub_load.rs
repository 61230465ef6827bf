//! A hub under load: changes accepted per second and each sync's latency (p50, p99) with 1,
//! 100 and 1,000 nodes syncing at once, on SQLite and on PostgreSQL.
//!
//! The hub is the real server in-process (its pool of store connections, its crypto, its
//! HTTP on loopback); the nodes are the real protocol client over in-memory logs
//! ([`sobaucu_hub::sim`]). Each node makes 20 changes and syncs, `rounds` times; a sync pushes
//! them and pulls what the node's neighbours (the other ledgers of its commune) sent.
//!
//! `cargo bench --bench hub_load` measures SQLite; with `$SOBAUCU_BENCH_POSTGRES` naming a
//! server where it may create databases (e.g. `eval "$(scripts/pg-cluster.sh start)"` then
//! `SOBAUCU_BENCH_POSTGRES="$SOBAUCU_TEST_POSTGRES"`), PostgreSQL as well.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use sobaucu_core::units::Catalogue;
use sobaucu_hub::server::{AppState, Config};
use sobaucu_hub::sim::SimNode;
use sobaucu_hub::store::HubStore;
use sobaucu_protocol::Role;

const CHANGES: usize = 20;

fn credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "bầu cử 2026 đo tải")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn measure(runtime: &tokio::runtime::Runtime, database: Option<&str>, nodes: usize, rounds: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = HubStore::open_with(&tmp.path().join("hub"), &credentials(), database).unwrap();
    hub.init(&"01".parse().unwrap(), "2025".parse().unwrap(), true).unwrap();
    let kind = hub.database_kind();
    let scheme = "2025".parse().unwrap();
    let communes: Vec<String> = Catalogue::get(scheme)
        .subtree(&"01".parse().unwrap())
        .iter()
        .filter(|u| u.code.as_str().len() == 5)
        .map(|u| u.code.to_string())
        .collect();
    let units: Vec<String> = (0..nodes).map(|i| communes[i % communes.len()].clone()).collect();
    let codes: Vec<String> =
        units.iter().map(|u| hub.issue_code(&u.parse().unwrap(), Role::Node, 1).unwrap().to_text()).collect();
    let config = Config { requests_per_node: 1_000_000, ..Config::default() };
    let state = Arc::new(AppState::new(hub, None, config).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let serving = state.clone();
    runtime.spawn(async move { sobaucu_hub::server::serve(listener, serving, std::future::pending()).await });

    // Enrolment is not measured; every node starts its first round at once.
    let start = Arc::new(Barrier::new(nodes + 1));
    let threads: Vec<_> = units
        .into_iter()
        .zip(codes)
        .map(|(unit, code)| {
            let url = url.clone();
            let start = start.clone();
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    let mut node = SimNode::new(&unit, scheme).unwrap();
                    sobaucu_client::enroll(&mut node, &url, &code, Role::Node).unwrap();
                    start.wait();
                    let mut latencies = Vec::with_capacity(rounds);
                    for _ in 0..rounds {
                        node.make_changes(CHANGES).unwrap();
                        let t = Instant::now();
                        sobaucu_client::sync(&mut node, Some(&url), |_| {}).unwrap();
                        latencies.push(t.elapsed());
                    }
                    latencies
                })
                .unwrap()
        })
        .collect();
    start.wait();
    let t = Instant::now();
    let mut latencies: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let wall = t.elapsed();
    latencies.sort();
    let total = nodes * rounds * CHANGES;
    let head = state.store.lock().log_head().unwrap();
    assert_eq!(head as usize, total, "every change reached the hub once");
    println!(
        "hub on {kind:<8} {nodes:>5} nodes × {rounds:>3} syncs of {CHANGES} changes: {total:>6} changes in {:>6.2} s = {:>6.0} changes/s; sync latency p50 {:>7.1} ms, p99 {:>7.1} ms ({} store connections)",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        state.store.open_connections(),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let postgres = std::env::var("SOBAUCU_BENCH_POSTGRES").ok().filter(|s| !s.is_empty());
    if postgres.is_none() {
        println!("PostgreSQL: not measured (set $SOBAUCU_BENCH_POSTGRES to a server where databases may be made)");
    }
    let mut stores: Vec<Option<&str>> = vec![None];
    stores.extend(postgres.as_deref().map(Some));
    for admin in stores {
        for (nodes, rounds) in [(1, 200), (100, 10), (1000, 1)] {
            let url = admin.map(|admin| sobaucu_hub::pg::create_fresh_database(admin, "bench").unwrap());
            measure(&runtime, url.as_deref(), nodes, rounds);
        }
    }
}
