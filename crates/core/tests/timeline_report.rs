//! The legal timeline under both law versions, and the report's figures from a known data set.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::timeline::{self, Status};
use sobaucu_core::{Store, report};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn open(dir: &std::path::Path, unit: &str, scheme: &str, election: &str) -> Store {
    let mut store = Store::open(dir, &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: unit.parse().unwrap(),
            scheme: scheme.parse().unwrap(),
            election_date: date(election),
            law: None,
        })
        .unwrap();
    store
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn put(store: &mut Store, kind: Kind, unit: &str, v: Value) -> String {
    store
        .write(|w| w.put(kind, Put::Create(None), Some(unit.parse().unwrap()), &obj(v)))
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"))
        .id
        .to_string()
}

fn status_of(entries: &[timeline::Entry], milestone: &str) -> (Status, NaiveDate) {
    let e = entries.iter().find(|e| e.milestone == milestone).unwrap_or_else(|| panic!("no milestone {milestone}"));
    (e.standing.status, e.due)
}

#[test]
fn timeline_under_the_2015_law() {
    let dir = tempfile::tempdir().unwrap();
    // 2021: election day 23/05/2021, Phường Quyết Tiến (Thành phố Lai Châu).
    let mut store = open(dir.path(), "03388", "2021", "2021-05-23");
    put(&mut store, Kind::Committee, "03388", json!({"name": "UBBC", "level": "commune", "formed_on": "2021-02-05"}));
    put(&mut store, Kind::Consultation, "03388", json!({"round": "1", "level": "commune", "held_on": "2021-02-20"}));
    let node = store.node().unwrap().clone();
    let entries =
        timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date("2021-03-20")).unwrap();

    assert_eq!(status_of(&entries, "election_announced"), (Status::Passed, date("2021-01-28")));
    assert_eq!(status_of(&entries, "committees_formed"), (Status::Done, date("2021-02-07")));
    // D-95 = 17/02/2021; held on 20/02: done, three days late.
    let c1 = entries.iter().find(|e| e.milestone == "consultation_1").unwrap();
    assert_eq!((c1.standing.status, c1.standing.days_late), (Status::DoneLate, Some(3)));
    // D-70 = 14/03: no board yet on 20/03, six days overdue.
    let boards = entries.iter().find(|e| e.milestone == "boards_formed").unwrap();
    assert_eq!(
        (boards.standing.status, boards.due, boards.standing.days_late),
        (Status::Overdue, date("2021-03-14"), Some(6))
    );
    // D-65 = 19/03: the 2nd consultation is overdue by one day; the 2015 text has no 2025 dates.
    assert_eq!(status_of(&entries, "consultation_2"), (Status::Overdue, date("2021-03-19")));
    assert_eq!(status_of(&entries, "teams_formed"), (Status::Upcoming, date("2021-04-03")));
    assert_eq!(status_of(&entries, "official_list_na"), (Status::Upcoming, date("2021-04-28")));
    assert_eq!(status_of(&entries, "official_list_council"), (Status::Upcoming, date("2021-05-03")));
    assert!(entries.iter().all(|e| e.milestone != "official_list"));
    assert_eq!(status_of(&entries, "results_na"), (Status::Upcoming, date("2021-06-12")));
}

#[test]
fn timeline_under_the_2025_law() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path(), "03637", "2025", "2026-03-15");
    let area =
        put(&mut store, Kind::PollingArea, "03637", json!({"number": 1, "name": "KV 1", "area_type": "ordinary"}));
    put(&mut store, Kind::Team, "03637", json!({"name": "Tổ 1", "polling_area": area, "formed_on": "2026-01-30"}));
    let node = store.node().unwrap().clone();
    let entries =
        timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date("2026-02-01")).unwrap();
    // 2025 text: teams at D-43 (31/01/2026), nominations at D-42, 2nd consultation at D-40.
    assert_eq!(status_of(&entries, "teams_formed"), (Status::Done, date("2026-01-31")));
    // The dossier deadline is a date, not work a record completes (`check` flags late dossiers).
    let nominations = entries.iter().find(|e| e.milestone == "nominations_due").unwrap();
    assert_eq!(
        (nominations.due, nominations.standing.status, nominations.standing.days_left),
        (date("2026-02-01"), Status::Upcoming, Some(0))
    );
    assert_eq!(status_of(&entries, "consultation_2"), (Status::DueSoon, date("2026-02-03")));
    assert_eq!(status_of(&entries, "consultation_3"), (Status::Upcoming, date("2026-02-20")));
    assert_eq!(status_of(&entries, "official_list"), (Status::Upcoming, date("2026-02-26")));
    assert_eq!(status_of(&entries, "candidate_list_posted"), (Status::Upcoming, date("2026-02-27")));
    // Nothing was ever open about candidates: met once its day comes.
    assert_eq!(status_of(&entries, "complaints_closed").0, Status::Upcoming);
    let later = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date("2026-03-06")).unwrap();
    assert_eq!(status_of(&later, "complaints_closed").0, Status::Done);
}

