//! [`NativeGain`]: multiplies stereo audio by a constant.

use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};

/// Multiplies every sample of a stereo stream by `gain` (0 to 16, default 1): the native twin of
/// streamlib's built-in TypeScript `Gain`, with bit-identical output (each sample is multiplied
/// in `f64` and rounded to `f32`, as `Float32Array` arithmetic in JavaScript does).
///
/// # Examples
///
/// ```
/// use streamlib_example_plugin::NativeGain;
/// use streamlib_plugin::{Config, NativeProcessor};
///
/// let loud = Config::from_json(r#"{"gain": 32}"#).unwrap();
/// let error = NativeGain::create(&loud).err().unwrap();
/// assert_eq!(error, "NativeGain: gain 32 is outside 0 to 16");
/// ```
pub struct NativeGain {
    gain: f64,
}

/// JSON Schema of [`NativeGain`]'s config.
const CONFIG_SCHEMA: &str = r#"{
    "type": "object",
    "properties": {
        "gain": {
            "description": "Linear factor applied to every sample; 1 leaves the audio unchanged.",
            "type": "number",
            "minimum": 0,
            "maximum": 16,
            "default": 1
        }
    },
    "additionalProperties": false
}"#;

impl NativeProcessor for NativeGain {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "NativeGain",
                description: "Multiplies every sample of a stereo stream by a constant factor. Runs in a native plugin.",
                tags: &["audio", "filter", "native"],
                inputs: &[PortSpec::input(
                    "in",
                    "AudioFrame<2>",
                    "Stereo audio to scale.",
                    true,
                )],
                outputs: &[PortSpec::output(
                    "out",
                    "AudioFrame<2>",
                    "The scaled audio.",
                )],
                config_schema: CONFIG_SCHEMA,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let gain = config.f64_or("gain", 1.0)?;
        if !(0.0..=16.0).contains(&gain) {
            return Err(format!("NativeGain: gain {gain} is outside 0 to 16"));
        }
        Ok(Self { gain })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        let audio = input.audio()?;
        let Some(mut out) = frames.output(0) else {
            return Ok(());
        };
        let gain = self.gain;
        out.emit_audio(audio.layout(), audio.timing(), |samples| {
            for (o, &i) in samples.iter_mut().zip(audio.samples) {
                *o = (f64::from(i) * gain) as f32;
            }
        })?;
        Ok(())
    }
}
