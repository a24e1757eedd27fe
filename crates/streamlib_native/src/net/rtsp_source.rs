//! An RTSP client of H.264 video (`retina`, docs/decisions/0039-rtsp-with-retina.md): `DESCRIBE`,
//! `SETUP` of the first H.264 video stream over TCP (interleaved) or UDP, `PLAY`, and its access
//! units, turned into Annex B ([`avcc`](crate::net::avcc)), into a [`SinkShared`] queue the graph
//! polls. It runs on its own thread with a tokio current-thread runtime, and connects again with
//! backoff when the server goes away, refuses or goes silent. Counters use the sink's indices
//! with "sent" read as "received".

use std::sync::Arc;
use std::time::Duration;

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::{FutureExt, StreamExt};
use retina::client::{
    Credentials, Demuxed, PlayOptions, Session, SessionOptions, SetupOptions, Transport,
};
use retina::codec::{CodecItem, ParametersRef};

use crate::net::avcc::{parameter_sets, to_annex_b};
use crate::net::config::{RtpTransport, RtspSettings};
use crate::net::sink_shared::{AccessUnitItem, RateMeter, SinkShared, stat};
use crate::net::srt_source::KeyframeGate;

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Why an attempt or a session ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// The endpoint is stopping.
    Stopped,
    /// No connection, a reset, or no video for the idle timeout: counted as a connect failure
    /// (or a disconnect once playing).
    Network,
    /// The server answered with something the client refuses (garbage, an error status, an SDP
    /// without H.264 video), or did not finish answering within the connect timeout (a stalled
    /// or hostile server; a host that drops the TCP handshake looks the same): also counted in
    /// `PEER_ERRORS`.
    Peer,
}

/// Runs the client until `shared` is stopped.
pub fn run(shared: Arc<SinkShared>, settings: RtspSettings) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return,
    };
    runtime.block_on(client(&shared, &settings));
}

