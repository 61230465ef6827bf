//! Every decoder of what arrives from outside, under random and damaged bytes for a bounded
//! time: sealed messages, messages, batches, bundles, certificates and enrolment codes. Each
//! either decodes or says what is wrong; none panics, and none allocates beyond its limits.

use proptest::prelude::*;
use sobaucu_protocol::code::EnrolCode;
use sobaucu_protocol::{
    Batch, BundleReader, Cert, Identity, Limits, Message, NodeId, Role, Sealed, Statement, bundle_bytes,
};

fn ids() -> (Identity, Identity) {
    (Identity::from_secret(NodeId(1), [1; 32]), Identity::from_secret(NodeId(2), [2; 32]))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sealed_messages_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let (a, b) = ids();
        let _ = Sealed::peek(&bytes);
        let _ = Sealed::open(&b, &bytes, Some(a.public()), 1 << 20);
        let _ = Sealed::open(&b, &bytes, None, 1 << 20);
    }

    #[test]
    fn damaged_sealed_messages_are_refused(flip in 0usize..200, with in 1u8..=255) {
        let (a, b) = ids();
        let mut sealed = Sealed::seal(&a, b.public(), 5, b"pull after 0");
        let flip = flip % sealed.len();
        sealed[flip] ^= with;
        prop_assert!(Sealed::open(&b, &sealed, Some(a.public()), 1 << 20).is_err());
    }

    #[test]
    fn messages_batches_and_statements_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Message::decode(&bytes);
        let _ = Batch::decode(&bytes, &Limits::default());
        let _ = Statement::from_bytes(&bytes);
    }

    #[test]
    fn bundles_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), magic in any::<bool>()) {
        let mut bytes = bytes;
        if magic {
            let mut framed = b"SOBAUCU\x02".to_vec();
            framed.extend_from_slice(&bytes);
            bytes = framed;
        }
        if let Ok(mut reader) = BundleReader::new(&bytes[..], Limits { max_message: 1 << 16, ..Limits::default() }) {
            for _ in 0..64 {
                match reader.next_message() {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }

    #[test]
    fn damaged_bundles_are_refused_or_read_whole(cut in 0usize..400, flip in 0usize..400, with in 1u8..=255) {
        let (a, b) = ids();
        let bytes = bundle_bytes(&[Sealed::seal(&a, b.public(), 1, b"one"), Sealed::seal(&a, b.public(), 2, b"two")]);
        let mut damaged = bytes.clone();
        let flip = flip % damaged.len();
        damaged[flip] ^= with;
        damaged.truncate(cut.min(damaged.len()));
        let mut opened = 0;
        if let Ok(mut reader) = BundleReader::new(&damaged[..], Limits::default()) {
            while let Ok(Some(m)) = reader.next_message() {
                if Sealed::open(&b, &m, Some(a.public()), 1 << 20).is_ok() {
                    opened += 1;
                }
            }
        }
        // Whatever the damage, nothing but the two genuine messages ever opens.
        prop_assert!(opened <= 2);
    }

    #[test]
    fn enrolment_codes_never_panic(text in "[0-9A-Za-z -]{0,60}") {
        let _ = EnrolCode::parse(&text);
    }
}

#[test]
fn a_certificate_damaged_anywhere_is_refused() {
    let (hub, node) = ids();
    let cert = Statement::Cert(Cert::issue(&hub, *node.public(), Role::Node, "03637", 1_700_000_000));
    let bytes = cert.to_bytes();
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x01;
        if let Ok(Statement::Cert(c)) = Statement::from_bytes(&damaged) {
            assert!(c.verify(hub.public()).is_err(), "byte {i}");
        }
    }
}
