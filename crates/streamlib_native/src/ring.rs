//! A ring of frame messages with either delivery policy behind one producer/consumer pair.
//!
//! [`ring`] validates the capacity and policy and builds a [`fifo_ring`](crate::fifo_ring)
//! or a [`latest_ring`](crate::latest_ring). The FFI, the integration tests and the
//! `ring_threads` benchmark all go through these types, so the benchmark measures exactly the code
//! Deno calls.

use crate::fifo_ring::{FifoConsumer, FifoProducer, fifo_ring};
use crate::latest_ring::{LatestConsumer, LatestProducer, latest_ring};
use crate::message::{FrameMessage, MESSAGE_BYTES, MessageBytes, as_bytes, as_bytes_mut};
use crate::policy::Policy;
use crate::ring_stats::RingStats;
use crate::status::{Error, ErrorKind};

/// Smallest ring capacity, in messages.
pub const MIN_CAPACITY: u32 = 1;

/// Largest ring capacity, in messages (512 MiB of messages).
pub const MAX_CAPACITY: u32 = 16_777_216;

enum ProducerInner {
    Fifo(FifoProducer),
    Latest(LatestProducer),
}

enum ConsumerInner {
    Fifo(FifoConsumer),
    Latest(LatestConsumer),
}

/// The writing end of a ring; owned by one thread at a time.
pub struct RingProducer {
    inner: ProducerInner,
}

/// The reading end of a ring; owned by one thread at a time.
pub struct RingConsumer {
    inner: ConsumerInner,
}

/// Either end of a ring, as stored behind an endpoint handle.
pub enum RingEndpoint {
    /// The writing end.
    Producer(RingProducer),
    /// The reading end.
    Consumer(RingConsumer),
}

/// Creates a ring of `capacity` messages with `policy`, returning its `[producer, consumer]`.
///
/// # Errors
///
/// - [`ErrorKind::OutOfRange`] if `capacity` is outside [`MIN_CAPACITY`]`..=`[`MAX_CAPACITY`].
/// - [`ErrorKind::OutOfMemory`] if the ring's storage cannot be allocated.
///
/// # Examples
///
/// ```
/// use streamlib_native::message::FrameMessage;
/// use streamlib_native::policy::Policy;
/// use streamlib_native::ring::ring;
///
/// let (mut producer, mut consumer) = ring(4, Policy::Fifo).unwrap();
/// assert!(producer.push(&FrameMessage { sequence: 1.0, ..FrameMessage::EMPTY }));
/// assert_eq!(consumer.pop().map(|m| m.sequence), Some(1.0));
/// assert_eq!(consumer.pop(), None);
/// assert!(ring(0, Policy::Fifo).is_err());
/// ```
pub fn ring(capacity: u32, policy: Policy) -> Result<(RingProducer, RingConsumer), Error> {
    if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity) {
        return Err(ErrorKind::OutOfRange {
            what: "ring capacity",
            value: u64::from(capacity),
            min: u64::from(MIN_CAPACITY),
            max: u64::from(MAX_CAPACITY),
        }
        .into());
    }
    let out_of_memory = |_| {
        Error::new(ErrorKind::OutOfMemory {
            what: "ring buffer",
            bytes: u64::from(capacity) * MESSAGE_BYTES as u64,
        })
    };
    let (producer, consumer) = match policy {
        Policy::Fifo => {
            let (p, c) = fifo_ring(capacity as usize).map_err(out_of_memory)?;
            (ProducerInner::Fifo(p), ConsumerInner::Fifo(c))
        }
        Policy::Latest => {
            let (p, c) = latest_ring(capacity as usize).map_err(out_of_memory)?;
            (ProducerInner::Latest(p), ConsumerInner::Latest(c))
        }
    };
    Ok((
        RingProducer { inner: producer },
        RingConsumer { inner: consumer },
    ))
}

impl RingProducer {
    /// Pushes one message: `true` if written, `false` if a `fifo` ring is full. A `latest` ring
    /// always writes.
    pub fn push(&mut self, message: &FrameMessage) -> bool {
        self.push_bytes(&[message.to_bytes()]) == 1
    }

    /// Pushes a batch of typed messages; see [`RingProducer::push_bytes`].
    pub fn push_batch(&mut self, messages: &[FrameMessage]) -> usize {
        self.push_bytes(as_bytes(messages))
    }

    /// Pushes a batch of messages in ABI bytes and returns how many were written: `fifo` writes
    /// as many as fit (possibly 0), `latest` writes all of them (at most `capacity` survive; the
    /// ones rolled off are counted as dropped and lost, so pooled frames use
    /// [`RingProducer::push_evict_bytes`]).
    pub fn push_bytes(&mut self, messages: &[MessageBytes]) -> usize {
        match &mut self.inner {
            ProducerInner::Fifo(fifo) => fifo.push(messages),
            ProducerInner::Latest(latest) => {
                latest.push(messages);
                messages.len()
            }
        }
    }

