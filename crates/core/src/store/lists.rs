//! The lists' in-memory index: for each kind, its live records in list order (Vietnamese
//! alphabetical, [`crate::collate`]) with their units and folded search text, read from the
//! ledger in one pass and kept until the change log grows. A page at any offset of a list of
//! 100,000 voters, its total, and a search without marks over all of them then take a few
//! milliseconds: a search runs one SIMD substring scan over the concatenated texts instead of
//! an `instr` per row in SQLite.
//!
//! It holds nothing the ledger does not: every record write appends to the change log, so the
//! log's last position tells whether an index is still current (checked on every use, which
//! also sees writes made through another connection). When the log has grown, the index is
//! brought up to date from the records written since ([`ListIndex::refresh`]): each is taken
//! out and, if live, put back at its place, found by binary search. A province ledger of
//! millions of voters that received a sync of a few thousand changes so reads a few thousand
//! rows, not millions. It leaves out the lists filtered by a field's value
//! (`ListQuery::filter`), which stay plain SQL, and `Store::list` reads the top of an unsearched
//! list with SQL too until something needs the index, so a list opens at once.

use std::collections::{HashMap, HashSet};

use memchr::memmem;
use rusqlite::{Connection, OptionalExtension, params};

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
    text: Vec<u8>,
    /// Where each record's text ends in `text` (its line feed's position).
    ends: Vec<u32>,
}

/// A refresh reads the whole list again rather than this many records written since, when
/// they are more than one in `REFRESH_SHARE` of the list.
const REFRESH_LEAST: usize = 1_000;
const REFRESH_SHARE: usize = 20;

