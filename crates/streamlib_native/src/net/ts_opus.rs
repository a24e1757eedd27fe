//! Opus in MPEG-TS (the Opus project's "Encapsulation of Opus in MPEG-2 Transport Stream", which
//! ffmpeg and GStreamer implement): a private stream (`stream_type` 0x06, PES `stream_id` 0xBD) that the PMT marks with
//! a registration descriptor `Opus` and a DVB extension descriptor (tag 0x7F, extension 0x80)
//! carrying the channel configuration; each access unit in a PES is an Opus packet preceded by
//! its control header: the 11-bit prefix 0x3FF, trim and extension flags, the packet size
//! (0xFF bytes plus a last byte) and the optional trim and extension fields.
//!
//! This file only frames and unframes access units and reads an Opus packet's duration from its
//! TOC byte (RFC 6716 §3.1); the muxer and demuxer place them in PES packets.

use mpeg2ts::es::StreamType;
use mpeg2ts::ts::{Descriptor, EsInfo};

/// PID of the Opus stream.
pub const OPUS_PID: u16 = 0x101;
/// Tag of the registration descriptor (H.222.0).
const REGISTRATION_TAG: u8 = 0x05;
/// Tag of the DVB extension descriptor, and the extension tag of Opus's.
const EXTENSION_TAG: u8 = 0x7F;
const OPUS_EXTENSION_TAG: u8 = 0x80;
/// Opus's 48 kHz clock, in samples per second.
pub const OPUS_RATE: u32 = 48_000;

/// Why a PES of the Opus stream was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpusTsError {
    /// An access unit does not start with the control header prefix 0x7FE0.
    ControlHeader,
    /// A size or trim field runs past the end of the PES, or an access unit is empty.
    Truncated,
    /// An Opus packet's TOC byte is not a valid one (a code-3 packet with no frames).
    Toc,
}

/// The PMT descriptors of an Opus stream of 1 or 2 channels (the RTP channel mapping).
pub fn descriptors(channels: u8) -> Vec<Descriptor> {
    vec![
        Descriptor {
            tag: REGISTRATION_TAG,
            data: b"Opus".to_vec(),
        },
        Descriptor {
            tag: EXTENSION_TAG,
            data: vec![OPUS_EXTENSION_TAG, channels],
        },
    ]
}

/// Whether a PMT entry is an Opus stream: a private stream registered as `Opus`.
pub fn is_opus(es: &EsInfo) -> bool {
    es.stream_type == StreamType::Mpeg2PacketizedData
        && es
            .descriptors
            .iter()
            .any(|d| d.tag == REGISTRATION_TAG && d.data == b"Opus")
}

/// Appends `packet` framed as one access unit: control header (no trims, no extension), then the
/// packet.
pub fn frame(packet: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&[0x7F, 0xE0]);
    let mut size = packet.len();
    while size >= 255 {
        out.push(0xFF);
        size -= 255;
    }
    out.push(size as u8);
    out.extend_from_slice(packet);
}

/// The Opus packets of one PES payload, in order.
///
/// # Errors
///
/// [`OpusTsError`] for a missing control header, a field past the end or an invalid TOC; the
/// whole PES is then refused.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::ts_opus::{frame, unframe};
///
/// let mut pes = Vec::new();
/// frame(&[0xFC, 1, 2], &mut pes);
/// frame(&vec![0xFC; 300], &mut pes);
/// let packets = unframe(&pes).unwrap();
/// assert_eq!(packets.len(), 2);
/// assert_eq!(packets[1].len(), 300);
/// assert!(unframe(&[0x12, 0x34, 1, 0xFC]).is_err());
/// ```
pub fn unframe(mut payload: &[u8]) -> Result<Vec<&[u8]>, OpusTsError> {
    let mut packets = Vec::new();
    while !payload.is_empty() {
        let [0x7F, flags, rest @ ..] = payload else {
            return Err(OpusTsError::ControlHeader);
        };
        if flags & 0xE0 != 0xE0 {
            return Err(OpusTsError::ControlHeader);
        }
        let mut rest = rest;
        let mut size = 0usize;
        loop {
            let [byte, tail @ ..] = rest else {
                return Err(OpusTsError::Truncated);
            };
            rest = tail;
            size += usize::from(*byte);
            if *byte != 0xFF {
                break;
            }
        }
        let skip = if flags & 0x10 != 0 { 2 } else { 0 } + if flags & 0x08 != 0 { 2 } else { 0 };
        rest = rest.get(skip..).ok_or(OpusTsError::Truncated)?;
        if flags & 0x04 != 0 {
            let [length, tail @ ..] = rest else {
                return Err(OpusTsError::Truncated);
            };
            rest = tail
                .get(usize::from(*length)..)
                .ok_or(OpusTsError::Truncated)?;
        }
        if size == 0 || rest.len() < size {
            return Err(OpusTsError::Truncated);
        }
        let (packet, tail) = rest.split_at(size);
        duration_samples(packet)?;
        packets.push(packet);
        payload = tail;
    }
    Ok(packets)
}

/// Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte and frame count.
///
/// # Errors
///
/// [`OpusTsError::Truncated`] for an empty packet or a code-3 packet without its count byte;
/// [`OpusTsError::Toc`] for a code-3 packet of no frames or of more than 120 ms.
pub fn duration_samples(packet: &[u8]) -> Result<u32, OpusTsError> {
    let toc = *packet.first().ok_or(OpusTsError::Truncated)?;
    let config = u32::from(toc >> 3);
    // Frame sizes in samples at 48 kHz (RFC 6716 table 2).
    let frame = match config {
        0..=11 => [480, 960, 1_920, 2_880][(config % 4) as usize],
        12..=15 => [480, 960][(config % 2) as usize],
        _ => [120, 240, 480, 960][(config % 4) as usize],
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u32::from(*packet.get(1).ok_or(OpusTsError::Truncated)? & 0x3F),
    };
    let samples = frame * frames;
    if frames == 0 || samples > 5_760 {
        return Err(OpusTsError::Toc);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_round_trips_sizes_across_the_255_steps() {
        for size in [1usize, 254, 255, 256, 510, 1_275] {
            let packet: Vec<u8> = std::iter::once(0xFC).chain(vec![7; size - 1]).collect();
            let mut pes = Vec::new();
            frame(&packet, &mut pes);
            assert_eq!(pes.len(), 2 + size / 255 + 1 + size);
            assert_eq!(unframe(&pes).unwrap(), vec![&packet[..]]);
        }
    }

    #[test]
    fn trims_and_extensions_are_skipped() {
        // start and end trim, and a 2-byte extension, then a 1-byte packet.
        let pes = [
            0x7F,
            0xE0 | 0x10 | 0x08 | 0x04,
            1,
            0,
            5,
            0,
            3,
            2,
            9,
            9,
            0xFC,
        ];
        assert_eq!(unframe(&pes).unwrap(), vec![&[0xFC][..]]);
    }

    #[test]
    fn hostile_payloads_are_refused_not_read_past() {
        assert_eq!(unframe(&[0x7F]), Err(OpusTsError::ControlHeader));
        assert_eq!(
            unframe(&[0x7F, 0xC0, 1, 0xFC]),
            Err(OpusTsError::ControlHeader)
        );
        assert_eq!(unframe(&[0x7F, 0xE0, 0xFF]), Err(OpusTsError::Truncated));
        assert_eq!(unframe(&[0x7F, 0xE0, 9, 0xFC]), Err(OpusTsError::Truncated));
        assert_eq!(unframe(&[0x7F, 0xE0, 0]), Err(OpusTsError::Truncated));
        assert_eq!(unframe(&[0x7F, 0xF0, 1]), Err(OpusTsError::Truncated));
        assert_eq!(
            unframe(&[0x7F, 0xE4, 1, 200, 0xFC]),
            Err(OpusTsError::Truncated)
        );
        assert_eq!(unframe(&[0x7F, 0xE0, 2, 0xFF, 0x00]), Err(OpusTsError::Toc));
    }

    #[test]
    fn durations_follow_the_toc() {
        assert_eq!(duration_samples(&[0xFC]), Ok(960)); // CELT FB 20 ms, one frame
        assert_eq!(duration_samples(&[0x08 | 1]), Ok(1_920)); // SILK 20 ms, two frames
        assert_eq!(duration_samples(&[0xF3, 3]), Ok(1_440)); // CELT 3 x 10 ms
        assert_eq!(duration_samples(&[0x1B, 4]), Err(OpusTsError::Toc)); // 4 x 60 ms
    }
}
