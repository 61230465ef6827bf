//! A [`Batch`] of changes from one log, and a [`Message`]: what a sealed request, answer or
//! bundle part holds once opened (a JSON header and batches).

use std::io::Read;

use crate::cert::Statement;
use crate::codec::{self, Reader, put_varint};
use crate::{Change, Limits, ProtocolError};

/// What batches look like, as zstd's dictionary: the names of the kinds and fields, the values
/// of their choices, and words the officials' records repeat. A batch of a few changes then
/// costs its values, not their names again. Changing it changes the protocol; a test of the
/// core keeps every kind and field in it.
/// The newest dictionary (compression mark 3: the second one and the published figures' words
/// after it).
pub const BATCH_DICTIONARY: &[u8] = include_bytes!("dictionary.txt");

/// The second dictionary (compression mark 2: the first one and election day's words after it),
/// still read.
pub const BATCH_DICTIONARY_2: &[u8] = include_bytes!("dictionary-2.txt");

/// The first dictionary (compression mark 1), still read: a batch from a node built before
/// election day's records decodes.
pub const BATCH_DICTIONARY_1: &[u8] = include_bytes!("dictionary-1.txt");

/// The mark of a batch compressed with [`BATCH_DICTIONARY`].
const WITH_DICTIONARY: u8 = 3;

/// Batches smaller than this (encoded, before compression) are compressed with the dictionary.
const DICTIONARY_BELOW: usize = 32 * 1024;

/// Changes from one sender's log, covering its log positions `(after, upto]`, with the
/// certificates and revocations the receiver needs before them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Batch {
    pub after: u64,
    pub upto: u64,
    pub statements: Vec<Statement>,
    pub changes: Vec<Change>,
}

impl Batch {
    /// Encodes and compresses the batch.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        put_varint(&mut out, self.after);
        put_varint(&mut out, self.upto);
        put_varint(&mut out, self.statements.len() as u64);
        for s in &self.statements {
            s.encode(&mut out);
        }
        if self.changes.is_empty() {
            put_varint(&mut out, 0);
            return out;
        }
        let raw = codec::encode(&self.changes);
        // The dictionary pays on a few changes (an incremental sync); a large batch compresses
        // better on its own.
        let with_dictionary = raw.len() < DICTIONARY_BELOW;
        let compressed = if with_dictionary {
            zstd::bulk::Compressor::with_dictionary(19, BATCH_DICTIONARY).and_then(|mut c| c.compress(&raw))
        } else {
            zstd::bulk::compress(&raw, 19)
        }
        .expect("zstd compresses in memory");
        put_varint(&mut out, raw.len() as u64);
        out.push(if with_dictionary { WITH_DICTIONARY } else { 0 });
        out.extend_from_slice(&compressed);
        out
    }

    /// Decodes a batch within `limits`: its declared size is checked before decompressing, and
    /// decompression stops at that size (a compression bomb costs no more than the limit).
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Batch, ProtocolError> {
        let mut r = Reader::new(bytes);
        let after = r.varint()?;
        let upto = r.varint()?;
        if upto < after {
            return Err(ProtocolError::Corrupt("the batch's range ends before it starts".into()));
        }
        let count = r.count(limits.max_statements, 50, "certificates")?;
        let mut statements = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            statements.push(Statement::decode(&mut r, limits)?);
        }
        let raw_len = r.varint()?;
        if raw_len == 0 {
            if !r.is_done() {
                return Err(ProtocolError::Corrupt("bytes after an empty batch".into()));
            }
            return Ok(Batch { after, upto, statements, changes: Vec::new() });
        }
        if raw_len > limits.max_decompressed as u64 {
            return Err(ProtocolError::OverLimit(format!("a batch of {raw_len} bytes once decompressed")));
        }
        let dictionary: &[u8] = match r.take(1)?[0] {
            0 => &[],
            1 => BATCH_DICTIONARY_1,
            2 => BATCH_DICTIONARY_2,
            WITH_DICTIONARY => BATCH_DICTIONARY,
            other => return Err(ProtocolError::Corrupt(format!("unknown compression {other}"))),
        };
        let compressed = r.take(r.left())?;
        let mut raw = Vec::with_capacity((raw_len as usize).min(1 << 20));
        let decoder = zstd::stream::read::Decoder::with_dictionary(compressed, dictionary)
            .map_err(|e| ProtocolError::Corrupt(format!("the payload does not decompress: {e}")))?;
        decoder
            .take(raw_len + 1)
            .read_to_end(&mut raw)
            .map_err(|e| ProtocolError::Corrupt(format!("the payload does not decompress: {e}")))?;
        if raw.len() as u64 != raw_len {
            return Err(ProtocolError::Corrupt(format!(
                "the payload decompresses to {} bytes, not the {raw_len} its header says",
                raw.len()
            )));
        }
        let changes = codec::decode(&raw, limits)?;
        Ok(Batch { after, upto, statements, changes })
    }
}

