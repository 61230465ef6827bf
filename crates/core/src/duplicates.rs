//! Voters listed in more than one commune, found after a merge (a district or province ledger
//! holds the lists of every commune below it), and the decisions taken about them.
//!
//! Two rules find a pair:
//!
//! - `id_number`: the same ID number (CCCD or CMND), digits only (spaces and other marks
//!   ignored; an ID made only of zeros counts as none).
//! - `name_birth`: the same full name without marks (đ = d), case and spacing, and compatible
//!   dates of birth. Birth dates may be partial (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): equal dates
//!   match; a less precise date that agrees with a more precise one (`1960` and `1960-03-04`,
//!   or `1960-03` and `1960-03-04`) is a weaker match with a lower score, since old records
//!   often keep only the year; dates that disagree in any known part never match. When both
//!   voters have an ID number this rule does not apply: equal numbers are the first rule's,
//!   different numbers mean different people.
//!
//! The score (0–100) says how sure the match is: the same ID number and name 100, the same ID
//! number with the name spelt otherwise 90 (80 when the birth dates disagree too); the same name
//! and full date of birth 90, month 80, year 70; a partial date against a fuller one 65 (same
//! month) or 60 (same year).
//!
//! Finding is one pass over the voter table that reads only the columns it needs, then blocking:
//! voters are sorted by ID number and by (folded name, birth year), and only voters of one block
//! are compared. Pairs within one commune are left out by default (the import preview flags
//! those), as are voters already removed from their list and pairs already decided.
//!
//! A decision ([`decide`]) is a `duplicate_decision` record; removing a voter from one list is
//! also a `list_change` record on that voter, in the voter's own commune. Both are written
//! through [`Writer::put`], so they sync down to the communes like any other change. This module
//! leaves out any notion of who may decide: the ledger's scope (its unit) already says it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::kinds::Kind;
use crate::store::{Db, Put, Row, Store, Writer};
use crate::text;
use crate::units::UnitCode;

/// The rule that matched a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The same ID number, digits only.
    IdNumber,
    /// The same folded full name and compatible dates of birth.
    NameBirth,
}

impl Rule {
    /// The rule's name in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::IdNumber => "id_number",
            Rule::NameBirth => "name_birth",
        }
    }
}

/// What [`find`] lists.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(default)]
pub struct Options {
    /// Also pairs within one commune (by default only pairs across communes).
    pub include_same_unit: bool,
    /// Also pairs already decided, each with its decision (by default they drop out).
    pub include_decided: bool,
}

/// Two voter records that are probably one person.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub rule: Rule,
    /// 0–100: how sure the match is (see the module's documentation).
    pub score: u8,
    /// The first voter; the pair is ordered by commune, then id.
    pub a: Voter,
    /// The second voter.
    pub b: Voter,
    /// The decision already taken (only with [`Options::include_decided`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionRecord>,
}

/// One side of a pair: what an official needs to tell two records apart. Values are stored
/// values (see `ui/README.md`: birth dates `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, sex `male` or
/// `female`); empty fields are `null`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Voter {
    pub id: String,
    /// The voter's commune: its code, and its name.
    pub unit: String,
    pub unit_name: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub permanent_residence: Option<String>,
    pub temporary_residence: Option<String>,
    /// The polling area's id, and its name.
    pub polling_area: Option<String>,
    pub polling_area_title: Option<String>,
    pub id_number: Option<String>,
    pub list_status: Option<String>,
}

/// A `duplicate_decision` record, as a pair shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DecisionRecord {
    pub id: String,
    /// `keep_both` or `removed`.
    pub decision: Option<String>,
    pub removed_voter: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

/// A birth date whose month or day may be unknown (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Birth {
    year: u16,
    month: u8,
    day: u8,
}

