//! A WebRTC endpoint: one UDP socket and one native thread that drives every peer's str0m
//! [`Rtc`](str0m::Rtc) (sans-IO) — WHEP playback (`Mode::Send`: frames pushed from JS go to each
//! viewer), WHIP ingest (`Mode::Receive`: one publisher's frames are queued for JS to read), or
//! both at once with one peer (`Mode::Duplex`: a pipeline session's browser, whose media is
//! queued for JS and which gets what JS pushes).
//!
//! JS never runs on this thread and the thread never calls JS: frames cross in bounded lock-free
//! queues ([`ArrayQueue`]), full queues drop (counted), and a push wakes the thread with one
//! datagram to its own socket. An SDP offer is answered synchronously on the caller's thread;
//! the new peer is handed to the network thread.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, MediaKind, Mid};
use str0m::{Candidate, Input, Rtc, RtcConfig};

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};
use crate::webrtc::liveness::Liveness;
use crate::webrtc::peer::{Kind, Outgoing, Peer, PeerStats, Received};
use crate::webrtc::sdp_error::sdp_error;

/// Which way media flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// WHEP: we send to any number of viewers.
    Send,
    /// WHIP: one publisher sends to us.
    Receive,
    /// A session peer: media both ways (its frames are read, pushed frames go to it); any offer
    /// with an audio or video line.
    Duplex,
}

/// How an endpoint is made.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
    /// Send or receive.
    pub mode: Mode,
    /// The address the UDP socket binds.
    pub bind: IpAddr,
    /// The UDP port; 0 for any free one.
    pub port: u16,
    /// The address put in the ICE candidate (the bind address unless it is unspecified).
    pub public: Option<IpAddr>,
    /// The port put in the ICE candidate when it differs from the bound one (a port forward or
    /// NAT mapping in front of the socket); `None` for the bound port.
    pub public_port: Option<u16>,
    /// Most peers at once (a receiving endpoint takes 1).
    pub max_peers: usize,
    /// Frames the queue between JS and the network thread holds.
    pub queue_frames: usize,
}

/// Most peers of one endpoint.
pub const MAX_PEERS: usize = 64;
/// Most frames a queue holds.
pub const MAX_QUEUE_FRAMES: usize = 1_024;

/// An offer we made (WHIP publishing), waiting for its answer.
struct PendingOffer {
    id: u32,
    rtc: Rtc,
    pending: SdpPendingOffer,
    mids: Vec<(Mid, MediaKind)>,
}

enum Control {
    Add(Box<Peer>),
    /// End a session; the reason its `disconnected` event gives.
    Close(u32, &'static str),
}

/// A connected peer's session began or ended: what a processor reports as a peer event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerEvent {
    /// The session.
    pub session: u32,
    /// `true` when it connected (ICE and DTLS), `false` when a connected session ended.
    pub connected: bool,
    /// Where its datagrams came from.
    pub remote: Option<SocketAddr>,
    /// Why it ended ([`Peer::end_reason`]); empty for a connection.
    pub reason: &'static str,
    /// How long nothing had come from it when it ended, ms.
    pub silent_ms: u64,
}

/// Most peer events kept for the processor to take; older ones are dropped past it.
pub const MAX_PEER_EVENTS: usize = 256;

#[derive(Default)]
struct Snapshot {
    peers: Vec<PeerStats>,
    ids: Vec<u32>,
    /// When each peer sends (whether its silence proves it gone), in `ids` order.
    liveness: Vec<Liveness>,
}

struct Shared {
    outgoing: ArrayQueue<Outgoing>,
    incoming: ArrayQueue<Received>,
    control: Mutex<Vec<Control>>,
    stop: AtomicBool,
    keyframe_requests: AtomicU64,
    dropped_out: AtomicU64,
    dropped_in: AtomicU64,
    pushed: AtomicU64,
    peer_count: AtomicU32,
    replaced: AtomicU64,
    publisher_wants_keyframe: AtomicBool,
    snapshot: Mutex<Snapshot>,
    sessions: Mutex<Vec<u32>>,
    events: Mutex<Vec<PeerEvent>>,
}

