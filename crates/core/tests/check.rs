//! The law's rules at their boundaries, under both law versions, and the milestones whose
//! evidence is every record of a kind: through real ledger files and the one write path.

use chrono::NaiveDate;
use serde_json::{Value, json};
use sobaucu_core::check::{self, Finding};
use sobaucu_core::kinds::Kind;
use sobaucu_core::law::LawVersion;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::timeline::{self, Status};
use sobaucu_core::{Error, Store};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn ledger(unit: &str, scheme: &str, election: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: unit.parse().unwrap(),
            scheme: scheme.parse().unwrap(),
            election_date: date(election),
            law: None,
        })
        .unwrap();
    (dir, store)
}

fn try_put(store: &mut Store, kind: Kind, unit: &str, v: Value) -> Result<String, Error> {
    store
        .write(|w| w.put(kind, Put::Create(None), Some(unit.parse().unwrap()), v.as_object().unwrap()))
        .map(|row| row.id.to_string())
}

fn put(store: &mut Store, kind: Kind, unit: &str, v: Value) -> String {
    try_put(store, kind, unit, v).unwrap_or_else(|e| panic!("{kind:?}: {e}"))
}

fn findings(store: &Store, today: &str) -> Vec<Finding> {
    check::run(&store.db(), store.node().unwrap(), date(today)).unwrap()
}

fn rules_of(found: &[Finding], rule: &str) -> Vec<Finding> {
    found.iter().filter(|f| f.rule == rule).cloned().collect()
}

#[test]
fn official_lists_need_more_candidates_than_seats() {
    // The margins, from the law's data: NA +2 (Art 57.6); councils +1 for 1–2 seats, +2 for
    // 3, +3 for 4–5 (Art 58.3, guidance 45/VPHĐBCQG).
    for law in [LawVersion::Y2015, LawVersion::Y2025] {
        let s = &law.rules().candidate_surplus;
        let table = [
            ("na", 3, 5),
            ("na", 2, 4),
            ("commune", 1, 2),
            ("commune", 2, 3),
            ("commune", 3, 5),
            ("commune", 4, 7),
            ("provincial", 5, 8),
        ];
        for (level, seats, least) in table {
            assert_eq!(s.least(level, seats), least, "{law:?} {level} {seats}");
        }
    }
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let eu = put(
        &mut store,
        Kind::ElectoralUnit,
        "03637",
        json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 3}),
    );
    let candidate = |n: usize| {
        json!({"full_name": format!("Người ứng cử {n}"), "level": "commune", "electoral_unit": eu, "nomination": "nominated",
               "birth_date": "1980-01-01", "sex": if n.is_multiple_of(2) { "female" } else { "male" }, "status": "official",
               "listed_on": "2026-02-26"})
    };
    for n in 0..4 {
        put(&mut store, Kind::Candidate, "03637", candidate(n));
    }
    let found = rules_of(&findings(&store, "2026-03-01"), "candidate_surplus");
    assert_eq!(found.len(), 1, "4 candidates for 3 seats: 5 needed");
    assert_eq!(
        (found[0].kind.as_str(), found[0].id.as_str(), found[0].severity.as_str()),
        ("electoral_unit", eu.as_str(), "error")
    );
    assert!(found[0].message.contains("at least 5"), "{}", found[0].message);
    put(&mut store, Kind::Candidate, "03637", candidate(4));
    assert!(rules_of(&findings(&store, "2026-03-01"), "candidate_surplus").is_empty());
}

