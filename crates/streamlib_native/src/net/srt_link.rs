//! One SRT connection, driven by our own task over `srt-protocol`'s sans-IO handshake
//! ([`Connect`], [`Listen`]) and [`DuplexConnection`] — the loop `srt-tokio`'s `SrtSocket` runs,
//! with one addition: it reads the round-trip time from the full ACKs that cross it, which
//! `srt-tokio`'s statistics never fill in (decision 0017).
//!
//! SRT's receiver measures the RTT (ACK → ACKACK) and carries its smoothed value in every full
//! ACK it sends, so a sender reads it from the ACKs it receives (the peer's measure) and a
//! receiver from the ACKs it sends (its own). The handshake, the options and the data path are
//! `srt-protocol`'s; data goes in and out through bounded channels as with `SrtSocket`.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use srt_protocol::connection::{Connection, DuplexConnection};
use srt_protocol::options::{
    CallerOptions, DataRate, ListenerOptions, LiveBandwidthMode, SocketOptions, Validation,
};
use srt_protocol::packet::{
    ControlTypes, Packet, ReceivePacketError, ReceivePacketResult, SeqNumber, ShakeType, TimeStamp,
};
use srt_protocol::protocol::pending_connection::ConnectionResult;
use srt_protocol::protocol::pending_connection::connect::Connect;
use srt_protocol::protocol::pending_connection::listen::Listen;
use srt_protocol::settings::ConnInitSettings;
use srt_protocol::statistics::SocketStatistics;
use srt_tokio::bind_socket;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::net::config::{Mode, SrtSettings};
use crate::net::sink_shared::{SinkShared, stat};
use crate::net::srt_guard::{contained, parse_datagram, vet_conclusion};

/// Data messages either channel holds (as `SrtSocket`'s).
const CHANNEL: usize = 128;
/// How often a caller repeats its handshake (as `srt-tokio`).
const HANDSHAKE_TICK: Duration = Duration::from_millis(100);
/// The largest datagram read.
const DATAGRAM: usize = 65_536;

/// What the connection's task reports about once a second.
#[derive(Clone, Debug, Default)]
pub struct LinkStats {
    /// `srt-protocol`'s counters.
    pub socket: SocketStatistics,
    /// The smoothed round-trip time from the last full ACK, once one crossed.
    pub rtt: Option<Duration>,
}

/// A connected SRT socket: send or receive messages, read its stats, close it.
#[derive(Debug)]
pub struct SrtLink {
    input: Option<mpsc::Sender<(Instant, Bytes)>>,
    output: mpsc::Receiver<(Instant, Bytes)>,
    stats: watch::Receiver<LinkStats>,
    task: JoinHandle<()>,
}

fn options(settings: &SrtSettings) -> io::Result<SocketOptions> {
    let mut o = SocketOptions::default();
    o.sender.peer_latency = settings.latency;
    o.receiver.latency = settings.latency;
    // Paced at most at 1 Gbit/s, libsrt's live-mode default (`srt-tokio`'s default sends each
    // burst, e.g. a keyframe, as fast as the socket takes it).
    o.sender.bandwidth = LiveBandwidthMode::Max(DataRate(1_000_000_000 / 8));
    o.session.peer_idle_timeout = settings.idle_timeout;
    if let Some(passphrase) = &settings.passphrase {
        let invalid = |e| io::Error::new(io::ErrorKind::InvalidInput, format!("{e:?}"));
        o.encryption.key_size = settings.key_size.try_into().map_err(invalid)?;
        o.encryption.passphrase = Some(passphrase.clone().try_into().map_err(invalid)?);
    }
    Ok(o)
}

async fn receive(socket: &UdpSocket, buf: &mut BytesMut) -> ReceivePacketResult {
    buf.clear();
    buf.reserve(DATAGRAM);
    let (_, from) = socket.recv_buf_from(buf).await?;
    let packet = parse_datagram(&buf[..], from.is_ipv6())?;
    Ok((packet, from))
}

