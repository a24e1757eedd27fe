//! The `sl_reverb_*` functions (see `docs/native_abi.md`): a Freeverb made from a sample rate,
//! its parameters set from numbers, blocks reverberated in place in a caller buffer whose
//! pointer the caller caches. Every entry is panic-guarded.

use std::sync::LazyLock;

use crate::c_buffer;
use crate::handle_table::HandleTable;
use crate::media::handles::MEDIA_HANDLE_CAPACITY;
use crate::panic_guard::guarded_status;
use crate::reverb::{Freeverb, Settings};
use crate::status::{Error, ErrorKind};

/// The handle tag of reverbs (tags are three bits, so kinds share them; the table's own index
/// and generation still refuse another table's handle unless both line up).
const REVERB_TAG: u32 = 7;

static REVERBS: LazyLock<HandleTable<Freeverb>> =
    LazyLock::new(|| HandleTable::new("reverb", REVERB_TAG, MEDIA_HANDLE_CAPACITY));

/// Creates a Freeverb for `sample_rate` Hz (1000 ..= 768000) with Freeverb's default parameters
/// and writes its handle to `out`. Returns 0.
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_reverb_create(sample_rate: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handle = REVERBS.insert(Freeverb::new(sample_rate)?)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Frees a reverb. Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_reverb_free(reverb: u32) -> i32 {
    guarded_status(|| REVERBS.remove(reverb).map(|_| 0))
}

/// Clears a reverb's delay lines (silences its tail). Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_reverb_reset(reverb: u32) -> i32 {
    guarded_status(|| REVERBS.with_exclusive(reverb, Freeverb::reset).map(|()| 0))
}

/// Sets a reverb's parameters, each clamped to `[0, 1]` (NaN is 0); `frozen` is 0 or 1 (any
/// other value is 1). The tail keeps ringing. Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_reverb_configure(
    reverb: u32,
    room_size: f64,
    damping: f64,
    wet: f64,
    dry: f64,
    width: f64,
    frozen: u32,
) -> i32 {
    let settings = Settings {
        room_size,
        damping,
        wet,
        dry,
        width,
        frozen: frozen != 0,
    };
    guarded_status(|| {
        REVERBS
            .with_exclusive(reverb, |r| r.configure(&settings))
            .map(|()| 0)
    })
}

/// Reverberates `frames` interleaved stereo frames at `samples` in place and returns `frames`.
///
/// # Safety
///
/// `samples` must be 4-byte aligned, readable and writable for `2 * frames` floats, and not
/// accessed by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_reverb_process(reverb: u32, samples: *mut f32, frames: u32) -> i32 {
    guarded_status(|| {
        let count = frames.checked_mul(2).ok_or_else(|| {
            Error::from(ErrorKind::OutOfRange {
                what: "reverb block (frames)",
                value: u64::from(frames),
                min: 0,
                max: u64::from(u32::MAX / 2),
            })
        })?;
        REVERBS.with_exclusive(reverb, |r| {
            // SAFETY: `samples` is readable and writable for `2 * frames` floats and not aliased
            // during the call (caller contract); alignment is checked.
            let samples = unsafe { c_buffer::aligned_mut(samples, count, "samples") }?;
            r.process(samples);
            Ok(c_buffer::count_to_status(frames as usize))
        })?
    })
}
