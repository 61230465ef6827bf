//! The hub the desktop app hosts ("Làm máy chủ cho các xã"): a district or province office
//! without IT staff serves its communes from the window. It is the `sobaucu-hub` library as the
//! command line runs it (the same store, protocol service, HTTP server with its limits, relay
//! to a parent and code issuing), hosted in the app's process:
//!
//! - its store is `<ledger folder>/hub/` (`hub.sqlite` and its keyring), encrypted under the
//!   passphrase of the official who started it, opened with the credentials the ledger was
//!   unlocked with; they are kept in memory only while the ledger is unlocked, and locking the
//!   ledger stops the hub;
//! - its unit and scheme are the ledger's; it serves on every interface at a port (7420, as
//!   `sobaucu-hub serve`, unless another is chosen the first time) on a tokio runtime of its
//!   own, made when it starts and shut down when it stops, so nothing of it outlives a stop;
//! - `hosted.json` beside the store says whether it serves and on which port, so a hub that
//!   was serving when the app closed serves again when the ledger is next unlocked.
//!
//! The app's own ledger enrols to this hub by itself (over loopback), unless it syncs with
//! another hub already: then this hub is enrolled under that one (with a code it issued for a
//! hub) and relays upward, and the ledger keeps its link. See `ARCHITECTURE.md`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sobaucu_client::scheduler::Scheduler;
use sobaucu_core::access::Action;
use sobaucu_core::link::ParentLink;
use sobaucu_core::units::{Catalogue, Level, Scheme, UnitCode};
use sobaucu_core::vault::{self, Credentials};
use sobaucu_hub::server::{AppState, Config};
use sobaucu_hub::store::{HubStore, StoreError};
use sobaucu_protocol::{NodeId, Role};

use crate::{App, AppError, Host, Reply};

/// The port `sobaucu-hub serve` listens on by default.
pub const DEFAULT_PORT: u16 = 7420;

/// The hub's folder inside the ledger's.
const HUB_DIR: &str = "hub";

/// Whether the hub serves and where, beside its store (no secret in it).
const SETTINGS_FILE: &str = "hosted.json";

/// Seconds between relays to a parent hub when nothing new arrives (as `sobaucu-hub serve`).
const RELAY_INTERVAL: Duration = Duration::from_secs(30);

/// Days an enrolment code stays valid unless asked otherwise, and at most.
const CODE_DAYS: u32 = 7;
const MAX_CODE_DAYS: u32 = 60;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Settings {
    /// Serve whenever the ledger is unlocked (the official started it and did not stop it).
    serve: bool,
    port: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { serve: false, port: DEFAULT_PORT }
    }
}

/// A hub serving.
struct Running {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The relay to a parent hub is this hub's own (stopped with it); without a parent, the
    /// server wakes the app's own sync instead, which outlives the hub.
    own_relay: bool,
}

impl Running {
    /// Stops accepting, stops the relay, and ends every connection and task of the hub.
    fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if self.own_relay
            && let Some(relay) = &self.state.relay
        {
            relay.stop();
        }
        self.runtime.shutdown_timeout(Duration::from_secs(2));
        tracing::info!(port = self.port, "hub stopped");
    }
}

#[derive(Default)]
struct Inner {
    /// The credentials the ledger was unlocked with (its user's name and passphrase); None
    /// while it is locked.
    credentials: Option<Credentials>,
    running: Option<Running>,
    /// Why the last start failed (shown until a start succeeds).
    error: Option<AppError>,
}

/// The app's hub: started, stopped and asked through [`App`]'s `hub_*` methods.
pub(crate) struct HostedHub {
    dir: PathBuf,
    inner: Mutex<Inner>,
}

impl Drop for HostedHub {
    /// The app is closing: the hub stops with it.
    fn drop(&mut self) {
        let running = self.inner.get_mut().unwrap_or_else(|p| p.into_inner()).running.take();
        if let Some(running) = running {
            running.stop();
        }
    }
}

