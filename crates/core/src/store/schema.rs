//! The ledger's schema and its migrations. Migrations are only ever appended: each entry of
//! [`MIGRATIONS`] upgrades version N to N+1, and `PRAGMA user_version` records where a file
//! stands. A test checks that every field of every kind has its column.

use rusqlite::Connection;

use crate::error::Result;

/// Each migration's SQL, in order; version N is reached after running the first N.
pub const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_PRESENCE,
    MIGRATION_VOTER_FIGURES,
    MIGRATION_TRUST,
    MIGRATION_USERS,
    MIGRATION_LAW_CHECKS,
    MIGRATION_ELECTION_DAY,
    MIGRATION_AREA_FIGURES,
    MIGRATION_COMMITTEE_HOURS,
    MIGRATION_FIGURES,
    MIGRATION_RESTRICTED_VOTERS,
    MIGRATION_VOTER_COUNTS,
    MIGRATION_NO_AREA_FIGURES,
];

/// The common columns every record table starts with.
/// `search` holds the folded text that search matches, `sort_key` the list order.
const MIGRATION_1: &str = r#"
CREATE TABLE node (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    node_id       TEXT NOT NULL,
    unit          TEXT NOT NULL,
    scheme        TEXT NOT NULL CHECK (scheme IN ('2021', '2025')),
    election_date TEXT NOT NULL,
    law           TEXT NOT NULL CHECK (law IN ('2015', '2025')),
    created_at    TEXT NOT NULL,
    next_counter  INTEGER NOT NULL DEFAULT 1,
    last_hlc      INTEGER NOT NULL DEFAULT 0,
    last_seq      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
    code   TEXT PRIMARY KEY,
    level  TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    name   TEXT NOT NULL,
    type   TEXT NOT NULL,
    parent TEXT REFERENCES units(code),
    path   TEXT NOT NULL
) WITHOUT ROWID;

