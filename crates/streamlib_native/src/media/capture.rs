//! The capture contract every source (X11 screen, V4L2 or AVFoundation camera, microphone)
//! shares: settings, the sink that puts frames into the frame pool and a ring, the running
//! capture's counters, and device listings.
//!
//! A capture never calls into JS. Its thread (or, on macOS, its dispatch queue) acquires a pool
//! slot, writes the frame at `payload_offset` into it and pushes a 32-byte frame message on a ring
//! whose producer it owns; JS polls the consumer. On a `latest` ring the messages that roll off
//! come back to the capture, which releases their slots; on a `fifo` ring a full ring drops the
//! new frame. Either way a drop is counted, and when the pool is exhausted the frame is skipped.
//!
//! Frame messages carry `format` = the pixel format code (0..=3) for video or
//! [`AUDIO_F32_FORMAT`] for interleaved `f32` audio, `timestamp_ns` on this library's monotonic
//! clock ([`monotonic_now_ns`]), and a sequence number counting from 0.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::frame_pool::FramePool;
use crate::media::pixel_format::PixelFormat;
use crate::message::FrameMessage;
use crate::policy::Policy;
use crate::ring::RingProducer;
use crate::status::{Error, ErrorKind};

/// `format` of a frame message holding interleaved `f32` samples.
pub const AUDIO_F32_FORMAT: u32 = 16;

static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Nanoseconds on this library's monotonic clock (from an arbitrary process-wide origin). JS maps
/// it to its media clock with one offset measured at start.
pub fn monotonic_now_ns() -> f64 {
    EPOCH.elapsed().as_nanos() as f64
}

/// What kind of device a capture reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// Video cameras (V4L2, AVFoundation).
    Camera,
    /// Audio inputs (AVFoundation).
    Microphone,
    /// Screens (X11).
    Screen,
}

impl DeviceKind {
    /// The kind with ABI code `code` (0 camera, 1 microphone, 2 screen).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownCode`] for any other code.
    pub fn from_code(code: u32) -> Result<Self, Error> {
        match code {
            0 => Ok(Self::Camera),
            1 => Ok(Self::Microphone),
            2 => Ok(Self::Screen),
            _ => Err(ErrorKind::UnknownCode {
                what: "device kind",
                value: code,
                valid: "0 (camera), 1 (microphone), 2 (screen)",
            }
            .into()),
        }
    }
}

/// What a capture is asked for, as `sl_capture_open` receives it (an array of `u32`s in field
/// order). Zeroes mean "the device's default".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CaptureSettings {
    /// Frame width (video), 0 for the device's or the whole screen's.
    pub width: u32,
    /// Frame height (video), 0 for the device's or the whole screen's.
    pub height: u32,
    /// Frames per second (video), 0 for the device's default (screens: 30).
    pub fps: f64,
    /// Pixel format of the frames written to the pool (video).
    pub format: PixelFormat,
    /// Left edge of the screen region (screens).
    pub x: u32,
    /// Top edge of the screen region (screens).
    pub y: u32,
    /// Samples per second (audio), 0 for 48,000.
    pub sample_rate: u32,
    /// Channels (audio), 0 for the device's.
    pub channels: u32,
    /// Where in each pool slot the payload starts (JS puts its 64-byte frame header before it).
    pub payload_offset: u32,
}

impl CaptureSettings {
    /// Number of `u32`s in the ABI form.
    pub const ABI_FIELDS: usize = 9;

    /// Decodes the ABI form
    /// `[width, height, fps_millis, pixel_format, x, y, sample_rate, channels, payload_offset]`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongLength`] for another number of fields, [`ErrorKind::UnknownCode`] for
    /// a bad pixel format.
    pub fn from_abi(values: &[u32]) -> Result<Self, Error> {
        let &[
            width,
            height,
            fps_millis,
            format,
            x,
            y,
            sample_rate,
            channels,
            payload_offset,
        ] = values
        else {
            return Err(ErrorKind::WrongLength {
                what: "capture settings (u32 fields, times 4 bytes)",
                actual: values.len() as u64 * 4,
                expected: Self::ABI_FIELDS as u64 * 4,
            }
            .into());
        };
        Ok(Self {
            width,
            height,
            fps: f64::from(fps_millis) / 1000.0,
            format: PixelFormat::from_code(format)?,
            x,
            y,
            sample_rate,
            channels,
            payload_offset,
        })
    }
}

/// The counters of a running capture, shared between its thread and its handle.
#[derive(Debug, Default)]
pub struct CaptureShared {
    captured: AtomicU64,
    dropped: AtomicU64,
    width: AtomicU32,
    height: AtomicU32,
    format: AtomicU32,
    sample_rate: AtomicU32,
    channels: AtomicU32,
    running: AtomicBool,
    failure: Mutex<Option<Error>>,
}

impl CaptureShared {
    /// Fresh counters of a capture that is running.
    pub fn new() -> Arc<Self> {
        let shared = Self::default();
        shared.running.store(true, Ordering::Relaxed);
        Arc::new(shared)
    }

