//! Loom models of the crate's hand-written atomics, one test binary for all of them (a test
//! binary is a whole link of the crate; four of them cost four).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (see the README). Without
//! `--cfg loom` this binary has no tests.
#![cfg(loom)]

mod free_stack;
mod handle_table;
mod latest_ring;
mod slot_state;
