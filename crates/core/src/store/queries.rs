//! The read queries of the report, the timeline, the progress board and the duplicate finder,
//! so every SQL statement of the ledger lives in `store/`. Each answers plain values; the
//! modules that call them hold the rules.

use rusqlite::OptionalExtension;
use rusqlite::types::Value as SqlValue;

use crate::error::Result;
use crate::store::Db;

/// How complete one unit's records of a milestone are (rules `all` and `each`): the unit, how
/// many records the milestone needs, how many lack their date, the latest date and the record
/// that carries it.
pub type Completeness = (String, i64, i64, Option<String>, Option<String>);

/// One group of the voter figures: sex, ballots, standing on the list, and how many.
pub type VoterFigure = (Option<String>, Option<String>, Option<String>, i64);

/// What an evidence of the timeline asks for: a record kind (its table), the date that shows
/// a milestone done, and a condition on other fields (from `assets/law.json`).
pub struct EvidenceQuery<'a> {
    pub table: &'a str,
    pub date: &'a str,
    /// Fields and the values each may take.
    pub conditions: Vec<(&'a str, Vec<String>)>,
    /// Rule `each`: the kind (table) every record of which needs one of `table`, and the field
    /// of `table` that names it.
    pub each: Option<(&'a str, &'a str)>,
    /// Rule `each`: which records of that kind need one (fields and the values each may take).
    pub each_conditions: Vec<(&'a str, Vec<String>)>,
}

impl EvidenceQuery<'_> {
    /// ` AND field IN (?n, ...)` for each condition, numbered after `first - 1` arguments, and
    /// the arguments.
    fn filter(&self, first: usize) -> (String, Vec<SqlValue>) {
        in_conditions(&self.conditions, "", first)
    }

    /// The conditions on the records of rule `each`'s kind (`o`), numbered from `first`.
    fn each_filter(&self, first: usize) -> (String, Vec<SqlValue>) {
        in_conditions(&self.each_conditions, "o.", first)
    }
}

/// ` AND {prefix}field IN (?n, ...)` for each condition, its arguments numbered from `first`.
fn in_conditions(conditions: &[(&str, Vec<String>)], prefix: &str, first: usize) -> (String, Vec<SqlValue>) {
    let mut sql = String::new();
    let mut args = Vec::new();
    for (field, values) in conditions {
        let marks: Vec<String> = values
            .iter()
            .map(|v| {
                args.push(SqlValue::Text(v.clone()));
                format!("?{}", first + args.len() - 1)
            })
            .collect();
        sql.push_str(&format!(" AND {prefix}{field} IN ({})", marks.join(", ")));
    }
    (sql, args)
}

/// An early-voting decision: its id, unit, polling area's id and name, and voting day.
pub type EarlyVotingRow = (String, String, String, String, String);

/// The statuses of a complaint that count as closed.
const CLOSED: &str = "('resolved', 'transferred', 'not_processed')";

/// The columns of a voter the duplicate finder reads, borrowed from the row.
pub struct VoterKeys<'r> {
    pub id: &'r str,
    pub unit: &'r str,
    pub full_name: Option<&'r str>,
    pub birth_date: Option<&'r str>,
    pub id_number: Option<&'r str>,
    pub list_status: Option<&'r str>,
}

