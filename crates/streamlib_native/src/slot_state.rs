//! The reference count and generation of one frame-pool slot, in one atomic word.
//!
//! The state is `generation << 32 | refcount`. A slot handle is `generation << 16 | index`, so
//! checking a handle and changing the count is a single compare-and-swap:
//!
//! - [`SlotState::claim`] (by the thread that popped the slot off the pool's free list) raises the
//!   count from 0 to 1 and returns the generation for the new handle.
//! - [`SlotState::retain`] raises the count if the generation matches and the count is not 0.
//! - [`SlotState::release`] lowers it; the release that reaches 0 also advances the generation, so
//!   every outstanding copy of the handle goes stale at that instant, and the caller returns the
//!   slot to the free list.
//!
//! Generations run 1..=32767 (15 bits, so handles are positive `i32`s, and a slot handle is never
//! 0). `tests/loom/slot_state.rs` model-checks this protocol.

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use crate::sync::AtomicU64;

/// Largest slot generation (15 bits).
pub const MAX_SLOT_GENERATION: u32 = (1 << 15) - 1;

/// Largest reference count (so counts fit a positive `i32`).
pub const MAX_REFCOUNT: u32 = i32::MAX as u32;

const COUNT_MASK: u64 = 0xFFFF_FFFF;

const fn pack(generation: u32, count: u32) -> u64 {
    ((generation as u64) << 32) | count as u64
}

const fn next_generation(generation: u32) -> u32 {
    generation % MAX_SLOT_GENERATION + 1
}

/// Why a retain or release was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotRefusal {
    /// The slot is free, or was released to 0 and possibly reused since the handle was issued.
    Stale,
    /// The count is already [`MAX_REFCOUNT`].
    Overflow,
}

/// Reference count plus generation of one slot.
///
/// # Examples
///
/// ```
/// use streamlib_native::slot_state::{SlotRefusal, SlotState};
///
/// let slot = SlotState::new();
/// let generation = slot.claim();
/// assert_eq!(slot.retain(generation), Ok(2));
/// assert_eq!(slot.release(generation), Ok(1));
/// assert_eq!(slot.release(generation), Ok(0)); // free again, generation advanced
/// assert_eq!(slot.release(generation), Err(SlotRefusal::Stale));
/// assert_ne!(slot.claim(), generation);
/// ```
#[derive(Debug)]
pub struct SlotState {
    state: AtomicU64,
}

impl Default for SlotState {
    fn default() -> Self {
        Self::new()
    }
}

impl SlotState {
    /// A free slot at generation 1.
    pub fn new() -> Self {
        Self {
            state: AtomicU64::new(pack(1, 0)),
        }
    }

    /// Marks a free slot as in use with count 1 and returns its generation.
    ///
    /// Only the thread that took this slot off the free list may call this (each free slot is on
    /// the list once), so the count is 0 beforehand.
    pub fn claim(&self) -> u32 {
        // Acquire: the release that freed the slot, and everything its holders wrote into the
        // slot's memory, happens before the new owner uses it.
        let previous = self.state.fetch_add(1, Acquire);
        debug_assert_eq!(previous & COUNT_MASK, 0, "claimed a slot that is in use");
        (previous >> 32) as u32
    }

    /// Adds a reference to the slot if `generation` is current and the slot is in use; returns
    /// the new count.
    ///
    /// # Errors
    ///
    /// [`SlotRefusal::Stale`] for a free or reused slot, [`SlotRefusal::Overflow`] at
    /// [`MAX_REFCOUNT`].
    pub fn retain(&self, generation: u32) -> Result<u32, SlotRefusal> {
        let mut state = self.state.load(Relaxed);
        loop {
            let count = (state & COUNT_MASK) as u32;
            if (state >> 32) as u32 != generation || count == 0 {
                return Err(SlotRefusal::Stale);
            }
            if count >= MAX_REFCOUNT {
                return Err(SlotRefusal::Overflow);
            }
            // Relaxed, as for `Arc::clone`: the caller already holds a reference.
            match self
                .state
                .compare_exchange_weak(state, state + 1, Relaxed, Relaxed)
            {
                Ok(_) => return Ok(count + 1),
                Err(actual) => state = actual,
            }
        }
    }

