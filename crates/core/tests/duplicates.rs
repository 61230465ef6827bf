//! Duplicate voters across communes, on a real district ledger (Huyện Tam Đường, 2021 units)
//! holding the lists of four of its communes: what is found, by which rule, what is not, and
//! what a decision writes.

use serde_json::{Map, Value, json};
use sobaucu_core::duplicates::{DecideRequest, Decision, Options, Pair, Rule};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::{Error, RecordId, Store};

const DISTRICT: &str = "106";
const COMMUNES: [&str; 4] = ["03390", "03394", "03400", "03405"];

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

struct Ledger {
    _dir: tempfile::TempDir,
    store: Store,
    /// One polling area per commune, in the order of `COMMUNES`.
    areas: Vec<String>,
}

impl Ledger {
    fn new() -> Ledger {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
        store
            .init(InitOptions {
                unit: DISTRICT.parse().unwrap(),
                scheme: "2021".parse().unwrap(),
                election_date: chrono::NaiveDate::from_ymd_opt(2031, 5, 25).unwrap(),
                law: None,
            })
            .unwrap();
        let mut ledger = Ledger { _dir: dir, store, areas: Vec::new() };
        for commune in COMMUNES {
            let area = ledger.put(
                Kind::PollingArea,
                commune,
                json!({"number": 1, "name": format!("Khu vực bỏ phiếu số 1 ({commune})"), "area_type": "ordinary"}),
            );
            ledger.areas.push(area);
        }
        ledger
    }

    fn put(&mut self, kind: Kind, unit: &str, v: Value) -> String {
        self.store
            .write(|w| w.put(kind, Put::Create(None), Some(unit.parse().unwrap()), &obj(v)))
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"))
            .id
            .to_string()
    }

    /// A voter of commune `COMMUNES[commune]`.
    fn voter(&mut self, commune: usize, name: &str, birth: &str, id_number: Option<&str>) -> String {
        let mut v = json!({"full_name": name, "birth_date": birth, "sex": "male", "ethnicity": "Mông",
            "permanent_residence": "Bản Thèn Sin", "polling_area": self.areas[commune],
            "ballots": "na,provincial,district,commune"});
        if let Some(id) = id_number {
            v["id_number"] = json!(id);
        }
        self.put(Kind::Voter, COMMUNES[commune], v)
    }

    fn find(&self, options: Options) -> Vec<Pair> {
        self.store.duplicates(&options).unwrap()
    }

    fn decide(&mut self, a: &str, b: &str, decision: Decision, reason: Option<&str>) -> Result<Value, Error> {
        let request = DecideRequest {
            a: a.parse().unwrap(),
            b: b.parse().unwrap(),
            decision,
            reason: reason.map(str::to_string),
            on: chrono::NaiveDate::from_ymd_opt(2031, 4, 20).unwrap(),
        };
        self.store.decide_duplicate(&request).map(|d| serde_json::to_value(d).unwrap())
    }
}

fn id(s: &str) -> RecordId {
    s.parse().unwrap()
}

/// Each pair as (rule, score, id a, id b) with the two ids sorted, for comparing sets.
fn summary(pairs: &[Pair]) -> Vec<(Rule, u8, String, String)> {
    let mut out: Vec<_> = pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.a.id.clone(), p.b.id.clone());
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (p.rule, p.score, a, b)
        })
        .collect();
    out.sort();
    out
}

fn pair(rule: Rule, score: u8, a: &str, b: &str) -> (Rule, u8, String, String) {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    (rule, score, a.to_string(), b.to_string())
}

/// The planted records and the pairs they must give.
struct Planted {
    l: Ledger,
    expected: Vec<(Rule, u8, String, String)>,
    marks: (String, String),
    years: (String, String),
    same_commune: (String, String),
}