async fn send(socket: &UdpSocket, buf: &mut BytesMut, (packet, to): (Packet, SocketAddr)) {
    buf.clear();
    packet.serialize(buf);
    // A lost datagram is SRT's to recover (retransmission, or the peer's idle timeout).
    let _ = socket.send_to(buf, to).await;
}

fn random_seq() -> SeqNumber {
    use std::hash::{BuildHasher, Hasher};
    // RandomState's keys are random; the time only adds to them.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    h.write_u128(now.map_or(0, |d| d.as_nanos()));
    SeqNumber::new_truncate(h.finish() as u32)
}

/// Connects (caller, bounded by the caller options' 3 s timeout) or waits for a caller
/// (listener), then starts the connection's task on the current tokio runtime.
///
/// What the network sends never panics this: a datagram that does not parse is dropped, and a
/// handshake `srt-protocol` cannot handle (it panics on some, see [`crate::net::srt_guard`])
/// ends a caller's attempt with an error and makes a listener start over, waiting for the next
/// caller; each is counted in `shared`'s [`stat::PEER_ERRORS`].
///
/// # Errors
///
/// The socket cannot be bound, the options are refused, the peer rejected the handshake or
/// sent one that could not be handled, or (caller) no answer came in time.
pub async fn open(settings: &SrtSettings, shared: &Arc<SinkShared>) -> io::Result<SrtLink> {
    let socket_options = options(settings)?;
    let mut buf = BytesMut::with_capacity(DATAGRAM);
    let (socket, connection) = match settings.mode {
        Mode::Caller => {
            let caller = CallerOptions::with(
                settings.address,
                settings.stream_id.as_deref(),
                socket_options,
            )?;
            // Any local port, UDP buffers as srt-tokio sizes them.
            let socket = bind_socket(&caller.socket).await?;
            let timeout = caller.socket.connect.timeout;
            let mut connect = Connect::new(
                settings.address,
                caller.socket.connect.local.ip(),
                caller.socket.clone().into(),
                caller.stream_id.as_ref().map(ToString::to_string),
                random_seq(),
            );
            let mut tick = tokio::time::interval(HANDSHAKE_TICK);
            let deadline = tokio::time::Instant::now() + timeout;
            // When the first conclusion went out: the connection's time base (see
            // `stamp_conclusion`).
            let mut conclusion_at = None;
            let connection = loop {
                let result = tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => {
                        return Err(io::Error::new(io::ErrorKind::TimedOut, "SRT connect timed out"));
                    }
                    now = tick.tick() => connect.handle_tick(now.into()),
                    packet = receive(&socket, &mut buf) => {
                        count_parse_error(shared, &packet);
                        contained(|| connect.handle_packet(packet, Instant::now()))
                            .map_err(|panic| {
                                shared.add(stat::PEER_ERRORS, 1);
                                io::Error::new(
                                    io::ErrorKind::InvalidData,
                                    format!("SRT handshake from the listener could not be handled: {panic}"),
                                )
                            })?
                    }
                };
                let result = stamp_conclusion(result, &mut conclusion_at);
                if let Some(connection) = handshake_step(&socket, &mut buf, result, true).await? {
                    break connection;
                }
            };
            (socket, connection)
        }
        Mode::Listener => {
            let mut socket_options = socket_options;
            socket_options.connect.local = settings.address;
            let listener = ListenerOptions {
                socket: socket_options,
            }
            .try_validate()?;
            let socket = bind_socket(&listener.socket).await?;
            let init: ConnInitSettings = listener.socket.clone().into();
            let mut listen = Listen::new(init.clone(), false);
            let ours = init.key_settings.as_ref().map(|k| k.key_size);
            let connection = loop {
                let mut packet = receive(&socket, &mut buf).await;
                count_parse_error(shared, &packet);
                if let Ok((p, from)) = &mut packet {
                    if is_induction(p) {
                        // Every induction starts a handshake afresh: srt-protocol's listener
                        // otherwise waits for the conclusion of whoever sent the last one,
                        // refusing every other caller (one stray datagram was enough).
                        listen = Listen::new(init.clone(), false);
                    }
                    if let Some(rejection) = vet_conclusion(p, ours, init.local_sockid) {
                        shared.add(stat::PEER_ERRORS, 1);
                        send(&socket, &mut buf, (rejection, *from)).await;
                        listen = Listen::new(init.clone(), false);
                        continue;
                    }
                }
                let Ok(result) = contained(|| listen.handle_packet(Instant::now(), packet)) else {
                    // A handshake srt-protocol could not handle: its state may be half
                    // changed, so start over and wait for the next caller.
                    shared.add(stat::PEER_ERRORS, 1);
                    listen = Listen::new(init.clone(), false);
                    continue;
                };
                let result = stamp_conclusion_response(result);
                if let Some(connection) = handshake_step(&socket, &mut buf, result, false).await? {
                    break connection;
                }
            };
            (socket, connection)
        }
    };
    let (input, input_rx) = mpsc::channel(CHANNEL);
    let (output_tx, output) = mpsc::channel(CHANNEL);
    let (stats_tx, stats) = watch::channel(LinkStats::default());
    let peer = Peer {
        address: connection.settings.remote,
        idle_timeout: settings.idle_timeout,
    };
    let task = tokio::spawn(run(
        Arc::new(socket),
        DuplexConnection::new(connection),
        peer,
        input_rx,
        output_tx,
        stats_tx,
        shared.clone(),
    ));
    Ok(SrtLink {
        input: Some(input),
        output,
        stats,
        task,
    })
}

