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

pub use sobaucu_protocol::NodeId;

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
        let node = node.parse().map_err(|_| bad_id(s))?;
        let counter = counter.parse::<u64>().map_err(|_| bad_id(s))?;
        if counter == 0 || counter > i64::MAX as u64 {
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
/// back; `(hlc, origin)` orders every change of every node totally. Every reading stays within
/// what SQLite stores ([`Hlc::MAX`]); a clock from outside is taken only within a bounded skew
/// of the receiver's own ([`Hlc::acceptable`]), so one poisoned change cannot pin every clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Hlc(pub u64);

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);
    /// The greatest reading: SQLite's largest INTEGER.
    pub const MAX: Hlc = Hlc(i64::MAX as u64);

    /// The next reading after `last`, given the wall clock `now_ms`; never above [`Hlc::MAX`].
    pub fn tick(last: Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms.min(Hlc::MAX.0 >> 16) << 16;
        if wall > last.0 { Hlc(wall) } else { Hlc(last.0.saturating_add(1).min(Hlc::MAX.0)) }
    }

    /// Whether a clock from outside is at most `max_skew_ms` ahead of `now_ms`.
    pub fn acceptable(self, now_ms: u64, max_skew_ms: u64) -> bool {
        // 0 is no clock: the base of a field never set.
        self.0 >= 1 && self <= Hlc::MAX && self.millis() <= now_ms.saturating_add(max_skew_ms)
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

    #[test]
    fn hlc_stays_in_range_whatever_it_is_given() {
        assert_eq!(Hlc::tick(Hlc::MAX, 1000), Hlc::MAX);
        assert_eq!(Hlc::tick(Hlc(u64::MAX), u64::MAX), Hlc::MAX);
        assert!(Hlc::tick(Hlc::ZERO, u64::MAX) <= Hlc::MAX);
        let day = 86_400_000;
        assert!(Hlc(1000 << 16).acceptable(1000, day));
        assert!(Hlc((1000 + day) << 16).acceptable(1000, day));
        assert!(!Hlc((1001 + day) << 16).acceptable(1000, day));
        assert!(!Hlc(u64::MAX).acceptable(u64::MAX, day));
    }
}
