//! The 32-byte frame message that rings carry (layout in `docs/native_abi.md`).
//!
//! Across the ABI a message is 32 plain bytes in a caller buffer of any alignment, so the rings
//! move [`MessageBytes`] (`[u8; 32]`, alignment 1) and [`FrameMessage`] is the typed view of the
//! same bytes.

use std::mem::{align_of, offset_of, size_of};

/// Bytes in one frame message.
pub const MESSAGE_BYTES: usize = 32;

/// One frame message as raw bytes, in [`FrameMessage`]'s layout.
pub type MessageBytes = [u8; MESSAGE_BYTES];

/// The `slot` value meaning "no payload".
pub const NO_SLOT: u32 = 0xFFFF_FFFF;

/// A frame descriptor: which pool slot holds the payload, and how to read it.
///
/// `repr(C)`, 32 bytes, 8-byte aligned, no padding; see `docs/native_abi.md`.
///
/// # Examples
///
/// ```
/// use streamlib_native::message::{FrameMessage, NO_SLOT};
///
/// let message = FrameMessage { sequence: 7.0, ..FrameMessage::EMPTY };
/// assert_eq!(message.slot, NO_SLOT);
/// assert_eq!(FrameMessage::from_bytes(&message.to_bytes()), message);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct FrameMessage {
    /// Frame-pool slot handle ([`NO_SLOT`] = no payload).
    pub slot: u32,
    /// Format tag (pixel/sample format, chosen by the runtime).
    pub format: u32,
    /// Bytes of the slot that hold the payload.
    pub byte_length: u32,
    /// Bit flags (keyframe, end of stream, ...).
    pub flags: u32,
    /// Monotonic media-clock time in ns (exact integers to 2^53).
    pub timestamp_ns: f64,
    /// Per-connection sequence number (exact integers to 2^53).
    pub sequence: f64,
}

const _: () = assert!(size_of::<FrameMessage>() == MESSAGE_BYTES);
const _: () = assert!(align_of::<FrameMessage>() == 8);
const _: () = assert!(offset_of!(FrameMessage, slot) == 0);
const _: () = assert!(offset_of!(FrameMessage, format) == 4);
const _: () = assert!(offset_of!(FrameMessage, byte_length) == 8);
const _: () = assert!(offset_of!(FrameMessage, flags) == 12);
const _: () = assert!(offset_of!(FrameMessage, timestamp_ns) == 16);
const _: () = assert!(offset_of!(FrameMessage, sequence) == 24);

fn field<const N: usize>(bytes: &MessageBytes, offset: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[offset..offset + N]);
    out
}

impl FrameMessage {
    /// A message without payload: slot [`NO_SLOT`], every other field zero.
    pub const EMPTY: FrameMessage = FrameMessage {
        slot: NO_SLOT,
        format: 0,
        byte_length: 0,
        flags: 0,
        timestamp_ns: 0.0,
        sequence: 0.0,
    };

    /// The message's 32 bytes in ABI layout.
    pub fn to_bytes(&self) -> MessageBytes {
        let mut out = [0; MESSAGE_BYTES];
        out[0..4].copy_from_slice(&self.slot.to_ne_bytes());
        out[4..8].copy_from_slice(&self.format.to_ne_bytes());
        out[8..12].copy_from_slice(&self.byte_length.to_ne_bytes());
        out[12..16].copy_from_slice(&self.flags.to_ne_bytes());
        out[16..24].copy_from_slice(&self.timestamp_ns.to_ne_bytes());
        out[24..32].copy_from_slice(&self.sequence.to_ne_bytes());
        out
    }

    /// Reads a message from its 32 ABI bytes.
    pub fn from_bytes(bytes: &MessageBytes) -> FrameMessage {
        FrameMessage {
            slot: u32::from_ne_bytes(field(bytes, 0)),
            format: u32::from_ne_bytes(field(bytes, 4)),
            byte_length: u32::from_ne_bytes(field(bytes, 8)),
            flags: u32::from_ne_bytes(field(bytes, 12)),
            timestamp_ns: f64::from_ne_bytes(field(bytes, 16)),
            sequence: f64::from_ne_bytes(field(bytes, 24)),
        }
    }
}

/// Splits a message into the four native-endian `u64` words the `latest` ring stores.
pub(crate) fn to_words(bytes: &MessageBytes) -> [u64; 4] {
    [
        u64::from_ne_bytes(field(bytes, 0)),
        u64::from_ne_bytes(field(bytes, 8)),
        u64::from_ne_bytes(field(bytes, 16)),
        u64::from_ne_bytes(field(bytes, 24)),
    ]
}

/// Joins four words from [`to_words`] back into a message.
pub(crate) fn from_words(words: [u64; 4]) -> MessageBytes {
    let mut out = [0; MESSAGE_BYTES];
    for (chunk, word) in out.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_ne_bytes());
    }
    out
}

/// Views typed messages as their ABI bytes, without copying.
///
/// # Examples
///
/// ```
/// use streamlib_native::message::{as_bytes, FrameMessage};
///
/// let messages = [FrameMessage { format: 3, ..FrameMessage::EMPTY }];
/// assert_eq!(as_bytes(&messages)[0], messages[0].to_bytes());
/// ```
pub fn as_bytes(messages: &[FrameMessage]) -> &[MessageBytes] {
    // SAFETY: FrameMessage is repr(C), exactly 32 bytes with no padding (asserted above), so every
    // byte is initialized; [u8; 32] has alignment 1 and the same size, so the slice covers the
    // same memory with the same length.
    unsafe { std::slice::from_raw_parts(messages.as_ptr().cast::<MessageBytes>(), messages.len()) }
}

/// Views typed messages as their ABI bytes for writing, without copying.
///
/// Any 32 bytes are a valid [`FrameMessage`] (two `u32`s and two `f64`s accept every bit
/// pattern), so a ring can pop straight into typed storage.
pub fn as_bytes_mut(messages: &mut [FrameMessage]) -> &mut [MessageBytes] {
    // SAFETY: as in `as_bytes`, plus every bit pattern is a valid FrameMessage, so any bytes
    // written through the returned slice leave the messages valid.
    unsafe {
        std::slice::from_raw_parts_mut(messages.as_mut_ptr().cast::<MessageBytes>(), messages.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FrameMessage {
        FrameMessage {
            slot: 0x0001_0002,
            format: 3,
            byte_length: 4,
            flags: 5,
            timestamp_ns: 6.5,
            sequence: 9_007_199_254_740_992.0,
        }
    }

    #[test]
    fn to_bytes_matches_the_repr_c_layout() {
        let message = sample();
        let bytes = message.to_bytes();
        assert_eq!(as_bytes(std::slice::from_ref(&message))[0], bytes);
        assert_eq!(&bytes[0..4], &0x0001_0002u32.to_le_bytes());
        assert_eq!(&bytes[24..32], &9_007_199_254_740_992.0f64.to_le_bytes());
        assert_eq!(FrameMessage::from_bytes(&bytes), message);
    }

    #[test]
    fn words_round_trip() {
        let bytes = sample().to_bytes();
        assert_eq!(from_words(to_words(&bytes)), bytes);
    }

    #[test]
    fn as_bytes_mut_writes_typed_messages() {
        let mut messages = [FrameMessage::EMPTY; 2];
        as_bytes_mut(&mut messages)[1] = sample().to_bytes();
        assert_eq!(messages[1], sample());
        assert_eq!(messages[0], FrameMessage::EMPTY);
    }
}
