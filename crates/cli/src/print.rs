//! `sobaucu report --format json|text|xlsx|pdf --out FILE` and `sobaucu print ...`: the
//! report, the lists a commune posts and any record list whole, written by sobaucu-print.
//! Argument handling only.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Subcommand;
use sobaucu_core::Store;
use sobaucu_print::{ReportFormat, Written};

/// What `sobaucu print` prints, each as an A4 PDF.
#[derive(Subcommand)]
pub enum PrintCommand {
    /// The voter list of one polling area in the layout of form Mẫu 33 (removed voters left
    /// out, voters who vote elsewhere marked), with totals by sex and page numbers.
    VoterList {
        /// The polling area: its id, or its number or name when that is unique.
        #[arg(long, value_name = "ID", required_unless_present = "all", conflicts_with = "all")]
        polling_area: Option<String>,
        /// Every polling area in one file, each from a new page with page numbers of its own.
        #[arg(long)]
        all: bool,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The whole list of one record kind, as `sobaucu list` and the window's list show it
    /// (every matching record, not a page): labels, not codes; references by name.
    List {
        #[arg(long)]
        kind: String,
        /// Words to search for (marks ignored, đ = d).
        #[arg(long)]
        search: Option<String>,
        /// Only records of this unit or below it.
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Only records whose field has this exact stored value (`level=na`); repeatable.
        #[arg(long = "where", value_name = "FIELD=VALUE")]
        filter: Vec<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The team's counting minutes of one polling area and one level ("Biên bản kết quả kiểm
    /// phiếu"): the figures, each candidate's votes, the team's signers; ready to sign.
    Minutes {
        /// The polling area: its id, or its number or name when that is unique.
        #[arg(long, value_name = "ID")]
        polling_area: String,
        /// The level: na, provincial, district or commune.
        #[arg(long)]
        level: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The board's minutes of the result of one electoral unit ("Biên bản xác định kết quả bầu
    /// cử"): votes and shares, who is elected and by which article, or what follows; marked
    /// TẠM TÍNH while some polling area has not counted.
    UnitResult {
        /// The electoral unit: its id, or its number or name when that is unique.
        #[arg(long, value_name = "ID")]
        electoral_unit: String,
        /// Only units of this level (na, provincial, district or commune).
        #[arg(long)]
        level: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The candidate list, per level and electoral unit.
    Candidates {
        /// Only this level: na, provincial, district or commune (default: every level).
        #[arg(long)]
        level: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Runs `sobaucu print ...` on the ledger in `dir`.
pub fn run(dir: &Path, command: PrintCommand) -> Result<()> {
    let store = crate::open_ledger(dir)?;
    let written = match command {
        PrintCommand::VoterList { polling_area: Some(area), out, .. } => {
            sobaucu_print::print_voter_list(&store, &area, &out)?
        }
        PrintCommand::VoterList { polling_area: None, out, .. } => sobaucu_print::print_voter_lists(&store, &out)?,
        PrintCommand::List { kind, search, unit, filter, out } => {
            let kind = sobaucu_core::Kind::require(&kind)?;
            let mut query = sobaucu_core::ListQuery { q: search, unit, ..Default::default() };
            for pair in filter {
                let Some((field, value)) = pair.split_once('=') else {
                    bail!("--where takes FIELD=VALUE, not `{pair}`");
                };
                query.filter.insert(field.trim().to_string(), value.trim().to_string());
            }
            sobaucu_print::print_list(&store, kind, &query, sobaucu_core::today(), &out)?
        }
        PrintCommand::Minutes { polling_area, level, out } => {
            sobaucu_print::print_count_minutes(&store, &polling_area, &level, &out)?
        }
        PrintCommand::UnitResult { electoral_unit, level, out } => {
            sobaucu_print::print_unit_result(&store, &electoral_unit, level.as_deref(), &out)?
        }
        PrintCommand::Candidates { level, out } => sobaucu_print::print_candidates(&store, level.as_deref(), &out)?,
    };
    say(&written);
    Ok(())
}

/// `sobaucu report` with `--format` or `--out`: JSON and text go to the terminal unless
/// `--out` is given; XLSX and PDF need `--out`. Without `--format`, the extension of `--out`
/// chooses.
pub fn report(store: &Store, json: bool, format: Option<&str>, out: Option<&Path>) -> Result<()> {
    let from_extension = || {
        let extension = out?.extension()?.to_str()?.to_ascii_lowercase();
        ReportFormat::parse(&extension).ok()
    };
    let format = match (format, json) {
        (Some(name), _) => ReportFormat::parse(name)?,
        (None, true) => ReportFormat::Json,
        (None, false) => match from_extension() {
            Some(format) => format,
            None => bail!("give --format json|text|xlsx|pdf (the extension of --out does not name one)"),
        },
    };
    if json && format != ReportFormat::Json {
        bail!("--json and --format {} disagree: give one of them", format.extension());
    }
    match out {
        Some(out) => say(&sobaucu_print::export_report(store, format, out)?),
        None if matches!(format, ReportFormat::Json | ReportFormat::Text) => {
            let report = sobaucu_core::report::compute(&store.db(), store.node()?, sobaucu_core::today())?;
            let (bytes, _) = sobaucu_print::report_bytes(&report, format)?;
            print!("{}", String::from_utf8_lossy(&bytes));
        }
        None => bail!("--format {} writes a file: give --out FILE", format.extension()),
    }
    Ok(())
}

fn say(w: &Written) {
    let pages = w.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
    let rows = w.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
    println!("wrote {} ({} bytes{pages}{rows})", w.path, w.bytes);
}
