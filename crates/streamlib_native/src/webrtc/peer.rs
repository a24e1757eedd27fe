//! One WebRTC peer of an endpoint: a str0m [`Rtc`] (ICE, DTLS, SRTP, RTP packetization, RTCP)
//! with the media lines it negotiated, whether it waits for a keyframe, and its counters.
//!
//! A peer is driven by its endpoint's network thread only; it never blocks: what it sends goes
//! out through the endpoint's UDP socket, what it receives is handed back as [`Received`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{KeyframeRequestKind, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Event, IceConnectionState, Input, Output, Rtc};

use crate::webrtc::av_sync::{AvSync, SenderReport};
use crate::webrtc::liveness::Liveness;

/// What kind of media a frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// H.264 access units (Annex B).
    Video,
    /// Opus packets.
    Audio,
}

/// A frame to send to every peer of a sending endpoint.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Video or audio.
    pub kind: Kind,
    /// The access unit or packet, shared by all peers.
    pub data: Arc<[u8]>,
    /// Presentation time in nanoseconds.
    pub pts_ns: f64,
    /// Whether it is an IDR access unit (video).
    pub keyframe: bool,
}

/// A frame a receiving endpoint got from its publisher.
#[derive(Clone, Debug)]
pub struct Received {
    /// Video or audio.
    pub kind: Kind,
    /// The depacketized access unit (Annex B) or Opus packet.
    pub data: Arc<[u8]>,
    /// Presentation time in nanoseconds on the session's timeline, audio and video alike
    /// ([`AvSync`]: by the sender's RTCP sender reports once both streams had one, by arrival
    /// until then).
    pub pts_ns: f64,
    /// Whether the access unit holds an IDR picture.
    pub keyframe: bool,
    /// The session (publisher) it came from: a new one starts a new timeline.
    pub session: u32,
}

/// A peer's counters, as reported in the endpoint's stats.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeerStats {
    /// ICE/DTLS state: `new`, `connected` or `disconnected`.
    pub state: &'static str,
    /// Bytes sent (all traffic).
    pub bytes_sent: u64,
    /// Bytes received (all traffic).
    pub bytes_received: u64,
    /// Send rate over the last stats interval (about a second), all traffic, bits per second.
    pub send_bitrate_bps: f64,
    /// Receive rate over the last stats interval, all traffic, bits per second.
    pub receive_bitrate_bps: f64,
    /// Round-trip time in milliseconds, once RTCP measured it.
    pub rtt_ms: Option<f64>,
    /// Fraction of video packets lost (0..1) over the last RTCP report interval: what the viewer's
    /// receiver reports say (sender), or what we measured (receiver); `None` until the first.
    pub loss: Option<f64>,
    /// Packets the peer reported lost in total.
    pub packets_lost: u64,
    /// NACKs received (sender) or sent (receiver).
    pub nacks: u64,
    /// PLIs received (sender) or sent (receiver).
    pub plis: u64,
    /// FIRs received (sender) or sent (receiver).
    pub firs: u64,
    /// Frames handed to str0m for this peer (sender) or depacketized from it (receiver).
    pub frames: u64,
    /// Frames not sent to this peer: video before its first keyframe, or refused by str0m.
    pub frames_dropped: u64,
    /// How received audio and video are placed on one timeline (`arrival` or `sender-reports`);
    /// `None` until media arrives.
    pub av_sync: Option<&'static str>,
}

/// One peer.
pub struct Peer {
    /// The endpoint-wide session id (the WHEP/WHIP resource).
    pub id: u32,
    rtc: Rtc,
    video: Option<(Mid, Option<Pt>)>,
    audio: Option<(Mid, Option<Pt>)>,
    connected: bool,
    created: Instant,
    liveness: Liveness,
    waiting_keyframe: bool,
    last_bytes: Option<(u64, u64, Instant)>,
    sync: AvSync,
    remote: Option<SocketAddr>,
    ended: Option<&'static str>,
    /// The counters.
    pub stats: PeerStats,
}

