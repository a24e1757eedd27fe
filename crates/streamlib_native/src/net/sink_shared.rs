//! What the graph's thread and a network endpoint's thread share: a bounded queue of access units
//! that drops the oldest when full (neither side waits for the other), a stop flag, a wake-up and
//! the counters `sl_net_stats` reads. A sink's graph pushes and its network thread takes; a
//! source's network thread (SRT) pushes what it received and the graph pops. The `*_SENT`
//! counters of a source count what it received.

use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_queue::ArrayQueue;
use tokio::sync::Notify;

/// One H.264 access unit (Annex B) or Opus packet waiting to be sent (or read).
#[derive(Debug, Default)]
pub struct AccessUnitItem {
    /// The bytes.
    pub data: Vec<u8>,
    /// Presentation time in ns.
    pub timestamp_ns: i64,
    /// Whether it is an IDR picture with SPS and PPS.
    pub keyframe: bool,
    /// A source's: the first access unit of a new stream (a new sender, or the same one after a
    /// reconnection), whose timestamps need not follow the previous stream's.
    pub new_stream: bool,
    /// An Opus packet of the audio stream rather than an H.264 access unit (SRT only; never a
    /// keyframe, so it waits, like video, for the stream's next keyframe after a drop). An RTSP
    /// source's audio is decoded PCM instead (`rtsp_source::pcm_item`).
    pub audio: bool,
    /// An H.265 access unit rather than an H.264 one (RTSP sources only).
    pub h265: bool,
    /// An ADTS frame (AAC, header included) rather than an Opus packet (SRT sources' audio).
    pub aac: bool,
    /// An RTMP sink's audio packet: the stream's configuration (AAC sequence header) when it was
    /// pushed ([`SinkShared::with_audio_config`]), so a packet still queued when the configuration
    /// changes goes out after the header it was encoded with, not the new one.
    pub audio_config: Option<Arc<[u8]>>,
}

/// Index of each counter in the `f64` array `sl_net_stats` writes (`STAT_NAMES` in
/// `ffi/net/net_endpoint.ts` names them in this order).
pub mod stat {
    /// 1 while a peer is connected, else 0.
    pub const CONNECTED: usize = 0;
    /// Connections established.
    pub const CONNECTIONS: usize = 1;
    /// Connections lost (peer gone, error, timeout).
    pub const DISCONNECTS: usize = 2;
    /// Connection attempts that failed; every retry counts, also after a connection was lost.
    pub const CONNECT_FAILURES: usize = 3;
    /// Payload bytes handed to the transport (a source: received from it).
    pub const BYTES_SENT: usize = 4;
    /// Bits per second sent over the last second.
    pub const BITRATE: usize = 5;
    /// Transport packets sent (SRT data packets, a source's received; RTMP: media messages).
    pub const PACKETS_SENT: usize = 6;
    /// Packets the peer reported lost (SRT).
    pub const PACKETS_LOST: usize = 7;
    /// Packets retransmitted (SRT).
    pub const PACKETS_RETRANSMITTED: usize = 8;
    /// Loss reports (NAK packets): received by a sender, sent by a receiver (SRT).
    pub const NAKS: usize = 9;
    /// Access units sent, Opus packets included (a source: received and queued for the graph).
    pub const FRAMES_SENT: usize = 10;
    /// Access units dropped: the queue was full, no peer was connected, or the stream was
    /// waiting for a keyframe after a drop or a new connection; a source's also those larger
    /// than the graph's read buffer.
    pub const FRAMES_DROPPED: usize = 11;
    /// Access units waiting in the queue now.
    pub const FRAMES_QUEUED: usize = 12;
    /// The connection's smoothed round-trip time in microseconds, at least 1 once measured: SRT's
    /// from its full ACKs (0 again when the connection ends), RTMP's the kernel's TCP estimate
    /// (Linux `TCP_INFO`; 0 elsewhere, and it keeps its last value after the connection ends).
    pub const RTT_MICROS: usize = 13;
    /// Datagrams or handshakes from the network the protocol could not handle (malformed, an
    /// extension or key length it refuses), dropped; each ended a handshake attempt or, once
    /// connected, the session when the protocol failed on it (SRT).
    pub const PEER_ERRORS: usize = 14;
    /// 1 once the endpoint's thread failed (a panic in native code): it no longer connects,
    /// sends or receives, and `push`/`read` report the failure.
    pub const FAILED: usize = 15;
    /// How many counters there are.
    pub const COUNT: usize = 16;
}

