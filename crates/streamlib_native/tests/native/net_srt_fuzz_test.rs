//! Property tests of what the network hands `srt-protocol`: arbitrary datagrams and
//! handshake-shaped datagrams with random extension blocks go through the parser and a
//! listener's handshake state, and nothing panics out of the guard (`net::srt_guard`). A
//! bounded case count keeps them ordinary `cargo test` tests.

#![cfg(not(loom))]

use std::net::{Ipv4Addr, SocketAddr};
use std::panic;
use std::time::Instant;

use proptest::prelude::*;
use srt_protocol::options::{KeySize, Passphrase};
use srt_protocol::packet::{ControlTypes, HandshakeVsInfo, Packet, SocketId};
use srt_protocol::protocol::pending_connection::listen::Listen;
use srt_protocol::settings::{ConnInitSettings, KeySettings};
use streamlib_native::net::srt_guard::{
    contained, extensions_for_parser, parse_datagram, vet_conclusion,
};

/// An SRT handshake datagram: header, body with `shake` and `flags`, then `blocks`.
fn handshake(shake: i32, flags: u32, blocks: &[(u16, Vec<u8>, i16)]) -> Vec<u8> {
    let mut d = vec![0u8; 64];
    d[0] = 0x80;
    d[16..20].copy_from_slice(&5u32.to_be_bytes());
    d[20..24].copy_from_slice(&flags.to_be_bytes());
    d[28..32].copy_from_slice(&1500u32.to_be_bytes());
    d[32..36].copy_from_slice(&8192u32.to_be_bytes());
    d[36..40].copy_from_slice(&shake.to_be_bytes());
    d[40..44].copy_from_slice(&7u32.to_be_bytes());
    for (kind, content, skew) in blocks {
        // The declared length is the content's words, skewed to lie about it sometimes.
        let words = (content.len() / 4) as i32 + i32::from(*skew);
        let words = u16::try_from(words.max(0)).unwrap_or(u16::MAX);
        d.extend_from_slice(&kind.to_be_bytes());
        d.extend_from_slice(&words.to_be_bytes());
        d.extend_from_slice(content);
    }
    d
}

fn blocks() -> impl Strategy<Value = Vec<(u16, Vec<u8>, i16)>> {
    let kind = prop_oneof![0u16..=9, any::<u16>()];
    let content = prop::collection::vec(any::<u8>(), 0..64).prop_map(|mut c| {
        c.truncate(c.len() / 4 * 4);
        c
    });
    let skew = prop_oneof![8 => Just(0i16), 1 => -2i16..3];
    prop::collection::vec((kind, content, skew), 0..5)
}

fn shake_type() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(1),
        Just(-1),
        Just(0),
        Just(-2),
        Just(1002),
        any::<i32>()
    ]
}

/// A listener as `SrtSource` runs it, with or without encryption.
fn listen(key: Option<KeySize>) -> (Listen, Option<KeySize>) {
    let init = ConnInitSettings {
        key_settings: key.map(|key_size| KeySettings {
            key_size,
            passphrase: Passphrase::try_from("0123456789abcdef".to_owned()).unwrap(),
        }),
        ..ConnInitSettings::default()
    };
    (Listen::new(init, false), key)
}

fn peer() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 4_000))
}

/// Hands a datagram to a listener as `srt_link` does: parse, vet, then the state machine behind
/// the guard. Returns whether the state machine panicked (caught by the guard).
fn feed(listener: &mut (Listen, Option<KeySize>), datagram: &[u8]) -> bool {
    let Ok(mut packet) = parse_datagram(datagram, false) else {
        return false;
    };
    if vet_conclusion(&mut packet, listener.1, SocketId(9)).is_some() {
        return false;
    }
    contained(|| {
        listener
            .0
            .handle_packet(Instant::now(), Ok((packet, peer())))
    })
    .is_err()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn parse_datagram_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1_600), ipv6: bool) {
        let _ = parse_datagram(&bytes, ipv6);
    }

    #[test]
    fn handshakes_with_any_extensions_parse_without_a_panic(
        shake in shake_type(),
        flags: u32,
        blocks in blocks(),
    ) {
        let datagram = handshake(shake, flags, &blocks);
        // The guard's own checks leave nothing for the parser to panic on: the parse runs
        // outside `contained` here.
        if let Some(cleaned) = extensions_for_parser(&datagram) {
            let parsed = panic::catch_unwind(|| {
                Packet::parse(&mut std::io::Cursor::new(&cleaned[..]), false)
            });
            prop_assert!(parsed.is_ok(), "srt-protocol panicked on {:02x?}", &cleaned[..]);
        }
    }

    #[test]
    fn a_listener_takes_any_handshake_sequence(
        key in prop_oneof![Just(None), Just(Some(KeySize::AES128)), Just(Some(KeySize::AES256))],
        sequence in prop::collection::vec((shake_type(), any::<u32>(), blocks()), 1..6),
    ) {
        let mut listener = listen(key);
        for (shake, flags, blocks) in &sequence {
            let datagram = handshake(*shake, *flags, blocks);
            prop_assert!(!feed(&mut listener, &datagram), "a panic (caught) on {:02x?}", datagram);
        }
    }
}

