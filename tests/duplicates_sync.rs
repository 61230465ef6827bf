//! A decision about duplicate voters reaches the communes: two communes of Huyện Tam Đường list
//! the same person and sync to the district hub; the district ledger finds the pair, removes
//! one voter from its commune's list, syncs; the commune syncs and sees its voter removed, with
//! the list change, and the other commune receives the decision. Real processes on loopback.

use serde_json::{Value, json};
use sobaucu_tests::{Hub, Node};

const ELECTION: &str = "2021-05-23";

fn fill(node: &Node, name: &str) {
    node.import(&[
        json!({"kind": "polling_area", "number": 1, "name": "Khu vực bỏ phiếu số 1", "area_type": "ordinary"}),
        json!({"kind": "voter", "full_name": name, "birth_date": "1975-03-04", "sex": "male",
               "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na,provincial,district,commune"}),
        json!({"kind": "voter", "full_name": "Lò Thị Ỏn", "birth_date": "1980", "sex": "female",
               "polling_area": "Khu vực bỏ phiếu số 1", "ballots": "na,provincial,district,commune"}),
    ]);
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_removal_decided_at_the_district_reaches_the_commune() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let hub = Hub::start(&root.join("hub-106"), "106", "2021", None);
    let town = Node::init(&root.join("commune-03390"), "03390", "2021", ELECTION);
    let then_sin = Node::init(&root.join("commune-03394"), "03394", "2021", ELECTION);
    town.enroll(&hub, "03390");
    then_sin.enroll(&hub, "03394");
    fill(&town, "Giàng Páo Mỷ");
    fill(&then_sin, "GIANG PAO MY");
    town.ok(&["sync"]);
    then_sin.ok(&["sync"]);

    let district = Node::init(&root.join("district-106"), "106", "2021", ELECTION);
    district.enroll(&hub, "106");
    district.ok(&["sync"]);
    let pairs: Vec<Value> = serde_json::from_str(&district.ok(&["duplicates", "--json"])).unwrap();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    let pair = pairs.iter().find(|p| p["a"]["full_name"] == "Giàng Páo Mỷ").expect("the planted pair");
    assert_eq!((pair["rule"].as_str(), pair["b"]["unit"].as_str()), (Some("name_birth"), Some("03394")));
    let (a, b) = (pair["a"]["id"].as_str().unwrap(), pair["b"]["id"].as_str().unwrap());
    district.ok(&["duplicates", "decide", a, b, "--remove", b, "--reason", "Đã có tên ở thị trấn Tam Đường"]);
    // "Lò Thị Ỏn" born 1980 in both: kept both, decided as different people.
    let other = pairs.iter().find(|p| p["a"]["full_name"] == "Lò Thị Ỏn").unwrap();
    let (c, d) = (other["a"]["id"].as_str().unwrap(), other["b"]["id"].as_str().unwrap());
    district.ok(&["duplicates", "decide", c, d, "--keep-both", "--reason", "Hai người khác nhau"]);
    assert_eq!(district.ok(&["duplicates", "--json"]).trim(), "[]");
    district.ok(&["sync"]);

    // The commune of the removed voter sees it removed, with the change and its reason.
    then_sin.ok(&["sync"]);
    let voters = json_lines(&then_sin.ok(&["list", "--kind", "voter", "--json"]));
    let removed = voters.iter().find(|v| v["id"] == b).expect("the voter is still in the ledger");
    assert_eq!(removed["list_status"], "removed");
    let changes = json_lines(&then_sin.ok(&["list", "--kind", "list_change", "--json"]));
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0]["voter"].as_str(), changes[0]["change"].as_str()), (Some(b), Some("removed")));
    assert_eq!(changes[0]["reason"], "Đã có tên ở thị trấn Tam Đường");
    let decisions = json_lines(&then_sin.ok(&["list", "--kind", "duplicate_decision", "--json"]));
    assert_eq!(decisions.len(), 2);

    // The other commune keeps its voter and receives both decisions (they are the district's).
    town.ok(&["sync"]);
    let voters = json_lines(&town.ok(&["list", "--kind", "voter", "--json"]));
    assert!(voters.iter().all(|v| v["list_status"].is_null()), "{voters:?}");
    assert_eq!(json_lines(&town.ok(&["list", "--kind", "duplicate_decision", "--json"])).len(), 2);
    assert!(json_lines(&town.ok(&["list", "--kind", "list_change", "--json"])).is_empty());
}
