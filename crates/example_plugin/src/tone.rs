//! [`NativeTone`]: a source (plugin ABI 2) that makes a stereo sine tone in real time.

use std::time::{Duration, Instant};

use streamlib_plugin::{
    AudioLayout, Config, Frames, NativeProcessor, PortSpec, ProcessorSpec, Timing,
};

/// A stereo sine tone, one block per call, paced to real time by asking the host for the delay
/// until the next block is due ([`Frames::next_call_in`]). A source: it has no inputs, so the
/// host calls it on its own (plugin ABI 2). Timestamps count media time from the first block.
///
/// # Examples
///
/// ```
/// use streamlib_example_plugin::NativeTone;
/// use streamlib_plugin::{Config, NativeProcessor};
///
/// let high = Config::from_json(r#"{"frequency": 30000}"#).unwrap();
/// let error = NativeTone::create(&high).err().unwrap();
/// assert_eq!(error, "NativeTone: frequency 30000 Hz is not below half the sample rate (24000 Hz)");
/// ```
pub struct NativeTone {
    frequency: f64,
    amplitude: f32,
    sample_rate: f64,
    block: u32,
    phase: f64,
    blocks: u64,
    start: Option<Instant>,
}

/// JSON Schema of [`NativeTone`]'s config.
const CONFIG_SCHEMA: &str = r#"{
    "type": "object",
    "properties": {
        "frequency": {
            "description": "The tone's frequency in Hz, below half the sample rate.",
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 440
        },
        "amplitude": {
            "description": "Peak amplitude of both channels.",
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "default": 0.25
        },
        "sampleRate": {
            "description": "Samples per second.",
            "type": "integer",
            "minimum": 8000,
            "maximum": 192000,
            "default": 48000
        },
        "blockSize": {
            "description": "Samples per channel in each block.",
            "type": "integer",
            "minimum": 16,
            "maximum": 48000,
            "default": 480
        }
    },
    "additionalProperties": false
}"#;

impl NativeProcessor for NativeTone {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "NativeTone",
                description: "Makes a stereo sine tone in real time, one block per call. A source that runs in a native plugin.",
                tags: &["audio", "source", "native"],
                inputs: &[],
                outputs: &[PortSpec::output("audio", "AudioFrame<2>", "The tone.")],
                config_schema: CONFIG_SCHEMA,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let frequency = config.f64_or("frequency", 440.0)?;
        let sample_rate = f64::from(config.u32_or("sampleRate", 48_000)?);
        if !(frequency > 0.0 && frequency < sample_rate / 2.0) {
            return Err(format!(
                "NativeTone: frequency {frequency} Hz is not below half the sample rate ({} Hz)",
                sample_rate / 2.0
            ));
        }
        Ok(Self {
            frequency,
            amplitude: config.f64_or("amplitude", 0.25)? as f32,
            sample_rate,
            block: config.u32_or("blockSize", 480)?,
            phase: 0.0,
            blocks: 0,
            start: None,
        })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let now = Instant::now();
        let start = *self.start.get_or_insert(now);
        let block_ns = f64::from(self.block) / self.sample_rate * 1e9;
        let layout = AudioLayout {
            channels: 2,
            sample_rate: self.sample_rate,
            frame_count: self.block,
        };
        let timing = Timing {
            timestamp_ns: (self.blocks as f64 * block_ns).round(),
            frame_number: self.blocks as f64,
        };
        let step = std::f64::consts::TAU * self.frequency / self.sample_rate;
        let (mut phase, amplitude) = (self.phase, self.amplitude);
        if let Some(mut out) = frames.output(0) {
            out.emit_audio(layout, timing, |samples| {
                for frame in samples.chunks_exact_mut(2) {
                    let value = phase.sin() as f32 * amplitude;
                    frame.fill(value);
                    phase = (phase + step) % std::f64::consts::TAU;
                }
            })?;
        } else {
            // No slot (nothing connected, or no frame memory): the tone's time goes on.
            phase = (phase + step * f64::from(self.block)) % std::f64::consts::TAU;
        }
        self.phase = phase;
        self.blocks += 1;
        let due = start + Duration::from_nanos((self.blocks as f64 * block_ns) as u64);
        frames.next_call_in(due.saturating_duration_since(now));
        Ok(())
    }
}
