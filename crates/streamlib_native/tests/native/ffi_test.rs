//! Calls the `extern "C"` functions exactly as Deno does: raw pointers into caller buffers of any
//! alignment, handles as `u32`, status codes as `i32`, messages through `sl_last_error`.

use std::ptr;

use streamlib_native::ffi::*;
use streamlib_native::message::FrameMessage;
use streamlib_native::panic_guard::guarded_status;

const OK: i32 = 0;
const INVALID_ARGUMENT: i32 = -1;
const INVALID_HANDLE: i32 = -2;
const POOL_EXHAUSTED: i32 = -3;
const PANIC: i32 = -5;
const WRONG_ENDPOINT: i32 = -6;
const UNSUPPORTED: i32 = -9;

const FIFO: u32 = 0;
const LATEST: u32 = 1;

fn last_error() -> String {
    // SAFETY: a null buffer with capacity 0 is allowed; it only asks for the length.
    let length = unsafe { sl_last_error(ptr::null_mut(), 0) };
    let mut buf = vec![0u8; length as usize];
    // SAFETY: `buf` is writable for its length.
    let copied = unsafe { sl_last_error(buf.as_mut_ptr(), length) };
    assert_eq!(copied, length);
    String::from_utf8(buf).unwrap()
}

fn create_ring(capacity: u32, policy: u32) -> (u32, u32) {
    let mut out = [0u32; 2];
    assert_eq!(
        // SAFETY: `out` holds two u32s.
        unsafe { sl_ring_create(capacity, policy, out.as_mut_ptr()) },
        OK,
        "{}",
        last_error()
    );
    (out[0], out[1])
}

fn message(sequence: u32) -> FrameMessage {
    FrameMessage {
        slot: 0xFFFF_FFFF,
        format: 7,
        byte_length: sequence * 2,
        flags: 1,
        timestamp_ns: f64::from(sequence) * 1e6,
        sequence: f64::from(sequence),
    }
}

/// Messages laid out at an odd offset, as a `Uint8Array` view may be.
fn unaligned_batch(sequences: std::ops::Range<u32>) -> Vec<u8> {
    let mut bytes = vec![0xEE];
    for sequence in sequences {
        bytes.extend_from_slice(&message(sequence).to_bytes());
    }
    bytes
}

fn push(producer: u32, sequence: u32) -> i32 {
    let bytes = message(sequence).to_bytes();
    // SAFETY: `bytes` is 32 readable bytes.
    unsafe { sl_ring_push(producer, bytes.as_ptr()) }
}

fn pop(consumer: u32) -> Option<FrameMessage> {
    let mut out = [0u8; 32];
    // SAFETY: `out` is 32 writable bytes.
    match unsafe { sl_ring_pop(consumer, out.as_mut_ptr()) } {
        1 => Some(FrameMessage::from_bytes(&out)),
        0 => None,
        status => panic!("sl_ring_pop returned {status}: {}", last_error()),
    }
}

fn ring_stats(endpoint: u32) -> [f64; 8] {
    let mut out = [0f64; 8];
    // SAFETY: `out` holds eight f64s.
    assert_eq!(unsafe { sl_ring_stats(endpoint, out.as_mut_ptr()) }, OK);
    out
}

fn create_pool(slot_bytes: u32, slot_count: u32) -> u32 {
    let mut out = 0u32;
    assert_eq!(
        // SAFETY: `out` is one writable u32.
        unsafe { sl_pool_create(slot_bytes, slot_count, &mut out) },
        OK,
        "{}",
        last_error()
    );
    out
}

fn pool_stats(pool: u32) -> [f64; 6] {
    let mut out = [0f64; 6];
    // SAFETY: `out` holds six f64s.
    assert_eq!(unsafe { sl_pool_stats(pool, out.as_mut_ptr()) }, OK);
    out
}

