//! The voters' counts the triggers keep (`voter_counts`), which the report and the list's total
//! read instead of the voters: after every way a voter row is written (created, edited, moved,
//! taken off the list, deleted, imported and undone, received from another ledger, merged with
//! a concurrent edit), they equal what counting the voters one by one gives.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{self, ImportOptions};
use sobaucu_core::{ListQuery, NodeId, RecordId, Store};
use sobaucu_protocol::Change;

const COMMUNE: &str = "03637";

fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: COMMUNE.parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            law: None,
        })
        .unwrap();
    (dir, store)
}

fn input(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn save(store: &mut Store, kind: Kind, id: Option<RecordId>, v: Value) -> RecordId {
    let row = store.save(kind, id, &input(v)).unwrap();
    row["id"].as_str().unwrap().parse().unwrap()
}

type Key = (Option<String>, Option<String>, Option<String>);
type Figures = (Vec<(Option<String>, Option<String>, Option<String>, i64)>, Vec<(String, Option<String>, i64)>);

/// The figures counted voter by voter, as the report counted them before the counts were kept.
fn counted(store: &Store) -> Figures {
    let text = |row: &sobaucu_core::store::Row, f: &str| row.fields.get(f).and_then(Value::as_str).map(str::to_string);
    let mut figures: BTreeMap<Key, i64> = BTreeMap::new();
    let mut areas: BTreeMap<(String, Option<String>), i64> = BTreeMap::new();
    for row in store.db().all_rows(Kind::Voter).unwrap() {
        *figures.entry((text(&row, "sex"), text(&row, "ballots"), text(&row, "list_status"))).or_default() += 1;
        if let Some(area) = text(&row, "polling_area")
            && text(&row, "list_status").as_deref() != Some("removed")
        {
            *areas.entry((area, text(&row, "sex"))).or_default() += 1;
        }
    }
    (
        figures.into_iter().map(|((s, b, l), n)| (s, b, l, n)).collect(),
        areas.into_iter().map(|((a, s), n)| (a, s, n)).collect(),
    )
}

/// The figures as the report reads them, from the kept counts.
fn kept(store: &Store) -> Figures {
    let db = store.db();
    let mut figures = db.voter_figures().unwrap();
    figures.sort();
    let mut areas = db.voters_by_area_and_sex().unwrap();
    areas.sort();
    (figures, areas)
}

fn agree(store: &Store, when: &str) {
    assert_eq!(kept(store), counted(store), "{when}");
    let live = store.db().all_rows(Kind::Voter).unwrap().len() as u64;
    let total = |unit: Option<&str>| {
        let query = ListQuery { unit: unit.map(str::to_string), limit: Some(1), ..ListQuery::default() };
        store.db().list(Kind::Voter, &query).unwrap().total
    };
    assert_eq!(total(None), live, "{when}: the list's total");
    assert_eq!(total(Some(COMMUNE)), live, "{when}: the total of the commune");
    assert_eq!(total(Some("03640")), 0, "{when}: the total of another commune");
}

fn exchange(from: &Store, to: &mut Store, source: &str) {
    let changes: Vec<_> = from.db().log_entries(0, 1_000_000).unwrap().into_iter().map(|e| e.change).collect();
    // Every change twice: a change received again changes nothing.
    let twice: Vec<_> = changes.iter().chain(changes.iter()).cloned().collect();
    to.apply(&twice, Some(source), None).unwrap();
}

/// A ledger far off whose changes reach the others through sync alone, stamped with a clock
/// ahead of theirs: what it says wins.
#[derive(Default)]
struct FarOff {
    seq: u64,
}

impl FarOff {
    fn send(&mut self, to: &mut Store, record: RecordId, fields: &[(&str, &str)]) {
        self.seq += 1;
        let change = Change {
            origin: NodeId(0xfeed),
            seq: self.seq,
            record_node: record.node,
            record_counter: record.counter,
            kind: "voter".into(),
            unit: COMMUNE.into(),
            hlc: (1 << 60) + self.seq,
            fields: fields.iter().map(|(f, v)| (f.to_string(), sobaucu_protocol::Value::Text(v.to_string()))).collect(),
            ..Change::default()
        };
        to.apply(&[change], Some("far-off"), None).unwrap();
    }
}

#[test]
fn the_kept_counts_equal_the_voters_counted_one_by_one_whatever_writes_them() {
    let (_a_dir, mut a) = ledger();
    let (_b_dir, mut b) = ledger();
    agree(&a, "an empty ledger");

    let area = |store: &mut Store, number: i64| {
        save(
            store,
            Kind::PollingArea,
            None,
            json!({"number": number, "name": format!("KV {number}"), "area_type": "ordinary"}),
        )
    };
    let (first, second) = (area(&mut a, 1), area(&mut a, 2));
    let mut voters = Vec::new();
    for (i, (sex, ballots)) in [
        ("male", "na,provincial,commune"),
        ("female", "na,provincial,commune"),
        ("female", "na,provincial"),
        ("male", "na"),
        ("female", "na,provincial,commune"),
        ("male", "na,provincial,commune"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = if i % 2 == 0 { &first } else { &second };
        voters.push(save(
            &mut a,
            Kind::Voter,
            None,
            json!({"full_name": format!("Lò Thị Ỏn {i}"), "birth_date": "1980", "sex": sex, "ballots": ballots,
                   "polling_area": at.to_string()}),
        ));
    }
    // One voter received from a far-off ledger without a polling area, sex or ballots yet.
    let far = RecordId { node: NodeId(0xfeed), counter: 1 };
    let mut far_off = FarOff::default();
    far_off.send(&mut a, far, &[("full_name", "Giàng A Páo")]);
    voters.push(far);
    agree(&a, "created");

    save(&mut a, Kind::Voter, Some(voters[0]), json!({"sex": "female"}));
    save(
        &mut a,
        Kind::Voter,
        Some(voters[6]),
        json!({"birth_date": "1990", "sex": "male", "polling_area": first.to_string(), "ballots": "na"}),
    );
    save(&mut a, Kind::Voter, Some(voters[1]), json!({"full_name": "Lò Thị Ỏn một"}));
    agree(&a, "edited");

    // Taken off the list, voting elsewhere, moved: as the far-off ledger's list changes said.
    far_off.send(&mut a, voters[2], &[("list_status", "removed")]);
    far_off.send(&mut a, voters[3], &[("list_status", "votes_elsewhere")]);
    far_off.send(&mut a, voters[4], &[("polling_area", &second.to_string())]);
    agree(&a, "changes to the list");
    far_off.send(&mut a, voters[2], &[("list_status", "listed")]);
    a.delete(Kind::Voter, voters[5]).unwrap();
    agree(&a, "listed again, and deleted");

    // Received by another ledger, twice over.
    exchange(&a, &mut b, "peer-a");
    agree(&b, "received");
    assert_eq!(kept(&b), kept(&a));

    // Concurrent edits of one voter on both, then each receives the other's: one merged row.
    save(&mut a, Kind::Voter, Some(voters[1]), json!({"sex": "male"}));
    save(&mut b, Kind::Voter, Some(voters[1]), json!({"sex": "female", "polling_area": first.to_string()}));
    b.delete(Kind::Voter, voters[0]).unwrap();
    save(&mut a, Kind::Voter, Some(voters[0]), json!({"ballots": "na"}));
    exchange(&a, &mut b, "peer-a");
    exchange(&b, &mut a, "peer-b");
    agree(&a, "merged on a");
    agree(&b, "merged on b");
    assert_eq!(kept(&b), kept(&a));

    // An import, and its undoing.
    let file = _a_dir.path().join("voters.jsonl");
    let mut lines = String::new();
    for i in 0..40 {
        lines.push_str(&format!(
            "{}\n",
            json!({"kind": "voter", "unit": COMMUNE, "full_name": format!("Vàng Thị Mỷ {i}"), "birth_date": "1985",
                   "sex": if i % 3 == 0 { "male" } else { "female" }, "polling_area": "KV 2", "ballots": "na,provincial,commune"})
        ));
    }
    std::fs::write(&file, lines).unwrap();
    transfer::import(&mut a, &[&file], &ImportOptions::default()).unwrap();
    agree(&a, "imported");
    let import = a.imports().unwrap()[0].id;
    assert_eq!(a.undo_import(import).unwrap(), 40);
    agree(&a, "import undone");
    exchange(&a, &mut b, "peer-a");
    agree(&b, "the undone import received");
    assert_eq!(kept(&b), kept(&a));
}