/// What the hub needs to know of the ledger.
struct Ledger {
    node_id: NodeId,
    unit: UnitCode,
    scheme: Scheme,
    parent: Option<ParentLink>,
    /// The signed-in official may run the hub (start, stop, issue codes, revoke).
    may_manage: bool,
}

impl Ledger {
    fn of(store: &sobaucu_core::Store) -> sobaucu_core::Result<Ledger> {
        let node = store.node()?;
        Ok(Ledger {
            node_id: node.node_id,
            unit: node.unit.clone(),
            scheme: node.scheme,
            parent: store.parent()?,
            may_manage: store.actor().role.allows(Action::Sync),
        })
    }

    fn catalogue(&self) -> &'static Catalogue {
        Catalogue::get(self.scheme)
    }

    fn has_units_below(&self) -> bool {
        self.unit.level() != Level::Commune
    }
}

fn hub_error(e: StoreError) -> AppError {
    match e {
        StoreError::Core(e) => e.into(),
        other => AppError::other("hub", format!("the hub: {other}"), format!("máy chủ: {other}")),
    }
}

fn server_error(e: impl std::fmt::Display) -> AppError {
    AppError::other("hub", format!("the hub: {e}"), format!("máy chủ: {e}"))
}

fn unit_json(catalogue: &Catalogue, code: &str) -> Value {
    let unit = code.parse::<UnitCode>().ok().and_then(|c| catalogue.unit(&c));
    json!({
        "code": code,
        "name": unit.map(|u| u.name.clone()),
        "path": unit.map(|u| u.path.clone()),
        "level": unit.map(|u| u.level),
    })
}

/// This machine's IPv4 addresses on its networks (not loopback, not link-local), which the
/// communes' computers use to reach the hub.
fn lan_addresses() -> Vec<Ipv4Addr> {
    let mut out: Vec<Ipv4Addr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local())
        .filter_map(|i| match i.ip() {
            IpAddr::V4(v4) if !v4.is_unspecified() => Some(v4),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The day after 1970-01-01 an enrolment code expires on, as a date.
fn day_to_date(day: u32) -> String {
    (chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(day as i64)).date_naive().to_string()
}

fn qr_svg(text: &str) -> Reply<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::other("internal", e.to_string(), e.to_string()))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(180, 180).quiet_zone(true).build())
}

