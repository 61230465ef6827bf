//! The legal timeline of a unit: each milestone of the node's law version, its due date
//! counted from election day, and the unit's status, read off the records that show it done.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::law::{Evidence, LawVersion, Milestone};
use crate::store::Db;
use crate::store::queries::EvidenceQuery;
use crate::units::UnitCode;

/// How far along a milestone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Done on or before its due date.
    Done,
    /// Done, after its due date.
    DoneLate,
    /// Not done, and its due date has passed.
    Overdue,
    /// Not done, due within a week.
    DueSoon,
    /// Not done, due later.
    Upcoming,
    /// A milestone no record of this unit shows (set elsewhere), whose date has passed.
    Passed,
    /// Nothing is known of the unit: it has never synced and the ledger holds no record of it
    /// (a district's or province's board; never judged overdue).
    NoData,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::DoneLate => "done_late",
            Status::Overdue => "overdue",
            Status::DueSoon => "due_soon",
            Status::Upcoming => "upcoming",
            Status::Passed => "passed",
            Status::NoData => "no_data",
        }
    }
    pub fn is_done(self) -> bool {
        matches!(self, Status::Done | Status::DoneLate)
    }
}

/// One milestone for one unit.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub milestone: String,
    pub vi: String,
    pub en: String,
    pub art: String,
    pub due: NaiveDate,
    #[serde(flatten)]
    pub standing: Standing,
    /// A polling area's own milestone when it votes early (Art 71): its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polling_area: Option<String>,
    /// The early-voting decision that moved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub early_voting: Option<String>,
    /// The kind of record that shows it done, and its rule (`all`: a date on every record of
    /// the kind; else a new record): where the window sends an official to complete it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_rule: Option<String>,
}

/// Where a unit stands on one milestone (a timeline entry's status and days; a cell of the
/// progress board).
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_late: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

/// Days before a due date at which a milestone shows as due soon.
pub const DUE_SOON_DAYS: i64 = 7;

/// The timeline of `unit` (its own records) on `today`.
pub fn for_unit(
    db: &Db<'_>,
    law: LawVersion,
    election: NaiveDate,
    unit: &UnitCode,
    today: NaiveDate,
) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for milestone in &law.rules().milestones {
        let proof = match &milestone.evidence {
            // A milestone another level holds (the NA's official list, at the province) is
            // not this unit's work: it stands as a date set elsewhere.
            Some(evidence) if !evidence.held_at(unit.level()) => {
                let mut e = entry(milestone, election, today, None);
                e.standing = elsewhere(milestone, election, today);
                entries.push(e);
                continue;
            }
            Some(evidence) => find_proof(db, evidence, unit, milestone.due(election), today)?,
            None => None,
        };
        entries.push(entry(milestone, election, today, proof));
    }
    entries.extend(early_voting(db, law, Some(unit), today)?.into_iter().map(|(_, entry)| entry));
    Ok(entries)
}

/// A polling area that votes early (Art 71): the committee's decision, the area, its day.
#[derive(Debug, Clone)]
pub struct EarlyArea {
    pub early_voting: String,
    pub unit: String,
    pub polling_area: String,
    pub area_name: String,
    pub votes_on: NaiveDate,
}

/// The milestones done at each polling area (`per_polling_area` in the law's data) of every
/// polling area that votes early, counted back from its own voting day, each done by that
/// area's own records: of `unit`, or of every unit the ledger holds.
pub fn early_voting(
    db: &Db<'_>,
    law: LawVersion,
    unit: Option<&UnitCode>,
    today: NaiveDate,
) -> Result<Vec<(EarlyArea, Entry)>> {
    let mut out = Vec::new();
    for (id, unit, area, area_name, votes_on) in db.early_voting_areas(unit.map(UnitCode::as_str))? {
        let Ok(votes_on) = NaiveDate::parse_from_str(&votes_on, "%Y-%m-%d") else { continue };
        let early = EarlyArea { early_voting: id, unit, polling_area: area, area_name, votes_on };
        for m in law.rules().milestones.iter().filter(|m| m.per_polling_area) {
            let proof = match &m.evidence {
                Some(evidence) => {
                    db.evidence_at_area(&evidence_query(evidence), &early.polling_area)?.and_then(|(id, on)| {
                        NaiveDate::parse_from_str(&on, "%Y-%m-%d").ok().map(|on| Proof {
                            on,
                            record_id: Some(id),
                            kind: evidence.kind.clone(),
                        })
                    })
                }
                None => None,
            };
            let mut e = entry(m, votes_on, today, proof);
            let day = votes_on.format("%d/%m/%Y");
            e.vi = format!("{} — {} (bỏ phiếu sớm ngày {day})", m.vi, early.area_name);
            e.en = format!("{} — {} (votes early on {day})", m.en, early.area_name);
            e.polling_area = Some(early.polling_area.clone());
            e.early_voting = Some(early.early_voting.clone());
            out.push((early.clone(), e));
        }
    }
    Ok(out)
}

