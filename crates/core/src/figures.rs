//! The figures a ledger publishes of its scope, for the levels above that do not read its
//! records: what `report --json` computes, less the lists of units and people, kept as one
//! record of the ledger's own unit (kind `figures`) in a stream of its own
//! ([`crate::kinds::STREAM_FIGURES`]).
//!
//! A ledger writes it again when it syncs or makes a bundle, if its figures changed, so the
//! record is signed and chained like every change and goes up through every hub. A national
//! ledger (the country, unit `0`) pulls that stream alone, never a voter, and sums it: each
//! province counts by the figures of its own ledger when one published, else by those of the
//! units below it, so no unit is counted twice ([`national`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::kinds::Kind;
use crate::report::{
    CandidateFigures, ComplaintFigures, ConferenceFigures, ConsultationFigures, ProgressFigure, Report, TimelineFigure,
    UnitFigures, UnitSummary, UnitsAndSeats,
};
use crate::store::{Db, NodeInfo};
use crate::units::{Catalogue, Level, UnitCode};
use crate::validate::Fields;

/// The ballot levels every report lists, even at 0.
const LEVELS: [&str; 4] = ["na", "provincial", "district", "commune"];

/// One scope's figures: the sums of its report and, per milestone, how many of its units are
/// done (the scope's own unit among them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Figures {
    pub committees: i64,
    pub boards: BTreeMap<String, i64>,
    pub teams: i64,
    pub electoral_units: BTreeMap<String, UnitsAndSeats>,
    pub polling_areas: i64,
    pub polling_areas_separate: i64,
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
    /// The milestones of the scope's own unit and where it stands on each.
    pub timeline: Vec<TimelineFigure>,
    /// Per milestone, the units of the scope done, by level.
    pub progress: Vec<MilestoneCount>,
}

/// How many units of a scope are done with one milestone, by level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneCount {
    pub milestone: String,
    pub due: Option<NaiveDate>,
    pub provinces_done: usize,
    pub provinces_total: usize,
    pub districts_done: usize,
    pub districts_total: usize,
    pub communes_done: usize,
    pub communes_total: usize,
    /// Units overdue or done late.
    pub late: usize,
    pub districts_no_data: usize,
    pub communes_no_data: usize,
}

impl MilestoneCount {
    fn add(&mut self, o: &MilestoneCount) {
        self.due = self.due.or(o.due);
        self.provinces_done += o.provinces_done;
        self.provinces_total += o.provinces_total;
        self.districts_done += o.districts_done;
        self.districts_total += o.districts_total;
        self.communes_done += o.communes_done;
        self.communes_total += o.communes_total;
        self.late += o.late;
        self.districts_no_data += o.districts_no_data;
        self.communes_no_data += o.communes_no_data;
    }

    /// Counts one unit at `level` standing at `status` on the milestone.
    fn count(&mut self, level: Level, status: &str) {
        let done = matches!(status, "done" | "done_late");
        let (d, t) = match level {
            Level::Province => (&mut self.provinces_done, &mut self.provinces_total),
            Level::District => (&mut self.districts_done, &mut self.districts_total),
            Level::Commune => (&mut self.communes_done, &mut self.communes_total),
            Level::Country => return,
        };
        *t += 1;
        *d += usize::from(done);
        self.late += usize::from(matches!(status, "overdue" | "done_late"));
    }
}

impl UnitsAndSeats {
    fn add(&mut self, o: &Self) {
        self.units += o.units;
        self.seats += o.seats;
    }
}

impl CandidateFigures {
    fn add(&mut self, o: &Self) {
        self.total += o.total;
        self.self_nominated += o.self_nominated;
        self.nominated += o.nominated;
        self.women += o.women;
        self.ethnic_minority += o.ethnic_minority;
        self.under_40 += o.under_40;
        self.incumbent += o.incumbent;
        self.official += o.official;
    }
}

impl ConsultationFigures {
    fn add(&mut self, o: &Self) {
        self.districts_done += o.districts_done;
        self.districts_total += o.districts_total;
        self.communes_done += o.communes_done;
        self.communes_total += o.communes_total;
    }
}

impl ConferenceFigures {
    fn add(&mut self, o: &Self) {
        self.areas += o.areas;
        self.communes += o.communes;
        self.districts += o.districts;
        self.conferences += o.conferences;
        self.convened += o.convened;
        self.present += o.present;
        self.confidence_for += o.confidence_for;
        self.confidence_against += o.confidence_against;
    }
}

impl ComplaintFigures {
    fn add(&mut self, o: &Self) {
        self.received += o.received;
        self.resolved += o.resolved;
        self.transferred += o.transferred;
        self.open += o.open;
        self.overdue += o.overdue;
    }
}