impl Birth {
    /// Reads the stored form (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), or anything
    /// [`crate::validate::PartialDate`] reads.
    fn parse(raw: &str) -> Option<Birth> {
        let b = raw.as_bytes();
        let digits = |s: &[u8]| -> Option<u32> {
            s.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        let quick = match b.len() {
            4 => digits(b).map(|y| (y, 0, 0)),
            7 if b[4] == b'-' => Some((digits(&b[..4])?, digits(&b[5..7])?, 0)),
            10 if b[4] == b'-' && b[7] == b'-' => Some((digits(&b[..4])?, digits(&b[5..7])?, digits(&b[8..10])?)),
            _ => None,
        };
        let (year, month, day) = match quick {
            Some(parts) => parts,
            None => {
                use chrono::Datelike;
                match crate::validate::PartialDate::parse(raw)? {
                    crate::validate::PartialDate::Year(y) => (y as u32, 0, 0),
                    crate::validate::PartialDate::Month(y, m) => (y as u32, m, 0),
                    crate::validate::PartialDate::Day(d) => (d.year() as u32, d.month(), d.day()),
                }
            }
        };
        (year > 0 && year < 10_000 && month <= 12 && day <= 31).then_some(Birth {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// How precise the date is: 1 year, 2 month, 3 day.
    fn precision(self) -> u8 {
        match (self.month, self.day) {
            (0, _) => 1,
            (_, 0) => 2,
            _ => 3,
        }
    }
}

/// The score of a `name_birth` match between two dates of birth, or `None` when they
/// disagree (see the module's documentation).
fn birth_score(x: Birth, y: Birth) -> Option<u8> {
    if x.year != y.year {
        return None;
    }
    if x.month != 0 && y.month != 0 && x.month != y.month {
        return None;
    }
    if x.day != 0 && y.day != 0 && x.day != y.day {
        return None;
    }
    if x == y {
        return Some(match x.precision() {
            3 => 90,
            2 => 80,
            _ => 70,
        });
    }
    Some(if x.precision().min(y.precision()) == 2 { 65 } else { 60 })
}

/// The digits of an ID number as a number with its length (leading zeros count); `None` for no
/// digits, only zeros, or more digits than any ID has.
fn id_key(raw: &str) -> Option<u128> {
    let mut value: u128 = 0;
    let mut len: u128 = 0;
    for c in raw.bytes().filter(u8::is_ascii_digit) {
        if len >= 30 {
            return None;
        }
        value = value * 10 + u128::from(c - b'0');
        len += 1;
    }
    (value != 0).then_some(value * 32 + len)
}

/// One voter, as much as matching needs.
struct Entry {
    id: RecordId,
    /// The unit's rank among the units seen, in the order of their codes.
    unit: u32,
    /// Index into the folded names seen (`u32::MAX`: no name).
    name: u32,
    birth: Option<Birth>,
    has_id_number: bool,
    /// Removed from its list (read only to show decided pairs).
    removed: bool,
}

/// Gives each distinct string a number.
#[derive(Default)]
struct Interner {
    numbers: HashMap<String, u32>,
}

impl Interner {
    fn number(&mut self, s: &str) -> u32 {
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        let n = self.numbers.len() as u32;
        self.numbers.insert(s.to_string(), n);
        n
    }
}

/// An ID number's key ([`id_key`]) and the index of its voter.
type IdNumberKey = (u128, u32);

/// A pair found, before it is shown: indices into the entries, `a` < `b` in list order.
struct Found {
    a: u32,
    b: u32,
    rule: Rule,
    score: u8,
}

/// Reads the voters once: the needed columns of every live voter (with `removed` ones only when
/// decided pairs are wanted).
fn read_entries(db: &Db<'_>, with_removed: bool) -> Result<(Vec<Entry>, Vec<IdNumberKey>)> {
    let mut units = Interner::default();
    let mut folded_names = Interner::default();
    // Raw name → folded name's number: folding is the costly step, and names repeat.
    let mut raw_names: HashMap<String, u32> = HashMap::new();
    let mut entries = Vec::new();
    let mut id_numbers = Vec::new();
    db.scan_voter_keys(with_removed, |r| {
        let id: RecordId = r.id.parse()?;
        let unit = units.number(r.unit);
        let name = match r.full_name {
            None => u32::MAX,
            Some(raw) => match raw_names.get(raw) {
                Some(&n) => n,
                None => {
                    let folded = text::fold(raw);
                    let n = if folded.is_empty() { u32::MAX } else { folded_names.number(&folded) };
                    raw_names.insert(raw.to_string(), n);
                    n
                }
            },
        };
        let birth = r.birth_date.and_then(Birth::parse);
        let id_number = r.id_number.and_then(id_key);
        let removed = r.list_status == Some("removed");
        let index = entries.len() as u32;
        if let Some(key) = id_number {
            id_numbers.push((key, index));
        }
        entries.push(Entry { id, unit, name, birth, has_id_number: id_number.is_some(), removed });
        Ok(())
    })?;
    // Units numbered in the order of their codes, so pairs and their sides sort by commune.
    let mut codes: Vec<(&String, u32)> = units.numbers.iter().map(|(code, &n)| (code, n)).collect();
    codes.sort();
    let mut rank = vec![0u32; codes.len()];
    for (position, (_, n)) in codes.iter().enumerate() {
        rank[*n as usize] = position as u32;
    }
    for entry in &mut entries {
        entry.unit = rank[entry.unit as usize];
    }
    Ok((entries, id_numbers))
}

/// The decisions taken, by unordered pair of voters.
fn read_decisions(db: &Db<'_>) -> Result<HashMap<(RecordId, RecordId), DecisionRecord>> {
    let mut decisions = HashMap::new();
    for row in db.duplicate_decisions()? {
        let (Ok(a), Ok(b)) = (row.voter_a.parse::<RecordId>(), row.voter_b.parse::<RecordId>()) else { continue };
        let record = DecisionRecord {
            id: row.id,
            decision: row.decision,
            removed_voter: row.removed_voter,
            reason: row.reason,
            decided_on: row.decided_on,
        };
        decisions.insert(ordered(a, b), record);
    }
    Ok(decisions)
}

fn ordered(a: RecordId, b: RecordId) -> (RecordId, RecordId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Lists the probable duplicate voters of the ledger, surest first. See the module's
/// documentation for the rules and scores.
pub fn find(db: &Db<'_>, options: &Options) -> Result<Vec<Pair>> {
    let (entries, mut id_numbers) = read_entries(db, options.include_decided)?;
    let decisions = read_decisions(db)?;
    let mut found: Vec<Found> = Vec::new();
    let wanted = |x: &Entry, y: &Entry| options.include_same_unit || x.unit != y.unit;
    let mut push = |x: u32, y: u32, rule: Rule, score: u8| {
        let (ex, ey) = (&entries[x as usize], &entries[y as usize]);
        let (a, b) = if (ex.unit, ex.id) <= (ey.unit, ey.id) { (x, y) } else { (y, x) };
        found.push(Found { a, b, rule, score });
    };

    // Rule 1: the same ID number.
    id_numbers.sort_unstable();
    for block in id_numbers.chunk_by(|x, y| x.0 == y.0).filter(|b| b.len() > 1) {
        for (i, &(_, x)) in block.iter().enumerate() {
            for &(_, y) in &block[i + 1..] {
                let (ex, ey) = (&entries[x as usize], &entries[y as usize]);
                if !wanted(ex, ey) {
                    continue;
                }
                let same_name = ex.name != u32::MAX && ex.name == ey.name;
                let births = match (ex.birth, ey.birth) {
                    (Some(p), Some(q)) => birth_score(p, q).is_some(),
                    _ => true,
                };
                let score = match (same_name, births) {
                    (true, true) => 100,
                    (true, false) => 95,
                    (false, true) => 90,
                    (false, false) => 80,
                };
                push(x, y, Rule::IdNumber, score);
            }
        }
    }
    drop(id_numbers);

    // Rule 2: the same folded name and a compatible date of birth, in blocks of (name, year).
    let mut by_name: Vec<(u32, u16, u32)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.name != u32::MAX)
        .filter_map(|(i, e)| e.birth.map(|b| (e.name, b.year, i as u32)))
        .collect();
    by_name.sort_unstable();
    for block in by_name.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)).filter(|b| b.len() > 1) {
        for (i, &(_, _, x)) in block.iter().enumerate() {
            for &(_, _, y) in &block[i + 1..] {
                let (ex, ey) = (&entries[x as usize], &entries[y as usize]);
                // Both with an ID number: equal ones are rule 1's, different ones are two people.
                if (ex.has_id_number && ey.has_id_number) || !wanted(ex, ey) {
                    continue;
                }
                if let (Some(p), Some(q)) = (ex.birth, ey.birth)
                    && let Some(score) = birth_score(p, q)
                {
                    push(x, y, Rule::NameBirth, score);
                }
            }
        }
    }
    drop(by_name);

    // Decided pairs drop out (or carry their decision); so do removed voters not decided about.
    let mut kept: Vec<(Found, Option<DecisionRecord>)> = Vec::new();
    for pair in found {
        let (ea, eb) = (&entries[pair.a as usize], &entries[pair.b as usize]);
        let decision = decisions.get(&ordered(ea.id, eb.id)).cloned();
        match decision {
            Some(d) if options.include_decided => kept.push((pair, Some(d))),
            Some(_) => {}
            None if ea.removed || eb.removed => {}
            None => kept.push((pair, None)),
        }
    }
    kept.sort_by(|(x, _), (y, _)| {
        let key = |f: &Found| {
            let (a, b) = (&entries[f.a as usize], &entries[f.b as usize]);
            (std::cmp::Reverse(f.score), a.unit, b.unit, a.id, b.id)
        };
        key(x).cmp(&key(y))
    });

    // Only now the shown fields of the voters in pairs, each by its id.
    let unit_names: HashMap<String, String> = db.unit_names()?.into_iter().collect();
    let area_names: HashMap<String, String> = db.polling_area_names()?.into_iter().collect();
    let side = |index: u32| -> Result<Voter> {
        let record = &entries[index as usize].id;
        let id = record.to_string();
        let v = db.voter_side(&id)?.ok_or_else(|| crate::store::not_found(Kind::Voter, record))?;
        Ok(Voter {
            unit_name: unit_names.get(&v.unit).cloned(),
            polling_area_title: v.polling_area.as_ref().and_then(|a| area_names.get(a)).cloned(),
            id,
            unit: v.unit,
            full_name: v.full_name,
            birth_date: v.birth_date,
            sex: v.sex,
            permanent_residence: v.permanent_residence,
            temporary_residence: v.temporary_residence,
            polling_area: v.polling_area,
            id_number: v.id_number,
            list_status: v.list_status,
        })
    };
    let mut pairs = Vec::with_capacity(kept.len());
    for (f, decision) in kept {
        pairs.push(Pair { rule: f.rule, score: f.score, a: side(f.a)?, b: side(f.b)?, decision });
    }
    Ok(pairs)
}

/// What to do about a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// They are two different people: both stay listed.
    KeepBoth,
    /// One person listed twice: this voter (one of the pair) is removed from its list.
    Remove(RecordId),
}

/// A decision about two voters, as [`decide`] takes it.
#[derive(Debug, Clone)]
pub struct DecideRequest {
    pub a: RecordId,
    pub b: RecordId,
    pub decision: Decision,
    /// Why; required to remove a voter.
    pub reason: Option<String>,
    /// The day of the decision (and of the list change).
    pub on: NaiveDate,
}

/// What [`decide`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    /// The `duplicate_decision` record.
    pub decision_id: String,
    /// The `list_change` record that removed a voter, if one was removed.
    pub list_change_id: Option<String>,
}

