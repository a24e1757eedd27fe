//! The boundary between the network and `srt-protocol`: nothing a peer sends may panic a native
//! thread.
//!
//! `srt-protocol` 0.4.4 panics on some input instead of returning an error: a handshake
//! extension of type 0, 6, 7 or 8 (`unimplemented!`), one of type 5, 6 or 7 with no content
//! (`get_u32_le` on an empty buffer), a group extension shorter than 4 bytes, a conclusion whose
//! key length differs from the listener's (`unimplemented!("Key size mismatch")`), a loss list
//! with an unterminated range; and it reads the words a block declares past what its parser
//! reads as further blocks. Every call that hands it network data goes through [`contained`],
//! which turns a panic into an [`Err`]: [`parse_datagram`] makes it a parse error (the datagram
//! is dropped), the handshake loops start over with a fresh state, and a connected session ends
//! (the listener then takes the next caller). [`extensions_for_parser`] hands the parser a
//! handshake's extensions as it can walk them (or refuses a malformed handshake), and
//! [`vet_conclusion`] answers the key settings `srt-protocol` would panic on with a rejection, so
//! those never reach a panic (nor its report on stderr).

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use srt_protocol::options::KeySize;
use srt_protocol::packet::{
    ControlPacket, ControlTypes, CoreRejectReason, HandshakeVsInfo, Packet, PacketParseError,
    ShakeType, SocketId, SrtControlPacket,
};

/// SRT's UDP header (16 bytes) and the handshake's fixed part (48 bytes).
const HANDSHAKE_EXTENSIONS_AT: usize = 16 + 48;
/// The handshake extensions `srt-protocol` parses (the others it panics on or refuses).
const HANDSHAKE_REQUEST: u16 = 1;
const HANDSHAKE_RESPONSE: u16 = 2;
const KEY_REQUEST: u16 = 3;
const KEY_RESPONSE: u16 = 4;
/// The stream id extension, which `srt-protocol` reads as a string of at least one word.
const STREAM_ID_EXTENSION: u16 = 5;
/// The words of a handshake request or response that `srt-protocol` reads.
const HANDSHAKE_WORDS: usize = 3;

/// Runs `f`, which hands network data to `srt-protocol`; a panic becomes `Err` with its message.
///
/// The state `f` touched may be inconsistent after a panic: callers drop or rebuild it.
///
/// # Errors
///
/// The panic's message, when `f` panicked.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::srt_guard::contained;
///
/// assert_eq!(contained(|| 7), Ok(7));
/// let error = contained(|| -> u8 { panic!("Key size mismatch") }).unwrap_err();
/// assert_eq!(error, "Key size mismatch");
/// ```
pub fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(text) = payload.downcast_ref::<&str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "non-string panic payload".to_owned()
        }
    })
}