/// A live endpoint; dropping it stops its thread and closes its peers.
pub struct Endpoint {
    config: EndpointConfig,
    shared: Arc<Shared>,
    local: SocketAddr,
    waker: UdpSocket,
    next_session: AtomicU32,
    pending_read: Mutex<Option<Received>>,
    pending: Mutex<Vec<PendingOffer>>,
    thread: Option<JoinHandle<()>>,
}

fn network_error(what: &'static str, error: &std::io::Error) -> Error {
    ErrorKind::Device {
        what,
        detail: ErrorText::format(format_args!("{error}")),
    }
    .into()
}

impl Endpoint {
    /// Binds the socket and starts the network thread.
    ///
    /// # Errors
    ///
    /// `OutOfRange` for a peer or queue count out of range; `Device` when the socket cannot be
    /// bound or the thread cannot start.
    pub fn start(config: EndpointConfig) -> Result<Self, Error> {
        if config.max_peers == 0 || config.max_peers > MAX_PEERS {
            return Err(ErrorKind::OutOfRange {
                what: "WebRTC peer count",
                value: config.max_peers as u64,
                min: 1,
                max: MAX_PEERS as u64,
            }
            .into());
        }
        if config.queue_frames < 2 || config.queue_frames > MAX_QUEUE_FRAMES {
            return Err(ErrorKind::OutOfRange {
                what: "WebRTC queue length",
                value: config.queue_frames as u64,
                min: 2,
                max: MAX_QUEUE_FRAMES as u64,
            }
            .into());
        }
        let public = config.public.unwrap_or(config.bind);
        if public.is_unspecified() {
            return Err(ErrorKind::Unsupported {
                what: "WebRTC candidate address",
                detail: ErrorText::new("binding 0.0.0.0 or :: needs a public address to announce"),
            }
            .into());
        }
        let socket = UdpSocket::bind(SocketAddr::new(config.bind, config.port))
            .map_err(|e| network_error("WebRTC UDP bind", &e))?;
        let local = socket
            .local_addr()
            .map_err(|e| network_error("WebRTC UDP bind", &e))?;
        // The waker sends to the socket's own address (loopback when it binds every address),
        // from a socket bound to that same IP, so its datagrams are told apart by source.
        let wake_ip = match local.ip() {
            ip if !ip.is_unspecified() => ip,
            IpAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            IpAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        };
        let waker = UdpSocket::bind(SocketAddr::new(wake_ip, 0))
            .map_err(|e| network_error("WebRTC waker", &e))?;
        waker
            .connect(SocketAddr::new(wake_ip, local.port()))
            .map_err(|e| network_error("WebRTC waker", &e))?;
        let waker_addr = waker
            .local_addr()
            .map_err(|e| network_error("WebRTC waker", &e))?;
        let shared = Arc::new(Shared {
            outgoing: ArrayQueue::new(config.queue_frames),
            incoming: ArrayQueue::new(config.queue_frames),
            control: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            keyframe_requests: AtomicU64::new(0),
            dropped_out: AtomicU64::new(0),
            dropped_in: AtomicU64::new(0),
            pushed: AtomicU64::new(0),
            peer_count: AtomicU32::new(0),
            replaced: AtomicU64::new(0),
            publisher_wants_keyframe: AtomicBool::new(false),
            snapshot: Mutex::new(Snapshot::default()),
            sessions: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
        });
        let announced_port = config.public_port.unwrap_or(local.port());
        let thread_shared = Arc::clone(&shared);
        let mode = config.mode;
        let thread = std::thread::Builder::new()
            .name("streamlib-webrtc".into())
            .spawn(move || {
                run(
                    &thread_shared,
                    &socket,
                    SocketAddr::new(public, announced_port),
                    waker_addr,
                    mode,
                );
            })
            .map_err(|e| network_error("WebRTC thread", &e))?;
        Ok(Self {
            config: EndpointConfig {
                public: Some(public),
                ..config
            },
            shared,
            local,
            waker,
            next_session: AtomicU32::new(1),
            pending_read: Mutex::new(None),
            pending: Mutex::new(Vec::new()),
            thread: Some(thread),
        })
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Send or receive.
    pub fn mode(&self) -> Mode {
        self.config.mode
    }

    /// The error of an offer that finds every place taken by `peers`: what is full and its limit.
    fn full(&self, peers: &'static str) -> Error {
        ErrorKind::PeersFull {
            peers,
            limit: self.config.max_peers as u32,
        }
        .into()
    }

    fn wake(&self) {
        // A lost wake-up only delays the frame to the thread's next timeout (at most 50 ms).
        let _ = self.waker.send(&[0]);
    }

    /// Answers an SDP offer: a new peer (session) whose answer is returned with its id.
    ///
    /// # Errors
    ///
    /// `InvalidSdp` when the offer does not parse or str0m refuses it (e.g. no media line this
    /// endpoint can use); `TableFull` when the endpoint has its most peers.
    pub fn accept_offer(&self, sdp: &str) -> Result<(u32, String), Error> {
        let mut sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if sessions.len() >= self.config.max_peers && !self.replace_silent(&mut sessions) {
            return Err(self.full(match self.config.mode {
                Mode::Send => "viewer",
                Mode::Receive => "publisher",
                Mode::Duplex => "session peer",
            }));
        }
        let invalid = |detail: ErrorText| Error::from(ErrorKind::InvalidSdp { detail });
        let offer = SdpOffer::from_sdp_string(sdp).map_err(|e| invalid(sdp_error(sdp, &e)))?;
        let mut rtc = self.new_rtc()?;
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| invalid(ErrorText::format(format_args!("{e}"))))?;
        let answer = answer.to_sdp_string();
        let mids = answer_mids(&answer);
        let wanted = match self.config.mode {
            Mode::Send => mids.iter().any(|(_, k)| *k == MediaKind::Video),
            Mode::Receive | Mode::Duplex => !mids.is_empty(),
        };
        if !wanted {
            return Err(invalid(ErrorText::new(
                "no usable media line (WHEP needs a recvonly H.264 video m-line; WHIP sendonly; \
                 a session an Opus audio or H.264 video line)",
            )));
        }
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        let peer = Peer::new(id, rtc, &mids);
        if self.config.mode == Mode::Send && !peer.has(Kind::Video) {
            return Err(invalid(ErrorText::new(
                "the offer has no H.264 video codec",
            )));
        }
        sessions.push(id);
        self.shared
            .control
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Control::Add(Box::new(peer)));
        self.wake();
        Ok((id, answer))
    }

    /// Ends the session of the peer heard from longest ago among those whose silence proves them
    /// gone ([`Liveness::vanished`]: a peer that is only quiet keeps its place); returns whether
    /// one was ended (counted in `peersReplaced`). A session not yet on the network thread (just
    /// answered) is never silent.
    fn replace_silent(&self, sessions: &mut Vec<u32>) -> bool {
        let now = Instant::now();
        let stalest = {
            let snapshot = self
                .shared
                .snapshot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            snapshot
                .ids
                .iter()
                .zip(&snapshot.liveness)
                .filter(|(id, live)| sessions.contains(id) && live.vanished(now))
                .min_by_key(|(_, live)| live.last_heard())
                .map(|(id, _)| *id)
        };
        let Some(id) = stalest else {
            return false;
        };
        sessions.retain(|&s| s != id);
        self.shared
            .control
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Control::Close(id, "replaced"));
        self.shared.replaced.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// A str0m `Rtc` for a new peer: ICE-lite with this endpoint's one host candidate, H.264 and
    /// Opus, stats every second.
    fn new_rtc(&self) -> Result<Rtc, Error> {
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(Arc::new(str0m_crypto()))
            .set_ice_lite(true)
            .clear_codecs()
            .enable_h264(true)
            .enable_opus(true, false)
            .set_stats_interval(Some(Duration::from_secs(1)))
            .build(Instant::now());
        let public = self.config.public.unwrap_or(self.config.bind);
        let port = self.config.public_port.unwrap_or(self.local.port());
        let candidate = Candidate::host(SocketAddr::new(public, port), "udp").map_err(|e| {
            Error::from(ErrorKind::Unsupported {
                what: "WebRTC candidate address",
                detail: ErrorText::format(format_args!("{e}")),
            })
        })?;
        rtc.add_local_candidate(candidate);
        Ok(rtc)
    }

    /// Makes an SDP offer to publish (WHIP): a sendonly H.264 video line and, when `audio`, a
    /// sendonly Opus line. The session waits for [`Endpoint::accept_answer`].
    ///
    /// # Errors
    ///
    /// `TableFull` when the endpoint has its most peers (pending offers count).
    pub fn create_offer(&self, audio: bool) -> Result<(u32, String), Error> {
        let mut sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if sessions.len() >= self.config.max_peers {
            return Err(self.full("publish session"));
        }
        let mut rtc = self.new_rtc()?;
        let mut api = rtc.sdp_api();
        let stream = Some("streamlib".to_owned());
        let mut mids = vec![(
            api.add_media(
                MediaKind::Video,
                Direction::SendOnly,
                stream.clone(),
                Some("video".to_owned()),
                None,
            ),
            MediaKind::Video,
        )];
        if audio {
            let mid = api.add_media(
                MediaKind::Audio,
                Direction::SendOnly,
                stream,
                Some("audio".to_owned()),
                None,
            );
            mids.push((mid, MediaKind::Audio));
        }
        let Some((offer, pending)) = api.apply() else {
            unreachable!("adding media always needs a negotiation");
        };
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        sessions.push(id);
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(PendingOffer {
                id,
                rtc,
                pending,
                mids,
            });
        Ok((id, offer.to_sdp_string()))
    }

    /// Completes a session made by [`Endpoint::create_offer`] with the server's SDP answer.
    ///
    /// # Errors
    ///
    /// `InvalidHandle` when no offer of this id waits; `InvalidSdp` when the answer does not parse
    /// or does not fit the offer (the session is then ended).
    pub fn accept_answer(&self, id: u32, sdp: &str) -> Result<(), Error> {
        let offer = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let at = pending.iter().position(|p| p.id == id).ok_or_else(|| {
                Error::from(ErrorKind::InvalidHandle {
                    kind: "pending WebRTC offer",
                    handle: id,
                })
            })?;
            pending.remove(at)
        };
        let PendingOffer {
            mut rtc,
            pending,
            mids,
            ..
        } = offer;
        let invalid = |detail: ErrorText| Error::from(ErrorKind::InvalidSdp { detail });
        let accepted = SdpAnswer::from_sdp_string(sdp)
            .map_err(|e| {
                invalid(ErrorText::format(format_args!(
                    "answer: {}",
                    sdp_error(sdp, &e)
                )))
            })
            .and_then(|answer| {
                rtc.sdp_api()
                    .accept_answer(pending, answer)
                    .map_err(|e| invalid(ErrorText::format(format_args!("answer: {e}"))))
            });
        if let Err(error) = accepted {
            self.forget_session(id);
            return Err(error);
        }
        let peer = Peer::new(id, rtc, &mids);
        self.shared
            .control
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Control::Add(Box::new(peer)));
        self.wake();
        Ok(())
    }

    fn forget_session(&self, id: u32) {
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|&s| s != id);
    }

    /// Ends a session.
    ///
    /// # Errors
    ///
    /// `InvalidHandle` when no live session has this id.
    pub fn close_session(&self, id: u32) -> Result<(), Error> {
        let mut sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(at) = sessions.iter().position(|&s| s == id) else {
            return Err(ErrorKind::InvalidHandle {
                kind: "WebRTC session",
                handle: id,
            }
            .into());
        };
        sessions.remove(at);
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| p.id != id);
        self.shared
            .control
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Control::Close(id, "closed"));
        self.wake();
        Ok(())
    }

    /// Queues a frame for every peer; returns `false` when the queue was full and the frame was
    /// dropped (counted). Never blocks.
    pub fn push(&self, frame: Outgoing) -> bool {
        if self.shared.peer_count.load(Ordering::Relaxed) == 0 {
            return true; // no viewer: nothing to send, nothing lost
        }
        let accepted = self.shared.outgoing.push(frame).is_ok();
        if accepted {
            self.shared.pushed.fetch_add(1, Ordering::Relaxed);
            self.wake();
        } else {
            self.shared.dropped_out.fetch_add(1, Ordering::Relaxed);
        }
        accepted
    }

    /// Copies the oldest received frame into `out` and returns its length and the frame (its
    /// `data` aside); `None` when no frame waits.
    ///
    /// # Errors
    ///
    /// `BufferTooSmall` when `out` cannot hold it: the frame stays first, for a retry with the
    /// `needed` bytes.
    pub fn read(&self, out: &mut [u8]) -> Result<Option<(usize, Received)>, Error> {
        let mut pending = self
            .pending_read
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(frame) = pending.take().or_else(|| self.shared.incoming.pop()) else {
            return Ok(None);
        };
        let n = frame.data.len();
        if n > out.len() {
            *pending = Some(frame);
            return Err(ErrorKind::BufferTooSmall {
                what: "received WebRTC frame",
                needed: n as u64,
                capacity: out.len() as u64,
            }
            .into());
        }
        out[..n].copy_from_slice(&frame.data);
        Ok(Some((n, frame)))
    }

    /// Asks the publisher for a keyframe (receiving endpoints).
    pub fn request_keyframe(&self) {
        self.shared
            .publisher_wants_keyframe
            .store(true, Ordering::Relaxed);
        self.wake();
    }

    /// Keyframe requests so far (PLI/FIR from viewers, and one per new viewer), peers now, frames
    /// dropped by full queues (outgoing + incoming).
    pub fn counters(&self) -> [f64; 3] {
        let s = &self.shared;
        [
            s.keyframe_requests.load(Ordering::Relaxed) as f64,
            f64::from(s.peer_count.load(Ordering::Relaxed)),
            (s.dropped_out.load(Ordering::Relaxed) + s.dropped_in.load(Ordering::Relaxed)) as f64,
        ]
    }

    /// The peer events since the last call, as a JSON array (`[]` when none):
    /// `{"session", "change": "connected"|"disconnected", "remote", "reason", "silentMs"}`. They
    /// are taken only when the JSON fits in `cap` bytes; otherwise they stay for a call with a
    /// larger buffer (the returned JSON says how large).
    pub fn take_peer_events_json(&self, cap: usize) -> String {
        let mut events = self
            .shared
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let json = peer_events_json(&events);
        if json.len() <= cap {
            events.clear();
        }
        json
    }

    /// The endpoint's stats as JSON: address, queue drops, and each peer's counters.
    pub fn stats_json(&self) -> String {
        let s = &self.shared;
        let snapshot = s.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        let peers: Vec<serde_json::Value> = snapshot
            .ids
            .iter()
            .zip(&snapshot.peers)
            .map(|(id, p)| {
                let mut peer = serde_json::json!({
                    "session": id,
                    "state": p.state,
                    "bytesSent": p.bytes_sent,
                    "bytesReceived": p.bytes_received,
                    "sendBitrateBps": p.send_bitrate_bps.round(),
                    "receiveBitrateBps": p.receive_bitrate_bps.round(),
                    "rttMs": p.rtt_ms,
                    "loss": p.loss,
                    "packetsLost": p.packets_lost,
                    "nacks": p.nacks,
                    "plis": p.plis,
                    "firs": p.firs,
                    "frames": p.frames,
                    "framesDropped": p.frames_dropped,
                });
                if let (Some(sync), Some(fields)) = (p.av_sync, peer.as_object_mut()) {
                    fields.insert("avSync".into(), sync.into());
                }
                peer
            })
            .collect();
        serde_json::json!({
            "address": self.local.to_string(),
            "keyframeRequests": s.keyframe_requests.load(Ordering::Relaxed),
            "peersReplaced": s.replaced.load(Ordering::Relaxed),
            "framesQueued": s.pushed.load(Ordering::Relaxed),
            "framesDropped": s.dropped_out.load(Ordering::Relaxed) + s.dropped_in.load(Ordering::Relaxed),
            "peers": peers,
        })
        .to_string()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn str0m_crypto() -> str0m::crypto::CryptoProvider {
    str0m::crypto::from_feature_flags()
}

/// The media lines of an SDP answer: each `m=audio`/`m=video` section's `a=mid`, in order.
fn answer_mids(sdp: &str) -> Vec<(Mid, MediaKind)> {
    let mut kind = None;
    let mut mids = Vec::new();
    for line in sdp.lines() {
        if line.starts_with("m=") {
            kind = if line.starts_with("m=video ") {
                Some(MediaKind::Video)
            } else if line.starts_with("m=audio ") {
                Some(MediaKind::Audio)
            } else {
                None
            };
        } else if let (Some(k), Some(mid)) = (kind, line.strip_prefix("a=mid:")) {
            mids.push((Mid::from(mid.trim()), k));
            kind = None;
        }
    }
    mids
}

fn peer_events_json(events: &[PeerEvent]) -> String {
    let items: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            serde_json::json!({
                "session": e.session,
                "change": if e.connected { "connected" } else { "disconnected" },
                "remote": e.remote.map(|r| r.to_string()),
                "reason": e.reason,
                "silentMs": e.silent_ms,
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

fn record(shared: &Shared, event: PeerEvent) {
    let mut events = shared.events.lock().unwrap_or_else(PoisonError::into_inner);
    if events.len() >= MAX_PEER_EVENTS {
        events.remove(0);
    }
    events.push(event);
}

/// The network thread: control messages, frames out, datagrams in, str0m timeouts. A duplex
/// endpoint's connected peer (a session's) is closed as soon as its silence proves it gone
/// ([`Liveness::vanished`]), not only when ICE times out, so its session ends sooner; one that
/// never connected is left to [`CONNECT_TIMEOUT`](crate::webrtc::peer::CONNECT_TIMEOUT).
fn run(shared: &Shared, socket: &UdpSocket, local: SocketAddr, waker: SocketAddr, mode: Mode) {
    let mut peers: Vec<Peer> = Vec::new();
    let mut buf = vec![0u8; 2048];
    let send = |to: SocketAddr, data: &[u8]| {
        let _ = socket.send_to(data, to);
    };
    while !shared.stop.load(Ordering::Relaxed) {
        let controls: Vec<Control> = std::mem::take(
            &mut *shared
                .control
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for control in controls {
            match control {
                Control::Add(peer) => peers.push(*peer),
                Control::Close(id, reason) => {
                    if let Some(peer) = peers.iter_mut().find(|p| p.id == id) {
                        peer.close(reason);
                    }
                }
            }
        }
        while let Some(frame) = shared.outgoing.pop() {
            for peer in &mut peers {
                peer.send(&frame);
            }
        }
        if shared
            .publisher_wants_keyframe
            .swap(false, Ordering::Relaxed)
        {
            for peer in &mut peers {
                peer.request_keyframe();
            }
        }
        let now = Instant::now();
        let mut next = now + Duration::from_millis(50);
        let mut gone: Vec<u32> = Vec::new();
        if mode == Mode::Duplex {
            for peer in &mut peers {
                if peer.is_connected() && peer.liveness().vanished(now) {
                    peer.close("silent");
                }
            }
        }
        for peer in &mut peers {
            let mut on_received = |frame: Received| {
                if shared.incoming.push(frame).is_err() {
                    shared.dropped_in.fetch_add(1, Ordering::Relaxed);
                }
            };
            let (at, report) = peer.poll(&mut |to, data| send(to, data), &mut on_received);
            if report.wants_keyframe {
                shared.keyframe_requests.fetch_add(1, Ordering::Relaxed);
            }
            if report.connected {
                record(
                    shared,
                    PeerEvent {
                        session: peer.id,
                        connected: true,
                        remote: peer.remote(),
                        reason: "",
                        silent_ms: 0,
                    },
                );
            }
            if report.gone {
                gone.push(peer.id);
                if peer.is_connected() {
                    let silent =
                        Instant::now().saturating_duration_since(peer.liveness().last_heard());
                    record(
                        shared,
                        PeerEvent {
                            session: peer.id,
                            connected: false,
                            remote: peer.remote(),
                            reason: peer.end_reason(),
                            silent_ms: u64::try_from(silent.as_millis()).unwrap_or(u64::MAX),
                        },
                    );
                }
            }
            next = next.min(at);
        }
        if !gone.is_empty() {
            peers.retain(|p| !gone.contains(&p.id));
            let live: Vec<u32> = peers.iter().map(|p| p.id).collect();
            shared
                .sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|id| live.contains(id));
        }
        shared
            .peer_count
            .store(peers.len() as u32, Ordering::Relaxed);
        {
            let mut snapshot = shared
                .snapshot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            snapshot.ids = peers.iter().map(|p| p.id).collect();
            snapshot.peers = peers.iter().map(|p| p.stats.clone()).collect();
            snapshot.liveness = peers.iter().map(Peer::liveness).collect();
        }
        let wait = next.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            let now = Instant::now();
            for peer in &mut peers {
                peer.handle(Input::Timeout(now));
            }
            continue;
        }
        let _ = socket.set_read_timeout(Some(wait.max(Duration::from_micros(200))));
        match socket.recv_from(&mut buf) {
            Ok((_, from)) if from == waker => {}
            Ok((n, from)) => {
                let now = Instant::now();
                for peer in &mut peers {
                    if peer.receive(now, from, local, &buf[..n]) {
                        break;
                    }
                }
            }
            Err(_) => {
                let now = Instant::now();
                for peer in &mut peers {
                    peer.handle(Input::Timeout(now));
                }
            }
        }
    }
    for peer in &mut peers {
        peer.close("closed");
        peer.poll(&mut |to, data| send(to, data), &mut |_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        Endpoint::start(EndpointConfig {
            mode: Mode::Receive,
            bind: Ipv4Addr::LOCALHOST.into(),
            port: 0,
            public: None,
            public_port: None,
            max_peers: 1,
            queue_frames: 8,
        })
        .expect("a loopback endpoint")
    }

    #[test]
    fn peer_events_are_taken_once_and_only_when_they_fit() {
        let endpoint = endpoint();
        assert_eq!(endpoint.take_peer_events_json(1_024), "[]");
        let remote = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 50_000)));
        record(
            &endpoint.shared,
            PeerEvent {
                session: 1,
                connected: true,
                remote,
                reason: "",
                silent_ms: 0,
            },
        );
        record(
            &endpoint.shared,
            PeerEvent {
                session: 1,
                connected: false,
                remote,
                reason: "silent",
                silent_ms: 3_012,
            },
        );
        let json = endpoint.take_peer_events_json(16);
        assert!(json.len() > 16);
        // Too small a buffer takes nothing: the same events come with a larger one.
        assert_eq!(endpoint.take_peer_events_json(json.len()), json);
        assert_eq!(endpoint.take_peer_events_json(json.len()), "[]");
        let events: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(events[0]["change"], "connected");
        assert_eq!(events[1]["change"], "disconnected");
        assert_eq!(events[1]["reason"], "silent");
        assert_eq!(events[1]["silentMs"], 3_012);
        assert_eq!(events[1]["remote"], "127.0.0.1:50000");
    }

    #[test]
    fn peer_events_past_the_bound_drop_the_oldest() {
        let endpoint = endpoint();
        for session in 0..(MAX_PEER_EVENTS as u32 + 10) {
            record(
                &endpoint.shared,
                PeerEvent {
                    session,
                    connected: true,
                    remote: None,
                    reason: "",
                    silent_ms: 0,
                },
            );
        }
        let json = endpoint.take_peer_events_json(usize::MAX);
        let events: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        let events = events.as_array().expect("an array");
        assert_eq!(events.len(), MAX_PEER_EVENTS);
        assert_eq!(events[0]["session"], 10);
    }
}
