//! The generated entry and trampolines, called as the host calls them: through the descriptor's
//! function pointers, with frame views over real buffers.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

use streamlib_plugin::abi::{
    ErrorBuffer, FrameView, ProcessCall, ProcessorEntry, STATUS_ERROR, STATUS_OK, STATUS_PANIC,
};
use streamlib_plugin::format::{PixelFormat, VideoLayout, audio_tag, video_tag};
use streamlib_plugin::spec::validate_descriptor;
use streamlib_plugin::testing::{
    AlignedBuffer, ErrorText, Instance, audio_input, c_text, descriptor_value, output_slot,
    plugin_processors, video_input,
};
use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};

/// Scales mono audio; panics when a sample is NaN; fails on a negative config `scale`.
struct Scale {
    scale: f32,
}

impl NativeProcessor for Scale {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "Scale",
                description: "Scales mono audio.",
                tags: &["audio", "test"],
                inputs: &[PortSpec::input("in", "AudioFrame<1>", "Audio.", true)],
                outputs: &[PortSpec::output("out", "AudioFrame<1>", "Scaled audio.")],
                config_schema: r#"{"type": "object", "properties": {"scale": {"type": "number", "default": 2}}}"#,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let scale = config.f64_or("scale", 2.0)?;
        if scale < 0.0 {
            return Err(format!("Scale: scale {scale} is négatif ✗"));
        }
        if scale == 13.0 {
            panic!("unlucky scale");
        }
        Ok(Self {
            scale: scale as f32,
        })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        let Some(input) = frames.input(0) else {
            return Ok(());
        };
        let audio = input.audio()?;
        let Some(mut out) = frames.output(0) else {
            return Ok(());
        };
        let scale = self.scale;
        out.emit_audio(audio.layout(), audio.timing(), |samples| {
            for (o, i) in samples.iter_mut().zip(audio.samples) {
                assert!(!i.is_nan(), "NaN sample in {}", "Scale");
                *o = i * scale;
            }
        })?;
        Ok(())
    }
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

/// Emits a video frame as large as its config says; counts drops.
struct Grow {
    layout: VideoLayout,
}

impl Drop for Grow {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

impl NativeProcessor for Grow {
    fn descriptor() -> ProcessorSpec {
        const {
            ProcessorSpec {
                name: "Grow",
                description: "Emits grey RGBA frames.",
                tags: &[],
                inputs: &[],
                outputs: &[PortSpec::output("out", "VideoFrame", "Grey video.")],
                config_schema: r#"{"type": "object", "properties": {"width": {"type": "integer", "default": 2}}}"#,
            }
        }
    }

    fn create(config: &Config) -> Result<Self, String> {
        let width = config.u32_or("width", 2)?;
        Ok(Self {
            layout: VideoLayout::packed(PixelFormat::Rgba, width, 2),
        })
    }

    fn process(&mut self, frames: &mut Frames<'_>) -> Result<(), String> {
        if let Some(mut out) = frames.output(0) {
            let timing = streamlib_plugin::Timing {
                timestamp_ns: 1.0,
                frame_number: 2.0,
            };
            out.emit_video(self.layout, timing, |bytes| bytes.fill(128))?;
        }
        Ok(())
    }
}

streamlib_plugin::export_plugin!(
    name = "sdk_test_plugin",
    version = "9.9.9",
    processors = [Scale, Grow],
);

fn entries() -> &'static [ProcessorEntry] {
    // SAFETY: the descriptor comes from export_plugin! above.
    unsafe { plugin_processors(streamlib_plugin_entry()) }.expect("valid descriptor")
}

fn scale_entry() -> &'static ProcessorEntry {
    &entries()[0]
}

fn grow_entry() -> &'static ProcessorEntry {
    &entries()[1]
}

#[test]
fn the_entry_describes_the_plugin_once() {
    assert_eq!(validate_descriptor::<Scale>(), Ok(()));
    assert_eq!(validate_descriptor::<Grow>(), Ok(()));
    let first = streamlib_plugin_entry();
    assert_eq!(first, streamlib_plugin_entry(), "one static descriptor");
    // SAFETY: a static descriptor from export_plugin!.
    let plugin = unsafe { &*first };
    // SAFETY: its strings are NUL-terminated and static.
    let (name, version) = unsafe { (c_text(plugin.name), c_text(plugin.version)) };
    assert_eq!((name, version), ("sdk_test_plugin", "9.9.9"));
    // SAFETY: the entry's descriptor JSON is a static C string.
    let json = unsafe { descriptor_value(scale_entry()) };
    assert_eq!(
        json,
        serde_json::from_str::<serde_json::Value>(&Scale::descriptor().to_json()).unwrap()
    );
    assert_eq!(json["name"], "Scale");
    assert_eq!(json["inputs"][0]["required"], true);
    assert_eq!(json["outputs"][0].get("required"), None);
    assert_eq!(json["config"]["properties"]["scale"]["default"], 2);
}

