//! Files rolled back: a hub restored from an older copy of itself, and a ledger restored from a
//! backup, each with real processes. Both re-converge with nothing lost and nothing silently
//! dropped: the hub asks again for what it lost, and the ledger takes back what it had sent,
//! then writes its newer changes again above every number the hub holds.

use serde_json::{Value, json};
use sobaucu_core::Store;
use sobaucu_tests::{Hub, Node, run_ok};

/// Copies a hub's or ledger's directory; a hub on PostgreSQL is copied as its operator would
/// back it up and restore it: `pg_dump` into the copy, `pg_restore --clean` back from it.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    let Ok(url) = std::fs::read_to_string(from.join("database")) else { return };
    if from.join("pg.dump").exists() {
        run_ok(
            std::process::Command::new(sobaucu_tests::pg_tool("pg_restore"))
                .args(["--clean", "--if-exists", "--single-transaction", "--dbname", url.trim()])
                .arg(from.join("pg.dump")),
        );
    } else {
        run_ok(
            std::process::Command::new(sobaucu_tests::pg_tool("pg_dump"))
                .args(["--format=custom", "--file"])
                .arg(to.join("pg.dump"))
                .arg(url.trim()),
        );
    }
}

fn incidents(node: &Node) -> Vec<Value> {
    node.ok(&["list", "--kind", "incident", "--json", "--limit", "1000"])
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn incident(summary: &str) -> Value {
    json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": summary})
}

fn summaries(node: &Node) -> Vec<String> {
    let mut s: Vec<String> = incidents(node).iter().map(|i| i["summary"].as_str().unwrap().to_string()).collect();
    s.sort();
    s
}

fn pending(node: &Node) -> u64 {
    Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap().pending_count().unwrap()
}

#[test]
fn a_hub_restored_from_an_older_copy_of_itself_gets_back_what_it_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    district.enroll(&hub, "106");
    commune.import(&[incident("một")]);
    commune.ok(&["sync"]);
    district.ok(&["sync"]);
    // The hub's copy, then more work on both sides of it.
    hub.stop();
    let copy = tmp.path().join("hub-copy");
    copy_dir(&hub.dir, &copy);
    hub.serve();
    commune.import(&[incident("hai"), incident("ba")]);
    commune.ok(&["sync", "--hub", &hub.url]);
    district.ok(&["sync", "--hub", &hub.url]);
    assert_eq!(summaries(&district).len(), 3);
    // The hub's disk dies; its copy comes back.
    hub.stop();
    copy_dir(&copy, &hub.dir);
    hub.serve();
    // The commune sends again what the restored hub lacks; the district pulls what is new.
    commune.import(&[incident("bốn")]);
    let out = commune.ok(&["sync", "--hub", &hub.url]);
    // What the restored hub lost (two incidents and the figures then) and what is new (one
    // incident and the figures now), or only the new ones.
    assert!(out.contains("has 5 of 5 changes") || out.contains("has 2 of 2 changes"), "{out}");
    assert_eq!(pending(&commune), 0);
    let head: Value = {
        let mut r = ureq::get(&format!("{}/v1/health", hub.url)).call().unwrap();
        r.body_mut().read_json().unwrap()
    };
    // The commune's four incidents and its figures of each of its three syncs, and the
    // district's figures from before the copy.
    assert_eq!(head["log_head"], 8, "every change of the commune is at the hub again");
    district.ok(&["sync", "--hub", &hub.url]);
    assert_eq!(summaries(&district), ["ba", "bốn", "hai", "một"]);
    let report: Value = serde_json::from_str(&run_ok(Hub::command(&hub.dir).args(["verify", "--json"]))).unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn a_ledger_restored_from_a_backup_takes_back_its_changes_and_loses_none() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    district.enroll(&hub, "106");
    commune.import(&[incident("trước sao lưu")]);
    commune.ok(&["sync"]);
    // The backup, then work that reaches the hub, then the laptop's disk dies.
    let backup = tmp.path().join("backup");
    copy_dir(&commune.dir, &backup);
    commune.import(&[incident("sau sao lưu 1"), incident("sau sao lưu 2")]);
    commune.ok(&["sync"]);
    copy_dir(&backup, &commune.dir);
    assert_eq!(summaries(&commune), ["trước sao lưu"]);
    // On the restored ledger, new work reuses the numbers the hub already holds.
    commune.import(&[incident("sau khôi phục")]);
    let out = commune.ok(&["sync"]);
    assert!(out.contains("synced"), "{out}");
    assert_eq!(pending(&commune), 0, "nothing is left unsent");
    // The lost changes came back; the new one reached the hub, not dropped as a duplicate.
    let all = ["sau khôi phục", "sau sao lưu 1", "sau sao lưu 2", "trước sao lưu"];
    assert_eq!(summaries(&commune), all);
    district.ok(&["sync"]);
    assert_eq!(summaries(&district), all);
    // Both hold the same records under the same ids.
    let ids = |node: &Node| {
        let mut ids: Vec<String> = incidents(node).iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&commune), ids(&district));
    for node in [&commune, &district] {
        let report: Value = serde_json::from_str(&node.ok(&["verify", "--json"])).unwrap();
        assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
    }
}
