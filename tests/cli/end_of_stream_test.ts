/**
 * `streamlib run` on a graph whose sources end: it stops by itself once every frame is through
 * (end of stream), the sinks finalize their files, and it exits 0 without `--seconds`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function ffprobeFrames(path: string): Promise<number> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=nb_read_frames",
      "-of",
      "csv=p=0",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return Number(new TextDecoder().decode(out.stdout).trim());
}

/** Half a second of ffmpeg's test pattern at 60 fps: 30 frames of Y4M. */
async function makeY4m(path: string): Promise<void> {
  const made = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=60:duration=0.5"]
      .concat(["-pix_fmt", "yuv420p", path]),
  }).output();
  assert.equal(made.code, 0);
}

/** `streamlib run <manifest> --json` in a child, killed if it has not exited after 30 s. */
async function runCli(manifest: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "run", manifest, "--json"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const result = await child.output();
  clearTimeout(killer);
  const text = new TextDecoder();
  return {
    code: result.code,
    stdout: text.decode(result.stdout),
    stderr: text.decode(result.stderr),
  };
}

Deno.test("streamlib run exits 0 by itself when its file source ends, with every frame written", async () => {
  const dir = await Deno.makeTempDir();
  const input = join(dir, "in.y4m");
  const output = join(dir, "out.y4m");
  await makeY4m(input);
  const manifest = join(dir, "p.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [
        { id: "file", type: "Y4mFileSource", config: { path: input } },
        { id: "out", type: "Y4mWriter", config: { path: output } },
      ],
      connections: [{ from: "file.video", to: "out.in", policy: "fifo", capacity: 8 }],
    }),
  );
  const started = performance.now();
  const { code, stdout, stderr } = await runCli(manifest);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const events = stdout.trim().split("\n").map((line) => JSON.parse(line).event);
  assert.ok(events.includes("end-of-stream"), `events: ${events.join(", ")}`);
  assert.equal(events.at(-1), "stopped");
  assert.ok(performance.now() - started < 25_000);
  assert.equal(await ffprobeFrames(input), 30);
  assert.equal(await ffprobeFrames(output), 30, "every frame of the file was written");
});

Deno.test("streamlib run exits 1 by itself when a sink failed and the source ended; the healthy branch is whole", async () => {
  const dir = await Deno.makeTempDir();
  const input = join(dir, "in.y4m");
  const output = join(dir, "out.y4m");
  await makeY4m(input);
  const manifest = join(dir, "p.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [
        { id: "file", type: "Y4mFileSource", config: { path: input } },
        { id: "out", type: "Y4mWriter", config: { path: output } },
        // Its folder does not exist: it fails in setup() and never reads.
        { id: "broken", type: "Y4mWriter", config: { path: join(dir, "missing", "x.y4m") } },
      ],
      connections: [
        { from: "file.video", to: "out.in", policy: "fifo", capacity: 8 },
        { from: "file.video", to: "broken.in", policy: "fifo", capacity: 8 },
      ],
    }),
  );
  const { code, stdout, stderr } = await runCli(manifest);
  assert.equal(code, 1, `${stdout}\n${stderr}`);
  const events = stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(
    events.filter((e) => e.event === "node-error").map((e) => [e.node, e.phase]),
    [["broken", "setup"]],
  );
  assert.ok(events.some((e) => e.event === "end-of-stream"), stdout);
  assert.equal(events.at(-1).event, "stopped");
  assert.equal(events.at(-1).exitCode, 1);
  assert.equal(await ffprobeFrames(output), 30, "the healthy branch wrote every frame");
  await Deno.remove(dir, { recursive: true });
});
