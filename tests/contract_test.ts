/**
 * One contract, four front-ends: the same invalid operations sent through the runtime's code API,
 * the control API (a real HTTP server), MCP (the SDK's client against `streamlib mcp`) and a
 * manifest give the same error code and list the same valid alternatives.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CodedError, isCodedError } from "../core/error_codes.ts";
import { validateManifest } from "../core/manifest_validation.ts";
import type { Runtime } from "../mod.ts";
import { loadProjectRegistry } from "../codegen/nodes_command.ts";
import { createRuntime } from "../processors/mod.ts";
import { connectStdio, ROOT, type TestClient } from "./mcp/mcp_client.ts";
import { Harness } from "./web/harness.ts";
import { ADD_NODE_SCHEMA, CONNECT_SCHEMA, fieldsOf } from "../web/operations.ts";

/** The processors `streamlib mcp` and `streamlib dashboard` offer in this repository. */
const registry = await loadProjectRegistry(ROOT);

/** The graph every front-end starts from. */
const NODES = [
  { id: "tone", type: "TestToneGenerator" },
  { id: "tone2", type: "TestToneGenerator" },
  { id: "gain", type: "Gain" },
  { id: "gain2", type: "Gain" },
  { id: "pattern", type: "TestPattern" },
] as const;
const CONNECTIONS = [{ from: "tone.audio", to: "gain.in" }] as const;

/** One operation, in the field vocabulary shared by the front-ends. */
type Operation =
  | { readonly op: "add"; readonly type: string; readonly id?: string }
  | { readonly op: "connect"; readonly from: string; readonly to: string }
  | { readonly op: "set_config"; readonly id: string; readonly config: Record<string, unknown> };

/** What every front-end must answer. */
interface Expected {
  readonly code: string;
  /** The valid alternatives listed (`details.available`), or `undefined` when none are. */
  readonly available: readonly string[] | undefined;
}

/** A front-end's answer. */
interface Answer {
  readonly code: string;
  readonly available: readonly string[] | undefined;
}

const NODE_IDS = NODES.map((n) => n.id);

const CASES: [string, Operation, Expected, { manifest: boolean }][] = [
  [
    "duplicate id",
    { op: "add", type: "Gain", id: "gain" },
    { code: "node_id_taken", available: undefined },
    { manifest: true },
  ],
  [
    "occupied input",
    { op: "connect", from: "tone2.audio", to: "gain.in" },
    { code: "input_occupied", available: undefined },
    { manifest: true },
  ],
  [
    "incompatible ports",
    { op: "connect", from: "pattern.video", to: "gain2.in" },
    { code: "port_type_mismatch", available: undefined },
    { manifest: true },
  ],
  [
    "locked config",
    { op: "set_config", id: "tone", config: { blockSize: 960 } },
    { code: "config_locked", available: ["frequency", "amplitude", "waveform"] },
    { manifest: false }, // a manifest is not a running graph
  ],
  [
    "unknown processor",
    { op: "add", type: "Gian", id: "g3" },
    { code: "processor_not_found", available: registry.names },
    { manifest: true },
  ],
  [
    "unknown node",
    { op: "connect", from: "tone.audio", to: "gian.in" },
    { code: "node_not_found", available: NODE_IDS },
    { manifest: true },
  ],
  [
    "unknown port",
    { op: "connect", from: "tone.audo", to: "gain2.in" },
    { code: "port_not_found", available: ["audio"] },
    { manifest: true },
  ],
];

function build(rt: Runtime): void {
  for (const { id, type } of NODES) rt.add(type, {}, { id });
  for (const { from, to } of CONNECTIONS) {
    const [fromNode, fromPort] = from.split(".");
    const [toNode, toPort] = to.split(".");
    rt.connectByName(fromNode, fromPort, toNode, toPort);
  }
}

