//! The child side of a USB bundle: the same sealed messages as over HTTP, one after another in
//! a file. Going up, each message is a sync request pushing one batch of what the parent has
//! not acknowledged; coming down, each is the parent's answer with a batch of what the child
//! lacks and the parent's acknowledgement. A bundle opens only for its recipient, and
//! importing one twice (or an older one) changes nothing.

use std::io::Read;

use serde_json::Value;
use sobaucu_core::link::PushFrom;
use sobaucu_protocol::messages::{BundleMeta, Direction, SyncRequest, SyncResponse};
use sobaucu_protocol::{Batch, BundleReader, Limits, Message, Sealed, bundle_bytes};

use crate::child::Child;
use crate::http::{BATCH_CHANGES, ClientError};

fn local<E: std::fmt::Display>(e: E) -> ClientError {
    ClientError::Local(e.to_string())
}

/// A message's header: the sync header with the bundle's fields beside it.
pub fn bundle_header(sync: &impl serde::Serialize, meta: &BundleMeta) -> Value {
    let mut value = serde_json::to_value(sync).expect("JSON");
    if let (Value::Object(out), Value::Object(extra)) = (&mut value, serde_json::to_value(meta).expect("JSON")) {
        out.extend(extra);
    }
    value
}

/// A bundle of everything this child's parent has not acknowledged; returns it and how many
/// changes it holds.
pub fn export_up<C: Child>(child: &mut C) -> Result<(Vec<u8>, usize), ClientError> {
    child.may_sync().map_err(local)?;
    let link = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let hub = link.identity.ok_or(ClientError::Legacy)?;
    child.prepare().map_err(local)?;
    let me = child.identity().map_err(local)?;
    let seen = child.presence().map_err(local)?;
    // A bundle carries everything at once: nothing needs to go ahead.
    let mut from = PushFrom { after: link.sent_idx, certs_after: link.certs_sent, ahead: false };
    let mut messages = Vec::new();
    let mut count = 0;
    loop {
        let (batch, certs_upto) = child.push_batch(from, BATCH_CHANGES, 4 << 20).map_err(local)?;
        let carries = batch.upto > batch.after || !batch.statements.is_empty();
        if !carries && !messages.is_empty() {
            break;
        }
        let first = messages.is_empty();
        let request = SyncRequest {
            pull_after: link.received_idx,
            max_changes: BATCH_CHANGES as u32,
            pull_check: link.received_check.clone(),
            push_check: if carries { child.check_at(batch.upto).map_err(local)? } else { None },
            certs_after: link.certs_idx,
            own_seq: first.then(|| child.own_seq()).transpose().map_err(local)?,
            ..SyncRequest::default()
        };
        let meta = BundleMeta {
            direction: Direction::Up,
            to: hub.node,
            cursor: link.received_idx,
            seen: if first { seen.clone() } else { Vec::new() },
        };
        let counter = child.next_counter().map_err(local)?;
        let parts = if carries { vec![batch.encode()] } else { Vec::new() };
        let message = Message { meta: bundle_header(&request, &meta), parts };
        messages.push(Sealed::seal(&me, &hub, counter, &message.encode()));
        count += batch.changes.len();
        from = PushFrom { after: batch.upto, certs_after: certs_upto, ahead: false };
        if batch.upto <= batch.after {
            break;
        }
    }
    Ok((bundle_bytes(&messages), count))
}

/// What importing a bundle from the parent did.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub changes: usize,
    pub batches: usize,
    /// Messages this child already had (the bundle, or a later one, was imported before).
    pub already_had: usize,
}

/// Imports a bundle the parent made for this child: each message opens only with this child's
/// key and the parent's; its batch is checked and applied, and its acknowledgement taken.
pub fn import_down<C: Child>(child: &mut C, bytes: impl Read) -> Result<ImportReport, ClientError> {
    child.may_sync().map_err(local)?;
    let link = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?;
    let hub = link.identity.ok_or(ClientError::Legacy)?;
    let me = child.identity().map_err(local)?;
    let limits = Limits::default();
    let mut reader = BundleReader::new(bytes, limits).map_err(|e| ClientError::Refused(format!("bundle: {e}")))?;
    let mut report = ImportReport::default();
    while let Some(sealed) = reader.next_message().map_err(|e| ClientError::Refused(format!("bundle: {e}")))? {
        let header = Sealed::peek(&sealed).map_err(|e| ClientError::Refused(format!("bundle: {e}")))?;
        if header.recipient != me.node() {
            return Err(ClientError::Refused(format!(
                "this bundle is for node {}, not for this ledger ({})",
                header.recipient,
                me.node()
            )));
        }
        let (header, plain) = Sealed::open(&me, &sealed, Some(&hub), limits.max_message)
            .map_err(|e| ClientError::Refused(format!("bundle: {e}")))?;
        report.batches += 1;
        let taken = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?.counter_in;
        if header.counter <= taken {
            report.already_had += 1;
            continue;
        }
        let message = Message::decode(&plain).map_err(|e| ClientError::Refused(format!("bundle: {e}")))?;
        let meta: BundleMeta = message.header().map_err(|e| ClientError::Refused(format!("bundle header: {e}")))?;
        if meta.direction != Direction::Down || meta.to != me.node() {
            return Err(ClientError::Refused("this bundle is not one for this ledger".into()));
        }
        let answer: SyncResponse = message.header().map_err(|e| ClientError::Refused(format!("bundle header: {e}")))?;
        child.take_ack(answer.ack, answer.ack_check.as_deref(), None, None).map_err(local)?;
        if !answer.refused.is_empty() {
            child.record_refused(&answer.refused).map_err(local)?;
        }
        child.stay_above(answer.held_seq, answer.held_counter).map_err(local)?;
        if !answer.seen.is_empty() && child.wants_presence() {
            child.record_presence(&answer.seen).map_err(local)?;
        }
        let Some(part) = message.parts.first() else {
            child.take_counter_in(header.counter).map_err(local)?;
            continue;
        };
        let batch = Batch::decode(part, &limits).map_err(|e| ClientError::Refused(format!("bundle batch: {e}")))?;
        let have = child.parent().map_err(local)?.ok_or(ClientError::NotEnrolled)?.received_idx;
        if batch.upto <= have && batch.upto > batch.after {
            report.already_had += 1;
            child.take_counter_in(header.counter).map_err(local)?;
            continue;
        }
        if batch.after > have {
            return Err(ClientError::Refused(format!(
                "this bundle continues from the hub's position {}, but this ledger has only up to {have}: import the earlier bundle first",
                batch.after
            )));
        }
        report.changes +=
            child.apply_from_parent(&batch, answer.pull_check.as_deref(), answer.certs_upto).map_err(local)?;
        child.take_counter_in(header.counter).map_err(local)?;
    }
    Ok(report)
}
