//! The hub's connections to its store, shared by the handlers: each request takes one for its
//! store work and gives it back, so many children's syncs run at once (reads beside each other
//! and beside the one writer; writers take turns in the store's own transactions: SQLite's
//! `BEGIN IMMEDIATE`, PostgreSQL's advisory lock). Work for one child stays in order: a
//! child's requests take its stripe of [`StorePool::peer_lock`] first.

use std::sync::{Condvar, Mutex, MutexGuard};

use sobaucu_protocol::NodeId;

use crate::store::{HubStore, Reopener};

/// Stripes of per-child locks (children hash onto them; two children sharing one only wait).
const STRIPES: usize = 64;

pub struct StorePool {
    slots: Mutex<Slots>,
    available: Condvar,
    max: usize,
    reopen: Reopener,
    stripes: Vec<Mutex<()>>,
}

/// The connections not in use, and how many are open in all.
struct Slots {
    idle: Vec<HubStore>,
    opened: usize,
}

/// A connection taken from the pool, given back when dropped.
pub struct Pooled<'a> {
    store: Option<HubStore>,
    pool: &'a StorePool,
}

impl StorePool {
    /// A pool that starts with `store` and opens up to `max` connections as requests need them.
    pub fn new(store: HubStore, max: usize) -> StorePool {
        StorePool {
            reopen: store.reopener(),
            slots: Mutex::new(Slots { idle: vec![store], opened: 1 }),
            available: Condvar::new(),
            max: max.max(1),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection: an idle one, a new one while fewer than the most are open, else the next
    /// one given back.
    pub fn lock(&self) -> Pooled<'_> {
        let mut slots = self.slots();
        loop {
            if let Some(store) = slots.idle.pop() {
                return Pooled { store: Some(store), pool: self };
            }
            if slots.opened < self.max {
                slots.opened += 1;
                drop(slots);
                match self.reopen.open() {
                    Ok(store) => return Pooled { store: Some(store), pool: self },
                    Err(e) => {
                        // Busy for a moment, say: look again for one given back meanwhile,
                        // else wait a little before trying again.
                        tracing::warn!("a further connection to the store failed: {e}");
                        slots = self.slots();
                        slots.opened -= 1;
                        if slots.idle.is_empty() {
                            slots = self
                                .available
                                .wait_timeout(slots, std::time::Duration::from_millis(50))
                                .unwrap_or_else(|p| p.into_inner())
                                .0;
                        }
                        continue;
                    }
                }
            }
            slots = self.available.wait(slots).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Keeps one child's store work in order (a child's requests one after the other, as the
    /// single lock did), leaving other children free.
    pub fn peer_lock(&self, peer: NodeId) -> MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        peer.hash(&mut h);
        self.stripes[(h.finish() as usize) % STRIPES].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many connections are open.
    pub fn open_connections(&self) -> usize {
        self.slots().opened
    }
}

impl std::ops::Deref for Pooled<'_> {
    type Target = HubStore;
    fn deref(&self) -> &HubStore {
        self.store.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut HubStore {
        self.store.as_mut().expect("held until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            // A connection left inside a transaction (a panic mid-work) is rolled back first.
            if store.db().in_transaction() {
                let _ = store.db().rollback();
            }
            self.pool.slots().idle.push(store);
            self.pool.available.notify_one();
        }
    }
}