/// Sends what a handshake step asks; returns the connection once made. A caller gives up on a
/// rejection; a listener ignores it and waits for the next caller.
async fn handshake_step(
    socket: &UdpSocket,
    buf: &mut BytesMut,
    result: ConnectionResult,
    caller: bool,
) -> io::Result<Option<Connection>> {
    match result {
        ConnectionResult::SendPacket(packet) => send(socket, buf, packet).await,
        ConnectionResult::Reject(packet, reason) => {
            if let Some(packet) = packet {
                send(socket, buf, packet).await;
            }
            if caller {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    reason.to_string(),
                ));
            }
        }
        ConnectionResult::Connected(packet, connection) => {
            if let Some(packet) = packet {
                send(socket, buf, packet).await;
            }
            return Ok(Some(connection));
        }
        ConnectionResult::Failure(error) => return Err(error),
        ConnectionResult::NotHandled(_)
        | ConnectionResult::NoAction
        | ConnectionResult::RequestAccess(_) => {}
    }
    Ok(None)
}

/// The time since `start` as an SRT timestamp (microseconds, wrapping as SRT's do).
fn since(start: Instant) -> TimeStamp {
    TimeStamp::from_micros(Instant::now().saturating_duration_since(start).as_micros() as u32)
}

/// Sets the timestamp of a handshake packet; other packets are left as they are.
fn stamp_handshake(packet: &mut Packet, timestamp: TimeStamp) {
    if let Packet::Control(control) = packet
        && matches!(control.control_type, ControlTypes::Handshake(_))
    {
        control.timestamp = timestamp;
    }
}

