//! Screen capture from an X11 display (a real one or Xvfb), with the pure-Rust X protocol client
//! `x11rb`: one `GetImage` of the root window per frame, paced to the requested frame rate on
//! absolute deadlines, converted natively from the server's BGRX to BGRA, RGBA or I420 straight
//! into a frame-pool slot.
//!
//! Only 24- and 32-bit TrueColor screens with 32 bits per pixel, least significant byte first
//! (every X server on x86 and ARM today), are taken; anything else is refused with
//! `SL_ERR_UNSUPPORTED`.
//!
//! Every wait on the server has a deadline: [`X11_CONNECT_TIMEOUT`] for the TCP connect and the
//! connection setup, [`X11_REPLY_TIMEOUT`] for each reply after. A server that accepts and never
//! answers fails `open` (called on the JS thread) with a device error instead of hanging it, and a
//! server that stops answering mid-capture stops the capture thread the same way.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, ImageOrder, Window};
use x11rb::reexports::x11rb_protocol::parse_display::{ConnectAddress, parse_display};
use x11rb::reexports::x11rb_protocol::xauth::{Family, get_auth};
use x11rb::rust_connection::{DefaultStream, PollMode, RustConnection, Stream};
use x11rb::utils::RawFdContainer;

use crate::error_text::ErrorText;
use crate::media::capture::{
    CaptureSettings, CaptureSink, DeviceInfo, DeviceMode, FrameSource, monotonic_now_ns,
};
use crate::media::color_convert::bgrx_to;
use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

/// Frames per second when the settings leave it at 0.
pub const DEFAULT_FPS: f64 = 30.0;

/// How long an X server gets for the TCP connect and for the connection setup (a local server
/// answers in microseconds; this bounds how long `open` can hold the JS thread).
pub const X11_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long an X server gets for each reply once connected (a `GetImage` of a whole screen).
pub const X11_REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// The X connection's socket, with a deadline on every wait: x11rb's own stream polls without
/// one, so a server that accepts and never answers would block the caller for good.
struct TimedStream {
    stream: DefaultStream,
    /// Milliseconds each wait may take: [`X11_CONNECT_TIMEOUT`] until the setup is done, then
    /// [`X11_REPLY_TIMEOUT`].
    timeout_ms: std::sync::atomic::AtomicU64,
}

impl TimedStream {
    fn new(stream: DefaultStream) -> Self {
        Self {
            stream,
            timeout_ms: std::sync::atomic::AtomicU64::new(millis(X11_CONNECT_TIMEOUT)),
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Stream for TimedStream {
    fn poll(&self, mode: PollMode) -> io::Result<()> {
        let mut events = 0;
        if mode.readable() {
            events |= libc::POLLIN;
        }
        if mode.writable() {
            events |= libc::POLLOUT;
        }
        let mut fd = libc::pollfd {
            fd: self.stream.as_raw_fd(),
            events,
            revents: 0,
        };
        let timeout = Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed));
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
            // SAFETY: `fd` is one initialized pollfd that outlives the call, and nfds is 1.
            let ready = unsafe { libc::poll(&mut fd, 1, ms) };
            if ready > 0 {
                return Ok(());
            }
            if ready == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the X server did not answer within {} ms",
                        timeout.as_millis()
                    ),
                ));
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    }

    fn read(&self, buf: &mut [u8], fd_storage: &mut Vec<RawFdContainer>) -> io::Result<usize> {
        self.stream.read(buf, fd_storage)
    }

    fn write(&self, buf: &[u8], fds: &mut Vec<RawFdContainer>) -> io::Result<usize> {
        self.stream.write(buf, fds)
    }

    fn write_vectored(
        &self,
        bufs: &[io::IoSlice<'_>],
        fds: &mut Vec<RawFdContainer>,
    ) -> io::Result<usize> {
        self.stream.write_vectored(bufs, fds)
    }
}

type X11Connection = RustConnection<TimedStream>;

/// An open X11 screen region to capture.
pub struct X11Screen {
    connection: X11Connection,
    root: Window,
    x: i16,
    y: i16,
    width: u16,
    height: u16,
    format: PixelFormat,
    period: Duration,
    next: Instant,
}

fn display_label(display: &str) -> String {
    if display.is_empty() {
        std::env::var("DISPLAY").unwrap_or_else(|_| "$DISPLAY (unset)".to_owned())
    } else {
        display.to_owned()
    }
}

