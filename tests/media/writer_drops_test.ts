/**
 * File writers never lose a frame silently (issue 14): a WavWriter at another sample rate than
 * its input and a Y4mWriter fed frames it cannot convert fail with typed errors, and every frame
 * they did not record is counted as dropped, by the connection or by the node (`framesDropped`),
 * as are the frames an Mp4Writer leaves out past `maxSeconds`. `streamlib run` shows the count and
 * the failed node in its last line and exits 1.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RuntimeEvent, RuntimeStats } from "../../mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { withTempDir } from "./media_tools.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Frames offered to connections (written, or discarded once their reader had failed), and those
 * not delivered or dropped by a node.
 */
function accounting(stats: RuntimeStats, node: string) {
  const connections = Object.values(stats.connections);
  return {
    written: connections.reduce((n, c) => n + c.written + c.discarded, 0),
    lost: connections.reduce(
      (n, c) => n + c.dropped + c.fullRejections + c.queued + c.discarded,
      0,
    ) + stats.nodes[node].framesDropped,
    byNode: stats.nodes[node].framesDropped,
  };
}

async function runFor(
  add: (rt: ReturnType<typeof createRuntime>) => void,
  ms: number,
): Promise<{ stats: RuntimeStats; errors: RuntimeEvent[] }> {
  await using rt = createRuntime();
  add(rt);
  const errors: RuntimeEvent[] = [];
  rt.on((event) => {
    if (event.type === "node-error") errors.push(event);
  });
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await rt.stop();
  return { stats: rt.stats(), errors };
}

Deno.test("WavWriter at another rate than its input fails with SampleRateMismatchError; every block counts as dropped", async () => {
  await withTempDir(async (dir) => {
    const { stats, errors } = await runFor((rt) => {
      rt.add("TestToneGenerator", { sampleRate: 48_000 }, { id: "tone" });
      rt.add("WavWriter", { path: join(dir, "t.wav"), sampleRate: 44_100 }, { id: "wav" });
      rt.connectByName("tone", "audio", "wav", "in");
    }, 300);
    assert.deepEqual(errors.map((e) => e.type === "node-error" && [e.node, e.name]), [[
      "wav",
      "SampleRateMismatchError",
    ]]);
    const { written, lost, byNode } = accounting(stats, "wav");
    assert.ok(written > 1, `${written} blocks were offered to the writer`);
    assert.equal(byNode, 1, "the block that failed the node");
    assert.equal(lost, written, "none recorded, every one counted");
  });
});

Deno.test("Y4mWriter fed odd-sized frames fails with UnconvertibleFrameError; every frame counts as dropped", async () => {
  await withTempDir(async (dir) => {
    const { stats, errors } = await runFor((rt) => {
      rt.add("TestPattern", { width: 63, height: 47, pixelFormat: "RGBA", fps: 30 }, {
        id: "pattern",
      });
      rt.add("Y4mWriter", { path: join(dir, "t.y4m"), width: 64, height: 48 }, { id: "y4m" });
      rt.connectByName("pattern", "video", "y4m", "in");
    }, 300);
    assert.deepEqual(errors.map((e) => e.type === "node-error" && [e.node, e.name]), [[
      "y4m",
      "UnconvertibleFrameError",
    ]]);
    const { written, lost, byNode } = accounting(stats, "y4m");
    assert.ok(written > 1, `${written} frames were offered to the writer`);
    assert.equal(byNode, 1, "the frame that failed the node");
    assert.equal(lost, written, "none recorded, every one counted");
  });
});

Deno.test("Mp4Writer fed audio at a rate Opus does not take fails the node; every block counts as dropped", async () => {
  await withTempDir(async (dir) => {
    const { stats, errors } = await runFor((rt) => {
      rt.add("TestToneGenerator", { sampleRate: 44_100 }, { id: "tone" });
      rt.add("Mp4Writer", { path: join(dir, "t.mp4") }, { id: "rec" });
      rt.connectByName("tone", "audio", "rec", "audio");
    }, 300);
    assert.deepEqual(errors.map((e) => e.type === "node-error" && [e.node, e.name]), [[
      "rec",
      "InvalidArgumentError",
    ]]);
    const { written, lost, byNode } = accounting(stats, "rec");
    assert.ok(written > 1, `${written} blocks were offered to the writer`);
    assert.equal(byNode, 1, "the block that failed the node");
    assert.equal(lost, written, "none recorded, every one counted");
  });
});

Deno.test("Mp4Writer counts the audio blocks it leaves out past maxSeconds as dropped", async () => {
  await withTempDir(async (dir) => {
    const { stats, errors } = await runFor((rt) => {
      rt.add("TestToneGenerator", {}, { id: "tone" });
      rt.add("Mp4Writer", { path: join(dir, "t.mp4"), maxSeconds: 0.1 }, { id: "rec" });
      rt.connectByName("tone", "audio", "rec", "audio");
    }, 600);
    assert.deepEqual(errors, []);
    const rec = stats.nodes.rec;
    // 10 ms blocks: about 10 make the first 0.1 s, the rest are left out and counted.
    assert.ok(rec.framesIn > 30, `${rec.framesIn} blocks in`);
    assert.ok(
      rec.framesDropped >= rec.framesIn - 12 && rec.framesDropped <= rec.framesIn - 9,
      `${rec.framesDropped} of ${rec.framesIn} dropped`,
    );
  });
});

Deno.test("streamlib run with a mismatched WavWriter exits 1; its last line counts the failed node and every dropped block", async () => {
  await withTempDir(async (dir) => {
    const manifest = join(dir, "p.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "tone", type: "TestToneGenerator", config: { sampleRate: 48000 } },
          { id: "wav", type: "WavWriter", config: { path: join(dir, "t.wav"), sampleRate: 44100 } },
        ],
        connections: [{ from: "tone.audio", to: "wav.in" }],
      }),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "run", manifest, "--seconds", "0.5"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stderr), /node 'wav' failed .*44100 Hz/);
    const last = stdout.trim().split("\n").at(-1)!;
    const [, frames, dropped] = last.match(/(\d+) frames, (\d+) dropped/)!;
    assert.match(last, /^stopped: .*2 nodes, 1 failed/);
    assert.equal(dropped, frames, last);
    assert.match(last, /\(wav 1\)/);
  });
});
