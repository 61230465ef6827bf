//! Signed frames: a [`Batch`] of changes, an [`Envelope`] (a request or response with at most
//! one batch) and a [`Bundle`] (batches in a file). Each frame starts with a magic tag and the
//! protocol version and ends with an ed25519 signature over everything before it, by the
//! sender's key.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::codec::{self, Reader};
use crate::{Change, MAX_BUNDLE_BYTES, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, ProtocolError};

const BATCH_MAGIC: &[u8; 4] = b"SBB1";
const ENVELOPE_MAGIC: &[u8; 4] = b"SBE1";
const BUNDLE_MAGIC: &[u8; 8] = b"SOBAUCU\x01";
const SIGNATURE_LEN: usize = 64;

/// A node's signing key.
pub struct Keypair(SigningKey);

impl Keypair {
    /// The key of 32 secret bytes (drawn by the caller from the operating system).
    pub fn from_secret(secret: [u8; 32]) -> Keypair {
        Keypair(SigningKey::from_bytes(&secret))
    }

    pub fn from_secret_hex(hex: &str) -> Result<Keypair, ProtocolError> {
        let bytes = from_hex(hex).ok_or_else(|| ProtocolError::Corrupt("a secret key is not 64 hex digits".into()))?;
        let secret: [u8; 32] =
            bytes.try_into().map_err(|_| ProtocolError::Corrupt("a secret key is not 32 bytes".into()))?;
        Ok(Keypair::from_secret(secret))
    }

    pub fn secret_hex(&self) -> String {
        to_hex(self.0.as_bytes())
    }

    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    pub fn public_hex(&self) -> String {
        public_key_hex(&self.public())
    }

    fn sign(&self, bytes: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(bytes).to_bytes()
    }
}

pub fn public_key_hex(key: &VerifyingKey) -> String {
    to_hex(key.as_bytes())
}

pub fn verifying_key_from_hex(hex: &str) -> Result<VerifyingKey, ProtocolError> {
    let bytes = from_hex(hex).ok_or_else(|| ProtocolError::Corrupt("a public key is not 64 hex digits".into()))?;
    let bytes: [u8; 32] =
        bytes.try_into().map_err(|_| ProtocolError::Corrupt("a public key is not 32 bytes".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| ProtocolError::Corrupt("not a valid public key".into()))
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// Checks the size, magic, version and signature of a frame; returns its body (between the
/// header and the signature) and the sender.
fn open_frame<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    what: &'static str,
    max: usize,
    key_of: &dyn Fn(u64) -> Option<VerifyingKey>,
) -> Result<(u64, &'a [u8]), ProtocolError> {
    if bytes.len() > max {
        return Err(ProtocolError::TooLarge(bytes.len()));
    }
    let header = magic.len() + 2 + 8 + 8;
    if !bytes.starts_with(&magic[..bytes.len().min(magic.len())]) {
        return Err(ProtocolError::BadMagic(what));
    }
    if bytes.len() < header + SIGNATURE_LEN {
        return Err(ProtocolError::Truncated(bytes.len()));
    }
    let version = u16::from_le_bytes([bytes[magic.len()], bytes[magic.len() + 1]]);
    if version != PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedVersion(version));
    }
    let sender = u64::from_le_bytes(bytes[magic.len() + 2..magic.len() + 10].try_into().expect("8 bytes"));
    let declared = u64::from_le_bytes(bytes[magic.len() + 10..header].try_into().expect("8 bytes"));
    if (bytes.len() as u64) < declared {
        return Err(ProtocolError::Truncated(bytes.len()));
    }
    if (bytes.len() as u64) > declared {
        return Err(ProtocolError::Corrupt(format!(
            "{} bytes follow the end of the {what}",
            bytes.len() as u64 - declared
        )));
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let key = key_of(sender).ok_or(ProtocolError::UnknownKey(sender))?;
    let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
    key.verify(signed, &signature).map_err(|_| ProtocolError::BadSignature)?;
    Ok((sender, &signed[header..]))
}