#[test]
fn sl_abi_version_is_9() {
    assert_eq!(sl_abi_version(), 9);
    assert_eq!(sl_abi_version(), streamlib_native::ABI_VERSION);
}

#[test]
fn sl_ring_create_rejects_bad_capacity_policy_and_null_out() {
    let mut out = [0u32; 2];
    for capacity in [0, 16_777_217] {
        assert_eq!(
            // SAFETY: `out` holds two u32s.
            unsafe { sl_ring_create(capacity, FIFO, out.as_mut_ptr()) },
            INVALID_ARGUMENT
        );
        assert_eq!(
            last_error(),
            format!("Invalid ring capacity: {capacity}, valid range 1..=16777216")
        );
    }
    assert_eq!(
        // SAFETY: as above.
        unsafe { sl_ring_create(8, 2, out.as_mut_ptr()) },
        INVALID_ARGUMENT
    );
    assert_eq!(
        last_error(),
        "Invalid ring policy: 2, valid policies: 0 (fifo), 1 (latest)"
    );
    assert_eq!(
        // SAFETY: a null `out` is refused before anything is written.
        unsafe { sl_ring_create(8, FIFO, ptr::null_mut()) },
        INVALID_ARGUMENT
    );
    assert_eq!(last_error(), "Invalid argument: 'out' is a null pointer");
    assert_eq!(out, [0, 0]);
}

#[test]
fn fifo_push_pop_round_trips_and_reports_full() {
    let (producer, consumer) = create_ring(2, FIFO);
    assert_ne!(producer, consumer);
    assert_eq!(pop(consumer), None);
    assert_eq!(
        (push(producer, 1), push(producer, 2), push(producer, 3)),
        (1, 1, 0)
    );
    assert_eq!((sl_ring_slots(producer), sl_ring_slots(consumer)), (0, 2));
    assert_eq!(pop(consumer), Some(message(1)));
    assert_eq!(pop(consumer), Some(message(2)));
    assert_eq!(pop(consumer), None);
    assert_eq!(
        ring_stats(producer),
        [2.0, 0.0, 2.0, 2.0, 0.0, 1.0, 0.0, 0.0]
    );
    assert_eq!((sl_ring_free(producer), sl_ring_free(consumer)), (OK, OK));
}

#[test]
fn batches_cross_the_abi_from_unaligned_buffers() {
    let (producer, consumer) = create_ring(8, FIFO);
    let batch = unaligned_batch(0..10);
    assert_eq!(
        // SAFETY: `batch[1..]` holds ten 32-byte messages.
        unsafe { sl_ring_push_batch(producer, batch.as_ptr().add(1), 10) },
        8
    );
    let mut out = vec![0u8; 1 + 16 * 32];
    assert_eq!(
        // SAFETY: `out[1..]` has room for 16 messages.
        unsafe { sl_ring_pop_batch(consumer, out.as_mut_ptr().add(1), 16) },
        8
    );
    assert_eq!(out[1..1 + 8 * 32], batch[1..1 + 8 * 32]);
    let stats = ring_stats(consumer);
    assert_eq!((stats[2], stats[3], stats[5]), (8.0, 8.0, 2.0));
    // Zero counts need no buffer at all.
    // SAFETY: count 0 never touches the pointer.
    unsafe {
        assert_eq!(sl_ring_push_batch(producer, ptr::null(), 0), 0);
        assert_eq!(sl_ring_pop_batch(consumer, ptr::null_mut(), 0), 0);
        assert_eq!(
            sl_ring_push_batch(producer, ptr::null(), 1),
            INVALID_ARGUMENT
        );
        assert_eq!(last_error(), "Invalid argument: 'msgs' is a null pointer");
        assert_eq!(
            sl_ring_pop_batch(consumer, ptr::null_mut(), 1),
            INVALID_ARGUMENT
        );
        assert_eq!(sl_ring_push(producer, ptr::null()), INVALID_ARGUMENT);
        assert_eq!(sl_ring_pop(consumer, ptr::null_mut()), INVALID_ARGUMENT);
        assert_eq!(
            sl_ring_pop_latest(consumer, ptr::null_mut()),
            INVALID_ARGUMENT
        );
        assert_eq!(sl_ring_stats(consumer, ptr::null_mut()), INVALID_ARGUMENT);
    }
    sl_ring_free(producer);
    sl_ring_free(consumer);
}