#[test]
fn voter_conferences_have_their_quorum_and_their_candidate_the_confidence() {
    for (scheme, election) in [("2021", "2021-05-23"), ("2025", "2026-03-15")] {
        let (_dir, mut store) = ledger("03637", scheme, election);
        let c = put(
            &mut store,
            Kind::Candidate,
            "03637",
            json!({"full_name": "Lò Thị Ỏn", "level": "commune", "nomination": "nominated", "birth_date": "1980-01-01", "sex": "female", "status": "preliminary"}),
        );
        // (area voters, convened, present, votes for) → quorum, confidence carried.
        let table = [
            (Some(99), 80, 40, 21, true, true),    // under 100: half of those convened present
            (Some(99), 80, 39, 20, false, true),   // one short
            (Some(100), 120, 55, 28, true, true),  // 100 or more: 55 present
            (Some(100), 120, 54, 28, false, true), // one short
            (Some(300), 120, 60, 30, true, false), // exactly half of those present is not more than half
            (Some(300), 120, 60, 31, true, true),
            (None, 80, 40, 21, true, true), // no area figure: the voters convened stand in
        ];
        for (area, convened, present, votes_for, quorum, carried) in table {
            let mut v = json!({"candidate": c, "residential_area": "Bản Nà Tăm", "held_on": "2026-02-10",
                           "convened": convened, "present": present, "confidence_for": votes_for});
            if let Some(a) = area {
                v["area_voters"] = json!(a);
            }
            let id = put(&mut store, Kind::VoterConference, "03637", v);
            let row = store.get(Kind::VoterConference, id.parse().unwrap()).unwrap();
            assert_eq!(
                (row["quorum"].as_bool(), row["confidence_carried"].as_bool()),
                (Some(quorum), Some(carried)),
                "area {area:?}, {present}/{convened} present, {votes_for} for"
            );
            let found = findings(&store, "2026-03-01");
            assert_eq!(found.iter().any(|f| f.rule == "quorum" && f.id == id), !quorum);
            assert_eq!(found.iter().any(|f| f.rule == "confidence" && f.id == id && f.severity == "warning"), !carried);
        }
    }
}

#[test]
fn the_third_consultation_sees_each_candidates_confidence() {
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let candidate = |store: &mut Store, name: &str, level: &str| {
        put(
            store,
            Kind::Candidate,
            "03637",
            json!({"full_name": name, "level": level, "nomination": "nominated", "birth_date": "1980-01-01", "sex": "female", "status": "preliminary"}),
        )
    };
    let conference = |store: &mut Store, candidate: &str, present: i64, votes_for: i64| {
        put(
            store,
            Kind::VoterConference,
            "03637",
            json!({"candidate": candidate, "residential_area": "Bản Nà Tăm", "held_on": "2026-02-10",
                   "area_voters": 300, "convened": 120, "present": present, "confidence_for": votes_for}),
        )
    };
    let on = candidate(&mut store, "Lò Thị Ỏn", "commune");
    let pom = candidate(&mut store, "Lò Văn Pọm", "commune");
    let cha = candidate(&mut store, "Vàng A Chá", "commune");
    let su = candidate(&mut store, "Vàng A Sử", "commune");
    let my = candidate(&mut store, "Giàng Páo Mỷ", "provincial");
    conference(&mut store, &on, 60, 31); // carried
    conference(&mut store, &on, 40, 40); // no quorum (55 present needed): does not count
    conference(&mut store, &pom, 60, 31); // carried
    let half = conference(&mut store, &pom, 60, 30); // half is not more than half
    conference(&mut store, &cha, 40, 40); // only a conference without quorum
    conference(&mut store, &my, 70, 60);
    let rows = check::confidence_by_candidate(&store.db(), Some("commune")).unwrap();
    let seen: Vec<(&str, &str, i64, i64, i64, i64)> = rows
        .iter()
        .map(|c| (c.full_name.as_str(), c.verdict.as_str(), c.conferences, c.carried, c.not_carried, c.without_quorum))
        .collect();
    // In the list's order: Chá, Ỏn, Pọm, Sử.
    assert_eq!(
        seen,
        [
            ("Vàng A Chá", "pending", 1, 0, 0, 1),
            ("Lò Thị Ỏn", "carried", 2, 1, 0, 1),
            ("Lò Văn Pọm", "not_carried", 2, 1, 1, 0),
            ("Vàng A Sử", "pending", 0, 0, 0, 0),
        ]
    );
    assert_eq!(rows[3].candidate, su);
    let all = check::confidence_by_candidate(&store.db(), None).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        (all[0].full_name.as_str(), all[0].verdict.as_str()),
        ("Giàng Páo Mỷ", "carried"),
        "the province's first"
    );
    // A conference deleted no longer counts.
    store.delete(Kind::VoterConference, half.parse().unwrap()).unwrap();
    let rows = check::confidence_by_candidate(&store.db(), Some("commune")).unwrap();
    assert_eq!(rows.iter().find(|c| c.candidate == pom).unwrap().verdict, "carried");
}

