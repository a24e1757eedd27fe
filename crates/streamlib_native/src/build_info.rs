//! What this build of the library contains, as `sl_build_info` reports it: the target, and
//! whether OpenH264's SIMD assembly is in.
//!
//! OpenH264 is asked at run time, not the build script: `WelsCPUFeatureDetect` is compiled from
//! assembly-aware C only when the assembly was built (`X86_ASM` on x86, NEON on ARM) and returns
//! no feature at all otherwise, so the answer is the linked code's, whatever the build saw. Its
//! AVX2 bit is set only when the AVX2 routines were compiled in too (`HAVE_AVX2`).

use openh264_sys2::source::APILoader;

// SAFETY: `WelsCPUFeatureDetect` is a plain C function of OpenH264's common library (linked
// statically by openh264-sys2) that only executes `cpuid` (or reads the OS's CPU info).
unsafe extern "C" {
    fn WelsCPUFeatureDetect(logical_processors: *mut i32) -> u32;
}

/// OpenH264's CPU feature bits (`codec/common/inc/cpu_core.h`) on x86 and x86_64.
const X86_FEATURES: [(u32, &str); 12] = [
    (0x1, "mmx"),
    (0x2, "mmxext"),
    (0x4, "sse"),
    (0x8, "sse2"),
    (0x10, "sse3"),
    (0x200, "ssse3"),
    (0x20, "sse4.1"),
    (0x400, "sse4.2"),
    (0x800, "avx"),
    (0x2_0000, "fma"),
    (0x4_0000, "avx2"),
    (0x8_0000, "avx512f"),
];

/// The same bits on ARM.
const ARM_FEATURES: [(u32, &str); 3] = [(0x1, "armv7"), (0x2, "vfpv3"), (0x4, "neon")];

/// What OpenH264's feature detection found usable: CPU features for which assembly is linked in.
/// Empty when the library was built without OpenH264's assembly.
pub fn openh264_simd() -> Vec<&'static str> {
    let mut cores = 0i32;
    // SAFETY: the pointer is to a live local `i32`, which the function writes at most once.
    let flags = unsafe { WelsCPUFeatureDetect(&raw mut cores) };
    let table: &[(u32, &str)] = if cfg!(any(target_arch = "x86", target_arch = "x86_64")) {
        &X86_FEATURES
    } else if cfg!(any(target_arch = "arm", target_arch = "aarch64")) {
        &ARM_FEATURES
    } else {
        &[]
    };
    table
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, name)| name)
        .collect()
}

/// The build information as a JSON object:
/// `{"abi", "target", "openh264": {"version", "asm", "simd"}}`; `asm` is whether OpenH264's
/// assembly is in, `simd` the features it uses on this CPU (see [`openh264_simd`]).
///
/// # Examples
///
/// ```
/// let info = streamlib_native::build_info::build_info_json();
/// assert!(info.starts_with("{\"abi\":") && info.contains("\"openh264\":{\"version\":\"2."));
/// ```
pub fn build_info_json() -> String {
    // SAFETY: WelsGetCodecVersion only returns a constant struct.
    let version = unsafe { APILoader::WelsGetCodecVersion() };
    let simd = openh264_simd();
    let names: Vec<String> = simd.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        "{{\"abi\":{},\"target\":\"{}\",\"openh264\":{{\"version\":\"{}.{}.{}\",\"asm\":{},\"simd\":[{}]}}}}",
        crate::ABI_VERSION,
        env!("STREAMLIB_TARGET"),
        version.uMajor,
        version.uMinor,
        version.uRevision,
        !simd.is_empty(),
        names.join(",")
    )
}
