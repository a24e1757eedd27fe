//! The `sl_resampler_*` functions (see `docs/native_abi.md`): a resampler made from numbers,
//! blocks converted between two caller buffers whose pointers the caller caches, counters read
//! into a caller's `f64` array. Every entry is panic-guarded.

use std::sync::LazyLock;

use crate::c_buffer;
use crate::handle_table::HandleTable;
use crate::media::handles::MEDIA_HANDLE_CAPACITY;
use crate::panic_guard::guarded_status;
use crate::resample::{Quality, StreamResampler};
use crate::status::{Error, ErrorKind};

/// The handle tag of resamplers (tags are three bits, so kinds share them; the table's own
/// index and generation still refuse another table's handle unless both line up).
const RESAMPLER_TAG: u32 = 6;

static RESAMPLERS: LazyLock<HandleTable<StreamResampler>> =
    LazyLock::new(|| HandleTable::new("resampler", RESAMPLER_TAG, MEDIA_HANDLE_CAPACITY));

/// The counters `sl_resampler_info` writes, in order.
pub const INFO_FIELDS: u32 = 5;

/// Creates a resampler of `channels` interleaved channels from `input_rate` to `output_rate` Hz
/// at `quality` (0 fast, 1 balanced, 2 best) and writes its handle to `out`. Returns the
/// latency in output frames (ABI 3).
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_resampler_create(
    input_rate: u32,
    output_rate: u32,
    channels: u32,
    quality: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let quality = Quality::from_code(quality)?;
        let resampler = StreamResampler::new(input_rate, output_rate, channels, quality)?;
        let latency = resampler.latency_frames();
        let handle = RESAMPLERS.insert(resampler)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(c_buffer::count_to_status(latency as usize))
    })
}

/// Frees a resampler. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_resampler_free(resampler: u32) -> i32 {
    guarded_status(|| RESAMPLERS.remove(resampler).map(|_| 0))
}

/// Forgets a resampler's history, so the next block starts a new stream. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_resampler_reset(resampler: u32) -> i32 {
    guarded_status(|| {
        RESAMPLERS
            .with_exclusive(resampler, StreamResampler::reset)
            .map(|()| 0)
    })
}

/// Converts `frames` interleaved frames at `input` into `output` (room for `capacity` frames)
/// and returns the frames written. Non-finite input samples are overwritten with 0 in place
/// (ABI 3).
///
/// # Safety
///
/// `input` must be 4-byte aligned, readable and writable for `frames * channels` floats, and
/// not accessed by anyone else during the call; `output` 4-byte aligned and writable for
/// `capacity * channels` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_resampler_process(
    resampler: u32,
    input: *mut f32,
    frames: u32,
    output: *mut f32,
    capacity: u32,
) -> i32 {
    guarded_status(|| {
        RESAMPLERS.with_exclusive(resampler, |r| {
            let channels = r.channels();
            let samples = |count: u32, what: &'static str| {
                count.checked_mul(channels).ok_or_else(|| {
                    Error::from(ErrorKind::OutOfRange {
                        what,
                        value: u64::from(count),
                        min: 0,
                        max: u64::from(u32::MAX / channels),
                    })
                })
            };
            let input_len = samples(frames, "resampler input (frames)")?;
            let output_len = samples(capacity, "resampler output capacity (frames)")?;
            // SAFETY: `input` is readable and writable for `frames * channels` floats and not
            // aliased during the call (caller contract); alignment is checked.
            let input = unsafe { c_buffer::aligned_mut(input, input_len, "input") }?;
            // SAFETY: `output` is writable for `capacity * channels` floats (caller contract);
            // alignment is checked.
            let output = unsafe { c_buffer::aligned_mut(output, output_len, "output") }?;
            r.process(input, output).map(c_buffer::count_to_status)
        })?
    })
}

/// Writes up to `count` of the counters `[latency frames, non-finite input samples, input
/// frames, output frames, output bound for a block of `frames` input frames]` to `out` and
/// returns how many it wrote (ABI 3).
///
/// # Safety
///
/// `out` must be writable for `count` `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_resampler_info(
    resampler: u32,
    frames: u32,
    out: *mut f64,
    count: u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let info = RESAMPLERS.with_exclusive(resampler, |r| {
            [
                r.latency_frames() as f64,
                r.non_finite_samples() as f64,
                r.input_frames() as f64,
                r.output_frames() as f64,
                r.output_bound(frames as usize) as f64,
            ]
        })?;
        let n = (count as usize).min(info.len());
        // SAFETY: `out` is non-null and writable for `count >= n` f64s (caller contract).
        unsafe { c_buffer::write_all(out, &info[..n]) };
        Ok(c_buffer::count_to_status(n))
    })
}
