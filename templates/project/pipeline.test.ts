import assert from "node:assert/strict";
import { main } from "@streamlib/streamlib/cli";
import { connect } from "@streamlib/streamlib/sessions/client";

const quiet = () => {
  const lines: string[] = [];
  return {
    lines,
    output: { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) },
  };
};

Deno.test("pipeline.json is valid and runs", async () => {
  const check = quiet();
  assert.equal(await main(["validate", "pipeline.json"], check.output), 0, check.lines.join("\n"));
  const run = quiet();
  const code = await main(["run", "pipeline.json", "--seconds", "0.5", "--json"], run.output);
  assert.equal(code, 0, run.lines.join("\n"));
  const stopped = run.lines.map((l) => JSON.parse(l)).find((e) => e.event === "stopped");
  assert.ok(stopped.stats.nodes.tremolo.framesOut > 0, "the tremolo wrote audio");
});

Deno.test("the dashboard shows the pipeline", async () => {
  const controller = new AbortController();
  const { lines, output } = quiet();
  let started: (url: string) => void;
  const url = new Promise<string>((resolve) => (started = resolve));
  const watched = {
    out: (text: string) => {
      output.out(text);
      const event = JSON.parse(text);
      if (event.event === "started") started(event.dashboard);
    },
    err: output.err,
  };
  const args = ["dashboard", "pipeline.json", "--start", "--port", "0", "--json", "--no-mcp"];
  const done = main(args, watched, { signal: controller.signal });
  try {
    const page = await Promise.race([url, done.then((c) => `exited ${c}: ${lines.join("\n")}`)]);
    assert.match(page, /^http/);
    const graph = await (await fetch(`${new URL(page).origin}/api/v1/graph`)).json();
    assert.deepEqual(graph.nodes.map((n: { id: string }) => n.id).sort(), [
      "meter",
      "tone",
      "tremolo",
    ]);
  } finally {
    controller.abort();
    assert.equal(await done, 0, lines.join("\n"));
  }
});

Deno.test("pipelines/ serves a Tremolo session to a client", async () => {
  const controller = new AbortController();
  const { lines, output } = quiet();
  let started: (url: string) => void;
  const url = new Promise<string>((resolve) => (started = resolve));
  const watched = {
    out: (text: string) => {
      output.out(text);
      started(JSON.parse(text).sessionsUrl);
    },
    err: output.err,
  };
  const args = ["serve", "pipelines", "--port", "0", "--json", "--no-webrtc", "--quiet"];
  const done = main(args, watched, { signal: controller.signal });
  try {
    const sessions = await Promise.race([url, done.then((c) => `exited ${c}: ${lines}`)]);
    assert.match(sessions, /^ws:/);
    const block = {
      kind: "audio" as const,
      channels: 2,
      sampleRate: 48_000,
      samples: new Float32Array(960).fill(0.5),
    };
    const out = await connect(sessions).execute("tremolo", { audio: [block, block, block] });
    assert.equal(out.audio.length, 3, "one block back for each block sent");
    // Each client may choose the parameters pipelines/tremolo.json declares: depth 0 is no
    // tremolo at all.
    const flat = await connect(sessions).execute("tremolo", { audio: [block] }, {
      parameters: { depth: 0 },
    });
    const samples = (flat.audio[0].frame as { samples: Float32Array }).samples;
    assert.ok(samples.every((s) => s === 0.5), "depth 0 leaves the level alone");
  } finally {
    controller.abort();
    assert.equal(await done, 0, lines.join("\n"));
  }
});