    /// Records the geometry of the video frames (called once the device is configured).
    pub fn set_video(&self, width: u32, height: u32, format: PixelFormat) {
        self.width.store(width, Ordering::Relaxed);
        self.height.store(height, Ordering::Relaxed);
        self.format.store(format.code(), Ordering::Relaxed);
    }

    /// Records the audio format.
    pub fn set_audio(&self, sample_rate: u32, channels: u32) {
        self.sample_rate.store(sample_rate, Ordering::Relaxed);
        self.channels.store(channels, Ordering::Relaxed);
        self.format.store(AUDIO_F32_FORMAT, Ordering::Relaxed);
    }

    /// Marks the capture as stopped because of `error`; the first failure is kept.
    pub fn fail(&self, error: Error) {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        failure.get_or_insert(error);
        self.running.store(false, Ordering::Relaxed);
    }

    /// Marks the capture as stopped.
    pub fn stopped(&self) {
        self.running.store(false, Ordering::Relaxed);
    }

    /// Why the capture stopped by itself, if it did.
    pub fn failure(&self) -> Option<Error> {
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `[captured, dropped, width, height, format, running, failure_status, sample_rate,
    /// channels]`, as `sl_capture_stats` reports them.
    pub fn to_array(&self) -> [f64; 9] {
        [
            self.captured.load(Ordering::Relaxed) as f64,
            self.dropped.load(Ordering::Relaxed) as f64,
            f64::from(self.width.load(Ordering::Relaxed)),
            f64::from(self.height.load(Ordering::Relaxed)),
            f64::from(self.format.load(Ordering::Relaxed)),
            f64::from(u8::from(self.running.load(Ordering::Relaxed))),
            f64::from(self.failure().map_or(0, |e| e.status().code())),
            f64::from(self.sample_rate.load(Ordering::Relaxed)),
            f64::from(self.channels.load(Ordering::Relaxed)),
        ]
    }
}

/// Where a capture puts its frames: slots of a pool, announced on a ring it owns the producer of.
pub struct CaptureSink {
    pool: Arc<FramePool>,
    producer: RingProducer,
    payload_offset: usize,
    shared: Arc<CaptureShared>,
    sequence: f64,
    evicted: [FrameMessage; 1],
}

impl CaptureSink {
    /// A sink writing into `pool` at `payload_offset` and pushing to `producer`.
    pub fn new(
        pool: Arc<FramePool>,
        producer: RingProducer,
        payload_offset: u32,
        shared: Arc<CaptureShared>,
    ) -> Self {
        Self {
            pool,
            producer,
            payload_offset: payload_offset as usize,
            shared,
            sequence: 0.0,
            evicted: [FrameMessage::EMPTY],
        }
    }

    /// The counters this sink updates.
    pub fn shared(&self) -> &Arc<CaptureShared> {
        &self.shared
    }

    /// Checks that a payload of `bytes` fits a slot after the payload offset.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BufferTooSmall`] naming the slot size needed.
    pub fn check_fits(&self, bytes: usize) -> Result<(), Error> {
        let needed = self.payload_offset + bytes;
        let capacity = self.pool.stats().slot_bytes as usize;
        if needed > capacity {
            return Err(ErrorKind::BufferTooSmall {
                what: "captured frame (payload offset plus frame) in a pool slot",
                needed: needed as u64,
                capacity: capacity as u64,
            }
            .into());
        }
        Ok(())
    }

    /// Whether the JS side has freed the ring's consumer (then the capture should end).
    pub fn is_abandoned(&self) -> bool {
        self.producer.is_abandoned()
    }

    /// Publishes one frame of `bytes` bytes that `fill` writes into a fresh slot. Returns
    /// `Ok(false)` when the frame was dropped (pool exhausted, or a full `fifo` ring).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BufferTooSmall`] if the frame does not fit a slot; whatever `fill` returns
    /// (the slot is released first).
    pub fn publish(
        &mut self,
        format: u32,
        bytes: usize,
        timestamp_ns: f64,
        fill: impl FnOnce(&mut [u8]) -> Result<(), Error>,
    ) -> Result<bool, Error> {
        self.check_fits(bytes)?;
        let Ok(slot) = self.pool.acquire() else {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            return Ok(false);
        };
        let start = self
            .pool
            .handle_ptr(slot)
            .expect("an acquired slot's index is in range");
        // SAFETY: the slot was just acquired with refcount 1, so this thread is its only holder
        // until the message is pushed; check_fits proved payload_offset + bytes <= slot_bytes.
        let payload =
            unsafe { std::slice::from_raw_parts_mut(start.add(self.payload_offset), bytes) };
        if let Err(error) = fill(payload) {
            self.release(slot);
            return Err(error);
        }
        let message = FrameMessage {
            slot,
            format,
            byte_length: bytes as u32,
            flags: 0,
            timestamp_ns,
            sequence: self.sequence,
        };
        self.sequence += 1.0;
        let written = match self.producer.policy() {
            Policy::Latest => {
                let evicted = self
                    .producer
                    .push_evict(std::slice::from_ref(&message), &mut self.evicted)?;
                for i in 0..evicted {
                    let slot = self.evicted[i].slot;
                    self.release(slot);
                }
                self.shared
                    .dropped
                    .fetch_add(evicted as u64, Ordering::Relaxed);
                true
            }
            Policy::Fifo => {
                let written = self.producer.push(&message);
                if !written {
                    self.release(slot);
                    self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                }
                written
            }
        };
        if written {
            self.shared.captured.fetch_add(1, Ordering::Relaxed);
        }
        Ok(written)
    }