/// A caller's conclusion carries the time since its connection's time base, as libsrt's do.
///
/// The receiver's TSBPD takes the sender's start time from it (libsrt: the conclusion's arrival
/// minus its timestamp) and delivers each packet one latency after that start plus the packet's
/// timestamp. srt-protocol echoes the listener's induction timestamp instead, the time since the
/// *listener's* socket opened: a libsrt listener open for a while then delivered every packet
/// that much early (at once, once that exceeded the latency), so no retransmission arrived in
/// time. Our time base (srt-protocol's `socket_start_time` for a caller) is the moment the
/// induction response was handled, which is when the first conclusion goes out.
fn stamp_conclusion(
    result: ConnectionResult,
    first_sent: &mut Option<Instant>,
) -> ConnectionResult {
    match result {
        ConnectionResult::SendPacket((mut packet, to))
            if is_shake(&packet, ShakeType::Conclusion) =>
        {
            let start = *first_sent.get_or_insert_with(Instant::now);
            stamp_handshake(&mut packet, since(start));
            ConnectionResult::SendPacket((packet, to))
        }
        other => other,
    }
}

/// A listener's conclusion response carries the time since its connection's time base, for the
/// same reason as [`stamp_conclusion`]: srt-protocol echoes the caller's conclusion timestamp,
/// which made a libsrt caller (as receiver) deliver every packet early by the time its socket
/// had been open.
fn stamp_conclusion_response(result: ConnectionResult) -> ConnectionResult {
    match result {
        ConnectionResult::Connected(Some((mut packet, to)), connection) => {
            stamp_handshake(&mut packet, since(connection.settings.socket_start_time));
            ConnectionResult::Connected(Some((packet, to)), connection)
        }
        other => other,
    }
}

/// Whether `packet` is a handshake of type `shake_type`.
fn is_shake(packet: &Packet, shake_type: ShakeType) -> bool {
    matches!(packet, Packet::Control(control)
        if matches!(&control.control_type, ControlTypes::Handshake(shake)
            if shake.shake_type == shake_type))
}

/// Whether `packet` is an induction handshake, the first of a caller's.
fn is_induction(packet: &Packet) -> bool {
    is_shake(packet, ShakeType::Induction)
}

/// Counts a datagram that did not parse (dropped) in [`stat::PEER_ERRORS`].
fn count_parse_error(shared: &SinkShared, packet: &ReceivePacketResult) {
    if matches!(packet, Err(ReceivePacketError::Parse(_))) {
        shared.add(stat::PEER_ERRORS, 1);
    }
}

/// The RTT a full ACK carries (negative values, which only a broken peer sends, are ignored).
fn ack_rtt(packet: &Packet) -> Option<Duration> {
    let Packet::Control(control) = packet else {
        return None;
    };
    let ControlTypes::Ack(ack) = &control.control_type else {
        return None;
    };
    let micros = ack.rtt()?.mean().as_micros();
    u64::try_from(micros).ok().map(Duration::from_micros)
}

/// The connected peer, as the loop watches it.
struct Peer {
    /// Its address: only its datagrams count as hearing from it.
    address: SocketAddr,
    /// Silence after which it counts as gone (`idleTimeoutMs`).
    idle_timeout: Duration,
}