    /// Drops a reference if `generation` is current and the slot is in use; returns the remaining
    /// count. At 0 the generation advances and the caller must put the slot back on the free list.
    ///
    /// # Errors
    ///
    /// [`SlotRefusal::Stale`] for a free or reused slot.
    pub fn release(&self, generation: u32) -> Result<u32, SlotRefusal> {
        let mut state = self.state.load(Relaxed);
        loop {
            let count = (state & COUNT_MASK) as u32;
            if (state >> 32) as u32 != generation || count == 0 {
                return Err(SlotRefusal::Stale);
            }
            let (next, success) = if count == 1 {
                // AcqRel: the last holder sees every other holder's writes before freeing.
                (pack(next_generation(generation), 0), AcqRel)
            } else {
                (state - 1, Release)
            };
            match self
                .state
                .compare_exchange_weak(state, next, success, Relaxed)
            {
                Ok(_) => return Ok(count - 1),
                Err(actual) => state = actual,
            }
        }
    }

    /// The count of the slot if `generation` is current and the slot is in use. A snapshot: any
    /// holder may release right after.
    ///
    /// # Errors
    ///
    /// [`SlotRefusal::Stale`] for a free or reused slot.
    pub fn count_if_current(&self, generation: u32) -> Result<u32, SlotRefusal> {
        let state = self.state.load(Acquire);
        let count = (state & COUNT_MASK) as u32;
        if (state >> 32) as u32 != generation || count == 0 {
            return Err(SlotRefusal::Stale);
        }
        Ok(count)
    }

    /// The current generation.
    pub fn generation(&self) -> u32 {
        (self.state.load(Relaxed) >> 32) as u32
    }

    /// The current reference count (0 when free).
    pub fn refcount(&self) -> u32 {
        (self.state.load(Relaxed) & COUNT_MASK) as u32
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn stale_generations_are_refused() {
        let slot = SlotState::new();
        assert_eq!(slot.retain(1), Err(SlotRefusal::Stale), "free slot");
        let first = slot.claim();
        assert_eq!(first, 1);
        assert_eq!(slot.retain(first + 1), Err(SlotRefusal::Stale));
        assert_eq!(slot.release(first), Ok(0));
        let second = slot.claim();
        assert_eq!(second, 2);
        assert_eq!(slot.retain(first), Err(SlotRefusal::Stale));
        assert_eq!(slot.release(first), Err(SlotRefusal::Stale));
        assert_eq!(slot.refcount(), 1);
    }

    #[test]
    fn count_if_current_sees_only_live_handles() {
        let slot = SlotState::new();
        assert_eq!(
            slot.count_if_current(1),
            Err(SlotRefusal::Stale),
            "free slot"
        );
        let generation = slot.claim();
        assert_eq!(slot.count_if_current(generation), Ok(1));
        assert_eq!(slot.retain(generation), Ok(2));
        assert_eq!(slot.count_if_current(generation), Ok(2));
        assert_eq!(
            slot.count_if_current(generation + 1),
            Err(SlotRefusal::Stale)
        );
        slot.release(generation).unwrap();
        slot.release(generation).unwrap();
        assert_eq!(
            slot.count_if_current(generation),
            Err(SlotRefusal::Stale),
            "released"
        );
    }

    #[test]
    fn generations_wrap_and_skip_zero() {
        assert_eq!(next_generation(MAX_SLOT_GENERATION), 1);
        assert_eq!(next_generation(1), 2);
        let slot = SlotState {
            state: AtomicU64::new(pack(MAX_SLOT_GENERATION, 0)),
        };
        let generation = slot.claim();
        slot.release(generation).unwrap();
        assert_eq!(slot.generation(), 1);
    }

    #[test]
    fn retain_stops_at_the_maximum_count() {
        let slot = SlotState {
            state: AtomicU64::new(pack(3, MAX_REFCOUNT)),
        };
        assert_eq!(slot.retain(3), Err(SlotRefusal::Overflow));
        assert_eq!(slot.release(3), Ok(MAX_REFCOUNT - 1));
    }
}