/// The record that shows a milestone done: its date, id and kind.
pub(crate) struct Proof {
    on: NaiveDate,
    record_id: Option<String>,
    kind: String,
}

impl Proof {
    /// Done on `on` because every unit below that holds the milestone is (no record of its own).
    pub(crate) fn rolled_up(on: NaiveDate, m: &Milestone) -> Proof {
        Proof { on, record_id: None, kind: m.evidence.as_ref().map(|e| e.kind.clone()).unwrap_or_default() }
    }
}

pub(crate) fn entry(m: &Milestone, election: NaiveDate, today: NaiveDate, proof: Option<Proof>) -> Entry {
    Entry {
        milestone: m.id.clone(),
        vi: m.vi.clone(),
        en: m.en.clone(),
        art: m.art.clone(),
        due: m.due(election),
        standing: standing(m, election, today, proof),
        polling_area: None,
        early_voting: None,
        evidence_kind: m.evidence.as_ref().map(|e| e.kind.clone()),
        evidence_rule: m.evidence.as_ref().map(|e| e.rule.clone()),
    }
}

/// A milestone set or done at another level: passed once its day has come, else to come.
fn elsewhere(m: &Milestone, election: NaiveDate, today: NaiveDate) -> Standing {
    let days_to_due = (m.due(election) - today).num_days();
    Standing {
        status: if days_to_due < 0 { Status::Passed } else { Status::Upcoming },
        done_on: None,
        record_id: None,
        record_kind: None,
        days_late: None,
        days_left: (days_to_due >= 0).then_some(days_to_due),
    }
}

/// Where a unit stands on a milestone on `today`, given the record that shows it done.
pub(crate) fn standing(m: &Milestone, election: NaiveDate, today: NaiveDate, proof: Option<Proof>) -> Standing {
    // A record dated after today shows nothing done yet (a typo, or a plan).
    let proof = proof.filter(|p| p.on <= today);
    let due = m.due(election);
    let mut e = Standing {
        status: Status::Upcoming,
        done_on: None,
        record_id: None,
        record_kind: None,
        days_late: None,
        days_left: None,
    };
    let days_to_due = (due - today).num_days();
    match proof {
        Some(p) => {
            let late = (p.on - due).num_days();
            e.status = if late > 0 { Status::DoneLate } else { Status::Done };
            e.days_late = (late > 0).then_some(late);
            e.done_on = Some(p.on);
            e.record_id = p.record_id;
            e.record_kind = Some(p.kind);
        }
        None if m.evidence.is_none() => {
            e.status = if days_to_due < 0 { Status::Passed } else { Status::Upcoming };
            e.days_left = (days_to_due >= 0).then_some(days_to_due);
        }
        None if days_to_due < 0 => {
            e.status = Status::Overdue;
            e.days_late = Some(-days_to_due);
        }
        None => {
            e.status = if days_to_due <= DUE_SOON_DAYS { Status::DueSoon } else { Status::Upcoming };
            e.days_left = Some(days_to_due);
        }
    }
    e
}

/// Field → the values it may take, from the law data's `where` maps.
fn values_of(map: &std::collections::BTreeMap<String, Value>) -> Vec<(&str, Vec<String>)> {
    map.iter()
        .map(|(field, value)| {
            let values: Vec<String> = match value {
                Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                Value::String(s) => vec![s.clone()],
                other => vec![other.to_string()],
            };
            (field.as_str(), values)
        })
        .collect()
}

/// What an evidence asks of the store: its kind's table, its date field, and the values its
/// `where` allows each field.
fn evidence_query(evidence: &Evidence) -> EvidenceQuery<'_> {
    let conditions = values_of(&evidence.filter);
    let each_conditions = values_of(&evidence.for_each_where);
    let each = match (evidence.rule.as_str(), &evidence.for_each, &evidence.ref_field) {
        ("each", Some(of), Some(field)) => Some((of.as_str(), field.as_str())),
        _ => None,
    };
    EvidenceQuery { table: &evidence.kind, date: &evidence.date_field, conditions, each, each_conditions }
}