fn add_map<T: Default>(into: &mut BTreeMap<String, T>, from: &BTreeMap<String, T>, add: impl Fn(&mut T, &T)) {
    for (key, value) in from {
        add(into.entry(key.clone()).or_default(), value);
    }
}

impl Figures {
    /// The figures of a report of a unit at `level`.
    pub fn of(report: &Report, level: Level) -> Figures {
        let mut progress: Vec<MilestoneCount> = report
            .progress
            .iter()
            .map(|p| MilestoneCount {
                milestone: p.milestone.clone(),
                due: Some(p.due),
                provinces_done: p.provinces_done,
                provinces_total: p.provinces_total,
                districts_done: p.districts_done,
                districts_total: p.districts_total,
                communes_done: p.communes_done,
                communes_total: p.communes_total,
                late: p.late,
                districts_no_data: p.districts_no_data,
                communes_no_data: p.communes_no_data,
            })
            .collect();
        for own in &report.timeline {
            let i = match progress.iter().position(|p| p.milestone == own.milestone) {
                Some(i) => i,
                None => {
                    progress.push(MilestoneCount {
                        milestone: own.milestone.clone(),
                        due: Some(own.due),
                        ..MilestoneCount::default()
                    });
                    progress.len() - 1
                }
            };
            progress[i].count(level, &own.status);
        }
        Figures {
            committees: report.committees,
            boards: report.boards.clone(),
            teams: report.teams,
            electoral_units: report.electoral_units.clone(),
            polling_areas: report.polling_areas,
            polling_areas_separate: report.polling_areas_separate,
            voters: report.voters,
            voters_removed: report.voters_removed,
            voters_voting_elsewhere: report.voters_voting_elsewhere,
            voters_by_sex: report.voters_by_sex.clone(),
            voters_by_level: report.voters_by_level.clone(),
            candidates: report.candidates.clone(),
            consultations: report.consultations.clone(),
            voter_conferences: report.voter_conferences.clone(),
            complaints: report.complaints.clone(),
            incidents: report.incidents,
            propaganda: report.propaganda,
            supervision: report.supervision,
            timeline: report.timeline.clone(),
            progress,
        }
    }

    /// Adds the figures of a scope disjoint from this one. The timeline, a unit's own, is not
    /// summed.
    pub fn add(&mut self, o: &Figures) {
        self.committees += o.committees;
        add_map(&mut self.boards, &o.boards, |a, b| *a += b);
        self.teams += o.teams;
        add_map(&mut self.electoral_units, &o.electoral_units, UnitsAndSeats::add);
        self.polling_areas += o.polling_areas;
        self.polling_areas_separate += o.polling_areas_separate;
        self.voters += o.voters;
        self.voters_removed += o.voters_removed;
        self.voters_voting_elsewhere += o.voters_voting_elsewhere;
        add_map(&mut self.voters_by_sex, &o.voters_by_sex, |a, b| *a += b);
        add_map(&mut self.voters_by_level, &o.voters_by_level, |a, b| *a += b);
        add_map(&mut self.candidates, &o.candidates, CandidateFigures::add);
        add_map(&mut self.consultations, &o.consultations, ConsultationFigures::add);
        add_map(&mut self.voter_conferences, &o.voter_conferences, ConferenceFigures::add);
        self.complaints.add(&o.complaints);
        self.incidents += o.incidents;
        self.propaganda += o.propaganda;
        self.supervision += o.supervision;
        for p in &o.progress {
            match self.progress.iter_mut().find(|m| m.milestone == p.milestone) {
                Some(m) => m.add(p),
                None => self.progress.push(p.clone()),
            }
        }
    }
}

/// Fills a `figures` record being written with the figures of the node's scope on `today`.
/// `computed_on` moves only when the figures change, so a ledger whose figures stand still
/// writes nothing more.
pub fn fill(db: &Db<'_>, node: &NodeInfo, today: NaiveDate, base: &Fields, fields: &mut Fields) -> Result<()> {
    let report = crate::report::compute_own(db, node, today)?;
    let figures = Figures::of(&report, node.unit().level);
    let text = serde_json::to_string(&figures).expect("figures serialise");
    let max = Kind::Figures.def().field("figures").map_or(0, |f| f.max_chars);
    if text.chars().count() > max {
        return Err(crate::Error::input(
            format!("the figures of unit {} take more than {max} characters", node.unit),
            format!("số liệu của đơn vị {} dài quá {max} ký tự", node.unit),
        ));
    }
    let same = base.get("figures").and_then(Value::as_str) == Some(text.as_str());
    let on = match base.get("computed_on") {
        Some(on) if same => on.clone(),
        _ => Value::String(today.format("%Y-%m-%d").to_string()),
    };
    fields.insert("computed_on", on);
    fields.insert("voters", Value::from(figures.voters));
    fields.insert("polling_areas", Value::from(figures.polling_areas));
    fields.insert("figures", Value::String(text));
    Ok(())
}

