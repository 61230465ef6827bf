//! The voter-list benchmark, for a commune of 100,000 voters: import time from an XLSX file in
//! the Mẫu 33 layout, search latency (median and p99 of 1,000 queries, with and without
//! marks), the time to open the first page of the list in order, and the ledger's size.
//!
//! Everything is measured twice in the same run, on an encrypted ledger (as every ledger is)
//! and on a plain one (the core's `unencrypted` feature, for this comparison only), and the
//! ratios are printed: what encryption costs.
//!
//! Run: `cargo bench --bench voters` (optionally `-- 20000`). It prints figures and asserts
//! nothing. Beside each wall-clock figure it prints the time spent on the CPU, which other
//! work on a shared machine does not inflate.

use std::time::Instant;

use sobaucu_core::demo::{Rng, VILLAGES, person};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{self, ImportOptions};
use sobaucu_core::{ListQuery, Store, text};

/// The time this process has spent on a CPU, in seconds (Linux, to 10 ms): on a machine shared
/// with other work, the wall-clock figures grow and this one much less.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's name in parentheses: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(14) + ticks(15)) / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// What one ledger measured.
struct Figures {
    import_seconds: f64,
    import_cpu: f64,
    open_ms: f64,
    open_cpu_ms: f64,
    last_page_ms: f64,
    middle_page_ms: f64,
    median_ms: f64,
    p99_ms: f64,
    size: u64,
}

/// A new ledger in `dir` (encrypted, or plain), with the polling areas of `voters` voters.
fn ledger(dir: &std::path::Path, encrypted: bool, voters: usize, areas: &std::path::Path) -> Store {
    let mut store =
        if encrypted { Store::open(dir, &bench_credentials()).unwrap() } else { Store::open_unencrypted(dir).unwrap() };
    store
        .init(InitOptions {
            unit: "03637".parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2031, 5, 25).unwrap(),
            law: None,
        })
        .unwrap();
    let _ = voters;
    transfer::import(&mut store, &[areas], &ImportOptions::default()).unwrap();
    store
}

