//! The hub's store and its protocol steps in process, without HTTP: enrolment binds a node once
//! and spends its code, a sync takes a push and answers with what the child lacks, a batch sent
//! again counts as a replay, a message sent again is refused, a revoked child is refused, and a
//! child reads only the units it may; news of who synced when is kept only from a child hub,
//! about its own units.

use sobaucu_core::Store;
use sobaucu_core::store::InitOptions;
use sobaucu_hub::service::{Hub, child_of};
use sobaucu_hub::store::HubStore;
use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::messages::{EnrollRequest, RefusalKind, Seen, SyncRequest, SyncResponse};
use sobaucu_protocol::{Batch, Identity, Limits, Message, NodeId, Role, Sealed, Statement};

struct Fixture {
    _tmp: tempfile::TempDir,
    hub: HubStore,
    keys: Identity,
}

fn hub() -> Fixture {
    hub_at("106")
}

fn hub_at(unit: &str) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    // With a PostgreSQL server to test against (`scripts/test.sh`), the store lives there.
    let database = std::env::var("SOBAUCU_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|admin| sobaucu_hub::pg::create_fresh_database(&admin, "s").unwrap());
    let mut hub =
        HubStore::open_with(&tmp.path().join("hub"), &sobaucu_core::vault::test_credentials(), database.as_deref())
            .unwrap();
    assert_eq!(hub.database_kind(), if database.is_some() { "postgres" } else { "sqlite" });
    hub.init(&unit.parse().unwrap(), "2021".parse().unwrap(), true).unwrap();
    let keys = hub.keys().unwrap();
    Fixture { _tmp: tmp, hub, keys }
}

fn code(f: &mut Fixture, unit: &str, role: Role) -> EnrolCode {
    let day = (chrono::Utc::now().timestamp() / 86_400) as u32 + 1;
    let code = EnrolCode::new(role, unit, day, f.keys.public()).unwrap();
    f.hub.keep_code(&code.secret_hash(), &unit.parse().unwrap(), role, day).unwrap();
    code
}

fn enrol_request(
    me: &Identity,
    code: &EnrolCode,
    unit: &str,
    role: Role,
    hub: &sobaucu_protocol::PublicIdentity,
) -> Vec<u8> {
    let request = EnrollRequest::signed(me, code, &code.to_text(), unit, role);
    Sealed::seal_anonymous(me.node(), hub, 1, &Message::new(&request, vec![]).encode())
}

fn enrol(f: &mut Fixture, me: &Identity, unit: &str, role: Role) -> Result<Vec<Statement>, RefusalKind> {
    let code = code(f, unit, role);
    let body = enrol_request(me, &code, unit, role, f.keys.public());
    let mut hub = Hub { store: &mut f.hub, limits: Limits::default() };
    let (answer, node, got_role, got_unit) = hub.enroll(&body).map_err(|r| r.body.kind)?;
    assert_eq!((node, got_role, got_unit.as_str()), (me.node(), role, unit));
    let plain = Sealed::open_answer(me, &answer, f.keys.public(), 1, 1 << 20).unwrap();
    let message = Message::decode(&plain).unwrap();
    Ok(Batch::decode(&message.parts[0], &Limits::default()).unwrap().statements)
}

fn sync(
    f: &mut Fixture,
    me: &Identity,
    counter: u64,
    request: &SyncRequest,
    push: Option<&Batch>,
) -> Result<(SyncResponse, Batch), RefusalKind> {
    let parts = push.map(|b| vec![b.encode()]).unwrap_or_default();
    let body = Sealed::seal(me, f.keys.public(), counter, &Message::new(request, parts).encode());
    let mut hub = Hub { store: &mut f.hub, limits: Limits::default() };
    let (answer, _) = hub.sync(&body).map_err(|r| r.body.kind)?;
    let plain = Sealed::open_answer(me, &answer, f.keys.public(), counter, 1 << 24).unwrap();
    let message = Message::decode(&plain).unwrap();
    Ok((message.header().unwrap(), Batch::decode(&message.parts[0], &Limits::default()).unwrap()))
}

/// A commune ledger with its identity, holding `n` incidents, and the batch of them.
fn ledger_with(unit: &str, n: usize) -> (tempfile::TempDir, Store, Identity) {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: unit.parse().unwrap(),
            scheme: "2021".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2021, 5, 23).unwrap(),
            law: None,
        })
        .unwrap();
    for i in 0..n {
        let input =
            serde_json::json!({"occurred_on": "2021-03-19", "place": format!("Bản {i}"), "summary": "Mất điện"});
        store.save(sobaucu_core::Kind::Incident, None, input.as_object().unwrap()).unwrap();
    }
    let id = store.identity().unwrap();
    (tmp, store, id)
}

fn own_changes(store: &Store) -> Vec<sobaucu_protocol::Change> {
    store.db().log_entries(0, 1000).unwrap().into_iter().map(|e| e.change).collect()
}