impl HostedHub {
    pub(crate) fn new(ledger_dir: &Path) -> HostedHub {
        HostedHub { dir: ledger_dir.join(HUB_DIR), inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settings(&self) -> Settings {
        std::fs::read(self.dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save_settings(&self, settings: Settings) -> Reply<()> {
        vault::create_private_dir(&self.dir)?;
        let bytes = serde_json::to_vec_pretty(&settings).unwrap_or_default();
        sobaucu_core::files::write_whole(&self.dir.join(SETTINGS_FILE), &bytes)?;
        Ok(())
    }

    /// Whether a hub was made here.
    fn exists(&self) -> bool {
        vault::exists(&self.dir.join(sobaucu_hub::store::HUB_FILE))
    }

    /// The ledger was unlocked by `user` with `passphrase`: keep them for the hub's store.
    /// Answers whether the hub should serve again (it served when the app last closed).
    pub(crate) fn unlocked(&self, user: &str, passphrase: &str) -> bool {
        let mut inner = self.lock();
        inner.credentials = Some(Credentials::new(Some(user), passphrase));
        inner.error = None;
        self.settings().serve && self.exists()
    }

    /// The ledger was locked: the hub stops, and its credentials are forgotten.
    pub(crate) fn locked(&self) {
        let running = {
            let mut inner = self.lock();
            inner.credentials = None;
            inner.error = None;
            inner.running.take()
        };
        if let Some(running) = running {
            running.stop();
        }
    }

    /// Opens the hub's store with the ledger's credentials (the serving hub's connection when
    /// it serves) and runs `f` on it.
    fn with_store<T>(&self, f: impl FnOnce(&mut HubStore) -> Reply<T>) -> Reply<T> {
        let inner = self.lock();
        if let Some(running) = &inner.running {
            let mut store = running.state.store.lock();
            return f(&mut store);
        }
        let credentials = inner.credentials.clone().ok_or_else(AppError::locked)?;
        drop(inner);
        if !self.exists() {
            return Err(not_made());
        }
        let mut store = self.open(&credentials)?;
        f(&mut store)
    }

    fn open(&self, credentials: &Credentials) -> Reply<HubStore> {
        HubStore::open(&self.dir, credentials).map_err(|e| match e {
            StoreError::Core(core) if matches!(core.kind(), "unknown_user" | "wrong_passphrase") => {
                let users = vault::Keyring::load(&vault::keyring_path(&self.dir.join(sobaucu_hub::store::HUB_FILE)))
                    .ok()
                    .flatten()
                    .map(|k| k.users().join(", "))
                    .unwrap_or_default();
                AppError::other(
                    "hub_passphrase",
                    format!(
                        "the hub's store opens with the passphrase of {users}, who started it: it serves again when they open the ledger"
                    ),
                    format!(
                        "kho dữ liệu của máy chủ được khóa bằng mật khẩu của {users} (người đã khởi động máy chủ): máy chủ chạy lại khi người đó mở sổ"
                    ),
                )
            }
            other => hub_error(other),
        })
    }

    /// Starts serving (a no-op when it serves): makes the hub the first time, for the ledger's
    /// unit, at the top of its tree or, when the ledger syncs with another hub, enrolled under
    /// that hub with `parent`'s code. `port` is taken the first time; later the hub keeps the
    /// port its communes know.
    /// `wake` is the app's own sync, woken when a commune pushed something.
    fn start(&self, ledger: &Ledger, port: Option<u16>, parent: Option<(&str, &str)>, wake: Scheduler) -> Reply<()> {
        let mut inner = self.lock();
        let result = self.start_locked(&mut inner, ledger, port, parent, wake);
        inner.error = result.as_ref().err().cloned();
        result
    }

    fn start_locked(
        &self,
        inner: &mut Inner,
        ledger: &Ledger,
        port: Option<u16>,
        parent: Option<(&str, &str)>,
        wake: Scheduler,
    ) -> Reply<()> {
        if inner.running.is_some() {
            return Ok(());
        }
        let credentials = inner.credentials.clone().ok_or_else(AppError::locked)?;
        if !ledger.has_units_below() {
            return Err(AppError::other(
                "hub_commune",
                "a commune has no units below it to serve: its ledger syncs with the district's or province's hub",
                "xã không có đơn vị cấp dưới để phục vụ: sổ của xã đồng bộ với máy chủ của huyện hay tỉnh",
            ));
        }
        let mut settings = self.settings();
        let made = self.exists();
        if let Some(port) = port
            && made
            && port != settings.port
            && port != 0
        {
            return Err(AppError::other(
                "hub_port",
                format!("this hub serves on port {}, which its communes know: it keeps that port", settings.port),
                format!("máy chủ này chạy ở cổng {}, các xã đã biết cổng đó: máy chủ giữ cổng này", settings.port),
            ));
        }
        if !made {
            settings.port = port.unwrap_or(DEFAULT_PORT);
        }
        // The ledger syncs with another hub, and nothing enrols this one under it: say so before
        // anything is made.
        if !made && let Some(link) = &ledger.parent {
            check_elsewhere(ledger, link, parent.is_some())?;
        }
        let mut store = self.open(&credentials)?;
        if !store.is_initialized().map_err(hub_error)? {
            store.init(&ledger.unit, ledger.scheme, ledger.parent.is_none()).map_err(hub_error)?;
            tracing::info!(unit = %ledger.unit, "hub made beside the ledger");
        }
        let me = store.identity().map_err(hub_error)?;
        if me.unit != ledger.unit || me.scheme != ledger.scheme {
            return Err(AppError::other(
                "hub_unit",
                format!(
                    "{} holds the hub of unit {}, not of this ledger's unit {}",
                    self.dir.display(),
                    me.unit,
                    ledger.unit
                ),
                format!(
                    "{} chứa máy chủ của đơn vị {}, không phải của đơn vị của sổ này ({})",
                    self.dir.display(),
                    me.unit,
                    ledger.unit
                ),
            ));
        }
        if store.chain().map_err(hub_error)?.is_empty() {
            // Made to sit under the ledger's hub, and not enrolled there yet.
            let link = ledger.parent.as_ref().ok_or_else(|| needs_parent_code(None))?;
            let (url, code) = parent.ok_or_else(|| needs_parent_code(Some(link)))?;
            let url = if url.trim().is_empty() { link.url.clone().unwrap_or_default() } else { url.trim().to_string() };
            let answer = sobaucu_client::enroll(&mut store, &url, code.trim(), Role::Hub)?;
            tracing::info!(parent = %answer.hub_node_id, unit = %answer.hub_unit, "hub enrolled at its parent");
        }
        let listener =
            std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, settings.port))).map_err(|e| {
                AppError::other(
                    "hub_port",
                    format!(
                        "port {} cannot be used ({e}): another program holds it; choose another port",
                        settings.port
                    ),
                    format!(
                        "không dùng được cổng {} ({e}): chương trình khác đang giữ cổng này; hãy chọn cổng khác",
                        settings.port
                    ),
                )
            })?;
        listener.set_nonblocking(true).map_err(server_error)?;
        let bound = listener.local_addr().map_err(server_error)?.port();
        // With a parent, what the communes push is relayed up (the ledger pulls it from there);
        // without one, the ledger is this hub's child: it pulls soon after a commune pushed.
        let relay = sobaucu_hub::relay::start(&store, RELAY_INTERVAL).map_err(hub_error)?;
        let own_relay = relay.is_some();
        let relay = relay.or(Some(wake));
        let state = Arc::new(AppState::new(store, relay, Config::default()).map_err(server_error)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sobaucu-hub")
            .enable_all()
            .build()
            .map_err(server_error)?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(server_error)?
        };
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        runtime.spawn(async move {
            let stop = async {
                let _ = stopped.await;
            };
            if let Err(e) = sobaucu_hub::server::serve(listener, serving, stop).await {
                tracing::warn!(error = %e, "the hub stopped serving");
            }
        });
        tracing::info!(node = %me.node_id, unit = %me.unit, port = bound, "hub serving from the app");
        settings.serve = true;
        settings.port = bound;
        let running = Running { runtime, state, port: bound, shutdown: Some(shutdown), own_relay };
        if let Err(e) = self.save_settings(settings) {
            running.stop();
            return Err(e);
        }
        inner.running = Some(running);
        Ok(())
    }

    /// Stops serving; it does not start again by itself.
    fn stop(&self) -> Reply<()> {
        let running = self.lock().running.take();
        if let Some(running) = running {
            running.stop();
        }
        if self.exists() {
            self.save_settings(Settings { serve: false, ..self.settings() })?;
        }
        Ok(())
    }

    /// The port the hub serves on, when it does.
    fn port(&self) -> Option<u16> {
        self.lock().running.as_ref().map(|r| r.port)
    }

    /// The hub's status for the window.
    fn status(&self, ledger: &Ledger) -> Value {
        let catalogue = ledger.catalogue();
        let settings = self.settings();
        let made = self.exists();
        let inner = self.lock();
        let running = inner.running.as_ref();
        let port = running.map(|r| r.port).unwrap_or(settings.port);
        let (hub_node, hub_parent, children) = match running {
            Some(r) => {
                let store = r.state.store.lock();
                (
                    store.identity().ok().map(|i| i.node_id.to_string()),
                    store.parent().ok().flatten(),
                    store.children().map(|c| c.iter().filter(|c| !c.revoked).count()).unwrap_or(0),
                )
            }
            None => (None, None, 0),
        };
        let own = |p: &ParentLink| hub_node.as_deref() == Some(p.peer.to_string().as_str());
        let ledger_link = match &ledger.parent {
            None => "none",
            Some(p) if own(p) => "own",
            // Not serving: the ledger's hub at this machine's own port is taken to be this one.
            Some(p) if hub_node.is_none() && made && p.url.as_deref().is_some_and(|u| is_loopback_at(u, port)) => "own",
            Some(_) => "elsewhere",
        };
        let link_json = |p: &ParentLink| {
            let mut unit = unit_json(catalogue, &p.unit);
            unit["url"] = json!(p.url);
            unit
        };
        let urls: Vec<String> = lan_addresses().iter().map(|a| format!("http://{a}:{port}")).collect();
        json!({
            "available": ledger.has_units_below(),
            "exists": made,
            "running": running.is_some(),
            "serve_on_unlock": settings.serve,
            "port": port,
            "default_port": DEFAULT_PORT,
            "urls": urls,
            "local_url": format!("http://127.0.0.1:{port}"),
            "unit": unit_json(catalogue, ledger.unit.as_str()),
            "hub_node_id": hub_node,
            "parent": hub_parent.as_ref().map(link_json),
            "ledger": ledger_link,
            "ledger_hub": ledger.parent.as_ref().filter(|_| ledger_link == "elsewhere").map(link_json),
            "needs_parent_code": !made && ledger_link == "elsewhere",
            "children": children,
            "can_manage": ledger.may_manage,
            "error": inner.error,
        })
    }
}

fn is_loopback_at(url: &str, port: u16) -> bool {
    url.trim_end_matches('/') == format!("http://127.0.0.1:{port}")
}

fn not_made() -> AppError {
    AppError::other(
        "hub_none",
        "this computer does not serve communes yet: start its hub first",
        "máy này chưa làm máy chủ cho các xã: hãy khởi động máy chủ trước",
    )
}

/// A ledger that syncs with another hub: this hub can only sit below that one.
fn check_elsewhere(ledger: &Ledger, link: &ParentLink, have_code: bool) -> Reply<()> {
    if link.unit == ledger.unit.as_str() {
        let name = unit_json(ledger.catalogue(), &link.unit)["name"].as_str().unwrap_or_default().to_string();
        let url = link.url.clone().unwrap_or_default();
        return Err(AppError::other(
            "hub_elsewhere",
            format!(
                "this ledger already syncs with a hub of {name} itself ({url}): that hub serves the communes; ask its operator for their codes"
            ),
            format!(
                "sổ này đã đồng bộ với máy chủ của chính {name} ({url}): máy chủ đó phục vụ các xã; hãy xin mã cho các xã ở đó"
            ),
        ));
    }
    if !have_code {
        return Err(needs_parent_code(Some(link)));
    }
    Ok(())
}

fn needs_parent_code(link: Option<&ParentLink>) -> AppError {
    let url = link.and_then(|l| l.url.clone()).unwrap_or_default();
    AppError::other(
        "hub_needs_parent_code",
        format!(
            "this ledger syncs with the hub at {url}: to serve the communes here, this hub must be enrolled under that hub with a code it issued for a hub (role hub) of this unit"
        ),
        format!(
            "sổ này đang đồng bộ với máy chủ tại {url}: để phục vụ các xã ở máy này, máy chủ này phải đăng ký với máy chủ đó bằng mã đăng ký loại “máy chủ” mà máy chủ đó cấp cho đơn vị này"
        ),
    )
}

/// The hub's operations in the window.
impl<H: Host> App<H> {
    fn hub_ledger(&self) -> Reply<Ledger> {
        self.with(|s| Ledger::of(s))
    }

