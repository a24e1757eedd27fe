//! The process-wide handle tables of the media objects (encoders, decoders, captures), beside the
//! ring and pool tables of `registry.rs`, with the same generation-checked `u32` handles. Each
//! table has its own tag, so a decoder handle passed to an encoder call is refused.
//!
//! Every object is used by one thread at a time (`with_exclusive`): an encoder called from two
//! isolates at once refuses the second call with `SL_ERR_WRONG_ENDPOINT` instead of racing.

use std::sync::LazyLock;

use crate::handle_table::HandleTable;
use crate::media::aac_codec::AacDecoder;
use crate::media::capture::Capture;
use crate::media::decoder_openh264::OpenH264Decoder;
use crate::media::encoder::{AccessUnit, EncoderSettings, VideoEncoder};
use crate::media::opus_codec::{OpusDecoder, OpusEncoder};
use crate::status::Error;

/// Live handles of each media kind at most.
pub const MEDIA_HANDLE_CAPACITY: u32 = 1_024;

/// An H.264 encoder and the access unit it last produced (kept until read).
pub struct EncoderEntry {
    /// The backend.
    pub encoder: Box<dyn VideoEncoder>,
    /// What it was created with.
    pub settings: EncoderSettings,
    /// The last access unit.
    pub output: AccessUnit,
    /// Whether `output` holds an access unit not yet copied out in full.
    pub pending: bool,
}

static ENCODERS: LazyLock<HandleTable<EncoderEntry>> =
    LazyLock::new(|| HandleTable::new("H.264 encoder", 3, MEDIA_HANDLE_CAPACITY));
static DECODERS: LazyLock<HandleTable<OpenH264Decoder>> =
    LazyLock::new(|| HandleTable::new("H.264 decoder", 4, MEDIA_HANDLE_CAPACITY));
static OPUS_ENCODERS: LazyLock<HandleTable<OpusEncoder>> =
    LazyLock::new(|| HandleTable::new("Opus encoder", 5, MEDIA_HANDLE_CAPACITY));
static OPUS_DECODERS: LazyLock<HandleTable<OpusDecoder>> =
    LazyLock::new(|| HandleTable::new("Opus decoder", 6, MEDIA_HANDLE_CAPACITY));
static CAPTURES: LazyLock<HandleTable<Capture>> =
    LazyLock::new(|| HandleTable::new("capture", 7, MEDIA_HANDLE_CAPACITY));
// Tags are three bits, so kinds share them (the rings' tables use 1 and 2).
static AAC_DECODERS: LazyLock<HandleTable<AacDecoder>> =
    LazyLock::new(|| HandleTable::new("AAC decoder", 3, MEDIA_HANDLE_CAPACITY));

macro_rules! table_access {
    ($table:ident, $ty:ty, $insert:ident, $remove:ident, $with:ident) => {
        /// Stores the object and returns its handle.
        pub(crate) fn $insert(value: $ty) -> Result<u32, Error> {
            $table.insert(value)
        }

        /// Frees the handle, dropping the object (a capture stops first).
        pub(crate) fn $remove(handle: u32) -> Result<(), Error> {
            $table.remove(handle).map(drop)
        }

        /// Runs `f` on the object behind `handle`, exclusively.
        pub(crate) fn $with<R>(handle: u32, f: impl FnOnce(&mut $ty) -> R) -> Result<R, Error> {
            $table.with_exclusive(handle, f)
        }
    };
}

table_access!(
    ENCODERS,
    EncoderEntry,
    insert_encoder,
    remove_encoder,
    with_encoder
);
table_access!(
    DECODERS,
    OpenH264Decoder,
    insert_decoder,
    remove_decoder,
    with_decoder
);
table_access!(
    OPUS_ENCODERS,
    OpusEncoder,
    insert_opus_encoder,
    remove_opus_encoder,
    with_opus_encoder
);
table_access!(
    OPUS_DECODERS,
    OpusDecoder,
    insert_opus_decoder,
    remove_opus_decoder,
    with_opus_decoder
);
table_access!(
    CAPTURES,
    Capture,
    insert_capture,
    remove_capture,
    with_capture
);
table_access!(
    AAC_DECODERS,
    AacDecoder,
    insert_aac_decoder,
    remove_aac_decoder,
    with_aac_decoder
);