/// The queue, the flags and the counters of one network sink.
#[derive(Debug)]
pub struct SinkShared {
    queue: ArrayQueue<AccessUnitItem>,
    /// Wakes the network thread when an access unit arrives (a sink's) or the endpoint stops.
    pub wake: Notify,
    stop: AtomicBool,
    overflowed: AtomicBool,
    counters: [AtomicU64; stat::COUNT],
    /// Access units the network thread took from the queue and has not yet counted as sent or
    /// dropped. The thread's moves (queue -> in hand -> sent or dropped) and `snapshot()` hold
    /// this lock, so a snapshot always has sent + dropped + queued = every access unit pushed.
    in_hand: Mutex<u64>,
    /// Why the endpoint's thread failed, once it did.
    failure: Mutex<Option<String>>,
    /// The audio stream's configuration (an RTMP sink's AAC sequence header): state beside the
    /// queue, not an entry in it, so no overflow or drain can lose it.
    audio_config: Mutex<Option<Arc<[u8]>>>,
}

impl SinkShared {
    /// A sink whose queue holds `capacity` access units (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: ArrayQueue::new(capacity.max(1)),
            wake: Notify::new(),
            stop: AtomicBool::new(false),
            overflowed: AtomicBool::new(false),
            counters: std::array::from_fn(|_| AtomicU64::new(0)),
            in_hand: Mutex::new(0),
            failure: Mutex::new(None),
            audio_config: Mutex::new(None),
        }
    }

    /// Sets the audio stream's configuration, which the network thread sends before the first
    /// audio packet of every connection and again when it changes.
    pub fn set_audio_config(&self, config: &[u8]) {
        let mut slot = self
            .audio_config
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.as_deref() != Some(config) {
            *slot = Some(Arc::from(config));
        }
    }

    /// `item` with the audio configuration set now, when it is an audio packet (see
    /// [`AccessUnitItem::audio_config`]).
    pub fn with_audio_config(&self, mut item: AccessUnitItem) -> AccessUnitItem {
        if item.audio {
            item.audio_config = self.audio_config();
        }
        item
    }

    /// The audio stream's configuration, once set: the same `Arc` until it changes, so the
    /// network thread tells a new one by pointer, without copying it per packet.
    pub fn audio_config(&self) -> Option<Arc<[u8]>> {
        self.audio_config
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The accounting lock (a panic while it was held leaves a count that is still a count).
    fn accounts(&self) -> MutexGuard<'_, u64> {
        self.in_hand
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues an access unit without blocking; when the queue is full the oldest is dropped
    /// (counted). Returns whether nothing was dropped.
    pub fn push(&self, item: AccessUnitItem) -> bool {
        let displaced = self.queue.force_push(item);
        self.wake.notify_one();
        if displaced.is_some() {
            self.overflowed.store(true, Release);
            self.add(stat::FRAMES_DROPPED, 1);
            return false;
        }
        true
    }

    /// The oldest queued access unit, for a receiver's reader (it leaves the counts at once).
    pub fn pop(&self) -> Option<AccessUnitItem> {
        self.queue.pop()
    }

    /// The oldest queued access unit, for the thread that sends it: it stays counted as queued
    /// until [`Taken::sent`], and counts as dropped if the [`Taken`] is dropped unsent (skipped,
    /// or lost with the connection), so no access unit ever leaves the counts.
    pub fn take(&self) -> Option<Taken<'_>> {
        let mut in_hand = self.accounts();
        let item = self.queue.pop()?;
        *in_hand += 1;
        Some(Taken {
            shared: self,
            item,
            settled: false,
        })
    }

    fn settle(&self, index: usize) {
        let mut in_hand = self.accounts();
        *in_hand = in_hand.saturating_sub(1);
        self.add(index, 1);
    }

    /// Whether the queue dropped an access unit since the last call (the stream must then wait
    /// for a keyframe).
    pub fn take_overflow(&self) -> bool {
        self.overflowed.swap(false, Acquire)
    }

    /// Drops every queued access unit (counted), e.g. while no peer is connected.
    pub fn drain_dropped(&self) {
        let _accounts = self.accounts();
        let mut n = 0;
        while self.queue.pop().is_some() {
            n += 1;
        }
        self.add(stat::FRAMES_DROPPED, n);
    }

    /// Asks the network thread to stop.
    pub fn request_stop(&self) {
        self.stop.store(true, Release);
        self.wake.notify_one();
    }

    /// Whether the sink is stopping.
    pub fn stopping(&self) -> bool {
        self.stop.load(Acquire)
    }

    /// Records that the endpoint's thread failed (the first reason is kept): it is no longer
    /// connected, and [`SinkShared::failure`] returns `reason` from now on.
    pub fn fail(&self, reason: String) {
        let mut failure = self
            .failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failure.get_or_insert(reason);
        self.set(stat::CONNECTED, 0);
        self.set(stat::BITRATE, 0);
        self.set(stat::FAILED, 1);
    }

    /// Why the endpoint's thread failed, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Adds to a counter.
    pub fn add(&self, index: usize, n: u64) {
        self.counters[index].fetch_add(n, Relaxed);
    }

    /// Sets a counter (a gauge such as the bit rate).
    pub fn set(&self, index: usize, value: u64) {
        self.counters[index].store(value, Relaxed);
    }

    /// Reads a counter.
    pub fn get(&self, index: usize) -> u64 {
        self.counters[index].load(Relaxed)
    }

    /// Every counter as `f64`, in [`stat`] order.
    pub fn snapshot(&self) -> [f64; stat::COUNT] {
        let in_hand = self.accounts();
        let mut out = std::array::from_fn(|i| self.get(i) as f64);
        out[stat::FRAMES_QUEUED] = (self.queue.len() as u64 + *in_hand) as f64;
        out
    }
}