#[test]
fn bodies_keep_their_sizes_under_each_law_and_one_chair() {
    // Province committees: 21–31 under 2015, 23–37 under 2025; NA boards 9–15 and 9–17.
    for (scheme, election, low_ok, low_bad, board_high) in
        [("2021", "2021-05-23", 21, 20, (15, 16)), ("2025", "2026-03-15", 23, 22, (17, 18))]
    {
        let (_dir, mut store) = ledger("12", scheme, election);
        put(
            &mut store,
            Kind::Committee,
            "12",
            json!({"name": "UBBC tỉnh", "level": "province", "formed_on": "2021-01-01", "size": low_ok}),
        );
        let refused = try_put(
            &mut store,
            Kind::Committee,
            "12",
            json!({"name": "UBBC", "level": "province", "formed_on": "2021-01-01", "size": low_bad}),
        );
        assert!(matches!(refused, Err(Error::Validation(ref e)) if e[0].field == "size"), "{scheme}: {refused:?}");
        let (ok, bad) = board_high;
        put(
            &mut store,
            Kind::Board,
            "12",
            json!({"name": "Ban bầu cử ĐBQH số 1", "level": "na", "formed_on": "2021-03-01", "size": ok}),
        );
        assert!(
            try_put(
                &mut store,
                Kind::Board,
                "12",
                json!({"name": "Ban", "level": "na", "formed_on": "2021-03-01", "size": bad})
            )
            .is_err()
        );
    }
    // Members beyond the range and the chair, as `check` sees them.
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let area = put(
        &mut store,
        Kind::PollingArea,
        "03637",
        json!({"number": 1, "name": "Đồn biên phòng", "area_type": "armed"}),
    );
    let team = put(
        &mut store,
        Kind::Team,
        "03637",
        json!({"name": "Tổ bầu cử số 1", "polling_area": area, "formed_on": "2026-01-20"}),
    );
    for n in 0..10 {
        put(
            &mut store,
            Kind::Member,
            "03637",
            json!({"full_name": format!("Thành viên {n}"), "body": team, "role": "member"}),
        );
    }
    let found = findings(&store, "2026-02-01");
    let size = rules_of(&found, "body_size");
    assert_eq!(size.len(), 1, "an armed-forces team has 5 to 9 members");
    assert!(size[0].message.contains("at most 9"), "{}", size[0].message);
    assert_eq!(rules_of(&found, "body_chair").len(), 1, "no chair among its members");
    put(&mut store, Kind::Member, "03637", json!({"full_name": "Tổ trưởng", "body": team, "role": "chair"}));
    assert!(rules_of(&findings(&store, "2026-02-01"), "body_chair").is_empty());
    put(&mut store, Kind::Member, "03637", json!({"full_name": "Tổ trưởng 2", "body": team, "role": "chair"}));
    assert_eq!(rules_of(&findings(&store, "2026-02-01"), "body_chair").len(), 1, "two chairs");
}

#[test]
fn a_candidate_on_the_board_of_their_own_unit_is_flagged() {
    for (scheme, election, commune, today) in
        [("2021", "2021-05-23", "03390", "2021-04-01"), ("2025", "2026-03-15", "03637", "2026-02-01")]
    {
        let (_dir, mut store) = ledger(commune, scheme, election);
        let eu = put(
            &mut store,
            Kind::ElectoralUnit,
            commune,
            json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 3}),
        );
        let board = put(
            &mut store,
            Kind::Board,
            commune,
            json!({"name": "Ban bầu cử số 1", "level": "commune", "electoral_unit": eu, "formed_on": today}),
        );
        put(&mut store, Kind::Member, commune, json!({"full_name": "LÒ VĂN PỌM", "body": board, "role": "member"}));
        // Another name: no finding.
        put(&mut store, Kind::Member, commune, json!({"full_name": "Lò Văn Pọn", "body": board, "role": "chair"}));
        let c = put(
            &mut store,
            Kind::Candidate,
            commune,
            json!({"full_name": "Lò Văn Pọm", "level": "commune", "electoral_unit": eu, "nomination": "nominated",
               "birth_date": "1980-01-01", "sex": "male", "status": "preliminary"}),
        );
        let found = rules_of(&findings(&store, today), "art27");
        assert_eq!(found.len(), 1, "{scheme}: {found:?}");
        assert_eq!(
            (found[0].id.as_str(), found[0].severity.as_str(), found[0].article.as_str()),
            (c.as_str(), "warning", "27")
        );
    }
}

