//! Election day's records and the law's checks on their figures: counting minutes that cannot
//! be are refused naming the field; a team reports each level once and corrects with a reason;
//! a candidate's votes stay within the valid ballots, a level's within valid × seats.

use chrono::NaiveDate;
use serde_json::{Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::{Error, Store};

fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "03637".parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            law: None,
        })
        .unwrap();
    (dir, store)
}

fn put(store: &mut Store, kind: Kind, v: Value) -> Result<String, Error> {
    store.write(|w| w.put(kind, Put::Create(None), None, v.as_object().unwrap())).map(|row| row.id.to_string())
}

fn update(store: &mut Store, kind: Kind, id: &str, v: Value) -> Result<(), Error> {
    store.write(|w| w.put(kind, Put::Update(id.parse().unwrap()), None, v.as_object().unwrap())).map(|_| ())
}

/// The fields an error names.
fn fields(e: Error) -> Vec<String> {
    match e {
        Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("not a validation error: {other}"),
    }
}

struct Setup {
    area: String,
    a: String,
    b: String,
    c: String,
}

/// A commune council unit of 2 seats, a polling area in it, three candidates.
fn setup(store: &mut Store) -> Setup {
    let unit =
        put(store, Kind::ElectoralUnit, json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 2}))
            .unwrap();
    let area = put(
        store,
        Kind::PollingArea,
        json!({"number": 1, "name": "Khu vực số 1", "area_type": "ordinary", "electoral_unit_commune": unit}),
    )
    .unwrap();
    let candidate = |store: &mut Store, name: &str| {
        put(
            store,
            Kind::Candidate,
            json!({"full_name": name, "level": "commune", "electoral_unit": unit, "nomination": "nominated",
                   "birth_date": "1980-01-01", "sex": "female", "status": "official"}),
        )
        .unwrap()
    };
    let a = candidate(store, "Lò Thị An");
    let b = candidate(store, "Tẩn Văn Bình");
    let c = candidate(store, "Giàng A Chư");
    Setup { area, a, b, c }
}

fn minutes(area: &str, voted: i64, issued: i64, received: i64, valid: i64, invalid: i64) -> Value {
    json!({"polling_area": area, "level": "commune", "voters_listed": 500, "voted": voted,
           "ballots_issued": issued, "ballots_received": received, "valid": valid, "invalid": invalid,
           "counted_on": "2026-03-15"})
}

#[test]
fn counting_minutes_that_cannot_be_are_refused_naming_the_field() {
    let (_dir, mut store) = ledger();
    let s = setup(&mut store);
    // More voters than listed; more ballots received than issued; valid + invalid ≠ received.
    assert_eq!(
        fields(put(&mut store, Kind::CountMinutes, minutes(&s.area, 501, 501, 501, 500, 1)).unwrap_err()),
        ["voted"]
    );
    assert_eq!(
        fields(put(&mut store, Kind::CountMinutes, minutes(&s.area, 400, 400, 401, 400, 1)).unwrap_err()),
        ["ballots_received"]
    );
    assert_eq!(
        fields(put(&mut store, Kind::CountMinutes, minutes(&s.area, 400, 400, 400, 390, 9)).unwrap_err()),
        ["valid"]
    );
    // At the limits: every voter voted, every ballot came back.
    let id = put(&mut store, Kind::CountMinutes, minutes(&s.area, 500, 500, 500, 490, 10)).unwrap();
    // A team reports each level once.
    assert_eq!(
        fields(put(&mut store, Kind::CountMinutes, minutes(&s.area, 400, 400, 400, 390, 10)).unwrap_err()),
        ["level"]
    );
    // A correction is the same minutes changed, with its reason, kept in the history.
    assert_eq!(
        fields(update(&mut store, Kind::CountMinutes, &id, json!({"valid": 489, "invalid": 11})).unwrap_err()),
        ["correction_reason"]
    );
    update(
        &mut store,
        Kind::CountMinutes,
        &id,
        json!({"valid": 489, "invalid": 11, "correction_reason": "Đếm lại phiếu"}),
    )
    .unwrap();
    let history = store.history(Kind::CountMinutes, id.parse().unwrap()).unwrap();
    assert_eq!(history.len(), 2, "the first version and the correction");
    // No district council under the 2025 units.
    let mut district = minutes(&s.area, 400, 400, 400, 390, 10);
    district["level"] = json!("district");
    assert!(fields(put(&mut store, Kind::CountMinutes, district).unwrap_err()).contains(&"level".to_string()));
}

