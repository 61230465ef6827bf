//! A ledger safe on a stolen laptop, kept by officials who answer for their changes, with real
//! processes: the raw bytes of a ledger, its WAL, a hub's store, a backup and a USB bundle give
//! away no voter's name or ID number and no node's secret key; a wrong or missing passphrase
//! changes nothing; a passphrase change re-keys; a plain ledger of an earlier version is
//! encrypted with every record kept; each role is refused what it may not do; every change's
//! author travels with it through a sync; and a lost laptop's ledger comes back from the hub.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sobaucu_core::Store;
use sobaucu_core::vault::{TEST_PASSPHRASE, test_credentials};
use sobaucu_tests::{Hub, Node, run_fails, run_ok};

const NAMES: [&str; 3] = ["Thào Thị Súa", "Vàng A Dính", "Lò Văn Ỏn"];
const ID_NUMBERS: [&str; 3] = ["011223344556", "022334455667", "033445566778"];

fn voters() -> Vec<Value> {
    let mut lines =
        vec![json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"})];
    for (name, id) in NAMES.iter().zip(ID_NUMBERS) {
        lines.push(json!({"kind": "voter", "full_name": name, "birth_date": "1970", "sex": "female", "id_number": id,
                          "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na"}));
    }
    lines
}

/// Every secret a file must not show: the voters' names and ID numbers, and a node's secret
/// key as hex and as bytes.
fn secrets(node: &Node) -> Vec<Vec<u8>> {
    let identity = Store::open_existing(&node.dir, &test_credentials()).unwrap().identity().unwrap();
    let hex = identity.secret_hex();
    let mut out: Vec<Vec<u8>> = NAMES.iter().chain(ID_NUMBERS.iter()).map(|s| s.as_bytes().to_vec()).collect();
    out.push(sobaucu_protocol::from_hex(&hex).unwrap());
    out.push(hex.into_bytes());
    out
}

fn assert_hides(path: &Path, secrets: &[Vec<u8>]) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.len() > 500, "{} is too small to prove anything", path.display());
    assert!(!bytes.starts_with(b"SQLite format 3\0"), "{} is a plain SQLite file", path.display());
    for secret in secrets {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
            "{} shows {:?}",
            path.display(),
            String::from_utf8_lossy(secret)
        );
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn count(node: &Node, kind: &str) -> usize {
    node.ok(&["list", "--kind", kind, "--json", "--limit", "1000"]).lines().filter(|l| l.starts_with('{')).count()
}

