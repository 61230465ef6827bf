//! Lists as the window pages through them: the top of a list read with SQL and the rest from
//! the in-memory index agree on order, totals and filters; a district ledger's list narrows to
//! one commune below it; a write (through this connection or another) is seen at once.

use serde_json::{Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{self, ImportOptions};
use sobaucu_core::units::Catalogue;
use sobaucu_core::{ListQuery, Store};

fn names(page: &sobaucu_core::store::Page) -> Vec<String> {
    page.rows.iter().map(|r| r["full_name"].as_str().unwrap().to_string()).collect()
}

fn query(q: Option<&str>, unit: Option<&str>, offset: u64, limit: u64) -> ListQuery {
    ListQuery {
        q: q.map(str::to_string),
        unit: unit.map(str::to_string),
        offset: Some(offset),
        limit: Some(limit),
        ..Default::default()
    }
}

#[test]
fn a_district_list_pages_searches_and_narrows_to_a_commune_the_same_way_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("ledger"), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "106".parse().unwrap(),
            scheme: "2021".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2021, 5, 23).unwrap(),
            law: None,
        })
        .unwrap();
    let catalogue = Catalogue::get("2021".parse().unwrap());
    let communes: Vec<String> =
        catalogue.children(Some(&"106".parse().unwrap())).iter().take(2).map(|u| u.code.to_string()).collect();
    let mut lines = String::new();
    for (n, commune) in communes.iter().enumerate() {
        lines.push_str(&format!(
            "{}\n",
            json!({"kind": "polling_area", "unit": commune, "number": n + 1, "name": format!("Khu vực {commune}"), "area_type": "ordinary"})
        ));
    }
    // 2,500 voters in the first commune, 10 in the second: deeper than the SQL-read top.
    let given = ["An", "Bình", "Chải", "Đào", "Mỷ", "Ỏn"];
    for i in 0..2_510 {
        let commune = if i < 2_500 { &communes[0] } else { &communes[1] };
        lines.push_str(&format!(
            "{}\n",
            json!({"kind": "voter", "unit": commune, "full_name": format!("Lò Văn {} {i}", given[i % given.len()]),
                   "birth_date": "1980", "sex": "male", "polling_area": format!("Khu vực {commune}"), "ballots": "na"})
        ));
    }
    let file = tmp.path().join("voters.jsonl");
    std::fs::write(&file, lines).unwrap();
    transfer::import(&mut store, &[&file], &ImportOptions::default()).unwrap();

    // The top, read with SQL before the index exists.
    let top = store.list(Kind::Voter, &query(None, None, 0, 100)).unwrap();
    assert_eq!(top.total, 2_510);
    assert!(top.rows[0]["unit_name"].as_str().is_some_and(|name| !name.is_empty()));
    // A page far down reads the index; then the top again, from it, is the same.
    let deep = store.list(Kind::Voter, &query(None, None, 2_450, 100)).unwrap();
    assert_eq!((deep.total, deep.rows.len()), (2_510, 60));
    let again = store.list(Kind::Voter, &query(None, None, 0, 100)).unwrap();
    assert_eq!(names(&again), names(&top));
    let mut sorted = names(&top);
    sorted.sort_by_key(|n| sobaucu_core::collate::person_key(n));
    assert_eq!(names(&top), sorted, "Vietnamese order by given name");

    // One commune: the other's voters only.
    let second = store.list(Kind::Voter, &query(None, Some(&communes[1]), 0, 100)).unwrap();
    assert_eq!(second.total, 10);
    assert!(second.rows.iter().all(|r| r["unit"] == Value::String(communes[1].clone())));
    let district = store.list(Kind::Voter, &query(None, Some("106"), 0, 1)).unwrap();
    assert_eq!(district.total, 2_510);
    let searched = store.list(Kind::Voter, &query(Some("chai"), Some(&communes[1]), 0, 100)).unwrap();
    assert!(searched.total >= 1 && searched.rows.iter().all(|r| r["full_name"].as_str().unwrap().contains("Chải")));

    // A write through another connection is seen at once.
    let mut other = Store::open_existing(&tmp.path().join("ledger"), &sobaucu_core::vault::test_credentials()).unwrap();
    let id = top.rows[0]["id"].as_str().unwrap().to_string();
    other.delete(Kind::Voter, id.parse().unwrap()).unwrap();
    let after = store.list(Kind::Voter, &query(Some("lo van"), None, 0, 100)).unwrap();
    assert_eq!(after.total, 2_509);
    assert!(after.rows.iter().all(|r| r["id"] != Value::String(id.clone())));

    // A voter renamed there moves to its new place here; a new one appears at its own.
    let last =
        store.list(Kind::Voter, &query(None, None, 2_508, 1)).unwrap().rows[0]["id"].as_str().unwrap().to_string();
    other
        .save(Kind::Voter, Some(last.parse().unwrap()), json!({"full_name": "Lò Văn A"}).as_object().unwrap())
        .unwrap();
    let added = other
        .save(
            Kind::Voter,
            None,
            json!({"full_name": "Lò Văn Ỏn", "birth_date": "1980", "sex": "male", "polling_area": deep.rows[0]["polling_area"], "ballots": "na"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
    // The whole list, and a search, in the order SQL reads them from the table itself.
    let ids = |page: sobaucu_core::store::Page| -> Vec<String> {
        page.rows.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    for q in [None, Some("lo van")] {
        let from_index = ids(store.list(Kind::Voter, &query(q, None, 0, 10_000)).unwrap());
        let from_sql = ids(store.db().list(Kind::Voter, &query(q, None, 0, 10_000)).unwrap());
        assert_eq!(from_index.len(), 2_510);
        assert_eq!(from_index, from_sql, "{q:?}");
        assert!(from_index.contains(&last) && from_index.contains(&added["id"].as_str().unwrap().to_string()));
    }
    assert_ne!(ids(store.list(Kind::Voter, &query(None, None, 2_508, 2)).unwrap()).last(), Some(&last), "it moved");
}
