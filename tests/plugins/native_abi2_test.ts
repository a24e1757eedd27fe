/**
 * Plugin ABI 2 end to end: a native source, the drop and blocked-run counters, config refused by
 * the plugin's schema, and a plugin built for ABI 1 still loading. Real cdylibs from `crates/`
 * (`deno task build:native`), loaded by the real host library.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { NativePlugin } from "../../ffi/mod.ts";
import { until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

const EXT = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
const PREFIX = Deno.build.os === "windows" ? "" : "lib";

/** The path of a cdylib of the workspace's release build. */
function built(crate: string): string {
  return fileURLToPath(
    new URL(`../../crates/target/release/${PREFIX}${crate}.${EXT}`, import.meta.url),
  );
}

Deno.test("NativeTone, a native source, is called by its node's thread and paces its blocks", async () => {
  const plugin = NativePlugin.load(built("streamlib_example_plugin"));
  assert.equal(plugin.abi, 2);
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("NativeTone", { frequency: 1000, blockSize: 480 }, { id: "ntone" });
  rt.add("AudioTap", {}, { id: "ntone_tap" });
  rt.connectByName("ntone", "audio", "ntone_tap", "in");
  const described = rt.registry.describe("NativeTone");
  assert.deepEqual([described.mode, described.inputs.length], ["loop", 0]);
  await rt.start();
  await until(() => tap("ntone_tap").frameNumbers.length >= 10, "10 blocks from NativeTone");
  await rt.stop();
  const record = tap("ntone_tap");
  // Every block, in order, from the first (audio connections are fifo).
  assert.deepEqual(
    record.frameNumbers,
    Array.from({ length: record.frameNumbers.length }, (_, i) => i),
  );
  const step = (2 * Math.PI * 1000) / 48_000;
  assert.ok(Math.abs(record.samples[1][0] - Math.fround(Math.sin(480 * step) * 0.25)) < 1e-5);
  const stats = rt.stats().nodes.ntone;
  assert.equal(stats.framesIn, 0);
  assert.equal(stats.framesOut, record.frameNumbers.length);
  plugin.close();
});

Deno.test("a native node's framesDropped is what the plugin counted (plugin ABI 2)", async () => {
  const plugin = NativePlugin.load(built("streamlib_plugin_fixtures"));
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("TestToneGenerator", {}, { id: "dtone" });
  rt.add("DropOdd", {}, { id: "odd" });
  rt.add("AudioTap", {}, { id: "odd_tap" });
  rt.connectByName("dtone", "audio", "odd", "in");
  rt.connectByName("odd", "out", "odd_tap", "in");
  await rt.start();
  await until(() => tap("odd_tap").frameNumbers.length >= 8, "8 blocks through DropOdd");
  await rt.stop();
  const stats = rt.stats().nodes.odd;
  // stop() drained the node: it passed the 1st, 3rd, ... block and dropped the others.
  assert.equal(stats.framesIn, rt.stats().nodes.dtone.framesOut);
  assert.equal(stats.framesDropped, Math.floor(stats.framesIn / 2));
  assert.equal(stats.framesOut, Math.ceil(stats.framesIn / 2));
  assert.deepEqual(
    tap("odd_tap").frameNumbers,
    Array.from({ length: stats.framesOut }, (_, i) => 2 * i),
  );
  plugin.close();
});

Deno.test("a native processor's config is checked against the plugin's declared schema", async () => {
  const plugin = NativePlugin.load(built("streamlib_example_plugin"));
  try {
    await using rig = workerRig();
    const { rt } = rig;
    rt.use(plugin);
    for (const bad of [{ gain: 32 }, { gain: "loud" }, { gian: 1 }]) {
      assert.throws(
        () => rt.add("NativeGain", bad),
        (error: unknown) =>
          error instanceof ConfigValidationError && error.code === "invalid_config",
        JSON.stringify(bad),
      );
    }
    const schema = rt.registry.describe("NativeTone").config;
    assert.equal(schema.properties?.blockSize.default, 480);
    assert.equal(rt.add("NativeTone", { amplitude: 0.5 }, { id: "ok_tone" }).name, "ok_tone");
  } finally {
    plugin.close();
  }
});

Deno.test("a plugin built for plugin ABI 1 still loads and runs", async () => {
  const plugin = NativePlugin.load(built("streamlib_plugin_abi1_fixture"));
  assert.equal(plugin.abi, 1);
  await using rig = workerRig();
  const { rt } = rig;
  rt.use(plugin);
  rt.add("TestToneGenerator", { amplitude: 0.5 }, { id: "v1tone" });
  rt.add("Abi1Halve", {}, { id: "v1halve" });
  rt.add("AudioTap", {}, { id: "v1_wet" });
  rt.add("AudioTap", {}, { id: "v1_dry" });
  rt.connectByName("v1tone", "audio", "v1halve", "in");
  rt.connectByName("v1halve", "out", "v1_wet", "in");
  rt.connectByName("v1tone", "audio", "v1_dry", "in");
  await rt.start();
  await until(() => tap("v1_wet").frameNumbers.length >= 5, "5 blocks through Abi1Halve");
  await rt.stop();
  const wet = tap("v1_wet");
  const dry = tap("v1_dry");
  for (let block = 0; block < wet.samples.length; block++) {
    assert.deepEqual(wet.samples[block], dry.samples[block].map((x) => Math.fround(x * 0.5)));
  }
  // An ABI 1 plugin counts no drops of its own.
  assert.equal(rt.stats().nodes.v1halve.framesDropped, 0);
  plugin.close();
});