#[test]
fn a_stolen_ledger_wal_hub_store_backup_and_bundle_give_nothing_away() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let node = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    node.enroll(&hub, "03390");
    node.import(&voters());
    // A USB bundle of everything, then the sync, then a backup.
    let bundle = tmp.path().join("up.sbc");
    node.ok(&["bundle", "export", bundle.to_str().unwrap()]);
    node.ok(&["sync"]);
    let secrets = secrets(&node);
    let backup = tmp.path().join("ledger.sbk");
    node.ok(&["backup", "--out", backup.to_str().unwrap()]);

    // The ledger's WAL while a program holds it open and has just written.
    let mut open = Store::open_existing(&node.dir, &test_credentials()).unwrap();
    let mut input = serde_json::Map::new();
    input.insert("full_name".into(), json!(NAMES[1]));
    input.insert("id_number".into(), json!(ID_NUMBERS[1]));
    input.insert("birth_date".into(), json!("1980"));
    input.insert("sex".into(), json!("male"));
    let area = open.list(sobaucu_core::Kind::PollingArea, &Default::default()).unwrap().rows[0]["id"].clone();
    input.insert("polling_area".into(), area);
    input.insert("ballots".into(), json!("na"));
    open.save(sobaucu_core::Kind::Voter, None, &input).unwrap();
    let ledger = node.dir.join("ledger.sqlite");
    assert_hides(&with_suffix(&ledger, "-wal"), &secrets);
    drop(open);

    assert_hides(&ledger, &secrets);
    // The hub's store: its SQLite file, or all its PostgreSQL database holds (a dump of it,
    // as whoever may read the database would take it).
    let hub_store = match std::fs::read_to_string(hub.dir.join("database")) {
        Ok(url) => {
            let dump = tmp.path().join("hub.dump");
            run_ok(
                std::process::Command::new(sobaucu_tests::pg_tool("pg_dump"))
                    .args(["--data-only", "--file"])
                    .arg(&dump)
                    .arg(url.trim()),
            );
            assert_hides(&dump, &secrets);
            hub.dir.join("database")
        }
        Err(_) => {
            assert_hides(&hub.dir.join("hub.sqlite"), &secrets);
            assert_hides(&with_suffix(&hub.dir.join("hub.sqlite"), "-wal"), &secrets);
            hub.dir.join("hub.sqlite")
        }
    };
    assert_hides(&backup, &secrets);
    assert_hides(&bundle, &secrets);
    // The keyrings hold sealed keys, no secret in clear.
    assert_hides(&node.dir.join("ledger.keys"), &secrets[NAMES.len() * 2..]);

    // Owner-only files and folders.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for file in [&ledger, &node.dir.join("ledger.keys"), &hub_store, &hub.dir.join("hub.keys"), &backup] {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
        assert_eq!(mode(&node.dir), 0o700);
        assert_eq!(mode(&hub.dir), 0o700);
    }
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_wrong_or_missing_passphrase_changes_nothing_and_a_change_rekeys() {
    let tmp = tempfile::tempdir().unwrap();
    let node = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    node.import(&voters());
    let before = files_of(&node.dir);

    let wrong =
        run_fails(node.command().env("SOBAUCU_PASSPHRASE", "not the passphrase").args(["list", "--kind", "voter"]));
    assert!(wrong.contains("wrong passphrase"), "{wrong}");
    let missing = run_fails(node.command().env_remove("SOBAUCU_PASSPHRASE").args(["list", "--kind", "voter"]));
    assert!(missing.contains("no passphrase") && missing.contains("SOBAUCU_PASSPHRASE"), "{missing}");
    let stranger = run_fails(node.command().args(["--user", "Kẻ Lạ", "list", "--kind", "voter"]));
    assert!(stranger.contains("no user `Kẻ Lạ`"), "{stranger}");
    let vietnamese =
        run_fails(node.command().env("LANG", "vi_VN.UTF-8").env("SOBAUCU_PASSPHRASE", "sai").args(["report"]));
    assert!(vietnamese.contains("sai mật khẩu"), "{vietnamese}");
    assert_eq!(files_of(&node.dir), before, "a refused open changed the files");

    // A new passphrase: the old one no longer opens, the new one does, with every record.
    let new = "mật khẩu mới của xã";
    node.ok_with(&[("SOBAUCU_NEW_PASSPHRASE", new)], &["passphrase", "change"]);
    run_fails(node.command().args(["list", "--kind", "voter"]));
    let listed = run_ok(node.command().env("SOBAUCU_PASSPHRASE", new).args(["list", "--kind", "voter", "--json"]));
    assert_eq!(listed.lines().count(), NAMES.len());
    let short = run_fails(
        node.command()
            .env("SOBAUCU_PASSPHRASE", new)
            .env("SOBAUCU_NEW_PASSPHRASE", "ngắn")
            .args(["passphrase", "change"]),
    );
    assert!(short.contains("at least 8 characters"), "{short}");

    // A hub: its passphrase from the environment or from a key file; a wrong one opens nothing.
    let hub_dir = tmp.path().join("hub");
    run_ok(Hub::command(&hub_dir).args(["init", "--unit", "106", "--scheme", "2021"]));
    let wrong = run_fails(Hub::command(&hub_dir).env("SOBAUCU_HUB_PASSPHRASE", "sai rồi sai rồi").arg("status"));
    assert!(wrong.contains("wrong passphrase"), "{wrong}");
    let key_file = tmp.path().join("hub.pass");
    std::fs::write(&key_file, format!("{TEST_PASSPHRASE}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let open = run_fails(Hub::command(&hub_dir).env_remove("SOBAUCU_HUB_PASSPHRASE").args([
            "--key-file",
            key_file.to_str().unwrap(),
            "status",
        ]));
        assert!(open.contains("other users may read this key file"), "{open}");
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let status = run_ok(Hub::command(&hub_dir).env_remove("SOBAUCU_HUB_PASSPHRASE").args([
        "--key-file",
        key_file.to_str().unwrap(),
        "status",
    ]));
    assert!(status.contains("unit 106"), "{status}");
    let missing = run_fails(Hub::command(&hub_dir).env_remove("SOBAUCU_HUB_PASSPHRASE").arg("status"));
    assert!(missing.contains("SOBAUCU_HUB_PASSPHRASE"), "{missing}");
}

