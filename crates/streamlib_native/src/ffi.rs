//! Every `extern "C"` entry point of `libstreamlib_native`, and nothing else.
//!
//! This file is the Rust side of `docs/native_abi.md` and is mirrored by `ffi/native/symbols.ts`. Each
//! function runs its body through [`guarded_status`] / [`guarded`], so a panic becomes
//! `SL_ERR_PANIC` instead of crossing into Deno, and any failure leaves its message for
//! [`sl_last_error`] on the calling thread. Pointer parameters are caller-owned buffers of any
//! alignment; null ones are refused with `SL_ERR_INVALID_ARGUMENT` (except where a zero count
//! makes the buffer unused).

use std::ptr;

use crate::error_text::ErrorText;
use crate::media::aac_codec::AacDecoder;
use crate::media::capture::{
    CaptureSettings, CaptureShared, CaptureSink, DeviceKind, devices_to_json, monotonic_now_ns,
};
use crate::media::decoder_openh264::OpenH264Decoder;
use crate::media::encoder::{AccessUnit, EncoderSettings, VideoInput, create_encoder};
use crate::media::handles::{self, EncoderEntry};
use crate::media::opus_codec::{OpusApplication, OpusDecoder, OpusEncoder};
use crate::media::pixel_format::PixelFormat;
use crate::media::platform;
use crate::panic_guard::{guarded, guarded_fast, guarded_status};
use crate::policy::Policy;
use crate::status::{Error, ErrorKind};
use crate::{ABI_VERSION, c_buffer, last_error, plugin, registry, resident};

/// Returns the ABI version this library implements ([`ABI_VERSION`]); guarded like every export
/// (0, which no ABI uses, if it ever panicked). The loader calls it first, so it also keeps the
/// library mapped from then on ([`resident::keep_resident`]): an isolate that ends closes its
/// handle, and threads this library started must not have their code unmapped.
#[unsafe(no_mangle)]
pub extern "C" fn sl_abi_version() -> u32 {
    guarded(|| {
        resident::keep_resident();
        Ok(ABI_VERSION)
    })
    .unwrap_or(0)
}

/// Copies the calling thread's last error message (UTF-8, not NUL-terminated) into `buf` and
/// returns its full length in bytes, which may exceed `cap` (the copy is then truncated); 0 when
/// there is none. A null `buf` is treated as `cap == 0`.
///
/// # Safety
///
/// A non-null `buf` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_last_error(buf: *mut u8, cap: u32) -> u32 {
    let length = guarded(|| {
        let buf: &mut [u8] = if buf.is_null() || cap == 0 {
            &mut []
        } else {
            // SAFETY: non-null and writable for `cap` bytes (caller contract).
            unsafe { std::slice::from_raw_parts_mut(buf, cap as usize) }
        };
        Ok(last_error::copy_to(buf))
    });
    length.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// Creates a ring of `capacity` (1 ..= 16,777,216) messages with `policy` (0 `fifo`, 1 `latest`)
/// and writes `[producer, consumer]` to `out`. Returns 0.
///
/// # Safety
///
/// `out` must be writable for two `u32`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_create(capacity: u32, policy: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handles = registry::create_ring(capacity, policy)?;
        // SAFETY: `out` is non-null and writable for two u32s (caller contract).
        unsafe { c_buffer::write_all(out, &handles) };
        Ok(0)
    })
}

/// Frees one ring endpoint; the ring goes when both are freed, and the other side sees
/// `is_abandoned`. Returns 0. A call in progress on the endpoint from another thread finishes
/// first.
#[unsafe(no_mangle)]
pub extern "C" fn sl_ring_free(endpoint: u32) -> i32 {
    guarded_status(|| registry::free_ring_endpoint(endpoint).map(|()| 0))
}

/// Pushes the 32-byte message at `msg`: returns 1 if written, 0 if a `fifo` ring is full.
///
/// # Safety
///
/// `msg` must be readable for 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_push(producer: u32, msg: *const u8) -> i32 {
    guarded_fast(
        || {
            // SAFETY: `msg` is readable for 32 bytes (caller contract); null is checked inside.
            let message = unsafe { c_buffer::message(msg, "msg") }.ok()?;
            registry::try_producer(producer, |p| {
                c_buffer::count_to_status(p.push_bytes(std::slice::from_ref(message)))
            })
        },
        || {
            // SAFETY: `msg` is readable for 32 bytes (caller contract); null is checked inside.
            let message = unsafe { c_buffer::message(msg, "msg") }?;
            registry::with_producer(producer, "sl_ring_push", |p| {
                c_buffer::count_to_status(p.push_bytes(std::slice::from_ref(message)))
            })
        },
    )
}

/// Retains the frame-pool slot that the 32-byte message at `msg` names in `pool`, then pushes
/// the message to a `fifo` ring: returns 1 if written (the message owns the new reference), 0 if
/// the ring is full (the reference is dropped again). One call where a writer sending a frame's
/// own slot made two (`sl_pool_retain`, `sl_ring_push`). On any failure nothing changes: a free
/// or reused slot is `SL_ERR_INVALID_HANDLE` (send a copy instead), and a `latest` ring is
/// `SL_ERR_UNSUPPORTED` (its pushes evict: use [`sl_ring_push_evict`]) (ABI 9).
///
/// # Safety
///
/// `msg` must be readable for 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_push_retain(producer: u32, pool: u32, msg: *const u8) -> i32 {
    guarded_fast(
        || {
            // SAFETY: `msg` is readable for 32 bytes (caller contract); null is checked inside.
            let message = unsafe { c_buffer::message(msg, "msg") }.ok()?;
            let slot = message_slot(message);
            registry::try_producer(producer, |p| {
                if p.policy() != Policy::Fifo {
                    return None;
                }
                registry::try_pool(pool, |pool| {
                    pool.try_retain(slot)?;
                    Some(push_retained(p, pool, message, slot))
                })?
            })?
        },
        || {
            // SAFETY: `msg` is readable for 32 bytes (caller contract); null is checked inside.
            let message = unsafe { c_buffer::message(msg, "msg") }?;
            let slot = message_slot(message);
            registry::with_producer(producer, "sl_ring_push_retain", |p| {
                if p.policy() != Policy::Fifo {
                    return Err(Error::new(ErrorKind::Unsupported {
                        what: "retaining push on a latest ring",
                        detail: ErrorText::format(format_args!(
                            "it evicts, use sl_ring_push_evict"
                        )),
                    }));
                }
                registry::with_pool(pool, |pool| {
                    pool.retain(slot)?;
                    Ok(push_retained(p, pool, message, slot))
                })?
            })?
        },
    )
}

/// The slot handle of a message (its first field).
fn message_slot(message: &[u8; 32]) -> u32 {
    u32::from_ne_bytes([message[0], message[1], message[2], message[3]])
}