#[test]
fn a_candidates_votes_stay_within_the_valid_ballots_and_the_seats() {
    let (_dir, mut store) = ledger();
    let s = setup(&mut store);
    let votes = |c: &str, n: i64| json!({"polling_area": s.area, "level": "commune", "candidate": c, "votes": n});
    // The minutes come first.
    assert_eq!(fields(put(&mut store, Kind::CandidateVotes, votes(&s.a, 10)).unwrap_err()), ["polling_area"]);
    put(&mut store, Kind::CountMinutes, minutes(&s.area, 100, 100, 100, 90, 10)).unwrap();
    // One candidate: at most the 90 valid ballots.
    assert_eq!(fields(put(&mut store, Kind::CandidateVotes, votes(&s.a, 91)).unwrap_err()), ["votes"]);
    put(&mut store, Kind::CandidateVotes, votes(&s.a, 90)).unwrap();
    assert_eq!(
        fields(put(&mut store, Kind::CandidateVotes, votes(&s.a, 5)).unwrap_err()),
        ["candidate"],
        "entered once"
    );
    // The level: at most 90 × 2 seats = 180 votes in all.
    put(&mut store, Kind::CandidateVotes, votes(&s.b, 80)).unwrap();
    assert_eq!(fields(put(&mut store, Kind::CandidateVotes, votes(&s.c, 11)).unwrap_err()), ["votes"]);
    put(&mut store, Kind::CandidateVotes, votes(&s.c, 10)).unwrap();
}

#[test]
fn a_turnout_report_takes_the_time_as_officials_write_it() {
    let (_dir, mut store) = ledger();
    let s = setup(&mut store);
    let id = put(
        &mut store,
        Kind::TurnoutReport,
        json!({"polling_area": s.area, "reported_at": "15/03/2026 09:00", "voted": 120}),
    )
    .unwrap();
    let row = store.get(Kind::TurnoutReport, id.parse().unwrap()).unwrap();
    assert_eq!(row["reported_at"], "2026-03-15 09:00");
    assert_eq!(
        fields(
            put(
                &mut store,
                Kind::TurnoutReport,
                json!({"polling_area": s.area, "reported_at": "2026-03-15 09:00", "voted": 130})
            )
            .unwrap_err()
        ),
        ["reported_at"],
        "one report per area and time"
    );
    assert_eq!(
        fields(
            put(
                &mut store,
                Kind::TurnoutReport,
                json!({"polling_area": s.area, "reported_at": "9 giờ sáng", "voted": 130})
            )
            .unwrap_err()
        ),
        ["reported_at"]
    );
}

