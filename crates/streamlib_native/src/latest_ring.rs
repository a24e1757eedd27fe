//! The `latest` policy: an overwriting single-producer single-consumer ring in which the oldest
//! messages roll off when the producer outruns the consumer.
//!
//! rtrb cannot drop its oldest element from the producer side, so this ring is its own design
//! (see `docs/decisions/0002-latest-policy-ring.md`):
//!
//! - Each of the `capacity` slots holds a message as four `AtomicU64` words plus a sequence tag
//!   (a per-slot seqlock). Message number `n` goes to slot `n % capacity`; while it is being
//!   written the tag is `2n + 1`, once complete it is `2n + 2`.
//! - The producer is wait-free: it writes the slot (odd tag, release fence, words, even tag with
//!   `Release`) and publishes the count of written messages, `head`, with `Release`. It never
//!   looks at the consumer.
//! - The consumer is lock-free: to read message `r` it checks the slot's tag is `2r + 2`, copies
//!   the words, issues an acquire fence and re-reads the tag. If the tag changed, the producer
//!   lapped it mid-copy, so message `r` is gone: it skips forward (counting the skipped messages as
//!   dropped) instead of returning a torn message. When `head - r > capacity` it jumps straight to
//!   `head - capacity`.
//!
//! No mutex, no allocation after creation. Every message pushed ends up exactly once in `read`,
//! `dropped` or `queued`.

use std::collections::TryReserveError;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crossbeam_utils::CachePadded;

use crate::message::{MessageBytes, from_words, to_words};
use crate::policy::Policy;
use crate::ring_stats::RingStats;
use crate::sync::{Arc, AtomicBool, AtomicU64, fence};

/// One message slot: a seqlock tag and the message's four words.
struct Slot {
    tag: AtomicU64,
    words: [AtomicU64; 4],
}

impl Slot {
    fn new() -> Self {
        Slot {
            tag: AtomicU64::new(0),
            words: [0; 4].map(AtomicU64::new),
        }
    }
}

/// Totals the consumer publishes for the producer's `slots()` and `stats()`.
struct ConsumerTotals {
    read: AtomicU64,
    dropped: AtomicU64,
}

struct Shared {
    slots: Box<[Slot]>,
    /// Messages written and published by the producer.
    head: CachePadded<AtomicU64>,
    consumer: CachePadded<ConsumerTotals>,
    /// Set by whichever endpoint is dropped first.
    abandoned: AtomicBool,
}

