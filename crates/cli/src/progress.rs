//! `sobaucu progress`: the progress board of a district or province, as a table or JSON.

use std::path::Path;

use anyhow::Result;
use sobaucu_core::progress::{self, Board};
use sobaucu_core::units::Level;

fn level_word(level: Level, n: usize) -> &'static str {
    match (level, n == 1) {
        (Level::Country, _) => "country",
        (Level::Province, true) => "province",
        (Level::Province, false) => "provinces",
        (Level::District, true) => "district",
        (Level::District, false) => "districts",
        (Level::Commune, true) => "commune",
        (Level::Commune, false) => "communes",
    }
}

pub fn run(dir: &Path, unit: Option<&str>, json: bool) -> Result<()> {
    let store = crate::open_ledger(dir)?;
    let node = store.node()?;
    let root = unit.map(str::parse).transpose()?;
    let board = progress::board(&store.db(), node, root.as_ref(), sobaucu_core::now())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&board)?);
    } else {
        print_board(&board);
    }
    Ok(())
}

fn print_board(board: &Board) {
    let trail: Vec<&str> = board.trail.iter().map(|u| u.name.as_str()).collect();
    println!("{} · today {}", trail.join(" › "), board.today.format("%d/%m/%Y"));
    println!("{:<28} {:<10} {:<36} LATE", "MILESTONE", "DUE", "DONE");
    for m in &board.milestones {
        if m.counts.is_empty() {
            continue;
        }
        let done: Vec<String> = m
            .counts
            .iter()
            .map(|c| {
                let unknown = if c.no_data > 0 { format!(" ({} no data)", c.no_data) } else { String::new() };
                format!("{}/{} {}{unknown}", c.done, c.total, level_word(c.level, c.total))
            })
            .collect();
        let late: Vec<String> = m.late.iter().take(3).map(|l| format!("{} ({} d)", l.name, l.days_late)).collect();
        let more = if m.late.len() > 3 { format!(" and {} more", m.late.len() - 3) } else { String::new() };
        println!(
            "{:<28} {:<10} {:<36} {}{more}",
            m.milestone,
            m.due.format("%d/%m/%Y"),
            done.join(", "),
            late.join(", ")
        );
    }
    println!();
    println!("{:<8} {:<34} {:>9} {:>8} {:>10}  LAST SYNC", "CODE", "UNIT", "DONE", "OVERDUE", "DAYS LATE");
    for u in &board.units {
        let sync = match (&u.last_sync_at, u.days_since_sync) {
            (Some(at), Some(days)) => format!("{} ({days} days ago)", &at[..at.len().min(16)]),
            _ if u.no_data => "never: no data".to_string(),
            _ => "never".to_string(),
        };
        let never = if u.never_synced > 0 && u.units_below > 0 {
            format!(", {} communes never synced", u.never_synced)
        } else {
            String::new()
        };
        println!(
            "{:<8} {:<34} {:>9} {:>8} {:>10}  {sync}{never}",
            u.code,
            u.name,
            format!("{}/{}", u.done, u.due),
            u.overdue,
            u.days_late
        );
    }
}
