//! Build script of `streamlib_native`: refuses to build OpenH264 without its x86 assembly.
//!
//! `openh264-sys2` assembles OpenH264's x86 SIMD code with `nasm` when it finds one and silently
//! builds plain C otherwise, which encodes 30-50% slower (bench/encode_bench.ts). On x86 and
//! x86_64 this script looks for `nasm` the way that build does (the `NASM` variable, else `nasm`
//! on the `PATH`, run with `-v`) and fails with what to do unless `STREAMLIB_ALLOW_NO_ASM=1`
//! allows the slow build. Other targets need nothing: ARM's NEON code is built by the C compiler.
//! What the built library really contains is reported at run time by `sl_build_info`
//! (`src/build_info.rs`).

use std::env;
use std::process::{Command, ExitCode};

/// The variable that allows a build without OpenH264's assembly.
const ALLOW: &str = "STREAMLIB_ALLOW_NO_ASM";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    for var in [ALLOW, "OPENH264_NO_ASM", "NASM"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!(
        "cargo:rustc-env=STREAMLIB_TARGET={}",
        env::var("TARGET").unwrap_or_default()
    );
    // `--cfg loom` builds leave OpenH264 out (see Cargo.toml).
    let loom = env::var_os("CARGO_CFG_LOOM").is_some();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if loom || !matches!(arch.as_str(), "x86" | "x86_64") {
        return ExitCode::SUCCESS;
    }
    let missing = if env::var_os("OPENH264_NO_ASM").is_some() {
        "OPENH264_NO_ASM is set".to_owned()
    } else {
        match find_nasm() {
            Ok(()) => return ExitCode::SUCCESS,
            Err(why) => why,
        }
    };
    if env::var(ALLOW).is_ok_and(|v| v == "1") {
        println!(
            "cargo:warning=OpenH264 is built without its x86 assembly ({missing}; allowed by \
             {ALLOW}=1): H.264 encoding is 30-50% slower"
        );
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "\nerror: OpenH264 would be built without its x86 assembly ({missing}), which makes H.264 \
         encoding 30-50% slower.\n\
         Install nasm and build again (Debian/Ubuntu: sudo apt-get install nasm; Fedora: sudo dnf \
         install nasm; macOS: brew install nasm; Windows: winget install nasm), or point the NASM \
         variable at it.\n\
         To build without the assembly anyway, set {ALLOW}=1 (for example \
         `{ALLOW}=1 deno task build:native`).\n"
    );
    ExitCode::FAILURE
}

/// Runs `nasm -v` as `nasm-rs` (openh264-sys2's assembler driver) would find it.
fn find_nasm() -> Result<(), String> {
    let nasm = env::var_os("NASM").unwrap_or_else(|| "nasm".into());
    match Command::new(&nasm).arg("-v").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`{} -v` failed: {}",
            nasm.to_string_lossy(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(error) => Err(format!(
            "nasm not found: `{}`: {error}",
            nasm.to_string_lossy()
        )),
    }
}