impl Shared {
    fn capacity(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Counters for `written` messages of which `consumed` were read or dropped by the consumer.
    fn stats(&self, written: u64, read: u64, dropped: u64) -> RingStats {
        let capacity = self.capacity();
        let pending = written.saturating_sub(read + dropped);
        let queued = pending.min(capacity);
        RingStats {
            capacity,
            queued,
            written,
            read,
            // Messages already overwritten but not yet skipped by the consumer are dropped too.
            dropped: dropped + (pending - queued),
            full_rejections: 0,
            policy: Policy::Latest,
            abandoned: self.abandoned.load(Acquire),
        }
    }
}

/// The writing end of a `latest` ring. Pushing never blocks and never fails.
pub struct LatestProducer {
    shared: Arc<Shared>,
    /// Messages written so far (the next message's number).
    head: u64,
    /// `head % capacity`, kept incrementally to avoid a division per message.
    index: usize,
}

/// The reading end of a `latest` ring.
pub struct LatestConsumer {
    shared: Arc<Shared>,
    /// Number of the next message to read; `tail == read + dropped`.
    tail: u64,
    /// `tail % capacity`.
    index: usize,
    /// The producer's `head` as last loaded.
    head: u64,
    read: u64,
    dropped: u64,
}

/// Creates a `latest` ring holding up to `capacity` messages.
///
/// # Errors
///
/// The allocation error if the slots cannot be allocated.
///
/// # Panics
///
/// If `capacity` is 0.
///
/// # Examples
///
/// ```
/// use streamlib_native::latest_ring::latest_ring;
/// use streamlib_native::message::FrameMessage;
///
/// let (mut producer, mut consumer) = latest_ring(2).unwrap();
/// let messages: Vec<[u8; 32]> =
///     (0..5).map(|n| FrameMessage { sequence: n as f64, ..FrameMessage::EMPTY }.to_bytes()).collect();
/// producer.push(&messages);
/// let mut out = [[0u8; 32]; 4];
/// assert_eq!(consumer.pop(&mut out), 2); // messages 3 and 4; 0, 1 and 2 rolled off
/// assert_eq!(FrameMessage::from_bytes(&out[0]).sequence, 3.0);
/// assert_eq!(consumer.stats().dropped, 3);
/// ```
pub fn latest_ring(capacity: usize) -> Result<(LatestProducer, LatestConsumer), TryReserveError> {
    assert!(capacity > 0, "a latest ring needs at least one slot");
    let mut slots = Vec::new();
    slots.try_reserve_exact(capacity)?;
    slots.extend((0..capacity).map(|_| Slot::new()));
    let shared = Arc::new(Shared {
        slots: slots.into_boxed_slice(),
        head: CachePadded::new(AtomicU64::new(0)),
        consumer: CachePadded::new(ConsumerTotals {
            read: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }),
        abandoned: AtomicBool::new(false),
    });
    let producer = LatestProducer {
        shared: Arc::clone(&shared),
        head: 0,
        index: 0,
    };
    let consumer = LatestConsumer {
        shared,
        tail: 0,
        index: 0,
        head: 0,
        read: 0,
        dropped: 0,
    };
    Ok((producer, consumer))
}

impl LatestProducer {
    /// Pushes every message of `messages`, in order; when the ring is full the oldest roll off.
    /// At most `capacity` of them survive.
    pub fn push(&mut self, messages: &[MessageBytes]) {
        if messages.is_empty() {
            return;
        }
        for message in messages {
            self.write(to_words(message));
        }
        self.shared.head.store(self.head, Release);
    }

    fn write(&mut self, words: [u64; 4]) {
        let slot = &self.shared.slots[self.index];
        let tag = self.head.wrapping_mul(2);
        slot.tag.store(tag + 1, Relaxed);
        // Orders the odd tag before the words: a reader that sees any new word also sees the odd
        // tag when it re-reads it (after its acquire fence).
        fence(Release);
        for (cell, word) in slot.words.iter().zip(words) {
            cell.store(word, Relaxed);
        }
        slot.tag.store(tag + 2, Release);
        self.head += 1;
        self.index += 1;
        if self.index == self.shared.slots.len() {
            self.index = 0;
        }
    }

    /// Free slots: `capacity - queued` (a push always succeeds regardless).
    pub fn slots(&self) -> usize {
        let stats = self.stats();
        (stats.capacity - stats.queued) as usize
    }

    /// Messages the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.shared.slots.len()
    }

    /// Whether the consumer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.shared.abandoned.load(Acquire)
    }

    /// The ring's counters, seen from the producer.
    pub fn stats(&self) -> RingStats {
        let consumer = &self.shared.consumer;
        let dropped = consumer.dropped.load(Acquire);
        let read = consumer.read.load(Acquire);
        self.shared.stats(self.head, read, dropped)
    }
}

impl Drop for LatestProducer {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Release);
    }
}

impl LatestConsumer {
    /// Pops up to `out.len()` messages, oldest surviving first, into the front of `out`; returns
    /// how many. Messages that rolled off before they could be read are counted as dropped.
    pub fn pop(&mut self, out: &mut [MessageBytes]) -> usize {
        let mut count = 0;
        for slot in out.iter_mut() {
            match self.next() {
                Some(words) => *slot = from_words(words),
                None => break,
            }
            count += 1;
        }
        self.publish();
        count
    }

    /// Writes the newest message to `out`, counting every older unread one as dropped; returns
    /// `false` (leaving `out` alone) when there is nothing to read.
    pub fn pop_latest(&mut self, out: &mut MessageBytes) -> bool {
        let found = loop {
            let head = self.shared.head.load(Acquire);
            self.head = head;
            if self.tail == head {
                break false;
            }
            self.skip_to(head - 1);
            if let Some(words) = self.read_slot() {
                self.advance();
                *out = from_words(words);
                break true;
            }
            // The newest published message is being overwritten, so it is lost. Look again only
            // if the head has moved; never wait for the producer to finish a write.
            self.skip_to(head);
        };
        self.publish();
        found
    }