#[test]
fn latest_rolls_off_the_oldest_and_pop_latest_takes_the_newest() {
    let (producer, consumer) = create_ring(4, LATEST);
    let batch = unaligned_batch(0..10);
    assert_eq!(
        // SAFETY: `batch[1..]` holds ten messages.
        unsafe { sl_ring_push_batch(producer, batch.as_ptr().add(1), 10) },
        10
    );
    assert_eq!((sl_ring_slots(producer), sl_ring_slots(consumer)), (0, 4));
    assert_eq!(pop(consumer), Some(message(6)));
    assert_eq!(push(producer, 10), 1);
    let mut out = [0u8; 32];
    // SAFETY: `out` is 32 writable bytes.
    assert_eq!(unsafe { sl_ring_pop_latest(consumer, out.as_mut_ptr()) }, 1);
    assert_eq!(FrameMessage::from_bytes(&out), message(10));
    // SAFETY: as above.
    assert_eq!(unsafe { sl_ring_pop_latest(consumer, out.as_mut_ptr()) }, 0);
    // [capacity, queued, written, read, dropped, full_rejections, policy, abandoned]
    assert_eq!(
        ring_stats(producer),
        [4.0, 0.0, 11.0, 2.0, 9.0, 0.0, 1.0, 0.0]
    );
    sl_ring_free(producer);
    sl_ring_free(consumer);
}

/// `sl_ring_push_evict` of `count` messages from `unaligned_batch(sequences)`; returns the
/// status and the evicted messages.
fn push_evict(producer: u32, sequences: std::ops::Range<u32>) -> (i32, Vec<FrameMessage>) {
    let count = sequences.len() as u32;
    let batch = unaligned_batch(sequences);
    let mut evicted = vec![0u8; 1 + count as usize * 32];
    // SAFETY: `batch[1..]` holds `count` messages and `evicted[1..]` has room for as many; the
    // two buffers are distinct.
    let status = unsafe {
        sl_ring_push_evict(
            producer,
            batch.as_ptr().add(1),
            count,
            evicted.as_mut_ptr().add(1),
        )
    };
    let messages = evicted[1..]
        .chunks_exact(32)
        .take(status.max(0) as usize)
        .map(|bytes| FrameMessage::from_bytes(bytes.try_into().unwrap()))
        .collect();
    (status, messages)
}

#[test]
fn sl_ring_push_evict_hands_back_the_oldest_unread_messages_in_order() {
    let (producer, consumer) = create_ring(4, LATEST);
    assert_eq!(push_evict(producer, 0..3), (0, vec![]));
    assert_eq!(pop(consumer), Some(message(0)));
    // Ring: 1, 2. Pushing 3..9 rolls off 1, 2 (unread) and 3, 4 (of this very batch).
    let (status, evicted) = push_evict(producer, 3..9);
    assert_eq!(status, 4);
    assert_eq!(evicted, [1, 2, 3, 4].map(message));
    assert_eq!(
        (pop(consumer), pop(consumer)),
        (Some(message(5)), Some(message(6)))
    );
    // [capacity, queued, written, read, dropped, full_rejections, policy, abandoned]
    assert_eq!(
        ring_stats(producer),
        [4.0, 2.0, 9.0, 3.0, 4.0, 0.0, 1.0, 0.0]
    );
    assert_eq!(ring_stats(consumer), ring_stats(producer));
    // Zero messages need no buffers.
    // SAFETY: count 0 never touches the pointers.
    let status = unsafe { sl_ring_push_evict(producer, ptr::null(), 0, ptr::null_mut()) };
    assert_eq!(status, 0);
    sl_ring_free(producer);
    sl_ring_free(consumer);
}

