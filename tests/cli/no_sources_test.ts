/**
 * `streamlib run` on a graph whose sources all failed (issue 31): it stops by itself and exits 1
 * naming the failed source, instead of running forever with nothing to do.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/run.ts";
import { main as validate } from "../../cli/validate.ts";

async function run(manifest: unknown, ...flags: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_no_sources_" });
  try {
    const bad = join(dir, "not_a.wav");
    await Deno.writeTextFile(bad, "this is not a WAV file at all, just text");
    const path = join(dir, "pipeline.json");
    await Deno.writeTextFile(path, JSON.stringify(manifest).replaceAll("BAD_WAV", bad));
    const out: string[] = [];
    const err: string[] = [];
    // A safety stop far beyond what the check needs: without the check the run would end here,
    // exit 0, and the assertions below would fail (not hang).
    const code = await main([path, "--seconds", "60", ...flags], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ONLY_SOURCE_FAILS = {
  version: 1,
  nodes: [
    { id: "src", type: "WavFileSource", config: { path: "BAD_WAV" } },
    { id: "gain", type: "Gain" },
    { id: "sink", type: "NullSink" },
  ],
  connections: [{ from: "src.audio", to: "gain.in" }, { from: "gain.out", to: "sink.in" }],
};

Deno.test("streamlib run stops with exit 1 when its only source failed in setup(), naming it", async () => {
  const result = await run(ONLY_SOURCE_FAILS);
  assert.equal(result.code, 1, result.err);
  assert.match(
    result.err,
    /no source can produce any more \('src' \(WavFileSource\) failed in setup\(\)/,
  );
});

Deno.test("streamlib run --json says which sources failed when none can produce", async () => {
  const result = await run(ONLY_SOURCE_FAILS, "--json");
  assert.equal(result.code, 1, result.err);
  const events = result.out.split("\n").map((line) => JSON.parse(line));
  const silenced = events.find((e) => e.event === "no-sources");
  assert.deepEqual(silenced?.sources, ["src"]);
  assert.equal(events.at(-1).event, "stopped");
  assert.equal(events.at(-1).exitCode, 1);
});

Deno.test("streamlib run keeps running while another source still produces", async () => {
  const manifest = {
    version: 1,
    nodes: [
      ...ONLY_SOURCE_FAILS.nodes,
      { id: "tone", type: "TestToneGenerator" },
      { id: "sink2", type: "NullSink" },
    ],
    connections: [...ONLY_SOURCE_FAILS.connections, { from: "tone.audio", to: "sink2.in" }],
  };
  const dir = await Deno.makeTempDir({ prefix: "streamlib_no_sources_" });
  try {
    const bad = join(dir, "not_a.wav");
    await Deno.writeTextFile(bad, "not a WAV");
    const path = join(dir, "pipeline.json");
    await Deno.writeTextFile(path, JSON.stringify(manifest).replaceAll("BAD_WAV", bad));
    const err: string[] = [];
    const code = await main([path, "--seconds", "3"], { out: () => {}, err: (t) => err.push(t) });
    assert.equal(code, 1, "a node failed");
    assert.ok(!err.join("\n").includes("no source can produce"), err.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib validate opens the sources' files: an MP4 with MP3 audio and a text 'WAV' fail with their codes, an AAC one passes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_validate_inputs_" });
  try {
    const mp4 = join(dir, "mp3.mp4");
    const aac = join(dir, "aac.mp4");
    for (const [path, codec] of [[mp4, "libmp3lame"], [aac, "aac"]]) {
      const made = await new Deno.Command("ffmpeg", {
        args: [
          "-v",
          "error",
          "-f",
          "lavfi",
          "-i",
          "sine=frequency=440:duration=0.5",
          "-c:a",
          codec,
          path,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    }
    const wav = join(dir, "text.wav");
    await Deno.writeTextFile(wav, "not a WAV file");
    const manifest = join(dir, "pipeline.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "movie", type: "Mp4FileSource", config: { path: mp4 } },
          { id: "talk", type: "Mp4FileSource", config: { path: aac } },
          { id: "sound", type: "WavFileSource", config: { path: wav } },
          { id: "sink", type: "NullSink" },
          { id: "sink2", type: "NullSink" },
          { id: "sink3", type: "NullSink" },
        ],
        connections: [{ from: "movie.audio", to: "sink.in" }, {
          from: "sound.audio",
          to: "sink2.in",
        }, { from: "talk.audio", to: "sink3.in" }],
      }),
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await validate([manifest, "--json"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 1, err.join("\n"));
    const report = JSON.parse(out.join("\n"));
    assert.equal(report.valid, false);
    const byNode = Object.fromEntries(
      report.issues.map((i: { node: string; code: string }) => [i.node, i.code]),
    );
    assert.deepEqual(byNode, { movie: "unsupported_codec", sound: "not_wav" });
    assert.match(
      err.join("\n"),
      /'movie' \(Mp4FileSource\) would fail in setup\(\).*audio codec is mp3/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run stops with exit 1 when its only sink failed beside a live source, naming it", async () => {
  const manifest = {
    version: 1,
    nodes: [
      { id: "tone", type: "TestToneGenerator" },
      // Its folder does not exist: it fails in setup(), and the tone would play to nobody.
      { id: "wav", type: "WavWriter", config: { path: "MISSING_DIR/out.wav" } },
    ],
    connections: [{ from: "tone.audio", to: "wav.in" }],
  };
  const dir = await Deno.makeTempDir({ prefix: "streamlib_no_sinks_" });
  try {
    const path = join(dir, "pipeline.json");
    const text = JSON.stringify(manifest).replaceAll("MISSING_DIR", join(dir, "missing"));
    await Deno.writeTextFile(path, text);
    const out: string[] = [];
    const err: string[] = [];
    const started = performance.now();
    const code = await main([path, "--seconds", "60", "--json"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 1, err.join("\n"));
    assert.ok(performance.now() - started < 30_000, "stopped by the check, not by --seconds");
    assert.match(
      err.join("\n"),
      /no sink can take any more \('wav' \(WavWriter\) failed in setup\(\)/,
    );
    const events = out.join("\n").split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(events.find((e) => e.event === "no-sinks")?.sinks, ["wav"]);
    assert.equal(events.find((e) => e.event === "no-sources"), undefined);
    assert.equal(events.at(-1).event, "stopped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
