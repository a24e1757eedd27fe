//! Audio out: interleaved `f32` samples from JS played on an output device through `cpal`
//! (ALSA on Linux, CoreAudio on macOS, WASAPI on Windows;
//! `docs/decisions/0048-speaker-with-cpal.md`).
//!
//! JS never runs on a device thread and the device never waits for JS. [`Speaker::open`] starts
//! a control thread that opens the device, negotiates a format ([`negotiate`]) and owns the
//! `cpal` stream until [`Speaker`] is dropped. Samples cross in an `rtrb` ring of `f32`: JS
//! writes into its producer ([`Speaker::write`], which takes what fits and never blocks), and
//! the device's callback, on `cpal`'s own thread, pops from the consumer, converts to the
//! device's sample format and plays silence for whatever is missing. A callback that comes up
//! short after playback started is an underrun: the start of each run of short callbacks is
//! counted in `underruns`, the silent frames in `underrun_frames`.
//!
//! The device plays at the configured rate and channel count when it offers them; otherwise at
//! the closest it offers (its default rate), and the samples are converted on the way in by a
//! [`StreamResampler`] on the writing thread. Channels are converted by JS before the write
//! (the writer is told the device's count). A device that cannot be opened, or fails while
//! playing (unplugged, its server gone), is a typed [`Error`]: at open, or as the speaker's
//! `failure` and the status of every later write.
//!
//! [`ffi`] holds the `sl_speaker_*` C ABI.

pub mod ffi;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use rtrb::{Consumer, Producer, RingBuffer};

use crate::error_text::ErrorText;
use crate::resample::{MAX_RATE, MIN_RATE, Quality, StreamResampler};
use crate::status::{Error, ErrorKind};

/// How long [`Speaker::open`] waits for the device to open before giving up (a device, or an
/// ALSA file plugin writing to a FIFO, can block in its open).
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long dropping a [`Speaker`] waits for its device to close before leaving the control
/// thread to finish on its own.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the control thread checks whether the device failed (to close it).
const FAILURE_POLL: Duration = Duration::from_millis(100);
/// Most channels a speaker takes.
pub const MAX_CHANNELS: u32 = 32;
/// Most frames of the ring between JS and the device (10 s at 48 kHz).
pub const MAX_BUFFER_FRAMES: u32 = 480_000;

/// The sample formats a speaker plays, in order of preference; the index is the ABI code that
/// `sl_speaker_stats` reports.
pub const FORMATS: [SampleFormat; 7] = [
    SampleFormat::F32,
    SampleFormat::I32,
    SampleFormat::I16,
    SampleFormat::F64,
    SampleFormat::U16,
    SampleFormat::U8,
    SampleFormat::I8,
];

/// One way a device can play, reduced to what [`negotiate`] needs (a `cpal`
/// `SupportedStreamConfigRange`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceRange {
    /// Interleaved channels.
    pub channels: u32,
    /// Lowest sample rate, in Hz.
    pub min_rate: u32,
    /// Highest sample rate, in Hz.
    pub max_rate: u32,
    /// Sample format.
    pub format: SampleFormat,
}

/// What a device was opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Interleaved channels.
    pub channels: u32,
    /// Sample rate, in Hz.
    pub rate: u32,
    /// Sample format.
    pub format: SampleFormat,
}

fn format_rank(format: SampleFormat) -> Option<usize> {
    FORMATS.iter().position(|f| *f == format)
}

/// The best playable config at exactly `rate`: the wanted channel count when offered, else the
/// smallest count above it, else the largest below; then the preferred format.
fn pick_at(ranges: &[DeviceRange], rate: u32, channels: u32) -> Option<Negotiated> {
    let fits = || {
        ranges
            .iter()
            .filter(move |r| r.min_rate <= rate && rate <= r.max_rate)
            .filter(|r| format_rank(r.format).is_some())
    };
    let count = fits()
        .map(|r| r.channels)
        .filter(|&c| c >= channels)
        .min()
        .or_else(|| fits().map(|r| r.channels).max())?;
    let format = fits()
        .filter(|r| r.channels == count)
        .min_by_key(|r| format_rank(r.format))?
        .format;
    Some(Negotiated {
        channels: count,
        rate,
        format,
    })
}

