//! The country above the provinces: unit `0`, the root of both schemes. A national hub (on
//! PostgreSQL when `$SOBAUCU_TEST_POSTGRES` names a server) enrols province hubs, whose relays
//! carry their communes' work up to it; a national ledger enrolled there pulls the figures each
//! ledger publishes, never a record, and reports the country from them.

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
    for (hub, commune, areas) in [(&ha_noi, "00004", 1), (&lai_chau, "03637", 2)] {
        let node = Node::init_on(&tmp.path().join(commune), commune, "2025", "2026-03-15", "2026-03-01");
        node.enroll(hub, commune);
        let mut lines: Vec<_> = (1..=3)
            .map(|i| {
                json!({"kind": "incident", "occurred_on": "2026-03-01", "place": format!("Thôn {i}"),
                       "summary": format!("Tuyên truyền {i}")})
            })
            .collect();
        lines.extend((1..=areas).map(|n| {
            json!({"kind": "polling_area", "number": n, "name": format!("Khu vực bỏ phiếu số {n}"),
                   "area_type": "ordinary"})
        }));
        node.import(&lines);
        node.ok(&["sync"]);
        // Its records, and the figures it published as it synced.
        made += 3 + areas + 1;
        // Figures that stand still are not written again.
        node.ok(&["sync"]);
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

    // The National Election Council's ledger: the country, enrolled at the national hub. It
    // pulls the figures alone: the communes' records stay with their provinces.
    let ledger = Node::init_on(&tmp.path().join("national-ledger"), "0", "2025", "2026-03-15", "2026-03-01");
    ledger.enroll(&national, "0");
    ledger.ok(&["sync"]);
    for kind in ["incident", "polling_area"] {
        let listed = ledger.ok(&["list", "--kind", kind, "--json"]);
        assert!(listed.trim().is_empty(), "the national ledger holds no {kind}: {listed}");
    }
    let figures = ledger.ok(&["list", "--kind", "figures", "--json"]);
    assert_eq!(figures.lines().count(), 2, "one figures record per commune ledger: {figures}");
    let report = ledger.report();
    assert_eq!(report["unit"]["code"], "0");
    assert_eq!(report["incidents"], 6);
    assert_eq!(report["polling_areas"], 3);
    let units = report["units"].as_array().unwrap();
    assert_eq!(units.len(), 34, "the 34 provinces side by side");
    let with_data: Vec<(&str, i64)> = units
        .iter()
        .filter(|u| u["no_data"] == false)
        .map(|u| (u["code"].as_str().unwrap(), u["polling_areas"].as_i64().unwrap()))
        .collect();
    assert_eq!(with_data, [("01", 1), ("12", 2)]);
    // A national ledger keeps no records of its own.
    let refused = ledger.fails(&["import", tmp.path().join("00004.4.jsonl").to_str().unwrap()]);
    assert!(refused.contains("national ledger"), "{refused}");
}