#[test]
fn process_runs_over_real_buffers() {
    // SAFETY: an entry from export_plugin!.
    let mut scale = unsafe { Instance::create(scale_entry(), r#"{"scale": 0.5}"#) }.unwrap();
    let mut input = AlignedBuffer::from_f32(&[1.0, -2.0, 4.0]);
    let mut output = AlignedBuffer::zeroed(4096);
    let mut inputs = [audio_input(&mut input, 1, 16_000.0, 3)];
    inputs[0].timestamp_ns = 123.0;
    inputs[0].frame_number = 7.0;
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    unsafe { scale.process(&inputs, &mut outputs) }.unwrap();
    let out = outputs[0];
    assert_eq!(
        (out.tag, out.length, out.frame_count, out.sample_rate),
        (audio_tag(1), 12, 3, 16_000.0)
    );
    assert_eq!((out.timestamp_ns, out.frame_number), (123.0, 7.0));
    assert_eq!(output.f32s(3), [0.5, -1.0, 2.0]);

    // No frame on the input: nothing is emitted, even if the host left a stale length.
    let mut outputs = [FrameView {
        length: 77,
        ..output_slot(&mut output)
    }];
    // SAFETY: as above.
    unsafe { scale.process(&[FrameView::EMPTY], &mut outputs) }.unwrap();
    assert_eq!(outputs[0].length, 0);
}

#[test]
fn a_panic_becomes_status_panic_with_its_message() {
    // SAFETY: an entry from export_plugin!.
    let mut scale = unsafe { Instance::create(scale_entry(), "{}") }.unwrap();
    let mut input = AlignedBuffer::from_f32(&[1.0, f32::NAN]);
    let mut output = AlignedBuffer::zeroed(64);
    let inputs = [audio_input(&mut input, 1, 48_000.0, 2)];
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    let (status, message) = unsafe { scale.process(&inputs, &mut outputs) }.unwrap_err();
    assert_eq!(status, STATUS_PANIC);
    assert_eq!(message, "panicked: NaN sample in Scale");
    assert_eq!(outputs[0].length, 0, "a panicked call emits nothing");

    // A panic in create: null instance, message.
    // SAFETY: an entry from export_plugin!.
    let refused = unsafe { Instance::create(scale_entry(), r#"{"scale": 13}"#) }
        .err()
        .unwrap();
    assert_eq!(refused, "panicked: unlucky scale");
}

#[test]
fn create_errors_are_reported_and_truncated_at_a_character_boundary() {
    // SAFETY: an entry from export_plugin!.
    let refused = unsafe { Instance::create(scale_entry(), r#"{"scale": -1}"#) }
        .err()
        .unwrap();
    assert_eq!(refused, "Scale: scale -1 is négatif ✗");
    // SAFETY: as above.
    let bad = unsafe { Instance::create(scale_entry(), r#"{"scale": "big"}"#) }
        .err()
        .unwrap();
    assert_eq!(bad, r#"config 'scale': expected a number, found "big""#);
    // SAFETY: as above.
    let not_json = unsafe { Instance::create(scale_entry(), "{") }
        .err()
        .unwrap();
    assert!(
        not_json.starts_with("config is not valid JSON"),
        "{not_json}"
    );

    // "Scale: scale -1 is n" is 20 bytes; "é" would need bytes 21 and 22.
    for (capacity, expected) in [
        (21, "Scale: scale -1 is n"),
        (22, "Scale: scale -1 is né"),
        (0, ""),
    ] {
        let mut error = ErrorText::new(capacity);
        let config = br#"{"scale": -1}"#;
        // SAFETY: the config bytes and error buffer are live for the call.
        let instance = unsafe {
            (scale_entry().create)(config.as_ptr(), config.len() as u32, error.as_mut_ptr())
        };
        assert!(instance.is_null());
        assert_eq!(error.message(), expected);
    }

    // A null error buffer is tolerated.
    // SAFETY: a null config with length 0 is an empty config; a null error buffer is allowed.
    let instance = unsafe { (scale_entry().create)(std::ptr::null(), 0, std::ptr::null_mut()) };
    assert!(!instance.is_null());
    // SAFETY: created above, destroyed once.
    unsafe { (scale_entry().destroy)(instance) };
}

#[test]
fn undersized_outputs_are_errors() {
    // 8x2 RGBA needs 64 bytes.
    // SAFETY: an entry from export_plugin!.
    let mut grow = unsafe { Instance::create(grow_entry(), r#"{"width": 8}"#) }.unwrap();
    let mut output = AlignedBuffer::zeroed(63);
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the view describes a live buffer.
    let (status, message) = unsafe { grow.process(&[], &mut outputs) }.unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert_eq!(
        message,
        "output 'out' has room for 63 bytes, but the frame needs 64"
    );
    assert_eq!(outputs[0].length, 0);

    let mut output = AlignedBuffer::zeroed(64);
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: as above.
    unsafe { grow.process(&[], &mut outputs) }.unwrap();
    assert_eq!(outputs[0].tag, video_tag(PixelFormat::Rgba));
    assert_eq!(
        (
            outputs[0].width,
            outputs[0].height,
            outputs[0].stride,
            outputs[0].length
        ),
        (8, 2, 32, 64)
    );
    assert!(output.bytes().iter().all(|&b| b == 128));

    // An unconnected output (null data) is skipped.
    let mut outputs = [FrameView::EMPTY];
    // SAFETY: no payloads.
    unsafe { grow.process(&[], &mut outputs) }.unwrap();
    assert_eq!(outputs[0].length, 0);
}

#[test]
fn wrong_frames_are_errors_not_ub() {
    // SAFETY: an entry from export_plugin!.
    let mut scale = unsafe { Instance::create(scale_entry(), "{}") }.unwrap();
    let mut video = AlignedBuffer::zeroed(16);
    let inputs = [video_input(&mut video, PixelFormat::Rgba, 2, 2, 8)];
    // SAFETY: the view describes a live buffer.
    let (status, message) = unsafe { scale.process(&inputs, &mut []) }.unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert_eq!(
        message,
        "input 'in' carries video (tag 0x1000000), expected audio"
    );

    // An input claiming more samples than its payload holds.
    let mut audio = AlignedBuffer::from_f32(&[1.0, 2.0]);
    let mut inputs = [audio_input(&mut audio, 1, 48_000.0, 2)];
    inputs[0].frame_count = 1000;
    // SAFETY: the view's data and length still describe the live buffer.
    let (_, message) = unsafe { scale.process(&inputs, &mut []) }.unwrap_err();
    assert_eq!(
        message,
        "input 'in' has 8 payload bytes, but its metadata describe 4000"
    );
}

#[test]
fn bad_calls_from_the_host_are_refused() {
    let process = scale_entry().process;
    let mut error = ErrorText::new(256);
    // SAFETY: a null instance must be refused without being touched.
    let status = unsafe {
        process(
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            error.as_mut_ptr(),
        )
    };
    assert_eq!(status, STATUS_ERROR);
    assert!(
        error.message().contains("null or misaligned instance"),
        "{}",
        error.message()
    );

    let mut error_buffer = ErrorBuffer {
        bytes: std::ptr::null_mut(),
        capacity: 0,
        length: 0,
    };
    // SAFETY: an entry from export_plugin!.
    let instance: *mut c_void =
        unsafe { (scale_entry().create)(b"{}".as_ptr(), 2, &mut error_buffer) };
    let mut call = ProcessCall {
        inputs: std::ptr::null(),
        input_count: 3,
        outputs: std::ptr::null_mut(),
        output_count: 0,
        dropped: 0,
        next_call_in_ns: 0,
    };
    // SAFETY: the null input array with a non-zero count must be refused.
    let status = unsafe { process(instance, &mut call, error.as_mut_ptr()) };
    assert_eq!(status, STATUS_ERROR);
    assert!(
        error
            .message()
            .contains("3 inputs at a null or misaligned pointer"),
        "{}",
        error.message()
    );
    // SAFETY: a null call must be refused.
    let status = unsafe { process(instance, std::ptr::null_mut(), error.as_mut_ptr()) };
    assert_eq!(status, STATUS_ERROR);

    // The same slot as input and output is refused rather than aliased.
    let mut buffer = AlignedBuffer::from_f32(&[1.0, 2.0]);
    let inputs = [audio_input(&mut buffer, 1, 48_000.0, 2)];
    let mut outputs = [output_slot(&mut buffer)];
    let mut call = ProcessCall {
        inputs: inputs.as_ptr(),
        input_count: 1,
        outputs: outputs.as_mut_ptr(),
        output_count: 1,
        dropped: 0,
        next_call_in_ns: 0,
    };
    // SAFETY: the overlap must be detected before any payload is touched.
    let status = unsafe { process(instance, &mut call, error.as_mut_ptr()) };
    assert_eq!(status, STATUS_ERROR);
    assert!(error.message().contains("overlaps"), "{}", error.message());
    // SAFETY: created above, destroyed once; null is a no-op.
    unsafe {
        (scale_entry().destroy)(instance);
        (scale_entry().destroy)(std::ptr::null_mut());
    }
}

#[test]
fn destroy_drops_the_instance() {
    let before = DROPS.load(Ordering::SeqCst);
    {
        // SAFETY: an entry from export_plugin!.
        let _grow = unsafe { Instance::create(grow_entry(), "{}") }.unwrap();
    }
    assert_eq!(DROPS.load(Ordering::SeqCst), before + 1);
    assert_eq!(STATUS_OK, 0);
}
