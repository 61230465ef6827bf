//! A country at 1/100 scale: the 3,321 communes of the 2025 units, each a commune ledger of
//! generated records (a polling area, its board and team, two consultations and 236 voters:
//! 78.5 million / 100 / 3,321), syncing to the hub of its province (34 hubs on SQLite), whose
//! relays carry everything to a national hub (on PostgreSQL with `$SOBAUCU_BENCH_POSTGRES`,
//! else on SQLite); a national ledger enrolled there pulls the figures each commune published.
//!
//! Measured: the time from the first commune's sync until the national ledger holds the
//! figures of every commune (the national report complete), the bytes each commune sent and
//! the national ledger received, the stores' sizes, and the national report's time.
//!
//! The hubs are the real servers in-process (HTTP on loopback, their relays every second),
//! sharing this machine's 2 cores with the communes' syncs. The commune ledgers are plain
//! SQLite files (the core's `unencrypted` feature): 3,321 Argon2 key derivations would
//! otherwise dominate, and they are not what is measured.
//!
//! Run: `cargo bench --bench country` (optionally `-- 200` for the first 200 communes, and
//! `--voters N` per commune).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use sobaucu_core::demo::{Rng, person};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::units::{Catalogue, Level, Scheme};
use sobaucu_core::{Store, UnitCode};
use sobaucu_hub::server::{AppState, Config};
use sobaucu_hub::store::HubStore;
use sobaucu_protocol::Role;

fn credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "bầu cử 2026 cả nước")
}

fn election() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

/// Bytes of the files directly in `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map_or(0, |entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
}

