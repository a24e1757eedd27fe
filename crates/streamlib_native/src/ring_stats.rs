//! A snapshot of a ring's counters, as `sl_ring_stats` reports them.

use crate::policy::Policy;

/// Counters of one ring, readable from either endpoint.
///
/// Counts are totals since creation. Taken from one endpoint, the other side's counters may be a
/// moment old, but `written == read + dropped + queued` always holds for the figures of one
/// snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingStats {
    /// Messages the ring holds at most.
    pub capacity: u64,
    /// Messages waiting to be read.
    pub queued: u64,
    /// Messages pushed (for `fifo`, only those that fit).
    pub written: u64,
    /// Messages popped.
    pub read: u64,
    /// Messages discarded: rolled off a `latest` ring, or skipped by `pop_latest`.
    pub dropped: u64,
    /// Messages a `fifo` push refused because the ring was full (a retried message counts each
    /// time it is refused).
    pub full_rejections: u64,
    /// The ring's policy.
    pub policy: Policy,
    /// Whether the other endpoint has been freed.
    pub abandoned: bool,
}

impl RingStats {
    /// The `sl_ring_stats` layout:
    /// `[capacity, queued, written, read, dropped, full_rejections, policy, abandoned]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::{policy::Policy, ring_stats::RingStats};
    ///
    /// let stats = RingStats {
    ///     capacity: 8, queued: 1, written: 3, read: 2, dropped: 0, full_rejections: 0,
    ///     policy: Policy::Latest, abandoned: true,
    /// };
    /// assert_eq!(stats.to_array(), [8.0, 1.0, 3.0, 2.0, 0.0, 0.0, 1.0, 1.0]);
    /// ```
    pub fn to_array(&self) -> [f64; 8] {
        [
            self.capacity as f64,
            self.queued as f64,
            self.written as f64,
            self.read as f64,
            self.dropped as f64,
            self.full_rejections as f64,
            f64::from(self.policy.code()),
            f64::from(u8::from(self.abandoned)),
        ]
    }
}
