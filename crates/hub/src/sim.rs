//! Simulated nodes for the hub's load test and benchmarks: the real protocol client
//! ([`sobaucu_client`]: enrolment, sealed messages, counters, chains signed by the node) over
//! an in-memory log of the same shape as a ledger's, without a ledger's records. A thousand of
//! them run in one process where a thousand desktop ledgers could not.

use rusqlite::Connection;
use sobaucu_client::Child;
use sobaucu_core::db::Tx;
use sobaucu_core::link::{self, ParentLink, PushFrom};
use sobaucu_core::units::{Catalogue, Scheme, UnitCode};
use sobaucu_core::{Hlc, log, trust};
use sobaucu_protocol::{Batch, Change, Identity, NodeId, PublicIdentity, Statement, Value};

use crate::store::StoreError;

/// A node that makes security-incident records and syncs them.
pub struct SimNode {
    conn: Connection,
    keys: Identity,
    unit: UnitCode,
    scheme: Scheme,
    seq: u64,
    clock: Hlc,
}

impl SimNode {
    /// A new node of `unit` (enrol it with [`sobaucu_client::enroll`] and a code of its hub).
    pub fn new(unit: &str, scheme: Scheme) -> Result<SimNode, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        crate::store::migrate_sqlite(&mut conn)?;
        let node = NodeId::random();
        let keys = Identity::from_secret_hex(node, &Identity::new_secret_hex())?;
        Ok(SimNode { conn, keys, unit: unit.parse()?, scheme, seq: 0, clock: Hlc(0) })
    }

    pub fn node(&self) -> NodeId {
        self.keys.node()
    }

    /// Makes `n` new incident records, one change each.
    pub fn make_changes(&mut self, n: usize) -> Result<(), StoreError> {
        let tx = Tx::write(&self.conn)?;
        for _ in 0..n {
            self.seq += 1;
            self.clock = Hlc::tick(self.clock, trust::now_ms());
            let change = Change {
                origin: self.keys.node(),
                seq: self.seq,
                record_node: self.keys.node(),
                record_counter: self.seq,
                kind: "incident".into(),
                unit: self.unit.to_string(),
                hlc: self.clock.0,
                fields: vec![
                    ("occurred_on".into(), Value::Text("2026-03-01".into())),
                    ("place".into(), Value::Text(format!("Bản Nà Tăm {}", self.seq))),
                    ("summary".into(), Value::Text(format!("Tuyên truyền lưu động lần {}", self.seq))),
                ],
                bases: Vec::new(),
                base_refs: Vec::new(),
                withheld: None,
                head: None,
                author: Some("Lò Thị Mai".into()),
            };
            let stream = sobaucu_core::kinds::stream_of(&change.kind).unwrap_or(0);
            log::append(&*tx, &change, stream, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many changes the node holds (its own and what it pulled).
    pub fn held(&self) -> Result<u64, StoreError> {
        Ok(sobaucu_core::db::Sql::number(&self.conn, "SELECT count(*) FROM changes", &[])?.unwrap_or(0) as u64)
    }

    fn readable(&self) -> std::collections::HashSet<String> {
        let catalogue = Catalogue::get(self.scheme);
        let mut units: std::collections::HashSet<String> =
            catalogue.subtree(&self.unit).iter().map(|u| u.code.to_string()).collect();
        let mut above = catalogue.unit(&self.unit).and_then(|u| u.parent.clone());
        while let Some(code) = above {
            units.insert(code.to_string());
            above = catalogue.unit(&code).and_then(|u| u.parent.clone());
        }
        units
    }
}

impl Child for SimNode {
    type Error = StoreError;

    fn identity(&mut self) -> Result<Identity, StoreError> {
        Ok(self.keys.clone())
    }
    fn unit(&self) -> Result<String, StoreError> {
        Ok(self.unit.to_string())
    }
    fn parent(&self) -> Result<Option<ParentLink>, StoreError> {
        Ok(link::parent(&self.conn)?)
    }
    fn set_parent(
        &mut self,
        hub: &PublicIdentity,
        unit: &str,
        url: Option<&str>,
        chain: &[Statement],
    ) -> Result<(), StoreError> {
        Ok(link::set_parent(&self.conn, hub, unit, url, chain)?)
    }
    fn next_counter(&mut self) -> Result<u64, StoreError> {
        Ok(link::next_counter(&self.conn)?)
    }
    fn push_batch(&mut self, from: PushFrom, limit: usize, max_bytes: usize) -> Result<(Batch, u64), StoreError> {
        let parent = link::parent(&self.conn)?.ok_or_else(|| StoreError::Other("not enrolled".into()))?;
        Ok(link::push_batch(&self.conn, &self.keys, &parent, from, limit, max_bytes)?)
    }
    fn pending_count(&self) -> Result<u64, StoreError> {
        Ok(link::pending_count(&self.conn)?)
    }
    fn own_seq(&self) -> Result<u64, StoreError> {
        Ok(self.seq)
    }
    fn take_ack(
        &mut self,
        ack: u64,
        check: Option<&str>,
        pushed: Option<(u64, u64)>,
        certs_upto: Option<u64>,
    ) -> Result<u64, StoreError> {
        Ok(link::take_ack(&self.conn, ack, check, pushed, certs_upto)?)
    }
    fn check_at(&self, position: u64) -> Result<Option<String>, StoreError> {
        Ok(link::check_at(&self.conn, position)?)
    }
    fn apply_from_parent(&mut self, batch: &Batch, check: Option<&str>, certs_upto: u64) -> Result<usize, StoreError> {
        let parent = link::parent(&self.conn)?.ok_or_else(|| StoreError::Other("not enrolled".into()))?;
        let readable = self.readable();
        let readable = |u: &str| readable.contains(u);
        let tx = Tx::write(&self.conn)?;
        let checker = trust::Checker {
            conn: &*tx,
            catalogue: Catalogue::get(self.scheme),
            readable: &readable,
            now_ms: trust::now_ms(),
            max_skew_ms: trust::max_skew_ms(),
        };
        let applied = match link::append_batch(&checker, &trust::Sender::Parent, batch, &parent.peer.to_string())? {
            Ok(applied) => applied,
            Err(refused) => {
                return Err(StoreError::Other(format!("the hub sent a batch this node refuses: {refused:?}")));
            }
        };
        link::received(&*tx, batch.upto, check, certs_upto)?;
        tx.commit()?;
        Ok(applied.new)
    }
    fn take_counter_in(&mut self, counter: u64) -> Result<bool, StoreError> {
        Ok(link::take_counter_in(&self.conn, counter)?)
    }
    fn rewind_pull(&mut self, to: u64) -> Result<(), StoreError> {
        Ok(link::rewind_pull(&self.conn, to)?)
    }
}
