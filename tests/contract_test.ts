/**
 * One contract, four front-ends: the same invalid operations sent through the runtime's code API,
 * the control API (a real HTTP server), MCP (the SDK's client against `streamlib mcp`) and a
 * manifest give the same error code and list the same valid alternatives.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CodedError, isCodedError } from "../core/errors/codes.ts";
import { validateManifest } from "../core/manifest/validation.ts";
import type { Runtime } from "../mod.ts";
import { loadProjectRegistry } from "../codegen/nodes_command.ts";
import { createRuntime } from "../processors/mod.ts";
import { connectStdio, ROOT, type TestClient } from "./mcp/mcp_client.ts";
import { Harness } from "./web/harness.ts";
import {
  ADD_NODE_SCHEMA,
  CONNECT_SCHEMA,
  DISCONNECT_SCHEMA,
  fieldsOf,
  LIFECYCLE_SCHEMA,
  SET_CONFIG_SCHEMA,
  withNodeId,
} from "../core/operations/schemas.ts";
import { main as validateMain } from "../cli/validate.ts";

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
  | {
    readonly op: "add";
    readonly type: string;
    readonly id?: string;
    readonly config?: Record<string, unknown>;
  }
  | { readonly op: "connect"; readonly from: string; readonly to: string }
  | { readonly op: "set_config"; readonly id: string; readonly config: Record<string, unknown> };

/** What every front-end must answer. */
interface Expected {
  readonly code: string;
  /** The valid alternatives listed (`details.available`), or `undefined` when none are. */
  readonly available: readonly string[] | undefined;
  /**
   * The request field at fault: the control API's `field`, MCP's failure `field`, the end of the
   * manifest issue's path (the code API has no request, so no field).
   */
  readonly field: string;
}

/** A front-end's answer. */
interface Answer {
  readonly code: string;
  readonly available: readonly string[] | undefined;
  readonly field?: string;
}

const NODE_IDS = NODES.map((n) => n.id);