#[test]
fn sl_ring_push_evict_refuses_fifo_rings_null_buffers_and_consumers() {
    let (producer, consumer) = create_ring(4, FIFO);
    assert_eq!(push_evict(producer, 0..2), (INVALID_ARGUMENT, vec![]));
    assert_eq!(
        last_error(),
        "Invalid ring for sl_ring_push_evict: fifo rings never evict, use sl_ring_push_batch"
    );
    assert_eq!(ring_stats(producer)[2], 0.0, "nothing was written");
    assert_eq!(push_evict(consumer, 0..1).0, WRONG_ENDPOINT);
    assert!(last_error().contains("Wrong endpoint for sl_ring_push_evict"));
    let message = message(0).to_bytes();
    // SAFETY: the null buffer is refused before anything is read or written.
    unsafe {
        assert_eq!(
            sl_ring_push_evict(producer, message.as_ptr(), 1, ptr::null_mut()),
            INVALID_ARGUMENT
        );
        assert_eq!(
            last_error(),
            "Invalid argument: 'evicted' is a null pointer"
        );
        assert_eq!(
            sl_ring_push_evict(producer, message.as_ptr(), 1 << 31, ptr::null_mut()),
            INVALID_ARGUMENT
        );
        assert!(last_error().starts_with("Invalid batch count: 2147483648"));
    }
    sl_ring_free(producer);
    sl_ring_free(consumer);
}

/// Frames travel with pool slots through a small `latest` ring while the consumer lags: every
/// slot comes back, read by the consumer or evicted to the producer, so the pool never runs dry.
#[test]
fn sl_ring_push_evict_returns_every_pool_slot() {
    const FRAMES: u32 = 20_000;
    let pool = create_pool(64, 8);
    let mut worker_pool = 0u32;
    // SAFETY: `worker_pool` is one writable u32.
    assert_eq!(unsafe { sl_pool_attach(pool, &mut worker_pool) }, OK);
    let (producer, consumer) = create_ring(4, LATEST);
    let worker = std::thread::spawn(move || {
        let mut evicted = [0u8; 32];
        let mut evicted_count = 0u32;
        for sequence in 0..FRAMES {
            let slot = loop {
                let slot = sl_pool_acquire(worker_pool);
                if slot != POOL_EXHAUSTED {
                    break slot;
                }
                std::thread::yield_now();
            };
            assert!(slot >= 0, "{}", last_error());
            let bytes = FrameMessage {
                slot: slot as u32,
                ..message(sequence)
            }
            .to_bytes();
            // SAFETY: `bytes` is one message and `evicted` has room for one.
            let n =
                unsafe { sl_ring_push_evict(producer, bytes.as_ptr(), 1, evicted.as_mut_ptr()) };
            assert!((0..=1).contains(&n), "{}", last_error());
            if n == 1 {
                assert_eq!(
                    sl_pool_release(worker_pool, FrameMessage::from_bytes(&evicted).slot),
                    0
                );
                evicted_count += 1;
            }
        }
        sl_ring_free(producer);
        sl_pool_free(worker_pool);
        evicted_count
    });
    let mut read = 0u32;
    loop {
        let abandoned = sl_ring_is_abandoned(consumer) == 1;
        match pop(consumer) {
            Some(frame) => {
                assert_eq!(sl_pool_release(pool, frame.slot), 0);
                read += 1;
                if read % 3 == 0 {
                    std::thread::yield_now(); // lag behind now and then
                }
            }
            None if abandoned => break,
            None => std::thread::yield_now(),
        }
    }
    let evicted = worker.join().unwrap();
    assert_eq!(read + evicted, FRAMES);
    // [slot_bytes, slot_stride, slot_count, in_use, acquired_total, exhausted_total]
    assert_eq!(pool_stats(pool)[3..5], [0.0, f64::from(FRAMES)]);
    let stats = ring_stats(consumer);
    assert_eq!(
        (stats[2], stats[3], stats[4]),
        (f64::from(FRAMES), f64::from(read), f64::from(evicted))
    );
    sl_ring_free(consumer);
    sl_pool_free(pool);
}