function listed(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The code API: the thrown error's code and details. */
function viaRuntime(rt: Runtime, operation: Operation): Answer {
  try {
    if (operation.op === "add") rt.add(operation.type, {}, { id: operation.id });
    else if (operation.op === "set_config") rt.setConfig(operation.id, operation.config);
    else {
      const [fromNode, fromPort] = operation.from.split(".");
      const [toNode, toPort] = operation.to.split(".");
      rt.connectByName(fromNode, fromPort, toNode, toPort);
    }
  } catch (error) {
    assert.ok(isCodedError(error), `a coded error, got ${error}`);
    const coded: CodedError = error;
    return { code: coded.code, available: listed(coded.details.available) };
  }
  throw new Error(`The runtime accepted ${JSON.stringify(operation)}`);
}

/** The control API over HTTP: the body's code, and `choices` (which must equal `details.available`). */
async function viaControlApi(h: Harness, operation: Operation): Promise<Answer> {
  const reply = operation.op === "add"
    ? await h.call("POST", "/nodes", { type: operation.type, id: operation.id })
    : operation.op === "set_config"
    ? await h.call("PATCH", `/nodes/${operation.id}/config`, { config: operation.config })
    : await h.call("POST", "/connections", { from: operation.from, to: operation.to });
  assert.ok(reply.status >= 400 && reply.status < 500, `a 4xx, got ${reply.status}`);
  const { error } = reply.body;
  assert.deepEqual(listed(error.choices), listed(error.details?.available));
  return { code: error.code, available: listed(error.choices) };
}

/** MCP through the SDK's client: the tool result's structured error. */
async function viaMcp(mcp: TestClient, operation: Operation): Promise<Answer> {
  const result = operation.op === "add"
    ? await mcp.call("add_processor", { type: operation.type, id: operation.id })
    : operation.op === "set_config"
    ? await mcp.call("set_config", { id: operation.id, config: operation.config })
    : await mcp.call("connect", { from: operation.from, to: operation.to });
  assert.ok(result.isError, `MCP accepted ${JSON.stringify(operation)}`);
  const error = result.data.error as { code: string; details: Record<string, unknown> };
  return { code: error.code, available: listed(error.details.available) };
}

/** A manifest of the graph plus the operation: its one issue's code and `available`. */
function viaManifest(operation: Operation): Answer {
  const nodes: { id: string; type: string }[] = NODES.map((n) => ({ ...n }));
  const connections: { from: string; to: string }[] = CONNECTIONS.map((c) => ({ ...c }));
  if (operation.op === "add") nodes.push({ id: operation.id!, type: operation.type });
  else if (operation.op === "connect") connections.push({ from: operation.from, to: operation.to });
  const issues = validateManifest({ version: 1, nodes, connections }, registry);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  return { code: issues[0].code, available: listed(issues[0].available) };
}

Deno.test("Contract: invalid operations give one code and the same alternatives on every front-end", async () => {
  const rt = createRuntime({ workers: false, registry });
  build(rt);
  await using h = await Harness.start({ build, start: false, registry });
  await using mcp = await connectStdio();
  for (const { id, type } of NODES) {
    assert.equal((await mcp.call("add_processor", { type, id })).isError, false);
  }
  for (const { from, to } of CONNECTIONS) {
    // One vocabulary: the manifest's connection is MCP's connect arguments and the API's body.
    assert.equal((await mcp.call("connect", { from, to })).isError, false);
  }
  // Running, so config fields that are not live are locked.
  await rt.start();
  await h.rt.start();
  assert.equal((await mcp.call("start")).isError, false);
  try {
    for (const [name, operation, expected, { manifest }] of CASES) {
      const answers: [string, Answer][] = [
        ["runtime", viaRuntime(rt, operation)],
        ["control API", await viaControlApi(h, operation)],
        ["MCP", await viaMcp(mcp, operation)],
      ];
      if (manifest) answers.push(["manifest", viaManifest(operation)]);
      for (const [frontEnd, answer] of answers) {
        assert.deepEqual(answer, expected, `${name} through the ${frontEnd}`);
      }
    }
  } finally {
    await rt.stop();
    await h.rt.stop();
    await mcp.call("stop");
  }
});

Deno.test("Contract: one schema per graph edit; the control API and MCP refuse an unknown field listing the same known fields", async () => {
  await using h = await Harness.start({ start: false, registry });
  await using mcp = await connectStdio();
  const { tools } = await mcp.client.listTools();
  const schemaOf = (name: string) => tools.find((t) => t.name === name)!.inputSchema;
  assert.deepEqual(schemaOf("add_processor"), ADD_NODE_SCHEMA);
  assert.deepEqual(schemaOf("connect"), CONNECT_SCHEMA);
  const cases = [
    { route: "/nodes", tool: "add_processor", schema: ADD_NODE_SCHEMA, body: { type: "Gain" } },
    {
      route: "/connections",
      tool: "connect",
      schema: CONNECT_SCHEMA,
      body: { from: "tone_a.audio", to: "mixer.in_5" },
    },
  ];
  for (const { route, tool, schema, body } of cases) {
    const known = fieldsOf(schema);
    const api = await h.call("POST", route, { ...body, colour: "red" });
    assert.equal(api.status, 400, route);
    assert.equal(api.body.error.code, "unknown_field", route);
    assert.ok(api.body.error.message.endsWith(`known fields are ${known.join(", ")}`), route);
    const viaMcp = await mcp.call(tool, { ...body, colour: "red" });
    assert.ok(viaMcp.isError, tool);
    assert.equal((viaMcp.data.error as { code: string }).code, "unknown_field", tool);
    assert.match(viaMcp.text, new RegExp(`the arguments are ${known.join(", ")}`), tool);
  }
  // The manifest's own words work on both: a node's `type`, a connection's "node.port" ends.
  assert.equal((await h.call("POST", "/nodes", { type: "Gain", id: "g" })).status, 201);
  assert.equal((await mcp.call("add_processor", { type: "Gain", id: "g" })).isError, false);
  assert.equal((await mcp.call("add_processor", { type: "NullSink", id: "s" })).isError, false);
  const wired = await mcp.call("connect", { from: "g.out", to: "s.in" });
  assert.equal(wired.isError, false, wired.text);
  assert.equal(wired.data.from, "g.out");
});
