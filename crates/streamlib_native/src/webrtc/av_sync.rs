//! One timeline for a publisher's audio and video: each frame's RTP time mapped to when the
//! sender captured it, by the RTCP sender reports of its stream (RFC 3550 §6.4.1: an SR pairs an
//! RTP time of that stream with the sender's NTP wall clock, which all its streams share).
//!
//! The timeline is in nanoseconds since the peer was made. Until both streams have had a sender
//! report, each is placed by arrival: its first frame at the time it arrived, the rest by their
//! RTP spacing ([`SyncState::Arrival`]). Once both have one, every frame is placed at its capture
//! time on the sender's clock plus one offset for the session ([`SyncState::SenderReports`]). The
//! offset is the smallest that moves neither stream back, so the switch only moves the stream
//! that arrival placed too early forward (by what arrival got wrong), and each stream's times
//! keep increasing. Later sender reports update the mapping (the sender's clocks drift apart
//! slowly); the offset stays.
//!
//! RTP times are compared as 32-bit differences to their stream's last sender report, so the
//! mapping holds across the wrap of the 32-bit RTP clock (13 h at 90 kHz) as long as a report
//! is less than half a wrap old.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::webrtc::peer::Kind;

/// How a session's frames are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// By arrival: not both streams have had a sender report yet (or the peer sends only one).
    Arrival,
    /// By the sender's capture clock, from its RTCP sender reports.
    SenderReports,
}

impl SyncState {
    /// The name in the stats: `arrival` or `sender-reports`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Arrival => "arrival",
            Self::SenderReports => "sender-reports",
        }
    }
}

/// A sender report of one stream: the sender's wall clock (ns since the UNIX epoch) at an RTP time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderReport {
    /// The NTP time, as nanoseconds since the UNIX epoch.
    pub wall_ns: i64,
    /// The RTP time at that moment (the low 32 bits are what counts).
    pub rtp: u64,
}