fn push_retain(producer: u32, pool: u32, slot: u32) -> i32 {
    let bytes = FrameMessage {
        slot,
        ..message(slot)
    }
    .to_bytes();
    // SAFETY: `bytes` is one 32-byte message.
    unsafe { sl_ring_push_retain(producer, pool, bytes.as_ptr()) }
}

#[test]
fn sl_ring_push_retain_takes_the_reference_only_for_a_written_message() {
    let pool = create_pool(64, 2);
    let (producer, consumer) = create_ring(1, FIFO);
    let slot = sl_pool_acquire(pool) as u32;
    assert_eq!(push_retain(producer, pool, slot), 1);
    assert_eq!(sl_pool_refcount(pool, slot), 2);
    // Full: nothing written, the reference dropped again.
    assert_eq!(push_retain(producer, pool, slot), 0);
    assert_eq!(sl_pool_refcount(pool, slot), 2);
    assert_eq!(pop(consumer).unwrap().slot, slot);
    assert_eq!(sl_pool_release(pool, slot), 1);
    assert_eq!(sl_pool_release(pool, slot), 0);
    // A free slot: refused, nothing pushed, with the reason.
    assert_eq!(push_retain(producer, pool, slot), INVALID_HANDLE);
    assert!(
        last_error().starts_with("Invalid slot handle"),
        "{}",
        last_error()
    );
    assert!(pop(consumer).is_none());
    // A consumer, a closed pool, a latest ring and a null message: refused, nothing changed.
    assert_eq!(push_retain(consumer, pool, slot), WRONG_ENDPOINT);
    let live = sl_pool_acquire(pool) as u32;
    let (latest, latest_consumer) = create_ring(1, LATEST);
    assert_eq!(push_retain(latest, pool, live), UNSUPPORTED);
    assert!(
        last_error().contains("sl_ring_push_evict"),
        "{}",
        last_error()
    );
    // SAFETY: a null message is refused before it is read.
    let null_message = unsafe { sl_ring_push_retain(producer, pool, ptr::null()) };
    assert_eq!(null_message, INVALID_ARGUMENT);
    assert_eq!(sl_pool_refcount(pool, live), 1);
    assert_eq!(sl_pool_free(pool), OK);
    assert_eq!(push_retain(producer, pool, live), INVALID_HANDLE);
    assert!(last_error().contains("pool"), "{}", last_error());
    assert!(pop(consumer).is_none());
    for endpoint in [producer, consumer, latest, latest_consumer] {
        assert_eq!(sl_ring_free(endpoint), OK);
    }
}

#[test]
fn endpoints_refuse_the_other_sides_operations() {
    let (producer, consumer) = create_ring(4, FIFO);
    assert_eq!(push(consumer, 1), WRONG_ENDPOINT);
    assert_eq!(
        last_error(),
        format!("Wrong endpoint for sl_ring_push: handle {consumer:#010x} is not a producer")
    );
    let mut out = [0u8; 32];
    // SAFETY: `out` is 32 writable bytes.
    unsafe {
        assert_eq!(sl_ring_pop(producer, out.as_mut_ptr()), WRONG_ENDPOINT);
        assert_eq!(
            sl_ring_pop_batch(producer, out.as_mut_ptr(), 1),
            WRONG_ENDPOINT
        );
        assert_eq!(
            sl_ring_pop_latest(producer, out.as_mut_ptr()),
            WRONG_ENDPOINT
        );
        assert_eq!(
            sl_ring_push_batch(consumer, out.as_ptr(), 1),
            WRONG_ENDPOINT
        );
    }
    assert!(last_error().contains("is not a producer"));
    sl_ring_free(producer);
    sl_ring_free(consumer);
}