#[test]
fn voters_who_vote_where_they_are_vote_only_for_the_levels_allowed() {
    // 2015 text: NA, provincial and district councils; 2025: NA and provincial.
    for (scheme, election, commune, allowed, refused) in [
        ("2021", "2021-05-23", "03390", "na,provincial,district", "na,provincial,district,commune"),
        ("2025", "2026-03-15", "03637", "na,provincial", "na,provincial,commune"),
    ] {
        let (_dir, mut store) = ledger(commune, scheme, election);
        let area =
            put(&mut store, Kind::PollingArea, commune, json!({"number": 1, "name": "KV 1", "area_type": "ordinary"}));
        let jail = put(
            &mut store,
            Kind::PollingArea,
            commune,
            json!({"number": 2, "name": "Trại tạm giam", "area_type": "detention"}),
        );
        let voter = |ballots: &str, temporary: bool, area: &str| {
            json!({"full_name": "Cử tri", "birth_date": "1980", "sex": "male", "polling_area": area, "ballots": ballots,
                   "temporary_under_12m": temporary})
        };
        put(&mut store, Kind::Voter, commune, voter(allowed, true, &area));
        put(&mut store, Kind::Voter, commune, voter(allowed, false, &jail));
        for (ballots, temporary, at) in [(refused, true, &area), (refused, false, &jail)] {
            let e = try_put(&mut store, Kind::Voter, commune, voter(ballots, temporary, at)).unwrap_err();
            assert_eq!(e.fields()[0].field, "ballots", "{scheme}: {e}");
            assert!(e.to_string().contains("Art 29"), "{e}");
        }
        put(&mut store, Kind::Voter, commune, voter(refused, false, &area));
        assert!(rules_of(&findings(&store, "2021-01-01"), "ballots").is_empty());

        // An area made a detention facility after its voters were listed: the check names the
        // voters whose ballots it no longer allows, and only them.
        let camp =
            put(&mut store, Kind::PollingArea, commune, json!({"number": 3, "name": "KV 3", "area_type": "ordinary"}));
        let listed = put(&mut store, Kind::Voter, commune, voter(refused, false, &camp));
        put(&mut store, Kind::Voter, commune, voter(allowed, false, &camp));
        store
            .write(|w| {
                w.put(
                    Kind::PollingArea,
                    Put::Update(camp.parse().unwrap()),
                    None,
                    json!({"number": 3, "name": "Trại giam", "area_type": "detention"}).as_object().unwrap(),
                )
            })
            .unwrap();
        let found = rules_of(&findings(&store, "2021-01-01"), "ballots");
        assert_eq!(found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), [listed.as_str()], "{scheme}");
    }
}

#[test]
fn a_district_ballot_received_since_2025_is_named_and_not_before() {
    // A form refuses a district ballot since 2025; one can still arrive from another ledger.
    for (scheme, election, commune, named) in [("2021", "2021-05-23", "03390", 0), ("2025", "2026-03-15", "03637", 1)] {
        let (_dir, mut store) = ledger(commune, scheme, election);
        let area =
            put(&mut store, Kind::PollingArea, commune, json!({"number": 1, "name": "KV 1", "area_type": "ordinary"}));
        let ballots = |ballots: &str| {
            vec![
                ("full_name".to_string(), sobaucu_protocol::Value::Text("Cử tri".into())),
                ("polling_area".to_string(), sobaucu_protocol::Value::Text(area.clone())),
                ("ballots".to_string(), sobaucu_protocol::Value::Text(ballots.into())),
            ]
        };
        let received: Vec<sobaucu_protocol::Change> = ["na,provincial,district,commune", "na,provincial,commune"]
            .iter()
            .enumerate()
            .map(|(n, b)| sobaucu_protocol::Change {
                origin: sobaucu_core::NodeId(0xfeed),
                seq: n as u64 + 1,
                record_node: sobaucu_core::NodeId(0xfeed),
                record_counter: n as u64 + 1,
                kind: "voter".into(),
                unit: commune.into(),
                hlc: 1,
                fields: ballots(b),
                ..sobaucu_protocol::Change::default()
            })
            .collect();
        store.apply(&received, Some("far-off"), None).unwrap();
        let found = rules_of(&findings(&store, "2021-01-01"), "ballots");
        assert_eq!(found.len(), named, "{scheme}: {found:?}");
        if named == 1 {
            assert_eq!(found[0].id, "000000000000feed-1");
        }
    }
}

