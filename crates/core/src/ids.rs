//! Identifiers that stay unique across every node without coordination, and the hybrid logical
//! clock that orders changes.
//!
//! A node draws a random 64-bit [`NodeId`] once, at `init`. A record id is the node id and a
//! counter of that node ([`RecordId`]), written `<16 hex>-<counter>`: a batch from one node can
//! carry the node id once and the counters as small deltas.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The id of one installation (a commune ledger, a district node, a hub).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct NodeId(pub u64);

impl NodeId {
    /// Draws a fresh random node id from the operating system.
    pub fn random() -> NodeId {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        NodeId(u64::from_le_bytes(bytes))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl FromStr for NodeId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.len() != 16 {
            return Err(bad_id(s));
        }
        u64::from_str_radix(s, 16).map(NodeId).map_err(|_| bad_id(s))
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for NodeId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

fn bad_id(s: &str) -> Error {
    let shown: String = s.chars().take(40).collect();
    Error::input(
        format!("`{shown}` is not a record id (expected <16 hex digits>-<number>)"),
        format!("`{shown}` không phải mã bản ghi (dạng <16 chữ số hex>-<số>)"),
    )
}

/// The id of one record: the node that created it and that node's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct RecordId {
    pub node: NodeId,
    pub counter: u64,
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.node, self.counter)
    }
}

impl FromStr for RecordId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let (node, counter) = s.split_once('-').ok_or_else(|| bad_id(s))?;
        let node = node.parse()?;
        let counter = counter.parse::<u64>().map_err(|_| bad_id(s))?;
        if counter == 0 {
            return Err(bad_id(s));
        }
        Ok(RecordId { node, counter })
    }
}

impl From<RecordId> for String {
    fn from(id: RecordId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for RecordId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

/// A hybrid logical clock reading: milliseconds since the Unix epoch in the high 48 bits, a
/// counter in the low 16. Readings from one node only ever grow, even if the wall clock steps
/// back; `(hlc, origin)` orders every change of every node totally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Hlc(pub u64);

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);

    /// The next reading after `last`, given the wall clock `now_ms`.
    pub fn tick(last: Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms << 16;
        if wall > last.0 { Hlc(wall) } else { Hlc(last.0 + 1) }
    }

    /// The reading after receiving `remote`: above both the local and the remote clock.
    pub fn observe(last: Hlc, remote: Hlc, now_ms: u64) -> Hlc {
        Hlc::tick(Hlc(last.0.max(remote.0)), now_ms)
    }

    pub fn millis(self) -> u64 {
        self.0 >> 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_id_round_trips() {
        let id = RecordId { node: NodeId(0x00ab_cdef_0123_4567), counter: 42 };
        assert_eq!(id.to_string(), "00abcdef01234567-42");
        assert_eq!("00abcdef01234567-42".parse::<RecordId>().unwrap(), id);
        assert!("00abcdef01234567-0".parse::<RecordId>().is_err());
        assert!("xyz-1".parse::<RecordId>().is_err());
        assert!("00abcdef0123456-1".parse::<RecordId>().is_err());
    }

    #[test]
    fn hlc_never_goes_back() {
        let a = Hlc::tick(Hlc::ZERO, 1000);
        let b = Hlc::tick(a, 999);
        assert!(b > a);
        let c = Hlc::observe(b, Hlc(5000 << 16), 1001);
        assert!(c > Hlc(5000 << 16));
        assert_eq!(Hlc::tick(a, 2000).millis(), 2000);
    }
}
