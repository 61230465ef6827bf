//! Convergence, property-based: several nodes of one commune edit the same records, and their
//! changes reach each other in random orders, duplicated and reordered. Whatever the order,
//! every node ends in the same state, and every concurrent edit that lost is listed as a
//! conflict — no more, no fewer — until someone settles it. Clocks come from the whole range
//! a ledger can store: besides the nodes' own, changes of far-off nodes arrive stamped with any
//! clock from 1 to the largest (0 is no clock: the base of a field never set), and the nodes'
//! own clocks then run on from there.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::{Hlc, NodeId, RecordId, Store};
use sobaucu_protocol::Change;

const NODES: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Create {
        node: usize,
        place: u8,
    },
    Update {
        node: usize,
        record: usize,
        field: u8,
        value: u8,
    },
    Delete {
        node: usize,
        record: usize,
    },
    /// `to` receives some of `from`'s changes, in a shuffled order, some twice.
    Sync {
        from: usize,
        to: usize,
        picks: Vec<(usize, bool)>,
    },
    Resolve {
        node: usize,
    },
    /// A far-off node's edit, stamped with any clock of the whole range, reaches `node`.
    Remote {
        node: usize,
        record: usize,
        field: u8,
        value: u8,
        clock: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..NODES, 0u8..3).prop_map(|(node, place)| Op::Create { node, place }),
        6 => (0..NODES, 0usize..8, 0u8..3, 0u8..3).prop_map(|(node, record, field, value)| Op::Update { node, record, field, value }),
        1 => (0..NODES, 0usize..8).prop_map(|(node, record)| Op::Delete { node, record }),
        4 => (0..NODES, 0..NODES, prop::collection::vec((0usize..64, any::<bool>()), 0..12))
            .prop_map(|(from, to, picks)| Op::Sync { from, to, picks }),
        1 => (0..NODES).prop_map(|node| Op::Resolve { node }),
        2 => (0..NODES, 0usize..8, 0u8..3, 0u8..3, prop_oneof![1..=Hlc::MAX.0, (Hlc::MAX.0 - 1000)..=Hlc::MAX.0])
            .prop_map(|(node, record, field, value, clock)| Op::Remote { node, record, field, value, clock }),
    ]
}

struct Net {
    _dirs: Vec<tempfile::TempDir>,
    stores: Vec<Store>,
    records: Vec<RecordId>,
    /// The far-off node's changes so far.
    remote_seq: u64,
}

fn net() -> Net {
    let mut dirs = Vec::new();
    let mut stores = Vec::new();
    for _ in 0..NODES {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
        store
            .init(InitOptions {
                unit: "03637".parse().unwrap(),
                scheme: "2025".parse().unwrap(),
                election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
                law: None,
            })
            .unwrap();
        dirs.push(dir);
        stores.push(store);
    }
    Net { _dirs: dirs, stores, records: Vec::new(), remote_seq: 0 }
}

fn all_changes(store: &Store) -> Vec<Change> {
    store.db().log_entries(0, 1_000_000).unwrap().into_iter().map(|e| e.change).collect()
}

const FIELDS: [&str; 3] = ["place", "summary", "follow_up"];
const VALUES: [&str; 3] = ["Bản Nà Khương", "Bản Che Bó", "Đặng Thị Đào"];