/// Opens the socket of one address the display names, the TCP connect bounded by
/// [`X11_CONNECT_TIMEOUT`].
fn open_stream(address: &ConnectAddress<'_>) -> io::Result<(DefaultStream, (Family, Vec<u8>))> {
    match address {
        ConnectAddress::Hostname(host, port) => {
            let mut last = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
            for socket in (*host, *port).to_socket_addrs()? {
                match TcpStream::connect_timeout(&socket, X11_CONNECT_TIMEOUT) {
                    Ok(stream) => return DefaultStream::from_tcp_stream(stream),
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
        ConnectAddress::Socket(path) => DefaultStream::from_unix_stream(UnixStream::connect(path)?),
        _ => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "an address family x11rb does not implement",
        )),
    }
}

/// Connects to `display` (empty: `$DISPLAY`) as `x11rb::connect` does, with every wait bounded
/// ([`X11_CONNECT_TIMEOUT`] until the setup is done, [`X11_REPLY_TIMEOUT`] after).
fn connect(display: &str) -> Result<(X11Connection, usize), Error> {
    let not_found = |e: &dyn std::fmt::Display| -> Error {
        ErrorKind::DeviceNotFound {
            what: "X11 display",
            detail: ErrorText::format(format_args!(
                "cannot connect to {}: {e}",
                display_label(display)
            )),
        }
        .into()
    };
    let parsed =
        parse_display((!display.is_empty()).then_some(display)).map_err(|e| not_found(&e))?;
    let screen = usize::from(parsed.screen);
    let mut last: Option<io::Error> = None;
    for address in parsed.connect_instruction() {
        let (stream, (family, peer)) = match open_stream(&address) {
            Ok(opened) => opened,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        // Like x11rb: without auth information, try without authentication.
        let (auth_name, auth_data) = get_auth(family, &peer, parsed.display)
            .unwrap_or(None)
            .unwrap_or_else(|| (Vec::new(), Vec::new()));
        return match RustConnection::connect_to_stream_with_auth_info(
            TimedStream::new(stream),
            screen,
            auth_name,
            auth_data,
        ) {
            Ok(connection) => {
                connection
                    .stream()
                    .timeout_ms
                    .store(millis(X11_REPLY_TIMEOUT), Ordering::Relaxed);
                Ok((connection, screen))
            }
            Err(x11rb::errors::ConnectError::IoError(e)) if e.kind() == io::ErrorKind::TimedOut => {
                Err(ErrorKind::Device {
                    what: "X11 display",
                    detail: ErrorText::format(format_args!(
                        "cannot connect to {}: {e} (connection setup timed out)",
                        display_label(display)
                    )),
                }
                .into())
            }
            Err(e) => Err(not_found(&e)),
        };
    }
    Err(not_found(&last.map_or_else(
        || "no address to connect to".to_owned(),
        |e| e.to_string(),
    )))
}

fn device_error(operation: &str, error: impl std::fmt::Display) -> Error {
    ErrorKind::Device {
        what: "X11 screen capture",
        detail: ErrorText::format(format_args!("{operation}: {error}")),
    }
    .into()
}

/// Whether the screen's pixels are 32-bit little-endian BGRX (red mask 0xFF0000).
fn check_pixel_layout(connection: &X11Connection, screen_index: usize) -> Result<(), Error> {
    let setup = connection.setup();
    let screen = &setup.roots[screen_index];
    let bits = setup
        .pixmap_formats
        .iter()
        .find(|f| f.depth == screen.root_depth)
        .map_or(0, |f| f.bits_per_pixel);
    let visual = screen
        .allowed_depths
        .iter()
        .flat_map(|d| d.visuals.iter())
        .find(|v| v.visual_id == screen.root_visual);
    let bgrx = visual.is_some_and(|v| {
        v.red_mask == 0x00FF_0000 && v.green_mask == 0x0000_FF00 && v.blue_mask == 0x0000_00FF
    });
    if bits == 32 && bgrx && setup.image_byte_order == ImageOrder::LSB_FIRST {
        Ok(())
    } else {
        Err(ErrorKind::Unsupported {
            what: "X11 screen pixel layout",
            detail: ErrorText::format(format_args!(
                "depth {} at {bits} bits per pixel, expected 24/32-bit BGRX TrueColor",
                screen.root_depth
            )),
        }
        .into())
    }
}

impl X11Screen {
    /// Connects to `display` (empty: `$DISPLAY`) and checks the region the settings ask for
    /// (`x`, `y`, `width` x `height`; a zero size means the rest of the screen from `x`, `y`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::DeviceNotFound`] when the display cannot be reached,
    /// [`ErrorKind::UnsupportedSize`] for a region outside the screen or an odd I420 size,
    /// [`ErrorKind::UnknownCode`] for NV12 output, [`ErrorKind::Unsupported`] for a screen whose
    /// pixels are not BGRX.
    pub fn open(display: &str, settings: &CaptureSettings) -> Result<Self, Error> {
        let (connection, screen_index) = connect(display)?;
        check_pixel_layout(&connection, screen_index)?;
        let screen = &connection.setup().roots[screen_index];
        let (screen_w, screen_h) = (
            u32::from(screen.width_in_pixels),
            u32::from(screen.height_in_pixels),
        );
        let root = screen.root;
        let width = if settings.width == 0 {
            screen_w.saturating_sub(settings.x)
        } else {
            settings.width
        };
        let height = if settings.height == 0 {
            screen_h.saturating_sub(settings.y)
        } else {
            settings.height
        };
        let inside = width > 0
            && height > 0
            && settings.x.saturating_add(width) <= screen_w
            && settings.y.saturating_add(height) <= screen_h;
        if !inside {
            return Err(ErrorKind::UnsupportedSize {
                what: "X11 screen capture",
                width,
                height,
                valid: "a non-empty region inside the screen (see sl_capture_list_devices)",
            }
            .into());
        }
        if settings.format == PixelFormat::Nv12 {
            return Err(ErrorKind::UnknownCode {
                what: "screen capture pixel format",
                value: settings.format.code(),
                valid: "0 (RGBA), 1 (BGRA), 2 (I420)",
            }
            .into());
        }
        if settings.format.is_yuv420() && (width % 2 != 0 || height % 2 != 0) {
            return Err(ErrorKind::UnsupportedSize {
                what: "I420 screen capture",
                width,
                height,
                valid: "an even width and height (or BGRA/RGBA output)",
            }
            .into());
        }
        let fps = if settings.fps > 0.0 {
            settings.fps
        } else {
            DEFAULT_FPS
        };
        Ok(Self {
            connection,
            root,
            x: settings.x as i16,
            y: settings.y as i16,
            width: width as u16,
            height: height as u16,
            format: settings.format,
            period: Duration::from_secs_f64(1.0 / fps),
            next: Instant::now(),
        })
    }

    /// Width and height of the captured region.
    pub fn size(&self) -> (u32, u32) {
        (u32::from(self.width), u32::from(self.height))
    }

    /// Pixel format of the published frames.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Sleeps until the next frame's deadline, waking every 50 ms to check `stop`. Returns
    /// `false` if stopped.
    fn wait_for_deadline(&mut self, stop: &AtomicBool) -> bool {
        loop {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            let now = Instant::now();
            if now >= self.next {
                // Late by more than a period (a slow GetImage): restart the schedule from now
                // rather than capturing a burst to catch up.
                self.next = if now - self.next > self.period {
                    now + self.period
                } else {
                    self.next + self.period
                };
                return true;
            }
            std::thread::sleep((self.next - now).min(Duration::from_millis(50)));
        }
    }
}

impl FrameSource for X11Screen {
    fn capture_one(&mut self, sink: &mut CaptureSink, stop: &AtomicBool) -> Result<(), Error> {
        if !self.wait_for_deadline(stop) {
            return Ok(());
        }
        let timestamp_ns = monotonic_now_ns();
        let reply = self
            .connection
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                self.x,
                self.y,
                self.width,
                self.height,
                !0,
            )
            .map_err(|e| device_error("GetImage request", e))?
            .reply()
            .map_err(|e| device_error("GetImage reply", e))?;
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        let stride = reply.data.len() / h;
        if stride < w * 4 {
            return Err(device_error(
                "GetImage reply",
                format_args!("{} bytes for {w}x{h} pixels", reply.data.len()),
            ));
        }
        let format = self.format;
        let bytes = format.frame_bytes(w as u32, h as u32);
        sink.publish(format.code(), bytes, timestamp_ns, |dst| {
            bgrx_to(&reply.data, stride, w, h, format, dst)
        })?;
        Ok(())
    }
}

/// The screens of `display` (empty: `$DISPLAY`), each with its full size.
///
/// # Errors
///
/// [`ErrorKind::DeviceNotFound`] when the display cannot be reached.
pub fn list_screens(display: &str) -> Result<Vec<DeviceInfo>, Error> {
    let (connection, _) = connect(display)?;
    let label = display_label(display);
    let base = label
        .rsplit_once('.')
        .map_or(label.as_str(), |(base, screen)| {
            if screen.chars().all(|c| c.is_ascii_digit()) && base.contains(':') {
                base
            } else {
                label.as_str()
            }
        });
    Ok(connection
        .setup()
        .roots
        .iter()
        .enumerate()
        .map(|(index, screen)| DeviceInfo {
            id: format!("{base}.{index}"),
            name: format!("X11 screen {index} of {base}"),
            modes: vec![DeviceMode {
                width: u32::from(screen.width_in_pixels),
                height: u32::from(screen.height_in_pixels),
                rate: DEFAULT_FPS,
                format: "BGRX".to_owned(),
            }],
        })
        .collect())
}
