//! A native thread's view of a connection's shared state: the counters and close handshake that
//! `ffi/transport/connection_shared_state.ts` keeps in a `SharedArrayBuffer`, so a native plugin node is an
//! ordinary end of a native connection and the TypeScript end and `rt.stats()` see its counts.
//!
//! Layout (the TypeScript file is the reference), 192 bytes: the writer's `f64` counters at
//! indices 2-8, 4 `i32` flags (`CLOSING`, `BUSY`, `WRITER_CLOSED`, keyframe request) at byte 96,
//! the reader's counters at indices 16-18, on a cache line of their own. Each counter has one
//! writer; the writer updates it with a plain atomic store of the new value's bits, which the
//! other side reads whole.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

/// Index of each counter (the `COUNTER` table of `connection_shared_state.ts`).
#[allow(missing_docs)]
pub mod counter {
    pub const WRITTEN: usize = 2;
    pub const REJECTED: usize = 3;
    pub const EVICTED: usize = 4;
    pub const UNDELIVERED: usize = 5;
    pub const POOL_EXHAUSTED: usize = 6;
    pub const ZERO_COPY: usize = 7;
    pub const COPIED: usize = 8;
    pub const READ: usize = 16;
    pub const DISCARDED: usize = 17;
    pub const INVALID: usize = 18;
}

const COUNTERS: usize = 19;
const FLAGS_OFFSET: usize = 96;
const CLOSING: usize = 0;
const BUSY: usize = 1;
const WRITER_CLOSED: usize = 2;

/// Bytes of the shared state.
pub const SHARED_STATE_BYTES: usize = 192;

/// A connection's shared state, mapped from memory the TypeScript side owns.
#[derive(Debug)]
pub struct SharedState {
    base: *mut u8,
}

// SAFETY: the memory is a SharedArrayBuffer's backing store, made for access from several threads;
// every access below is atomic.
unsafe impl Send for SharedState {}

impl SharedState {
    /// Maps the state at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be 8-byte aligned, point at [`SHARED_STATE_BYTES`] bytes of a connection's
    /// shared state, and stay valid until this value is dropped (the TypeScript host keeps the
    /// buffer referenced until the binding is removed).
    pub unsafe fn new(base: *mut u8) -> Self {
        Self { base }
    }

    fn counter(&self, index: usize) -> &AtomicU64 {
        debug_assert!(index < COUNTERS);
        // SAFETY: in bounds, 8-byte aligned, valid while `self` lives (see `new`); AtomicU64 has
        // the layout of u64.
        unsafe { &*self.base.add(index * 8).cast::<AtomicU64>() }
    }

    fn flag(&self, index: usize) -> &AtomicI32 {
        // SAFETY: in bounds (4 flags at FLAGS_OFFSET), 4-byte aligned, valid while `self` lives
        // (see `new`).
        unsafe { &*self.base.add(FLAGS_OFFSET + index * 4).cast::<AtomicI32>() }
    }

    /// Adds `n` to a counter this side writes.
    pub fn add(&self, index: usize, n: u32) {
        let cell = self.counter(index);
        let value = f64::from_bits(cell.load(Ordering::Relaxed)) + f64::from(n);
        cell.store(value.to_bits(), Ordering::Release);
    }

    /// Reads a counter.
    pub fn get(&self, index: usize) -> f64 {
        f64::from_bits(self.counter(index).load(Ordering::Acquire))
    }

    /// Writer: announces a push; `false` (nothing announced) once the reader is closing.
    pub fn begin_push(&self) -> bool {
        self.flag(BUSY).store(1, Ordering::SeqCst);
        if self.flag(CLOSING).load(Ordering::SeqCst) == 0 {
            return true;
        }
        self.flag(BUSY).store(0, Ordering::SeqCst);
        false
    }

    /// Writer: the announced push is done.
    pub fn end_push(&self) {
        self.flag(BUSY).store(0, Ordering::SeqCst);
    }

    /// Writer: marks the writer closed.
    pub fn close_writer(&self) {
        self.flag(WRITER_CLOSED).store(1, Ordering::SeqCst);
    }

    /// Reader: stops further pushes and waits (at most a second) for one in flight to finish.
    pub fn close_reader(&self) -> bool {
        self.flag(CLOSING).store(1, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while self.flag(BUSY).load(Ordering::SeqCst) != 0 {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::hint::spin_loop();
        }
        true
    }

    /// Whether the reader has closed.
    pub fn reader_closed(&self) -> bool {
        self.flag(CLOSING).load(Ordering::SeqCst) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C, align(8))]
    struct Buffer([u8; SHARED_STATE_BYTES]);

    #[test]
    fn counters_are_f64_values_and_the_handshake_stops_pushes() {
        let mut buffer = Buffer([0; SHARED_STATE_BYTES]);
        {
            // SAFETY: aligned, the right size, outlives `state`.
            let state = unsafe { SharedState::new(buffer.0.as_mut_ptr()) };
            state.add(counter::WRITTEN, 2);
            state.add(counter::WRITTEN, 3);
            assert_eq!(state.get(counter::WRITTEN), 5.0);
            assert!(state.begin_push());
            state.end_push();
            assert!(state.close_reader());
            assert!(state.reader_closed());
            assert!(!state.begin_push());
        }
        assert_eq!(
            f64::from_le_bytes(buffer.0[16..24].try_into().unwrap()),
            5.0
        );
    }
}
