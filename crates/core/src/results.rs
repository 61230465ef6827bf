//! Election day's figures, rolled up: turnout through the day from the teams' reports, and each
//! electoral unit's result from its teams' counting minutes and candidates' votes, by the rules
//! of the law's data (`results` in `assets/law.json`, Art 78–80): the election stands only when
//! more than half of the listed voters voted (else it is held again); a candidate is elected
//! with more than half of the valid ballots, the most votes first when more qualify than there
//! are seats, the older first on a tie; fewer elected than seats calls a supplementary election.
//! Until every polling area of a unit has counted, its result is provisional.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::kinds::Kind;
use crate::store::{Db, NodeInfo, Row};

/// Turnout at one moment of the day: the latest report of each area at or before it.
#[derive(Debug, Serialize)]
pub struct TurnoutPoint {
    pub at: String,
    pub voted: i64,
    pub voters: i64,
    /// Percent of `voters`, one decimal.
    pub rate: f64,
    pub areas_reported: usize,
    pub areas_total: usize,
}

/// One level's results across the ledger's scope.
#[derive(Debug, Default, Serialize)]
pub struct LevelResults {
    pub areas_reported: usize,
    pub areas_total: usize,
    pub voters_listed: i64,
    pub voted: i64,
    /// Percent of the listed voters who voted, one decimal.
    pub turnout: f64,
    pub valid: i64,
    pub invalid: i64,
    pub units: Vec<UnitOutcome>,
}

/// An electoral unit's result.
#[derive(Debug, Serialize)]
pub struct UnitOutcome {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub seats: i64,
    pub areas_reported: usize,
    pub areas_total: usize,
    /// Not every polling area has counted yet.
    pub provisional: bool,
    pub voters_listed: i64,
    pub voted: i64,
    pub valid: i64,
    pub invalid: i64,
    /// More than half of the listed voters voted (Art 78.1).
    pub stands: bool,
    /// `provisional`, `elected` (every seat filled), `supplementary_due` (fewer elected than
    /// seats) or `rerun_due` (too few voted).
    pub outcome: String,
    /// The article behind the outcome.
    pub art: String,
    /// For a supplementary election or a rerun: the last day it may be held.
    pub due: Option<NaiveDate>,
    pub candidates: Vec<CandidateOutcome>,
    /// The board's confirmation of the result (`unit_result`), if it has confirmed.
    pub confirmed_on: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CandidateOutcome {
    pub id: String,
    pub name: String,
    pub votes: i64,
    /// Percent of the unit's valid ballots, one decimal.
    pub share: f64,
    pub elected: bool,
    /// Why: more than half of the valid ballots, and the rule that chose among them.
    pub art: Option<String>,
}

fn s<'r>(row: &'r Row, field: &str) -> Option<&'r str> {
    row.fields.get(field).and_then(Value::as_str)
}

fn n(row: &Row, field: &str) -> i64 {
    row.fields.get(field).and_then(Value::as_i64).unwrap_or(0)
}

fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 }
}

/// Turnout through the day: one point per moment any team reported at.
pub fn turnout(db: &Db<'_>) -> Result<Vec<TurnoutPoint>> {
    let listed: HashMap<String, i64> = db.voters_by_polling_area()?.into_iter().collect();
    turnout_with(db, &listed)
}

/// [`turnout`], with the voters listed per polling area already counted.
pub fn turnout_with(db: &Db<'_>, listed: &HashMap<String, i64>) -> Result<Vec<TurnoutPoint>> {
    let areas = db.all_rows(Kind::PollingArea)?;
    // Voters per area: the list, where there is one; the area's expected number otherwise.
    let voters: i64 =
        areas.iter().map(|a| listed.get(&a.id.to_string()).copied().unwrap_or_else(|| n(a, "voters"))).sum();
    let mut reports: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for r in db.all_rows(Kind::TurnoutReport)? {
        let (Some(area), Some(at)) = (s(&r, "polling_area"), s(&r, "reported_at")) else { continue };
        reports.entry(area.to_string()).or_default().push((at.to_string(), n(&r, "voted")));
    }
    let moments: BTreeSet<String> = reports.values().flatten().map(|(at, _)| at.clone()).collect();
    Ok(moments
        .into_iter()
        .map(|at| {
            let mut voted = 0;
            let mut reported = 0;
            for list in reports.values() {
                if let Some((_, v)) = list.iter().filter(|(t, _)| *t <= at).max_by(|a, b| a.0.cmp(&b.0)) {
                    voted += v;
                    reported += 1;
                }
            }
            TurnoutPoint {
                rate: percent(voted, voters),
                at,
                voted,
                voters,
                areas_reported: reported,
                areas_total: areas.len(),
            }
        })
        .collect())
}

