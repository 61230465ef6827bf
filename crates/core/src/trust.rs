//! Who may write what: the rules every hub and every ledger applies to what arrives by sync,
//! and the certificates and revocations they rest on. Shared by a node's ledger and a hub's
//! store (both keep `changes` and `statements` tables of one shape); the SQL for statements
//! lives here beside the rules, as the change log's lives in [`crate::log`].
//!
//! A change is taken only if
//! - its kind is one this program knows and its unit exists, inside what the sender may send
//!   (a node its own unit and below, a hub its subtree) and what this peer may read;
//! - its origin holds a certificate (issued at enrolment by a hub, relayed upward and down) as
//!   a `node`, for a unit that contains the change's, and was not revoked before it;
//! - a node sends only its own changes;
//! - its record belongs to the same unit and kind as every change of it held here, and a
//!   record not held here is created only by the node whose id it carries;
//! - its clock is no more than the allowed skew ahead of this peer's, and every value has its
//!   field's type and range.
//!
//! A refused change is kept as its digest (withheld), so its origin's chain stays whole; it is
//! never applied. Rules spanning records or depending on a ledger's own law version are not
//! here: they never refuse a synced change (nodes would disagree); `check` reports them.

use crate::args;
use crate::db::Sql;
use sobaucu_protocol::chain::Head;
use sobaucu_protocol::messages::RefusalKind;
use sobaucu_protocol::{Cert, Change, PublicIdentity, Revocation, Role, Statement, Value as WireValue};

use crate::error::{Error, Result};
use crate::ids::{Hlc, NodeId};
use crate::kinds::Kind;
use crate::log::{self, ChainHead};
use crate::units::{Catalogue, UnitCode};
use crate::validate;

/// How far ahead of this peer's clock a change's clock may be, by default: one day.
pub const DEFAULT_MAX_SKEW_MS: u64 = 86_400_000;

/// The allowed clock skew: `$SOBAUCU_MAX_CLOCK_SKEW_HOURS` when set, else one day.
pub fn max_skew_ms() -> u64 {
    std::env::var("SOBAUCU_MAX_CLOCK_SKEW_HOURS")
        .ok()
        .and_then(|h| h.trim().parse::<u64>().ok())
        .map_or(DEFAULT_MAX_SKEW_MS, |h| h.saturating_mul(3_600_000))
}

/// The wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A refusal of one change: its rule and a sentence with no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
}

impl Refusal {
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Refusal {
        Refusal { kind, message: message.into() }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::refused(r.kind.as_str(), r.message.clone(), format!("bị từ chối ({}): {}", r.kind, r.message))
    }
}

/// Who a change or a statement came from.
#[derive(Debug, Clone)]
pub enum Sender {
    /// This peer's own parent hub (a pull, or a bundle from it).
    Parent,
    /// A child enrolled here: a node or a hub, for `unit`.
    Child { peer: NodeId, role: Role, unit: UnitCode },
}

/// What a receiving peer knows while it checks a batch.
pub struct Checker<'a> {
    pub conn: &'a dyn Sql,
    pub catalogue: &'static Catalogue,
    /// The units this peer may hold (its subtree and the units above it).
    pub readable: &'a dyn Fn(&str) -> bool,
    pub now_ms: u64,
    pub max_skew_ms: u64,
}

fn unit_within(catalogue: &Catalogue, unit: &str, within: &str) -> bool {
    match (unit.parse::<UnitCode>(), within.parse::<UnitCode>()) {
        (Ok(u), Ok(w)) => catalogue.unit(&u).is_some() && catalogue.is_within(&u, &w),
        _ => false,
    }
}