/// The most any one count of a published figures record may be: a peer's figures outside it
/// cannot be, and summing every unit's stays far inside an i64.
const MOST: u64 = 1_000_000_000;

/// Whether every number in a published figures record is a count that can be (0..=[`MOST`]).
fn counts_can_be(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_u64().is_some_and(|n| n <= MOST),
        Value::Array(items) => items.iter().all(counts_can_be),
        Value::Object(map) => map.values().all(counts_can_be),
        _ => true,
    }
}

/// The newest figures each unit's ledgers published, by unit. A record whose figures do not
/// read (another program's format), or hold a count that cannot be (negative, or beyond
/// [`MOST`]: a forged record), is passed over.
pub fn published(db: &Db<'_>) -> Result<HashMap<UnitCode, (String, Figures)>> {
    let mut out: HashMap<UnitCode, (String, Figures)> = HashMap::new();
    for row in db.all_rows(Kind::Figures)? {
        let Some(figures) = row
            .fields
            .get("figures")
            .and_then(Value::as_str)
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
            .filter(counts_can_be)
            .and_then(|v| serde_json::from_value::<Figures>(v).ok())
        else {
            continue;
        };
        let on = row.fields.get("computed_on").and_then(Value::as_str).unwrap_or_default();
        let key = format!("{on} {}", row.updated_at);
        if out.get(&row.unit).is_none_or(|(k, _)| *k < key) {
            out.insert(row.unit.clone(), (key, figures));
        }
    }
    Ok(out)
}

/// The figures that cover `unit`: its own ledger's, else the sum of those covering the units
/// directly below it; None when nothing of it was published.
fn cover(catalogue: &Catalogue, unit: &UnitCode, published: &HashMap<UnitCode, (String, Figures)>) -> Option<Figures> {
    if let Some((_, f)) = published.get(unit) {
        return Some(f.clone());
    }
    let mut sum: Option<Figures> = None;
    for child in catalogue.children(Some(unit)) {
        if let Some(f) = cover(catalogue, &child.code, published) {
            sum.get_or_insert_with(Figures::default).add(&f);
        }
    }
    sum
}

