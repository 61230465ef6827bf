//! Certificates: what enrolment bound, signed by the hub that bound it, relayed so every node
//! above (and the nodes below that read that unit) can check who may write what.
//!
//! A [`Cert`] says: node N, with these keys, is a `node` or a `hub` of unit U, as hub H
//! enrolled it. The top hub signs its own. A [`Revocation`] says: hub H revoked node N after
//! accepting its changes up to sequence number S; what N made after that is refused wherever it
//! arrives. A node id, once certified, is never certified again with other keys.

use crate::codec::Reader;
use crate::seal::{Identity, PublicIdentity};
use crate::{Limits, NodeId, ProtocolError};

/// What an enrolled peer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A desktop or CLI ledger: writes records of its unit.
    Node,
    /// A hub: relays its subtree's changes and writes none of its own.
    Hub,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Node => "node",
            Role::Hub => "hub",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Role, ProtocolError> {
        match s {
            "node" => Ok(Role::Node),
            "hub" => Ok(Role::Hub),
            other => Err(ProtocolError::Corrupt(format!("`{other}` is not a role (node or hub)"))),
        }
    }
}

/// Node N with these keys is a `role` of `unit`, enrolled by `issuer` at `issued_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cert {
    pub subject: PublicIdentity,
    pub role: Role,
    pub unit: String,
    pub issuer: NodeId,
    /// Seconds since the Unix epoch.
    pub issued_at: i64,
    pub signature: [u8; 64],
}

impl Cert {
    fn message(subject: &PublicIdentity, role: Role, unit: &str, issuer: NodeId, issued_at: i64) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(b"sobaucu certificate v2");
        out.extend_from_slice(&subject.node.0.to_le_bytes());
        out.extend_from_slice(&subject.sign);
        out.extend_from_slice(&subject.seal);
        out.push(role as u8);
        out.extend_from_slice(&(unit.len() as u64).to_le_bytes());
        out.extend_from_slice(unit.as_bytes());
        out.extend_from_slice(&issuer.0.to_le_bytes());
        out.extend_from_slice(&issued_at.to_le_bytes());
        out
    }

    pub fn issue(issuer: &Identity, subject: PublicIdentity, role: Role, unit: &str, issued_at: i64) -> Cert {
        let signature = issuer.sign(&Cert::message(&subject, role, unit, issuer.node(), issued_at));
        Cert { subject, role, unit: unit.to_string(), issuer: issuer.node(), issued_at, signature }
    }

    /// Checks the issuer's signature.
    pub fn verify(&self, issuer: &PublicIdentity) -> Result<(), ProtocolError> {
        if issuer.node != self.issuer {
            return Err(ProtocolError::UnknownKey(self.issuer));
        }
        issuer
            .verify(&Cert::message(&self.subject, self.role, &self.unit, self.issuer, self.issued_at), &self.signature)
    }

    /// Whether the top hub signed this certificate for itself.
    pub fn is_self_signed(&self) -> bool {
        self.issuer == self.subject.node
    }
}

/// Hub `issuer` revoked node `node` at `at`, having accepted its changes up to `last_seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub node: NodeId,
    pub issuer: NodeId,
    pub at: i64,
    pub last_seq: u64,
    pub signature: [u8; 64],
}

impl Revocation {
    fn message(node: NodeId, issuer: NodeId, at: i64, last_seq: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"sobaucu revocation v2");
        out.extend_from_slice(&node.0.to_le_bytes());
        out.extend_from_slice(&issuer.0.to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&last_seq.to_le_bytes());
        out
    }

    pub fn issue(issuer: &Identity, node: NodeId, at: i64, last_seq: u64) -> Revocation {
        let signature = issuer.sign(&Revocation::message(node, issuer.node(), at, last_seq));
        Revocation { node, issuer: issuer.node(), at, last_seq, signature }
    }

    pub fn verify(&self, issuer: &PublicIdentity) -> Result<(), ProtocolError> {
        if issuer.node != self.issuer {
            return Err(ProtocolError::UnknownKey(self.issuer));
        }
        issuer.verify(&Revocation::message(self.node, self.issuer, self.at, self.last_seq), &self.signature)
    }
}

/// A certificate or a revocation, as they travel together (before the changes of a batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    Cert(Cert),
    Revocation(Revocation),
}

