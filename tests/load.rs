//! A thousand communes' ledgers syncing to one hub at once (on SQLite, or on PostgreSQL when
//! `$SOBAUCU_TEST_POSTGRES` names a server): the real hub process on loopback, and a thousand
//! in-process protocol clients ([`sobaucu_hub::sim`]), a few dozen changes each. Nothing may
//! fail, be lost or be taken twice, and every node must end up with all it may read.

use std::collections::HashMap;
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use sobaucu_core::units::Catalogue;
use sobaucu_core::vault::test_credentials;
use sobaucu_hub::sim::SimNode;
use sobaucu_hub::store::HubStore;
use sobaucu_protocol::Role;
use sobaucu_tests::Hub;

const NODES: usize = 1000;
const CHANGES: usize = 24;

fn sync(node: &mut SimNode, url: &str) -> Result<(), String> {
    sobaucu_client::sync(node, Some(url), |_| {}).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn a_thousand_communes_sync_at_once_and_lose_nothing() {
    sobaucu_core::vault::use_cheap_kdf_for_tests();
    let tmp = tempfile::tempdir().unwrap();
    // Hà Nội: 126 communes since 2025, so about eight ledgers a commune read each other's work.
    let hub = Hub::start(&tmp.path().join("hub"), "01", "2025", None);
    let scheme = "2025".parse().unwrap();
    let communes: Vec<String> = Catalogue::get(scheme)
        .subtree(&"01".parse().unwrap())
        .iter()
        .filter(|u| u.code.as_str().len() == 5)
        .map(|u| u.code.to_string())
        .collect();
    assert!(communes.len() > 100);
    let units: Vec<String> = (0..NODES).map(|i| communes[i % communes.len()].clone()).collect();
    // The codes, issued beside the serving hub as its operator would.
    let codes: Vec<String> = {
        let mut store = HubStore::open(&hub.dir, &test_credentials()).unwrap();
        units.iter().map(|u| store.issue_code(&u.parse().unwrap(), Role::Node, 1).unwrap().to_text()).collect()
    };

    // Each node: enrol, make its changes, sync; when all have, sync again to take its
    // neighbours' work. Every step's error is reported, none swallowed.
    let pushed = Arc::new(Barrier::new(NODES));
    let (done, results) = mpsc::channel();
    for (i, (unit, code)) in units.iter().cloned().zip(codes).enumerate() {
        let url = hub.url.clone();
        let pushed = pushed.clone();
        let done = done.clone();
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let run = || -> Result<(String, u64, u64, u64), String> {
                    let mut node = SimNode::new(&unit, scheme).map_err(|e| e.to_string())?;
                    let first = (|| {
                        sobaucu_client::enroll(&mut node, &url, &code, Role::Node).map_err(|e| e.to_string())?;
                        node.make_changes(CHANGES).map_err(|e| e.to_string())?;
                        sync(&mut node, &url)
                    })();
                    // Everyone reaches the barrier, failed or not, so no thread waits forever.
                    pushed.wait();
                    first?;
                    sync(&mut node, &url)?;
                    let pending = sobaucu_client::Child::pending_count(&node).map_err(|e| e.to_string())?;
                    Ok((unit.clone(), node.held().map_err(|e| e.to_string())?, pending, node.node().0))
                };
                let _ = done.send((i, run()));
            })
            .expect("a thread");
    }
    drop(done);
    let mut held_by_unit: HashMap<String, Vec<u64>> = HashMap::new();
    let mut errors = Vec::new();
    for _ in 0..NODES {
        // Bounded: a hub that stops answering fails the test rather than hanging it.
        let (i, result) = results.recv_timeout(Duration::from_secs(900)).expect("every node finishes");
        match result {
            Ok((unit, held, pending, _)) => {
                assert_eq!(pending, 0, "node {i} still has changes to send");
                held_by_unit.entry(unit).or_default().push(held);
            }
            Err(e) => errors.push(format!("node {i}: {e}")),
        }
    }
    assert!(errors.is_empty(), "{} nodes failed, first: {:?}", errors.len(), errors.first());

    // The hub holds every change once.
    let store = HubStore::open(&hub.dir, &test_credentials()).unwrap();
    let db = store.db();
    let total = db.number("SELECT count(*) FROM changes", &[]).unwrap().unwrap() as usize;
    let distinct =
        db.number("SELECT count(*) FROM (SELECT DISTINCT origin, seq FROM changes) AS d", &[]).unwrap().unwrap()
            as usize;
    assert_eq!(total, NODES * CHANGES, "every change reached the hub");
    assert_eq!(distinct, total, "none twice");
    let per_origin = db.rows("SELECT origin, count(*), max(seq) FROM changes GROUP BY origin", &[]).unwrap();
    assert_eq!(per_origin.len(), NODES);
    for r in &per_origin {
        assert_eq!((r.i64(1).unwrap(), r.i64(2).unwrap()), (CHANGES as i64, CHANGES as i64), "{:?}", r.text(0));
    }
    // Every node holds all of its commune: its own and its neighbours' changes.
    for (unit, held) in &held_by_unit {
        for h in held {
            assert_eq!(*h as usize, held.len() * CHANGES, "a node of {unit} holds all its commune's changes");
        }
    }
    // And the province's own ledger, syncing after, holds the whole province.
    let mut province = SimNode::new("01", scheme).unwrap();
    let code = HubStore::open(&hub.dir, &test_credentials())
        .unwrap()
        .issue_code(&"01".parse().unwrap(), Role::Node, 1)
        .unwrap()
        .to_text();
    sobaucu_client::enroll(&mut province, &hub.url, &code, Role::Node).unwrap();
    sync(&mut province, &hub.url).unwrap();
    assert_eq!(province.held().unwrap() as usize, NODES * CHANGES);
}
