//! The hub a district office serves from the desktop app, through the application layer
//! (no window): started beside the ledger, it issues a code a real `sobaucu` commune ledger
//! enrols with over loopback; the commune's record reaches the district's own ledger (enrolled
//! to its own hub by itself); a revoked commune is refused; locking the ledger stops the hub and
//! unlocking starts it again on the same port. A district ledger that already syncs with a
//! province hub keeps that link: its hub is enrolled under the province's with a hub code and
//! relays what the communes send.

use std::path::PathBuf;

use serde_json::{Value, json};
use sobaucu_app::{App, FileKind, Host};
use sobaucu_core::vault::TEST_PASSPHRASE;
use sobaucu_tests::{Hub, Node, eventually};

struct TestHost;

impl Host for TestHost {
    fn choose_open(&self, _kind: FileKind) -> Option<PathBuf> {
        None
    }
    fn choose_save(&self, _kind: FileKind, _suggested: &str) -> Option<PathBuf> {
        None
    }
    fn today(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2021, 3, 20).unwrap()
    }
    fn sync_status(&self, _status: &Value) {}
}

const ELECTION: &str = "2021-05-23";

/// The district ledger of Huyện Tam Đường (2021 units), unlocked in an app.
fn district(tmp: &tempfile::TempDir) -> App<TestHost> {
    sobaucu_core::vault::use_cheap_kdf_for_tests();
    let app = App::new(TestHost, tmp.path().join("district"));
    app.unlock(Some("Lò Văn Minh"), TEST_PASSPHRASE, true).unwrap();
    app.init_ledger("106", "2021", "23/05/2021", None).unwrap();
    app
}

fn health(url: &str) -> Option<Value> {
    let mut r = ureq::get(&format!("{url}/v1/health")).call().ok()?;
    r.body_mut().read_json().ok()
}

fn incidents(app: &App<TestHost>) -> u64 {
    app.list_records("incident", &Default::default()).unwrap()["total"].as_u64().unwrap()
}

/// A commune of the district, made with the CLI, with one incident.
fn commune(tmp: &tempfile::TempDir) -> Node {
    let node = Node::init(&tmp.path().join("c-03394"), "03394", "2021", ELECTION);
    node.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Bó", "summary": "Mất điện cả bản"}),
    ]);
    node
}

