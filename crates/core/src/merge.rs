//! The merge, as a pure function: a record's state and its conflicts from the set of its
//! changes, whatever order they came in.
//!
//! - Each field holds the value of its change with the greatest `(hlc, origin, seq)`; a
//!   tombstone (`_deleted`) is a field like the others.
//! - A change of a field that no other change of that field names among its bases, whose value
//!   differs from the winner's, lost a concurrent edit: a conflict, listed until a change names
//!   it (a settlement).
//!
//! No SQL and no kinds here: `store::replica` reads a record's changes, calls [`merge`], and
//! writes the row and the conflicts it returns.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

/// One change of a record, as the merge needs it.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub origin: &'a str,
    pub seq: i64,
    pub hlc: u64,
    pub fields: &'a Map<String, Value>,
    /// For each field it replaced, the clocks of the values its writer saw there.
    pub bases: &'a Map<String, Value>,
}

/// A change that lost a concurrent edit of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loser {
    pub field: String,
    /// Its place in the changes given to [`merge`].
    pub change: usize,
}

/// What the changes of a record make of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Each field's winning value (`Null`: cleared), the tombstone left out.
    pub fields: Map<String, Value>,
    pub deleted: bool,
    /// The first change (its clock is the record's creation) and the last.
    pub first: usize,
    pub last: usize,
    pub losers: Vec<Loser>,
}