#[test]
fn late_dossiers_and_complaints_are_named() {
    for (scheme, election, commune, due) in
        [("2021", "2021-05-23", "03390", "2021-03-14"), ("2025", "2026-03-15", "03637", "2026-02-01")]
    {
        let (_dir, mut store) = ledger(commune, scheme, election);
        let candidate = |received: &str| {
            json!({"full_name": "Người ứng cử", "level": "commune", "nomination": "self", "birth_date": "1980-01-01",
                   "sex": "female", "status": "registered", "dossier_received_on": received})
        };
        put(&mut store, Kind::Candidate, commune, candidate(due));
        let day_after = (date(due) + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let late = put(&mut store, Kind::Candidate, commune, candidate(&day_after));
        let found = rules_of(&findings(&store, due), "late_dossier");
        assert_eq!(found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), [late.as_str()], "{scheme}");
    }
    // Voter-list complaints: filed within 30 days of posting, answered within 5 (Art 33);
    // candidates' complaints by the day complaints close (Art 61); others have no deadline here.
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    put(
        &mut store,
        Kind::PollingArea,
        "03637",
        json!({"number": 1, "name": "KV 1", "area_type": "ordinary", "list_posted_on": "2026-02-01"}),
    );
    let complaint = |subject: &str, received: &str| json!({"received_on": received, "type": "complaint", "subject": subject, "summary": "Thiếu tên", "status": "received"});
    let in_time = put(&mut store, Kind::Complaint, "03637", complaint("voter_list", "2026-03-03"));
    let too_late = put(&mut store, Kind::Complaint, "03637", complaint("voter_list", "2026-03-04"));
    let about_candidate = put(&mut store, Kind::Complaint, "03637", complaint("candidate", "2026-02-20"));
    let other = put(&mut store, Kind::Complaint, "03637", complaint("other", "2026-02-20"));
    let deadline = |id: &str| store.get(Kind::Complaint, id.parse().unwrap()).unwrap()["deadline"].clone();
    assert_eq!(deadline(&in_time), json!("2026-03-08"));
    assert_eq!(deadline(&about_candidate), json!("2026-03-05"), "D−10");
    assert_eq!(deadline(&other), Value::Null);
    let window = rules_of(&findings(&store, "2026-03-04"), "complaint_window");
    assert_eq!(window.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), [too_late.as_str()]);
    let overdue = rules_of(&findings(&store, "2026-03-09"), "complaint_overdue");
    let mut ids: Vec<&str> = overdue.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    let mut expected = vec![in_time.as_str(), about_candidate.as_str()];
    expected.sort();
    assert_eq!(ids, expected, "the voter-list complaint due 08/03 and the candidate's due 05/03");
}

#[test]
fn the_lists_aim_at_their_targets() {
    for (scheme, election, today) in [("2021", "2021-05-23", "2021-04-01"), ("2025", "2026-03-15", "2026-02-01")] {
        let (_dir, mut store) = ledger("12", scheme, election);
        let candidate = |n: usize, level: &str, sex: &str, ethnicity: &str| {
            json!({"full_name": format!("Người {n}"), "level": level, "nomination": "nominated", "birth_date": "1980-01-01",
               "sex": sex, "ethnicity": ethnicity, "status": "preliminary"})
        };
        // 20 provincial candidates, 7 women: 35%, no warning; NA: 1 minority among 6 (16.7%).
        for n in 0..20 {
            put(
                &mut store,
                Kind::Candidate,
                "12",
                candidate(n, "provincial", if n < 7 { "female" } else { "male" }, "Kinh"),
            );
        }
        for n in 0..6 {
            put(
                &mut store,
                Kind::Candidate,
                "12",
                candidate(100 + n, "na", "female", if n == 0 { "Mông" } else { "Kinh" }),
            );
        }
        let found = findings(&store, today);
        assert!(rules_of(&found, "women_target").is_empty(), "{found:?}");
        let minority = rules_of(&found, "minority_target");
        assert_eq!(minority.len(), 1);
        assert_eq!(minority[0].severity, "warning");
        put(&mut store, Kind::Candidate, "12", candidate(50, "provincial", "male", "Kinh"));
        assert_eq!(rules_of(&findings(&store, today), "women_target").len(), 1, "7 of 21 is under 35%");
        // One more NA candidate of a minority: 2 of 7 (28.6%) reaches 18%.
        put(&mut store, Kind::Candidate, "12", candidate(200, "na", "male", "Thái"));
        assert!(rules_of(&findings(&store, today), "minority_target").is_empty(), "{scheme}");
    }
}

