//! Every attack on the sync that `shared/THREATS.md` names, tried as a hostile user would, with
//! real hub processes on loopback and ledgers made by the CLI: a commune taking over another's
//! record by its id, a commune code used to enrol a hub, a known node id enrolled again, a
//! poisoned clock, a forged author, a replayed request, a fake hub's acknowledgement, garbled,
//! truncated, oversized and bomb requests, bad bundles, a revoked node. Each is refused with a
//! clear error, and nothing of it is applied anywhere.

use std::time::Duration;

use serde_json::{Value, json};
use sobaucu_core::Store;
use sobaucu_protocol::messages::{RefusalKind, SyncRequest, SyncResponse};
use sobaucu_protocol::{Batch, Change, Identity, Limits, Message, NodeId, PublicIdentity, Sealed, bundle_bytes};
use sobaucu_tests::{Hub, Node, run_fails, run_ok};

fn identity(node: &Node) -> Identity {
    Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap().identity().unwrap()
}

fn health(hub: &Hub) -> Value {
    let mut r = ureq::get(&format!("{}/v1/health", hub.url)).call().unwrap();
    r.body_mut().read_json().unwrap()
}

fn hub_identity(hub: &Hub) -> PublicIdentity {
    let h = health(hub);
    PublicIdentity::from_hex(
        h["node_id"].as_str().unwrap().parse().unwrap(),
        h["sign_key"].as_str().unwrap(),
        h["seal_key"].as_str().unwrap(),
    )
    .unwrap()
}

fn log_head(hub: &Hub) -> u64 {
    health(hub)["log_head"].as_u64().unwrap()
}

fn now_micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as u64
}

/// Posts bytes to a hub endpoint; returns the status and the body.
fn post(hub: &Hub, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response = agent.post(&format!("{}{path}", hub.url)).send(body).expect("the hub answers");
    let status = response.status().as_u16();
    let bytes = response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap_or_default();
    (status, bytes)
}

/// A sealed sync request from `me`, with its counter.
fn request(me: &Identity, hub: &PublicIdentity, sync: &SyncRequest, push: Option<&Batch>) -> (Vec<u8>, u64) {
    let counter = now_micros();
    let parts = push.map(|b| vec![b.encode()]).unwrap_or_default();
    (Sealed::seal(me, hub, counter, &Message::new(sync, parts).encode()), counter)
}

fn pull_request() -> SyncRequest {
    SyncRequest { max_changes: 100, ..SyncRequest::default() }
}

/// Opens a hub's sealed answer to the request sent with `counter`.
fn answer(me: &Identity, hub: &PublicIdentity, counter: u64, bytes: &[u8]) -> (SyncResponse, Vec<Batch>) {
    let plain = Sealed::open_answer(me, bytes, hub, counter, 64 << 20).expect("a sealed answer");
    let message = Message::decode(&plain).unwrap();
    let parts = message.parts.iter().map(|p| Batch::decode(p, &Limits::default()).unwrap()).collect();
    (message.header().unwrap(), parts)
}

/// A refusal in clear: its status and kind, after checking that the hub's log did not move.
fn refused(hub: &Hub, path: &str, body: &[u8], status: u16, kind: &str) -> Value {
    let before = log_head(hub);
    let (got, bytes) = post(hub, path, body);
    let refusal: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(got, status, "{refusal}");
    assert_eq!(refusal["kind"], kind, "{refusal}");
    assert!(refusal["message"].as_str().is_some_and(|m| m.len() > 10), "a refusal says what is wrong: {refusal}");
    assert_eq!(log_head(hub), before, "a refused request applied something");
    refusal
}