/// Merges a record's changes (in any order; none twice). None when there are none.
pub fn merge(changes: &[Change<'_>]) -> Option<Merged> {
    let mut order: Vec<usize> = (0..changes.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&changes[a], &changes[b]);
        (a.hlc, a.origin, a.seq).cmp(&(b.hlc, b.origin, b.seq))
    });
    let (&first, &last) = (order.first()?, order.last()?);
    let mut fields = Map::new();
    let mut deleted = false;
    // Each field's changes, in merge order.
    let mut touching: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        for (name, value) in changes[i].fields {
            // Why a record was deleted: the deletion's own note (its history shows it), no field.
            if name == "_reason" {
                continue;
            }
            touching.entry(name.as_str()).or_default().push(i);
            if name == "_deleted" {
                deleted = value.as_bool().unwrap_or(false);
            } else {
                fields.insert(name.clone(), value.clone());
            }
        }
    }
    let mut losers = Vec::new();
    for (name, list) in &touching {
        let Some((&winner, earlier)) = list.split_last() else { continue };
        let seen: HashSet<u64> = list
            .iter()
            .filter_map(|&i| changes[i].bases.get(*name))
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        let winning = &changes[winner].fields[*name];
        for &i in earlier {
            if !seen.contains(&changes[i].hlc) && changes[i].fields[*name] != *winning {
                losers.push(Loser { field: name.to_string(), change: i });
            }
        }
    }
    Some(Merged { fields, deleted, first, last, losers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (origin, seq, hlc, fields, bases)
    type Case<'a> = (&'a str, i64, u64, Value, Value);

    fn run(cases: &[Case<'_>]) -> Merged {
        let owned: Vec<(Map<String, Value>, Map<String, Value>)> = cases
            .iter()
            .map(|(_, _, _, f, b)| (f.as_object().unwrap().clone(), b.as_object().unwrap().clone()))
            .collect();
        let changes: Vec<Change<'_>> = cases
            .iter()
            .zip(&owned)
            .map(|((origin, seq, hlc, _, _), (fields, bases))| Change { origin, seq: *seq, hlc: *hlc, fields, bases })
            .collect();
        merge(&changes).unwrap()
    }

    #[test]
    fn the_merge_by_cases() {
        struct Expect<'a> {
            name: &'a str,
            changes: Vec<Case<'a>>,
            place: Value,
            deleted: bool,
            losers: Vec<(&'a str, usize)>,
        }
        let cases = vec![
            Expect {
                name: "a record created once",
                changes: vec![("a", 1, 10, json!({"place": "Bản Hon"}), json!({}))],
                place: json!("Bản Hon"),
                deleted: false,
                losers: vec![],
            },
            Expect {
                name: "an edit that saw the value it replaced",
                changes: vec![
                    ("b", 1, 20, json!({"place": "Bản Thèn Sin"}), json!({"place": [10]})),
                    ("a", 1, 10, json!({"place": "Bản Hon"}), json!({})),
                ],
                place: json!("Bản Thèn Sin"),
                deleted: false,
                losers: vec![],
            },
            Expect {
                name: "two edits made without seeing each other: the later wins, the other is listed",
                changes: vec![
                    ("a", 1, 10, json!({"place": "Bản Hon"}), json!({})),
                    ("a", 2, 20, json!({"place": "Bản Thèn Sin"}), json!({"place": [10]})),
                    ("b", 1, 30, json!({"place": "Bản Nà Tăm"}), json!({"place": [10]})),
                ],
                place: json!("Bản Nà Tăm"),
                deleted: false,
                losers: vec![("place", 1)],
            },
            Expect {
                name: "two concurrent edits to the same value are no conflict",
                changes: vec![
                    ("a", 1, 10, json!({"place": "Bản Hon"}), json!({})),
                    ("a", 2, 20, json!({"place": "Bản Lở"}), json!({"place": [10]})),
                    ("b", 1, 30, json!({"place": "Bản Lở"}), json!({"place": [10]})),
                ],
                place: json!("Bản Lở"),
                deleted: false,
                losers: vec![],
            },
            Expect {
                name: "a settlement names the loser: the conflict is gone",
                changes: vec![
                    ("a", 1, 10, json!({"place": "Bản Hon"}), json!({})),
                    ("a", 2, 20, json!({"place": "Bản Thèn Sin"}), json!({"place": [10]})),
                    ("b", 1, 30, json!({"place": "Bản Nà Tăm"}), json!({"place": [10]})),
                    ("c", 1, 40, json!({"place": "Bản Thèn Sin"}), json!({"place": [30, 20]})),
                ],
                place: json!("Bản Thèn Sin"),
                deleted: false,
                losers: vec![],
            },
            Expect {
                name: "a deletion is a field like any other",
                changes: vec![
                    ("a", 1, 10, json!({"place": "Bản Hon"}), json!({})),
                    ("a", 2, 20, json!({"_deleted": true}), json!({"_deleted": []})),
                ],
                place: json!("Bản Hon"),
                deleted: true,
                losers: vec![],
            },
            Expect {
                name: "equal clocks: the greater origin, then the greater number, wins",
                changes: vec![
                    ("b", 1, 10, json!({"place": "Bản B"}), json!({})),
                    ("a", 7, 10, json!({"place": "Bản A"}), json!({})),
                    ("b", 2, 10, json!({"place": "Bản B2"}), json!({})),
                ],
                place: json!("Bản B2"),
                deleted: false,
                losers: vec![("place", 1), ("place", 0)],
            },
            Expect {
                name: "clocks at both ends of the range",
                changes: vec![
                    ("a", 1, 0, json!({"place": "Bản Đầu"}), json!({})),
                    ("b", 1, i64::MAX as u64, json!({"place": "Bản Cuối"}), json!({"place": [0]})),
                ],
                place: json!("Bản Cuối"),
                deleted: false,
                losers: vec![],
            },
        ];
        for case in cases {
            let merged = run(&case.changes);
            assert_eq!(merged.fields.get("place"), Some(&case.place), "{}", case.name);
            assert_eq!(merged.deleted, case.deleted, "{}", case.name);
            let losers: Vec<(&str, usize)> = merged.losers.iter().map(|l| (l.field.as_str(), l.change)).collect();
            assert_eq!(losers, case.losers, "{}", case.name);
        }
    }

    #[test]
    fn the_order_they_came_in_does_not_matter() {
        let changes: Vec<Case<'_>> = vec![
            ("a", 1, 10, json!({"place": "Bản Hon", "summary": "Mất điện"}), json!({})),
            ("a", 2, 20, json!({"place": "Bản Thèn Sin"}), json!({"place": [10]})),
            ("b", 1, 30, json!({"place": "Bản Nà Tăm"}), json!({"place": [10]})),
            ("b", 2, 40, json!({"summary": "Mất điện hai ngày"}), json!({"summary": [10]})),
        ];
        let forward = run(&changes);
        let mut reversed = changes.clone();
        reversed.reverse();
        let backward = run(&reversed);
        assert_eq!(forward.fields, backward.fields);
        assert_eq!(forward.losers.len(), backward.losers.len());
        assert_eq!(reversed[backward.losers[0].change].1, changes[forward.losers[0].change].1);
    }
}
