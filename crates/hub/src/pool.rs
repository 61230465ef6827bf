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
    idle: Mutex<Vec<HubStore>>,
    available: Condvar,
    opened: Mutex<usize>,
    max: usize,
    reopen: Reopener,
    stripes: Vec<Mutex<()>>,
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
            idle: Mutex::new(vec![store]),
            available: Condvar::new(),
            opened: Mutex::new(1),
            max: max.max(1),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// A connection: an idle one, a new one while fewer than the most are open, else the next
    /// one given back.
    pub fn lock(&self) -> Pooled<'_> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(store) = idle.pop() {
                return Pooled { store: Some(store), pool: self };
            }
            {
                let mut opened = self.opened.lock().unwrap_or_else(|p| p.into_inner());
                if *opened < self.max {
                    *opened += 1;
                    drop(opened);
                    drop(idle);
                    match self.reopen.open() {
                        Ok(store) => return Pooled { store: Some(store), pool: self },
                        Err(e) => {
                            // The first connection is never closed: wait for one given back.
                            tracing::warn!("a further connection to the store failed: {e}");
                            *self.opened.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
                            idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                            if !idle.is_empty() {
                                continue;
                            }
                        }
                    }
                }
            }
            idle = self.available.wait(idle).unwrap_or_else(|p| p.into_inner());
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
        *self.opened.lock().unwrap_or_else(|p| p.into_inner())
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
            // A connection left inside a transaction (a panic mid-work) is not given back.
            if store.db().in_transaction() {
                let _ = store.db().rollback();
            }
            self.pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(store);
            self.pool.available.notify_one();
        }
    }
}