fn live_voter(w: &Writer<'_>, id: &RecordId) -> Result<Row> {
    w.db().row(Kind::Voter, id)?.filter(|r| !r.deleted).ok_or_else(|| crate::store::not_found(Kind::Voter, id))
}

/// The lowest unit that holds both `a` and `b` (the commune, the district or the province), so
/// the decision reaches both communes; the ledger's own unit when that lowest unit lies outside
/// the ledger's scope.
fn common_unit(w: &Writer<'_>, a: &UnitCode, b: &UnitCode) -> UnitCode {
    let catalogue = w.node().catalogue();
    let mut current = Some(a.clone());
    while let Some(code) = current {
        if catalogue.is_within(b, &code) {
            if catalogue.is_within(&code, &w.node().unit) {
                return code;
            }
            break;
        }
        current = catalogue.unit(&code).and_then(|u| u.parent.clone());
    }
    w.node().unit.clone()
}

/// Records a decision about a pair inside one transaction: a `duplicate_decision` record (in
/// the lowest unit holding both voters), and, to remove a voter, a `list_change` record
/// (`removed`, with the reason and the day) in that voter's own commune, which takes the voter
/// off the list. Both sync like any change. A pair is decided once.
pub fn decide(w: &mut Writer<'_>, request: &DecideRequest) -> Result<Decided> {
    if request.a == request.b {
        return Err(Error::input(
            format!("voter {} cannot be a duplicate of itself", request.a),
            format!("cử tri {} không thể trùng với chính mình", request.a),
        ));
    }
    let a = live_voter(w, &request.a)?;
    let b = live_voter(w, &request.b)?;
    let reason = request.reason.as_deref().map(text::clean).filter(|r| !r.is_empty());
    let (first, second) = ordered(request.a, request.b);
    let already = w.db().decision_between(&first.to_string(), &second.to_string())?;
    if let Some(existing) = already {
        return Err(Error::input(
            format!("voters {first} and {second} were already decided about (record {existing})"),
            format!("cặp cử tri {first} và {second} đã được xử lý (bản ghi {existing})"),
        ));
    }
    let on = Value::String(request.on.format("%Y-%m-%d").to_string());
    let mut list_change_id = None;
    let mut input = Map::new();
    input.insert("voter_a".into(), Value::String(first.to_string()));
    input.insert("voter_b".into(), Value::String(second.to_string()));
    input.insert("decided_on".into(), on.clone());
    if let Some(reason) = &reason {
        input.insert("reason".into(), Value::String(reason.clone()));
    }
    match request.decision {
        Decision::KeepBoth => {
            input.insert("decision".into(), Value::String("keep_both".into()));
        }
        Decision::Remove(removed) => {
            let voter = if removed == a.id {
                &a
            } else if removed == b.id {
                &b
            } else {
                return Err(Error::field(
                    "removed_voter",
                    format!("voter {removed} is not one of the pair {first} and {second}"),
                    format!("cử tri {removed} không thuộc cặp {first} và {second}"),
                ));
            };
            let Some(reason) = &reason else {
                return Err(Error::field(
                    "reason",
                    "is required to remove a voter from a list",
                    "bắt buộc khi xóa tên cử tri khỏi danh sách",
                ));
            };
            if voter.fields.get("list_status").and_then(Value::as_str) == Some("removed") {
                return Err(Error::input(
                    format!("voter {removed} is already removed from the list"),
                    format!("cử tri {removed} đã bị xóa tên khỏi danh sách"),
                ));
            }
            input.insert("decision".into(), Value::String("removed".into()));
            input.insert("removed_voter".into(), Value::String(removed.to_string()));
            let mut change = Map::new();
            change.insert("voter".into(), Value::String(removed.to_string()));
            change.insert("change".into(), Value::String("removed".into()));
            change.insert("changed_on".into(), on);
            change.insert("reason".into(), Value::String(reason.clone()));
            let row = w.put(Kind::ListChange, Put::Create(None), Some(voter.unit.clone()), &change)?;
            list_change_id = Some(row.id.to_string());
        }
    }
    let unit = common_unit(w, &a.unit, &b.unit);
    let row = w.put(Kind::DuplicateDecision, Put::Create(None), Some(unit), &input)?;
    Ok(Decided { decision_id: row.id.to_string(), list_change_id })
}