/// Pushes `message`, whose `slot` the caller just retained; drops that reference again if the
/// ring is full. Returns 1 if written, 0 if not.
fn push_retained(
    producer: &mut crate::ring::RingProducer,
    pool: &crate::frame_pool::FramePool,
    message: &[u8; 32],
    slot: u32,
) -> i32 {
    if producer.push_bytes(std::slice::from_ref(message)) == 1 {
        return 1;
    }
    // The reference taken above is live, so this release cannot fail.
    let _ = pool.try_release(slot);
    0
}

/// Pushes `count` 32-byte messages from `msgs` and returns how many were written: `fifo` writes
/// as many as fit (possibly 0), `latest` writes all (at most capacity survive; the rolled-off ones
/// are counted as dropped and lost, see [`sl_ring_push_evict`]).
///
/// # Safety
///
/// If `count > 0`, `msgs` must be readable for `count * 32` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_push_batch(producer: u32, msgs: *const u8, count: u32) -> i32 {
    guarded_status(|| {
        if count > i32::MAX as u32 {
            return Err(Error::new(ErrorKind::OutOfRange {
                what: "batch count",
                value: u64::from(count),
                min: 0,
                max: i32::MAX as u64,
            }));
        }
        // SAFETY: `msgs` is readable for count * 32 bytes (caller contract); null is checked
        // inside.
        let messages = unsafe { c_buffer::messages(msgs, count, "msgs") }?;
        registry::with_producer(producer, "sl_ring_push_batch", |p| {
            c_buffer::count_to_status(p.push_bytes(messages))
        })
    })
}

/// Pushes all `count` 32-byte messages from `msgs` to a `latest` ring and copies every message
/// this call rolls off (unread ones from the ring, or ones of this very batch when `count`
/// exceeds the capacity) to `evicted`, oldest first. Returns how many were evicted
/// (`0..=count`); the caller now owns them and releases their frame-pool slots. A `fifo` ring
/// never evicts: it returns `SL_ERR_INVALID_ARGUMENT` (use [`sl_ring_push_batch`]).
///
/// # Safety
///
/// If `count > 0`, `msgs` must be readable and `evicted` writable for `count * 32` bytes each,
/// and the two must not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_push_evict(
    producer: u32,
    msgs: *const u8,
    count: u32,
    evicted: *mut u8,
) -> i32 {
    guarded_status(|| {
        if count > i32::MAX as u32 {
            return Err(Error::new(ErrorKind::OutOfRange {
                what: "batch count",
                value: u64::from(count),
                min: 0,
                max: i32::MAX as u64,
            }));
        }
        // SAFETY: `msgs` is readable for count * 32 bytes (caller contract); null is checked
        // inside.
        let messages = unsafe { c_buffer::messages(msgs, count, "msgs") }?;
        // SAFETY: `evicted` is writable for count * 32 bytes and does not overlap `msgs` (caller
        // contract); null is checked inside.
        let evicted = unsafe { c_buffer::messages_mut(evicted, count, "evicted") }?;
        registry::with_producer(producer, "sl_ring_push_evict", |p| {
            p.push_evict_bytes(messages, evicted)
                .map(c_buffer::count_to_status)
        })?
    })
}

/// Pops the oldest message into the 32 bytes at `out`: returns 1 if read, 0 if empty.
///
/// # Safety
///
/// `out` must be writable for 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_pop(consumer: u32, out: *mut u8) -> i32 {
    guarded_fast(
        || {
            // SAFETY: `out` is writable for 32 bytes (caller contract); null is checked inside.
            let out = unsafe { c_buffer::message_mut(out, "out") }.ok()?;
            registry::try_consumer(consumer, |c| {
                c_buffer::count_to_status(c.pop_bytes(std::slice::from_mut(out)))
            })
        },
        || {
            // SAFETY: `out` is writable for 32 bytes (caller contract); null is checked inside.
            let out = unsafe { c_buffer::message_mut(out, "out") }?;
            registry::with_consumer(consumer, "sl_ring_pop", |c| {
                c_buffer::count_to_status(c.pop_bytes(std::slice::from_mut(out)))
            })
        },
    )
}

/// Pops up to `max` messages, in order, into `out`; returns how many.
///
/// # Safety
///
/// If `max > 0`, `out` must be writable for `max * 32` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_pop_batch(consumer: u32, out: *mut u8, max: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: `out` is writable for max * 32 bytes (caller contract); null is checked inside.
        let out = unsafe { c_buffer::messages_mut(out, max, "out") }?;
        registry::with_consumer(consumer, "sl_ring_pop_batch", |c| {
            c_buffer::count_to_status(c.pop_bytes(out))
        })
    })
}

/// Writes the newest message to `out` and discards the older ones (counted as dropped): returns
/// 1 if there was anything, 0 if empty.
///
/// # Safety
///
/// `out` must be writable for 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_pop_latest(consumer: u32, out: *mut u8) -> i32 {
    guarded_status(|| {
        // SAFETY: `out` is writable for 32 bytes (caller contract); null is checked inside.
        let out = unsafe { c_buffer::message_mut(out, "out") }?;
        registry::with_consumer(consumer, "sl_ring_pop_latest", |c| {
            i32::from(c.pop_latest_bytes(out))
        })
    })
}

/// Producer: free slots; consumer: messages ready.
#[unsafe(no_mangle)]
pub extern "C" fn sl_ring_slots(endpoint: u32) -> i32 {
    guarded_status(|| registry::with_endpoint(endpoint, |e| c_buffer::count_to_status(e.slots())))
}

/// 1 if the other endpoint has been freed, else 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_ring_is_abandoned(endpoint: u32) -> i32 {
    guarded_status(|| registry::with_endpoint(endpoint, |e| i32::from(e.is_abandoned())))
}

/// Fills `out` with
/// `[capacity, queued, written, read, dropped, full_rejections, policy, abandoned]`. Returns 0.
///
/// # Safety
///
/// `out` must be writable for eight `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_ring_stats(endpoint: u32, out: *mut f64) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let stats = registry::with_endpoint(endpoint, |e| e.stats())?;
        // SAFETY: `out` is non-null and writable for eight f64s (caller contract).
        unsafe { c_buffer::write_all(out, &stats.to_array()) };
        Ok(0)
    })
}

