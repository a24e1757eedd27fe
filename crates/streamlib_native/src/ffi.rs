//! Every `extern "C"` entry point of `libstreamlib_native`, and nothing else.
//!
//! This file is the Rust side of `docs/native_abi.md` and is mirrored by `ffi/symbols.ts`. Each
//! function runs its body through [`guarded_status`] / [`guarded`], so a panic becomes
//! `SL_ERR_PANIC` instead of crossing into Deno, and any failure leaves its message for
//! [`sl_last_error`] on the calling thread. Pointer parameters are caller-owned buffers of any
//! alignment; null ones are refused with `SL_ERR_INVALID_ARGUMENT` (except where a zero count
//! makes the buffer unused).

use std::ptr;

use crate::panic_guard::{guarded, guarded_status};
use crate::status::{Error, ErrorKind};
use crate::{ABI_VERSION, c_buffer, last_error, registry};

/// Returns the ABI version this library implements ([`ABI_VERSION`]).
#[unsafe(no_mangle)]
pub extern "C" fn sl_abi_version() -> u32 {
    ABI_VERSION
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
    guarded_status(|| {
        // SAFETY: `msg` is readable for 32 bytes (caller contract); null is checked inside.
        let message = unsafe { c_buffer::message(msg, "msg") }?;
        registry::with_producer(producer, "sl_ring_push", |p| {
            c_buffer::count_to_status(p.push_bytes(std::slice::from_ref(message)))
        })
    })
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
    guarded_status(|| {
        // SAFETY: `out` is writable for 32 bytes (caller contract); null is checked inside.
        let out = unsafe { c_buffer::message_mut(out, "out") }?;
        registry::with_consumer(consumer, "sl_ring_pop", |c| {
            c_buffer::count_to_status(c.pop_bytes(std::slice::from_mut(out)))
        })
    })
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

/// Adds a reference to `slot`; returns the new count.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_retain(pool: u32, slot: u32) -> i32 {
    guarded_status(|| {
        let count = registry::with_pool(pool, |p| p.retain(slot))??;
        Ok(count as i32)
    })
}

/// Drops a reference to `slot`; returns the remaining count. At 0 the slot goes back to the pool.
/// Releasing a free or stale slot is `SL_ERR_INVALID_HANDLE`.
#[unsafe(no_mangle)]
pub extern "C" fn sl_pool_release(pool: u32, slot: u32) -> i32 {
    guarded_status(|| {
        let count = registry::with_pool(pool, |p| p.release(slot))??;
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