fn planted() -> Planted {
    let mut l = Ledger::new();
    let mut expected = Vec::new();

    // Marks, case and extra spaces differ; the same full date of birth.
    let marks = (l.voter(0, "Giàng Páo Mỷ", "04/03/1975", None), l.voter(1, "GIANG  PAO   MY", "1975-03-04", None));
    expected.push(pair(Rule::NameBirth, 90, &marks.0, &marks.1));
    // đ = d, both known only by the year of birth.
    let years = (l.voter(0, "Đặng Thị Đào", "1980", None), l.voter(2, "dang thi dao", "1980", None));
    expected.push(pair(Rule::NameBirth, 70, &years.0, &years.1));
    // The same month of birth.
    let months = (l.voter(1, "Lầu A Sính", "06/1971", None), l.voter(3, "Lầu A Sính", "1971-06", None));
    expected.push(pair(Rule::NameBirth, 80, &months.0, &months.1));
    // A year of birth against a full date of the same year: a weaker match.
    let partial = (l.voter(0, "Lò Văn Ỏn", "1960", None), l.voter(3, "Lo Van On", "1960-07-08", None));
    expected.push(pair(Rule::NameBirth, 60, &partial.0, &partial.1));
    // The same ID number, the name spelt otherwise.
    let spelt = (
        l.voter(1, "Sùng Thị Dợ", "1990-01-02", Some("012345678901")),
        l.voter(2, "Xùng Thị Rợ", "1990-01-02", Some("012345678901")),
    );
    expected.push(pair(Rule::IdNumber, 90, &spelt.0, &spelt.1));
    // The same ID number and name: the surest.
    let same = (
        l.voter(0, "Thào A Vư", "1988-08-08", Some("098765432109")),
        l.voter(3, "Thào A Vư", "1988-08-08", Some("098765432109")),
    );
    expected.push(pair(Rule::IdNumber, 100, &same.0, &same.1));
    // An ID number on one side only: the name and the birth date decide.
    let one_id =
        (l.voter(0, "Mùa A Pó", "1955-05-05", Some("333333333333")), l.voter(2, "Mua A Po", "1955-05-05", None));
    expected.push(pair(Rule::NameBirth, 90, &one_id.0, &one_id.1));

    // Look-alikes that are different people.
    l.voter(1, "Giàng Páo Mỷ", "1975-03-05", None); // same name, another day of birth
    l.voter(2, "Lò Văn Ỏn", "1961", None); // same name, another year
    l.voter(2, "Giàng Páo Mý", "1975-04", None); // same name, another month
    l.voter(3, "Giàng Páo Mua", "1975-03-04", None); // same birth date, another name
    l.voter(1, "Lò Văn Un", "1960", None); // same year, another name
    l.voter(0, "Tráng A Sử", "1985-06-07", Some("111111111111")); // same name and birth date,
    l.voter(3, "Tráng A Sử", "1985-06-07", Some("222222222222")); // different ID numbers

    // Twice in one commune: the commune's own business, shown only on request.
    let same_commune = (l.voter(2, "Vàng Thị Mua", "1970-02-02", None), l.voter(2, "Vàng Thị Mua", "1970-02-02", None));

    // Already removed from one list: no pair.
    l.voter(0, "Hờ A Chá", "1966-06-06", None);
    let removed = l.voter(1, "Hờ A Chá", "1966-06-06", None);
    l.put(
        Kind::ListChange,
        COMMUNES[1],
        json!({"voter": removed, "change": "removed", "changed_on": "2031-04-01", "reason": "Chuyển đi nơi khác"}),
    );
    // Deleted: no pair.
    l.voter(0, "Chang Seo Lử", "1977-07-07", None);
    let deleted = l.voter(3, "Chang Seo Lử", "1977-07-07", None);
    l.store.delete(Kind::Voter, id(&deleted)).unwrap();

    expected.sort();
    Planted { l, expected, marks, years, same_commune }
}

