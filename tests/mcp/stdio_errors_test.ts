/**
 * Every error class of the MCP server, through a real `streamlib mcp` subprocess: tool failures
 * are results an agent can act on, malformed protocol messages are JSON-RPC errors, and the
 * server keeps serving after each.
 */

import assert from "node:assert/strict";
import { connectStdio, failure, ROOT } from "./mcp_client.ts";

Deno.test("streamlib mcp answers every tool error class with a message, a code, the valid choices and a hint", async () => {
  await using mcp = await connectStdio();
  const { call } = mcp;
  const expectFailure = async (
    name: string,
    args: Record<string, unknown>,
    code: string,
    message: RegExp,
  ) => {
    const result = await call(name, args);
    const error = failure(result);
    assert.equal(error.code, code, `${name}: ${result.text}`);
    assert.match(error.message, message);
    assert.ok(result.text.startsWith(error.message), "the text starts with the message");
    return error;
  };

  let e = await expectFailure(
    "conect",
    {},
    "unknown_tool",
    /^Unknown tool 'conect': did you mean connect\?/,
  );
  assert.deepEqual(e.details.nearMatches, ["connect"]);

  e = await expectFailure(
    "add_processor",
    {},
    "missing_field",
    /^Invalid arguments for tool 'add_processor': 'type' is missing: expected a string$/,
  );
  await expectFailure(
    "add_processor",
    { type: "Gain", ids: "g" },
    "unknown_field",
    /'ids' is not an argument: did you mean 'id'\? the arguments are type, config, id,/,
  );
  await expectFailure(
    "connect",
    { from: "a.b", to: "c.d", capacity: 0 },
    "invalid_field",
    /'capacity' must be an integer from 1 to 16777216, got 0/,
  );

  e = await expectFailure(
    "add_processor",
    { type: "AudioMixr" },
    "processor_not_found",
    /^Cannot find processor 'AudioMixr': did you mean AudioMixer\? available processors: /,
  );
  assert.deepEqual(e.details.nearMatches, ["AudioMixer"]);
  assert.match(e.hint ?? "", /list_processors/);
  await expectFailure(
    "describe_processor",
    { type: "Gian" },
    "processor_not_found",
    /did you mean Gain\?/,
  );

  e = await expectFailure(
    "add_processor",
    { type: "TestToneGenerator", config: { frequency: 99999 } },
    "invalid_config",
    /config field 'frequency' must be a number from 1 to 20000, got 99999/,
  );
  assert.match(e.hint ?? "", /describe_processor with type 'TestToneGenerator'/);

  assert.equal((await call("add_processor", { type: "AudioMixer", id: "mixer_1" })).isError, false);
  assert.equal(
    (await call("add_processor", { type: "TestToneGenerator", id: "tone" })).isError,
    false,
  );
  assert.equal(
    (await call("add_processor", { type: "TestPattern", id: "pattern" })).isError,
    false,
  );
  assert.equal((await call("add_processor", { type: "Gain", id: "gain_1" })).isError, false);
  assert.equal((await call("add_processor", { type: "Gain", id: "gain_2" })).isError, false);
  await expectFailure(
    "add_processor",
    { type: "Gain", id: "gain_1" },
    "node_id_taken",
    /the id is taken/,
  );
  await expectFailure("add_processor", { type: "Gain", id: "a.b" }, "invalid_node_id", /'a\.b'/);

  e = await expectFailure(
    "connect",
    { from: "tone.audio", to: "mixer_1.audio_in" },
    "port_not_found",
    /^Cannot find input 'audio_in' on 'mixer_1': available inputs: in_0, in_1, in_2, in_3, in_4, in_5, in_6, in_7$/,
  );
  assert.deepEqual(e.details.available, [
    "in_0",
    "in_1",
    "in_2",
    "in_3",
    "in_4",
    "in_5",
    "in_6",
    "in_7",
  ]);
  await expectFailure(
    "connect",
    { from: "tone.audo", to: "mixer_1.in_0" },
    "port_not_found",
    /output 'audo' on 'tone': did you mean audio\? available outputs: audio/,
  );
  await expectFailure(
    "connect",
    { from: "tone.audio", to: "mixr_1.in_0" },
    "node_not_found",
    /Cannot find node 'mixr_1'/,
  );
  e = await expectFailure(
    "connect",
    { from: "mixer_1.in_0", to: "gain_1.in" },
    "wrong_port_direction",
    /Cannot connect .*'mixer_1\.in_0': it is an input, expected an output/,
  );
  assert.equal(e.details.expected, "output");
  await expectFailure(
    "connect",
    { from: "pattern.video", to: "gain_1.in" },
    "port_type_mismatch",
    /VideoFrame does not fit AudioFrame<2>/,
  );
  const first = await call("connect", {
    from: "tone.audio",
    to: "mixer_1.in_0",
  });
  e = await expectFailure(
    "connect",
    { from: "gain_1.out", to: "mixer_1.in_0" },
    "input_occupied",
    /in_0/,
  );
  assert.equal(e.details.existing, first.data.id);
  await call("connect", {
    from: "gain_1.out",
    to: "gain_2.in",
  });
  e = await expectFailure(
    "connect",
    { from: "gain_2.out", to: "gain_1.in" },
    "cycle",
    /cycle/,
  );
  assert.ok((e.details.path as string[]).length > 0);
  await expectFailure(
    "connect",
    {
      from: "tone.audio",
      to: "gain_2.in",
      policy: "lifo",
    },
    "invalid_field",
    /'policy' must be one of "fifo", "latest", got "lifo"/,
  );

  await expectFailure(
    "remove_processor",
    { id: "nope" },
    "node_not_found",
    /available nodes: /,
  );
  await expectFailure("disconnect", { connection: "conn_99" }, "connection_not_found", /conn_99/);
  await expectFailure("get_stats", { id: "nope" }, "node_not_found", /nope/);
  await expectFailure("pause", {}, "invalid_state", /Cannot pause the runtime: it is stopped/);
  await expectFailure("resume", {}, "invalid_state", /it is stopped/);
  await expectFailure("stop", {}, "invalid_state", /it is stopped/);

  await expectFailure(
    "load_manifest",
    { manifest: { version: 2, nodes: [{ id: "x", type: "Nope" }] } },
    "invalid_manifest",
    /version: must be 1, got 2 \(and 1 more\)/,
  );
  e = await expectFailure(
    "load_manifest",
    {},
    "missing_field",
    /'manifest' is missing: give 'manifest' \(the manifest JSON\) or 'path' \(a manifest file\)/,
  );
  assert.equal(e.field, "manifest");
  assert.deepEqual(e.details.available, ["manifest", "path"]);
  e = await expectFailure(
    "load_manifest",
    { manifest: { version: 1, nodes: [] }, path: "m.json" },
    "invalid_field",
    /'path' cannot be given with 'manifest'/,
  );
  assert.equal(e.field, "path");
  e = await expectFailure(
    "load_manifest",
    { path: "no/such/file.json" },
    "file_error",
    /No such file/,
  );
  assert.equal(e.field, "path");
  // A folder where a file goes: the agent's path, not a bug of the server.
  e = await expectFailure("save_manifest", { path: "tests" }, "file_error", /Is a directory/);
  assert.equal(e.field, "path");
  assert.equal(e.details.errno, "EISDIR");
  await expectFailure(
    "load_manifest",
    { path: "tests/fixtures/manifests/invalid_json_syntax.txt" },
    "invalid_field",
    /is not valid JSON/,
  );

  await call("start");
  e = await expectFailure(
    "set_config",
    { id: "pattern", config: { width: 320 } },
    "config_locked",
    /Cannot change 'width' of node 'pattern' while it is running: it has no live fields/,
  );
  assert.match(e.hint ?? "", /pause/);
  await expectFailure("start", {}, "invalid_state", /it is running, expected stopped/);
  await call("stop");

  // After every failure the server still works.
  const graph = await call("get_graph");
  assert.equal(graph.isError, false);
  assert.equal((graph.data.processors as unknown[]).length, 5);
});

