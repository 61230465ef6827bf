//! The demo ledger shows what it promises on every day of the year: work done, work done late,
//! work overdue and work to come, so a newcomer (and the window test that opens the demo) sees
//! each kind of milestone whatever the date. A day of the 2021 election (the 2015 law's
//! deadlines) and a year of days under the 2025 law.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use sobaucu_core::Store;
use sobaucu_core::demo;
use sobaucu_core::timeline::{self, Status};

fn statuses_on(today: NaiveDate) -> Vec<(String, Status)> {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path(), &sobaucu_core::vault::test_credentials()).unwrap();
    let node = demo::create(&mut store, today, 16).unwrap();
    let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, today).unwrap();
    entries.into_iter().map(|e| (e.milestone, e.standing.status)).collect()
}

fn check_day(today: NaiveDate) {
    let election = demo::election_for(today);
    assert_eq!(election.weekday(), Weekday::Sun, "{today}: election day is a Sunday");
    let statuses = statuses_on(today);
    let has = |status: Status| statuses.iter().any(|(_, s)| *s == status);
    assert!(has(Status::Done), "{today}: something done: {statuses:?}");
    assert!(has(Status::DoneLate), "{today}: something done late: {statuses:?}");
    assert!(has(Status::Upcoming) || has(Status::DueSoon), "{today}: something to come: {statuses:?}");
    let voter_list = statuses.iter().find(|(m, _)| m == "voter_list_posted").unwrap().1;
    assert_eq!(voter_list, Status::Overdue, "{today}: the voter list is overdue: {statuses:?}");
}

#[test]
fn every_day_of_a_year_shows_done_late_overdue_and_to_come() {
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for day in 0..365 {
        check_day(first + Duration::days(day));
    }
}

#[test]
fn a_day_before_the_2021_election_under_the_2015_law() {
    for day in 0..7 {
        check_day(NaiveDate::from_ymd_opt(2021, 3, 1).unwrap() + Duration::days(day));
    }
}
