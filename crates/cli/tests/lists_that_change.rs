//! Lists that change, as district IT staff script them: a record edited and deleted from the
//! command line through the same write path as the window (a deleted one kept in the bin and
//! brought back), a new version of a voter list
//! matched to the voters held (only the differences written, the missing ones listed, then
//! removed the legal way, all undone as one step), and columns the import does not know named
//! in the preview, mapped or left out, or matched by their words.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        let l = Ledger { dir: tempfile::tempdir().unwrap() };
        l.ok(&["init", "--unit", "03637", "--scheme", "2025", "--election", "2026-03-15"]);
        let areas = l.file(
            "areas.jsonl",
            "{\"kind\":\"polling_area\",\"number\":1,\"name\":\"Khu vực bỏ phiếu số 1\",\"area_type\":\"ordinary\"}\n\
             {\"kind\":\"polling_area\",\"number\":2,\"name\":\"Khu vực bỏ phiếu số 2\",\"area_type\":\"ordinary\"}\n",
        );
        l.ok(&["import", areas.to_str().unwrap()]);
        l
    }
    fn data(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.data(), Some("2026-02-20"), args)
    }
    fn fails(&self, args: &[&str]) -> String {
        common::fails(&self.data(), Some("2026-02-20"), args)
    }
    fn voters(&self) -> Vec<Value> {
        self.ok(&["list", "--kind", "voter", "--json", "--limit", "100"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
    fn voter(&self, name: &str) -> Value {
        self.voters().into_iter().find(|v| v["full_name"] == name).unwrap_or_else(|| panic!("no voter {name}"))
    }
}

const HEADER: &str = "STT,Họ và tên,Ngày sinh,Giới tính,Số định danh,Nghề nghiệp,Khu vực bỏ phiếu\n";

fn sheet(l: &Ledger, name: &str, rows: &[&str]) -> PathBuf {
    l.file(name, &format!("{HEADER}{}\n", rows.join("\n")))
}

fn args<'a>(path: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["import", "--kind", "voter", "--set", "ballots=na,provincial,commune"];
    a.extend_from_slice(extra);
    a.push(path.to_str().unwrap());
    a
}

#[test]
fn a_record_is_edited_and_deleted_from_the_command_line() {
    let l = Ledger::new();
    let list = sheet(&l, "v1.csv", &["1,Lò Thị Ỏn,1980,Nữ,011223344556,Làm nông,Khu vực bỏ phiếu số 1"]);
    l.ok(&args(&list, &[]));
    let id = l.voter("Lò Thị Ỏn")["id"].as_str().unwrap().to_string();
    l.ok(&["edit", "--kind", "voter", "--id", &id, "--set", "occupation=Giáo viên", "--set", "remarks=Mới chuyển đến"]);
    let v = l.voter("Lò Thị Ỏn");
    assert_eq!((v["occupation"].as_str(), v["remarks"].as_str()), (Some("Giáo viên"), Some("Mới chuyển đến")));
    // An empty value clears a field; a bad one is refused with its field, and nothing changes.
    l.ok(&["edit", "--kind", "voter", "--id", &id, "--set", "remarks="]);
    assert!(l.voter("Lò Thị Ỏn").get("remarks").is_none_or(Value::is_null));
    let bad = l.fails(&["edit", "--kind", "voter", "--id", &id, "--set", "birth_date=2020"]);
    assert!(bad.contains("birth_date") && bad.contains("not 18"), "{bad}");
    assert_eq!(l.voter("Lò Thị Ỏn")["occupation"], "Giáo viên");

    // A voter is removed from the list the legal way: a voter-list change with the reason.
    assert!(l.fails(&["delete", "--kind", "voter", "--id", &id]).contains("--reason"));
    l.ok(&["delete", "--kind", "voter", "--id", &id, "--reason", "Chuyển đi nơi khác"]);
    assert_eq!(l.voter("Lò Thị Ỏn")["list_status"], "removed");
    let changes = l.ok(&["list", "--kind", "list_change", "--json"]);
    assert!(changes.contains("Chuyển đi nơi khác"), "{changes}");

    // Another record is deleted, and its history says why.
    let area = l.ok(&["list", "--kind", "polling_area", "--json"]);
    let area: Value = serde_json::from_str(area.lines().last().unwrap()).unwrap();
    let area_id = area["id"].as_str().unwrap();
    l.ok(&["delete", "--kind", "polling_area", "--id", area_id, "--reason", "Gộp vào khu vực số 1"]);
    assert_eq!(l.ok(&["list", "--kind", "polling_area", "--json"]).lines().count(), 1);
    let history = l.ok(&["history", "--kind", "polling_area", "--id", area_id]);
    assert!(history.contains("_reason=Gộp vào khu vực số 1"), "{history}");

    // It waits in the bin with its reason (the voter is not there: she was removed, not
    // deleted), and comes back from it.
    let bin: Value = serde_json::from_str(&l.ok(&["deleted", "--json"])).unwrap();
    let bin = bin.as_array().unwrap();
    assert_eq!(bin.len(), 1, "{bin:?}");
    assert_eq!(
        (bin[0]["kind"].as_str(), bin[0]["id"].as_str(), bin[0]["reason"].as_str(), bin[0]["title"].as_str()),
        (Some("polling_area"), Some(area_id), Some("Gộp vào khu vực số 1"), Some("Khu vực bỏ phiếu số 2"))
    );
    assert!(l.ok(&["deleted"]).contains("Gộp vào khu vực số 1"));
    l.ok(&["undelete", "--kind", "polling_area", "--id", area_id]);
    assert_eq!(l.ok(&["list", "--kind", "polling_area", "--json"]).lines().count(), 2);
    assert_eq!(l.ok(&["deleted", "--json"]).trim(), "[]");
    assert!(l.fails(&["undelete", "--kind", "polling_area", "--id", area_id]).contains(area_id), "not in the bin");
}

#[test]
fn a_new_version_of_a_list_writes_only_its_differences() {
    let l = Ledger::new();
    let v1 = sheet(
        &l,
        "v1.csv",
        &[
            "1,Lò Thị Ọn,1980,Nữ,011223344556,Làm nông,Khu vực bỏ phiếu số 1",
            "2,Giàng A Páo,1975,Nam,,Làm nông,Khu vực bỏ phiếu số 1",
            "3,Vàng Thị Mỷ,1990,Nữ,022334455667,Làm nông,Khu vực bỏ phiếu số 1",
            "4,Sùng A Dính,1985,Nam,,Giáo viên,Khu vực bỏ phiếu số 2",
        ],
    );
    l.ok(&args(&v1, &[]));
    let before: Vec<Value> = l.voters();
    // The new version of area 1: Lò Thị Ỏn (by ID number: her name was misspelt) works as a
    // teacher; Giàng A Páo (by name and birth) is as he was; Hờ Thị Xúa is new; Vàng Thị Mỷ is
    // gone. Area 2 is not in the file: Sùng A Dính is not missing.
    let v2 = sheet(
        &l,
        "v2.csv",
        &[
            "1,Lò Thị Ỏn,1980,Nữ,011223344556,Giáo viên,Khu vực bỏ phiếu số 1",
            "2,Giàng A Páo,1975,Nam,,Làm nông,Khu vực bỏ phiếu số 1",
            "3,Hờ Thị Xúa,2001,Nữ,,Làm nông,Khu vực bỏ phiếu số 1",
        ],
    );
    let preview: Value = serde_json::from_str(&l.ok(&args(&v2, &["--update", "--preview", "--json"]))).unwrap();
    let update = &preview["update"];
    assert_eq!((update["added"].as_u64(), update["unchanged"].as_u64()), (Some(1), Some(1)), "{update}");
    let changed = update["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    let fields: Vec<(&str, &str, &str)> = changed[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["old"].as_str().unwrap(), f["new"].as_str().unwrap()))
        .collect();
    assert!(fields.contains(&("occupation", "Làm nông", "Giáo viên")), "{fields:?}");
    assert!(fields.contains(&("full_name", "Lò Thị Ọn", "Lò Thị Ỏn")), "{fields:?}");
    let missing = update["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["title"], "Vàng Thị Mỷ");
    assert_eq!(preview["duplicates"].as_array().unwrap().len(), 0, "matched rows are no duplicates");
    assert_eq!(l.voters(), before, "a preview writes nothing");

    // Applied: only the differences; the unchanged voter is untouched.
    let text = l.ok(&args(&v2, &["--update"]));
    assert!(text.contains("update: 1 added, 1 changed, 1 unchanged, 1 missing (did)"), "{text}");
    assert!(text.contains("occupation: Làm nông → Giáo viên"), "{text}");
    let paos =
        |voters: &[Value]| voters.iter().find(|v| v["full_name"] == "Giàng A Páo").unwrap()["updated_at"].clone();
    assert_eq!(paos(&l.voters()), paos(&before));
    assert_eq!(l.voter("Lò Thị Ỏn")["occupation"], "Giáo viên");
    assert_eq!(l.voter("Vàng Thị Mỷ")["list_status"].as_str().unwrap_or("listed"), "listed", "only listed");

    // Removing the missing is explicit, with a reason, the legal way; and undone as one step.
    let v3 = sheet(&l, "v3.csv", &["1,Lò Thị Ỏn,1980,Nữ,011223344556,Giáo viên,Khu vực bỏ phiếu số 1"]);
    assert!(l.fails(&args(&v3, &["--update", "--remove-missing"])).contains("--reason"));
    let text = l.ok(&args(&v3, &["--update", "--remove-missing", "--reason", "Không còn cư trú tại xã"]));
    assert!(text.contains("3 missing, 3 removed"), "Vàng Thị Mỷ, Giàng A Páo, Hờ Thị Xúa: {text}");
    assert_eq!(l.voter("Vàng Thị Mỷ")["list_status"], "removed");
    assert_eq!(l.voter("Giàng A Páo")["list_status"], "removed");
    let imports = l.ok(&["imports"]);
    let last = imports
        .lines()
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .max_by_key(|n| n.parse::<i64>().unwrap())
        .unwrap();
    l.ok(&["undo-import", &last]);
    assert_eq!(l.voter("Vàng Thị Mỷ")["list_status"].as_str().unwrap_or("listed"), "listed");
    // Undoing the update before it: the new voter goes, the teacher is a farmer again.
    let previous = (last.parse::<i64>().unwrap() - 1).to_string();
    l.ok(&["undo-import", &previous]);
    assert_eq!(l.voter("Lò Thị Ọn")["occupation"], "Làm nông");
    assert!(l.voters().iter().all(|v| v["full_name"] != "Hờ Thị Xúa"));
}

#[test]
fn unknown_columns_are_named_mapped_or_left_out() {
    let l = Ledger::new();
    // A common spelling the import matches by its words: `Nơi ở tạm trú` is `temporary_residence`.
    let by_words = l.file(
        "words.csv",
        "Họ và tên,Ngày sinh,Giới tính,Nơi ở tạm trú,Khu vực bỏ phiếu\nLò Thị Ỏn,1980,Nữ,Bản Hon,Khu vực bỏ phiếu số 1\n",
    );
    l.ok(&args(&by_words, &[]));
    assert_eq!(l.voter("Lò Thị Ỏn")["temporary_residence"], "Bản Hon");

    let odd = l.file(
        "odd.csv",
        "Họ và tên,Ngày sinh,Giới tính,Dòng họ,Khu vực bỏ phiếu\nVàng A Dở,1975,Nam,Vàng,Khu vực bỏ phiếu số 1\n",
    );
    let refused = l.fails(&args(&odd, &[]));
    assert!(
        refused.contains("column 4 (`Dòng họ`)") && refused.contains("--map") && refused.contains("--skip-column"),
        "{refused}"
    );
    let preview: Value = serde_json::from_str(&l.ok(&args(&odd, &["--preview", "--json"]))).unwrap();
    let unknown = &preview["unknown_columns"][0];
    assert_eq!((unknown["column"].as_u64(), unknown["header"].as_str()), (Some(4), Some("Dòng họ")));
    assert!(unknown["suggestions"].as_array().unwrap().iter().any(|s| s == "household"), "{unknown}");
    assert_eq!(preview["records"], 1, "the other columns still preview");
    l.ok(&args(&odd, &["--skip-column", "Dòng họ"]));
    assert!(l.voter("Vàng A Dở").get("remarks").is_none_or(Value::is_null));
    let again = l.file(
        "odd2.csv",
        "Họ và tên,Ngày sinh,Giới tính,Dòng họ,Khu vực bỏ phiếu\nSùng Seo Dính,1990,Nam,Sùng,Khu vực bỏ phiếu số 2\n",
    );
    l.ok(&args(&again, &["--map", "Dòng họ=remarks"]));
    assert_eq!(l.voter("Sùng Seo Dính")["remarks"], "Sùng");
    assert!(l.fails(&args(&again, &["--map", "Dòng họ=no_such_field"])).contains("no_such_field is not a field"));
}