/// One electoral unit of `seats` seats with one polling area counted (100 listed, `voted`
/// voted, all valid) and candidates born in the given years with their votes; its result.
fn result_of(seats: i64, voted: i64, candidates: &[(&str, i32, i64)]) -> Value {
    let (_dir, mut store) = ledger();
    let unit = put(
        &mut store,
        Kind::ElectoralUnit,
        json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": seats}),
    )
    .unwrap();
    let area = put(
        &mut store,
        Kind::PollingArea,
        json!({"number": 1, "name": "Khu vực số 1", "area_type": "ordinary", "electoral_unit_commune": unit}),
    )
    .unwrap();
    put(
        &mut store,
        Kind::CountMinutes,
        json!({"polling_area": area, "level": "commune", "voters_listed": 100, "voted": voted, "ballots_issued": voted,
               "ballots_received": voted, "valid": voted, "invalid": 0, "counted_on": "2026-03-15"}),
    )
    .unwrap();
    for (name, born, votes) in candidates {
        let id = put(
            &mut store,
            Kind::Candidate,
            json!({"full_name": name, "level": "commune", "electoral_unit": unit, "nomination": "nominated",
                   "birth_date": format!("{born}-06-01"), "sex": "male", "status": "official"}),
        )
        .unwrap();
        put(
            &mut store,
            Kind::CandidateVotes,
            json!({"polling_area": area, "level": "commune", "candidate": id, "votes": votes}),
        )
        .unwrap();
    }
    let node = store.node().unwrap().clone();
    let results = sobaucu_core::results::results(&store.db(), &node).unwrap();
    serde_json::to_value(&results["commune"].units[0]).unwrap()
}