#[test]
fn every_milestone_of_every_record_is_done_with_all_of_them_and_not_with_one() {
    // Each milestone whose evidence is every record of a kind, under both laws: two electoral
    // units or polling areas; the first record (on time) leaves it undone, overdue once due;
    // the second (a day late) makes it done late, on that day.
    for (scheme, election, commune) in [("2021", "2021-05-23", "03390"), ("2025", "2026-03-15", "03637")] {
        let (_dir, mut store) = ledger(commune, scheme, election);
        let node = store.node().unwrap().clone();
        let rules = node.law.rules();
        let status = |store: &Store, milestone: &str, today: NaiveDate| {
            let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, today).unwrap();
            let e = entries.into_iter().find(|e| e.milestone == milestone).unwrap();
            (e.standing.status, e.standing.done_on)
        };
        let eus: Vec<String> = (1..=2)
            .map(|n| {
                put(
                    &mut store,
                    Kind::ElectoralUnit,
                    commune,
                    json!({"level": "commune", "number": n, "name": format!("Đơn vị {n}"), "seats": 3}),
                )
            })
            .collect();
        let areas: Vec<String> = (1..=2)
            .map(|n| {
                put(
                    &mut store,
                    Kind::PollingArea,
                    commune,
                    json!({"number": n, "name": format!("KV {n}"), "area_type": "ordinary"}),
                )
            })
            .collect();
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        type Record = fn(&mut Store, &str, &str, &str, &str);
        let board: Record = |s, unit, of, on, n| {
            put(
                s,
                Kind::Board,
                unit,
                json!({"name": format!("Ban {n}"), "level": "commune", "electoral_unit": of, "formed_on": on}),
            );
        };
        let team: Record = |s, unit, of, on, n| {
            put(s, Kind::Team, unit, json!({"name": format!("Tổ {n}"), "polling_area": of, "formed_on": on}));
        };
        let list: Record = |s, _, of, on, _| {
            s.save(Kind::PollingArea, Some(of.parse().unwrap()), json!({"list_posted_on": on}).as_object().unwrap())
                .unwrap();
        };
        let candidates: Record = |s, _, of, on, _| {
            s.save(
                Kind::PollingArea,
                Some(of.parse().unwrap()),
                json!({"candidates_posted_on": on}).as_object().unwrap(),
            )
            .unwrap();
        };
        let notice: Record = |s, unit, of, on, _| {
            put(s, Kind::Readiness, unit, json!({"polling_area": of, "checked_on": on, "notice_posted_on": on}));
        };
        let cards: Record = |s, unit, of, on, _| {
            put(
                s,
                Kind::VoterCards,
                unit,
                json!({"polling_area": of, "printed": 400, "delivered": 398, "delivered_on": on}),
            );
        };
        let table: [(&str, &Vec<String>, Record); 6] = [
            ("boards_formed", &eus, board),
            ("teams_formed", &areas, team),
            ("voter_list_posted", &areas, list),
            ("candidate_list_posted", &areas, candidates),
            ("voting_announced", &areas, notice),
            ("voter_cards_delivered", &areas, cards),
        ];
        for (milestone, of, record) in table {
            let m = rules.milestone(milestone).unwrap_or_else(|| panic!("{scheme}: {milestone}"));
            let due = m.due(node.election_date);
            let one_day = chrono::Duration::days(1);
            record(&mut store, commune, &of[0], &day(due - one_day), "1");
            assert_eq!(status(&store, milestone, due - one_day), (Status::DueSoon, None), "{scheme} {milestone}: one");
            assert_eq!(status(&store, milestone, due + one_day).0, Status::Overdue, "{scheme} {milestone}: one");
            record(&mut store, commune, &of[1], &day(due + one_day), "2");
            assert_eq!(
                status(&store, milestone, due + one_day * 2),
                (Status::DoneLate, Some(due + one_day)),
                "{scheme} {milestone}: all"
            );
        }
    }
}