/// Chooses how to open a device offering `ranges` (and `default`, its own preferred config)
/// for audio at `rate` Hz with `channels` channels: that rate when any range has it, else the
/// device's default rate, else the offered rate closest to `rate`; at that rate the channel
/// count and format of `pick_at`. `None` when no range has a playable format.
///
/// # Examples
///
/// ```
/// use cpal::SampleFormat;
/// use streamlib_native::media::speaker::{negotiate, DeviceRange, Negotiated};
///
/// let hw = [DeviceRange { channels: 2, min_rate: 44_100, max_rate: 48_000, format: SampleFormat::I16 }];
/// let default = Negotiated { channels: 2, rate: 48_000, format: SampleFormat::I16 };
/// // Mono at 48 kHz: the device's stereo, at the rate asked for.
/// assert_eq!(negotiate(&hw, Some(default), 48_000, 1), Some(Negotiated { channels: 2, rate: 48_000, format: SampleFormat::I16 }));
/// // 16 kHz is not offered: the default rate, and the writer resamples.
/// assert_eq!(negotiate(&hw, Some(default), 16_000, 2).map(|n| n.rate), Some(48_000));
/// ```
pub fn negotiate(
    ranges: &[DeviceRange],
    default: Option<Negotiated>,
    rate: u32,
    channels: u32,
) -> Option<Negotiated> {
    if let Some(exact) = pick_at(ranges, rate, channels) {
        return Some(exact);
    }
    if let Some(at_default) = default.and_then(|d| pick_at(ranges, d.rate, channels)) {
        return Some(at_default);
    }
    let closest = ranges
        .iter()
        .filter(|r| format_rank(r.format).is_some())
        .map(|r| rate.clamp(r.min_rate, r.max_rate))
        .min_by_key(|r| r.abs_diff(rate))?;
    pick_at(ranges, closest, channels)
}

/// What a speaker is asked for, as `sl_speaker_open` receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpeakerSettings {
    /// Sample rate of the samples written, in Hz.
    pub sample_rate: u32,
    /// Channels wanted from the device.
    pub channels: u32,
    /// Frames of the ring between JS and the device (its latency at most).
    pub buffer_frames: u32,
}

impl SpeakerSettings {
    fn check(&self) -> Result<(), Error> {
        let range = |what, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::from(ErrorKind::OutOfRange {
                    what,
                    value: u64::from(value),
                    min: u64::from(min),
                    max: u64::from(max),
                }))
            }
        };
        range(
            "speaker sample rate (Hz)",
            self.sample_rate,
            MIN_RATE,
            MAX_RATE,
        )?;
        range("speaker channel count", self.channels, 1, MAX_CHANNELS)?;
        range(
            "speaker buffer (frames)",
            self.buffer_frames,
            64,
            MAX_BUFFER_FRAMES,
        )
    }
}

/// The counters of a playing speaker, shared between its device callback and its handle.
#[derive(Debug, Default)]
pub struct SpeakerShared {
    played_frames: AtomicU64,
    underruns: AtomicU64,
    underrun_frames: AtomicU64,
    xruns: AtomicU64,
    running: AtomicBool,
    failure: Mutex<Option<Error>>,
}

impl SpeakerShared {
    /// Marks the speaker as failed with `error`; the first failure is kept.
    pub fn fail(&self, error: Error) {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        failure.get_or_insert(error);
        self.running.store(false, Ordering::Relaxed);
    }

    /// Why the device stopped playing, if it did.
    pub fn failure(&self) -> Option<Error> {
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Frames the device has played from the ring.
    pub fn played_frames(&self) -> u64 {
        self.played_frames.load(Ordering::Relaxed)
    }

    /// Runs of short callbacks after playback started.
    pub fn underruns(&self) -> u64 {
        self.underruns.load(Ordering::Relaxed)
    }
}

/// The device's callback state: the ring's consumer, the start threshold and the underrun
/// bookkeeping.
///
/// Playback (re)starts once the ring holds `threshold` samples, or holds any and the writer has
/// added nothing for as long as the device takes to play `threshold` samples (a sound shorter
/// than the threshold, or the end of a stream); until then the device plays silence. A callback that runs out while playing is an
/// underrun: it is counted, and playback waits for the threshold again, so a live source that
/// runs late gets one longer gap instead of many short ones.
struct Feeder {
    consumer: Consumer<f32>,
    channels: usize,
    shared: Arc<SpeakerShared>,
    threshold: usize,
    playing: bool,
    last_seen: usize,
    waited: usize,
}

impl Feeder {
    fn new(consumer: Consumer<f32>, channels: usize, shared: Arc<SpeakerShared>) -> Self {
        let threshold = consumer.buffer().capacity() / 2 / channels * channels;
        Self {
            consumer,
            channels,
            shared,
            threshold,
            playing: false,
            last_seen: 0,
            waited: 0,
        }
    }