/// A decision about two voters, as stored.
pub struct DecisionRow {
    pub id: String,
    pub voter_a: String,
    pub voter_b: String,
    pub decision: Option<String>,
    pub removed_voter: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

/// The fields of a voter shown beside a probable duplicate.
pub struct VoterSide {
    pub unit: String,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub permanent_residence: Option<String>,
    pub temporary_residence: Option<String>,
    pub polling_area: Option<String>,
    pub id_number: Option<String>,
    pub list_status: Option<String>,
}

fn text<'r>(r: &'r rusqlite::Row<'_>, index: usize) -> Result<Option<&'r str>> {
    Ok(r.get_ref(index)?.as_str().ok())
}

impl Db<'_> {
    /// The voter figures of the report, from the counts the triggers keep (`voter_counts`).
    pub fn voter_figures(&self) -> Result<Vec<VoterFigure>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT nullif(sex, ''), nullif(ballots, ''), nullif(list_status, ''), sum(n) FROM voter_counts
             GROUP BY list_status, sex, ballots",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Voters on the lists (removed ones left out) per polling area and sex, from the counts
    /// the triggers keep (`voter_counts`).
    pub fn voters_by_area_and_sex(&self) -> Result<Vec<(String, Option<String>, i64)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT polling_area, nullif(sex, ''), sum(n) FROM voter_counts
             WHERE polling_area <> '' AND list_status <> 'removed'
             GROUP BY polling_area, sex",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Voters on the lists per polling area.
    pub fn voters_by_polling_area(&self) -> Result<Vec<(String, i64)>> {
        let mut totals: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
        for (area, _, n) in self.voters_by_area_and_sex()? {
            *totals.entry(area).or_default() += n;
        }
        Ok(totals.into_iter().collect())
    }

