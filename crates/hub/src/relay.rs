//! The hub as the child of its own parent (a district hub under a province hub): the same
//! client as a node's ledger, over the hub's store. The hub pushes everything its subtree
//! sent (changes, certificates, revocations) and pulls what comes from above, checking it as a
//! ledger does, without materialising records (a hub keeps the log, not the records).

use sobaucu_client::Child;
use sobaucu_core::link::{self, ParentLink, PushFrom};
use sobaucu_core::trust;
use sobaucu_core::units::Catalogue;
use sobaucu_protocol::messages::Seen;
use sobaucu_protocol::{Batch, Identity, PublicIdentity, Statement};

use crate::store::{HubStore, StoreError};

impl Child for HubStore {
    type Error = StoreError;

    fn identity(&mut self) -> Result<Identity, StoreError> {
        self.keys()
    }
    fn unit(&self) -> Result<String, StoreError> {
        Ok(self.identity()?.unit.to_string())
    }
    fn parent(&self) -> Result<Option<ParentLink>, StoreError> {
        HubStore::parent(self)
    }
    fn set_parent(
        &mut self,
        hub: &PublicIdentity,
        unit: &str,
        url: Option<&str>,
        chain: &[Statement],
    ) -> Result<(), StoreError> {
        Ok(link::set_parent(self.db(), hub, unit, url, chain)?)
    }
    fn next_counter(&mut self) -> Result<u64, StoreError> {
        Ok(link::next_counter(self.db())?)
    }
    fn push_batch(&mut self, from: PushFrom, limit: usize, max_bytes: usize) -> Result<(Batch, u64), StoreError> {
        let me = self.keys()?;
        let parent = HubStore::parent(self)?.ok_or_else(|| StoreError::Other("this hub has no parent".into()))?;
        Ok(link::push_batch(self.db(), &me, &parent, from, limit, max_bytes)?)
    }
    fn pending_count(&self) -> Result<u64, StoreError> {
        if HubStore::parent(self)?.is_none() {
            return Ok(0);
        }
        Ok(link::pending_count(self.db())?)
    }
    fn take_ack(
        &mut self,
        ack: u64,
        check: Option<&str>,
        pushed: Option<(u64, u64)>,
        certs_upto: Option<u64>,
    ) -> Result<u64, StoreError> {
        Ok(link::take_ack(self.db(), ack, check, pushed, certs_upto)?)
    }
    fn check_at(&self, position: u64) -> Result<Option<String>, StoreError> {
        self.check_at(position)
    }
    fn apply_from_parent(&mut self, batch: &Batch, check: Option<&str>, certs_upto: u64) -> Result<usize, StoreError> {
        let parent = HubStore::parent(self)?.ok_or_else(|| StoreError::Other("this hub has no parent".into()))?;
        let me = HubStore::identity(self)?;
        let readable: std::collections::HashSet<String> = self.readable_units(&me.unit)?.into_iter().collect();
        let readable = |u: &str| readable.contains(u);
        let tx = sobaucu_core::db::Tx::write(self.db())?;
        let checker = trust::Checker {
            conn: &*tx,
            catalogue: Catalogue::get(me.scheme),
            readable: &readable,
            now_ms: trust::now_ms(),
            max_skew_ms: trust::max_skew_ms(),
        };
        let applied = match link::append_batch(&checker, &trust::Sender::Parent, batch, &parent.peer.to_string())? {
            Ok(applied) => applied,
            Err(link::BatchRefused::Chain(r)) => {
                return Err(StoreError::Other(format!(
                    "the parent hub {} sent changes this hub cannot accept: {}",
                    parent.peer, r.message
                )));
            }
            Err(link::BatchRefused::Reused { origin, seq }) => {
                return Err(StoreError::Other(format!(
                    "the parent hub {} sent a change {seq} of node {origin} that differs from the one this hub holds",
                    parent.peer
                )));
            }
        };
        link::received(&*tx, batch.upto, check, certs_upto)?;
        tx.commit()?;
        Ok(applied.new)
    }
    fn take_counter_in(&mut self, counter: u64) -> Result<bool, StoreError> {
        Ok(link::take_counter_in(self.db(), counter)?)
    }
    fn rewind_pull(&mut self, to: u64) -> Result<(), StoreError> {
        Ok(link::rewind_pull(self.db(), to)?)
    }
    fn presence(&self) -> Result<Vec<Seen>, StoreError> {
        self.seen()
    }
}

/// Starts the relay to the parent hub in the background, on a connection of its own to the
/// store (none when the hub has no parent): soon after it starts, soon after a child pushed
/// something (`Scheduler::changed`), every `interval` otherwise, and after a failure every
/// `interval` up to ten times it. `sobaucu-hub serve` and the desktop's hub both run it.
pub fn start(
    store: &HubStore,
    interval: std::time::Duration,
) -> Result<Option<sobaucu_client::scheduler::Scheduler>, StoreError> {
    if HubStore::parent(store)?.is_none() {
        return Ok(None);
    }
    let mut relay_store = store.reopen()?;
    let schedule = sobaucu_client::scheduler::Schedule {
        first: std::time::Duration::from_millis(200),
        after_change: std::time::Duration::from_millis(200),
        every: interval,
        first_retry: interval,
        longest_retry: interval * 10,
    };
    Ok(Some(sobaucu_client::scheduler::Scheduler::start(
        schedule,
        move || match sobaucu_client::sync(&mut relay_store, None, |_| {}) {
            Ok(p) => {
                if p.pushed > 0 || p.pulled > 0 {
                    tracing::info!(pushed = p.pushed, pulled = p.pulled, rounds = p.rounds, "relay");
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, pending = relay_store.pending_count().unwrap_or(0), "relay failed");
                false
            }
        },
        |_| {},
    )))
}
