//! An RTSP client of H.264 or H.265 video and AAC or G.711 audio (`retina`,
//! docs/decisions/0039-rtsp-with-retina.md): `DESCRIBE`, `SETUP` of the first H.264 or H.265
//! video stream and of the first AAC, PCMA or PCMU audio stream, over TCP (interleaved) or UDP,
//! `PLAY`; the video's access units turned into Annex B ([`avcc`](crate::net::avcc)) and the
//! audio decoded to PCM ([`pcm_item`]), into a [`SinkShared`] queue the graph polls. It runs on its own thread with a tokio current-thread runtime, and connects again with
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

use crate::media::aac_codec::AacDecoder;
use crate::net::avcc::{NalCodec, hevc_parameter_sets, parameter_sets, to_annex_b_of};
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
    /// without H.264 or H.265 video), or did not finish answering within the connect timeout (a stalled
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
            Ok((demuxed, streams)) => {
                backoff = MIN_BACKOFF;
                shared.add(stat::CONNECTIONS, 1);
                shared.set(stat::CONNECTED, 1);
                let ended = guarded(session(shared, settings, demuxed, streams))
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

/// The streams a session plays: the video's index and codec, and the audio's, if any.
struct Streams {
    video: usize,
    codec: NalCodec,
    audio: Option<(usize, AudioCodec)>,
}

/// The audio codecs an RTSP source decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AudioCodec {
    /// MPEG-4 AAC (`mpeg4-generic`), decoded with Symphonia.
    Aac,
    /// G.711 A-law (`PCMA`).
    Alaw,
    /// G.711 mu-law (`PCMU`).
    Ulaw,
}

/// `DESCRIBE`, `SETUP` of the first H.264 or H.265 video stream and of the first audio stream
/// of a codec it decodes (a refused audio `SETUP` leaves the session video-only), `PLAY`: the
/// playing session and its streams.
async fn open(settings: &RtspSettings) -> Result<(Demuxed, Streams), Ended> {
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
    let (video, codec) = session
        .streams()
        .iter()
        .enumerate()
        .find_map(|(i, s)| match (s.media(), s.encoding_name()) {
            ("video", "h264") => Some((i, NalCodec::H264)),
            ("video", "h265") => Some((i, NalCodec::H265)),
            _ => None,
        })
        .ok_or(Ended::Peer)?;
    let audio = session.streams().iter().enumerate().find_map(|(i, s)| {
        match (s.media(), s.encoding_name()) {
            ("audio", "mpeg4-generic") => Some((i, AudioCodec::Aac)),
            ("audio", "pcma") => Some((i, AudioCodec::Alaw)),
            ("audio", "pcmu") => Some((i, AudioCodec::Ulaw)),
            _ => None,
        }
    });
    let transport = || match settings.transport {
        RtpTransport::Tcp => Transport::Tcp(Default::default()),
        RtpTransport::Udp => Transport::Udp(Default::default()),
    };
    session
        .setup(video, SetupOptions::default().transport(transport()))
        .await
        .map_err(|e| classify(&e))?;
    let audio = match audio {
        Some((index, audio_codec)) => session
            .setup(index, SetupOptions::default().transport(transport()))
            .await
            .ok()
            .map(|_| (index, audio_codec)),
        None => None,
    };
    let playing = session
        .play(PlayOptions::default())
        .await
        .map_err(|e| classify(&e))?;
    let demuxed = playing.demuxed().map_err(|e| classify(&e))?;
    Ok((
        demuxed,
        Streams {
            video,
            codec,
            audio,
        },
    ))
}

/// The audio decoder of a session: Symphonia's AAC (made from the stream's AudioSpecificConfig
/// once it is known) or a G.711 table.
enum AudioDecoder {
    Aac(Option<Box<AacDecoder>>),
    Alaw,
    Ulaw,
}

/// Samples of one decoded audio frame and its format.
struct Pcm {
    rate: u32,
    channels: u32,
    samples: Vec<f32>,
}

