//! Sync end to end with real processes on loopback: three communes under two district hubs
//! under a province hub (the real 2021 units of Lai Châu), over HTTP, over USB bundles only,
//! and a mix. After syncing, the province ledger's report equals the sum of what the communes
//! entered, and a district ledger sees its own communes only.

use serde_json::{Value, json};
use sobaucu_tests::{Hub, Node, eventually};

const ELECTION: &str = "2021-05-23";

/// (district, commune, voters) of the scenario.
const COMMUNES: [(&str, &str, usize); 3] = [("106", "03390", 40), ("106", "03394", 25), ("107", "03433", 30)];

const NAMES: [&str; 6] = ["Giàng Páo Mỷ", "Tủa Sín Chải", "Lò Thị Ỏn", "Đặng Thị Đào", "Vàng A Chứ", "Tẩn Mý Mẩy"];

/// What a commune enters: polling areas, voters, a board, a candidate with a voter
/// conference, the 2nd consultation, a complaint.
fn fill(node: &Node, commune: &str, voters: usize) {
    let mut lines = vec![
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
        json!({"kind": "polling_area", "number": 2, "name": "Khu vực bỏ phiếu số 2", "area_type": "armed"}),
        json!({"kind": "board", "name": "Ban bầu cử số 1", "level": "commune", "formed_on": "2021-03-14"}),
        json!({"kind": "consultation", "round": "2", "level": "commune", "held_on": "2021-03-18"}),
        json!({"kind": "candidate", "full_name": format!("Lò Văn Pọm {commune}"), "level": "commune", "nomination": "nominated",
               "birth_date": "1980-01-01", "sex": "male", "ethnicity": "Thái", "status": "preliminary"}),
        json!({"kind": "voter_conference", "candidate": format!("Lò Văn Pọm {commune}"), "residential_area": "Bản Nà Tăm",
               "held_on": "2021-03-20", "convened": 80, "present": 60}),
        json!({"kind": "complaint", "received_on": "2021-03-10", "type": "complaint", "subject": "voter_list",
               "summary": "Thiếu tên", "status": "resolved", "resolved_on": "2021-03-12"}),
    ];
    for i in 0..voters {
        lines.push(
            json!({"kind": "voter", "full_name": format!("{} {i}", NAMES[i % NAMES.len()]), "birth_date": "1985",
            "sex": if i % 2 == 0 { "male" } else { "female" }, "polling_area": "Khu vực bỏ phiếu số 1",
            "ballots": "na,provincial,district,commune"}),
        );
    }
    node.import(&lines);
}

struct Tree {
    _tmp: tempfile::TempDir,
    province: Hub,
    districts: Vec<Hub>,
    communes: Vec<Node>,
    province_node: Node,
    district_node: Node,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let province = Hub::start(&root.join("hub-12"), "12", "2021", None);
    let districts: Vec<Hub> =
        ["106", "107"].iter().map(|d| Hub::start(&root.join(format!("hub-{d}")), d, "2021", Some(&province))).collect();
    let mut communes = Vec::new();
    for (district, commune, voters) in COMMUNES {
        let node = Node::init(&root.join(format!("commune-{commune}")), commune, "2021", ELECTION);
        let hub = &districts[if district == "106" { 0 } else { 1 }];
        node.enroll(hub, commune);
        fill(&node, commune, voters);
        communes.push(node);
    }
    let province_node = Node::init(&root.join("province-node"), "12", "2021", ELECTION);
    province_node.enroll(&province, "12");
    let district_node = Node::init(&root.join("district-node"), "106", "2021", ELECTION);
    district_node.enroll(&districts[0], "106");
    Tree { _tmp: tmp, province, districts, communes, province_node, district_node }
}

fn total_voters() -> i64 {
    COMMUNES.iter().map(|(_, _, v)| *v as i64).sum()
}

