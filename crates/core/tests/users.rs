//! Officials who share a ledger: each opens it with a passphrase of their own, each role may do
//! what the table in `access.rs` (and the README) says and is refused the rest with a clear
//! error, every change records its author, and a record's history says who changed what.

use serde_json::{Map, Value, json};
use sobaucu_core::access::{Action, Role};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{self, Format, ImportOptions};
use sobaucu_core::vault::{Credentials, test_credentials};
use sobaucu_core::{Error, Store};

const PASS: &str = "mật khẩu riêng 1";

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// A commune ledger whose chair is "Lò Văn Minh", with a secretary, a member and a viewer.
fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let chair = Credentials::new(Some("Lò Văn Minh"), &test_credentials().passphrase);
    let mut store = Store::open(dir.path(), &chair).unwrap();
    store
        .init(InitOptions {
            unit: "03637".parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            law: None,
        })
        .unwrap();
    store.add_user("Hà Thị Thư", Role::Secretary, PASS).unwrap();
    store.add_user("Giàng A Páo", Role::Member, PASS).unwrap();
    store.add_user("Vàng Thị Mỷ", Role::Viewer, PASS).unwrap();
    (dir, store)
}

fn open_as(dir: &std::path::Path, name: &str) -> Store {
    Store::open_existing(dir, &Credentials::new(Some(name), PASS)).unwrap()
}

fn forbidden<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), "forbidden", "{error}");
    error.to_string()
}

fn area(n: u32) -> Map<String, Value> {
    obj(json!({"number": n, "name": format!("Khu vực bỏ phiếu số {n}"), "area_type": "ordinary"}))
}

#[test]
fn each_role_does_what_it_may_and_is_refused_the_rest() {
    let (dir, mut chair) = ledger();
    assert_eq!(chair.actor().role, Role::Chair);
    let created = chair.save(Kind::PollingArea, None, &area(1)).unwrap();
    let id: sobaucu_core::RecordId = created["id"].as_str().unwrap().parse().unwrap();
    drop(chair);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("areas.jsonl");
    std::fs::write(
        &file,
        "{\"kind\":\"polling_area\",\"number\":7,\"name\":\"Khu vực bỏ phiếu số 7\",\"area_type\":\"ordinary\"}\n",
    )
    .unwrap();
    let import = |store: &mut Store| {
        transfer::import(
            store,
            &[file.as_path()],
            &ImportOptions { kind: None, defaults: Map::new(), ..ImportOptions::default() },
        )
    };
    let export = |store: &Store| transfer::export(store, Kind::PollingArea, Format::Csv, &work.path().join("out.csv"));

    // The secretary writes, imports, exports, syncs; does not manage users.
    let mut secretary = open_as(dir.path(), "hà thị thư");
    assert_eq!(secretary.actor().name, "Hà Thị Thư");
    secretary.save(Kind::PollingArea, Some(id), &obj(json!({"name": "Khu vực bỏ phiếu số 1 – Bản Nà"}))).unwrap();
    import(&mut secretary).unwrap();
    export(&secretary).unwrap();
    secretary.require(Action::Sync).unwrap();
    secretary.require(Action::Backup).unwrap();
    forbidden(secretary.add_user("Người lạ", Role::Chair, PASS));
    forbidden(secretary.remove_user("Lò Văn Minh"));
    drop(secretary);

    // The member writes records, and nothing more.
    let mut member = open_as(dir.path(), "Giàng A Páo");
    member.save(Kind::PollingArea, None, &area(2)).unwrap();
    forbidden(import(&mut member));
    forbidden(export(&member));
    assert!(forbidden(member.require(Action::Sync)).contains("may not sync"));
    forbidden(member.require(Action::Backup));
    drop(member);

    // The viewer reads (and prints), and writes nothing: no record, no conflict settled.
    let mut viewer = open_as(dir.path(), "Vàng Thị Mỷ");
    let before = viewer.list(Kind::PollingArea, &Default::default()).unwrap().total;
    assert_eq!(before, 3);
    viewer.require(Action::Print).unwrap();
    let message = forbidden(viewer.save(Kind::PollingArea, None, &area(3)));
    assert!(message.contains("Vàng Thị Mỷ is a viewer") && message.contains("may not change records"), "{message}");
    forbidden(viewer.delete(Kind::PollingArea, id));
    forbidden(viewer.resolve(Kind::PollingArea, id, "name", json!("x")));
    forbidden(import(&mut viewer));
    assert_eq!(viewer.list(Kind::PollingArea, &Default::default()).unwrap().total, before);
    let vi = viewer.save(Kind::PollingArea, None, &area(3)).unwrap_err().message_vi();
    assert!(vi.contains("không được thay đổi hồ sơ"), "{vi}");
}

