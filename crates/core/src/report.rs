//! The figures the level above wants to see (DOMAIN.md, last section), computed for a node's
//! whole scope: its unit and every unit below it whose records it holds.
//!
//! The JSON shape of [`Report`] is a contract: district IT staff script against
//! `sobaucu report --json`. Keys may be added, never renamed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::kinds::Kind;
use crate::store::{Db, NodeInfo, Row};
use crate::text;
use crate::timeline;
use crate::units::{Level, UnitCode};
use crate::validate::age_on;

const LEVELS: [&str; 4] = ["na", "provincial", "district", "commune"];

#[derive(Debug, Serialize)]
pub struct Report {
    pub unit: UnitSummary,
    pub scheme: String,
    pub law: String,
    pub election_date: NaiveDate,
    pub today: NaiveDate,
    pub committees: i64,
    pub boards: BTreeMap<String, i64>,
    pub teams: i64,
    pub electoral_units: BTreeMap<String, UnitsAndSeats>,
    pub polling_areas: i64,
    /// Polling areas of armed units, hospitals and detention centres.
    pub polling_areas_separate: i64,
    /// Voters on the lists (removed ones left out; those voting elsewhere counted).
    pub voters: i64,
    pub voters_removed: i64,
    pub voters_voting_elsewhere: i64,
    pub voters_by_sex: BTreeMap<String, i64>,
    pub voters_by_level: BTreeMap<String, i64>,
    pub candidates: BTreeMap<String, CandidateFigures>,
    pub consultations: BTreeMap<String, ConsultationFigures>,
    pub voter_conferences: BTreeMap<String, ConferenceFigures>,
    pub complaints: ComplaintFigures,
    pub incidents: i64,
    pub propaganda: i64,
    pub supervision: i64,
    pub timeline: Vec<TimelineFigure>,
    /// Per milestone of the law, how many units below are done out of how many.
    pub progress: Vec<ProgressFigure>,
    /// One row per unit directly below the node's (districts of a province, communes of a
    /// district): its figures side by side, the table a province reports from.
    pub units: Vec<UnitFigures>,
    /// Election day: turnout through the day, as the teams reported it.
    pub turnout: Vec<crate::results::TurnoutPoint>,
    /// Election day: per level, the electoral units' results from the teams' minutes.
    pub results: BTreeMap<String, crate::results::LevelResults>,
}

/// One unit below, its figures side by side.
#[derive(Debug, Default, Serialize)]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub level: Option<Level>,
    /// Nothing known of it: never synced, no record here.
    pub no_data: bool,
    pub last_sync_at: Option<String>,
    pub polling_areas: i64,
    pub teams: i64,
    pub voters: i64,
    pub voters_male: i64,
    pub voters_female: i64,
    pub candidates: i64,
    pub complaints_open: i64,
    /// Milestones done out of those due by today, overdue, and the greatest delay in days.
    pub milestones_done: usize,
    pub milestones_due: usize,
    pub overdue: usize,
    pub days_late: i64,
}

/// "2nd consultation: 8/8 districts, 106/106 communes", for one milestone.
#[derive(Debug, Serialize)]
pub struct ProgressFigure {
    pub milestone: String,
    pub due: NaiveDate,
    /// Provinces done out of those the milestone applies to (a national report's).
    pub provinces_done: usize,
    pub provinces_total: usize,
    pub provinces_no_data: usize,
    pub districts_done: usize,
    pub districts_total: usize,
    pub communes_done: usize,
    pub communes_total: usize,
    /// Units below that are overdue or were done late.
    pub late: usize,
    /// Units below nothing is known of (never synced, no record): not counted late.
    pub districts_no_data: usize,
    pub communes_no_data: usize,
    /// The units counted in `late`, with their days, the latest first.
    pub late_units: Vec<LateFigure>,
}

/// A unit overdue (`overdue`) or done late (`done_late`) on a milestone, by how many days.
#[derive(Debug, Serialize)]
pub struct LateFigure {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub status: String,
    pub days_late: i64,
}