impl Statement {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Statement::Cert(c) => {
                out.push(1);
                out.extend_from_slice(&c.subject.node.0.to_le_bytes());
                out.extend_from_slice(&c.subject.sign);
                out.extend_from_slice(&c.subject.seal);
                out.push(c.role as u8);
                crate::codec::put_varint(out, c.unit.len() as u64);
                out.extend_from_slice(c.unit.as_bytes());
                out.extend_from_slice(&c.issuer.0.to_le_bytes());
                out.extend_from_slice(&c.issued_at.to_le_bytes());
                out.extend_from_slice(&c.signature);
            }
            Statement::Revocation(r) => {
                out.push(2);
                out.extend_from_slice(&r.node.0.to_le_bytes());
                out.extend_from_slice(&r.issuer.0.to_le_bytes());
                out.extend_from_slice(&r.at.to_le_bytes());
                out.extend_from_slice(&r.last_seq.to_le_bytes());
                out.extend_from_slice(&r.signature);
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    pub fn decode(r: &mut Reader<'_>, limits: &Limits) -> Result<Statement, ProtocolError> {
        let at = r.position();
        let array32 =
            |r: &mut Reader<'_>| -> Result<[u8; 32], ProtocolError> { Ok(r.take(32)?.try_into().expect("32 bytes")) };
        match r.take(1)?[0] {
            1 => {
                let node = NodeId(r.u64_le()?);
                let sign = array32(r)?;
                let seal = array32(r)?;
                let role = match r.take(1)?[0] {
                    0 => Role::Node,
                    1 => Role::Hub,
                    other => return Err(ProtocolError::Corrupt(format!("unknown role {other} at byte {at}"))),
                };
                let unit = r.string(limits.max_text.min(16))?;
                let issuer = NodeId(r.u64_le()?);
                let issued_at = r.u64_le()? as i64;
                let signature = r.take(64)?.try_into().expect("64 bytes");
                Ok(Statement::Cert(Cert {
                    subject: PublicIdentity { node, sign, seal },
                    role,
                    unit,
                    issuer,
                    issued_at,
                    signature,
                }))
            }
            2 => Ok(Statement::Revocation(Revocation {
                node: NodeId(r.u64_le()?),
                issuer: NodeId(r.u64_le()?),
                at: r.u64_le()? as i64,
                last_seq: r.u64_le()?,
                signature: r.take(64)?.try_into().expect("64 bytes"),
            })),
            other => Err(ProtocolError::Corrupt(format!("unknown statement {other} at byte {at}"))),
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Statement, ProtocolError> {
        let mut r = Reader::new(bytes);
        let s = Statement::decode(&mut r, &Limits::default())?;
        if !r.is_done() {
            return Err(ProtocolError::Corrupt("bytes after a certificate".into()));
        }
        Ok(s)
    }

    /// The node the statement is about.
    pub fn subject(&self) -> NodeId {
        match self {
            Statement::Cert(c) => c.subject.node,
            Statement::Revocation(r) => r.node,
        }
    }

    pub fn issuer(&self) -> NodeId {
        match self {
            Statement::Cert(c) => c.issuer,
            Statement::Revocation(r) => r.issuer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_and_revocations_round_trip_and_verify() {
        let hub = Identity::from_secret(NodeId(1), [1; 32]);
        let node = Identity::from_secret(NodeId(2), [2; 32]);
        let cert = Cert::issue(&hub, *node.public(), Role::Node, "03637", 1_700_000_000);
        assert!(cert.verify(hub.public()).is_ok());
        assert!(cert.verify(node.public()).is_err());
        let mut moved = cert.clone();
        moved.unit = "03638".into();
        assert_eq!(moved.verify(hub.public()), Err(ProtocolError::BadSignature));
        let revocation = Revocation::issue(&hub, NodeId(2), 1_700_000_100, 42);
        assert!(revocation.verify(hub.public()).is_ok());
        for s in [Statement::Cert(cert), Statement::Revocation(revocation)] {
            assert_eq!(Statement::from_bytes(&s.to_bytes()).unwrap(), s);
            let bytes = s.to_bytes();
            for cut in 0..bytes.len() {
                assert!(Statement::from_bytes(&bytes[..cut]).is_err());
            }
        }
    }
}
