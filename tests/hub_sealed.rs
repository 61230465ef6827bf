//! A hub's PostgreSQL database is another's to read and write (its administrator, a copy of its
//! backups): what it holds of a change is sealed to the change's row, so a value moved to another
//! row opens nowhere, and the hub says so rather than serving it.

use serde_json::json;
use sobaucu_tests::{Hub, Node, Postgres, pg_tool, run_fails, run_ok};

const FIRST: &str = "Họp dân bản Nậm Xe";
const SECOND: &str = "Tuyên truyền lưu động Pa Tần";

#[test]
fn a_sealed_value_moved_to_another_row_is_refused_not_served() {
    let postgres = Postgres::start();
    let url = postgres.database("sealed");
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub::start_on(&tmp.path().join("hub"), "12", "2025", Some(&url));
    let commune = Node::init(&tmp.path().join("commune"), "03637", "2025", "2026-03-15");
    commune.enroll(&hub, "03637");
    commune.import(&[
        json!({"kind": "incident", "occurred_on": "2026-03-01", "place": "Bản Nậm Xe", "summary": FIRST}),
        json!({"kind": "incident", "occurred_on": "2026-03-02", "place": "Bản Pa Tần", "summary": SECOND}),
    ]);
    commune.ok(&["sync"]);
    hub.stop();

    // Whoever administers the database swaps the two changes' sealed fields.
    let swapped = run_ok(std::process::Command::new(pg_tool("psql")).args([
        "-X",
        "-q",
        "-t",
        "-d",
        &url,
        "-c",
        "UPDATE changes c SET fields = o.fields FROM changes o
          WHERE c.kind = 'incident' AND o.kind = 'incident' AND c.idx <> o.idx RETURNING c.idx",
    ]));
    assert_eq!(swapped.split_whitespace().count(), 2, "{swapped}");

    // The hub's own check finds it, naming no record's content.
    let found = run_fails(Hub::command(&hub.dir).arg("verify"));
    assert!(found.contains("does not open with its key"), "{found}");
    assert!(!found.contains(FIRST) && !found.contains(SECOND), "{found}");

    // A ledger pulling from it is refused the altered changes and applies nothing.
    hub.serve();
    let province = Node::init(&tmp.path().join("province"), "12", "2025", "2026-03-15");
    province.enroll(&hub, "12");
    let refused = province.fails(&["sync"]);
    assert!(refused.contains("does not open with its key"), "{refused}");
    assert!(!refused.contains(FIRST) && !refused.contains(SECOND), "{refused}");
    let held = province.ok(&["list", "--kind", "incident", "--json"]);
    assert!(!held.contains(FIRST) && !held.contains(SECOND), "{held}");
}
