//! An RTMP publisher of H.264 (FLV video messages): connects over TCP, runs `rml_rtmp`'s client
//! handshake and session (`connect`, `createStream`, `publish`), then sends a sequence header
//! and each access unit from a [`SinkShared`] queue, on its own thread with a tokio
//! current-thread runtime. Reconnects with backoff (100 ms doubling to 2 s) when the connection
//! fails or drops; until publishing is accepted, and after a drop, the stream waits for a
//! keyframe (what is skipped is counted as dropped). The connection's RTT is the kernel's TCP
//! estimate (`TCP_INFO`, Linux).
//!
//! Audio (AAC, `docs/decisions/0049-aac-encoding-with-vo-aacenc.md`): the graph queues FLV
//! `AUDIODATA` bodies (flagged audio), built by the TypeScript sink: raw frames (`0xAF 0x01` +
//! frame). The AAC sequence header (`0xAF 0x00` + AudioSpecificConfig) is not queued: the sink
//! sets it beside the queue ([`SinkShared::audio_config`]), where no overflow or drain can drop
//! it, and this thread sends it before the first audio frame of every publish and again when it
//! changes: each queued frame carries the configuration set when it was pushed
//! ([`AccessUnitItem::audio_config`](crate::net::sink_shared::AccessUnitItem::audio_config)), so
//! frames still queued at a change go after the header they were encoded with. Audio waits, like
//! video, for the stream's keyframe and shares its clock: both are stamped relative to the first
//! video keyframe sent.

use std::sync::Arc;
use std::time::Duration;

use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::sessions::{
    ClientSession, ClientSessionConfig, ClientSessionEvent, ClientSessionResult,
    PublishRequestType, StreamMetadata,
};
use rml_rtmp::time::RtmpTimestamp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

use crate::net::config::RtmpSettings;
use crate::net::sink_shared::{RateMeter, SinkShared, stat};
use crate::net::srt_sink::idle;
use crate::net::tcp_rtt::tcp_rtt;
use crate::net::{flv_audio, flv_video};

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a session ended.
#[derive(Debug)]
enum End {
    /// The sink is stopping.
    Stopped,
    /// Connection, handshake or session failed before publishing began.
    Failed,
    /// The connection dropped while publishing.
    Lost,
}

/// Runs the publisher until `shared` is stopped.
pub fn run(shared: Arc<SinkShared>, settings: RtmpSettings) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return,
    };
    runtime.block_on(publisher(&shared, &settings));
}

