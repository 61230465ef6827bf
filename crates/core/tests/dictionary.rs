//! The batch dictionary of the sync (`sobaucu_protocol::BATCH_DICTIONARY`) names every kind and
//! every field, so a small batch pays for its values only: a new kind or field goes into it
//! (which is a change of the protocol).

use sobaucu_core::kinds::Kind;

#[test]
fn every_kind_and_field_is_in_the_batch_dictionary() {
    let dictionary = std::str::from_utf8(sobaucu_protocol::BATCH_DICTIONARY).unwrap();
    let words: std::collections::HashSet<&str> = dictionary.lines().collect();
    for kind in Kind::ALL {
        let def = kind.def();
        assert!(words.contains(def.name), "kind {} is missing from crates/protocol/src/dictionary.txt", def.name);
        for field in def.fields {
            assert!(words.contains(field.name), "field {}.{} is missing from the dictionary", def.name, field.name);
        }
    }
}
