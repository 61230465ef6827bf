//! End-to-end authenticity: hash chains per origin, unit and stream.
//!
//! Hubs pass on only what each child may read, by unit, so the chains are by unit: every
//! origin keeps one chain for each (unit, stream) it writes into, in the order of its sequence
//! numbers: `h(n) = SHA-256("sobaucu chain v2" ‖ h(n-1) ‖ digest(change n))`, `h(0)` all
//! zeros. A record's unit never changes, so whoever may read a unit receives its chains whole.
//! When an origin sends a batch, it signs the head of each chain the batch carries (64 bytes
//! per chain per batch, on the change that ends it); the signature travels with that change
//! through every hub. A receiver that recomputes the chain and finds the signed head knows
//! that every change up to it is the origin's, in its order, with none missing or added.
//!
//! Streams let some records overtake others and be checked on their own: `0` the ordinary
//! records, `1` election day (turnout, counting minutes), `2` the figures a national ledger
//! pulls alone. Which kind goes in which stream is the core's knowledge.

use sha2::{Digest, Sha256};

use crate::seal::{Identity, PublicIdentity};
use crate::{Change, NodeId, ProtocolError, Value};

/// The hash before the first change of a chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// The digest of a change: SHA-256 over its canonical bytes (fields and bases in name order),
/// or the digest a withheld change carries.
pub fn digest(change: &Change) -> [u8; 32] {
    if let Some(w) = &change.withheld {
        return w.digest;
    }
    let mut h = Sha256::new();
    h.update(b"sobaucu change v2");
    for n in [change.origin.0, change.seq, change.record_node.0, change.record_counter, change.hlc] {
        h.update(n.to_le_bytes());
    }
    let text = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    text(&mut h, &change.kind);
    text(&mut h, &change.unit);
    let mut fields: Vec<&(String, Value)> = change.fields.iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    h.update((fields.len() as u64).to_le_bytes());
    for (name, value) in fields {
        text(&mut h, name);
        match value {
            Value::Null => h.update([0]),
            Value::Bool(false) => h.update([1]),
            Value::Bool(true) => h.update([2]),
            Value::Int(i) => {
                h.update([3]);
                h.update(i.to_le_bytes());
            }
            Value::Text(s) => {
                h.update([4]);
                text(&mut h, s);
            }
        }
    }
    let mut bases: Vec<&(String, Vec<u64>)> = change.bases.iter().collect();
    bases.sort_by(|a, b| a.0.cmp(&b.0));
    h.update((bases.len() as u64).to_le_bytes());
    for (name, clocks) in bases {
        text(&mut h, name);
        let mut clocks = clocks.clone();
        clocks.sort_unstable();
        h.update((clocks.len() as u64).to_le_bytes());
        for c in clocks {
            h.update(c.to_le_bytes());
        }
    }
    // After everything else, and only when there is one: the digests of changes made before
    // authors were recorded stay what they were.
    if let Some(author) = &change.author {
        h.update(b"author");
        text(&mut h, author);
    }
    h.finalize().into()
}

/// The chain's hash after one more change.
pub fn step(previous: &[u8; 32], digest: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sobaucu chain v2");
    h.update(previous);
    h.update(digest);
    h.finalize().into()
}

/// A chain's head: its origin, unit and stream, its length and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'a> {
    pub origin: NodeId,
    pub unit: &'a str,
    pub stream: u8,
    pub length: u64,
    pub hash: [u8; 32],
}

impl Head<'_> {
    fn message(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(b"sobaucu chain head v2");
        out.extend_from_slice(&self.origin.0.to_le_bytes());
        out.extend_from_slice(&(self.unit.len() as u64).to_le_bytes());
        out.extend_from_slice(self.unit.as_bytes());
        out.push(self.stream);
        out.extend_from_slice(&self.length.to_le_bytes());
        out.extend_from_slice(&self.hash);
        out
    }

    /// The origin's signature of this head.
    pub fn sign(&self, origin: &Identity) -> [u8; 64] {
        debug_assert_eq!(origin.node(), self.origin);
        origin.sign(&self.message())
    }

    /// Checks the origin's signature of this head.
    pub fn verify(&self, origin: &PublicIdentity, signature: &[u8; 64]) -> Result<(), ProtocolError> {
        if origin.node != self.origin {
            return Err(ProtocolError::UnknownKey(self.origin));
        }
        origin.verify(&self.message(), signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: u64, name: &str) -> Change {
        Change {
            origin: NodeId(7),
            seq,
            record_node: NodeId(7),
            record_counter: seq,
            kind: "voter".into(),
            unit: "03637".into(),
            hlc: 1000 + seq,
            fields: vec![("sex".into(), Value::Text("female".into())), ("full_name".into(), Value::Text(name.into()))],
            bases: vec![("sex".into(), vec![9, 3])],
            withheld: None,
            author: None,
            base_refs: Vec::new(),
            head: None,
        }
    }

    #[test]
    fn the_digest_ignores_order_and_sees_every_value() {
        let a = change(1, "Lò Thị Ỏn");
        let mut reordered = a.clone();
        reordered.fields.reverse();
        reordered.bases[0].1.reverse();
        assert_eq!(digest(&a), digest(&reordered));
        for changed in [
            change(2, "Lò Thị Ỏn"),
            change(1, "Lò Thị On"),
            {
                let mut c = a.clone();
                c.unit = "03638".into();
                c
            },
            {
                let mut c = a.clone();
                c.author = Some("Hà Thị Thư".into());
                c
            },
        ] {
            assert_ne!(digest(&a), digest(&changed));
        }
        let mut withheld = a.clone();
        withheld.fields.clear();
        withheld.withheld = Some(crate::Withheld { digest: digest(&a), reason: "foreign_record".into() });
        assert_eq!(digest(&withheld), digest(&a));
    }

    #[test]
    fn a_signed_head_checks_the_whole_chain() {
        let origin = Identity::from_secret(NodeId(7), [7; 32]);
        let mut hash = GENESIS;
        for seq in 1..=3 {
            hash = step(&hash, &digest(&change(seq, "A")));
        }
        let head = Head { origin: NodeId(7), unit: "03637", stream: 0, length: 3, hash };
        let signature = head.sign(&origin);
        assert!(head.verify(origin.public(), &signature).is_ok());
        let mut other = GENESIS;
        for seq in [1, 3, 2] {
            other = step(&other, &digest(&change(seq, "A")));
        }
        let reordered = Head { hash: other, ..head.clone() };
        assert_eq!(reordered.verify(origin.public(), &signature), Err(ProtocolError::BadSignature));
        let shorter = Head { length: 2, ..head.clone() };
        assert!(shorter.verify(origin.public(), &signature).is_err());
    }
}