#[test]
fn every_change_records_its_author_and_the_history_says_who_changed_what() {
    let (dir, mut chair) = ledger();
    let created = chair.save(Kind::PollingArea, None, &area(1)).unwrap();
    let id: sobaucu_core::RecordId = created["id"].as_str().unwrap().parse().unwrap();
    drop(chair);
    let mut member = open_as(dir.path(), "Giàng A Páo");
    member.save(Kind::PollingArea, Some(id), &obj(json!({"voters": 420}))).unwrap();
    let history = member.history(Kind::PollingArea, id).unwrap();
    let authors: Vec<Option<&str>> = history.iter().map(|h| h.author.as_deref()).collect();
    assert_eq!(authors, vec![Some("Lò Văn Minh"), Some("Giàng A Páo")]);
    assert!(history.iter().all(|h| h.here));
    assert_eq!(history[0].fields["name"], "Khu vực bỏ phiếu số 1");
    assert_eq!(history[1].fields.len(), 1);
    assert_eq!(history[1].fields["voters"], 420);
    // The log holds the author of every change, and the chain's digests cover it.
    let changes = member.db().record_changes(&id.to_string()).unwrap();
    assert_eq!(changes[1].author.as_deref(), Some("Giàng A Páo"));
    // (Not enrolled, the node holds no certificate: only the chain is checked here.)
    let report = member.verify().unwrap();
    assert!(report.problems.iter().all(|p| p.what == "authority"), "{report}");
    assert_eq!(report.changes, 2);
    // A record of another kind, or none, has no history.
    assert_eq!(member.history(Kind::Voter, id).unwrap_err().kind(), "not_found");
}

#[test]
fn a_removed_user_is_shut_out_and_the_last_chair_stays() {
    let (dir, mut chair) = ledger();
    assert_eq!(chair.users().unwrap().len(), 4);
    let removed = chair.remove_user("giàng a páo").unwrap();
    assert_eq!(removed, "Giàng A Páo");
    assert!(chair.remove_user("Lò Văn Minh").unwrap_err().to_string().contains("at least one chair"));
    // The re-keyed ledger still works for the chair on this connection and on a new one.
    chair.save(Kind::PollingArea, None, &area(1)).unwrap();
    drop(chair);
    let error = Store::open_existing(dir.path(), &Credentials::new(Some("Giàng A Páo"), PASS)).err().unwrap();
    assert_eq!(error.kind(), "unknown_user");
    let secretary = open_as(dir.path(), "Hà Thị Thư");
    assert_eq!(secretary.list(Kind::PollingArea, &Default::default()).unwrap().total, 1);
    let names: Vec<String> = secretary.users().unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names.len(), 3);
    assert!(!names.contains(&"Giàng A Páo".to_string()));
}

#[test]
fn a_passphrase_change_rekeys_and_keeps_everything() {
    let (dir, mut chair) = ledger();
    chair.save(Kind::PollingArea, None, &area(1)).unwrap();
    let old = test_credentials().passphrase.to_string();
    assert_eq!(
        chair.change_passphrase("not the passphrase", "new passphrase 2").unwrap_err().kind(),
        "wrong_passphrase"
    );
    chair.change_passphrase(&old, "new passphrase 2").unwrap();
    chair.save(Kind::PollingArea, None, &area(2)).unwrap();
    drop(chair);
    let wrong = Store::open_existing(dir.path(), &Credentials::new(Some("Lò Văn Minh"), &old)).err().unwrap();
    assert_eq!(wrong.kind(), "wrong_passphrase");
    let reopened =
        Store::open_existing(dir.path(), &Credentials::new(Some("Lò Văn Minh"), "new passphrase 2")).unwrap();
    assert_eq!(reopened.list(Kind::PollingArea, &Default::default()).unwrap().total, 2);
    // The other users' passphrases still open it: the new key is sealed to their keys too.
    drop(reopened);
    assert_eq!(open_as(dir.path(), "Vàng Thị Mỷ").list(Kind::PollingArea, &Default::default()).unwrap().total, 2);
}