impl Store {
    /// [`find`] over this ledger.
    pub fn duplicates(&self, options: &Options) -> Result<Vec<Pair>> {
        find(&self.db(), options)
    }

    /// [`decide`] in one transaction: everything it writes lands together, or nothing does.
    pub fn decide_duplicate(&mut self, request: &DecideRequest) -> Result<Decided> {
        self.write(|w| decide(w, request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Birth {
        Birth::parse(s).unwrap()
    }

    #[test]
    fn birth_dates_match_when_every_known_part_agrees() {
        assert_eq!(birth_score(b("1960-03-04"), b("1960-03-04")), Some(90));
        assert_eq!(birth_score(b("1960-03"), b("1960-03")), Some(80));
        assert_eq!(birth_score(b("1960"), b("1960")), Some(70));
        assert_eq!(birth_score(b("1960-03"), b("1960-03-04")), Some(65));
        assert_eq!(birth_score(b("1960"), b("1960-03-04")), Some(60));
        assert_eq!(birth_score(b("1960-03-04"), b("1960-03-05")), None);
        assert_eq!(birth_score(b("1960-03"), b("1960-04-04")), None);
        assert_eq!(birth_score(b("1960"), b("1961")), None);
        assert_eq!(b("04/03/1960"), b("1960-03-04"));
    }

    #[test]
    fn id_numbers_compare_by_their_digits() {
        assert_eq!(id_key("0012 3456 7890"), id_key("001234567890"));
        assert_ne!(id_key("001234567890"), id_key("01234567890"));
        assert_eq!(id_key("000000000"), None);
        assert_eq!(id_key(""), None);
        assert_eq!(id_key("không có"), None);
    }
}