/// Creates a pool of `slot_count` (1 ..= 65,536) slots of `slot_bytes` (1 ..= 268,435,456)
/// each, at most 64 GiB in total, and writes its handle to `out`. Returns 0.
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_pool_create(slot_bytes: u32, slot_count: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handle = registry::create_pool(slot_bytes, slot_count)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Writes a new handle to the same pool to `out` (one per isolate); the slab lives until every
/// handle is freed. Returns 0.
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_pool_attach(pool: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handle = registry::attach_pool(pool)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Frees one pool handle; the slab goes with the last handle. Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_free(pool: u32) -> i32 {
    guarded_status(|| registry::free_pool(pool).map(|()| 0))
}

/// Takes a free slot: returns its handle (`generation << 16 | index`, refcount 1) or
/// `SL_ERR_POOL_EXHAUSTED`.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_acquire(pool: u32) -> i32 {
    guarded_status(|| {
        let slot = registry::with_pool(pool, |p| p.acquire())??;
        Ok(slot as i32)
    })
}

/// Takes a free slot like `sl_pool_acquire`, but only while more than `reserve` slots would stay
/// free; else `SL_ERR_POOL_EXHAUSTED`. For allocations that can live elsewhere (see
/// [`FramePool::acquire_keeping`](crate::frame_pool::FramePool::acquire_keeping)).
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_acquire_keeping(pool: u32, reserve: u32) -> i32 {
    guarded_status(|| {
        let slot = registry::with_pool(pool, |p| p.acquire_keeping(reserve))??;
        Ok(slot as i32)
    })
}

/// Adds a reference to `slot`; returns the new count.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_retain(pool: u32, slot: u32) -> i32 {
    guarded_fast(
        || registry::try_pool(pool, |p| p.try_retain(slot))?.map(|count| count as i32),
        || {
            let count = registry::with_pool(pool, |p| p.retain(slot))??;
            Ok(count as i32)
        },
    )
}

/// Drops a reference to `slot`; returns the remaining count. At 0 the slot goes back to the pool.
/// Releasing a free or stale slot is `SL_ERR_INVALID_HANDLE`.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_release(pool: u32, slot: u32) -> i32 {
    guarded_fast(
        || registry::try_pool(pool, |p| p.try_release(slot))?.map(|count| count as i32),
        || {
            let count = registry::with_pool(pool, |p| p.release(slot))??;
            Ok(count as i32)
        },
    )
}

/// The reference count of `slot` (>= 1) if the handle is live: acquired and not yet released to
/// 0. A free, stale or out-of-range slot is `SL_ERR_INVALID_HANDLE` (ABI 5).
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_refcount(pool: u32, slot: u32) -> i32 {
    guarded_status(|| {
        let count = registry::with_pool(pool, |p| p.refcount(slot))??;
        Ok(count as i32)
    })
}

/// The slab's first byte (null on a bad handle, with the reason in `sl_last_error`). Slot `i`
/// starts at `base + i * slot_stride`.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_base(pool: u32) -> *mut u8 {
    guarded(|| registry::with_pool(pool, |p| p.base())).unwrap_or(ptr::null_mut())
}

/// Fills `out` with
/// `[slot_bytes, slot_stride, slot_count, in_use, acquired_total, exhausted_total]`. Returns 0.
///
/// # Safety
///
/// `out` must be writable for six `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_pool_stats(pool: u32, out: *mut f64) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let stats = registry::with_pool(pool, |p| p.stats())?;
        // SAFETY: `out` is non-null and writable for six f64s (caller contract).
        unsafe { c_buffer::write_all(out, &stats.to_array()) };
        Ok(0)
    })
}

/// Nanoseconds on the library's monotonic clock, the clock of capture timestamps (ABI 3). JS
/// maps it to its media clock with one offset.
#[unsafe(no_mangle)]
pub extern "C" fn sl_monotonic_now_ns() -> f64 {
    guarded(|| Ok(monotonic_now_ns())).unwrap_or(0.0)
}

/// Creates an H.264 encoder from `count` `u32` settings
/// `[backend, width, height, bitrate_bps, fps_millis, keyframe_interval, profile, level_idc,
/// low_latency, threads]` (9 or 10 of them: `threads` is ABI 6, 1 when left out) and writes its
/// handle to `out`. Returns the backend chosen (1 openh264, 2 videotoolbox) (ABI 3).
///
/// # Safety
///
/// `settings` must be readable for `count` `u32`s and `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_encoder_create(
    settings: *const u32,
    count: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `settings` is readable for `count` u32s (caller contract).
        let values = unsafe { c_buffer::read_all(settings, count, "settings") }?;
        let settings = EncoderSettings::from_abi(&values)?;
        let encoder = create_encoder(&settings)?;
        let backend = encoder.backend().code() as i32;
        let handle = handles::insert_encoder(EncoderEntry {
            encoder,
            settings,
            output: AccessUnit::default(),
            pending: false,
        })?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(backend)
    })
}

/// Frees an H.264 encoder. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_h264_encoder_free(encoder: u32) -> i32 {
    guarded_status(|| handles::remove_encoder(encoder).map(|()| 0))
}

/// Encodes `frame` and copies the access unit out; shared by both encode entry points.
fn encode_into(
    entry: &mut EncoderEntry,
    frame: VideoInput<'_>,
    force_keyframe: u32,
    out: &mut [u8],
    info: *mut f64,
) -> Result<i32, Error> {
    entry.pending = false;
    let produced = entry
        .encoder
        .encode(frame, force_keyframe != 0, &mut entry.output)?;
    if !produced {
        entry.output.data.clear();
    }
    entry.pending = produced;
    copy_output(entry, out, info)
}

/// Copies the pending access unit to `out` and `[byte_length, keyframe, timestamp_ns]` to `info`.
fn copy_output(entry: &mut EncoderEntry, out: &mut [u8], info: *mut f64) -> Result<i32, Error> {
    let unit = &entry.output;
    let length = if entry.pending { unit.data.len() } else { 0 };
    // SAFETY: `info` is non-null (checked by the callers) and writable for three f64s (caller
    // contract).
    unsafe {
        c_buffer::write_all(
            info,
            &[
                length as f64,
                f64::from(u8::from(unit.keyframe)),
                unit.timestamp_ns,
            ],
        );
    }
    if length > out.len() {
        return Err(ErrorKind::BufferTooSmall {
            what: "access unit (read it with sl_h264_encoder_read_output)",
            needed: length as u64,
            capacity: out.len() as u64,
        }
        .into());
    }
    out[..length].copy_from_slice(&unit.data[..length]);
    entry.pending = false;
    Ok(c_buffer::count_to_status(length))
}

/// Encodes one tightly packed frame of `length` bytes at `frame` in pixel format `format` (0 RGBA,
/// 1 BGRA, 2 I420, 3 NV12) of the encoder's size, stamped `timestamp_ns`; `force_keyframe` != 0
/// makes it an IDR picture. Copies the access unit (Annex B) to `out` and returns its length, 0
/// when the encoder produced none; fills `info` with `[byte_length, keyframe, timestamp_ns]`.
/// When `cap` is too small: `SL_ERR_BUFFER_TOO_SMALL`, `info[0]` says the size, and the access
/// unit waits for [`sl_h264_encoder_read_output`] (ABI 3).
///
/// # Safety
///
/// `frame` must be readable for `length` bytes, `out` writable for `cap` bytes and `info` for
/// three `f64`s; none may overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_encoder_encode(
    encoder: u32,
    frame: *const u8,
    length: u32,
    format: u32,
    timestamp_ns: f64,
    force_keyframe: u32,
    out: *mut u8,
    cap: u32,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        let format = PixelFormat::from_code(format)?;
        // SAFETY: `frame` is readable for `length` bytes (caller contract).
        let data = unsafe { c_buffer::bytes(frame, length, "frame") }?;
        // SAFETY: `out` is writable for `cap` bytes and overlaps nothing (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let input = VideoInput {
            format,
            data,
            timestamp_ns,
        };
        handles::with_encoder(encoder, |entry| {
            encode_into(entry, input, force_keyframe, out, info)
        })?
    })
}