    fn release(&self, slot: u32) {
        // A slot this sink acquired or got back from the ring is live; a failure would be a bug
        // elsewhere, and there is nobody to report it to on this thread.
        let _ = self.pool.release(slot);
    }
}

/// What stops a running capture (a thread to join, an AVCaptureSession to stop).
pub trait CaptureBackend: Send {
    /// Stops capturing and waits until no more frames will be published. Idempotent.
    fn stop(&mut self);
}

/// A running capture: its backend and counters. Dropping it stops it.
pub struct Capture {
    backend: Box<dyn CaptureBackend>,
    shared: Arc<CaptureShared>,
}

impl Capture {
    /// Wraps a started backend.
    pub fn new(backend: Box<dyn CaptureBackend>, shared: Arc<CaptureShared>) -> Self {
        Self { backend, shared }
    }

    /// The counters.
    pub fn shared(&self) -> &CaptureShared {
        &self.shared
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.backend.stop();
        self.shared.stopped();
    }
}

/// A source read by a thread of its own: each call captures and publishes one frame.
pub trait FrameSource: Send + 'static {
    /// Waits for the next frame (giving up when `stop` is set, polling it at least every 100 ms)
    /// and publishes it to `sink`.
    ///
    /// # Errors
    ///
    /// Any device failure; it ends the capture and is reported by `sl_capture_stats`.
    fn capture_one(&mut self, sink: &mut CaptureSink, stop: &AtomicBool) -> Result<(), Error>;
}

/// A [`CaptureBackend`] running a [`FrameSource`] on a thread.
pub struct ThreadCapture {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ThreadCapture {
    /// Starts a thread named `name` that captures from `source` into `sink` until stopped, the
    /// ring's consumer goes away, or the source fails.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Device`] if the thread cannot be spawned.
    pub fn spawn(
        name: &str,
        mut source: impl FrameSource,
        mut sink: CaptureSink,
    ) -> Result<Self, Error> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) && !sink.is_abandoned() {
                    if let Err(error) = source.capture_one(&mut sink, &stop_flag) {
                        sink.shared().fail(error);
                        return;
                    }
                }
                sink.shared().stopped();
            })
            .map_err(|e| ErrorKind::Device {
                what: "capture thread start",
                detail: crate::error_text::ErrorText::format(format_args!("{e}")),
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl CaptureBackend for ThreadCapture {
    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One way a device can deliver frames.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceMode {
    /// Frame width (video) or 0.
    pub width: u32,
    /// Frame height (video) or 0.
    pub height: u32,
    /// Frames per second (video) or sample rate (audio); 0 when unknown.
    pub rate: f64,
    /// The device's own format name (`"YUYV"`, `"420v"`, `"BGRX"`, `"f32"`).
    pub format: String,
}

/// A device that can be captured.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// What to pass to `sl_capture_open` (`"/dev/video0"`, `":99.0"`, an AVFoundation unique ID).
    pub id: String,
    /// A human-readable name.
    pub name: String,
    /// What it offers.
    pub modes: Vec<DeviceMode>,
}

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The devices as a JSON array:
/// `[{"id":..,"name":..,"modes":[{"width":..,"height":..,"rate":..,"format":..}]}]`.
///
/// # Examples
///
/// ```
/// use streamlib_native::media::capture::{devices_to_json, DeviceInfo, DeviceMode};
///
/// let cam = DeviceInfo {
///     id: "/dev/video0".into(),
///     name: "Cam \"1\"".into(),
///     modes: vec![DeviceMode { width: 640, height: 480, rate: 30.0, format: "YUYV".into() }],
/// };
/// assert_eq!(
///     devices_to_json(&[cam]),
///     r#"[{"id":"/dev/video0","name":"Cam \"1\"","modes":[{"width":640,"height":480,"rate":30,"format":"YUYV"}]}]"#
/// );
/// ```
pub fn devices_to_json(devices: &[DeviceInfo]) -> String {
    let mut out = String::from("[");
    for (i, device) in devices.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        json_string(&mut out, &device.id);
        out.push_str(",\"name\":");
        json_string(&mut out, &device.name);
        out.push_str(",\"modes\":[");
        for (j, mode) in device.modes.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let rate = if mode.rate.is_finite() {
                mode.rate
            } else {
                0.0
            };
            let _ = write!(
                out,
                "{{\"width\":{},\"height\":{},\"rate\":{},\"format\":",
                mode.width, mode.height, rate
            );
            json_string(&mut out, &mode.format);
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push(']');
    out
}
