//! Every record kind's validation, good and bad cases, through the one write path of a real
//! ledger file.

use serde_json::{Map, Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::{Error, Store};

struct Ledger {
    _dir: tempfile::TempDir,
    store: Store,
}

fn ledger(unit: &str, scheme: &str, election: &str) -> Ledger {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: unit.parse().unwrap(),
            scheme: scheme.parse().unwrap(),
            election_date: chrono::NaiveDate::parse_from_str(election, "%Y-%m-%d").unwrap(),
            law: None,
        })
        .unwrap();
    Ledger { _dir: dir, store }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn save(l: &mut Ledger, kind: Kind, v: Value) -> Result<Value, Error> {
    l.store.save(kind, None, &obj(v))
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The 2026 commune ledger with one of each record that others refer to.
struct Fixture {
    l: Ledger,
    area: String,
    armed_area: String,
    commune_unit: String,
    na_unit: String,
    committee: String,
    candidate: String,
}

fn fixture() -> Fixture {
    let mut l = ledger("03637", "2025", "2026-03-15");
    let area = id_of(
        &save(&mut l, Kind::PollingArea, json!({"number": 1, "name": "KV 1", "area_type": "ordinary", "voters": 400}))
            .unwrap(),
    );
    let armed_area =
        id_of(&save(&mut l, Kind::PollingArea, json!({"number": 2, "name": "KV 2", "area_type": "armed"})).unwrap());
    let commune_unit = id_of(
        &save(&mut l, Kind::ElectoralUnit, json!({"level": "commune", "number": 1, "name": "Đơn vị số 1", "seats": 5}))
            .unwrap(),
    );
    let na_unit = id_of(
        &save(&mut l, Kind::ElectoralUnit, json!({"level": "na", "number": 1, "name": "Đơn vị QH số 1", "seats": 3}))
            .unwrap(),
    );
    let committee = id_of(
        &save(
            &mut l,
            Kind::Committee,
            json!({"name": "UBBC xã", "level": "commune", "formed_on": "30/11/2025", "size": 11}),
        )
        .unwrap(),
    );
    let candidate = id_of(
        &save(
            &mut l,
            Kind::Candidate,
            json!({"full_name": "Lò Thị Ỏn", "level": "commune", "nomination": "nominated", "birth_date": "1990-04-02",
                   "sex": "female", "status": "preliminary", "electoral_unit": commune_unit}),
        )
        .unwrap(),
    );
    Fixture { l, area, armed_area, commune_unit, na_unit, committee, candidate }
}

/// Saving `input` fails with a validation error on `field`, and nothing is written.
fn rejects(f: &mut Fixture, kind: Kind, input: Value, field: &str) {
    let before = f.l.store.counts().unwrap();
    let err = save(&mut f.l, kind, input.clone()).expect_err(&format!("{kind:?} {input} should be refused"));
    assert_eq!(err.kind(), "validation", "{kind:?} {input}: {err}");
    assert!(
        err.fields().iter().any(|e| e.field == field),
        "{kind:?} {input}: expected an error on `{field}`, got {err}"
    );
    assert_eq!(f.l.store.counts().unwrap(), before, "a refused record wrote something");
}

fn accepts(f: &mut Fixture, kind: Kind, input: Value) -> Value {
    save(&mut f.l, kind, input.clone()).unwrap_or_else(|e| panic!("{kind:?} {input} should be accepted: {e}"))
}

#[test]
fn committee() {
    let mut f = fixture();
    accepts(&mut f, Kind::Committee, json!({"name": "UBBC 2", "level": "Xã", "formed_on": "2025-12-01", "size": 17}));
    rejects(&mut f, Kind::Committee, json!({"level": "commune", "formed_on": "2025-12-01"}), "name");
    rejects(&mut f, Kind::Committee, json!({"name": "X", "level": "commune", "formed_on": "31/02/2026"}), "formed_on");
    rejects(
        &mut f,
        Kind::Committee,
        json!({"name": "X", "level": "commune", "formed_on": "2025-12-01", "size": 18}),
        "size",
    );
    rejects(&mut f, Kind::Committee, json!({"name": "X", "level": "ward", "formed_on": "2025-12-01"}), "level");
}

#[test]
fn committee_size_follows_the_law_version() {
    let mut old = ledger("03388", "2021", "2021-05-23");
    let err = save(
        &mut old,
        Kind::Committee,
        json!({"name": "X", "level": "commune", "formed_on": "2021-02-05", "size": 13}),
    )
    .unwrap_err();
    assert_eq!(err.fields()[0].field, "size");
    save(&mut old, Kind::Committee, json!({"name": "X", "level": "commune", "formed_on": "2021-02-05", "size": 11}))
        .unwrap();
}

#[test]
fn board() {
    let mut f = fixture();
    let unit = f.commune_unit.clone();
    accepts(
        &mut f,
        Kind::Board,
        json!({"name": "Ban 1", "level": "commune", "electoral_unit": unit, "formed_on": "2026-01-03", "size": 11}),
    );
    rejects(&mut f, Kind::Board, json!({"name": "Ban 2", "level": "district", "formed_on": "2026-01-03"}), "level");
    let na = f.na_unit.clone();
    rejects(
        &mut f,
        Kind::Board,
        json!({"name": "Ban 3", "level": "commune", "electoral_unit": na, "formed_on": "2026-01-03"}),
        "electoral_unit",
    );
    rejects(
        &mut f,
        Kind::Board,
        json!({"name": "Ban 4", "level": "commune", "formed_on": "2026-01-03", "size": 7}),
        "size",
    );
}

#[test]
fn team() {
    let mut f = fixture();
    let (area, armed) = (f.area.clone(), f.armed_area.clone());
    accepts(&mut f, Kind::Team, json!({"name": "Tổ 1", "polling_area": area, "formed_on": "2026-01-30", "size": 15}));
    accepts(&mut f, Kind::Team, json!({"name": "Tổ 2", "polling_area": "KV 2", "formed_on": "2026-01-30", "size": 7}));
    rejects(&mut f, Kind::Team, json!({"name": "Tổ 3", "formed_on": "2026-01-30"}), "polling_area");
    rejects(
        &mut f,
        Kind::Team,
        json!({"name": "Tổ 4", "polling_area": armed, "formed_on": "2026-01-30", "size": 12}),
        "size",
    );
    rejects(
        &mut f,
        Kind::Team,
        json!({"name": "Tổ 5", "polling_area": "KV 9", "formed_on": "2026-01-30"}),
        "polling_area",
    );
}

#[test]
fn member() {
    let mut f = fixture();
    let committee = f.committee.clone();
    accepts(&mut f, Kind::Member, json!({"full_name": "Giàng Páo Mỷ", "body": committee, "role": "Thư ký"}));
    rejects(&mut f, Kind::Member, json!({"full_name": "A", "body": committee, "role": "boss"}), "role");
    rejects(&mut f, Kind::Member, json!({"full_name": "A", "body": "00000000000000ff-9", "role": "member"}), "body");
}

#[test]
fn electoral_unit() {
    let mut f = fixture();
    accepts(&mut f, Kind::ElectoralUnit, json!({"level": "provincial", "number": 3, "name": "ĐV 3", "seats": 5}));
    rejects(&mut f, Kind::ElectoralUnit, json!({"level": "na", "number": 2, "name": "ĐV QH 2", "seats": 4}), "seats");
    rejects(
        &mut f,
        Kind::ElectoralUnit,
        json!({"level": "commune", "number": 0, "name": "ĐV 0", "seats": 3}),
        "number",
    );
    rejects(
        &mut f,
        Kind::ElectoralUnit,
        json!({"level": "commune", "number": "ba", "name": "ĐV", "seats": 3}),
        "number",
    );
}

#[test]
fn polling_area() {
    let mut f = fixture();
    accepts(
        &mut f,
        Kind::PollingArea,
        json!({"number": 3, "name": "KV 3", "area_type": "ordinary", "voters": "2.540"}),
    );
    accepts(&mut f, Kind::PollingArea, json!({"number": 4, "name": "KV 4", "area_type": "ordinary", "voters": 120}));
    rejects(
        &mut f,
        Kind::PollingArea,
        json!({"number": 5, "name": "KV 5", "area_type": "ordinary", "voters": 4001}),
        "voters",
    );
    rejects(
        &mut f,
        Kind::PollingArea,
        json!({"number": 6, "name": "KV 6", "area_type": "hospital", "voters": 30}),
        "voters",
    );
    rejects(&mut f, Kind::PollingArea, json!({"number": 7, "name": "KV 7", "area_type": "market"}), "area_type");
}

#[test]
fn voter_age_on_election_day_at_the_boundaries() {
    // Election day 15/03/2026: 18 means born on or before 15/03/2008.
    let mut f = fixture();
    let area = f.area.clone();
    let voter = |birth: &str| json!({"full_name": "Tủa Sín Chải", "birth_date": birth, "sex": "male", "polling_area": area, "ballots": "na,provincial,commune"});
    accepts(&mut f, Kind::Voter, voter("15/03/2008")); // birthday on election day
    accepts(&mut f, Kind::Voter, voter("2008-03")); // unknown day: the 1st
    accepts(&mut f, Kind::Voter, voter("2008")); // unknown month: January
    accepts(&mut f, Kind::Voter, voter("03/2008"));
    rejects(&mut f, Kind::Voter, voter("16/03/2008"), "birth_date");
    rejects(&mut f, Kind::Voter, voter("2008-04"), "birth_date");
    rejects(&mut f, Kind::Voter, voter("2009"), "birth_date");
    rejects(&mut f, Kind::Voter, voter("2027-01-01"), "birth_date");
    rejects(&mut f, Kind::Voter, voter("15/13/1990"), "birth_date");
}

#[test]
fn voter_other_rules() {
    let mut f = fixture();
    let area = f.area.clone();
    let base = json!({"full_name": "Lò Thị Ỏn", "birth_date": "1990", "sex": "Nữ", "polling_area": area, "ballots": "na,provincial,commune"});
    let with = |extra: Value| {
        let mut v = base.clone();
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    accepts(&mut f, Kind::Voter, with(json!({"temporary_under_12m": true, "ballots": ["na", "provincial"]})));
    accepts(&mut f, Kind::Voter, with(json!({"id_number": "011234567890"})));
    rejects(&mut f, Kind::Voter, with(json!({"temporary_under_12m": true})), "ballots");
    rejects(&mut f, Kind::Voter, with(json!({"ballots": "na,district"})), "ballots");
    rejects(&mut f, Kind::Voter, with(json!({"id_number": "12345"})), "id_number");
    rejects(&mut f, Kind::Voter, with(json!({"sex": "X"})), "sex");
    rejects(&mut f, Kind::Voter, with(json!({"nickname": "A"})), "nickname");
    rejects(&mut f, Kind::Voter, with(json!({"polling_area": null})), "polling_area");
    rejects(&mut f, Kind::Voter, with(json!({"full_name": "   "})), "full_name");
}

#[test]
fn candidate() {
    let mut f = fixture();
    let unit = f.commune_unit.clone();
    let base = json!({"full_name": "Vàng A Chứ", "level": "commune", "nomination": "Tự ứng cử", "birth_date": "1980-01-01",
                      "sex": "male", "status": "registered", "electoral_unit": unit});
    accepts(&mut f, Kind::Candidate, base.clone());
    let mut young = base.clone();
    young["birth_date"] = json!("2005-03-16");
    rejects(&mut f, Kind::Candidate, young, "birth_date");
    let mut listed = base.clone();
    listed["listed_on"] = json!("2026-02-20");
    rejects(&mut f, Kind::Candidate, listed.clone(), "listed_on");
    listed["status"] = json!("official");
    accepts(&mut f, Kind::Candidate, listed);
    let mut wrong_unit = base.clone();
    wrong_unit["electoral_unit"] = json!(f.na_unit.clone());
    rejects(&mut f, Kind::Candidate, wrong_unit, "electoral_unit");
}

#[test]
fn consultation() {
    let mut f = fixture();
    let saved = accepts(&mut f, Kind::Consultation, json!({"round": "2", "level": "commune", "held_on": "2026-02-03"}));
    assert_eq!(saved["title"], json!("Hiệp thương lần 2 – HĐND xã"));
    rejects(&mut f, Kind::Consultation, json!({"round": "4", "level": "commune", "held_on": "2026-02-03"}), "round");
    rejects(&mut f, Kind::Consultation, json!({"round": "1", "level": "commune"}), "held_on");
}

#[test]
fn voter_conference_quorum() {
    let mut f = fixture();
    let c = f.candidate.clone();
    let conf = |convened: i64, present: i64| json!({"candidate": c, "residential_area": "Bản Nà Khương", "held_on": "2026-02-10", "convened": convened, "present": present});
    assert_eq!(accepts(&mut f, Kind::VoterConference, conf(80, 40))["quorum"], json!(true));
    assert_eq!(accepts(&mut f, Kind::VoterConference, conf(80, 39))["quorum"], json!(false));
    assert_eq!(accepts(&mut f, Kind::VoterConference, conf(200, 55))["quorum"], json!(true));
    assert_eq!(accepts(&mut f, Kind::VoterConference, conf(200, 54))["quorum"], json!(false));
    rejects(&mut f, Kind::VoterConference, conf(50, 51), "present");
    let mut votes = conf(100, 60);
    votes["confidence_for"] = json!(50);
    votes["confidence_against"] = json!(11);
    rejects(&mut f, Kind::VoterConference, votes, "confidence_against");
}

#[test]
fn complaint() {
    let mut f = fixture();
    let saved = accepts(
        &mut f,
        Kind::Complaint,
        json!({"received_on": "2026-02-05", "type": "complaint", "subject": "voter_list", "summary": "Thiếu tên", "status": "received"}),
    );
    assert_eq!(saved["deadline"], json!("2026-02-10"));
    // About a candidate: answered no later than the day complaints close (D-10 = 05/03/2026).
    let late = accepts(
        &mut f,
        Kind::Complaint,
        json!({"received_on": "2026-03-01", "type": "complaint", "subject": "candidate", "summary": "Về ứng cử viên", "status": "received"}),
    );
    assert_eq!(late["deadline"], json!("2026-03-05"));
    rejects(
        &mut f,
        Kind::Complaint,
        json!({"received_on": "2026-02-05", "type": "denunciation", "subject": "candidate", "summary": "X", "anonymous": true, "status": "received"}),
        "status",
    );
    rejects(
        &mut f,
        Kind::Complaint,
        json!({"received_on": "2026-02-05", "type": "complaint", "subject": "other", "summary": "X", "status": "resolved"}),
        "resolved_on",
    );
    rejects(
        &mut f,
        Kind::Complaint,
        json!({"received_on": "2026-02-05", "type": "complaint", "subject": "other", "summary": "X", "status": "resolved", "resolved_on": "2026-02-01"}),
        "resolved_on",
    );
}

#[test]
fn incident_propaganda_supervision() {
    let mut f = fixture();
    accepts(&mut f, Kind::Incident, json!({"occurred_on": "2026-02-01", "place": "Bản Che Bó", "summary": "Mất điện"}));
    rejects(&mut f, Kind::Incident, json!({"occurred_on": "2026-02-01", "summary": "Mất điện"}), "place");
    accepts(&mut f, Kind::Propaganda, json!({"held_on": "2026-02-01", "activity": "Loa phát thanh", "audience": 300}));
    rejects(&mut f, Kind::Propaganda, json!({"held_on": "2026-02-01", "activity": "Loa", "audience": -1}), "audience");
    accepts(&mut f, Kind::Supervision, json!({"visited_on": "01/02/2026", "supervisor": "MTTQ tỉnh"}));
    rejects(&mut f, Kind::Supervision, json!({"visited_on": "hôm qua", "supervisor": "MTTQ tỉnh"}), "visited_on");
}

#[test]
fn units_outside_the_scope_or_unknown_are_refused() {
    let mut f = fixture();
    let input = obj(json!({"occurred_on": "2026-02-01", "place": "P", "summary": "S"}));
    let outside = f.l.store.write(|w| w.put(Kind::Incident, Put::Create(None), Some("03640".parse().unwrap()), &input));
    assert_eq!(outside.unwrap_err().kind(), "scope");
    let unknown = f.l.store.write(|w| w.put(Kind::Incident, Put::Create(None), Some("99999".parse().unwrap()), &input));
    assert_eq!(unknown.unwrap_err().kind(), "not_found");
    assert_eq!(f.l.store.counts().unwrap()["incident"], 0);
}

#[test]
fn updates_change_only_what_changed_and_deletes_are_tombstones() {
    let mut f = fixture();
    let area = f.area.clone();
    let saved = accepts(
        &mut f,
        Kind::Voter,
        json!({"full_name": "Giàng Páo Mỷ", "birth_date": "1970", "sex": "male", "polling_area": area, "ballots": "na"}),
    );
    let id: sobaucu_core::RecordId = id_of(&saved).parse().unwrap();
    let updated = f.l.store.save(Kind::Voter, Some(id), &obj(json!({"occupation": "Làm nông"}))).unwrap();
    assert_eq!(updated["full_name"], json!("Giàng Páo Mỷ"));
    assert_eq!(updated["occupation"], json!("Làm nông"));
    f.l.store.delete(Kind::Voter, id).unwrap();
    assert_eq!(f.l.store.get(Kind::Voter, id).unwrap_err().kind(), "not_found");
    let db = f.l.store.db();
    let deleted = db.row(Kind::Voter, &id).unwrap().unwrap().deleted;
    let log = db.record_changes(&id.to_string()).unwrap();
    assert_eq!((deleted, log.len()), (true, 3), "the row stays as a tombstone and each write is logged");
    assert_eq!(log[1].fields, vec![("occupation".to_string(), sobaucu_protocol::Value::Text("Làm nông".into()))]);
}

#[test]
fn voter_list_changes_carry_their_reason_and_act_on_the_voter() {
    // An election ahead of today: the list may still change.
    let mut l = ledger("03637", "2025", "2031-05-25");
    let a1 =
        id_of(&save(&mut l, Kind::PollingArea, json!({"number": 1, "name": "KV 1", "area_type": "ordinary"})).unwrap());
    let a2 =
        id_of(&save(&mut l, Kind::PollingArea, json!({"number": 2, "name": "KV 2", "area_type": "ordinary"})).unwrap());
    let voter = |l: &mut Ledger, name: &str| {
        id_of(
            &save(
                l,
                Kind::Voter,
                json!({"full_name": name, "birth_date": "1970", "sex": "male", "polling_area": a1, "ballots": "na"}),
            )
            .unwrap(),
        )
    };
    let (v1, v2, v3) = (voter(&mut l, "Giàng Páo Mỷ"), voter(&mut l, "Lò Văn Pọm"), voter(&mut l, "Tủa Sín Chải"));
    let voters = |l: &Ledger| {
        let r = sobaucu_core::report::compute(
            &l.store.db(),
            l.store.node().unwrap(),
            chrono::NaiveDate::from_ymd_opt(2031, 5, 1).unwrap(),
        )
        .unwrap();
        (r.voters, r.voters_removed, r.voters_voting_elsewhere)
    };
    assert_eq!(voters(&l), (3, 0, 0));

    let change = |v: &str, kind: &str, extra: Value| {
        let mut c = json!({"voter": v, "change": kind, "changed_on": "2031-05-01", "reason": "Theo đơn của cử tri"});
        for (k, x) in extra.as_object().unwrap() {
            c[k] = x.clone();
        }
        c
    };
    save(&mut l, Kind::ListChange, change(&v1, "removed", json!({}))).unwrap();
    assert_eq!(l.store.get(Kind::Voter, v1.parse().unwrap()).unwrap()["list_status"], json!("removed"));
    assert_eq!(voters(&l), (2, 1, 0));

    let err = save(&mut l, Kind::ListChange, change(&v2, "moved", json!({}))).unwrap_err();
    assert_eq!(err.fields()[0].field, "to_polling_area");
    save(&mut l, Kind::ListChange, change(&v2, "moved", json!({"to_polling_area": a2}))).unwrap();
    assert_eq!(l.store.get(Kind::Voter, v2.parse().unwrap()).unwrap()["polling_area"], json!(a2));

    let err = save(&mut l, Kind::ListChange, change(&v3, "votes_elsewhere", json!({}))).unwrap_err();
    assert_eq!(err.fields()[0].field, "certificate_no");
    save(&mut l, Kind::ListChange, change(&v3, "votes_elsewhere", json!({"certificate_no": "15/GCN"}))).unwrap();
    assert_eq!(voters(&l), (2, 1, 1));

    // The reason is required; the history stays.
    let mut no_reason = change(&v1, "added", json!({}));
    no_reason.as_object_mut().unwrap().remove("reason");
    assert_eq!(save(&mut l, Kind::ListChange, no_reason).unwrap_err().fields()[0].field, "reason");
    save(&mut l, Kind::ListChange, change(&v1, "added", json!({}))).unwrap();
    assert_eq!(voters(&l), (3, 0, 1));
    assert_eq!(l.store.counts().unwrap()["list_change"], 4);

    // Within 24 hours of voting (here: an election already past) the list no longer changes.
    let mut past = fixture();
    let area = past.area.clone();
    let v = id_of(&save(&mut past.l, Kind::Voter, json!({"full_name": "Lò Thị Ỏn", "birth_date": "1990", "sex": "female", "polling_area": area, "ballots": "na"})).unwrap());
    rejects(
        &mut past,
        Kind::ListChange,
        json!({"voter": v, "change": "removed", "changed_on": "2026-03-14", "reason": "Chuyển đi"}),
        "changed_on",
    );
}