async fn publisher(shared: &SinkShared, settings: &RtmpSettings) {
    let mut backoff = MIN_BACKOFF;
    while !shared.stopping() {
        match session(shared, settings).await {
            End::Stopped => return,
            End::Lost => {
                shared.set(stat::CONNECTED, 0);
                shared.set(stat::BITRATE, 0);
                shared.add(stat::DISCONNECTS, 1);
                backoff = MIN_BACKOFF;
            }
            End::Failed => {
                shared.add(stat::CONNECT_FAILURES, 1);
                if !idle(shared, backoff).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

async fn send(writer: &mut OwnedWriteHalf, bytes: &[u8]) -> bool {
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(bytes)).await,
        Ok(Ok(()))
    )
}

/// Reads from the socket, answering the session, until it raises an event matching `$done`;
/// returns from the calling function on failure or stop.
macro_rules! pump {
    ($shared:expr, $reader:expr, $writer:expr, $session:expr, $buf:expr, $done:pat) => {{
        let mut finished = false;
        while !finished {
            let n = tokio::select! {
                r = $reader.read(&mut $buf) => match r { Ok(n) if n > 0 => n, _ => return End::Failed },
                _ = $shared.wake.notified() => {
                    if $shared.stopping() { return End::Stopped; }
                    $shared.drain_dropped();
                    continue;
                }
                _ = tokio::time::sleep(CONNECT_TIMEOUT) => return End::Failed,
            };
            let Ok(results) = $session.handle_input(&$buf[..n]) else { return End::Failed };
            for result in results {
                match result {
                    ClientSessionResult::OutboundResponse(packet) => {
                        if !send(&mut $writer, &packet.bytes).await {
                            return End::Failed;
                        }
                    }
                    ClientSessionResult::RaisedEvent(event) => {
                        if matches!(event, $done) {
                            finished = true;
                        }
                        if matches!(event, ClientSessionEvent::ConnectionRequestRejected { .. }) {
                            return End::Failed;
                        }
                    }
                    ClientSessionResult::UnhandleableMessageReceived(_) => {}
                }
            }
        }
    }};
}

async fn session(shared: &SinkShared, settings: &RtmpSettings) -> End {
    let connect = TcpStream::connect(settings.address);
    let stream = tokio::select! {
        r = tokio::time::timeout(CONNECT_TIMEOUT, connect) => match r {
            Ok(Ok(stream)) => stream,
            _ => return End::Failed,
        },
        _ = stopped(shared) => return End::Stopped,
    };
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let mut buf = vec![0u8; 64 * 1024];

    // Handshake (C0/C1, S0/S1/S2, C2).
    let mut handshake = Handshake::new(PeerType::Client);
    let Ok(p0p1) = handshake.generate_outbound_p0_and_p1() else {
        return End::Failed;
    };
    if !send(&mut writer, &p0p1).await {
        return End::Failed;
    }
    let remaining = loop {
        let n = tokio::select! {
            r = reader.read(&mut buf) => match r { Ok(n) if n > 0 => n, _ => return End::Failed },
            _ = stopped(shared) => return End::Stopped,
            _ = tokio::time::sleep(CONNECT_TIMEOUT) => return End::Failed,
        };
        match handshake.process_bytes(&buf[..n]) {
            Ok(HandshakeProcessResult::InProgress { response_bytes }) => {
                if !send(&mut writer, &response_bytes).await {
                    return End::Failed;
                }
            }
            Ok(HandshakeProcessResult::Completed {
                response_bytes,
                remaining_bytes,
            }) => {
                if !send(&mut writer, &response_bytes).await {
                    return End::Failed;
                }
                break remaining_bytes;
            }
            Err(_) => return End::Failed,
        }
    };

    // connect, then createStream + publish.
    let mut config = ClientSessionConfig::new();
    config.tc_url = Some(settings.tc_url.clone());
    let Ok((mut session, initial)) = ClientSession::new(config) else {
        return End::Failed;
    };
    for result in initial {
        if let ClientSessionResult::OutboundResponse(packet) = result {
            if !send(&mut writer, &packet.bytes).await {
                return End::Failed;
            }
        }
    }
    if !remaining.is_empty() && session.handle_input(&remaining).is_err() {
        return End::Failed;
    }
    let Ok(ClientSessionResult::OutboundResponse(packet)) =
        session.request_connection(settings.app.clone())
    else {
        return End::Failed;
    };
    if !send(&mut writer, &packet.bytes).await {
        return End::Failed;
    }
    pump!(
        shared,
        reader,
        writer,
        session,
        buf,
        ClientSessionEvent::ConnectionRequestAccepted
    );
    let Ok(ClientSessionResult::OutboundResponse(packet)) =
        session.request_publishing(settings.stream_key.clone(), PublishRequestType::Live)
    else {
        return End::Failed;
    };
    if !send(&mut writer, &packet.bytes).await {
        return End::Failed;
    }
    pump!(
        shared,
        reader,
        writer,
        session,
        buf,
        ClientSessionEvent::PublishRequestAccepted
    );

    shared.add(stat::CONNECTIONS, 1);
    shared.set(stat::CONNECTED, 1);
    let mut metadata = StreamMetadata::new();
    metadata.video_codec_id = Some(7);
    if settings.audio {
        metadata.audio_codec_id = Some(u32::from(flv_audio::SOUND_FORMAT_AAC));
    }
    metadata.encoder = Some("streamlib".to_owned());
    if let Ok(ClientSessionResult::OutboundResponse(packet)) = session.publish_metadata(&metadata) {
        if !send(&mut writer, &packet.bytes).await {
            return End::Lost;
        }
    }
    let mut link = Link {
        shared,
        writer: &mut writer,
        session: &mut session,
    };
    publish(&mut link, &mut reader, &mut buf).await
}

/// The publishing session and its socket, which every message goes out through.
struct Link<'a> {
    shared: &'a SinkShared,
    writer: &'a mut OwnedWriteHalf,
    session: &'a mut ClientSession,
}

impl Link<'_> {
    /// Sends one FLV body as a video or audio message; false when the connection is lost.
    async fn send_body(&mut self, body: Vec<u8>, timestamp: RtmpTimestamp, audio: bool) -> bool {
        let data = bytes::Bytes::from(body);
        let message = if audio {
            self.session.publish_audio_data(data, timestamp, false)
        } else {
            self.session.publish_video_data(data, timestamp, false)
        };
        let Ok(ClientSessionResult::OutboundResponse(packet)) = message else {
            return false;
        };
        if !send(self.writer, &packet.bytes).await {
            return false;
        }
        self.shared.add(stat::BYTES_SENT, packet.bytes.len() as u64);
        self.shared.add(stat::PACKETS_SENT, 1);
        true
    }
}

