//! The window benchmark: the time to open the list of 100,000 voters in the real window, from
//! the click on "Cử tri" in the sidebar to its first rows in the page (measured in the page with
//! `performance.now()` and the list's `list-rows` mark), the first time (the core reads the list
//! into its index) and again; then the time to show the rows at the list's end after a jump
//! there. The ledger is made with the CLI before the app starts; the app runs under Xvfb through
//! WebDriver, as the window tests do.
//!
//! Run (release binaries first):
//! `cargo build --release -p sobaucu-cli -p sobaucu-desktop && cargo bench --bench window`
//! (optionally `-- 20000`). It prints figures and asserts nothing.

use std::time::{Duration, Instant};

use serde_json::Value;
use sobaucu_tests::{LAST_VOTER, Screen, Window, binary, voter_ledger};

/// Clicks the voters' entry and waits for the list's first rows; milliseconds in the page.
fn open_list(w: &Window) -> f64 {
    w.click(&w.wait("a[data-view=\"dashboard\"]"));
    // The dashboard's own reading of the ledger ends first (commands run one at a time).
    w.wait_until("[data-count-kind=\"voter\"]", |t| t.chars().any(|c| c.is_ascii_digit()));
    w.script(
        "performance.clearMarks('list-rows'); window.__openStart = performance.now(); \
         document.querySelector('a[data-kind=\"voter\"]').click(); return 0",
    );
    let start = Instant::now();
    loop {
        let took = w.script(
            "const m = performance.getEntriesByName('list-rows'); \
             return m.length ? m[0].startTime - window.__openStart : null",
        );
        if let Some(ms) = took.as_f64() {
            return ms;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "the list did not open");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn main() {
    let voters: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let app = binary("sobaucu-desktop");
    let data = tempfile::tempdir().unwrap();
    let ledger = data.path().join("ledger");
    let made = Instant::now();
    voter_ledger(&ledger, voters);
    let made = made.elapsed().as_secs_f64();

    let screen = Screen::start();
    let w = Window::open(&app, &screen, data.path(), &[("SOBAUCU_DATA", ledger.to_str().unwrap())]);
    w.unlock();
    w.wait_until("#dashboard", |t| t.contains("Mường Kim"));
    let first = open_list(&w);
    let again = open_list(&w);
    w.wait("#list-view tr[data-id]");

    // A jump to the end: from the scroll to the last voter's row in the page.
    w.script(
        "const total = Number(document.querySelector('#list-view table').getAttribute('aria-rowcount')); \
         const last = '#list-view tr.record-row[data-index=\"' + (total - 1) + '\"]'; \
         window.__jumpEnd = null; \
         const seen = new MutationObserver(() => { \
           if (window.__jumpEnd === null && document.querySelector(last)) { \
             window.__jumpEnd = performance.now(); seen.disconnect(); } }); \
         seen.observe(document.querySelector('#list-view tbody'), { childList: true }); \
         const s = document.getElementById('list-scroll'); \
         window.__scrolled = null; s.addEventListener('scroll', () => { if (window.__scrolled === null) window.__scrolled = performance.now() - window.__jumpStart; }); \
         window.__jumpStart = performance.now(); s.scrollTop = s.scrollHeight; return 0",
    );
    let start = Instant::now();
    let jump = loop {
        let took = w.script("return window.__jumpEnd === null ? null : window.__jumpEnd - window.__jumpStart");
        if let Some(ms) = took.as_f64() {
            break ms;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "the list's end was not drawn");
        std::thread::sleep(Duration::from_millis(5));
    };
    let scrolled = w.script("return window.__scrolled").as_f64().unwrap_or(f64::NAN);
    w.wait_until("#list-view tr.record-row", |t| t.contains(LAST_VOTER));
    let drawn: Value = w.script("return document.querySelectorAll('#list-view tr.record-row').length");

    // One page of the list through the bridge, as the window asks for it while scrolling.
    let mut pages = Vec::new();
    for offset in [0, voters / 2, voters - 200] {
        let limit = 200;
        w.script(&format!(
            "window.__ipc = null; const t = performance.now(); \
             window.__TAURI__.core.invoke('list_records', {{ kind: 'voter', query: {{ offset: {offset}, limit: {limit} }} }}) \
               .then(() => {{ window.__ipc = performance.now() - t; }}); return 0"
        ));
        let start = Instant::now();
        loop {
            if let Some(ms) = w.script("return window.__ipc").as_f64() {
                pages.push(ms);
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(60));
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    println!("sobaucu window benchmark, {voters} voters (ledger made by the CLI in {made:.1} s)");
    println!("  open the list (click → first rows), first time: {first:.0} ms (goal < 500 ms)");
    println!("  open the list again:                            {again:.0} ms");
    println!(
        "  jump to the list's end (scroll → last rows):    {jump:.0} ms, of which {scrolled:.0} ms before the page's scroll event; {drawn} rows in the page"
    );
    println!(
        "  a page of 200 rows through list_records:        {:.0} ms at the start, {:.0} ms in the middle, {:.0} ms at the end",
        pages[0], pages[1], pages[2]
    );
}