/// An access unit the sending thread took with [`SinkShared::take`]: counted as queued until
/// [`Taken::sent`]; dropped unsent, it counts as dropped.
#[derive(Debug)]
pub struct Taken<'a> {
    shared: &'a SinkShared,
    item: AccessUnitItem,
    settled: bool,
}

impl Taken<'_> {
    /// Counts the access unit as sent.
    pub fn sent(mut self) {
        self.settled = true;
        self.shared.settle(stat::FRAMES_SENT);
    }
}

impl std::ops::Deref for Taken<'_> {
    type Target = AccessUnitItem;

    fn deref(&self) -> &AccessUnitItem {
        &self.item
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.shared.settle(stat::FRAMES_DROPPED);
        }
    }
}

/// Measures the bit rate over the last second from a running byte count.
#[derive(Debug)]
pub struct RateMeter {
    since: std::time::Instant,
    bytes_then: u64,
}

impl RateMeter {
    /// Starts measuring at `bytes`.
    pub fn new(bytes: u64) -> Self {
        Self {
            since: std::time::Instant::now(),
            bytes_then: bytes,
        }
    }

    /// Updates `shared`'s bit rate when a second or more has passed.
    pub fn tick(&mut self, shared: &SinkShared) {
        let elapsed = self.since.elapsed().as_secs_f64();
        if elapsed < 1.0 {
            return;
        }
        let bytes = shared.get(stat::BYTES_SENT);
        let rate = (bytes.saturating_sub(self.bytes_then)) as f64 * 8.0 / elapsed;
        shared.set(stat::BITRATE, rate.round() as u64);
        self.since = std::time::Instant::now();
        self.bytes_then = bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(n: i64) -> AccessUnitItem {
        AccessUnitItem {
            data: vec![0; 4],
            timestamp_ns: n,
            keyframe: false,
            new_stream: false,
            audio: false,
            h265: false,
            aac: false,
            audio_config: None,
        }
    }

    #[test]
    fn a_full_queue_drops_the_oldest_and_counts_it() {
        let shared = SinkShared::new(2);
        assert!(shared.push(unit(1)));
        assert!(shared.push(unit(2)));
        assert!(!shared.push(unit(3)));
        assert_eq!(shared.get(stat::FRAMES_DROPPED), 1);
        assert_eq!(shared.pop().unwrap().timestamp_ns, 2);
        assert_eq!(shared.snapshot()[stat::FRAMES_QUEUED], 1.0);
        shared.drain_dropped();
        assert_eq!(shared.get(stat::FRAMES_DROPPED), 2);
    }

    #[test]
    fn the_audio_config_outlives_overflow_and_drain() {
        let shared = SinkShared::new(1);
        shared.set_audio_config(&[0xAF, 0, 0x11, 0x90]);
        for n in 0..4 {
            shared.push(unit(n));
        }
        shared.drain_dropped();
        let first = shared.audio_config().unwrap();
        assert_eq!(&first[..], &[0xAF, 0, 0x11, 0x90]);
        shared.set_audio_config(&[0xAF, 0, 0x11, 0x90]); // unchanged: the same one
        assert!(Arc::ptr_eq(&first, &shared.audio_config().unwrap()));
        shared.set_audio_config(&[0xAF, 0, 0x12, 0x10]);
        assert_eq!(&shared.audio_config().unwrap()[..], &[0xAF, 0, 0x12, 0x10]);
    }

    #[test]
    fn a_taken_unit_counts_as_queued_until_sent_or_dropped() {
        let shared = SinkShared::new(4);
        for n in 0..3 {
            assert!(shared.push(unit(n)));
        }
        let total = |s: &SinkShared| {
            let snap = s.snapshot();
            snap[stat::FRAMES_SENT] + snap[stat::FRAMES_DROPPED] + snap[stat::FRAMES_QUEUED]
        };
        let first = shared.take().unwrap();
        assert_eq!(first.timestamp_ns, 0);
        assert_eq!(
            shared.snapshot()[stat::FRAMES_QUEUED],
            3.0,
            "in hand is still queued"
        );
        first.sent();
        assert_eq!(shared.get(stat::FRAMES_SENT), 1);
        let second = shared.take().unwrap();
        drop(second); // skipped, or lost with the connection
        assert_eq!(shared.get(stat::FRAMES_DROPPED), 1);
        assert_eq!(shared.snapshot()[stat::FRAMES_QUEUED], 1.0);
        assert_eq!(total(&shared), 3.0);
    }

    #[test]
    fn snapshots_taken_while_another_thread_sends_always_add_up() {
        let shared = std::sync::Arc::new(SinkShared::new(64));
        for n in 0..2_000 {
            while !shared.push(unit(n)) {}
            if n % 64 == 63 {
                while shared.snapshot()[stat::FRAMES_QUEUED] > 0.0 {
                    let sender = std::sync::Arc::clone(&shared);
                    let thread = std::thread::spawn(move || {
                        while let Some(taken) = sender.take() {
                            if taken.timestamp_ns % 3 == 0 {
                                drop(taken);
                            } else {
                                taken.sent();
                            }
                        }
                    });
                    for _ in 0..100 {
                        let snap = shared.snapshot();
                        let sum = snap[stat::FRAMES_SENT]
                            + snap[stat::FRAMES_DROPPED]
                            + snap[stat::FRAMES_QUEUED];
                        assert_eq!(sum, (n + 1) as f64);
                    }
                    thread.join().unwrap();
                }
            }
        }
    }
}
