//! The reads `crate::check` judges the law's rules on: plain rows, no rule.

use rusqlite::types::Value as SqlValue;

use crate::error::Result;
use crate::store::Db;

/// A record as a check sees it: its id and unit, and the columns asked for (as text; numbers
/// as their decimal text).
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub id: String,
    pub unit: String,
    pub values: Vec<Option<String>>,
}

impl CheckRow {
    pub fn text(&self, i: usize) -> Option<&str> {
        self.values.get(i).and_then(|v| v.as_deref())
    }
    pub fn int(&self, i: usize) -> Option<i64> {
        self.text(i).and_then(|v| v.parse().ok())
    }
    pub fn flag(&self, i: usize) -> bool {
        self.int(i) == Some(1)
    }
}

fn value_text(v: SqlValue) -> Option<String> {
    match v {
        SqlValue::Null => None,
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Real(f) => Some(f.to_string()),
        SqlValue::Text(s) => Some(s),
        SqlValue::Blob(_) => None,
    }
}

/// The queries of the checks, by name: each selects `id, unit` then its columns.
const QUERIES: &[(&str, &str)] = &[
    (
        "surplus",
        "SELECT e.id, e.unit, e.level, e.seats, e.name,
                (SELECT count(*) FROM candidate c WHERE c.deleted = 0 AND c.electoral_unit = e.id AND c.status = 'official')
         FROM electoral_unit e WHERE e.deleted = 0",
    ),
    (
        "conferences",
        "SELECT v.id, v.unit, v.quorum, v.confidence_carried, v.residential_area, c.full_name, v.present, v.convened
         FROM voter_conference v LEFT JOIN candidate c ON c.id = v.candidate WHERE v.deleted = 0",
    ),
    (
        "candidate_confidence",
        "SELECT c.id, c.unit, c.full_name, c.level, e.name, c.status,
                count(v.id),
                coalesce(sum(v.quorum IS NOT 0 AND v.confidence_carried = 1), 0),
                coalesce(sum(v.quorum IS NOT 0 AND v.confidence_carried = 0), 0),
                coalesce(sum(v.quorum = 0), 0)
         FROM candidate c
         LEFT JOIN electoral_unit e ON e.id = c.electoral_unit
         LEFT JOIN voter_conference v ON v.candidate = c.id AND v.deleted = 0
         WHERE c.deleted = 0
         GROUP BY c.id",
    ),
    (
        "bodies",
        "SELECT b.id, b.unit, b.body, b.level, b.size, b.name,
                (SELECT count(*) FROM member m WHERE m.deleted = 0 AND m.body = b.id),
                (SELECT count(*) FROM member m WHERE m.deleted = 0 AND m.body = b.id AND m.role = 'chair')
         FROM (
             SELECT id, unit, 'committee' AS body, level, size, name FROM committee WHERE deleted = 0
             UNION ALL SELECT id, unit, 'board', level, size, name FROM board WHERE deleted = 0
             UNION ALL SELECT t.id, t.unit, 'team',
                              CASE WHEN p.area_type = 'armed' THEN 'armed' ELSE 'ordinary' END, t.size, t.name
                       FROM team t LEFT JOIN polling_area p ON p.id = t.polling_area WHERE t.deleted = 0
         ) b",
    ),
    (
        "art27",
        "SELECT c.id, c.unit, c.full_name, m.full_name, m.body, b.name, e.level
         FROM candidate c
         JOIN electoral_unit e ON e.id = c.electoral_unit AND e.deleted = 0
         JOIN (
             SELECT id, name, electoral_unit, NULL AS unit FROM board WHERE deleted = 0
             UNION ALL SELECT id, name, NULL, unit FROM team WHERE deleted = 0
         ) b ON b.electoral_unit = c.electoral_unit OR (b.unit = e.unit AND e.level IN ('commune', 'district'))
         JOIN member m ON m.body = b.id AND m.deleted = 0
         WHERE c.deleted = 0 AND c.status <> 'withdrawn'",
    ),
    // Voters whose ballots the law restricts: on the list for less than 12 months (the
    // partial index `voter_restricted`), or in a polling area of a detention facility (through
    // the areas, then `voter_by_area`). Neither scans the voters: a province holds millions.
    (
        "voters_restricted",
        "SELECT v.id, v.unit, v.ballots, v.temporary_under_12m, p.area_type
         FROM voter v INDEXED BY voter_restricted LEFT JOIN polling_area p ON p.id = v.polling_area
         WHERE v.deleted = 0 AND v.temporary_under_12m = 1 AND coalesce(v.list_status, 'listed') <> 'removed'
         UNION
         SELECT v.id, v.unit, v.ballots, v.temporary_under_12m, p.area_type
         FROM polling_area p CROSS JOIN voter v INDEXED BY voter_by_area ON v.polling_area = p.id
         WHERE p.area_type = 'detention' AND v.deleted = 0 AND coalesce(v.list_status, 'listed') <> 'removed'",
    ),
    // Voters with a district ballot (none since 2025): looked for only when the counts say there
    // are some (`voter_counts`), then from the covering index `voter_figures`, the table's row
    // read only for a voter found.
    (
        "voters_district",
        "SELECT v.id, v.unit, v.ballots, v.temporary_under_12m, NULL
         FROM voter v INDEXED BY voter_figures
         WHERE EXISTS (SELECT 1 FROM voter_counts WHERE instr(ballots, 'district') > 0 AND list_status <> 'removed')
           AND v.deleted = 0 AND coalesce(v.list_status, 'listed') <> 'removed' AND instr(v.ballots, 'district') > 0",
    ),
    (
        "dossiers",
        "SELECT id, unit, dossier_received_on, full_name, level FROM candidate
         WHERE deleted = 0 AND dossier_received_on IS NOT NULL",
    ),
    (
        "complaints",
        "SELECT c.id, c.unit, c.subject, c.received_on, c.deadline, c.status, c.summary,
                (SELECT min(p.list_posted_on) FROM polling_area p WHERE p.deleted = 0 AND p.unit = c.unit)
         FROM complaint c WHERE c.deleted = 0",
    ),
    (
        "candidates",
        "SELECT id, unit, level, sex, ethnicity, status FROM candidate WHERE deleted = 0 AND status <> 'withdrawn'",
    ),
];

impl Db<'_> {
    /// The rows of the check query `name` (see `QUERIES`).
    pub fn check_rows(&self, name: &str) -> Result<Vec<CheckRow>> {
        let sql = QUERIES.iter().find(|(n, _)| *n == name).map(|(_, sql)| *sql).expect("a check query of that name");
        let mut stmt = self.0.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |r| {
            let mut values = Vec::with_capacity(columns - 2);
            for i in 2..columns {
                values.push(value_text(r.get::<_, SqlValue>(i)?));
            }
            Ok(CheckRow { id: r.get(0)?, unit: r.get(1)?, values })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_check_query_prepares_on_the_newest_schema() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        for (name, sql) in super::QUERIES {
            conn.prepare(sql).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
