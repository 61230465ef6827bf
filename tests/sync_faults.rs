//! Faults on the way: connections cut at random byte offsets mid-batch, processes killed with
//! SIGKILL mid-apply, and a 2G link (about 50 kbit/s, 300 ms round trips, cut every few
//! seconds). After resuming, nothing is lost and nothing is applied twice.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sobaucu_tests::{Hub, LinkShape, Node, Proxy, run_ok};

/// A realistic voter list: generated Kinh, Thái, Mông and Dao names, random birth dates.
fn voters(n: usize) -> Vec<Value> {
    let mut rng = sobaucu_core::demo::Rng::new(n as u64);
    let mut lines =
        vec![json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"})];
    for _ in 0..n {
        let (name, sex, ethnicity) = sobaucu_core::demo::person(&mut rng);
        lines.push(json!({"kind": "voter", "full_name": name,
            "birth_date": format!("{}-{:02}-{:02}", 1940 + rng.below(60), 1 + rng.below(12), 1 + rng.below(28)),
            "sex": sex, "ethnicity": ethnicity, "occupation": "Làm nông",
            "permanent_residence": format!("Bản {}, xã Thèn Sin", 1 + rng.below(12)), "polling_area": "Khu vực bỏ phiếu số 1",
            "ballots": "na,provincial,district,commune"}));
    }
    lines
}

/// How many changes a ledger's log holds.
fn log_count(node: &Node) -> i64 {
    let store = sobaucu_core::Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    store.db().change_count().unwrap() as i64
}

/// The changes a ledger holds that other nodes made (a ledger's own are numbered 1, 2, ...:
/// the figures it publishes as it syncs).
fn received_count(node: &Node) -> i64 {
    let store = sobaucu_core::Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    (store.db().change_count().unwrap() - store.own_seq().unwrap()) as i64
}

/// The hub's line about a child: `changes new N, duplicate N, replays N`.
fn hub_counts(hub: &Hub) -> (u64, u64, u64) {
    let status = run_ok(Hub::command(&hub.dir).arg("status"));
    let line =
        status.lines().find(|l| l.starts_with("child") && l.contains("03390")).unwrap_or_else(|| panic!("{status}"));
    let number = |word: &str| -> u64 {
        let at = line.find(word).unwrap() + word.len();
        line[at..].trim_start().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    (number("changes new"), number("duplicate"), number("replays"))
}

/// Runs `sobaucu sync` until it succeeds (each run may fail on a cut), at most `attempts` times.
fn sync_until_done(node: &Node, hub_url: &str, attempts: usize) -> usize {
    for attempt in 1..=attempts {
        let out = node.command().args(["sync", "--hub", hub_url]).output().unwrap();
        if out.status.success() {
            return attempt;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("hub"), "a failed sync says what happened: {err}");
    }
    panic!("sync did not finish in {attempts} attempts");
}

#[test]
fn cuts_at_random_byte_offsets_lose_nothing_and_apply_nothing_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&voters(1500));
    let proxy = Proxy::start(&hub.url, LinkShape { cut_after_bytes: Some((300, 10_000)), ..LinkShape::default() });
    sync_until_done(&commune, &proxy.url, 60);
    assert!(proxy.stats.cuts.load(std::sync::atomic::Ordering::SeqCst) > 0, "the proxy cut something");
    let (new, duplicate, _) = hub_counts(&hub);
    assert_eq!(new as i64, log_count(&commune), "the hub has every change once");
    assert_eq!(duplicate, 0);

    // The other way: a district ledger pulls everything through the same cutting link.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    district.enroll(&hub, "106");
    sync_until_done(&district, &proxy.url, 60);
    assert_eq!(district.report()["voters"], 1500);
    assert_eq!(received_count(&district), log_count(&commune));
}

