//! An SRT receiver of MPEG-TS: demuxes H.264 access units and Opus packets (a TS's first Opus
//! stream; an Opus PES with a bad control header counts as a peer error) with [`TsDemuxer`] into a
//! [`SinkShared`] queue the graph polls (oldest dropped, counted, when the graph does not read),
//! on its own thread running a tokio current-thread runtime. Caller mode reconnects with backoff;
//! listener mode takes the next caller when one leaves. Counters use the sink's indices with
//! "sent" read as "received".

use std::sync::Arc;
use std::time::Duration;

use crate::net::config::SrtSettings;
use crate::net::sink_shared::{AccessUnitItem, RateMeter, SinkShared, stat};
use crate::net::srt_guard::contained;
use crate::net::srt_link::SrtLink;
use crate::net::srt_sink::{idle, open, set_rtt};
use crate::net::ts_demux::TsDemuxer;

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Runs the receiver until `shared` is stopped.
pub fn run(shared: Arc<SinkShared>, settings: SrtSettings) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return,
    };
    runtime.block_on(receiver(&shared, &settings));
}

async fn receiver(shared: &Arc<SinkShared>, settings: &SrtSettings) {
    let mut backoff = MIN_BACKOFF;
    while !shared.stopping() {
        let connect = open(settings, shared);
        tokio::pin!(connect);
        let result = loop {
            tokio::select! {
                r = &mut connect => break Some(r),
                _ = shared.wake.notified() => if shared.stopping() { break None; },
            }
        };
        match result {
            None => return,
            Some(Ok(socket)) => {
                backoff = MIN_BACKOFF;
                shared.add(stat::CONNECTIONS, 1);
                shared.set(stat::CONNECTED, 1);
                session(shared, socket).await;
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

async fn session(shared: &SinkShared, mut socket: SrtLink) {
    let mut statistics = socket.stats();
    let keys = [
        stat::PACKETS_SENT,
        stat::PACKETS_LOST,
        stat::PACKETS_RETRANSMITTED,
        stat::NAKS,
    ];
    let base = keys.map(|k| shared.get(k));
    let mut meter = RateMeter::new(shared.get(stat::BYTES_SENT));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut demux = TsDemuxer::new();
    let mut bad_opus = 0;
    let mut statistics_open = true;
    // Each session is a new stream: it starts at a keyframe (a decoder or a recording cannot
    // start elsewhere), and so does the stream again after the demuxer started over.
    let mut gate = KeyframeGate::default();
    loop {
        tokio::select! {
            _ = shared.wake.notified() => if shared.stopping() {
                let _ = tokio::time::timeout(Duration::from_millis(500), socket.close_and_finish()).await;
                return;
            },
            incoming = socket.recv() => match incoming {
                Some(data) => {
                    shared.add(stat::BYTES_SENT, data.len() as u64);
                    // The TS parser (mpeg2ts) reads the peer's bytes: should it panic, the
                    // message is dropped and the demuxer starts over at the next PAT.
                    let Ok(units) = contained(|| demux.push(&data)) else {
                        shared.add(stat::PEER_ERRORS, 1);
                        demux = TsDemuxer::new();
                        bad_opus = 0;
                        gate.waiting = true;
                        continue;
                    };
                    for unit in units {
                        gate.pass(shared, unit);
                    }
                    // An Opus PES the demuxer refused is the peer's error, as a bad packet is.
                    shared.add(stat::PEER_ERRORS, demux.bad_opus - bad_opus);
                    bad_opus = demux.bad_opus;
                }
                _ => {
                    for unit in demux.finish() {
                        gate.pass(shared, unit);
                    }
                    return;
                }
            },
            changed = statistics.changed(), if statistics_open => match changed {
                Ok(()) => {
                    let link = statistics.borrow_and_update().clone();
                    let s = &link.socket;
                    let now = [s.rx_data, s.rx_loss_data, s.rx_retransmit_data, s.tx_nak];
                    for ((key, base), value) in keys.iter().zip(base).zip(now) {
                        shared.set(*key, base + value);
                    }
                    set_rtt(shared, &link);
                }
                Err(_) => statistics_open = false,
            },
            _ = tick.tick() => meter.tick(shared),
        }
    }
}

/// Lets a session's access units into the queue from a keyframe on: those before it (audio
/// too) are dropped (counted), and the first one through is marked as a new stream's. Shared
/// with the RTSP source (`rtsp_source.rs`).
pub(crate) struct KeyframeGate {
    /// Waiting for a keyframe.
    pub(crate) waiting: bool,
    /// No access unit of this session has gone through yet.
    first: bool,
}

impl Default for KeyframeGate {
    fn default() -> Self {
        Self {
            waiting: true,
            first: true,
        }
    }
}

impl KeyframeGate {
    /// Queues `unit` for the graph, or drops it while waiting for a keyframe.
    pub(crate) fn pass(&mut self, shared: &SinkShared, mut unit: AccessUnitItem) {
        if self.waiting && !unit.keyframe {
            shared.add(stat::FRAMES_DROPPED, 1);
            return;
        }
        self.waiting = false;
        unit.new_stream = std::mem::take(&mut self.first);
        shared.push(unit);
        shared.add(stat::FRAMES_SENT, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(keyframe: bool) -> AccessUnitItem {
        AccessUnitItem {
            data: vec![0; 4],
            timestamp_ns: 0,
            keyframe,
            new_stream: false,
            audio: false,
            h265: false,
            aac: false,
            audio_config: None,
        }
    }

    #[test]
    fn a_session_starts_at_its_first_keyframe_marked_as_a_new_stream() {
        let shared = SinkShared::new(8);
        let mut gate = KeyframeGate::default();
        for keyframe in [false, false, true, false, true] {
            gate.pass(&shared, unit(keyframe));
        }
        let got: Vec<(bool, bool)> = std::iter::from_fn(|| shared.pop())
            .map(|u| (u.keyframe, u.new_stream))
            .collect();
        assert_eq!(got, [(true, true), (false, false), (true, false)]);
        assert_eq!(shared.get(stat::FRAMES_DROPPED), 2);
        assert_eq!(shared.get(stat::FRAMES_SENT), 3);
    }

    #[test]
    fn after_a_restart_of_the_demuxer_it_waits_again_but_is_the_same_stream() {
        let shared = SinkShared::new(8);
        let mut gate = KeyframeGate::default();
        gate.pass(&shared, unit(true));
        gate.waiting = true;
        gate.pass(&shared, unit(false));
        gate.pass(&shared, unit(true));
        let got: Vec<bool> = std::iter::from_fn(|| shared.pop())
            .map(|u| u.new_stream)
            .collect();
        assert_eq!(got, [true, false]);
    }
}
