//! The kernel's smoothed round-trip time of a TCP connection (Linux `TCP_INFO`'s `tcpi_rtt`),
//! for connection statistics of TCP transports (RTMP). `None` where the platform has no such
//! query here, or before the kernel has measured one.

#[cfg(target_os = "linux")]
use std::os::fd::AsRawFd;
use std::time::Duration;

/// The connection's smoothed RTT as the kernel measured it from its ACKs.
#[cfg(target_os = "linux")]
pub fn tcp_rtt(socket: &impl AsRawFd) -> Option<Duration> {
    // SAFETY: `tcp_info` is plain data (integers only), so all-zero bytes are a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the fd is a live socket borrowed from `socket` for this call; `info` and `len` are
    // valid for writes of `len` bytes, which is the size of `info`, and the kernel writes at most
    // that many (it reports how many in `len`).
    let r = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    (r == 0 && info.tcpi_rtt > 0).then(|| Duration::from_micros(u64::from(info.tcpi_rtt)))
}

/// The connection's smoothed RTT: not queried on this platform.
#[cfg(not(target_os = "linux"))]
pub fn tcp_rtt<T>(_socket: &T) -> Option<Duration> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::tcp_rtt;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream, UdpSocket};
    use std::time::Duration;

    #[test]
    fn a_loopback_connection_has_a_measured_rtt_after_an_exchange() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let mut byte = [0u8; 1];
        for _ in 0..10 {
            client.write_all(b"x").unwrap();
            server.read_exact(&mut byte).unwrap();
            server.write_all(b"y").unwrap();
            client.read_exact(&mut byte).unwrap();
        }
        let rtt = tcp_rtt(&client).expect("the kernel measured an RTT");
        assert!(
            rtt > Duration::ZERO && rtt < Duration::from_secs(1),
            "{rtt:?}"
        );
    }

    #[test]
    fn a_socket_that_is_not_tcp_has_none() {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(tcp_rtt(&udp), None);
    }
}
