//! A province-wide scenario from the real units of one province: every commune is a node with
//! its own records, synced through district hubs (2021 units) or straight to the province hub
//! (2025 units). The province ledger's report and progress board must equal what the communes
//! entered: "X/Y districts, X/Y communes done" per milestone, the late units, voter conferences
//! counted by residential areas, communes and districts, and which units have never synced.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use sobaucu_core::units::{Catalogue, Level, Scheme, UnitCode};
use sobaucu_tests::{Hub, Node, eventually};

struct Scenario {
    scheme: &'static str,
    province: &'static str,
    election: &'static str,
    today: &'static str,
    /// Due dates (law data) of the two milestones the scenario plays with.
    consultation_2_due: &'static str,
    boards_due: &'static str,
}

/// A date `days` after `date` (YYYY-MM-DD).
fn shift(date: &str, days: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    (d + chrono::Duration::days(days)).to_string()
}

/// What commune number `i` (in code order) does; the expectations are read off the same rules.
struct Plan {
    voters: usize,
    polling_areas: usize,
    /// Days after the due date the 2nd consultation was held (None: not held).
    consultation_late: Option<i64>,
    boards_late: i64,
    /// Residential areas where a voter conference was held.
    conference_areas: usize,
    /// An offline commune: it keeps records but never syncs.
    offline: bool,
}

fn plan(i: usize) -> Plan {
    Plan {
        voters: 4 + i % 4,
        polling_areas: 1 + i % 2,
        consultation_late: match i % 5 {
            0 => None,
            1 => Some(1),
            _ => Some(-3),
        },
        boards_late: if i % 7 == 3 { 3 } else { -4 },
        conference_areas: i % 3,
        offline: i == 2,
    }
}

const NAMES: [&str; 6] = ["Giàng Páo Mỷ", "Tủa Sín Chải", "Lò Thị Ỏn", "Đặng Thị Đào", "Vàng A Chứ", "Tẩn Mý Mẩy"];
const AREAS: [&str; 3] = ["Thôn Phước Hưng", "Tổ dân phố 3", "Bản Nà Tăm"];

/// A team's count of the commune council in polling area `n` of commune `i`: voters listed,
/// voted, and the votes of the four candidates (the second on exactly half the valid ballots,
/// or one more in every fourth commune).
/// Every ninth commune saw exactly half its voters vote: held again.
fn team_count(i: usize, n: usize) -> (i64, i64, [i64; 4]) {
    let listed = 300;
    let voted = if i % 9 == 4 { 150 } else { 200 + (i % 5) as i64 * 10 + n as i64 };
    let valid = voted - 5;
    let second = if i.is_multiple_of(4) { valid / 2 + 1 } else { valid / 2 };
    (listed, voted, [valid - 20, second, valid - 30 - (i % 3) as i64, 10])
}

