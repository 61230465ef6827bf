//! Bad input at a hub: truncated, garbled, oversized, wrongly signed, replayed, foreign-unit
//! and unknown-node requests, and the same faults in bundles. Each is refused with a clear
//! error, and nothing is applied (the hub's log does not move).

use serde_json::{Value, json};
use sobaucu_core::Store;
use sobaucu_protocol::messages::{BundleMeta, SyncRequest};
use sobaucu_protocol::{Batch, Bundle, Change, Envelope, Keypair};
use sobaucu_tests::{Hub, Node, run_fails, run_ok};

struct Setup {
    tmp: tempfile::TempDir,
    hub: Hub,
    node: Node,
    node_id: u64,
    key: Keypair,
    changes: Vec<Change>,
    upto: u64,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let node = Node::init(&tmp.path().join("node"), "03390", "2021", "2021-05-23");
    node.enroll(&hub, "03390");
    node.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
        json!({"kind": "voter", "full_name": "Giàng Páo Mỷ", "birth_date": "1970", "sex": "male",
               "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na"}),
    ]);
    let mut store = Store::open_existing(&node.dir).unwrap();
    let key = store.keypair().unwrap();
    let node_id = store.node().unwrap().node_id.0;
    let (changes, upto) = store.pending_after(0, 100).unwrap();
    assert_eq!(changes.len(), 2);
    Setup { tmp, hub, node, node_id, key, changes, upto }
}

fn request(s: &Setup, sender: u64, key: &Keypair, after: u64, upto: u64, changes: Vec<Change>) -> Vec<u8> {
    let batch = Batch { sender, after, upto, changes }.seal(key);
    let meta =
        serde_json::to_value(SyncRequest { pull_after: 0, max_changes: 100, seen: Vec::new(), want_seen: false })
            .unwrap();
    let _ = s;
    Envelope { sender, meta, batch: Some(batch) }.seal(key)
}

/// Posts a body; returns the HTTP status and the refusal's JSON (if any).
fn post(hub: &Hub, body: &[u8]) -> (u16, Value) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response = agent.post(&format!("{}/v1/sync", hub.url)).send(body).expect("the hub answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn log_head(hub: &Hub) -> u64 {
    let mut r = ureq::get(&format!("{}/v1/health", hub.url)).call().unwrap();
    let v: Value = r.body_mut().read_json().unwrap();
    v["log_head"].as_u64().unwrap()
}

fn refused(hub: &Hub, body: &[u8], status: u16, kind: &str) -> Value {
    let before = log_head(hub);
    let (got, refusal) = post(hub, body);
    assert_eq!(got, status, "{refusal}");
    if !kind.is_empty() {
        assert_eq!(refusal["kind"], kind, "{refusal}");
        assert!(refusal["message"].as_str().is_some_and(|m| m.len() > 10), "a refusal says what is wrong: {refusal}");
    }
    assert_eq!(log_head(hub), before, "a refused request applied something");
    refusal
}

#[test]
fn bad_requests_are_refused_and_nothing_is_applied() {
    let s = setup();
    let good = request(&s, s.node_id, &s.key, 0, s.upto, s.changes.clone());

    refused(&s.hub, &good[..good.len() / 2], 400, "malformed");
    let mut garbled = good.clone();
    let middle = garbled.len() / 2;
    garbled[middle] ^= 0x40;
    refused(&s.hub, &garbled, 401, "bad_signature");
    refused(&s.hub, b"GET / HTTP/1.1 this is not a sync request at all", 400, "malformed");
    let stranger = Keypair::from_secret([9; 32]);
    refused(&s.hub, &request(&s, s.node_id, &stranger, 0, s.upto, s.changes.clone()), 401, "bad_signature");
    refused(&s.hub, &request(&s, 0x1234, &stranger, 0, s.upto, s.changes.clone()), 401, "unknown_node");

    // A change for the neighbouring commune, behind a good one: the whole batch is refused.
    let mut foreign = s.changes.clone();
    let mut other = foreign[1].clone();
    other.unit = "03394".into();
    other.seq = 3;
    foreign.push(other);
    let refusal = refused(&s.hub, &request(&s, s.node_id, &s.key, 0, s.upto + 1, foreign), 403, "foreign_unit");
    assert!(refusal["message"].as_str().unwrap().contains("03394"), "{refusal}");
    // A change that claims another author.
    let mut forged = s.changes.clone();
    forged[0].origin = 0xdead;
    refused(&s.hub, &request(&s, s.node_id, &s.key, 0, s.upto, forged), 403, "foreign_origin");
    // Oversized: more than the 16 MiB a request may hold.
    let huge = vec![0u8; 17 * 1024 * 1024];
    refused(&s.hub, &huge, 413, "");

    // The good request lands once; sent again it is a replay.
    let (status, _) = post(&s.hub, &good);
    assert_eq!(status, 200);
    assert_eq!(log_head(&s.hub), 2);
    let refusal = refused(&s.hub, &good, 409, "replayed");
    assert_eq!(refusal["ack"], s.upto);

    // A revoked node is refused from then on.
    run_ok(Hub::command(&s.hub.dir).args(["revoke", "--node", &format!("{:016x}", s.node_id)]));
    refused(&s.hub, &request(&s, s.node_id, &s.key, s.upto, s.upto + 1, vec![]), 403, "revoked");
    let err = s.node.fails(&["sync"]);
    assert!(err.contains("revoked"), "{err}");
}