impl AudioDecoder {
    fn new(codec: AudioCodec) -> Self {
        match codec {
            AudioCodec::Aac => AudioDecoder::Aac(None),
            AudioCodec::Alaw => AudioDecoder::Alaw,
            AudioCodec::Ulaw => AudioDecoder::Ulaw,
        }
    }

    /// Decodes `data`; `config` is the stream's AudioSpecificConfig (AAC). `None` for a frame
    /// that does not decode (or an AAC stream without a usable config).
    fn decode(&mut self, data: &[u8], config: Option<&[u8]>, rate: u32) -> Option<Pcm> {
        match self {
            AudioDecoder::Aac(decoder) => {
                if decoder.is_none() {
                    *decoder = Some(Box::new(AacDecoder::new(config?).ok()?));
                }
                let decoder = decoder.as_mut()?;
                let c = decoder.config();
                let mut samples = vec![0.0; 1024 * c.channels as usize];
                let frames = decoder.decode(data, &mut samples).ok()?;
                samples.truncate(frames * c.channels as usize);
                Some(Pcm {
                    rate: c.sample_rate,
                    channels: c.channels,
                    samples,
                })
            }
            AudioDecoder::Alaw => Some(g711(data, rate, alaw)),
            AudioDecoder::Ulaw => Some(g711(data, rate, ulaw)),
        }
    }
}

fn g711(data: &[u8], rate: u32, decode: fn(u8) -> i16) -> Pcm {
    Pcm {
        rate,
        channels: 1,
        samples: data
            .iter()
            .map(|&b| f32::from(decode(b)) / 32_768.0)
            .collect(),
    }
}

/// G.711 A-law to linear 16-bit (ITU-T G.711).
fn alaw(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let exponent = (a >> 4) & 7;
    let mantissa = i16::from(a & 0x0f);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    if a & 0x80 != 0 { magnitude } else { -magnitude }
}

/// G.711 mu-law to linear 16-bit (ITU-T G.711).
fn ulaw(byte: u8) -> i16 {
    let u = !byte;
    let exponent = (u >> 4) & 7;
    let mantissa = i16::from(u & 0x0f);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    if u & 0x80 != 0 { -magnitude } else { magnitude }
}

/// The queue item of decoded audio: the rate and channels as little-endian `u32`s, then the
/// interleaved samples as little-endian `f32`s (read by `processors/sources/rtsp_source.ts`).
pub fn pcm_item(rate: u32, channels: u32, samples: &[f32], timestamp_ns: i64) -> AccessUnitItem {
    let mut data = Vec::with_capacity(8 + samples.len() * 4);
    data.extend_from_slice(&rate.to_le_bytes());
    data.extend_from_slice(&channels.to_le_bytes());
    for sample in samples {
        data.extend_from_slice(&sample.to_le_bytes());
    }
    AccessUnitItem {
        data,
        timestamp_ns,
        keyframe: false,
        new_stream: false,
        audio: true,
        h265: false,
        aac: false,
        audio_config: None,
    }
}

