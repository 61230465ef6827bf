//! `sobaucu`: the command line over sobaucu-core, for scripting and for district IT staff.
//! Argument parsing and printing only; every rule lives in the core.

mod duplicates;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sobaucu_core::kinds::Kind;
use sobaucu_core::law::LawVersion;
use sobaucu_core::store::InitOptions;
use sobaucu_core::transfer::{self, Format};
use sobaucu_core::units::{Catalogue, Scheme};
use sobaucu_core::{ListQuery, Store, report, timeline};

mod print;
mod progress;

#[derive(Parser)]
#[command(
    name = "sobaucu",
    version,
    about = "Sổ Bầu Cử: the election-preparation ledger of a commune, district or province"
)]
struct Cli {
    /// The ledger's directory (default: the platform data directory, shared with the desktop app).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The official using the ledger (default: `$SOBAUCU_USER`, or the ledger's only user);
    /// at `init`, the chair's name. The passphrase comes from `$SOBAUCU_PASSPHRASE` or the
    /// terminal.
    #[arg(long, global = true, value_name = "NAME")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the ledger of one unit for one election.
    Init {
        /// The unit's official code at its width: province 12, district 106, commune 03637.
        #[arg(long)]
        unit: String,
        /// The list of administrative units: 2021 (three tiers) or 2025 (two tiers).
        #[arg(long)]
        scheme: String,
        /// Election day, YYYY-MM-DD.
        #[arg(long)]
        election: String,
        /// The law version whose deadlines apply (default: the one in force on election day).
        #[arg(long)]
        law: Option<String>,
    },
    /// Creates a demo ledger: a real Lai Châu commune filled with generated records.
    Demo {
        /// How many voters to generate.
        #[arg(long, default_value_t = 2400)]
        voters: usize,
    },
    /// Imports records from .jsonl, .csv, .xlsx, .xls or .ods files, all or nothing.
    Import {
        /// The kind of the records in CSV and XLSX files.
        #[arg(long)]
        kind: Option<String>,
        /// A value for a field the files leave empty, as FIELD=VALUE (repeatable), e.g.
        /// `--set polling_area="Khu vực bỏ phiếu số 1" --set ballots=na,provincial,commune`.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Check every row and list what would be added, every problem (file, line, column,
        /// reason) and probable duplicates; write nothing.
        #[arg(long)]
        preview: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// A new version of a list: match each row to the record it updates (by id, else ID
        /// number, else name and birth date in the same polling area), write only the
        /// differences as one undoable import, and list the records the files no longer hold.
        #[arg(long)]
        update: bool,
        /// With --update: remove the records the files no longer hold (a voter by a voter-list
        /// change), with --reason.
        #[arg(long, requires = "update", requires = "reason")]
        remove_missing: bool,
        /// Why missing records are removed (--remove-missing).
        #[arg(long)]
        reason: Option<String>,
        /// Reads a column the import does not know as a field: --map "Nơi ở hiện nay=temporary_residence".
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        map: Vec<String>,
        /// Leaves a column out: --skip-column "Ghi chú khác".
        #[arg(long = "skip-column", value_name = "HEADER")]
        skip_column: Vec<String>,
        /// The row of each sheet that holds the header (1-based, as the spreadsheet numbers it);
        /// by default the row among the first 20 whose cells name the most fields.
        #[arg(long = "header-row", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        header_row: Option<u64>,
        /// Leaves a row out (its line, as the preview names it; repeatable): a person listed
        /// twice in the file, kept once.
        #[arg(long = "skip-line", value_name = "LINE")]
        skip_line: Vec<usize>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Lists the bin ("Thùng rác"): deleted records, the latest first, with why.
    Deleted {
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Brings a deleted record back from the bin.
    Undelete {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        id: String,
    },
    /// Writes a blank sheet to fill for a kind: a header row of its fields' Vietnamese labels
    /// (required ones marked *), which the import reads back, and a sheet on how each is written.
    Template {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        out: PathBuf,
        /// The scheme whose ballot levels the guide lists (2025: no district councils).
        #[arg(long, default_value = "2025")]
        scheme: String,
    },
    /// Changes fields of one record through the same write path as the window:
    /// `edit --kind voter --id ID --set occupation="Làm nông" --set remarks=` (empty clears).
    Edit {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        id: String,
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
        /// Print the record as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Deletes one record, saying why. A voter is removed from the list the legal way (a
    /// voter-list change with the reason), not deleted.
    Delete {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Lists the imports of this ledger (to undo one).
    Imports,
    /// Undoes an import as one step: the records it created are deleted.
    UndoImport {
        /// The import's number (see `imports`).
        id: i64,
    },
    /// Exports every record of one kind.
    Export {
        #[arg(long)]
        kind: String,
        /// csv, xlsx or jsonl.
        #[arg(long)]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// The summary figures of the ledger's scope.
    Report {
        /// Print JSON (the shape is documented in the README).
        #[arg(long)]
        json: bool,
        /// json, text, xlsx or pdf (xlsx and pdf need --out; default: the extension of --out).
        #[arg(long)]
        format: Option<String>,
        /// Write the report to this file instead of the terminal.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Prints, as PDF, what a commune posts: `print voter-list` (form Mẫu 33), `print candidates`;
    /// election day's minutes: `print minutes`, `print unit-result`; and any record list whole:
    /// `print list`.
    Print {
        #[command(subcommand)]
        what: print::PrintCommand,
    },
    /// The legal timeline of the ledger's unit as a table.
    Timeline,
    /// Election day: turnout at each reporting hour (per unit below, at a district or
    /// province) and each electoral unit's result as far as the teams have counted.
    ElectionDay {
        /// Print JSON (`areas`, `units`, `turnout`, `results`; see the README).
        #[arg(long)]
        json: bool,
    },
    /// The progress board of a district or province: per milestone, the units below that are
    /// done out of all of them, the late ones, and when each unit below last synced.
    Progress {
        /// Root the board at this unit below the ledger's own (drill down).
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Print JSON (the shape is documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Lists records of one kind.
    List {
        #[arg(long)]
        kind: String,
        /// Words to search for (marks ignored, đ = d).
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Only records of this unit or below it (a district or province ledger holds many).
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Enrolls this ledger with a hub, using a one-time code the hub issued for this unit.
    Enroll {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        code: String,
    },
    /// Pushes what is pending to the hub and pulls what is new, with a progress bar.
    Sync {
        /// The hub's URL (default: the one enrolled with).
        #[arg(long)]
        hub: Option<String>,
    },
    /// USB bundles: `bundle export FILE` for the hub, `bundle import FILE` from it.
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Lists changes refused by the hub (this ledger's) or on arrival here, with the reasons.
    Refused {
        #[arg(long)]
        json: bool,
    },
    /// Re-checks everything this ledger holds: certificates, every chain and every signed
    /// head, who wrote what. Exits non-zero when anything is wrong.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Checks the law's rules across every record in scope and lists each violation and
    /// warning (rule, article, severity, record). Exits 0 unless it cannot run, or, with
    /// --strict, when any error is found.
    Check {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        strict: bool,
    },
    /// Lists each candidate with what their voter conferences add up to, for the 3rd
    /// consultation: conferences held, carried, not carried, without quorum, and the verdict.
    Confidence {
        /// Only the candidates standing for this level (na, provincial, district, commune).
        #[arg(long)]
        level: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Lists concurrent edits that the merge could not settle, side by side.
    Conflicts {
        #[arg(long)]
        json: bool,
    },
    /// Settles the conflicts of one field of a record with a value (JSON, or plain text).
    Resolve {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        field: String,
        #[arg(long)]
        value: String,
    },
    /// Voters listed in more than one commune, and the decisions about them.
    Duplicates(duplicates::Args),
    /// Prints the fields of every record kind (the README's field reference) as Markdown.
    Fields,
    /// The ledger's users: `user add NAME --role ROLE`, `user list`, `user remove NAME`.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// `passphrase change`: a new passphrase for the user (from `$SOBAUCU_NEW_PASSPHRASE` or
    /// the terminal); the ledger is re-keyed.
    Passphrase {
        #[command(subcommand)]
        action: PassphraseAction,
    },
    /// Writes an encrypted, consistent backup of the ledger to FILE (while the app runs); the
    /// same users open it with the same passphrases.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Checks a backup and restores it, moving the ledger it replaces aside. Restored on
    /// another computer, the ledger takes a new identity and must enrol again (what the old
    /// node had not synced is written to a USB bundle for the hub first).
    RestoreBackup { file: PathBuf },
    /// Makes a new ledger for a unit from what its hub holds (a lost laptop, a forgotten
    /// passphrase): enrols with a code the hub issued for the unit, takes back the election day
    /// and law version, and pulls every record of the unit. The data folder must hold no ledger.
    Restore {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        code: String,
    },
    /// Who changed which field of a record when, from which node.
    History {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Finds administrative units by name or code.
    Units {
        #[arg(long, default_value = "2025")]
        scheme: String,
        /// Words of the name (marks ignored), or a code.
        query: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Adds an official with a role (chair only); their passphrase comes from
    /// `$SOBAUCU_NEW_PASSPHRASE` or the terminal.
    Add {
        name: String,
        /// chair, secretary, member or viewer.
        #[arg(long)]
        role: String,
    },
    /// Lists the ledger's users and their roles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Removes an official (chair only) and re-keys the ledger.
    Remove { name: String },
}

#[derive(Subcommand)]
enum PassphraseAction {
    /// Changes the user's passphrase and re-keys the ledger.
    Change,
}

#[derive(Subcommand)]
enum BundleAction {
    /// Writes everything the hub has not acknowledged to FILE.
    Export { file: PathBuf },
    /// Applies a bundle the hub made for this ledger.
    Import { file: PathBuf },
}

fn main() -> ExitCode {
    // What the sync did, for IT staff (`SOBAUCU_LOG=info` or `debug`), on the error stream; it
    // never holds personal data.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("SOBAUCU_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let vietnamese = std::env::var("LANG").is_ok_and(|l| l.starts_with("vi"));
            match error.downcast_ref::<sobaucu_core::Error>() {
                Some(core) if vietnamese => eprintln!("lỗi: {}", core.message_vi()),
                _ => eprintln!("error: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// The user named on the command line or in `$SOBAUCU_USER`.
static USER: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn user() -> Option<&'static str> {
    USER.get().and_then(|u| u.as_deref())
}

/// Opens the existing ledger in `dir` as the user, with the passphrase from
/// `$SOBAUCU_PASSPHRASE` or the terminal.
pub fn open_ledger(dir: &std::path::Path) -> Result<Store> {
    if !sobaucu_core::store::exists(dir) {
        return Err(sobaucu_core::Error::NotInitialized(dir.display().to_string()).into());
    }
    let credentials =
        sobaucu_client::passphrase::credentials(user(), "SOBAUCU_PASSPHRASE", false).map_err(anyhow::Error::msg)?;
    Ok(Store::open_existing(dir, &credentials)?)
}

/// Opens the ledger in `dir`, creating it when there is none (the passphrase is then asked
/// twice, and the user becomes its chair).
fn create_ledger(dir: &std::path::Path) -> Result<Store> {
    let creating = !sobaucu_core::store::exists(dir);
    let credentials =
        sobaucu_client::passphrase::credentials(user(), "SOBAUCU_PASSPHRASE", creating).map_err(anyhow::Error::msg)?;
    Ok(Store::open(dir, &credentials)?)
}

/// `restore`: a new ledger for the code's unit, filled from the hub, put in `dir` once
/// enrolled (an interrupted restore leaves nothing in `dir`).
fn restore_from_hub(dir: &std::path::Path, hub: &str, code: &str) -> Result<()> {
    if sobaucu_core::store::exists(dir) {
        bail!(
            "{} already holds a ledger: restore into an empty folder (--data DIR), or move it away first",
            dir.display()
        );
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} is not empty: restore into an empty folder (--data DIR)", dir.display());
    }
    let parsed = sobaucu_protocol::code::EnrolCode::parse(code).map_err(|e| anyhow::anyhow!("--code: {e}"))?;
    let health = sobaucu_client::health(hub)?;
    let credentials =
        sobaucu_client::passphrase::credentials(user(), "SOBAUCU_PASSPHRASE", true).map_err(anyhow::Error::msg)?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    sobaucu_core::vault::create_private_dir(parent)?;
    let staging = tempfile::Builder::new().prefix(".sobaucu-restore").tempdir_in(parent)?;
    let mut store = Store::open(staging.path(), &credentials)?;
    // The election day comes from the hub with the enrolment; until then, today's stands in.
    store.init(InitOptions {
        unit: parsed.unit.parse()?,
        scheme: health.scheme.parse()?,
        election_date: sobaucu_core::today(),
        law: None,
    })?;
    let answer = sobaucu_client::enroll(&mut store, hub, code, sobaucu_protocol::Role::Node)?;
    let Some(settings) = answer.settings else {
        bail!(
            "the hub holds no election day for unit {} (no ledger of it has synced with this version): create the ledger with `sobaucu init` and enrol it with a new code",
            parsed.unit
        );
    };
    store.restore_settings(&settings)?;
    let progress = sobaucu_client::sync(&mut store, None, print_progress);
    eprintln!();
    let node = store.node()?.clone();
    drop(store);
    if dir.exists() {
        std::fs::remove_dir(dir)?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, dir)?;
    println!(
        "restored a ledger of {} ({}) for the election of {} under the {} law into {}: node {}",
        node.unit().name,
        node.unit,
        node.election_date,
        node.law.as_str(),
        dir.display(),
        node.node_id
    );
    match progress {
        Ok(p) => println!("pulled {} changes from the hub", p.pulled),
        Err(e) => println!("the pull did not finish ({e}): run `sobaucu sync` to finish it"),
    }
    Ok(())
}

fn new_passphrase(prompt: &str) -> Result<zeroize::Zeroizing<String>> {
    sobaucu_client::passphrase::read("SOBAUCU_NEW_PASSPHRASE", prompt, true).map_err(anyhow::Error::msg)
}

fn run(cli: Cli) -> Result<()> {
    let dir = cli.data.unwrap_or_else(sobaucu_core::default_data_dir);
    let named = cli.user.or_else(|| std::env::var("SOBAUCU_USER").ok()).filter(|u| !u.trim().is_empty());
    let _ = USER.set(named);
    match cli.command {
        Command::Init { unit, scheme, election, law } => {
            let election = chrono::NaiveDate::parse_from_str(&election, "%Y-%m-%d")
                .with_context(|| format!("--election `{election}` is not a date YYYY-MM-DD"))?;
            // Most likely a typo: say so, but let a script go on.
            if let Some((doubt, _)) = sobaucu_core::api::election_date_doubt(election, sobaucu_core::today()) {
                eprintln!("warning: {doubt}");
            }
            let options = InitOptions {
                unit: unit.parse()?,
                scheme: scheme.parse()?,
                election_date: election,
                law: law.map(|l| l.parse::<LawVersion>()).transpose()?,
            };
            let catalogue = Catalogue::get(options.scheme);
            catalogue.require(&options.unit)?;
            let mut store = create_ledger(&dir)?;
            let node = store.init(options)?;
            println!(
                "initialised {} ({}) for the election of {} under the {} law, node {}, in {}",
                node.unit().name,
                node.unit,
                node.election_date,
                node.law.as_str(),
                node.node_id,
                dir.display()
            );
        }
        Command::Demo { voters } => {
            let mut store = create_ledger(&dir)?;
            let node = sobaucu_core::demo::create(&mut store, sobaucu_core::today(), voters)?;
            println!("demo ledger of {} ({}) with {voters} voters in {}", node.unit().name, node.unit, dir.display());
        }
        Command::Import {
            kind,
            set,
            preview,
            json,
            update,
            remove_missing,
            reason,
            map,
            skip_column,
            header_row,
            skip_line,
            files,
        } => {
            let kind = kind.as_deref().map(Kind::require).transpose()?;
            let mut defaults = serde_json::Map::new();
            for pair in set {
                let (field, value) =
                    pair.split_once('=').with_context(|| format!("--set `{pair}`: write FIELD=VALUE"))?;
                defaults.insert(field.trim().to_string(), serde_json::Value::String(value.to_string()));
            }
            let mut store = open_ledger(&dir)?;
            let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
            let mut columns = std::collections::BTreeMap::new();
            for pair in map {
                let (header, field) =
                    pair.rsplit_once('=').with_context(|| format!("--map `{pair}`: write \"HEADER=FIELD\""))?;
                columns.insert(header.trim().to_string(), field.trim().to_string());
            }
            let options = transfer::ImportOptions {
                kind,
                defaults,
                preview,
                map: columns,
                skip: skip_column,
                update,
                remove_missing: if remove_missing { reason } else { None },
                header_row: header_row.map(|n| n as usize),
                skip_lines: skip_line,
            };
            let summary = transfer::import(&mut store, &paths, &options)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                print_import(&summary, preview);
            }
            if preview && !summary.problems.is_empty() {
                bail!("{} problems: nothing would be imported until they are fixed", summary.problems.len());
            }
        }
        Command::Edit { kind, id, set, json } => {
            let kind = Kind::require(&kind)?;
            let id: sobaucu_core::RecordId = id.parse()?;
            let mut input = serde_json::Map::new();
            for pair in set {
                let (field, value) =
                    pair.split_once('=').with_context(|| format!("--set `{pair}`: write FIELD=VALUE"))?;
                let value = if value.trim().is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::String(value.to_string())
                };
                input.insert(field.trim().to_string(), value);
            }
            let mut store = open_ledger(&dir)?;
            let saved = store.save(kind, Some(id), &input)?;
            if json {
                println!("{saved}");
            } else {
                println!("saved {} {id}: {} fields set", kind.as_str(), input.len());
            }
        }
        Command::Delete { kind, id, reason } => {
            let kind = Kind::require(&kind)?;
            let id: sobaucu_core::RecordId = id.parse()?;
            let mut store = open_ledger(&dir)?;
            store.delete_because(kind, id, &reason)?;
            if kind == Kind::Voter {
                println!("voter {id} removed from the list (a voter-list change with the reason)");
            } else {
                println!("deleted {} {id}", kind.as_str());
            }
        }
        Command::Imports => {
            let store = open_ledger(&dir)?;
            for import in store.imports()? {
                let undone = import.undone_at.map(|at| format!(" (undone {at})")).unwrap_or_default();
                println!(
                    "{:>4}  {}  {} records  {}{undone}",
                    import.id,
                    import.at,
                    import.records,
                    import.files.replace('\n', ", ")
                );
            }
        }
        Command::UndoImport { id } => {
            let mut store = open_ledger(&dir)?;
            let n = store.undo_import(id)?;
            println!("undid import {id}: {n} records deleted");
        }
        Command::Export { kind, format, out } => {
            let kind = Kind::require(&kind)?;
            let format = Format::parse(&format)?;
            let store = open_ledger(&dir)?;
            let n = transfer::export(&store, kind, format, &out)?;
            println!("exported {n} {} records to {}", kind.as_str(), out.display());
        }
        Command::Report { json, format, out } => {
            let store = open_ledger(&dir)?;
            if format.is_some() || out.is_some() {
                return print::report(&store, json, format.as_deref(), out.as_deref());
            }
            let report = report::compute(&store.db(), store.node()?, sobaucu_core::today())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report);
            }
        }
        Command::Progress { unit, json } => progress::run(&dir, unit.as_deref(), json)?,
        Command::Print { what } => print::run(&dir, what)?,
        Command::ElectionDay { json } => {
            let store = open_ledger(&dir)?;
            let day = sobaucu_core::api::election_day(&store)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&day)?);
            } else {
                let hours: Vec<&str> =
                    day["hours"].as_array().into_iter().flatten().filter_map(|h| h.as_str()).collect();
                println!("{:<34} {}", "TURNOUT", hours.iter().map(|h| format!("{h:>7}")).collect::<String>());
                let rate = |p: &serde_json::Value| match p["rate"].as_f64() {
                    Some(r) => format!("{r:>6.1}%"),
                    None => format!("{:>7}", "-"),
                };
                let rows = day["units"].as_array().filter(|u| !u.is_empty()).cloned().unwrap_or_else(|| {
                    vec![serde_json::json!({"name": store.node().map(|n| n.unit().name.clone()).unwrap_or_default(), "points": day["turnout"]})]
                });
                for unit in &rows {
                    let points: String = unit["points"].as_array().into_iter().flatten().map(rate).collect();
                    println!("{:<34} {points}", unit["name"].as_str().unwrap_or_default());
                }
                for (level, r) in day["results"].as_object().into_iter().flatten() {
                    println!();
                    println!(
                        "{level}: {}/{} polling areas counted, turnout {}%",
                        r["areas_reported"], r["areas_total"], r["turnout"]
                    );
                    for unit in r["units"].as_array().into_iter().flatten() {
                        let elected: Vec<String> = unit["candidates"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter(|c| c["elected"] == true)
                            .map(|c| format!("{} ({})", c["name"].as_str().unwrap_or_default(), c["votes"]))
                            .collect();
                        println!(
                            "  {:<30} {:<18} art {:<5} {}",
                            unit["name"].as_str().unwrap_or_default(),
                            unit["outcome"].as_str().unwrap_or_default(),
                            unit["art"].as_str().unwrap_or_default(),
                            elected.join(", ")
                        );
                    }
                }
            }
        }
        Command::Timeline => {
            let store = open_ledger(&dir)?;
            let node = store.node()?;
            let today = sobaucu_core::today();
            let entries = timeline::for_unit(&store.db(), node.law, node.election_date, &node.unit, today)?;
            println!(
                "{} ({}) · election day {} · law {} · today {}",
                node.unit().name,
                node.unit,
                node.election_date.format("%d/%m/%Y"),
                node.law.as_str(),
                today.format("%d/%m/%Y")
            );
            println!("{:<28} {:<10} {:<11} DETAIL", "MILESTONE", "DUE", "STATUS");
            for e in entries {
                let detail = match (e.standing.done_on, e.standing.days_late, e.standing.days_left) {
                    (Some(on), Some(late), _) => format!("done {} ({late} days late)", on.format("%d/%m/%Y")),
                    (Some(on), None, _) => format!("done {}", on.format("%d/%m/%Y")),
                    (None, Some(late), _) => format!("{late} days late"),
                    (None, None, Some(left)) => format!("in {left} days"),
                    _ => String::new(),
                };
                println!(
                    "{:<28} {:<10} {:<11} {}",
                    e.milestone,
                    e.due.format("%d/%m/%Y"),
                    e.standing.status.as_str(),
                    detail
                );
            }
        }
        Command::List { kind, search, limit, unit, json } => {
            let kind = Kind::require(&kind)?;
            let store = open_ledger(&dir)?;
            let page = store.list(kind, &ListQuery { q: search, unit, limit: Some(limit), ..Default::default() })?;
            let def = kind.def();
            // A merged ledger says which unit each record came from.
            let merged = store.node()?.unit().level != sobaucu_core::Level::Commune;
            for row in &page.rows {
                if json {
                    println!("{row}");
                } else {
                    let cells: Vec<String> = def
                        .list_fields
                        .iter()
                        .map(|f| {
                            let title = row.get(format!("{f}_title")).and_then(|v| v.as_str());
                            match (title, row.get(*f)) {
                                (Some(t), _) => t.to_string(),
                                (None, Some(serde_json::Value::String(s))) => s.clone(),
                                (None, Some(serde_json::Value::Null) | None) => String::new(),
                                (None, Some(v)) => v.to_string(),
                            }
                        })
                        .collect();
                    let id = row["id"].as_str().unwrap_or_default();
                    if merged {
                        println!("{id}  [{}]  {}", row["unit_name"].as_str().unwrap_or_default(), cells.join(" | "));
                    } else {
                        println!("{id}  {}", cells.join(" | "));
                    }
                }
            }
            if !json {
                println!("{} of {} records", page.rows.len(), page.total);
            }
        }
        Command::Enroll { hub, code } => {
            let mut store = open_ledger(&dir)?;
            let answer = sobaucu_client::enroll(&mut store, &hub, &code, sobaucu_protocol::Role::Node)?;
            println!("enrolled with hub {} (unit {}) at {hub}", answer.hub_node_id, answer.hub_unit);
        }
        Command::Sync { hub } => {
            let mut store = open_ledger(&dir)?;
            let progress = sobaucu_client::sync(&mut store, hub.as_deref(), print_progress);
            eprintln!();
            let progress = progress?;
            println!(
                "synced: the hub has {} of {} changes, pulled {} ({} bytes up, {} bytes down, {} round trips)",
                progress.pushed,
                progress.to_push,
                progress.pulled,
                progress.bytes_up,
                progress.bytes_down,
                progress.rounds
            );
            if progress.refused > 0 {
                println!(
                    "the hub refused {} changes of this ledger: `sobaucu refused` lists them with the reasons",
                    progress.refused
                );
            }
            if let Some(off) = progress.clock_off_seconds {
                println!(
                    "warning: this computer's clock is {} hours {} the hub's: set the date and time",
                    off.unsigned_abs() / 3600,
                    if off > 0 { "behind" } else { "ahead of" }
                );
            }
        }
        Command::Bundle { action: BundleAction::Export { file } } => {
            let mut store = open_ledger(&dir)?;
            let (bytes, count) = sobaucu_client::bundle::export_up(&mut store)?;
            sobaucu_core::files::write_whole(&file, &bytes).with_context(|| format!("writing {}", file.display()))?;
            println!("exported {count} changes to {} ({} bytes)", file.display(), bytes.len());
        }
        Command::Bundle { action: BundleAction::Import { file } } => {
            let mut store = open_ledger(&dir)?;
            let reader = std::fs::File::open(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = sobaucu_client::bundle::import_down(&mut store, std::io::BufReader::new(reader))
                .with_context(|| file.display().to_string())?;
            println!(
                "imported {}: {} changes ({} of {} messages were already here)",
                file.display(),
                report.changes,
                report.already_had,
                report.batches
            );
        }
        Command::Refused { json } => {
            let store = open_ledger(&dir)?;
            let refused = store.refused()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&refused)?);
            } else {
                for r in &refused {
                    println!(
                        "{} change {} of node {}{}: {} ({})",
                        r.at,
                        r.seq,
                        r.origin,
                        r.record_id.as_ref().map(|id| format!(" (record {id})")).unwrap_or_default(),
                        r.message,
                        r.kind
                    );
                }
                println!("{} refused changes", refused.len());
            }
        }
        Command::Verify { json } => {
            let store = open_ledger(&dir)?;
            let report = store.verify()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            if !report.ok() {
                return Err(anyhow::anyhow!("{} problems found", report.problems.len()));
            }
        }
        Command::Conflicts { json } => {
            let store = open_ledger(&dir)?;
            let conflicts = store.conflicts()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&conflicts)?);
            } else {
                for c in &conflicts {
                    let title = c.title.as_ref().and_then(|t| t.as_str()).unwrap_or_default();
                    println!("{} {} ({title}) · {}", c.kind, c.record_id, c.field);
                    let by = |side: &sobaucu_core::store::Side| {
                        let place = side.node_unit_name.clone().unwrap_or_else(|| side.node.clone());
                        match &side.author {
                            Some(author) => format!("{author}, {place}"),
                            None => place,
                        }
                    };
                    println!("    kept:  {}  by {} at {}", c.winner.value, by(&c.winner), c.winner.at);
                    println!("    other: {}  by {} at {}", c.loser.value, by(&c.loser), c.loser.at);
                }
                println!("{} conflicts", conflicts.len());
            }
        }
        Command::Resolve { kind, id, field, value } => {
            let kind = Kind::require(&kind)?;
            let value = serde_json::from_str(&value).unwrap_or(serde_json::Value::String(value));
            let mut store = open_ledger(&dir)?;
            store.resolve(kind, id.parse()?, &field, value)?;
            println!("settled {field} of {} {id}; the settlement syncs like any change", kind.as_str());
        }
        Command::Duplicates(args) => duplicates::run(&dir, args)?,
        Command::Deleted { kind, json } => {
            let store = open_ledger(&dir)?;
            let kind = kind.as_deref().map(Kind::require).transpose()?;
            let rows = store.deleted(kind)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    let reason = r["reason"].as_str().map(|r| format!(" — {r}")).unwrap_or_default();
                    println!(
                        "{:<20} {:<16} {:<24} {}{reason}",
                        r["deleted_at"].as_str().unwrap_or_default(),
                        r["kind"].as_str().unwrap_or_default(),
                        r["id"].as_str().unwrap_or_default(),
                        r["title"].as_str().unwrap_or_default()
                    );
                }
                println!("{} deleted records", rows.len());
            }
        }
        Command::Undelete { kind, id } => {
            let mut store = open_ledger(&dir)?;
            let kind = Kind::require(&kind)?;
            let record = store.undelete(kind, id.parse()?)?;
            println!("{} {id} is back: {}", kind.as_str(), record[kind.def().title_field].as_str().unwrap_or_default());
        }
        Command::Template { kind, out, scheme } => {
            let kind = Kind::require(&kind)?;
            let scheme: sobaucu_core::units::Scheme = scheme.parse()?;
            transfer::template(kind, &sobaucu_core::kinds::ballot_levels(scheme), &out)?;
            println!("wrote the {} template to {}", kind.as_str(), out.display());
        }
        Command::Fields => print!("{}", sobaucu_core::kinds::markdown_reference()),
        Command::User { action: UserAction::Add { name, role } } => {
            let mut store = open_ledger(&dir)?;
            let role: sobaucu_core::access::Role = role.parse()?;
            store.require(sobaucu_core::access::Action::ManageUsers)?;
            let passphrase = new_passphrase(&format!("Passphrase for {name}"))?;
            let added = store.add_user(&name, role, &passphrase)?;
            println!("added {} as {}", added.name, added.role.as_str());
        }
        Command::User { action: UserAction::List { json } } => {
            let store = open_ledger(&dir)?;
            let users = store.users()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for u in &users {
                    println!(
                        "{:<30} {:<10} added {}{}",
                        u.name,
                        u.role.as_str(),
                        u.added_at,
                        u.added_by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
                    );
                }
            }
        }
        Command::User { action: UserAction::Remove { name } } => {
            let mut store = open_ledger(&dir)?;
            let removed = store.remove_user(&name)?;
            println!("removed {removed}; the ledger is re-keyed (a program that has it open must open it again)");
        }
        Command::Passphrase { action: PassphraseAction::Change } => {
            let old = sobaucu_client::passphrase::read("SOBAUCU_PASSPHRASE", "Current passphrase", false)
                .map_err(anyhow::Error::msg)?;
            if !sobaucu_core::store::exists(&dir) {
                return Err(sobaucu_core::Error::NotInitialized(dir.display().to_string()).into());
            }
            let mut store = Store::open_existing(&dir, &sobaucu_core::vault::Credentials::new(user(), &old))?;
            let new = new_passphrase("New passphrase")?;
            store.change_passphrase(&old, &new)?;
            println!("the passphrase of {} is changed; the ledger is re-keyed", store.actor().name);
        }
        Command::Check { json, strict } => {
            let store = open_ledger(&dir)?;
            let findings = sobaucu_core::check::run(&store.db(), store.node()?, sobaucu_core::today())?;
            let vietnamese = std::env::var("LANG").is_ok_and(|l| l.starts_with("vi"));
            if json {
                println!("{}", serde_json::to_string_pretty(&findings)?);
            } else {
                for f in &findings {
                    let message = if vietnamese { &f.message_vi } else { &f.message };
                    let record = if f.id.is_empty() { String::new() } else { format!(" {} {}", f.kind, f.id) };
                    println!(
                        "{:<7} {:<18} Art {:<10} unit {}{record}: {message}",
                        f.severity.to_uppercase(),
                        f.rule,
                        f.article,
                        f.unit
                    );
                }
                let errors = findings.iter().filter(|f| f.severity == "error").count();
                println!("{errors} errors, {} warnings", findings.len() - errors);
            }
            let errors = findings.iter().filter(|f| f.severity == "error").count();
            if strict && errors > 0 {
                bail!("{errors} errors found");
            }
        }
        Command::Confidence { level, json } => {
            let store = open_ledger(&dir)?;
            let rows = sobaucu_core::check::confidence_by_candidate(&store.db(), level.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for c in &rows {
                    println!(
                        "{:<11} {:<10} {:<28} {:<24} conferences {} · carried {} · not carried {} · without quorum {}",
                        c.verdict,
                        c.level,
                        c.full_name,
                        c.electoral_unit,
                        c.conferences,
                        c.carried,
                        c.not_carried,
                        c.without_quorum
                    );
                }
                let carried = rows.iter().filter(|c| c.verdict == "carried").count();
                println!("{} candidates, {carried} carried", rows.len());
            }
        }
        Command::Backup { out } => {
            let mut store = open_ledger(&dir)?;
            let info = store.backup(&out)?;
            println!("backed up to {} ({} bytes) at {}", info.path, info.bytes, info.at);
        }
        Command::RestoreBackup { file } => {
            let credentials = sobaucu_client::passphrase::credentials(user(), "SOBAUCU_PASSPHRASE", false)
                .map_err(anyhow::Error::msg)?;
            let done = sobaucu_client::restore::restore_backup(&dir, &file, &credentials)?;
            let restored = done.restored;
            if let Some((bundle, count)) = done.bundle {
                println!(
                    "{count} changes the old node had not synced are in {}: import it at the hub (`sobaucu-hub bundle import`), then revoke the old node",
                    bundle.display()
                );
            }
            println!(
                "restored the backup of {} taken at {} into {}{}",
                restored.unit,
                restored.taken_at,
                dir.display(),
                restored.replaced.map(|r| format!(" (the ledger it replaced is in {r})")).unwrap_or_default()
            );
            if restored.new_identity {
                println!(
                    "the backup was taken on another computer: this ledger is now a new node and must enrol with its hub (`sobaucu enroll`)"
                );
            }
        }
        Command::Restore { hub, code } => restore_from_hub(&dir, &hub, &code)?,
        Command::History { kind, id, json } => {
            let kind = Kind::require(&kind)?;
            let id: sobaucu_core::RecordId =
                id.parse().map_err(|_| anyhow::anyhow!("--id `{id}` is not a record id"))?;
            let store = open_ledger(&dir)?;
            let history = store.history(kind, id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&history)?);
            } else {
                for h in &history {
                    let fields: Vec<String> = h
                        .fields
                        .iter()
                        .map(|(k, v)| match v {
                            serde_json::Value::String(s) => format!("{k}={s}"),
                            other => format!("{k}={other}"),
                        })
                        .collect();
                    println!(
                        "{}  {}{}  {}",
                        h.at,
                        h.author.as_deref().unwrap_or("?"),
                        if h.here { String::new() } else { format!(" (node {})", h.node) },
                        fields.join(", ")
                    );
                }
            }
        }
        Command::Units { scheme, query } => {
            let scheme: Scheme = scheme.parse()?;
            let hits = Catalogue::get(scheme).search(&query, 30);
            if hits.is_empty() {
                bail!("no unit matches `{query}` in the {} list", scheme.as_str());
            }
            for unit in hits {
                println!("{:<6} {:<9} {}", unit.code, unit.level.as_str(), unit.path);
            }
        }
    }
    Ok(())
}