/// The province report holds exactly the sum of the three communes.
fn assert_province_sums(report: &Value) {
    assert_eq!(report["voters"], total_voters());
    assert_eq!(report["polling_areas"], 6);
    assert_eq!(report["polling_areas_separate"], 3);
    assert_eq!(report["boards"]["commune"], 3);
    assert_eq!(report["candidates"]["commune"]["total"], 3);
    assert_eq!(report["consultations"]["round2"]["communes_done"], 3);
    assert_eq!(report["consultations"]["round2"]["communes_total"], 106);
    assert_eq!(report["consultations"]["round2"]["districts_total"], 8);
    assert_eq!(report["voter_conferences"]["commune"]["areas"], 3);
    assert_eq!(report["voter_conferences"]["commune"]["communes"], 3);
    assert_eq!(report["voter_conferences"]["commune"]["districts"], 2);
    assert_eq!(report["complaints"]["received"], 3);
    assert_eq!(report["complaints"]["resolved"], 3);
    assert_eq!(
        report["voters_by_sex"]["male"].as_i64().unwrap() + report["voters_by_sex"]["female"].as_i64().unwrap(),
        total_voters()
    );
}

#[test]
fn over_http_the_province_report_is_the_sum_of_its_communes() {
    let t = tree();
    for node in &t.communes {
        let out = node.ok(&["sync"]);
        assert!(out.contains("synced: the hub has"), "{out}");
    }
    // The district hubs relay to the province hub by themselves.
    eventually(30, "the province ledger to receive every commune", || {
        t.province_node.ok(&["sync"]);
        t.province_node.report()["voters"] == total_voters()
    });
    assert_province_sums(&t.province_node.report());

    // The district ledger sees its own two communes, and not the third.
    t.district_node.ok(&["sync"]);
    let district = t.district_node.report();
    assert_eq!(district["voters"], 40 + 25);
    assert_eq!(district["consultations"]["round2"]["communes_done"], 2);
    assert_eq!(district["consultations"]["round2"]["communes_total"], 13);

    // A commune does not receive its neighbours' records.
    t.communes[0].ok(&["sync"]);
    assert_eq!(t.communes[0].report()["voters"], 40);

    // Syncing again sends nothing: everything is acknowledged.
    let again = t.communes[1].ok(&["sync"]);
    assert!(again.contains("has 0 of 0 changes, pulled 0"), "{again}");

    // Records from above come down: the province publishes an electoral unit of the provincial
    // council; it reaches every commune through its district hub.
    t.province_node.import(&[json!({"kind": "electoral_unit", "unit": "12", "level": "provincial", "number": 1,
        "name": "Đơn vị bầu cử số 1 HĐND tỉnh", "seats": 5, "published_on": "2021-03-03"})]);
    t.province_node.ok(&["sync"]);
    eventually(30, "the province's record to reach a commune", || {
        t.communes[2].ok(&["sync"]);
        t.communes[2].ok(&["list", "--kind", "electoral_unit"]).contains("HĐND tỉnh")
    });
    // The commune cannot change it: it is outside its unit.
    let listed = t.communes[2].ok(&["list", "--kind", "electoral_unit", "--json"]);
    let id = serde_json::from_str::<Value>(listed.lines().next().unwrap()).unwrap()["id"].as_str().unwrap().to_string();
    let mut store =
        sobaucu_core::Store::open_existing(&t.communes[2].dir, &sobaucu_core::vault::test_credentials()).unwrap();
    let edit = json!({"seats": 4}).as_object().unwrap().clone();
    let refused = store.save(sobaucu_core::Kind::ElectoralUnit, Some(id.parse().unwrap()), &edit).unwrap_err();
    assert_eq!(refused.kind(), "scope");

    // A hub that cannot be reached: a clear error, a non-zero exit, and nothing lost.
    t.communes[0].import(&[
        json!({"kind": "incident", "occurred_on": "2021-03-19", "place": "Bản Nà Tăm", "summary": "Mất điện"}),
    ]);
    let err = t.communes[0].fails(&["sync", "--hub", "http://127.0.0.1:9"]);
    assert!(err.contains("cannot be reached"), "{err}");
    // The incident, and the figures the commune published again as it tried to sync.
    let out = t.communes[0].ok(&["sync"]);
    assert!(out.contains("has 2 of 2 changes"), "{out}");
}