fn fill(node: &Node, s: &Scenario, commune: &str, p: &Plan, i: usize) {
    let mut lines = Vec::new();
    lines.push(
        json!({"kind": "electoral_unit", "level": "commune", "number": 1, "name": "Đơn vị bầu cử số 1", "seats": 3}),
    );
    for n in 1..=p.polling_areas {
        lines.push(json!({"kind": "polling_area", "number": n, "name": format!("Khu vực bỏ phiếu số {n}"), "area_type": "ordinary",
                          "electoral_unit_commune": "Đơn vị bầu cử số 1"}));
    }
    lines.push(json!({"kind": "board", "name": "Ban bầu cử số 1", "level": "commune", "size": 9,
                      "electoral_unit": "Đơn vị bầu cử số 1", "formed_on": shift(s.boards_due, p.boards_late)}));
    if let Some(late) = p.consultation_late {
        lines.push(json!({"kind": "consultation", "round": "2", "level": "commune", "held_on": shift(s.consultation_2_due, late)}));
    }
    let candidate = format!("Lò Văn Pọm {commune}");
    lines.push(json!({"kind": "candidate", "full_name": candidate, "level": "commune", "nomination": "nominated",
                      "birth_date": "1980-01-01", "sex": "male", "ethnicity": "Thái", "status": "preliminary"}));
    for area in AREAS.iter().take(p.conference_areas) {
        lines.push(json!({"kind": "voter_conference", "candidate": candidate, "residential_area": area,
                          "held_on": s.today, "convened": 80, "present": 60}));
    }
    // Election day: the commune council's four candidates, each area's minutes and votes.
    for c in 0..4 {
        lines.push(json!({"kind": "candidate", "full_name": format!("Người ứng cử {c} {commune}"), "level": "commune",
                          "electoral_unit": "Đơn vị bầu cử số 1", "nomination": "nominated",
                          "birth_date": format!("19{}0-01-01", 6 + c), "sex": "female", "status": "official"}));
    }
    for n in 1..=p.polling_areas {
        let (listed, voted, votes) = team_count(i, n);
        let area = format!("Khu vực bỏ phiếu số {n}");
        lines.push(json!({"kind": "count_minutes", "polling_area": area, "level": "commune", "voters_listed": listed,
                          "voted": voted, "ballots_issued": voted, "ballots_received": voted, "valid": voted - 5,
                          "invalid": 5, "counted_on": s.election}));
        for (c, v) in votes.iter().enumerate() {
            lines.push(json!({"kind": "candidate_votes", "polling_area": area, "level": "commune",
                              "candidate": format!("Người ứng cử {c} {commune}"), "votes": v}));
        }
    }
    for v in 0..p.voters {
        lines.push(
            json!({"kind": "voter", "full_name": format!("{} {v}", NAMES[v % NAMES.len()]), "birth_date": "1985",
                          "sex": if v % 2 == 0 { "male" } else { "female" }, "polling_area": "Khu vực bỏ phiếu số 1",
                          "ballots": "na,provincial,commune"}),
        );
    }
    node.import(&lines);
}

/// Runs `work` over `items` on a few threads (each item is a few short processes).
fn in_parallel<T: Sync>(items: &[T], work: impl Fn(usize, &T) + Sync) {
    let chunks: Vec<Vec<(usize, &T)>> = (0..4).map(|k| items.iter().enumerate().skip(k).step_by(4).collect()).collect();
    std::thread::scope(|scope| {
        for chunk in &chunks {
            let work = &work;
            scope.spawn(move || {
                for (i, item) in chunk {
                    work(*i, item);
                }
            });
        }
    });
}

fn count(list: &Value, milestone: &str, level: &str) -> (i64, i64) {
    let m = list.as_array().unwrap().iter().find(|m| m["milestone"] == milestone).expect(milestone);
    let c = m["counts"].as_array().unwrap().iter().find(|c| c["level"] == level);
    c.map_or((0, 0), |c| (c["done"].as_i64().unwrap(), c["total"].as_i64().unwrap()))
}

