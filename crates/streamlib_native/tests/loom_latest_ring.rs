//! Loom model of the `latest` ring's seqlock protocol (`src/latest_ring.rs`).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test 'loom_*'` (see the README).
//! With a capacity smaller than the number of pushes the producer laps the consumer, so every
//! interleaving of a mid-copy overwrite is explored: the consumer must never return a torn or
//! out-of-order message, and every message must end up read or dropped.
#![cfg(loom)]

use loom::thread;
use streamlib_native::latest_ring::{LatestConsumer, latest_ring};
use streamlib_native::message::MessageBytes;

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

fn pop_checked(consumer: &mut LatestConsumer, last: &mut Option<u64>, latest: bool) {
    let mut out = [[0; 32]; 2];
    let count = if latest {
        usize::from(consumer.pop_latest(&mut out[0]))
    } else {
        consumer.pop(&mut out)
    };
    for bytes in &out[..count] {
        let n = check(bytes);
        assert!(
            last.is_none_or(|last| n > last),
            "message {n} after {last:?}"
        );
        *last = Some(n);
    }
}

fn model(capacity: usize, pushes: u64, use_pop_latest: bool) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(move || {
        let (mut producer, mut consumer) = latest_ring(capacity).unwrap();
        let writer = thread::spawn(move || {
            for n in 0..pushes {
                producer.push(&[message(n)]);
            }
        });
        let mut last = None;
        pop_checked(&mut consumer, &mut last, use_pop_latest);
        pop_checked(&mut consumer, &mut last, false);
        writer.join().unwrap();
        pop_checked(&mut consumer, &mut last, use_pop_latest);
        assert_eq!(last, Some(pushes - 1), "the newest message must survive");
        let stats = consumer.stats();
        assert_eq!(stats.written, pushes);
        assert_eq!(stats.read + stats.dropped, pushes);
        assert_eq!(stats.queued, 0);
    });
}

#[test]
fn pop_never_returns_a_torn_message_with_capacity_one() {
    model(1, 2, false);
}

#[test]
fn pop_never_returns_a_torn_message_with_capacity_two() {
    model(2, 3, false);
}

#[test]
fn pop_latest_never_returns_a_torn_message() {
    model(1, 2, true);
}

#[test]
fn batched_pushes_publish_once_and_stay_consistent() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let (mut producer, mut consumer) = latest_ring(2).unwrap();
        let writer = thread::spawn(move || {
            producer.push(&[message(0), message(1), message(2)]);
        });
        let mut last = None;
        pop_checked(&mut consumer, &mut last, false);
        writer.join().unwrap();
        pop_checked(&mut consumer, &mut last, false);
        assert_eq!(last, Some(2));
        let stats = consumer.stats();
        assert_eq!(stats.read + stats.dropped, 3);
    });
}
