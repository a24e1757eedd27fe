//! FLV `AUDIODATA` bodies for AAC (the payload of an RTMP audio message), as the graph builds
//! them: byte 0 is `0xAF` (sound format 10, AAC; the rate, size and type bits are fixed for AAC),
//! byte 1 the packet type, 0 for the sequence header (an AudioSpecificConfig follows) and 1 for a
//! raw frame.

/// FLV's sound format id of AAC (the high nibble of byte 0; `onMetaData`'s `audiocodecid`).
pub const SOUND_FORMAT_AAC: u8 = 10;