fn print_import(summary: &transfer::ImportSummary, preview: bool) {
    let parts: Vec<String> = summary.by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    const SHOWN: usize = 50;
    for h in &summary.header_rows.iter().filter(|h| h.row > 1).collect::<Vec<_>>() {
        println!(
            "{}: the header is row {} (the rows above it are titles; --header-row N takes another)",
            h.file, h.row
        );
    }
    for u in &summary.unknown_columns {
        let guesses =
            if u.suggestions.is_empty() { String::new() } else { format!(" (perhaps {})", u.suggestions.join(", ")) };
        println!(
            "unknown column: {} column {} `{}`{guesses}: --map \"{}=FIELD\" or --skip-column \"{}\"",
            u.file, u.column, u.header, u.header, u.header
        );
    }
    if let Some(update) = &summary.update {
        let verb = if preview { "would" } else { "did" };
        println!(
            "update: {} added, {} changed, {} unchanged, {} missing{} ({verb})",
            update.added,
            update.changed.len(),
            update.unchanged,
            update.missing.len(),
            if update.removed > 0 { format!(", {} removed", update.removed) } else { String::new() }
        );
        for c in update.changed.iter().take(SHOWN) {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| {
                    let show = |v: &Option<serde_json::Value>| match v {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => "∅".into(),
                    };
                    format!("{}: {} → {}", f.field, show(&f.old), show(&f.new))
                })
                .collect();
            println!("changed: {}:{} {} {}: {}", c.file, c.line, c.kind, c.id, fields.join("; "));
        }
        for m in update.missing.iter().take(SHOWN) {
            println!("missing: {} {} ({})", m.kind, m.id, m.title);
        }
    }
    if preview {
        println!("preview: {} records can be added ({}); nothing was written", summary.records, parts.join(", "));
    } else {
        let number = summary.import_id.map(|i| format!(" as import {i}")).unwrap_or_default();
        println!("imported {} records ({}){number}", summary.records, parts.join(", "));
    }
    for p in summary.problems.iter().take(SHOWN) {
        if p.missing_column {
            println!("problem: {}: {}", p.file, p.message);
            continue;
        }
        let column = p.column.as_deref().map(|c| format!(", column `{c}`")).unwrap_or_default();
        println!("problem: {}:{}{column}: {}", p.file, p.line, p.message);
    }
    if summary.problems.len() > SHOWN {
        println!("… and {} more problems (--json lists them all)", summary.problems.len() - SHOWN);
    }
    for d in summary.duplicates.iter().take(SHOWN) {
        let rule = if d.rule == "id_number" { "same ID number" } else { "same name and date of birth" };
        println!("probable duplicate: {}:{} and {} ({rule})", d.file, d.line, d.matches);
    }
    if summary.duplicates.len() > SHOWN {
        println!("… and {} more probable duplicates (--json lists them all)", summary.duplicates.len() - SHOWN);
    }
}

