//! Running a hub: `status --json` says each peer's unit, role, last sync and lag; `/metrics`
//! (Prometheus text, on a listener of its own) counts syncs, changes and bytes and reads the
//! log head and the peers; a metrics address reachable from other machines needs a token.

use serde_json::json;
use sobaucu_tests::{Hub, Node, run_fails, run_ok};

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
}

#[test]
fn a_hub_reports_its_peers_and_its_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    hub.serve_with(&["--metrics", "127.0.0.1:0"]);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực số 1", "area_type": "ordinary"}),
        json!({"kind": "incident", "occurred_on": "2021-03-10", "place": "Bản Nà Luông", "summary": "Mất điện"}),
    ]);
    commune.ok(&["sync"]);

    let status: serde_json::Value =
        serde_json::from_str(&run_ok(Hub::command(&hub.dir).args(["status", "--json"]))).unwrap();
    assert_eq!(status["hub"]["unit_name"], "Huyện Tam Đường");
    // Nothing syncs while it measures: the hub took no change a second.
    assert_eq!(status["changes_per_second"], 0.0, "{status}");
    assert_eq!(status["rate_seconds"], 1.0);
    let peer = &status["peers"][0];
    assert_eq!(
        (peer["unit"].as_str(), peer["unit_name"].as_str(), peer["role"].as_str()),
        (Some("03390"), Some("Thị trấn Tam Đường"), Some("node"))
    );
    assert!(peer["last_sync_at"].is_string(), "{peer}");
    // Two incidents, and the figures the commune published as it synced.
    assert_eq!(peer["changes_new"], 3);
    assert_eq!(peer["lag"], 0, "the commune has pulled all there is");
    // A district ledger enrolled but not yet synced lags by what its communes sent.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    district.enroll(&hub, "106");
    let lag_of = |unit: &str| {
        let status: serde_json::Value =
            serde_json::from_str(&run_ok(Hub::command(&hub.dir).args(["status", "--json"]))).unwrap();
        status["peers"].as_array().unwrap().iter().find(|p| p["unit"] == unit).unwrap()["lag"].as_u64().unwrap()
    };
    assert_eq!(lag_of("106"), 3);
    // The lag is what the child last said it has: its next request says it pulled them.
    district.ok(&["sync"]);
    district.ok(&["sync"]);
    assert_eq!(lag_of("106"), 0);

    let metrics_url = hub.metrics_url.clone().expect("a metrics listener");
    let text = ureq::get(&metrics_url).call().unwrap().into_body().read_to_string().unwrap();
    assert!(metric(&text, "sobaucu_hub_syncs_total") >= 1.0);
    // The commune's three, and the district's figures at each of its syncs (nothing yet, then
    // its commune's two incidents).
    assert_eq!(metric(&text, "sobaucu_hub_changes_pushed_total"), 5.0);
    assert_eq!(metric(&text, "sobaucu_hub_enrolments_total"), 2.0);
    assert!(metric(&text, "sobaucu_hub_bytes_in_total") > 0.0);
    assert!(metric(&text, "sobaucu_hub_log_head") >= 2.0);
    assert!(text.contains("sobaucu_hub_peers{role=\"node\"} 2"), "{text}");
    assert_eq!(metric(&text, "sobaucu_hub_sync_seconds_count"), metric(&text, "sobaucu_hub_syncs_total"));
    assert!(!text.contains("Tam Đường") && !text.contains("Mất điện"), "no name or record in the figures");

    // Behind a token, the figures are for whoever holds it.
    hub.serve_with(&["--metrics", "127.0.0.1:0", "--metrics-token", "metrics-7f3a"]);
    let url = hub.metrics_url.clone().unwrap();
    let status = |auth: Option<&str>| {
        let mut request = ureq::get(&url).config().http_status_as_error(false).build();
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.call().unwrap().status().as_u16()
    };
    assert_eq!(status(None), 401);
    assert_eq!(status(Some("Bearer metrics-0000")), 401);
    assert_eq!(status(Some("Bearer metrics-7f3a")), 200);

    // Reachable from other machines only behind a token.
    let err = run_fails(Hub::command(&hub.dir).args(["serve", "--listen", "127.0.0.1:0", "--metrics", "0.0.0.0:0"]));
    assert!(err.contains("token"), "{err}");
}