#[test]
fn enrolment_certifies_a_node_once_and_spends_its_code() {
    let mut f = hub();
    assert_eq!(f.hub.chain().unwrap().len(), 1, "a top hub certifies itself");
    let node = Identity::from_secret(NodeId(7), [7; 32]);
    let chain = enrol(&mut f, &node, "03390", Role::Node).unwrap();
    match &chain[0] {
        Statement::Cert(c) => assert_eq!((c.subject, c.role, c.unit.as_str()), (*node.public(), Role::Node, "03390")),
        other => panic!("{other:?}"),
    }
    let child = f.hub.child(NodeId(7)).unwrap().unwrap();
    assert_eq!((child.role, child.unit.as_str()), (Role::Node, "03390"));
    // The same id again, with a fresh code: refused, the first binding kept.
    let other_keys = Identity::from_secret(NodeId(7), [8; 32]);
    assert_eq!(enrol(&mut f, &other_keys, "03390", Role::Node).unwrap_err(), RefusalKind::KnownNode);
    assert_eq!(f.hub.child(NodeId(7)).unwrap().unwrap().identity, Some(*node.public()));
    // A unit outside the hub's subtree cannot even get a code enrolled.
    let far = Identity::from_secret(NodeId(9), [9; 32]);
    assert_eq!(enrol(&mut f, &far, "03433", Role::Node).unwrap_err(), RefusalKind::BadCode);
}

#[test]
fn a_sync_takes_a_push_once_and_answers_what_the_child_lacks() {
    let mut f = hub();
    let (_a, store_a, a) = ledger_with("03390", 3);
    let (_b, _store_b, b) = ledger_with("03394", 0);
    enrol(&mut f, &a, "03390", Role::Node).unwrap();
    enrol(&mut f, &b, "03394", Role::Node).unwrap();
    let changes = own_changes(&store_a);
    let batch = Batch { after: 0, upto: 3, statements: vec![], changes };
    let request = SyncRequest { max_changes: 100, own_seq: Some(3), ..SyncRequest::default() };
    let (answer, _) = sync(&mut f, &a, 10, &request, Some(&batch)).unwrap();
    assert_eq!((answer.ack, answer.held_seq), (3, 3));
    assert_eq!(f.hub.log_head().unwrap(), 3);
    // The same message again: refused by its counter.
    assert_eq!(sync(&mut f, &a, 10, &request, Some(&batch)).unwrap_err(), RefusalKind::Replayed);
    // The same batch in a new message (an answer lost in a cut): a replay, nothing appended.
    let (answer, _) = sync(&mut f, &a, 11, &request, Some(&batch)).unwrap();
    assert_eq!(answer.ack, 3);
    assert_eq!(f.hub.child(a.node()).unwrap().unwrap().counts[2], 2, "one refused message, one replayed batch");
    assert_eq!(f.hub.log_head().unwrap(), 3);
    // The neighbour reads none of it; the district-level reader would.
    let (answer, pulled) =
        sync(&mut f, &b, 1, &SyncRequest { max_changes: 100, ..SyncRequest::default() }, None).unwrap();
    assert!(pulled.changes.is_empty());
    assert_eq!(answer.pull_upto, 3);
    // A revoked child is refused before anything is opened.
    f.hub.revoke(a.node()).unwrap();
    assert_eq!(sync(&mut f, &a, 12, &request, None).unwrap_err(), RefusalKind::Revoked);
    let body = Sealed::seal(&a, f.keys.public(), 13, &Message::new(&request, vec![]).encode());
    assert_eq!(child_of(&f.hub, &body).unwrap_err().body.kind, RefusalKind::Revoked);
}

#[test]
fn news_of_who_synced_is_kept_only_from_a_child_hub_and_only_for_its_own_units() {
    // The province of Lai Châu; district 106 enrols as a hub, commune 03390 (in it) as a node.
    let mut f = hub_at("12");
    let district = Identity::from_secret(NodeId(0x106), [1; 32]);
    let commune = Identity::from_secret(NodeId(0x3390), [2; 32]);
    enrol(&mut f, &district, "106", Role::Hub).unwrap();
    enrol(&mut f, &commune, "03390", Role::Node).unwrap();
    let seen = |node: u64, unit: &str, at: &str| Seen {
        node: NodeId(node),
        unit: unit.into(),
        kind: Role::Node,
        last_sync_at: at.into(),
    };
    let now = chrono::Utc::now().to_rfc3339();
    let news = vec![
        seen(0xa1, "03394", &now),                   // a commune of district 106: kept
        seen(0xa2, "03433", &now),                   // a commune of another district: dropped
        seen(0xa3, "99999", &now),                   // no such unit: dropped
        seen(0xa4, "03397", "2999-01-01T00:00:00Z"), // from the future: dropped
        seen(0xa5, "03397", "yesterday"),            // not a time: dropped
        seen(0x106, "106", &now),                    // the sender about itself: dropped
    ];
    let request = SyncRequest { max_changes: 10, seen: news.clone(), ..SyncRequest::default() };
    // An ordinary node's news is ignored whole.
    sync(&mut f, &commune, 1, &request, None).unwrap();
    assert!(f.hub.seen().unwrap().iter().all(|s| s.node.0 >= 0x100), "{:?}", f.hub.seen().unwrap());
    // The district hub's is kept only where it is true of its own communes.
    sync(&mut f, &district, 1, &request, None).unwrap();
    let kept: Vec<(u64, String)> =
        f.hub.seen().unwrap().into_iter().filter(|s| s.node.0 < 0x100).map(|s| (s.node.0, s.unit)).collect();
    assert_eq!(kept, vec![(0xa1, "03394".to_string())]);
}
