//! The connection ends a native plugin node owns: ring endpoints taken out of the handle table,
//! the frame pool their messages name, and the connection's shared state.
//!
//! Payloads stay in their slots. An input frame is read in place and its slot released after
//! `process`; an output frame is written in place into a slot acquired before `process`, and its
//! handle is pushed to every connection of the output (by reference when they share the pool).

use std::sync::Arc;

use crate::frame_pool::FramePool;
use crate::message::{FrameMessage, NO_SLOT};
use crate::policy::Policy;
use crate::ring::{RingConsumer, RingProducer};

use super::shared_state::{SharedState, counter};

/// Bytes of the header at the start of every slot (`ffi/transport/frame_format.ts`).
pub const HEADER_BYTES: usize = 64;
/// The header's magic number (`FRAME_HEADER_MAGIC`).
pub const HEADER_MAGIC: u32 = 0x5246_4c53;

/// The metadata of a slot header.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SlotHeader {
    /// Format tag.
    pub tag: u32,
    /// Frame number.
    pub frame_number: f64,
    /// Width (video) or samples per channel (audio).
    pub width: u32,
    /// Height (video).
    pub height: u32,
    /// Stride (video).
    pub stride: u32,
    /// Sample rate (audio).
    pub sample_rate: f64,
}

/// The start of the slot `slot` names in `pool`, or `None` for a bad handle.
pub fn slot_start(pool: &FramePool, slot: u32) -> Option<*mut u8> {
    if slot == NO_SLOT {
        return None;
    }
    pool.handle_ptr(slot)
}

/// Reads the header of a slot.
///
/// # Safety
///
/// `start` must be the start of a live slot of at least [`HEADER_BYTES`] bytes that nobody writes.
pub unsafe fn read_header(start: *const u8) -> Option<SlotHeader> {
    // SAFETY: the header is readable (caller contract); slots are 64-byte aligned, so the u32 and
    // f64 fields below are aligned, but unaligned reads keep this independent of that.
    unsafe {
        if start.cast::<u32>().read_unaligned() != HEADER_MAGIC {
            return None;
        }
        Some(SlotHeader {
            tag: start.add(4).cast::<u32>().read_unaligned(),
            frame_number: start.add(8).cast::<f64>().read_unaligned(),
            width: start.add(16).cast::<u32>().read_unaligned(),
            height: start.add(20).cast::<u32>().read_unaligned(),
            stride: start.add(24).cast::<u32>().read_unaligned(),
            sample_rate: start.add(32).cast::<f64>().read_unaligned(),
        })
    }
}

/// Writes the header of a slot.
///
/// # Safety
///
/// `start` must be the start of a slot of at least [`HEADER_BYTES`] bytes that only the caller
/// holds.
pub unsafe fn write_header(start: *mut u8, header: &SlotHeader) {
    // SAFETY: writable and unshared (caller contract).
    unsafe {
        start.cast::<u32>().write_unaligned(HEADER_MAGIC);
        start.add(4).cast::<u32>().write_unaligned(header.tag);
        start
            .add(8)
            .cast::<f64>()
            .write_unaligned(header.frame_number);
        start.add(16).cast::<u32>().write_unaligned(header.width);
        start.add(20).cast::<u32>().write_unaligned(header.height);
        start.add(24).cast::<u32>().write_unaligned(header.stride);
        start.add(28).cast::<u32>().write_unaligned(0);
        start
            .add(32)
            .cast::<f64>()
            .write_unaligned(header.sample_rate);
    }
}

/// A frame taken from an input: its message, header and payload address.
#[derive(Clone, Copy, Debug)]
pub struct ReceivedFrame {
    /// The message.
    pub message: FrameMessage,
    /// The slot's header.
    pub header: SlotHeader,
    /// The payload (after the header).
    pub payload: *mut u8,
}

/// The reading end of one connection into a node's input.
pub struct InputBinding {
    /// The id the host gave it.
    pub id: u32,
    consumer: RingConsumer,
    pool: Arc<FramePool>,
    state: SharedState,
}

impl InputBinding {
    /// Binds a consumer.
    pub fn new(id: u32, consumer: RingConsumer, pool: Arc<FramePool>, state: SharedState) -> Self {
        Self {
            id,
            consumer,
            pool,
            state,
        }
    }

    /// Messages queued.
    pub fn queued(&self) -> usize {
        self.consumer.slots()
    }

    /// The next valid frame, or `None` when the ring is empty. Invalid messages (a bad slot,
    /// header or length) are released and counted as discarded and invalid.
    pub fn receive(&mut self) -> Option<ReceivedFrame> {
        loop {
            let message = self.consumer.pop()?;
            if let Some(frame) = self.check(message) {
                self.state.add(counter::READ, 1);
                return Some(frame);
            }
            self.release(message.slot);
            self.state.add(counter::DISCARDED, 1);
            self.state.add(counter::INVALID, 1);
        }
    }

