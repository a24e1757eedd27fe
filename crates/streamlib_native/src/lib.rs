//! The native core of streamlib: lock-free rings of 32-byte frame messages and a
//! reference-counted frame pool, exported to Deno through a small C ABI.
//!
//! - [`ring`] — a single-producer single-consumer ring with a [`policy::Policy`]: lossless
//!   [`fifo_ring`] (built on `rtrb`) or [`latest_ring`], where the oldest messages roll off.
//! - [`frame_pool`] — one 64-byte aligned slab of reference-counted slots for frame payloads.
//! - [`media`] — H.264 encoding (OpenH264 everywhere, VideoToolbox on macOS) and decoding, Opus,
//!   native pixel conversion, and capture (X11 screens and V4L2 cameras on Linux, AVFoundation
//!   cameras and microphones on macOS) that writes into the frame pool and a ring.
//! - [`resample`] — sample-rate conversion of interleaved audio with `rubato`, block by block
//!   with exact frame counts.
//! - [`reverb`] — Freeverb over interleaved stereo, the twin of the TypeScript one, bit for bit.
//! - [`plugin`] — the host of native plugins: loads a plugin library (`streamlib_plugin` ABI),
//!   checks its version, and runs its processors on native threads over the same rings and pool.
//! - [`webrtc`] — WHEP playback and WHIP ingest over str0m: one UDP socket and native thread
//!   per endpoint, frames crossing from JS in bounded queues.
//! - [`ffi`] — the `sl_*` functions of `docs/native_abi.md`, over process-wide
//!   [`handle_table`]s, every one guarded against panics ([`panic_guard`]) and reporting failures
//!   through [`last_error`].
//!
//! The library is also an `rlib`, so Rust code (tests, the `ring_threads` benchmark) can use the
//! same rings directly.
//!
//! # Examples
//!
//! ```
//! use streamlib_native::message::FrameMessage;
//! use streamlib_native::policy::Policy;
//! use streamlib_native::ring::ring;
//!
//! let (mut producer, mut consumer) = ring(2, Policy::Latest).unwrap();
//! for sequence in 0..5 {
//!     producer.push(&FrameMessage { sequence: f64::from(sequence), ..FrameMessage::EMPTY });
//! }
//! // The reader gets the newest frame: 0, 1 and 2 rolled off, pop_latest skipped 3.
//! assert_eq!(consumer.pop_latest().map(|m| m.sequence), Some(4.0));
//! assert_eq!(consumer.stats().dropped, 4);
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[cfg(not(loom))]
#[path = "sync_std.rs"]
mod sync;

#[cfg(loom)]
#[path = "sync_loom.rs"]
mod sync;

/// How a frame pool's slab is backed: huge pages where the OS gives them on request
/// (`slab_pages_linux.rs`, `madvise(MADV_HUGEPAGE)`), the allocator's pages elsewhere and in the
/// loom build (`slab_pages_other.rs`). Both define `advise_huge_pages(start, len) -> bool`.
#[cfg(all(target_os = "linux", not(loom)))]
#[path = "slab_pages_linux.rs"]
mod slab_pages;

#[cfg(not(all(target_os = "linux", not(loom))))]
#[path = "slab_pages_other.rs"]
mod slab_pages;

// The C ABI and the media code are left out of the `--cfg loom` build: its models cover the
// hand-written atomics only, and leaving them out spares it compiling OpenH264 and libopus.
#[cfg(not(loom))]
pub mod build_info;
#[cfg(not(loom))]
mod c_buffer;
#[cfg(not(loom))]
pub mod ffi;
#[cfg(not(loom))]
pub mod media;
#[cfg(not(loom))]
pub mod net;
#[cfg(not(loom))]
pub mod plugin;
#[cfg(not(loom))]
mod registry;
#[cfg(not(loom))]
pub mod resample;
#[cfg(not(loom))]
pub mod resident;
#[cfg(not(loom))]
pub mod reverb;
#[cfg(not(loom))]
pub mod webrtc;

pub mod error_text;
pub mod fifo_ring;
pub mod frame_pool;
pub mod free_stack;
pub mod handle_table;
pub mod last_error;
pub mod latest_ring;
pub mod message;
pub mod panic_guard;
pub mod policy;
pub mod ring;
pub mod ring_stats;
pub mod slot_state;
pub mod status;

/// The version of the C ABI this library implements, returned by [`ffi::sl_abi_version`].
///
/// Any change to a signature, a status code or the message layout bumps it.
pub const ABI_VERSION: u32 = 9;