#[test]
fn a_hub_served_from_the_app_enrols_a_commune_merges_it_and_revokes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let app = district(&tmp);
    let status = app.hub_status().unwrap();
    assert_eq!((status["available"].as_bool(), status["running"].as_bool()), (Some(true), Some(false)), "{status}");
    assert_eq!(status["port"], sobaucu_app::DEFAULT_HUB_PORT);
    assert_eq!(status["ledger"], "none");
    // Nothing to issue before the hub exists.
    assert_eq!(app.hub_issue_code("03394", None, None).unwrap_err().kind, "hub_none");

    // Started on a free port: it serves, and the district's ledger enrolled to it by itself.
    let status = app.hub_start(Some(0), None, None).unwrap();
    assert_eq!(status["running"], true, "{status}");
    let port = status["port"].as_u64().unwrap();
    assert_ne!(port, 0);
    let url = status["local_url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    assert!(status["urls"].as_array().unwrap().iter().all(|u| u.as_str().unwrap().ends_with(&format!(":{port}"))));
    assert_eq!(status["ledger"], "own", "{status}");
    assert_eq!(status["unit"]["name"], "Huyện Tam Đường");
    let hub = health(&url).expect("the hub answers");
    assert_eq!(hub["unit"], "106");
    let sync = app.sync_status().unwrap();
    assert_eq!((sync["enrolled"].as_bool(), sync["hub_url"].as_str()), (Some(true), Some(url.as_str())));
    assert!(tmp.path().join("district/hub/hub.sqlite").exists(), "the hub's store lives beside the ledger");

    // The units a code is issued for, by name: the communes, then the district itself.
    let units = app.hub_units().unwrap();
    let units = units.as_array().unwrap();
    assert_eq!(units.len(), 14, "13 communes and the district");
    assert!(units.iter().any(|u| u["code"] == "03394" && u["name"] == "Xã Thèn Sin"));
    assert_eq!(units.last().unwrap()["own"], true);

    // A code for Xã Thèn Sin, as text and QR code.
    let issued = app.hub_issue_code("03394", None, Some(3)).unwrap();
    assert_eq!(issued["unit_name"], "Xã Thèn Sin");
    assert_eq!(issued["role"], "node");
    assert!(issued["qr_svg"].as_str().unwrap().contains("<svg"), "{}", issued["qr_svg"]);
    assert!(issued["expires"].as_str().unwrap().len() == 10);
    let code = issued["code"].as_str().unwrap().to_string();
    // A code for a unit outside the district is refused.
    assert_eq!(app.hub_issue_code("03637", None, None).unwrap_err().kind, "scope");

    // The commune enrols with that code over loopback and syncs its incident; the district's
    // ledger has it soon after (the hub wakes the app's own sync).
    let thensin = commune(&tmp);
    thensin.ok(&["enroll", "--hub", &url, "--code", &code]);
    thensin.ok(&["sync"]);
    eventually(30, "the commune's incident in the district's ledger", || incidents(&app) == 1);
    let rows = app.list_records("incident", &Default::default()).unwrap();
    assert_eq!(rows["rows"][0]["place"], "Bản Nà Bó", "{rows}");
    // The code is spent.
    let again = Node::init(&tmp.path().join("c-again"), "03394", "2021", ELECTION);
    again.fails(&["enroll", "--hub", &url, "--code", &code]);

    // The communes enrolled, by name; this computer's own ledger first.
    let children = app.hub_children().unwrap();
    let children = children.as_array().unwrap();
    assert_eq!(children.len(), 2, "{children:?}");
    assert_eq!(
        (children[0]["this_computer"].as_bool(), children[0]["unit_name"].as_str()),
        (Some(true), Some("Huyện Tam Đường"))
    );
    let child = &children[1];
    assert_eq!((child["unit"].as_str(), child["unit_name"].as_str()), (Some("03394"), Some("Xã Thèn Sin")));
    assert_eq!((child["role"].as_str(), child["revoked"].as_bool()), (Some("node"), Some(false)));
    assert!(child["last_sync_at"].is_string());
    assert_eq!(app.hub_status().unwrap()["children"], 2);

    // The laptop is lost: revoked, the commune is refused.
    let node = child["node"].as_str().unwrap().to_string();
    assert_eq!(app.hub_revoke(children[0]["node"].as_str().unwrap()).unwrap_err().kind, "input", "not its own ledger");
    let after = app.hub_revoke(&node).unwrap();
    assert!(after.as_array().unwrap().iter().any(|c| c["node"] == node.as_str() && c["revoked"] == true), "{after}");
    thensin.import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-20", "place": "Bản Hon", "summary": "Cháy rừng"}),
    ]);
    let refused = thensin.fails(&["sync"]);
    assert!(refused.to_lowercase().contains("revoked"), "{refused}");

    // Locking the ledger stops the hub; unlocking serves it again on the same port.
    app.lock().unwrap();
    assert!(health(&url).is_none(), "the hub stopped with the lock");
    assert_eq!(app.hub_status().unwrap_err().kind, "locked");
    app.unlock(None, TEST_PASSPHRASE, false).unwrap();
    eventually(30, "the hub serving again after the unlock", || health(&url).is_some());
    let status = app.hub_status().unwrap();
    assert_eq!((status["running"].as_bool(), status["port"].as_u64()), (Some(true), Some(port)), "{status}");
    // Stopped from the window, it stays stopped across a lock.
    assert_eq!(app.hub_stop().unwrap()["running"], false);
    assert!(health(&url).is_none());
    app.lock().unwrap();
    app.unlock(None, TEST_PASSPHRASE, false).unwrap();
    let status = app.hub_status().unwrap();
    assert_eq!((status["running"].as_bool(), status["serve_on_unlock"].as_bool()), (Some(false), Some(false)));
    // A commune ledger has nothing to serve.
    let commune_app = App::new(TestHost, tmp.path().join("commune-app"));
    commune_app.unlock(Some("Lò Thị Xuân"), TEST_PASSPHRASE, true).unwrap();
    commune_app.init_ledger("03390", "2021", "23/05/2021", None).unwrap();
    assert_eq!(commune_app.hub_status().unwrap()["available"], false);
    assert_eq!(commune_app.hub_start(Some(0), None, None).unwrap_err().kind, "hub_commune");
}