fn run(s: Scenario, root: &Path) {
    let scheme: Scheme = s.scheme.parse().unwrap();
    let catalogue = Catalogue::get(scheme);
    let province: UnitCode = s.province.parse().unwrap();
    let districts: Vec<String> = catalogue
        .children(Some(&province))
        .into_iter()
        .filter(|u| u.level == Level::District)
        .map(|u| u.code.to_string())
        .collect();
    let communes: Vec<(Option<usize>, String)> = catalogue
        .subtree(&province)
        .into_iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| {
            let district = u.parent.as_ref().and_then(|p| districts.iter().position(|d| d == p.as_str()));
            (district, u.code.to_string())
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(communes.len() > 30, "a whole province");

    let province_hub = Hub::start(&root.join("hub-province"), s.province, s.scheme, None);
    let district_hubs: Vec<Hub> = districts
        .iter()
        .map(|d| Hub::start(&root.join(format!("hub-{d}")), d, s.scheme, Some(&province_hub)))
        .collect();

    // Every commune: a ledger of its own, enrolled, filled, synced (except the offline one).
    in_parallel(&communes, |i, (district, code)| {
        let p = plan(i);
        let node = Node::init_on(&root.join(format!("commune-{code}")), code, s.scheme, s.election, s.today);
        let hub = district.map_or(&province_hub, |d| &district_hubs[d]);
        node.enroll(hub, code);
        fill(&node, &s, code, &p, i);
        if !p.offline {
            node.ok(&["sync"]);
        }
    });
    // District ledgers: the even ones held their own 2nd consultation on time.
    in_parallel(&districts, |j, d| {
        let node = Node::init_on(&root.join(format!("district-{d}")), d, s.scheme, s.election, s.today);
        node.enroll(&district_hubs[j], d);
        if j % 2 == 0 {
            node.import(&[
                json!({"kind": "consultation", "round": "2", "level": "district", "held_on": shift(s.consultation_2_due, -1)}),
            ]);
        }
        node.ok(&["sync"]);
    });

    // What the province must see, read off the plan.
    let online: Vec<(usize, &(Option<usize>, String))> =
        communes.iter().enumerate().filter(|(i, _)| !plan(*i).offline).collect();
    let voters: usize = online.iter().map(|(i, _)| plan(*i).voters).sum();
    let areas: usize = online.iter().map(|(i, _)| plan(*i).polling_areas).sum();
    let consulted = online.iter().filter(|(i, _)| plan(*i).consultation_late.is_some()).count() as i64;
    let consulted_late = online.iter().filter(|(i, _)| plan(*i).consultation_late.is_some_and(|l| l > 0)).count();
    let boards_late = online.iter().filter(|(i, _)| plan(*i).boards_late > 0).count();
    let conferences: usize = online.iter().map(|(i, _)| plan(*i).conference_areas).sum();
    let conference_communes = online.iter().filter(|(i, _)| plan(*i).conference_areas > 0).count();
    let conference_districts: BTreeSet<usize> =
        online.iter().filter(|(i, _)| plan(*i).conference_areas > 0).filter_map(|(_, (d, _))| *d).collect();
    let districts_consulted = districts.iter().enumerate().filter(|(j, _)| j % 2 == 0).count() as i64;
    let total_communes = communes.len() as i64;
    let total_districts = districts.len() as i64;

    let province_node = Node::init_on(&root.join("province-node"), s.province, s.scheme, s.election, s.today);
    province_node.enroll(&province_hub, s.province);
    let expected_consultations = if districts.is_empty() { 0 } else { districts_consulted };
    eventually(60, "the province ledger to receive every commune and district", || {
        province_node.ok(&["sync"]);
        let r = province_node.report();
        r["voters"] == voters as i64 && r["consultations"]["round2"]["districts_done"] == expected_consultations
    });
    // One more sync: the hubs' news of who synced when comes with the first round of a sync.
    province_node.ok(&["sync"]);

    let report = province_node.report();
    assert_eq!(report["voters"], voters as i64);

    // Election day rolled up: every figure at the province is the sum of its teams', and each
    // unit's result is what the rules make of them.
    let results = &report["results"]["commune"];
    let (mut listed, mut voted) = (0i64, 0i64);
    for (i, _) in &online {
        for n in 1..=plan(*i).polling_areas {
            let (l, v, _) = team_count(*i, n);
            listed += l;
            voted += v;
        }
    }
    assert_eq!((results["voters_listed"].as_i64(), results["voted"].as_i64()), (Some(listed), Some(voted)));
    assert_eq!(results["areas_reported"].as_u64(), Some(areas as u64));
    let units = results["units"].as_array().unwrap();
    assert_eq!(units.len(), online.len(), "one electoral unit per commune that synced");
    for (i, (_, code)) in &online {
        let unit = units.iter().find(|u| u["unit"] == code.as_str()).unwrap();
        let areas = plan(*i).polling_areas;
        let (listed, voted): (i64, i64) =
            (1..=areas).map(|n| team_count(*i, n)).fold((0, 0), |(l, v), (cl, cv, _)| (l + cl, v + cv));
        let valid = voted - 5 * areas as i64;
        let votes: Vec<i64> = (0..4).map(|c| (1..=areas).map(|n| team_count(*i, n).2[c]).sum()).collect();
        assert_eq!((unit["voted"].as_i64(), unit["valid"].as_i64()), (Some(voted), Some(valid)), "{code}");
        let elected: Vec<bool> = (0..4)
            .map(|c| {
                unit["candidates"].as_array().unwrap().iter().find(|x| x["votes"] == votes[c]).unwrap()["elected"]
                    == true
            })
            .collect();
        if voted * 2 > listed {
            // More than half of the valid ballots: the first and third; the second has exactly
            // half (or less), the fourth few: fewer elected than the 3 seats.
            assert_eq!(elected, [true, 2 * votes[1] > valid, true, false], "{code}");
            assert_eq!(unit["outcome"], if 2 * votes[1] > valid { "elected" } else { "supplementary_due" }, "{code}");
        } else {
            assert_eq!(unit["outcome"], "rerun_due", "{code}: half voted");
            assert!(elected.iter().all(|e| !e));
        }
    }
    assert_eq!(report["polling_areas"], areas as i64);
    assert_eq!(report["consultations"]["round2"]["communes_done"], consulted);
    assert_eq!(report["consultations"]["round2"]["communes_total"], total_communes);
    assert_eq!(report["consultations"]["round2"]["districts_done"], expected_consultations);
    assert_eq!(report["consultations"]["round2"]["districts_total"], total_districts);
    let vc = &report["voter_conferences"]["commune"];
    assert_eq!(vc["conferences"], conferences as i64);
    assert_eq!(vc["areas"], conferences as i64, "each conference in its own residential area");
    assert_eq!(vc["communes"], conference_communes as i64);
    assert_eq!(vc["districts"], conference_districts.len() as i64);

    // "X/Y districts, X/Y communes done" per milestone, in the report and on the board.
    let progress = &report["progress"];
    let c2 = progress.as_array().unwrap().iter().find(|p| p["milestone"] == "consultation_2").unwrap();
    assert_eq!(c2["communes_done"], consulted);
    assert_eq!(c2["communes_total"], total_communes);
    assert_eq!(c2["districts_done"], expected_consultations);
    assert_eq!(c2["districts_total"], total_districts);
    let offline_consulted = plan(2).consultation_late.is_some() as i64; // not synced, so not counted
    assert_eq!(offline_consulted, 1, "the plan's offline commune did hold it, yet the province cannot know");

    let board = province_node.json(&["progress", "--json"]);
    let milestones = &board["milestones"];
    assert_eq!(count(milestones, "consultation_2", "commune"), (consulted, total_communes));
    if !districts.is_empty() {
        assert_eq!(count(milestones, "consultation_2", "district"), (districts_consulted, total_districts));
    }
    // The boards: every commune that synced formed one, some late. The offline one never synced
    // and the province holds nothing of it: no data, never counted late.
    assert_eq!(count(milestones, "boards_formed", "commune"), (online.len() as i64, total_communes));
    let boards = milestones.as_array().unwrap().iter().find(|m| m["milestone"] == "boards_formed").unwrap();
    let commune_count = boards["counts"].as_array().unwrap().iter().find(|c| c["level"] == "commune").unwrap();
    assert_eq!(commune_count["no_data"], 1, "the offline commune");
    assert_eq!(commune_count["overdue"], 0);
    let late_communes: Vec<&Value> =
        boards["late"].as_array().unwrap().iter().filter(|l| l["level"] == "commune").collect();
    assert_eq!(late_communes.len(), boards_late, "the late ones, not the offline one");
    let offline_code = &communes[2].1;
    assert!(late_communes.iter().all(|l| l["code"] != offline_code.as_str()), "the offline commune is not late");
    assert!(late_communes.iter().all(|l| l["status"] == "done_late" && l["days_late"] == 3));
    let report_boards =
        report["progress"].as_array().unwrap().iter().find(|p| p["milestone"] == "boards_formed").unwrap();
    assert_eq!(report_boards["communes_no_data"], 1);
    let report_late: Vec<&Value> =
        report_boards["late_units"].as_array().unwrap().iter().filter(|l| l["level"] == "commune").collect();
    assert_eq!(report_late.len(), boards_late, "the report names the same late communes");
    assert!(report_late.iter().all(|l| l["days_late"] == 3 && l["code"] != offline_code.as_str()));
    // The 2nd consultation's late ones: those not held and those held a day late (the offline
    // commune, known to nobody above it, not among them).
    let c2 = milestones.as_array().unwrap().iter().find(|m| m["milestone"] == "consultation_2").unwrap();
    let late_commune_count = c2["late"].as_array().unwrap().iter().filter(|l| l["level"] == "commune").count();
    assert_eq!(late_commune_count, communes.len() - 1 - consulted as usize + consulted_late);

    // Who synced when: every unit below has synced except the offline commune.
    let units = board["units"].as_array().unwrap();
    let never: i64 = units.iter().map(|u| u["never_synced"].as_i64().unwrap()).sum();
    assert_eq!(never, 1, "{units:#?}");
    let holding_offline = units
        .iter()
        .find(|u| match communes[2].0 {
            Some(d) => u["code"] == districts[d].as_str(),
            None => u["code"] == offline_code.as_str(),
        })
        .unwrap();
    assert_eq!(holding_offline["never_synced"], 1);
    assert!(units.iter().filter(|u| u["never_synced"] == 0).all(|u| u["days_since_sync"] == 0));

    // Merged records: the voters of one commune, filtered by its unit, each naming it.
    let (_, first_commune) = online[0].1;
    let listed = province_node.ok(&["list", "--kind", "voter", "--unit", first_commune, "--limit", "1000", "--json"]);
    let rows: Vec<Value> = listed.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), plan(online[0].0).voters);
    let name = catalogue.unit(&first_commune.parse().unwrap()).unwrap().name.clone();
    assert!(rows.iter().all(|r| r["unit"] == first_commune.as_str() && r["unit_name"] == name.as_str()));

    // Drill down to the first district (2021 units): only its communes are counted.
    if let Some(first) = districts.first() {
        let drilled = province_node.json(&["progress", "--unit", first, "--json"]);
        let mine: Vec<usize> =
            communes.iter().enumerate().filter(|(_, (d, _))| *d == Some(0)).map(|(i, _)| i).collect();
        let done = mine.iter().filter(|i| !plan(**i).offline && plan(**i).consultation_late.is_some()).count() as i64;
        assert_eq!(count(&drilled["milestones"], "consultation_2", "commune"), (done, mine.len() as i64));
        assert_eq!(drilled["units"].as_array().unwrap().len(), mine.len());
        assert_eq!(drilled["trail"][0]["code"], s.province);
        assert_eq!(drilled["trail"][1]["code"], first.as_str());
    }
    drop(district_hubs);
}

#[test]
fn a_whole_province_on_the_2021_units_adds_up() {
    let tmp = tempfile::tempdir().unwrap();
    // Thành phố Đà Nẵng: its districts and all their wards and communes.
    run(
        Scenario {
            scheme: "2021",
            province: "48",
            election: "2021-05-23",
            today: "2021-03-20",
            consultation_2_due: "2021-03-19",
            boards_due: "2021-03-14",
        },
        tmp.path(),
    );
}

#[test]
fn a_whole_province_on_the_2025_units_adds_up() {
    let tmp = tempfile::tempdir().unwrap();
    // Tỉnh Lai Châu after 1 July 2025: 38 communes straight under the province.
    run(
        Scenario {
            scheme: "2025",
            province: "12",
            election: "2026-03-15",
            today: "2026-02-05",
            consultation_2_due: "2026-02-03",
            boards_due: "2026-01-04",
        },
        tmp.path(),
    );
}
