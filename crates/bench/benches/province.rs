//! The province benchmark: a province ledger (Lai Châu, 2021 units) holding 300,000 voters over
//! its 106 communes, each commune with its board, teams and consultations (some late, some
//! missing), and planted duplicate voters across communes (marks and case dropped, a year of
//! birth for a full date, the same ID number under another spelling). Measures the time of the
//! province report, of the progress board (which counts the law's findings per unit) and of
//! `check` (every rule over every record), and the time and peak memory of finding the
//! duplicates (`duplicates::find`), and checks every planted pair is found.
//!
//! The report, the board and the duplicates are measured on the encrypted ledger (as every
//! ledger is) and on a plain copy of it (the core's `unencrypted` feature, for this comparison
//! only), and the ratios printed: what encryption costs.
//!
//! Run: `cargo bench --bench province` (optionally `-- 50000`). It prints figures; it asserts
//! only that the planted pairs are found.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;
use sobaucu_core::demo::{Rng, person};
use sobaucu_core::duplicates::{Options, Rule};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::units::{Catalogue, Level, Scheme};
use sobaucu_core::{Store, progress, report, text};

/// A line of `/proc/self/status` in kB (`VmHWM`: the peak resident memory; `VmRSS`: now).
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Writes the ledger in `dir`: `voters` voters over the communes of Lai Châu, through the
/// ordinary write path, then the planted duplicates. Returns the communes and the planted pairs.
fn generate(dir: &Path, voters: usize) -> (usize, Vec<(String, String)>) {
    let mut store = Store::open(dir, &bench_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "12".parse().unwrap(),
            scheme: Scheme::Y2021,
            election_date: chrono::NaiveDate::from_ymd_opt(2031, 5, 25).unwrap(),
            law: None,
        })
        .unwrap();
    let mut communes: Vec<String> = Catalogue::get(Scheme::Y2021)
        .subtree(&"12".parse().unwrap())
        .into_iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| u.code.to_string())
        .collect();
    communes.sort();

    // One polling area a commune, then the voters, a commune at a time; 70% with an ID number.
    let mut rng = Rng::new(2021);
    let mut planted: Vec<(String, String)> = Vec::new();
    let per_commune = voters.div_ceil(communes.len());
    let mut written = 0;
    let mut communes_done = 0usize;
    let election = chrono::NaiveDate::from_ymd_opt(2031, 5, 25).unwrap();
    for commune in &communes {
        let unit: sobaucu_core::UnitCode = commune.parse().unwrap();
        store
            .write(|w| {
                let area = w
                    .put(
                        Kind::PollingArea,
                        Put::Create(None),
                        Some(unit.clone()),
                        json!({"number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"})
                            .as_object()
                            .unwrap(),
                    )?
                    .id
                    .to_string();
                // The commune's milestones: a board (some late), teams, consultations (some
                // never held), so the board and the report have something to count.
                let n = communes_done;
                communes_done += 1;
                let due = |days: i64| (election - chrono::Duration::days(days)).to_string();
                let records = [
                    (
                        Kind::Board,
                        json!({"name": "Ban bầu cử số 1", "level": "commune", "size": 9,
                        "formed_on": due(if n % 7 == 3 { 66 } else { 72 })}),
                    ),
                    (
                        Kind::Team,
                        json!({"name": "Tổ bầu cử số 1", "polling_area": area, "size": 11, "formed_on": due(45)}),
                    ),
                    (Kind::Consultation, json!({"round": "1", "level": "commune", "held_on": due(96)})),
                    (
                        Kind::Consultation,
                        json!({"round": "2", "level": "commune", "held_on": due(if n % 5 == 1 { 38 } else { 41 })}),
                    ),
                ];
                for (kind, record) in records.iter().take(if n.is_multiple_of(5) { 3 } else { 4 }) {
                    w.put(*kind, Put::Create(None), Some(unit.clone()), record.as_object().unwrap())?;
                }
                for _ in 0..per_commune.min(voters - written) {
                    let (name, sex, ethnicity) = person(&mut rng);
                    let year = 1940 + rng.below(66);
                    let birth = if rng.below(20) == 0 {
                        format!("{year}")
                    } else {
                        format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
                    };
                    let mut voter = json!({"full_name": name, "birth_date": birth, "sex": sex,
                        "ethnicity": ethnicity, "permanent_residence": format!("Bản {}", 1 + rng.below(30)),
                        "polling_area": area, "ballots": "na,provincial,district,commune"});
                    if rng.below(10) < 7 {
                        voter["id_number"] = json!(format!("{:012}", rng.below(1_000_000_000_000)));
                    }
                    w.put(Kind::Voter, Put::Create(None), Some(unit.clone()), voter.as_object().unwrap())?;
                    written += 1;
                }
                Ok(())
            })
            .unwrap();
    }

    // Planted duplicates: a voter copied into another commune with its name folded, its birth
    // date cut to the year, or its name respelt under the same ID number.
    let plants = (voters / 1000).max(30);
    let all_voters = store.db().all_rows(Kind::Voter).unwrap();
    let all_areas = store.db().all_rows(Kind::PollingArea).unwrap();
    let text = |row: &sobaucu_core::store::Row, field: &str| {
        row.fields.get(field).and_then(|v| v.as_str()).map(str::to_string)
    };
    store
        .write(|w| {
            for n in 0..plants {
                let row = &all_voters[rng.below(all_voters.len() as u64) as usize];
                let (id, unit) = (row.id.to_string(), row.unit.to_string());
                let (Some(name), id_number, Some(birth)) =
                    (text(row, "full_name"), text(row, "id_number"), text(row, "birth_date"))
                else {
                    continue;
                };
                let other = loop {
                    let other = &communes[rng.below(communes.len() as u64) as usize];
                    if *other != unit {
                        break other.clone();
                    }
                };
                let area =
                    all_areas.iter().find(|a| a.unit.as_str() == other).map(|a| a.id.to_string()).unwrap_or_default();
                let mut copy = json!({"sex": "female", "polling_area": area, "ballots": "na,provincial"});
                match (n % 3, &id_number) {
                    (0, Some(number)) => {
                        copy["full_name"] = json!(format!("{name} Thị"));
                        copy["birth_date"] = json!(birth);
                        copy["id_number"] = json!(number);
                    }
                    (1, _) if birth.len() == 10 => {
                        copy["full_name"] = json!(text::fold(&name).to_uppercase());
                        copy["birth_date"] = json!(&birth[..4]);
                    }
                    _ => {
                        copy["full_name"] = json!(format!("  {}  ", text::fold(&name)));
                        copy["birth_date"] = json!(birth);
                    }
                }
                let input = copy.as_object().unwrap();
                let row = w.put(Kind::Voter, Put::Create(None), Some(other.parse()?), input)?;
                planted.push((id, row.id.to_string()));
            }
            Ok::<_, sobaucu_core::Error>(())
        })
        .unwrap();
    drop(store);
    (communes.len(), planted)
}

