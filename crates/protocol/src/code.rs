//! Enrolment codes: what a hub hands an official to enrol one node, short enough to read over a
//! phone and carrying everything the node must know before it trusts anything.
//!
//! 23 bytes in Crockford's base32 (no I, L, O or U; read case-insensitively, `I`/`L` as `1`
//! and `O` as `0`; dashes and spaces ignored), in groups of five:
//! - version and the role it enrols (`node` or `hub`), and the width of the unit code;
//! - the unit's number (its width from the byte before, so `03637` keeps its zero);
//! - the day it expires;
//! - 8 random bytes, the one-time secret the hub keeps a hash of;
//! - the fingerprint of the hub's keys ([`PublicIdentity::fingerprint`]): the node refuses any
//!   hub whose keys do not match it, so a code read over the phone pins the hub;
//! - one check byte, so a mistyped code is caught before anything is sent.

use sha2::{Digest, Sha256};

use crate::cert::Role;
use crate::{ProtocolError, seal::PublicIdentity};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LEN: usize = 23;
const VERSION: u8 = 1;

/// What an enrolment code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolCode {
    pub role: Role,
    pub unit: String,
    /// The last day it can be used, as days since 1970-01-01.
    pub expires_day: u32,
    pub secret: [u8; 8],
    /// The fingerprint of the hub's keys.
    pub hub: [u8; 8],
}

impl EnrolCode {
    /// A code for a fresh secret.
    pub fn new(role: Role, unit: &str, expires_day: u32, hub: &PublicIdentity) -> Result<EnrolCode, ProtocolError> {
        use rand_core::TryRngCore;
        let mut secret = [0u8; 8];
        rand_core::OsRng.try_fill_bytes(&mut secret).expect("the operating system's random source");
        let code = EnrolCode { role, unit: unit.to_string(), expires_day, secret, hub: hub.fingerprint() };
        code.bytes()?;
        Ok(code)
    }

    fn bytes(&self) -> Result<[u8; LEN], ProtocolError> {
        let width = match self.unit.len() {
            1 => 0u8,
            2 => 1,
            3 => 2,
            5 => 3,
            _ => return Err(ProtocolError::Corrupt(format!("`{}` is not a unit code", self.unit))),
        };
        let number: u32 = self
            .unit
            .parse()
            .ok()
            .filter(|_| self.unit.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| ProtocolError::Corrupt(format!("`{}` is not a unit code", self.unit)))?;
        let days = u16::try_from(self.expires_day.saturating_sub(EPOCH_DAY))
            .map_err(|_| ProtocolError::Corrupt("the expiry day is out of range".into()))?;
        let mut out = [0u8; LEN];
        out[0] = (VERSION << 4) | ((self.role as u8) << 2) | width;
        out[1..4].copy_from_slice(&number.to_le_bytes()[..3]);
        out[4..6].copy_from_slice(&days.to_le_bytes());
        out[6..14].copy_from_slice(&self.secret);
        out[14..22].copy_from_slice(&self.hub);
        out[22] = Sha256::digest(&out[..22])[0];
        Ok(out)
    }

    /// The code as an official reads it: groups of five characters.
    pub fn to_text(&self) -> String {
        let bytes = self.bytes().expect("a code made by `new` encodes");
        let mut chars = Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        for b in bytes {
            acc = (acc << 8) | b as u32;
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                chars.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            chars.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
        }
        chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
    }

    /// Reads a code as typed; says what is wrong with a mistyped one.
    pub fn parse(text: &str) -> Result<EnrolCode, ProtocolError> {
        let mistyped = || ProtocolError::Corrupt("the enrolment code is mistyped: check it and type it again".into());
        let mut bytes = Vec::with_capacity(LEN + 1);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in text.chars().filter(|c| !matches!(c, '-' | ' ' | '\t')) {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                other => other,
            };
            let value = ALPHABET.iter().position(|&a| a as char == c).ok_or_else(mistyped)? as u32;
            acc = (acc << 5) | value;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
            }
            acc &= (1 << bits) - 1;
        }
        if bytes.len() != LEN {
            return Err(mistyped());
        }
        if Sha256::digest(&bytes[..22])[0] != bytes[22] {
            return Err(mistyped());
        }
        if bytes[0] >> 4 != VERSION {
            return Err(ProtocolError::Corrupt(
                "this enrolment code is from another version of sobaucu: ask the hub for a new one".into(),
            ));
        }
        let role = if (bytes[0] >> 2) & 1 == 1 { Role::Hub } else { Role::Node };
        let width = [1usize, 2, 3, 5][(bytes[0] & 3) as usize];
        let number = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], 0]);
        let unit = format!("{number:0width$}");
        if unit.len() != width {
            return Err(mistyped());
        }
        let days = u16::from_le_bytes([bytes[4], bytes[5]]) as u32;
        Ok(EnrolCode {
            role,
            unit,
            expires_day: EPOCH_DAY + days,
            secret: bytes[6..14].try_into().expect("8 bytes"),
            hub: bytes[14..22].try_into().expect("8 bytes"),
        })
    }

    /// What the hub keeps instead of the code: SHA-256 of its secret, as hex.
    pub fn secret_hash(&self) -> String {
        crate::to_hex(&Sha256::digest(self.secret))
    }
}

/// Expiry days count from 2020-01-01 (day 18262 since 1970), which 16 bits carry to 2199.
const EPOCH_DAY: u32 = 18_262;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeId;
    use crate::seal::Identity;

    #[test]
    fn a_code_round_trips_through_its_text_keeping_the_unit_width() {
        let hub = Identity::from_secret(NodeId(3), [3; 32]);
        for (unit, role) in [("03637", Role::Node), ("106", Role::Hub), ("12", Role::Node), ("0", Role::Hub)] {
            let code = EnrolCode::new(role, unit, 20_500, hub.public()).unwrap();
            let text = code.to_text();
            assert!(text.len() <= 45, "{text}");
            assert_eq!(EnrolCode::parse(&text).unwrap(), code);
            assert_eq!(EnrolCode::parse(&text.to_lowercase().replace('-', " ")).unwrap(), code);
            assert_eq!(code.hub, hub.public().fingerprint());
        }
    }

    #[test]
    fn a_mistyped_code_is_caught() {
        let hub = Identity::from_secret(NodeId(3), [3; 32]);
        let text = EnrolCode::new(Role::Node, "03637", 20_500, hub.public()).unwrap().to_text();
        let mut chars: Vec<char> = text.chars().collect();
        let mut caught = 0;
        for i in 0..chars.len() {
            if chars[i] == '-' {
                continue;
            }
            let original = chars[i];
            chars[i] = if original == 'A' { 'B' } else { 'A' };
            if EnrolCode::parse(&chars.iter().collect::<String>()).is_err() {
                caught += 1;
            }
            chars[i] = original;
        }
        assert!(caught >= 35, "one wrong character is caught almost always ({caught})");
        assert!(EnrolCode::parse("ABCD-EFGH").is_err());
        assert!(EnrolCode::parse("ABCD-EFGH-JKMN-PQRS").is_err(), "an old 16-character code");
    }
}