    /// The ledger was unlocked and its hub served when the app last closed: it serves again,
    /// started on a thread of its own (the key derivation of its store takes a moment).
    pub(crate) fn serve_again(&self) {
        let Ok(ledger) = self.hub_ledger() else { return };
        let (hub, wake) = (self.hub.clone(), self.sync.scheduler());
        std::thread::spawn(move || {
            if let Err(e) = hub.start(&ledger, None, None, wake) {
                tracing::warn!(error = %e, "the hub did not start again");
            }
        });
    }

    fn hub_may_manage(&self, ledger: &Ledger) -> Reply<()> {
        if !ledger.may_manage {
            self.with(|s| s.require(Action::Sync))?;
        }
        Ok(())
    }

    /// The hub this computer serves its communes with: whether it serves, at which addresses
    /// (this machine's network addresses and the port), its parent, how the ledger syncs
    /// (with this hub, another, or none), and why the last start failed.
    pub fn hub_status(&self) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        Ok(self.hub.status(&ledger))
    }

    /// Starts the hub (made the first time, on `port`, default 7420), and enrols the app's own
    /// ledger to it when the ledger syncs with no hub yet. A ledger that syncs with another hub
    /// keeps its link: this hub is then enrolled under that hub with `parent_code` (a code of
    /// role hub it issued; `parent_url`, default the ledger's hub) and relays upward.
    pub fn hub_start(&self, port: Option<u16>, parent_url: Option<&str>, parent_code: Option<&str>) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        self.hub_may_manage(&ledger)?;
        let parent = parent_code.map(str::trim).filter(|c| !c.is_empty()).map(|c| (parent_url.unwrap_or(""), c));
        self.hub.start(&ledger, port, parent, self.sync.scheduler())?;
        if ledger.parent.is_none() {
            self.enrol_ledger_here(&ledger)?;
        }
        self.hub_status()
    }

    /// Enrols the app's own ledger to the hub it serves, over loopback, and syncs at once.
    fn enrol_ledger_here(&self, ledger: &Ledger) -> Reply<()> {
        let port = self.hub.port().ok_or_else(not_made)?;
        let code = self.hub.with_store(|s| s.issue_code(&ledger.unit, Role::Node, 1).map_err(hub_error))?;
        let mut store = self.second()?;
        sobaucu_client::enroll(&mut store, &format!("http://127.0.0.1:{port}"), &code.to_text(), Role::Node)?;
        tracing::info!(port, "the ledger enrolled at the hub it serves");
        self.sync.sync_now();
        Ok(())
    }

    /// Stops the hub; it serves again only when started from the window.
    pub fn hub_stop(&self) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        self.hub_may_manage(&ledger)?;
        self.hub.stop()?;
        self.hub_status()
    }

    /// The units a code can be issued for, by name: every unit below the ledger's (a
    /// province's districts and their communes, in order), then the ledger's own unit (another
    /// computer of the office).
    pub fn hub_units(&self) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        let catalogue = ledger.catalogue();
        let mut out = Vec::new();
        let mut walk = vec![ledger.unit.clone()];
        while let Some(code) = walk.pop() {
            let children = catalogue.children(Some(&code));
            for child in children.iter().rev() {
                walk.push(child.code.clone());
            }
            if code != ledger.unit
                && let Some(unit) = catalogue.unit(&code)
            {
                let parent = unit.parent.as_ref().filter(|p| **p != ledger.unit).and_then(|p| catalogue.unit(p));
                out.push(json!({
                    "code": unit.code, "name": unit.name, "level": unit.level, "path": unit.path,
                    "parent_name": parent.map(|p| p.name.clone()), "own": false,
                }));
            }
        }
        let own = ledger.catalogue().unit(&ledger.unit);
        out.push(json!({
            "code": ledger.unit, "name": own.map(|u| u.name.clone()), "level": ledger.unit.level(),
            "path": own.map(|u| u.path.clone()), "parent_name": null, "own": true,
        }));
        Ok(Value::Array(out))
    }

    /// A one-time code that enrols a ledger (`role` node, the default) or a hub of `unit` at
    /// this hub, valid `days` days (7 by default, at most 60): the text to read out, the same
    /// as a QR code (SVG), the unit's name, the last day it can be used and the addresses to
    /// give with it.
    pub fn hub_issue_code(&self, unit: &str, role: Option<&str>, days: Option<u32>) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        self.hub_may_manage(&ledger)?;
        let unit: UnitCode = unit.trim().parse()?;
        let role: Role = match role.map(str::trim).filter(|r| !r.is_empty()) {
            None => Role::Node,
            Some(r) => r.parse().map_err(|_| {
                AppError::other(
                    "input",
                    format!("`{r}` is not node or hub"),
                    format!("`{r}` không phải sổ (node) hay máy chủ (hub)"),
                )
            })?,
        };
        let catalogue = ledger.catalogue();
        let named = catalogue.require(&unit)?;
        if !catalogue.is_within(&unit, &ledger.unit) {
            return Err(AppError::other(
                "scope",
                format!("{} is not below {}", named.name, ledger.unit),
                format!("{} không thuộc địa bàn của máy chủ này", named.name),
            ));
        }
        if role == Role::Hub && unit == ledger.unit {
            return Err(AppError::other(
                "input",
                "a hub below this one serves a unit below this one",
                "máy chủ cấp dưới phục vụ một đơn vị cấp dưới, không phải chính đơn vị này",
            ));
        }
        let days = days.unwrap_or(CODE_DAYS).clamp(1, MAX_CODE_DAYS);
        let code = self.hub.with_store(|s| s.issue_code(&unit, role, days).map_err(hub_error))?;
        let text = code.to_text();
        let status = self.hub.status(&ledger);
        Ok(json!({
            "code": text,
            "qr_svg": qr_svg(&text)?,
            "unit": unit,
            "unit_name": named.name,
            "unit_path": named.path,
            "role": role.as_str(),
            "expires": day_to_date(code.expires_day),
            "urls": status["urls"],
            "local_url": status["local_url"],
        }))
    }

    /// The ledgers and hubs enrolled at this hub, by unit name: each with its node id, unit
    /// code and name, role, last sync, whether it is revoked, and whether it is this
    /// computer's own ledger.
    pub fn hub_children(&self) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        if !self.hub.exists() {
            return Ok(json!([]));
        }
        let catalogue = ledger.catalogue();
        let peers = self.hub.with_store(|s| s.peer_status().map_err(hub_error))?;
        let own = ledger.node_id.to_string();
        let mut out: Vec<(String, Value)> = peers
            .into_iter()
            .map(|p| {
                let unit = unit_json(catalogue, &p.unit);
                let mine = p.node == own;
                let key = format!(
                    "{}{}",
                    if mine { "0" } else { "1" },
                    sobaucu_core::collate::key(p.unit_name.as_deref().unwrap_or_default())
                );
                let mut value = serde_json::to_value(&p).unwrap_or_default();
                value["unit_path"] = unit["path"].clone();
                value["this_computer"] = json!(mine);
                (key, value)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Value::Array(out.into_iter().map(|(_, v)| v).collect()))
    }

    /// Revokes a ledger or hub enrolled here (a lost or stolen laptop): every further request
    /// and bundle of it is refused, and the revocation travels to every peer that reads its
    /// unit. This computer's own ledger is not revoked here. Answers with the list.
    pub fn hub_revoke(&self, node: &str) -> Reply<Value> {
        let ledger = self.hub_ledger()?;
        self.hub_may_manage(&ledger)?;
        let node: NodeId = node.trim().parse().map_err(|_| {
            AppError::other("input", format!("`{node}` is not a node id"), format!("`{node}` không phải mã của một sổ"))
        })?;
        if node == ledger.node_id {
            return Err(AppError::other(
                "input",
                "this is this computer's own ledger: it is not revoked from here",
                "đây là sổ của chính máy này: không thu hồi ở đây",
            ));
        }
        let revocation = self.hub.with_store(|s| s.revoke(node).map_err(hub_error))?;
        tracing::info!(node = %node, last_seq = revocation.last_seq, "revoked from the window");
        self.hub_children()
    }
}
