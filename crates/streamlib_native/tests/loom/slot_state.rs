//! Loom model of a frame-pool slot's refcount/generation protocol (`src/slot_state.rs`).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (see the README).
#![cfg(loom)]

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use streamlib_native::slot_state::{SlotRefusal, SlotState};

#[test]
fn concurrent_releases_free_the_slot_exactly_once() {
    loom::model(|| {
        let slot = Arc::new(SlotState::new());
        let generation = slot.claim();
        assert_eq!(slot.retain(generation), Ok(2));
        let other = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || slot.release(generation).unwrap())
        };
        let here = slot.release(generation).unwrap();
        let there = other.join().unwrap();
        assert_eq!(here.min(there), 0);
        assert_eq!(here.max(there), 1);
        assert_eq!(slot.refcount(), 0);
        assert_ne!(slot.generation(), generation);
        assert_eq!(slot.release(generation), Err(SlotRefusal::Stale));
    });
}

#[test]
fn retain_racing_the_last_release_either_wins_or_sees_stale() {
    loom::model(|| {
        let slot = Arc::new(SlotState::new());
        let generation = slot.claim();
        let retainer = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                let retained = slot.retain(generation);
                let released = retained.map(|_| slot.release(generation).unwrap());
                (retained, released)
            })
        };
        let remaining = slot.release(generation).unwrap();
        match retainer.join().unwrap() {
            // Retained first: of the two releases, exactly one reached zero.
            (Ok(2), Ok(released)) => assert_eq!(remaining.min(released), 0),
            // Released first: the retain saw a free slot.
            (Err(SlotRefusal::Stale), _) => assert_eq!(remaining, 0),
            other => panic!("unexpected retain/release results {other:?}"),
        }
        assert_eq!(slot.refcount(), 0);
        assert_eq!(
            slot.generation(),
            generation + 1,
            "the generation advances once"
        );
    });
}

/// What the last holder wrote into the slot is visible to the next owner: release-to-zero
/// (AcqRel) synchronizes with the next claim (Acquire).
#[test]
fn the_next_owner_sees_the_previous_owners_writes() {
    loom::model(|| {
        let slot = Arc::new(SlotState::new());
        let memory = Arc::new(UnsafeCell::new(0u32));
        let generation = slot.claim();
        let holder = {
            let (slot, memory) = (Arc::clone(&slot), Arc::clone(&memory));
            thread::spawn(move || {
                // SAFETY: this thread holds the slot's only reference.
                memory.with_mut(|bytes| unsafe { *bytes = 42 });
                slot.release(generation).unwrap();
            })
        };
        while slot.refcount() != 0 {
            thread::yield_now();
        }
        let next = slot.claim();
        assert_ne!(next, generation);
        // SAFETY: the slot was released to 0 and claimed by this thread.
        assert_eq!(memory.with(|bytes| unsafe { *bytes }), 42);
        holder.join().unwrap();
    });
}