fn measure(
    mut store: Store,
    dir: &std::path::Path,
    xlsx: &std::path::Path,
    names: &[String],
    voters: usize,
) -> Figures {
    let mut rng = Rng::new(99);
    let mut defaults = serde_json::Map::new();
    defaults.insert("ballots".into(), "na,provincial,commune".into());
    let options = ImportOptions { kind: Some(Kind::Voter), defaults, ..ImportOptions::default() };
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let summary = transfer::import(&mut store, &[xlsx], &options).unwrap();
    let import_seconds = start.elapsed().as_secs_f64();
    let import_cpu = cpu_seconds() - cpu_start;
    assert_eq!(summary.records, voters);

    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let page = store.list(Kind::Voter, &ListQuery { limit: Some(100), ..Default::default() }).unwrap();
    let open_ms = start.elapsed().as_secs_f64() * 1000.0;
    let open_cpu_ms = (cpu_seconds() - cpu_start) * 1000.0;
    // A page far down the list, as the window asks for when scrolled to the end.
    let start = Instant::now();
    let last = store
        .list(Kind::Voter, &ListQuery { offset: Some(voters as u64 - 50), limit: Some(100), ..Default::default() })
        .unwrap();
    let last_page_ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(last.rows.len(), 50);
    let start = Instant::now();
    store
        .list(Kind::Voter, &ListQuery { offset: Some(voters as u64 / 2), limit: Some(100), ..Default::default() })
        .unwrap();
    let middle_page_ms = start.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(page.total as usize, voters);

    let mut times = Vec::with_capacity(1000);
    for i in 0..1000 {
        let name = &names[rng.below(names.len() as u64) as usize];
        let query = if i % 2 == 0 { name.clone() } else { text::fold(name) };
        let start = Instant::now();
        let found =
            store.list(Kind::Voter, &ListQuery { q: Some(query), limit: Some(100), ..Default::default() }).unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(found.total > 0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    drop(store);
    let size: u64 = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("ledger.sqlite"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    Figures {
        import_seconds,
        import_cpu,
        open_ms,
        open_cpu_ms,
        last_page_ms,
        middle_page_ms,
        median_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        size,
    }
}

fn main() {
    let voters: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();
    let areas = tmp.path().join("areas.jsonl");
    let lines: String = (1..=voters.div_ceil(400))
        .map(|n| format!("{{\"kind\":\"polling_area\",\"number\":{n},\"name\":\"Khu vực bỏ phiếu số {n}\",\"area_type\":\"ordinary\"}}\n"))
        .collect();
    std::fs::write(&areas, lines).unwrap();

    // The Mẫu 33 sheet: STT, name, birth date, sex, ethnicity, occupation, residence, area.
    let mut rng = Rng::new(7);
    let mut names = Vec::with_capacity(voters);
    let xlsx = tmp.path().join("mau33.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày, tháng, năm sinh",
        "Giới tính",
        "Dân tộc",
        "Nghề nghiệp",
        "Nơi thường trú",
        "Khu vực bỏ phiếu",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..voters {
        let (name, sex, ethnicity) = person(&mut rng);
        let r = i as u32 + 1;
        sheet.write_number(r, 0, r as f64).unwrap();
        sheet.write_string(r, 1, &name).unwrap();
        sheet
            .write_string(r, 2, format!("{:02}/{:02}/{}", 1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(66)))
            .unwrap();
        sheet.write_string(r, 3, if sex == "male" { "Nam" } else { "Nữ" }).unwrap();
        sheet.write_string(r, 4, ethnicity).unwrap();
        sheet.write_string(r, 5, "Làm nông").unwrap();
        sheet
            .write_string(r, 6, format!("{}, xã Mường Kim", VILLAGES[rng.below(VILLAGES.len() as u64) as usize]))
            .unwrap();
        sheet.write_string(r, 7, format!("Khu vực bỏ phiếu số {}", 1 + i / 400)).unwrap();
        names.push(name);
    }
    book.save(&xlsx).unwrap();

    let plain_dir = tmp.path().join("plain");
    let plain = measure(ledger(&plain_dir, false, voters, &areas), &plain_dir, &xlsx, &names, voters);
    let sealed_dir = tmp.path().join("encrypted");
    let sealed = measure(ledger(&sealed_dir, true, voters, &areas), &sealed_dir, &xlsx, &names, voters);
    let opened = Instant::now();
    drop(Store::open_existing(&sealed_dir, &bench_credentials()).unwrap());
    let unlock_seconds = opened.elapsed().as_secs_f64();

    println!("sobaucu voter-list benchmark, {voters} voters: encrypted (SQLCipher) | plain | ratio");
    let row = |what: &str, e: f64, p: f64, unit: &str, goal: &str| {
        println!("  {what:<30} {e:>9.2} {unit:<3}| {p:>9.2} {unit:<3}| {:.2}x  {goal}", e / p);
    };
    row("import from XLSX (Mẫu 33)", sealed.import_seconds, plain.import_seconds, "s", "(goal < 5 s)");
    row("  on the CPU", sealed.import_cpu, plain.import_cpu, "s", "");
    row("open the list (first page)", sealed.open_ms, plain.open_ms, "ms", "(goal < 500 ms in the window)");
    row("  on the CPU", sealed.open_cpu_ms, plain.open_cpu_ms, "ms", "");
    row("a page at the list's end", sealed.last_page_ms, plain.last_page_ms, "ms", "(the first time)");
    row("a page anywhere after", sealed.middle_page_ms, plain.middle_page_ms, "ms", "");
    row("search, median of 1,000", sealed.median_ms, plain.median_ms, "ms", "");
    row("search, p99 of 1,000", sealed.p99_ms, plain.p99_ms, "ms", "(goal p99 < 20 ms)");
    row("ledger size", sealed.size as f64 / 1e6, plain.size as f64 / 1e6, "MB", "");
    println!(
        "  (the encrypted ledger: {:.0} bytes a voter; opening it with a passphrase took {unlock_seconds:.2} s, Argon2id included)",
        sealed.size as f64 / voters as f64
    );
}

/// The passphrase of the benchmark's ledgers and hubs (release cost: Argon2id at 64 MiB).
fn bench_credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "benchmark passphrase")
}