const CASES: [string, Operation, Expected, { manifest: boolean }][] = [
  [
    "duplicate id",
    { op: "add", type: "Gain", id: "gain" },
    { code: "node_id_taken", available: undefined, field: "id" },
    { manifest: true },
  ],
  [
    "occupied input",
    { op: "connect", from: "tone2.audio", to: "gain.in" },
    { code: "input_occupied", available: undefined, field: "to" },
    { manifest: true },
  ],
  [
    "incompatible ports",
    { op: "connect", from: "pattern.video", to: "gain2.in" },
    { code: "port_type_mismatch", available: undefined, field: "to" },
    { manifest: true },
  ],
  [
    "locked config",
    { op: "set_config", id: "tone", config: { blockSize: 960 } },
    {
      code: "config_locked",
      available: ["frequency", "amplitude", "waveform"],
      field: "config.blockSize",
    },
    { manifest: false }, // a manifest is not a running graph
  ],
  [
    "unknown processor",
    { op: "add", type: "Gian", id: "g3" },
    { code: "processor_not_found", available: registry.names, field: "type" },
    { manifest: true },
  ],
  [
    "config of the wrong type",
    { op: "add", type: "Gain", id: "g4", config: { gain: "loud" } },
    { code: "invalid_config", available: undefined, field: "config.gain" },
    { manifest: true },
  ],
  [
    "unknown config field",
    { op: "add", type: "TestToneGenerator", id: "t4", config: { frequncy: 3 } },
    {
      code: "invalid_config",
      available: ["frequency", "amplitude", "sampleRate", "blockSize", "waveform"],
      field: "config.frequncy",
    },
    { manifest: true },
  ],
  [
    "unknown node",
    { op: "connect", from: "tone.audio", to: "gian.in" },
    { code: "node_not_found", available: NODE_IDS, field: "to" },
    { manifest: true },
  ],
  [
    "unknown port",
    { op: "connect", from: "tone.audo", to: "gain2.in" },
    { code: "port_not_found", available: ["audio"], field: "from" },
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
    if (operation.op === "add") {
      rt.add(operation.type, operation.config ?? {}, { id: operation.id });
    } else if (operation.op === "set_config") rt.setConfig(operation.id, operation.config);
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
    ? await h.call("POST", "/nodes", {
      type: operation.type,
      id: operation.id,
      config: operation.config,
    })
    : operation.op === "set_config"
    ? await h.call("PATCH", `/nodes/${operation.id}/config`, { config: operation.config })
    : await h.call("POST", "/connections", { from: operation.from, to: operation.to });
  assert.ok(reply.status >= 400 && reply.status < 500, `a 4xx, got ${reply.status}`);
  const { error } = reply.body;
  assert.deepEqual(listed(error.choices), listed(error.details?.available));
  return { code: error.code, available: listed(error.choices), field: error.field };
}

/** MCP through the SDK's client: the tool result's structured error. */
async function viaMcp(mcp: TestClient, operation: Operation): Promise<Answer> {
  const result = operation.op === "add"
    ? await mcp.call("add_processor", {
      type: operation.type,
      id: operation.id,
      ...(operation.config ? { config: operation.config } : {}),
    })
    : operation.op === "set_config"
    ? await mcp.call("set_config", { id: operation.id, config: operation.config })
    : await mcp.call("connect", { from: operation.from, to: operation.to });
  assert.ok(result.isError, `MCP accepted ${JSON.stringify(operation)}`);
  const error = result.data.error as {
    code: string;
    field?: string;
    details: Record<string, unknown>;
  };
  return { code: error.code, available: listed(error.details.available), field: error.field };
}

/** A manifest of the graph plus the operation: its one issue's code and `available`. */
function viaManifest(operation: Operation): Answer {
  const nodes: { id: string; type: string; config?: Record<string, unknown> }[] = NODES.map((
    n,
  ) => ({ ...n }));
  const connections: { from: string; to: string }[] = CONNECTIONS.map((c) => ({ ...c }));
  if (operation.op === "add") {
    nodes.push({ id: operation.id!, type: operation.type, config: operation.config });
  } else if (operation.op === "connect") {
    connections.push({ from: operation.from, to: operation.to });
  }
  const issues = validateManifest({ version: 1, nodes, connections }, registry);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  const at = operation.op === "add"
    ? `nodes[${NODES.length}].`
    : `connections[${CONNECTIONS.length}].`;
  assert.ok(issues[0].path.startsWith(at), issues[0].path);
  return {
    code: issues[0].code,
    available: listed(issues[0].available),
    field: issues[0].path.slice(at.length),
  };
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
        // The code API has no request, so no field; the others name the same one.
        const wanted = frontEnd === "runtime" ? { ...expected, field: undefined } : expected;
        assert.deepEqual(
          { ...answer, field: answer.field },
          wanted,
          `${name} through the ${frontEnd}`,
        );
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

/** A request's shape that is wrong, in the fields every front-end shares. */
type BadRequest =
  | { readonly op: "add"; readonly body: Record<string, unknown> }
  | { readonly op: "connect"; readonly body: Record<string, unknown> };

/** What every front-end must answer for a bad request: one code, one field, the same choices. */
interface FieldAnswer {
  readonly code: string;
  readonly field: string;
  /** The choices listed, where the front-ends list some (unknown fields, enums). */
  readonly available?: readonly string[];
}

const NODE_FIELDS = fieldsOf(ADD_NODE_SCHEMA);
const CONNECTION_FIELDS = fieldsOf(CONNECT_SCHEMA);

/** Bad requests: the node ones carry an id, since a manifest's node needs one. */
const BAD_REQUESTS: [string, BadRequest, FieldAnswer][] = [
  [
    "unknown node field",
    { op: "add", body: { id: "x1", type: "Gain", processor: "Gain" } },
    { code: "unknown_field", field: "processor", available: NODE_FIELDS },
  ],
  [
    "missing type",
    { op: "add", body: { id: "x2" } },
    { code: "missing_field", field: "type" },
  ],
  [
    "type not a string",
    { op: "add", body: { id: "x3", type: 42 } },
    { code: "invalid_field", field: "type" },
  ],
  [
    "config not an object",
    { op: "add", body: { id: "x4", type: "Gain", config: [] } },
    { code: "invalid_field", field: "config" },
  ],
  [
    "unknown error policy",
    { op: "add", body: { id: "x5", type: "Gain", onError: "retry" } },
    {
      code: "invalid_field",
      field: "onError",
      available: ["stop-processor", "stop-runtime", "restart"],
    },
  ],
  [
    "negative restarts",
    { op: "add", body: { id: "x6", type: "Gain", maxRestarts: -1 } },
    { code: "invalid_field", field: "maxRestarts" },
  ],
  [
    "empty worker name",
    { op: "add", body: { id: "x7", type: "Gain", placement: { worker: "" } } },
    { code: "invalid_field", field: "placement" },
  ],
  [
    "unknown field before a bad one",
    { op: "add", body: { id: "x8", type: 42, colour: "red" } },
    { code: "unknown_field", field: "colour", available: NODE_FIELDS },
  ],
  [
    "unknown connection field",
    { op: "connect", body: { from: "tone2.audio", to: "gain2.in", source: "tone2" } },
    { code: "unknown_field", field: "source", available: CONNECTION_FIELDS },
  ],
  [
    "malformed end",
    { op: "connect", body: { from: "tone2", to: "gain2.in" } },
    { code: "invalid_field", field: "from" },
  ],
  [
    "missing end",
    { op: "connect", body: { from: "tone2.audio" } },
    { code: "missing_field", field: "to" },
  ],
  [
    "zero capacity",
    { op: "connect", body: { from: "tone2.audio", to: "gain2.in", capacity: 0 } },
    { code: "invalid_field", field: "capacity" },
  ],
  [
    "unknown policy",
    { op: "connect", body: { from: "tone2.audio", to: "gain2.in", policy: "lifo" } },
    { code: "invalid_field", field: "policy", available: ["fifo", "latest"] },
  ],
];

/** The graph's manifest with the bad node or connection last: its first issue there. */
function badManifest(request: BadRequest): Record<string, unknown> {
  const nodes: unknown[] = NODES.map((n) => ({ ...n }));
  const connections: unknown[] = CONNECTIONS.map((c) => ({ ...c }));
  if (request.op === "add") nodes.push(request.body);
  else connections.push(request.body);
  return { version: 1, nodes, connections };
}

/** The manifest's issue at the bad entry, as the front-ends' field: `nodes[5].onError` → onError. */
function manifestAnswer(
  issues: readonly { code: string; path: string; available?: readonly string[] }[],
  request: BadRequest,
): FieldAnswer & { path: string } {
  const at = request.op === "add"
    ? `nodes[${NODES.length}].`
    : `connections[${CONNECTIONS.length}].`;
  const issue = issues.find((i) => i.path.startsWith(at));
  assert.ok(issue, `an issue at ${at}: ${JSON.stringify(issues)}`);
  return {
    code: issue.code,
    field: issue.path.slice(at.length),
    path: issue.path,
    ...(issue.available ? { available: issue.available } : {}),
  };
}

function compare(answer: FieldAnswer, expected: FieldAnswer, where: string): void {
  assert.equal(answer.code, expected.code, where);
  assert.equal(answer.field, expected.field, where);
  if (expected.available) assert.deepEqual(answer.available, expected.available, where);
}

Deno.test("Contract: a malformed request gets one code and one field from the control API, MCP, a manifest and streamlib validate", async () => {
  await using h = await Harness.start({ build, start: false, registry });
  await using mcp = await connectStdio();
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, request, expected] of BAD_REQUESTS) {
      const route = request.op === "add" ? "/nodes" : "/connections";
      const api = await h.call("POST", route, request.body);
      assert.equal(api.status, 400, `${name}: ${JSON.stringify(api.body)}`);
      const apiError = api.body.error;
      compare(
        { code: apiError.code, field: apiError.field, available: apiError.choices },
        expected,
        `${name} through the control API`,
      );

      const tool = request.op === "add" ? "add_processor" : "connect";
      const viaMcp = await mcp.call(tool, request.body);
      assert.ok(viaMcp.isError, `${name}: MCP accepted it`);
      const mcpError = viaMcp.data.error as {
        code: string;
        field: string;
        details: Record<string, unknown>;
      };
      compare(
        {
          code: mcpError.code,
          field: mcpError.field,
          available: listed(mcpError.details.available),
        },
        expected,
        `${name} through MCP`,
      );

      const manifest = badManifest(request);
      const fromManifest = manifestAnswer(validateManifest(manifest, registry), request);
      compare(fromManifest, expected, `${name} in a manifest`);

      const file = `${dir}/bad.json`;
      await Deno.writeTextFile(file, JSON.stringify(manifest));
      const lines: string[] = [];
      const output = { out: (t: string) => lines.push(t), err: () => {} };
      assert.equal(await validateMain([file, "--json"], output, { registry }), 1, name);
      const report = JSON.parse(lines[0]);
      const fromCli = manifestAnswer(report.issues, request);
      compare(fromCli, expected, `${name} through streamlib validate`);
      assert.equal(fromCli.path, fromManifest.path, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // Nothing was added or connected by any of them.
  assert.deepEqual(h.rt.describe().nodes.map((n) => n.id), NODE_IDS);
});

Deno.test("Contract: disconnect, set_config and the lifecycle calls publish the shared schemas; both front-ends refuse the same disconnects the same way", async () => {
  await using h = await Harness.start({ build, start: false, registry });
  await using mcp = await connectStdio();
  const { tools } = await mcp.client.listTools();
  const schemaOf = (name: string) => tools.find((t) => t.name === name)!.inputSchema;
  assert.deepEqual(schemaOf("disconnect"), DISCONNECT_SCHEMA);
  assert.deepEqual(schemaOf("set_config"), withNodeId(SET_CONFIG_SCHEMA));
  for (const action of ["start", "pause", "resume", "stop"]) {
    assert.deepEqual(schemaOf(action), LIFECYCLE_SCHEMA, action);
  }
  for (const { id, type } of NODES) await mcp.call("add_processor", { type, id });
  for (const { from, to } of CONNECTIONS) await mcp.call("connect", { from, to });

  const bad: [Record<string, string>, FieldAnswer][] = [
    [{}, { code: "missing_field", field: "connection", available: ["connection", "to"] }],
    [{ from: "tone.audio" }, { code: "missing_field", field: "to" }],
    [{ to: "gain" }, { code: "invalid_field", field: "to" }],
    [{ connection: "conn_1", to: "gain.in" }, { code: "invalid_field", field: "to" }],
    [{ to: "gain.in", colour: "red" }, { code: "unknown_field", field: "colour" }],
    [{ to: "gain2.in" }, { code: "connection_not_found", field: "to", available: ["gain.in"] }],
    [
      { to: "gain.in", from: "tone2.audio" },
      { code: "connection_not_found", field: "from", available: ["gain.in"] },
    ],
  ];
  for (const [request, expected] of bad) {
    const query = new URLSearchParams(request).toString();
    const api = await h.call("DELETE", `/connections?${query}`);
    assert.ok(api.status === 400 || api.status === 404, `${query}: ${api.status}`);
    compare(
      { code: api.body.error.code, field: api.body.error.field, available: api.body.error.choices },
      expected,
      `DELETE /connections?${query}`,
    );
    const viaMcp = await mcp.call("disconnect", request);
    assert.ok(viaMcp.isError, query);
    const error = viaMcp.data.error as {
      code: string;
      field: string;
      details: Record<string, unknown>;
    };
    compare(
      { code: error.code, field: error.field, available: listed(error.details.available) },
      expected,
      `MCP disconnect ${query}`,
    );
  }
  // Both forms work on both.
  const byEnds = await mcp.call("disconnect", { to: "gain.in", from: "tone.audio" });
  assert.equal(byEnds.isError, false, byEnds.text);
  assert.equal(byEnds.data.to, "gain.in");
  const [{ id }] = h.rt.describe().connections;
  assert.equal((await h.call("DELETE", `/connections/${id}`)).status, 200);
  assert.deepEqual(h.rt.describe().connections, []);
});

Deno.test("Contract: a refused lifecycle call names the state and the calls it allows, on the runtime, the control API and MCP", async () => {
  const rt = createRuntime({ workers: false, registry });
  await using h = await Harness.start({ start: false, registry });
  await using mcp = await connectStdio();
  for (const action of ["pause", "resume", "stop"] as const) {
    let runtimeError: CodedError | undefined;
    try {
      await rt[action]();
    } catch (error) {
      if (isCodedError(error)) runtimeError = error;
    }
    assert.ok(runtimeError, action);
    const api = await h.call("POST", `/runtime/${action}`);
    assert.equal(api.status, 409, action);
    const viaMcp = await mcp.call(action);
    assert.ok(viaMcp.isError, action);
    const mcpError = viaMcp.data.error as { code: string; details: Record<string, unknown> };
    for (
      const [where, code, details] of [
        ["runtime", runtimeError.code, runtimeError.details],
        ["control API", api.body.error.code, api.body.error.details],
        ["MCP", mcpError.code, mcpError.details],
      ] as const
    ) {
      assert.equal(code, "invalid_state", `${action} through the ${where}`);
      assert.equal(details.state, "stopped", `${action} through the ${where}`);
      assert.deepEqual(details.available, ["start"], `${action} through the ${where}`);
    }
  }
});
