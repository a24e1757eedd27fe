//! `{{pascal}}` driven as streamlib drives it: through the exported entry and the descriptor's
//! function pointers, over aligned buffers.

use {{snake}}::{{{pascal}}, streamlib_plugin_entry};
use streamlib_plugin::abi::PLUGIN_ABI_VERSION;
use streamlib_plugin::format::audio_tag;
use streamlib_plugin::spec::validate_descriptor;
use streamlib_plugin::testing::{
    AlignedBuffer, Instance, audio_input, descriptor_value, output_slot, plugin_processors,
};

#[test]
fn the_plugin_describes_its_processor() {
    assert_eq!(validate_descriptor::<{{pascal}}>(), Ok(()));
    // SAFETY: a static descriptor from export_plugin!.
    let plugin = unsafe { &*streamlib_plugin_entry() };
    assert_eq!(plugin.abi_version, PLUGIN_ABI_VERSION);
    // SAFETY: as above.
    let entries = unsafe { plugin_processors(plugin) }.expect("valid descriptor");
    // SAFETY: descriptor JSON written by export_plugin!.
    let json = unsafe { descriptor_value(&entries[0]) };
    assert_eq!(json["name"], "{{pascal}}");
    assert_eq!(json["config"]["properties"]["gain"]["default"], 1);
}

#[test]
fn it_scales_audio_and_refuses_a_bad_gain() {
    // SAFETY: a static descriptor from export_plugin!.
    let entries = unsafe { plugin_processors(streamlib_plugin_entry()) }.expect("valid");
    // SAFETY: an entry from export_plugin!.
    let mut node = unsafe { Instance::create(&entries[0], r#"{"gain": 0.5}"#) }.expect("created");
    let mut input = AlignedBuffer::from_f32(&[0.5, -1.0, 0.25, 1.0]);
    let mut output = AlignedBuffer::zeroed(64);
    let inputs = [audio_input(&mut input, 2, 48_000.0, 2)];
    let mut outputs = [output_slot(&mut output)];
    // SAFETY: the views describe live, disjoint buffers.
    unsafe { node.process(&inputs, &mut outputs) }.expect("scaled");
    assert_eq!((outputs[0].tag, outputs[0].length), (audio_tag(2), 16));
    assert_eq!(output.f32s(4), [0.25, -0.5, 0.125, 0.5]);

    // No output slot: the block is counted as dropped.
    let mut none = [streamlib_plugin::abi::FrameView::EMPTY];
    // SAFETY: as above; the output has no slot.
    unsafe { node.process(&inputs, &mut none) }.expect("dropped");
    assert_eq!(node.last_dropped(), 1);

    // SAFETY: an entry from export_plugin!.
    let refused = unsafe { Instance::create(&entries[0], r#"{"gain": 99}"#) }.err();
    assert_eq!(
        refused.as_deref(),
        Some("{{pascal}}: gain 99 is outside 0 to 16")
    );
}
