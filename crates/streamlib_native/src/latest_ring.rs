//! The `latest` policy: an overwriting single-producer single-consumer ring in which the oldest
//! messages roll off when the producer outruns the consumer, and whoever loses a message gets it
//! back (its frame-pool slot reference must be released).
//!
//! rtrb cannot drop its oldest element from the producer side, so this ring is its own design
//! (see `docs/decisions/0002-latest-policy-ring.md`):
//!
//! - Message number `n` lives in slot `n % capacity`, as four `AtomicU64` words. Only the producer
//!   writes slots. `head` counts the messages written (stored by the producer only); `tail` counts
//!   the messages claimed, by either side, and only ever moves by compare-and-swap.
//! - **Ownership is claimed on `tail`.** Messages `[t, t + n)` belong to whichever side moves
//!   `tail` from `t` to at least `t + n` with a successful compare-and-swap. The consumer claims
//!   what it has copied; the producer, finding the ring full, claims the oldest unread messages to
//!   evict them and hands them to its caller. Each message is claimed exactly once.
//! - **The producer is wait-free with respect to the consumer**: it only overwrites slot `n` after
//!   it has seen `tail > n` (room made by the consumer, or its own successful eviction), and each
//!   failed compare-and-swap means the consumer advanced, which made room.
//! - **The consumer is lock-free**: it copies `[t, t + n)`, then claims them. If the claim fails,
//!   the producer evicted some of them; the copies of the messages it did not evict stay valid,
//!   so the consumer claims just those, and starts over only if all of them were evicted.
//!
//! No mutex, no allocation after creation. Every message pushed ends up exactly once in `read`,
//! `dropped` (evicted by the producer or skipped by [`LatestConsumer::pop_latest`]) or `queued`.
//!
//! # Why a successful claim makes the consumer's copies valid
//!
//! The producer writes message `m + capacity` over message `m` only after an `Acquire` load (or
//! its own compare-and-swap) has shown it `tail > m`. Every change to `tail` is a read-modify-write,
//! so `tail`'s values increase along one modification order. If the consumer's compare-and-swap
//! from `t` to `t + n` succeeds, no value above `t` came before it, so any value above `m` (for
//! `t <= m < t + n`) the producer can observe is this compare-and-swap or a later read-modify-write
//! in its release sequence. The consumer's `AcqRel` compare-and-swap therefore synchronizes with
//! the producer's `Acquire` observation: the consumer's copies (sequenced before it) happen before
//! the producer's overwrite (sequenced after), so they cannot have read it. And they read at least
//! message `m` itself, because the consumer's `Acquire` load of `head > m` synchronized with the
//! producer's `Release` store of `head` that followed writing `m`. Hence no torn or stale copy is
//! ever returned. If the claim fails the copies may be anything; they are discarded (they are
//! atomics, so reading them was no data race).

use std::collections::TryReserveError;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use crossbeam_utils::CachePadded;

use crate::message::{MessageBytes, from_words, to_words};
use crate::policy::Policy;
use crate::ring_stats::RingStats;
use crate::sync::{Arc, AtomicBool, AtomicU64};

/// One message slot: the message's four words.
struct Slot([AtomicU64; 4]);

impl Slot {
    fn new() -> Self {
        Slot([0; 4].map(AtomicU64::new))
    }

    fn load(&self) -> [u64; 4] {
        [0, 1, 2, 3].map(|i| self.0[i].load(Relaxed))
    }

    fn store(&self, words: [u64; 4]) {
        for (cell, word) in self.0.iter().zip(words) {
            cell.store(word, Relaxed);
        }
    }
}

struct Shared {
    slots: Box<[Slot]>,
    /// Messages written and published; stored only by the producer.
    head: CachePadded<AtomicU64>,
    /// Messages claimed by either side; changed only by compare-and-swap.
    tail: CachePadded<AtomicU64>,
    /// Messages `pop_latest` claimed and discarded, published by the consumer for the
    /// producer's `stats()` (which derives `read` from `tail`).
    skipped: CachePadded<AtomicU64>,
    /// Set by whichever endpoint is dropped first.
    abandoned: AtomicBool,
}

