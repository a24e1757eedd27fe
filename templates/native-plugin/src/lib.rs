//! `{{pascal}}`: a streamlib native plugin with one processor, written with the `streamlib_plugin`
//! SDK (plugin ABI 2).
//!
//! `cargo build --release` builds `target/release/lib{{snake}}.so` (`.dylib` on macOS); load it
//! with `NativePlugin.load(path)` and `rt.use(plugin)`, or list it in a plugin folder.

#![deny(missing_docs)]

use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};

/// Multiplies every sample of a stereo stream by `gain` (0 to 16, default 1), and counts a block
/// it had no output slot for as dropped.
pub struct {{pascal}} {
    gain: f32,
}

/// JSON Schema of [`{{pascal}}`]'s config: the runtime validates every node's config against it
/// and shows it in `describe()`, the dashboard and MCP.
const CONFIG_SCHEMA: &str = r#"{
    "type": "object",
    "properties": {
        "gain": {
            "description": "Linear factor applied to every sample.",
            "type": "number",
            "minimum": 0,
            "maximum": 16,
            "default": 1
        }
    },
    "additionalProperties": false
}"#;

impl NativeProcessor for {{pascal}} {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "{{pascal}}",
                description: "Multiplies every sample of a stereo stream by a constant factor.",
                tags: &["audio", "filter"],
                inputs: &[PortSpec::input(
                    "in",
                    "AudioFrame<2>",
                    "Stereo audio.",
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
            return Err(format!("{{pascal}}: gain {gain} is outside 0 to 16"));
        }
        Ok(Self { gain: gain as f32 })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        let audio = input.audio()?;
        let Some(mut out) = frames.output(0) else {
            frames.count_dropped(1); // nothing connected, or no frame memory: say so in stats
            return Ok(());
        };
        let gain = self.gain;
        out.emit_audio(audio.layout(), audio.timing(), |samples| {
            for (o, i) in samples.iter_mut().zip(audio.samples) {
                *o = i * gain;
            }
        })?;
        Ok(())
    }
}

streamlib_plugin::export_plugin!(
    name = "{{snake}}",
    version = env!("CARGO_PKG_VERSION"),
    processors = [{{pascal}}],
);
