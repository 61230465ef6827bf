//! `sobaucu-hub`: a district or province hub. It keeps the change log of its whole subtree,
//! serves the sync protocol to the nodes and hubs enrolled below it, and relays everything
//! upward to its own parent hub, if it has one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_hub::bundles;
use sobaucu_hub::server::{self, AppState, Config};
use sobaucu_hub::store::HubStore;
use sobaucu_protocol::{NodeId, Role};

#[derive(Parser)]
#[command(name = "sobaucu-hub", version, about = "Sổ Bầu Cử hub: merges the ledgers of a district or a province")]
struct Cli {
    /// The hub's directory.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// A file holding the passphrase of the hub's store (default: `$SOBAUCU_HUB_PASSPHRASE`,
    /// else the terminal). Readable by the hub's user only.
    #[arg(long, global = true, value_name = "FILE")]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the hub of a district or province; with --parent, enrolls it at its parent hub
    /// (with a code the parent issued with `--role hub`).
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
        /// Keep the hub's store in this PostgreSQL database (a URL, `postgres://user@host/db`,
        /// or `host=/run/postgresql dbname=hub`) instead of an SQLite file in DIR; a database of
        /// its own, empty. Also `$SOBAUCU_HUB_DATABASE`. The URL is kept in DIR, owner-only.
        #[arg(long, value_name = "URL", env = "SOBAUCU_HUB_DATABASE", hide_env_values = true)]
        database: Option<String>,
    },
    /// Moves this hub's store from its SQLite file to an empty PostgreSQL database, whole (its
    /// positions, so children go on where they were), payloads sealed on the way; the file is
    /// kept beside as `hub.sqlite.moved`.
    Migrate {
        /// The PostgreSQL database's URL.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Enrolls this hub at a parent hub (a hub made without one, or enrolled with an older
    /// version of the sync), with a code the parent issued with `--role hub`.
    Enroll {
        #[arg(long)]
        parent: String,
        #[arg(long)]
        code: String,
    },
    /// Prints a one-time enrolment code for a unit of this hub's subtree: it enrols one node
    /// (a ledger) or, with --role hub, one hub below this one, and pins this hub's keys.
    EnrollCode {
        #[arg(long)]
        unit: String,
        /// What the code enrols: node (a ledger) or hub.
        #[arg(long, default_value = "node")]
        role: String,
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7)]
        expires_days: u32,
    },
    /// Serves the sync protocol, and relays to the parent hub in the background.
    Serve {
        #[arg(long, default_value = "127.0.0.1:7420")]
        listen: String,
        /// Seconds between relays to the parent when nothing new arrives.
        #[arg(long, default_value_t = 30)]
        relay_interval: u64,
        /// Connections served at once.
        #[arg(long, default_value_t = 1024)]
        max_connections: usize,
        /// Seconds a client has to send a request's headers.
        #[arg(long, default_value_t = 30)]
        header_timeout: u64,
        /// Seconds a client has to send a request's body.
        #[arg(long, default_value_t = 180)]
        body_timeout: u64,
        /// Refused enrolment attempts one address may make in ten minutes.
        #[arg(long, default_value_t = 20)]
        enrol_attempts: u32,
        /// Sync requests one node may make in ten minutes.
        #[arg(long, default_value_t = 600)]
        requests_per_node: u32,
        /// Connections to the store that syncs share (many children at once).
        #[arg(long, default_value_t = 8)]
        store_connections: usize,
        /// Serve the hub's figures (`/metrics`, Prometheus text) on this address, e.g.
        /// 127.0.0.1:7421; an address other than loopback needs --metrics-token.
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// The bearer token `/metrics` asks for (also `$SOBAUCU_HUB_METRICS_TOKEN`).
        #[arg(long)]
        metrics_token: Option<String>,
    },
    /// USB bundles: import one, or export one for a node (--for) or for the parent (--up).
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Refuses every further request and bundle of a node (a lost or stolen laptop); the
    /// revocation travels to every hub and ledger that reads its unit.
    Revoke {
        #[arg(long)]
        node: String,
    },
    /// Re-checks everything the hub holds: certificates, every chain and every signed head,
    /// who wrote what. Exits non-zero when anything is wrong.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Prints the hub's identity, log and enrolled nodes.
    Status {
        /// One JSON object: the hub, its parent, and each peer with its unit, role, last sync,
        /// lag (changes of the hub's log it has not pulled) and counts.
        #[arg(long)]
        json: bool,
        /// With --json: measure the changes the hub takes per second over this many seconds
        /// (`changes_per_second`; 0 leaves it out).
        #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
        rate_seconds: f64,
    },
    /// `passphrase change`: a new passphrase for the hub's store (from
    /// `$SOBAUCU_NEW_PASSPHRASE` or the terminal; with --key-file, write the new one there
    /// afterwards); the store is re-keyed.
    Passphrase {
        #[command(subcommand)]
        action: PassphraseAction,
    },
}