impl Checker<'_> {
    /// Whether a change from `from` may be taken; `Ok(Err(_))` names why not.
    pub fn check_change(&self, from: &Sender, change: &Change) -> Result<std::result::Result<(), Refusal>> {
        use RefusalKind as K;
        let refuse = |kind: RefusalKind, message: String| Ok(Err(Refusal::new(kind, message)));
        let what = format!("change {} of node {}", change.seq, change.origin);
        let Some(kind) = Kind::parse(&change.kind) else {
            return refuse(K::ForeignKind, format!("{what} is of a kind this program does not know"));
        };
        let unit_ok = change.unit.parse::<UnitCode>().ok().filter(|u| self.catalogue.unit(u).is_some());
        let Some(unit) = unit_ok else {
            return refuse(K::ForeignUnit, format!("{what} names no unit of this scheme"));
        };
        if let Sender::Child { peer, role, unit: child_unit } = from {
            if !self.catalogue.is_within(&unit, child_unit) {
                return refuse(
                    K::ForeignUnit,
                    format!("{what} is for unit {unit}, outside the sender's unit {child_unit}"),
                );
            }
            if *role == Role::Node && change.origin != *peer {
                return refuse(K::ForeignOrigin, format!("{what}: a node sends only its own changes"));
            }
        }
        if !(self.readable)(unit.as_str()) {
            return refuse(K::ForeignUnit, format!("{what} is for unit {unit}, which this peer does not hold"));
        }
        if change.withheld.is_some() {
            return Ok(Ok(()));
        }
        let Some(cert) = cert_of(self.conn, change.origin)? else {
            return refuse(K::UnknownOrigin, format!("{what}: no certificate of node {} is known here", change.origin));
        };
        if cert.role != Role::Node {
            return refuse(
                K::ForeignOrigin,
                format!("{what}: node {} is a hub, and hubs write no records", change.origin),
            );
        }
        if !unit_within(self.catalogue, unit.as_str(), &cert.unit) {
            return refuse(
                K::ForeignUnit,
                format!("{what} is for unit {unit}, outside unit {} its node was enrolled for", cert.unit),
            );
        }
        if let Some(revoked) = revocation_of(self.conn, change.origin)?
            && change.seq > revoked.last_seq
        {
            return refuse(K::Revoked, format!("{what} was made after node {} was revoked", change.origin));
        }
        if !Hlc(change.hlc).acceptable(self.now_ms, self.max_skew_ms) {
            let ahead_hours = (Hlc(change.hlc).millis().saturating_sub(self.now_ms)) / 3_600_000;
            return refuse(
                K::ClockAhead,
                format!(
                    "{what} is dated {ahead_hours} hours ahead of this computer's clock (at most {} allowed): the sending computer's clock is wrong",
                    self.max_skew_ms / 3_600_000
                ),
            );
        }
        let record_id = change.record_id();
        match log::record_home(self.conn, &record_id)? {
            Some((home_unit, home_kind)) => {
                if home_unit != unit.as_str() {
                    return refuse(
                        K::ForeignRecord,
                        format!(
                            "{what} names record {record_id} as of unit {unit}, but it belongs to unit {home_unit}"
                        ),
                    );
                }
                if home_kind != change.kind {
                    return refuse(
                        K::ForeignKind,
                        format!("{what} names record {record_id} as a {}, but it is a {home_kind}", change.kind),
                    );
                }
            }
            None if change.record_node != change.origin => {
                return refuse(
                    K::ForeignRecord,
                    format!(
                        "{what} changes record {record_id}, which is not known here; only node {} may create it",
                        change.record_node
                    ),
                );
            }
            None => {}
        }
        let def = kind.def();
        for (name, value) in &change.fields {
            let json = log::json_value(value);
            let ok = match name.as_str() {
                "_deleted" => matches!(value, WireValue::Bool(_)),
                "_reason" => matches!(value, WireValue::Text(t) if t.chars().count() <= 500),
                "unit" => matches!(value, WireValue::Text(u) if *u == change.unit),
                other => match def.field(other) {
                    Some(fd) => validate::check_synced_value(fd, &json).is_ok(),
                    None => false,
                },
            };
            if !ok {
                return refuse(
                    K::BadValue,
                    format!(
                        "{what}: field `{name}` is not a field of {} or holds a value of the wrong type",
                        change.kind
                    ),
                );
            }
        }
        for (name, _) in &change.bases {
            if name != "_deleted" && name != "unit" && def.field(name).is_none() {
                return refuse(K::BadValue, format!("{what}: base `{name}` is not a field of {}", change.kind));
            }
        }
        Ok(Ok(()))
    }

    /// Checks the origin's signature of a chain head that a change carried, after the change
    /// was appended and its chain stands at `head`.
    pub fn check_head(
        &self,
        change: &Change,
        stream: u8,
        head: &ChainHead,
    ) -> Result<std::result::Result<(), Refusal>> {
        let Some(signature) = &change.head else { return Ok(Ok(())) };
        let Some(cert) = cert_of(self.conn, change.origin)? else {
            return Ok(Err(Refusal::new(
                RefusalKind::UnknownOrigin,
                format!("no certificate of node {} is known here", change.origin),
            )));
        };
        let signed = Head { origin: change.origin, unit: &change.unit, stream, length: head.length, hash: head.hash };
        match signed.verify(&cert.subject, signature) {
            Ok(()) => Ok(Ok(())),
            Err(_) => Ok(Err(Refusal::new(
                RefusalKind::BadChain,
                format!(
                    "the chain of node {} for unit {} does not match what that node signed at its change {}: changes of it were altered, dropped or reordered on the way",
                    change.origin, change.unit, change.seq
                ),
            ))),
        }
    }
}

/// The certificate of a node held here.
pub fn cert_of(db: &dyn Sql, node: NodeId) -> Result<Option<Cert>> {
    let body = db.row("SELECT body FROM statements WHERE kind = 'cert' AND subject = ?1", args![node.to_string()])?;
    match body.map(|r| r.blob(0)).transpose()?.map(|b| Statement::from_bytes(&b)).transpose()? {
        Some(Statement::Cert(c)) => Ok(Some(c)),
        _ => Ok(None),
    }
}

/// The revocation of a node held here.
pub fn revocation_of(db: &dyn Sql, node: NodeId) -> Result<Option<Revocation>> {
    let body =
        db.row("SELECT body FROM statements WHERE kind = 'revocation' AND subject = ?1", args![node.to_string()])?;
    match body.map(|r| r.blob(0)).transpose()?.map(|b| Statement::from_bytes(&b)).transpose()? {
        Some(Statement::Revocation(r)) => Ok(Some(r)),
        _ => Ok(None),
    }
}