impl Shared {
    fn capacity(&self) -> u64 {
        self.slots.len() as u64
    }

    /// The slots of `count` messages starting at slot `index`: at most two runs, before and after
    /// the end of the ring.
    fn runs(&self, index: usize, count: usize) -> [&[Slot]; 2] {
        let (wrapped, first) = self.slots.split_at(index);
        let split = count.min(first.len());
        [&first[..split], &wrapped[..count - split]]
    }

    /// Copies messages `[from, from + out.len())` out of their slots.
    fn copy_out(&self, from: u64, out: &mut [MessageBytes]) {
        let [first, second] = self.runs((from % self.capacity()) as usize, out.len());
        let (out_first, out_second) = out.split_at_mut(first.len());
        for (message, slot) in out_first.iter_mut().zip(first) {
            *message = from_words(slot.load());
        }
        for (message, slot) in out_second.iter_mut().zip(second) {
            *message = from_words(slot.load());
        }
    }

    /// Stores `messages` in consecutive slots from slot `index` on.
    fn store_in(&self, index: usize, messages: &[MessageBytes]) {
        let [first, second] = self.runs(index, messages.len());
        let (in_first, in_second) = messages.split_at(first.len());
        for (slot, message) in first.iter().zip(in_first) {
            slot.store(to_words(message));
        }
        for (slot, message) in second.iter().zip(in_second) {
            slot.store(to_words(message));
        }
    }

    fn stats(&self, written: u64, tail: u64, read: u64, dropped: u64) -> RingStats {
        RingStats {
            capacity: self.capacity(),
            queued: written - tail,
            written,
            read,
            dropped,
            full_rejections: 0,
            policy: Policy::Latest,
            abandoned: self.abandoned.load(Acquire),
        }
    }
}

/// The writing end of a `latest` ring. Pushing never blocks and never fails.
pub struct LatestProducer {
    shared: Arc<Shared>,
    /// Messages written so far (the next message's number); published in `shared.head`.
    head: u64,
    /// `head % capacity`, kept incrementally to avoid a division per message.
    index: usize,
    /// A value `tail` had; `tail` only grows, so `head - tail_seen` bounds the messages queued.
    tail_seen: u64,
    /// Messages this producer evicted.
    evicted: u64,
}

/// The reading end of a `latest` ring.
pub struct LatestConsumer {
    shared: Arc<Shared>,
    /// The producer's `head` as last loaded.
    head_seen: u64,
    read: u64,
    /// Messages `pop_latest` claimed and discarded.
    skipped: u64,
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
/// let mut evicted = [[0u8; 32]; 5];
/// assert_eq!(producer.push_evict(&messages, &mut evicted), 3); // 0, 1 and 2 rolled off
/// assert_eq!(FrameMessage::from_bytes(&evicted[0]).sequence, 0.0);
/// let mut out = [[0u8; 32]; 4];
/// assert_eq!(consumer.pop(&mut out), 2); // messages 3 and 4
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
        tail: CachePadded::new(AtomicU64::new(0)),
        skipped: CachePadded::new(AtomicU64::new(0)),
        abandoned: AtomicBool::new(false),
    });
    let producer = LatestProducer {
        shared: Arc::clone(&shared),
        head: 0,
        index: 0,
        tail_seen: 0,
        evicted: 0,
    };
    let consumer = LatestConsumer {
        shared,
        head_seen: 0,
        read: 0,
        skipped: 0,
    };
    Ok((producer, consumer))
}

impl LatestProducer {
    /// Pushes every message of `messages`, in order; when the ring is full the oldest unread
    /// messages roll off and are counted as dropped. At most `capacity` of them survive.
    ///
    /// Use [`LatestProducer::push_evict`] when messages carry frame-pool slots: a message rolled
    /// off here is lost together with its slot reference.
    pub fn push(&mut self, messages: &[MessageBytes]) {
        self.push_inner::<false>(messages, &mut []);
    }