/// Under the rules `all` and `each`: the proof of each unit whose records are complete (done on
/// the latest date); `None` for a unit whose records are not (yet) complete.
fn complete_proofs(db: &Db<'_>, evidence: &Evidence, unit: Option<&UnitCode>) -> Result<Vec<(String, Option<Proof>)>> {
    let query = evidence_query(evidence);
    let rows = db.evidence_complete_by_unit(&query, unit.map(UnitCode::as_str))?;
    Ok(rows
        .into_iter()
        .map(|(unit, total, missing, last, id)| {
            let on = last.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
            let proof = match on {
                Some(on) if total > 0 && missing == 0 => Some(Proof { on, record_id: id, kind: evidence.kind.clone() }),
                _ => None,
            };
            (unit, proof)
        })
        .collect())
}

fn completes(evidence: &Evidence) -> bool {
    matches!(evidence.rule.as_str(), "all" | "each")
}

fn find_proof(
    db: &Db<'_>,
    evidence: &Evidence,
    unit: &UnitCode,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<Option<Proof>> {
    let table = &evidence.kind;
    if completes(evidence) {
        return Ok(complete_proofs(db, evidence, Some(unit))?.into_iter().next().and_then(|(_, proof)| proof));
    }
    let query = evidence_query(evidence);
    if evidence.rule == "no_open" {
        let (total, open, last) = db.evidence_open(&query, unit.as_str())?;
        if open > 0 {
            return Ok(None);
        }
        if total == 0 {
            // Nothing was ever open: the milestone is met once its day comes, in a unit that
            // keeps records at all (an empty ledger shows nothing done).
            let kept = db.units_with_records()?.contains(unit.as_str());
            return Ok((kept && today >= due).then_some(Proof { on: due, record_id: None, kind: table.clone() }));
        }
        let on = last.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).unwrap_or(due);
        return Ok(Some(Proof { on, record_id: None, kind: table.clone() }));
    }
    let found = db.evidence_first(&query, unit.as_str())?;
    Ok(found.and_then(|(id, on)| {
        NaiveDate::parse_from_str(&on, "%Y-%m-%d").ok().map(|on| Proof { on, record_id: Some(id), kind: table.clone() })
    }))
}

/// The proof of one milestone in every unit at once, one query for all units (the progress
/// board of a district or province). Units with no record are absent, except under the rule
/// `no_open`, where a unit with nothing ever open is done once the due day comes: those are
/// answered by [`proof_without_records`].
/// A unit mapped to `None` has records, none of which shows the milestone done (an open one).
pub(crate) fn proofs_by_unit(
    db: &Db<'_>,
    evidence: &Evidence,
    due: NaiveDate,
) -> Result<std::collections::HashMap<UnitCode, Option<Proof>>> {
    let table = &evidence.kind;
    let mut out = std::collections::HashMap::new();
    if completes(evidence) {
        for (unit, proof) in complete_proofs(db, evidence, None)? {
            if let Ok(unit) = unit.parse::<UnitCode>() {
                out.insert(unit, proof);
            }
        }
        return Ok(out);
    }
    let query = evidence_query(evidence);
    if evidence.rule == "no_open" {
        for (unit, open, last) in db.evidence_open_by_unit(&query)? {
            let Ok(unit) = unit.parse::<UnitCode>() else { continue };
            if open > 0 {
                out.insert(unit, None);
                continue;
            }
            let on = last.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).unwrap_or(due);
            out.insert(unit, Some(Proof { on, record_id: None, kind: table.clone() }));
        }
        return Ok(out);
    }
    for (unit, id, on) in db.evidence_first_by_unit(&query)? {
        let (Ok(unit), Ok(on)) = (unit.parse::<UnitCode>(), NaiveDate::parse_from_str(&on, "%Y-%m-%d")) else {
            continue;
        };
        out.insert(unit, Some(Proof { on, record_id: Some(id), kind: table.clone() }));
    }
    Ok(out)
}

/// Under the rule `no_open`, the proof of a unit for which [`proofs_by_unit`] found no record
/// open or closed, in a unit that keeps records at all (`kept`): done on the due day once it has
/// come. Other rules: none.
pub(crate) fn proof_without_records(
    evidence: &Evidence,
    due: NaiveDate,
    today: NaiveDate,
    kept: bool,
) -> Option<Proof> {
    (kept && evidence.rule == "no_open" && today >= due).then(|| Proof {
        on: due,
        record_id: None,
        kind: evidence.kind.clone(),
    })
}