#[test]
fn an_empty_ledger_shows_no_milestone_done() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), "03637", "2025", "2026-03-15");
    let node = store.node().unwrap().clone();
    // After election day every milestone's date has passed; still nothing is done.
    let entries =
        timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date("2026-04-30")).unwrap();
    let done: Vec<&str> =
        entries.iter().filter(|e| e.standing.status.is_done()).map(|e| e.milestone.as_str()).collect();
    assert!(done.is_empty(), "done in an empty ledger: {done:?}");
    assert_eq!(status_of(&entries, "complaints_closed").0, Status::Overdue);
}

#[test]
fn district_report_counts_what_its_communes_entered() {
    let dir = tempfile::tempdir().unwrap();
    // Huyện Tam Đường (106), 13 communes, 2021 units.
    let mut store = open(dir.path(), "106", "2021", "2021-05-23");
    let (a, b) = ("03390", "03394");
    let eu = put(
        &mut store,
        Kind::ElectoralUnit,
        "106",
        json!({"level": "district", "number": 1, "name": "Đơn vị số 1", "seats": 5}),
    );
    put(
        &mut store,
        Kind::Board,
        "106",
        json!({"name": "Ban HĐND huyện 1", "level": "district", "electoral_unit": eu, "formed_on": "2021-03-14"}),
    );
    put(&mut store, Kind::Board, a, json!({"name": "Ban 1", "level": "commune", "formed_on": "2021-03-14"}));
    put(&mut store, Kind::Board, a, json!({"name": "Ban 2", "level": "commune", "formed_on": "2021-03-14"}));
    let area = put(&mut store, Kind::PollingArea, a, json!({"number": 1, "name": "KV 1", "area_type": "ordinary"}));
    put(&mut store, Kind::PollingArea, a, json!({"number": 2, "name": "KV đồn biên phòng", "area_type": "armed"}));
    put(&mut store, Kind::PollingArea, b, json!({"number": 1, "name": "KV 1", "area_type": "ordinary"}));
    for (name, sex, ballots) in [
        ("Lò Văn Pọm", "male", "na,provincial,district,commune"),
        ("Lò Thị Ỏn", "female", "na,provincial"),
        ("Giàng Páo Mỷ", "male", "na,provincial,district,commune"),
        ("Tẩn Mý Mẩy", "female", "na,provincial,district,commune"),
    ] {
        put(
            &mut store,
            Kind::Voter,
            a,
            json!({"full_name": name, "birth_date": "1980", "sex": sex, "polling_area": area, "ballots": ballots}),
        );
    }
    let cand = |name: &str, level: &str, nomination: &str, sex: &str, ethnicity: &str, born: &str| {
        json!({"full_name": name, "level": level, "nomination": nomination, "sex": sex, "ethnicity": ethnicity,
               "birth_date": born, "status": "preliminary"})
    };
    let d1 = put(
        &mut store,
        Kind::Candidate,
        "106",
        cand("Hoàng Thị Hoa", "district", "nominated", "female", "Thái", "1985-01-01"),
    );
    put(&mut store, Kind::Candidate, "106", cand("Nguyễn Văn An", "district", "self", "male", "Kinh", "1970-01-01"));
    put(
        &mut store,
        Kind::Candidate,
        "106",
        cand("Lường Thị Xuân", "district", "nominated", "female", "kinh", "1960-01-01"),
    );
    put(&mut store, Kind::Candidate, a, cand("Vàng A Chứ", "commune", "nominated", "male", "Mông", "1990-01-01"));
    put(&mut store, Kind::Candidate, b, cand("Sùng Thị Mua", "commune", "nominated", "female", "Mông", "1975-01-01"));
    for (unit, round) in [("106", "2"), (a, "2"), (b, "2"), (a, "1")] {
        put(&mut store, Kind::Consultation, unit, json!({"round": round, "level": "commune", "held_on": "2021-03-18"}));
    }
    for (unit, area) in [(a, "Bản Nà Tăm"), (a, "bản  nà tăm"), (b, "Bản Hồ Be")] {
        put(
            &mut store,
            Kind::VoterConference,
            unit,
            json!({"candidate": d1, "residential_area": area, "held_on": "2021-03-25",
            "convened": 80, "present": 60, "confidence_for": 58, "confidence_against": 1}),
        );
    }
    for (status, resolved) in [("resolved", Some("2021-03-02")), ("transferred", None), ("processing", None)] {
        let mut c = json!({"received_on": "2021-03-01", "type": "complaint", "subject": "voter_list", "summary": "X", "status": status});
        if let Some(r) = resolved {
            c["resolved_on"] = json!(r);
        }
        put(&mut store, Kind::Complaint, b, c);
    }

    let r = report::compute(&store.db(), store.node().unwrap(), date("2021-03-20")).unwrap();
    let r = serde_json::to_value(&r).unwrap();
    assert_eq!(r["unit"], json!({"code": "106", "name": "Huyện Tam Đường", "level": "district"}));
    assert_eq!(r["boards"], json!({"na": 0, "provincial": 0, "district": 1, "commune": 2}));
    assert_eq!((r["polling_areas"].clone(), r["polling_areas_separate"].clone()), (json!(3), json!(1)));
    assert_eq!(r["voters"], json!(4));
    assert_eq!(r["voters_by_sex"], json!({"male": 2, "female": 2}));
    assert_eq!(r["voters_by_level"], json!({"na": 4, "provincial": 4, "district": 3, "commune": 3}));
    let district = &r["candidates"]["district"];
    assert_eq!(
        (
            district["total"].clone(),
            district["self_nominated"].clone(),
            district["women"].clone(),
            district["ethnic_minority"].clone(),
            district["under_40"].clone()
        ),
        (json!(3), json!(1), json!(2), json!(1), json!(1))
    );
    assert_eq!(r["candidates"]["commune"]["total"], json!(2));
    assert_eq!(r["candidates"]["na"]["total"], json!(0));
    assert_eq!(
        r["consultations"]["round2"],
        json!({"districts_done": 1, "districts_total": 1, "communes_done": 2, "communes_total": 13})
    );
    assert_eq!(
        r["consultations"]["round1"],
        json!({"districts_done": 0, "districts_total": 1, "communes_done": 1, "communes_total": 13})
    );
    assert_eq!(r["consultations"]["round3"]["communes_done"], json!(0));
    let conferences = &r["voter_conferences"]["district"];
    assert_eq!(
        (conferences["areas"].clone(), conferences["communes"].clone(), conferences["districts"].clone()),
        (json!(2), json!(2), json!(1))
    );
    assert_eq!(r["voter_conferences"]["na"]["areas"], json!(0));
    assert_eq!(r["complaints"]["received"], json!(3));
    assert_eq!(r["complaints"]["resolved"], json!(1));
    assert_eq!(r["complaints"]["transferred"], json!(1));
    assert_eq!(r["complaints"]["open"], json!(1));
    assert_eq!(r["complaints"]["overdue"], json!(1));
    let timeline = r["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|t| t["milestone"] == "boards_formed" && t["status"] == "done"));
}

#[test]
fn the_readme_field_reference_matches_the_kinds() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme.find("<!-- fields:start -->").expect("README has the field reference markers");
    let end = readme.find("<!-- fields:end -->").unwrap();
    let documented = readme[start + "<!-- fields:start -->".len()..end].trim();
    let generated = sobaucu_core::kinds::markdown_reference();
    assert_eq!(documented, generated.trim(), "README.md is stale: paste the output of `sobaucu fields`");
}
