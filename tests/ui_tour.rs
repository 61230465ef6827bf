//! One tour of every screen in the real window at 1280×800 and one at 1024×768: a commune's
//! demo ledger (dashboard, report, sync, import, bin, every list, a new and an edit form, the
//! help panel) and a district's (progress board, duplicate voters, the hub). Each screen is
//! photographed under `$CARGO_TARGET_DIR/screenshots/tour-<width>-<screen>.png` and checked: no
//! visible element's box overlaps a sibling's, and none leaves the window horizontally (unless
//! a scrolling box holds it).

use sobaucu_tests::{Node, Screen, Window, binary};

/// The layout check, in the page: a list of what is wrong (empty when all is well).
const LAYOUT_CHECK: &str = r#"
const problems = [];
const width = window.innerWidth;
const shown = (el) => {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};
// Boxes laid out in the flow. A sticky bar (a form's save buttons) stays in view above the
// fields that scroll beneath it: a layer by design, not a collision, so it is left out.
const inFlow = (el) => {
  const style = getComputedStyle(el);
  return style.display !== 'inline' && !['absolute', 'fixed', 'sticky'].includes(style.position);
};
// Held by a box of its own that scrolls or clips sideways (a wide table's wrapper). The main
// area scrolls too, but content wider than it makes the whole screen scroll sideways: that
// counts as leaving the window.
const scrolled = (el) => {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (p.id === 'main' || p.id === 'app' || p.classList.contains('shell')) continue;
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
  }
  return false;
};
const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
  + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
const all = [...document.querySelectorAll('#app *, #overlay-root *')].filter(shown);
for (const el of all) {
  if (!inFlow(el)) continue;
  const box = el.getBoundingClientRect();
  const leaves = (b) => b.right > width + 1 || b.left < -1;
  // The outermost box that leaves is named, not each of its descendants.
  if (el.parentElement && leaves(el.parentElement.getBoundingClientRect())) continue;
  if (leaves(box) && !scrolled(el)) {
    problems.push(`${name(el)} leaves the window (${Math.round(box.left)}–${Math.round(box.right)} of ${width})`);
  }
}
for (const parent of [document.getElementById('app'), ...all]) {
  const kids = [...parent.children].filter((k) => shown(k) && inFlow(k));
  if (kids.length > 400) continue;
  for (let i = 0; i < kids.length; i++) {
    const a = kids[i].getBoundingClientRect();
    for (let j = i + 1; j < kids.length; j++) {
      const b = kids[j].getBoundingClientRect();
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) problems.push(`${name(kids[i])} overlaps ${name(kids[j])} in ${name(parent)}`);
    }
  }
}
// No internal record id (16 hex digits and a number) and no internal key (a word with `_`)
// where a person reads.
const text = document.getElementById('main')?.innerText || '';
for (const id of text.match(/\b[0-9a-f]{16}-\d+\b/g) || []) problems.push(`a record id on screen: ${id}`);
for (const key of text.match(/\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b/g) || []) problems.push(`an internal key on screen: ${key}`);
return problems.slice(0, 30);
"#;

struct Tour<'w> {
    w: &'w Window,
    width: u32,
    problems: Vec<String>,
}

impl Tour<'_> {
    /// Photographs the screen shown and checks its layout.
    fn look(&mut self, screen: &str) {
        self.w.screenshot(&format!("tour-{}-{screen}", self.width));
        let found = self.w.script(LAYOUT_CHECK);
        for problem in found.as_array().into_iter().flatten() {
            self.problems.push(format!("{screen}: {}", problem.as_str().unwrap_or_default()));
        }
    }

    /// Opens a route and waits for what shows it is drawn.
    fn visit(&mut self, hash: &str, ready: &str, screen: &str) {
        self.w.script(&format!("location.hash = '{hash}'; return null;"));
        self.w.wait(ready);
        self.look(screen);
    }
}

fn tour(width: u32, height: u32) {
    let tmp = tempfile::tempdir().unwrap();
    let screen = Screen::start();
    let mut problems = Vec::new();
    {
        let ledger = tmp.path().join("commune");
        let w = Window::open(
            &binary("sobaucu-desktop"),
            &screen,
            tmp.path(),
            &[("SOBAUCU_DATA", ledger.to_str().unwrap()), ("SOBAUCU_TODAY", "2026-02-01")],
        );
        w.set_size(width, height);
        w.create_ledger("Lò Văn Minh");
        w.click(&w.wait("#setup-demo"));
        w.wait("[data-count-kind=\"voter\"]");
        let mut t = Tour { w: &w, width, problems: Vec::new() };
        t.look("dashboard");
        // The help panel, open.
        w.click(&w.wait("#help-toggle"));
        w.wait_until("#help-panel", |text| text.contains("Luật quy định"));
        t.look("dashboard-help");
        w.click(&w.wait("#help-toggle"));
        t.visit("#/report", "#report-view section[data-section=\"voters\"]", "report");
        t.visit("#/sync", "#conflicts", "sync");
        t.visit("#/import/voter", "#import-choose", "import");
        t.visit("#/bin", "#bin-list > *", "bin");
        t.visit("#/election-day", "#ed-body > section", "election-day");
        let kinds =
            w.script("return [...document.querySelectorAll('.side-nav a[data-kind]')].map((a) => a.dataset.kind)");
        for kind in kinds.as_array().unwrap() {
            let kind = kind.as_str().unwrap();
            t.visit(&format!("#/list/{kind}"), "#list-count", &format!("list-{kind}"));
        }
        t.visit("#/new/voter", "#record-form", "new-voter");
        t.visit("#/list/voter", "#list-view tr[data-id]", "list-voter-again");
        w.click(&w.wait("#list-view tr[data-id] td"));
        w.wait("#record-form [name=\"full_name\"]");
        t.look("edit-voter");
        problems.append(&mut t.problems);
    }
    {
        let district = Node::init(&tmp.path().join("district"), "106", "2021", "2021-05-23");
        let w = Window::open(
            &binary("sobaucu-desktop"),
            &screen,
            tmp.path(),
            &[("SOBAUCU_DATA", district.dir.to_str().unwrap()), ("SOBAUCU_TODAY", "2021-03-20")],
        );
        w.set_size(width, height);
        w.unlock();
        w.wait("#main");
        let mut t = Tour { w: &w, width, problems: Vec::new() };
        t.visit("#/progress", "#progress-units", "district-progress");
        t.visit("#/duplicates", "main .screen > *", "district-duplicates");
        t.visit("#/hub", "main .screen > *", "district-hub");
        t.visit("#/report", "#report-units-table", "district-report");
        t.visit("#/dashboard", "main .screen > *", "district-dashboard");
        t.visit("#/election-day", "#ed-units", "district-election-day");
        problems.append(&mut t.problems);
    }
    assert!(problems.is_empty(), "layout problems at {width}×{height}:\n{}", problems.join("\n"));
}

#[test]
fn every_screen_at_1280_by_800() {
    tour(1280, 800);
}

#[test]
fn every_screen_at_1024_by_768() {
    tour(1024, 768);
}
