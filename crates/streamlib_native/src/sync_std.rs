//! The synchronization primitives of a normal build: `std`'s atomics and mutex, plus an
//! `UnsafeCell` and a spin helper shaped like loom's so the same code compiles against both.
//!
//! `lib.rs` selects this file or `sync_loom.rs` once; no other module mentions `cfg(loom)`.

pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
pub(crate) use std::sync::{Arc, Mutex};

/// `std::cell::UnsafeCell` behind loom's closure API (`with` / `with_mut`).
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a shared raw pointer to the value.
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a mutable raw pointer to the value.
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Backs off inside a wait loop: a CPU spin hint for the first rounds, then a yield.
pub(crate) fn spin_wait(round: u32) {
    if round < 64 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}
