//! The child side of a sync link, as a trait, and its implementation for a node's ledger.

use sobaucu_core::Store;
use sobaucu_core::link::{ParentLink, PushFrom};
use sobaucu_protocol::messages::{LedgerSettings, RefusedChange, Seen};
use sobaucu_protocol::{Batch, Identity, PublicIdentity, Statement};

/// One end of a link that pushes to a parent and pulls from it: a node's ledger, or a hub
/// linked to its own parent. Every method that moves a position runs in one transaction.
pub trait Child {
    type Error: std::fmt::Display;
    /// Refuses a sync, an enrolment or a bundle when whoever opened the child may not sync
    /// (a ledger's member or viewer; a hub always may).
    fn may_sync(&self) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Brings what the child publishes up to date before a sync or a bundle (a ledger's
    /// figures).
    fn prepare(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
    fn identity(&mut self) -> Result<Identity, Self::Error>;
    fn unit(&self) -> Result<String, Self::Error>;
    fn parent(&self) -> Result<Option<ParentLink>, Self::Error>;
    /// Records the hub this child enrolled with and the certificates its answer carried.
    fn set_parent(
        &mut self,
        hub: &PublicIdentity,
        unit: &str,
        url: Option<&str>,
        chain: &[Statement],
    ) -> Result<(), Self::Error>;
    /// The next counter to seal a message to the parent with (written before it is used).
    fn next_counter(&mut self) -> Result<u64, Self::Error>;
    /// The batch to push from `from` (up to `limit` changes, about `max_bytes`) and the
    /// statements position it covers.
    fn push_batch(&mut self, from: PushFrom, limit: usize, max_bytes: usize) -> Result<(Batch, u64), Self::Error>;
    /// How many changes the parent has not acknowledged.
    fn pending_count(&self) -> Result<u64, Self::Error>;
    /// The highest sequence number of the child's own changes (a hub makes none).
    fn own_seq(&self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    /// Takes the parent's acknowledgement; returns the position now acknowledged.
    fn take_ack(
        &mut self,
        ack: u64,
        check: Option<&str>,
        pushed: Option<(u64, u64)>,
        certs_upto: Option<u64>,
    ) -> Result<u64, Self::Error>;
    /// The check of this child's own log entry at `position`.
    fn check_at(&self, position: u64) -> Result<Option<String>, Self::Error>;
    /// Notes the child's own changes the parent refused.
    fn record_refused(&mut self, _refused: &[RefusedChange]) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Checks and applies a batch from the parent, all or nothing, and records the parent's
    /// position (with `check`, the parent's entry there) and statements position. Returns how
    /// many changes were new.
    fn apply_from_parent(&mut self, batch: &Batch, check: Option<&str>, certs_upto: u64) -> Result<usize, Self::Error>;
    /// Takes the counter of a message the parent sealed for a bundle; false when one as new
    /// was taken before (the bundle, or a later one, was imported already).
    fn take_counter_in(&mut self, counter: u64) -> Result<bool, Self::Error>;
    /// Makes the next pull start after `to`.
    fn rewind_pull(&mut self, to: u64) -> Result<(), Self::Error>;
    /// Keeps the child's sequence numbers and record counters above what the parent holds.
    fn stay_above(&mut self, _held_seq: u64, _held_counter: u64) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Recovery after a restore from an older copy (a node's own changes; a hub makes none):
    /// sets the unacknowledged ones aside, takes back what the parent holds, writes the set-aside
    /// ones again above `held_seq` and `held_counter`.
    fn park_unacked(&mut self) -> Result<usize, Self::Error> {
        Ok(0)
    }
    fn apply_recovered(&mut self, _batch: &Batch) -> Result<usize, Self::Error> {
        Ok(0)
    }
    fn unpark(&mut self, _held_seq: u64, _held_counter: u64) -> Result<usize, Self::Error> {
        Ok(0)
    }
    /// When the nodes and hubs below this child last synced, to report upward (a hub's
    /// children; a node has none).
    fn presence(&self) -> Result<Vec<Seen>, Self::Error> {
        Ok(Vec::new())
    }
    /// Whether this child wants its parent's report of its subtree's syncs.
    fn wants_presence(&self) -> bool {
        false
    }
    /// A ledger's election day and law version, while its hub does not have them yet.
    fn settings_to_send(&self) -> Result<Option<LedgerSettings>, Self::Error> {
        Ok(None)
    }
    /// The hub has the settings now.
    fn settings_sent(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Keeps the parent's report of when the nodes and hubs below this child last synced.
    fn record_presence(&mut self, _seen: &[Seen]) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl Child for Store {
    type Error = sobaucu_core::Error;

    fn may_sync(&self) -> Result<(), Self::Error> {
        self.require(sobaucu_core::access::Action::Sync)
    }
    fn prepare(&mut self) -> Result<(), Self::Error> {
        self.publish_figures().map(|_| ())
    }
    fn settings_to_send(&self) -> Result<Option<LedgerSettings>, Self::Error> {
        Store::settings_to_send(self)
    }
    fn settings_sent(&mut self) -> Result<(), Self::Error> {
        Store::settings_sent(self)
    }

    fn identity(&mut self) -> Result<Identity, Self::Error> {
        Store::identity(self)
    }
    fn unit(&self) -> Result<String, Self::Error> {
        Ok(self.node()?.unit.to_string())
    }
    fn parent(&self) -> Result<Option<ParentLink>, Self::Error> {
        Store::parent(self)
    }
    fn set_parent(
        &mut self,
        hub: &PublicIdentity,
        unit: &str,
        url: Option<&str>,
        chain: &[Statement],
    ) -> Result<(), Self::Error> {
        Store::set_parent(self, hub, unit, url, chain)
    }
    fn next_counter(&mut self) -> Result<u64, Self::Error> {
        Store::next_counter(self)
    }
    fn push_batch(&mut self, from: PushFrom, limit: usize, max_bytes: usize) -> Result<(Batch, u64), Self::Error> {
        Store::push_batch(self, from, limit, max_bytes)
    }
    fn pending_count(&self) -> Result<u64, Self::Error> {
        Store::pending_count(self)
    }
    fn own_seq(&self) -> Result<u64, Self::Error> {
        Store::own_seq(self)
    }
    fn take_ack(
        &mut self,
        ack: u64,
        check: Option<&str>,
        pushed: Option<(u64, u64)>,
        certs_upto: Option<u64>,
    ) -> Result<u64, Self::Error> {
        Store::take_ack(self, ack, check, pushed, certs_upto)
    }
    fn check_at(&self, position: u64) -> Result<Option<String>, Self::Error> {
        Store::check_at(self, position)
    }
    fn record_refused(&mut self, refused: &[RefusedChange]) -> Result<(), Self::Error> {
        Store::record_refused(self, refused)
    }
    fn apply_from_parent(&mut self, batch: &Batch, check: Option<&str>, certs_upto: u64) -> Result<usize, Self::Error> {
        Store::apply_from_parent(self, batch, check, certs_upto).map(|s| s.applied)
    }
    fn take_counter_in(&mut self, counter: u64) -> Result<bool, Self::Error> {
        Store::take_counter_in(self, counter)
    }
    fn rewind_pull(&mut self, to: u64) -> Result<(), Self::Error> {
        Store::rewind_pull(self, to)
    }
    fn stay_above(&mut self, held_seq: u64, held_counter: u64) -> Result<(), Self::Error> {
        Store::stay_above(self, held_seq, held_counter)
    }
    fn park_unacked(&mut self) -> Result<usize, Self::Error> {
        Store::park_unacked(self)
    }
    fn apply_recovered(&mut self, batch: &Batch) -> Result<usize, Self::Error> {
        Store::apply_recovered(self, batch)
    }
    fn unpark(&mut self, held_seq: u64, held_counter: u64) -> Result<usize, Self::Error> {
        Store::unpark(self, held_seq, held_counter)
    }
    fn wants_presence(&self) -> bool {
        // Only a ledger with units below it has a progress board to show them on.
        self.node().is_ok_and(|n| n.unit().level != sobaucu_core::Level::Commune)
    }
    fn record_presence(&mut self, seen: &[Seen]) -> Result<(), Self::Error> {
        Store::record_presence(self, seen)
    }
}
