//! The progress board of a district or province node: for each milestone of the legal
//! timeline, how many units below are done out of how many, which are late and by how many
//! days, and when each unit last synced; rooted at the node's unit or at any unit below it
//! (drill-down: province → district → commune → the records themselves).
//!
//! A unit whose level holds a milestone (the law data's `levels`) is judged by its own
//! records, as its timeline is. A unit above those levels is done when every unit below it
//! that holds the milestone is done; it has nothing to be judged on when none below holds it.
//! Everything is computed in one query per milestone, whatever the number of units.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::law::Milestone;
use crate::store::{Db, NodeInfo};
use crate::timeline::{self, Standing, Status};
use crate::units::{Level, UnitCode};

/// The board rooted at one unit.
#[derive(Debug, Serialize)]
pub struct Board {
    pub root: UnitRef,
    /// From the node's unit down to the root (for the drill-down's way back).
    pub trail: Vec<UnitRef>,
    pub today: NaiveDate,
    pub election_date: NaiveDate,
    /// The levels of unit below the root, top down (`district`, `commune`).
    pub levels: Vec<Level>,
    pub milestones: Vec<MilestoneProgress>,
    /// The units directly below the root.
    pub units: Vec<UnitProgress>,
    /// How many of them nothing is known of (`no_data`: never synced, no record here).
    pub no_data: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub level: Level,
}

/// One milestone across the units below the root.
#[derive(Debug, Serialize)]
pub struct MilestoneProgress {
    pub milestone: String,
    pub vi: String,
    pub en: String,
    pub art: String,
    pub due: NaiveDate,
    /// The root's own standing, if the milestone concerns it.
    pub status: Option<Status>,
    /// Per level below the root: done out of total (like "106/106 communes").
    pub counts: Vec<LevelCount>,
    /// Units below the root that are overdue or were done late, the latest first.
    pub late: Vec<LateUnit>,
}

#[derive(Debug, Serialize)]
pub struct LevelCount {
    pub level: Level,
    /// Done on time or late.
    pub done: usize,
    /// Of those done, done after the due date.
    pub done_late: usize,
    /// Not done and past the due date.
    pub overdue: usize,
    /// Nothing known: never synced, and no record of it in the ledger.
    pub no_data: usize,
    pub total: usize,
}

#[derive(Debug, Serialize)]
pub struct LateUnit {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub status: Status,
    pub days_late: i64,
}

/// One unit directly below the root, with its standing on every milestone.
#[derive(Debug, Serialize)]
pub struct UnitProgress {
    pub code: String,
    pub name: String,
    pub level: Level,
    /// Units below this one (0 for a commune).
    pub units_below: usize,
    /// Per milestone of the board, in its order: the unit's standing, or None where nothing
    /// concerns it.
    pub cells: Vec<Option<Cell>>,
    /// Milestones done, out of those that concern the unit and are due by today.
    pub done: usize,
    pub due: usize,
    pub overdue: usize,
    /// The greatest delay among its overdue or late milestones.
    pub days_late: i64,
    /// When the unit's own node or hub last synced with the level above, as its hubs reported.
    pub last_sync_at: Option<String>,
    pub days_since_sync: Option<i64>,
    /// Communes at or below this unit that have never synced.
    pub never_synced: usize,
    /// Nothing is known of the unit or of any unit below it: it never synced and the ledger
    /// holds no record of it ("chưa đồng bộ", never shown as overdue).
    pub no_data: bool,
    /// The longest silence among the communes at or below it that have synced.
    pub oldest_sync_at: Option<String>,
    /// The law's rules violated (errors) and warned about in the unit's records and below
    /// (`crate::check`).
    pub issues: crate::check::Counts,
}

/// A unit's standing on one milestone: the same as a timeline entry's.
pub type Cell = Standing;

struct Tree {
    units: Vec<(UnitCode, Level, String)>,
    index: HashMap<UnitCode, usize>,
    children: Vec<Vec<usize>>,
}

impl Tree {
    fn load(db: &Db<'_>, node: &NodeInfo) -> Result<Tree> {
        let catalogue = node.catalogue();
        let mut units: Vec<(UnitCode, Level, String)> = Vec::new();
        for (code, level, _) in db.units()? {
            if catalogue.is_within(&code, &node.unit) {
                let name = catalogue.unit(&code).map(|u| u.name.clone()).unwrap_or_else(|| code.to_string());
                units.push((code, level, name));
            }
        }
        units.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let index: HashMap<UnitCode, usize> = units.iter().enumerate().map(|(i, u)| (u.0.clone(), i)).collect();
        let mut children = vec![Vec::new(); units.len()];
        for (i, (code, _, _)) in units.iter().enumerate() {
            if let Some(parent) = catalogue.unit(code).and_then(|u| u.parent.as_ref()).and_then(|p| index.get(p)) {
                children[*parent].push(i);
            }
        }
        Ok(Tree { units, index, children })
    }

    fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = self.children[i].clone();
        while let Some(next) = stack.pop() {
            out.push(next);
            stack.extend(self.children[next].iter().copied());
        }
        out
    }

    fn unit_ref(&self, i: usize) -> UnitRef {
        let (code, level, name) = &self.units[i];
        UnitRef { code: code.to_string(), name: name.clone(), level: *level }
    }
}

/// What the ledger knows of each unit: whether it keeps records, whether it ever synced.
struct Known {
    kept: std::collections::HashSet<String>,
    synced: HashMap<String, String>,
}

impl Known {
    /// Nothing is known of a unit below the node's own that never synced and has no record here.
    fn nothing_of(&self, node: &NodeInfo, code: &UnitCode) -> bool {
        *code != node.unit && !self.kept.contains(code.as_str()) && !self.synced.contains_key(code.as_str())
    }
}

/// A cell of a unit nothing is known of.
fn no_data(m: &Milestone, election: NaiveDate, today: NaiveDate) -> Cell {
    let mut cell = timeline::standing(m, election, today, None);
    cell.status = Status::NoData;
    cell.days_late = None;
    cell.days_left = None;
    cell
}

/// The standing of every unit in scope on one milestone (None: nothing concerns the unit).
fn standings(
    db: &Db<'_>,
    node: &NodeInfo,
    tree: &Tree,
    m: &Milestone,
    today: NaiveDate,
    known: &Known,
) -> Result<Vec<Option<Cell>>> {
    let Some(evidence) = &m.evidence else { return Ok(vec![None; tree.units.len()]) };
    let due = m.due(node.election_date);
    let mut proofs = timeline::proofs_by_unit(db, evidence, due)?;
    let mut cells: Vec<Option<Cell>> = vec![None; tree.units.len()];
    // Units are ordered top-down by level; walk bottom-up so children come first.
    for i in (0..tree.units.len()).rev() {
        let (code, level, _) = &tree.units[i];
        cells[i] = if evidence.held_at(*level) {
            if known.nothing_of(node, code) {
                cells[i] = Some(no_data(m, node.election_date, today));
                continue;
            }
            let kept = known.kept.contains(code.as_str());
            let proof = match proofs.remove(code) {
                Some(found) => found,
                None => timeline::proof_without_records(evidence, due, today, kept),
            };
            Some(timeline::standing(m, node.election_date, today, proof))
        } else {
            rollup(tree.children[i].iter().filter_map(|c| cells[*c].as_ref()), m, node.election_date, today)
        };
    }
    Ok(cells)
}

/// A unit that does not hold a milestone is done when all the units below it that concern it
/// are, on the day the last of them was; it stands as the timeline says for that day.
fn rollup<'a>(
    children: impl Iterator<Item = &'a Cell>,
    m: &Milestone,
    election: NaiveDate,
    today: NaiveDate,
) -> Option<Cell> {
    let mut any = false;
    let mut known = false;
    let mut last_done: Option<Option<NaiveDate>> = Some(None);
    for c in children {
        any = true;
        known |= c.status != Status::NoData;
        last_done = match (last_done, c.status.is_done()) {
            (Some(last), true) => Some(last.max(c.done_on)),
            _ => None,
        };
    }
    if any && !known {
        return Some(no_data(m, election, today));
    }
    let proof = last_done.flatten().map(|on| timeline::Proof::rolled_up(on, m));
    any.then(|| timeline::standing(m, election, today, proof))
}

/// When each unit's nodes last synced, as the hubs above reported it (the newest per unit).
fn last_syncs(db: &Db<'_>) -> Result<HashMap<String, String>> {
    Ok(db.last_syncs_by_unit()?.into_iter().collect())
}

/// A hub's RFC 3339 time as local time, to compare with the node's "now" (local).
fn parse_time(s: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Local).naive_local())
}