/// The frame header: magic, version, sender, then the whole frame's length (filled by `seal`).
fn start_frame(magic: &[u8], sender: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(magic);
    out.extend_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    out.extend_from_slice(&sender.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out
}

fn seal(mut out: Vec<u8>, key: &Keypair) -> Vec<u8> {
    let magic_len = if out.starts_with(BUNDLE_MAGIC) { BUNDLE_MAGIC.len() } else { 4 };
    let total = (out.len() + SIGNATURE_LEN) as u64;
    out[magic_len + 10..magic_len + 18].copy_from_slice(&total.to_le_bytes());
    let signature = key.sign(&out);
    out.extend_from_slice(&signature);
    out
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn read_u32(r: &mut Reader<'_>) -> Result<usize, ProtocolError> {
    Ok(u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes")) as usize)
}

/// Changes from one sender's log, covering its log positions `(after, upto]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub sender: u64,
    pub after: u64,
    pub upto: u64,
    pub changes: Vec<Change>,
}

impl Batch {
    /// Encodes, compresses and signs the batch.
    pub fn seal(&self, key: &Keypair) -> Vec<u8> {
        let payload = zstd::bulk::compress(&codec::encode(&self.changes), 19).expect("zstd compresses in memory");
        let mut out = start_frame(BATCH_MAGIC, self.sender);
        out.extend_from_slice(&self.after.to_le_bytes());
        out.extend_from_slice(&self.upto.to_le_bytes());
        put_u32(&mut out, self.changes.len());
        put_u32(&mut out, payload.len());
        out.extend_from_slice(&payload);
        seal(out, key)
    }

    /// Verifies and decodes a sealed batch.
    pub fn open(bytes: &[u8], key_of: &dyn Fn(u64) -> Option<VerifyingKey>) -> Result<Batch, ProtocolError> {
        let (sender, body) = open_frame(bytes, BATCH_MAGIC, "batch", MAX_FRAME_BYTES, key_of)?;
        let mut r = Reader::new(body);
        let after = r.u64_le()?;
        let upto = r.u64_le()?;
        let count = read_u32(&mut r)?;
        let len = read_u32(&mut r)?;
        let payload = r.take(len)?;
        if !r.is_done() {
            return Err(ProtocolError::Corrupt("bytes after the payload".into()));
        }
        let raw = zstd::bulk::decompress(payload, MAX_PAYLOAD_BYTES)
            .map_err(|e| ProtocolError::Corrupt(format!("the payload does not decompress: {e}")))?;
        let changes = codec::decode(&raw)?;
        if changes.len() != count {
            return Err(ProtocolError::Corrupt(format!(
                "the header says {count} changes, the payload holds {}",
                changes.len()
            )));
        }
        if upto < after {
            return Err(ProtocolError::Corrupt("the batch's range ends before it starts".into()));
        }
        Ok(Batch { sender, after, upto, changes })
    }
}

/// A signed request or response: a JSON header and at most one sealed batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub sender: u64,
    pub meta: serde_json::Value,
    /// A sealed [`Batch`], opened separately.
    pub batch: Option<Vec<u8>>,
}

impl Envelope {
    pub fn seal(&self, key: &Keypair) -> Vec<u8> {
        let meta = serde_json::to_vec(&self.meta).expect("JSON serialises");
        let mut out = start_frame(ENVELOPE_MAGIC, self.sender);
        put_u32(&mut out, meta.len());
        out.extend_from_slice(&meta);
        let batch = self.batch.as_deref().unwrap_or_default();
        put_u32(&mut out, batch.len());
        out.extend_from_slice(batch);
        seal(out, key)
    }

    pub fn open(bytes: &[u8], key_of: &dyn Fn(u64) -> Option<VerifyingKey>) -> Result<Envelope, ProtocolError> {
        let (sender, body) = open_frame(bytes, ENVELOPE_MAGIC, "request or response", MAX_FRAME_BYTES, key_of)?;
        let mut r = Reader::new(body);
        let meta_len = read_u32(&mut r)?;
        let meta =
            serde_json::from_slice(r.take(meta_len)?).map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))?;
        let batch_len = read_u32(&mut r)?;
        let batch = r.take(batch_len)?;
        if !r.is_done() {
            return Err(ProtocolError::Corrupt("bytes after the batch".into()));
        }
        Ok(Envelope { sender, meta, batch: (!batch.is_empty()).then(|| batch.to_vec()) })
    }

    /// The sender of a frame, read before its signature is checked (to find the key).
    pub fn peek_sender(bytes: &[u8]) -> Option<u64> {
        (bytes.len() >= 14 && &bytes[..4] == ENVELOPE_MAGIC)
            .then(|| u64::from_le_bytes(bytes[6..14].try_into().expect("8 bytes")))
    }
}

/// Batches in one signed file, carried on a USB stick; `meta` says whom it is from and for,
/// and what it acknowledges.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub sender: u64,
    pub meta: serde_json::Value,
    /// Sealed batches.
    pub batches: Vec<Vec<u8>>,
}

impl Bundle {
    pub fn seal(&self, key: &Keypair) -> Vec<u8> {
        let meta = serde_json::to_vec(&self.meta).expect("JSON serialises");
        let mut out = start_frame(BUNDLE_MAGIC, self.sender);
        put_u32(&mut out, meta.len());
        out.extend_from_slice(&meta);
        put_u32(&mut out, self.batches.len());
        for batch in &self.batches {
            put_u32(&mut out, batch.len());
            out.extend_from_slice(batch);
        }
        seal(out, key)
    }