#[test]
fn a_district_ledger_enrolled_at_the_province_serves_its_communes_under_the_province_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let province = Hub::start(&tmp.path().join("hub-12"), "12", "2021", None);
    let app = district(&tmp);
    app.enroll_hub(&province.url, &province.enroll_code("106")).unwrap();

    // The ledger syncs with the province: its hub needs a hub code from there.
    let status = app.hub_status().unwrap();
    assert_eq!((status["ledger"].as_str(), status["needs_parent_code"].as_bool()), (Some("elsewhere"), Some(true)));
    assert_eq!(status["ledger_hub"]["name"], "Tỉnh Lai Châu");
    let refused = app.hub_start(Some(0), None, None).unwrap_err();
    assert_eq!(refused.kind, "hub_needs_parent_code");
    assert!(refused.message_vi.contains(&province.url), "{}", refused.message_vi);
    assert!(!tmp.path().join("district/hub/hub.sqlite").exists(), "nothing made");

    let status = app.hub_start(Some(0), None, Some(&province.enroll_code_for("106", "hub"))).unwrap();
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["parent"]["name"], "Tỉnh Lai Châu", "{status}");
    assert_eq!(status["ledger"], "elsewhere");
    assert_eq!(app.sync_status().unwrap()["hub_url"], province.url.as_str(), "the ledger kept its link");

    // A commune enrols here; what it sends is relayed up, and the district's ledger pulls it
    // from the province.
    let url = status["local_url"].as_str().unwrap().to_string();
    let code = app.hub_issue_code("03394", None, None).unwrap()["code"].as_str().unwrap().to_string();
    let thensin = commune(&tmp);
    thensin.ok(&["enroll", "--hub", &url, "--code", &code]);
    thensin.ok(&["sync"]);
    eventually(60, "the commune's incident in the district's ledger through the province", || {
        app.sync_now().unwrap();
        incidents(&app) == 1
    });
    let children = app.hub_children().unwrap();
    assert_eq!(children.as_array().unwrap().len(), 1, "only the commune: the ledger syncs with the province");
    assert_eq!(children[0]["unit_name"], "Xã Thèn Sin");
}

#[test]
fn another_official_is_told_whose_passphrase_the_hub_opens_with() {
    let tmp = tempfile::tempdir().unwrap();
    let app = district(&tmp);
    let status = app.hub_start(Some(0), None, None).unwrap();
    let url = status["local_url"].as_str().unwrap().to_string();
    app.lock().unwrap();
    {
        let mut store = sobaucu_core::Store::open_existing(
            &tmp.path().join("district"),
            &sobaucu_core::vault::Credentials::new(Some("Lò Văn Minh"), TEST_PASSPHRASE),
        )
        .unwrap();
        store.add_user("Tao Thị Hoa", sobaucu_core::access::Role::Secretary, "mật khẩu thư ký").unwrap();
    }
    // The secretary's passphrase does not open the chair's hub: it does not serve, and says why.
    app.unlock(Some("Tao Thị Hoa"), "mật khẩu thư ký", false).unwrap();
    eventually(30, "the failed start to be told", || !app.hub_status().unwrap()["error"].is_null());
    let status = app.hub_status().unwrap();
    assert_eq!(status["running"], false);
    assert_eq!(status["error"]["kind"], "hub_passphrase", "{status}");
    assert!(status["error"]["message_vi"].as_str().unwrap().contains("Lò Văn Minh"), "{status}");
    assert!(health(&url).is_none());
    // The chair's unlock serves it again.
    app.lock().unwrap();
    app.unlock(Some("Lò Văn Minh"), TEST_PASSPHRASE, false).unwrap();
    eventually(30, "the hub serving again for the chair", || health(&url).is_some());
}