#[test]
fn freed_stale_and_unknown_handles_are_invalid_not_fatal() {
    let (producer, consumer) = create_ring(4, LATEST);
    let pool = create_pool(64, 1);
    assert_eq!(sl_ring_free(producer), OK);
    assert_eq!(sl_ring_free(producer), INVALID_HANDLE, "double free");
    assert!(last_error().starts_with(&format!("Invalid ring endpoint handle {producer:#010x}")));
    assert_eq!(push(producer, 1), INVALID_HANDLE, "use after free");
    for bogus in [0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, pool] {
        assert_eq!(push(bogus, 1), INVALID_HANDLE, "handle {bogus:#x}");
        assert_eq!(sl_ring_slots(bogus), INVALID_HANDLE);
        assert_eq!(sl_ring_free(bogus), INVALID_HANDLE);
    }
    assert_eq!(
        sl_pool_acquire(consumer),
        INVALID_HANDLE,
        "a ring handle is not a pool"
    );
    assert!(last_error().starts_with("Invalid pool handle"));
    assert_eq!(sl_ring_is_abandoned(consumer), 1);
    assert_eq!(ring_stats(consumer)[7], 1.0);
    assert_eq!(sl_ring_free(consumer), OK);
    assert_eq!(sl_ring_is_abandoned(consumer), INVALID_HANDLE);
    assert_eq!(sl_pool_free(pool), OK);
}

#[test]
fn sl_last_error_truncates_and_reports_the_full_length() {
    assert_eq!(sl_ring_free(0), INVALID_HANDLE);
    let full = last_error();
    let mut small = [0u8; 10];
    // SAFETY: `small` is writable for 10 bytes.
    let length = unsafe { sl_last_error(small.as_mut_ptr(), 10) };
    assert_eq!(length as usize, full.len());
    assert_eq!(&small, &full.as_bytes()[..10]);
    // Each thread has its own message.
    std::thread::spawn(|| assert_eq!(last_error(), ""))
        .join()
        .unwrap();
}

#[test]
fn panics_become_sl_err_panic_with_a_location() {
    let status = guarded_status(|| -> Result<i32, _> { panic!("deliberate test panic") });
    assert_eq!(status, PANIC);
    let message = last_error();
    assert!(message.starts_with("Native code panicked at "), "{message}");
    assert!(message.contains("ffi_test.rs:"), "{message}");
    assert!(message.ends_with(": deliberate test panic"), "{message}");
}

#[test]
fn handles_work_from_another_thread() {
    let (producer, consumer) = create_ring(16, FIFO);
    std::thread::spawn(move || {
        for sequence in 0..10 {
            assert_eq!(push(producer, sequence), 1);
        }
        assert_eq!(sl_ring_free(producer), OK);
    })
    .join()
    .unwrap();
    let received: Vec<f64> = std::iter::from_fn(|| pop(consumer))
        .map(|m| m.sequence)
        .collect();
    assert_eq!(received, (0..10).map(f64::from).collect::<Vec<_>>());
    assert_eq!(sl_ring_is_abandoned(consumer), 1);
    sl_ring_free(consumer);
}

#[test]
fn freeing_an_endpoint_in_use_on_another_thread_is_safe() {
    for _ in 0..20 {
        let (producer, consumer) = create_ring(64, LATEST);
        let writer = std::thread::spawn(move || {
            let mut sequence = 0;
            loop {
                match push(producer, sequence) {
                    1 => sequence += 1,
                    // The free waits for a push in progress; later pushes see a dead handle.
                    INVALID_HANDLE => return sequence,
                    status => panic!("unexpected status {status}"),
                }
            }
        });
        while sl_ring_stats_written(consumer) < 100.0 {
            std::thread::yield_now();
        }
        assert_eq!(sl_ring_free(producer), OK);
        let pushed = writer.join().unwrap();
        assert!(pushed >= 100);
        assert_eq!(sl_ring_is_abandoned(consumer), 1);
        assert_eq!(sl_ring_free(consumer), OK);
    }
}