#[derive(Subcommand)]
enum PassphraseAction {
    Change,
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
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("SOBAUCU_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn node_arg(s: &str) -> Result<NodeId> {
    s.trim().parse::<NodeId>().with_context(|| format!("`{s}` is not a node id (16 hex digits)"))
}

/// The credentials of the hub's store: the key file's content, `$SOBAUCU_HUB_PASSPHRASE`,
/// or the terminal (twice when the store is new).
fn credentials(cli: &Cli) -> Result<sobaucu_core::vault::Credentials> {
    let passphrase = match &cli.key_file {
        Some(file) => sobaucu_core::vault::read_secret_file(file)?,
        None => {
            let creating = !sobaucu_core::vault::keyring_path(&cli.data.join(sobaucu_hub::store::HUB_FILE)).exists();
            sobaucu_client::passphrase::read("SOBAUCU_HUB_PASSPHRASE", "Passphrase of the hub's store", creating)
                .map_err(anyhow::Error::msg)?
        }
    };
    Ok(sobaucu_core::vault::Credentials::new(None, &passphrase))
}

fn run(cli: Cli) -> Result<()> {
    let credentials = credentials(&cli)?;
    if let Command::Migrate { to } = &cli.command {
        let moved = sobaucu_hub::store::migrate_to_postgres(&cli.data, &credentials, to)?;
        println!("moved the hub's store to PostgreSQL: {moved}");
        return Ok(());
    }
    let database = match &cli.command {
        Command::Init { database, .. } => database.as_deref(),
        _ => None,
    };
    let mut store = HubStore::open_with(&cli.data, &credentials, database)?;
    match cli.command {
        Command::Migrate { .. } => unreachable!("handled above"),
        Command::Init { unit, scheme, parent, code, database: _ } => {
            let unit: UnitCode = unit.parse()?;
            let scheme: Scheme = scheme.parse()?;
            let me = store.init(&unit, scheme, parent.is_none())?;
            let name = &Catalogue::get(scheme).require(&unit)?.name;
            println!(
                "hub {} for {name} ({unit}), {} units, in {} (store: {})",
                me.node_id,
                scheme.as_str(),
                cli.data.display(),
                store.database_kind()
            );
            if let (Some(url), Some(code)) = (parent, code) {
                let answer = sobaucu_client::enroll(&mut store, &url, &code, Role::Hub)?;
                println!("enrolled at hub {} ({}) at {url}", answer.hub_node_id, answer.hub_unit);
            }
        }
        Command::Enroll { parent, code } => {
            if store.parent()?.is_some_and(|p| p.identity.is_some()) {
                bail!("this hub is already enrolled at a parent hub");
            }
            let answer = sobaucu_client::enroll(&mut store, &parent, &code, Role::Hub)?;
            println!("enrolled at hub {} ({}) at {parent}", answer.hub_node_id, answer.hub_unit);
        }
        Command::EnrollCode { unit, role, expires_days } => {
            let code = store.issue_code(&unit.parse()?, role.parse()?, expires_days)?;
            println!("{}", code.to_text());
        }
        Command::Serve {
            listen,
            relay_interval,
            max_connections,
            header_timeout,
            body_timeout,
            enrol_attempts,
            requests_per_node,
            store_connections,
            metrics,
            metrics_token,
        } => {
            let config = Config {
                max_connections: max_connections.max(1),
                header_timeout: Duration::from_secs(header_timeout.max(1)),
                body_timeout: Duration::from_secs(body_timeout.max(1)),
                enrol_attempts,
                requests_per_node,
                store_connections: store_connections.max(1),
                ..Config::default()
            };
            let metrics_token = metrics_token.or_else(|| std::env::var("SOBAUCU_HUB_METRICS_TOKEN").ok());
            let metrics = match metrics {
                Some(addr) => {
                    let parsed: std::net::SocketAddr =
                        addr.parse().with_context(|| format!("--metrics {addr}: not an address (IP:PORT)"))?;
                    if !parsed.ip().is_loopback() && metrics_token.is_none() {
                        anyhow::bail!(
                            "--metrics {addr} is reachable from other machines: give it a token (--metrics-token or $SOBAUCU_HUB_METRICS_TOKEN), or use 127.0.0.1"
                        );
                    }
                    Some((parsed, metrics_token))
                }
                None => None,
            };
            serve(store, &listen, relay_interval, config, metrics)?
        }
        Command::Bundle { action: BundleAction::Import { file } } => {
            let said = bundles::import_file(&mut store, &file).with_context(|| file.display().to_string())?;
            println!("imported {}: {said}", file.display());
        }
        Command::Bundle { action: BundleAction::Export { file, for_node, up } } => {
            let (bytes, count) = match (for_node, up) {
                (Some(node), false) => bundles::export_for_child(&mut store, node_arg(&node)?)?,
                (None, true) => bundles::export_up(&mut store)?,
                _ => bail!("say whom the bundle is for: --for NODE_ID or --up"),
            };
            sobaucu_core::files::write_whole(&file, &bytes)?;
            println!("exported {count} changes to {} ({} bytes)", file.display(), bytes.len());
        }
        Command::Revoke { node } => {
            let revocation = store.revoke(node_arg(&node)?)?;
            println!("node {node} is revoked (its changes up to number {} stay)", revocation.last_seq);
        }
        Command::Verify { json } => {
            let me = store.identity()?;
            let report = sobaucu_core::verify::verify(store.db(), Catalogue::get(me.scheme))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            if !report.ok() {
                std::process::exit(2);
            }
        }
        Command::Passphrase { action: PassphraseAction::Change } => {
            let new = sobaucu_client::passphrase::read("SOBAUCU_NEW_PASSPHRASE", "New passphrase", true)
                .map_err(anyhow::Error::msg)?;
            store.change_passphrase(&credentials.passphrase, &new)?;
            println!("the hub's passphrase is changed and its store re-keyed");
        }
        Command::Status { json: true, rate_seconds } => {
            let mut status = status_json(&store)?;
            if rate_seconds > 0.0 {
                // The log's head twice, `rate_seconds` apart: what the hub took meanwhile.
                let window = Duration::from_secs_f64(rate_seconds.min(3600.0));
                let before = store.log_head()?;
                let started = std::time::Instant::now();
                std::thread::sleep(window);
                let after = store.log_head()?;
                let rate = after.saturating_sub(before) as f64 / started.elapsed().as_secs_f64();
                status["changes_per_second"] = serde_json::json!((rate * 10.0).round() / 10.0);
                status["rate_seconds"] = serde_json::json!(rate_seconds);
            }
            println!("{}", serde_json::to_string_pretty(&status)?);
        }
        Command::Status { json: false, .. } => {
            let me = store.identity()?;
            println!(
                "hub {}, unit {}, scheme {}, log head {}",
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
                    "child {} ({}, unit {}){}{}: received up to {}, has ours up to {}; changes new {}, duplicate {}, refused {}, replays {}",
                    child.peer,
                    child.role.as_str(),
                    child.unit,
                    if child.revoked { " REVOKED" } else { "" },
                    if child.identity.is_none() { " (must enrol again)" } else { "" },
                    child.received_idx,
                    child.sent_idx,
                    child.counts[0],
                    child.counts[1],
                    child.counts[3],
                    child.counts[2]
                );
            }
        }
    }
    Ok(())
}