fn elected(result: &Value) -> Vec<&str> {
    result["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["elected"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[test]
fn an_election_stands_only_with_more_than_half_of_the_listed_voters() {
    // Exactly half voted: it is held again (Art 80), within 15 days.
    let half = result_of(1, 50, &[("Lò Văn A", 1970, 40)]);
    assert_eq!(
        (half["stands"].as_bool(), half["outcome"].as_str(), half["art"].as_str()),
        (Some(false), Some("rerun_due"), Some("80"))
    );
    assert_eq!(half["due"], "2026-03-30");
    assert!(elected(&half).is_empty());
    let more = result_of(1, 51, &[("Lò Văn A", 1970, 40)]);
    assert_eq!((more["stands"].as_bool(), more["outcome"].as_str()), (Some(true), Some("elected")));
    assert_eq!(elected(&more), ["Lò Văn A"]);
}

#[test]
fn a_candidate_wins_with_more_than_half_of_the_valid_ballots_the_most_votes_first_the_older_on_a_tie() {
    // Exactly half of the valid ballots is not enough.
    let r = result_of(2, 100, &[("An", 1970, 60), ("Bình", 1980, 60), ("Chư", 1990, 50), ("Dũng", 1985, 30)]);
    assert_eq!(elected(&r), ["An", "Bình"]);
    assert_eq!(r["outcome"], "elected");
    // Three qualify for two seats, tied for the last one: the older of the two (Art 78.4).
    let r = result_of(2, 100, &[("An", 1970, 70), ("Chư", 1990, 55), ("Bình", 1980, 55)]);
    assert_eq!(elected(&r), ["An", "Bình"]);
    let binh = r["candidates"].as_array().unwrap().iter().find(|c| c["name"] == "Bình").unwrap();
    assert_eq!(binh["art"], "78.4");
    // More qualify than seats, no tie: the most votes (Art 78.3).
    let r = result_of(2, 100, &[("An", 1970, 55), ("Bình", 1980, 70), ("Chư", 1990, 60)]);
    assert_eq!(elected(&r), ["Bình", "Chư"]);
    assert_eq!(r["candidates"][0]["art"], "78.3");
    // Fewer elected than seats: a supplementary election (Art 79).
    let r = result_of(2, 100, &[("An", 1970, 70), ("Bình", 1980, 50), ("Chư", 1990, 40)]);
    assert_eq!(elected(&r), ["An"]);
    assert_eq!(
        (r["outcome"].as_str(), r["art"].as_str(), r["due"].as_str()),
        (Some("supplementary_due"), Some("79"), Some("2026-03-30"))
    );
}

#[test]
fn a_result_is_provisional_until_every_polling_area_has_counted_and_turnout_follows_the_reports() {
    let (_dir, mut store) = ledger();
    let s = setup(&mut store);
    let unit = store.get(Kind::PollingArea, s.area.parse().unwrap()).unwrap()["electoral_unit_commune"]
        .as_str()
        .unwrap()
        .to_string();
    let second = put(
        &mut store,
        Kind::PollingArea,
        json!({"number": 2, "name": "Khu vực số 2", "area_type": "ordinary", "voters": 300, "electoral_unit_commune": unit}),
    )
    .unwrap();
    put(&mut store, Kind::CountMinutes, minutes(&s.area, 400, 400, 400, 390, 10)).unwrap();
    let node = store.node().unwrap().clone();
    let results = sobaucu_core::results::results(&store.db(), &node).unwrap();
    let commune = &results["commune"];
    assert_eq!((commune.areas_reported, commune.areas_total), (1, 2));
    assert!(commune.units[0].provisional);
    assert_eq!(commune.units[0].outcome, "provisional");
    put(&mut store, Kind::CountMinutes, minutes(&second, 200, 200, 200, 190, 10)).unwrap();
    let results = sobaucu_core::results::results(&store.db(), &node).unwrap();
    assert!(!results["commune"].units[0].provisional);
    assert_eq!((results["commune"].voted, results["commune"].voters_listed), (600, 1000));

    // Turnout: each moment sums the latest report of every area at or before it.
    for (area, at, voted) in
        [(&s.area, "15/03/2026 09:00", 100), (&second, "15/03/2026 09:00", 50), (&s.area, "15/03/2026 11:00", 250)]
    {
        put(&mut store, Kind::TurnoutReport, json!({"polling_area": area, "reported_at": at, "voted": voted})).unwrap();
    }
    let points = sobaucu_core::results::turnout(&store.db()).unwrap();
    let at: Vec<(&str, i64, usize)> = points.iter().map(|p| (p.at.as_str(), p.voted, p.areas_reported)).collect();
    assert_eq!(at, [("2026-03-15 09:00", 150, 2), ("2026-03-15 11:00", 300, 2)]);
    assert_eq!(points[0].voters, 300, "the second area's expected voters; the first expects none and lists none");
}

#[test]
fn the_committee_sets_the_reporting_hours_else_the_law_datas_apply() {
    let (_dir, mut store) = ledger();
    let node = store.node().unwrap().clone();
    assert_eq!(
        sobaucu_core::results::turnout_hours(&store.db(), &node).unwrap(),
        ["09:00", "11:00", "14:00", "16:00", "19:00"]
    );
    let committee = json!({"name": "Ủy ban bầu cử xã Mường Kim", "level": "commune", "formed_on": "2025-11-20"});
    let mut bad = committee.clone();
    bad["turnout_hours"] = json!("8h, 25:00");
    assert_eq!(fields(put(&mut store, Kind::Committee, bad).unwrap_err()), ["turnout_hours"]);
    let mut good = committee;
    good["turnout_hours"] = json!("15:00, 8h, 10h30");
    let id = put(&mut store, Kind::Committee, good).unwrap();
    assert_eq!(store.get(Kind::Committee, id.parse().unwrap()).unwrap()["turnout_hours"], "08:00, 10:30, 15:00");
    assert_eq!(sobaucu_core::results::turnout_hours(&store.db(), &node).unwrap(), ["08:00", "10:30", "15:00"]);
    let day = sobaucu_core::results::election_day(&store.db(), &node).unwrap();
    assert_eq!(day["hours"], json!(["08:00", "10:30", "15:00"]));
}

#[test]
fn the_boards_minutes_complete_the_results_milestones_of_their_level() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "03390".parse().unwrap(),
            scheme: "2021".parse().unwrap(),
            election_date: NaiveDate::from_ymd_opt(2021, 5, 23).unwrap(),
            law: None,
        })
        .unwrap();
    let unit = put(
        &mut store,
        Kind::ElectoralUnit,
        json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 3}),
    )
    .unwrap();
    let area = put(
        &mut store,
        Kind::PollingArea,
        json!({"number": 1, "name": "Khu vực số 1", "area_type": "ordinary", "electoral_unit_commune": unit}),
    )
    .unwrap();
    let node = store.node().unwrap().clone();
    let on = NaiveDate::from_ymd_opt(2021, 6, 20).unwrap();
    let status = |store: &Store, id: &str| {
        let entries =
            sobaucu_core::timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, on).unwrap();
        entries.iter().find(|e| e.milestone == id).unwrap().standing.status
    };
    use sobaucu_core::timeline::Status;
    assert_eq!(status(&store, "minutes_team"), Status::Overdue);
    assert_eq!(status(&store, "results_council"), Status::Overdue);
    put(
        &mut store,
        Kind::CountMinutes,
        json!({"polling_area": area, "level": "commune", "voters_listed": 300, "voted": 250, "ballots_issued": 250,
               "ballots_received": 250, "valid": 240, "invalid": 10, "counted_on": "2021-05-24"}),
    )
    .unwrap();
    // The board confirms what the teams' minutes give, as they stand: held in the record.
    let confirmed = put(
        &mut store,
        Kind::UnitResult,
        json!({"electoral_unit": unit, "confirmed_on": "2021-05-26",
                                                              "summary": "typed over", "areas_reported": 9}),
    )
    .unwrap();
    let record = store.get(Kind::UnitResult, confirmed.parse().unwrap()).unwrap();
    assert_eq!(record["areas_reported"], 1, "computed, not typed");
    let summary = record["summary"].as_str().unwrap();
    assert!(summary.contains("1/1 khu vực bỏ phiếu") && summary.contains("250/300 cử tri"), "{summary}");
    // The team's minutes by D+3, the board's by D+5, the council's results by D+10: all on time.
    assert_eq!(status(&store, "minutes_team"), Status::Done);
    assert_eq!(status(&store, "minutes_board"), Status::Done);
    assert_eq!(status(&store, "results_council"), Status::Done);
    // The NA's results are the province's to record: at a commune, a date set elsewhere.
    assert_eq!(status(&store, "results_na"), Status::Passed);
    assert_eq!(status(&store, "official_list_na"), Status::Passed);
}