    /// Pushes every message of `messages`, in order, and copies each message this call rolls off
    /// (unread ones from the ring, or ones of `messages` itself when there are more than
    /// `capacity`) to the front of `evicted`, oldest first; returns how many. The caller now owns
    /// them (for example, it releases their pool slots).
    ///
    /// # Panics
    ///
    /// If `evicted` is shorter than `messages` (the most this call can evict).
    pub fn push_evict(&mut self, messages: &[MessageBytes], evicted: &mut [MessageBytes]) -> usize {
        assert!(
            evicted.len() >= messages.len(),
            "push_evict needs room for {} evicted messages, got {}",
            messages.len(),
            evicted.len()
        );
        self.push_inner::<true>(messages, evicted)
    }

    /// The one push path: with `KEEP`, evicted messages are copied to `evicted`.
    fn push_inner<const KEEP: bool>(
        &mut self,
        messages: &[MessageBytes],
        evicted: &mut [MessageBytes],
    ) -> usize {
        let capacity = self.shared.capacity();
        let mut evicted_count = 0;
        let mut rest = messages;
        while !rest.is_empty() {
            let wanted = (rest.len() as u64).min(capacity);
            let mut free = capacity - (self.head - self.tail_seen);
            if free == 0 {
                let (room, claimed) = self.make_room(wanted);
                if KEEP && claimed > 0 {
                    let out = &mut evicted[evicted_count..evicted_count + claimed as usize];
                    // Slots are written only by this producer, and it has claimed these
                    // messages, so nobody else reads them as theirs: the copies are stable.
                    self.shared.copy_out(self.tail_seen - claimed, out);
                }
                evicted_count += claimed as usize;
                free = room;
            }
            let (now, later) = rest.split_at(free.min(wanted) as usize);
            self.shared.store_in(self.index, now);
            self.head += now.len() as u64;
            self.index = (self.index + now.len()) % self.shared.slots.len();
            rest = later;
        }
        // Publishes the slot writes above to a consumer that loads `head` with `Acquire`.
        self.shared.head.store(self.head, Release);
        evicted_count
    }

    /// Called with the ring full as far as `tail_seen` tells: looks at `tail` again and, if the
    /// consumer has not made room, claims the oldest `wanted` messages. Returns the free slots and
    /// how many messages were claimed (they are `[tail_seen - claimed, tail_seen)`).
    fn make_room(&mut self, wanted: u64) -> (u64, u64) {
        let capacity = self.shared.capacity();
        // Publish every message written so far before claiming: a consumer whose `Acquire` load of
        // `tail` reads our claim then also sees `head >= tail`.
        self.shared.head.store(self.head, Release);
        let mut tail = self.shared.tail.load(Acquire);
        loop {
            let queued = self.head - tail;
            if queued < capacity {
                self.tail_seen = tail;
                return (capacity - queued, 0);
            }
            // Full: `[tail, tail + wanted)` are the oldest unread messages (wanted <= capacity).
            // AcqRel: the success pairs with the consumer's claims (Acquire) and orders our later
            // slot writes after it; the failure load (Acquire) is an observation of `tail > old`
            // that the consumer's release of those slots synchronizes with.
            match self
                .shared
                .tail
                .compare_exchange(tail, tail + wanted, AcqRel, Acquire)
            {
                Ok(_) => {
                    self.tail_seen = tail + wanted;
                    self.evicted += wanted;
                    return (wanted, wanted);
                }
                // The consumer claimed some messages, which made room: look again.
                Err(actual) => tail = actual,
            }
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

    /// The ring's counters, seen from the producer. Messages the consumer has claimed but not
    /// yet counted show as read.
    pub fn stats(&self) -> RingStats {
        let skipped = self.shared.skipped.load(Acquire);
        // Loaded after `skipped`, which the consumer stores after the claim that skipped them, so
        // `tail >= evicted + skipped`.
        let tail = self.shared.tail.load(Acquire);
        let dropped = self.evicted + skipped;
        self.shared.stats(self.head, tail, tail - dropped, dropped)
    }
}

impl Drop for LatestProducer {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Release);
    }
}

