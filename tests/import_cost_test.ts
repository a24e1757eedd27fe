/**
 * What importing `createRuntime()` (`processors/runtime.ts`) and `processors/mod.ts` loads. Every
 * module a program loads costs resident memory (its emitted JavaScript, an inline source map and
 * compiled code: about 10 kB per kB of TypeScript here), so the built-in registry lists lazy
 * entries (descriptors; each processor's module is imported when a node of it is first set up),
 * `createRuntime()` imports the Worker backend on the first Worker placement, the built-in
 * processors import native code (codecs, capture, WebRTC, SRT and RTMP), file formats, pixel and
 * DSP code in `setup()`, and the build-cache keys use no `node:crypto` (see docs/performance.md,
 * "What the all-built-ins row loads"). These tests read the module graph Deno builds
 * (`deno info --json`) and follow the static imports only: the modules a program loads when it
 * imports the built-ins, before any node is set up.
 */

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

interface Dependency {
  readonly code?: { readonly specifier: string };
  readonly isDynamic?: boolean;
}

interface ModuleGraph {
  readonly roots: string[];
  readonly modules: { readonly specifier: string; readonly dependencies?: Dependency[] }[];
}

async function moduleGraph(path: string): Promise<ModuleGraph> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(path, root).href],
    env: { NO_COLOR: "1" },
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/**
 * Specifiers loaded by importing the root, relative to the repo: static imports, transitively,
 * and with `literalImports` the modules literal `import()`s name too (Deno loads the source of
 * every module a literal `import("...")` names when the importing module loads, whether or not
 * the import runs, and keeps it).
 */
function closure(graph: ModuleGraph, literalImports: boolean): Set<string> {
  const byUrl = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...graph.roots];
  while (stack.length > 0) {
    const url = stack.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    for (const dep of byUrl.get(url)?.dependencies ?? []) {
      if (dep.code && (literalImports || !dep.isDynamic)) stack.push(dep.code.specifier);
    }
  }
  return new Set(
    [...seen].map((url) => url.startsWith(root.href) ? url.slice(root.href.length) : url),
  );
}

const staticClosure = (graph: ModuleGraph) => closure(graph, false);
const codeClosure = (graph: ModuleGraph) => closure(graph, true);

/** Specifiers some module of the graph imports with `import()`. */
function dynamicTargets(graph: ModuleGraph): Set<string> {
  const targets = new Set<string>();
  for (const m of graph.modules) {
    for (const dep of m.dependencies ?? []) {
      if (dep.code && dep.isDynamic) targets.add(dep.code.specifier.replace(root.href, ""));
    }
  }
  return targets;
}

/** What built-in processors import in `setup()`: native code, file formats, pixel and DSP code. */
const IMPORTED_BY_SETUP = [
  "ffi/media/h264_encoder.ts",
  "ffi/media/h264_decoder.ts",
  "ffi/media/native_capture.ts",
  "ffi/media/capture_devices.ts",
  "ffi/net/webrtc_endpoint.ts",
  "ffi/media/opus_decoder.ts",
  "ffi/net/net_endpoint.ts",
  "ffi/media/media_errors.ts",
  "processors/formats/wav_reader.ts",
  "processors/formats/y4m_reader.ts",
  "processors/formats/y4m_writer.ts",
  "processors/formats/_y4m_errors.ts",
  "processors/video/test_pattern.ts",
  "processors/video/color_convert.ts",
  "processors/video/pixel_format.ts",
  "processors/video/scale.ts",
  "ffi/media/native_freeverb.ts",
  "processors/inference/silero_vad.ts",
  "processors/inference/speech_segmenter.ts",
  "plugins/child_node.ts",
  "plugins/frame_protocol.ts",
  "ffi/display/sdl_window.ts",
  "ffi/display/frame_presenter.ts",
  "ffi/media/speaker.ts",
  "ffi/media/speaker_errors.ts",
  "processors/video/image/decode.ts", // with fast-png and jpeg-js
  "processors/video/image/source.ts",
];