fn run(net: &mut Net, op: &Op) {
    match op {
        Op::Create { node, place } => {
            let input: Map<String, Value> =
                json!({"occurred_on": "2026-02-01", "place": VALUES[*place as usize], "summary": "Mất điện"})
                    .as_object()
                    .unwrap()
                    .clone();
            let row = net.stores[*node].save(Kind::Incident, None, &input).unwrap();
            net.records.push(row["id"].as_str().unwrap().parse().unwrap());
        }
        Op::Update { node, record, field, value } => {
            let Some(id) = net.records.get(*record).copied() else { return };
            let store = &mut net.stores[*node];
            if store.get(Kind::Incident, id).is_err() {
                return; // this node has not received it, or it is deleted
            }
            let mut input = Map::new();
            input.insert(FIELDS[*field as usize].into(), Value::String(VALUES[*value as usize].into()));
            // A record whose creation has not arrived yet (only a later edit has) cannot be
            // edited here: it lacks its required fields. The protocol delivers each origin's
            // changes in order, so this happens only in this test's shuffled deliveries.
            if let Err(e) = store.save(Kind::Incident, Some(id), &input) {
                assert_eq!(e.kind(), "validation", "{e}");
            }
        }
        Op::Delete { node, record } => {
            let Some(id) = net.records.get(*record).copied() else { return };
            let store = &mut net.stores[*node];
            if store.get(Kind::Incident, id).is_ok() {
                store.delete(Kind::Incident, id).unwrap();
            }
        }
        Op::Sync { from, to, picks } => {
            if from == to {
                return;
            }
            let changes = all_changes(&net.stores[*from]);
            if changes.is_empty() {
                return;
            }
            let mut batch = Vec::new();
            for (pick, twice) in picks {
                let c = changes[pick % changes.len()].clone();
                if *twice {
                    batch.push(c.clone());
                }
                batch.push(c);
            }
            let source = format!("peer-{from}");
            net.stores[*to].apply(&batch, Some(&source), None).unwrap();
        }
        Op::Remote { node, record, field, value, clock } => {
            let Some(id) = net.records.get(*record).copied() else { return };
            net.remote_seq += 1;
            let change = Change {
                origin: NodeId(0xfeed),
                seq: net.remote_seq,
                record_node: id.node,
                record_counter: id.counter,
                kind: "incident".into(),
                unit: "03637".into(),
                hlc: *clock,
                fields: vec![(
                    FIELDS[*field as usize].into(),
                    sobaucu_protocol::Value::Text(VALUES[*value as usize].into()),
                )],
                ..Change::default()
            };
            net.stores[*node].apply(&[change], Some("far-off"), None).unwrap();
        }
        Op::Resolve { node } => {
            let store = &mut net.stores[*node];
            if let Some(c) = store.conflicts().unwrap().into_iter().next()
                && store.get(Kind::Incident, c.record_id.parse().unwrap()).is_ok()
            {
                store.resolve(Kind::Incident, c.record_id.parse().unwrap(), &c.field, c.loser.value).unwrap();
            }
        }
    }
}

/// Every incident (deleted ones too) and every conflict, as text.
fn state(store: &Store, records: &[RecordId]) -> (Vec<String>, Vec<String>) {
    let db = store.db();
    let mut rows = Vec::new();
    for id in records {
        if let Some(row) = db.row(Kind::Incident, id).unwrap() {
            rows.push(format!(
                "{id}|{}|{}|{}|{}|{:?}",
                row.unit, row.deleted, row.updated_at, row.updated_by, row.fields
            ));
        }
    }
    let mut conflicts: Vec<String> = store
        .conflicts()
        .unwrap()
        .into_iter()
        .map(|c| format!("{}|{}|{}|{}|{}", c.record_id, c.field, c.loser.node, c.loser.hlc, c.loser.value))
        .collect();
    conflicts.sort();
    (rows, conflicts)
}