    /// Pushes a batch of typed messages to a `latest` ring, returning the ones it rolls off; see
    /// [`RingProducer::push_evict_bytes`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::FifoNeverEvicts`] on a `fifo` ring.
    ///
    /// # Panics
    ///
    /// If `evicted` is shorter than `messages`.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::message::FrameMessage;
    /// use streamlib_native::policy::Policy;
    /// use streamlib_native::ring::ring;
    ///
    /// let frame = |sequence| FrameMessage { slot: sequence, sequence: f64::from(sequence), ..FrameMessage::EMPTY };
    /// let (mut producer, mut consumer) = ring(2, Policy::Latest).unwrap();
    /// let mut evicted = [FrameMessage::EMPTY; 3];
    /// assert_eq!(producer.push_evict(&[frame(0), frame(1), frame(2)], &mut evicted), Ok(1));
    /// assert_eq!(evicted[0].slot, 0); // the caller releases slot 0's reference
    /// assert_eq!(consumer.pop().map(|m| m.slot), Some(1));
    ///
    /// let (mut fifo, _) = ring(2, Policy::Fifo).unwrap();
    /// assert!(fifo.push_evict(&[frame(0)], &mut evicted).is_err());
    /// ```
    pub fn push_evict(
        &mut self,
        messages: &[FrameMessage],
        evicted: &mut [FrameMessage],
    ) -> Result<usize, Error> {
        self.push_evict_bytes(as_bytes(messages), as_bytes_mut(evicted))
    }

    /// Pushes every message of `messages` to a `latest` ring and copies each message this call
    /// rolls off (unread ones from the ring, or ones of `messages` itself beyond `capacity`) to
    /// the front of `evicted`, oldest first; returns how many, `0..=messages.len()`. The caller
    /// owns the evicted messages and releases their frame-pool slots.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::FifoNeverEvicts`] on a `fifo` ring (use [`RingProducer::push_bytes`]).
    ///
    /// # Panics
    ///
    /// If `evicted` is shorter than `messages`.
    pub fn push_evict_bytes(
        &mut self,
        messages: &[MessageBytes],
        evicted: &mut [MessageBytes],
    ) -> Result<usize, Error> {
        match &mut self.inner {
            ProducerInner::Fifo(_) => Err(ErrorKind::FifoNeverEvicts {
                operation: "sl_ring_push_evict",
                alternative: "sl_ring_push_batch",
            }
            .into()),
            ProducerInner::Latest(latest) => Ok(latest.push_evict(messages, evicted)),
        }
    }

    /// The ring's delivery policy.
    pub fn policy(&self) -> Policy {
        match &self.inner {
            ProducerInner::Fifo(_) => Policy::Fifo,
            ProducerInner::Latest(_) => Policy::Latest,
        }
    }

    /// Free slots: how many messages fit without rolling off or being refused.
    pub fn slots(&self) -> usize {
        match &self.inner {
            ProducerInner::Fifo(fifo) => fifo.slots(),
            ProducerInner::Latest(latest) => latest.slots(),
        }
    }

    /// Whether the consumer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        match &self.inner {
            ProducerInner::Fifo(fifo) => fifo.is_abandoned(),
            ProducerInner::Latest(latest) => latest.is_abandoned(),
        }
    }

    /// The ring's counters.
    pub fn stats(&self) -> RingStats {
        match &self.inner {
            ProducerInner::Fifo(fifo) => fifo.stats(),
            ProducerInner::Latest(latest) => latest.stats(),
        }
    }
}

impl RingConsumer {
    /// Pops the oldest message, or `None` if there is none.
    pub fn pop(&mut self) -> Option<FrameMessage> {
        let mut out = [[0; MESSAGE_BYTES]];
        (self.pop_bytes(&mut out) == 1).then(|| FrameMessage::from_bytes(&out[0]))
    }

    /// Pops up to `out.len()` typed messages; see [`RingConsumer::pop_bytes`].
    pub fn pop_batch(&mut self, out: &mut [FrameMessage]) -> usize {
        self.pop_bytes(as_bytes_mut(out))
    }

    /// Pops up to `out.len()` messages, in order, into the front of `out`; returns how many.
    pub fn pop_bytes(&mut self, out: &mut [MessageBytes]) -> usize {
        match &mut self.inner {
            ConsumerInner::Fifo(fifo) => fifo.pop(out),
            ConsumerInner::Latest(latest) => latest.pop(out),
        }
    }

    /// Returns the newest message, discarding older ones (counted as dropped), or `None`.
    ///
    /// The discarded messages are lost with any frame-pool slots they carry; consumers of
    /// messages with payloads pop a batch instead, keep the newest and release the others.
    pub fn pop_latest(&mut self) -> Option<FrameMessage> {
        let mut out = [0; MESSAGE_BYTES];
        self.pop_latest_bytes(&mut out)
            .then(|| FrameMessage::from_bytes(&out))
    }