/// Adds to `bodies` the FLV bodies that send one audio packet: first the AAC sequence header it
/// was encoded with (`header`, from its queue entry) when this publish has not just sent that one
/// (told apart by pointer: [`SinkShared::audio_config`] keeps one `Arc` until the configuration
/// changes), then the packet.
fn push_audio_bodies(
    bodies: &mut Vec<Vec<u8>>,
    sent: &mut Option<Arc<[u8]>>,
    header: &Arc<[u8]>,
    packet: &[u8],
) {
    if !sent.as_ref().is_some_and(|sent| Arc::ptr_eq(sent, header)) {
        bodies.push(header.to_vec());
        *sent = Some(Arc::clone(header));
    }
    bodies.push(packet.to_vec());
}

/// Drops what is queued while nothing is published (counted) until the sink stops. The AAC
/// sequence header is not in the queue ([`SinkShared::audio_config`]): the next publish sends it.
async fn stopped(shared: &SinkShared) {
    while !shared.stopping() {
        shared.wake.notified().await;
        if !shared.stopping() {
            shared.drain_dropped();
        }
    }
}

async fn publish(
    link: &mut Link<'_>,
    reader: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut [u8],
) -> End {
    let shared = link.shared;
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut waiting_for_keyframe = true;
    let mut sent_header: Option<Vec<u8>> = None;
    // The AAC sequence header sent in this publish: sent before its first audio packet, and
    // again before the next one after the graph's config changed.
    let mut sent_audio_header: Option<Arc<[u8]>> = None;
    let mut first_ns: Option<i64> = None;
    loop {
        tokio::select! {
            _ = shared.wake.notified() => {}
            r = reader.read(buf) => match r {
                Ok(n) if n > 0 => {
                    // Acknowledgements, pings: answer what the session asks to.
                    if let Ok(results) = link.session.handle_input(&buf[..n]) {
                        for result in results {
                            if let ClientSessionResult::OutboundResponse(p) = result {
                                if !send(link.writer, &p.bytes).await {
                                    return End::Lost;
                                }
                            }
                        }
                    }
                }
                _ => return End::Lost,
            },
            _ = tick.tick() => {
                meter.tick(shared);
                if let Some(rtt) = tcp_rtt(link.writer.as_ref()) {
                    let micros = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX);
                    shared.set(stat::RTT_MICROS, micros.max(1));
                }
            }
        }
        let stopping = shared.stopping();
        while let Some(item) = shared.take() {
            waiting_for_keyframe |= shared.take_overflow();
            if waiting_for_keyframe && !item.keyframe {
                continue; // dropping `item` counts it as dropped
            }
            if item.audio && (sent_header.is_none() || item.audio_config.is_none()) {
                continue; // before the video's first keyframe, or no AAC config: dropped
            }
            let start = *first_ns.get_or_insert(item.timestamp_ns);
            let ms = ((item.timestamp_ns - start).max(0) / 1_000_000) as u32;
            let timestamp = RtmpTimestamp::new(ms);
            let mut bodies = Vec::with_capacity(2);
            if item.audio {
                if let Some(header) = &item.audio_config {
                    push_audio_bodies(&mut bodies, &mut sent_audio_header, header, &item.data);
                }
            } else {
                if item.keyframe {
                    if let Some(header) = flv_video::sequence_header(&item.data) {
                        if sent_header.as_ref() != Some(&header) {
                            bodies.push(header.clone());
                            sent_header = Some(header);
                        }
                    }
                }
                if sent_header.is_none() {
                    continue; // no SPS/PPS yet, nothing could decode it: counted as dropped
                }
                waiting_for_keyframe = false;
                bodies.push(flv_video::access_unit(&item.data, item.keyframe));
            }
            for body in bodies {
                if !link.send_body(body, timestamp, item.audio).await {
                    return End::Lost;
                }
            }
            item.sent();
        }
        if stopping {
            // What was queued before the stop has been sent.
            for result in link.session.stop_publishing().unwrap_or_default() {
                if let ClientSessionResult::OutboundResponse(p) = result {
                    let _ = send(link.writer, &p.bytes).await;
                }
            }
            let _ = link.writer.shutdown().await;
            return End::Stopped;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::sink_shared::AccessUnitItem;

    fn audio(data: u8) -> AccessUnitItem {
        AccessUnitItem {
            data: vec![0xAF, 1, data],
            timestamp_ns: i64::from(data),
            audio: true,
            ..AccessUnitItem::default()
        }
    }

    /// What the publish loop sends for the audio packets queued in `shared`, in order.
    fn sent_bodies(shared: &SinkShared, sent: &mut Option<Arc<[u8]>>) -> Vec<Vec<u8>> {
        let mut bodies = Vec::new();
        while let Some(item) = shared.take() {
            let header = item.audio_config.clone().expect("stamped with a config");
            push_audio_bodies(&mut bodies, sent, &header, &item.data);
            item.sent();
        }
        bodies
    }

    #[test]
    fn frames_queued_before_a_config_change_go_after_their_own_header() {
        let shared = SinkShared::new(8);
        let (one, two) = (vec![0xAF, 0, 0x11, 0x90], vec![0xAF, 0, 0x12, 0x10]);
        shared.set_audio_config(&one);
        shared.push(shared.with_audio_config(audio(1)));
        shared.push(shared.with_audio_config(audio(2)));
        shared.set_audio_config(&two); // the graph's encoder changed while 1 and 2 wait
        shared.push(shared.with_audio_config(audio(3)));
        let mut sent = None;
        assert_eq!(
            sent_bodies(&shared, &mut sent),
            [
                one.clone(),
                audio(1).data,
                audio(2).data,
                two.clone(),
                audio(3).data
            ]
        );
        // The same config again sends no header; a new publish (nothing sent yet) sends it first.
        shared.push(shared.with_audio_config(audio(4)));
        assert_eq!(sent_bodies(&shared, &mut sent), [audio(4).data]);
        shared.push(shared.with_audio_config(audio(5)));
        assert_eq!(sent_bodies(&shared, &mut None), [two, audio(5).data]);
    }

    #[test]
    fn only_audio_is_stamped() {
        let shared = SinkShared::new(2);
        shared.set_audio_config(&[0xAF, 0, 0x11, 0x90]);
        let video = AccessUnitItem {
            audio: false,
            ..audio(1)
        };
        assert!(shared.with_audio_config(video).audio_config.is_none());
        assert!(shared.with_audio_config(audio(1)).audio_config.is_some());
    }
}