    pub fn open(bytes: &[u8], key_of: &dyn Fn(u64) -> Option<VerifyingKey>) -> Result<Bundle, ProtocolError> {
        let (sender, body) = open_frame(bytes, BUNDLE_MAGIC, "bundle", MAX_BUNDLE_BYTES, key_of)?;
        let mut r = Reader::new(body);
        let meta_len = read_u32(&mut r)?;
        let meta =
            serde_json::from_slice(r.take(meta_len)?).map_err(|e| ProtocolError::Corrupt(format!("header: {e}")))?;
        let count = read_u32(&mut r)?;
        let mut batches = Vec::new();
        for _ in 0..count {
            let len = read_u32(&mut r)?;
            batches.push(r.take(len)?.to_vec());
        }
        if !r.is_done() {
            return Err(ProtocolError::Corrupt("bytes after the last batch".into()));
        }
        Ok(Bundle { sender, meta, batches })
    }

    /// The sender of a bundle, read before its signature is checked.
    pub fn peek_sender(bytes: &[u8]) -> Option<u64> {
        (bytes.len() >= 18 && &bytes[..8] == BUNDLE_MAGIC)
            .then(|| u64::from_le_bytes(bytes[10..18].try_into().expect("8 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn key(n: u8) -> Keypair {
        Keypair::from_secret([n; 32])
    }

    fn batch() -> Batch {
        Batch {
            sender: 7,
            after: 10,
            upto: 12,
            changes: vec![Change {
                origin: 7,
                seq: 11,
                record_node: 7,
                record_counter: 3,
                kind: "voter".into(),
                unit: "03637".into(),
                hlc: 1 << 40,
                fields: vec![("full_name".into(), Value::Text("Giàng Páo Mỷ".into()))],
                bases: vec![],
            }],
        }
    }

    #[test]
    fn a_sealed_batch_opens_with_the_right_key_only() {
        let k = key(1);
        let public = k.public();
        let bytes = batch().seal(&k);
        assert_eq!(Batch::open(&bytes, &|s| (s == 7).then_some(public)).unwrap(), batch());
        let other = key(2).public();
        assert_eq!(Batch::open(&bytes, &|_| Some(other)), Err(ProtocolError::BadSignature));
        assert_eq!(Batch::open(&bytes, &|_| None), Err(ProtocolError::UnknownKey(7)));
        let mut garbled = bytes.clone();
        garbled[40] ^= 1;
        assert_eq!(Batch::open(&garbled, &|_| Some(public)), Err(ProtocolError::BadSignature));
        assert!(matches!(Batch::open(&bytes[..20], &|_| Some(public)), Err(ProtocolError::Truncated(_))));
        assert!(matches!(Batch::open(&bytes[..bytes.len() - 1], &|_| Some(public)), Err(ProtocolError::Truncated(_))));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(Batch::open(&longer, &|_| Some(public)), Err(ProtocolError::Corrupt(_))));
        assert_eq!(Batch::open(b"GIF89a-not-a-batch-at-all", &|_| Some(public)), Err(ProtocolError::BadMagic("batch")));
        let mut future = bytes.clone();
        future[4] = 9;
        assert_eq!(Batch::open(&future, &|_| Some(public)), Err(ProtocolError::UnsupportedVersion(9)));
    }

    #[test]
    fn envelopes_and_bundles_round_trip() {
        let k = key(3);
        let public = k.public();
        let envelope =
            Envelope { sender: 9, meta: serde_json::json!({"pull_after": 4}), batch: Some(batch().seal(&k)) };
        let opened = Envelope::open(&envelope.seal(&k), &|_| Some(public)).unwrap();
        assert_eq!(opened, envelope);
        assert_eq!(Envelope::peek_sender(&envelope.seal(&k)), Some(9));
        let bundle = Bundle {
            sender: 9,
            meta: serde_json::json!({"for": "hub"}),
            batches: vec![batch().seal(&k), batch().seal(&k)],
        };
        let sealed = bundle.seal(&k);
        assert_eq!(Bundle::open(&sealed, &|_| Some(public)).unwrap(), bundle);
        assert_eq!(Bundle::peek_sender(&sealed), Some(9));
        assert!(Bundle::open(&sealed[..sealed.len() - 1], &|_| Some(public)).is_err());
    }

    #[test]
    fn keys_round_trip_through_hex() {
        let k = key(5);
        assert_eq!(Keypair::from_secret_hex(&k.secret_hex()).unwrap().public_hex(), k.public_hex());
        assert_eq!(verifying_key_from_hex(&k.public_hex()).unwrap(), k.public());
        assert!(verifying_key_from_hex("zz").is_err());
    }
}