    /// The next surviving message, or `None` when the consumer has caught up.
    fn next(&mut self) -> Option<[u64; 4]> {
        let capacity = self.shared.capacity();
        loop {
            if self.tail == self.head {
                self.head = self.shared.head.load(Acquire);
                if self.tail == self.head {
                    return None;
                }
            }
            if self.head - self.tail > capacity {
                self.skip_to(self.head - capacity);
            }
            if let Some(words) = self.read_slot() {
                self.advance();
                return Some(words);
            }
            // Message `tail` was overwritten before or while it was copied: it is lost.
            self.head = self.shared.head.load(Acquire);
            self.skip_to((self.tail + 1).max(self.head.saturating_sub(capacity)));
        }
    }

    /// Copies message `tail` out of its slot, or `None` if the producer has overwritten it.
    fn read_slot(&self) -> Option<[u64; 4]> {
        let slot = &self.shared.slots[self.index];
        let expected = self.tail.wrapping_mul(2) + 2;
        if slot.tag.load(Acquire) != expected {
            return None;
        }
        let words = [0, 1, 2, 3].map(|i| slot.words[i].load(Relaxed));
        // Pairs with the producer's release fence: if any word came from a later write, the
        // re-read below sees that write's odd tag (or a later one).
        fence(Acquire);
        (slot.tag.load(Relaxed) == expected).then_some(words)
    }

    fn skip_to(&mut self, target: u64) {
        debug_assert!(target >= self.tail);
        self.dropped += target - self.tail;
        self.tail = target;
        self.index = (target % self.shared.capacity()) as usize;
    }

    fn advance(&mut self) {
        self.read += 1;
        self.tail += 1;
        self.index += 1;
        if self.index == self.shared.slots.len() {
            self.index = 0;
        }
    }

    fn publish(&self) {
        let consumer = &self.shared.consumer;
        consumer.dropped.store(self.dropped, Release);
        consumer.read.store(self.read, Release);
    }

    /// Messages ready to be popped (at most `capacity`).
    pub fn slots(&self) -> usize {
        self.stats().queued as usize
    }

    /// Messages the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.shared.slots.len()
    }

    /// Whether the producer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.shared.abandoned.load(Acquire)
    }

    /// The ring's counters, seen from the consumer.
    pub fn stats(&self) -> RingStats {
        let written = self.shared.head.load(Acquire).max(self.head);
        self.shared.stats(written, self.read, self.dropped)
    }
}

