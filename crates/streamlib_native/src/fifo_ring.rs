//! The `fifo` policy: a lossless single-producer single-consumer ring built on `rtrb`.
//!
//! Batches move through rtrb's chunk API: one call reserves up to `n` contiguous slots (two
//! slices when the batch wraps around the end of the buffer) and copies the caller's bytes in or
//! out with `memcpy`, then commits the whole chunk with a single atomic store. Totals that rtrb
//! does not keep (written, read, dropped, refused) live in two cache-padded groups, each written
//! by one side only.

use std::collections::TryReserveError;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;
use rtrb::chunks::{ChunkError, ReadChunk, WriteChunkUninit};
use rtrb::{Consumer, Producer, RingBuffer};

use crate::message::{FrameMessage, MESSAGE_BYTES, MessageBytes, as_bytes};
use crate::policy::Policy;
use crate::ring_stats::RingStats;

/// Totals written by the producer.
#[derive(Default)]
struct ProducerTotals {
    written: AtomicU64,
    full_rejections: AtomicU64,
}

/// Totals written by the consumer.
#[derive(Default)]
struct ConsumerTotals {
    read: AtomicU64,
    dropped: AtomicU64,
}

#[derive(Default)]
struct Totals {
    producer: CachePadded<ProducerTotals>,
    consumer: CachePadded<ConsumerTotals>,
}

/// The writing end of a `fifo` ring.
pub struct FifoProducer {
    inner: Producer<FrameMessage>,
    totals: Arc<Totals>,
    written: u64,
    full_rejections: u64,
}

/// The reading end of a `fifo` ring.
pub struct FifoConsumer {
    inner: Consumer<FrameMessage>,
    totals: Arc<Totals>,
    read: u64,
    dropped: u64,
}

/// Creates a `fifo` ring holding up to `capacity` messages.
///
/// # Errors
///
/// The allocation error if `capacity` messages cannot be allocated. (The buffer is probed with a
/// fallible allocation first, because rtrb itself would abort the process.)
///
/// # Examples
///
/// ```
/// use streamlib_native::fifo_ring::fifo_ring;
/// use streamlib_native::message::FrameMessage;
///
/// let (mut producer, mut consumer) = fifo_ring(2).unwrap();
/// let message = FrameMessage { sequence: 1.0, ..FrameMessage::EMPTY }.to_bytes();
/// assert_eq!(producer.push(&[message; 3]), 2);
/// let mut out = [[0u8; 32]; 4];
/// assert_eq!(consumer.pop(&mut out), 2);
/// assert_eq!(out[1], message);
/// ```
pub fn fifo_ring(capacity: usize) -> Result<(FifoProducer, FifoConsumer), TryReserveError> {
    let mut probe: Vec<FrameMessage> = Vec::new();
    probe.try_reserve_exact(capacity)?;
    drop(probe);
    let (producer, consumer) = RingBuffer::new(capacity);
    let totals = Arc::new(Totals::default());
    Ok((
        FifoProducer {
            inner: producer,
            totals: Arc::clone(&totals),
            written: 0,
            full_rejections: 0,
        },
        FifoConsumer {
            inner: consumer,
            totals,
            read: 0,
            dropped: 0,
        },
    ))
}

/// Copies `src` into the chunk and commits it; the chunk has exactly `src.len()` slots.
fn fill(mut chunk: WriteChunkUninit<'_, FrameMessage>, src: &[MessageBytes]) {
    let (first, second) = chunk.as_mut_slices();
    assert_eq!(
        first.len() + second.len(),
        src.len(),
        "chunk and batch sizes differ"
    );
    let (src_first, src_second) = src.split_at(first.len());
    copy_in(first, src_first);
    copy_in(second, src_second);
    // SAFETY: `copy_in` initialized every slot of both slices, which together are the whole chunk.
    unsafe { chunk.commit_all() };
}

fn copy_in(dst: &mut [MaybeUninit<FrameMessage>], src: &[MessageBytes]) {
    assert_eq!(dst.len(), src.len(), "slice lengths differ");
    // SAFETY: both slices hold `src.len()` elements of 32 bytes (asserted above), `src` is
    // readable and `dst` writable for that many bytes, and the caller's buffer never overlaps the
    // ring's private storage; u8 copies need no alignment.
    unsafe {
        ptr::copy_nonoverlapping(
            src.as_ptr().cast::<u8>(),
            dst.as_mut_ptr().cast::<u8>(),
            src.len() * MESSAGE_BYTES,
        );
    }
}