/// A hub served on loopback in this process; returns its state and URL.
fn serve(runtime: &tokio::runtime::Runtime, store: HubStore) -> (Arc<AppState>, String) {
    let relay = sobaucu_hub::relay::start(&store, Duration::from_secs(1)).unwrap();
    let config = Config { requests_per_node: 1_000_000, ..Config::default() };
    let state = Arc::new(AppState::new(store, relay, config).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let serving = state.clone();
    runtime.spawn(async move { sobaucu_hub::server::serve(listener, serving, std::future::pending()).await });
    (state, url)
}

/// Writes a commune's ledger and enrols it at its province's hub.
fn make_commune(dir: &Path, commune: &UnitCode, voters: usize, seed: u64, hub: &(Arc<AppState>, String)) {
    let mut store = Store::open_unencrypted(dir).unwrap();
    store
        .init(InitOptions { unit: commune.clone(), scheme: Scheme::Y2025, election_date: election(), law: None })
        .unwrap();
    let mut rng = Rng::new(seed);
    let due = |days: i64| (election() - chrono::Duration::days(days)).to_string();
    store
        .write(|w| {
            let area = w
                .put(
                    Kind::PollingArea,
                    Put::Create(None),
                    None,
                    json!({"number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}).as_object().unwrap(),
                )?
                .id
                .to_string();
            let records = [
                (Kind::Board, json!({"name": "Ban bầu cử số 1", "level": "commune", "size": 9, "formed_on": due(72)})),
                (Kind::Team, json!({"name": "Tổ bầu cử số 1", "polling_area": area, "size": 11, "formed_on": due(45)})),
                (Kind::Consultation, json!({"round": "1", "level": "commune", "held_on": due(96)})),
                (Kind::Consultation, json!({"round": "2", "level": "commune", "held_on": due(41)})),
            ];
            for (kind, record) in &records {
                w.put(*kind, Put::Create(None), None, record.as_object().unwrap())?;
            }
            for _ in 0..voters {
                let (name, sex, ethnicity) = person(&mut rng);
                let voter = json!({"full_name": name, "sex": sex, "ethnicity": ethnicity,
                    "birth_date": format!("{}-{:02}-{:02}", 1940 + rng.below(66), 1 + rng.below(12), 1 + rng.below(28)),
                    "permanent_residence": format!("Thôn {}", 1 + rng.below(12)),
                    "id_number": format!("{:012}", rng.below(1_000_000_000_000)),
                    "polling_area": area, "ballots": "na,provincial,commune"});
                w.put(Kind::Voter, Put::Create(None), None, voter.as_object().unwrap())?;
            }
            Ok(())
        })
        .unwrap();
    let code = hub.0.store.lock().issue_code(commune, Role::Node, 1).unwrap().to_text();
    sobaucu_client::enroll(&mut store, &hub.1, &code, Role::Node).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let limit: Option<usize> = args.iter().find_map(|a| a.parse().ok());
    let voters: usize = args
        .iter()
        .position(|a| a == "--voters")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(236);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root: PathBuf = tmp.path().into();
    let catalogue = Catalogue::get(Scheme::Y2025);
    let country: UnitCode = "0".parse().unwrap();
    let provinces: Vec<UnitCode> = catalogue.children(Some(&country)).iter().map(|u| u.code.clone()).collect();
    let mut communes: Vec<(UnitCode, usize)> = Vec::new();
    for (p, province) in provinces.iter().enumerate() {
        for unit in catalogue.subtree(province) {
            if unit.level == Level::Commune {
                communes.push((unit.code.clone(), p));
            }
        }
    }
    communes.sort();
    communes.truncate(limit.unwrap_or(communes.len()));

    // The national hub, the province hubs enrolled under it, the national ledger.
    let postgres = std::env::var("SOBAUCU_BENCH_POSTGRES").ok().filter(|s| !s.is_empty());
    let database = postgres.as_deref().map(|admin| sobaucu_hub::pg::create_fresh_database(admin, "country").unwrap());
    let mut national = HubStore::open_with(&root.join("national"), &credentials(), database.as_deref()).unwrap();
    national.init(&country, Scheme::Y2025, true).unwrap();
    let kind = national.database_kind();
    let national = serve(&runtime, national);
    let mut hubs = Vec::new();
    for province in &provinces {
        let mut store = HubStore::open_with(&root.join(format!("hub-{province}")), &credentials(), None).unwrap();
        store.init(province, Scheme::Y2025, false).unwrap();
        let code = national.0.store.lock().issue_code(province, Role::Hub, 1).unwrap().to_text();
        sobaucu_client::enroll(&mut store, &national.1, &code, Role::Hub).unwrap();
        hubs.push(serve(&runtime, store));
    }
    let mut ledger = Store::open_unencrypted(&root.join("national-ledger")).unwrap();
    ledger
        .init(InitOptions { unit: country.clone(), scheme: Scheme::Y2025, election_date: election(), law: None })
        .unwrap();
    let code = national.0.store.lock().issue_code(&country, Role::Node, 1).unwrap().to_text();
    sobaucu_client::enroll(&mut ledger, &national.1, &code, Role::Node).unwrap();

    // The communes' ledgers, two at a time (not measured).
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((commune, p)) = communes.get(i) else { break };
                    make_commune(&root.join(commune.as_str()), commune, voters, i as u64 + 1, &hubs[*p]);
                }
            });
        }
    });
    let generated = started.elapsed();
    let ledgers_bytes: u64 = communes.iter().map(|(c, _)| dir_bytes(&root.join(c.as_str()))).sum();
    println!(
        "country benchmark at 1/100: {} communes × {voters} voters in {} provinces; national hub on {kind}",
        communes.len(),
        provinces.len()
    );
    println!(
        "  generating the commune ledgers:  {:.0} s ({:.1} MB each, {:.1} GB in all)",
        generated.as_secs_f64(),
        ledgers_bytes as f64 / communes.len() as f64 / 1e6,
        ledgers_bytes as f64 / 1e9
    );

    // Every commune syncs once, 8 at a time; the relays carry it up; the national ledger
    // syncs every second until it holds every commune's figures.
    let started = Instant::now();
    let (up, down, pushed) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let next = AtomicUsize::new(0);
    let synced_at = std::sync::Mutex::new(Duration::ZERO);
    let national_down = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((commune, _)) = communes.get(i) else { break };
                    let mut store = Store::open_unencrypted(&root.join(commune.as_str())).unwrap();
                    let progress = sobaucu_client::sync(&mut store, None, |_| {}).unwrap();
                    up.fetch_add(progress.bytes_up, Ordering::Relaxed);
                    down.fetch_add(progress.bytes_down, Ordering::Relaxed);
                    pushed.fetch_add(progress.pushed, Ordering::Relaxed);
                }
                let mut at = synced_at.lock().unwrap();
                *at = (*at).max(started.elapsed());
            });
        }
    });
    let communes_synced = *synced_at.lock().unwrap();
    let mut national_syncs = 0;
    loop {
        let progress = sobaucu_client::sync(&mut ledger, None, |_| {}).unwrap();
        national_down.fetch_add(progress.bytes_down, Ordering::Relaxed);
        national_syncs += 1;
        let published = sobaucu_core::figures::published(&ledger.db()).unwrap();
        if published.len() >= communes.len() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(4 * 3600),
            "the national ledger has {} figures",
            published.len()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    let complete = started.elapsed();

    let node = ledger.node().unwrap().clone();
    let today = election() - chrono::Duration::days(10);
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..5 {
        let t = Instant::now();
        report = Some(sobaucu_core::report::compute(&ledger.db(), &node, today).unwrap());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let report = report.unwrap();
    assert_eq!(report.voters as usize, communes.len() * voters, "the national report counts every voter once");
    let with_data = report.units.iter().filter(|u| !u.no_data).count();
    let changes = pushed.load(Ordering::Relaxed);
    let n = communes.len() as f64;
    println!(
        "  communes' syncs done:            {:.0} s ({changes} changes, {:.0} changes/s into 34 hubs)",
        communes_synced.as_secs_f64(),
        changes as f64 / communes_synced.as_secs_f64()
    );
    println!(
        "  national report complete after:  {:.0} s ({} national ledger syncs; {with_data} provinces with data)",
        complete.as_secs_f64(),
        national_syncs
    );
    println!(
        "  bytes per commune:               {:.1} kB up, {:.1} kB down on its link; {:.2} kB reach the national ledger",
        up.load(Ordering::Relaxed) as f64 / n / 1e3,
        down.load(Ordering::Relaxed) as f64 / n / 1e3,
        national_down.load(Ordering::Relaxed) as f64 / n / 1e3
    );
    let hubs_bytes: u64 = provinces.iter().map(|p| dir_bytes(&root.join(format!("hub-{p}")))).sum();
    let national_bytes = match &database {
        Some(_) => national
            .0
            .store
            .lock()
            .db()
            .number("SELECT pg_database_size(current_database())", &[])
            .unwrap()
            .unwrap_or(0) as u64,
        None => dir_bytes(&root.join("national")),
    };
    println!(
        "  stores:                          province hubs {:.2} GB ({:.0} kB a commune); national hub {:.2} GB ({:.0} kB a commune); national ledger {:.1} MB",
        hubs_bytes as f64 / 1e9,
        hubs_bytes as f64 / n / 1e3,
        national_bytes as f64 / 1e9,
        national_bytes as f64 / n / 1e3,
        dir_bytes(&root.join("national-ledger")) as f64 / 1e6
    );
    println!(
        "  national report:                 {:.0} ms median of 5 ({} voters, {} polling areas)",
        times[2], report.voters, report.polling_areas
    );
}
