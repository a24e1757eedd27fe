//! The `sl_speaker_*` functions (see `docs/native_abi.md`): a speaker opened by device ID and
//! numbers, samples written from a caller buffer whose pointer the caller caches, counters read
//! into a caller's `f64` array. Every entry is panic-guarded.

use std::sync::LazyLock;

use crate::c_buffer;
use crate::handle_table::HandleTable;
use crate::media::handles::MEDIA_HANDLE_CAPACITY;
use crate::media::speaker::{Speaker, SpeakerSettings};
use crate::panic_guard::guarded_status;
use crate::status::{Error, ErrorKind};

/// The handle tag of speakers (tags are three bits, so kinds share them; the table's own index
/// and generation still refuse another table's handle unless both line up).
const SPEAKER_TAG: u32 = 5;

static SPEAKERS: LazyLock<HandleTable<Speaker>> =
    LazyLock::new(|| HandleTable::new("speaker", SPEAKER_TAG, MEDIA_HANDLE_CAPACITY));

/// Opens the output device named by the `device_len` UTF-8 bytes at `device` (a `cpal` device
/// ID such as `alsa:hw:0,0`; empty: the default output) for audio at `sample_rate` Hz with
/// `channels` channels through a ring of `buffer_frames` frames, writes the speaker's handle to
/// `out` and returns 0. Read the negotiated device rate, channels and format with
/// `sl_speaker_stats`.
///
/// # Safety
///
/// `device` must be readable for `device_len` bytes and `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_speaker_open(
    device: *const u8,
    device_len: u32,
    sample_rate: u32,
    channels: u32,
    buffer_frames: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `device` is readable for `device_len` bytes (caller contract).
        let device = unsafe { c_buffer::text(device, device_len, "device") }?;
        let settings = SpeakerSettings {
            sample_rate,
            channels,
            buffer_frames,
        };
        let speaker = Speaker::open(device, settings)?;
        let handle = SPEAKERS.insert(speaker)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Stops the device and frees the speaker; what was queued and not played is dropped. Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_speaker_close(speaker: u32) -> i32 {
    guarded_status(|| SPEAKERS.remove(speaker).map(|_| 0))
}

/// Queues up to `frames` interleaved frames at `samples` (the device's channel count, at the
/// speaker's rate) and returns how many it took: what the ring has room for, never blocking.
/// Once the device has failed, returns its failure. The samples may be overwritten (resampling
/// zeroes non-finite ones in place).
///
/// # Safety
///
/// `samples` must be 4-byte aligned, readable and writable for `frames * channels` floats and
/// not accessed by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_speaker_write(speaker: u32, samples: *mut f32, frames: u32) -> i32 {
    guarded_status(|| {
        SPEAKERS.with_exclusive(speaker, |s| {
            let channels = s.device().channels;
            let len = frames.checked_mul(channels).ok_or_else(|| {
                Error::from(ErrorKind::OutOfRange {
                    what: "speaker samples (frames)",
                    value: u64::from(frames),
                    min: 0,
                    max: u64::from(u32::MAX / channels),
                })
            })?;
            // SAFETY: `samples` is readable and writable for `frames * channels` floats and not
            // aliased during the call (caller contract); alignment is checked.
            let samples = unsafe { c_buffer::aligned_mut(samples, len, "samples") }?;
            s.write(samples).map(c_buffer::count_to_status)
        })?
    })
}

/// Writes up to `count` of the counters `[written frames, played frames, underruns, underrun
/// frames, xruns, device rate, device channels, device format, queued frames, running, failure
/// status, resampler latency frames]` to `out` and returns how many it wrote.
///
/// # Safety
///
/// `out` must be writable for `count` `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_speaker_stats(speaker: u32, out: *mut f64, count: u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let stats = SPEAKERS.with_exclusive(speaker, |s| s.to_array())?;
        let n = (count as usize).min(stats.len());
        // SAFETY: `out` is non-null and writable for `count >= n` f64s (caller contract).
        unsafe { c_buffer::write_all(out, &stats[..n]) };
        Ok(c_buffer::count_to_status(n))
    })
}