#[test]
fn a_record_dated_after_today_does_not_make_a_milestone_done() {
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let node = store.node().unwrap().clone();
    put(
        &mut store,
        Kind::Committee,
        "03637",
        json!({"name": "Ủy ban bầu cử xã", "level": "commune", "formed_on": "2026-01-20", "size": 11}),
    );
    let status = |today: &str| {
        let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date(today)).unwrap();
        entries.into_iter().find(|e| e.milestone == "committees_formed").map(|e| e.standing.status).unwrap()
    };
    assert!(!status("2026-01-10").is_done(), "dated ten days ahead");
    assert!(status("2026-01-20").is_done(), "done on its day");
}

#[test]
fn milestones_are_done_only_when_every_record_they_need_is_there() {
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let node = store.node().unwrap().clone();
    let status = |store: &Store, milestone: &str, today: &str| {
        let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date(today)).unwrap();
        let e = entries.into_iter().find(|e| e.milestone == milestone).unwrap();
        (e.standing.status, e.standing.done_on)
    };
    // Two electoral units: one board is not enough; the second makes it done on its date.
    let eus: Vec<String> = (1..=2)
        .map(|n| {
            put(
                &mut store,
                Kind::ElectoralUnit,
                "03637",
                json!({"level": "commune", "number": n, "name": format!("Đơn vị {n}"), "seats": 3}),
            )
        })
        .collect();
    put(
        &mut store,
        Kind::Board,
        "03637",
        json!({"name": "Ban 1", "level": "commune", "electoral_unit": eus[0], "formed_on": "2026-01-03"}),
    );
    assert_eq!(status(&store, "boards_formed", "2026-01-02").0, Status::DueSoon, "D−70 is 04/01");
    put(
        &mut store,
        Kind::Board,
        "03637",
        json!({"name": "Ban 2", "level": "commune", "electoral_unit": eus[1], "formed_on": "2026-01-06"}),
    );
    assert_eq!(status(&store, "boards_formed", "2026-01-10"), (Status::DoneLate, Some(date("2026-01-06"))));

    // Two polling areas: a team, the voter list and the candidate list at each, the notice and
    // the voter cards at each.
    let areas: Vec<String> = (1..=2)
        .map(|n| {
            put(
                &mut store,
                Kind::PollingArea,
                "03637",
                json!({"number": n, "name": format!("KV {n}"), "area_type": "ordinary"}),
            )
        })
        .collect();
    put(&mut store, Kind::Team, "03637", json!({"name": "Tổ 1", "polling_area": areas[0], "formed_on": "2026-01-28"}));
    assert_eq!(status(&store, "teams_formed", "2026-02-02").0, Status::Overdue);
    put(&mut store, Kind::Team, "03637", json!({"name": "Tổ 2", "polling_area": areas[1], "formed_on": "2026-01-30"}));
    assert_eq!(status(&store, "teams_formed", "2026-02-02"), (Status::Done, Some(date("2026-01-30"))));
    store
        .save(
            Kind::PollingArea,
            Some(areas[0].parse().unwrap()),
            json!({"list_posted_on": "2026-02-02"}).as_object().unwrap(),
        )
        .unwrap();
    assert_eq!(status(&store, "voter_list_posted", "2026-02-10").0, Status::Overdue);
    store
        .save(
            Kind::PollingArea,
            Some(areas[1].parse().unwrap()),
            json!({"list_posted_on": "2026-02-03"}).as_object().unwrap(),
        )
        .unwrap();
    assert_eq!(status(&store, "voter_list_posted", "2026-02-10"), (Status::Done, Some(date("2026-02-03"))));
    for (i, area) in areas.iter().enumerate() {
        put(
            &mut store,
            Kind::Readiness,
            "03637",
            json!({"polling_area": area, "checked_on": "2026-03-01", "notice_posted_on": "2026-03-01"}),
        );
        put(
            &mut store,
            Kind::VoterCards,
            "03637",
            json!({"polling_area": area, "printed": 400, "delivered": 398, "delivered_on": format!("2026-03-1{}", i + 1)}),
        );
    }
    assert_eq!(status(&store, "voting_announced", "2026-03-10"), (Status::Done, Some(date("2026-03-01"))));
    assert_eq!(status(&store, "voter_cards_delivered", "2026-03-13"), (Status::Done, Some(date("2026-03-12"))));
    assert_eq!(status(&store, "list_changes_close", "2026-03-10").0, Status::Upcoming);
}