/// Copies the chunk to the front of `out` and commits it; returns the number of messages.
fn drain(chunk: ReadChunk<'_, FrameMessage>, out: &mut [MessageBytes]) -> usize {
    let (first, second) = chunk.as_slices();
    let n = first.len() + second.len();
    out[..first.len()].copy_from_slice(as_bytes(first));
    out[first.len()..n].copy_from_slice(as_bytes(second));
    chunk.commit_all();
    n
}

impl FifoProducer {
    /// Pushes as many of `messages` as fit, in order, and returns how many that was (possibly
    /// 0). Refused messages are added to `full_rejections`.
    pub fn push(&mut self, messages: &[MessageBytes]) -> usize {
        if messages.is_empty() {
            return 0;
        }
        let written = match self.inner.write_chunk_uninit(messages.len()) {
            Ok(chunk) => {
                fill(chunk, messages);
                messages.len()
            }
            Err(ChunkError::TooFewSlots(available)) => {
                if available > 0 {
                    // Cannot fail: only the consumer changes the free space, and only upwards.
                    let chunk = self
                        .inner
                        .write_chunk_uninit(available)
                        .expect("slots available");
                    fill(chunk, &messages[..available]);
                }
                self.full_rejections += (messages.len() - available) as u64;
                let totals = &self.totals.producer;
                totals
                    .full_rejections
                    .store(self.full_rejections, Ordering::Relaxed);
                available
            }
        };
        if written > 0 {
            self.written += written as u64;
            self.totals
                .producer
                .written
                .store(self.written, Ordering::Relaxed);
        }
        written
    }

    /// Free slots: how many messages a push could write right now.
    pub fn slots(&self) -> usize {
        self.inner.slots()
    }

    /// Messages the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.inner.buffer().capacity()
    }

    /// Whether the consumer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// The ring's counters, seen from the producer.
    pub fn stats(&self) -> RingStats {
        let capacity = self.capacity();
        let consumer = &self.totals.consumer;
        RingStats {
            capacity: capacity as u64,
            queued: (capacity - self.slots()) as u64,
            written: self.written,
            read: consumer.read.load(Ordering::Relaxed),
            dropped: consumer.dropped.load(Ordering::Relaxed),
            full_rejections: self.full_rejections,
            policy: Policy::Fifo,
            abandoned: self.is_abandoned(),
        }
    }
}

impl FifoConsumer {
    /// Pops up to `out.len()` messages, oldest first, into the front of `out`; returns how many.
    pub fn pop(&mut self, out: &mut [MessageBytes]) -> usize {
        if out.is_empty() {
            return 0;
        }
        let read = match self.inner.read_chunk(out.len()) {
            Ok(chunk) => drain(chunk, out),
            Err(ChunkError::TooFewSlots(0)) => 0,
            Err(ChunkError::TooFewSlots(available)) => {
                // Cannot fail: only the producer changes the fill level, and only upwards.
                let chunk = self
                    .inner
                    .read_chunk(available)
                    .expect("messages available");
                drain(chunk, out)
            }
        };
        if read > 0 {
            self.read += read as u64;
            self.totals
                .consumer
                .read
                .store(self.read, Ordering::Relaxed);
        }
        read
    }

    /// Pops every queued message, writes the newest to `out` and counts the older ones as
    /// dropped; returns `false` (leaving `out` alone) when the ring is empty.
    pub fn pop_latest(&mut self, out: &mut MessageBytes) -> bool {
        let available = self.inner.slots();
        if available == 0 {
            return false;
        }
        let chunk = self
            .inner
            .read_chunk(available)
            .expect("messages available");
        let (first, second) = chunk.as_slices();
        let newest = second.last().or(first.last()).expect("chunk is not empty");
        *out = newest.to_bytes();
        chunk.commit_all();
        self.read += 1;
        self.dropped += (available - 1) as u64;
        let totals = &self.totals.consumer;
        totals.dropped.store(self.dropped, Ordering::Relaxed);
        totals.read.store(self.read, Ordering::Relaxed);
        true
    }

    /// Messages ready to be popped.
    pub fn slots(&self) -> usize {
        self.inner.slots()
    }