impl SenderReport {
    /// A report from str0m's `SenderInfo` fields.
    pub fn new(ntp_time: SystemTime, rtp: u64) -> Self {
        let wall_ns = match ntp_time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
        };
        Self { wall_ns, rtp }
    }

    /// The sender's wall clock (ns since the UNIX epoch) when the frame at `rtp` was captured, at
    /// `rate` ticks a second: the report's time plus the signed 32-bit RTP distance to it.
    pub fn wall_ns_at(&self, rtp: u64, rate: u32) -> i64 {
        // Truncation to 32 bits is the point: RTP times are 32-bit on the wire.
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        let ticks = (rtp as u32).wrapping_sub(self.rtp as u32) as i32;
        self.wall_ns + i64::from(ticks) * 1_000_000_000 / i64::from(rate.max(1))
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Stream {
    /// Timeline ns minus RTP ns at this stream's first frame (arrival placement).
    anchor_ns: Option<f64>,
    /// The extended RTP time of the first frame, to measure later frames from.
    first_rtp: u64,
    /// Its clock rate, ticks a second.
    rate: u32,
    /// The latest frame's extended RTP time and its arrival placement.
    latest: Option<(u64, f64)>,
    report: Option<SenderReport>,
    last_out: Option<f64>,
}

/// The timeline of one publisher's frames (see the module docs).
#[derive(Clone, Debug)]
pub struct AvSync {
    epoch: Instant,
    streams: [Stream; 2],
    /// Timeline ns = sender wall ns - `origin_wall_ns` + `offset_ns`, once both streams had a
    /// report.
    offset: Option<(i64, f64)>,
}

fn index(kind: Kind) -> usize {
    match kind {
        Kind::Video => 0,
        Kind::Audio => 1,
    }
}

impl AvSync {
    /// A session whose timeline starts at `epoch`.
    pub fn new(epoch: Instant) -> Self {
        Self {
            epoch,
            streams: [Stream::default(); 2],
            offset: None,
        }
    }

    /// How frames are placed now.
    pub fn state(&self) -> SyncState {
        if self.offset.is_some() {
            SyncState::SenderReports
        } else {
            SyncState::Arrival
        }
    }

    /// The timeline time (ns) of a frame of `kind` at extended RTP time `rtp` (`rate` ticks a
    /// second) whose first packet arrived at `arrived`, with its stream's latest sender report.
    pub fn place(
        &mut self,
        kind: Kind,
        rtp: u64,
        rate: u32,
        arrived: Instant,
        report: Option<SenderReport>,
    ) -> f64 {
        let rate_f = f64::from(rate.max(1));
        let stream = &mut self.streams[index(kind)];
        if report.is_some() {
            stream.report = report;
        }
        // Arrival placement: the first frame at its arrival, the rest by RTP spacing.
        let rtp_ns = |rtp: u64, first: u64| (rtp as i64 - first as i64) as f64 / rate_f * 1e9;
        if stream.anchor_ns.is_none() {
            stream.anchor_ns =
                Some(arrived.saturating_duration_since(self.epoch).as_nanos() as f64);
            stream.first_rtp = rtp;
            stream.rate = rate.max(1);
        }
        let by_arrival = stream.anchor_ns.unwrap_or(0.0) + rtp_ns(rtp, stream.first_rtp);
        stream.latest = Some((rtp, by_arrival));
        if self.offset.is_none() {
            self.offset = self.offset_now();
        }
        let stream = &mut self.streams[index(kind)];
        let at = match (self.offset, stream.report) {
            (Some((origin, offset)), Some(report)) => {
                (report.wall_ns_at(rtp, rate) - origin) as f64 + offset
            }
            _ => by_arrival,
        };
        // Never back: a report that moved the mapping by less than a frame, or a reordered one.
        let at = match stream.last_out {
            Some(last) if at <= last => last + 1_000.0,
            _ => at,
        };
        stream.last_out = Some(at);
        at
    }

    /// The offset from sender wall time to the timeline, once both streams have a report: the
    /// smallest that places neither stream earlier than arrival does (so times never go back).
    fn offset_now(&self) -> Option<(i64, f64)> {
        let [video, audio] = &self.streams;
        let (Some(v), Some(a)) = (video.report, audio.report) else {
            return None;
        };
        let origin = v.wall_ns.min(a.wall_ns);
        // For each stream, arrival placement minus wall time of the same frame (its latest),
        // which is the same for every frame of the stream while the report holds.
        let shift = |s: &Stream, r: SenderReport| -> Option<f64> {
            let (rtp, by_arrival) = s.latest?;
            Some(by_arrival - (r.wall_ns_at(rtp, s.rate) - origin) as f64)
        };
        Some((origin, shift(video, v)?.max(shift(audio, a)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const WALL0: i64 = 1_700_000_000_000_000_000;

    fn report(wall_ms: f64, rtp: u64) -> SenderReport {
        SenderReport {
            wall_ns: WALL0 + (wall_ms * 1e6) as i64,
            rtp,
        }
    }

    fn ms(at: f64) -> f64 {
        at / 1e6
    }

    #[test]
    fn wall_time_counts_across_the_32_bit_wrap() {
        // The report just before the wrap, the frame just after it: 1 s later at 90 kHz.
        let r = report(0.0, u64::from(u32::MAX) - 44_999);
        assert_eq!(r.wall_ns_at(45_000, 90_000), WALL0 + 1_000_000_000);
        // An extended RTP time past 2^32 compares by its low 32 bits.
        assert_eq!(
            r.wall_ns_at((1 << 32) + 45_000, 90_000),
            WALL0 + 1_000_000_000
        );
        // A frame before the report (a report that came first).
        let r = report(0.0, 10);
        assert_eq!(
            r.wall_ns_at(u64::from(u32::MAX) - 469, 48_000),
            WALL0 - 10_000_000
        );
    }

    #[test]
    fn clock_rates_of_video_and_audio() {
        let r = report(500.0, 1_000);
        assert_eq!(
            r.wall_ns_at(1_000 + 90_000 / 2, 90_000),
            WALL0 + 1_000_000_000
        );
        assert_eq!(r.wall_ns_at(1_000 + 960, 48_000), WALL0 + 520_000_000);
    }

    #[test]
    fn arrival_until_both_streams_have_a_report_then_sender_time() {
        let t0 = Instant::now();
        let mut sync = AvSync::new(t0);
        let at = |ms: f64| t0 + Duration::from_secs_f64(ms / 1e3);
        // Video captured at wall 0 arrives 100 ms late (a slow first frame); audio captured at
        // wall 0 arrives at 10 ms. RTP origins are random.
        let (v0, a0) = (4_000_000_000u64, 7_000u64);
        let v = sync.place(Kind::Video, v0, 90_000, at(100.0), None);
        let a = sync.place(Kind::Audio, a0, 48_000, at(10.0), None);
        assert_eq!(sync.state(), SyncState::Arrival);
        assert!((ms(v) - 100.0).abs() < 1e-6 && (ms(a) - 10.0).abs() < 1e-6);
        // By arrival, the frames captured together are 90 ms apart.
        let v1 = sync.place(
            Kind::Video,
            v0 + 3_000,
            90_000,
            at(133.0),
            Some(report(0.0, v0)),
        );
        assert_eq!(sync.state(), SyncState::Arrival, "audio has no report yet");
        assert!((ms(v1) - 133.333).abs() < 0.01);
        // Audio's report comes: one offset, the one that moves neither stream back.
        let a1 = sync.place(
            Kind::Audio,
            a0 + 960,
            48_000,
            at(30.0),
            Some(report(0.0, a0)),
        );
        assert_eq!(sync.state(), SyncState::SenderReports);
        assert!(
            (ms(a1) - 120.0).abs() < 1e-6,
            "audio moved forward to video: {}",
            ms(a1)
        );
        let v2 = sync.place(Kind::Video, v0 + 6_000, 90_000, at(166.0), None);
        assert!((ms(v2) - 166.667).abs() < 0.01, "video keeps its place");
        // Frames captured together now share a time.
        let a2 = sync.place(Kind::Audio, a0 + 48_000, 48_000, at(1_010.0), None);
        let v3 = sync.place(Kind::Video, v0 + 90_000, 90_000, at(1_100.0), None);
        assert!((ms(v3) - ms(a2)).abs() < 1e-6);
    }

    #[test]
    fn a_later_report_updates_the_mapping_and_times_never_go_back() {
        let t0 = Instant::now();
        let mut sync = AvSync::new(t0);
        let at = |ms: f64| t0 + Duration::from_secs_f64(ms / 1e3);
        let v0 = u64::from(u32::MAX) - 9_000; // the video's RTP clock wraps 100 ms in
        sync.place(Kind::Video, v0, 90_000, at(5.0), Some(report(0.0, v0)));
        sync.place(Kind::Audio, 0, 48_000, at(5.0), Some(report(0.0, 0)));
        assert_eq!(sync.state(), SyncState::SenderReports);
        let before = sync.place(Kind::Video, v0 + 18_000, 90_000, at(205.0), None);
        // str0m's extended time passes 2^32; the report is older than the wrap.
        assert!((ms(before) - 205.0).abs() < 1e-6, "{}", ms(before));
        // The sender's video clock ran 2 ms slow: its next report says so.
        let r = report(1_002.0, v0 + 90_000);
        let after = sync.place(Kind::Video, v0 + 90_000, 90_000, at(1_007.0), Some(r));
        assert!((ms(after) - 1_007.0).abs() < 1e-6, "{}", ms(after));
        // A report that moves a frame back by more than the gap is held at the last time.
        let r = report(900.0, v0 + 93_000);
        let held = sync.place(Kind::Video, v0 + 93_000, 90_000, at(1_040.0), Some(r));
        assert!(held > after && held - after < 10_000.0);
    }
}