/// [`sl_h264_encoder_encode`] with the frame read in place from frame-pool slot `slot` of `pool`,
/// starting `offset` bytes into the slot (no copy through JS). The slot is held for the call
/// (ABI 3).
///
/// # Safety
///
/// `out` must be writable for `cap` bytes and `info` for three `f64`s. Nobody may write the
/// slot's frame during the call (frames are read-only once published).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_encoder_encode_slot(
    encoder: u32,
    pool: u32,
    slot: u32,
    offset: u32,
    format: u32,
    timestamp_ns: f64,
    force_keyframe: u32,
    out: *mut u8,
    cap: u32,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        let format = PixelFormat::from_code(format)?;
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        handles::with_encoder(encoder, |entry| {
            let bytes = format.frame_bytes(entry.settings.width, entry.settings.height);
            registry::with_slot(pool, slot, |start, slot_bytes| {
                let end = offset as usize + bytes;
                if end > slot_bytes {
                    return Err(ErrorKind::BufferTooSmall {
                        what: "frame at this offset of the pool slot",
                        needed: end as u64,
                        capacity: slot_bytes as u64,
                    }
                    .into());
                }
                // SAFETY: offset + bytes <= slot_bytes, the slot is held by with_slot, and its
                // frame is not written during the call (caller contract).
                let data = unsafe { std::slice::from_raw_parts(start.add(offset as usize), bytes) };
                let input = VideoInput {
                    format,
                    data,
                    timestamp_ns,
                };
                encode_into(entry, input, force_keyframe, out, info)
            })
        })?
    })
}

/// Copies the access unit the last encode left pending (after `SL_ERR_BUFFER_TOO_SMALL`) to
/// `out`; returns its length, 0 when none is pending (ABI 3).
///
/// # Safety
///
/// `out` must be writable for `cap` bytes and `info` for three `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_encoder_read_output(
    encoder: u32,
    out: *mut u8,
    cap: u32,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        handles::with_encoder(encoder, |entry| copy_output(entry, out, info))?
    })
}

/// Copies the stream's SPS and PPS (Annex B) to `out` as far as they fit and returns their full
/// length; 0 before the first keyframe (ABI 3).
///
/// # Safety
///
/// `out` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_encoder_parameter_sets(
    encoder: u32,
    out: *mut u8,
    cap: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        handles::with_encoder(encoder, |entry| {
            c_buffer::copy_truncated(entry.encoder.parameter_sets(), out)
        })
    })
}

/// Creates an H.264 decoder (OpenH264) and writes its handle to `out`. Returns 0 (ABI 3).
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_decoder_create(out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handle = handles::insert_decoder(OpenH264Decoder::new()?)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Frees an H.264 decoder. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_h264_decoder_free(decoder: u32) -> i32 {
    guarded_status(|| handles::remove_decoder(decoder).map(|()| 0))
}

fn report_picture(
    picture: Option<crate::media::decoder_openh264::PictureInfo>,
    info: *mut f64,
) -> i32 {
    match picture {
        Some(picture) => {
            // SAFETY: `info` is non-null (checked by the callers) and writable for four f64s.
            unsafe { c_buffer::write_all(info, &picture.to_array()) };
            1
        }
        None => 0,
    }
}

/// Decodes one access unit (Annex B) of `length` bytes stamped `timestamp_ns`. Returns 1 when a
/// picture came out, with `[width, height, timestamp_ns, byte_length]` in `info` (read it with
/// [`sl_h264_decoder_read`]), 0 when the decoder needs more input (ABI 3).
///
/// # Safety
///
/// `data` must be readable for `length` bytes and `info` writable for four `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_decoder_decode(
    decoder: u32,
    data: *const u8,
    length: u32,
    timestamp_ns: f64,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        // SAFETY: `data` is readable for `length` bytes (caller contract).
        let unit = unsafe { c_buffer::bytes(data, length, "data") }?;
        let picture = handles::with_decoder(decoder, |d| d.decode(unit, timestamp_ns))??;
        Ok(report_picture(picture, info))
    })
}

/// Ends the stream: returns 1 with a picture the decoder still held (as
/// [`sl_h264_decoder_decode`] does), 0 when none is left. Call until 0 (ABI 3).
///
/// # Safety
///
/// `info` must be writable for four `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_decoder_flush(decoder: u32, info: *mut f64) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        let picture = handles::with_decoder(decoder, OpenH264Decoder::flush)??;
        Ok(report_picture(picture, info))
    })
}

/// Copies the last decoded picture, tightly packed I420, to `out`; returns its length
/// (`SL_ERR_BUFFER_TOO_SMALL` when `cap` is less; nothing is lost) (ABI 3).
///
/// # Safety
///
/// `out` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_decoder_read(decoder: u32, out: *mut u8, cap: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        handles::with_decoder(decoder, |d| {
            let picture = d.picture();
            if picture.len() > out.len() {
                return Err(ErrorKind::BufferTooSmall {
                    what: "decoded I420 picture",
                    needed: picture.len() as u64,
                    capacity: out.len() as u64,
                }
                .into());
            }
            out[..picture.len()].copy_from_slice(picture);
            Ok(c_buffer::count_to_status(picture.len()))
        })?
    })
}

/// [`sl_h264_decoder_read`] into frame-pool slot `slot` of `pool`, `offset` bytes in (no copy
/// through JS) (ABI 3).
///
/// # Safety
///
/// The caller must be the slot's only holder (just acquired), so nobody reads it during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_h264_decoder_read_slot(
    decoder: u32,
    pool: u32,
    slot: u32,
    offset: u32,
) -> i32 {
    guarded_status(|| {
        handles::with_decoder(decoder, |d| {
            let picture = d.picture();
            registry::with_slot(pool, slot, |start, slot_bytes| {
                let end = offset as usize + picture.len();
                if end > slot_bytes {
                    return Err(ErrorKind::BufferTooSmall {
                        what: "decoded I420 picture at this offset of the pool slot",
                        needed: end as u64,
                        capacity: slot_bytes as u64,
                    }
                    .into());
                }
                // SAFETY: offset + len <= slot_bytes, the slot is held by with_slot, and the
                // caller is its only holder, so nothing else accesses these bytes.
                let dst = unsafe {
                    std::slice::from_raw_parts_mut(start.add(offset as usize), picture.len())
                };
                dst.copy_from_slice(picture);
                Ok(c_buffer::count_to_status(picture.len()))
            })
        })?
    })
}

