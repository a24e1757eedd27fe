//! Loom model of the `latest` ring's ownership protocol (`src/latest_ring.rs`).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (see the README).
//! A producer that evicts (`push_evict` into a full ring of capacity 1 or 2) races a consumer
//! that pops a batch or the latest message. In every interleaving each message must be owned
//! exactly once, returned to the consumer or to the producer as evicted (or, for `pop_latest`,
//! skipped), never torn, each side seeing its messages in order, and the counters must add up.
#![cfg(loom)]

use loom::thread;
use streamlib_native::latest_ring::{LatestConsumer, LatestProducer, latest_ring};
use streamlib_native::message::MessageBytes;
use streamlib_native::ring_stats::RingStats;

/// A message whose four words all derive from `n`.
fn message(n: u64) -> MessageBytes {
    let mut bytes = [0; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&(n * 1000 + i as u64).to_ne_bytes());
    }
    bytes
}

/// The number of an intact message; panics on a torn one.
fn check(bytes: &MessageBytes) -> u64 {
    let n = u64::from_ne_bytes(bytes[..8].try_into().unwrap()) / 1000;
    assert_eq!(bytes, &message(n), "torn message");
    n
}

fn messages(range: std::ops::Range<u64>) -> Vec<MessageBytes> {
    range.map(message).collect()
}

fn assert_adds_up(stats: RingStats) {
    assert_eq!(
        stats.read + stats.dropped + stats.queued,
        stats.written,
        "{stats:?}"
    );
    assert!(stats.queued <= stats.capacity, "{stats:?}");
}

/// Pushes each batch with `push_evict`, returning the evicted message numbers in order.
fn push_batches(producer: &mut LatestProducer, batches: &[Vec<MessageBytes>]) -> Vec<u64> {
    let mut evicted = Vec::new();
    for batch in batches {
        let mut out = vec![[0; 32]; batch.len()];
        let n = producer.push_evict(batch, &mut out);
        evicted.extend(out[..n].iter().map(check));
        assert_adds_up(producer.stats());
    }
    evicted
}

fn pop(consumer: &mut LatestConsumer, max: usize) -> Vec<u64> {
    let mut out = vec![[0; 32]; max];
    let n = consumer.pop(&mut out);
    out[..n].iter().map(check).collect()
}

fn assert_increasing(numbers: &[u64], what: &str) {
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "{what} out of order: {numbers:?}"
    );
}

/// Prefills a ring of `capacity` with `prefill` messages, then races `batches` pushed with
/// `push_evict` against one consumer `pop` of up to `pop_max`; afterwards drains the ring.
/// Every message must be owned exactly once.
fn evict_vs_pop(capacity: usize, prefill: u64, batches: Vec<Vec<MessageBytes>>, pop_max: usize) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || {
        let (mut producer, mut consumer) = latest_ring(capacity).unwrap();
        producer.push(&messages(0..prefill));
        let total = prefill + batches.iter().map(|b| b.len() as u64).sum::<u64>();
        let batches = batches.clone();
        let writer = thread::spawn(move || push_batches(&mut producer, &batches));
        let mut read = pop(&mut consumer, pop_max);
        assert_adds_up(consumer.stats());
        let evicted = writer.join().unwrap();
        read.extend(pop(&mut consumer, capacity + 1));
        assert_increasing(&read, "read");
        assert_increasing(&evicted, "evicted");
        let mut owners = vec![0u32; total as usize];
        for &n in read.iter().chain(&evicted) {
            owners[n as usize] += 1;
        }
        assert!(
            owners.iter().all(|&count| count == 1),
            "ownership {owners:?}: read {read:?}, evicted {evicted:?}"
        );
        let stats = consumer.stats();
        assert_eq!(
            (stats.written, stats.read, stats.dropped, stats.queued),
            (total, read.len() as u64, evicted.len() as u64, 0)
        );
    });
}

#[test]
fn evicting_producer_vs_batch_pop_with_capacity_two() {
    // Full ring [0, 1]; the producer evicts 0 then 1 while the consumer copies and claims both.
    evict_vs_pop(2, 2, vec![messages(2..3), messages(3..4)], 2);
}

#[test]
fn evicting_producer_vs_batch_pop_with_capacity_one() {
    evict_vs_pop(1, 1, vec![messages(1..2), messages(2..3)], 1);
}

#[test]
fn batch_beyond_capacity_vs_batch_pop() {
    // One push of three into a ring of two holding one: evicts 0 and its own message 1 (unless
    // the consumer claims them first).
    evict_vs_pop(2, 1, vec![messages(1..4)], 2);
}

#[test]
fn pop_latest_vs_evicting_producer() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (mut producer, mut consumer) = latest_ring(2).unwrap();
        producer.push(&messages(0..2));
        let writer =
            thread::spawn(move || push_batches(&mut producer, &[messages(2..3), messages(3..4)]));
        let mut out = [0; 32];
        let latest = consumer.pop_latest(&mut out).then(|| check(&out));
        assert_adds_up(consumer.stats());
        let evicted = writer.join().unwrap();
        let rest = pop(&mut consumer, 3);
        assert_increasing(&evicted, "evicted");
        let read: Vec<u64> = latest.iter().copied().chain(rest.iter().copied()).collect();
        assert_increasing(&read, "read");
        assert!(latest.is_some(), "the ring was never empty");
        // pop_latest claimed everything older than what it returned that was not evicted.
        for n in 0..4 {
            let is_read = read.contains(&n);
            let is_evicted = evicted.contains(&n);
            assert!(!(is_read && is_evicted), "message {n} owned twice");
            assert!(
                is_read || is_evicted || Some(n) < latest,
                "message {n} lost: read {read:?}, evicted {evicted:?}"
            );
        }
        let stats = consumer.stats();
        assert_eq!(stats.written, 4);
        assert_eq!(stats.read, read.len() as u64);
        assert_eq!(stats.read + stats.dropped, 4);
        assert!(stats.dropped >= evicted.len() as u64);
    });
}