    fn fill<T: SizedSample + FromSample<f32>>(&mut self, data: &mut [T]) {
        let wanted = data.len();
        let available = self.consumer.slots() / self.channels * self.channels;
        if !self.playing {
            if available == self.last_seen {
                self.waited += wanted;
            } else {
                self.waited = 0;
            }
            self.last_seen = available;
            // The writer added nothing for as long as the threshold takes to fill: a short sound,
            // or the end of a stream, plays without waiting for more.
            let writer_idle = available > 0 && self.waited >= self.threshold;
            self.playing = available >= self.threshold.max(self.channels) || writer_idle;
        }
        let n = if self.playing {
            available.min(wanted)
        } else {
            0
        };
        if let Ok(chunk) = self.consumer.read_chunk(n) {
            let (first, second) = chunk.as_slices();
            for (out, &sample) in data.iter_mut().zip(first.iter().chain(second)) {
                *out = T::from_sample(sample);
            }
            chunk.commit_all();
        }
        for out in &mut data[n..] {
            *out = T::EQUILIBRIUM;
        }
        let frames = (n / self.channels) as u64;
        let played = self
            .shared
            .played_frames
            .fetch_add(frames, Ordering::Relaxed)
            + frames;
        if n < wanted && played > 0 {
            let missing = ((wanted - n) / self.channels) as u64;
            self.shared
                .underrun_frames
                .fetch_add(missing, Ordering::Relaxed);
            if self.playing {
                self.shared.underruns.fetch_add(1, Ordering::Relaxed);
                self.playing = false;
                self.last_seen = 0;
            }
        }
    }
}

/// Maps a `cpal` error to this crate's kinds; `what` names the operation.
fn device_error(what: &'static str, error: &cpal::Error) -> Error {
    let detail = ErrorText::format(format_args!("{error}"));
    match error.kind() {
        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::HostUnavailable => {
            ErrorKind::DeviceNotFound { what, detail }
        }
        cpal::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied { what, detail },
        cpal::ErrorKind::UnsupportedConfig | cpal::ErrorKind::UnsupportedOperation => {
            ErrorKind::Unsupported { what, detail }
        }
        _ => ErrorKind::Device { what, detail },
    }
    .into()
}

/// Xruns within one second that mean the device is failing, not late: ALSA reports a write
/// that fails with `EPIPE` (a plugin whose output went away) as an xrun, and `cpal` retries at
/// once, so a dead device shows as xruns without end. A device late under load has a few.
pub const XRUN_STORM: u32 = 50;

/// Counts xruns in one-second windows.
#[derive(Default)]
struct XrunStorm {
    window: Option<Instant>,
    count: u32,
}

impl XrunStorm {
    /// Notes an xrun at `now`; whether the window now holds [`XRUN_STORM`] of them.
    fn note(&mut self, now: Instant) -> bool {
        match self.window {
            Some(start) if now.duration_since(start) < Duration::from_secs(1) => self.count += 1,
            _ => {
                self.window = Some(now);
                self.count = 1;
            }
        }
        self.count == XRUN_STORM
    }
}

fn build<T: SizedSample + FromSample<f32>>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut feeder: Feeder,
) -> Result<cpal::Stream, Error> {
    let shared = Arc::clone(&feeder.shared);
    let mut storm = XrunStorm::default();
    device
        .build_output_stream::<T, _, _>(
            *config,
            move |data: &mut [T], _: &cpal::OutputCallbackInfo| feeder.fill(data),
            move |error: cpal::Error| match error.kind() {
                cpal::ErrorKind::Xrun => {
                    shared.xruns.fetch_add(1, Ordering::Relaxed);
                    if storm.note(Instant::now()) {
                        shared.fail(
                            ErrorKind::Device {
                                what: "audio output (every write fails)",
                                detail: ErrorText::format(format_args!(
                                    "{XRUN_STORM} xruns within 1 s: {error}"
                                )),
                            }
                            .into(),
                        );
                    }
                }
                cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
                cpal::ErrorKind::DeviceNotAvailable => shared.fail(
                    ErrorKind::Device {
                        what: "audio output (the device went away)",
                        detail: ErrorText::format(format_args!("{error}")),
                    }
                    .into(),
                ),
                _ => shared.fail(device_error("audio output playback", &error)),
            },
            None,
        )
        .map_err(|e| device_error("audio output stream", &e))
}

