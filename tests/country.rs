//! The country above the provinces: unit `0`, the root of both schemes. A national hub (on
//! PostgreSQL when `$SOBAUCU_TEST_POSTGRES` names a server) enrols province hubs, whose relays
//! carry their communes' work up to it; a ledger is refused for the country itself.

use std::time::{Duration, Instant};

use serde_json::json;
use sobaucu_core::vault::test_credentials;
use sobaucu_hub::store::HubStore;
use sobaucu_tests::{Hub, Node, run_ok};

fn national_count(hub: &Hub) -> i64 {
    let store = HubStore::open(&hub.dir, &test_credentials()).unwrap();
    store.db().number("SELECT count(*) FROM changes", &[]).unwrap().unwrap()
}

#[test]
fn a_national_hub_gathers_every_province_through_their_hubs() {
    let tmp = tempfile::tempdir().unwrap();
    let national = Hub::start(&tmp.path().join("national"), "0", "2025", None);
    // Hà Nội and Lai Châu, each with its hub under the country's.
    let ha_noi = Hub::start(&tmp.path().join("01"), "01", "2025", Some(&national));
    let lai_chau = Hub::start(&tmp.path().join("12"), "12", "2025", Some(&national));
    let mut made = 0;
    for (hub, commune) in [(&ha_noi, "00004"), (&lai_chau, "03637")] {
        let node = Node::init(&tmp.path().join(commune), commune, "2025", "2026-03-15");
        node.enroll(hub, commune);
        let lines: Vec<_> = (1..=3)
            .map(|i| {
                json!({"kind": "incident", "occurred_on": "2026-03-01", "place": format!("Thôn {i}"),
                       "summary": format!("Tuyên truyền {i}")})
            })
            .collect();
        node.import(&lines);
        node.ok(&["sync"]);
        made += 3;
    }
    // The province hubs relay by themselves (every second in the tests): wait for the national
    // hub to hold every change, within a bound.
    let deadline = Instant::now() + Duration::from_secs(120);
    while national_count(&national) < made {
        assert!(Instant::now() < deadline, "the national hub holds {} of {made} changes", national_count(&national));
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(national_count(&national), made, "each change once");
    // Its status names both province hubs below it.
    let status: serde_json::Value =
        serde_json::from_str(&run_ok(Hub::command(&national.dir).args(["status", "--json"]))).unwrap();
    let mut units: Vec<String> =
        status["peers"].as_array().unwrap().iter().map(|p| p["unit"].as_str().unwrap().to_string()).collect();
    units.sort();
    assert_eq!(units, ["01", "12"]);

    // A code for the country is read with its one digit; a province hub may not enrol a unit
    // outside it, nor a ledger be made for the whole country.
    let refused = sobaucu_tests::run_fails(Hub::command(&ha_noi.dir).args(["enroll-code", "--unit", "12"]));
    assert!(refused.contains("not in this hub's subtree"), "{refused}");
    let ledger = tmp.path().join("national-ledger");
    let refused = sobaucu_tests::run_fails(Node { dir: ledger.clone(), today: "2026-03-01".into() }.command().args([
        "init",
        "--unit",
        "0",
        "--scheme",
        "2025",
        "--election",
        "2026-03-15",
    ]));
    assert!(refused.contains("national hub"), "{refused}");
}