-- The change log: one entry per write of one record, holding every field it changed.
-- `fields` maps field → new value (JSON); `bases` maps field → the clock of the value the
-- writer overwrote (absent: 0). `(origin, seq)` is unique, so applying an entry twice is a no-op.
CREATE TABLE changes (
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    fields    TEXT NOT NULL,
    bases     TEXT,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE INDEX changes_by_record ON changes(record_id, hlc);

CREATE TABLE committee (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    name TEXT, level TEXT, formed_on TEXT, decision_no TEXT, size INTEGER
);
CREATE TABLE board (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    name TEXT, level TEXT, electoral_unit TEXT, formed_on TEXT, decision_no TEXT, size INTEGER
);
CREATE TABLE team (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    name TEXT, polling_area TEXT, formed_on TEXT, decision_no TEXT, size INTEGER
);
CREATE TABLE member (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    full_name TEXT, body TEXT, role TEXT, affiliation TEXT, phone TEXT
);
CREATE TABLE electoral_unit (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    level TEXT, number INTEGER, name TEXT, seats INTEGER, area TEXT, published_on TEXT
);
CREATE TABLE polling_area (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    number INTEGER, name TEXT, area_type TEXT, voters INTEGER, residential_areas TEXT, location TEXT,
    list_posted_on TEXT, candidates_posted_on TEXT
);
CREATE TABLE voter (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    full_name TEXT, birth_date TEXT, sex TEXT, ethnicity TEXT, occupation TEXT,
    permanent_residence TEXT, temporary_residence TEXT, temporary_under_12m INTEGER, household TEXT,
    id_number TEXT, polling_area TEXT, ballots TEXT, remarks TEXT
);
CREATE INDEX voter_by_area ON voter(polling_area);
CREATE TABLE candidate (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    full_name TEXT, level TEXT, electoral_unit TEXT, nomination TEXT, birth_date TEXT, sex TEXT,
    hometown TEXT, residence TEXT, ethnicity TEXT, religion TEXT, education TEXT, occupation TEXT,
    position TEXT, workplace TEXT, incumbent INTEGER, dossier_received_on TEXT, status TEXT, listed_on TEXT
);
CREATE TABLE consultation (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    title TEXT, round TEXT, level TEXT, held_on TEXT, participants INTEGER, candidates_agreed INTEGER, outcome TEXT
);
CREATE TABLE voter_conference (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    candidate TEXT, residential_area TEXT, held_on TEXT, convened INTEGER, present INTEGER,
    confidence_for INTEGER, confidence_against INTEGER, quorum INTEGER, opinions TEXT
);
CREATE TABLE complaint (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    received_on TEXT, type TEXT, subject TEXT, summary TEXT, anonymous INTEGER, handler TEXT,
    deadline TEXT, status TEXT, resolved_on TEXT, resolution TEXT
);
CREATE TABLE incident (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    occurred_on TEXT, place TEXT, summary TEXT, severity TEXT, people TEXT, follow_up TEXT
);
CREATE TABLE propaganda (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    held_on TEXT, activity TEXT, place TEXT, audience INTEGER, organiser TEXT, notes TEXT
);
CREATE TABLE supervision (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    visited_on TEXT, supervisor TEXT, place TEXT, findings TEXT, follow_up TEXT
);
"#;

/// Version 2: the change log gets an arrival position (`idx`, the cursor of sync), the unit of
/// every change (so a hub authorises a change without looking anything up), the peer it came
/// from, and bases as lists of clocks; the node gets its signing key; conflicts and peers get
/// their tables.
const MIGRATION_2: &str = r#"
CREATE TABLE changes_v2 (
    idx       INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    fields    TEXT NOT NULL,
    bases     TEXT,
    source    TEXT,
    UNIQUE (origin, seq)
);
INSERT INTO changes_v2 (origin, seq, record_id, kind, unit, hlc, fields, bases)
SELECT c.origin, c.seq, c.record_id, c.kind,
       COALESCE((SELECT unit FROM committee WHERE id = c.record_id), (SELECT unit FROM board WHERE id = c.record_id), (SELECT unit FROM team WHERE id = c.record_id), (SELECT unit FROM member WHERE id = c.record_id), (SELECT unit FROM electoral_unit WHERE id = c.record_id), (SELECT unit FROM polling_area WHERE id = c.record_id), (SELECT unit FROM voter WHERE id = c.record_id), (SELECT unit FROM candidate WHERE id = c.record_id), (SELECT unit FROM consultation WHERE id = c.record_id), (SELECT unit FROM voter_conference WHERE id = c.record_id), (SELECT unit FROM complaint WHERE id = c.record_id), (SELECT unit FROM incident WHERE id = c.record_id), (SELECT unit FROM propaganda WHERE id = c.record_id), (SELECT unit FROM supervision WHERE id = c.record_id), ''),
       c.hlc, c.fields,
       CASE WHEN c.bases IS NULL THEN NULL
            ELSE (SELECT json_group_object(key, json_array(value)) FROM json_each(c.bases)) END
FROM changes c ORDER BY c.origin, c.seq;
DROP TABLE changes;
ALTER TABLE changes_v2 RENAME TO changes;
CREATE INDEX changes_by_record ON changes(record_id, hlc);

ALTER TABLE node ADD COLUMN secret_key TEXT;

-- Concurrent edits that lost: derived from the change log, recomputed for a field whenever one
-- of its changes arrives. `value` is the losing value (JSON); the winner is the record's.
CREATE TABLE conflicts (
    record_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    field     TEXT NOT NULL,
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (record_id, field, origin, seq)
) WITHOUT ROWID;

-- The other ends of sync: this node's hub (role 'parent'), or a hub's children.
-- received_idx: the peer's log position we have everything up to.
-- sent_idx: our log position the peer has acknowledged.
CREATE TABLE peers (
    peer         TEXT PRIMARY KEY,
    role         TEXT NOT NULL CHECK (role IN ('parent', 'child')),
    unit         TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    url          TEXT,
    received_idx INTEGER NOT NULL DEFAULT 0,
    sent_idx     INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT,
    revoked      INTEGER NOT NULL DEFAULT 0,
    enrolled_at  TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Version 3: imports are remembered with the records they created, so one can be undone as
/// one step.
const MIGRATION_3: &str = r#"
CREATE TABLE imports (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    files     TEXT NOT NULL,
    records   INTEGER NOT NULL,
    undone_at TEXT
);
CREATE TABLE import_records (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (import_id, record_id)
) WITHOUT ROWID;
"#;

/// Version 4: the long lists open in Vietnamese alphabetical order from an index.
const MIGRATION_4: &str = r#"
CREATE INDEX voter_in_order ON voter(deleted, sort_key, id);
CREATE INDEX candidate_in_order ON candidate(deleted, sort_key, id);
"#;

/// Version 5: changes to the voter list, each with its reason, kept as history; a voter's
/// standing on the list.
const MIGRATION_5: &str = r#"
ALTER TABLE voter ADD COLUMN list_status TEXT;
CREATE TABLE list_change (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    voter TEXT, change TEXT, changed_on TEXT, reason TEXT, to_polling_area TEXT, certificate_no TEXT
);
CREATE INDEX list_change_by_voter ON list_change(voter);
"#;

/// Version 7: when the nodes and hubs below a district or province node last synced, as its hub reported
/// (the progress board's "not synced for N days").
const MIGRATION_PRESENCE: &str = r#"
CREATE TABLE presence (
    node         TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    last_sync_at TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Version 6: decisions about a voter listed in two communes (kept both, or removed from one
/// list), so decided pairs leave the list of duplicates on every node.
const MIGRATION_6: &str = r#"
CREATE TABLE duplicate_decision (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    voter_a TEXT, voter_b TEXT, decision TEXT, removed_voter TEXT, reason TEXT, decided_on TEXT
);
"#;

/// Version 8: the report's voter figures (by standing, sex and ballots) read from an index of
/// a few bytes a voter instead of the whole table: 300,000 voters of a province in milliseconds.
const MIGRATION_VOTER_FIGURES: &str = r#"
CREATE INDEX voter_figures ON voter(deleted, list_status, sex, ballots);
"#;

/// Version 9: the sync of protocol 2. Each change keeps its chain (stream, place, hash, the
/// origin's signature of the head where it signed one; a refused change its digest and
/// reason); certificates and revocations; the node's own changes its hub refused; the hub's
/// sealing key, and the link's counter, check of the hub's entry it pulled up to (a hub
/// restored from an older copy is then noticed) and certificate positions.
/// The tables and columns a hub's store gets too are [`crate::log::TRUST_TABLES_SQL`], run
/// first; the chains of the changes already held are computed after the SQL ([`migrate`]).
const MIGRATION_TRUST: &str = r#"
-- This node's own changes set aside while it takes back from its hub the changes it had sent
-- before it was restored from an older copy (they then continue above them).
CREATE TABLE parked (
    n         INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    fields    TEXT NOT NULL,
    bases     TEXT
);
"#;

/// Officials and their roles (the keyring beside the file says who may open it; this table,
/// inside the encrypted file, what each may do); when the ledger was last backed up; whether
/// the hub has the ledger's election day and law version (`sobaucu restore`). The
/// author column of the change log ([`crate::log::AUTHOR_SQL`]) is added first.
const MIGRATION_USERS: &str = r#"
CREATE TABLE users (
    key      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('chair', 'secretary', 'member', 'viewer')),
    added_at TEXT NOT NULL,
    added_by TEXT
) WITHOUT ROWID;
ALTER TABLE node ADD COLUMN last_backup_at TEXT;
ALTER TABLE peers ADD COLUMN settings_sent INTEGER NOT NULL DEFAULT 0;
"#;

/// The law checked: a voter conference's residential area and whether its candidate carried
/// it; a voter's household head and village (the 2026 lists' order); voter cards, polling
/// stations' readiness and early voting; the indexes the "each" milestones join on; what an
/// update of a list changed in each record (its previous values), to undo it.
const MIGRATION_LAW_CHECKS: &str = r#"
ALTER TABLE voter_conference ADD COLUMN area_voters INTEGER;
ALTER TABLE voter_conference ADD COLUMN confidence_carried INTEGER;
ALTER TABLE voter ADD COLUMN household_head INTEGER;
ALTER TABLE voter ADD COLUMN village TEXT;
CREATE TABLE voter_cards (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, printed INTEGER, printed_on TEXT, delivered INTEGER, delivered_on TEXT, notes TEXT
);
CREATE TABLE readiness (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, checked_on TEXT, ballots_na INTEGER, ballots_provincial INTEGER,
    ballots_district INTEGER, ballots_commune INTEGER, boxes_main INTEGER, boxes_mobile INTEGER,
    seal INTEGER, notice_posted_on TEXT, lists_posted INTEGER, notes TEXT
);
CREATE TABLE early_voting (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, voting_on TEXT, decision_no TEXT, decided_on TEXT, reason TEXT
);
CREATE INDEX team_by_area ON team(polling_area);
CREATE INDEX board_by_unit ON board(electoral_unit);
CREATE TABLE import_updates (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    previous  TEXT NOT NULL,
    PRIMARY KEY (import_id, record_id)
) WITHOUT ROWID;
"#;

/// Election day: the polling areas name their electoral units, and the teams' turnout reports,
/// counting minutes and candidates' votes, and the boards' result minutes get their tables.
const MIGRATION_ELECTION_DAY: &str = r#"
ALTER TABLE polling_area ADD COLUMN electoral_unit_na TEXT;
ALTER TABLE polling_area ADD COLUMN electoral_unit_provincial TEXT;
ALTER TABLE polling_area ADD COLUMN electoral_unit_district TEXT;
ALTER TABLE polling_area ADD COLUMN electoral_unit_commune TEXT;
CREATE TABLE turnout_report (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, reported_at TEXT, voted INTEGER
);
CREATE TABLE count_minutes (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, level TEXT, voters_listed INTEGER, voted INTEGER, ballots_issued INTEGER,
    ballots_received INTEGER, valid INTEGER, invalid INTEGER, signed_by TEXT, counted_on TEXT,
    correction_reason TEXT
);
CREATE TABLE candidate_votes (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    polling_area TEXT, level TEXT, candidate TEXT, votes INTEGER
);
CREATE TABLE unit_result (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    electoral_unit TEXT, confirmed_on TEXT, confirmed_by TEXT, areas_reported INTEGER, summary TEXT
);
CREATE INDEX count_minutes_by_area ON count_minutes(polling_area, level);
CREATE INDEX candidate_votes_by_area ON candidate_votes(polling_area, level);
"#;

/// The voters of each polling area by sex, counted from an index that holds every column the
/// count reads (the report's rows per unit, election day's voters per area): the voter table's
/// pages are never read, nor decrypted.
const MIGRATION_AREA_FIGURES: &str = r#"
CREATE INDEX voter_area_figures ON voter(polling_area, deleted, list_status, sex);
"#;

/// The hours an election committee sets for the teams' turnout reports.
const MIGRATION_COMMITTEE_HOURS: &str = r#"
ALTER TABLE committee ADD COLUMN turnout_hours TEXT;
"#;

/// The figures each ledger publishes of its scope, in a stream of their own: what a national
/// ledger reads of the country (`crate::figures`).
const MIGRATION_FIGURES: &str = r#"
CREATE TABLE figures (
    id TEXT PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code), deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '', sort_key TEXT NOT NULL DEFAULT '',
    computed_on TEXT, voters INTEGER, polling_areas INTEGER, figures TEXT
);
CREATE INDEX figures_by_unit ON figures(unit);
"#;

/// The voters the law lets vote only where they are (Art 29: on the list for less than 12
/// months), in an index of their own: the ballots check reads them without scanning every
/// voter (`check_rows("voters_restricted")`).
const MIGRATION_RESTRICTED_VOTERS: &str = r#"
CREATE INDEX voter_restricted ON voter(polling_area) WHERE deleted = 0 AND temporary_under_12m = 1;
"#;

/// What a province ledger of millions of voters needs to answer at once.
///
/// - The live voters counted by unit, polling area, sex, ballots and list status (a missing
///   value counted as ''), kept by triggers on every way a row is written (a form, an import,
///   a change received): the report and the list's total read a few thousand rows of counts
///   instead of millions of voters. The triggers alone add to a count or take from it; a count
///   that falls to 0 is removed.
/// - The list's order index widened with each voter's unit and search text.
const MIGRATION_VOTER_COUNTS: &str = r#"
CREATE TABLE voter_counts (
    unit TEXT NOT NULL, polling_area TEXT NOT NULL, sex TEXT NOT NULL, ballots TEXT NOT NULL,
    list_status TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (unit, polling_area, sex, ballots, list_status)
) WITHOUT ROWID;
INSERT INTO voter_counts
    SELECT unit, coalesce(polling_area, ''), coalesce(sex, ''), coalesce(ballots, ''), coalesce(list_status, ''),
           count(*)
    FROM voter WHERE deleted = 0 GROUP BY 1, 2, 3, 4, 5;
-- The list's order with the unit and search text of each voter: the list's in-memory index
-- (`lists::ListIndex`) reads this index alone, in order, instead of every row out of order.
DROP INDEX voter_in_order;
CREATE INDEX voter_in_order ON voter(deleted, sort_key, id, unit, search);
CREATE TRIGGER voter_counts_insert AFTER INSERT ON voter WHEN NEW.deleted = 0 BEGIN
    INSERT INTO voter_counts VALUES (NEW.unit, coalesce(NEW.polling_area, ''), coalesce(NEW.sex, ''),
                                     coalesce(NEW.ballots, ''), coalesce(NEW.list_status, ''), 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER voter_counts_update AFTER UPDATE ON voter
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.unit IS NOT NEW.unit OR OLD.polling_area IS NOT NEW.polling_area
  OR OLD.sex IS NOT NEW.sex OR OLD.ballots IS NOT NEW.ballots OR OLD.list_status IS NOT NEW.list_status
BEGIN
    UPDATE voter_counts SET n = n - 1
        WHERE OLD.deleted = 0 AND unit = OLD.unit AND polling_area = coalesce(OLD.polling_area, '')
          AND sex = coalesce(OLD.sex, '') AND ballots = coalesce(OLD.ballots, '')
          AND list_status = coalesce(OLD.list_status, '');
    DELETE FROM voter_counts
        WHERE n = 0 AND unit = OLD.unit AND polling_area = coalesce(OLD.polling_area, '')
          AND sex = coalesce(OLD.sex, '') AND ballots = coalesce(OLD.ballots, '')
          AND list_status = coalesce(OLD.list_status, '');
    INSERT INTO voter_counts
        SELECT NEW.unit, coalesce(NEW.polling_area, ''), coalesce(NEW.sex, ''), coalesce(NEW.ballots, ''),
               coalesce(NEW.list_status, ''), 1
        WHERE NEW.deleted = 0
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER voter_counts_delete AFTER DELETE ON voter WHEN OLD.deleted = 0 BEGIN
    UPDATE voter_counts SET n = n - 1
        WHERE unit = OLD.unit AND polling_area = coalesce(OLD.polling_area, '')
          AND sex = coalesce(OLD.sex, '') AND ballots = coalesce(OLD.ballots, '')
          AND list_status = coalesce(OLD.list_status, '');
    DELETE FROM voter_counts
        WHERE n = 0 AND unit = OLD.unit AND polling_area = coalesce(OLD.polling_area, '')
          AND sex = coalesce(OLD.sex, '') AND ballots = coalesce(OLD.ballots, '')
          AND list_status = coalesce(OLD.list_status, '');
END;
"#;

/// The voters by polling area and sex are read from the kept counts (`voter_counts`) since
/// [`MIGRATION_VOTER_COUNTS`]: the covering index that counted them is dropped, one index fewer
/// for every voter written.
const MIGRATION_NO_AREA_FIGURES: &str = r#"
DROP INDEX voter_area_figures;
"#;

/// The version [`MIGRATION_USERS`] brings a file to.
pub const USERS_VERSION: usize = 10;

/// The version [`MIGRATION_TRUST`] brings a file to.
pub const TRUST_VERSION: usize = 9;

/// Brings a connection's file up to the newest schema, in one transaction: a crash leaves
/// the file where it was. The chains of a log from before protocol 2 are computed once every
/// migration has run (they read columns later migrations add).
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current >= MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        if index + 1 == TRUST_VERSION {
            tx.execute_batch(crate::log::TRUST_TABLES_SQL)?;
        }
        if index + 1 == USERS_VERSION {
            tx.execute_batch(crate::log::AUTHOR_SQL)?;
        }
        tx.execute_batch(sql)?;
    }
    if current < TRUST_VERSION {
        crate::log::fill_chains(&tx, &|kind| crate::kinds::stream_of(kind).unwrap_or(crate::kinds::STREAM_MAIN))?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::Kind;

    #[test]
    fn an_empty_file_migrates_to_the_newest_version_and_every_field_has_its_column() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        migrate(&mut conn).unwrap();
        for kind in Kind::ALL {
            let def = kind.def();
            let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", def.name)).unwrap();
            let columns: Vec<(String, String)> =
                stmt.query_map([], |r| Ok((r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
            for field in def.fields {
                let column = columns.iter().find(|(name, _)| name == field.name);
                assert_eq!(
                    column.map(|(_, ty)| ty.as_str()),
                    Some(field.ty.sql_type()),
                    "{}.{} needs a {} column",
                    def.name,
                    field.name,
                    field.ty.sql_type()
                );
            }
            assert_eq!(columns.len(), def.fields.len() + 8, "{} has columns no field describes", def.name);
        }
    }

    #[test]
    fn a_version_1_ledger_upgrades_keeping_its_change_log() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATION_1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO units (code, level, name, type, parent, path) VALUES ('12', 'province', 'Tỉnh Lai Châu', 'tỉnh', NULL, 'Tỉnh Lai Châu');
             INSERT INTO units (code, level, name, type, parent, path) VALUES ('03637', 'commune', 'Xã Mường Kim', 'xã', '12', 'p');
             INSERT INTO voter (id, unit, created_at, updated_at, updated_by, full_name)
                 VALUES ('00000000000000aa-1', '03637', 't', 't', '00000000000000aa', 'Lò Thị Ỏn');
             INSERT INTO changes (origin, seq, record_id, kind, hlc, fields, bases)
                 VALUES ('00000000000000aa', 1, '00000000000000aa-1', 'voter', 7, '{\"full_name\":\"Lò Thị Ỏn\"}', NULL);
             INSERT INTO changes (origin, seq, record_id, kind, hlc, fields, bases)
                 VALUES ('00000000000000aa', 2, '00000000000000aa-1', 'voter', 9, '{\"sex\":\"female\"}', '{\"sex\":7}');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, String, Option<String>)> = conn
            .prepare("SELECT idx, unit, bases FROM changes ORDER BY idx")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            vec![(1, "03637".to_string(), None), (2, "03637".to_string(), Some(r#"{"sex":[7]}"#.to_string()))]
        );

        // The voters already there are counted as the triggers would have counted them.
        let counts: (String, String, String, i64) = conn
            .query_row("SELECT unit, polling_area, sex, n FROM voter_counts", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(counts, ("03637".to_string(), String::new(), String::new(), 1));

        // The upgraded schema is the fresh one.
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        let schema = |c: &Connection| -> Vec<(String, String)> {
            c.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get::<_, String>(1)?.replace('"', ""))))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(schema(&conn), schema(&fresh));
    }
}
