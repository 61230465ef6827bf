//! A ledger's limits: one province ledger (Hà Nội, 2025 units, its 126 communes) holding 1, 3
//! and 10 million voters, written through the ordinary write path and encrypted as every
//! ledger is. For each size it measures what an official waits for, against today's goals:
//! the province report (goal < 200 ms), opening the voter list (first page, goal < 500 ms),
//! a page half way down (the list's in-memory index read then), the same page after a sync's
//! worth of edits (1,000 voters renamed: the index brought up to date, not read anew), and
//! searching it (goal p99 < 20 ms), with the file's size and the process's peak memory. Each ledger is removed before
//! the next is made (10 million voters take about 11 GB).
//!
//! Run: `cargo bench --bench limits` (optionally `-- 1000000 3000000`, sizes in voters).

use std::time::Instant;

use serde_json::json;
use sobaucu_core::demo::{Rng, person};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::units::{Catalogue, Level, Scheme};
use sobaucu_core::{ListQuery, Store, text};

fn credentials() -> sobaucu_core::vault::Credentials {
    sobaucu_core::vault::Credentials::new(None, "giới hạn của một sổ")
}

/// A line of `/proc/self/status` in kB.
fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Writes `voters` voters over the communes of Hà Nội, a polling area each 1,000 voters,
/// 20,000 voters a transaction. Returns the seconds it took.
fn generate(dir: &std::path::Path, voters: usize) -> f64 {
    let started = Instant::now();
    let mut store = Store::open(dir, &credentials()).unwrap();
    let election = chrono::NaiveDate::from_ymd_opt(2031, 3, 15).unwrap();
    store
        .init(InitOptions { unit: "01".parse().unwrap(), scheme: Scheme::Y2025, election_date: election, law: None })
        .unwrap();
    let communes: Vec<sobaucu_core::UnitCode> = Catalogue::get(Scheme::Y2025)
        .subtree(&"01".parse().unwrap())
        .into_iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| u.code.clone())
        .collect();
    let per_commune = voters.div_ceil(communes.len());
    let mut rng = Rng::new(10);
    let mut written = 0;
    let mut area = String::new();
    while written < voters {
        let batch = (voters - written).min(20_000);
        store
            .write(|w| {
                for i in written..written + batch {
                    let commune = &communes[i / per_commune];
                    if i % 1_000 == 0 || i % per_commune == 0 {
                        let number = 1 + (i % per_commune) / 1_000;
                        area = w
                            .put(
                                Kind::PollingArea,
                                Put::Create(None),
                                Some(commune.clone()),
                                json!({"number": number, "name": format!("Khu vực bỏ phiếu số {number}"),
                                       "area_type": "ordinary"})
                                .as_object()
                                .unwrap(),
                            )?
                            .id
                            .to_string();
                    }
                    let (name, sex, ethnicity) = person(&mut rng);
                    let voter = json!({"full_name": name, "sex": sex, "ethnicity": ethnicity,
                        "birth_date": format!("{}-{:02}-{:02}", 1940 + rng.below(66), 1 + rng.below(12), 1 + rng.below(28)),
                        "permanent_residence": format!("Tổ dân phố {}", 1 + rng.below(40)),
                        "id_number": format!("{:012}", rng.below(1_000_000_000_000)),
                        "polling_area": area, "ballots": "na,provincial,commune"});
                    w.put(Kind::Voter, Put::Create(None), Some(commune.clone()), voter.as_object().unwrap())?;
                }
                Ok(())
            })
            .unwrap();
        written += batch;
        if written % 500_000 == 0 {
            eprintln!("  … {written} voters written in {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    started.elapsed().as_secs_f64()
}

fn measure(voters: usize) {
    let base = std::env::var_os("SOBAUCU_BENCH_DIR").map_or_else(std::env::temp_dir, std::path::PathBuf::from);
    let tmp = tempfile::tempdir_in(base).unwrap();
    let dir = tmp.path().join("ledger");
    let generate_seconds = generate(&dir, voters);
    let size: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("ledger.sqlite"))
        .map(|e| e.metadata().unwrap().len())
        .sum();

    let t = Instant::now();
    let mut store = Store::open_existing(&dir, &credentials()).unwrap();
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    let page = |store: &Store, q: Option<&str>, offset: u64| {
        let query =
            ListQuery { q: q.map(str::to_string), offset: Some(offset), limit: Some(100), ..ListQuery::default() };
        let t = Instant::now();
        let page = store.list(Kind::Voter, &query).unwrap();
        (t.elapsed().as_secs_f64() * 1e3, page)
    };
    let (first_ms, first) = page(&store, None, 0);
    assert_eq!(first.total as usize, voters, "the list counts every voter");
    let (middle_ms, middle) = page(&store, None, voters as u64 / 2);
    // Searches by the words officials type: a family and a given name, marks dropped.
    let mut rng = Rng::new(77);
    let mut searches = Vec::new();
    let mut found = 0;
    for _ in 0..200 {
        let (name, _, _) = person(&mut rng);
        let words: Vec<String> = text::fold(&name).split(' ').map(str::to_string).collect();
        let q = format!("{} {}", words[0], words[words.len() - 1]);
        let (ms, page) = page(&store, Some(&q), 0);
        found += page.total;
        searches.push(ms);
    }
    // A sync's worth of edits (1,000 voters renamed in one transaction), then the page half way
    // down again: the in-memory index is brought up to date, not read anew.
    let renamed: Vec<sobaucu_core::RecordId> =
        middle.rows.iter().chain(first.rows.iter()).map(|r| r["id"].as_str().unwrap().parse().unwrap()).collect();
    store
        .write(|w| {
            for n in 0..1_000 {
                let (name, _, _) = person(&mut rng);
                let fields = json!({"full_name": name});
                w.put(Kind::Voter, Put::Update(renamed[n % renamed.len()]), None, fields.as_object().unwrap())?;
            }
            Ok(())
        })
        .unwrap();
    let (after_sync_ms, _) = page(&store, None, voters as u64 / 2);
    let node = store.node().unwrap().clone();
    let today = node.election_date - chrono::Duration::days(30);
    let mut reports = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let report = sobaucu_core::report::compute(&store.db(), &node, today).unwrap();
        reports.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(report.voters as usize, voters);
    }
    println!(
        "{:>10} voters: written in {:>6.0} s ({:>6.0} a second), {:>6.2} GB; open {:>5.0} ms; province report {:>7.0} ms (median of 3); list first page {:>5.1} ms, half way down {:>7.0} ms (after 1,000 edits {:>5.0} ms); search median {:>6.1} ms, p99 {:>6.1} ms ({} found by 200); peak memory {:.0} MB",
        voters,
        generate_seconds,
        voters as f64 / generate_seconds,
        size as f64 / 1e9,
        open_ms,
        median(reports),
        first_ms,
        middle_ms,
        after_sync_ms,
        median(searches.clone()),
        percentile(searches, 0.99),
        found,
        status_kb("VmHWM:") as f64 / 1024.0,
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000, 3_000_000, 10_000_000] } else { sizes };
    println!(
        "ledger limits: one province ledger (Hà Nội, 2025 units), encrypted; goals: report < 200 ms, first page < 500 ms, search p99 < 20 ms"
    );
    for voters in sizes {
        measure(voters);
    }
}
