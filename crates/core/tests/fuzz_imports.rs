//! The importers under random input, for a bounded time: raw bytes and damaged files, as CSV,
//! JSONL and XLSX, never panic and never write anything when they fail. A case that ever
//! broke one is kept as a regression case below.

use proptest::prelude::*;
use sobaucu_core::Store;
use sobaucu_core::kinds::Kind;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{ImportOptions, import};

fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ledger"), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "03637".parse().unwrap(),
            scheme: "2025".parse().unwrap(),
            election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
            law: None,
        })
        .unwrap();
    (dir, store)
}

fn changes(store: &Store) -> u64 {
    store.db().change_count().unwrap()
}

/// Imports `bytes` as a file named `name`; an error must leave the ledger as it was.
fn try_import(store: &mut Store, dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let before = changes(store);
    let options = ImportOptions { kind: Some(Kind::Voter), ..ImportOptions::default() };
    if let Err(e) = import(store, &[&path], &options) {
        assert_eq!(changes(store), before, "a failed import wrote something: {e}");
        assert!(!e.to_string().is_empty());
    }
}

const GOOD_CSV: &str = "Họ và tên,Ngày sinh,Giới tính,Khu vực bỏ phiếu,ballots\nLò Thị Ỏn,1970,Nữ,KV1,na\n";
const GOOD_JSONL: &str =
    "{\"kind\":\"incident\",\"occurred_on\":\"2026-01-10\",\"place\":\"Bản Nà Tăm\",\"summary\":\"S\"}\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn raw_bytes_never_panic_an_importer(bytes in prop::collection::vec(any::<u8>(), 0..800), which in 0usize..3) {
        let (dir, mut store) = ledger();
        let name = ["raw.csv", "raw.jsonl", "raw.xlsx"][which];
        try_import(&mut store, dir.path(), name, &bytes);
    }

    #[test]
    fn damaged_files_never_panic_an_importer(cut in 0usize..200, flip in 0usize..200, with in any::<u8>(), jsonl in any::<bool>()) {
        let (dir, mut store) = ledger();
        let (name, good) = if jsonl { ("damaged.jsonl", GOOD_JSONL) } else { ("damaged.csv", GOOD_CSV) };
        let mut bytes = good.as_bytes().to_vec();
        let flip = flip % bytes.len();
        bytes[flip] = with;
        bytes.truncate(cut.min(bytes.len()));
        try_import(&mut store, dir.path(), name, &bytes);
    }

    #[test]
    fn damaged_spreadsheets_never_panic_the_xlsx_importer(cut in 0usize..4000, flip in 0usize..4000, with in any::<u8>()) {
        let (dir, mut store) = ledger();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
            sheet.write_string(1, c as u16, ["Giàng Páo Mỷ", "1970", "Nam"][c]).unwrap();
        }
        let mut bytes = book.save_to_buffer().unwrap();
        let flip = flip % bytes.len();
        bytes[flip] ^= with;
        bytes.truncate(cut.max(1).min(bytes.len()).max(bytes.len() / 2));
        try_import(&mut store, dir.path(), "damaged.xlsx", &bytes);
    }
}

#[test]
fn regression_cases_stay_refused_cleanly() {
    let (dir, mut store) = ledger();
    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("bom.csv", &b"\xef\xbb\xbf"[..]),
        ("quote.csv", &b"\"\n"[..]),
        ("nul.jsonl", &b"\0"[..]),
        (
            "deep.jsonl",
            &b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["[..],
        ),
        ("zip.xlsx", &b"PK\x03\x04\x14\x00\x00\x00\x08\x00"[..]),
    ] {
        try_import(&mut store, dir.path(), name, bytes);
    }
}