fn sl_ring_stats_written(endpoint: u32) -> f64 {
    ring_stats(endpoint)[2]
}

#[test]
fn sl_pool_create_rejects_out_of_range_sizes() {
    let mut out = 0u32;
    let cases = [
        (
            0,
            1,
            "Invalid pool slot_bytes: 0, valid range 1..=268435456",
        ),
        (
            268_435_457,
            1,
            "Invalid pool slot_bytes: 268435457, valid range 1..=268435456",
        ),
        (64, 0, "Invalid pool slot_count: 0, valid range 1..=65536"),
        (
            64,
            65_537,
            "Invalid pool slot_count: 65537, valid range 1..=65536",
        ),
        (
            268_435_456,
            257,
            "Invalid pool size: 257 slots of 268435456 bytes (64-byte aligned) is 68987912192 \
             bytes, at most 68719476736 bytes allowed",
        ),
    ];
    for (slot_bytes, slot_count, message) in cases {
        assert_eq!(
            // SAFETY: `out` is one writable u32.
            unsafe { sl_pool_create(slot_bytes, slot_count, &mut out) },
            INVALID_ARGUMENT
        );
        assert_eq!(last_error(), message);
    }
    assert_eq!(
        // SAFETY: a null `out` is refused before the pool is created.
        unsafe { sl_pool_create(64, 1, ptr::null_mut()) },
        INVALID_ARGUMENT
    );
}

#[test]
fn pool_slots_are_counted_exhausted_and_go_stale() {
    let pool = create_pool(1000, 2);
    let base = sl_pool_base(pool);
    assert!(!base.is_null());
    assert_eq!(base as usize % 64, 0);
    let a = sl_pool_acquire(pool);
    let b = sl_pool_acquire(pool);
    assert!(a > 0 && b > 0 && a != b);
    assert_eq!(sl_pool_acquire(pool), POOL_EXHAUSTED);
    assert_eq!(last_error(), "Pool exhausted: all 2 slots are in use");
    assert_eq!(sl_pool_retain(pool, a as u32), 2);
    assert_eq!(sl_pool_release(pool, a as u32), 1);
    assert_eq!(sl_pool_release(pool, a as u32), 0);
    assert_eq!(
        sl_pool_release(pool, a as u32),
        INVALID_HANDLE,
        "released a free slot"
    );
    assert_eq!(sl_pool_retain(pool, a as u32), INVALID_HANDLE);
    assert_eq!(
        sl_pool_refcount(pool, a as u32),
        INVALID_HANDLE,
        "free slot"
    );
    assert!(last_error().starts_with(&format!("Invalid slot handle {a:#010x}")));
    assert_eq!(sl_pool_refcount(pool, b as u32), 1);
    let c = sl_pool_acquire(pool);
    assert_eq!(sl_pool_refcount(pool, c as u32), 1);
    assert_eq!(
        sl_pool_refcount(pool, a as u32),
        INVALID_HANDLE,
        "stale handle"
    );
    assert_eq!(c & 0xFFFF, a & 0xFFFF, "the freed slot is reused");
    assert_eq!(
        sl_pool_release(pool, a as u32),
        INVALID_HANDLE,
        "stale handle"
    );
    assert!(last_error().starts_with(&format!("Invalid slot handle {a:#010x}")));
    assert_eq!(
        sl_pool_release(pool, 0xFFFF),
        INVALID_HANDLE,
        "index out of range"
    );
    // [slot_bytes, slot_stride, slot_count, in_use, acquired_total, exhausted_total]
    assert_eq!(pool_stats(pool), [1000.0, 1024.0, 2.0, 2.0, 3.0, 1.0]);
    assert_eq!(sl_pool_free(pool), OK);
    assert_eq!(sl_pool_free(pool), INVALID_HANDLE, "double free");
    assert!(sl_pool_base(pool).is_null());
    assert!(last_error().starts_with("Invalid pool handle"));
    assert_eq!(
        sl_pool_refcount(pool, c as u32),
        INVALID_HANDLE,
        "freed pool"
    );
}

