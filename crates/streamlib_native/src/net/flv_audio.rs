//! FLV `AUDIODATA` bodies for AAC (the payload of an RTMP audio message), as the graph queues
//! them: byte 0 is `0xAF` (sound format 10, AAC; the rate, size and type bits are fixed for AAC),
//! byte 1 the packet type, 0 for the sequence header (an AudioSpecificConfig follows) and 1 for a
//! raw frame.

/// FLV's sound format id of AAC (the high nibble of byte 0; `onMetaData`'s `audiocodecid`).
pub const SOUND_FORMAT_AAC: u8 = 10;

/// Whether `body` is an AAC sequence header (`0xA_`, packet type 0, and a config).
///
/// # Examples
///
/// ```
/// use streamlib_native::net::flv_audio::is_sequence_header;
///
/// assert!(is_sequence_header(&[0xAF, 0, 0x12, 0x10])); // 44.1 kHz stereo AAC-LC
/// assert!(!is_sequence_header(&[0xAF, 1, 0x21])); // a raw frame
/// assert!(!is_sequence_header(&[0xAF, 0])); // no config
/// ```
pub fn is_sequence_header(body: &[u8]) -> bool {
    body.len() > 2 && body[0] >> 4 == SOUND_FORMAT_AAC && body[1] == 0
}
