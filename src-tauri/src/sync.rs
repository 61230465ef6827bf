//! The background sync of the desktop app: a thread with its own connection to the ledger that
//! syncs with the hub whenever it answers — soon after the app starts, a few seconds after each
//! local change, every few minutes otherwise, and after a failure with a pause that grows from
//! ten seconds to ten minutes. It reports to the window through `sync://status` events.
//! All the work is `sobaucu_client::sync`; this module only schedules it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sobaucu_client::Progress;
use sobaucu_core::Store;
use tauri::{AppHandle, Emitter};
use tokio::sync::Notify;

/// Seconds to wait after a local change before syncing it (changes made together go together).
const AFTER_CHANGE: Duration = Duration::from_secs(3);
/// Seconds between syncs when all is well.
const EVERY: Duration = Duration::from_secs(180);
const FIRST_RETRY: Duration = Duration::from_secs(10);
const LONGEST_RETRY: Duration = Duration::from_secs(600);

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
    wake: Arc<Notify>,
    now: Arc<AtomicBool>,
    activity: Arc<Mutex<Activity>>,
}

impl SyncWorker {
    pub fn start(app: AppHandle, dir: PathBuf) -> SyncWorker {
        let worker = SyncWorker {
            wake: Arc::new(Notify::new()),
            now: Arc::new(AtomicBool::new(true)),
            activity: Arc::new(Mutex::new(Activity::default())),
        };
        let (wake, now, activity) = (worker.wake.clone(), worker.now.clone(), worker.activity.clone());
        std::thread::spawn(move || run(app, dir, wake, now, activity));
        worker
    }

    /// A local change was made: sync it soon.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    /// Sync at once.
    pub fn sync_now(&self) {
        self.now.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The status the window shows, from the ledger and the worker.
    pub fn status(&self, store: &Store) -> Value {
        let activity = self.activity.lock().unwrap_or_else(|p| p.into_inner()).clone();
        status_json(store, &activity)
    }
}

fn progress_json(p: &Progress) -> Value {
    json!({"pushed": p.pushed, "to_push": p.to_push, "pulled": p.pulled, "bytes_up": p.bytes_up,
           "bytes_down": p.bytes_down, "rounds": p.rounds, "retries": p.retries})
}

fn status_json(store: &Store, activity: &Activity) -> Value {
    let parent = store.parent().ok().flatten();
    json!({
        "enrolled": parent.is_some(),
        "hub_url": parent.as_ref().and_then(|p| p.url.clone()),
        "hub_unit": parent.as_ref().map(|p| p.unit.clone()),
        "hub_node_id": parent.as_ref().map(|p| p.peer.clone()),
        "last_sync_at": parent.as_ref().and_then(|p| p.last_sync_at.clone()),
        "pending": store.pending_count().unwrap_or(0),
        "running": activity.running,
        "progress": activity.progress.as_ref().map(progress_json),
        "last_error": activity.last_error.as_ref().map(|(en, vi)| json!({"message": en, "message_vi": vi})),
        "next_attempt_at": activity.next_attempt_at,
        "conflicts": store.conflicts().map(|c| c.len()).unwrap_or(0),
    })
}

fn emit(app: &AppHandle, store: &Store, activity: &Mutex<Activity>) {
    let snapshot = activity.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let _ = app.emit("sync://status", status_json(store, &snapshot));
}

fn run(app: AppHandle, dir: PathBuf, wake: Arc<Notify>, now: Arc<AtomicBool>, activity: Arc<Mutex<Activity>>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async move {
        let mut wait = Duration::from_secs(2);
        let mut failures: u32 = 0;
        loop {
            if !now.swap(false, Ordering::SeqCst) {
                tokio::select! {
                    _ = wake.notified() => {
                        if !now.swap(false, Ordering::SeqCst) {
                            tokio::time::sleep(AFTER_CHANGE).await;
                        }
                    }
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            let Ok(mut store) = Store::open_existing(&dir) else {
                wait = EVERY;
                continue;
            };
            if store.parent().ok().flatten().is_none() {
                wait = EVERY;
                continue;
            }
            {
                let mut a = activity.lock().unwrap_or_else(|p| p.into_inner());
                a.running = true;
                a.progress = None;
                a.next_attempt_at = None;
            }
            emit(&app, &store, &activity);
            let result = {
                let (app, activity) = (app.clone(), activity.clone());
                let dir = dir.clone();
                sobaucu_client::sync(&mut store, None, move |p| {
                    activity.lock().unwrap_or_else(|e| e.into_inner()).progress = Some(p.clone());
                    // The callback cannot borrow the store it syncs: report from a second connection.
                    if let Ok(reader) = Store::open_existing(&dir) {
                        emit(&app, &reader, &activity);
                    }
                })
                .await
            };
            {
                let mut a = activity.lock().unwrap_or_else(|p| p.into_inner());
                a.running = false;
                match &result {
                    Ok(_) => {
                        a.last_error = None;
                        failures = 0;
                        wait = EVERY;
                    }
                    Err(e) => {
                        let vi = match e {
                            sobaucu_client::ClientError::Unreachable { .. }
                            | sobaucu_client::ClientError::Cut { .. } => {
                                "Không kết nối được máy chủ; sẽ thử lại".to_string()
                            }
                            other => format!("Máy chủ từ chối: {other}"),
                        };
                        a.last_error = Some((e.to_string(), vi));
                        failures += 1;
                        wait = (FIRST_RETRY * 2u32.pow(failures.min(10) - 1)).min(LONGEST_RETRY);
                    }
                }
                a.next_attempt_at =
                    Some((chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default()).to_rfc3339());
            }
            emit(&app, &store, &activity);
        }
    });
}