#[test]
fn a_polling_area_voting_early_is_judged_on_its_own_day() {
    let (_dir, mut store) = ledger("03637", "2025", "2026-03-15");
    let area = put(
        &mut store,
        Kind::PollingArea,
        "03637",
        json!({"number": 1, "name": "Bản Hon", "area_type": "ordinary", "list_posted_on": "2026-01-25"}),
    );
    // Votes a week early: its team was due a week before the commune's (D−43 − 7 = 24/01).
    put(
        &mut store,
        Kind::EarlyVoting,
        "03637",
        json!({"polling_area": area, "voting_on": "2026-03-08", "decision_no": "15/QĐ-UBBC"}),
    );
    put(&mut store, Kind::Team, "03637", json!({"name": "Tổ 1", "polling_area": area, "formed_on": "2026-01-27"}));
    let found = rules_of(&findings(&store, "2026-01-28"), "early_voting");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("24/01/2026"), "{}", found[0].message);
    // The commune's timeline holds the area's own milestones, counted back from 08/03, each
    // done by the area's own records; the commune's own stay on 15/03.
    let node = store.node().unwrap().clone();
    let entries =
        timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, date("2026-01-28")).unwrap();
    let own = |id: &str| {
        entries.iter().find(|e| e.milestone == id && e.polling_area.as_deref() == Some(area.as_str())).unwrap()
    };
    let team = own("teams_formed");
    assert_eq!(
        (team.due, team.standing.status, team.standing.days_late),
        (date("2026-01-24"), Status::DoneLate, Some(3))
    );
    assert!(team.vi.contains("Bản Hon") && team.vi.contains("bỏ phiếu sớm ngày 08/03/2026"), "{}", team.vi);
    let posted = own("voter_list_posted");
    assert_eq!((posted.due, posted.standing.status), (date("2026-01-27"), Status::Done));
    assert_eq!(own("voter_cards_delivered").due, date("2026-03-05"));
    assert_eq!(own("campaigning_ends").due, date("2026-03-07"));
    assert_eq!(own("voting_day").due, date("2026-03-08"));
    assert!(entries.iter().all(|e| e.polling_area.is_none() || e.early_voting.is_some()));
    assert!(
        !entries.iter().any(|e| e.milestone == "boards_formed" && e.polling_area.is_some()),
        "not a polling area's"
    );
    let commune = entries.iter().find(|e| e.milestone == "teams_formed" && e.polling_area.is_none()).unwrap();
    assert_eq!((commune.due, commune.standing.status), (date("2026-01-31"), Status::Done));
    assert!(
        try_put(
            &mut store,
            Kind::EarlyVoting,
            "03637",
            json!({"polling_area": area, "voting_on": "2026-03-15", "decision_no": "x"})
        )
        .is_err()
    );
}

#[test]
fn the_progress_board_counts_the_findings_of_each_unit_and_those_below() {
    let (_dir, mut store) = ledger("12", "2021", "2021-05-23");
    let c = put(
        &mut store,
        Kind::Candidate,
        "03390",
        json!({"full_name": "Lò Thị Ỏn", "level": "commune", "nomination": "nominated", "birth_date": "1980-01-01", "sex": "female", "status": "preliminary"}),
    );
    put(
        &mut store,
        Kind::VoterConference,
        "03390",
        json!({"candidate": c, "residential_area": "Bản Nà Tăm", "held_on": "2021-04-10", "area_voters": 200, "convened": 120, "present": 40, "confidence_for": 10}),
    );
    let node = store.node().unwrap().clone();
    let now = date("2021-04-20").and_hms_opt(9, 0, 0).unwrap();
    let board = sobaucu_core::progress::board(&store.db(), &node, None, now).unwrap();
    let tam_duong = board.units.iter().find(|u| u.code == "106").unwrap();
    assert_eq!((tam_duong.issues.errors, tam_duong.issues.warnings), (1, 1), "no quorum; no confidence");
    let other = board.units.iter().find(|u| u.code == "107").unwrap();
    assert_eq!((other.issues.errors, other.issues.warnings), (0, 0));
    let drilled = sobaucu_core::progress::board(&store.db(), &node, Some(&"106".parse().unwrap()), now).unwrap();
    let commune = drilled.units.iter().find(|u| u.code == "03390").unwrap();
    assert_eq!(commune.issues.errors, 1);
    let json = serde_json::to_value(&board).unwrap();
    assert!(json["units"][0]["issues"]["errors"].is_number(), "progress --json carries the counts");
}
