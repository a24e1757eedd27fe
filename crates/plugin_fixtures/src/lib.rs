//! Native plugin processors that misbehave on purpose, for the host's tests.
//!
//! Built with the SDK like any plugin (`libstreamlib_plugin_fixtures.so`):
//!
//! - [`PanicAfter`] passes stereo audio through and panics on its `frames`-th `process` call, so a
//!   host test can prove that a panic disables that processor alone.
//! - [`FailCreate`] refuses to be created, so a host test can check the node fails to start with
//!   the plugin's message.
//! - [`DropOdd`] passes every other block of stereo audio and counts the rest as dropped (plugin
//!   ABI 2's drop counter), so a host test can read them in the node's `framesDropped`.

use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};

/// The message [`FailCreate`]'s `create` returns.
pub const FAIL_CREATE_MESSAGE: &str = "FailCreate: refused to start (deliberate)";

/// Passes stereo audio through; panics with `PanicAfter: deliberate panic at frame N` on its
/// `N`-th `process` call (1-based; config `frames`, default 3).
pub struct PanicAfter {
    panic_at: u64,
    calls: u64,
}

/// JSON Schema of [`PanicAfter`]'s config.
const CONFIG_SCHEMA: &str = r#"{
    "type": "object",
    "properties": {
        "frames": {
            "description": "The 1-based process call that panics.",
            "type": "integer",
            "minimum": 1,
            "default": 3
        }
    },
    "additionalProperties": false
}"#;

impl NativeProcessor for PanicAfter {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "PanicAfter",
                description: "Test fixture: passes stereo audio through and panics on its N-th process call.",
                tags: &["audio", "test"],
                inputs: &[PortSpec::input(
                    "in",
                    "AudioFrame<2>",
                    "Stereo audio.",
                    true,
                )],
                outputs: &[PortSpec::output(
                    "out",
                    "AudioFrame<2>",
                    "The same audio, copied.",
                )],
                config_schema: CONFIG_SCHEMA,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let panic_at = config.u32_or("frames", 3)?;
        Ok(Self {
            panic_at: u64::from(panic_at),
            calls: 0,
        })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        self.calls += 1;
        if self.calls == self.panic_at {
            panic!("PanicAfter: deliberate panic at frame {}", self.calls);
        }
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        let audio = input.audio()?;
        if let Some(mut out) = frames.output(0) {
            out.emit_audio(audio.layout(), audio.timing(), |samples| {
                samples.copy_from_slice(audio.samples);
            })?;
        }
        Ok(())
    }
}

/// A video sink whose `create` always fails with [`FAIL_CREATE_MESSAGE`].
pub struct FailCreate;

impl NativeProcessor for FailCreate {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "FailCreate",
                description: "Test fixture: a video sink that refuses to be created.",
                tags: &["video", "test"],
                inputs: &[PortSpec::input(
                    "in",
                    "VideoFrame",
                    "Video that is never read.",
                    true,
                )],
                outputs: &[],
                config_schema: r#"{"type": "object", "properties": {}, "additionalProperties": false}"#,
            }
        }
    }

    fn create(_config: &Config) -> Result<Self, String> {
        Err(FAIL_CREATE_MESSAGE.to_owned())
    }

    fn process(&mut self, _frames: &mut Frames<'_>) -> Result<(), String> {
        Ok(())
    }
}

/// Passes the 1st, 3rd, 5th, ... block of stereo audio and drops the others, counting each with
/// [`Frames::count_dropped`].
pub struct DropOdd {
    calls: u64,
}

impl NativeProcessor for DropOdd {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "DropOdd",
                description: "Test fixture: passes every other block of stereo audio and counts the rest as dropped.",
                tags: &["audio", "test"],
                inputs: &[PortSpec::input(
                    "in",
                    "AudioFrame<2>",
                    "Stereo audio.",
                    true,
                )],
                outputs: &[PortSpec::output(
                    "out",
                    "AudioFrame<2>",
                    "Every other block.",
                )],
                config_schema: r#"{"type": "object", "properties": {}, "additionalProperties": false}"#,
            }
        }
    }

    fn create(_config: &Config) -> Result<Self, String> {
        Ok(Self { calls: 0 })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        self.calls += 1;
        if self.calls % 2 == 0 {
            frames.count_dropped(1);
            return Ok(());
        }
        let audio = input.audio()?;
        if let Some(mut out) = frames.output(0) {
            out.emit_audio(audio.layout(), audio.timing(), |samples| {
                samples.copy_from_slice(audio.samples);
            })?;
        }
        Ok(())
    }
}

streamlib_plugin::export_plugin!(
    name = "streamlib_plugin_fixtures",
    version = env!("CARGO_PKG_VERSION"),
    processors = [PanicAfter, FailCreate, DropOdd],
);
