//! When to sync in the background, for the desktop app and for a hub's relay to its parent:
//! soon after start, a little after each local change (changes made together go together),
//! at once when asked, every so often otherwise, and after a failure with a pause that grows
//! each time up to a ceiling. One thread; the job is whatever syncs.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The pauses of a schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Before the first run.
    pub first: Duration,
    /// After a local change, before syncing it.
    pub after_change: Duration,
    /// Between runs when all is well.
    pub every: Duration,
    /// After the first failure; doubled after each further one, up to `longest_retry`.
    pub first_retry: Duration,
    pub longest_retry: Duration,
}

#[derive(Default)]
struct Signals {
    changed: bool,
    now: bool,
    stop: bool,
}

/// A background sync schedule running its job on a thread of its own.
#[derive(Clone)]
pub struct Scheduler {
    signals: Arc<(Mutex<Signals>, Condvar)>,
}

impl Scheduler {
    /// Starts the thread. `job` runs one sync and says whether it succeeded; `planned` hears
    /// when the next run is due (for a status line).
    pub fn start(
        schedule: Schedule,
        mut job: impl FnMut() -> bool + Send + 'static,
        planned: impl Fn(Instant) + Send + 'static,
    ) -> Scheduler {
        let scheduler = Scheduler { signals: Arc::new((Mutex::new(Signals::default()), Condvar::new())) };
        let signals = scheduler.signals.clone();
        std::thread::spawn(move || {
            let (lock, wake) = &*signals;
            let mut wait = schedule.first;
            let mut failures: u32 = 0;
            loop {
                let due = Instant::now() + wait;
                planned(due);
                {
                    let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
                    loop {
                        if s.stop {
                            return;
                        }
                        if s.now {
                            break;
                        }
                        let now = Instant::now();
                        if s.changed {
                            // Let the changes made together gather, then go.
                            s.changed = false;
                            let until = now + schedule.after_change;
                            while Instant::now() < until && !s.now && !s.stop {
                                s = wake.wait_timeout(s, until - Instant::now()).unwrap_or_else(|p| p.into_inner()).0;
                            }
                            break;
                        }
                        if now >= due {
                            break;
                        }
                        s = wake.wait_timeout(s, due - now).unwrap_or_else(|p| p.into_inner()).0;
                    }
                    s.now = false;
                    s.changed = false;
                }
                if job() {
                    failures = 0;
                    wait = schedule.every;
                } else {
                    failures += 1;
                    wait = (schedule.first_retry * 2u32.pow(failures.min(16) - 1)).min(schedule.longest_retry);
                }
            }
        });
        scheduler
    }

    /// A local change was made: sync it soon.
    pub fn changed(&self) {
        self.signal(|s| s.changed = true);
    }

    /// Sync at once.
    pub fn now(&self) {
        self.signal(|s| s.now = true);
    }

    /// Stops the thread after the run in progress.
    pub fn stop(&self) {
        self.signal(|s| s.stop = true);
    }

    fn signal(&self, set: impl FnOnce(&mut Signals)) {
        let (lock, wake) = &*self.signals;
        set(&mut lock.lock().unwrap_or_else(|p| p.into_inner()));
        wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn runs_first_then_on_demand_and_backs_off_after_failures() {
        let runs = Arc::new(AtomicU32::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let counted = runs.clone();
        let schedule = Schedule {
            first: Duration::from_millis(10),
            after_change: Duration::from_millis(10),
            every: Duration::from_secs(3600),
            first_retry: Duration::from_secs(3600),
            longest_retry: Duration::from_secs(3600),
        };
        let s = Scheduler::start(
            schedule,
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
                tx.send(()).unwrap();
                false
            },
            |_| {},
        );
        rx.recv_timeout(Duration::from_secs(10)).expect("the first run");
        s.now();
        rx.recv_timeout(Duration::from_secs(10)).expect("a run on demand, despite the hour-long back-off");
        s.changed();
        rx.recv_timeout(Duration::from_secs(10)).expect("a run after a change");
        s.stop();
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }
}