fn bundle_file(s: &Setup, name: &str, bytes: &[u8]) -> String {
    let path = s.tmp.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn hub_id(s: &Setup) -> String {
    let mut r = ureq::get(&format!("{}/v1/health", s.hub.url)).call().unwrap();
    let v: Value = r.body_mut().read_json().unwrap();
    v["node_id"].as_str().unwrap().to_string()
}

#[test]
fn bad_bundles_are_refused_and_nothing_is_applied() {
    let s = setup();
    let meta = serde_json::to_value(BundleMeta { direction: "up".into(), to: hub_id(&s), cursor: 0, seen: Vec::new() })
        .unwrap();
    let bundle = |key: &Keypair, changes: Vec<Change>, upto: u64| {
        let batch = Batch { sender: s.node_id, after: 0, upto, changes }.seal(key);
        Bundle { sender: s.node_id, meta: meta.clone(), batches: vec![batch] }.seal(key)
    };
    let good = bundle(&s.key, s.changes.clone(), s.upto);
    let import = |name: &str, bytes: &[u8]| {
        let file = bundle_file(&s, name, bytes);
        let before = log_head(&s.hub);
        let err = run_fails(Hub::command(&s.hub.dir).args(["bundle", "import", &file]));
        assert_eq!(log_head(&s.hub), before, "{name}: a refused bundle applied something");
        assert!(err.contains(name), "{name}: the error names the file: {err}");
        err
    };
    assert!(import("truncated.sbc", &good[..good.len() - 100]).contains("too early"));
    let mut garbled = good.clone();
    let middle = garbled.len() / 2;
    garbled[middle] ^= 1;
    assert!(import("garbled.sbc", &garbled).contains("signature"));
    assert!(
        import("wrong-key.sbc", &bundle(&Keypair::from_secret([7; 32]), s.changes.clone(), s.upto))
            .contains("signature")
    );
    let mut foreign = s.changes.clone();
    foreign[1].unit = "03394".into();
    assert!(import("foreign.sbc", &bundle(&s.key, foreign, s.upto)).contains("outside"));
    assert!(import("not-a-bundle.sbc", b"PK\x03\x04 a zip file").contains("not a sobaucu bundle"));

    // The good bundle applies once; again, it changes nothing.
    let file = bundle_file(&s, "good.sbc", &good);
    let first = run_ok(Hub::command(&s.hub.dir).args(["bundle", "import", &file]));
    assert!(first.contains("2 changes"), "{first}");
    let second = run_ok(Hub::command(&s.hub.dir).args(["bundle", "import", &file]));
    assert!(second.contains("0 changes"), "{second}");
    assert_eq!(log_head(&s.hub), 2);

    // A node refuses a bundle made for another node.
    let other = Node::init(&s.tmp.path().join("other"), "03394", "2021", "2021-05-23");
    other.enroll(&s.hub, "03394");
    let for_other = s.tmp.path().join("for-other.sbc");
    let other_id = Store::open_existing(&other.dir).unwrap().node().unwrap().node_id.to_string();
    run_ok(Hub::command(&s.hub.dir).args(["bundle", "export", for_other.to_str().unwrap(), "--for", &other_id]));
    let err = s.node.fails(&["bundle", "import", for_other.to_str().unwrap()]);
    assert!(err.contains("not for this ledger"), "{err}");
}