#[test]
fn over_usb_bundles_only() {
    let mut t = tree();
    t.province.stop();
    for hub in &mut t.districts {
        hub.stop();
    }
    let bundles = t._tmp.path().join("usb");
    std::fs::create_dir_all(&bundles).unwrap();
    let file = |name: &str| bundles.join(name).to_str().unwrap().to_string();
    let hub_cmd = |hub: &Hub, args: &[&str]| sobaucu_tests::run_ok(Hub::command(&hub.dir).args(args));

    // Communes → district hubs.
    for (i, node) in t.communes.iter().enumerate() {
        let name = file(&format!("commune-{i}.sbc"));
        node.ok(&["bundle", "export", &name]);
        let hub = &t.districts[if i < 2 { 0 } else { 1 }];
        let first = hub_cmd(hub, &["bundle", "import", &name]);
        assert!(
            first.contains(&format!(
                "{} changes",
                // Its records, and the figures it published as it made the bundle.
                if i == 0 {
                    48
                } else if i == 1 {
                    33
                } else {
                    38
                }
            )),
            "{first}"
        );
        // Importing the same bundle again changes nothing.
        let second = hub_cmd(hub, &["bundle", "import", &name]);
        assert!(second.contains("0 changes") && second.contains("already here"), "{second}");
    }
    // District hubs → province hub → province ledger.
    for (i, hub) in t.districts.iter().enumerate() {
        let name = file(&format!("district-{i}.sbc"));
        hub_cmd(hub, &["bundle", "export", &name, "--up"]);
        hub_cmd(&t.province, &["bundle", "import", &name]);
        hub_cmd(&t.province, &["bundle", "import", &name]);
    }
    let province_node_id = node_id(&t.province_node);
    let down = file("province-node.sbc");
    hub_cmd(&t.province, &["bundle", "export", &down, "--for", &province_node_id]);
    t.province_node.ok(&["bundle", "import", &down]);
    assert_province_sums(&t.province_node.report());
    // Who synced when travels on the stick too: the district hubs' news of their communes
    // reached the province ledger, so only the communes that never synced show as such.
    let board = t.province_node.json(&["progress", "--json"]);
    let never: i64 = board["units"].as_array().unwrap().iter().map(|u| u["never_synced"].as_i64().unwrap()).sum();
    assert_eq!(never, 106 - 3, "three communes synced by bundle: {board:#}");
    for district in ["106", "107"] {
        let unit = board["units"].as_array().unwrap().iter().find(|u| u["code"] == district).unwrap();
        assert!(unit["last_sync_at"].is_string(), "district hub {district} synced: {unit:#}");
    }
    let twice = t.province_node.ok(&["bundle", "import", &down]);
    assert!(twice.contains("0 changes"), "{twice}");
    assert_province_sums(&t.province_node.report());

    // The way back carries the acknowledgement: the commune has nothing left to send.
    let back = file("back-0.sbc");
    hub_cmd(&t.districts[0], &["bundle", "export", &back, "--for", &node_id(&t.communes[0])]);
    t.communes[0].ok(&["bundle", "import", &back]);
    let again = file("again-0.sbc");
    let out = t.communes[0].ok(&["bundle", "export", &again]);
    assert!(out.contains("exported 0 changes"), "{out}");
}

#[test]
fn a_mix_of_http_and_usb() {
    let mut t = tree();
    // District 106 syncs over HTTP; district 107 has no link: its commune and the district hub
    // carry bundles, and the district hub's own link upward is by bundle too.
    t.communes[0].ok(&["sync"]);
    t.communes[1].ok(&["sync"]);
    t.districts[1].stop();
    let usb = t._tmp.path().join("usb.sbc");
    let usb = usb.to_str().unwrap();
    t.communes[2].ok(&["bundle", "export", usb]);
    sobaucu_tests::run_ok(Hub::command(&t.districts[1].dir).args(["bundle", "import", usb]));
    let up = t._tmp.path().join("up.sbc");
    let up = up.to_str().unwrap();
    sobaucu_tests::run_ok(Hub::command(&t.districts[1].dir).args(["bundle", "export", up, "--up"]));
    sobaucu_tests::run_ok(Hub::command(&t.province.dir).args(["bundle", "import", up]));
    eventually(30, "the province ledger to receive every commune", || {
        t.province_node.ok(&["sync"]);
        t.province_node.report()["voters"] == total_voters()
    });
    assert_province_sums(&t.province_node.report());
    // District 107 comes back online: nothing is duplicated.
    t.districts[1].serve();
    t.communes[2].ok(&["sync", "--hub", &t.districts[1].url]);
    t.province_node.ok(&["sync"]);
    assert_province_sums(&t.province_node.report());
}

fn node_id(node: &Node) -> String {
    let store = sobaucu_core::Store::open_existing(&node.dir, &sobaucu_core::vault::test_credentials()).unwrap();
    store.node().unwrap().node_id.to_string()
}
