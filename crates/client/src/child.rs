//! The child side of a sync link, as a trait, and its implementation for a node's ledger.

use sobaucu_core::Store;
use sobaucu_protocol::messages::Seen;
use sobaucu_protocol::{Change, Keypair};

/// What the child knows of its parent.
#[derive(Debug, Clone)]
pub struct ParentLink {
    /// The parent's node id (hex).
    pub peer: String,
    pub url: Option<String>,
    pub public_key: String,
    /// The parent's log position this child has everything up to.
    pub received_idx: u64,
    /// This child's log position the parent has acknowledged.
    pub sent_idx: u64,
}

/// One end of a link that pushes to a parent and pulls from it.
pub trait Child {
    type Error: std::fmt::Display;
    fn node_id(&self) -> Result<u64, Self::Error>;
    fn unit(&self) -> Result<String, Self::Error>;
    fn keypair(&mut self) -> Result<Keypair, Self::Error>;
    fn parent(&self) -> Result<Option<ParentLink>, Self::Error>;
    fn set_parent(&mut self, peer: &str, unit: &str, public_key: &str, url: Option<&str>) -> Result<(), Self::Error>;
    /// Up to `limit` changes for the parent after this log's position `after`, and the
    /// position they cover up to.
    fn pending_after(&self, after: u64, limit: usize) -> Result<(Vec<Change>, u64), Self::Error>;
    /// How many changes the parent has not acknowledged.
    fn pending_count(&self) -> Result<u64, Self::Error>;
    fn acknowledge_up(&mut self, upto: u64) -> Result<(), Self::Error>;
    /// Applies changes from the parent, all or nothing, and records the parent's position.
    fn apply_from_parent(&mut self, changes: &[Change], upto: u64) -> Result<(), Self::Error>;
    /// When the nodes and hubs below this child last synced, to report upward (a hub's
    /// children; a node has none).
    fn presence(&self) -> Result<Vec<Seen>, Self::Error> {
        Ok(Vec::new())
    }
    /// Whether this child wants its parent's report of its subtree's syncs.
    fn wants_presence(&self) -> bool {
        false
    }
    /// Keeps the parent's report of when the nodes and hubs below this child last synced.
    fn record_presence(&mut self, _seen: &[Seen]) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl Child for Store {
    type Error = sobaucu_core::Error;

    fn node_id(&self) -> Result<u64, Self::Error> {
        Ok(self.node()?.node_id.0)
    }
    fn unit(&self) -> Result<String, Self::Error> {
        Ok(self.node()?.unit.to_string())
    }
    fn keypair(&mut self) -> Result<Keypair, Self::Error> {
        Store::keypair(self)
    }
    fn parent(&self) -> Result<Option<ParentLink>, Self::Error> {
        Ok(Store::parent(self)?.map(|p| ParentLink {
            peer: p.peer,
            url: p.url,
            public_key: p.public_key,
            received_idx: p.received_idx,
            sent_idx: p.sent_idx,
        }))
    }
    fn set_parent(&mut self, peer: &str, unit: &str, public_key: &str, url: Option<&str>) -> Result<(), Self::Error> {
        Store::set_parent(self, peer, unit, public_key, url)
    }
    fn pending_after(&self, after: u64, limit: usize) -> Result<(Vec<Change>, u64), Self::Error> {
        Store::pending_after(self, after, limit)
    }
    fn pending_count(&self) -> Result<u64, Self::Error> {
        Store::pending_count(self)
    }
    fn acknowledge_up(&mut self, upto: u64) -> Result<(), Self::Error> {
        Store::acknowledge_up(self, upto)
    }
    fn apply_from_parent(&mut self, changes: &[Change], upto: u64) -> Result<(), Self::Error> {
        Store::apply_from_parent(self, changes, upto).map(|_| ())
    }
    fn wants_presence(&self) -> bool {
        // Only a ledger with units below it has a progress board to show them on.
        self.node().is_ok_and(|n| n.unit().level != sobaucu_core::Level::Commune)
    }
    fn record_presence(&mut self, seen: &[Seen]) -> Result<(), Self::Error> {
        Store::record_presence(self, seen)
    }
}