/// Creates a libopus encoder (`application` 0 audio, 1 voip, 2 low delay; `bitrate_bps` 0 lets
/// libopus choose) and writes its handle to `out`. Returns the encoder's lookahead in samples
/// per channel, the "pre-skip" a container records (ABI 3).
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_opus_encoder_create(
    sample_rate: u32,
    channels: u32,
    bitrate_bps: u32,
    application: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let application = OpusApplication::from_code(application)?;
        let encoder = OpusEncoder::new(sample_rate, channels, bitrate_bps, application)?;
        let lookahead = encoder.lookahead();
        let handle = handles::insert_opus_encoder(encoder)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(lookahead as i32)
    })
}

/// Frees a libopus encoder. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_opus_encoder_free(encoder: u32) -> i32 {
    guarded_status(|| handles::remove_opus_encoder(encoder).map(|()| 0))
}

/// Encodes one Opus frame of `samples` interleaved `f32` samples (2.5, 5, 10, 20, 40 or 60 ms)
/// into `out`; returns the packet's length (ABI 3).
///
/// # Safety
///
/// `pcm` must be 4-byte aligned and readable for `samples` floats; `out` writable for `cap`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_opus_encoder_encode(
    encoder: u32,
    pcm: *const f32,
    samples: u32,
    out: *mut u8,
    cap: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: `pcm` is readable for `samples` floats (caller contract); alignment is checked.
        let pcm = unsafe { c_buffer::aligned(pcm, samples, "pcm") }?;
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let n = handles::with_opus_encoder(encoder, |e| e.encode(pcm, out))??;
        Ok(c_buffer::count_to_status(n))
    })
}

/// Creates a libopus decoder producing `channels` at `sample_rate` and writes its handle to
/// `out`. Returns 0 (ABI 3).
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_opus_decoder_create(
    sample_rate: u32,
    channels: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let handle = handles::insert_opus_decoder(OpusDecoder::new(sample_rate, channels)?)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Frees a libopus decoder. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_opus_decoder_free(decoder: u32) -> i32 {
    guarded_status(|| handles::remove_opus_decoder(decoder).map(|()| 0))
}

/// Decodes one Opus packet of `length` bytes (0: a lost packet, concealed) into `pcm` (room for
/// `capacity` interleaved floats); returns samples per channel (ABI 3).
///
/// # Safety
///
/// `packet` must be readable for `length` bytes; `pcm` 4-byte aligned and writable for
/// `capacity` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_opus_decoder_decode(
    decoder: u32,
    packet: *const u8,
    length: u32,
    pcm: *mut f32,
    capacity: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: `packet` is readable for `length` bytes (caller contract).
        let packet = unsafe { c_buffer::bytes(packet, length, "packet") }?;
        // SAFETY: `pcm` is writable for `capacity` floats (caller contract); alignment is checked.
        let pcm = unsafe { c_buffer::aligned_mut(pcm, capacity, "pcm") }?;
        let n = handles::with_opus_decoder(decoder, |d| d.decode(packet, pcm))??;
        Ok(c_buffer::count_to_status(n))
    })
}

/// Creates an AAC-LC decoder from the `length` bytes of an AudioSpecificConfig at `config` (an
/// MP4 track's `esds` DecoderSpecificInfo), writes its handle to `out[0]`, its sample rate to
/// `out[1]` and its channels (1 or 2) to `out[2]`. Returns 0 (ABI 3). A corrupt config is
/// `SL_ERR_CODEC`; one the decoder does not take (HE-AAC, another profile, more than two
/// channels, 960-sample frames) `SL_ERR_UNSUPPORTED`.
///
/// # Safety
///
/// `config` must be readable for `length` bytes; `out` writable for three `u32`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_aac_decoder_create(
    config: *const u8,
    length: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `config` is readable for `length` bytes (caller contract).
        let config = unsafe { c_buffer::bytes(config, length, "config") }?;
        let decoder = AacDecoder::new(config)?;
        let format = decoder.config();
        let handle = handles::insert_aac_decoder(decoder)?;
        // SAFETY: `out` is non-null and writable for three u32s (caller contract).
        unsafe { c_buffer::write_all(out, &[handle, format.sample_rate, format.channels]) };
        Ok(0)
    })
}

/// Frees an AAC decoder. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_aac_decoder_free(decoder: u32) -> i32 {
    guarded_status(|| handles::remove_aac_decoder(decoder).map(|()| 0))
}

/// Decodes one raw AAC access unit of `length` bytes into `pcm` (room for `capacity`
/// interleaved floats, at least 1024 per channel); returns samples per channel (ABI 3). A unit
/// that does not decode is `SL_ERR_CODEC` and leaves the decoder ready for the next one.
///
/// # Safety
///
/// `packet` must be readable for `length` bytes; `pcm` 4-byte aligned and writable for
/// `capacity` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_aac_decoder_decode(
    decoder: u32,
    packet: *const u8,
    length: u32,
    pcm: *mut f32,
    capacity: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: `packet` is readable for `length` bytes (caller contract).
        let packet = unsafe { c_buffer::bytes(packet, length, "packet") }?;
        // SAFETY: `pcm` is writable for `capacity` floats (caller contract); alignment is checked.
        let pcm = unsafe { c_buffer::aligned_mut(pcm, capacity, "pcm") }?;
        let n = handles::with_aac_decoder(decoder, |d| d.decode(packet, pcm))??;
        Ok(c_buffer::count_to_status(n))
    })
}

/// Starts capturing from a device of `kind` (0 camera, 1 microphone, 2 screen) named by the
/// `device_len` UTF-8 bytes at `device` (empty: the default device, or `$DISPLAY`), with `count`
/// `u32` settings `[width, height, fps_millis, pixel_format, x, y, sample_rate, channels,
/// payload_offset]`. Frames go into slots of `pool`, announced on the ring whose producer handle
/// is `producer`; the capture takes that handle over (it is freed from the table whatever the
/// outcome). Writes the capture's handle to `out` and returns 0 (ABI 3).
///
/// # Safety
///
/// `device` must be readable for `device_len` bytes, `settings` for `count` `u32`s, and `out`
/// writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_capture_open(
    kind: u32,
    device: *const u8,
    device_len: u32,
    settings: *const u32,
    count: u32,
    pool: u32,
    producer: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let kind = DeviceKind::from_code(kind)?;
        // SAFETY: `device` is readable for `device_len` bytes (caller contract).
        let device = unsafe { c_buffer::text(device, device_len, "device") }?;
        // SAFETY: `settings` is readable for `count` u32s (caller contract).
        let values = unsafe { c_buffer::read_all(settings, count, "settings") }?;
        let settings = CaptureSettings::from_abi(&values)?;
        let pool = registry::pool_arc(pool)?;
        let producer = registry::take_producer(producer, "sl_capture_open")?;
        let sink = CaptureSink::new(
            pool,
            producer,
            settings.payload_offset,
            CaptureShared::new(),
        );
        let capture = match kind {
            DeviceKind::Screen => platform::open_screen(device, &settings, sink),
            DeviceKind::Camera => platform::open_camera(device, &settings, sink),
            DeviceKind::Microphone => platform::open_microphone(device, &settings, sink),
        }?;
        let handle = handles::insert_capture(capture)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Stops a capture (waiting for its thread) and frees its handle. Returns 0 (ABI 3).
