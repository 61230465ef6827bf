//! `sobaucu duplicates`: voters listed in more than one commune of a merged ledger, and the
//! decisions about them. Parsing and printing only; the rules live in `sobaucu_core::duplicates`.

use std::path::Path;

use anyhow::{Result, bail};
use clap::Subcommand;
use sobaucu_core::duplicates::{DecideRequest, Decision, Options, Pair, Voter};
use sobaucu_core::kinds::FieldType;
use sobaucu_core::store::display_value;

/// `duplicates [--json] [--all] [--same-commune]`, or `duplicates decide A B …`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Print a JSON array of pairs (`rule`, `score`, `a`, `b`, and `decision` with `--all`).
    #[arg(long)]
    json: bool,
    /// Also the pairs already decided, with their decision.
    #[arg(long)]
    all: bool,
    /// Also pairs within one commune (by default only pairs across communes).
    #[arg(long)]
    same_commune: bool,
}

#[derive(Subcommand)]
enum Action {
    /// Decides about two voters: `--keep-both` (two different people), or `--remove ID
    /// --reason R` (one person listed twice: takes that voter off its list). The decision
    /// syncs to the communes like any change.
    Decide {
        /// The id of one voter of the pair.
        a: String,
        /// The id of the other voter.
        b: String,
        /// They are two different people: both stay on their lists.
        #[arg(long, conflicts_with = "remove", required_unless_present = "remove")]
        keep_both: bool,
        /// The id of the voter (A or B) to remove from its list.
        #[arg(long, value_name = "ID", requires = "reason")]
        remove: Option<String>,
        /// Why (required to remove).
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Runs `duplicates` on the ledger in `dir`.
pub fn run(dir: &Path, args: Args) -> Result<()> {
    match args.action {
        None => {
            let store = crate::open_ledger(dir)?;
            let options = Options { include_same_unit: args.same_commune, include_decided: args.all };
            let pairs = store.duplicates(&options)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&pairs)?);
            } else {
                print_pairs(&pairs);
            }
        }
        Some(Action::Decide { a, b, keep_both, remove, reason }) => {
            let decision = match (keep_both, remove) {
                (true, None) => Decision::KeepBoth,
                (false, Some(voter)) => Decision::Remove(voter.parse()?),
                _ => bail!("give either --keep-both or --remove ID"),
            };
            let request = DecideRequest {
                a: a.parse()?,
                b: b.parse()?,
                decision: decision.clone(),
                reason,
                on: sobaucu_core::today(),
            };
            let mut store = crate::open_ledger(dir)?;
            let decided = store.decide_duplicate(&request)?;
            match (decision, decided.list_change_id) {
                (Decision::Remove(voter), Some(change)) => println!(
                    "removed voter {voter} from its list (list change {change}, decision {}); \
                     both sync to the communes like any change",
                    decided.decision_id
                ),
                _ => println!(
                    "kept both voters {a} and {b} (decision {}); it syncs to the communes like any change",
                    decided.decision_id
                ),
            }
        }
    }
    Ok(())
}

fn or_empty(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// One voter of a pair on one line: commune, id, name, birth date, sex, ID number, area.
fn side_line(side: &Voter) -> String {
    let birth = side
        .birth_date
        .as_ref()
        .map(|b| display_value(&FieldType::PartialDate, &serde_json::Value::String(b.clone())))
        .unwrap_or_default();
    let sex = match or_empty(&side.sex) {
        "male" => "Nam",
        "female" => "Nữ",
        other => other,
    };
    format!(
        "{} {:<22} {:<22} {:<28} {:<10} {:<3} {:<12} {}",
        side.unit,
        or_empty(&side.unit_name),
        side.id,
        or_empty(&side.full_name),
        birth,
        sex,
        or_empty(&side.id_number),
        or_empty(&side.polling_area_title)
    )
}

fn print_pairs(pairs: &[Pair]) {
    for pair in pairs {
        println!("{:>3}  {:<10}  {}", pair.score, pair.rule.as_str(), side_line(&pair.a));
        println!("{:>3}  {:<10}  {}", "", "", side_line(&pair.b));
        if let Some(decision) = &pair.decision {
            let what = match decision.decision.as_deref() {
                Some("removed") => format!("removed {}", or_empty(&decision.removed_voter)),
                _ => "kept both".to_string(),
            };
            println!("{:>17}decided {}: {what} · {}", "", or_empty(&decision.decided_on), or_empty(&decision.reason));
        }
    }
    let decided = pairs.iter().filter(|p| p.decision.is_some()).count();
    if decided > 0 {
        println!("{} pairs ({decided} decided)", pairs.len());
    } else {
        println!("{} pairs", pairs.len());
    }
}