/// What a sealed message holds once opened: a JSON header and up to a few parts (a request's
/// pushed batch; an answer's pulled batch and the requester's own changes sent back).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub meta: serde_json::Value,
    pub parts: Vec<Vec<u8>>,
}

/// The most parts a message may have.
const MAX_PARTS: usize = 4;

/// The largest header a message may carry, once decompressed.
const MAX_META: usize = 1 << 20;

/// What headers look like, as zstd's dictionary: with it, the header of an incremental sync
/// costs tens of bytes instead of the two hundred its JSON takes (every byte counts on 2G).
/// Changing it changes the protocol.
const META_DICTIONARY: &[u8] = br#"{"pull_after":0,"max_changes":1500,"max_bytes":1048576,"own_seq":0,"own_after":0,"pull_check":"0000000000000000","push_check":"0000000000000000","certs_after":0,"seen":[{"node":"0000000000000000","unit":"03637","kind":"node","last_sync_at":"2026-01-01T00:00:00.000000000+00:00"}],"want_seen":true,"settings":{"election_date":"2026-03-15","law":"2025"}}{"ack":0,"ack_check":"0000000000000000","pull_upto":0,"more":false,"held_seq":0,"held_counter":0,"pull_check":"0000000000000000","certs_upto":0,"time_ms":1764590000000,"rewound_to":0,"refused":[{"seq":0,"kind":"foreign_record","message":"change 0 of node 0000000000000000"}],"refusal":{"kind":"seq_reused","message":""}}{"direction":"up","to":"0000000000000000","cursor":0}"#;