    /// Messages the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.inner.buffer().capacity()
    }

    /// Whether the producer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// The ring's counters, seen from the consumer.
    pub fn stats(&self) -> RingStats {
        let producer = &self.totals.producer;
        RingStats {
            capacity: self.capacity() as u64,
            queued: self.slots() as u64,
            written: producer.written.load(Ordering::Relaxed),
            read: self.read,
            dropped: self.dropped,
            full_rejections: producer.full_rejections.load(Ordering::Relaxed),
            policy: Policy::Fifo,
            abandoned: self.is_abandoned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(sequence: u64) -> MessageBytes {
        FrameMessage {
            slot: sequence as u32,
            format: (sequence >> 32) as u32,
            byte_length: 32,
            flags: 0,
            timestamp_ns: (sequence * 1000) as f64,
            sequence: sequence as f64,
        }
        .to_bytes()
    }

    fn sequence_of(bytes: &MessageBytes) -> u64 {
        FrameMessage::from_bytes(bytes).sequence as u64
    }

    #[test]
    fn push_writes_what_fits_and_counts_the_rest() {
        let (mut producer, mut consumer) = fifo_ring(4).unwrap();
        let batch: Vec<MessageBytes> = (0..6).map(message).collect();
        assert_eq!(producer.push(&batch), 4);
        assert_eq!(producer.push(&batch[4..]), 0);
        assert_eq!(producer.slots(), 0);
        assert_eq!(consumer.slots(), 4);
        let stats = producer.stats();
        assert_eq!(
            (stats.written, stats.full_rejections, stats.queued),
            (4, 4, 4)
        );
        let mut out = [[0; 32]; 8];
        assert_eq!(consumer.pop(&mut out), 4);
        assert_eq!(
            out[..4].iter().map(sequence_of).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(consumer.pop(&mut out), 0);
        assert_eq!(consumer.stats().read, 4);
    }

    #[test]
    fn batches_wrap_around_the_end_of_the_buffer() {
        let (mut producer, mut consumer) = fifo_ring(5).unwrap();
        let mut out = [[0; 32]; 5];
        let mut next = 0;
        let mut expected = 0;
        for round in 0..20usize {
            let batch: Vec<MessageBytes> =
                (next..next + 1 + (round % 5) as u64).map(message).collect();
            let written = producer.push(&batch);
            next += written as u64;
            let read = consumer.pop(&mut out[..1 + (round * 3) % 5]);
            for bytes in &out[..read] {
                assert_eq!(sequence_of(bytes), expected);
                expected += 1;
            }
        }
        let read = consumer.pop(&mut out);
        expected += read as u64;
        assert_eq!(expected, next);
    }

    #[test]
    fn pop_latest_keeps_the_newest_and_drops_the_rest() {
        let (mut producer, mut consumer) = fifo_ring(8).unwrap();
        let mut out = [0; 32];
        assert!(!consumer.pop_latest(&mut out));
        let batch: Vec<MessageBytes> = (0..5).map(message).collect();
        producer.push(&batch);
        assert!(consumer.pop_latest(&mut out));
        assert_eq!(sequence_of(&out), 4);
        let stats = consumer.stats();
        assert_eq!(
            (stats.read, stats.dropped, stats.queued, stats.written),
            (1, 4, 0, 5)
        );
    }

    #[test]
    fn dropping_one_side_abandons_the_other() {
        let (producer, consumer) = fifo_ring(1).unwrap();
        assert!(!producer.is_abandoned());
        drop(consumer);
        assert!(producer.is_abandoned());
        assert!(producer.stats().abandoned);
    }

    #[test]
    fn two_threads_move_a_million_messages_in_order() {
        const COUNT: u64 = 1_000_000;
        let (mut producer, mut consumer) = fifo_ring(1024).unwrap();
        let writer = std::thread::spawn(move || {
            let mut next = 0;
            let mut batch = Vec::with_capacity(64);
            while next < COUNT {
                batch.clear();
                batch.extend((next..COUNT.min(next + 64)).map(message));
                let mut sent = 0;
                while sent < batch.len() {
                    let written = producer.push(&batch[sent..]);
                    if written == 0 {
                        std::thread::yield_now();
                    }
                    sent += written;
                }
                next += batch.len() as u64;
            }
        });
        let mut out = vec![[0; 32]; 100];
        let (mut expected, mut checksum) = (0u64, 0u64);
        while expected < COUNT {
            let read = consumer.pop(&mut out);
            if read == 0 {
                std::thread::yield_now();
            }
            for bytes in &out[..read] {
                let received = FrameMessage::from_bytes(bytes);
                assert_eq!(received.sequence as u64, expected, "lost or reordered");
                assert_eq!(
                    received.timestamp_ns as u64,
                    expected * 1000,
                    "torn message"
                );
                checksum = checksum.wrapping_add(u64::from(received.slot));
                expected += 1;
            }
        }
        writer.join().unwrap();
        assert_eq!(
            checksum,
            (0..COUNT).map(|s| u64::from(s as u32)).sum::<u64>()
        );
        let stats = consumer.stats();
        assert_eq!((stats.written, stats.read, stats.queued), (COUNT, COUNT, 0));
        assert!(consumer.is_abandoned());
    }
}
