/**
 * Least privilege over MCP, through `streamlib mcp` as a real process: SubprocessProcessor only
 * when the operator allows it, files only inside the media folders, bounded ids, and the token
 * from a file or the environment.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectStdio, failure, ROOT } from "./mcp_client.ts";

async function tempDirs(): Promise<{ root: string; media: string; outside: string }> {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const media = join(root, "media");
  const outside = join(root, "outside");
  await Deno.mkdir(media);
  await Deno.mkdir(outside);
  return { root, media, outside };
}

Deno.test("streamlib mcp refuses SubprocessProcessor unless --allow-processor names it", async () => {
  const { root, media, outside } = await tempDirs();
  const marker = join(outside, "ran");
  const subprocess = {
    type: "SubprocessProcessor",
    id: "sh",
    config: { command: "sh", args: ["-c", `id > ${marker}`] },
  };
  {
    await using mcp = await connectStdio("--media-dir", media);
    const refused = failure(await mcp.call("add_processor", subprocess));
    assert.equal(refused.code, "processor_not_allowed");
    assert.match(refused.message, /runs programs.*--allow-processor SubprocessProcessor/);
    assert.match(refused.hint ?? "", /--allow-processor/);
    // Nor through a manifest.
    const viaManifest = failure(
      await mcp.call("load_manifest", {
        manifest: { version: 1, nodes: [subprocess], connections: [] },
      }),
    );
    assert.equal(viaManifest.code, "processor_not_allowed");
    const graph = await mcp.call("get_graph");
    assert.deepEqual(graph.data.processors, []);
    await mcp.call("start");
  }
  assert.equal(await Deno.stat(marker).catch(() => null), null, "no program ran");
  {
    await using mcp = await connectStdio(
      "--media-dir",
      media,
      "--allow-processor",
      "SubprocessProcessor",
    );
    const added = await mcp.call("add_processor", { ...subprocess, config: { command: "true" } });
    assert.equal(added.isError, false, added.text);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("streamlib mcp confines config, manifest and save paths to --media-dir", async () => {
  const { root, media, outside } = await tempDirs();
  await Deno.symlink(outside, join(media, "link"));
  await Deno.writeTextFile(join(outside, "secret.json"), '{"SECRET-CONTENT":1');
  await using mcp = await connectStdio("--media-dir", media);
  for (
    const path of [
      join(outside, "x.wav"),
      join(media, "link", "x.wav"),
      `${media}/../outside/x.wav`,
    ]
  ) {
    const writer = failure(
      await mcp.call("add_processor", { type: "WavWriter", config: { path } }),
    );
    assert.equal(writer.code, "path_not_allowed", path);
    assert.deepEqual(writer.details, { field: "config.path", available: [media] });
    const saved = failure(await mcp.call("save_manifest", { path }));
    assert.equal(saved.code, "path_not_allowed");
  }
  const read = failure(await mcp.call("load_manifest", { path: join(outside, "secret.json") }));
  assert.equal(read.code, "path_not_allowed");
  assert.ok(!read.message.includes("SECRET"));
  // Inside the media folder, a broken manifest's error names where it broke, not what it holds.
  await Deno.copyFile(join(outside, "secret.json"), join(media, "broken.json"));
  const broken = failure(await mcp.call("load_manifest", { path: join(media, "broken.json") }));
  assert.equal(broken.code, "invalid_field");
  assert.ok(!JSON.stringify(broken).includes("SECRET"), JSON.stringify(broken));
  const fifo = join(media, "fifo.json");
  if (Deno.build.os !== "windows") {
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    const notFile = failure(await mcp.call("load_manifest", { path: fifo }));
    assert.match(notFile.message, /must name a regular file/);
  }
  const ok = await mcp.call("add_processor", {
    type: "WavWriter",
    config: { path: join(media, "take.wav") },
  });
  assert.equal(ok.isError, false, ok.text);
  assert.equal((await mcp.call("save_manifest", { path: join(media, "g.json") })).isError, false);
  const moved = failure(
    await mcp.call("set_config", { id: "wav_writer_1", config: { path: join(outside, "y.wav") } }),
  );
  assert.equal(moved.code, "path_not_allowed");
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.json"]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("streamlib mcp refuses a 1M-character id with an error about length, and later errors stay small", async () => {
  await using mcp = await connectStdio();
  const long = failure(
    await mcp.call("add_processor", { type: "Gain", id: "g".repeat(1_000_000) }),
  );
  assert.equal(long.code, "id_too_long");
  assert.match(long.message, /1000000 characters long, the limit is 64/);
  assert.ok(JSON.stringify(long).length < 1000);
  const manifest = failure(
    await mcp.call("load_manifest", {
      manifest: { version: 1, nodes: [{ id: "n".repeat(100_000), type: "Gain" }], connections: [] },
    }),
  );
  assert.equal(manifest.code, "id_too_long");
  const later = await mcp.call("remove_processor", { id: "nope" });
  assert.ok(later.text.length < 2000, "later errors stay small");
});

Deno.test("streamlib mcp quotes at most an excerpt of a 1 MB id in every tool's error", async () => {
  await using mcp = await connectStdio();
  assert.equal((await mcp.call("add_processor", { type: "Gain", id: "g" })).isError, false);
  const huge = "x".repeat(1_000_000);
  for (
    const [tool, args] of [
      ["remove_processor", { id: huge }],
      ["set_config", { id: huge, config: { gain: 0.5 } }],
      ["connect", { from: `${huge}.out`, to: "g.in" }],
      ["disconnect", { connection: huge }],
    ] as const
  ) {
    const reply = await mcp.call(tool, args);
    assert.equal(reply.isError, true, tool);
    assert.ok(reply.text.length < 2000, `${tool} answered ${reply.text.length} characters`);
    assert.ok(reply.text.includes("more characters"), `${tool}: ${reply.text.slice(0, 300)}`);
  }
  // Errors that quote a name whole in their message (an unknown tool, type or port):
  // the answer stays kilobytes, not three copies of the request (text, message, details).
  for (
    const [tool, args] of [
      [huge, {}],
      ["describe_processor", { type: huge }],
      ["add_processor", { type: huge }],
      ["connect", { from: "g.out", to: `g.${huge}` }],
      ["disconnect", { to: `g.${huge}` }],
    ] as const
  ) {
    const reply = await mcp.call(tool, args);
    const name = tool.slice(0, 20);
    assert.equal(reply.isError, true, name);
    const size = reply.text.length + JSON.stringify(reply.data).length;
    assert.ok(size < 16_000, `${name} answered ${size} characters`);
    assert.ok(reply.text.includes("more characters"), `${name}: ${reply.text.slice(0, 300)}`);
  }
});

Deno.test("streamlib mcp --http takes its token from --token-file or STREAMLIB_TOKEN, not only the command line", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "token");
  const fromFile = "file-token-0123456789abcdef";
  await Deno.writeTextFile(file, `${fromFile}\n`);
  const fromEnv = "env-token-0123456789abcdef";
  for (
    const [args, env, token] of [
      [["--token-file", file], {}, fromFile],
      [[], { STREAMLIB_TOKEN: fromEnv }, fromEnv],
    ] as const
  ) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "mcp", "--http", "--json", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    const started = JSON.parse(text.split("\n")[0]);
    assert.equal(started.token, token);
    const transport = new StreamableHTTPClientTransport(new URL(started.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: "t", version: "1" });
    await client.connect(transport);
    assert.ok((await client.listTools()).tools.length > 10);
    await client.close();
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0, "SIGTERM stops it cleanly");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
  }
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "mcp", "--http", "--token-file", join(dir, "none")],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /Cannot read --token-file/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib mcp load_manifest sets parameters, and a path one sets is confined too", async () => {
  const { root, media, outside } = await tempDirs();
  {
    await using mcp = await connectStdio("--media-dir", media);
    const manifest = {
      version: 1,
      nodes: [
        { id: "fx", type: "Gain" },
        { id: "wav", type: "WavWriter", config: { path: join(media, "take.wav") } },
      ],
      connections: [{ from: "fx.out", to: "wav.in" }],
      parameters: { level: "fx.gain", out: "wav.path" },
    };
    const escaped = failure(
      await mcp.call("load_manifest", { manifest, parameters: { out: join(outside, "x.wav") } }),
    );
    assert.equal(escaped.code, "path_not_allowed");
    const unknown = failure(
      await mcp.call("load_manifest", { manifest, parameters: { levle: 2 } }),
    );
    assert.equal(unknown.code, "unknown_parameter");
    assert.deepEqual(unknown.details.available, ["level", "out"]);
    const invalid = failure(
      await mcp.call("load_manifest", { manifest, parameters: { level: -2 } }),
    );
    assert.equal(invalid.code, "invalid_parameter");
    assert.deepEqual((await mcp.call("get_graph")).data.processors, [], "nothing was added");
    const loaded = await mcp.call("load_manifest", { manifest, parameters: { level: 0.5 } });
    assert.equal(loaded.isError, false, loaded.text);
    const saved = (await mcp.call("save_manifest")).data.manifest as {
      nodes: { config: unknown }[];
      parameters: unknown;
    };
    assert.deepEqual(saved.nodes[0].config, { gain: 0.5 });
    assert.deepEqual(saved.parameters, manifest.parameters);
  }
  assert.deepEqual([...Deno.readDirSync(outside)], []);
  await Deno.remove(root, { recursive: true });
});
