//! Helpers for the workspace-level end-to-end tests: finding the built binaries, a virtual
//! screen (Xvfb), and a small WebDriver client over `tauri-driver`, which drives the real
//! sobaucu window through WebKitWebDriver.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The directory the workspace's binaries are built in (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/<test> → target/debug
    exe.parent().and_then(Path::parent).expect("target/debug").to_path_buf()
}

/// A built binary of the workspace; run `cargo build --workspace` before the tests.
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(path.exists(), "{} is not built: run `cargo build --workspace` first", path.display());
    path
}

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = bin_dir().parent().expect("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        // Asked to stop first (Xvfb then removes its lock and socket), killed if it lingers.
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A virtual screen: the caller's `DISPLAY` if it has one, else a fresh Xvfb. One window test
/// of a test binary runs at a time: they would otherwise race for a display and a focus.
pub struct Screen {
    pub display: String,
    _xvfb: Option<Guard>,
    _turn: std::sync::MutexGuard<'static, ()>,
}

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Screen {
    pub fn start() -> Screen {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Ok(display) = std::env::var("DISPLAY")
            && !display.is_empty()
        {
            return Screen { display, _xvfb: None, _turn: turn };
        }
        let number = (100..400).find(|n| display_free(*n)).expect("a free display number");
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (apt-get install xvfb; scripts/setup.sh installs it)");
        let socket = format!("/tmp/.X11-unix/X{number}");
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            assert!(start.elapsed() < Duration::from_secs(20), "Xvfb did not start on {display}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Screen { display, _xvfb: Some(Guard(child)), _turn: turn }
    }
}

/// Whether display `:n` is free: no lock, or a lock left by an Xvfb that is gone (killed, it
/// could not remove it), which is cleared with its socket.
fn display_free(n: u32) -> bool {
    let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    if !lock.exists() {
        return !socket.exists();
    }
    let pid = std::fs::read_to_string(&lock).ok().and_then(|s| s.trim().parse::<u32>().ok());
    if pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists()) {
        return false;
    }
    // A stale lock: the display is free once it and its socket are gone.
    let _ = std::fs::remove_file(&socket);
    std::fs::remove_file(&lock).is_ok() && !socket.exists()
}

/// `tauri-driver`: from `$TAURI_DRIVER`, the project's tool cache, or the PATH.
pub fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let cached = home.join(".cache/sobaucu-tools/bin/tauri-driver");
    if cached.exists() {
        return cached;
    }
    PathBuf::from("tauri-driver")
}

/// A WebDriver session on the real app window.
pub struct Window {
    base: String,
    session: String,
    _driver: Guard,
}

/// An element handle.
#[derive(Clone)]
pub struct Element(String);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Window {
    /// Starts tauri-driver and the app (with `envs` set for it) on `screen`. The web view's own
    /// storage (the language choice) goes to `profile`, so no run sees another's.
    pub fn open(app: &Path, screen: &Screen, profile: &Path, envs: &[(&str, &str)]) -> Window {
        let port = free_port();
        let native_port = free_port();
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", &screen.display)
            .env("NO_AT_BRIDGE", "1")
            .env("XDG_DATA_HOME", profile.join("share"))
            .env("XDG_CACHE_HOME", profile.join("cache"))
            .env("XDG_CONFIG_HOME", profile.join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Cheap key derivation for the ledgers the window creates (debug builds only).
        command.env("SOBAUCU_TEST_FAST_KDF", "1");
        for (k, v) in envs {
            command.env(k, v);
        }
        let driver = Guard(command.spawn().expect("tauri-driver (scripts/setup.sh installs it)"));
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        loop {
            if ureq::get(&format!("{base}/status")).call().is_ok() {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "tauri-driver did not answer on {base}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps =
            json!({"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": app}}}});
        let reply = post(&format!("{base}/session"), &caps);
        let session = reply["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {reply}")).to_string();
        Window { base, session, _driver: driver }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    /// Opens the ledger on the passphrase screen with the tests' passphrase (its only user).
    pub fn unlock(&self) {
        let passphrase = self.wait("#unlock-passphrase");
        self.type_text(&passphrase, sobaucu_core::vault::TEST_PASSPHRASE);
        self.click(&self.wait("#unlock-submit"));
    }

