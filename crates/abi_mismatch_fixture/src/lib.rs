//! A deliberately incompatible stand-in for `libstreamlib_native`.
//!
//! The TypeScript loader (`ffi/native/load.ts`) must refuse a library whose `sl_abi_version()` differs
//! from the version `ffi/native/symbols.ts` was written for. This crate builds
//! `libabi_mismatch_fixture.so`, a real shared library that exports only `sl_abi_version`,
//! returning [`MISMATCHED_ABI_VERSION`], so that test exercises `Deno.dlopen` on an actual file
//! rather than a mock. It has no dependencies and nothing else in it.

/// The version this fixture reports: never a version `streamlib_native` will use.
pub const MISMATCHED_ABI_VERSION: u32 = 999;

/// Returns [`MISMATCHED_ABI_VERSION`] (999), which `ffi/native/load.ts` must refuse.
#[unsafe(no_mangle)]
pub extern "C" fn sl_abi_version() -> u32 {
    MISMATCHED_ABI_VERSION
}