/// A one-line progress bar on the terminal's error stream.
fn print_progress(p: &sobaucu_client::Progress) {
    let width = 30;
    let done = (p.pushed.min(p.to_push) * width as u64).checked_div(p.to_push).map_or(width, |d| d as usize);
    eprint!(
        "\rsync [{}{}] pushed {}/{} · pulled {} · {} KB up, {} KB down ",
        "#".repeat(done),
        "-".repeat(width - done),
        p.pushed,
        p.to_push,
        p.pulled,
        p.bytes_up / 1024,
        p.bytes_down / 1024
    );
}

fn print_report(r: &report::Report) {
    println!("{} ({}) · election day {} · law {}", r.unit.name, r.unit.code, r.election_date.format("%d/%m/%Y"), r.law);
    println!("committees: {}   teams: {}", r.committees, r.teams);
    let levels = ["na", "provincial", "district", "commune"];
    println!("boards:            {}", levels.map(|l| format!("{l} {}", r.boards[l])).join(", "));
    println!(
        "electoral units:   {}",
        levels.map(|l| format!("{l} {} ({} seats)", r.electoral_units[l].units, r.electoral_units[l].seats)).join(", ")
    );
    println!("polling areas:     {} ({} separate)", r.polling_areas, r.polling_areas_separate);
    println!(
        "voters:            {} (male {}, female {})",
        r.voters,
        r.voters_by_sex.get("male").copied().unwrap_or(0),
        r.voters_by_sex.get("female").copied().unwrap_or(0)
    );
    for l in levels {
        let c = &r.candidates[l];
        if c.total > 0 {
            println!(
                "candidates {l:<10} {} (self-nominated {}, women {}, ethnic minority {}, under 40 {})",
                c.total, c.self_nominated, c.women, c.ethnic_minority, c.under_40
            );
        }
    }
    for (round, c) in &r.consultations {
        println!(
            "consultation {round}:  {}/{} districts, {}/{} communes",
            c.districts_done, c.districts_total, c.communes_done, c.communes_total
        );
    }
    for l in levels {
        let c = &r.voter_conferences[l];
        if c.conferences > 0 {
            println!(
                "voter conferences {l}: {} residential areas, {} communes, {} districts",
                c.areas, c.communes, c.districts
            );
        }
    }
    println!(
        "complaints:        {} received, {} resolved, {} transferred, {} open",
        r.complaints.received, r.complaints.resolved, r.complaints.transferred, r.complaints.open
    );
    let late: Vec<&str> = r.timeline.iter().filter(|t| t.status == "overdue").map(|t| t.milestone.as_str()).collect();
    if !late.is_empty() {
        println!("overdue:           {}", late.join(", "));
    }
}