#[unsafe(no_mangle)]
pub extern "C" fn sl_capture_stop(capture: u32) -> i32 {
    guarded_status(|| handles::remove_capture(capture).map(|()| 0))
}

/// Fills `out` with `[captured, dropped, width, height, format, running, failure_status,
/// sample_rate, channels]`. Returns 0 (ABI 3).
///
/// # Safety
///
/// `out` must be writable for nine `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_capture_stats(capture: u32, out: *mut f64) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        let stats = handles::with_capture(capture, |c| c.shared().to_array())?;
        // SAFETY: `out` is non-null and writable for nine f64s (caller contract).
        unsafe { c_buffer::write_all(out, &stats) };
        Ok(0)
    })
}

/// Copies the message of the failure that stopped a capture by itself to `buf` as far as it fits
/// and returns its full length; 0 while it has not failed (ABI 3).
///
/// # Safety
///
/// `buf` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_capture_failure(capture: u32, buf: *mut u8, cap: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: `buf` is writable for `cap` bytes (caller contract).
        let buf = unsafe { c_buffer::bytes_mut(buf, cap, "buf") }?;
        let failure = handles::with_capture(capture, |c| c.shared().failure())?;
        Ok(failure.map_or(0, |error| {
            c_buffer::copy_truncated(error.to_string().as_bytes(), buf)
        }))
    })
}

/// Lists the devices of `kind` (0 camera, 1 microphone, 2 screen; screens of the X display named
/// by the `display_len` bytes at `display`, empty for `$DISPLAY`) as a JSON array, copied to `buf`
/// as far as it fits; returns the full length (call again with a bigger buffer if it exceeds
/// `cap`) (ABI 3).
///
/// # Safety
///
/// `display` must be readable for `display_len` bytes and `buf` writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_capture_list_devices(
    kind: u32,
    display: *const u8,
    display_len: u32,
    buf: *mut u8,
    cap: u32,
) -> i32 {
    guarded_status(|| {
        let kind = DeviceKind::from_code(kind)?;
        // SAFETY: `display` is readable for `display_len` bytes (caller contract).
        let display = unsafe { c_buffer::text(display, display_len, "display") }?;
        // SAFETY: `buf` is writable for `cap` bytes (caller contract).
        let buf = unsafe { c_buffer::bytes_mut(buf, cap, "buf") }?;
        let json = devices_to_json(&platform::list_devices(kind, display)?);
        Ok(c_buffer::copy_truncated(json.as_bytes(), buf))
    })
}

/// The OS this library was built for, as error messages name it: 1 linux, 2 macos, 0 other (ABI 3;
/// also 0 if it ever panicked).
#[unsafe(no_mangle)]
pub extern "C" fn sl_platform() -> u32 {
    guarded(|| {
        Ok(match platform::OS {
            "linux" => 1,
            "macos" => 2,
            _ => 0,
        })
    })
    .unwrap_or(0)
}

/// Copies what this build contains, a JSON object (UTF-8, not NUL-terminated; see
/// [`crate::build_info::build_info_json`]), into `buf` and returns its full length in bytes,
/// which may exceed `cap` (the copy is then truncated); 0 if it ever panicked. A null `buf` is
/// treated as `cap == 0` (ABI 6).
///
/// # Safety
///
/// A non-null `buf` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_build_info(buf: *mut u8, cap: u32) -> u32 {
    let length = guarded(|| {
        let info = crate::build_info::build_info_json();
        if !buf.is_null() {
            let n = info.len().min(cap as usize);
            // SAFETY: non-null and writable for `cap >= n` bytes (caller contract); `info` is a
            // fresh String, so the two do not overlap.
            unsafe { ptr::copy_nonoverlapping(info.as_ptr(), buf, n) };
        }
        Ok(info.len())
    });
    length.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------------------------------------
// Native plugins (ABI 4): see `docs/plugins.md` and the `streamlib_plugin` crate.

/// Loads the native plugin at the UTF-8 path `path` (`len` bytes), checks its plugin ABI version
/// and writes its handle to `out`. Returns 0; `SL_ERR_PLUGIN` when the file cannot be loaded or
/// is not a plugin, `SL_ERR_PLUGIN_ABI` when it was built for another plugin ABI (ABI 4).
///
/// # Safety
///
/// `path` must be readable for `len` bytes; `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_load(path: *const u8, len: u32, out: *mut u32) -> i32 {
    plugin::guarded_plugin(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `path` is readable for `len` bytes (caller contract).
        let path = unsafe { c_buffer::text(path, len, "path") }?;
        let handle = plugin::load(path)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Copies the plugin's description, JSON `{"name", "version", "abi", "path", "processors":
/// [<descriptor>...]}`, into `buf` as far as it fits and returns its full length (ABI 4).
///
/// # Safety
///
/// A non-null `buf` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_describe(plugin: u32, buf: *mut u8, cap: u32) -> i32 {
    plugin::guarded_plugin(|| {
        let json = plugin::with_plugin(plugin, |library| library.describe())?;
        // SAFETY: a non-null `buf` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(buf, cap, "buf") }?;
        Ok(c_buffer::copy_truncated(json.as_bytes(), out))
    })
}

/// Frees a plugin handle; the library stays loaded while nodes of it live. Returns 0 (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_free(plugin: u32) -> i32 {
    plugin::guarded_plugin(|| plugin::free(plugin).map(|()| 0))
}

/// Creates a node of processor `index` of `plugin` (no instance yet: see
/// [`sl_plugin_node_setup`]) and writes its handle to `out`. Returns 0 (ABI 4).
///
/// # Safety
///
/// `out` must be writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_create(plugin: u32, index: u32, out: *mut u32) -> i32 {
    plugin::guarded_plugin(|| {
        c_buffer::non_null(out, "out")?;
        let node = plugin::create_node(plugin, index)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[node]) };
        Ok(0)
    })
}

/// Stops a node, destroys its instance, closes its connection ends and frees it. Returns 0
/// (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_free(node: u32) -> i32 {
    plugin::guarded_plugin(|| plugin::free_node(node).map(|()| 0))
}