/// The device named `id` (a `cpal` device ID such as `"alsa:hw:0,0"`), or the default output.
fn find_device(id: &str) -> Result<cpal::Device, Error> {
    let host = cpal::default_host();
    if id.is_empty() {
        return host.default_output_device().ok_or_else(|| {
            ErrorKind::DeviceNotFound {
                what: "audio output",
                detail: ErrorText::new("this system has no default output device"),
            }
            .into()
        });
    }
    let parsed: cpal::DeviceId = id.parse().map_err(|e| device_error("audio output", &e))?;
    host.device_by_id(&parsed).ok_or_else(|| {
        ErrorKind::DeviceNotFound {
            what: "audio output",
            detail: ErrorText::format(format_args!("'{id}' (IDs look like 'alsa:hw:0,0')")),
        }
        .into()
    })
}

type Opened = (cpal::Stream, Negotiated, Producer<f32>);

/// Opens the device, negotiates, makes the ring and starts the stream (on the control thread).
fn start(
    id: &str,
    settings: SpeakerSettings,
    shared: &Arc<SpeakerShared>,
) -> Result<Opened, Error> {
    let device = find_device(id)?;
    let ranges: Vec<DeviceRange> = device
        .supported_output_configs()
        .map_err(|e| device_error("audio output", &e))?
        .map(|r| DeviceRange {
            channels: u32::from(r.channels()),
            min_rate: r.min_sample_rate(),
            max_rate: r.max_sample_rate(),
            format: r.sample_format(),
        })
        .collect();
    let default = device.default_output_config().ok().map(|c| Negotiated {
        channels: u32::from(c.channels()),
        rate: c.sample_rate(),
        format: c.sample_format(),
    });
    let chosen =
        negotiate(&ranges, default, settings.sample_rate, settings.channels).ok_or_else(|| {
            Error::from(ErrorKind::Unsupported {
                what: "audio output format",
                detail: ErrorText::new("the device offers no f32, integer or f64 PCM format"),
            })
        })?;
    let capacity = settings.buffer_frames as usize * chosen.channels as usize;
    let (producer, consumer) = RingBuffer::<f32>::new(capacity);
    let feeder = Feeder::new(consumer, chosen.channels as usize, Arc::clone(shared));
    let config = cpal::StreamConfig {
        channels: chosen.channels as u16,
        sample_rate: chosen.rate,
        buffer_size: cpal::BufferSize::Default,
    };
    let stream = match chosen.format {
        SampleFormat::F32 => build::<f32>(&device, &config, feeder),
        SampleFormat::I32 => build::<i32>(&device, &config, feeder),
        SampleFormat::I16 => build::<i16>(&device, &config, feeder),
        SampleFormat::F64 => build::<f64>(&device, &config, feeder),
        SampleFormat::U16 => build::<u16>(&device, &config, feeder),
        SampleFormat::U8 => build::<u8>(&device, &config, feeder),
        _ => build::<i8>(&device, &config, feeder),
    }?;
    stream
        .play()
        .map_err(|e| device_error("audio output start", &e))?;
    shared.running.store(true, Ordering::Relaxed);
    Ok((stream, chosen, producer))
}