impl LatestConsumer {
    /// Pops up to `out.len()` messages, oldest first, into the front of `out`; returns how many.
    /// Messages the producer evicted before they could be claimed are not returned here: the
    /// producer handed them to its caller.
    pub fn pop(&mut self, out: &mut [MessageBytes]) -> usize {
        if out.is_empty() {
            return 0;
        }
        let mut tail = self.shared.tail.load(Acquire);
        loop {
            let wanted = out.len() as u64;
            if self.head_seen.saturating_sub(tail) < wanted {
                // Acquire: pairs with the producer's Release store, so the slot writes of every
                // message below `head` are visible to the copies below.
                self.head_seen = self.shared.head.load(Acquire);
            }
            // A stale `tail` may lag more than `capacity` behind: the producer only wrote message
            // `head_seen - 1` after seeing `tail >= head_seen - capacity`, so start there (a claim
            // from the stale value fails and moves up to the real one).
            tail = tail.max(self.head_seen.saturating_sub(self.shared.capacity()));
            let available = self.head_seen.saturating_sub(tail);
            if available == 0 {
                return 0;
            }
            let n = available.min(wanted);
            let end = tail + n;
            self.shared.copy_out(tail, &mut out[..n as usize]);
            match self.claim(tail, end) {
                Ok(from) => {
                    // The producer evicted `[tail, from)` meanwhile; the rest of the copies are
                    // ours (see the module docs).
                    let claimed = end - from;
                    if from > tail {
                        out.copy_within((from - tail) as usize..n as usize, 0);
                    }
                    self.read += claimed;
                    return claimed as usize;
                }
                // The producer evicted every message copied: start over from where it stopped.
                Err(actual) => tail = actual,
            }
        }
    }

    /// Writes the newest message to `out` and claims every older unread one, counting those as
    /// dropped; returns `false` (leaving `out` alone) when there is nothing to read.
    ///
    /// The discarded messages are lost to everyone, with any frame-pool slot references they
    /// carry: consumers of messages with payloads should [`pop`](LatestConsumer::pop) a batch,
    /// keep the newest and release the slots of the others.
    pub fn pop_latest(&mut self, out: &mut MessageBytes) -> bool {
        let mut tail = self.shared.tail.load(Acquire);
        loop {
            // Acquire: pairs with the producer's Release store of `head` (see `pop`).
            let head = self.shared.head.load(Acquire);
            self.head_seen = head;
            if head <= tail {
                return false;
            }
            let mut newest = [0; 32];
            self.shared
                .copy_out(head - 1, std::slice::from_mut(&mut newest));
            match self.claim(tail, head) {
                Ok(from) => {
                    *out = newest;
                    self.read += 1;
                    if from + 1 < head {
                        self.skipped += head - 1 - from;
                        self.shared.skipped.store(self.skipped, Release);
                    }
                    return true;
                }
                Err(actual) => tail = actual,
            }
        }
    }