/// The connection's loop (as `srt-tokio`'s `run_handler_loop`): packets out, data out, timers,
/// then the next packet in, data in or timer; the RTT is taken from full ACKs either way. A
/// packet `srt-protocol` panics on ends the loop (counted in [`stat::PEER_ERRORS`]). So does
/// `idle_timeout` of silence from the peer: srt-protocol's own peer-idle timer also waits for 16
/// expiry periods (at least 5 s, as libsrt), whatever the setting, so a vanished peer was noticed
/// after 5.4 to 6.4 s whether `idleTimeoutMs` was 1,000 or 6,000. A live peer sends at least a
/// keep-alive every second.
async fn run(
    socket: Arc<UdpSocket>,
    mut connection: DuplexConnection,
    peer: Peer,
    mut input: mpsc::Receiver<(Instant, Bytes)>,
    output: mpsc::Sender<(Instant, Bytes)>,
    stats: watch::Sender<LinkStats>,
    shared: Arc<SinkShared>,
) {
    let mut out_buf = BytesMut::with_capacity(DATAGRAM);
    let mut in_buf = BytesMut::with_capacity(DATAGRAM);
    let mut rtt = None;
    let mut input_open = true;
    let mut heard = Instant::now();
    while connection.is_open() {
        if connection.should_update_statistics(Instant::now()) {
            let socket = connection.statistics().clone();
            stats.send_replace(LinkStats { socket, rtt });
        }
        let timeout = loop {
            while let Some(packet) = connection.next_packet(Instant::now()) {
                rtt = ack_rtt(&packet.0).or(rtt);
                send(&socket, &mut out_buf, packet).await;
            }
            while let Some(data) = connection.next_data(Instant::now()) {
                // Waits while the reader is behind (as SrtSocket); a reader that went away (the
                // session ended) takes nothing more.
                if !output.is_closed() {
                    let _ = output.send(data).await;
                }
            }
            // What the timers queue (ACK, NAK, keep-alive) goes out now, not at the next
            // wake-up: srt-tokio's loop sends it only then, which delays a receiver's ACKs by
            // up to a timer period and inflates the RTT both ends measure (8 ms on loopback).
            let timeout = connection.check_timers(Instant::now());
            match connection.next_packet(Instant::now()) {
                None => break timeout,
                Some(packet) => {
                    rtt = ack_rtt(&packet.0).or(rtt);
                    send(&socket, &mut out_buf, packet).await;
                }
            }
        };
        let silent_at = heard + peer.idle_timeout;
        tokio::select! {
            _ = tokio::time::sleep_until(timeout.into()) => {}
            _ = tokio::time::sleep_until(silent_at.into()) => {
                if Instant::now() >= silent_at {
                    break; // the peer is gone: the session ends, the next one may start
                }
            }
            packet = receive(&socket, &mut in_buf) => {
                if let Ok((p, from)) = &packet {
                    rtt = ack_rtt(p).or(rtt);
                    if *from == peer.address {
                        heard = Instant::now();
                    }
                }
                count_parse_error(&shared, &packet);
                if !matches!(&packet, Err(ReceivePacketError::Parse(_)))
                    && contained(|| connection.handle_packet_input(Instant::now(), packet)).is_err()
                {
                    // srt-protocol panicked on the peer's packet: the connection's state is
                    // unknown, so the session ends (the peer's next attempt starts afresh).
                    shared.add(stat::PEER_ERRORS, 1);
                    break;
                }
            }
            data = input.recv(), if input_open => {
                input_open = data.is_some();
                connection.handle_data_input(Instant::now(), data);
            }
        }
    }
    let socket_stats = connection.statistics().clone();
    stats.send_replace(LinkStats {
        socket: socket_stats,
        rtt,
    });
}

impl SrtLink {
    /// Queues one message (at most 1316 bytes for TS); waits while the channel is full.
    ///
    /// # Errors
    ///
    /// The connection has closed.
    pub async fn send(&mut self, data: Bytes) -> io::Result<()> {
        let closed = || io::Error::new(io::ErrorKind::NotConnected, "SRT connection closed");
        let input = self.input.as_ref().ok_or_else(closed)?;
        input
            .send((Instant::now(), data))
            .await
            .map_err(|_| closed())
    }

    /// The next message received; `None` once the connection has closed.
    pub async fn recv(&mut self) -> Option<Bytes> {
        self.output.recv().await.map(|(_, data)| data)
    }

    /// Stats, updated about once a second.
    pub fn stats(&self) -> watch::Receiver<LinkStats> {
        self.stats.clone()
    }

    /// Closes the connection (what was queued is sent first) and waits for its task to end.
    pub async fn close_and_finish(&mut self) {
        self.input = None;
        let _ = (&mut self.task).await;
    }
}