/// The conflicts the definition gives for a set of changes: per field of a record, the
/// changes that no other change of that field saw, whose value differs from the winner's.
fn expected_conflicts(changes: &[Change]) -> BTreeSet<(String, String, String, u64)> {
    let mut by_field: BTreeMap<(NodeId, u64, String), Vec<&Change>> = BTreeMap::new();
    for c in changes {
        for (name, _) in &c.fields {
            by_field.entry((c.record_node, c.record_counter, name.clone())).or_default().push(c);
        }
    }
    let mut out = BTreeSet::new();
    for ((node, counter, name), mut list) in by_field {
        list.sort_by_key(|c| (c.hlc, c.origin.to_string(), c.seq));
        list.dedup_by_key(|c| (c.origin, c.seq));
        let winner = list.last().unwrap();
        let value_of = |c: &Change| c.fields.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        let seen: BTreeSet<u64> =
            list.iter().flat_map(|c| c.bases.iter().filter(|(n, _)| *n == name).flat_map(|(_, h)| h.clone())).collect();
        for loser in &list[..list.len() - 1] {
            if !seen.contains(&loser.hlc) && value_of(loser) != value_of(winner) {
                out.insert((format!("{node}-{counter}"), name.clone(), loser.origin.to_string(), loser.hlc));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn any_order_of_delivery_converges(ops in prop::collection::vec(op(), 1..40)) {
        let mut net = net();
        for op in &ops {
            run(&mut net, op);
        }
        // Everyone receives everything, twice, in reverse order.
        for _ in 0..2 {
            for to in 0..NODES {
                for from in 0..NODES {
                    if from != to {
                        let mut changes = all_changes(&net.stores[from]);
                        changes.reverse();
                        net.stores[to].apply(&changes, Some(&format!("peer-{from}")), None).unwrap();
                    }
                }
            }
        }
        let first = state(&net.stores[0], &net.records);
        for store in &net.stores[1..] {
            prop_assert_eq!(&state(store, &net.records), &first);
        }
        let everything = all_changes(&net.stores[0]);
        let expected = expected_conflicts(&everything);
        let listed: BTreeSet<(String, String, String, u64)> = net.stores[0]
            .conflicts()
            .unwrap()
            .into_iter()
            .map(|c| (c.record_id, c.field, c.loser.node, c.loser.hlc))
            .collect();
        prop_assert_eq!(listed, expected);
    }
}

fn input(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn a_concurrent_edit_is_listed_then_settled_everywhere() {
    let mut net = net();
    let row = net.stores[0]
        .save(
            Kind::Incident,
            None,
            &input(json!({"occurred_on": "2026-02-01", "place": "Bản Che Bó", "summary": "Mất điện"})),
        )
        .unwrap();
    let id: RecordId = row["id"].as_str().unwrap().parse().unwrap();
    let create = all_changes(&net.stores[0]);
    net.stores[1].apply(&create, Some("peer-0"), None).unwrap();
    // Both edit the place without seeing each other's edit.
    net.stores[0].save(Kind::Incident, Some(id), &input(json!({"place": "Bản Nà Khương"}))).unwrap();
    net.stores[1].save(Kind::Incident, Some(id), &input(json!({"place": "Bản Hát Nam"}))).unwrap();
    // A sequential edit of another field is no conflict.
    net.stores[1].save(Kind::Incident, Some(id), &input(json!({"summary": "Mất điện hai ngày"}))).unwrap();
    let (a, b) = (all_changes(&net.stores[0]), all_changes(&net.stores[1]));
    net.stores[0].apply(&b, Some("peer-1"), None).unwrap();
    net.stores[1].apply(&a, Some("peer-0"), None).unwrap();
    assert_eq!(state(&net.stores[0], &net.records), state(&net.stores[1], &net.records));
    let conflicts = net.stores[0].conflicts().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c.field, "place");
    let values: BTreeSet<String> =
        [&c.winner.value, &c.loser.value].iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(values, BTreeSet::from(["Bản Nà Khương".to_string(), "Bản Hát Nam".to_string()]));
    assert_eq!(net.stores[1].conflicts().unwrap().len(), 1);
    let current = net.stores[0].get(Kind::Incident, id).unwrap();
    assert_eq!(current["place"], c.winner.value);
    assert_eq!(current["summary"], json!("Mất điện hai ngày"));

    // Node 2 (say, the district) settles it with the losing value; the settlement syncs.
    let merged = all_changes(&net.stores[0]);
    net.stores[2].apply(&merged, Some("peer-0"), None).unwrap();
    assert_eq!(net.stores[2].conflicts().unwrap().len(), 1);
    net.stores[2].resolve(Kind::Incident, id, "place", c.loser.value.clone()).unwrap();
    assert!(net.stores[2].conflicts().unwrap().is_empty());
    let settled = all_changes(&net.stores[2]);
    for n in 0..2 {
        net.stores[n].apply(&settled, Some("peer-2"), None).unwrap();
        assert!(net.stores[n].conflicts().unwrap().is_empty(), "node {n} still lists the conflict");
        assert_eq!(net.stores[n].get(Kind::Incident, id).unwrap()["place"], c.loser.value);
    }
    assert_eq!(state(&net.stores[0], &net.records), state(&net.stores[2], &net.records));
}