/// Queues the video stream's access units and the audio stream's decoded frames until the
/// server goes away or goes silent, or the endpoint stops.
async fn session(
    shared: &SinkShared,
    settings: &RtspSettings,
    mut demuxed: Demuxed,
    streams: Streams,
) -> Ended {
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut gate = KeyframeGate::default();
    let mut sets: Option<Vec<u8>> = None;
    let mut annex_b = Vec::new();
    let mut audio = streams
        .audio
        .map(|(index, codec)| (index, AudioDecoder::new(codec)));
    let silence = tokio::time::sleep(settings.idle_timeout);
    tokio::pin!(silence);
    loop {
        tokio::select! {
            _ = shared.wake.notified() => if shared.stopping() { return Ended::Stopped; },
            _ = &mut silence => return Ended::Network,
            _ = tick.tick() => meter.tick(shared),
            item = demuxed.next() => {
                let frame = match item {
                    Some(Ok(CodecItem::VideoFrame(frame))) if frame.stream_id() == streams.video => frame,
                    Some(Ok(CodecItem::AudioFrame(frame))) => {
                        if let Some((index, decoder)) = audio.as_mut().filter(|(i, _)| *i == frame.stream_id()) {
                            shared.add(stat::PACKETS_LOST, u64::from(frame.loss()));
                            shared.add(stat::BYTES_SENT, frame.data().len() as u64);
                            let config = match demuxed.streams()[*index].parameters() {
                                Some(ParametersRef::Audio(p)) => Some(p.extra_data().to_vec()),
                                _ => None,
                            };
                            let timestamp = frame.timestamp();
                            let rate = timestamp.clock_rate().get();
                            let timestamp_ns = (i128::from(timestamp.elapsed()) * 1_000_000_000
                                / i128::from(rate)) as i64;
                            match decoder.decode(frame.data(), config.as_deref(), rate) {
                                Some(pcm) => gate.pass(
                                    shared,
                                    pcm_item(pcm.rate, pcm.channels, &pcm.samples, timestamp_ns),
                                ),
                                None => {
                                    shared.add(stat::PEER_ERRORS, 1);
                                    shared.add(stat::FRAMES_DROPPED, 1);
                                }
                            }
                        }
                        continue;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return classify(&e),
                    None => return Ended::Network,
                };
                silence.as_mut().reset(tokio::time::Instant::now() + settings.idle_timeout);
                shared.add(stat::PACKETS_LOST, u64::from(frame.loss()));
                shared.add(stat::BYTES_SENT, frame.data().len() as u64);
                if frame.has_new_parameters() || sets.is_none() {
                    sets = match demuxed.streams()[streams.video].parameters() {
                        Some(ParametersRef::Video(p)) => match streams.codec {
                            NalCodec::H264 => parameter_sets(p.extra_data()),
                            NalCodec::H265 => hevc_parameter_sets(p.extra_data()),
                        },
                        _ => None,
                    };
                }
                let keyframe = frame.is_random_access_point();
                let with_sets = if keyframe { sets.as_deref() } else { None };
                if !to_annex_b_of(streams.codec, frame.data(), with_sets, &mut annex_b) {
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
                    h265: streams.codec == NalCodec::H265,
                    aac: false,
                    audio_config: None,
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
            h265: false,
            aac: false,
            audio_config: None,
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
    fn g711_decodes_as_the_standard_tables_say() {
        // ITU-T G.711 table values: A-law 0xd5 is +8, 0x55 is -8, 0xaa is +32256 (the largest);
        // mu-law 0xff is 0 and 0x80 is +32124.
        assert_eq!(alaw(0xd5), 8);
        assert_eq!(alaw(0x55), -8);
        assert_eq!(alaw(0xaa), 32_256);
        assert_eq!(ulaw(0xff), 0);
        assert_eq!(ulaw(0x7f), 0);
        assert_eq!(ulaw(0x80), 32_124);
        assert_eq!(ulaw(0x00), -32_124);
    }

    #[test]
    fn a_pcm_item_carries_rate_channels_and_samples() {
        let item = pcm_item(8_000, 1, &[0.5, -0.25], 42);
        assert_eq!(&item.data[..8], &[0x40, 0x1f, 0, 0, 1, 0, 0, 0]);
        assert_eq!(
            f32::from_le_bytes(item.data[8..12].try_into().unwrap()),
            0.5
        );
        assert_eq!(
            f32::from_le_bytes(item.data[12..16].try_into().unwrap()),
            -0.25
        );
        assert!(item.audio && !item.keyframe && item.timestamp_ns == 42);
    }

    #[test]
    fn a_pause_ends_at_once_when_the_endpoint_stops() {
        let shared = SinkShared::new(4);
        shared.request_stop();
        // Were the stop not noticed, this would wait an hour.
        assert!(!runtime().block_on(pause(&shared, Duration::from_secs(3_600))));
    }
}
