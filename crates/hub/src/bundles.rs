//! USB bundles at the hub: importing a child's bundle (or the parent's answer), and making a
//! bundle for a child (the way back) or for the parent (the way up).

use sobaucu_client::Child;
use sobaucu_client::bundle as child_bundle;
use sobaucu_protocol::messages::BundleMeta;
use sobaucu_protocol::{Batch, Bundle, verifying_key_from_hex};

use crate::store::{HubStore, SqliteHubStore, StoreError};

const BATCH_CHANGES: usize = 1500;

fn other(message: impl Into<String>) -> StoreError {
    StoreError::Other(message.into())
}

/// Imports a bundle: a child's changes (going up), or the parent's answer (coming down).
/// Returns a sentence saying what it did. Importing the same bundle twice changes nothing.
pub fn import(store: &mut SqliteHubStore, bytes: &[u8]) -> Result<String, StoreError> {
    let sender = Bundle::peek_sender(bytes).ok_or_else(|| other("not a sobaucu bundle"))?;
    if let Some(parent) = store.parent()?
        && u64::from_str_radix(&parent.peer, 16).ok() == Some(sender)
    {
        let report = child_bundle::import_down(store, bytes).map_err(|e| other(e.to_string()))?;
        return Ok(format!(
            "{} changes from the parent hub ({} of {} batches already here)",
            report.changes, report.already_had, report.batches
        ));
    }
    let child = store
        .child(sender)?
        .ok_or_else(|| other(format!("the bundle's sender {sender:016x} is not enrolled with this hub")))?;
    if child.revoked {
        return Err(other(format!("node {sender:016x} was revoked by this hub")));
    }
    let key = verifying_key_from_hex(&child.public_key).map_err(|e| other(e.to_string()))?;
    let key_of = |s: u64| (s == sender).then_some(key);
    let bundle = Bundle::open(bytes, &key_of).map_err(|e| other(format!("bundle: {e}")))?;
    let meta: BundleMeta = serde_json::from_value(bundle.meta).map_err(|e| other(format!("bundle header: {e}")))?;
    let me = format!("{:016x}", store.identity()?.node_id);
    if meta.direction != "up" || meta.to != me {
        return Err(other(format!("this bundle is for {} ({}), not for this hub ({me})", meta.to, meta.direction)));
    }
    // Check every batch before applying any.
    let mut batches = Vec::new();
    for sealed in &bundle.batches {
        batches.push(Batch::open(sealed, &key_of).map_err(|e| other(format!("bundle batch: {e}")))?);
    }
    let (mut applied, mut already) = (0usize, 0usize);
    for batch in &batches {
        let have = store.child(sender)?.map(|c| c.received_idx).unwrap_or(0);
        if batch.upto <= have {
            already += 1;
            continue;
        }
        store.accept(&child, batch)?;
        applied += batch.changes.len();
    }
    store.child_has(&child, meta.cursor)?;
    store.record_seen(&child, &meta.seen)?;
    Ok(format!(
        "{applied} changes from node {sender:016x} (unit {}); {already} of {} batches were already here",
        child.unit,
        batches.len()
    ))
}

/// A bundle for a child: what it lacks after the position it last reported, and the
/// acknowledgement of what the hub has from it.
pub fn export_for_child(store: &mut SqliteHubStore, child_id: u64) -> Result<(Vec<u8>, usize), StoreError> {
    let child = store.child(child_id)?.ok_or_else(|| other(format!("no node {child_id:016x} is enrolled here")))?;
    let me = store.identity()?.node_id;
    let key = store.keypair()?;
    let mut batches = Vec::new();
    let mut count = 0;
    let mut after = child.sent_idx;
    loop {
        let (changes, upto, more) = store.pull_for(&child, after, BATCH_CHANGES)?;
        if upto <= after {
            break;
        }
        count += changes.len();
        batches.push(Batch { sender: me, after, upto, changes }.seal(&key));
        after = upto;
        if !more {
            break;
        }
    }
    let meta = BundleMeta {
        direction: "down".into(),
        to: child.peer.clone(),
        cursor: child.received_idx,
        seen: store.seen_within(&child)?,
    };
    Ok((Bundle { sender: me, meta: serde_json::to_value(meta).expect("JSON"), batches }.seal(&key), count))
}

/// A bundle for the parent hub: everything it has not acknowledged.
pub fn export_up(store: &mut SqliteHubStore) -> Result<(Vec<u8>, usize), StoreError> {
    child_bundle::export_up(store).map_err(|e| other(e.to_string()))
}