impl Drop for LatestConsumer {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Release);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::message::FrameMessage;

    /// A message whose four words all derive from `sequence`, so a torn copy is detectable.
    fn message(sequence: u64) -> MessageBytes {
        FrameMessage {
            slot: sequence as u32,
            format: !(sequence as u32),
            byte_length: (sequence >> 32) as u32,
            flags: 0xA5A5_0000 ^ (sequence as u32),
            timestamp_ns: (sequence * 3) as f64,
            sequence: sequence as f64,
        }
        .to_bytes()
    }

    /// The sequence of an intact message; panics on a torn one.
    fn check(bytes: &MessageBytes) -> u64 {
        let sequence = FrameMessage::from_bytes(bytes).sequence as u64;
        assert_eq!(bytes, &message(sequence), "torn message");
        sequence
    }

    fn pop_all(consumer: &mut LatestConsumer) -> Vec<u64> {
        let mut out = vec![[0; 32]; consumer.capacity() + 1];
        let n = consumer.pop(&mut out);
        out[..n].iter().map(check).collect()
    }

    #[test]
    fn keeps_everything_while_there_is_room() {
        let (mut producer, mut consumer) = latest_ring(4).unwrap();
        producer.push(&[message(0), message(1)]);
        assert_eq!((producer.slots(), consumer.slots()), (2, 2));
        assert_eq!(pop_all(&mut consumer), [0, 1]);
        assert_eq!(pop_all(&mut consumer), [] as [u64; 0]);
        let stats = consumer.stats();
        assert_eq!(
            (stats.written, stats.read, stats.dropped, stats.queued),
            (2, 2, 0, 0)
        );
    }

    #[test]
    fn rolls_off_the_oldest_when_full() {
        let (mut producer, mut consumer) = latest_ring(3).unwrap();
        let batch: Vec<MessageBytes> = (0..10).map(message).collect();
        producer.push(&batch);
        let stats = producer.stats();
        assert_eq!((stats.written, stats.queued, stats.dropped), (10, 3, 7));
        assert_eq!(producer.slots(), 0);
        assert_eq!(pop_all(&mut consumer), [7, 8, 9]);
        producer.push(&[message(10)]);
        assert_eq!(pop_all(&mut consumer), [10]);
        let stats = consumer.stats();
        assert_eq!(
            (stats.written, stats.read, stats.dropped, stats.queued),
            (11, 4, 7, 0)
        );
    }

    #[test]
    fn pop_stops_at_the_out_buffer() {
        let (mut producer, mut consumer) = latest_ring(8).unwrap();
        producer.push(&(0..5).map(message).collect::<Vec<_>>());
        let mut out = [[0; 32]; 2];
        assert_eq!(consumer.pop(&mut out), 2);
        assert_eq!(out.iter().map(check).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(consumer.slots(), 3);
    }

    #[test]
    fn pop_latest_returns_the_newest_and_drops_older_ones() {
        let (mut producer, mut consumer) = latest_ring(4).unwrap();
        let mut out = [0; 32];
        assert!(!consumer.pop_latest(&mut out));
        producer.push(&(0..3).map(message).collect::<Vec<_>>());
        assert!(consumer.pop_latest(&mut out));
        assert_eq!(check(&out), 2);
        assert!(!consumer.pop_latest(&mut out));
        producer.push(&(3..20).map(message).collect::<Vec<_>>());
        assert!(consumer.pop_latest(&mut out));
        assert_eq!(check(&out), 19);
        let stats = consumer.stats();
        assert_eq!((stats.written, stats.read, stats.dropped), (20, 2, 18));
    }

    #[test]
    fn capacity_one_always_holds_the_newest() {
        let (mut producer, mut consumer) = latest_ring(1).unwrap();
        for n in 0..5 {
            producer.push(&[message(n)]);
        }
        assert_eq!(pop_all(&mut consumer), [4]);
        assert_eq!(consumer.stats().dropped, 4);
    }

    #[test]
    fn dropping_one_side_abandons_the_other() {
        let (producer, consumer) = latest_ring(2).unwrap();
        assert!(!consumer.is_abandoned());
        drop(producer);
        assert!(consumer.is_abandoned());
        assert!(consumer.stats().abandoned);
    }

    /// Producer pushes 0..COUNT; the consumer (mixing `pop` and `pop_latest`) must see strictly
    /// increasing, untorn messages, and at the end every message is either read or dropped.
    #[test]
    fn two_threads_never_see_torn_or_reordered_messages() {
        const COUNT: u64 = 1_000_000;
        let (mut producer, mut consumer) = latest_ring(16).unwrap();
        let writer = std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(7);
            let mut next = 0;
            while next < COUNT {
                batch.clear();
                batch.extend((next..COUNT.min(next + 1 + next % 7)).map(message));
                producer.push(&batch);
                next += batch.len() as u64;
            }
        });
        let mut out = [[0; 32]; 5];
        let mut last: Option<u64> = None;
        let mut received = 0u64;
        let mut round = 0u64;
        loop {
            let done = consumer.is_abandoned();
            round += 1;
            let n = if round % 5 == 0 {
                usize::from(consumer.pop_latest(&mut out[0]))
            } else {
                consumer.pop(&mut out)
            };
            for bytes in &out[..n] {
                let sequence = check(bytes);
                assert!(last.is_none_or(|last| sequence > last), "out of order");
                last = Some(sequence);
            }
            received += n as u64;
            if n == 0 && done {
                break;
            }
        }
        writer.join().unwrap();
        let stats = consumer.stats();
        assert_eq!(last, Some(COUNT - 1), "the newest message must survive");
        assert_eq!(stats.read, received);
        assert_eq!(stats.written, COUNT);
        assert_eq!(stats.read + stats.dropped, stats.written);
        assert_eq!(stats.queued, 0);
    }
}
