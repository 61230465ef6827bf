//! The sync benchmark: for a commune of 5,000 and of 50,000 voters, the bytes on the wire
//! (both directions, HTTP included) and the wall time of the first sync, and of an incremental
//! sync after 200 edits, 50 additions and 20 removals — each beside its floor: what the
//! officials actually entered, as CSV without ids compressed with zstd -19 (for the
//! incremental sync, the changed cells with their row numbers).
//!
//! Run: `cargo bench --bench sync` (optionally `-- 5000` for one size, or `-- 2g` for the first
//! sync over a shaped 2G link, with and without cuts). It prints figures and
//! asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};
use sobaucu_core::demo::{OCCUPATIONS, Rng, VILLAGES, person};
use sobaucu_core::kinds::{FieldType, Kind};
use sobaucu_core::store::{InitOptions, Put, display_value};
use sobaucu_core::{RecordId, Store};
use sobaucu_hub::server::{AppState, Config};
use sobaucu_hub::store::HubStore;
use sobaucu_tests::{LinkShape, Proxy};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn voter(rng: &mut Rng, area: &str) -> Map<String, Value> {
    let (name, sex, ethnicity) = person(rng);
    let year = 1940 + rng.below(66);
    let birth = if rng.below(20) == 0 {
        format!("{year}")
    } else {
        format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
    };
    obj(json!({
        "full_name": name, "birth_date": birth, "sex": sex, "ethnicity": ethnicity,
        "occupation": OCCUPATIONS[rng.below(OCCUPATIONS.len() as u64) as usize],
        "permanent_residence": format!("{}, xã Mường Kim", VILLAGES[rng.below(VILLAGES.len() as u64) as usize]),
        "polling_area": area, "ballots": "na,provincial,commune",
    }))
}

/// The records' fields as CSV, no ids (references by the referenced record's name).
fn csv_floor(store: &Store, kinds: &[Kind]) -> (usize, usize) {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let db = store.db();
    for kind in kinds {
        let def = kind.def();
        for row in db.all_rows(*kind).unwrap() {
            let cells: Vec<String> = def
                .fields
                .iter()
                .map(|f| match (row.fields.get(f.name), &f.ty) {
                    (None, _) => String::new(),
                    (Some(v), FieldType::Ref(_)) => {
                        let json = db.row_json(&row).unwrap();
                        json[format!("{}_title", f.name)].as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
                    }
                    (Some(v), ty) => display_value(ty, v),
                })
                .collect();
            out.write_record(cells).unwrap();
        }
    }
    let raw = out.into_inner().unwrap();
    (raw.len(), zstd::bulk::compress(&raw, 19).unwrap().len())
}

struct Measure {
    up: u64,
    down: u64,
    seconds: f64,
    rounds: u64,
}

fn sync(store: &mut Store, proxy: &Proxy) -> Measure {
    let (up0, down0) = (
        proxy.stats.up.load(std::sync::atomic::Ordering::SeqCst),
        proxy.stats.down.load(std::sync::atomic::Ordering::SeqCst),
    );
    let start = Instant::now();
    let progress = sobaucu_client::sync(store, Some(&proxy.url), |_| {}).expect("sync");
    Measure {
        up: proxy.stats.up.load(std::sync::atomic::Ordering::SeqCst) - up0,
        down: proxy.stats.down.load(std::sync::atomic::Ordering::SeqCst) - down0,
        seconds: start.elapsed().as_secs_f64(),
        rounds: progress.rounds,
    }
}

fn line(voters: usize, what: &str, m: &Measure, floor: usize) {
    let total = m.up + m.down;
    println!(
        "{voters:>7}  {what:<12} {:>10} {:>10} {:>10} {:>10} {:>7.2}x {:>8.2} s {:>6}",
        m.up,
        m.down,
        total,
        floor,
        total as f64 / floor as f64,
        m.seconds,
        m.rounds
    );
}