#[test]
fn a_plain_ledger_of_an_earlier_version_is_encrypted_with_every_record() {
    let tmp = tempfile::tempdir().unwrap();
    let node = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    node.import(&voters());
    let ids: Vec<String> = node.ok(&["list", "--kind", "voter", "--json"]).lines().map(String::from).collect();
    // The same ledger as the plain file an earlier version kept: decrypted, keyring gone.
    let ledger = node.dir.join("ledger.sqlite");
    let plain = tmp.path().join("plain.sqlite");
    {
        let store = Store::open_existing(&node.dir, &test_credentials()).unwrap();
        drop(store);
        let key = sobaucu_core::vault::Keyring::load(&node.dir.join("ledger.keys"))
            .unwrap()
            .unwrap()
            .unlock(&test_credentials())
            .unwrap()
            .key;
        let conn = sobaucu_core::vault::connect(&ledger, &key).unwrap();
        conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.to_str().unwrap()]).unwrap();
        conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.execute_batch(&format!("PRAGMA plain.user_version = {version}; DETACH DATABASE plain;")).unwrap();
    }
    std::fs::remove_file(node.dir.join("ledger.keys")).unwrap();
    std::fs::rename(&plain, &ledger).unwrap();
    assert!(std::fs::read(&ledger).unwrap().starts_with(b"SQLite format 3\0"));

    // The first open with a passphrase encrypts it in place: every record is still there.
    let after: Vec<String> = node.ok(&["list", "--kind", "voter", "--json"]).lines().map(String::from).collect();
    assert_eq!(after, ids);
    assert_hides(&ledger, &NAMES.iter().map(|n| n.as_bytes().to_vec()).collect::<Vec<_>>());
    assert!(node.dir.join("ledger.keys").exists());
    assert!(!with_suffix(&ledger, ".encrypting").exists());
}

#[test]
fn each_role_is_refused_what_it_may_not_do_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let node = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    let pass = "mật khẩu người xem";
    for (name, role) in [("Hà Thị Thư", "secretary"), ("Giàng A Páo", "member"), ("Vàng Thị Mỷ", "viewer")] {
        node.ok_with(&[("SOBAUCU_NEW_PASSPHRASE", pass)], &["--user", "chair", "user", "add", name, "--role", role]);
    }
    let users: Value = serde_json::from_str(&node.ok(&["--user", "chair", "user", "list", "--json"])).unwrap();
    let roles: Vec<(&str, &str)> =
        users.as_array().unwrap().iter().map(|u| (u["name"].as_str().unwrap(), u["role"].as_str().unwrap())).collect();
    assert_eq!(roles.len(), 4);
    assert!(roles.contains(&("Vàng Thị Mỷ", "viewer")));
    let file = tmp.path().join("areas.jsonl");
    std::fs::write(
        &file,
        "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}\n",
    )
    .unwrap();
    let as_user = |name: &str, args: &[&str]| {
        let mut c = node.command();
        c.env("SOBAUCU_PASSPHRASE", pass).env("SOBAUCU_USER", name).args(args);
        c
    };
    // The viewer reads and prints; it may not import, back up, sync or manage users.
    run_ok(&mut as_user("Vàng Thị Mỷ", &["list", "--kind", "voter"]));
    run_ok(&mut as_user("Vàng Thị Mỷ", &["report"]));
    let refused = run_fails(&mut as_user("Vàng Thị Mỷ", &["import", file.to_str().unwrap()]));
    assert!(refused.contains("Vàng Thị Mỷ is a viewer of this ledger and may not import files"), "{refused}");
    let backup = tmp.path().join("b.sbk");
    assert!(
        run_fails(&mut as_user("Vàng Thị Mỷ", &["backup", "--out", backup.to_str().unwrap()]))
            .contains("may not back up")
    );
    assert!(run_fails(&mut as_user("Vàng Thị Mỷ", &["sync"])).contains("may not sync"));
    assert!(!backup.exists());
    // The member may not import or export; the secretary may, but manages no user.
    assert!(run_fails(&mut as_user("Giàng A Páo", &["import", file.to_str().unwrap()])).contains("may not import"));
    run_ok(&mut as_user("Hà Thị Thư", &["import", file.to_str().unwrap()]));
    let out = tmp.path().join("areas.csv");
    assert!(
        run_fails(&mut as_user(
            "Giàng A Páo",
            &["export", "--kind", "polling_area", "--format", "csv", "--out", out.to_str().unwrap()]
        ))
        .contains("may not export")
    );
    run_ok(&mut as_user(
        "Hà Thị Thư",
        &["export", "--kind", "polling_area", "--format", "csv", "--out", out.to_str().unwrap()],
    ));
    let denied = run_fails(
        as_user("Hà Thị Thư", &["user", "add", "Người Mới", "--role", "chair"]).env("SOBAUCU_NEW_PASSPHRASE", pass),
    );
    assert!(denied.contains("may not manage the ledger's users"), "{denied}");
    // Several users: the CLI asks which.
    let which = run_fails(node.command().args(["list", "--kind", "voter"]));
    assert!(which.contains("several users") && which.contains("--user"), "{which}");
    // The chair removes the member, who is shut out.
    node.ok(&["--user", "chair", "user", "remove", "Giàng A Páo"]);
    assert!(run_fails(&mut as_user("Giàng A Páo", &["list", "--kind", "voter"])).contains("no user `Giàng A Páo`"));
    run_ok(&mut as_user("Vàng Thị Mỷ", &["list", "--kind", "polling_area"]));
}

