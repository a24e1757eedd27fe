//! The fixtures misbehave exactly as the host's tests expect.

use streamlib_plugin::abi::{ProcessorEntry, STATUS_PANIC};
use streamlib_plugin::spec::validate_descriptor;
use streamlib_plugin::testing::{
    AlignedBuffer, Instance, audio_input, descriptor_value, output_slot, plugin_processors,
};
use streamlib_plugin_fixtures::{
    DropOdd, FAIL_CREATE_MESSAGE, FailCreate, PanicAfter, streamlib_plugin_entry,
};

fn entry(name: &str) -> &'static ProcessorEntry {
    // SAFETY: the descriptor comes from the crate's export_plugin!.
    let entries = unsafe { plugin_processors(streamlib_plugin_entry()) }.expect("valid descriptor");
    entries
        .iter()
        // SAFETY: descriptor JSON written by export_plugin!.
        .find(|e| unsafe { descriptor_value(e) }["name"] == name)
        .unwrap_or_else(|| panic!("no processor {name}"))
}

#[test]
fn descriptors_are_valid() {
    assert_eq!(validate_descriptor::<PanicAfter>(), Ok(()));
    assert_eq!(validate_descriptor::<FailCreate>(), Ok(()));
    assert_eq!(validate_descriptor::<DropOdd>(), Ok(()));
    // SAFETY: descriptor JSON written by export_plugin!.
    let panic_after = unsafe { descriptor_value(entry("PanicAfter")) };
    assert_eq!(panic_after["config"]["properties"]["frames"]["default"], 3);
    assert_eq!(panic_after["inputs"][0]["type"], "AudioFrame<2>");
    // SAFETY: as above.
    let fail_create = unsafe { descriptor_value(entry("FailCreate")) };
    assert_eq!(fail_create["inputs"][0]["type"], "VideoFrame");
}

#[test]
fn panic_after_passes_audio_then_panics_at_frame_n() {
    // SAFETY: an entry from export_plugin!.
    let mut processor =
        unsafe { Instance::create(entry("PanicAfter"), r#"{"frames": 2}"#) }.unwrap();
    let samples = [0.25, -0.5, 0.75, 1.0];
    let mut input = AlignedBuffer::from_f32(&samples);
    let mut output = AlignedBuffer::zeroed(64);
    let inputs = [audio_input(&mut input, 2, 48_000.0, 2)];
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    unsafe { processor.process(&inputs, &mut outputs) }.expect("first call passes");
    assert_eq!(outputs[0].length, 16);
    assert_eq!(output.f32s(4), samples);

    let mut outputs = [output_slot(&mut output)];
    // SAFETY: as above.
    let (status, message) = unsafe { processor.process(&inputs, &mut outputs) }.unwrap_err();
    assert_eq!(status, STATUS_PANIC);
    assert_eq!(message, "panicked: PanicAfter: deliberate panic at frame 2");
    assert_eq!(outputs[0].length, 0);
}

#[test]
fn panic_after_defaults_to_frame_3() {
    // SAFETY: an entry from export_plugin!.
    let mut processor = unsafe { Instance::create(entry("PanicAfter"), "{}") }.unwrap();
    for call in 1..=3 {
        // SAFETY: no frames at all.
        let result = unsafe { processor.process(&[], &mut []) };
        assert_eq!(result.is_err(), call == 3, "call {call}");
    }
}

#[test]
fn fail_create_refuses_to_start() {
    // SAFETY: an entry from export_plugin!.
    let refused = unsafe { Instance::create(entry("FailCreate"), "{}") }.err();
    assert_eq!(refused.as_deref(), Some(FAIL_CREATE_MESSAGE));
    assert_eq!(
        FAIL_CREATE_MESSAGE,
        "FailCreate: refused to start (deliberate)"
    );
}

#[test]
fn drop_odd_counts_every_second_block_as_dropped() {
    // SAFETY: an entry from export_plugin!.
    let mut processor = unsafe { Instance::create(entry("DropOdd"), "{}") }.unwrap();
    let samples = [0.25, -0.5, 0.75, 1.0];
    let mut input = AlignedBuffer::from_f32(&samples);
    let mut output = AlignedBuffer::zeroed(64);
    let inputs = [audio_input(&mut input, 2, 48_000.0, 2)];
    let mut seen = Vec::new();
    for _ in 0..4 {
        let mut outputs = [output_slot(&mut output)];
        // SAFETY: the views describe live, disjoint buffers.
        unsafe { processor.process(&inputs, &mut outputs) }.expect("passes or drops");
        seen.push((outputs[0].length, processor.last_dropped()));
    }
    assert_eq!(seen, [(16, 0), (0, 1), (16, 0), (0, 1)]);
}