/// A province hub served in process, a commune ledger enrolled at it through a proxy shaped as
/// `shape`, and `voters` voters entered (not yet synced).
struct Setup {
    tmp: tempfile::TempDir,
    proxy: Proxy,
    store: Store,
    ids: Vec<RecordId>,
    rng: Rng,
    entered: f64,
}

fn setup(voters: usize, runtime: &tokio::runtime::Runtime, shape: LinkShape) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = HubStore::open(&tmp.path().join("hub"), &bench_credentials()).unwrap();
    hub.init(&"12".parse().unwrap(), "2025".parse().unwrap(), true).unwrap();
    let keys = hub.keys().unwrap();
    let day = (chrono::Utc::now().timestamp() / 86_400) as u32 + 7;
    let code =
        sobaucu_protocol::code::EnrolCode::new(sobaucu_protocol::Role::Node, "03637", day, keys.public()).unwrap();
    hub.keep_code(&code.secret_hash(), &"03637".parse().unwrap(), sobaucu_protocol::Role::Node, day).unwrap();
    let code = code.to_text();
    let state = Arc::new(AppState::new(hub, None, Config::default()).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let hub_url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { sobaucu_hub::server::serve(listener, state, std::future::pending()).await });
    let proxy = Proxy::start(&hub_url, shape);

    let mut store = Store::open(&tmp.path().join("commune"), &bench_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "03637".parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            law: None,
        })
        .unwrap();
    sobaucu_client::enroll(&mut store, &proxy.url, &code, sobaucu_protocol::Role::Node).unwrap();
    let mut rng = Rng::new(voters as u64);
    let areas = (voters / 400).max(1);
    let started = Instant::now();
    let ids: Vec<RecordId> = store
        .write(|w| {
            let mut area_ids = Vec::new();
            for n in 1..=areas {
                let area = w.put(
                    Kind::PollingArea,
                    Put::Create(None),
                    None,
                    &obj(json!({
                    "number": n, "name": format!("Khu vực bỏ phiếu số {n}"), "area_type": "ordinary",
                    "residential_areas": VILLAGES[n % VILLAGES.len()], "voters": voters / areas })),
                )?;
                area_ids.push(area.id.to_string());
            }
            let mut ids = Vec::new();
            for i in 0..voters {
                ids.push(
                    w.put(Kind::Voter, Put::Create(None), None, &voter(&mut rng, &area_ids[i * areas / voters]))?.id,
                );
            }
            Ok(ids)
        })
        .unwrap();
    let entered = started.elapsed().as_secs_f64();
    Setup { tmp, proxy, store, ids, rng, entered }
}

fn bench(voters: usize, runtime: &tokio::runtime::Runtime) {
    let Setup { tmp, proxy, mut store, mut ids, mut rng, entered } = setup(voters, runtime, LinkShape::default());
    let (_, floor) = csv_floor(&store, &[Kind::PollingArea, Kind::Voter]);
    let first = sync(&mut store, &proxy);
    line(voters, "first sync", &first, floor);
    // The end-to-end checks a province runs: every chain, head and certificate the hub holds.
    let hub = HubStore::open(&tmp.path().join("hub"), &bench_credentials()).unwrap();
    let started = Instant::now();
    let report =
        sobaucu_core::verify::verify(hub.db(), sobaucu_core::units::Catalogue::get("2025".parse().unwrap())).unwrap();
    let took = started.elapsed().as_secs_f64();
    assert!(report.ok(), "{:?}", report.problems);
    eprintln!(
        "         verify: {} changes, {} signed heads in {took:.2} s: {:.0} changes verified per second",
        report.changes,
        report.signed_heads,
        report.changes as f64 / took
    );

    // 200 edits, 50 additions, 20 removals; the floor is the changed cells with row numbers.
    let mut changed = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let area = store.db().all_rows(Kind::PollingArea).unwrap()[0].id.to_string();
    store
        .write(|w| {
            for _ in 0..200 {
                let row = rng.below(ids.len() as u64) as usize;
                let (field, value) = if rng.below(2) == 0 {
                    ("occupation", OCCUPATIONS[rng.below(OCCUPATIONS.len() as u64) as usize].to_string())
                } else {
                    (
                        "temporary_residence",
                        format!("{}, xã Mường Kim", VILLAGES[rng.below(VILLAGES.len() as u64) as usize]),
                    )
                };
                w.put(Kind::Voter, Put::Update(ids[row]), None, &obj(json!({ field: value })))?;
                changed.write_record([row.to_string(), field.to_string(), value]).unwrap();
            }
            for _ in 0..50 {
                let fields = voter(&mut rng, &area);
                let id = w.put(Kind::Voter, Put::Create(None), None, &fields)?.id;
                let mut cells = vec![ids.len().to_string()];
                cells.extend(fields.values().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())));
                changed.write_record(&cells).unwrap();
                ids.push(id);
            }
            for _ in 0..20 {
                let row = rng.below(ids.len() as u64) as usize;
                if w.db().row(Kind::Voter, &ids[row])?.is_some_and(|r| !r.deleted) {
                    w.delete(Kind::Voter, ids[row], None)?;
                    changed.write_record([row.to_string(), "removed".to_string(), String::new()]).unwrap();
                }
            }
            Ok(())
        })
        .unwrap();
    let raw = changed.into_inner().unwrap();
    let floor = zstd::bulk::compress(&raw, 19).unwrap().len();
    let incremental = sync(&mut store, &proxy);
    line(voters, "incremental", &incremental, floor);
    eprintln!("         ({voters} voters entered in {entered:.1} s)");
}