/// An open output device playing what is written to it. Dropping it stops the device.
pub struct Speaker {
    producer: Producer<f32>,
    resampler: Option<StreamResampler>,
    staging: Vec<f32>,
    device: Negotiated,
    written_frames: u64,
    shared: Arc<SpeakerShared>,
    stop: Option<mpsc::Sender<()>>,
    done: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl Speaker {
    /// Opens the output device `id` (empty: the default one) for audio at `settings`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OutOfRange`] for bad settings; [`ErrorKind::DeviceNotFound`] when there is no
    /// such device (or no default one); [`ErrorKind::PermissionDenied`];
    /// [`ErrorKind::Unsupported`] when it offers no playable format; [`ErrorKind::Device`] when
    /// it fails to open or does not open within [`OPEN_TIMEOUT`].
    pub fn open(id: &str, settings: SpeakerSettings) -> Result<Self, Error> {
        settings.check()?;
        let shared = Arc::new(SpeakerShared::default());
        let (ready_tx, ready_rx) =
            mpsc::sync_channel::<Result<(Negotiated, Producer<f32>), Error>>(1);
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let id = id.to_owned();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("streamlib-speaker".to_owned())
            .spawn(move || {
                match start(&id, settings, &thread_shared) {
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                    }
                    Ok((stream, chosen, producer)) => {
                        if ready_tx.send(Ok((chosen, producer))).is_ok() {
                            // Until the Speaker is dropped (its sender goes away); a failed
                            // device is closed at once, so a broken one does not spin.
                            let mut stream = Some(stream);
                            while let Err(RecvTimeoutError::Timeout) =
                                stop_rx.recv_timeout(FAILURE_POLL)
                            {
                                if thread_shared.failure().is_some() {
                                    stream.take();
                                }
                            }
                            drop(stream);
                        } else {
                            drop(stream);
                        }
                    }
                }
                thread_shared.running.store(false, Ordering::Relaxed);
                let _ = done_tx.send(());
            })
            .map_err(|e| ErrorKind::Device {
                what: "speaker thread start",
                detail: ErrorText::format(format_args!("{e}")),
            })?;
        let (device, producer) = match ready_rx.recv_timeout(OPEN_TIMEOUT) {
            Ok(Ok(opened)) => opened,
            Ok(Err(error)) => {
                let _ = thread.join();
                return Err(error);
            }
            Err(_) => {
                // The thread finishes (and closes the device) on its own if the open ever returns.
                return Err(ErrorKind::Device {
                    what: "audio output",
                    detail: ErrorText::format(format_args!(
                        "the device did not open within {} s",
                        OPEN_TIMEOUT.as_secs()
                    )),
                }
                .into());
            }
        };
        let resampler = if device.rate == settings.sample_rate {
            None
        } else {
            Some(StreamResampler::new(
                settings.sample_rate,
                device.rate,
                device.channels,
                Quality::Balanced,
            )?)
        };
        let staging = match &resampler {
            Some(r) => vec![0.0; r.output_bound(4_096) * device.channels as usize],
            None => Vec::new(),
        };
        Ok(Self {
            producer,
            resampler,
            staging,
            device,
            written_frames: 0,
            shared,
            stop: Some(stop_tx),
            done: done_rx,
            thread: Some(thread),
        })
    }

    /// What the device was opened with.
    pub fn device(&self) -> Negotiated {
        self.device
    }

    /// The counters.
    pub fn shared(&self) -> &SpeakerShared {
        &self.shared
    }

    /// Queues as many whole frames of `samples` (interleaved, the device's channel count, at
    /// the configured rate) as the ring has room for and returns how many it took; never blocks.
    /// Samples are resampled in place when the device plays at another rate (non-finite ones
    /// are zeroed first).
    ///
    /// # Errors
    ///
    /// The device's failure, once it failed; [`ErrorKind::WrongLength`] when `samples` is not a
    /// whole number of frames.
    pub fn write(&mut self, samples: &mut [f32]) -> Result<usize, Error> {
        if let Some(failure) = self.shared.failure() {
            return Err(failure);
        }
        let taken = queue(
            &mut self.producer,
            self.resampler.as_mut(),
            &mut self.staging,
            self.device.channels as usize,
            samples,
        )?;
        self.written_frames += taken as u64;
        Ok(taken)
    }

    /// Frames written and not yet played, at the device's rate.
    pub fn queued_frames(&self) -> usize {
        (self.producer.buffer().capacity() - self.producer.slots()) / self.device.channels as usize
    }

    /// `[written frames, played frames, underruns, underrun frames, xruns, device rate, device
    /// channels, device format (index in FORMATS), queued frames, running, failure status,
    /// resampler latency frames]`, as `sl_speaker_stats` reports them.
    pub fn to_array(&self) -> [f64; 12] {
        let s = &self.shared;
        [
            self.written_frames as f64,
            s.played_frames.load(Ordering::Relaxed) as f64,
            s.underruns.load(Ordering::Relaxed) as f64,
            s.underrun_frames.load(Ordering::Relaxed) as f64,
            s.xruns.load(Ordering::Relaxed) as f64,
            f64::from(self.device.rate),
            f64::from(self.device.channels),
            format_rank(self.device.format).map_or(-1.0, |i| i as f64),
            self.queued_frames() as f64,
            f64::from(u8::from(s.running.load(Ordering::Relaxed))),
            f64::from(s.failure().map_or(0, |e| e.status().code())),
            self.resampler
                .as_ref()
                .map_or(0.0, |r| r.latency_frames() as f64),
        ]
    }
}

