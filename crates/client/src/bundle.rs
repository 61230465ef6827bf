//! The child side of a USB bundle: the same batches as over HTTP, in one signed file. Going
//! up, a bundle carries everything the parent has not acknowledged, and the parent position
//! the child has; coming down, the parent's answer carries its acknowledgement back.
//! Importing a bundle twice changes nothing.

use sobaucu_protocol::messages::BundleMeta;
use sobaucu_protocol::{Batch, Bundle, ProtocolError, verifying_key_from_hex};

use crate::child::Child;
use crate::http::{BATCH_CHANGES, ClientError};

fn local<E: std::fmt::Display>(e: E) -> ClientError {
    ClientError::Local(e.to_string())
}

/// A bundle of everything this child's parent has not acknowledged; returns it and how many
/// changes it holds.
pub fn export_up<C: Child>(child: &mut C) -> Result<(Vec<u8>, usize), ClientError> {
    let parent = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let me = child.node_id().map_err(local)?;
    let key = child.keypair().map_err(local)?;
    let mut batches = Vec::new();
    let mut count = 0;
    let mut after = parent.sent_idx;
    loop {
        let (changes, upto) = child.pending_after(after, BATCH_CHANGES).map_err(local)?;
        if upto <= after {
            break;
        }
        count += changes.len();
        batches.push(Batch { sender: me, after, upto, changes }.seal(&key));
        after = upto;
    }
    let meta = BundleMeta {
        direction: "up".into(),
        to: parent.peer.clone(),
        cursor: parent.received_idx,
        seen: child.presence().map_err(local)?,
    };
    let bundle = Bundle { sender: me, meta: serde_json::to_value(meta).expect("JSON"), batches };
    Ok((bundle.seal(&key), count))
}

/// What importing a bundle from the parent did.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub changes: usize,
    pub batches: usize,
    /// Batches this child already had (the bundle was imported before).
    pub already_had: usize,
}

/// Imports a bundle the parent made for this child: checks its signature with the parent's
/// key, applies its batches in order, and takes the acknowledgement it carries.
pub fn import_down<C: Child>(child: &mut C, bytes: &[u8]) -> Result<ImportReport, ClientError> {
    let parent = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let hub_id = u64::from_str_radix(&parent.peer, 16).map_err(local)?;
    let hub_key = verifying_key_from_hex(&parent.public_key).map_err(local)?;
    let key_of = |sender: u64| (sender == hub_id).then_some(hub_key);
    let bundle =
        Bundle::open(bytes, &key_of).map_err(|e: ProtocolError| ClientError::Refused(format!("bundle: {e}")))?;
    let meta: BundleMeta =
        serde_json::from_value(bundle.meta).map_err(|e| ClientError::Refused(format!("bundle header: {e}")))?;
    let me = format!("{:016x}", child.node_id().map_err(local)?);
    if meta.direction != "down" || meta.to != me {
        return Err(ClientError::Refused(format!(
            "this bundle is for {} ({}), not for this ledger ({me})",
            meta.to, meta.direction
        )));
    }
    let mut batches = Vec::new();
    for sealed in &bundle.batches {
        batches.push(Batch::open(sealed, &key_of).map_err(|e| ClientError::Refused(format!("bundle batch: {e}")))?);
    }
    let mut report = ImportReport::default();
    for batch in batches {
        let have = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?.received_idx;
        report.batches += 1;
        if batch.upto <= have {
            report.already_had += 1;
            continue;
        }
        if batch.after > have {
            return Err(ClientError::Refused(format!(
                "this bundle continues from the hub's position {}, but this ledger has only up to {have}: import the earlier bundle first",
                batch.after
            )));
        }
        report.changes += batch.changes.len();
        child.apply_from_parent(&batch.changes, batch.upto).map_err(local)?;
    }
    child.acknowledge_up(meta.cursor).map_err(local)?;
    if !meta.seen.is_empty() && child.wants_presence() {
        child.record_presence(&meta.seen).map_err(local)?;
    }
    Ok(report)
}