impl Message {
    pub fn new(meta: &impl serde::Serialize, parts: Vec<Vec<u8>>) -> Message {
        Message { meta: serde_json::to_value(meta).expect("JSON"), parts }
    }

    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(&self.meta).expect("JSON serialises");
        let compressed = zstd::bulk::Compressor::with_dictionary(19, META_DICTIONARY)
            .and_then(|mut c| c.compress(&json))
            .ok()
            .filter(|c| c.len() < json.len());
        let mut out = Vec::with_capacity(json.len() + self.parts.iter().map(Vec::len).sum::<usize>() + 16);
        match compressed {
            Some(meta) => {
                out.push(1);
                put_varint(&mut out, meta.len() as u64);
                out.extend_from_slice(&meta);
            }
            None => {
                out.push(0);
                put_varint(&mut out, json.len() as u64);
                out.extend_from_slice(&json);
            }
        }
        put_varint(&mut out, self.parts.len() as u64);
        for part in &self.parts {
            put_varint(&mut out, part.len() as u64);
            out.extend_from_slice(part);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Message, ProtocolError> {
        let mut r = Reader::new(bytes);
        let compressed = match r.take(1)?[0] {
            0 => false,
            1 => true,
            other => return Err(ProtocolError::Corrupt(format!("unknown header encoding {other}"))),
        };
        let meta_len = r.count(MAX_META, 1, "header bytes")?;
        let stored = r.take(meta_len)?;
        let json = if compressed {
            let mut decompressor = zstd::bulk::Decompressor::with_dictionary(META_DICTIONARY)
                .map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))?;
            let size = match zstd::zstd_safe::get_frame_content_size(stored) {
                Ok(Some(size)) if size <= MAX_META as u64 => size as usize,
                _ => return Err(ProtocolError::OverLimit("a header of unknown or too large size".into())),
            };
            decompressor.decompress(stored, size).map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))?
        } else {
            stored.to_vec()
        };
        let meta = serde_json::from_slice(&json).map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))?;
        let count = r.count(MAX_PARTS, 1, "parts")?;
        let mut parts = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.count(usize::MAX, 1, "part bytes")?;
            parts.push(r.take(len)?.to_vec());
        }
        if !r.is_done() {
            return Err(ProtocolError::Corrupt("bytes after the last part".into()));
        }
        Ok(Message { meta, parts })
    }

    /// The header as a typed value.
    pub fn header<T: serde::de::DeserializeOwned>(&self) -> Result<T, ProtocolError> {
        serde_json::from_value(self.meta.clone()).map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn batches_round_trip(changes in prop::collection::vec(crate::codec::tests::change(), 0..20), after in 0u64..1000) {
            let batch = Batch { after, upto: after + changes.len() as u64, statements: Vec::new(), changes };
            prop_assert_eq!(Batch::decode(&batch.encode(), &Limits::default()).unwrap(), batch);
        }

        #[test]
        fn raw_bytes_never_panic_the_batch_or_message_decoders(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Batch::decode(&bytes, &Limits::default());
            let _ = Message::decode(&bytes);
        }
    }

    #[test]
    fn a_compression_bomb_is_refused_at_its_declared_size() {
        // 64 MiB of zeros compress to a few kilobytes; declared as 100 bytes, or as 64 MiB.
        let zeros = vec![0u8; 64 << 20];
        let compressed = zstd::bulk::compress(&zeros, 3).unwrap();
        for declared in [100u64, 64 << 20] {
            let mut bomb = Vec::new();
            for n in [0, 0, 0, declared] {
                put_varint(&mut bomb, n);
            }
            bomb.push(0);
            bomb.extend_from_slice(&compressed);
            let err = Batch::decode(&bomb, &Limits::default()).unwrap_err();
            assert!(matches!(err, ProtocolError::OverLimit(_) | ProtocolError::Corrupt(_)), "{err}");
        }
    }

    /// A batch from a node built before election day's words (compressed with the first
    /// dictionary, mark 1) or before the figures' (mark 2) still decodes; new batches use the
    /// newest one.
    #[test]
    fn a_batch_compressed_with_the_first_dictionary_still_decodes() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let changes: Vec<_> =
            (0..3).map(|_| crate::codec::tests::change().new_tree(&mut runner).unwrap().current()).collect();
        let raw = codec::encode(&changes);
        for (mark, dictionary) in [(1, BATCH_DICTIONARY_1), (2, BATCH_DICTIONARY_2)] {
            let mut old = Vec::new();
            for n in [0, 3, 0, raw.len() as u64] {
                put_varint(&mut old, n);
            }
            old.push(mark);
            old.extend(zstd::bulk::Compressor::with_dictionary(19, dictionary).unwrap().compress(&raw).unwrap());
            let batch = Batch::decode(&old, &Limits::default()).unwrap();
            assert_eq!(batch.changes, changes, "a batch of mark {mark}");
        }
        let new = Batch { after: 0, upto: 3, statements: Vec::new(), changes }.encode();
        assert!(new.contains(&WITH_DICTIONARY), "small batches use the newest dictionary");
        assert!(BATCH_DICTIONARY.starts_with(BATCH_DICTIONARY_1), "the newer dictionary extends the first");
        assert!(BATCH_DICTIONARY.starts_with(BATCH_DICTIONARY_2), "the newest dictionary extends the second");
    }

    #[test]
    fn messages_round_trip() {
        let m = Message { meta: serde_json::json!({"pull_after": 4}), parts: vec![vec![1, 2, 3], vec![]] };
        assert_eq!(Message::decode(&m.encode()).unwrap(), m);
    }
}