/// What storing a statement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    AlreadyHeld,
}

/// Stores a statement without checking it (this peer's own certificates, and the chain its
/// hub sent at enrolment, checked there).
pub fn store_statement(db: &dyn Sql, statement: &Statement, source: Option<&str>) -> Result<Stored> {
    let (kind, unit, role) = match statement {
        Statement::Cert(c) => ("cert", Some(c.unit.clone()), Some(c.role.as_str())),
        Statement::Revocation(_) => ("revocation", None, None),
    };
    let n = db.exec(
        "INSERT INTO statements (kind, subject, issuer, unit, role, body, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        args![
            kind,
            statement.subject().to_string(),
            statement.issuer().to_string(),
            unit,
            role,
            statement.to_bytes(),
            source
        ],
    )?;
    Ok(if n == 1 { Stored::New } else { Stored::AlreadyHeld })
}

impl Checker<'_> {
    /// Checks a certificate or revocation that arrived from `from`, and stores it.
    pub fn take_statement(
        &self,
        from: &Sender,
        statement: &Statement,
        source: Option<&str>,
    ) -> Result<std::result::Result<Stored, Refusal>> {
        use RefusalKind as K;
        let refuse = |kind: RefusalKind, message: String| Ok(Err(Refusal::new(kind, message)));
        let issuer = match cert_of(self.conn, statement.issuer())? {
            Some(c) if c.role == Role::Hub => c,
            _ => {
                return refuse(
                    K::UnknownOrigin,
                    format!(
                        "a statement about node {} is signed by {}, which is not a hub known here",
                        statement.subject(),
                        statement.issuer()
                    ),
                );
            }
        };
        if let Sender::Child { unit, .. } = from
            && !unit_within(self.catalogue, &issuer.unit, unit.as_str())
        {
            return refuse(K::ForeignUnit, format!("hub {} is not below the sender", issuer.subject.node));
        }
        match statement {
            Statement::Cert(cert) => {
                if cert.verify(&issuer.subject).is_err() {
                    return refuse(
                        K::BadSignature,
                        format!("the certificate of node {} does not carry its issuer's signature", cert.subject.node),
                    );
                }
                if !unit_within(self.catalogue, &cert.unit, &issuer.unit) || cert.is_self_signed() {
                    return refuse(
                        K::ForeignUnit,
                        format!(
                            "hub {} certified node {} for unit {}, outside its own unit {}",
                            issuer.subject.node, cert.subject.node, cert.unit, issuer.unit
                        ),
                    );
                }
                if let Some(known) = cert_of(self.conn, cert.subject.node)? {
                    if known.subject == cert.subject && known.unit == cert.unit && known.role == cert.role {
                        return Ok(Ok(Stored::AlreadyHeld));
                    }
                    return refuse(
                        K::KnownNode,
                        format!(
                            "hub {} certified node {} again with other keys or another unit: a node id is bound once",
                            cert.issuer, cert.subject.node
                        ),
                    );
                }
            }
            Statement::Revocation(revocation) => {
                if revocation.verify(&issuer.subject).is_err() {
                    return refuse(
                        K::BadSignature,
                        format!("the revocation of node {} does not carry its issuer's signature", revocation.node),
                    );
                }
                let Some(subject) = cert_of(self.conn, revocation.node)? else {
                    return refuse(
                        K::UnknownOrigin,
                        format!("node {} revoked by {} is not known here", revocation.node, revocation.issuer),
                    );
                };
                if !unit_within(self.catalogue, &subject.unit, &issuer.unit) {
                    return refuse(
                        K::ForeignUnit,
                        format!(
                            "hub {} may not revoke node {} of unit {}",
                            revocation.issuer, revocation.node, subject.unit
                        ),
                    );
                }
            }
        }
        Ok(Ok(store_statement(self.conn, statement, source)?))
    }
}

/// Statements held here after position `after` that pass `keep`, up to `limit`, and the
/// position they cover up to.
pub fn statements_after(
    db: &dyn Sql,
    after: u64,
    limit: usize,
    not_from: Option<&str>,
    keep: &dyn Fn(&Statement, Option<&str>) -> bool,
) -> Result<(Vec<Statement>, u64)> {
    let rows = db.rows(
        "SELECT idx, body, unit FROM statements
         WHERE idx > ?1 AND (CAST(?2 AS TEXT) IS NULL OR source IS NULL OR source <> ?2) ORDER BY idx",
        args![after, not_from],
    )?;
    let mut out = Vec::new();
    let mut upto = after;
    for r in rows {
        let idx = r.u64(0)?;
        if out.len() == limit {
            break;
        }
        let statement = Statement::from_bytes(&r.blob(1)?)?;
        if keep(&statement, r.opt_text(2)?.as_deref()) {
            out.push(statement);
        }
        upto = idx;
    }
    Ok((out, upto))
}

/// The public keys of a node certified here.
pub fn identity_of(db: &dyn Sql, node: NodeId) -> Result<Option<PublicIdentity>> {
    Ok(cert_of(db, node)?.map(|c| c.subject))
}
