//! The background sync of the desktop app: the shared schedule of `sobaucu_client::scheduler`
//! (soon after the app starts, a few seconds after each local change, every few minutes
//! otherwise, and after a failure with a pause that grows from ten seconds to ten minutes),
//! running `sobaucu_client::sync` on a connection of its own to the ledger. It reports to the
//! window through the host ([`crate::Host::sync_status`]: the shell's `sync://status` events).
//! This module only wires the two together.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sobaucu_client::Progress;
use sobaucu_client::scheduler::{Schedule, Scheduler};
use sobaucu_core::Store;

use crate::Host;

const SCHEDULE: Schedule = Schedule {
    first: Duration::from_secs(2),
    after_change: Duration::from_secs(3),
    every: Duration::from_secs(180),
    first_retry: Duration::from_secs(10),
    longest_retry: Duration::from_secs(600),
};

/// What the worker knows that the ledger does not.
#[derive(Default, Clone)]
struct Activity {
    running: bool,
    progress: Option<Progress>,
    last_error: Option<(String, String)>,
    next_attempt_at: Option<String>,
}

/// The handle the commands hold.
pub struct SyncWorker {
    scheduler: Scheduler,
    activity: Arc<Mutex<Activity>>,
    /// The worker's own connection to the ledger, once it is unlocked.
    store: Arc<Mutex<Option<Store>>>,
}

impl SyncWorker {
    pub fn start<H: Host>(app: Arc<H>) -> SyncWorker {
        let activity = Arc::new(Mutex::new(Activity::default()));
        let store: Arc<Mutex<Option<Store>>> = Arc::new(Mutex::new(None));
        let (job_activity, planned_activity, job_store) = (activity.clone(), activity.clone(), store.clone());
        let scheduler = Scheduler::start(
            SCHEDULE,
            move || {
                let mut guard = job_store.lock().unwrap_or_else(|p| p.into_inner());
                match guard.as_mut() {
                    Some(store) => run_once(&app, store, &job_activity),
                    None => true,
                }
            },
            move |due: Instant| {
                let wait = due.saturating_duration_since(Instant::now());
                planned_activity.lock().unwrap_or_else(|p| p.into_inner()).next_attempt_at =
                    Some((chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default()).to_rfc3339());
            },
        );
        SyncWorker { scheduler, activity, store }
    }

    /// The ledger was unlocked: sync it, on this connection of its own.
    pub fn attach(&self, store: Store) {
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = Some(store);
        self.scheduler.now();
    }

    /// The ledger was locked.
    pub fn detach(&self) {
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// A local change was made: sync it soon.
    pub fn changed(&self) {
        self.scheduler.changed();
    }

    /// Sync at once.
    pub fn sync_now(&self) {
        self.scheduler.now();
    }

    /// The schedule itself, for the hub the app serves to wake when a commune pushed something
    /// (so the ledger pulls it soon).
    pub(crate) fn scheduler(&self) -> Scheduler {
        self.scheduler.clone()
    }

    /// The status the window shows, from the ledger and the worker.
    pub fn status(&self, store: &Store) -> Value {
        let activity = self.activity.lock().unwrap_or_else(|p| p.into_inner()).clone();
        status_json(store, &activity)
    }
}

fn progress_json(p: &Progress) -> Value {
    json!({"pushed": p.pushed, "to_push": p.to_push, "pulled": p.pulled, "bytes_up": p.bytes_up,
           "bytes_down": p.bytes_down, "rounds": p.rounds, "retries": p.retries, "refused": p.refused,
           "clock_off_seconds": p.clock_off_seconds})
}

fn status_json(store: &Store, activity: &Activity) -> Value {
    let parent = store.parent().ok().flatten();
    json!({
        "enrolled": parent.is_some(),
        "hub_url": parent.as_ref().and_then(|p| p.url.clone()),
        "hub_unit": parent.as_ref().map(|p| p.unit.clone()),
        "hub_node_id": parent.as_ref().map(|p| p.peer.to_string()),
        "last_sync_at": parent.as_ref().and_then(|p| p.last_sync_at.clone()),
        "pending": store.pending_count().unwrap_or(0),
        "running": activity.running,
        "progress": activity.progress.as_ref().map(progress_json),
        "last_error": activity.last_error.as_ref().map(|(en, vi)| json!({"message": en, "message_vi": vi})),
        "next_attempt_at": activity.next_attempt_at,
        "conflicts": store.conflicts().map(|c| c.len()).unwrap_or(0),
        "refused": store.refused().map(|r| r.len()).unwrap_or(0),
    })
}

fn emit<H: Host>(app: &H, store: &Store, activity: &Mutex<Activity>) {
    let snapshot = activity.lock().unwrap_or_else(|p| p.into_inner()).clone();
    app.sync_status(&status_json(store, &snapshot));
}

/// One sync, if the ledger is enrolled; says whether it went well (the schedule backs off if not).
fn run_once<H: Host>(app: &Arc<H>, store: &mut Store, activity: &Arc<Mutex<Activity>>) -> bool {
    if store.parent().ok().flatten().is_none() {
        return true;
    }
    {
        let mut a = activity.lock().unwrap_or_else(|p| p.into_inner());
        a.running = true;
        a.progress = None;
        a.next_attempt_at = None;
    }
    emit(app.as_ref(), store, activity);
    let result = {
        let (app, activity) = (app.clone(), activity.clone());
        // The callback cannot borrow the store it syncs: report from a second connection.
        let reader = store.reopen().ok();
        sobaucu_client::sync(store, None, move |p| {
            activity.lock().unwrap_or_else(|e| e.into_inner()).progress = Some(p.clone());
            if let Some(reader) = &reader {
                emit(app.as_ref(), reader, &activity);
            }
        })
    };
    let ok = result.is_ok();
    match &result {
        Ok(p) => tracing::info!(
            pushed = p.pushed,
            pulled = p.pulled,
            refused = p.refused,
            rounds = p.rounds,
            "background sync"
        ),
        Err(e) => tracing::warn!(error = %e, "background sync failed"),
    }
    {
        let mut a = activity.lock().unwrap_or_else(|p| p.into_inner());
        a.running = false;
        match &result {
            Ok(_) => a.last_error = None,
            Err(e) => {
                let vi = vietnamese(e);
                a.last_error = Some((e.to_string(), vi));
            }
        }
    }
    emit(app.as_ref(), store, activity);
    ok
}

/// A sync error in Vietnamese, for the window.
pub(crate) fn vietnamese(e: &sobaucu_client::ClientError) -> String {
    use sobaucu_client::ClientError as E;
    match e {
        E::Unreachable { .. } | E::Cut { .. } => "Không kết nối được máy chủ; sẽ thử lại".to_string(),
        E::Pending { pending, .. } => format!("Còn {pending} thay đổi chưa gửi được; sẽ thử lại"),
        E::Legacy => {
            "Sổ đã đăng ký với máy chủ theo phiên bản cũ: hãy xin mã mới và đăng ký lại; dữ liệu được giữ nguyên"
                .to_string()
        }
        E::Local(message) => message.clone(),
        other => format!("Máy chủ từ chối: {other}"),
    }
}