/// A record written since the index was read, as it stands now.
struct Fresh {
    rowid: i64,
    deleted: bool,
    unit: String,
    search: String,
    /// Its place in list order: `(sort_key, id)`.
    key: (String, String),
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
            text: Vec::new(),
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
            index.text.extend_from_slice(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?.as_bytes());
            index.ends.push(index.text.len() as u32);
            index.text.push(b'\n');
        }
        Ok(index)
    }

    pub(crate) fn stamp(&self) -> i64 {
        self.stamp
    }

    /// The word a search scans for: the one found least often in a sample of the texts spread
    /// over the whole list (which is in order of given names), the longest among equals. The
    /// rarer the word scanned for, the fewer records are checked for the others: "nguyen an"
    /// scans for the given name, not for the family name of nearly two voters in five.
    fn anchor<'w>(&self, words: &[&'w String]) -> Option<&'w String> {
        const CHUNKS: usize = 16;
        const CHUNK: usize = 16 * 1024;
        let step = (self.text.len() / CHUNKS).max(CHUNK);
        let found = |word: &str| -> usize {
            let finder = memmem::Finder::new(word.as_bytes());
            (0..self.text.len())
                .step_by(step)
                .map(|at| finder.find_iter(&self.text[at..(at + CHUNK).min(self.text.len())]).count())
                .sum()
        };
        words.iter().copied().min_by_key(|w| (found(w), std::cmp::Reverse(w.len())))
    }

    /// Brings the index up to the log's last position from the records of its kind written
    /// since its own: each is taken out, and put back at its place in list order if it is live
    /// (a binary search over the rows, by rowid, that it falls between). Returns `false` when
    /// it cannot (the log shrank, as when a restored node sets changes aside) or when so much
    /// changed that reading the whole list again is quicker; the index must then be read anew.
    /// Reads one snapshot of the ledger.
    pub(crate) fn refresh(&mut self, conn: &Connection, kind: Kind) -> Result<bool> {
        // One snapshot, unless the caller's transaction already is one.
        let _snapshot = if conn.is_autocommit() { Some(conn.unchecked_transaction()?) } else { None };
        let stamp = log_stamp(conn)?;
        if stamp < self.stamp {
            return Ok(false);
        }
        let ids: Vec<String> = conn
            .prepare_cached("SELECT DISTINCT record_id FROM changes WHERE idx > ?1 AND kind = ?2")?
            .query_map(params![self.stamp, kind.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ids.len() > REFRESH_LEAST && ids.len() * REFRESH_SHARE > self.rowids.len() {
            return Ok(false);
        }
        let mut row = conn.prepare_cached(&format!(
            "SELECT rowid, deleted, unit, search, sort_key, id FROM {} WHERE id = ?1",
            kind.as_str()
        ))?;
        let mut gone = HashSet::new();
        let mut live = Vec::new();
        for id in &ids {
            let found = row
                .query_row([id], |r| {
                    Ok(Fresh {
                        rowid: r.get(0)?,
                        deleted: r.get::<_, i64>(1)? != 0,
                        unit: r.get(2)?,
                        search: r.get(3)?,
                        key: (r.get(4)?, r.get(5)?),
                    })
                })
                .optional()?;
            if let Some(fresh) = found {
                gone.insert(fresh.rowid);
                if !fresh.deleted {
                    live.push(fresh);
                }
            }
        }
        if !gone.is_empty() {
            self.remove(&gone);
        }
        live.sort_by(|a, b| a.key.cmp(&b.key));
        // Where each goes among the records kept: after every one whose key is smaller.
        let mut key_at =
            conn.prepare_cached(&format!("SELECT sort_key, id FROM {} WHERE rowid = ?1", kind.as_str()))?;
        let mut places = Vec::with_capacity(live.len());
        let mut lo = 0;
        for fresh in &live {
            let mut hi = self.rowids.len();
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let key: Option<(String, String)> =
                    key_at.query_row([self.rowids[mid]], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
                match key {
                    Some(key) if key < fresh.key => lo = mid + 1,
                    Some(_) => hi = mid,
                    // A row the index holds is gone from the table: read it all again.
                    None => return Ok(false),
                }
            }
            places.push(lo);
        }
        self.insert(&live, &places);
        self.stamp = stamp;
        Ok(true)
    }

    /// Takes out the records whose rowid is in `gone`, in place.
    fn remove(&mut self, gone: &HashSet<i64>) {
        let (mut kept, mut at, mut start) = (0, 0, 0);
        for i in 0..self.rowids.len() {
            let end = self.ends[i] as usize;
            let from = start;
            start = end + 1;
            if gone.contains(&self.rowids[i]) {
                continue;
            }
            self.text.copy_within(from..=end, at);
            self.rowids[kept] = self.rowids[i];
            self.units[kept] = self.units[i];
            self.ends[kept] = (at + end - from) as u32;
            at += end - from + 1;
            kept += 1;
        }
        self.rowids.truncate(kept);
        self.units.truncate(kept);
        self.ends.truncate(kept);
        self.text.truncate(at);
    }

    /// Puts `live` (in list order) in, each before the record at its place in `places`, in
    /// place: from the back, every record moves once.
    fn insert(&mut self, live: &[Fresh], places: &[usize]) {
        if live.is_empty() {
            return;
        }
        let mut unit_places: HashMap<&str, u32> = HashMap::new();
        let mut units = Vec::with_capacity(live.len());
        for fresh in live {
            let place = match self.unit_codes.iter().position(|c| *c == fresh.unit) {
                Some(place) => place as u32,
                None => *unit_places.entry(fresh.unit.as_str()).or_insert_with(|| {
                    self.unit_codes.push(fresh.unit.clone());
                    self.unit_codes.len() as u32 - 1
                }),
            };
            units.push(place);
        }
        let (old, added) = (self.rowids.len(), live.len());
        self.text.resize(self.text.len() + live.iter().map(|f| f.search.len() + 1).sum::<usize>(), 0);
        self.rowids.resize(old + added, 0);
        self.units.resize(old + added, 0);
        self.ends.resize(old + added, 0);
        let (mut i, mut j, mut end) = (old, added, self.text.len());
        while j > 0 {
            let slot = i + j - 1;
            if i > 0 && places[j - 1] < i {
                // The kept record i - 1 comes after the new one j - 1: it moves first.
                let from = if i == 1 { 0 } else { self.ends[i - 2] as usize + 1 };
                let len = self.ends[i - 1] as usize - from;
                end -= len + 1;
                self.text.copy_within(from..=from + len, end);
                self.rowids[slot] = self.rowids[i - 1];
                self.units[slot] = self.units[i - 1];
                self.ends[slot] = (end + len) as u32;
                i -= 1;
            } else {
                let fresh = &live[j - 1];
                let len = fresh.search.len();
                end -= len + 1;
                self.text[end..end + len].copy_from_slice(fresh.search.as_bytes());
                self.text[end + len] = b'\n';
                self.rowids[slot] = fresh.rowid;
                self.units[slot] = units[j - 1];
                self.ends[slot] = (end + len) as u32;
                j -= 1;
            }
        }
        // The kept records before the first new one stay where they were.
        debug_assert_eq!(end, if i == 0 { 0 } else { self.ends[i - 1] as usize + 1 });
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
        let Some(anchor) = self.anchor(&words) else {
            if allowed.is_none() {
                let total = self.rowids.len();
                let end = offset.saturating_add(limit).min(total);
                return (total, self.rowids.get(offset..end).map(<[i64]>::to_vec).unwrap_or_default());
            }
            (0..self.rowids.len()).filter(|&i| unit_ok(i)).for_each(&mut take);
            return (total, rowids);
        };
        // Scan for the rarest word, then check the others within each record found.
        let others: Vec<memmem::Finder<'_>> =
            words.iter().filter(|w| !std::ptr::eq(**w, anchor)).map(|w| memmem::Finder::new(w.as_bytes())).collect();
        let bytes = self.text.as_slice();
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
    use crate::store::Put;

    fn index(texts: &[(&str, &str)]) -> ListIndex {
        let mut index = ListIndex {
            stamp: 0,
            rowids: Vec::new(),
            units: Vec::new(),
            unit_codes: vec!["03637".into(), "03640".into()],
            text: Vec::new(),
            ends: Vec::new(),
        };
        for (n, (unit, text)) in texts.iter().enumerate() {
            index.rowids.push(n as i64 + 1);
            index.units.push(if *unit == "03637" { 0 } else { 1 });
            index.text.extend_from_slice(text.as_bytes());
            index.ends.push(index.text.len() as u32);
            index.text.push(b'\n');
        }
        index
    }

    fn words(q: &str) -> Vec<String> {
        crate::text::fold(q).split(' ').map(str::to_string).collect()
    }

    /// The index as entries: rowid, unit and text, in order.
    fn entries(index: &ListIndex) -> Vec<(i64, String, String)> {
        (0..index.rowids.len())
            .map(|i| {
                let from = if i == 0 { 0 } else { index.ends[i - 1] as usize + 1 };
                let text = String::from_utf8(index.text[from..index.ends[i] as usize].to_vec()).unwrap();
                (index.rowids[i], index.unit_codes[index.units[i] as usize].clone(), text)
            })
            .collect()
    }

    #[test]
    fn an_index_brought_up_to_date_equals_one_read_anew() {
        use crate::demo::{Rng, person};
        use crate::store::{InitOptions, Store};
        use serde_json::{Value, json};

        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &crate::vault::test_credentials()).unwrap();
        store
            .init(InitOptions {
                unit: "12".parse().unwrap(),
                scheme: "2025".parse().unwrap(),
                election_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
                law: None,
            })
            .unwrap();
        let communes = ["03637", "03640"];
        let mut areas = Vec::new();
        for (n, commune) in communes.iter().enumerate() {
            let fields = json!({"number": 1, "name": format!("KV {n}"), "area_type": "ordinary"});
            let area = store
                .write(|w| {
                    w.put(
                        Kind::PollingArea,
                        Put::Create(None),
                        Some(commune.parse().unwrap()),
                        fields.as_object().unwrap(),
                    )
                })
                .unwrap();
            areas.push(area.id.to_string());
        }
        let mut rng = Rng::new(7);
        let voter = |rng: &mut Rng| {
            let (name, sex, _) = person(rng);
            let n = rng.below(2) as usize;
            (
                communes[n],
                json!({"full_name": name, "sex": sex, "birth_date": format!("{}", 1950 + rng.below(50)),
                                "polling_area": areas[n], "ballots": "na"}),
            )
        };
        let mut ids = Vec::new();
        let create = |store: &mut Store, rng: &mut Rng, ids: &mut Vec<crate::RecordId>| {
            let (commune, fields) = voter(rng);
            let row = store
                .write(|w| {
                    w.put(Kind::Voter, Put::Create(None), Some(commune.parse().unwrap()), fields.as_object().unwrap())
                })
                .unwrap();
            ids.push(row.id);
        };
        for _ in 0..200 {
            create(&mut store, &mut rng, &mut ids);
        }
        let mut index = ListIndex::read(&store.conn, Kind::Voter, log_stamp(&store.conn).unwrap()).unwrap();
        for round in 0..40 {
            for _ in 0..1 + rng.below(6) {
                match rng.below(5) {
                    0 | 1 => create(&mut store, &mut rng, &mut ids),
                    // A new name moves the voter in the list; a new birth year only changes its text.
                    2 => {
                        let id = ids[rng.below(ids.len() as u64) as usize];
                        let (name, _, _) = person(&mut rng);
                        store.save(Kind::Voter, Some(id), json!({"full_name": name}).as_object().unwrap()).unwrap();
                    }
                    3 => {
                        let id = ids[rng.below(ids.len() as u64) as usize];
                        let year = Value::String(format!("{}", 1950 + rng.below(50)));
                        store
                            .save(Kind::Voter, Some(id), &[("birth_date".to_string(), year)].into_iter().collect())
                            .unwrap();
                    }
                    _ => {
                        let id = ids.swap_remove(rng.below(ids.len() as u64) as usize);
                        store.delete(Kind::Voter, id).unwrap();
                    }
                }
            }
            assert!(index.refresh(&store.conn, Kind::Voter).unwrap(), "round {round}: brought up to date");
            let fresh = ListIndex::read(&store.conn, Kind::Voter, log_stamp(&store.conn).unwrap()).unwrap();
            assert_eq!(index.stamp, fresh.stamp, "round {round}");
            assert_eq!(entries(&index), entries(&fresh), "round {round}");
        }
        // Nothing written since: nothing changes.
        let before = entries(&index);
        assert!(index.refresh(&store.conn, Kind::Voter).unwrap());
        assert_eq!(entries(&index), before);
        // Most of the list written anew: read again instead.
        for _ in 0..REFRESH_LEAST + 1 {
            create(&mut store, &mut rng, &mut ids);
        }
        assert!(!index.refresh(&store.conn, Kind::Voter).unwrap());
    }

    #[test]
    fn a_search_scans_for_its_rarest_word() {
        let mut texts = vec![("03637", "nguyen van binh | 1970"); 300];
        texts.push(("03640", "nguyen thi mai | 1980"));
        let list = index(&texts);
        let (nguyen, mai) = ("nguyen".to_string(), "mai".to_string());
        assert_eq!(list.anchor(&[&nguyen, &mai]), Some(&mai));
        assert_eq!(list.anchor(&[&mai, &nguyen]), Some(&mai));
        assert_eq!(list.page(&words("nguyen mai"), None, 0, 10), (1, vec![301]));
        // Among words found as often, the longest.
        let (van, binh) = ("van".to_string(), "binh".to_string());
        assert_eq!(list.anchor(&[&van, &binh]), Some(&binh));
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