#[test]
fn an_area_voting_early_reports_on_its_own_day_and_counts_whole_on_election_day() {
    let (_dir, mut store) = ledger();
    let s = setup(&mut store);
    let other = put(
        &mut store,
        Kind::PollingArea,
        json!({"number": 2, "name": "Khu vực đồn biên phòng", "area_type": "armed", "voters": 80}),
    )
    .unwrap();
    put(
        &mut store,
        Kind::EarlyVoting,
        json!({"polling_area": other, "voting_on": "2026-03-13", "decision_no": "12/QĐ-UBBC"}),
    )
    .unwrap();
    put(
        &mut store,
        Kind::TurnoutReport,
        json!({"polling_area": other, "reported_at": "13/03/2026 09:00", "voted": 60}),
    )
    .unwrap();
    put(
        &mut store,
        Kind::TurnoutReport,
        json!({"polling_area": other, "reported_at": "13/03/2026 11:00", "voted": 80}),
    )
    .unwrap();
    put(
        &mut store,
        Kind::TurnoutReport,
        json!({"polling_area": s.area, "reported_at": "15/03/2026 09:00", "voted": 100}),
    )
    .unwrap();
    let node = store.node().unwrap().clone();
    let day = sobaucu_core::results::election_day(&store.db(), &node).unwrap();
    let early = day["areas"].as_array().unwrap().iter().find(|a| a["id"] == other.as_str()).unwrap();
    assert_eq!(early["day"], "2026-03-13");
    assert_eq!(early["reports"]["09:00"]["voted"], 60, "its grid is its own day's");
    assert_eq!(early["reports"]["11:00"]["voted"], 80);
    // On election day at 09:00: the early area counts whole (80), the other as reported (100).
    assert_eq!(day["turnout"][0]["voted"], 180);
    // 11:00 on election day: no area voting that day has reported yet.
    assert!(day["turnout"][1]["voted"].is_null());
}