/// How long a peer may take from its offer/answer to a connection (ICE and DTLS) before it is
/// dropped, so sessions whose player never connects do not hold a place.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// What polling a peer produced besides datagrams.
#[derive(Default)]
pub struct PollReport {
    /// The peer asked for a keyframe (PLI/FIR), or just connected and needs one.
    pub wants_keyframe: bool,
    /// The peer is gone (ICE disconnected or closed); [`Peer::end_reason`] says why.
    pub gone: bool,
    /// ICE and DTLS completed in this poll.
    pub connected: bool,
}

fn to_rtp(pts_ns: f64, rate: u64) -> MediaTime {
    let ticks = (pts_ns.max(0.0) / 1e9 * rate as f64) as u64;
    match rate {
        90_000 => MediaTime::from_90khz(ticks),
        _ => MediaTime::new(ticks, str0m::media::Frequency::FORTY_EIGHT_KHZ),
    }
}

fn is_idr(annex_b: &[u8]) -> bool {
    let mut i = 0;
    while i + 3 < annex_b.len() {
        if annex_b[i] == 0 && annex_b[i + 1] == 0 && annex_b[i + 2] == 1 {
            if annex_b[i + 3] & 0x1f == 5 {
                return true;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    false
}

impl Peer {
    /// Wraps an `Rtc` whose offer was accepted; its media lines come from `rtc.media()`.
    pub fn new(id: u32, rtc: Rtc, mids: &[(Mid, MediaKind)]) -> Self {
        let mut peer = Self {
            id,
            rtc,
            video: None,
            audio: None,
            connected: false,
            created: Instant::now(),
            liveness: Liveness::new(Instant::now()),
            waiting_keyframe: true,
            last_bytes: None,
            sync: AvSync::new(Instant::now()),
            remote: None,
            ended: None,
            stats: PeerStats {
                state: "new",
                ..PeerStats::default()
            },
        };
        for &(mid, kind) in mids {
            match kind {
                MediaKind::Video if peer.video.is_none() => peer.video = Some((mid, None)),
                MediaKind::Audio if peer.audio.is_none() => peer.audio = Some((mid, None)),
                _ => {}
            }
        }
        peer.video = peer
            .video
            .map(|(mid, _)| (mid, peer.pick_pt(mid, Codec::H264)));
        peer.audio = peer
            .audio
            .map(|(mid, _)| (mid, peer.pick_pt(mid, Codec::Opus)));
        peer
    }

    /// The negotiated payload type for `codec` on `mid`: for H.264, packetization mode 1 and a
    /// (constrained) baseline profile first, which is what our encoder's `baseline` makes.
    fn pick_pt(&mut self, mid: Mid, codec: Codec) -> Option<Pt> {
        let writer = self.rtc.writer(mid)?;
        let mut best: Option<(u32, Pt)> = None;
        for p in writer.payload_params() {
            let spec = p.spec();
            if spec.codec != codec {
                continue;
            }
            let f = spec.format;
            let score = match codec {
                Codec::H264 => {
                    let mode1 = u32::from(f.packetization_mode == Some(1)) * 2;
                    let profile = f.profile_level_id.unwrap_or(0) >> 16;
                    let baseline = u32::from(profile == 0x42e0 || profile == 0x4200) * 4;
                    mode1 + baseline
                }
                _ => 1,
            };
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, p.pt()));
            }
        }
        best.map(|(_, pt)| pt)
    }

    /// Whether this peer negotiated a media line of `kind`.
    pub fn has(&self, kind: Kind) -> bool {
        match kind {
            Kind::Video => self.video.is_some(),
            Kind::Audio => self.audio.is_some(),
        }
    }

    /// Whether the datagram belongs to this peer.
    pub fn accepts(&self, input: &Input) -> bool {
        self.rtc.accepts(input)
    }

    /// Feeds a datagram or a timeout in.
    pub fn handle(&mut self, input: Input) {
        if self.rtc.handle_input(input).is_err() {
            self.end("error");
        }
    }

    /// Feeds a received datagram in when it is this peer's; returns whether it was.
    pub fn receive(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, data: &[u8]) -> bool {
        let Ok(contents) = data.try_into() else {
            return false;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: from,
                destination: to,
                contents,
            },
        );
        if !self.rtc.accepts(&input) {
            return false;
        }
        self.liveness.heard(now);
        self.remote = Some(from);
        self.handle(input);
        true
    }

    /// The address the peer's datagrams come from (`None` before the first).
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Why the session ended, once it has: `closed` (a `DELETE`, or this side ended it),
    /// `replaced` (its place went to a new offer), `silent` (its silence proved it gone),
    /// `ice-timeout` (str0m's ICE gave up), `closed-by-peer` (its DTLS close), `never-connected`
    /// or `error` (a datagram str0m refused).
    pub fn end_reason(&self) -> &'static str {
        self.ended.unwrap_or("closed-by-peer")
    }

    fn end(&mut self, reason: &'static str) {
        self.ended.get_or_insert(reason);
        self.stats.state = "disconnected";
        self.rtc.disconnect();
    }

    /// Whether ICE and DTLS completed (media can flow).
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// When this peer sends: whether its silence proves it gone.
    pub fn liveness(&self) -> Liveness {
        self.liveness
    }

    /// Sends one frame (video waits for the first keyframe after connecting).
    pub fn send(&mut self, frame: &Outgoing) {
        let line = match frame.kind {
            Kind::Video => self.video,
            Kind::Audio => self.audio,
        };
        let Some((mid, Some(pt))) = line else { return };
        if !self.connected {
            return;
        }
        if frame.kind == Kind::Video {
            if self.waiting_keyframe && !frame.keyframe {
                self.stats.frames_dropped += 1;
                return;
            }
            self.waiting_keyframe = false;
        }
        let rate = if frame.kind == Kind::Video {
            90_000
        } else {
            48_000
        };
        let Some(writer) = self.rtc.writer(mid) else {
            return;
        };
        match writer.write(
            pt,
            Instant::now(),
            to_rtp(frame.pts_ns, rate),
            frame.data.clone(),
        ) {
            Ok(()) => self.stats.frames += 1,
            Err(_) => self.stats.frames_dropped += 1,
        }
    }

    /// Asks the publisher for a keyframe (receiving endpoints).
    pub fn request_keyframe(&mut self) {
        if let Some((mid, _)) = self.video
            && let Some(mut writer) = self.rtc.writer(mid)
            && writer
                .request_keyframe(None, KeyframeRequestKind::Pli)
                .is_ok()
        {
            self.stats.plis += 1;
        }
    }

    /// Drains str0m's output: datagrams go to `transmit`, media to `received`. Returns when str0m
    /// next wants to be woken, and what happened.
    pub fn poll(
        &mut self,
        transmit: &mut dyn FnMut(SocketAddr, &[u8]),
        received: &mut dyn FnMut(Received),
    ) -> (Instant, PollReport) {
        let mut report = PollReport::default();
        loop {
            if !self.connected && self.created.elapsed() > CONNECT_TIMEOUT {
                self.end("never-connected");
            }
            if self.connected && self.rtc.is_alive() && self.liveness.vanished(Instant::now()) {
                // Silent past its own cadence, at most past an overdue ICE consent check (RFC
                // 7675): the peer is gone, whatever str0m's slower ICE timeout says later.
                self.end("silent");
            }
            if !self.rtc.is_alive() {
                report.gone = true;
                return (Instant::now() + Duration::from_secs(1), report);
            }
            let output = match self.rtc.poll_output() {
                Ok(output) => output,
                Err(_) => {
                    self.end("error");
                    continue;
                }
            };
            match output {
                Output::Timeout(at) => return (at, report),
                Output::Transmit(t) => transmit(t.destination, &t.contents),
                Output::Event(event) => self.on_event(event, &mut report, received),
            }
        }
    }

    fn on_event(
        &mut self,
        event: Event,
        report: &mut PollReport,
        received: &mut dyn FnMut(Received),
    ) {
        match event {
            Event::Connected => {
                self.connected = true;
                self.liveness.connected(Instant::now());
                self.stats.state = "connected";
                report.wants_keyframe = true;
                report.connected = true;
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                report.gone = true;
                self.end("ice-timeout");
            }
            Event::KeyframeRequest(request) => {
                match request.kind {
                    KeyframeRequestKind::Pli => self.stats.plis += 1,
                    KeyframeRequestKind::Fir => self.stats.firs += 1,
                }
                report.wants_keyframe = true;
            }
            Event::MediaData(data) => {
                let kind = if self.video.is_some_and(|(mid, _)| mid == data.mid) {
                    Kind::Video
                } else {
                    Kind::Audio
                };
                let keyframe = kind == Kind::Video && is_idr(&data.data);
                let report = data
                    .last_sender_info
                    .map(|sr| SenderReport::new(sr.ntp_time, sr.rtp_time.numer()));
                let pts_ns = self.sync.place(
                    kind,
                    data.time.numer(),
                    data.time.denom(),
                    data.network_time,
                    report,
                );
                self.stats.av_sync = Some(self.sync.state().name());
                self.stats.frames += 1;
                received(Received {
                    kind,
                    pts_ns,
                    keyframe,
                    data: data.data,
                    session: self.id,
                });
            }
            Event::PeerStats(s) => {
                let now = s.timestamp;
                let (tx, rx) = (s.peer_bytes_tx, s.peer_bytes_rx);
                if let Some((last_tx, last_rx, at)) = self.last_bytes {
                    let seconds = now.saturating_duration_since(at).as_secs_f64();
                    if seconds > 0.0 {
                        self.stats.send_bitrate_bps =
                            tx.saturating_sub(last_tx) as f64 * 8.0 / seconds;
                        self.stats.receive_bitrate_bps =
                            rx.saturating_sub(last_rx) as f64 * 8.0 / seconds;
                    }
                }
                self.last_bytes = Some((tx, rx, now));
                self.stats.bytes_sent = tx;
                self.stats.bytes_received = rx;
                if let Some(rtt) = s.rtt {
                    self.stats.rtt_ms = Some(rtt.as_secs_f64() * 1e3);
                }
                // `loss` is the receiver reports' (below), not TWCC's (`egress_loss_fraction`),
                // which is not negotiated and would otherwise flip it to 0 or null.
            }
            Event::MediaEgressStats(s) if self.video.is_some_and(|(mid, _)| mid == s.mid) => {
                self.stats.nacks = s.nacks;
                if let Some(rtt) = s.rtt {
                    self.stats.rtt_ms = Some(rtt.as_secs_f64() * 1e3);
                }
                if let Some(loss) = s.loss {
                    // The fraction the viewer's receiver reports gave since the last event (str0m
                    // averages them); TWCC, which PeerStats' loss needs, is not negotiated.
                    self.stats.loss = Some(f64::from(loss));
                }
                if let Some(remote) = s.remote {
                    self.stats.packets_lost = remote.packets_lost;
                }
            }
            Event::MediaIngressStats(s) if self.video.is_some_and(|(mid, _)| mid == s.mid) => {
                self.stats.nacks = s.nacks;
                if let Some(rtt) = s.rtt {
                    self.stats.rtt_ms = Some(rtt.as_secs_f64() * 1e3);
                }
                if let Some(loss) = s.loss {
                    self.stats.loss = Some(f64::from(loss));
                }
            }
            _ => {}
        }
    }

    /// Ends the session (sends a DTLS close; the peer is removed on the next poll); `reason` is
    /// what [`Peer::end_reason`] will say.
    pub fn close(&mut self, reason: &'static str) {
        self.end(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_idr_finds_an_idr_slice_after_parameter_sets() {
        let au = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 9,
        ];
        assert!(is_idr(&au));
        assert!(!is_idr(&[0, 0, 0, 1, 0x41, 1, 2, 3]));
    }

    #[test]
    fn to_rtp_converts_nanoseconds_to_the_clock_rate() {
        assert_eq!(to_rtp(1e9, 90_000).numer(), 90_000);
        assert_eq!(to_rtp(20e6, 48_000).numer(), 960);
    }
}
