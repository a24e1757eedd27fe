//! The synchronization primitives under `--cfg loom`: loom's model-checked atomics, mutex and
//! `UnsafeCell`, so the `tests/loom/` models explore every interleaving of the crate's own
//! atomic protocols.
//!
//! `lib.rs` selects this file or `sync_std.rs` once; no other module mentions `cfg(loom)`.

pub(crate) use loom::cell::UnsafeCell;
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
pub(crate) use loom::sync::{Arc, Mutex};

/// Inside a wait loop, lets loom schedule the thread being waited for.
pub(crate) fn spin_wait(_round: u32) {
    loom::thread::yield_now();
}