async fn client(shared: &Arc<SinkShared>, settings: &RtspSettings) {
    let mut backoff = MIN_BACKOFF;
    while !shared.stopping() {
        let attempt = tokio::time::timeout(settings.connect_timeout, guarded(open(settings)));
        tokio::pin!(attempt);
        let result = loop {
            tokio::select! {
                r = &mut attempt => break r.unwrap_or(Err(Ended::Peer)).and_then(|opened| opened),
                _ = shared.wake.notified() => if shared.stopping() { return; },
            }
        };
        let ended = match result {
            Ok((demuxed, stream)) => {
                backoff = MIN_BACKOFF;
                shared.add(stat::CONNECTIONS, 1);
                shared.set(stat::CONNECTED, 1);
                let ended = guarded(session(shared, settings, demuxed, stream))
                    .await
                    .unwrap_or_else(|ended| ended);
                shared.set(stat::CONNECTED, 0);
                shared.set(stat::BITRATE, 0);
                if ended == Ended::Stopped {
                    return;
                }
                shared.add(stat::DISCONNECTS, 1);
                ended
            }
            Err(ended) => {
                shared.add(stat::CONNECT_FAILURES, 1);
                ended
            }
        };
        if ended == Ended::Peer {
            shared.add(stat::PEER_ERRORS, 1);
        }
        if !pause(shared, backoff).await {
            return;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Runs `future`, which hands the server's bytes to retina; should retina panic on them, the
/// attempt or session ends as the server's fault (`Ended::Peer`) and the client connects again,
/// as the SRT source contains `mpeg2ts` (`srt_guard.rs`), instead of failing the endpoint.
async fn guarded<T>(future: impl Future<Output = T>) -> Result<T, Ended> {
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .map_err(|_| Ended::Peer)
}

/// Waits `delay`, or until the endpoint stops: returns whether to go on. Unlike a sink's
/// `idle`, it leaves the queue alone: what the last session received is still the graph's to
/// read (a wake-up left over from its last push must not drop it).
async fn pause(shared: &SinkShared, delay: Duration) -> bool {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return !shared.stopping(),
            _ = shared.wake.notified() => if shared.stopping() { return false; },
        }
    }
}

/// Whether a retina error is the network's (no connection, reset, timeout) or the server's.
fn classify(error: &retina::Error) -> Ended {
    let text = error.to_string();
    let network = [
        "Unable to connect",
        "Error reading",
        "Error writing",
        "Timeout",
    ];
    if network.iter().any(|p| text.starts_with(p)) {
        Ended::Network
    } else {
        Ended::Peer
    }
}

/// `DESCRIBE`, `SETUP` of the first H.264 video stream, `PLAY`: the playing session and the
/// index of its video stream.
async fn open(settings: &RtspSettings) -> Result<(Demuxed, usize), Ended> {
    let mut options = SessionOptions::default().user_agent("streamlib".to_owned());
    if let Some((username, password)) = &settings.credentials {
        options = options.creds(Some(Credentials {
            username: username.clone(),
            password: password.clone(),
        }));
    }
    let mut session = Session::describe(settings.url.clone(), options)
        .await
        .map_err(|e| classify(&e))?;
    let stream = session
        .streams()
        .iter()
        .position(|s| s.media() == "video" && s.encoding_name() == "h264")
        .ok_or(Ended::Peer)?;
    let transport = match settings.transport {
        RtpTransport::Tcp => Transport::Tcp(Default::default()),
        RtpTransport::Udp => Transport::Udp(Default::default()),
    };
    session
        .setup(stream, SetupOptions::default().transport(transport))
        .await
        .map_err(|e| classify(&e))?;
    let playing = session
        .play(PlayOptions::default())
        .await
        .map_err(|e| classify(&e))?;
    let demuxed = playing.demuxed().map_err(|e| classify(&e))?;
    Ok((demuxed, stream))
}

/// Queues the video stream's access units until the server goes away or goes silent, or the
/// endpoint stops.
async fn session(
    shared: &SinkShared,
    settings: &RtspSettings,
    mut demuxed: Demuxed,
    stream: usize,
) -> Ended {
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut gate = KeyframeGate::default();
    let mut sets: Option<Vec<u8>> = None;
    let mut annex_b = Vec::new();
    let silence = tokio::time::sleep(settings.idle_timeout);
    tokio::pin!(silence);
    loop {
        tokio::select! {
            _ = shared.wake.notified() => if shared.stopping() { return Ended::Stopped; },
            _ = &mut silence => return Ended::Network,
            _ = tick.tick() => meter.tick(shared),
            item = demuxed.next() => {
                let frame = match item {
                    Some(Ok(CodecItem::VideoFrame(frame))) if frame.stream_id() == stream => frame,
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return classify(&e),
                    None => return Ended::Network,
                };
                silence.as_mut().reset(tokio::time::Instant::now() + settings.idle_timeout);
                shared.add(stat::PACKETS_LOST, u64::from(frame.loss()));
                shared.add(stat::BYTES_SENT, frame.data().len() as u64);
                if frame.has_new_parameters() || sets.is_none() {
                    sets = match demuxed.streams()[stream].parameters() {
                        Some(ParametersRef::Video(p)) => parameter_sets(p.extra_data()),
                        _ => None,
                    };
                }
                let keyframe = frame.is_random_access_point();
                let with_sets = if keyframe { sets.as_deref() } else { None };
                if !to_annex_b(frame.data(), with_sets, &mut annex_b) {
                    shared.add(stat::PEER_ERRORS, 1);
                    shared.add(stat::FRAMES_DROPPED, 1);
                    gate.waiting = true;
                    continue;
                }
                let timestamp = frame.timestamp();
                let rate = i128::from(timestamp.clock_rate().get());
                let timestamp_ns = (i128::from(timestamp.elapsed()) * 1_000_000_000 / rate) as i64;
                gate.pass(shared, AccessUnitItem {
                    data: std::mem::take(&mut annex_b),
                    timestamp_ns,
                    keyframe,
                    new_stream: false,
                    audio: false,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_pause_between_sessions_keeps_what_the_graph_has_not_read() {
        let shared = SinkShared::new(4);
        // The push leaves a wake-up behind, as the last one of a session does.
        shared.push(AccessUnitItem {
            data: vec![0, 0, 0, 1, 0x65],
            timestamp_ns: 0,
            keyframe: true,
            new_stream: true,
            audio: false,
        });
        assert!(runtime().block_on(pause(&shared, Duration::from_millis(20))));
        assert!(shared.pop().is_some());
        assert_eq!(shared.get(stat::FRAMES_DROPPED), 0);
    }

    #[test]
    fn a_panic_in_the_client_ends_the_attempt_as_the_servers_fault() {
        let rt = runtime();
        assert_eq!(rt.block_on(guarded(async { 7 })), Ok(7));
        let panicked = rt.block_on(guarded(async {
            if std::hint::black_box(true) {
                panic!("a hostile byte");
            }
        }));
        assert_eq!(panicked, Err(Ended::Peer));
    }

    #[test]
    fn a_pause_ends_at_once_when_the_endpoint_stops() {
        let shared = SinkShared::new(4);
        shared.request_stop();
        // Were the stop not noticed, this would wait an hour.
        assert!(!runtime().block_on(pause(&shared, Duration::from_secs(3_600))));
    }
}
