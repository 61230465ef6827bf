//! `sobaucu-hub migrate --to`: a hub that outgrew its SQLite file moves to PostgreSQL whole, and
//! its children go on where they were.

use serde_json::json;
use sobaucu_tests::{Hub, Node, Postgres, run_fails, run_ok};

fn incident(summary: &str) -> serde_json::Value {
    json!({"kind": "incident", "occurred_on": "2026-03-01", "place": "Bản Nà Tăm", "summary": summary})
}

fn incidents(node: &Node) -> usize {
    node.ok(&["list", "--kind", "incident", "--json", "--limit", "100"]).lines().filter(|l| l.starts_with('{')).count()
}

fn log_head(hub: &Hub) -> u64 {
    let mut r = ureq::get(&format!("{}/v1/health", hub.url)).call().unwrap();
    r.body_mut().read_json::<serde_json::Value>().unwrap()["log_head"].as_u64().unwrap()
}

#[test]
fn an_sqlite_hub_moves_to_postgres_whole_and_its_children_go_on() {
    let postgres = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub::start_on(&tmp.path().join("hub"), "12", "2025", None);
    let commune = Node::init(&tmp.path().join("commune"), "03637", "2025", "2026-03-15");
    commune.enroll(&hub, "03637");
    commune.import(&[incident("một"), incident("hai"), incident("ba")]);
    commune.ok(&["sync"]);
    // Three incidents, and the figures the commune published as it synced.
    assert_eq!(log_head(&hub), 4);

    hub.stop();
    let url = postgres.database("migrate");
    let out = run_ok(Hub::command(&hub.dir).args(["migrate", "--to", &url]));
    assert!(out.contains("4 changes"), "{out}");
    assert!(!hub.dir.join("hub.sqlite").exists(), "the file is no longer the store");
    assert!(hub.dir.join("hub.sqlite.moved").exists(), "it is kept beside");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hub.dir.join("database")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the URL is the owner's only");
    }
    // Moving again, or moving onto a database that holds a hub, changes nothing.
    let refused = run_fails(Hub::command(&hub.dir).args(["migrate", "--to", &url]));
    assert!(refused.contains("on PostgreSQL already"), "{refused}");

    hub.serve();
    let status: serde_json::Value =
        serde_json::from_str(&run_ok(Hub::command(&hub.dir).args(["status", "--json"]))).unwrap();
    assert_eq!(status["peers"][0]["unit"], "03637", "its child is still enrolled");
    // The commune goes on from where it was: only its new change and its figures now travel,
    // at positions 5 and 6.
    commune.import(&[incident("bốn")]);
    let out = commune.ok(&["sync", "--hub", &hub.url]);
    assert!(out.contains("has 2 of 2 changes"), "{out}");
    assert_eq!(log_head(&hub), 6);
    // A ledger enrolled after the move reads everything, the moved changes' fields unsealed.
    let province = Node::init(&tmp.path().join("province"), "12", "2025", "2026-03-15");
    province.enroll(&hub, "12");
    province.ok(&["sync"]);
    assert_eq!(incidents(&province), 4);
}
