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
    ? await h.call("POST", "/nodes", { processor: operation.type, id: operation.id })
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
  const split = (end: string) => end.split(".");
  const result = operation.op === "add"
    ? await mcp.call("add_processor", { type: operation.type, id: operation.id })
    : operation.op === "set_config"
    ? await mcp.call("set_config", { id: operation.id, config: operation.config })
    : await mcp.call("connect", {
      source: split(operation.from)[0],
      sourcePort: split(operation.from)[1],
      destination: split(operation.to)[0],
      destinationPort: split(operation.to)[1],
    });
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
    const [source, sourcePort] = from.split(".");
    const [destination, destinationPort] = to.split(".");
    const args = { source, sourcePort, destination, destinationPort };
    assert.equal((await mcp.call("connect", args)).isError, false);
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