#[test]
fn killed_mid_apply_then_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&voters(3000));

    // The hub is killed (SIGKILL) while the commune pushes, again and again.
    let mut rng: u64 = 0x9e37_79b9;
    for _ in 0..4 {
        let sync = commune.command().args(["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(50 + (rng >> 33) % 400));
        hub.stop(); // SIGKILL
        let _ = sobaucu_tests::Guard(sync);
        hub.serve();
    }
    commune.ok(&["sync", "--hub", &hub.url]);
    let (new, duplicate, _) = hub_counts(&hub);
    assert_eq!(new as i64, log_count(&commune));
    assert_eq!(duplicate, 0);

    // The district ledger is killed (SIGKILL) while it applies what it pulls.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    district.enroll(&hub, "106");
    for _ in 0..6 {
        let mut sync = district.command().args(["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(30 + (rng >> 33) % 600));
        let _ = sync.kill();
        let _ = sync.wait();
    }
    district.ok(&["sync"]);
    assert_eq!(district.report()["voters"], 3000);
    assert_eq!(received_count(&district), log_count(&commune));
    let store = sobaucu_core::Store::open_existing(&district.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    let check = store.db().integrity_check().unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn a_2g_link_still_carries_a_first_sync_of_5000_voters() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&voters(5000));
    // About 50 kbit/s each way, 300 ms round trips, and the link drops every 4 seconds.
    let shape = LinkShape {
        bytes_per_second: Some(6_250),
        one_way_delay: Duration::from_millis(150),
        cut_every: Some(Duration::from_secs(4)),
        ..LinkShape::default()
    };
    let proxy = Proxy::start(&hub.url, shape);
    let start = Instant::now();
    let attempts = sync_until_done(&commune, &proxy.url, 40);
    let up = proxy.stats.up.load(std::sync::atomic::Ordering::SeqCst);
    let down = proxy.stats.down.load(std::sync::atomic::Ordering::SeqCst);
    let cuts = proxy.stats.cuts.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "2G first sync of 5,000 voters: {:.1} s, {attempts} runs, {cuts} cuts, {up} bytes up, {down} bytes down",
        start.elapsed().as_secs_f64()
    );
    let (new, duplicate, _replays) = hub_counts(&hub);
    assert_eq!(new as i64, log_count(&commune), "every change arrived");
    assert_eq!(duplicate, 0, "no acknowledged change was applied again");
    let again = commune.ok(&["sync", "--hub", &hub.url]);
    assert!(again.contains("has 0 of 0 changes"), "nothing is left to send: {again}");
}

#[test]
fn a_link_that_carries_4_kb_between_cuts_finishes_a_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init(&tmp.path().join("commune"), "03390", "2021", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&voters(3000));
    // Every connection is cut once about 4 KB have crossed it, both ways together.
    let proxy = Proxy::start(&hub.url, LinkShape { cut_after_bytes: Some((4_000, 4_100)), ..LinkShape::default() });
    let out = commune.command().args(["sync", "--hub", &proxy.url]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "one sync finishes: {said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("has 3002 of 3002 changes"), "{said}");
    assert!(proxy.stats.cuts.load(std::sync::atomic::Ordering::SeqCst) > 10, "the link was cut, often");
    let (new, duplicate, _) = hub_counts(&hub);
    assert_eq!(new as i64, log_count(&commune));
    assert_eq!(duplicate, 0);
    // And the other way: a district ledger pulls all of it through the same link.
    let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
    district.enroll(&hub, "106");
    let out = district.command().args(["sync", "--hub", &proxy.url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(district.report()["voters"], 3000);
}

/// Election day's records go ahead of everything else waiting: on a 2G link, a turnout report
/// made after 5,000 voters were changed reaches the hub in the first round, long before the
/// voters' changes have all crossed; sent again when its turn comes, it is known, and the hub
/// holds it once.
#[test]
fn on_a_2g_link_a_turnout_report_reaches_the_hub_ahead_of_5000_changed_voters() {
    use sobaucu_core::kinds::Kind;
    use sobaucu_core::store::Put;
    let tmp = tempfile::tempdir().unwrap();
    let hub = Hub::start(&tmp.path().join("hub"), "106", "2021", None);
    let commune = Node::init_on(&tmp.path().join("commune"), "03390", "2021", "2021-05-23", "2021-05-23");
    commune.enroll(&hub, "03390");
    commune.import(&voters(5000));
    commune.ok(&["sync"]);
    let hub_store = || sobaucu_hub::store::HubStore::open(&hub.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    let head: i64 = hub_store().db().number("SELECT max(idx) FROM changes", &[]).unwrap().unwrap();

    // Every voter's occupation changes; then, at 09:00, the team reports its turnout.
    {
        let mut store =
            sobaucu_core::Store::open_existing(&commune.dir, &sobaucu_core::vault::test_credentials()).unwrap();
        let rows = store.db().all_rows(Kind::Voter).unwrap();
        assert_eq!(rows.len(), 5000);
        store
            .write(|w| {
                for row in &rows {
                    let fields = json!({"occupation": "Trồng lúa nước"});
                    w.put(Kind::Voter, Put::Update(row.id), None, fields.as_object().unwrap())?;
                }
                Ok(())
            })
            .unwrap();
    }
    commune.import(&[json!({"kind": "turnout_report", "polling_area": "Khu vực bỏ phiếu số 1",
                            "reported_at": "23/05/2021 09:00", "voted": 1200})]);

    let shape =
        LinkShape { bytes_per_second: Some(6_250), one_way_delay: Duration::from_millis(150), ..LinkShape::default() };
    let proxy = Proxy::start(&hub.url, shape);
    sync_until_done(&commune, &proxy.url, 10);

    let store = hub_store();
    let conn = store.db();
    let report: i64 = conn
        .number("SELECT idx FROM changes WHERE kind = 'turnout_report'", &[])
        .unwrap()
        .expect("the hub holds the report, once");
    let ahead_of: i64 = conn
        .number(
            "SELECT count(*) FROM changes WHERE kind = 'voter' AND idx > ?1 AND idx < ?2",
            sobaucu_core::args![head, report],
        )
        .unwrap()
        .unwrap();
    let changed: i64 = conn
        .number("SELECT count(*) FROM changes WHERE kind = 'voter' AND idx > ?1", sobaucu_core::args![head])
        .unwrap()
        .unwrap();
    assert_eq!(changed, 5000, "every voter's change arrived too");
    // Without the priority it would come after all 5,000; it rides with the first batch.
    eprintln!("2G: the turnout report arrived after {ahead_of} of the 5,000 voter changes, ahead of the rest");
    assert!(ahead_of <= 2000, "the report came with the first batch, not after {ahead_of} voter changes");
    let (_, duplicate, _) = hub_counts(&hub);
    assert_eq!(duplicate, 1, "sent again when its turn came, and known");
}
