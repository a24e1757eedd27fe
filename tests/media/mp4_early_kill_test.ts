/**
 * An MP4 recording killed outright (SIGKILL) in its first second, before its first fragment: the
 * file at the recording's path is never an unplayable header. Until the first fragment is
 * complete the recording is `<path>.partial` (the 28-byte `ftyp` box only), and a file already at
 * the path is left as it was; from the first fragment on the path holds a playable MP4.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withTempDir } from "./media_tools.ts";
import { probe } from "./mp4_tools.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function manifest(dir: string, path: string): Promise<string> {
  const file = join(dir, "rec.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      version: 1,
      nodes: [
        {
          id: "pattern",
          type: "TestPattern",
          config: { width: 160, height: 120, fps: 30, pixelFormat: "I420" },
        },
        { id: "encoder", type: "H264Encoder", config: { keyframeInterval: 30 } },
        { id: "tone", type: "TestToneGenerator" },
        { id: "rec", type: "Mp4Writer", config: { path } },
      ],
      connections: [
        { from: "pattern.video", to: "encoder.in" },
        { from: "encoder.out", to: "rec.video" },
        { from: "tone.audio", to: "rec.audio" },
      ],
    }),
  );
  return file;
}

/** Runs the manifest, SIGKILLs it `ms` after it says it is running. */
async function killAfter(manifestPath: string, ms: number): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "run", manifestPath],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("running ")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert.match(text, /running /);
  await new Promise((resolve) => setTimeout(resolve, ms));
  child.kill("SIGKILL");
  assert.equal((await child.status).signal, "SIGKILL");
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
}

Deno.test("An MP4 recording SIGKILLed before its first fragment leaves only <path>.partial, and an older file at the path intact", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "take.mp4");
    const older = new TextEncoder().encode("an older recording");
    await Deno.writeFile(path, older);
    // Keyframes every 30 frames at 30 fps: the first fragment closes 1 s into the recording.
    await killAfter(await manifest(dir, path), 300);
    assert.deepEqual(await Deno.readFile(path), older, "the older file is untouched");
    const partial = await Deno.readFile(`${path}.partial`);
    assert.equal(partial.length, 28, "the ftyp box only");
    assert.equal(new TextDecoder().decode(partial.subarray(4, 8)), "ftyp");
  });
});

Deno.test("An MP4 recording SIGKILLed after its first fragment is at its path, playable, with no .partial left", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "take.mp4");
    await killAfter(await manifest(dir, path), 1800);
    const { streams } = await probe(path);
    const video = streams.find((s) => s.codec_name === "h264");
    assert.ok(video && Number(video.nb_read_frames) >= 30, "at least the first fragment plays");
    assert.ok(streams.some((s) => s.codec_name === "opus"));
    await assert.rejects(() => Deno.stat(`${path}.partial`), Deno.errors.NotFound);
  });
});

Deno.test("An MP4 recording stopped cleanly before its first fragment is finalized at its path, with no .partial left", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "take.mp4");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "run", await manifest(dir, path), "--seconds", "0.3"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const { streams } = await probe(path);
    assert.ok(Number(streams.find((s) => s.codec_name === "h264")?.nb_read_frames) > 0);
    await assert.rejects(() => Deno.stat(`${path}.partial`), Deno.errors.NotFound);
  });
});