    fn check(&self, message: FrameMessage) -> Option<ReceivedFrame> {
        let start = slot_start(&self.pool, message.slot)?;
        let capacity = (self.pool.slot_bytes() as usize).checked_sub(HEADER_BYTES)?;
        if message.byte_length as usize > capacity {
            return None;
        }
        // SAFETY: a live slot of the pool (the message holds a reference), at least HEADER_BYTES
        // long (checked above); writers finished writing it before pushing its message.
        let header = unsafe { read_header(start) }?;
        if header.tag != message.format {
            return None;
        }
        // SAFETY: HEADER_BYTES is within the slot (checked above).
        let payload = unsafe { start.add(HEADER_BYTES) };
        Some(ReceivedFrame {
            message,
            header,
            payload,
        })
    }

    /// Gives back the slot of a frame this binding returned.
    pub fn release(&self, slot: u32) {
        if slot != NO_SLOT {
            // A stale handle is an upstream bug, already counted by the pool; nothing to do here.
            let _ = self.pool.release(slot);
        }
    }

    /// Discards everything queued (a failed node keeps its upstream flowing); returns how many.
    pub fn discard_queued(&mut self) -> u32 {
        let mut n = 0;
        while let Some(message) = self.consumer.pop() {
            self.release(message.slot);
            n += 1;
        }
        if n > 0 {
            self.state.add(counter::DISCARDED, n);
        }
        n
    }

    /// Closes this end: stops the writer, then releases whatever is still queued.
    pub fn close(mut self) {
        self.state.close_reader();
        self.discard_queued();
    }
}

/// The writing end of one connection out of a node's output.
pub struct OutputBinding {
    /// The id the host gave it.
    pub id: u32,
    producer: RingProducer,
    pool: Arc<FramePool>,
    state: SharedState,
    sequence: f64,
    evicted: Vec<FrameMessage>,
}

impl OutputBinding {
    /// Binds a producer.
    pub fn new(id: u32, producer: RingProducer, pool: Arc<FramePool>, state: SharedState) -> Self {
        Self {
            id,
            producer,
            pool,
            state,
            sequence: 0.0,
            evicted: vec![FrameMessage::EMPTY; 1],
        }
    }

    /// The pool this connection's slots come from.
    pub fn pool(&self) -> &Arc<FramePool> {
        &self.pool
    }

    /// Whether a `fifo` push would be refused because the ring is full and its reader is still
    /// there: the node waits (back-pressure) instead of losing the frame.
    pub fn is_full(&self) -> bool {
        self.producer.policy() == Policy::Fifo
            && self.producer.slots() == 0
            && !self.state.reader_closed()
    }

    /// Counts an output slot that could not be acquired.
    pub fn count_pool_exhausted(&self) {
        self.state.add(counter::POOL_EXHAUSTED, 1);
    }

    /// Pushes a message naming `slot` of this binding's pool, whose reference it takes over
    /// (released when the frame cannot be delivered). Never blocks.
    pub fn send(&mut self, mut message: FrameMessage, copied: bool) {
        message.sequence = self.sequence;
        let fifo = self.producer.policy() == Policy::Fifo;
        if !self.state.begin_push() {
            self.release(message.slot);
            if fifo {
                self.state.add(counter::REJECTED, 1);
            } else {
                self.state.add(counter::WRITTEN, 1);
                self.state.add(counter::UNDELIVERED, 1);
            }
            return;
        }
        let delivered = if fifo {
            self.producer.push(&message)
        } else {
            match self
                .producer
                .push_evict(std::slice::from_ref(&message), &mut self.evicted)
            {
                Ok(evicted) => {
                    for i in 0..evicted {
                        let slot = self.evicted[i].slot;
                        self.release(slot);
                    }
                    if evicted > 0 {
                        self.state.add(counter::EVICTED, evicted as u32);
                    }
                    true
                }
                Err(_) => false,
            }
        };
        self.state.end_push();
        if delivered {
            self.sequence += 1.0;
            self.state.add(counter::WRITTEN, 1);
            self.state.add(
                if copied {
                    counter::COPIED
                } else {
                    counter::ZERO_COPY
                },
                1,
            );
        } else {
            self.release(message.slot);
            self.state.add(counter::REJECTED, 1);
        }
    }

    fn release(&self, slot: u32) {
        if slot != NO_SLOT {
            let _ = self.pool.release(slot);
        }
    }

    /// Closes this end (the reader sees it abandoned).
    pub fn close(self) {
        self.state.close_writer();
    }
}
