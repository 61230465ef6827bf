//! The election-day benchmark: a province (Lai Châu, 2021 units) whose 867 polling areas have
//! counted all four levels: 3,468 counting minutes and every candidate's votes in every area,
//! written through the ordinary write path (so every figure is checked as on the day). Measures
//! the roll-up of every electoral unit's result (`results::results`), the province report that
//! carries it, and what one team's minutes cost on the wire (a batch of the changes, encoded and
//! compressed as the sync sends it).
//!
//! Run: `cargo bench --bench results`. It prints figures; it asserts only that the results add
//! up to the teams' figures.

use std::time::Instant;

use serde_json::{Map, Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::units::{Catalogue, Level, Scheme};
use sobaucu_core::{Store, report, results};

const AREAS: usize = 867;

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store =
        Store::open(tmp.path(), &sobaucu_core::vault::Credentials::new(None, "benchmark passphrase")).unwrap();
    store
        .init(InitOptions {
            unit: "12".parse().unwrap(),
            scheme: Scheme::Y2021,
            election_date: chrono::NaiveDate::from_ymd_opt(2021, 5, 23).unwrap(),
            law: None,
        })
        .unwrap();
    let catalogue = Catalogue::get(Scheme::Y2021);
    let subtree = catalogue.subtree(&"12".parse().unwrap());
    let mut districts: Vec<String> =
        subtree.iter().filter(|u| u.level == Level::District).map(|u| u.code.to_string()).collect();
    districts.sort();
    let mut communes: Vec<(String, String)> = subtree
        .iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| (u.code.to_string(), catalogue.ancestor_at(&u.code, Level::District).unwrap().code.to_string()))
        .collect();
    communes.sort();

    let started = Instant::now();
    // Electoral units (owner unit, level, seats) and their candidates (seats + 2 each).
    struct Unit {
        id: String,
        seats: i64,
        candidates: Vec<String>,
    }
    let mut units: std::collections::HashMap<(String, &'static str, usize), Unit> = Default::default();
    store
        .write(|w| {
            let mut make = |w: &mut sobaucu_core::store::Writer<'_>, owner: &str, level: &'static str, n: usize, seats: i64| {
                let id = w
                    .put(
                        Kind::ElectoralUnit,
                        Put::Create(None),
                        Some(owner.parse().unwrap()),
                        &obj(json!({"level": level, "number": n + 1, "name": format!("Đơn vị số {}", n + 1), "seats": seats})),
                    )?
                    .id
                    .to_string();
                let mut candidates = Vec::new();
                for c in 0..seats + 2 {
                    candidates.push(
                        w.put(
                            Kind::Candidate,
                            Put::Create(None),
                            Some(owner.parse().unwrap()),
                            &obj(json!({"full_name": format!("Người ứng cử {level} {n} {c}"), "level": level, "electoral_unit": id,
                                        "nomination": "nominated", "birth_date": format!("{}-01-01", 1960 + c), "sex": "female", "status": "official"})),
                        )?
                        .id
                        .to_string(),
                    );
                }
                units.insert((owner.to_string(), level, n), Unit { id, seats, candidates });
                Ok::<(), sobaucu_core::Error>(())
            };
            for n in 0..2 {
                make(w, "12", "na", n, 3)?;
            }
            for n in 0..13 {
                make(w, "12", "provincial", n, 4)?;
            }
            for d in &districts {
                for n in 0..2 {
                    make(w, d, "district", n, 5)?;
                }
            }
            for (c, _) in &communes {
                for n in 0..2 {
                    make(w, c, "commune", n, 5)?;
                }
            }
            Ok(())
        })
        .unwrap();

    // The polling areas, each naming its unit at every level; then each team's count.
    let mut listed_total = 0i64;
    for i in 0..AREAS {
        let (commune, district) = &communes[i % communes.len()];
        let pick = |owner: &str, level: &'static str, n: usize| &units[&(owner.to_string(), level, n)];
        let (na, prov, dist, comm) = (
            pick("12", "na", i % 2),
            pick("12", "provincial", i % 13),
            pick(district, "district", i % 2),
            pick(commune, "commune", i % 2),
        );
        store
            .write(|w| {
                let area = w
                    .put(
                        Kind::PollingArea,
                        Put::Create(None),
                        Some(commune.parse().unwrap()),
                        &obj(json!({"number": i + 1, "name": format!("Khu vực số {}", i + 1), "area_type": "ordinary",
                                    "electoral_unit_na": na.id, "electoral_unit_provincial": prov.id,
                                    "electoral_unit_district": dist.id, "electoral_unit_commune": comm.id})),
                    )?
                    .id
                    .to_string();
                for (level, unit) in [("na", na), ("provincial", prov), ("district", dist), ("commune", comm)] {
                    let listed = 311;
                    let voted = 300;
                    let valid = 295;
                    w.put(
                        Kind::CountMinutes,
                        Put::Create(None),
                        Some(commune.parse().unwrap()),
                        &obj(json!({"polling_area": area, "level": level, "voters_listed": listed, "voted": voted,
                                    "ballots_issued": voted, "ballots_received": voted, "valid": valid, "invalid": voted - valid,
                                    "counted_on": "2021-05-23", "signed_by": "Lò Văn Minh — Tổ trưởng\nLò Thị Hoa — Thư ký"})),
                    )?;
                    // The first `seats` candidates on most ballots, the others on fewer.
                    for (c, candidate) in unit.candidates.iter().enumerate() {
                        let votes = if (c as i64) < unit.seats { 200 - c as i64 } else { 40 + c as i64 };
                        w.put(
                            Kind::CandidateVotes,
                            Put::Create(None),
                            Some(commune.parse().unwrap()),
                            &obj(json!({"polling_area": area, "level": level, "candidate": candidate, "votes": votes})),
                        )?;
                    }
                    if level == "na" {
                        listed_total += listed;
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    let written = started.elapsed().as_secs_f64();
    let minutes_count = store.db().all_rows(Kind::CountMinutes).unwrap().len();
    let votes_count = store.db().all_rows(Kind::CandidateVotes).unwrap().len();

    let node = store.node().unwrap().clone();
    let mut roll = Vec::new();
    let mut rolled = None;
    for _ in 0..5 {
        let t = Instant::now();
        rolled = Some(results::results(&store.db(), &node).unwrap());
        roll.push(t.elapsed().as_secs_f64());
    }
    let rolled = rolled.unwrap();
    assert_eq!(rolled["na"].voters_listed, listed_total, "the province's NA figures are the sum of its teams'");
    assert_eq!(rolled["commune"].areas_reported, AREAS);
    let elected: usize =
        rolled.values().flat_map(|l| &l.units).map(|u| u.candidates.iter().filter(|c| c.elected).count()).sum();
    let mut reports = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        report::compute(&store.db(), &node, node.election_date).unwrap();
        reports.push(t.elapsed().as_secs_f64());
    }

    // One team's commune-council count (its minutes and its candidates' votes) on the wire: a
    // new polling area of the first commune counts, and the changes it makes are encoded as
    // the sync sends them.
    let (commune, _) = &communes[0];
    let unit = &units[&(commune.clone(), "commune", 0)];
    let area = store
        .write(|w| {
            w.put(
                Kind::PollingArea,
                Put::Create(None),
                Some(commune.parse().unwrap()),
                &obj(json!({"number": AREAS + 1, "name": "Khu vực số cuối", "area_type": "ordinary", "electoral_unit_commune": unit.id})),
            )
        })
        .unwrap()
        .id
        .to_string();
    let before = store.own_seq().unwrap();
    store
        .write(|w| {
            w.put(
                Kind::CountMinutes,
                Put::Create(None),
                Some(commune.parse().unwrap()),
                &obj(json!({"polling_area": area, "level": "commune", "voters_listed": 311, "voted": 300, "ballots_issued": 300,
                            "ballots_received": 300, "valid": 295, "invalid": 5, "counted_on": "2021-05-23",
                            "signed_by": "Lò Văn Minh — Tổ trưởng\nLò Thị Hoa — Thư ký"})),
            )?;
            for (c, candidate) in unit.candidates.iter().enumerate() {
                w.put(
                    Kind::CandidateVotes,
                    Put::Create(None),
                    Some(commune.parse().unwrap()),
                    &obj(json!({"polling_area": area, "level": "commune", "candidate": candidate, "votes": 150 - c as i64})),
                )?;
            }
            Ok(())
        })
        .unwrap();
    let changes = store.own_changes_after(before, 1000).unwrap();
    let batch = sobaucu_protocol::Batch { after: 0, upto: changes.len() as u64, statements: Vec::new(), changes };
    let bytes = batch.encode().len();

    println!("sobaucu election-day benchmark: Lai Châu (2021 units), {AREAS} polling areas × 4 levels");
    println!(
        "  written through the write path:  {minutes_count} minutes, {votes_count} candidates' votes in {written:.1} s"
    );
    println!(
        "  roll-up of every unit's result:  {:.0} ms median of 5 ({} units, {elected} elected)",
        median(roll) * 1000.0,
        rolled.values().map(|l| l.units.len()).sum::<usize>()
    );
    println!("  province report with results:    {:.0} ms median of 5", median(reports) * 1000.0);
    println!(
        "  one team's count on the wire:    {bytes} bytes for {} changes (a batch, compressed; before the seal and HTTP)",
        batch.changes.len()
    );
}