    /// The units of which the ledger holds a live record of any kind (voters are counted
    /// through their polling areas, which every voter names: the big table is not scanned;
    /// published figures are not records of the unit's work).
    pub fn units_with_records(&self) -> Result<std::collections::HashSet<String>> {
        let selects: Vec<String> = crate::kinds::Kind::ALL
            .iter()
            // The figures a unit's ledger publishes say nothing of its records here.
            .filter(|k| !matches!(**k, crate::kinds::Kind::Voter | crate::kinds::Kind::Figures))
            .map(|k| format!("SELECT unit FROM {} WHERE deleted = 0", k.as_str()))
            .collect();
        let mut stmt = self.0.prepare_cached(&selects.join(" UNION "))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When each unit's nodes last synced (the newest per unit), as the hubs reported.
    pub fn last_syncs_by_unit(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.0.prepare_cached("SELECT unit, max(last_sync_at) FROM presence GROUP BY unit")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Of a unit's records of an evidence: how many, how many still open, the latest date.
    pub fn evidence_open(&self, q: &EvidenceQuery<'_>, unit: &str) -> Result<(i64, i64, Option<String>)> {
        let (filter, mut args) = q.filter(2);
        args.insert(0, SqlValue::Text(unit.to_string()));
        let sql = format!(
            "SELECT count(*), coalesce(sum(status NOT IN {CLOSED}), 0), max({date})
             FROM {table} WHERE deleted = 0 AND unit = ?1{filter}",
            date = q.date,
            table = q.table,
        );
        Ok(self.0.query_row(&sql, rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
    }

    /// A unit's earliest record of an evidence: its id and date.
    pub fn evidence_first(&self, q: &EvidenceQuery<'_>, unit: &str) -> Result<Option<(String, String)>> {
        let (filter, mut args) = q.filter(2);
        args.insert(0, SqlValue::Text(unit.to_string()));
        let sql = format!(
            "SELECT id, {date} FROM {table} WHERE deleted = 0 AND unit = ?1 AND {date} IS NOT NULL{filter}
             ORDER BY {date}, id LIMIT 1",
            date = q.date,
            table = q.table,
        );
        Ok(self.0.query_row(&sql, rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    /// The earliest record of an evidence at one polling area: the area itself when the
    /// evidence is a date of the polling area, else the records of the evidence naming it
    /// (rule `each` over polling areas). `None` when the evidence is neither.
    pub fn evidence_at_area(&self, q: &EvidenceQuery<'_>, area: &str) -> Result<Option<(String, String)>> {
        let column = match q.each {
            _ if q.table == "polling_area" => "id",
            Some(("polling_area", field)) => field,
            _ => return Ok(None),
        };
        let (filter, mut args) = q.filter(2);
        args.insert(0, SqlValue::Text(area.to_string()));
        let sql = format!(
            "SELECT id, {date} FROM {table} WHERE deleted = 0 AND {column} = ?1 AND {date} IS NOT NULL{filter}
             ORDER BY {date}, id LIMIT 1",
            date = q.date,
            table = q.table,
        );
        Ok(self.0.query_row(&sql, rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    /// The polling areas that vote early (Art 71), of `unit` or of every unit: the decision's
    /// id, its unit, the polling area's id and name, and the day it votes.
    pub fn early_voting_areas(&self, unit: Option<&str>) -> Result<Vec<EarlyVotingRow>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT e.id, e.unit, e.polling_area, coalesce(p.name, ''), e.voting_on
             FROM early_voting e LEFT JOIN polling_area p ON p.id = e.polling_area
             WHERE e.deleted = 0 AND e.voting_on IS NOT NULL AND e.polling_area IS NOT NULL
               AND (?1 IS NULL OR e.unit = ?1)
             ORDER BY e.voting_on, p.number, e.id",
        )?;
        let rows = stmt.query_map([unit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For every unit: how many of its records of an evidence are open, and the latest date.
    pub fn evidence_open_by_unit(&self, q: &EvidenceQuery<'_>) -> Result<Vec<(String, i64, Option<String>)>> {
        let (filter, args) = q.filter(1);
        let sql = format!(
            "SELECT unit, coalesce(sum(status NOT IN {CLOSED}), 0), max({date})
             FROM {table} WHERE deleted = 0{filter} GROUP BY unit",
            date = q.date,
            table = q.table,
        );
        let mut stmt = self.0.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For every unit: its earliest record of an evidence (unit, id, date). SQLite returns the
    /// other columns of the row holding min() (a documented guarantee).
    pub fn evidence_first_by_unit(&self, q: &EvidenceQuery<'_>) -> Result<Vec<(String, String, String)>> {
        let (filter, args) = q.filter(1);
        let sql = format!(
            "SELECT unit, id, min({date}) FROM {table} WHERE deleted = 0 AND {date} IS NOT NULL{filter} GROUP BY unit",
            date = q.date,
            table = q.table,
        );
        let mut stmt = self.0.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For every unit (or only `unit`), under the rules `all` and `each`: how many records the
    /// milestone needs, how many of them lack their date, the latest date and the record that
    /// carries it. `all`: every live record of the table has a date. `each`: every live record
    /// of the `each` kind has a live record of the table naming it, with a date (the earliest).
    pub fn evidence_complete_by_unit(&self, q: &EvidenceQuery<'_>, unit: Option<&str>) -> Result<Vec<Completeness>> {
        let (filter, mut args) = q.filter(1);
        let (sql, unit_column) = match q.each {
            None => (
                format!(
                    "SELECT unit, count(*), sum({date} IS NULL), id, max({date}) FROM {table}
                     WHERE deleted = 0{filter}",
                    date = q.date,
                    table = q.table,
                ),
                "unit",
            ),
            Some((of, field)) => {
                let (each_filter, each_args) = q.each_filter(args.len() + 1);
                args.extend(each_args);
                (
                    format!(
                        "SELECT o.unit, count(*), sum(x.first IS NULL), x.id, max(x.first)
                         FROM {of} o LEFT JOIN (
                             SELECT {field} AS ref, id, min({date}) AS first FROM {table}
                             WHERE deleted = 0 AND {date} IS NOT NULL{filter} GROUP BY {field}
                         ) x ON x.ref = o.id
                         WHERE o.deleted = 0{each_filter}",
                        date = q.date,
                        table = q.table,
                    ),
                    "o.unit",
                )
            }
        };
        let sql = match unit {
            Some(unit) => {
                args.push(SqlValue::Text(unit.to_string()));
                format!("{sql} AND {unit_column} = ?{} GROUP BY {unit_column}", args.len())
            }
            None => format!("{sql} GROUP BY {unit_column}"),
        };
        let mut stmt = self.0.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<i64>>(2)?.unwrap_or(0), r.get(4)?, r.get(3)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every live voter's keys for the duplicate finder (those removed from the list too when
    /// `with_removed`), in one pass over the table, each row borrowed while `each` reads it.
    pub fn scan_voter_keys(&self, with_removed: bool, mut each: impl FnMut(VoterKeys<'_>) -> Result<()>) -> Result<()> {
        // `+deleted` keeps SQLite from walking the ordered index: one pass over the table.
        let sql = if with_removed {
            "SELECT id, unit, full_name, birth_date, id_number, list_status FROM voter WHERE +deleted = 0"
        } else {
            "SELECT id, unit, full_name, birth_date, id_number, list_status FROM voter \
             WHERE +deleted = 0 AND (list_status IS NULL OR list_status <> 'removed')"
        };
        let mut stmt = self.0.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            each(VoterKeys {
                id: text(r, 0)?.unwrap_or_default(),
                unit: text(r, 1)?.unwrap_or_default(),
                full_name: text(r, 2)?,
                birth_date: text(r, 3)?,
                id_number: text(r, 4)?,
                list_status: text(r, 5)?,
            })?;
        }
        Ok(())
    }

    /// The live decisions about pairs of voters.
    pub fn duplicate_decisions(&self) -> Result<Vec<DecisionRow>> {
        let mut stmt = self.0.prepare(
            "SELECT id, voter_a, voter_b, decision, removed_voter, reason, decided_on \
             FROM duplicate_decision WHERE deleted = 0 AND voter_a IS NOT NULL AND voter_b IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DecisionRow {
                id: r.get(0)?,
                voter_a: r.get(1)?,
                voter_b: r.get(2)?,
                decision: r.get(3)?,
                removed_voter: r.get(4)?,
                reason: r.get(5)?,
                decided_on: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The id of a live decision about two voters, in either order.
    pub fn decision_between(&self, a: &str, b: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM duplicate_decision WHERE deleted = 0 AND \
                 ((voter_a = ?1 AND voter_b = ?2) OR (voter_a = ?2 AND voter_b = ?1))",
                [a, b],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every unit's name by code.
    pub fn unit_names(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.0.prepare_cached("SELECT code, name FROM units")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every polling area's name by id.
    pub fn polling_area_names(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.0.prepare_cached("SELECT id, name FROM polling_area WHERE name IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The fields of a voter shown beside a probable duplicate.
    pub fn voter_side(&self, id: &str) -> Result<Option<VoterSide>> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT unit, full_name, birth_date, sex, permanent_residence, temporary_residence, polling_area, \
                 id_number, list_status FROM voter WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok(VoterSide {
                    unit: r.get(0)?,
                    full_name: r.get(1)?,
                    birth_date: r.get(2)?,
                    sex: r.get(3)?,
                    permanent_residence: r.get(4)?,
                    temporary_residence: r.get(5)?,
                    polling_area: r.get(6)?,
                    id_number: r.get(7)?,
                    list_status: r.get(8)?,
                })
            })
            .optional()?)
    }

    /// How many changes the log holds.
    pub fn change_count(&self) -> Result<u64> {
        Ok(self.0.query_row("SELECT count(*) FROM changes", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// A check of the file itself (`PRAGMA integrity_check`): "ok" when it is sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.0.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

impl Db<'_> {
    /// Up to `limit` entries of the change log after position `after`, in order.
    pub fn log_entries(&self, after: u64, limit: usize) -> Result<Vec<crate::log::Entry>> {
        Ok(crate::log::read(self.0, after, limit, None, &crate::log::ReadFilter::default())?.0)
    }

    /// Every change of one record this log holds, in its writers' order.
    pub fn record_changes(&self, record_id: &str) -> Result<Vec<sobaucu_protocol::Change>> {
        use crate::db::Sql;
        let rows = self.0.rows(
            &format!(
                "SELECT {} FROM changes WHERE record_id = ?1 ORDER BY hlc, origin, seq",
                crate::log::ENTRY_COLUMNS
            ),
            crate::args![record_id],
        )?;
        rows.into_iter().map(|r| Ok(crate::log::entry_of(self.0, r)?.change)).collect()
    }
}
