//! When a silent peer counts as vanished: its silence measured against what a live peer of its
//! kind sends, so a full endpoint replaces a peer that is gone and never one that is only quiet.
//!
//! A live WebRTC peer sends at least an ICE consent check every 4 to 6 s (RFC 7675: every 5 s,
//! randomized by ±20%), however little media flows; browsers send RTCP and STUN far more often
//! (Chromium about every second with media, every 2.5 s without), publishers media many times a
//! second. So silence proves a peer gone only when it is longer than that peer's own cadence:
//! twice the longest gap it left while connected, at least [`SILENT_PEER`], and always once it
//! reaches [`CONSENT_BOUND`]. A peer connected for less than [`CONSENT_INTERVAL_MAX`] has not
//! shown its cadence yet (a peer that sends only consent checks has not sent its first), so it
//! counts as vanished only at [`CONSENT_BOUND`]; a peer that never connected, after
//! [`SILENT_PEER`] (nothing proves it alive; the connect timeout drops it later).

use std::time::{Duration, Instant};

/// The shortest silence that makes a peer vanished (a chatty peer: a browser, a publisher).
pub const SILENT_PEER: Duration = Duration::from_secs(3);
/// The longest a live peer waits between two ICE consent checks (5 s + 20%, RFC 7675).
pub const CONSENT_INTERVAL_MAX: Duration = Duration::from_secs(6);
/// Silence after which any peer is vanished: a consent check is overdue.
pub const CONSENT_BOUND: Duration = Duration::from_secs(7);

/// What the endpoint knows of when a peer sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Liveness {
    heard: Instant,
    connected_at: Option<Instant>,
    longest_gap: Duration,
}

impl Liveness {
    /// A peer just made (its offer answered): heard now, not connected.
    pub fn new(now: Instant) -> Self {
        Self {
            heard: now,
            connected_at: None,
            longest_gap: Duration::ZERO,
        }
    }

    /// A datagram came from the peer at `now`.
    pub fn heard(&mut self, now: Instant) {
        // Every gap since the connection counts, the first one too (from the datagram that
        // completed it, just before `connected()`).
        if self.connected_at.is_some() {
            self.longest_gap = self
                .longest_gap
                .max(now.saturating_duration_since(self.heard));
        }
        self.heard = now;
    }

    /// ICE and DTLS completed at `now` (the first time counts).
    pub fn connected(&mut self, now: Instant) {
        self.connected_at.get_or_insert(now);
    }

    /// When a datagram last came (the peer's creation until the first one).
    pub fn last_heard(&self) -> Instant {
        self.heard
    }

    /// Whether the peer's silence at `now` proves it gone (see the module docs).
    pub fn vanished(&self, now: Instant) -> bool {
        let silent = now.saturating_duration_since(self.heard);
        let Some(at) = self.connected_at else {
            return silent >= SILENT_PEER;
        };
        if silent >= CONSENT_BOUND {
            return true;
        }
        now.saturating_duration_since(at) >= CONSENT_INTERVAL_MAX
            && silent >= SILENT_PEER.max(self.longest_gap * 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds)
    }

    /// A peer connected at `t0` that then sends a datagram every `every` until `until`.
    fn sending(t0: Instant, every: f64, until: f64) -> Liveness {
        let mut live = Liveness::new(t0);
        live.connected(t0);
        let mut t = 0.0;
        while t <= until {
            live.heard(t0 + s(t));
            t += every;
        }
        live
    }

    #[test]
    fn a_browser_that_sent_every_second_is_gone_after_3_s() {
        let t0 = Instant::now();
        let live = sending(t0, 1.0, 10.0);
        assert!(!live.vanished(t0 + s(12.9)));
        assert!(live.vanished(t0 + s(13.0)));
    }

    #[test]
    fn a_peer_that_sends_only_consent_checks_is_never_gone_between_two() {
        let t0 = Instant::now();
        let live = sending(t0, 5.0, 20.0);
        assert!(!live.vanished(t0 + s(26.0)), "6 s after its last check");
        assert!(live.vanished(t0 + s(27.0)), "a check is overdue");
    }

    #[test]
    fn a_peer_young_and_quiet_waits_for_the_consent_bound() {
        let t0 = Instant::now();
        let mut live = Liveness::new(t0);
        live.connected(t0 + s(0.5));
        live.heard(t0 + s(0.6));
        assert!(
            !live.vanished(t0 + s(5.5)),
            "its first consent check may come at 6.5 s"
        );
        assert!(live.vanished(t0 + s(7.6)));
    }

    #[test]
    fn the_gap_after_the_datagram_that_connected_counts() {
        let t0 = Instant::now();
        let mut live = Liveness::new(t0);
        live.heard(t0 + s(0.5)); // the DTLS packet that completes the connection
        live.connected(t0 + s(0.51));
        live.heard(t0 + s(5.5)); // the first consent check
        assert!(!live.vanished(t0 + s(10.0)), "as quiet as before: 4.5 s");
        assert!(live.vanished(t0 + s(12.5)));
    }

    #[test]
    fn a_peer_that_never_connected_is_gone_after_3_s() {
        let t0 = Instant::now();
        let live = Liveness::new(t0);
        assert!(!live.vanished(t0 + s(2.9)));
        assert!(live.vanished(t0 + s(3.0)));
        assert_eq!(live.last_heard(), t0);
    }
}