/// Queues as many whole frames of `samples` (`channels` interleaved) on `producer` as it has
/// room for, through `resampler` when there is one (its output must fit, so fewer input frames
/// are taken), and returns the input frames taken.
fn queue(
    producer: &mut Producer<f32>,
    resampler: Option<&mut StreamResampler>,
    staging: &mut Vec<f32>,
    channels: usize,
    samples: &mut [f32],
) -> Result<usize, Error> {
    if samples.len() % channels != 0 {
        return Err(ErrorKind::WrongLength {
            what: "speaker samples (not a whole number of frames)",
            actual: samples.len() as u64,
            expected: (samples.len() / channels * channels) as u64,
        }
        .into());
    }
    let frames = samples.len() / channels;
    let free = producer.slots() / channels;
    let Some(resampler) = resampler else {
        let n = frames.min(free);
        push(producer, &samples[..n * channels]);
        return Ok(n);
    };
    let ratio = f64::from(resampler.input_rate()) / f64::from(resampler.output_rate());
    let mut n = frames.min((free as f64 * ratio) as usize);
    while n > 0 && resampler.output_bound(n) > free {
        n -= 1.max(n / 64);
    }
    if n == 0 {
        return Ok(0);
    }
    let bound = resampler.output_bound(n) * channels;
    if staging.len() < bound {
        staging.resize(bound, 0.0);
    }
    let out = resampler.process(&mut samples[..n * channels], staging)?;
    push(producer, &staging[..out * channels]);
    Ok(n)
}