#[test]
fn planted_duplicates_across_communes_are_found_by_the_right_rule_and_look_alikes_are_not() {
    let p = planted();
    let pairs = p.l.find(Options::default());
    assert_eq!(summary(&pairs), p.expected);

    // Surest first; each side carries the voter's fields and its commune.
    let scores: Vec<u8> = pairs.iter().map(|p| p.score).collect();
    let mut sorted = scores.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(scores, sorted);
    let first = &pairs[0];
    assert_eq!(first.score, 100);
    assert_eq!(first.a.full_name.as_deref(), Some("Thào A Vư"));
    assert_eq!((first.a.unit.as_str(), first.a.unit_name.as_deref()), ("03390", Some("Thị trấn Tam Đường")));
    assert_eq!((first.b.unit.as_str(), first.b.unit_name.as_deref()), ("03405", Some("Xã Giang Ma")));
    assert_eq!(first.b.polling_area_title.as_deref(), Some("Khu vực bỏ phiếu số 1 (03405)"));
    let json = serde_json::to_value(first).unwrap();
    for key in
        ["id", "unit", "unit_name", "full_name", "birth_date", "sex", "permanent_residence", "polling_area_title"]
    {
        assert!(json["a"][key].is_string(), "a side has `{key}`");
    }
    assert_eq!(json["a"]["id_number"], "098765432109");
    assert_eq!(json["rule"], "id_number");
    assert!(json.get("decision").is_none());
}

#[test]
fn pairs_within_one_commune_are_listed_on_request() {
    let p = planted();
    let all = p.l.find(Options { include_same_unit: true, ..Options::default() });
    let mut expected = p.expected.clone();
    expected.push(pair(Rule::NameBirth, 90, &p.same_commune.0, &p.same_commune.1));
    expected.sort();
    assert_eq!(summary(&all), expected);
}

#[test]
fn keeping_both_makes_the_pair_drop_out_and_is_a_record() {
    let mut p = planted();
    let (a, b) = p.marks.clone();
    let decided = p.l.decide(&b, &a, Decision::KeepBoth, Some("Hai người khác nhau, đã xác minh")).unwrap();
    assert!(decided["list_change_id"].is_null());

    let pairs = p.l.find(Options::default());
    assert_eq!(pairs.len(), p.expected.len() - 1);
    let decided_pair = pair(Rule::NameBirth, 90, &a, &b);
    assert!(!summary(&pairs).contains(&decided_pair));

    // Listed again with --all, with the decision.
    let all = p.l.find(Options { include_decided: true, ..Options::default() });
    assert_eq!(summary(&all), p.expected);
    let shown = all.iter().find(|p| p.decision.is_some()).unwrap();
    let decision = shown.decision.as_ref().unwrap();
    assert_eq!(decision.decision.as_deref(), Some("keep_both"));
    assert_eq!(decision.id, decided["decision_id"].as_str().unwrap());

    // The decision is a record of the district (both communes lie in it), in the change log.
    let id = decided["decision_id"].as_str().unwrap();
    let record = p.l.store.get(Kind::DuplicateDecision, id.parse().unwrap()).unwrap();
    assert_eq!(record["unit"], DISTRICT);
    assert_eq!(record["decided_on"], "2031-04-20");
    let logged = p.l.store.db().record_changes(id).unwrap();
    assert_eq!(logged[0].unit, DISTRICT);

    // A pair is decided once.
    let again = p.l.decide(&a, &b, Decision::KeepBoth, None).unwrap_err();
    assert!(again.to_string().contains("already decided"), "{again}");
}