/// Each level's results: its electoral units, from their polling areas' minutes and votes.
pub fn results(db: &Db<'_>, node: &NodeInfo) -> Result<BTreeMap<String, LevelResults>> {
    let rules = &node.law.rules().results;
    let areas = db.all_rows(Kind::PollingArea)?;
    let minutes = db.all_rows(Kind::CountMinutes)?;
    let votes = db.all_rows(Kind::CandidateVotes)?;
    let candidates: HashMap<String, Row> =
        db.all_rows(Kind::Candidate)?.into_iter().map(|c| (c.id.to_string(), c)).collect();
    let confirmed: HashMap<String, String> = db
        .all_rows(Kind::UnitResult)?
        .iter()
        .filter_map(|r| Some((s(r, "electoral_unit")?.to_string(), s(r, "confirmed_on")?.to_string())))
        .collect();
    let by_area_level: HashMap<(String, String), &Row> = minutes
        .iter()
        .filter_map(|m| Some(((s(m, "polling_area")?.to_string(), s(m, "level")?.to_string()), m)))
        .collect();
    let mut out = BTreeMap::new();
    for level in crate::kinds::ballot_levels(node.scheme) {
        let mut lr = LevelResults::default();
        let units: Vec<Row> =
            db.all_rows(Kind::ElectoralUnit)?.into_iter().filter(|u| s(u, "level") == Some(level)).collect();
        let field = format!("electoral_unit_{level}");
        for unit in &units {
            let uid = unit.id.to_string();
            let unit_areas: Vec<&Row> = areas.iter().filter(|a| s(a, &field) == Some(uid.as_str())).collect();
            let counted: Vec<&Row> = unit_areas
                .iter()
                .filter_map(|a| by_area_level.get(&(a.id.to_string(), level.to_string())).copied())
                .collect();
            let area_ids: BTreeSet<String> = unit_areas.iter().map(|a| a.id.to_string()).collect();
            let sum = |f: &str| counted.iter().map(|m| n(m, f)).sum::<i64>();
            let (listed, voted, valid, invalid) = (sum("voters_listed"), sum("voted"), sum("valid"), sum("invalid"));
            let mut tally: BTreeMap<String, i64> = BTreeMap::new();
            for v in votes
                .iter()
                .filter(|v| s(v, "level") == Some(level) && s(v, "polling_area").is_some_and(|a| area_ids.contains(a)))
            {
                if let Some(c) = s(v, "candidate") {
                    *tally.entry(c.to_string()).or_default() += n(v, "votes");
                }
            }
            // Every candidate of the unit, with no votes where none were counted.
            for (id, c) in &candidates {
                if s(c, "electoral_unit") == Some(uid.as_str()) && s(c, "status") != Some("withdrawn") {
                    tally.entry(id.clone()).or_default();
                }
            }
            let seats = n(unit, "seats");
            let provisional = counted.len() < unit_areas.len() || unit_areas.is_empty();
            let stands = rules.stands.met(voted, listed);
            let birth = |id: &str| candidates.get(id).and_then(|c| s(c, "birth_date")).unwrap_or("9999").to_string();
            let mut ranked: Vec<(String, i64)> = tally.into_iter().collect();
            // The most votes first; on a tie the older (the earlier birth date) first.
            ranked
                .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| birth(&a.0).cmp(&birth(&b.0))).then_with(|| a.0.cmp(&b.0)));
            let qualified: Vec<&(String, i64)> = ranked.iter().filter(|(_, v)| rules.wins.met(*v, valid)).collect();
            let elected: BTreeSet<&str> = if stands {
                qualified.iter().take(seats.max(0) as usize).map(|(id, _)| id.as_str()).collect()
            } else {
                BTreeSet::new()
            };
            let tie_at_last = qualified.len() > seats as usize
                && seats > 0
                && qualified[seats as usize - 1].1 == qualified[seats as usize].1;
            let candidates_out: Vec<CandidateOutcome> = ranked
                .iter()
                .map(|(id, v)| {
                    let is_elected = elected.contains(id.as_str());
                    CandidateOutcome {
                        id: id.clone(),
                        name: candidates.get(id).and_then(|c| s(c, "full_name")).unwrap_or_default().to_string(),
                        votes: *v,
                        share: percent(*v, valid),
                        elected: is_elected,
                        art: is_elected.then(|| {
                            if tie_at_last && *v == qualified[seats as usize - 1].1 {
                                rules.tie_older.art.clone()
                            } else if qualified.len() > seats as usize {
                                rules.most_votes.art.clone()
                            } else {
                                rules.wins.art.clone()
                            }
                        }),
                    }
                })
                .collect();
            let (outcome, art, due) = if provisional {
                ("provisional", String::new(), None)
            } else if !stands {
                (
                    "rerun_due",
                    rules.rerun.art.clone(),
                    Some(node.election_date + chrono::Days::new(rules.rerun.within_days as u64)),
                )
            } else if (elected.len() as i64) < seats {
                (
                    "supplementary_due",
                    rules.supplementary.art.clone(),
                    Some(node.election_date + chrono::Days::new(rules.supplementary.within_days as u64)),
                )
            } else {
                ("elected", rules.wins.art.clone(), None)
            };
            lr.areas_total += unit_areas.len();
            lr.areas_reported += counted.len();
            lr.voters_listed += listed;
            lr.voted += voted;
            lr.valid += valid;
            lr.invalid += invalid;
            lr.units.push(UnitOutcome {
                id: uid.clone(),
                name: s(unit, "name").unwrap_or_default().to_string(),
                unit: unit.unit.to_string(),
                seats,
                areas_reported: counted.len(),
                areas_total: unit_areas.len(),
                provisional,
                voters_listed: listed,
                voted,
                valid,
                invalid,
                stands,
                outcome: outcome.to_string(),
                art,
                due,
                candidates: candidates_out,
                confirmed_on: confirmed.get(&uid).cloned(),
            });
        }
        lr.turnout = percent(lr.voted, lr.voters_listed);
        if !lr.units.is_empty() {
            out.insert(level.to_string(), lr);
        }
    }
    Ok(out)
}

