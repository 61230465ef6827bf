//! `sobaucu-hub`: a district or province hub. It keeps the change log of its whole subtree,
//! serves the sync protocol to the nodes and hubs enrolled below it, and relays everything
//! upward to its own parent hub, if it has one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sobaucu_client::Child;
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_hub::store::{HubStore, SqliteHubStore};
use sobaucu_hub::{bundles, server};
use tokio::sync::Notify;

#[derive(Parser)]
#[command(name = "sobaucu-hub", version, about = "Sổ Bầu Cử hub: merges the ledgers of a district or a province")]
struct Cli {
    /// The hub's directory.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the hub of a district or province; with --parent, enrolls it at its parent hub.
    Init {
        #[arg(long)]
        unit: String,
        /// The list of administrative units: 2021 or 2025.
        #[arg(long, default_value = "2025")]
        scheme: String,
        /// The parent hub's URL.
        #[arg(long, requires = "code")]
        parent: Option<String>,
        /// The enrolment code the parent issued for this hub's unit.
        #[arg(long, requires = "parent")]
        code: Option<String>,
    },
    /// Prints a one-time enrolment code for a unit of this hub's subtree.
    EnrollCode {
        #[arg(long)]
        unit: String,
    },
    /// Serves the sync protocol, and relays to the parent hub in the background.
    Serve {
        #[arg(long, default_value = "127.0.0.1:7420")]
        listen: String,
        /// Seconds between relays to the parent when nothing new arrives.
        #[arg(long, default_value_t = 30)]
        relay_interval: u64,
    },
    /// USB bundles: import one, or export one for a node (--for) or for the parent (--up).
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Refuses every further request of a node (a lost or stolen laptop).
    Revoke {
        #[arg(long)]
        node: String,
    },
    /// Prints the hub's identity, log and enrolled nodes.
    Status,
}

#[derive(Subcommand)]
enum BundleAction {
    Import {
        file: PathBuf,
    },
    Export {
        file: PathBuf,
        /// The node (its id) the bundle is for.
        #[arg(long = "for", conflicts_with = "up")]
        for_node: Option<String>,
        /// A bundle for the parent hub.
        #[arg(long)]
        up: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn node_arg(s: &str) -> Result<u64> {
    u64::from_str_radix(s.trim(), 16)
        .ok()
        .filter(|_| s.trim().len() == 16)
        .with_context(|| format!("`{s}` is not a node id (16 hex digits)"))
}

fn run(cli: Cli) -> Result<()> {
    let mut store = SqliteHubStore::open(&cli.data)?;
    match cli.command {
        Command::Init { unit, scheme, parent, code } => {
            let unit: UnitCode = unit.parse()?;
            let scheme: Scheme = scheme.parse()?;
            let me = store.init(&unit, scheme)?;
            let name = &Catalogue::get(scheme).require(&unit)?.name;
            println!(
                "hub {:016x} for {name} ({unit}), {} units, in {}",
                me.node_id,
                scheme.as_str(),
                cli.data.display()
            );
            if let (Some(url), Some(code)) = (parent, code) {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                let answer = runtime.block_on(sobaucu_client::enroll(&mut store, &url, &code, "hub"))?;
                println!("enrolled at hub {} ({}) at {url}", answer.hub_node_id, answer.hub_unit);
            }
        }
        Command::EnrollCode { unit } => {
            let code = store.issue_code(&unit.parse()?)?;
            println!("{code}");
        }
        Command::Serve { listen, relay_interval } => serve(store, &cli.data, &listen, relay_interval)?,
        Command::Bundle { action: BundleAction::Import { file } } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let said = bundles::import(&mut store, &bytes).with_context(|| file.display().to_string())?;
            println!("imported {}: {said}", file.display());
        }
        Command::Bundle { action: BundleAction::Export { file, for_node, up } } => {
            let (bytes, count) = match (for_node, up) {
                (Some(node), false) => bundles::export_for_child(&mut store, node_arg(&node)?)?,
                (None, true) => bundles::export_up(&mut store)?,
                _ => bail!("say whom the bundle is for: --for NODE_ID or --up"),
            };
            let partial = file.with_extension("partial");
            std::fs::write(&partial, &bytes)?;
            std::fs::rename(&partial, &file)?;
            println!("exported {count} changes to {} ({} bytes)", file.display(), bytes.len());
        }
        Command::Revoke { node } => {
            store.revoke(node_arg(&node)?)?;
            println!("node {node} is revoked");
        }
        Command::Status => {
            let me = store.identity()?;
            println!(
                "hub {:016x}, unit {}, scheme {}, log head {}",
                me.node_id,
                me.unit,
                me.scheme.as_str(),
                store.log_head()?
            );
            if let Some(parent) = store.parent()? {
                println!(
                    "parent {} at {}: sent up to {}, received up to {}",
                    parent.peer,
                    parent.url.unwrap_or_default(),
                    parent.sent_idx,
                    parent.received_idx
                );
            }
            for child in store.children()? {
                println!(
                    "child {} ({}, unit {}){}: received up to {}, has ours up to {}; changes new {}, duplicate {}, replays {}",
                    child.peer,
                    child.kind,
                    child.unit,
                    if child.revoked { " REVOKED" } else { "" },
                    child.received_idx,
                    child.sent_idx,
                    child.counts[0],
                    child.counts[1],
                    child.counts[2]
                );
            }
        }
    }
    Ok(())
}

fn serve(store: SqliteHubStore, dir: &std::path::Path, listen: &str, relay_interval: u64) -> Result<()> {
    let me = store.identity()?;
    let relay = Arc::new(Notify::new());
    let has_parent = store.parent()?.is_some();
    let state = Arc::new(server::AppState { store: Mutex::new(store), relay: relay.clone() });
    if has_parent {
        // The relay has its own connection to the store, on its own thread.
        let relay_store = SqliteHubStore::open(dir)?;
        std::thread::spawn(move || relay_loop(relay_store, relay, Duration::from_secs(relay_interval.max(1))));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let addr: SocketAddr = listener.local_addr()?;
        println!("hub {:016x} ({}) listening on http://{addr}", me.node_id, me.unit);
        use std::io::Write;
        std::io::stdout().flush().ok();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        axum::serve(listener, server::router(state)).with_graceful_shutdown(shutdown).await?;
        Ok(())
    })
}

/// Pushes what the children sent up to the parent hub, and pulls what comes from above:
/// soon after each push from below, and every `interval` otherwise; after a failure it waits
/// longer each time, up to ten intervals.
fn relay_loop(mut store: SqliteHubStore, wake: Arc<Notify>, interval: Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async move {
        let mut wait = Duration::from_millis(200);
        loop {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            match sobaucu_client::sync(&mut store, None, |_| {}).await {
                Ok(p) => {
                    if p.pushed > 0 || p.pulled > 0 {
                        eprintln!("relay: pushed {} and pulled {} changes", p.pushed, p.pulled);
                    }
                    wait = interval;
                }
                Err(e) => {
                    eprintln!("relay: {e}");
                    wait = (wait * 2).clamp(interval, interval * 10);
                }
            }
        }
    });
}