/// Binds one end of a native connection to a port of a node, which takes over the ring endpoint
/// (its handle is freed): `direction` 0 binds consumer `endpoint` to input `port`, 1 binds
/// producer `endpoint` to output `port`. `pool` is the connection's frame pool; `state` points at
/// the connection's shared state (`ffi/transport/connection_shared_state.ts`), which must stay valid until
/// the binding is removed. Returns the binding's id (ABI 4).
///
/// # Safety
///
/// `state` must be 8-byte aligned, point at the connection's shared state, and outlive the
/// binding.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_bind(
    node: u32,
    direction: u32,
    port: u32,
    endpoint: u32,
    pool: u32,
    state: *mut u8,
) -> i32 {
    plugin::guarded_plugin(|| {
        c_buffer::non_null(state, "state")?;
        if state.align_offset(8) != 0 {
            return Err(ErrorKind::Misaligned {
                param: "state",
                align: 8,
            }
            .into());
        }
        let pool = registry::pool_arc(pool)?;
        plugin::with_node(node, |n| {
            // SAFETY: aligned, non-null, the connection's state, outliving the binding (caller
            // contract).
            let shared = unsafe { plugin::shared_state::SharedState::new(state) };
            let id = match direction {
                0 => {
                    let consumer = registry::take_consumer(endpoint, "sl_plugin_node_bind")?;
                    n.bind_input(port, |id| {
                        plugin::ports::InputBinding::new(id, consumer, pool, shared)
                    })?
                }
                1 => {
                    let producer = registry::take_producer(endpoint, "sl_plugin_node_bind")?;
                    n.bind_output(port, |id| {
                        plugin::ports::OutputBinding::new(id, producer, pool, shared)
                    })?
                }
                value => {
                    return Err(ErrorKind::UnknownCode {
                        what: "binding direction",
                        value,
                        valid: "0 (input) or 1 (output)",
                    }
                    .into());
                }
            };
            Ok(c_buffer::count_to_status(id as usize))
        })
    })
}

/// Removes binding `binding` of a node and closes that connection end: 1 if it existed, else 0
/// (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_unbind(node: u32, binding: u32) -> i32 {
    plugin::guarded_plugin(|| plugin::with_node(node, |n| Ok(i32::from(n.unbind(binding)))))
}

/// Creates the node's instance from `config` (UTF-8 JSON, `len` bytes) by calling the plugin's
/// `create`. Returns 0; `SL_ERR_PLUGIN` with the plugin's message when it refuses (ABI 4).
///
/// # Safety
///
/// `config` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_setup(node: u32, config: *const u8, len: u32) -> i32 {
    plugin::guarded_plugin(|| {
        // SAFETY: readable for `len` bytes (caller contract).
        let config = unsafe { c_buffer::bytes(config, len, "config") }?;
        plugin::with_node(node, |n| n.setup(config).map(|()| 0))
    })
}

/// Starts the node's thread (once) and runs it (`paused` 0) or pauses it (1). Returns 0 (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_run(node: u32, paused: u32) -> i32 {
    plugin::guarded_plugin(|| plugin::with_node(node, |n| n.run(paused != 0).map(|()| 0)))
}

/// Stops the node's thread, waiting for a `process` in flight; the instance stays. Returns 0
/// (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_halt(node: u32) -> i32 {
    plugin::guarded_plugin(|| {
        plugin::with_node(node, |n| {
            n.halt();
            Ok(0)
        })
    })
}

/// Stops the node's thread and destroys its instance. Returns 0 (ABI 4).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_teardown(node: u32) -> i32 {
    plugin::guarded_plugin(|| {
        plugin::with_node(node, |n| {
            n.teardown();
            Ok(0)
        })
    })
}

/// Fills `out` with `[state, calls, frames_in, frames_out, errors, count, p50_ns, p99_ns, max_ns,
/// mean_ns, queued]`; state 0 stopped, 1 ready, 2 running, 3 paused, 4 failed. Returns 0 (ABI 4).
///
/// # Safety
///
/// `out` must be writable for eleven `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_stats(node: u32, out: *mut f64) -> i32 {
    plugin::guarded_plugin(|| {
        c_buffer::non_null(out, "out")?;
        let stats = plugin::with_node(node, |n| Ok(n.stats()))?;
        // SAFETY: `out` is non-null and writable for eleven f64s (caller contract).
        unsafe { c_buffer::write_all(out, &stats) };
        Ok(0)
    })
}

/// Fills `out` with `[frames_dropped, blocked_runs]`: the frames the plugin said it dropped
/// (plugin ABI 2's `ProcessCall::dropped`), and the times the node waited for a full `fifo`
/// output with work to do (once per wait). Returns 0. A new export in ABI 9 (no bump).
///
/// # Safety
///
/// `out` must be writable for two `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_counters(node: u32, out: *mut f64) -> i32 {
    plugin::guarded_plugin(|| {
        c_buffer::non_null(out, "out")?;
        let counters = plugin::with_node(node, |n| Ok(n.counters()))?;
        // SAFETY: `out` is non-null and writable for two f64s (caller contract).
        unsafe { c_buffer::write_all(out, &counters) };
        Ok(0)
    })
}

/// Copies why the node failed (UTF-8) into `buf` as far as it fits and returns its full length;
/// 0 while it has not failed (ABI 4).
///
/// # Safety
///
/// A non-null `buf` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_failure(node: u32, buf: *mut u8, cap: u32) -> i32 {
    plugin::guarded_plugin(|| {
        let failure = plugin::with_node(node, |n| Ok(n.failure()))?.unwrap_or_default();
        // SAFETY: a non-null `buf` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(buf, cap, "buf") }?;
        Ok(c_buffer::copy_truncated(failure.as_bytes(), out))
    })
}

/// Probes output `port` of a node: its thread takes a reference to the next frame it writes in
/// pool `pool` (an output without connections writes into `pool` while asked), for
/// [`sl_plugin_node_probe_take`]. Call again after each take for the next sample. Returns 0
/// (ABI 8).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_probe(node: u32, port: u32, pool: u32) -> i32 {
    plugin::guarded_plugin(|| {
        let pool = registry::pool_arc(pool)?;
        plugin::with_node(node, |n| n.probe(port, pool).map(|()| 0))
    })
}

/// Takes the frame output `port` sampled since [`sl_plugin_node_probe`]: writes its message to
/// `out` and returns 1 (the caller now owns the slot reference and releases it in the probe's
/// pool), or returns 0 when no frame was written since. Never waits for the node's thread (ABI 8).
///
/// # Safety
///
/// `out` must be writable for one 32-byte message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_plugin_node_probe_take(node: u32, port: u32, out: *mut u8) -> i32 {
    plugin::guarded_plugin(|| {
        // SAFETY: writable for 32 bytes and not aliased during the call (caller contract).
        let out = unsafe { c_buffer::message_mut(out, "out") }?;
        match plugin::with_node(node, |n| n.probe_take(port))? {
            Some(message) => {
                *out = message.to_bytes();
                Ok(1)
            }
            None => Ok(0),
        }
    })
}

