//! The example plugin driven as the host drives it: through the exported
//! `streamlib_plugin_entry` and the descriptor's function pointers, over aligned buffers.

use streamlib_example_plugin::{NativeGain, NativeInvert, NativeTone, streamlib_plugin_entry};
use streamlib_plugin::abi::{FrameView, ProcessorEntry, STATUS_ERROR};
use streamlib_plugin::format::{PixelFormat, audio_tag, video_tag};
use streamlib_plugin::spec::validate_descriptor;
use streamlib_plugin::testing::{
    AlignedBuffer, Instance, audio_input, c_text, descriptor_value, output_slot, plugin_processors,
    video_input,
};

fn entry(name: &str) -> &'static ProcessorEntry {
    // SAFETY: the descriptor comes from the plugin's export_plugin!.
    let entries = unsafe { plugin_processors(streamlib_plugin_entry()) }.expect("valid descriptor");
    entries
        .iter()
        // SAFETY: descriptor JSON written by export_plugin!.
        .find(|e| unsafe { descriptor_value(e) }["name"] == name)
        .unwrap_or_else(|| panic!("no processor {name}"))
}

fn create(name: &str, config: &str) -> Instance<'static> {
    // SAFETY: an entry from the plugin's export_plugin!.
    unsafe { Instance::create(entry(name), config) }.unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_descriptor_lists_the_processors() {
    assert_eq!(validate_descriptor::<NativeInvert>(), Ok(()));
    assert_eq!(validate_descriptor::<NativeGain>(), Ok(()));
    assert_eq!(validate_descriptor::<NativeTone>(), Ok(()));
    // SAFETY: a static descriptor from export_plugin!.
    let plugin = unsafe { &*streamlib_plugin_entry() };
    assert_eq!(plugin.processor_count, 3);
    // SAFETY: static NUL-terminated strings.
    assert_eq!(unsafe { c_text(plugin.name) }, "streamlib_example_plugin");
    // SAFETY: as above.
    assert_eq!(unsafe { c_text(plugin.version) }, env!("CARGO_PKG_VERSION"));

    // SAFETY: descriptor JSON written by export_plugin!.
    let invert = unsafe { descriptor_value(entry("NativeInvert")) };
    assert_eq!(invert["inputs"][0]["name"], "in");
    assert_eq!(invert["inputs"][0]["type"], "VideoFrame");
    assert_eq!(invert["inputs"][0]["required"], true);
    assert_eq!(invert["outputs"][0]["type"], "VideoFrame");
    assert_eq!(
        invert["config"]["properties"]["invert_alpha"]["default"],
        false
    );

    // SAFETY: as above.
    let gain = unsafe { descriptor_value(entry("NativeGain")) };
    assert_eq!(gain["inputs"][0]["type"], "AudioFrame<2>");
    assert_eq!(gain["outputs"][0]["type"], "AudioFrame<2>");
    let schema = &gain["config"]["properties"]["gain"];
    assert_eq!(
        (schema["minimum"].as_f64(), schema["maximum"].as_f64()),
        (Some(0.0), Some(16.0))
    );
    assert_eq!(schema["default"], 1);
}

/// A 2x2 frame with 4 bytes of row padding: stride 12.
fn padded_frame() -> Vec<u8> {
    vec![
        10, 20, 30, 40, 250, 0, 128, 255, 1, 2, 3, 4, // row 0 + padding
        0, 0, 0, 0, 255, 255, 255, 7, 9, 9, 9, 9, // row 1 + padding
    ]
}

fn invert(config: &str, format: PixelFormat) -> (FrameView, Vec<u8>) {
    let mut invert = create("NativeInvert", config);
    let mut input = AlignedBuffer::from_bytes(&padded_frame());
    let mut output = AlignedBuffer::zeroed(1024);
    let mut inputs = [video_input(&mut input, format, 2, 2, 12)];
    inputs[0].timestamp_ns = 5e9;
    inputs[0].frame_number = 150.0;
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    unsafe { invert.process(&inputs, &mut outputs) }.expect("inverted");
    let length = outputs[0].length as usize;
    (outputs[0], output.bytes()[..length].to_vec())
}

#[test]
fn native_invert_inverts_colour_and_keeps_alpha() {
    let (view, bytes) = invert("{}", PixelFormat::Rgba);
    assert_eq!(view.tag, video_tag(PixelFormat::Rgba));
    assert_eq!(
        (view.width, view.height, view.stride, view.length),
        (2, 2, 12, 24)
    );
    assert_eq!((view.timestamp_ns, view.frame_number), (5e9, 150.0));
    assert_eq!(
        bytes,
        [
            245, 235, 225, 40, 5, 255, 127, 255, 1, 2, 3, 4, //
            255, 255, 255, 0, 0, 0, 0, 7, 9, 9, 9, 9,
        ]
    );
    // BGRA: the same bytes (colour bytes are inverted whatever their order), tag kept.
    let (view, bgra) = invert("{}", PixelFormat::Bgra);
    assert_eq!(view.tag, video_tag(PixelFormat::Bgra));
    assert_eq!(bgra, bytes);
}

