//! The progress board on a real province ledger (Lai Châu, 2021 units): units judged by their
//! own records where their level holds a milestone, rolled up where it does not, late days,
//! drill-down, and who synced when as the hubs reported it.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};
use sobaucu_core::kinds::Kind;
use sobaucu_core::progress::{self, Board, MilestoneProgress};
use sobaucu_core::store::{InitOptions, Put};
use sobaucu_core::units::Level;
use sobaucu_core::{Store, timeline::Status};
use sobaucu_protocol::messages::Seen;

/// Election day 23/05/2021: teams are due 03/04 (D-50), boards 14/03 (D-70).
const ELECTION: (i32, u32, u32) = (2021, 5, 23);

fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    store
        .init(InitOptions {
            unit: "12".parse().unwrap(),
            scheme: "2021".parse().unwrap(),
            election_date: NaiveDate::from_ymd_opt(ELECTION.0, ELECTION.1, ELECTION.2).unwrap(),
            law: None,
        })
        .unwrap();
    (dir, store)
}

fn put(store: &mut Store, kind: Kind, unit: &str, v: Value) -> String {
    store
        .write(|w| w.put(kind, Put::Create(None), Some(unit.parse().unwrap()), v.as_object().unwrap()))
        .unwrap_or_else(|e| panic!("{kind:?}: {e}"))
        .id
        .to_string()
}

fn on(date: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap().and_hms_opt(9, 0, 0).unwrap()
}

fn milestone<'b>(board: &'b Board, id: &str) -> &'b MilestoneProgress {
    board.milestones.iter().find(|m| m.milestone == id).unwrap()
}

fn count(m: &MilestoneProgress, level: Level) -> (usize, usize, usize) {
    m.counts.iter().find(|c| c.level == level).map_or((0, 0, 0), |c| (c.done, c.done_late, c.total))
}

/// Huyện Tam Đường (106) has 13 communes; Huyện Mường Tè (107) is another district.
const TAM_DUONG: [&str; 13] = [
    "03390", "03394", "03400", "03405", "03406", "03412", "03413", "03415", "03418", "03421", "03424", "03427", "03430",
];