    /// Creates the ledger on the passphrase screen of an empty data folder: `name` is its chair.
    pub fn create_ledger(&self, name: &str) {
        self.type_text(&self.wait("#unlock-name"), name);
        self.type_text(&self.wait("#unlock-passphrase"), sobaucu_core::vault::TEST_PASSPHRASE);
        self.type_text(&self.wait("#unlock-again"), sobaucu_core::vault::TEST_PASSPHRASE);
        self.click(&self.wait("#unlock-submit"));
    }

    /// All elements matching a CSS selector, now.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let reply = post(&self.url("/elements"), &json!({"using": "css selector", "value": css}));
        reply["value"]
            .as_array()
            .map(|items| {
                items.iter().filter_map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_string()))).collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to 15 s for an element matching `css`.
    pub fn wait(&self, css: &str) -> Element {
        self.wait_until(css, |_| true)
    }

    /// Waits up to 15 s for an element matching `css` whose text satisfies `accept`.
    pub fn wait_until(&self, css: &str, accept: impl Fn(&str) -> bool) -> Element {
        let start = Instant::now();
        let mut last = String::new();
        let query = format!(
            "return Array.from(document.querySelectorAll({})).map(e => e.innerText || e.textContent || '')",
            Value::String(css.to_string())
        );
        loop {
            let texts = self.script(&query);
            let texts: Vec<&str> =
                texts.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            if let Some(index) = texts.iter().position(|t| accept(t)) {
                // The screen may redraw between the two calls; then look again.
                if let Some(element) = self.find_all(css).into_iter().nth(index) {
                    return element;
                }
            }
            if let Some(text) = texts.last() {
                last = text.to_string();
            }
            if start.elapsed() > Duration::from_secs(15) {
                let shot = self.screenshot("timeout");
                panic!("no `{css}` as expected in the window (last text: {last:?}); see {}", shot.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn text(&self, element: &Element) -> String {
        get(&self.url(&format!("/element/{}/text", element.0)))["value"].as_str().unwrap_or_default().to_string()
    }

    /// Clicks an element, waiting up to 10 s for it to become clickable (enabled, shown).
    pub fn click(&self, element: &Element) {
        let start = Instant::now();
        loop {
            let (status, body) = try_post(&self.url(&format!("/element/{}/click", element.0)), &json!({}));
            if status < 300 {
                return;
            }
            // WebKitWebDriver does not scroll an element inside a scrolled panel (the sidebar)
            // into view by itself.
            let reference = json!({ ELEMENT_KEY: element.0 });
            let _ = try_post(
                &self.url("/execute/sync"),
                &json!({"script": "arguments[0].scrollIntoView({block: 'center'}); return null;", "args": [reference]}),
            );
            if start.elapsed() > Duration::from_secs(10) {
                let shot = self.screenshot("click-failed");
                panic!("could not click: HTTP {status}: {body}; see {}", shot.display());
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn clear(&self, element: &Element) {
        post(&self.url(&format!("/element/{}/clear", element.0)), &json!({}));
    }

    pub fn type_text(&self, element: &Element, text: &str) {
        post(&self.url(&format!("/element/{}/value", element.0)), &json!({"text": text}));
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn script(&self, source: &str) -> Value {
        post(&self.url("/execute/sync"), &json!({"script": source, "args": []}))["value"].clone()
    }

    /// Sets the window's size (WebDriver's window rect) and waits until the page has it.
    pub fn set_size(&self, width: u32, height: u32) {
        post(&self.url("/window/rect"), &json!({"width": width, "height": height}));
        let start = Instant::now();
        loop {
            let size = self.script("return [window.innerWidth, window.innerHeight]");
            if size == json!([width, height]) {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "the window did not take {width}×{height}: {size}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the window to `target/screenshots/<name>.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        // The DOM can be ahead of the painted frame: give the web view a moment to paint.
        std::thread::sleep(Duration::from_millis(500));
        let reply = get(&self.url("/screenshot"));
        let data = base64::engine::general_purpose::STANDARD
            .decode(reply["value"].as_str().expect("a screenshot"))
            .expect("base64 PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, data).unwrap();
        path
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
    }
}

fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>, what: &str) -> Value {
    match response {
        Ok(mut r) => r.body_mut().read_json().unwrap_or(Value::Null),
        Err(ureq::Error::StatusCode(code)) => panic!("WebDriver {what}: HTTP {code}"),
        Err(e) => panic!("WebDriver {what}: {e}"),
    }
}

fn post(url: &str, body: &Value) -> Value {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response = agent.post(url).send_json(body).unwrap_or_else(|e| panic!("WebDriver {url}: {e}"));
    let status = response.status();
    let mut text = String::new();
    response.body_mut().as_reader().read_to_string(&mut text).ok();
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(status.is_success(), "WebDriver {url}: HTTP {status}: {text}");
    value
}

fn try_post(url: &str, body: &Value) -> (u16, String) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    match agent.post(url).send_json(body) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let mut text = String::new();
            response.body_mut().as_reader().read_to_string(&mut text).ok();
            (status, text)
        }
        Err(e) => (0, e.to_string()),
    }
}

fn get(url: &str) -> Value {
    read(ureq::get(url).call(), url)
}

/// A `sobaucu-hub serve` process on a free loopback port, killed when dropped.
pub struct Hub {
    pub dir: PathBuf,
    pub url: String,
    /// Where `/metrics` is served, when started with `--metrics`.
    pub metrics_url: Option<String>,
    process: Option<Guard>,
}

/// Runs a command to success and returns its standard output.
pub fn run_ok(command: &mut Command) -> String {
    let out = command.output().expect("the program starts");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail and returns its error output.
pub fn run_fails(command: &mut Command) -> String {
    let out = command.output().expect("the program starts");
    assert!(!out.status.success(), "{command:?} should have failed: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

/// The PostgreSQL server the hubs' suite runs against a second time (`scripts/test.sh` starts
/// a throwaway cluster and names it in `$SOBAUCU_TEST_POSTGRES`), if any.
pub fn test_postgres() -> Option<String> {
    std::env::var("SOBAUCU_TEST_POSTGRES").ok().filter(|s| !s.is_empty())
}

/// A PostgreSQL server to make databases on: the suite's (`$SOBAUCU_TEST_POSTGRES`), or a
/// throwaway cluster of the test's own (`scripts/pg-cluster.sh`), stopped when dropped.
pub struct Postgres {
    pub admin: String,
    own: Option<String>,
}

impl Postgres {
    pub fn start() -> Postgres {
        if let Some(admin) = test_postgres() {
            return Postgres { admin, own: None };
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster.sh");
        let out = run_ok(Command::new("bash").arg(&script).arg("start"));
        let value = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .map(|v| v.trim_matches('\'').to_string())
                .unwrap_or_else(|| panic!("{name} in {out}"))
        };
        Postgres { admin: value("SOBAUCU_TEST_POSTGRES"), own: Some(value("SOBAUCU_PG_DIR")) }
    }

    /// A new, empty database.
    pub fn database(&self, hint: &str) -> String {
        sobaucu_hub::pg::create_fresh_database(&self.admin, hint).unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster.sh");
            let _ = Command::new("bash").arg(script).args(["stop", dir]).output();
        }
    }
}

/// One of PostgreSQL's programs (`pg_dump`, `pg_restore`), from the distribution's folder.
pub fn pg_tool(name: &str) -> PathBuf {
    std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (scripts/setup.sh)")
        .map(|d| d.unwrap().path().join("bin").join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{name} in /usr/lib/postgresql/*/bin"))
}

/// A new database for the hub to be made in `dir` (None: no server to test against, or the
/// hub exists already).
pub fn test_database(dir: &Path) -> Option<String> {
    let admin = test_postgres()?;
    if dir.join("hub.sqlite").exists() || dir.join("database").exists() || dir.join("hub.keys").exists() {
        return None;
    }
    Some(sobaucu_hub::pg::create_fresh_database(&admin, "t").expect("a test database"))
}

impl Hub {
    pub fn command(dir: &Path) -> Command {
        let mut c = Command::new(binary("sobaucu-hub"));
        c.arg("--data")
            .arg(dir)
            .env("SOBAUCU_HUB_PASSPHRASE", sobaucu_core::vault::TEST_PASSPHRASE)
            .env("SOBAUCU_TEST_FAST_KDF", "1")
            .env_remove("SOBAUCU_HUB_DATABASE");
        // With a PostgreSQL server to test against, every hub made here lives in a database of
        // its own there (`init` reads `$SOBAUCU_HUB_DATABASE`).
        if let Some(database) = test_database(dir) {
            c.env("SOBAUCU_HUB_DATABASE", database);
        }
        c
    }

    /// Creates a hub for `unit` in `dir` (enrolled at `parent` if given) and starts it.
    pub fn start(dir: &Path, unit: &str, scheme: &str, parent: Option<&Hub>) -> Hub {
        let mut init = Hub::command(dir);
        init.args(["init", "--unit", unit, "--scheme", scheme]);
        if let Some(parent) = parent {
            let code = parent.enroll_code_for(unit, "hub");
            init.args(["--parent", &parent.url, "--code", &code]);
        }
        run_ok(&mut init);
        let mut hub = Hub { dir: dir.to_path_buf(), url: String::new(), metrics_url: None, process: None };
        hub.serve();
        hub
    }

    /// Creates a top hub for `unit` on the PostgreSQL database `database`, or on SQLite with
    /// None (whatever the suite runs on), and starts it.
    pub fn start_on(dir: &Path, unit: &str, scheme: &str, database: Option<&str>) -> Hub {
        let mut init = Hub::command(dir);
        init.env_remove("SOBAUCU_HUB_DATABASE").args(["init", "--unit", unit, "--scheme", scheme]);
        if let Some(url) = database {
            init.args(["--database", url]);
        }
        run_ok(&mut init);
        let mut hub = Hub { dir: dir.to_path_buf(), url: String::new(), metrics_url: None, process: None };
        hub.serve();
        hub
    }

    /// Starts (or restarts) serving, on a fresh port.
    pub fn serve(&mut self) {
        self.serve_with(&[]);
    }

    /// Starts (or restarts) serving, on a fresh port, with more arguments of `serve`.
    pub fn serve_with(&mut self, extra: &[&str]) {
        self.process = None;
        // The hub's log goes beside its store, for a failing test to be read.
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("serve.log")).unwrap();
        let mut child = Hub::command(&self.dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--relay-interval", "1"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("sobaucu-hub starts");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut read_line = || {
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while stdout.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
                line.push(byte[0]);
            }
            String::from_utf8_lossy(&line).to_string()
        };
        let url_in = |line: &str| line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_string);
        let line = read_line();
        self.url = url_in(&line).unwrap_or_else(|| panic!("no URL in {line:?}"));
        self.metrics_url = None;
        if extra.contains(&"--metrics") {
            let line = read_line();
            self.metrics_url = Some(url_in(&line).unwrap_or_else(|| panic!("no metrics URL in {line:?}")));
        }
        self.process = Some(Guard(child));
    }

    pub fn stop(&mut self) {
        self.process = None;
    }

    /// The serving process's id.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|g| g.0.id())
    }

    /// A one-time code that enrols a ledger of `unit`.
    pub fn enroll_code(&self, unit: &str) -> String {
        self.enroll_code_for(unit, "node")
    }

    /// A one-time code that enrols a `role` (`node` or `hub`) of `unit`.
    pub fn enroll_code_for(&self, unit: &str, role: &str) -> String {
        run_ok(Hub::command(&self.dir).args(["enroll-code", "--unit", unit, "--role", role])).trim().to_string()
    }
}

/// The voter that sorts last in a list made by [`voter_ledger`] (no generated given name starts
/// with z).
pub const LAST_VOTER: &str = "Hoàng Thị Zyx";

/// A commune ledger (Xã Mường Kim, 2025 scheme, election 2026-03-15) with `voters` voters, made
/// with the CLI: one polling area per 400 voters, then a Mẫu 33 CSV of generated names (and
/// [`LAST_VOTER`] among them) imported in one step.
pub fn voter_ledger(dir: &Path, voters: usize) -> Node {
    let node = Node::init(dir, "03637", "2025", "2026-03-15");
    let work = tempfile::tempdir().unwrap();
    let areas = work.path().join("areas.jsonl");
    let lines: String = (1..=voters.div_ceil(400).max(1))
        .map(|n| {
            format!("{{\"kind\":\"polling_area\",\"number\":{n},\"name\":\"Khu vực bỏ phiếu số {n}\",\"area_type\":\"ordinary\"}}\n")
        })
        .collect();
    std::fs::write(&areas, lines).unwrap();
    node.ok(&["import", areas.to_str().unwrap()]);
    let mut rng = sobaucu_core::demo::Rng::new(11);
    let mut csv = String::from("STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Nơi thường trú,Khu vực bỏ phiếu\n");
    for i in 0..voters {
        let (name, sex, ethnicity) = sobaucu_core::demo::person(&mut rng);
        let name = if i == voters / 2 { LAST_VOTER.to_string() } else { name };
        let sex = if i == voters / 2 || sex != "male" { "Nữ" } else { "Nam" };
        let village = sobaucu_core::demo::VILLAGES[rng.below(sobaucu_core::demo::VILLAGES.len() as u64) as usize];
        csv.push_str(&format!(
            "{},{name},{:02}/{:02}/{},{sex},{ethnicity},\"{village}, xã Mường Kim\",Khu vực bỏ phiếu số {}\n",
            i + 1,
            1 + rng.below(28),
            1 + rng.below(12),
            1940 + rng.below(60),
            1 + i / 400
        ));
    }
    let file = work.path().join("mau33.csv");
    std::fs::write(&file, csv).unwrap();
    node.ok(&["import", "--kind", "voter", "--set", "ballots=na,provincial,commune", file.to_str().unwrap()]);
    node
}

/// A ledger driven through the `sobaucu` CLI.
pub struct Node {
    pub dir: PathBuf,
    /// The date the ledger's deadlines are judged on (`$SOBAUCU_TODAY`).
    pub today: String,
}

impl Node {
    pub fn command(&self) -> Command {
        let mut c = Command::new(binary("sobaucu"));
        c.arg("--data")
            .arg(&self.dir)
            .env("SOBAUCU_TODAY", &self.today)
            .env("LANG", "C")
            .env("SOBAUCU_PASSPHRASE", sobaucu_core::vault::TEST_PASSPHRASE)
            .env("SOBAUCU_TEST_FAST_KDF", "1")
            .env_remove("SOBAUCU_USER");
        c
    }

    /// A new ledger judged on 20 March 2021 (two months before the 2021 election).
    pub fn init(dir: &Path, unit: &str, scheme: &str, election: &str) -> Node {
        Node::init_on(dir, unit, scheme, election, "2021-03-20")
    }

    /// A new ledger judged on `today` (YYYY-MM-DD).
    pub fn init_on(dir: &Path, unit: &str, scheme: &str, election: &str, today: &str) -> Node {
        let node = Node { dir: dir.to_path_buf(), today: today.to_string() };
        run_ok(node.command().args(["init", "--unit", unit, "--scheme", scheme, "--election", election]));
        node
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
    }

    pub fn ok(&self, args: &[&str]) -> String {
        run_ok(self.command().args(args))
    }

    pub fn fails(&self, args: &[&str]) -> String {
        run_fails(self.command().args(args))
    }

    /// Runs a command that must succeed, with more environment variables.
    pub fn ok_with(&self, envs: &[(&str, &str)], args: &[&str]) -> String {
        let mut command = self.command();
        for (k, v) in envs {
            command.env(k, v);
        }
        run_ok(command.args(args))
    }

    pub fn enroll(&self, hub: &Hub, unit: &str) {
        let code = hub.enroll_code(unit);
        self.ok(&["enroll", "--hub", &hub.url, "--code", &code]);
    }

    pub fn report(&self) -> Value {
        serde_json::from_str(&self.ok(&["report", "--json"])).expect("report JSON")
    }

    /// Imports JSONL lines.
    pub fn import(&self, lines: &[Value]) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let file = self.dir.with_extension(format!("{}.jsonl", lines.len()));
        std::fs::write(&file, text).unwrap();
        self.ok(&["import", file.to_str().unwrap()]);
    }
}

/// Polls `probe` until it returns true, for up to `seconds`.
pub fn eventually(seconds: u64, what: &str, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(start.elapsed() < Duration::from_secs(seconds), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// How the test proxy shapes the link.
#[derive(Clone, Default)]
pub struct LinkShape {
    /// Bytes per second in each direction (None: as fast as loopback).
    pub bytes_per_second: Option<u64>,
    /// Delay added to each burst in each direction (half the round trip).
    pub one_way_delay: Duration,
    /// Every connection is cut after this many bytes (both directions together), drawn afresh
    /// for each connection from this range.
    pub cut_after_bytes: Option<(u64, u64)>,
    /// All open connections are cut this often.
    pub cut_every: Option<Duration>,
}

/// Counts of what crossed the proxy.
#[derive(Default)]
pub struct LinkStats {
    pub up: std::sync::atomic::AtomicU64,
    pub down: std::sync::atomic::AtomicU64,
    pub connections: std::sync::atomic::AtomicU64,
    pub cuts: std::sync::atomic::AtomicU64,
}

/// A TCP proxy on loopback in front of a hub, that slows, delays and cuts the link.
pub struct Proxy {
    pub url: String,
    pub stats: std::sync::Arc<LinkStats>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Proxy {
    pub fn start(upstream_url: &str, shape: LinkShape) -> Proxy {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let upstream = upstream_url.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stats = Arc::new(LinkStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(AtomicU64::new(0));
        if let Some(every) = shape.cut_every {
            let (stop, generation) = (stop.clone(), generation.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(every);
                    generation.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        let (stats2, stop2) = (stats.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
            while !stop2.load(Ordering::SeqCst) {
                let client = match listener.accept() {
                    Ok((c, _)) => c,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = std::net::TcpStream::connect(&upstream) else { continue };
                stats2.connections.fetch_add(1, Ordering::SeqCst);
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let budget = shape.cut_after_bytes.map(|(lo, hi)| lo + seed % (hi - lo).max(1));
                let link = Arc::new(Link {
                    budget: budget.map(AtomicU64::new),
                    born: generation.load(Ordering::SeqCst),
                    generation: generation.clone(),
                    closed: AtomicBool::new(false),
                });
                for (from, to, up) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap(), true), (server, client, false)]
                {
                    let (link, stats, shape) = (link.clone(), stats2.clone(), shape.clone());
                    std::thread::spawn(move || pump(from, to, up, &link, &stats, &shape));
                }
            }
        });
        Proxy { url, stats, stop }
    }
}

struct Link {
    budget: Option<std::sync::atomic::AtomicU64>,
    born: u64,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    closed: std::sync::atomic::AtomicBool,
}

fn pump(
    mut from: std::net::TcpStream,
    mut to: std::net::TcpStream,
    up: bool,
    link: &Link,
    stats: &LinkStats,
    shape: &LinkShape,
) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    from.set_read_timeout(Some(Duration::from_millis(100))).ok();
    let mut buffer = [0u8; 1024];
    let mut idle = true;
    let cut = |from: &std::net::TcpStream, to: &std::net::TcpStream| {
        if !link.closed.swap(true, Ordering::SeqCst) {
            stats.cuts.fetch_add(1, Ordering::SeqCst);
        }
        let _ = from.shutdown(std::net::Shutdown::Both);
        let _ = to.shutdown(std::net::Shutdown::Both);
    };
    loop {
        if link.closed.load(Ordering::SeqCst) {
            let _ = to.shutdown(std::net::Shutdown::Both);
            return;
        }
        if shape.cut_every.is_some() && link.generation.load(Ordering::SeqCst) != link.born {
            return cut(&from, &to);
        }
        let n = match from.read(&mut buffer) {
            Ok(0) => {
                let _ = to.shutdown(std::net::Shutdown::Write);
                return;
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                idle = true;
                continue;
            }
            Err(_) => return cut(&from, &to),
        };
        if idle {
            std::thread::sleep(shape.one_way_delay);
            idle = false;
        }
        if let Some(rate) = shape.bytes_per_second {
            std::thread::sleep(Duration::from_micros(n as u64 * 1_000_000 / rate));
        }
        let mut allowed = n;
        if let Some(budget) = &link.budget {
            let left = budget.load(Ordering::SeqCst);
            allowed = allowed.min(left as usize);
            budget.fetch_sub(allowed as u64, Ordering::SeqCst);
        }
        if to.write_all(&buffer[..allowed]).is_err() {
            return cut(&from, &to);
        }
        let counter = if up { &stats.up } else { &stats.down };
        counter.fetch_add(allowed as u64, Ordering::SeqCst);
        if allowed < n {
            return cut(&from, &to);
        }
    }
}

/// Runs poppler's pdftotext on a PDF (`layout`: keep the page's layout).
fn pdftotext(path: &Path, layout: bool) -> String {
    let mut command = Command::new("pdftotext");
    if layout {
        command.arg("-layout");
    }
    let out = command.arg(path).arg("-").output().expect("pdftotext (poppler-utils; scripts/setup.sh installs it)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The text of a PDF, laid out as on its pages.
pub fn pdf_text(path: &Path) -> String {
    pdftotext(path, true)
}

/// The words of a PDF in reading order, runs of white space made one space.
pub fn pdf_words(path: &Path) -> String {
    pdftotext(path, false).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` holds something shaped like a record id (`<16 hex digits>-<counter>`).
pub fn has_record_id(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(17)).any(|i| {
        chars[i..i + 16].iter().all(char::is_ascii_hexdigit) && chars[i + 16] == '-' && chars[i + 17].is_ascii_digit()
    })
}