/// `status --json`: the hub, its parent, and every child with its unit (and name), role, last
/// sync, lag behind the hub's log, and counts.
fn status_json(store: &HubStore) -> Result<serde_json::Value> {
    let me = store.identity()?;
    let head = store.log_head()?;
    let catalogue = sobaucu_core::units::Catalogue::get(me.scheme);
    let name = |code: &sobaucu_core::UnitCode| catalogue.unit(code).map(|u| u.name.clone());
    let peers = store.peer_status()?;
    let parent = store.parent()?.map(|p| {
        serde_json::json!({"node": p.peer.to_string(), "url": p.url, "sent_idx": p.sent_idx, "received_idx": p.received_idx})
    });
    Ok(serde_json::json!({
        "hub": {"node": me.node_id.to_string(), "unit": me.unit.to_string(), "unit_name": name(&me.unit),
                "scheme": me.scheme.as_str(), "log_head": head},
        "parent": parent,
        "peers": peers,
    }))
}

fn serve(
    store: HubStore,
    listen: &str,
    relay_interval: u64,
    config: Config,
    metrics: Option<(std::net::SocketAddr, Option<String>)>,
) -> Result<()> {
    let me = store.identity()?;
    let relay = sobaucu_hub::relay::start(&store, Duration::from_secs(relay_interval.max(1)))?;
    let state = Arc::new(AppState::new(store, relay, config)?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let addr = listener.local_addr()?;
        println!("hub {} ({}) listening on http://{addr}", me.node_id, me.unit);
        use std::io::Write;
        std::io::stdout().flush().ok();
        tracing::info!(node = %me.node_id, unit = %me.unit, %addr, "serving");
        if let Some((metrics_addr, token)) = metrics {
            let metrics_listener = tokio::net::TcpListener::bind(metrics_addr)
                .await
                .with_context(|| format!("listening on {metrics_addr}"))?;
            println!("metrics on http://{}/metrics", metrics_listener.local_addr()?);
            std::io::stdout().flush().ok();
            let app = sobaucu_hub::metrics::router(state.clone(), token);
            tokio::spawn(async move {
                if let Err(e) = axum::serve(metrics_listener, app).await {
                    tracing::warn!(error = %e, "the metrics listener stopped");
                }
            });
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        server::serve(listener, state, shutdown).await?;
        Ok(())
    })
}
