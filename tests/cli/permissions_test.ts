/**
 * Least privilege by Deno's own permissions (issue 14, item 16): `streamlib run`, `dashboard` and
 * `mcp`, started as programs, run the pipeline in a child with scoped permissions, so a writer
 * outside the media folders and a subprocess not allowed are refused by Deno itself (code
 * `permission_denied`), while the example manifests still run.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-types="@modelcontextprotocol/sdk/types"
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connectStdio } from "../mcp/mcp_client.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function tempDirs(): Promise<{ dir: string; media: string; outside: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  const media = join(dir, "media");
  const outside = join(dir, "outside");
  await Deno.mkdir(media);
  await Deno.mkdir(outside);
  return { dir, media, outside };
}

async function streamlib(
  args: string[],
  cwd = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "cli/streamlib.ts"), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

function writerManifest(inside: string, outside: string) {
  return {
    version: 1,
    nodes: [
      { id: "tone", type: "TestToneGenerator" },
      { id: "kept", type: "WavWriter", config: { path: inside } },
      { id: "leak", type: "WavWriter", config: { path: outside } },
    ],
    connections: [
      { from: "tone.audio", to: "kept.in" },
      { from: "tone.audio", to: "leak.in" },
    ],
  };
}

Deno.test("streamlib run: Deno refuses a writer outside --media-dir (permission_denied); the rest records", async () => {
  const { dir, media, outside } = await tempDirs();
  const manifest = join(dir, "p.json");
  const kept = join(media, "kept.wav");
  const leak = join(outside, "leak.wav");
  await Deno.writeTextFile(manifest, JSON.stringify(writerManifest(kept, leak)));
  const { code, stdout, stderr } = await streamlib([
    "run",
    manifest,
    "--seconds",
    "0.5",
    "--json",
    "--media-dir",
    media,
  ]);
  assert.equal(code, 1, stderr);
  const events = stdout.trim().split("\n").map((line) => JSON.parse(line));
  const failed = events.filter((e) => e.event === "node-error");
  assert.deepEqual(failed.map((e) => [e.node, e.code]), [["leak", "permission_denied"]]);
  assert.match(failed[0].message, /Requires write access to ".*leak\.wav"/);
  assert.match(stderr, /permission_denied: Cannot run 'leak'.*--media-dir/);
  assert.equal(await exists(leak), false, "Deno refused to create it");
  assert.ok((await Deno.stat(kept)).size > 44, "the writer inside the media folder recorded");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib run --allow-all runs unscoped; a missing --media-dir is a usage error", async () => {
  const { dir, media, outside } = await tempDirs();
  const manifest = join(dir, "p.json");
  const leak = join(outside, "leak.wav");
  await Deno.writeTextFile(manifest, JSON.stringify(writerManifest(join(media, "k.wav"), leak)));
  const all = await streamlib([
    "run",
    manifest,
    "--seconds",
    "0.3",
    "--media-dir",
    media,
    "--allow-all",
  ]);
  assert.equal(all.code, 0, all.stderr);
  assert.ok(await exists(leak), "--allow-all: the permissions the program was started with");
  const missing = await streamlib(["run", manifest, "--media-dir", join(dir, "nope")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--media-dir must name an existing folder/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib run: Deno refuses SubprocessProcessor without --allow-run, and runs it with it", async () => {
  const { dir, media, outside } = await tempDirs();
  const marker = join(outside, "ran");
  const manifest = join(dir, "sub.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [{
        id: "sh",
        type: "SubprocessProcessor",
        config: { command: "sh", args: ["-c", `id > ${marker}`] },
      }],
    }),
  );
  // From the repository, whose deno.json lists plugins/ (SubprocessProcessor) as processors.
  const refused = await streamlib(["run", manifest, "--seconds", "0.5", "--media-dir", media]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /permission_denied: Cannot run 'sh'.*run access to "sh".*--allow-run/,
  );
  assert.equal(await exists(marker), false, "no program ran");
  const other = await streamlib([
    "run",
    manifest,
    "--seconds",
    "0.5",
    "--media-dir",
    media,
    "--allow-run",
    "true",
  ]);
  assert.equal(other.code, 1, "--allow-run true does not allow sh");
  assert.equal(await exists(marker), false);
  const allowed = await streamlib([
    "run",
    manifest,
    "--seconds",
    "0.5",
    "--media-dir",
    media,
    "--allow-run",
    "sh",
  ]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.ok(await exists(marker), "with --allow-run sh the program ran");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib run: the example manifest runs scoped, writing beside the working directory", async () => {
  const { dir } = await tempDirs();
  const { code, stderr } = await streamlib(
    ["run", join(root, "examples/manifest_pipeline.json"), "--seconds", "0.5"],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.ok((await Deno.stat(join(dir, "manifest_pipeline.wav"))).size > 44);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib dashboard: Deno refuses the manifest's writer outside --media-dir; details need the token", async () => {
  const { dir, media, outside } = await tempDirs();
  const manifest = join(dir, "p.json");
  const leak = join(outside, "leak.wav");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify(writerManifest(join(media, "kept.wav"), leak)),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/streamlib.ts",
      "dashboard",
      manifest,
      "--media-dir",
      media,
      "--port",
      "0",
      "--start",
      "--json",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const started = JSON.parse(text.split("\n")[0]);
  const api = `${new URL(started.dashboard).origin}/api/v1`;
  const auth = { authorization: `Bearer ${started.token}` };
  let node;
  for (let i = 0; i < 100; i++) {
    node = await (await fetch(`${api}/nodes/leak`, { headers: auth })).json();
    if (node.lastError) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.match(node.lastError.message, /Requires write access to ".*leak\.wav"/);
  // Without the token, on loopback: no message, no stack, no path.
  const anonymous = await (await fetch(`${api}/nodes/leak`)).json();
  assert.equal(anonymous.lastError.stack, null);
  assert.match(anonymous.lastError.message, /details need the token$/);
  assert.ok(!JSON.stringify(anonymous.lastError).includes(outside));
  // The allow-list refuses the same path through the API before Deno would.
  const added = await fetch(`${api}/nodes`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ type: "WavWriter", id: "more", config: { path: leak } }),
  });
  assert.equal(added.status, 403);
  assert.equal((await added.json()).error.code, "path_not_allowed");
  child.kill("SIGTERM");
  while (!(await reader.read()).done) { /* drain */ }
  const status = await child.status;
  await child.stderr.cancel();
  assert.equal(status.code, 1, "a node failed");
  assert.equal(await exists(leak), false);
  assert.ok((await Deno.stat(join(media, "kept.wav"))).size > 44, "finalized after SIGTERM");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib mcp: --allow-run limits the programs SubprocessProcessor may start, by Deno's permissions", async () => {
  const { dir, media, outside } = await tempDirs();
  const marker = join(outside, "ran");
  {
    await using mcp = await connectStdio(
      "--media-dir",
      media,
      "--allow-processor",
      "SubprocessProcessor",
      "--allow-run",
      "true",
    );
    const added = await mcp.call("add_processor", {
      type: "SubprocessProcessor",
      id: "sh",
      config: { command: "sh", args: ["-c", `id > ${marker}`] },
    });
    assert.equal(added.isError, false, added.text);
    const logged: string[] = [];
    mcp.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logged.push(String(n.params.data));
    });
    await mcp.call("start");
    let state = "";
    for (let i = 0; i < 100 && state !== "error"; i++) {
      const graph = await mcp.call("get_graph");
      state = (graph.data.processors as { id: string; state: string }[])
        .find((p) => p.id === "sh")?.state ?? "";
      if (state !== "error") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(state, "error");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(logged.join("\n"), /Requires run access to "sh"/);
  }
  assert.equal(await exists(marker), false, "Deno refused to start sh");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib run: nodes on Workers (the native library, FFI) run scoped", async () => {
  const { dir } = await tempDirs();
  const manifest = join(dir, "workers.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [
        { id: "tone", type: "TestToneGenerator" },
        { id: "gain", type: "Gain", placement: { worker: "dsp" } },
        { id: "wav", type: "WavWriter", config: { path: "w.wav" } },
        { id: "pattern", type: "TestPattern", config: { width: 64, height: 48 } },
        { id: "scale", type: "VideoScale", placement: { worker: "video" } },
        { id: "sink", type: "NullSink" },
      ],
      connections: [
        { from: "tone.audio", to: "gain.in" },
        { from: "gain.out", to: "wav.in" },
        { from: "pattern.video", to: "scale.in" },
        { from: "scale.out", to: "sink.in" },
      ],
    }),
  );
  // Two Workers start and load their processors first; a loaded machine takes a while.
  const { code, stdout, stderr } = await streamlib(["run", manifest, "--seconds", "3"], dir);
  assert.equal(code, 0, stderr);
  assert.ok((await Deno.stat(join(dir, "w.wav"))).size > 44, `${stdout}\n${stderr}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib run: killing the program outright (SIGKILL) ends its scoped child too", async () => {
  const { dir } = await tempDirs();
  const manifest = join(dir, "p.json");
  const wav = join(dir, "rec.wav");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [{ id: "tone", type: "TestToneGenerator" }, {
        id: "wav",
        type: "WavWriter",
        config: { path: wav },
      }],
      connections: [{ from: "tone.audio", to: "wav.in" }],
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "cli/streamlib.ts"), "run", manifest, "--json"],
    cwd: dir,
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"started"')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel().catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 500));
  const size = (await Deno.stat(wav)).size;
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal((await Deno.stat(wav)).size, size, "nothing is recording any more");
  await Deno.remove(dir, { recursive: true });
});