/// One polling area on election day: its reports at the day's hours and its minutes per level.
#[derive(Debug, Serialize)]
pub struct AreaDay {
    pub id: String,
    /// The day it votes: election day, or its own earlier day when it votes early (Art 71).
    pub day: NaiveDate,
    pub unit: String,
    pub number: i64,
    pub name: String,
    pub voters: i64,
    /// Hour (`HH:MM`) → the report made at that hour of election day: `{id, voted}`.
    pub reports: BTreeMap<String, Value>,
    /// The latest report of the day, whatever its hour.
    pub latest: Option<i64>,
    /// Level → the minutes: `{id, voted, valid}`.
    pub minutes: BTreeMap<String, Value>,
}

/// A unit below the ledger's on election day: its turnout at each hour, its areas reported.
#[derive(Debug, Serialize)]
pub struct UnitDay {
    pub code: String,
    pub name: String,
    pub voters: i64,
    pub areas_total: usize,
    /// Areas that have reported turnout at all, and areas whose minutes of every level are in.
    pub areas_reporting: usize,
    pub areas_counted: usize,
    /// Per hour of the day: `{hour, voted, rate}` (the latest report of each area by then).
    pub points: Vec<Value>,
}

/// The hours the teams report turnout at: those the nearest election committee set (the
/// ledger's own unit's, then the units' above it, as they synced down), else the law data's.
pub fn turnout_hours(db: &Db<'_>, node: &NodeInfo) -> Result<Vec<String>> {
    let committees = db.all_rows(Kind::Committee)?;
    let mut at = Some(node.unit.clone());
    while let Some(unit) = at {
        if let Some(hours) = committees
            .iter()
            .filter(|c| c.unit == unit)
            .filter_map(|c| s(c, "turnout_hours").and_then(crate::validate::parse_hours))
            .next()
        {
            return Ok(hours);
        }
        at = node.catalogue().unit(&unit).and_then(|u| u.parent.clone());
    }
    Ok(node.law.rules().turnout_hours.hours.clone())
}

