/**
 * `streamlib mcp` on stdio against hostile input, as a real process: oversized lines, garbage,
 * and a client that vanishes mid-recording.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { MCP_MAX_MESSAGE_BYTES } from "../../mcp/mod.ts";
import { ROOT } from "./mcp_client.ts";

const encoder = new TextEncoder();

/** `streamlib mcp` as a child with raw pipes, and a line reader over its stdout. */
class RawServer implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: string[] = [];
  #buffer = "";
  readonly #reading: Promise<void>;

  constructor(args: string[]) {
    const child = this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "mcp", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.#reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        this.#buffer += chunk;
        let newline;
        while ((newline = this.#buffer.indexOf("\n")) !== -1) {
          this.#lines.push(this.#buffer.slice(0, newline));
          this.#buffer = this.#buffer.slice(newline + 1);
        }
      }
    })();
  }

  async send(text: string | Uint8Array): Promise<void> {
    await this.#stdin.write(typeof text === "string" ? encoder.encode(text) : text);
  }

  // deno-lint-ignore no-explicit-any
  async reply(id: unknown, timeoutMs = 20_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const index = this.#lines.findIndex((l) => JSON.parse(l).id === id);
      if (index !== -1) return JSON.parse(this.#lines.splice(index, 1)[0]);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`No reply with id ${JSON.stringify(id)} within ${timeoutMs} ms`);
  }

  async initialize(): Promise<void> {
    await this.send(
      `${
        JSON.stringify({
          jsonrpc: "2.0",
          id: 0,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "hostile", version: "1" },
          },
        })
      }\n${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`,
    );
    assert.equal((await this.reply(0)).result.serverInfo.name, "streamlib");
  }

  async closeStdin(): Promise<Deno.CommandStatus> {
    await this.#stdin.close();
    return await this.child.status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // The end of stdin first: `streamlib mcp` serves from a scoped child process that SIGKILL of
    // the parent does not reach, and that holds stdout open until its stdin ends.
    await this.#stdin.close().catch(() => {});
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.child.status;
    await this.#reading.catch(() => {});
  }
}

function call(id: number, name: string, args: Record<string, unknown> = {}): string {
  return `${
    JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } })
  }\n`;
}

Deno.test("streamlib mcp answers a line over the message limit with -32600 naming its id and keeps serving", async () => {
  await using server = new RawServer([]);
  await server.initialize();
  // The SDK's client puts the id last; the line is 3 MiB over the limit, sent in pieces.
  const filler = "x".repeat(MCP_MAX_MESSAGE_BYTES + 3 * 1024 * 1024);
  const big = JSON.stringify({
    method: "tools/call",
    params: { name: "add_processor", arguments: { type: "Gain", id: filler } },
    jsonrpc: "2.0",
    id: 41,
  });
  const bytes = encoder.encode(`${big}\n`);
  for (let i = 0; i < bytes.length; i += 1 << 20) {
    await server.send(bytes.subarray(i, i + (1 << 20)));
  }
  const refused = await server.reply(41);
  assert.equal(refused.error.code, -32600);
  assert.match(
    refused.error.message,
    /^Request too large: the message is \d+ bytes, the limit is 4194304 bytes/,
  );
  // An oversized line with no readable id is answered with id null.
  await server.send(`${"[".repeat(MCP_MAX_MESSAGE_BYTES + 1)}\n`);
  const anonymous = await server.reply(null);
  assert.equal(anonymous.error.code, -32600);
  // Garbage and a non-message on the same stream: each answered, the server still serves.
  await server.send("not json\n");
  assert.equal((await server.reply(null)).error.code, -32700);
  // A line that is not UTF-8 (a byte 0xff inside a string) is refused, not read with U+FFFD in
  // place of the byte: save_manifest must not write to a path the client did not send.
  const [before, after] = call(44, "save_manifest", { path: "mcp_utf8_probe_X.json" }).split("X");
  await server.send(new Uint8Array([...encoder.encode(before), 0xff, ...encoder.encode(after)]));
  const notUtf8 = await server.reply(null, 3000).finally(() => {
    const written = [...Deno.readDirSync(ROOT)].filter((e) => e.name.startsWith("mcp_utf8_probe_"));
    for (const file of written) Deno.removeSync(join(ROOT, file.name));
    assert.deepEqual(written.map((e) => e.name), [], "nothing written");
  });
  assert.equal(notUtf8.error.code, -32700);
  assert.match(notUtf8.error.message, /^Parse error: the message is not valid UTF-8/);
  await server.send(call(42, "add_processor", { type: "Gain", id: "gain" }));
  const added = await server.reply(42);
  assert.equal(added.result.structuredContent.id, "gain");
  await server.send(call(43, "get_graph"));
  assert.deepEqual(
    (await server.reply(43)).result.structuredContent.processors.map((p: { id: string }) => p.id),
    ["gain"],
  );
  const status = await server.closeStdin();
  assert.equal(status.code, 0, "stdin closed: a clean exit");
});

Deno.test("streamlib mcp stops the pipeline and finalizes a recording when stdin closes, even after an oversized line", async () => {
  const dir = await Deno.makeTempDir();
  const wav = join(dir, "out.wav");
  const manifest = join(dir, "p.json");
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
  {
    await using server = new RawServer([manifest, "--start"]);
    await server.initialize();
    await server.send(`${"x".repeat(MCP_MAX_MESSAGE_BYTES + 10)}\n`);
    assert.equal((await server.reply(null)).error.code, -32600);
    await new Promise((r) => setTimeout(r, 300));
    const status = await server.closeStdin();
    assert.equal(status.code, 0);
  }
  // The process has exited: the WAV header names exactly the bytes on disk.
  const bytes = await Deno.readFile(wav);
  const view = new DataView(bytes.buffer);
  assert.ok(bytes.length > 44, "samples were written");
  assert.equal(view.getUint32(4, true), bytes.length - 8, "RIFF size set");
  assert.equal(view.getUint32(40, true), bytes.length - 44, "data size set");
  const size = bytes.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await Deno.stat(wav)).size, size, "the recording does not grow after the exit");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamlib mcp serves the SDK's client after a hostile client's junk in the same session", async () => {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "cli/streamlib.ts", "mcp"],
    cwd: ROOT,
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    stderr: "pipe",
  });
  transport.stderr?.on("data", () => {});
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(transport);
  try {
    // A tool call whose arguments make the message too large fails with the protocol error.
    await assert.rejects(
      () =>
        client.callTool({
          name: "add_processor",
          arguments: { type: "Gain", config: { junk: "y".repeat(MCP_MAX_MESSAGE_BYTES) } },
        }),
      (e: { code?: number; message?: string }) =>
        e.code === -32600 && /Request too large/.test(e.message ?? ""),
    );
    const tools = await client.listTools();
    assert.equal(tools.tools.length > 10, true);
  } finally {
    await client.close();
  }
});