#[test]
fn the_72_byte_congestion_handshake_parses_with_the_extension_left_out() {
    let datagram = handshake(-1, 4, &[(6, b"evil".to_vec(), 0)]);
    assert_eq!(datagram.len(), 72);
    // Unguarded, srt-protocol 0.4.4 panics on it ("Implement other kinds"): what killed the
    // listener's thread.
    let unguarded =
        panic::catch_unwind(|| Packet::parse(&mut std::io::Cursor::new(&datagram[..]), false));
    assert!(unguarded.is_err());
    assert!(parse_datagram(&datagram, false).is_ok());
}

#[test]
fn an_encrypted_conclusion_to_a_plain_listener_is_rejected_not_a_panic() {
    // A KMREQ block as libsrt sends it (AES-128: 16-byte salt, 24-byte wrapped key).
    let mut km = vec![
        0x12, 0x20, 0x29, 0x01, 0, 0, 0, 0, 0x02, 0x00, 0x02, 0x00, 0, 0, 0x04, 0x04,
    ];
    km.extend_from_slice(&[0x5a; 16 + 24]);
    let hsreq = [0, 1, 0x04, 0x00, 0, 0, 0, 0xbf, 0, 0x78, 0, 0x78].to_vec();
    let datagram = handshake(-1, 1 | 2, &[(1, hsreq, 0), (3, km, 0)]);
    let mut packet = parse_datagram(&datagram, false).expect("a well-formed conclusion");
    let rejection = vet_conclusion(&mut packet, None, SocketId(9)).expect("a rejection");
    let Packet::Control(control) = rejection else {
        panic!("not a control packet: {rejection:?}");
    };
    assert_eq!(control.dest_sockid, SocketId(7));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn the_ts_demuxer_takes_any_payload(
        messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..1_400), 1..8),
        synced: bool,
    ) {
        let mut demux = streamlib_native::net::ts_demux::TsDemuxer::new();
        for mut message in messages {
            if synced {
                // Sync bytes where TS packets start, so the parser reads past them.
                for at in (0..message.len()).step_by(188) {
                    message[at] = 0x47;
                }
            }
            let _ = demux.push(&message);
        }
        let _ = demux.finish();
    }

    #[test]
    fn the_ts_demuxer_takes_any_opus_pes(
        packets in prop::collection::vec(
            (any::<bool>(), any::<bool>(), prop::collection::vec(any::<u8>(), 184)),
            1..40,
        ),
    ) {
        use streamlib_native::net::ts_mux::TsMuxer;
        // A real PAT and PMT declaring H.264 and Opus, then TS packets on the Opus PID whose
        // payloads are arbitrary: PES starts (with a PTS) or continuations, half of them behind
        // a valid control header prefix so the sizes and TOCs are what varies.
        let mut mux = TsMuxer::with_opus(2);
        let mut ts = Vec::new();
        mux.write_access_unit(&[0, 0, 0, 1, 0x65, 1], 0, true, &mut ts).unwrap();
        for (i, (start, prefixed, mut body)) in packets.into_iter().enumerate() {
            ts.extend_from_slice(&[0x47, if start { 0x41 } else { 0x01 }, 0x01, 0x10 | (i as u8 & 0x0F)]);
            if start {
                ts.extend_from_slice(&[0, 0, 1, 0xBD, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1]);
                body.truncate(170);
            }
            if prefixed {
                body[0] = 0x7F;
                body[1] |= 0xE0;
            }
            ts.extend_from_slice(&body);
        }
        let mut demux = streamlib_native::net::ts_demux::TsDemuxer::new();
        let mut units = demux.push(&ts);
        units.extend(demux.finish());
        for unit in units.iter().filter(|u| u.audio) {
            prop_assert!(!unit.data.is_empty() && unit.data.len() <= 40 * 184);
        }
    }
}

#[test]
fn a_block_declaring_more_than_its_parser_reads_is_cut_not_read_as_another_block() {
    // A handshake request declaring 5 words, of which its parser reads 3; the other 2 hold what
    // looks like a group extension. Unguarded, srt-protocol reads them as one and panics ("Implement
    // other kinds"): the fuzz case proptest found in CI.
    let datagram = handshake(-1, 0, &[(1, vec![0; 12], 2), (8, vec![0; 4], 0)]);
    let unguarded =
        panic::catch_unwind(|| Packet::parse(&mut std::io::Cursor::new(&datagram[..]), false));
    assert!(unguarded.is_err());
    assert!(parse_datagram(&datagram, false).is_ok());
}

#[test]
fn a_reject_or_unknown_extension_is_left_out_and_the_stream_id_after_it_read() {
    // Flags HSREQ | CONFIG. Type 0 (reject) panics the parser; an unknown type makes it refuse the
    // whole handshake; libsrt skips both by their declared length and reads the stream id.
    for kind in [0u16, 9, 0x7fff] {
        let datagram = handshake(
            -1,
            1 | 4,
            &[
                (1, vec![0; 16], 0),
                (kind, vec![1; 8], 0),
                (5, b"dcba".to_vec(), 0),
            ],
        );
        let Ok(Packet::Control(control)) = parse_datagram(&datagram, false) else {
            panic!("type {kind}: not parsed");
        };
        let ControlTypes::Handshake(shake) = control.control_type else {
            panic!("type {kind}: not a handshake");
        };
        let HandshakeVsInfo::V5(info) = shake.info else {
            panic!("type {kind}: not HSv5");
        };
        assert_eq!(info.sid.as_deref(), Some("abcd"), "type {kind}");
        assert!(info.ext_hs.is_some(), "type {kind}");
    }
}
