//! A native plugin library built for plugin ABI version 1.
//!
//! Plugin ABI 2 kept version 1's descriptor, processor entry and frame view, and appended fields
//! to the `ProcessCall` (`dropped`, `next_call_in_ns`), so a host of version 2 still loads a
//! version 1 plugin: the plugin reads the prefix it knows. This crate is such a plugin, written by
//! hand against the version 1 layout (the SDK's `export_plugin!` always writes the current
//! version), with one processor, `Abi1Halve`, that halves stereo audio.

use std::ffi::c_void;

use streamlib_plugin::abi::{
    ErrorBuffer, FrameView, PluginDescriptor, ProcessCall, ProcessorEntry, STATUS_ERROR, STATUS_OK,
};

/// The version this fixture was "built" for.
pub const ABI_VERSION_1: u32 = 1;

/// `ProcessCall` as plugin ABI version 1 defined it: without the fields version 2 appended.
#[repr(C)]
struct ProcessCallV1 {
    inputs: *const FrameView,
    input_count: u32,
    outputs: *mut FrameView,
    output_count: u32,
}

/// A descriptor in a `static`: its pointers are to `'static` data.
#[repr(transparent)]
struct StaticDescriptor(PluginDescriptor);

// SAFETY: the descriptor is never written, and its pointers are to immutable 'static data.
unsafe impl Sync for StaticDescriptor {}

/// The processor table in a `static`.
#[repr(transparent)]
struct StaticEntry(ProcessorEntry);

// SAFETY: as for StaticDescriptor.
unsafe impl Sync for StaticEntry {}

const DESCRIPTOR_JSON: &std::ffi::CStr = c"{\"name\":\"Abi1Halve\",\"description\":\"Test fixture: halves stereo audio, from a plugin built for plugin ABI 1.\",\"tags\":[\"audio\",\"test\"],\"inputs\":[{\"name\":\"in\",\"type\":\"AudioFrame<2>\",\"description\":\"Stereo audio.\",\"required\":true}],\"outputs\":[{\"name\":\"out\",\"type\":\"AudioFrame<2>\",\"description\":\"The audio at half level.\"}],\"config\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}}";

/// The one instance state: nothing (a non-null pointer is all the host needs).
struct Halve;

unsafe extern "C" fn create(
    _config: *const u8,
    _len: u32,
    _error: *mut ErrorBuffer,
) -> *mut c_void {
    Box::into_raw(Box::new(Halve)).cast()
}

fn fail(error: *mut ErrorBuffer, message: &str) -> i32 {
    // SAFETY: the host passes a valid error buffer (plugin ABI contract).
    if let Some(error) = unsafe { error.as_mut() } {
        let n = message.len().min(error.capacity as usize);
        // SAFETY: `bytes` is writable for `capacity` bytes; `n` is at most that.
        unsafe { std::ptr::copy_nonoverlapping(message.as_ptr(), error.bytes, n) };
        error.length = n as u32;
    }
    STATUS_ERROR
}

unsafe extern "C" fn process(
    _instance: *mut c_void,
    call: *mut ProcessCall,
    error: *mut ErrorBuffer,
) -> i32 {
    // SAFETY: the host passes a valid call; a version 1 plugin reads only the version 1 prefix.
    let call = unsafe { &*call.cast::<ProcessCallV1>() };
    if call.input_count != 1 || call.output_count != 1 {
        return fail(error, "Abi1Halve: expected one input and one output");
    }
    // SAFETY: one input view and one output view (counts checked above).
    let (input, output) = unsafe { (&*call.inputs, &mut *call.outputs) };
    if input.data.is_null() || output.data.is_null() {
        return STATUS_OK;
    }
    if input.length > output.capacity || input.length % 4 != 0 {
        return fail(error, "Abi1Halve: the output slot is too small");
    }
    let count = input.length as usize / 4;
    // SAFETY: the host's input payload holds `length` bytes of 4-byte aligned f32 audio, and the
    // output slot is writable for `capacity` >= `length` bytes, aligned, and does not overlap it.
    let (from, to) = unsafe {
        (
            std::slice::from_raw_parts(input.data.cast::<f32>(), count),
            std::slice::from_raw_parts_mut(output.data.cast::<f32>(), count),
        )
    };
    for (o, i) in to.iter_mut().zip(from) {
        *o = i * 0.5;
    }
    let (data, capacity) = (output.data, output.capacity);
    *output = FrameView {
        data,
        capacity,
        ..*input
    };
    STATUS_OK
}

unsafe extern "C" fn destroy(instance: *mut c_void) {
    if !instance.is_null() {
        // SAFETY: the box `create` leaked, destroyed once by the host.
        drop(unsafe { Box::from_raw(instance.cast::<Halve>()) });
    }
}

static ENTRIES: [StaticEntry; 1] = [StaticEntry(ProcessorEntry {
    descriptor_json: DESCRIPTOR_JSON.as_ptr(),
    create,
    process,
    destroy,
})];

static DESCRIPTOR: StaticDescriptor = StaticDescriptor(PluginDescriptor {
    abi_version: ABI_VERSION_1,
    processor_count: 1,
    name: c"streamlib_plugin_abi1_fixture".as_ptr(),
    version: c"0.1.0".as_ptr(),
    processors: &ENTRIES[0].0,
});

/// Returns a plugin ABI version 1 descriptor with one processor, `Abi1Halve`.
#[unsafe(no_mangle)]
pub extern "C" fn streamlib_plugin_entry() -> *const PluginDescriptor {
    &DESCRIPTOR.0
}
