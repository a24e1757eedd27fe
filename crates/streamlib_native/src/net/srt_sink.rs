//! An SRT sender of MPEG-TS: H.264 access units and, when its settings name `audioChannels`,
//! Opus packets from a [`SinkShared`] queue, muxed by [`TsMuxer`] into 7-packet (1316-byte) SRT
//! messages, on its own thread running a tokio current-thread runtime for its [`SrtLink`].
//!
//! Caller mode reconnects with exponential backoff (100 ms doubling to 2 s) when a connection
//! fails or the peer goes away; listener mode takes one caller at a time and waits for the next
//! when it leaves. While no peer is connected queued access units are dropped (counted); a new
//! connection, and the stream after any drop, start at the next keyframe.

use std::sync::Arc;
use std::time::Duration;

use srt_protocol::statistics::SocketStatistics;

use crate::net::config::{Mode, SrtSettings};
use crate::net::sink_shared::{RateMeter, SinkShared, stat};
use crate::net::srt_link::{self, LinkStats, SrtLink};
use crate::net::ts_mux::{TS_PACKET_BYTES, TsMuxer};

/// TS packets per SRT message (the 1316-byte payload every SRT implementation uses for TS).
pub const TS_PACKETS_PER_MESSAGE: usize = 7;
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const SEND_TIMEOUT: Duration = Duration::from_secs(1);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Connects (caller, at most [`CONNECT_TIMEOUT`]) or waits for a caller (listener).
pub(crate) async fn open(
    settings: &SrtSettings,
    shared: &Arc<SinkShared>,
) -> std::io::Result<SrtLink> {
    if settings.mode == Mode::Listener {
        return srt_link::open(settings, shared).await;
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, srt_link::open(settings, shared)).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "SRT connect timed out",
        )),
    }
}

/// Runs the sender until `shared` is stopped.
pub fn run(shared: Arc<SinkShared>, settings: SrtSettings) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return,
    };
    runtime.block_on(sender(&shared, &settings));
}

/// Waits `delay`, dropping what arrives meanwhile; `false` when the sink stops.
pub(crate) async fn idle(shared: &SinkShared, delay: Duration) -> bool {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return !shared.stopping(),
            _ = shared.wake.notified() => {
                if shared.stopping() { return false; }
                shared.drain_dropped();
            }
        }
    }
}

async fn sender(shared: &Arc<SinkShared>, settings: &SrtSettings) {
    let mut backoff = MIN_BACKOFF;
    while !shared.stopping() {
        let connect = open(settings, shared);
        tokio::pin!(connect);
        let result = loop {
            tokio::select! {
                r = &mut connect => break Some(r),
                _ = shared.wake.notified() => {
                    if shared.stopping() { break None; }
                    shared.drain_dropped();
                }
            }
        };
        match result {
            None => return,
            Some(Ok(socket)) => {
                backoff = MIN_BACKOFF;
                shared.add(stat::CONNECTIONS, 1);
                shared.set(stat::CONNECTED, 1);
                session(shared, socket, settings).await;
                shared.set(stat::CONNECTED, 0);
                shared.set(stat::BITRATE, 0);
                shared.set(stat::RTT_MICROS, 0);
                if shared.stopping() {
                    return;
                }
                shared.add(stat::DISCONNECTS, 1);
            }
            Some(Err(_)) => {
                shared.add(stat::CONNECT_FAILURES, 1);
                if !idle(shared, backoff).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// The SRT counters of one connection folded into the sink's cumulative ones.
struct SessionCounters {
    base: [u64; 4],
}

impl SessionCounters {
    const KEYS: [usize; 4] = [
        stat::PACKETS_SENT,
        stat::PACKETS_LOST,
        stat::PACKETS_RETRANSMITTED,
        stat::NAKS,
    ];

    fn new(shared: &SinkShared) -> Self {
        Self {
            base: Self::KEYS.map(|k| shared.get(k)),
        }
    }

    fn update(&self, shared: &SinkShared, s: &LinkStats) {
        let now = pick(&s.socket);
        for ((key, base), value) in Self::KEYS.iter().zip(self.base).zip(now) {
            shared.set(*key, base + value);
        }
        set_rtt(shared, s);
    }
}

fn pick(s: &SocketStatistics) -> [u64; 4] {
    [s.tx_data, s.tx_loss_data, s.tx_retransmit_data, s.rx_nak]
}

/// Publishes the link's RTT (microseconds, at least 1 once measured).
pub(crate) fn set_rtt(shared: &SinkShared, s: &LinkStats) {
    if let Some(rtt) = s.rtt {
        let micros = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX);
        shared.set(stat::RTT_MICROS, micros.max(1));
    }
}

async fn session(shared: &SinkShared, mut socket: SrtLink, settings: &SrtSettings) {
    let latency = settings.latency;
    let mut statistics = socket.stats();
    let counters = SessionCounters::new(shared);
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut mux = if settings.audio_aac && settings.audio_channels > 0 {
        TsMuxer::with_aac()
    } else {
        TsMuxer::with_opus(settings.audio_channels)
    };
    let mut waiting_for_keyframe = true;
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut statistics_open = true;
    loop {
        tokio::select! {
            _ = shared.wake.notified() => {}
            incoming = socket.recv() => if incoming.is_none() {
                return; // the connection closed (a receiver sends no data we use)
            },
            changed = statistics.changed(), if statistics_open => match changed {
                Ok(()) => counters.update(shared, &statistics.borrow_and_update()),
                Err(_) => statistics_open = false,
            },
            _ = tick.tick() => meter.tick(shared),
        }
        let stopping = shared.stopping();
        while let Some(item) = shared.take() {
            waiting_for_keyframe |= shared.take_overflow();
            if waiting_for_keyframe && !item.keyframe {
                continue; // dropping `item` counts it as dropped
            }
            waiting_for_keyframe = false;
            buffer.clear();
            let written = if item.audio {
                mux.write_audio_packet(&item.data, item.timestamp_ns, &mut buffer)
            } else {
                mux.write_access_unit(&item.data, item.timestamp_ns, item.keyframe, &mut buffer)
            };
            if written.is_err() {
                continue; // counted as dropped (an audio packet to a sink without audio, too)
            }
            for message in buffer.chunks(TS_PACKETS_PER_MESSAGE * TS_PACKET_BYTES) {
                let data = bytes::Bytes::copy_from_slice(message);
                match tokio::time::timeout(SEND_TIMEOUT, socket.send(data)).await {
                    Ok(Ok(())) => shared.add(stat::BYTES_SENT, message.len() as u64),
                    _ => return,
                }
            }
            item.sent();
        }
        if stopping {
            // What was queued before the stop is sent. The receiver delivers a packet one
            // latency after it was sent and drops what it still holds when the connection
            // closes, so the close waits that long (plus a margin) first; then it waits for the
            // SRT task's end (at most CLOSE_TIMEOUT).
            tokio::time::sleep(latency + latency / 4 + Duration::from_millis(20)).await;
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.close_and_finish()).await;
            counters.update(shared, &statistics.borrow());
            return;
        }
    }
}