    /// Moves `tail` from `tail` (or, if the producer has evicted some messages meanwhile, from
    /// wherever it is now) to `end`. Returns where the claim started, or, as the error, where
    /// `tail` is if the producer has evicted everything up to `end`.
    fn claim(&self, mut tail: u64, end: u64) -> Result<u64, u64> {
        loop {
            // AcqRel: the release half orders the copies made before this claim ahead of any
            // overwrite by a producer that observes its result (see the module docs). Acquire on
            // success and on failure pairs with the producer's evictions, which it makes after
            // publishing `head`: the `head` loaded after this is never below the `tail` seen.
            match self
                .shared
                .tail
                .compare_exchange(tail, end, AcqRel, Acquire)
            {
                Ok(_) => return Ok(tail),
                // Evicted `[tail, actual)`; the copies of `[actual, end)` are still worth
                // claiming, since a successful claim proves the producer never passed them.
                Err(actual) if actual < end => tail = actual,
                Err(actual) => return Err(actual),
            }
        }
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
        // `tail` first: if the producer's eviction moved it, the producer published `head` before
        // evicting, so the `head` loaded next is at least `tail`.
        let tail = self.shared.tail.load(Acquire);
        let head = self.shared.head.load(Acquire);
        // A stale `tail` may lag: the producer wrote message `head - 1` only after seeing
        // `tail >= head - capacity`.
        let tail = tail.max(head.saturating_sub(self.shared.capacity()));
        // Everything claimed and not read was evicted or skipped, counted or not by the producer.
        self.shared.stats(head, tail, self.read, tail - self.read)
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

    fn messages(range: std::ops::Range<u64>) -> Vec<MessageBytes> {
        range.map(message).collect()
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

    fn push_evict(producer: &mut LatestProducer, batch: &[MessageBytes]) -> Vec<u64> {
        let mut evicted = vec![[0; 32]; batch.len()];
        let n = producer.push_evict(batch, &mut evicted);
        evicted[..n].iter().map(check).collect()
    }

    fn counters(stats: RingStats) -> (u64, u64, u64, u64) {
        (stats.written, stats.read, stats.dropped, stats.queued)
    }

    #[test]
    fn keeps_everything_while_there_is_room() {
        let (mut producer, mut consumer) = latest_ring(4).unwrap();
        assert_eq!(push_evict(&mut producer, &messages(0..2)), [] as [u64; 0]);
        assert_eq!((producer.slots(), consumer.slots()), (2, 2));
        assert_eq!(pop_all(&mut consumer), [0, 1]);
        assert_eq!(pop_all(&mut consumer), [] as [u64; 0]);
        assert_eq!(counters(consumer.stats()), (2, 2, 0, 0));
    }

    #[test]
    fn rolls_off_the_oldest_when_full() {
        let (mut producer, mut consumer) = latest_ring(3).unwrap();
        producer.push(&messages(0..10));
        assert_eq!(counters(producer.stats()), (10, 0, 7, 3));
        assert_eq!(producer.slots(), 0);
        assert_eq!(pop_all(&mut consumer), [7, 8, 9]);
        producer.push(&[message(10)]);
        assert_eq!(pop_all(&mut consumer), [10]);
        assert_eq!(counters(consumer.stats()), (11, 4, 7, 0));
        assert_eq!(counters(producer.stats()), (11, 4, 7, 0));
    }

    #[test]
    fn push_evict_returns_the_oldest_unread_in_order() {
        let (mut producer, mut consumer) = latest_ring(4).unwrap();
        producer.push(&messages(0..4));
        assert_eq!(pop_all(&mut consumer)[..], [0, 1, 2, 3]);
        producer.push(&messages(4..8));
        assert_eq!(push_evict(&mut producer, &messages(8..11)), [4, 5, 6]);
        assert_eq!(push_evict(&mut producer, &messages(11..12)), [7]);
        assert_eq!(pop_all(&mut consumer), [8, 9, 10, 11]);
        assert_eq!(counters(producer.stats()), (12, 8, 4, 0));
    }

    #[test]
    fn push_evict_returns_messages_of_its_own_batch_beyond_capacity() {
        let (mut producer, mut consumer) = latest_ring(3).unwrap();
        producer.push(&messages(0..2));
        assert_eq!(
            push_evict(&mut producer, &messages(2..10)),
            [0, 1, 2, 3, 4, 5, 6]
        );
        assert_eq!(pop_all(&mut consumer), [7, 8, 9]);
        assert_eq!(counters(consumer.stats()), (10, 3, 7, 0));
    }

    #[test]
    #[should_panic(expected = "push_evict needs room for 2 evicted messages, got 1")]
    fn push_evict_needs_room_for_every_message() {
        let (mut producer, _consumer) = latest_ring(1).unwrap();
        producer.push_evict(&messages(0..2), &mut [[0; 32]]);
    }

    #[test]
    fn pop_stops_at_the_out_buffer() {
        let (mut producer, mut consumer) = latest_ring(8).unwrap();
        producer.push(&messages(0..5));
        let mut out = [[0; 32]; 2];
        assert_eq!(consumer.pop(&mut out), 2);
        assert_eq!(out.iter().map(check).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(consumer.slots(), 3);
        assert_eq!(consumer.pop(&mut []), 0);
    }

    #[test]
    fn pop_latest_returns_the_newest_and_drops_older_ones() {
        let (mut producer, mut consumer) = latest_ring(4).unwrap();
        let mut out = [0; 32];
        assert!(!consumer.pop_latest(&mut out));
        producer.push(&messages(0..3));
        assert!(consumer.pop_latest(&mut out));
        assert_eq!(check(&out), 2);
        assert!(!consumer.pop_latest(&mut out));
        producer.push(&messages(3..20));
        assert!(consumer.pop_latest(&mut out));
        assert_eq!(check(&out), 19);
        // 16 evicted by the producer, 2 + 2 skipped by pop_latest.
        assert_eq!(counters(consumer.stats()), (20, 2, 18, 0));
        assert_eq!(counters(producer.stats()), (20, 2, 18, 0));
    }

    #[test]
    fn capacity_one_always_holds_the_newest() {
        let (mut producer, mut consumer) = latest_ring(1).unwrap();
        let mut evicted = Vec::new();
        for n in 0..5 {
            evicted.extend(push_evict(&mut producer, &[message(n)]));
        }
        assert_eq!(evicted, [0, 1, 2, 3]);
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

    /// The producer pushes 0..COUNT with `push_evict`; the consumer mixes `pop` and
    /// `pop_latest`. Every message must be owned exactly once, read or evicted (or skipped by
    /// `pop_latest`), never torn, and each side must see its messages in increasing order.
    #[test]
    fn two_threads_own_every_message_exactly_once() {
        const COUNT: u64 = 1_000_000;
        let (mut producer, mut consumer) = latest_ring(16).unwrap();
        let writer = std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(40);
            let mut evicted = vec![[0; 32]; 40];
            let mut owned = vec![false; COUNT as usize];
            let mut next = 0;
            let mut last: Option<u64> = None;
            while next < COUNT {
                batch.clear();
                batch.extend((next..COUNT.min(next + 1 + next % 37)).map(message));
                let n = producer.push_evict(&batch, &mut evicted);
                for bytes in &evicted[..n] {
                    let sequence = check(bytes);
                    assert!(
                        last.is_none_or(|last| sequence > last),
                        "evicted out of order"
                    );
                    last = Some(sequence);
                    owned[sequence as usize] = true;
                }
                next += batch.len() as u64;
            }
            owned
        });
        let mut out = [[0; 32]; 5];
        let mut read = vec![false; COUNT as usize];
        // Messages before one `pop_latest` returned: skipped by it unless evicted earlier.
        let mut passed_over = vec![false; COUNT as usize];
        let mut last: Option<u64> = None;
        let mut received = 0u64;
        let mut round = 0u64;
        loop {
            let done = consumer.is_abandoned();
            round += 1;
            let latest = round % 5 == 0;
            let n = if latest {
                usize::from(consumer.pop_latest(&mut out[0]))
            } else {
                consumer.pop(&mut out)
            };
            for bytes in &out[..n] {
                let sequence = check(bytes);
                assert!(last.is_none_or(|last| sequence > last), "read out of order");
                if latest {
                    let from = last.map_or(0, |last| last + 1);
                    passed_over[from as usize..sequence as usize].fill(true);
                }
                read[sequence as usize] = true;
                last = Some(sequence);
            }
            received += n as u64;
            if n == 0 && done {
                break;
            }
        }
        let evicted = writer.join().unwrap();
        assert_eq!(last, Some(COUNT - 1), "the newest message must survive");
        let mut evicted_count = 0;
        for sequence in 0..COUNT as usize {
            let (r, e, p) = (read[sequence], evicted[sequence], passed_over[sequence]);
            assert!(!(r && e), "message {sequence} both read and evicted");
            assert!(r || e || p, "message {sequence} lost");
            evicted_count += u64::from(e);
        }
        let stats = consumer.stats();
        assert_eq!(stats.read, received);
        assert_eq!(stats.written, COUNT);
        assert_eq!(stats.queued, 0);
        assert_eq!(stats.read + stats.dropped, stats.written);
        assert!(stats.dropped >= evicted_count);
    }
}