    /// Writes the newest message to `out`, discarding older ones (counted as dropped); `false`
    /// (leaving `out` alone) if there is nothing to read.
    pub fn pop_latest_bytes(&mut self, out: &mut MessageBytes) -> bool {
        match &mut self.inner {
            ConsumerInner::Fifo(fifo) => fifo.pop_latest(out),
            ConsumerInner::Latest(latest) => latest.pop_latest(out),
        }
    }

    /// Messages ready to be popped.
    pub fn slots(&self) -> usize {
        match &self.inner {
            ConsumerInner::Fifo(fifo) => fifo.slots(),
            ConsumerInner::Latest(latest) => latest.slots(),
        }
    }

    /// Whether the producer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        match &self.inner {
            ConsumerInner::Fifo(fifo) => fifo.is_abandoned(),
            ConsumerInner::Latest(latest) => latest.is_abandoned(),
        }
    }

    /// The ring's counters.
    pub fn stats(&self) -> RingStats {
        match &self.inner {
            ConsumerInner::Fifo(fifo) => fifo.stats(),
            ConsumerInner::Latest(latest) => latest.stats(),
        }
    }
}

impl RingEndpoint {
    /// The side's name: `"producer"` or `"consumer"`.
    pub fn side(&self) -> &'static str {
        match self {
            RingEndpoint::Producer(_) => "producer",
            RingEndpoint::Consumer(_) => "consumer",
        }
    }

    /// Producer: free slots; consumer: messages ready.
    pub fn slots(&self) -> usize {
        match self {
            RingEndpoint::Producer(producer) => producer.slots(),
            RingEndpoint::Consumer(consumer) => consumer.slots(),
        }
    }

    /// Whether the other endpoint has been dropped.
    pub fn is_abandoned(&self) -> bool {
        match self {
            RingEndpoint::Producer(producer) => producer.is_abandoned(),
            RingEndpoint::Consumer(consumer) => consumer.is_abandoned(),
        }
    }

    /// The ring's counters.
    pub fn stats(&self) -> RingStats {
        match self {
            RingEndpoint::Producer(producer) => producer.stats(),
            RingEndpoint::Consumer(consumer) => consumer.stats(),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn message(sequence: u32) -> FrameMessage {
        FrameMessage {
            sequence: f64::from(sequence),
            ..FrameMessage::EMPTY
        }
    }

    #[test]
    fn ring_rejects_capacities_outside_the_range() {
        for capacity in [0, MAX_CAPACITY + 1] {
            let error = ring(capacity, Policy::Latest).err().unwrap();
            assert_eq!(
                error.to_string(),
                format!("Invalid ring capacity: {capacity}, valid range 1..=16777216")
            );
        }
    }

    #[test]
    fn both_policies_share_the_endpoint_api() {
        for policy in [Policy::Fifo, Policy::Latest] {
            let (mut producer, mut consumer) = ring(2, policy).unwrap();
            assert_eq!(producer.push_batch(&[message(1), message(2)]), 2);
            assert_eq!(producer.push(&message(3)), policy == Policy::Latest);
            let endpoint = RingEndpoint::Producer(producer);
            assert_eq!((endpoint.side(), endpoint.slots()), ("producer", 0));
            let mut out = [FrameMessage::EMPTY; 3];
            let expected: &[f64] = match policy {
                Policy::Fifo => &[1.0, 2.0],
                Policy::Latest => &[2.0, 3.0],
            };
            assert_eq!(consumer.pop_batch(&mut out), 2);
            assert_eq!(
                out[..2].iter().map(|m| m.sequence).collect::<Vec<_>>(),
                expected
            );
            let stats = consumer.stats();
            assert_eq!(stats.policy, policy);
            assert_eq!(stats.written, 2 + u64::from(policy == Policy::Latest));
            assert_eq!(stats.full_rejections, u64::from(policy == Policy::Fifo));
            assert!(!consumer.is_abandoned());
            drop(endpoint);
            assert!(consumer.is_abandoned());
            assert_eq!(consumer.pop_latest(), None);
        }
    }

    #[test]
    fn push_evict_hands_back_rolled_off_messages_and_fifo_refuses() {
        let (mut producer, mut consumer) = ring(2, Policy::Latest).unwrap();
        let mut evicted = [FrameMessage::EMPTY; 4];
        let batch = [message(1), message(2), message(3), message(4)];
        assert_eq!(producer.push_evict(&batch, &mut evicted), Ok(2));
        assert_eq!(evicted[..2], [message(1), message(2)]);
        assert_eq!(consumer.pop(), Some(message(3)));
        let stats = consumer.stats();
        assert_eq!((stats.written, stats.read, stats.dropped), (4, 1, 2));

        let (mut fifo, _consumer) = ring(2, Policy::Fifo).unwrap();
        let error = fifo.push_evict(&batch, &mut evicted).unwrap_err();
        assert_eq!(error.status(), crate::status::Status::InvalidArgument);
        assert_eq!(
            error.to_string(),
            "Invalid ring for sl_ring_push_evict: fifo rings never evict, use sl_ring_push_batch"
        );
        assert_eq!(fifo.stats().written, 0);
    }
}