/// The first sync of 5,000 voters over a 2G link (about 50 kbit/s each way, 300 ms round
/// trips), with no cut and with every connection cut every 5 seconds: the time it takes, beside
/// the time its bytes need on that link.
fn shaped(runtime: &tokio::runtime::Runtime) {
    let rate = 6_250u64;
    println!("\n2G link: 6,250 bytes/s each way, 300 ms round trips; first sync of 5,000 voters");
    println!(
        "{:<16} {:>10} {:>10} {:>12} {:>12} {:>8} {:>6}",
        "cuts", "bytes up", "bytes down", "time", "bytes' time", "ratio", "cuts"
    );
    for (label, every) in [("none", None), ("every 5 s", Some(std::time::Duration::from_secs(5)))] {
        let shape = LinkShape {
            bytes_per_second: Some(rate),
            one_way_delay: std::time::Duration::from_millis(150),
            cut_every: every,
            ..LinkShape::default()
        };
        let Setup { tmp: _tmp, proxy, mut store, .. } = setup(5_000, runtime, shape);
        let started = Instant::now();
        // A run may fail after its retries; the next resumes (as the desktop's schedule does).
        for _ in 0..20 {
            if sobaucu_client::sync(&mut store, Some(&proxy.url), |_| {}).is_ok() {
                break;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let up = proxy.stats.up.load(std::sync::atomic::Ordering::SeqCst);
        let down = proxy.stats.down.load(std::sync::atomic::Ordering::SeqCst);
        let cuts = proxy.stats.cuts.load(std::sync::atomic::Ordering::SeqCst);
        let physical = (up + down) as f64 / rate as f64;
        println!(
            "{label:<16} {up:>10} {down:>10} {seconds:>10.1} s {physical:>10.1} s {:>7.2}x {cuts:>6}",
            seconds / physical
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "2g") {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        shaped(&runtime);
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![5_000, 50_000] } else { sizes };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("sobaucu sync benchmark: bytes on the wire (HTTP included) against the floor (CSV without ids, zstd -19)");
    println!(
        "{:>7}  {:<12} {:>10} {:>10} {:>10} {:>10} {:>8} {:>10} {:>6}",
        "voters", "sync", "bytes up", "bytes down", "total", "floor", "ratio", "time", "rounds"
    );
    for voters in sizes {
        bench(voters, &runtime);
    }
}

/// The passphrase of the benchmark's ledgers and hubs (release cost: Argon2id at 64 MiB).
fn bench_credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "benchmark passphrase")
}