fn main() {
    let voters: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300_000);
    // `$SOBAUCU_BENCH_LEDGER`, when set, keeps the generated ledger there and reuses it.
    let tmp = tempfile::tempdir().unwrap();
    let base = std::env::var_os("SOBAUCU_BENCH_LEDGER").map(PathBuf::from).unwrap_or_else(|| tmp.path().into());
    let dir = base.join("ledger");
    let planted_file = base.join("planted.txt");
    let start = Instant::now();
    let (communes, planted) = if planted_file.exists() {
        let text = std::fs::read_to_string(&planted_file).unwrap();
        let planted = text.lines().filter_map(|l| l.split_once(' ')).map(|(a, b)| (a.into(), b.into())).collect();
        (106, planted)
    } else {
        let (communes, planted) = generate(&dir, voters);
        let lines: String = planted.iter().map(|(a, b)| format!("{a} {b}\n")).collect();
        std::fs::write(&planted_file, lines).unwrap();
        (communes, planted)
    };
    let generate_seconds = start.elapsed().as_secs_f64();

    // A plain copy of the same ledger, to measure what encryption costs.
    let plain_dir = base.join("plain");
    if !plain_dir.join("ledger.sqlite").exists() {
        plain_copy(&dir, &plain_dir);
    }
    let sealed = measure(Store::open_existing(&dir, &bench_credentials()).unwrap(), voters, planted.len());
    let plain = measure(Store::open_unencrypted(&plain_dir).unwrap(), voters, planted.len());
    let pairs = sealed.pairs;
    let late = sealed.late;
    let (find_seconds, peak, rss_before, anon, file) =
        (sealed.find_seconds, sealed.peak, sealed.rss_before, sealed.anon, sealed.file);
    let report_ms = sealed.report_ms;
    let board_ms = sealed.board_ms;

    let found: HashSet<(String, String)> = pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.a.id.clone(), p.b.id.clone());
            if a <= b { (a, b) } else { (b, a) }
        })
        .collect();
    let missed = planted.iter().filter(|(a, b)| !found.contains(&(a.min(b).clone(), a.max(b).clone()))).count();
    let by_rule = |rule: Rule| pairs.iter().filter(|p| p.rule == rule).count();
    let size_of = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with("ledger.sqlite"))
            .map(|e| e.metadata().unwrap().len())
            .sum()
    };
    let size = size_of(&dir);

    println!("sobaucu province benchmark, {voters} voters in {} communes", communes);
    println!("  generating the ledger:       {generate_seconds:.1} s ({:.0} MB)", size as f64 / 1e6);
    println!(
        "  province report:             {report_ms:.0} ms median of 5 (goal < 200 ms); plain {:.0} ms: {:.2}x",
        plain.report_ms,
        report_ms / plain.report_ms
    );
    println!(
        "  progress board:              {board_ms:.0} ms median of 5 ({late} late units over all milestones); plain {:.0} ms: {:.2}x",
        plain.board_ms,
        board_ms / plain.board_ms
    );
    println!(
        "  check (every rule):          {:.0} ms median of 5 ({} findings); plain {:.0} ms: {:.2}x",
        sealed.check_ms,
        sealed.findings,
        plain.check_ms,
        sealed.check_ms / plain.check_ms
    );
    println!(
        "  find duplicates:             {find_seconds:.2} s (goal < 5 s); plain {:.2} s: {:.2}x",
        plain.find_seconds,
        find_seconds / plain.find_seconds
    );
    let plain_size = size_of(&plain_dir);
    println!(
        "  ledger size:                 {:.0} MB encrypted; plain {:.0} MB: {:.2}x",
        size as f64 / 1e6,
        plain_size as f64 / 1e6,
        size as f64 / plain_size as f64
    );
    println!(
        "  peak memory while finding:   {:.0} MB resident (VmHWM; {:.0} MB before opening the ledger)",
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
    println!(
        "  of which after finding:      {:.0} MB the process's own (RssAnon), {:.0} MB mapped ledger pages (RssFile)",
        anon as f64 / 1024.0,
        file as f64 / 1024.0
    );
    println!(
        "  pairs:                       {} ({} by ID number, {} by name and birth date)",
        pairs.len(),
        by_rule(Rule::IdNumber),
        by_rule(Rule::NameBirth)
    );
    println!("  planted pairs found:         {}/{}", planted.len() - missed, planted.len());
    let json_bytes = serde_json::to_vec(&pairs).map(|v| v.len()).unwrap_or(0);
    println!("  the pairs as JSON:           {:.1} MB", json_bytes as f64 / 1e6);
    assert_eq!(missed, 0, "every planted duplicate is found");
}

