//! The lists' in-memory index: for each kind, its live records in list order (Vietnamese
//! alphabetical, [`crate::collate`]) with their units and folded search text, read from the
//! ledger in one pass and kept until the change log grows. A page at any offset of a list of
//! 100,000 voters, its total, and a search without marks over all of them then take a few
//! milliseconds: a search runs one SIMD substring scan over the concatenated texts instead of
//! an `instr` per row in SQLite.
//!
//! It holds nothing the ledger does not: every record write appends to the change log, so the
//! log's last position tells whether an index is still current (checked on every use, which
//! also sees writes made through another connection). It leaves out the lists filtered by a
//! field's value (`ListQuery::filter`), which stay plain SQL, and `Store::list` reads the top of
//! an unsearched list with SQL too until something needs the index, so a list opens at once.

use std::collections::HashSet;

use memchr::memmem;
use rusqlite::Connection;

use crate::error::Result;
use crate::kinds::Kind;

/// One kind's live records in list order.
pub(crate) struct ListIndex {
    /// The change log's last position when the index was read.
    stamp: i64,
    rowids: Vec<i64>,
    /// Each record's unit, as a place in `unit_codes`.
    units: Vec<u32>,
    unit_codes: Vec<String>,
    /// The records' search texts, each followed by a line feed (folded text has none).
    text: String,
    /// Where each record's text ends in `text` (its line feed's position).
    ends: Vec<u32>,
}

/// The change log's last position: it moves whenever any record is written.
pub(crate) fn log_stamp(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(idx), 0) FROM changes")?.query_row([], |r| r.get(0))?)
}

impl ListIndex {
    /// Reads a kind's live records in list order.
    pub(crate) fn read(conn: &Connection, kind: Kind, stamp: i64) -> Result<ListIndex> {
        let mut index = ListIndex {
            stamp,
            rowids: Vec::new(),
            units: Vec::new(),
            unit_codes: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
        };
        let mut unit_places = std::collections::HashMap::<String, u32>::new();
        // For voters, the index `voter_in_order` holds every column read: it is read alone, in
        // order, and no row of the table is.
        let mut stmt = conn.prepare(&format!(
            "SELECT rowid, unit, search FROM {} WHERE deleted = 0 ORDER BY sort_key, id",
            kind.as_str()
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            index.rowids.push(r.get(0)?);
            let unit = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let place = match unit_places.get(unit) {
                Some(place) => *place,
                None => {
                    let place = index.unit_codes.len() as u32;
                    index.unit_codes.push(unit.to_string());
                    unit_places.insert(unit.to_string(), place);
                    place
                }
            };
            index.units.push(place);
            index.text.push_str(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?);
            index.ends.push(index.text.len() as u32);
            index.text.push('\n');
        }
        Ok(index)
    }

    pub(crate) fn stamp(&self) -> i64 {
        self.stamp
    }

    /// The records whose text holds every one of `words` (all when there are none) and whose
    /// unit is one of `units` (any when `None`): their total, and the rowids of those from
    /// `offset` on, at most `limit`.
    pub(crate) fn page(
        &self,
        words: &[String],
        units: Option<&HashSet<String>>,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<i64>) {
        let allowed: Option<Vec<bool>> =
            units.map(|units| self.unit_codes.iter().map(|code| units.contains(code)).collect());
        let unit_ok = |i: usize| allowed.as_ref().is_none_or(|a| a[self.units[i] as usize]);
        let mut total = 0;
        let mut rowids = Vec::new();
        let mut take = |i: usize| {
            if total >= offset && rowids.len() < limit {
                rowids.push(self.rowids[i]);
            }
            total += 1;
        };
        let words: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
        let Some(anchor) = words.iter().max_by_key(|w| w.len()) else {
            if allowed.is_none() {
                let total = self.rowids.len();
                let end = offset.saturating_add(limit).min(total);
                return (total, self.rowids.get(offset..end).map(<[i64]>::to_vec).unwrap_or_default());
            }
            (0..self.rowids.len()).filter(|&i| unit_ok(i)).for_each(&mut take);
            return (total, rowids);
        };
        // Scan for the longest word, then check the others within each record found.
        let others: Vec<memmem::Finder<'_>> =
            words.iter().filter(|w| !std::ptr::eq(**w, *anchor)).map(|w| memmem::Finder::new(w.as_bytes())).collect();
        let bytes = self.text.as_bytes();
        let finder = memmem::Finder::new(anchor.as_bytes());
        let mut from = 0;
        while let Some(found) = finder.find(&bytes[from..]) {
            let at = from + found;
            let i = self.ends.partition_point(|&end| (end as usize) <= at);
            let end = self.ends[i] as usize;
            let start = if i == 0 { 0 } else { self.ends[i - 1] as usize + 1 };
            let record = &bytes[start..end];
            if unit_ok(i) && others.iter().all(|f| f.find(record).is_some()) {
                take(i);
            }
            from = end + 1;
            if from >= bytes.len() {
                break;
            }
        }
        (total, rowids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[(&str, &str)]) -> ListIndex {
        let mut index = ListIndex {
            stamp: 0,
            rowids: Vec::new(),
            units: Vec::new(),
            unit_codes: vec!["03637".into(), "03640".into()],
            text: String::new(),
            ends: Vec::new(),
        };
        for (n, (unit, text)) in texts.iter().enumerate() {
            index.rowids.push(n as i64 + 1);
            index.units.push(if *unit == "03637" { 0 } else { 1 });
            index.text.push_str(text);
            index.ends.push(index.text.len() as u32);
            index.text.push('\n');
        }
        index
    }

    fn words(q: &str) -> Vec<String> {
        crate::text::fold(q).split(' ').map(str::to_string).collect()
    }

    #[test]
    fn every_word_must_be_in_one_record_and_pages_count_from_the_offset() {
        let list = index(&[
            ("03637", "giang pao my | 1970"),
            ("03637", "lo thi on | 1980"),
            ("03640", "giang thi mai | 1990"),
            ("03637", "tua sin chai | 1970"),
        ]);
        assert_eq!(list.page(&words("Giàng"), None, 0, 10), (2, vec![1, 3]));
        assert_eq!(list.page(&words("thi giang"), None, 0, 10), (1, vec![3]));
        // A word must not match across two records.
        assert_eq!(list.page(&words("1970 lo"), None, 0, 10), (0, vec![]));
        assert_eq!(list.page(&words("1970"), None, 1, 10), (2, vec![4]));
        assert_eq!(list.page(&[], None, 1, 2), (4, vec![2, 3]));
        assert_eq!(list.page(&[], None, 9, 2), (4, vec![]));
        let one: HashSet<String> = ["03640".to_string()].into();
        assert_eq!(list.page(&[], Some(&one), 0, 10), (1, vec![3]));
        assert_eq!(list.page(&words("giang"), Some(&one), 0, 10), (1, vec![3]));
    }
}