/// A handshake's extension blocks as `srt-protocol` can read them, or `None` when they are
/// malformed (a block past the datagram's end, bytes after the last block, a stream id with no
/// content). Any other datagram is returned as it is.
///
/// `srt-protocol` walks the blocks by what each block's parser reads, not by the length the block
/// declares, and panics on blocks it does not implement. So, to read a handshake as libsrt does
/// (by declared lengths, skipping what it does not know):
///
/// - only the blocks it parses are kept: handshake request and response (1, 2), key material
///   (3, 4) and stream id (5); the others — reject (0), congestion control (6), packet filter
///   (7), group (8), which a libsrt caller sends with `congestion=file`, `packetfilter` or
///   bonding, and any unknown type — are left out, as libsrt leaves out unknown extensions;
/// - a kept block that declares more than its parser reads (a handshake request's 3 words, key
///   material's header, salt, keys and wrap) is cut to what it reads, its length amended, so the
///   bytes after it are never read as another block.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::srt_guard::extensions_for_parser;
///
/// let mut handshake = vec![0u8; 64];
/// handshake[0] = 0x80; // control packet, type 0: handshake
/// assert_eq!(extensions_for_parser(&handshake).as_deref(), Some(&handshake[..]));
/// let mut congestion = handshake.clone();
/// congestion.extend_from_slice(&[0, 6, 0, 1, b'e', b'v', b'i', b'l']); // "live", little-endian words
/// assert_eq!(extensions_for_parser(&congestion).as_deref(), Some(&handshake[..]));
/// let mut empty_stream_id = handshake.clone();
/// empty_stream_id.extend_from_slice(&[0, 5, 0, 0]);
/// assert_eq!(extensions_for_parser(&empty_stream_id), None);
/// // A handshake request declaring 4 words: its parser reads 3, so the 4th is cut.
/// let mut long_request = handshake.clone();
/// long_request.extend_from_slice(&[0, 1, 0, 4]);
/// long_request.extend_from_slice(&[7; 16]);
/// let mut cut = handshake.clone();
/// cut.extend_from_slice(&[0, 1, 0, 3]);
/// cut.extend_from_slice(&[7; 12]);
/// assert_eq!(extensions_for_parser(&long_request).as_deref(), Some(&cut[..]));
/// ```
pub fn extensions_for_parser(datagram: &[u8]) -> Option<Cow<'_, [u8]>> {
    let is_handshake = datagram.len() >= HANDSHAKE_EXTENSIONS_AT && datagram[..2] == [0x80, 0];
    if !is_handshake {
        return Some(Cow::Borrowed(datagram));
    }
    let mut kept: Option<Vec<u8>> = None;
    let mut at = HANDSHAKE_EXTENSIONS_AT;
    while datagram.len() - at >= 4 {
        let kind = u16::from_be_bytes([datagram[at], datagram[at + 1]]);
        let words = usize::from(u16::from_be_bytes([datagram[at + 2], datagram[at + 3]]));
        let end = at + 4 + words * 4;
        if end > datagram.len() || (kind == STREAM_ID_EXTENSION && words == 0) {
            return None;
        }
        let read = words_read(kind, &datagram[at + 4..end]);
        if read == Some(words) {
            if let Some(kept) = &mut kept {
                kept.extend_from_slice(&datagram[at..end]);
            }
        } else {
            let kept = kept.get_or_insert_with(|| datagram[..at].to_vec());
            if let Some(read) = read {
                let read16 = u16::try_from(read).unwrap_or(u16::MAX); // read <= words <= u16::MAX
                kept.extend_from_slice(&kind.to_be_bytes());
                kept.extend_from_slice(&read16.to_be_bytes());
                kept.extend_from_slice(&datagram[at + 4..at + 4 + read * 4]);
            }
        }
        at = end;
    }
    if at != datagram.len() {
        return None;
    }
    Some(kept.map_or(Cow::Borrowed(datagram), Cow::Owned))
}

/// How many of a block's words `srt-protocol` reads when it parses a block of `kind` with
/// `content`: all of them where it reads them all or fails on the block (an error, not a panic:
/// the handshake is dropped), fewer where it stops early; `None` for a kind it does not parse.
fn words_read(kind: u16, content: &[u8]) -> Option<usize> {
    let words = content.len() / 4;
    match kind {
        // `SrtHandshake::parse`: version, flags and the two latencies.
        HANDSHAKE_REQUEST | HANDSHAKE_RESPONSE => Some(words.min(HANDSHAKE_WORDS)),
        // `KeyingMaterialMessage::parse`: a 4-word header whose last two bytes are the salt's and
        // a key's length in words, the salt, a key per key-flag bit (the first byte's two low
        // bits), then 8 bytes of wrap.
        KEY_REQUEST | KEY_RESPONSE if words >= 4 => {
            let keys = (content[3] & 0b11).count_ones() as usize;
            let read = 4 + usize::from(content[14]) + usize::from(content[15]) * keys + 2;
            Some(words.min(read))
        }
        KEY_REQUEST | KEY_RESPONSE | STREAM_ID_EXTENSION => Some(words),
        _ => None,
    }
}

