//! A USB bundle: sealed messages one after another in a file, each the same as it would be over
//! HTTP (sealed to the recipient, authenticated by the sender, with its counter). A thief with
//! the stick reads nothing; a bundle for another node opens for nobody else.
//!
//! The file: the magic `SOBAUCU\x02`, then for each message its length (4 bytes, little-endian)
//! and its bytes. [`BundleReader`] reads one message at a time, each within the message limit,
//! so a bundle of any size is read in bounded memory.

use std::io::Read;

use crate::{Limits, ProtocolError};

pub const BUNDLE_MAGIC: &[u8; 8] = b"SOBAUCU\x02";

/// The bytes of a bundle of `messages`.
pub fn bundle_bytes(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + messages.iter().map(|m| m.len() + 4).sum::<usize>());
    out.extend_from_slice(BUNDLE_MAGIC);
    for m in messages {
        out.extend_from_slice(&(m.len() as u32).to_le_bytes());
        out.extend_from_slice(m);
    }
    out
}

/// Reads the messages of a bundle one at a time.
pub struct BundleReader<R: Read> {
    inner: R,
    limits: Limits,
    read: u64,
}

impl<R: Read> BundleReader<R> {
    /// Checks the magic.
    pub fn new(mut inner: R, limits: Limits) -> Result<BundleReader<R>, ProtocolError> {
        let mut magic = [0u8; 8];
        read_exact(&mut inner, &mut magic, 0)?;
        if &magic[..7] != b"SOBAUCU" {
            return Err(ProtocolError::BadMagic("bundle"));
        }
        if magic[7] != BUNDLE_MAGIC[7] {
            return Err(ProtocolError::UnsupportedVersion(magic[7] as u16));
        }
        Ok(BundleReader { inner, limits, read: 8 })
    }

    /// The next message, or None at the end of the file.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        let mut len = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match self.inner.read(&mut len[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(ProtocolError::Truncated(self.read as usize + got)),
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ProtocolError::Corrupt(format!("reading the bundle: {e}"))),
            }
        }
        self.read += 4;
        let len = u32::from_le_bytes(len) as usize;
        if len > self.limits.max_message {
            return Err(ProtocolError::OverLimit(format!("a bundle message of {len} bytes")));
        }
        if self.read + len as u64 > crate::MAX_BUNDLE_BYTES {
            return Err(ProtocolError::TooLarge(self.read as usize));
        }
        let mut message = Vec::new();
        (&mut self.inner)
            .take(len as u64)
            .read_to_end(&mut message)
            .map_err(|e| ProtocolError::Corrupt(format!("reading the bundle: {e}")))?;
        if message.len() != len {
            return Err(ProtocolError::Truncated(self.read as usize + message.len()));
        }
        self.read += len as u64;
        Ok(Some(message))
    }
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], at: usize) -> Result<(), ProtocolError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ProtocolError::Truncated(at),
        _ => ProtocolError::Corrupt(format!("reading the bundle: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_are_read_one_message_at_a_time_within_the_limit() {
        let bytes = bundle_bytes(&[vec![1; 10], vec![2; 20]]);
        let mut r = BundleReader::new(&bytes[..], Limits::default()).unwrap();
        assert_eq!(r.next_message().unwrap(), Some(vec![1; 10]));
        assert_eq!(r.next_message().unwrap(), Some(vec![2; 20]));
        assert_eq!(r.next_message().unwrap(), None);
        let mut r = BundleReader::new(&bytes[..bytes.len() - 1], Limits::default()).unwrap();
        r.next_message().unwrap();
        assert!(matches!(r.next_message(), Err(ProtocolError::Truncated(_))));
        let limits = Limits { max_message: 15, ..Limits::default() };
        let mut r = BundleReader::new(&bytes[..], limits).unwrap();
        r.next_message().unwrap();
        assert!(matches!(r.next_message(), Err(ProtocolError::OverLimit(_))));
        assert!(matches!(BundleReader::new(&b"GIF89a..."[..], limits), Err(ProtocolError::BadMagic(_))));
        assert!(matches!(BundleReader::new(&b"SOBAUCU\x01"[..], limits), Err(ProtocolError::UnsupportedVersion(1))));
    }
}