/// Election day's screen: the hours, every polling area's reports and minutes, the units below
/// with their turnout through the day, and the results.
pub fn election_day(db: &Db<'_>, node: &NodeInfo) -> Result<Value> {
    let hours = turnout_hours(db, node)?;
    let day = node.election_date.format("%Y-%m-%d").to_string();
    let listed: HashMap<String, i64> = db.voters_by_polling_area()?.into_iter().collect();
    let levels = crate::kinds::ballot_levels(node.scheme);
    // An area that votes early reports on its own day (Art 71).
    let early: HashMap<String, NaiveDate> = db
        .early_voting_areas(None)?
        .into_iter()
        .filter_map(|(_, _, area, _, on)| Some((area, NaiveDate::parse_from_str(&on, "%Y-%m-%d").ok()?)))
        .collect();
    let mut areas: Vec<AreaDay> = db
        .all_rows(Kind::PollingArea)?
        .iter()
        .map(|a| AreaDay {
            id: a.id.to_string(),
            day: early.get(&a.id.to_string()).copied().unwrap_or(node.election_date),
            unit: a.unit.to_string(),
            number: n(a, "number"),
            name: s(a, "name").unwrap_or_default().to_string(),
            voters: listed.get(&a.id.to_string()).copied().unwrap_or_else(|| n(a, "voters")),
            reports: BTreeMap::new(),
            latest: None,
            minutes: BTreeMap::new(),
        })
        .collect();
    areas.sort_by(|a, b| a.unit.cmp(&b.unit).then(a.number.cmp(&b.number)));
    let index: HashMap<String, usize> = areas.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
    // Each area's reports by moment, to read the latest one at each hour.
    let mut by_area: HashMap<usize, Vec<(String, i64)>> = HashMap::new();
    for r in db.all_rows(Kind::TurnoutReport)? {
        let (Some(area), Some(at)) = (s(&r, "polling_area"), s(&r, "reported_at")) else { continue };
        let Some(&i) = index.get(area) else { continue };
        let voted = n(&r, "voted");
        let own_day = areas[i].day.format("%Y-%m-%d").to_string();
        if let Some(hour) = at.strip_prefix(&own_day).map(str::trim)
            && hours.iter().any(|h| h == hour)
        {
            areas[i].reports.insert(hour.to_string(), serde_json::json!({"id": r.id.to_string(), "voted": voted}));
        }
        by_area.entry(i).or_default().push((at.to_string(), voted));
    }
    for (i, list) in &by_area {
        areas[*i].latest = list.iter().max_by(|a, b| a.0.cmp(&b.0)).map(|(_, v)| *v);
    }
    for m in db.all_rows(Kind::CountMinutes)? {
        let (Some(area), Some(level)) = (s(&m, "polling_area"), s(&m, "level")) else { continue };
        if let Some(&i) = index.get(area) {
            areas[i].minutes.insert(
                level.to_string(),
                serde_json::json!({"id": m.id.to_string(), "voted": n(&m, "voted"), "valid": n(&m, "valid")}),
            );
        }
    }
    // On election day's hours, an area that voted early counts with its last report (it has
    // finished); the others with their latest report by that hour.
    let voted_at = |i: usize, hour: &str| -> Option<i64> {
        let moment = format!("{day} {hour}");
        by_area.get(&i)?.iter().filter(|(t, _)| *t <= moment).max_by(|a, b| a.0.cmp(&b.0)).map(|(_, v)| *v)
    };
    let reported_by = |i: usize, hour: &str| -> bool {
        let moment = format!("{day} {hour}");
        by_area.get(&i).is_some_and(|list| list.iter().any(|(t, _)| *t >= moment)) && areas[i].day == node.election_date
    };
    // The units directly below the ledger's, each with its areas.
    let catalogue = node.catalogue();
    let below: Vec<&crate::units::Unit> = catalogue.children(Some(&node.unit));
    let units: Vec<UnitDay> = below
        .iter()
        .map(|u| {
            let mine: Vec<usize> = areas
                .iter()
                .enumerate()
                .filter(|(_, a)| a.unit.parse().is_ok_and(|code| catalogue.is_within(&code, &u.code)))
                .map(|(i, _)| i)
                .collect();
            let voters: i64 = mine.iter().map(|i| areas[*i].voters).sum();
            let points = hours
                .iter()
                .map(|h| {
                    // An hour no area of the unit has reported at (or after) yet is not known.
                    if !mine.iter().any(|i| reported_by(*i, h)) {
                        return serde_json::json!({"hour": h, "voted": null, "rate": null});
                    }
                    let voted: i64 = mine.iter().filter_map(|i| voted_at(*i, h)).sum();
                    serde_json::json!({"hour": h, "voted": voted, "rate": percent(voted, voters)})
                })
                .collect();
            UnitDay {
                code: u.code.to_string(),
                name: u.name.clone(),
                voters,
                areas_total: mine.len(),
                areas_reporting: mine.iter().filter(|i| by_area.contains_key(i)).count(),
                areas_counted: mine
                    .iter()
                    .filter(|i| levels.iter().all(|l| areas[**i].minutes.contains_key(*l)))
                    .count(),
                points,
            }
        })
        .collect();
    let voters: i64 = areas.iter().map(|a| a.voters).sum();
    let overall: Vec<Value> = hours
        .iter()
        .map(|h| {
            if !(0..areas.len()).any(|i| reported_by(i, h)) {
                return serde_json::json!({"hour": h, "voted": null, "rate": null});
            }
            let voted: i64 = (0..areas.len()).filter_map(|i| voted_at(i, h)).sum();
            serde_json::json!({"hour": h, "voted": voted, "rate": percent(voted, voters)})
        })
        .collect();
    Ok(serde_json::json!({
        "election_date": node.election_date,
        "hours": hours,
        "levels": levels,
        "voters": voters,
        "turnout": overall,
        "areas": areas,
        "units": units,
        "results": results(db, node)?,
    }))
}