#[test]
fn a_district_is_done_with_commune_work_when_all_its_communes_are() {
    let (_dir, mut store) = ledger();
    // Teams are the communes' work: every commune of Tam Đường forms one, the last 2 days late.
    for (i, commune) in TAM_DUONG.iter().enumerate() {
        let area = put(
            &mut store,
            Kind::PollingArea,
            commune,
            json!({"number": 1, "name": "Khu vực số 1", "area_type": "ordinary"}),
        );
        let formed = if i == TAM_DUONG.len() - 1 { "2021-04-05" } else { "2021-03-30" };
        put(
            &mut store,
            Kind::Team,
            commune,
            json!({"name": "Tổ bầu cử số 1", "polling_area": area, "size": 11, "formed_on": formed}),
        );
    }
    // Boards are every level's work, one for every electoral unit: the district formed its own,
    // one commune too; another commune formed one of its two.
    let unit_of = |store: &mut Store, unit: &str, level: &str, n: i64| {
        put(
            store,
            Kind::ElectoralUnit,
            unit,
            json!({"level": level, "number": n, "name": format!("Đơn vị số {n}"), "seats": 3}),
        )
    };
    let eu = unit_of(&mut store, "106", "district", 1);
    put(
        &mut store,
        Kind::Board,
        "106",
        json!({"name": "Ban bầu cử HĐND huyện số 1", "level": "district", "electoral_unit": eu, "size": 9, "formed_on": "2021-03-10"}),
    );
    let eu = unit_of(&mut store, "03390", "commune", 1);
    put(
        &mut store,
        Kind::Board,
        "03390",
        json!({"name": "Ban bầu cử số 1", "level": "commune", "electoral_unit": eu, "size": 9, "formed_on": "2021-03-12"}),
    );
    let eu = unit_of(&mut store, "03394", "commune", 1);
    unit_of(&mut store, "03394", "commune", 2);
    put(
        &mut store,
        Kind::Board,
        "03394",
        json!({"name": "Ban bầu cử số 1", "level": "commune", "electoral_unit": eu, "size": 9, "formed_on": "2021-03-12"}),
    );

    let node = store.node().unwrap().clone();
    let board = progress::board(&store.db(), &node, None, on("2021-04-10")).unwrap();
    let districts = board.units.iter().filter(|u| u.level == Level::District).count();
    assert_eq!(board.levels, vec![Level::District, Level::Commune]);

    // Teams: 13 of the province's communes, the district rolled up (done late: its last commune
    // formed its team 2 days late); the other districts never synced and nothing of them is here:
    // no data, never overdue.
    let teams = milestone(&board, "teams_formed");
    assert_eq!(count(teams, Level::Commune).0, 13);
    assert_eq!(count(teams, Level::Commune).1, 1);
    assert_eq!(count(teams, Level::District), (1, 1, districts));
    let tam_duong = board.units.iter().find(|u| u.code == "106").unwrap();
    let i = board.milestones.iter().position(|m| m.milestone == "teams_formed").unwrap();
    let cell = tam_duong.cells[i].as_ref().unwrap();
    assert_eq!((cell.status, cell.days_late), (Status::DoneLate, Some(2)));
    let other = board.units.iter().find(|u| u.code == "107").unwrap();
    assert_eq!(other.cells[i].as_ref().unwrap().status, Status::NoData);
    assert_eq!(other.cells[i].as_ref().unwrap().days_late, None);
    assert!(other.no_data && other.overdue == 0 && other.due == 0);
    assert!(!tam_duong.no_data);
    assert_eq!(board.no_data, districts - 1);
    let teams_districts = teams.counts.iter().find(|c| c.level == Level::District).unwrap();
    assert_eq!((teams_districts.no_data, teams_districts.overdue), (districts - 1, 0));
    assert!(teams.late.iter().all(|l| l.code != "107"), "a unit with no data is not late");

    // Boards: the district's own counts for the district, whatever its communes did.
    let boards = milestone(&board, "boards_formed");
    assert_eq!(count(boards, Level::District), (1, 0, districts));
    assert_eq!(count(boards, Level::Commune).0, 1);
    assert!(boards.late.iter().any(|l| l.code == "03394" && l.status == Status::Overdue && l.days_late == 27));

    // A milestone only the province holds concerns no unit below it.
    assert!(milestone(&board, "official_list_na").counts.is_empty());

    // Drill down: the district's board counts its own communes only, and leads back up.
    let drilled = progress::board(&store.db(), &node, Some(&"106".parse().unwrap()), on("2021-04-10")).unwrap();
    assert_eq!(drilled.units.len(), 13);
    assert_eq!(count(milestone(&drilled, "boards_formed"), Level::Commune), (1, 0, 13));
    assert_eq!(drilled.trail.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["12", "106"]);
    // A commune that never synced but whose records the ledger holds is judged by them.
    assert_eq!(drilled.no_data, 0);
    let unsynced = drilled.units.iter().find(|u| u.code == "03400").unwrap();
    assert!(!unsynced.no_data && unsynced.last_sync_at.is_none());
    let boards_i = drilled.milestones.iter().position(|m| m.milestone == "boards_formed").unwrap();
    assert_eq!(unsynced.cells[boards_i].as_ref().unwrap().status, Status::Overdue, "it has no board");
    let commune = drilled.units.iter().find(|u| u.code == "03390").unwrap();
    let j = drilled.milestones.iter().position(|m| m.milestone == "boards_formed").unwrap();
    assert!(commune.cells[j].as_ref().unwrap().record_id.is_some(), "a commune's cell names its record");

    // Outside the ledger's unit: refused, naming the unit.
    let err = progress::board(&store.db(), &node, Some(&"01".parse().unwrap()), on("2021-04-10")).unwrap_err();
    assert!(err.to_string().contains("01"), "{err}");
}

#[test]
fn last_syncs_come_from_what_the_hubs_reported() {
    let (_dir, mut store) = ledger();
    let seen = |node: &str, unit: &str, kind: &str, at: &str| Seen {
        node: format!("{node:0>16}").parse().unwrap(),
        unit: unit.into(),
        kind: kind.parse().unwrap(),
        last_sync_at: at.into(),
    };
    store
        .record_presence(&[
            seen("aa01", "03390", "node", "2021-04-08T09:00:00+00:00"),
            seen("aa02", "03394", "node", "2021-04-01T00:00:00+00:00"),
            seen("aa02", "03394", "node", "2021-03-30T09:00:00+00:00"), // older news changes nothing
            seen("bb01", "106", "hub", "2021-04-10T08:00:00+00:00"),
        ])
        .unwrap();
    let node = store.node().unwrap().clone();
    let board = progress::board(&store.db(), &node, None, on("2021-04-10")).unwrap();
    let tam_duong = board.units.iter().find(|u| u.code == "106").unwrap();
    assert_eq!(tam_duong.last_sync_at.as_deref(), Some("2021-04-10T08:00:00+00:00"));
    assert_eq!(tam_duong.days_since_sync, Some(0));
    assert_eq!(tam_duong.never_synced, 11);
    assert_eq!(tam_duong.oldest_sync_at.as_deref(), Some("2021-04-01T00:00:00+00:00"));
    let drilled = progress::board(&store.db(), &node, Some(&"106".parse().unwrap()), on("2021-04-10")).unwrap();
    let silent = drilled.units.iter().find(|u| u.code == "03394").unwrap();
    assert_eq!(silent.days_since_sync, Some(9));
    assert_eq!(drilled.units.iter().filter(|u| u.last_sync_at.is_none()).count(), 11);
}
