//! `sobaucu report --format json|text|xlsx|pdf --out FILE` and `sobaucu print ...`: the
//! report and the lists a commune posts, written by sobaucu-print. Argument handling only.

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
        #[arg(long, value_name = "ID")]
        polling_area: String,
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
        PrintCommand::VoterList { polling_area, out } => sobaucu_print::print_voter_list(&store, &polling_area, &out)?,
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
