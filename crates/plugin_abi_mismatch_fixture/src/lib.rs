//! A native plugin library built for a plugin ABI that does not exist.
//!
//! The host must read a plugin descriptor's `abi_version` first and refuse the library when it
//! differs from its own, naming both versions, without reading anything else. This crate builds
//! `libstreamlib_plugin_abi_mismatch_fixture.so`, a real library whose `streamlib_plugin_entry`
//! returns a descriptor with [`MISMATCHED_PLUGIN_ABI_VERSION`] and no processors, so that test
//! exercises loading an actual file. The descriptor is written by hand (the SDK's
//! `export_plugin!` always writes the current version); only the `#[repr(C)]` types come from the
//! SDK.

use std::ffi::c_char;

use streamlib_plugin::abi::PluginDescriptor;

/// The version this fixture claims: never a version the plugin ABI will use.
pub const MISMATCHED_PLUGIN_ABI_VERSION: u32 = 999;

/// A descriptor in a `static`: its pointers are to `'static` C string literals (or null).
#[repr(transparent)]
struct StaticDescriptor(PluginDescriptor);

// SAFETY: the descriptor is never written, and its pointers are to immutable 'static data.
unsafe impl Sync for StaticDescriptor {}

const fn c_text(text: &'static std::ffi::CStr) -> *const c_char {
    text.as_ptr()
}

static DESCRIPTOR: StaticDescriptor = StaticDescriptor(PluginDescriptor {
    abi_version: MISMATCHED_PLUGIN_ABI_VERSION,
    processor_count: 0,
    name: c_text(c"streamlib_plugin_abi_mismatch_fixture"),
    version: c_text(c"0.1.0"),
    processors: std::ptr::null(),
});

/// Returns a descriptor claiming plugin ABI version 999 with zero processors, which the host
/// must refuse.
#[unsafe(no_mangle)]
pub extern "C" fn streamlib_plugin_entry() -> *const PluginDescriptor {
    &DESCRIPTOR.0
}