/// Pushes `samples`, which fit (the caller checked the free slots).
fn push(producer: &mut Producer<f32>, samples: &[f32]) {
    if let Ok(mut chunk) = producer.write_chunk(samples.len()) {
        let (first, second) = chunk.as_mut_slices();
        let split = first.len();
        first.copy_from_slice(&samples[..split]);
        second.copy_from_slice(&samples[split..]);
        chunk.commit_all();
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        // Closing the channel ends the control thread's wait; it drops the stream.
        self.stop.take();
        if self.done.recv_timeout(CLOSE_TIMEOUT).is_err() {
            return; // the control thread finishes on its own once the device lets go
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(channels: u32, min_rate: u32, max_rate: u32, format: SampleFormat) -> DeviceRange {
        DeviceRange {
            channels,
            min_rate,
            max_rate,
            format,
        }
    }

    #[test]
    fn negotiate_prefers_the_exact_config_and_f32() {
        let ranges = [
            range(2, 8_000, 192_000, SampleFormat::I16),
            range(2, 8_000, 192_000, SampleFormat::F32),
            range(1, 8_000, 192_000, SampleFormat::I16),
        ];
        let got = negotiate(&ranges, None, 44_100, 2).unwrap();
        assert_eq!(
            (got.channels, got.rate, got.format),
            (2, 44_100, SampleFormat::F32)
        );
        let mono = negotiate(&ranges, None, 44_100, 1).unwrap();
        assert_eq!((mono.channels, mono.format), (1, SampleFormat::I16));
    }

    #[test]
    fn negotiate_takes_more_channels_then_fewer() {
        let ranges = [
            range(6, 48_000, 48_000, SampleFormat::I32),
            range(2, 48_000, 48_000, SampleFormat::I16),
        ];
        assert_eq!(negotiate(&ranges, None, 48_000, 1).unwrap().channels, 2);
        assert_eq!(negotiate(&ranges, None, 48_000, 4).unwrap().channels, 6);
        assert_eq!(negotiate(&ranges, None, 48_000, 8).unwrap().channels, 6);
    }

    #[test]
    fn negotiate_falls_back_to_the_default_then_the_closest_rate() {
        let ranges = [range(2, 44_100, 48_000, SampleFormat::I16)];
        let default = Negotiated {
            channels: 2,
            rate: 44_100,
            format: SampleFormat::I16,
        };
        assert_eq!(
            negotiate(&ranges, Some(default), 96_000, 2).unwrap().rate,
            44_100
        );
        assert_eq!(negotiate(&ranges, None, 96_000, 2).unwrap().rate, 48_000);
        assert_eq!(negotiate(&ranges, None, 8_000, 2).unwrap().rate, 44_100);
    }

    #[test]
    fn negotiate_refuses_devices_without_a_pcm_format() {
        let ranges = [range(2, 8_000, 48_000, SampleFormat::DsdU8)];
        assert_eq!(negotiate(&ranges, None, 48_000, 2), None);
        assert_eq!(negotiate(&[], None, 48_000, 2), None);
    }

    #[test]
    fn queue_resamples_to_the_device_rate_and_never_overfills_the_ring() {
        // 1 s of 44.1 kHz stereo for a device at 48 kHz, through a 100 ms ring drained in
        // 10 ms steps: every input frame is taken, and 48,000 frames (within one) come out, so no
        // resampled block was ever too big for the room left (a push that does not fit is lost).
        let (mut producer, mut consumer) = RingBuffer::<f32>::new(4_800 * 2);
        let mut resampler = StreamResampler::new(44_100, 48_000, 2, Quality::Balanced).unwrap();
        let mut staging = Vec::new();
        let mut input: Vec<f32> = (0..44_100 * 2).map(|i| (i % 200) as f32 / 400.0).collect();
        let (mut taken, mut played, mut refusals) = (0, 0, 0);
        while taken < 44_100 {
            let end = (taken + 1_000).min(44_100);
            let n = queue(
                &mut producer,
                Some(&mut resampler),
                &mut staging,
                2,
                &mut input[taken * 2..end * 2],
            )
            .unwrap();
            if n < end - taken {
                refusals += 1; // the ring is full: only part of the block was taken
            }
            taken += n;
            let drain = consumer.slots().min(480 * 2);
            consumer.read_chunk(drain).unwrap().commit_all();
            played += drain / 2;
        }
        played += consumer.slots() / 2;
        assert_eq!(taken, 44_100);
        assert!(played.abs_diff(48_000) <= 1, "{played} frames at 48 kHz");
        assert!(refusals > 0, "the ring filled up at least once");
        // A block that is not a whole number of frames is refused.
        assert!(queue(&mut producer, None, &mut staging, 2, &mut [0.0; 3]).is_err());
    }

    #[test]
    fn xrun_storm_needs_fifty_within_a_second() {
        let start = Instant::now();
        let mut storm = XrunStorm::default();
        // One every 30 ms never reaches 50 within a window.
        assert!((0..200).all(|i| !storm.note(start + Duration::from_millis(30 * i))));
        let mut storm = XrunStorm::default();
        let hits: Vec<bool> = (0..60)
            .map(|i| storm.note(start + Duration::from_millis(i)))
            .collect();
        assert_eq!(hits.iter().filter(|h| **h).count(), 1);
        assert!(hits[49]);
    }

    #[test]
    fn feeder_counts_underruns_after_playback_started() {
        let (mut producer, consumer) = RingBuffer::<f32>::new(16);
        let shared = Arc::new(SpeakerShared::default());
        let mut feeder = Feeder::new(consumer, 2, Arc::clone(&shared));
        let mut out = [1i16; 8];
        // Nothing played yet: silence, not an underrun.
        feeder.fill(&mut out);
        assert_eq!(out, [0; 8]);
        assert_eq!(shared.underruns(), 0);
        // Two frames, under the threshold (half the ring, 4 frames): they wait one callback...
        push(&mut producer, &[0.5, -0.5, 0.25, -0.25]);
        feeder.fill(&mut out);
        assert_eq!(out, [0; 8]);
        assert_eq!(shared.played_frames(), 0);
        // ...then play, since the writer added nothing for the threshold's time: a short sound is
        // not held back.
        feeder.fill(&mut out);
        assert_eq!(out, [16_384, -16_384, 8_192, -8_192, 0, 0, 0, 0]);
        assert_eq!(shared.played_frames(), 2);
        assert_eq!(shared.underruns(), 1);
        assert_eq!(shared.underrun_frames.load(Ordering::Relaxed), 2);
        // Still dry: the same gap goes on.
        feeder.fill(&mut out);
        assert_eq!(shared.underruns(), 1);
        assert_eq!(shared.underrun_frames.load(Ordering::Relaxed), 6);
        // The threshold reached: playing again, whole callbacks, then the next gap.
        push(&mut producer, &[0.0; 8]);
        feeder.fill(&mut out);
        assert_eq!(shared.played_frames(), 6);
        assert_eq!(shared.underruns(), 1);
        feeder.fill(&mut out);
        assert_eq!(shared.underruns(), 2);
    }
}