Deno.test("streamlib mcp answers malformed protocol messages with JSON-RPC errors and keeps serving", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "mcp"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  const send = (line: string) => writer.write(new TextEncoder().encode(`${line}\n`));
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<Record<string, unknown>> => {
    while (!buffer.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the server closed stdout");
      buffer += value;
    }
    const index = buffer.indexOf("\n");
    const line = buffer.slice(0, index);
    buffer = buffer.slice(index + 1);
    return JSON.parse(line);
  };

  await send("this is not json");
  let reply = await next();
  assert.deepEqual([reply.id, (reply.error as { code: number }).code], [null, -32700]);
  await send(JSON.stringify({ hello: "world" }));
  reply = await next();
  assert.deepEqual([reply.id, (reply.error as { code: number }).code], [null, -32600]);

  await send(JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  }));
  reply = await next();
  assert.equal(reply.id, 1);
  assert.equal((reply.result as { serverInfo: { name: string } }).serverInfo.name, "streamlib");
  await send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));

  await send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/explode", params: {} }));
  reply = await next();
  assert.deepEqual([reply.id, (reply.error as { code: number }).code], [2, -32601]);
  await send(
    JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { arguments: {} } }),
  );
  reply = await next();
  assert.deepEqual([reply.id, (reply.error as { code: number }).code], [3, -32602]);
  await send(JSON.stringify({
    jsonrpc: "2.0",
    id: 4,
    method: "tools/call",
    params: { name: "add_processor", arguments: "not an object" },
  }));
  reply = await next();
  assert.equal(reply.id, 4);
  assert.ok(reply.error !== undefined || (reply.result as { isError?: boolean }).isError);

  await send(
    JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "get_graph" } }),
  );
  reply = await next();
  assert.equal(reply.id, 5);
  assert.equal(
    (reply.result as { structuredContent: { state: string } }).structuredContent.state,
    "stopped",
  );

  await send(JSON.stringify({ jsonrpc: "2.0", id: 6, method: "resources/read", params: {} }));
  reply = await next();
  assert.equal((reply.error as { code: number }).code, -32602);
  assert.match(
    (reply.error as { message: string }).message,
    /^Invalid params for resources\/read: 'uri' must be a string, got nothing$/,
  );

  await writer.close();
  const status = await child.status;
  const stderr = new TextDecoder().decode(
    (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
  );
  assert.equal(status.code, 0, stderr);
  assert.match(stderr, /bad request: /);
  await lines.cancel();
});
