/**
 * Type-checks and lints the macOS-only media code (`*_apple.rs`) on a machine without a macOS SDK.
 *
 * It builds a throwaway crate in `crates/target/apple_typecheck/` that includes the Apple modules
 * (and the shared media files they use) by path, against the same `objc2` 0.6 and `objc2-*` 0.3
 * crates as `streamlib_native`, with `objc2` in its GNUstep mode and the frameworks'
 * `#[link(kind = "framework")]` attributes removed (patched copies of those crates), then runs
 * `cargo check` and `cargo clippy -D warnings` on it. That proves the code matches the crates'
 * APIs and documents every `unsafe` block; it does not compile for macOS nor run anything (see
 * `docs/platforms.md`).
 *
 * Run: `deno run -A crates/streamlib_native/scripts/apple_typecheck.ts` (needs `cargo`; crates are
 * fetched from the registry on first use). Exits non-zero when either step fails.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const crates = fileURLToPath(new URL("../../", import.meta.url));
const src = join(crates, "streamlib_native", "src");
const work = join(crates, "target", "apple_typecheck");

/** The framework crates whose link attributes are stripped. */
const FRAMEWORKS = [
  "objc2-av-foundation",
  "objc2-avf-audio",
  "objc2-core-audio",
  "objc2-core-audio-types",
  "objc2-core-foundation",
  "objc2-core-graphics",
  "objc2-core-media",
  "objc2-core-video",
  "objc2-foundation",
  "objc2-io-surface",
  "objc2-video-toolbox",
];

async function cargo(args: string[], cwd: string): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command("cargo", {
    args,
    cwd,
    env: { CARGO_TARGET_DIR: join(work, "target") },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, text };
}

/** Where cargo unpacked each package `streamlib_native` uses on macOS. */
async function manifestDirs(): Promise<Map<string, string>> {
  await cargo(["fetch"], crates);
  const out = await new Deno.Command("cargo", {
    args: ["metadata", "--format-version", "1", "--filter-platform", "aarch64-apple-darwin"],
    cwd: crates,
  }).output();
  const metadata = JSON.parse(new TextDecoder().decode(out.stdout));
  const dirs = new Map<string, string>();
  for (const p of metadata.packages as { name: string; manifest_path: string }[]) {
    dirs.set(p.name, p.manifest_path.replace(/\/Cargo\.toml$/, ""));
  }
  return dirs;
}

async function copyStripped(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const [a, b] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory) {
      await copyStripped(a, b);
    } else if (entry.name.endsWith(".rs")) {
      const text = await Deno.readTextFile(a);
      await Deno.writeTextFile(
        b,
        text.replace(/#\[link\(name = "[A-Za-z]+", kind = "framework"\)\]/g, ""),
      );
    } else {
      await Deno.copyFile(a, b);
    }
  }
}

const manifest = (patches: string[]) =>
  `[package]
name = "apple_typecheck"
version = "0.0.0"
edition = "2024"
rust-version = "1.85"
publish = false

[workspace]

[dependencies]
crossbeam-queue = "0.3.12"
crossbeam-utils = "0.8.21"
rtrb = "0.4.1"
block2 = { version = "0.6.2", features = ["gnustep-2-1"] }
dispatch2 = { version = "0.3.1", default-features = false, features = ["std", "block2", "objc2"] }
objc2 = { version = "0.6.5", features = ["gnustep-2-1"] }
objc2-av-foundation = { version = "0.3.2", default-features = false, features = ["std", "block2", "dispatch2", "objc2-core-media", "objc2-core-video", "objc2-avf-audio", "objc2-core-audio-types", "AVCaptureDevice", "AVCaptureInput", "AVCaptureOutputBase", "AVCaptureSession", "AVCaptureVideoDataOutput", "AVCaptureAudioDataOutput", "AVMediaFormat"] }
objc2-avf-audio = { version = "0.3.2", default-features = false, features = ["std", "AVAudioSettings"] }
objc2-core-audio-types = { version = "0.3.2", default-features = false, features = ["std", "CoreAudioBaseTypes"] }
objc2-core-foundation = { version = "0.3.2", default-features = false, features = ["std", "CFBase", "CFDictionary", "CFNumber", "CFString", "CFArray"] }
objc2-core-media = { version = "0.3.2", default-features = false, features = ["std", "objc2-core-audio-types", "objc2-core-video", "CMBase", "CMBlockBuffer", "CMFormatDescription", "CMSampleBuffer", "CMSync", "CMTime"] }
objc2-core-video = { version = "0.3.2", default-features = false, features = ["std", "CVBase", "CVBuffer", "CVImageBuffer", "CVPixelBuffer", "CVPixelBufferPool", "CVReturn"] }
objc2-foundation = { version = "0.3.2", default-features = false, features = ["std", "gnustep-2-1", "NSArray", "NSDictionary", "NSEnumerator", "NSError", "NSObject", "NSString", "NSValue"] }
objc2-video-toolbox = { version = "0.3.2", default-features = false, features = ["std", "objc2-core-media", "objc2-core-video", "VTBase", "VTCompressionProperties", "VTCompressionSession", "VTErrors", "VTSession"] }

[lints.rust]
unsafe_op_in_unsafe_fn = "deny"
unexpected_cfgs = { level = "allow" }

[lints.clippy]
undocumented_unsafe_blocks = "warn"

[patch.crates-io]
${patches.join("\n")}
`;