/// What one ledger measured.
struct Figures {
    report_ms: f64,
    board_ms: f64,
    check_ms: f64,
    findings: usize,
    late: usize,
    find_seconds: f64,
    peak: u64,
    rss_before: u64,
    anon: u64,
    file: u64,
    pairs: Vec<sobaucu_core::duplicates::Pair>,
}

/// The province report and the progress board, judged 30 days before the election, each
/// computed five times (the median kept); then the duplicates, with the peak memory counted
/// from before the ledger was opened.
fn measure(store: Store, voters: usize, planted: usize) -> Figures {
    let node = store.node().unwrap().clone();
    let when = (node.election_date - chrono::Duration::days(30)).and_time(chrono::NaiveTime::MIN);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut report_ms = Vec::new();
    let mut board_ms = Vec::new();
    let mut check_ms = Vec::new();
    let mut findings = 0;
    let mut late = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let report = report::compute(&store.db(), &node, when.date()).unwrap();
        report_ms.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(report.voters as usize + report.voters_removed as usize, voters + planted);
        let start = Instant::now();
        let board = progress::board(&store.db(), &node, None, when).unwrap();
        board_ms.push(start.elapsed().as_secs_f64() * 1e3);
        late = board.milestones.iter().map(|m| m.late.len()).sum::<usize>();
        let start = Instant::now();
        findings = sobaucu_core::check::run(&store.db(), &node, when.date()).unwrap().len();
        check_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let reopened = store.reopen().unwrap();
    drop(store);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_kb("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let pairs = reopened.duplicates(&Options::default()).unwrap();
    let find_seconds = start.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:").unwrap_or(0);
    let (anon, file) = (status_kb("RssAnon:").unwrap_or(0), status_kb("RssFile:").unwrap_or(0));
    Figures {
        report_ms: median(report_ms),
        board_ms: median(board_ms),
        check_ms: median(check_ms),
        findings,
        late,
        find_seconds,
        peak,
        rss_before,
        anon,
        file,
        pairs,
    }
}

/// A plain copy of the encrypted ledger in `dir`, in `to`.
fn plain_copy(dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let file = dir.join("ledger.sqlite");
    let keyring = sobaucu_core::vault::Keyring::load(&sobaucu_core::vault::keyring_path(&file)).unwrap().unwrap();
    let key = keyring.unlock(&bench_credentials()).unwrap().key;
    let conn = sobaucu_core::vault::connect(&file, &key).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [to.join("ledger.sqlite").to_str().unwrap()]).unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!("PRAGMA plain.user_version = {version}; DETACH DATABASE plain;")).unwrap();
}

/// The passphrase of the benchmark's ledgers and hubs (release cost: Argon2id at 64 MiB).
fn bench_credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "benchmark passphrase")
}