/// Fills a board's result minutes (`unit_result`) with what the teams' minutes give its unit
/// at this moment: the polling areas counted and the result in words.
pub fn confirm(db: &Db<'_>, node: &NodeInfo, fields: &mut crate::validate::Fields) -> Result<()> {
    let Some(unit) = fields.get("electoral_unit").and_then(Value::as_str).map(str::to_string) else { return Ok(()) };
    let all = results(db, node)?;
    let Some(outcome) = all.values().flat_map(|l| &l.units).find(|u| u.id == unit) else { return Ok(()) };
    let elected: Vec<String> = outcome
        .candidates
        .iter()
        .filter(|c| c.elected)
        .map(|c| format!("{} ({} phiếu, {:.1}%)", c.name, c.votes, c.share))
        .collect();
    let verdict = match outcome.outcome.as_str() {
        "provisional" => "tạm tính, chưa đủ khu vực bỏ phiếu".to_string(),
        "rerun_due" => format!("chưa quá nửa cử tri đi bầu: bầu cử lại (Điều {})", outcome.art),
        "supplementary_due" => format!("chưa đủ số đại biểu: bầu cử thêm (Điều {})", outcome.art),
        _ => format!("bầu đủ {} đại biểu (Điều {})", outcome.seats, outcome.art),
    };
    let summary = format!(
        "{}: {}/{} khu vực bỏ phiếu; {}/{} cử tri đã bỏ phiếu; {} phiếu hợp lệ, {} không hợp lệ; {}{}",
        outcome.name,
        outcome.areas_reported,
        outcome.areas_total,
        outcome.voted,
        outcome.voters_listed,
        outcome.valid,
        outcome.invalid,
        verdict,
        if elected.is_empty() { String::new() } else { format!("; trúng cử: {}", elected.join("; ")) }
    );
    fields.insert("areas_reported", Value::from(outcome.areas_reported as i64));
    fields.insert("summary", Value::String(summary));
    Ok(())
}