/// A district hub with two communes enrolled, each with a polling area and a voter, synced,
/// and the district's own ledger.
struct Tree {
    tmp: tempfile::TempDir,
    hub: Hub,
    a: Node,
    b: Node,
    district: Node,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let a = Node::init(&tmp.path().join("a"), "03390", "2021", "2021-05-23");
    let b = Node::init(&tmp.path().join("b"), "03394", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    for (node, unit) in [(&a, "03390"), (&b, "03394"), (&district, "106")] {
        node.enroll(&hub, unit);
    }
    for (node, name) in [(&a, "Giàng Páo Mỷ"), (&b, "Lò Thị Ỏn")] {
        node.import(&[
            json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
            json!({"kind": "voter", "full_name": name, "birth_date": "1970", "sex": "female",
                   "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na"}),
        ]);
        node.ok(&["sync"]);
    }
    district.ok(&["sync"]);
    Tree { tmp, hub, a, b, district }
}

fn voters(node: &Node) -> Vec<Value> {
    node.ok(&["list", "--kind", "voter", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The hub's own record of a node: its log position and its last accepted counter, as sync
/// needs them to craft a request by hand.
fn next_change(node: &Node) -> (u64, u64) {
    let store = Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    let link = store.parent().unwrap().unwrap();
    (link.sent_idx, store.own_seq().unwrap())
}

/// A change made by hand, as a modified program would send it: `origin`'s `seq`-th, writing
/// `fields` into record `record` of `kind` in `unit`, dated now.
fn hand_made(
    origin: NodeId,
    seq: u64,
    record: sobaucu_core::RecordId,
    kind: &str,
    unit: &str,
    fields: Vec<(String, sobaucu_protocol::Value)>,
) -> Change {
    Change {
        origin,
        seq,
        record_node: record.node,
        record_counter: record.counter,
        kind: kind.into(),
        unit: unit.into(),
        hlc: (sobaucu_core::trust::now_ms()) << 16,
        fields,
        ..Change::default()
    }
}

#[test]
fn a_commune_cannot_take_over_a_record_of_its_neighbour() {
    let t = tree();
    let victim = voters(&t.b)[0].clone();
    let victim_id = victim["id"].as_str().unwrap().to_string();

    // By import: an id made by another node is refused, and nothing is written.
    let line = json!({"kind": "voter", "id": victim_id, "full_name": "Kẻ Mạo Danh", "birth_date": "1980",
        "sex": "male", "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na"});
    let file = t.tmp.path().join("takeover.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let err = t.a.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("made by another node") && err.contains("takeover.jsonl:1"), "{err}");

    // By a hand-made sync request (a modified program): the hub refuses that change.
    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let (after, seq) = next_change(&t.a);
    let id: sobaucu_core::RecordId = victim_id.parse().unwrap();
    let forged = |unit: &str, seq: u64| {
        let fields = vec![("full_name".into(), sobaucu_protocol::Value::Text("Kẻ Mạo Danh".into()))];
        hand_made(me.node(), seq, id, "voter", unit, fields)
    };
    let batch = Batch {
        after,
        upto: after + 2,
        statements: vec![],
        changes: vec![forged("03390", seq + 1), forged("03394", seq + 2)],
    };
    let (body, counter) = request(&me, &hub, &pull_request(), Some(&batch));
    let (status, bytes) = post(&t.hub, "/v1/sync", &body);
    assert_eq!(status, 200);
    let (response, _) = answer(&me, &hub, counter, &bytes);
    let kinds: Vec<RefusalKind> = response.refused.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![RefusalKind::ForeignRecord, RefusalKind::ForeignUnit], "{:?}", response.refused);
    assert!(response.refused[0].message.contains(&victim_id), "{:?}", response.refused);

    // Nowhere applied: the district ledger and the neighbour still hold the voter as it was.
    t.district.ok(&["sync"]);
    t.b.ok(&["sync"]);
    for node in [&t.district, &t.b] {
        let held: Vec<Value> = voters(node).into_iter().filter(|v| v["id"] == victim["id"]).collect();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0]["full_name"], "Lò Thị Ỏn");
        assert_eq!(held[0]["unit"], "03394");
    }
    // The hub keeps the refused changes only as digests, and everything it holds checks.
    let report: Value = serde_json::from_str(&run_ok(Hub::command(&t.hub.dir).args(["verify", "--json"]))).unwrap();
    assert_eq!(report["withheld"], 2, "{report}");
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
}

/// The figures a national ledger sums are a record like any other: a commune can neither
/// rewrite its neighbour's nor publish figures for the district above it.
#[test]
fn a_commune_cannot_forge_figures_of_another_unit() {
    let t = tree();
    let figures_of = |node: &Node| -> Vec<Value> {
        node.ok(&["list", "--kind", "figures", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let theirs = figures_of(&t.b).into_iter().find(|f| f["unit"] == "03394").expect("the neighbour published");
    let their_id: sobaucu_core::RecordId = theirs["id"].as_str().unwrap().parse().unwrap();

    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let (after, seq) = next_change(&t.a);
    let inflated = json!({"voters": 9_000_000, "polling_areas": 1}).to_string();
    let forged = |unit: &str, seq: u64, record: sobaucu_core::RecordId| {
        let fields = vec![
            ("voters".into(), sobaucu_protocol::Value::Int(9_000_000)),
            ("figures".into(), sobaucu_protocol::Value::Text(inflated.clone())),
        ];
        hand_made(me.node(), seq, record, "figures", unit, fields)
    };
    let batch = Batch {
        after,
        upto: after + 2,
        statements: vec![],
        changes: vec![
            forged("03394", seq + 1, their_id),
            forged("106", seq + 2, sobaucu_core::RecordId { node: me.node(), counter: 9_999 }),
        ],
    };
    let (body, counter) = request(&me, &hub, &pull_request(), Some(&batch));
    let (status, bytes) = post(&t.hub, "/v1/sync", &body);
    assert_eq!(status, 200);
    let (response, _) = answer(&me, &hub, counter, &bytes);
    let kinds: Vec<RefusalKind> = response.refused.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![RefusalKind::ForeignUnit, RefusalKind::ForeignUnit], "{:?}", response.refused);

    // The district's ledger holds the neighbour's figures as it published them, and none of
    // its own unit but those it wrote itself.
    t.district.ok(&["sync"]);
    let held = figures_of(&t.district);
    let neighbour: Vec<&Value> = held.iter().filter(|f| f["id"] == theirs["id"]).collect();
    assert_eq!(neighbour.len(), 1);
    assert_eq!(neighbour[0]["voters"], 1);
    assert!(held.iter().all(|f| f["voters"] != 9_000_000), "{held:?}");
}

#[test]
fn a_node_cannot_write_as_another_node() {
    let t = tree();
    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let district_id = identity(&t.district).node();
    let (after, _) = next_change(&t.a);
    // A change credited to the district ledger, sent by a commune.
    let forged = Change {
        origin: district_id,
        seq: 99,
        record_node: district_id,
        record_counter: 99,
        kind: "incident".into(),
        unit: "03390".into(),
        hlc: sobaucu_core::trust::now_ms() << 16,
        fields: vec![("summary".into(), sobaucu_protocol::Value::Text("Giả mạo".into()))],
        ..Change::default()
    };
    let batch = Batch { after, upto: after + 1, statements: vec![], changes: vec![forged] };
    let (body, _) = request(&me, &hub, &pull_request(), Some(&batch));
    let before = log_head(&t.hub);
    let (status, _) = post(&t.hub, "/v1/sync", &body);
    assert_eq!(status, 200);
    // The forged change is not this node's to send: the hub keeps nothing of it, so it cannot
    // even take the district's sequence number.
    assert_eq!(log_head(&t.hub), before);
    t.district.import(&[json!({"kind": "incident", "unit": "106", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Thật"})]);
    t.district.ok(&["sync"]);
    t.district.ok(&["sync"]);
    assert!(!t.district.ok(&["list", "--kind", "incident"]).contains("Giả mạo"));
}

#[test]
fn a_poisoned_clock_is_refused_and_no_clock_moves() {
    let t = tree();
    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let (after, seq) = next_change(&t.a);
    let area = t.a.ok(&["list", "--kind", "polling_area", "--json"]);
    let area: Value = serde_json::from_str(area.lines().next().unwrap()).unwrap();
    let id: sobaucu_core::RecordId = area["id"].as_str().unwrap().parse().unwrap();
    let poisoned = Change {
        origin: me.node(),
        seq: seq + 1,
        record_node: id.node,
        record_counter: id.counter,
        kind: "polling_area".into(),
        unit: "03390".into(),
        hlc: (1u64 << 63) - 1,
        fields: vec![("location".into(), sobaucu_protocol::Value::Text("Nhà văn hóa".into()))],
        ..Change::default()
    };
    let batch = Batch { after, upto: after + 1, statements: vec![], changes: vec![poisoned] };
    let (body, counter) = request(&me, &hub, &pull_request(), Some(&batch));
    let (status, bytes) = post(&t.hub, "/v1/sync", &body);
    assert_eq!(status, 200);
    let (response, _) = answer(&me, &hub, counter, &bytes);
    assert_eq!(response.refused.len(), 1, "{:?}", response.refused);
    assert_eq!(response.refused[0].kind, RefusalKind::ClockAhead);
    assert!(response.refused[0].message.contains("clock is wrong"), "{:?}", response.refused);
    // The district ledger's clock stays where it was: its next write is stamped now.
    t.district.ok(&["sync"]);
    t.district.import(&[json!({"kind": "incident", "unit": "106", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Kiểm tra"})]);
    let list = t.district.ok(&["list", "--kind", "incident", "--json"]);
    let written: Value = serde_json::from_str(list.lines().next().unwrap()).unwrap();
    let year: i32 = written["updated_at"].as_str().unwrap()[..4].parse().unwrap();
    assert!(year < 2100, "the district's clock was pinned: {written}");
}

#[test]
fn enrolment_binds_role_unit_and_key_once() {
    let t = tree();
    // A commune's code cannot enrol a hub.
    let code = t.hub.enroll_code("03394");
    let err = run_fails(
        Hub::command(&t.tmp.path().join("fake-hub"))
            .args(["init", "--unit", "03394", "--scheme", "2021", "--parent", &t.hub.url, "--code", &code]),
    );
    assert!(err.contains("enrols a ledger, not a hub"), "{err}");
    // Nor, crafted by hand, a request that claims the role a code does not give.
    let stranger = Identity::from_secret(NodeId(0x5eed), [5; 32]);
    let parsed = sobaucu_protocol::code::EnrolCode::parse(&code).unwrap();
    let hub = hub_identity(&t.hub);
    let enrol = |me: &Identity, role: sobaucu_protocol::Role, code: &str| {
        let request = sobaucu_protocol::messages::EnrollRequest::signed(me, &parsed, code, "03394", role);
        Sealed::seal_anonymous(me.node(), &hub, now_micros(), &Message::new(&request, vec![]).encode())
    };
    let refusal = refused(&t.hub, "/v1/enroll", &enrol(&stranger, sobaucu_protocol::Role::Hub, &code), 403, "bad_code");
    assert!(refusal["message"].as_str().unwrap().contains("enrols a node"), "{refusal}");

    // A known node id cannot be enrolled again, even with a good code: its key and unit stay.
    let b = identity(&t.b);
    let impostor = Identity::from_secret(b.node(), [6; 32]);
    let refusal =
        refused(&t.hub, "/v1/enroll", &enrol(&impostor, sobaucu_protocol::Role::Node, &code), 403, "known_node");
    assert!(refusal["message"].as_str().unwrap().contains("new node"), "{refusal}");
    // The real node still syncs with its own key.
    t.b.ok(&["sync"]);
    // The code was not spent by the refusals: a new node enrols with it.
    let other = Node::init(&t.tmp.path().join("other"), "03394", "2021", "2021-05-23");
    other.ok(&["enroll", "--hub", &t.hub.url, "--code", &code]);
    // A code is used once.
    let third = Node::init(&t.tmp.path().join("third"), "03394", "2021", "2021-05-23");
    let err = third.fails(&["enroll", "--hub", &t.hub.url, "--code", &code]);
    assert!(err.contains("already used"), "{err}");
    // A code pins its hub: another hub (same unit, other keys) is refused before anything is
    // sent to it.
    let impostor_hub = Hub::start(&t.tmp.path().join("impostor"), "106", "2021", None);
    let fourth = Node::init(&t.tmp.path().join("fourth"), "03394", "2021", "2021-05-23");
    let code = t.hub.enroll_code("03394");
    let err = fourth.fails(&["enroll", "--hub", &impostor_hub.url, "--code", &code]);
    assert!(err.contains("not the hub that issued this code"), "{err}");
    // A code for another unit, or mistyped, is caught by the node itself.
    let err = fourth.fails(&["enroll", "--hub", &t.hub.url, "--code", &t.hub.enroll_code("03390")]);
    assert!(err.contains("for unit 03390"), "{err}");
    let mut typo: Vec<char> = code.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let err = fourth.fails(&["enroll", "--hub", &t.hub.url, "--code", &typo.into_iter().collect::<String>()]);
    assert!(err.contains("mistyped"), "{err}");
}

#[test]
fn a_captured_request_is_useless_when_replayed() {
    let t = tree();
    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let (body, counter) = request(&me, &hub, &pull_request(), None);
    let (status, bytes) = post(&t.hub, "/v1/sync", &body);
    assert_eq!(status, 200);
    // The answer is sealed: no one else can read it, and the names in it do not show.
    let eavesdropper = Identity::from_secret(me.node(), [8; 32]);
    assert!(Sealed::open_answer(&eavesdropper, &bytes, &hub, counter, 1 << 20).is_err());
    assert!(Sealed::open_answer(&me, &bytes, &hub, counter + 1, 1 << 20).is_err(), "bound to its request");
    let _ = answer(&me, &hub, counter, &bytes);
    assert!(!bytes.windows("Giàng".len()).any(|w| w == "Giàng".as_bytes()));
    // Sent again, it is refused and answers nothing.
    let refusal = refused(&t.hub, "/v1/sync", &body, 409, "replayed");
    assert!(refusal["message"].as_str().unwrap().contains("already received"), "{refusal}");
    // Garbled, truncated, unknown, oversized: refused, nothing applied.
    let mut garbled = body.clone();
    let middle = garbled.len() / 2;
    garbled[middle] ^= 0x40;
    refused(&t.hub, "/v1/sync", &garbled, 401, "bad_signature");
    refused(&t.hub, "/v1/sync", &body[..30], 400, "malformed");
    refused(&t.hub, "/v1/sync", b"GET / HTTP/1.1 this is not a sync request at all", 400, "malformed");
    let stranger = Identity::from_secret(NodeId(0x1234), [9; 32]);
    refused(&t.hub, "/v1/sync", &request(&stranger, &hub, &pull_request(), None).0, 401, "unknown_node");
    // Sealed by another key under this node's id.
    let wrong = Identity::from_secret(me.node(), [9; 32]);
    refused(&t.hub, "/v1/sync", &request(&wrong, &hub, &pull_request(), None).0, 401, "bad_signature");
    // Oversized: the hub answers 413, or closes the connection before taking it all.
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let before = log_head(&t.hub);
    match agent.post(&format!("{}/v1/sync", t.hub.url)).send(&vec![0u8; 9 * 1024 * 1024][..]) {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        Err(e) => assert!(e.to_string().to_lowercase().contains("pipe") || e.to_string().contains("reset"), "{e}"),
    }
    assert_eq!(log_head(&t.hub), before);
}

#[test]
fn bombs_are_refused_within_bounded_memory() {
    let t = tree();
    let me = identity(&t.a);
    let hub = hub_identity(&t.hub);
    let rss = || -> u64 {
        let pid = t.hub.pid().expect("the hub runs");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
    };
    // A count of a billion changes in a few bytes.
    let mut count_bomb = Vec::new();
    for n in [0u64, 1, 0] {
        sobaucu_protocol::codec::put_varint(&mut count_bomb, n);
    }
    let mut inner = Vec::new();
    sobaucu_protocol::codec::put_varint(&mut inner, 1_000_000_000);
    inner.extend_from_slice(&[0; 64]);
    sobaucu_protocol::codec::put_varint(&mut count_bomb, inner.len() as u64);
    count_bomb.push(0);
    count_bomb.extend_from_slice(&zstd::bulk::compress(&inner, 3).unwrap());
    // 256 MiB of zeros compressed to a few hundred kilobytes, declared at their true size.
    let zeros = vec![0u8; 256 << 20];
    let mut zip_bomb = Vec::new();
    for n in [0u64, 1, 0, 256 << 20] {
        sobaucu_protocol::codec::put_varint(&mut zip_bomb, n);
    }
    zip_bomb.push(0);
    zip_bomb.extend_from_slice(&zstd::bulk::compress(&zeros, 3).unwrap());
    drop(zeros);
    // The same, declared small (the decoder stops at the declared size).
    let mut lying = Vec::new();
    for n in [0u64, 1, 0, 1000] {
        sobaucu_protocol::codec::put_varint(&mut lying, n);
    }
    lying.push(0);
    lying.extend_from_slice(&zip_bomb[zip_bomb.len() - 1000.min(zip_bomb.len())..]);
    for bomb in [&count_bomb, &zip_bomb, &lying] {
        let counter = now_micros();
        let message = Message { meta: serde_json::to_value(pull_request()).unwrap(), parts: vec![bomb.clone()] };
        let body = Sealed::seal(&me, &hub, counter, &message.encode());
        let before = log_head(&t.hub);
        let (status, bytes) = post(&t.hub, "/v1/sync", &body);
        let refusal: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status == 413 || status == 400, "{status} {refusal}");
        assert_eq!(log_head(&t.hub), before);
    }
    let peak = rss();
    assert!(peak < 160, "the hub's memory stayed bounded: peak {peak} MiB");
    // And it still serves.
    t.a.ok(&["sync"]);
}

#[test]
fn a_fake_hub_cannot_acknowledge_anything() {
    let t = tree();
    t.a.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Mất điện"}),
    ]);
    let pending = |node: &Node| {
        Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap().pending_count().unwrap()
    };
    assert_eq!(pending(&t.a), 1);
    // A server that answers every sync with a 409 and a huge acknowledgement, in clear.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::{Read, Write};
            let mut stream = stream;
            let mut buf = [0u8; 65536];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = stream.read(&mut buf);
            let body = r#"{"kind":"replayed","message":"this batch was already received","ack":18446744073709551615}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = t.a.fails(&["sync", "--hub", &url]);
    assert!(err.contains("refused"), "{err}");
    // Pending: the change, and the figures the ledger published as the sync began.
    assert_eq!(pending(&t.a), 2, "a refusal in clear acknowledges nothing");
    // The real hub then gets both.
    let out = t.a.ok(&["sync"]);
    assert!(out.contains("has 2 of 2 changes"), "{out}");
    assert_eq!(pending(&t.a), 0);
}

#[test]
fn a_revoked_node_is_refused_over_http_bundles_and_relays() {
    let t = tree();
    let id = identity(&t.a).node().to_string();
    run_ok(Hub::command(&t.hub.dir).args(["revoke", "--node", &id]));
    let err = t.a.fails(&["sync"]);
    assert!(err.contains("revoked"), "{err}");
    // No bundle is made for it, and none of its bundles is taken.
    let for_a = t.tmp.path().join("for-a.sbc");
    let err = run_fails(Hub::command(&t.hub.dir).args(["bundle", "export", for_a.to_str().unwrap(), "--for", &id]));
    assert!(err.contains("revoked"), "{err}");
    t.a.import(&[json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Sau khi bị thu hồi"})]);
    let up = t.tmp.path().join("from-a.sbc");
    t.a.ok(&["bundle", "export", up.to_str().unwrap()]);
    let before = log_head(&t.hub);
    let err = run_fails(Hub::command(&t.hub.dir).args(["bundle", "import", up.to_str().unwrap()]));
    assert!(err.contains("revoked") && err.contains("from-a.sbc"), "{err}");
    assert_eq!(log_head(&t.hub), before);
    // The revocation travels: the district ledger holds it.
    t.district.ok(&["sync"]);
    let report: Value = serde_json::from_str(&t.district.ok(&["verify", "--json"])).unwrap();
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn bad_bundles_are_refused_and_nothing_is_applied() {
    let t = tree();
    t.a.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Mất điện"}),
    ]);
    let good = t.tmp.path().join("good.sbc");
    t.a.ok(&["bundle", "export", good.to_str().unwrap()]);
    let bytes = std::fs::read(&good).unwrap();
    // What is on the stick is unreadable: the text typed does not appear.
    assert!(!bytes.windows("Mất điện".len()).any(|w| w == "Mất điện".as_bytes()));
    let import = |name: &str, bytes: &[u8]| {
        let file = t.tmp.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let before = log_head(&t.hub);
        let err = run_fails(Hub::command(&t.hub.dir).args(["bundle", "import", file.to_str().unwrap()]));
        assert_eq!(log_head(&t.hub), before, "{name}: a refused bundle applied something");
        assert!(err.contains(name), "{name}: the error names the file: {err}");
        err
    };
    assert!(import("truncated.sbc", &bytes[..bytes.len() - 10]).contains("too early"));
    let mut garbled = bytes.clone();
    let middle = garbled.len() / 2;
    garbled[middle] ^= 1;
    assert!(import("garbled.sbc", &garbled).contains("cannot be opened"));
    assert!(import("not-a-bundle.sbc", b"PK\x03\x04 a zip file").contains("not a sobaucu bundle"));
    let me = identity(&t.a);
    let wrong = Identity::from_secret(me.node(), [7; 32]);
    let forged = bundle_bytes(&[request(&wrong, &hub_identity(&t.hub), &pull_request(), None).0]);
    assert!(import("wrong-key.sbc", &forged).contains("cannot be opened"));

    // The good bundle applies once; again, it changes nothing.
    let first = run_ok(Hub::command(&t.hub.dir).args(["bundle", "import", good.to_str().unwrap()]));
    // The change, and the ledger's figures published as it made the bundle.
    assert!(first.contains("2 changes"), "{first}");
    let head = log_head(&t.hub);
    let second = run_ok(Hub::command(&t.hub.dir).args(["bundle", "import", good.to_str().unwrap()]));
    assert!(second.contains("0 changes"), "{second}");
    assert_eq!(log_head(&t.hub), head);

    // A node cannot open a bundle made for another node.
    let for_b = t.tmp.path().join("for-b.sbc");
    let b_id = identity(&t.b).node().to_string();
    run_ok(Hub::command(&t.hub.dir).args(["bundle", "export", for_b.to_str().unwrap(), "--for", &b_id]));
    let err = t.a.fails(&["bundle", "import", for_b.to_str().unwrap()]);
    assert!(err.contains("not for this ledger"), "{err}");
}
