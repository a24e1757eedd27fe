//! An SRT sender of MPEG-TS: H.264 access units from a [`SinkShared`] queue, muxed by
//! [`TsMuxer`] into 7-packet (1316-byte) SRT messages, on its own thread running a tokio
//! current-thread runtime for `srt-tokio`.
//!
//! Caller mode reconnects with exponential backoff (100 ms doubling to 2 s) when a connection
//! fails or the peer goes away; listener mode takes one caller at a time and waits for the next
//! when it leaves. While no peer is connected queued access units are dropped (counted); a new
//! connection, and the stream after any drop, start at the next keyframe.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use srt_tokio::options::{DataRate, LiveBandwidthMode};
use srt_tokio::{SocketStatistics, SrtSocket};

use crate::net::config::{Mode, SrtSettings};
use crate::net::sink_shared::{RateMeter, SinkShared, stat};
use crate::net::ts_mux::{TS_PACKET_BYTES, TsMuxer};

/// TS packets per SRT message (the 1316-byte payload every SRT implementation uses for TS).
pub const TS_PACKETS_PER_MESSAGE: usize = 7;
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const SEND_TIMEOUT: Duration = Duration::from_secs(1);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

fn builder(settings: &SrtSettings) -> srt_tokio::SrtSocketBuilder {
    let idle = settings.idle_timeout;
    // Paced at most at 1 Gbit/s, libsrt's live-mode default (srt-tokio's default sends each
    // burst, e.g. a keyframe, as fast as the socket takes it).
    let mut b = SrtSocket::builder()
        .latency(settings.latency)
        .bandwidth(LiveBandwidthMode::Max(DataRate(1_000_000_000 / 8)))
        .set(|o| o.session.peer_idle_timeout = idle);
    if let Some(passphrase) = &settings.passphrase {
        b = b.encryption(settings.key_size, passphrase.clone());
    }
    b
}

/// Connects (caller) or waits for a caller (listener).
pub(crate) async fn open(settings: &SrtSettings) -> std::io::Result<SrtSocket> {
    match settings.mode {
        Mode::Caller => {
            let call = builder(settings).call(settings.address, settings.stream_id.as_deref());
            match tokio::time::timeout(CONNECT_TIMEOUT, call).await {
                Ok(result) => result,
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "SRT connect timed out",
                )),
            }
        }
        Mode::Listener => builder(settings).listen_on(settings.address).await,
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

async fn sender(shared: &SinkShared, settings: &SrtSettings) {
    let mut backoff = MIN_BACKOFF;
    while !shared.stopping() {
        let connect = open(settings);
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
                session(shared, socket, settings.latency).await;
                shared.set(stat::CONNECTED, 0);
                shared.set(stat::BITRATE, 0);
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

    fn update(&self, shared: &SinkShared, s: &SocketStatistics) {
        let now = [s.tx_data, s.tx_loss_data, s.tx_retransmit_data, s.rx_nak];
        for ((key, base), value) in Self::KEYS.iter().zip(self.base).zip(now) {
            shared.set(*key, base + value);
        }
    }
}

async fn session(shared: &SinkShared, mut socket: SrtSocket, latency: Duration) {
    let mut statistics = socket.statistics().clone();
    let counters = SessionCounters::new(shared);
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut mux = TsMuxer::new();
    let mut waiting_for_keyframe = true;
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut statistics_open = true;
    loop {
        tokio::select! {
            _ = shared.wake.notified() => {}
            incoming = socket.next() => match incoming {
                Some(Ok(_)) => {} // a receiver sends nothing we use
                _ => return,
            },
            s = statistics.next(), if statistics_open => match s {
                Some(s) => counters.update(shared, &s),
                None => statistics_open = false,
            },
            _ = tick.tick() => meter.tick(shared),
        }
        let stopping = shared.stopping();
        while let Some(item) = shared.pop() {
            waiting_for_keyframe |= shared.take_overflow();
            if waiting_for_keyframe && !item.keyframe {
                shared.add(stat::FRAMES_DROPPED, 1);
                continue;
            }
            waiting_for_keyframe = false;
            buffer.clear();
            if mux
                .write_access_unit(&item.data, item.timestamp_ns, item.keyframe, &mut buffer)
                .is_err()
            {
                shared.add(stat::FRAMES_DROPPED, 1);
                continue;
            }
            for message in buffer.chunks(TS_PACKETS_PER_MESSAGE * TS_PACKET_BYTES) {
                let data = bytes::Bytes::copy_from_slice(message);
                match tokio::time::timeout(SEND_TIMEOUT, socket.send((Instant::now(), data))).await
                {
                    Ok(Ok(())) => shared.add(stat::BYTES_SENT, message.len() as u64),
                    _ => return,
                }
            }
            shared.add(stat::FRAMES_SENT, 1);
        }
        if stopping {
            // What was queued before the stop is sent. The receiver delivers a packet one
            // latency after it was sent and drops what it still holds when the connection
            // closes, so the close waits that long (plus a margin) first; then it waits for the
            // SRT task's end (at most CLOSE_TIMEOUT).
            tokio::time::sleep(latency + latency / 4 + Duration::from_millis(20)).await;
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.close_and_finish()).await;
            return;
        }
    }
}