#[test]
fn removing_one_voter_writes_a_list_change_in_its_commune_and_takes_it_off_the_list() {
    let mut p = planted();
    let (a, b) = p.years.clone();
    let reason = "Trùng tên với danh sách xã Giang Ma";

    // Refused: no reason; a voter outside the pair; the same voter twice; an unknown voter.
    let no_reason = p.l.decide(&a, &b, Decision::Remove(id(&b)), None).unwrap_err();
    assert!(no_reason.fields().iter().any(|f| f.field == "reason"), "{no_reason}");
    let outsider = p.l.decide(&a, &b, Decision::Remove(id(&p.marks.0)), Some(reason)).unwrap_err();
    assert!(outsider.fields().iter().any(|f| f.field == "removed_voter"), "{outsider}");
    assert!(p.l.decide(&a, &a, Decision::KeepBoth, None).is_err());
    let unknown = p.l.decide(&a, "00000000000000aa-99", Decision::KeepBoth, None).unwrap_err();
    assert!(unknown.to_string().contains("00000000000000aa-99"), "{unknown}");
    // Nothing of the refused decisions was written.
    assert_eq!(p.l.find(Options::default()).len(), p.expected.len());

    let decided = p.l.decide(&a, &b, Decision::Remove(id(&b)), Some(reason)).unwrap();
    let voter = p.l.store.get(Kind::Voter, id(&b)).unwrap();
    assert_eq!(voter["list_status"], "removed");
    assert_eq!(voter["unit"], COMMUNES[2]);

    let change_id = decided["list_change_id"].as_str().unwrap();
    let change = p.l.store.get(Kind::ListChange, change_id.parse().unwrap()).unwrap();
    assert_eq!(change["voter"], b.as_str());
    assert_eq!(change["change"], "removed");
    assert_eq!(change["reason"], reason);
    assert_eq!(change["changed_on"], "2031-04-20");
    // In the voter's own commune, so the change syncs to it.
    assert_eq!(change["unit"], COMMUNES[2]);

    let decision = p.l.store.get(Kind::DuplicateDecision, decided["decision_id"].as_str().unwrap().parse().unwrap());
    let decision = decision.unwrap();
    assert_eq!(decision["decision"], "removed");
    assert_eq!(decision["removed_voter"], b.as_str());

    let pairs = p.l.find(Options::default());
    assert_eq!(pairs.len(), p.expected.len() - 1);
    let all = p.l.find(Options { include_decided: true, ..Options::default() });
    assert_eq!(summary(&all), p.expected);
}

#[test]
fn a_decision_record_is_validated_like_any_record() {
    let mut p = planted();
    let (a, b) = p.marks.clone();
    let save = |l: &mut Ledger, v: Value| l.store.save(Kind::DuplicateDecision, None, &obj(v));
    let fields_of = |e: Error| e.fields().iter().map(|f| f.field.clone()).collect::<Vec<_>>();

    let e = save(&mut p.l, json!({"voter_a": a, "voter_b": a, "decision": "keep_both", "decided_on": "2031-04-20"}));
    assert_eq!(fields_of(e.unwrap_err()), ["voter_b"]);
    let e = save(&mut p.l, json!({"voter_a": a, "voter_b": b, "decision": "removed", "decided_on": "2031-04-20"}));
    assert_eq!(fields_of(e.unwrap_err()), ["removed_voter", "reason"]);
    let e = save(
        &mut p.l,
        json!({"voter_a": a, "voter_b": b, "decision": "removed", "removed_voter": p.years.0,
               "reason": "x", "decided_on": "2031-04-20"}),
    );
    assert_eq!(fields_of(e.unwrap_err()), ["removed_voter"]);
    let e = save(
        &mut p.l,
        json!({"voter_a": a, "voter_b": b, "decision": "keep_both", "removed_voter": a, "decided_on": "2031-04-20"}),
    );
    assert_eq!(fields_of(e.unwrap_err()), ["removed_voter"]);
    let e = save(
        &mut p.l,
        json!({"voter_a": a, "voter_b": "00000000000000aa-99", "decision": "keep_both", "decided_on": "2031-04-20"}),
    );
    assert_eq!(fields_of(e.unwrap_err()), ["voter_b"]);
    save(&mut p.l, json!({"voter_a": a, "voter_b": b, "decision": "keep_both", "decided_on": "2031-04-20"})).unwrap();
}