#[test]
fn attached_handles_keep_the_slab_alive() {
    let pool = create_pool(4096, 4);
    let mut second = 0u32;
    // SAFETY: `second` is one writable u32.
    assert_eq!(unsafe { sl_pool_attach(pool, &mut second) }, OK);
    assert_ne!(second, pool);
    assert_eq!(sl_pool_base(pool), sl_pool_base(second));
    let slot = sl_pool_acquire(pool);
    let base = sl_pool_base(second);
    let index = (slot & 0xFFFF) as usize;
    // SAFETY: the slot is held and slot `index` has 4096 bytes at base + index * 4096.
    unsafe { ptr::write_bytes(base.add(index * 4096), 0xAB, 4096) };
    assert_eq!(sl_pool_free(pool), OK);
    assert_eq!(sl_pool_acquire(pool), INVALID_HANDLE);
    // SAFETY: the slab is still alive through `second`.
    assert_eq!(unsafe { *base.add(index * 4096 + 4095) }, 0xAB);
    assert_eq!(sl_pool_release(second, slot as u32), 0);
    assert_eq!(pool_stats(second)[3], 0.0);
    // SAFETY: `second` is one writable u32; attaching to a freed handle fails.
    assert_eq!(unsafe { sl_pool_attach(pool, &mut second) }, INVALID_HANDLE);
    assert_eq!(sl_pool_free(second), OK);
}

#[test]
fn pool_slots_move_between_threads_by_handle() {
    let pool = create_pool(256, 8);
    let mut worker_handle = 0u32;
    // SAFETY: `worker_handle` is one writable u32.
    assert_eq!(unsafe { sl_pool_attach(pool, &mut worker_handle) }, OK);
    let (producer, consumer) = create_ring(8, FIFO);
    let worker = std::thread::spawn(move || {
        for sequence in 0..1000u32 {
            let slot = loop {
                let slot = sl_pool_acquire(worker_handle);
                if slot != POOL_EXHAUSTED {
                    break slot;
                }
                std::thread::yield_now();
            };
            assert!(slot >= 0, "{}", last_error());
            let base = sl_pool_base(worker_handle);
            // SAFETY: the worker holds the slot, which has 256 bytes.
            unsafe {
                ptr::write_bytes(
                    base.add((slot & 0xFFFF) as usize * 256),
                    sequence as u8,
                    256,
                )
            };
            let bytes = FrameMessage {
                slot: slot as u32,
                ..message(sequence)
            }
            .to_bytes();
            // SAFETY: `bytes` is 32 readable bytes.
            while unsafe { sl_ring_push(producer, bytes.as_ptr()) } == 0 {
                std::thread::yield_now();
            }
        }
        sl_ring_free(producer);
        sl_pool_free(worker_handle);
    });
    let base = sl_pool_base(pool);
    let mut received = 0u32;
    while received < 1000 {
        let Some(frame) = pop(consumer) else {
            std::thread::yield_now();
            continue;
        };
        let index = (frame.slot & 0xFFFF) as usize;
        // SAFETY: the slot is held (refcount 1) until released below; it has 256 bytes.
        let payload = unsafe { std::slice::from_raw_parts(base.add(index * 256), 256) };
        assert!(payload.iter().all(|&b| b == received as u8));
        assert_eq!(sl_pool_release(pool, frame.slot), 0);
        received += 1;
    }
    worker.join().unwrap();
    assert_eq!(pool_stats(pool)[3..5], [0.0, 1000.0]);
    sl_ring_free(consumer);
    sl_pool_free(pool);
}
