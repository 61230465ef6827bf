//! USB bundles at the hub: importing a child's bundle (or the parent's answer), and making a
//! bundle for a child (the way back) or for the parent (the way up). A bundle is the same
//! sealed messages as HTTP carries, through the same [`Hub`] steps, so a bundle is checked,
//! applied and refused exactly as a sync is.

use std::io::Read;

use sobaucu_client::bundle::{self as child_bundle, bundle_header};
use sobaucu_protocol::messages::{BundleMeta, Direction, SyncRequest};
use sobaucu_protocol::{Batch, BundleReader, Limits, Message, NodeId, Sealed, bundle_bytes};

use crate::service::{Hub, Refused, child_of};
use crate::store::{HubStore, StoreError};

fn other(message: impl Into<String>) -> StoreError {
    StoreError::Other(message.into())
}

/// Imports a bundle read from `bytes`: a child's changes (going up), or the parent's answer
/// (coming down). Returns a sentence saying what it did. Importing the same bundle twice
/// changes nothing.
pub fn import(store: &mut HubStore, bytes: &[u8]) -> Result<String, StoreError> {
    let limits = Limits::default();
    let mut reader = BundleReader::new(bytes, limits).map_err(|e| other(format!("bundle: {e}")))?;
    let Some(first) = reader.next_message().map_err(|e| other(format!("bundle: {e}")))? else {
        return Ok("an empty bundle: nothing to import".into());
    };
    let header = Sealed::peek(&first).map_err(|e| other(format!("bundle: {e}")))?;
    if let Some(parent) = store.parent()?
        && parent.peer == header.sender
    {
        let report = child_bundle::import_down(store, bytes).map_err(|e| other(e.to_string()))?;
        return Ok(format!(
            "{} changes from the parent hub ({} of {} messages already here)",
            report.changes, report.already_had, report.batches
        ));
    }
    let (child, _) = child_of(store, &first).map_err(|r| other(r.to_string()))?;
    let (mut applied, mut already, mut refused, mut messages) = (0usize, 0usize, 0usize, 0usize);
    let mut next = Some(first);
    while let Some(sealed) = next {
        messages += 1;
        let mut hub = Hub { store, limits };
        match hub.open_message(&sealed) {
            Ok((child, _, _, message)) => {
                let meta: BundleMeta = message.header().map_err(|e| other(format!("bundle header: {e}")))?;
                let me = hub.store.identity()?.node_id;
                if meta.direction != Direction::Up || meta.to != me {
                    return Err(other(format!(
                        "this bundle is for {} ({:?}), not for this hub ({me})",
                        meta.to, meta.direction
                    )));
                }
                let request: SyncRequest = message.header().map_err(|e| other(format!("bundle header: {e}")))?;
                let push = match message.parts.first() {
                    Some(p) if !p.is_empty() => {
                        Some(Batch::decode(p, &limits).map_err(|e| other(format!("bundle batch: {e}")))?)
                    }
                    _ => None,
                };
                let mut request = request;
                request.seen = meta.seen;
                let (_, outcome) = hub.answer(&child, &request, push.as_ref()).map_err(|r| other(r.to_string()))?;
                if let Some(kind) = outcome.push_refused {
                    match kind {
                        sobaucu_protocol::messages::RefusalKind::Replayed => already += 1,
                        k => {
                            return Err(other(format!(
                                "the bundle's changes were refused ({k}): nothing more was applied"
                            )));
                        }
                    }
                }
                applied += outcome.pushed;
                refused += outcome.refused;
            }
            Err(r) if r.body.kind == sobaucu_protocol::messages::RefusalKind::Replayed => already += 1,
            Err(r) => return Err(other(format!("bundle: {r}"))),
        }
        next = reader.next_message().map_err(|e| other(format!("bundle: {e}")))?;
    }
    Ok(format!(
        "{applied} changes from node {} (unit {}){}; {already} of {messages} messages were already here",
        child.peer,
        child.unit,
        if refused > 0 { format!(", {refused} refused") } else { String::new() }
    ))
}

/// Imports a bundle from a file, read in bounded pieces.
pub fn import_file(store: &mut HubStore, path: &std::path::Path) -> Result<String, StoreError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(sobaucu_protocol::MAX_BUNDLE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| other(format!("{}: {e}", path.display())))?;
    if bytes.len() as u64 > sobaucu_protocol::MAX_BUNDLE_BYTES {
        return Err(other(format!("{}: larger than a bundle can be", path.display())));
    }
    import(store, &bytes)
}

/// A bundle for a child: what it lacks after the position it last reported, and the
/// acknowledgement of what the hub has from it. Refused for a revoked child.
pub fn export_for_child(store: &mut HubStore, child_id: NodeId) -> Result<(Vec<u8>, usize), StoreError> {
    let child = store.child(child_id)?.ok_or_else(|| other(format!("no node {child_id} is enrolled here")))?;
    if child.revoked {
        return Err(other(format!("node {child_id} was revoked: no bundle is made for it")));
    }
    let identity = child.identity.ok_or_else(|| other(format!("node {child_id} must enrol again (protocol 1)")))?;
    let keys = store.keys()?;
    let mut messages = Vec::new();
    let mut count = 0;
    let mut request = SyncRequest {
        pull_after: child.sent_idx,
        max_changes: crate::service::MAX_PULL,
        max_bytes: 4 << 20,
        want_seen: true,
        pull_check: store.check_at(child.sent_idx)?,
        certs_after: 0,
        own_seq: Some(0),
        ..SyncRequest::default()
    };
    let mut counter = crate::service::now_micros();
    loop {
        let mut hub = Hub { store, limits: Limits::default() };
        let (message, _) = hub.answer(&child, &request, None).map_err(|r: Refused| other(r.to_string()))?;
        let response: sobaucu_protocol::messages::SyncResponse = message.header().map_err(|e| other(e.to_string()))?;
        let batch = Batch::decode(&message.parts[0], &Limits::default()).map_err(|e| other(e.to_string()))?;
        count += batch.changes.len();
        let meta = BundleMeta {
            direction: Direction::Down,
            to: child.peer,
            cursor: response.ack,
            seen: response.seen.clone(),
        };
        let framed = Message { meta: bundle_header(&response, &meta), parts: message.parts.clone() };
        counter += 1;
        messages.push(Sealed::seal(&keys, &identity, counter, &framed.encode()));
        if !response.more {
            break;
        }
        request.pull_after = response.pull_upto;
        request.certs_after = response.certs_upto;
        request.want_seen = false;
    }
    Ok((bundle_bytes(&messages), count))
}

/// A bundle for the parent hub: everything it has not acknowledged.
pub fn export_up(store: &mut HubStore) -> Result<(Vec<u8>, usize), StoreError> {
    child_bundle::export_up(store).map_err(|e| other(e.to_string()))
}