#[derive(Debug, Serialize)]
pub struct UnitSummary {
    pub code: String,
    pub name: String,
    pub level: Level,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitsAndSeats {
    pub units: i64,
    pub seats: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CandidateFigures {
    pub total: i64,
    pub self_nominated: i64,
    pub nominated: i64,
    pub women: i64,
    pub ethnic_minority: i64,
    pub under_40: i64,
    pub incumbent: i64,
    pub official: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsultationFigures {
    pub districts_done: i64,
    pub districts_total: i64,
    pub communes_done: i64,
    pub communes_total: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConferenceFigures {
    /// Residential areas (thôn, bản, tổ dân phố) where conferences were held.
    pub areas: i64,
    pub communes: i64,
    pub districts: i64,
    pub conferences: i64,
    pub convened: i64,
    pub present: i64,
    pub confidence_for: i64,
    pub confidence_against: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComplaintFigures {
    pub received: i64,
    pub resolved: i64,
    pub transferred: i64,
    pub open: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineFigure {
    pub milestone: String,
    pub due: NaiveDate,
    pub status: String,
}

fn s<'r>(row: &'r Row, field: &str) -> Option<&'r str> {
    row.fields.get(field).and_then(Value::as_str)
}

fn n(row: &Row, field: &str) -> i64 {
    row.fields.get(field).and_then(Value::as_i64).unwrap_or(0)
}

/// Computes the report of a node's scope on `today`. A national ledger's report is summed
/// from the figures the ledgers below published ([`crate::figures::national`]).
pub fn compute(db: &Db<'_>, node: &NodeInfo, today: NaiveDate) -> Result<Report> {
    if node.unit().level == Level::Country {
        return crate::figures::national(db, node, today);
    }
    compute_own(db, node, today)
}

/// The report of a node's scope from the records it holds.
pub fn compute_own(db: &Db<'_>, node: &NodeInfo, today: NaiveDate) -> Result<Report> {
    let catalogue = node.catalogue();
    let unit = node.unit();
    let units = db.units()?;
    let level_of: HashMap<UnitCode, (Level, Option<UnitCode>)> =
        units.into_iter().map(|(code, level, parent)| (code, (level, parent))).collect();
    let in_scope: Vec<&UnitCode> = level_of.keys().filter(|c| catalogue.is_within(c, &node.unit)).collect();
    let count_level = |level: Level| in_scope.iter().filter(|c| level_of[**c].0 == level).count() as i64;
    let districts_total = count_level(Level::District);
    let communes_total = count_level(Level::Commune);

    let mut report = Report {
        unit: UnitSummary { code: unit.code.to_string(), name: unit.name.clone(), level: unit.level },
        scheme: node.scheme.as_str().to_string(),
        law: node.law.as_str().to_string(),
        election_date: node.election_date,
        today,
        committees: 0,
        boards: LEVELS.iter().map(|l| (l.to_string(), 0)).collect(),
        teams: 0,
        electoral_units: LEVELS.iter().map(|l| (l.to_string(), UnitsAndSeats::default())).collect(),
        polling_areas: 0,
        polling_areas_separate: 0,
        voters: 0,
        voters_removed: 0,
        voters_voting_elsewhere: 0,
        voters_by_sex: [("male".to_string(), 0), ("female".to_string(), 0)].into(),
        voters_by_level: LEVELS.iter().map(|l| (l.to_string(), 0)).collect(),
        candidates: LEVELS.iter().map(|l| (l.to_string(), CandidateFigures::default())).collect(),
        consultations: BTreeMap::new(),
        voter_conferences: BTreeMap::new(),
        complaints: ComplaintFigures::default(),
        incidents: 0,
        propaganda: 0,
        supervision: 0,
        timeline: Vec::new(),
        progress: Vec::new(),
        units: Vec::new(),
        turnout: Vec::new(),
        results: BTreeMap::new(),
    };

    report.committees = db.all_rows(Kind::Committee)?.len() as i64;
    report.teams = db.all_rows(Kind::Team)?.len() as i64;
    for row in db.all_rows(Kind::Board)? {
        if let Some(count) = s(&row, "level").and_then(|l| report.boards.get_mut(l)) {
            *count += 1;
        }
    }
    for row in db.all_rows(Kind::ElectoralUnit)? {
        if let Some(figures) = s(&row, "level").and_then(|l| report.electoral_units.get_mut(l)) {
            figures.units += 1;
            figures.seats += n(&row, "seats");
        }
    }
    for row in db.all_rows(Kind::PollingArea)? {
        report.polling_areas += 1;
        if s(&row, "area_type").is_some_and(|k| k != "ordinary") {
            report.polling_areas_separate += 1;
        }
    }
    voter_figures(db, &mut report)?;

    let mut candidate_level: HashMap<String, String> = HashMap::new();
    for row in db.all_rows(Kind::Candidate)? {
        let Some(level) = s(&row, "level") else { continue };
        candidate_level.insert(row.id.to_string(), level.to_string());
        let Some(f) = report.candidates.get_mut(level) else { continue };
        f.total += 1;
        match s(&row, "nomination") {
            Some("self") => f.self_nominated += 1,
            _ => f.nominated += 1,
        }
        if s(&row, "sex") == Some("female") {
            f.women += 1;
        }
        if s(&row, "ethnicity").is_some_and(|e| text::fold(e) != "kinh") {
            f.ethnic_minority += 1;
        }
        let birth = s(&row, "birth_date").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        if birth.is_some_and(|b| age_on(b, node.election_date) < 40) {
            f.under_40 += 1;
        }
        if row.fields.get("incumbent") == Some(&Value::Bool(true)) {
            f.incumbent += 1;
        }
        if s(&row, "status") == Some("official") {
            f.official += 1;
        }
    }

    let consultations = db.all_rows(Kind::Consultation)?;
    for round in ["1", "2", "3"] {
        let held: BTreeSet<&UnitCode> =
            consultations.iter().filter(|r| s(r, "round") == Some(round)).map(|r| &r.unit).collect();
        let done =
            |level: Level| held.iter().filter(|u| level_of.get(**u).is_some_and(|(l, _)| *l == level)).count() as i64;
        report.consultations.insert(
            format!("round{round}"),
            ConsultationFigures {
                districts_done: done(Level::District),
                districts_total,
                communes_done: done(Level::Commune),
                communes_total,
            },
        );
    }

    let mut areas: BTreeMap<&str, BTreeSet<(UnitCode, String)>> = BTreeMap::new();
    let mut communes: BTreeMap<&str, BTreeSet<UnitCode>> = BTreeMap::new();
    let mut districts: BTreeMap<&str, BTreeSet<UnitCode>> = BTreeMap::new();
    for level in LEVELS {
        report.voter_conferences.insert(level.to_string(), ConferenceFigures::default());
    }
    for row in db.all_rows(Kind::VoterConference)? {
        let Some(level) = s(&row, "candidate").and_then(|c| candidate_level.get(c)) else { continue };
        let Some(level) = LEVELS.iter().find(|l| **l == level.as_str()) else { continue };
        let f = report.voter_conferences.get_mut(*level).expect("every level is listed");
        f.conferences += 1;
        f.convened += n(&row, "convened");
        f.present += n(&row, "present");
        f.confidence_for += n(&row, "confidence_for");
        f.confidence_against += n(&row, "confidence_against");
        let area = text::fold(s(&row, "residential_area").unwrap_or_default());
        areas.entry(level).or_default().insert((row.unit.clone(), area));
        if let Some(commune) = catalogue.ancestor_at(&row.unit, Level::Commune) {
            communes.entry(level).or_default().insert(commune.code.clone());
        }
        if let Some(district) = catalogue.ancestor_at(&row.unit, Level::District) {
            districts.entry(level).or_default().insert(district.code.clone());
        }
    }
    for level in LEVELS {
        let f = report.voter_conferences.get_mut(level).expect("every level is listed");
        f.areas = areas.get(level).map_or(0, |s| s.len() as i64);
        f.communes = communes.get(level).map_or(0, |s| s.len() as i64);
        f.districts = districts.get(level).map_or(0, |s| s.len() as i64);
    }

    for row in db.all_rows(Kind::Complaint)? {
        let c = &mut report.complaints;
        c.received += 1;
        match s(&row, "status") {
            Some("resolved") => c.resolved += 1,
            Some("transferred") => c.transferred += 1,
            Some("not_processed") => {}
            _ => {
                c.open += 1;
                let deadline = s(&row, "deadline").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                if deadline.is_some_and(|d| d < today) {
                    c.overdue += 1;
                }
            }
        }
    }
    report.incidents = db.all_rows(Kind::Incident)?.len() as i64;
    report.propaganda = db.all_rows(Kind::Propaganda)?.len() as i64;
    report.supervision = db.all_rows(Kind::Supervision)?.len() as i64;

    report.timeline = timeline::for_unit(db, node.law, node.election_date, &node.unit, today)?
        .into_iter()
        .map(|e| TimelineFigure { milestone: e.milestone, due: e.due, status: e.standing.status.as_str().to_string() })
        .collect();
    let board = crate::progress::board(db, node, None, today.and_time(chrono::NaiveTime::MIN))?;
    report.progress = board
        .milestones
        .into_iter()
        .filter(|m| !m.counts.is_empty())
        .map(|m| {
            let count = |level: Level| {
                m.counts.iter().find(|c| c.level == level).map_or((0, 0, 0), |c| (c.done, c.total, c.no_data))
            };
            let (districts_done, districts_total, districts_no_data) = count(Level::District);
            let (communes_done, communes_total, communes_no_data) = count(Level::Commune);
            let (provinces_done, provinces_total, provinces_no_data) = count(Level::Province);
            ProgressFigure {
                milestone: m.milestone,
                due: m.due,
                provinces_done,
                provinces_total,
                provinces_no_data,
                districts_done,
                districts_total,
                communes_done,
                communes_total,
                late: m.late.len(),
                districts_no_data,
                communes_no_data,
                late_units: m
                    .late
                    .into_iter()
                    .map(|l| LateFigure {
                        code: l.code,
                        name: l.name,
                        level: l.level,
                        status: l.status.as_str().to_string(),
                        days_late: l.days_late,
                    })
                    .collect(),
            }
        })
        .collect();
    let voters = db.voters_by_area_and_sex()?;
    report.units = unit_figures(db, node, &board.units, board.levels.first().copied(), &voters)?;
    let mut listed: HashMap<String, i64> = HashMap::new();
    for (area, _, n) in &voters {
        *listed.entry(area.clone()).or_default() += n;
    }
    report.turnout = crate::results::turnout_with(db, &listed)?;
    report.results = crate::results::results(db, node)?;
    Ok(report)
}

/// The figures of each unit directly below the node's, from its records and those below it.
fn unit_figures(
    db: &Db<'_>,
    node: &NodeInfo,
    below: &[crate::progress::UnitProgress],
    level: Option<Level>,
    voters: &[(String, Option<String>, i64)],
) -> Result<Vec<UnitFigures>> {
    let Some(level) = level else { return Ok(Vec::new()) };
    let catalogue = node.catalogue();
    let mut rows: Vec<UnitFigures> = below
        .iter()
        .map(|u| UnitFigures {
            code: u.code.clone(),
            name: u.name.clone(),
            level: Some(u.level),
            no_data: u.no_data,
            last_sync_at: u.last_sync_at.clone(),
            milestones_done: u.done,
            milestones_due: u.due,
            overdue: u.overdue,
            days_late: u.days_late,
            ..UnitFigures::default()
        })
        .collect();
    let index: HashMap<String, usize> = rows.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
    let slot = |unit: &UnitCode| -> Option<usize> {
        let at = catalogue.ancestor_at(unit, level)?;
        index.get(at.code.as_str()).copied()
    };
    let areas = db.all_rows(Kind::PollingArea)?;
    let area_unit: HashMap<String, &UnitCode> = areas.iter().map(|a| (a.id.to_string(), &a.unit)).collect();
    for (area, sex, n) in voters {
        let Some(i) = area_unit.get(area).and_then(|u| slot(u)) else { continue };
        rows[i].voters += *n;
        match sex.as_deref() {
            Some("male") => rows[i].voters_male += *n,
            Some("female") => rows[i].voters_female += *n,
            _ => {}
        }
    }
    for row in &areas {
        if let Some(i) = slot(&row.unit) {
            rows[i].polling_areas += 1;
        }
    }
    for row in db.all_rows(Kind::Team)? {
        if let Some(i) = slot(&row.unit) {
            rows[i].teams += 1;
        }
    }
    for row in db.all_rows(Kind::Candidate)? {
        if let Some(i) = slot(&row.unit) {
            rows[i].candidates += 1;
        }
    }
    for row in db.all_rows(Kind::Complaint)? {
        let open = !matches!(s(&row, "status"), Some("resolved" | "transferred" | "not_processed"));
        if let Some(i) = slot(&row.unit).filter(|_| open) {
            rows[i].complaints_open += 1;
        }
    }
    Ok(rows)
}

fn voter_figures(db: &Db<'_>, report: &mut Report) -> Result<()> {
    // Counted from the counts the triggers keep (`voter_counts`): a few rows a polling area.
    for (sex, ballots, status, n) in db.voter_figures()? {
        match status.as_deref() {
            Some("removed") => {
                report.voters_removed += n;
                continue;
            }
            Some("votes_elsewhere") => report.voters_voting_elsewhere += n,
            _ => {}
        }
        report.voters += n;
        if let Some(sex) = sex {
            *report.voters_by_sex.entry(sex).or_default() += n;
        }
        if let Some(ballots) = ballots {
            for level in ballots.split(',') {
                if let Some(count) = report.voters_by_level.get_mut(level) {
                    *count += n;
                }
            }
        }
    }
    Ok(())
}