/// Parses one datagram; one `srt-protocol` cannot parse, including one that makes its parser
/// panic, is a parse error.
///
/// # Errors
///
/// `BadSrtExtensionMessage` for a handshake [`extensions_for_parser`] refuses or one whose
/// parse panicked; otherwise the parser's error.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::srt_guard::parse_datagram;
///
/// // A 72-byte conclusion handshake with a congestion-control (type 6) extension: it used to
/// // panic the parser, and so kill a listener's thread; now it parses, the extension left out.
/// let mut handshake = vec![0u8; 64];
/// handshake[0] = 0x80; // control packet, type 0: handshake
/// handshake[16..20].copy_from_slice(&5u32.to_be_bytes()); // HSv5
/// handshake[20..24].copy_from_slice(&4u32.to_be_bytes()); // extension flags: CONFIG
/// handshake[36..40].copy_from_slice(&(-1i32).to_be_bytes()); // conclusion
/// handshake.extend_from_slice(&[0, 6, 0, 1, b'e', b'v', b'i', b'l']); // "live"
/// assert_eq!(handshake.len(), 72);
/// assert!(parse_datagram(&handshake, false).is_ok());
/// assert!(parse_datagram(&[], false).is_err());
/// ```
pub fn parse_datagram(datagram: &[u8], ipv6: bool) -> Result<Packet, PacketParseError> {
    let Some(datagram) = extensions_for_parser(datagram) else {
        return Err(PacketParseError::BadSrtExtensionMessage);
    };
    contained(|| Packet::parse(&mut Cursor::new(&datagram[..]), ipv6))
        .unwrap_or(Err(PacketParseError::BadSrtExtensionMessage))
}

/// Vets a caller's conclusion handshake against the listener's encryption before `srt-protocol`
/// sees it, answering what it would panic on as libsrt does:
///
/// - an encrypted caller to a plain listener: rejected as `Unsecure` (libsrt's `SRT_REJ_UNSECURE`);
/// - a key extension that is not a key-material request: rejected as `BadSecret`;
/// - a handshake key length other than the listener's (unset, as from a libsrt caller without
///   `pbkeylen`, or different): set to the listener's, so the keying material decides: it
///   unwraps (same passphrase and key length: connected) or the caller is rejected as
///   `BadSecret`.
///
/// `ours` is the listener's key length (`None`: no encryption), `local` its socket id.
/// Returns the rejection to send back, or `None` to hand the (perhaps amended) packet on.
///
/// # Examples
///
/// ```
/// use srt_protocol::options::KeySize;
/// use srt_protocol::packet::{ControlPacket, ControlTypes, Packet, SocketId, TimeStamp};
/// use streamlib_native::net::srt_guard::vet_conclusion;
///
/// // Not a handshake: nothing to vet.
/// let mut keep_alive = Packet::Control(ControlPacket {
///     timestamp: TimeStamp::MIN,
///     dest_sockid: SocketId(1),
///     control_type: ControlTypes::KeepAlive,
/// });
/// assert!(vet_conclusion(&mut keep_alive, Some(KeySize::AES128), SocketId(2)).is_none());
/// ```
pub fn vet_conclusion(
    packet: &mut Packet,
    ours: Option<KeySize>,
    local: SocketId,
) -> Option<Packet> {
    let Packet::Control(control) = packet else {
        return None;
    };
    let ControlTypes::Handshake(shake) = &mut control.control_type else {
        return None;
    };
    if shake.shake_type != ShakeType::Conclusion {
        return None;
    }
    let HandshakeVsInfo::V5(info) = &mut shake.info else {
        return None;
    };
    let reject = match (ours, &info.ext_km) {
        (None, Some(_)) => Some(CoreRejectReason::Unsecure),
        (Some(_), Some(km)) if !matches!(km, SrtControlPacket::KeyRefreshRequest(_)) => {
            Some(CoreRejectReason::BadSecret)
        }
        (Some(key_size), Some(_)) => {
            info.key_size = key_size;
            None
        }
        _ => None,
    }?;
    let mut response = shake.clone();
    response.shake_type = ShakeType::Rejection(reject.into());
    response.socket_id = local;
    Some(Packet::Control(ControlPacket {
        timestamp: control.timestamp,
        dest_sockid: shake.socket_id,
        control_type: ControlTypes::Handshake(response),
    }))
}