/// Stops probing output `port` of a node and releases a frame it sampled and nobody took.
/// Returns 0 (ABI 8).
#[unsafe(no_mangle)]
pub extern "C" fn sl_plugin_node_unprobe(node: u32, port: u32) -> i32 {
    plugin::guarded_plugin(|| plugin::with_node(node, |n| n.unprobe(port).map(|()| 0)))
}

// --- Network endpoints (SRT, RTMP, RTSP): src/net/, docs/network.md ---

/// Starts a network sink of `kind` (0 SRT, 1 RTMP) configured by the UTF-8 JSON `settings` and
/// writes its handle to `out`; its thread connects (or listens) and reconnects by itself (ABI 6).
///
/// # Safety
///
/// `settings` must be readable for `length` bytes; `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_net_sink_create(
    kind: u32,
    settings: *const u8,
    length: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `settings` is readable for `length` bytes (caller contract).
        let json = unsafe { c_buffer::bytes(settings, length, "settings") }?;
        let handle =
            crate::net::handles::insert(crate::net::handles::NetEndpoint::sink(kind, json)?)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Starts a network source of `kind` (0 SRT, 2 RTSP) configured by the UTF-8 JSON `settings` and writes
/// its handle to `out` (ABI 6).
///
/// # Safety
///
/// `settings` must be readable for `length` bytes; `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_net_source_create(
    kind: u32,
    settings: *const u8,
    length: u32,
    out: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: `settings` is readable for `length` bytes (caller contract).
        let json = unsafe { c_buffer::bytes(settings, length, "settings") }?;
        let endpoint = crate::net::handles::NetEndpoint::source(kind, json)?;
        let handle = crate::net::handles::insert(endpoint)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(0)
    })
}

/// Queues one H.264 access unit (Annex B) or audio packet on a sink without blocking; returns 1,
/// or 0 when the full queue dropped its oldest access unit to make room (ABI 6). `flags`: 1 a
/// keyframe, 2 an audio packet: Opus for an SRT sink created with `audioChannels` (muxed into its
/// audio stream), an FLV AAC `AUDIODATA` body for an RTMP sink (`net/flv_audio.rs`); 4 (with 2)
/// the audio stream's configuration, an RTMP sink's AAC sequence header: kept beside the queue,
/// never dropped, and sent before the first audio packet of every publish and before the first
/// packet pushed after it changed (each audio packet carries the configuration set when it was
/// pushed) (returns 1).
///
/// # Safety
///
/// `data` must be readable for `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_net_sink_push(
    sink: u32,
    data: *const u8,
    length: u32,
    timestamp_ns: f64,
    flags: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: `data` is readable for `length` bytes (caller contract).
        let bytes = unsafe { c_buffer::bytes(data, length, "data") }?;
        let audio = flags & 2 != 0;
        if audio && flags & 4 != 0 {
            return crate::net::handles::with(sink, true, "sl_net_sink_push", |e| {
                e.shared.set_audio_config(bytes);
                1
            });
        }
        let item = crate::net::sink_shared::AccessUnitItem {
            data: bytes.to_vec(),
            timestamp_ns: timestamp_ns as i64,
            keyframe: flags & 1 != 0 && !audio,
            new_stream: false,
            audio,
            h265: false,
            aac: false,
            audio_config: None,
        };
        crate::net::handles::with(sink, true, "sl_net_sink_push", |e| {
            i32::from(e.shared.push(e.shared.with_audio_config(item)))
        })
    })
}

/// Copies the next received access unit into `out` and its presentation time (ns) and flags
/// into `info[0..2]` (flags: 1 a keyframe, 2 the first access unit of a new stream, whose
/// timestamps need not follow the previous one's, 4 audio: an Opus packet (SRT) or decoded PCM
/// (RTSP), 8 an H.265 access unit, 16 audio that is an ADTS frame (AAC, SRT) rather than an Opus
/// packet); returns its length, or 0 when none is waiting
/// (ABI 6). Access units larger than `cap` are dropped (counted in `framesDropped`) and the next
/// one is taken.
///
/// # Safety
///
/// `out` must be writable for `cap` bytes; `info` for two `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_net_source_read(
    source: u32,
    out: *mut u8,
    cap: u32,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(info, "info")?;
        // SAFETY: `out` is writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let capacity = out.len();
        let unit = crate::net::handles::with(source, false, "sl_net_source_read", |e| {
            while let Some(unit) = e.next_unit() {
                if unit.data.len() <= capacity {
                    return Some(unit);
                }
                e.shared
                    .add(crate::net::sink_shared::stat::FRAMES_DROPPED, 1);
            }
            None
        })?;
        let Some(unit) = unit else { return Ok(0) };
        out[..unit.data.len()].copy_from_slice(&unit.data);
        let flags = u8::from(unit.keyframe)
            | (u8::from(unit.new_stream) << 1)
            | (u8::from(unit.audio) << 2)
            | (u8::from(unit.h265) << 3)
            | (u8::from(unit.aac) << 4);
        let meta = [unit.timestamp_ns as f64, f64::from(flags)];
        // SAFETY: `info` is non-null and writable for two f64s (caller contract).
        unsafe { c_buffer::write_all(info, &meta) };
        Ok(c_buffer::count_to_status(unit.data.len()))
    })
}

/// Writes up to `cap` counters of a network endpoint to `out` (see `net::sink_shared::stat`)
/// and returns how many (ABI 6).
///
/// # Safety
///
/// `out` must be writable for `cap` `f64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_net_stats(endpoint: u32, out: *mut f64, cap: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: `out` is writable for `cap` f64s (caller contract).
        let out = unsafe { c_buffer::aligned_mut(out, cap, "out") }?;
        let stats = crate::net::handles::with_any(endpoint, |e| e.shared.snapshot())?;
        let n = out.len().min(stats.len());
        out[..n].copy_from_slice(&stats[..n]);
        Ok(c_buffer::count_to_status(n))
    })
}

/// Stops a network endpoint's thread and joins it: a sink sends what is queued, then closes its
/// connection. Its counters stay readable until `sl_net_free`. Idempotent (ABI 6).
#[unsafe(no_mangle)]
pub extern "C" fn sl_net_close(endpoint: u32) -> i32 {
    guarded_status(|| crate::net::handles::with_any(endpoint, |e| e.stop()).map(|()| 0))
}

/// Stops a network endpoint (closing its connection), joins its thread and frees the handle
/// (ABI 6).
#[unsafe(no_mangle)]
pub extern "C" fn sl_net_free(endpoint: u32) -> i32 {
    guarded_status(|| crate::net::handles::remove(endpoint).map(|()| 0))
}