#[test]
fn native_invert_can_invert_alpha() {
    let (_, bytes) = invert(r#"{"invert_alpha": true}"#, PixelFormat::Rgba);
    assert_eq!(&bytes[..8], [245, 235, 225, 215, 5, 255, 127, 0]);
    assert_eq!(
        &bytes[8..12],
        [1, 2, 3, 4],
        "padding is copied, not inverted"
    );
}

#[test]
fn native_invert_refuses_yuv_by_name() {
    let mut invert = create("NativeInvert", "{}");
    let mut input = AlignedBuffer::zeroed(64);
    let inputs = [video_input(&mut input, PixelFormat::I420, 4, 4, 4)];
    let mut output = AlignedBuffer::zeroed(64);
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    let (status, message) = unsafe { invert.process(&inputs, &mut outputs) }.unwrap_err();
    assert_eq!(status, STATUS_ERROR);
    assert_eq!(
        message,
        "NativeInvert cannot invert I420 video: it supports RGBA and BGRA"
    );
    assert_eq!(outputs[0].length, 0);
}

#[test]
fn native_invert_skips_an_unconnected_output() {
    let mut invert = create("NativeInvert", "{}");
    let mut input = AlignedBuffer::from_bytes(&padded_frame());
    let inputs = [video_input(&mut input, PixelFormat::Rgba, 2, 2, 12)];
    let mut outputs = [FrameView::EMPTY];
    // SAFETY: the input view describes a live buffer; the output has none.
    unsafe { invert.process(&inputs, &mut outputs) }.expect("nothing to do");
    assert_eq!(outputs[0].length, 0);
}

#[test]
fn native_gain_scales_like_the_typescript_gain() {
    let samples = [0.5, -0.25, 1.0, 0.1, -1.0, 0.333];
    for gain in [0.0, 0.3, 1.0, 2.5, 16.0] {
        let mut processor = create("NativeGain", &format!(r#"{{"gain": {gain}}}"#));
        let mut input = AlignedBuffer::from_f32(&samples);
        let mut output = AlignedBuffer::zeroed(4096);
        let mut inputs = [audio_input(&mut input, 2, 48_000.0, 3)];
        inputs[0].timestamp_ns = 1e6;
        inputs[0].frame_number = 4.0;
        let mut outputs = [output_slot(&mut output)];
        // SAFETY: the views describe live, disjoint buffers.
        unsafe { processor.process(&inputs, &mut outputs) }.expect("scaled");
        let view = outputs[0];
        assert_eq!(
            (view.tag, view.length, view.frame_count),
            (audio_tag(2), 24, 3)
        );
        assert_eq!(
            (view.sample_rate, view.timestamp_ns, view.frame_number),
            (48_000.0, 1e6, 4.0)
        );
        // `dst[i] = src[i] * gain` on a Float32Array: an f64 product rounded to f32.
        let expected: Vec<f32> = samples
            .iter()
            .map(|&s| (f64::from(s) * gain) as f32)
            .collect();
        assert_eq!(output.f32s(6), expected, "gain {gain}");
    }
}

#[test]
fn native_gain_defaults_to_unity_and_checks_its_range() {
    let mut processor = create("NativeGain", "{}");
    let samples = [0.1, 0.2, -0.3, 0.4];
    let mut input = AlignedBuffer::from_f32(&samples);
    let mut output = AlignedBuffer::zeroed(64);
    let inputs = [audio_input(&mut input, 2, 44_100.0, 2)];
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    unsafe { processor.process(&inputs, &mut outputs) }.expect("copied");
    assert_eq!(output.f32s(4), samples);

    // SAFETY: an entry from export_plugin!.
    let refused = unsafe { Instance::create(entry("NativeGain"), r#"{"gain": -1}"#) }.err();
    assert_eq!(
        refused.as_deref(),
        Some("NativeGain: gain -1 is outside 0 to 16")
    );
    // SAFETY: as above.
    let refused = unsafe { Instance::create(entry("NativeGain"), r#"{"gain": "loud"}"#) }.err();
    assert_eq!(
        refused.as_deref(),
        Some(r#"config 'gain': expected a number, found "loud""#)
    );
}

#[test]
fn native_tone_is_a_source_paced_to_real_time() {
    // SAFETY: descriptor JSON written by export_plugin!.
    let tone = unsafe { descriptor_value(entry("NativeTone")) };
    assert_eq!(tone["inputs"].as_array().map(Vec::len), Some(0));
    assert_eq!(tone["outputs"][0]["type"], "AudioFrame<2>");

    let mut processor = create("NativeTone", r#"{"frequency": 1000, "blockSize": 480}"#);
    let mut output = AlignedBuffer::zeroed(480 * 2 * 4 + 64);
    for block in 0..3u32 {
        let mut outputs = [output_slot(&mut output)];
        // SAFETY: the output view describes a live buffer; a source has no inputs.
        unsafe { processor.process(&[], &mut outputs) }.expect("a block");
        let view = outputs[0];
        assert_eq!((view.tag, view.frame_count), (audio_tag(2), 480));
        assert_eq!(view.timestamp_ns, f64::from(block) * 10e6);
        // Each block asks to be called again when the next one is due, counted from the first
        // call: called faster than real time here, block n waits at most (n + 1) * 10 ms.
        let wait = processor.last_next_call_in_ns();
        let bound = u64::from(block + 1) * 10_000_000;
        assert!(wait <= bound, "block {block} asked for {wait} ns");
    }
    // The first 10 samples of the last block (1 kHz at 48 kHz, both channels equal).
    let samples = output.f32s(20);
    let step = std::f64::consts::TAU * 1000.0 / 48_000.0;
    for (i, pair) in samples.chunks_exact(2).enumerate() {
        let expected = ((960 + i) as f64 * step).sin() as f32 * 0.25;
        assert_eq!(pair[0], pair[1], "sample {i}");
        assert!(
            (pair[0] - expected).abs() < 1e-5,
            "sample {i}: {} vs {expected}",
            pair[0]
        );
    }
}