Deno.test("processors/runtime.ts loads the core, the registry's descriptors and the footprint hooks, no processor's source and no Worker backend's", async () => {
  const graph = await moduleGraph("processors/runtime.ts");
  const ours = [...staticClosure(graph)].filter((path) =>
    !path.startsWith("core/") && !path.startsWith("node:")
  );
  assert.deepEqual(ours.sort(), [
    "ffi/workers/errors.ts", // WorkerDefinitionError, thrown by the stand-in's addNode()
    "ffi/workers/lazy_backend.ts", // the stand-in createRuntime() injects
    "mod.ts",
    "processors/registry.gen.ts",
    "processors/runtime.ts",
    "processors/video/footprints.ts",
  ]);
  // The Worker backend and the processors' modules are imported by URL when first needed
  // (decision 0056), so not even their sources load with createRuntime().
  const loaded = codeClosure(graph);
  assert.deepEqual([...loaded].filter((path) => !staticClosure(graph).has(path)), []);
  assert.ok(!loaded.has("ffi/workers/backend.ts"), "the Worker backend's source is loaded");
  await Deno.stat(new URL("ffi/workers/backend.ts", root));
  const { registry } = await import("../processors/registry.gen.ts");
  for (const definition of registry) {
    const module = new URL(definition.moduleUrl!).href.replace(root.href, "");
    assert.ok(!loaded.has(module), `${module}'s source is loaded with the registry`);
    await Deno.stat(new URL(module, root)); // and it is there to import
  }
});

Deno.test("processors/mod.ts loads no ffi/ module beyond what the Worker backend loads", async () => {
  const graph = await moduleGraph("processors/mod.ts");
  const loaded = staticClosure(graph);
  // The classes load the native loader, the frame pool and the error classes; createRuntime()
  // alone loads none of it until a node is set up or placed on a Worker (test above).
  const backend = staticClosure(await moduleGraph("ffi/workers/backend.ts"));
  const runtime = staticClosure(await moduleGraph("processors/runtime.ts"));
  const extra = [...loaded].filter((path) =>
    path.startsWith("ffi/") && !backend.has(path) && !runtime.has(path)
  );
  // ffi/net/webrtc_errors.ts: WhipSink builds its error from it while publishing; 1.7 kB, no imports.
  // ffi/net/bounded_body.ts: how WhipSink reads a WHIP server's answer within a bound; 2 kB, no
  // imports.
  // ffi/media/aac_encoder_errors.ts: AacEncoder's errors, exported for callers to catch; 3 kB,
  // type imports only (the encoder itself, vo_aac_encoder.ts, is loaded by setup()).
  assert.deepEqual(extra, [
    "ffi/net/webrtc_errors.ts",
    "ffi/net/bounded_body.ts",
    "ffi/media/aac_encoder_errors.ts",
  ]);
});

Deno.test("processors/mod.ts leaves the processors' native, file-format, pixel and DSP code to setup()", async () => {
  const graph = await moduleGraph("processors/mod.ts");
  const loaded = staticClosure(graph);
  const dynamic = dynamicTargets(graph);
  for (const path of IMPORTED_BY_SETUP) {
    assert.ok(!loaded.has(path), `${path} is imported statically`);
    assert.ok(dynamic.has(path), `${path} is no longer imported by setup()`);
  }
});

Deno.test("processors/mod.ts loads neither node:crypto nor an npm package (mediabunny)", async () => {
  const loaded = staticClosure(await moduleGraph("processors/mod.ts"));
  const offenders = [...loaded].filter((s) =>
    s === "node:crypto" || s.startsWith("npm:") || s.includes("/node_modules/")
  );
  assert.deepEqual(offenders, []);
});

Deno.test("the core, createRuntime() and the RSS row's three processors load no node: module", async () => {
  // Importing any `node:` module makes Deno set up its Node compatibility layer: 1-3 MB of
  // resident memory in every program (decision 0062). Workers started with
  // `node:worker_threads` and code that setup() imports are another matter.
  for (
    const root of [
      "mod.ts",
      "processors/runtime.ts",
      "processors/sources/test_tone_generator.gen.ts",
      "processors/transforms/audio_mixer.gen.ts",
      "processors/sinks/wav_writer.gen.ts",
      "bench/graph_bench_rss.ts",
    ]
  ) {
    const loaded = staticClosure(await moduleGraph(root));
    assert.deepEqual([...loaded].filter((s) => s.startsWith("node:")), [], root);
  }
});

Deno.test("the built-in registry carries each descriptor as JSON text, with its name", async () => {
  const { registry } = await import("../processors/registry.gen.ts");
  const text = await Deno.readTextFile(new URL("processors/registry.gen.ts", root));
  // Each entry carries its name and its descriptor as JSON text (decision 0062).
  assert.ok(!text.includes("JSON.parse("), "the registry parses its descriptors at import");
  assert.equal(text.match(/lazyNode\(\{/g)?.length, registry.size);
  assert.equal(registry.describe("Gain").name, "Gain");
});