impl Drop for SrtLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use srt_protocol::packet::{
        AckStatistics, Acknowledgement, ControlPacket, FullAckSeqNumber, SocketId, TimeSpan,
        TimeStamp,
    };
    use srt_protocol::protocol::time::Rtt;

    fn ack(rtt_micros: i32, full: bool) -> Packet {
        let seq = SeqNumber::new_truncate(7);
        let stats = AckStatistics {
            rtt: Rtt::new(TimeSpan::from_micros(rtt_micros), TimeSpan::from_micros(10)),
            buffer_available: 8_192,
            packet_receive_rate: None,
            estimated_link_capacity: None,
            data_receive_rate: None,
        };
        let ack = if full {
            Acknowledgement::Full(seq, stats, FullAckSeqNumber::INITIAL)
        } else {
            Acknowledgement::Lite(seq)
        };
        Packet::Control(ControlPacket {
            timestamp: TimeStamp::MIN,
            dest_sockid: SocketId(1),
            control_type: ControlTypes::Ack(ack),
        })
    }

    #[test]
    fn ack_rtt_reads_full_acks_only() {
        assert_eq!(ack_rtt(&ack(350, true)), Some(Duration::from_micros(350)));
        assert_eq!(ack_rtt(&ack(350, false)), None);
        let keep_alive = Packet::Control(ControlPacket {
            timestamp: TimeStamp::MIN,
            dest_sockid: SocketId(1),
            control_type: ControlTypes::KeepAlive,
        });
        assert_eq!(ack_rtt(&keep_alive), None);
    }

    #[test]
    fn ack_rtt_ignores_a_negative_rtt() {
        assert_eq!(ack_rtt(&ack(-5, true)), None);
    }

    fn handshake(shake_type: ShakeType, timestamp: u32) -> Packet {
        use srt_protocol::packet::{HandshakeControlInfo, HandshakeVsInfo, SocketType};
        Packet::Control(ControlPacket {
            timestamp: TimeStamp::from_micros(timestamp),
            dest_sockid: SocketId(0),
            control_type: ControlTypes::Handshake(HandshakeControlInfo {
                init_seq_num: SeqNumber::new_truncate(1),
                max_packet_size: srt_protocol::options::PacketSize(1500),
                max_flow_size: srt_protocol::options::PacketCount(8192),
                shake_type,
                socket_id: SocketId(5),
                syn_cookie: 0,
                peer_addr: std::net::Ipv4Addr::LOCALHOST.into(),
                info: HandshakeVsInfo::V4(SocketType::Datagram),
            }),
        })
    }

    fn timestamp_of(result: &ConnectionResult) -> u32 {
        let ConnectionResult::SendPacket((Packet::Control(control), _)) = result else {
            panic!("not a control packet to send: {result:?}");
        };
        control.timestamp.as_micros()
    }

    #[test]
    fn a_callers_conclusion_carries_its_own_time_not_the_listeners() {
        // The listener's induction answer said its socket was open for 414 ms; the conclusion
        // echoed that, and libsrt then delivered every packet 414 ms early.
        let to: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let mut first = None;
        let conclusion = |first: &mut Option<Instant>| {
            let sent =
                ConnectionResult::SendPacket((handshake(ShakeType::Conclusion, 414_000), to));
            timestamp_of(&stamp_conclusion(sent, first))
        };
        assert!(conclusion(&mut first) < 50_000);
        let start = first.expect("the first conclusion sets the time base");
        std::thread::sleep(Duration::from_millis(20));
        let again = conclusion(&mut first);
        assert_eq!(first, Some(start));
        assert!(
            (20_000..200_000).contains(&again),
            "a resent conclusion: {again} us"
        );
        // Other handshakes are left as they are.
        let induction = ConnectionResult::SendPacket((handshake(ShakeType::Induction, 7), to));
        assert_eq!(timestamp_of(&stamp_conclusion(induction, &mut first)), 7);
    }

    #[test]
    fn random_seq_differs_between_calls() {
        let seqs: std::collections::HashSet<u32> = (0..8).map(|_| random_seq().as_raw()).collect();
        assert!(seqs.len() > 1);
    }
}