#[test]
fn every_change_carries_its_author_through_the_hub_to_the_district() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    district.enroll(&hub, "106");
    commune.ok_with(
        &[("SOBAUCU_NEW_PASSPHRASE", "thư ký xã 2021")],
        &["user", "add", "Hà Thị Thư", "--role", "secretary"],
    );
    let areas = tmp.path().join("a.jsonl");
    std::fs::write(
        &areas,
        "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}\n",
    )
    .unwrap();
    commune.ok(&["--user", "chair", "import", areas.to_str().unwrap()]);
    let id = {
        let line = commune.ok(&["--user", "chair", "list", "--kind", "polling_area", "--json"]);
        serde_json::from_str::<Value>(line.lines().next().unwrap()).unwrap()["id"].as_str().unwrap().to_string()
    };
    // The secretary changes the same record.
    {
        let credentials = sobaucu_core::vault::Credentials::new(Some("Hà Thị Thư"), "thư ký xã 2021");
        let mut store = Store::open_existing(&commune.dir, &credentials).unwrap();
        let mut input = serde_json::Map::new();
        input.insert("voters".into(), json!(420));
        store.save(sobaucu_core::Kind::PollingArea, Some(id.parse().unwrap()), &input).unwrap();
    }
    commune.ok(&["--user", "chair", "sync"]);
    district.ok(&["sync"]);

    let history: Value =
        serde_json::from_str(&district.ok(&["history", "--kind", "polling_area", "--id", &id, "--json"])).unwrap();
    let entries = history.as_array().unwrap();
    let authors: Vec<&str> = entries.iter().map(|h| h["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["chair", "Hà Thị Thư"]);
    assert!(entries.iter().all(|h| h["here"] == false && h["node"].as_str().unwrap().len() == 16));
    assert_eq!(entries[1]["fields"]["voters"], 420);
    let text = district.ok(&["history", "--kind", "polling_area", "--id", &id]);
    assert!(text.contains("Hà Thị Thư (node "), "{text}");
    // The authors are part of what each origin signed: the hub and the district verify.
    run_ok(Hub::command(&hub.dir).arg("verify"));
    district.ok(&["verify"]);
}

#[test]
fn a_lost_laptops_ledger_comes_back_from_the_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let old = Node::init(&tmp.path().join("old"), "03390", "2021", "2021-05-23");
    old.enroll(&hub, "03390");
    old.import(&voters());
    old.ok(&["sync"]);
    let expected: Vec<Value> = ["voter", "polling_area"]
        .iter()
        .flat_map(|k| {
            old.ok(&["list", "--kind", k, "--json"])
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<Value>>()
        })
        .collect();

    // A new laptop: an empty folder, a new code for the unit, a passphrase of its own.
    let new = Node { dir: tmp.path().join("new"), today: old.today.clone() };
    let code = hub.enroll_code("03390");
    let out = new.ok_with(
        &[("SOBAUCU_PASSPHRASE", "mật khẩu máy mới")],
        &["--user", "Lò Văn Minh", "restore", "--hub", &hub.url, "--code", &code],
    );
    assert!(out.contains("for the election of 2021-05-23 under the 2015 law"), "{out}");
    let listed = |kind: &str| -> Vec<Value> {
        run_ok(new.command().env("SOBAUCU_PASSPHRASE", "mật khẩu máy mới").args(["list", "--kind", kind, "--json"]))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let got: Vec<Value> = ["voter", "polling_area"].iter().flat_map(|k| listed(k)).collect();
    assert_eq!(got.len(), expected.len());
    for (a, b) in got.iter().zip(&expected) {
        assert_eq!((&a["id"], &a["full_name"], &a["id_number"]), (&b["id"], &b["full_name"], &b["id_number"]));
    }
    // The new ledger is a node of its own, enrolled, and syncs.
    run_ok(new.command().env("SOBAUCU_PASSPHRASE", "mật khẩu máy mới").arg("sync"));
    // A folder that holds a ledger is not restored into.
    let again = run_fails(old.command().args(["restore", "--hub", &hub.url, "--code", &hub.enroll_code("03390")]));
    assert!(again.contains("already holds a ledger"), "{again}");
}

#[test]
fn a_backup_restores_here_with_its_identity_and_elsewhere_as_a_new_node() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let node = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    node.enroll(&hub, "03390");
    node.import(&voters());
    node.ok(&["sync"]);
    let backup = tmp.path().join("ledger.sbk");
    node.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let identity = |n: &Node| Store::open_existing(&n.dir, &test_credentials()).unwrap().node().unwrap().node_id;
    let before = identity(&node);

    // A bad file is refused and changes nothing.
    let junk = tmp.path().join("junk.sbk");
    std::fs::write(&junk, b"SBCBAK\x01\nthis is not a backup").unwrap();
    assert!(node.fails(&["restore-backup", junk.to_str().unwrap()]).contains("not a sobaucu backup"));
    assert_eq!(count(&node, "voter"), NAMES.len());

    // Here: the same node, the ledger it replaced kept aside.
    node.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "sau sao lưu"}),
    ]);
    let out = node.ok(&["restore-backup", backup.to_str().unwrap()]);
    assert!(out.contains("the ledger it replaced is in"), "{out}");
    assert_eq!(identity(&node), before);
    assert_eq!(count(&node, "voter"), NAMES.len());
    assert!(
        std::fs::read_dir(&node.dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("replaced-"))
    );

    // Elsewhere: the records, a new identity, and a bundle of what the old node had not synced.
    let other = Node { dir: tmp.path().join("other"), today: node.today.clone() };
    node.import(&[json!({"kind": "incident", "occurred_on": "2021-03-20", "place": "Bản Hon", "summary": "chưa gửi"})]);
    let second = tmp.path().join("second.sbk");
    node.ok(&["backup", "--out", second.to_str().unwrap()]);
    let out = run_ok(
        other
            .command()
            .env("SOBAUCU_TEST_MACHINE_ID", "another laptop")
            .args(["restore-backup", second.to_str().unwrap()]),
    );
    assert!(out.contains("is now a new node and must enrol"), "{out}");
    assert!(out.contains("pending-of-node-"), "{out}");
    assert_ne!(identity(&other), before);
    assert_eq!(count(&other, "voter"), NAMES.len());
    assert_eq!(count(&other, "incident"), 1);
    assert!(other.fails(&["sync"]).contains("enrol"));
    // The hub takes the old node's bundle; then the new node enrols and syncs.
    let bundle = tmp.path().join(format!("pending-of-node-{before}.sbc"));
    run_ok(Hub::command(&hub.dir).args(["bundle", "import", bundle.to_str().unwrap()]));
    other.enroll(&hub, "03390");
    other.ok(&["sync"]);
}
