//! `sobaucu duplicates` end to end on a district ledger (Huyện Tam Đường, 2021 units) holding
//! voters of two communes: the pairs as JSON and as a table, decisions, refusals that name ids
//! and never people.

use serde_json::Value;

mod common;

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger { dir: tempfile::tempdir().unwrap() }
    }

    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.dir.path().join("ledger"), Some("2026-02-01"), args)
    }

    /// Runs a command that must fail; returns its error message.
    fn fails(&self, args: &[&str]) -> String {
        common::fails(&self.dir.path().join("ledger"), Some("2026-02-01"), args)
    }

    fn pairs(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["duplicates", "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str::<Value>(&self.ok(&args)).unwrap().as_array().unwrap().clone()
    }
}

const RECORDS: &str = r#"{"kind":"polling_area","unit":"03390","number":1,"name":"KV Tam Đường 1","area_type":"ordinary"}
{"kind":"polling_area","unit":"03394","number":1,"name":"KV Thèn Sin 1","area_type":"ordinary"}
{"kind":"voter","unit":"03390","full_name":"Giàng Páo Mỷ","birth_date":"1975-03-04","sex":"male","polling_area":"KV Tam Đường 1","ballots":"na,provincial,district,commune"}
{"kind":"voter","unit":"03394","full_name":"GIANG  PAO MY","birth_date":"04/03/1975","sex":"male","polling_area":"KV Thèn Sin 1","ballots":"na,provincial,district,commune"}
{"kind":"voter","unit":"03390","full_name":"Sùng Thị Dợ","birth_date":"1990-01-02","sex":"female","id_number":"012345678901","polling_area":"KV Tam Đường 1","ballots":"na,provincial,district,commune"}
{"kind":"voter","unit":"03394","full_name":"Sung Thi Ro","birth_date":"1990-01-02","sex":"female","id_number":"012345678901","polling_area":"KV Thèn Sin 1","ballots":"na,provincial,district,commune"}
{"kind":"voter","unit":"03394","full_name":"Giàng Páo Mỷ","birth_date":"1975-03-05","sex":"male","polling_area":"KV Thèn Sin 1","ballots":"na,provincial,district,commune"}
"#;

fn id(side: &Value) -> String {
    side["id"].as_str().unwrap().to_string()
}

#[test]
fn duplicates_are_listed_and_decided_from_the_command_line() {
    let l = Ledger::new();
    l.ok(&["init", "--unit", "106", "--scheme", "2021", "--election", "2026-03-15"]);
    let file = l.dir.path().join("records.jsonl");
    std::fs::write(&file, RECORDS).unwrap();
    l.ok(&["import", file.to_str().unwrap()]);

    let pairs = l.pairs(&[]);
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    let by_id = pairs.iter().find(|p| p["rule"] == "id_number").unwrap();
    assert_eq!((by_id["rule"].as_str(), by_id["score"].as_u64()), (Some("id_number"), Some(90)));
    let by_name = pairs.iter().find(|p| p["rule"] == "name_birth").unwrap();
    assert_eq!((by_name["rule"].as_str(), by_name["score"].as_u64()), (Some("name_birth"), Some(90)));
    for pair in &pairs {
        let keys: Vec<&str> = pair.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "rule", "score"]);
        assert_eq!(
            (pair["a"]["unit"].as_str(), pair["a"]["unit_name"].as_str()),
            (Some("03390"), Some("Thị trấn Tam Đường"))
        );
        assert_eq!((pair["b"]["unit"].as_str(), pair["b"]["unit_name"].as_str()), (Some("03394"), Some("Xã Thèn Sin")));
    }
    assert_eq!(by_name["a"]["full_name"], "Giàng Páo Mỷ");
    assert_eq!(by_name["b"]["polling_area_title"], "KV Thèn Sin 1");

    // The table names both communes and counts the pairs.
    let table = l.ok(&["duplicates"]);
    assert!(table.contains("Xã Thèn Sin") && table.contains("name_birth") && table.ends_with("2 pairs\n"), "{table}");

    // Keep both: the pair leaves the list, and comes back with --all with its decision.
    let (a, b) = (id(&by_name["a"]), id(&by_name["b"]));
    let out = l.ok(&["duplicates", "decide", &a, &b, "--keep-both", "--reason", "Hai người khác nhau"]);
    assert!(out.contains("kept both"), "{out}");
    assert_eq!(l.pairs(&[]).len(), 1);
    let all = l.pairs(&["--all"]);
    assert_eq!(all.len(), 2);
    let decided: Vec<&Value> = all.iter().filter(|p| p.get("decision").is_some()).collect();
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["decision"]["decision"], "keep_both");

    // Refusals name ids, never people.
    let (c, d) = (id(&by_id["a"]), id(&by_id["b"]));
    let no_reason = l.fails(&["duplicates", "decide", &c, &d, "--remove", &d]);
    assert!(no_reason.contains("--reason"), "{no_reason}");
    let outsider = l.fails(&["duplicates", "decide", &c, &d, "--remove", &a, "--reason", "Trùng"]);
    assert!(outsider.contains(&a) && outsider.contains("removed_voter"), "{outsider}");
    let twice = l.fails(&["duplicates", "decide", &a, &b, "--keep-both"]);
    assert!(twice.contains("already decided"), "{twice}");
    let neither = l.fails(&["duplicates", "decide", &c, &d]);
    assert!(neither.contains("--keep-both") || neither.contains("--remove"), "{neither}");
    for message in [&no_reason, &outsider, &twice, &neither] {
        for name in ["Sùng", "Sung", "Giàng", "GIANG", "1990", "012345678901"] {
            assert!(!message.contains(name), "an error shows personal data: {message}");
        }
    }

    // Remove one: the voter is off its list and the pair is gone.
    let out = l.ok(&["duplicates", "decide", &c, &d, "--remove", &d, "--reason", "Trùng với danh sách thị trấn"]);
    assert!(out.contains(&format!("removed voter {d}")), "{out}");
    assert!(l.pairs(&[]).is_empty());
    assert!(l.ok(&["duplicates"]).ends_with("0 pairs\n"));
    let voters: Vec<Value> =
        l.ok(&["list", "--kind", "voter", "--json"]).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let removed = voters.iter().find(|v| v["id"] == d.as_str()).unwrap();
    assert_eq!(removed["list_status"], "removed");
    let changes = l.ok(&["list", "--kind", "list_change", "--json"]);
    let change: Value = serde_json::from_str(changes.lines().next().unwrap()).unwrap();
    assert_eq!((change["voter"].as_str(), change["unit"].as_str()), (Some(d.as_str()), Some("03394")));
    assert_eq!(l.pairs(&["--all"]).len(), 2);
}