const lib =
  `//! Generated by apple_typecheck.ts: the Apple media modules of streamlib_native, by path.
#![allow(dead_code, missing_docs, unused_imports)]
#[path = "${src}/sync_std.rs"] mod sync;
#[path = "${src}/status.rs"] pub mod status;
#[path = "${src}/error_text.rs"] pub mod error_text;
#[path = "${src}/frame_pool.rs"] pub mod frame_pool;
#[path = "${src}/slot_state.rs"] pub mod slot_state;
#[path = "${src}/message.rs"] pub mod message;
#[path = "${src}/policy.rs"] pub mod policy;
#[path = "${src}/ring.rs"] pub mod ring;
#[path = "${src}/fifo_ring.rs"] pub mod fifo_ring;
#[path = "${src}/latest_ring.rs"] pub mod latest_ring;
#[path = "${src}/ring_stats.rs"] pub mod ring_stats;
pub mod media {
    #[path = "${src}/media/capture.rs"] pub mod capture;
    #[path = "${src}/media/color_convert.rs"] pub mod color_convert;
    #[path = "${src}/media/encoder.rs"] pub mod encoder;
    #[path = "${src}/media/h264_bitstream.rs"] pub mod h264_bitstream;
    #[path = "${src}/media/pixel_format.rs"] pub mod pixel_format;
    /// Stand-in for the OpenH264 backend, which the Apple files do not use.
    pub mod encoder_openh264 {
        use crate::media::encoder::*;
        use crate::status::Error;
        pub struct OpenH264Encoder;
        impl OpenH264Encoder {
            pub fn new(_: &EncoderSettings) -> Result<Self, Error> { Ok(Self) }
        }
        impl VideoEncoder for OpenH264Encoder {
            fn backend(&self) -> Backend { Backend::OpenH264 }
            fn encode(&mut self, _: VideoInput<'_>, _: bool, _: &mut AccessUnit) -> Result<bool, Error> { Ok(false) }
            fn parameter_sets(&self) -> &[u8] { &[] }
        }
    }
    pub mod platform {
        #[path = "${src}/media/platform_apple.rs"] mod os;
        pub use os::*;
    }
}
`;

const dirs = await manifestDirs();
const patches: string[] = [];
for (const name of FRAMEWORKS) {
  const dir = dirs.get(name);
  if (!dir) continue;
  const to = join(work, "patched", name);
  await Deno.remove(to, { recursive: true }).catch(() => {});
  await copyStripped(dir, to);
  patches.push(`${name} = { path = "patched/${name}" }`);
}
await Deno.mkdir(join(work, "src"), { recursive: true });
await Deno.writeTextFile(join(work, "Cargo.toml"), manifest(patches));
await Deno.writeTextFile(join(work, "src", "lib.rs"), lib);

let failed = false;
for (const step of [["check"], ["clippy", "--", "-D", "warnings"]]) {
  const { ok, text } = await cargo(step, work);
  const appleLines = text.split("\n").filter((l) => /error|warning: /.test(l));
  console.log(`cargo ${step[0]}: ${ok ? "ok" : "FAILED"}`);
  if (!ok) {
    failed = true;
    console.log(appleLines.length > 0 ? text : text.slice(-4000));
  }
}
Deno.exit(failed ? 1 : 0);
