//! A conflict settled at the district reaches the commune: two desktops of one commune edit the
//! same field without seeing each other, the district ledger lists the conflict after a sync
//! (each value, its node, its time), settles it, and both desktops end with the settled value
//! and no conflict; two lawful edits merging into a broken rule sync and show in `check`. Real
//! hub process on loopback, real ledgers through the CLI.

use serde_json::{Value, json};
use sobaucu_tests::{Hub, Node};

fn edit_place(node: &Node, id: &str, place: &str) {
    let mut store = sobaucu_core::Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    let mut input = serde_json::Map::new();
    input.insert("place".into(), json!(place));
    store.save(sobaucu_core::Kind::Incident, Some(id.parse().unwrap()), &input).unwrap();
}

fn conflicts(node: &Node) -> Vec<Value> {
    serde_json::from_str::<Value>(&node.ok(&["conflicts", "--json"])).unwrap().as_array().unwrap().clone()
}

fn place(node: &Node) -> String {
    let listed = node.ok(&["list", "--kind", "incident", "--json"]);
    let row: Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    row["place"].as_str().unwrap().to_string()
}

#[test]
fn a_conflict_settled_at_the_district_reaches_the_commune() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub-106"), "106", "2021", None);
    let office = Node::init(&tmp.path().join("office"), "03390", "2021", "2021-05-23");
    let laptop = Node::init(&tmp.path().join("laptop"), "03390", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    office.enroll(&hub, "03390");
    laptop.enroll(&hub, "03390");
    district.enroll(&hub, "106");

    office.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-18", "place": "Bản Nà Tăm", "summary": "Mất điện"}),
    ]);
    office.ok(&["sync"]);
    laptop.ok(&["sync"]);
    let listed = laptop.ok(&["list", "--kind", "incident", "--json"]);
    let id = serde_json::from_str::<Value>(listed.lines().next().unwrap()).unwrap()["id"].as_str().unwrap().to_string();

    // Both edit the place, neither having seen the other's edit.
    edit_place(&office, &id, "Bản Thèn Sin");
    edit_place(&laptop, &id, "Bản Hon");
    office.ok(&["sync"]);
    laptop.ok(&["sync"]);

    // The district sees the conflict side by side: both values, their nodes and times.
    district.ok(&["sync"]);
    let found = conflicts(&district);
    assert_eq!(found.len(), 1, "{found:#?}");
    let c = &found[0];
    assert_eq!(c["field"], "place");
    let values: Vec<&str> = [&c["winner"]["value"], &c["loser"]["value"]].iter().map(|v| v.as_str().unwrap()).collect();
    assert!(values.contains(&"Bản Thèn Sin") && values.contains(&"Bản Hon"), "{c:#}");
    assert_ne!(c["winner"]["node"], c["loser"]["node"]);
    assert!(c["winner"]["at"].is_string() && c["loser"]["at"].is_string(), "{c:#}");

    // Settled at the district, in one step; the settlement syncs down.
    district.ok(&["resolve", "--kind", "incident", "--id", &id, "--field", "place", "--value", "Bản Thèn Sin"]);
    assert!(conflicts(&district).is_empty());
    district.ok(&["sync"]);
    for node in [&office, &laptop] {
        node.ok(&["sync"]);
        assert!(conflicts(node).is_empty(), "the commune's conflict is cleared");
        assert_eq!(place(node), "Bản Thèn Sin");
    }
    assert_eq!(place(&district), "Bản Thèn Sin");
}

/// A rule that refuses a save refuses only local writes: two edits, each lawful on its own
/// desktop, merge into a voter who may not vote for the commune council (Art 29). The sync
/// applies it on every node (refusing it would leave nodes disagreeing), and `check` shows it
/// everywhere, at the district too.
#[test]
fn two_lawful_edits_that_merge_into_a_broken_rule_sync_and_are_shown_by_check() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub-106"), "106", "2021", None);
    let office = Node::init(&tmp.path().join("office"), "03390", "2021", "2021-05-23");
    let laptop = Node::init(&tmp.path().join("laptop"), "03390", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    office.enroll(&hub, "03390");
    laptop.enroll(&hub, "03390");
    district.enroll(&hub, "106");
    office.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
        json!({"kind": "voter", "full_name": "Hờ A Sử", "birth_date": "1980", "sex": "male",
               "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na,provincial"}),
    ]);
    office.ok(&["sync"]);
    laptop.ok(&["sync"]);
    let listed = laptop.ok(&["list", "--kind", "voter", "--json"]);
    let id = serde_json::from_str::<Value>(listed.lines().next().unwrap()).unwrap()["id"].as_str().unwrap().to_string();
    let rules = |node: &Node| -> Vec<String> {
        let found: Value = serde_json::from_str(&node.ok(&["check", "--json"])).unwrap();
        found.as_array().unwrap().iter().filter(|f| f["id"] == id.as_str()).map(|f| f["rule"].to_string()).collect()
    };

    // The office learns the voter lives here for under a year; the laptop, not knowing, adds
    // the commune council to the ballots. Each is lawful where it is written.
    office.ok(&["edit", "--kind", "voter", "--id", &id, "--set", "temporary_under_12m=true"]);
    laptop.ok(&["edit", "--kind", "voter", "--id", &id, "--set", "ballots=na,provincial,commune"]);
    // Written locally together, the two would be refused.
    let refused = office.fails(&["edit", "--kind", "voter", "--id", &id, "--set", "ballots=na,provincial,commune"]);
    assert!(refused.contains("ballots") && refused.contains("29"), "{refused}");
    assert!(rules(&office).is_empty() && rules(&laptop).is_empty());

    for node in [&office, &laptop, &office, &district] {
        node.ok(&["sync"]);
    }
    for node in [&office, &laptop, &district] {
        let listed = node.ok(&["list", "--kind", "voter", "--json"]);
        let voter: Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
        assert_eq!(
            (voter["temporary_under_12m"].as_bool(), voter["ballots"].as_str()),
            (Some(true), Some("na,provincial,commune"))
        );
        assert_eq!(rules(node), vec!["\"ballots\"".to_string()], "check shows the merged record");
    }
    // Putting it right is an ordinary edit, and the finding goes away everywhere.
    office.ok(&["edit", "--kind", "voter", "--id", &id, "--set", "ballots=na,provincial,district"]);
    for node in [&office, &laptop, &district] {
        node.ok(&["sync"]);
        assert!(rules(node).is_empty());
    }
}