/// The national report: the provinces' figures side by side and summed.
pub fn national(db: &Db<'_>, node: &NodeInfo, today: NaiveDate) -> Result<Report> {
    let catalogue = node.catalogue();
    let unit = node.unit();
    let published = published(db)?;
    let syncs = db.last_syncs_by_unit()?;
    let mut total = Figures::default();
    for level in LEVELS {
        total.boards.insert(level.into(), 0);
        total.electoral_units.insert(level.into(), UnitsAndSeats::default());
        total.voters_by_level.insert(level.into(), 0);
        total.candidates.insert(level.into(), CandidateFigures::default());
        total.voter_conferences.insert(level.into(), ConferenceFigures::default());
    }
    total.voters_by_sex.insert("male".into(), 0);
    total.voters_by_sex.insert("female".into(), 0);
    let mut rows = Vec::new();
    let mut no_data = 0;
    for province in catalogue.children(Some(&unit.code)) {
        let covered = cover(catalogue, &province.code, &published);
        let last_sync_at = syncs
            .iter()
            .filter(|(u, _)| u.parse::<UnitCode>().is_ok_and(|u| catalogue.is_within(&u, &province.code)))
            .map(|(_, at)| at.clone())
            .max();
        let mut row = UnitFigures {
            code: province.code.to_string(),
            name: province.name.clone(),
            level: Some(province.level),
            no_data: covered.is_none(),
            last_sync_at,
            ..UnitFigures::default()
        };
        match &covered {
            Some(f) => {
                total.add(f);
                row.polling_areas = f.polling_areas;
                row.teams = f.teams;
                row.voters = f.voters;
                row.voters_male = f.voters_by_sex.get("male").copied().unwrap_or(0);
                row.voters_female = f.voters_by_sex.get("female").copied().unwrap_or(0);
                row.candidates = f.candidates.values().map(|c| c.total).sum();
                row.complaints_open = f.complaints.open;
                let status = |s: &str| f.timeline.iter().filter(|t| t.status == s).count();
                row.milestones_done = status("done") + status("done_late");
                row.milestones_due = row.milestones_done + status("overdue");
                row.overdue = status("overdue");
            }
            None => no_data += 1,
        }
        rows.push(row);
    }
    let progress = total
        .progress
        .iter()
        .map(|m| ProgressFigure {
            milestone: m.milestone.clone(),
            due: m.due.unwrap_or(node.election_date),
            provinces_done: m.provinces_done,
            provinces_total: m.provinces_total,
            provinces_no_data: no_data,
            districts_done: m.districts_done,
            districts_total: m.districts_total,
            communes_done: m.communes_done,
            communes_total: m.communes_total,
            late: m.late,
            districts_no_data: m.districts_no_data,
            communes_no_data: m.communes_no_data,
            late_units: Vec::new(),
        })
        .collect();
    Ok(Report {
        unit: UnitSummary { code: unit.code.to_string(), name: unit.name.clone(), level: unit.level },
        scheme: node.scheme.as_str().to_string(),
        law: node.law.as_str().to_string(),
        election_date: node.election_date,
        today,
        committees: total.committees,
        boards: total.boards,
        teams: total.teams,
        electoral_units: total.electoral_units,
        polling_areas: total.polling_areas,
        polling_areas_separate: total.polling_areas_separate,
        voters: total.voters,
        voters_removed: total.voters_removed,
        voters_voting_elsewhere: total.voters_voting_elsewhere,
        voters_by_sex: total.voters_by_sex,
        voters_by_level: total.voters_by_level,
        candidates: total.candidates,
        consultations: total.consultations,
        voter_conferences: total.voter_conferences,
        complaints: total.complaints,
        incidents: total.incidents,
        propaganda: total.propaganda,
        supervision: total.supervision,
        timeline: Vec::new(),
        progress,
        units: rows,
        turnout: Vec::new(),
        results: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Scheme;
    use serde_json::json;

    fn figures(voters: i64, milestone_done: bool) -> Figures {
        Figures {
            voters,
            progress: vec![MilestoneCount {
                milestone: "lists_posted".into(),
                communes_done: usize::from(milestone_done),
                communes_total: 1,
                ..MilestoneCount::default()
            }],
            ..Figures::default()
        }
    }

    /// A province counts by its own ledger's figures when it published, else by its communes':
    /// never both, so no commune is counted twice.
    #[test]
    fn a_unit_counts_by_its_own_figures_else_by_those_below_it() {
        let catalogue = Catalogue::get(Scheme::Y2025);
        let lai_chau: UnitCode = "12".parse().unwrap();
        let communes: Vec<UnitCode> =
            catalogue.children(Some(&lai_chau)).iter().take(2).map(|u| u.code.clone()).collect();
        let mut published: HashMap<UnitCode, (String, Figures)> = HashMap::new();
        published.insert(communes[0].clone(), (String::new(), figures(100, true)));
        published.insert(communes[1].clone(), (String::new(), figures(50, false)));
        let below = cover(catalogue, &lai_chau, &published).unwrap();
        assert_eq!(below.voters, 150);
        assert_eq!((below.progress[0].communes_done, below.progress[0].communes_total), (1, 2));

        published.insert(lai_chau.clone(), (String::new(), figures(1_000, true)));
        assert_eq!(cover(catalogue, &lai_chau, &published).unwrap().voters, 1_000);
        assert!(cover(catalogue, &"01".parse().unwrap(), &published).is_none(), "Hà Nội published nothing");
    }

    /// A published record whose counts cannot be (negative, or beyond any country) is never
    /// summed: a forged one cannot overflow or poison the national report.
    #[test]
    fn counts_that_cannot_be_are_refused() {
        let good = serde_json::to_value(figures(236, true)).unwrap();
        assert!(counts_can_be(&good));
        for bad in [json!({"voters": i64::MAX}), json!({"voters": -5}), json!({"progress": [{"late": 1e12}]})] {
            assert!(!counts_can_be(&bad), "{bad}");
        }
    }

    /// Sums keep every key of both sides.
    #[test]
    fn figures_add_up_key_by_key() {
        let mut a = figures(10, true);
        a.voters_by_sex.insert("male".into(), 4);
        let mut b = figures(5, true);
        b.voters_by_sex.insert("female".into(), 5);
        b.progress.push(MilestoneCount { milestone: "boards_formed".into(), late: 1, ..MilestoneCount::default() });
        a.add(&b);
        assert_eq!(a.voters, 15);
        assert_eq!(a.voters_by_sex, BTreeMap::from([("female".into(), 5), ("male".into(), 4)]));
        assert_eq!(a.progress.len(), 2);
        assert_eq!(a.progress[0].communes_done, 2);
        assert_eq!(a.progress[1].late, 1);
    }
}