/// The board rooted at `root` (the node's unit when None), on `now`.
pub fn board(db: &Db<'_>, node: &NodeInfo, root: Option<&UnitCode>, now: NaiveDateTime) -> Result<Board> {
    let today = now.date();
    let tree = Tree::load(db, node)?;
    let root_code = root.unwrap_or(&node.unit);
    let Some(&root_i) = tree.index.get(root_code) else {
        return Err(Error::scope(
            format!("unit {root_code} is not within this ledger's unit {}", node.unit),
            format!("đơn vị {root_code} không thuộc đơn vị {} của sổ này", node.unit),
        ));
    };
    let milestones = &node.law.rules().milestones;
    let issues = crate::check::counts_by_unit(&crate::check::run(db, node, today)?, node.catalogue());
    let known = Known { kept: db.units_with_records()?, synced: last_syncs(db)? };
    let standings: Vec<Vec<Option<Cell>>> =
        milestones.iter().map(|m| standings(db, node, &tree, m, today, &known)).collect::<Result<_>>()?;

    let below = tree.descendants(root_i);
    let mut levels: Vec<Level> = below.iter().map(|i| tree.units[*i].1).collect();
    levels.sort();
    levels.dedup();

    let mut board_milestones = Vec::new();
    for (mi, m) in milestones.iter().enumerate() {
        let cells = &standings[mi];
        let counts = levels
            .iter()
            .filter_map(|level| {
                let mut count = LevelCount { level: *level, done: 0, done_late: 0, overdue: 0, no_data: 0, total: 0 };
                for i in below.iter().filter(|i| tree.units[**i].1 == *level) {
                    let Some(cell) = &cells[*i] else { continue };
                    count.total += 1;
                    match cell.status {
                        Status::Done => count.done += 1,
                        Status::DoneLate => {
                            count.done += 1;
                            count.done_late += 1;
                        }
                        Status::Overdue => count.overdue += 1,
                        Status::NoData => count.no_data += 1,
                        _ => {}
                    }
                }
                (count.total > 0).then_some(count)
            })
            .collect();
        let mut late: Vec<LateUnit> = below
            .iter()
            .filter_map(|i| {
                let cell = cells[*i].as_ref()?;
                let days_late = cell.days_late.filter(|_| matches!(cell.status, Status::Overdue | Status::DoneLate))?;
                let r = tree.unit_ref(*i);
                Some(LateUnit { code: r.code, name: r.name, level: r.level, status: cell.status, days_late })
            })
            .collect();
        late.sort_by(|a, b| b.days_late.cmp(&a.days_late).then_with(|| a.code.cmp(&b.code)));
        board_milestones.push(MilestoneProgress {
            milestone: m.id.clone(),
            vi: m.vi.clone(),
            en: m.en.clone(),
            art: m.art.clone(),
            due: m.due(node.election_date),
            status: match (&m.evidence, &cells[root_i]) {
                (Some(_), cell) => cell.as_ref().map(|c| c.status),
                (None, _) => Some(timeline::standing(m, node.election_date, today, None).status),
            },
            counts,
            late,
        });
    }

    let syncs = &known.synced;
    let since = |at: &Option<String>| at.as_deref().and_then(parse_time).map(|t| (now - t).num_days().max(0));
    let units: Vec<UnitProgress> = tree.children[root_i]
        .iter()
        .map(|&i| {
            let r = tree.unit_ref(i);
            let cells: Vec<Option<Cell>> = standings.iter().map(|s| s[i].clone()).collect();
            let mut u = UnitProgress {
                units_below: tree.descendants(i).len(),
                done: 0,
                due: 0,
                overdue: 0,
                days_late: 0,
                last_sync_at: syncs.get(&r.code).cloned(),
                days_since_sync: None,
                never_synced: 0,
                no_data: false,
                oldest_sync_at: None,
                issues: issues.get(&r.code).copied().unwrap_or_default(),
                code: r.code,
                name: r.name,
                level: r.level,
                cells: Vec::new(),
            };
            u.days_since_sync = since(&u.last_sync_at);
            for (cell, m) in cells.iter().zip(milestones) {
                let Some(cell) = cell.as_ref().filter(|c| c.status != Status::NoData) else { continue };
                if m.due(node.election_date) <= today || cell.status.is_done() {
                    u.due += 1;
                }
                if cell.status.is_done() {
                    u.done += 1;
                }
                if cell.status == Status::Overdue {
                    u.overdue += 1;
                }
                if matches!(cell.status, Status::Overdue | Status::DoneLate) {
                    u.days_late = u.days_late.max(cell.days_late.unwrap_or(0));
                }
            }
            let mut communes = tree.descendants(i);
            communes.push(i);
            u.no_data = communes.iter().all(|c| known.nothing_of(node, &tree.units[*c].0));
            for c in communes.into_iter().filter(|c| tree.units[*c].1 == Level::Commune) {
                match syncs.get(tree.units[c].0.as_str()) {
                    None => u.never_synced += 1,
                    Some(at) => {
                        if u.oldest_sync_at.as_ref().is_none_or(|o| at < o) {
                            u.oldest_sync_at = Some(at.clone());
                        }
                    }
                }
            }
            u.cells = cells;
            u
        })
        .collect();

    let mut trail = Vec::new();
    let mut at = Some(root_i);
    while let Some(i) = at {
        trail.push(tree.unit_ref(i));
        at = (tree.units[i].0 != node.unit)
            .then(|| node.catalogue().unit(&tree.units[i].0).and_then(|u| u.parent.as_ref()))
            .flatten()
            .and_then(|p| tree.index.get(p).copied());
    }
    trail.reverse();

    Ok(Board {
        root: tree.unit_ref(root_i),
        trail,
        today,
        election_date: node.election_date,
        levels,
        milestones: board_milestones,
        no_data: units.iter().filter(|u| u.no_data).count(),
        units,
    })
}
