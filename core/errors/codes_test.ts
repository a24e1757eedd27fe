import assert from "node:assert/strict";
import { ParameterError } from "../manifest/parameters.ts";
import { readdirSync } from "node:fs";
import { MemoryBudgetError } from "../admission/check.ts";
import { ERROR_CODES, isCodedError } from "./codes.ts";
import { ConfigValidationError, validateConfig } from "../config/validation.ts";
import { PortTypeMismatchError } from "../graph/connect.ts";
import { BareDecoratorError } from "../processor/decorators.ts";
import { ConnectionEndsNotFoundError } from "../operations/disconnect_target.ts";
import { FilePathConflictError } from "../graph/file_path_conflicts.ts";
import { FrameTooLargeError, InvalidFrameShapeError } from "../frames/memory.ts";
import { MessageSizeError } from "../frames/message.ts";
import {
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  NodeNotFoundError,
  PortDirectionError,
} from "../graph/errors.ts";
import { PortAlreadyConnectedError } from "../ports/input_binding.ts";
import { ProcessorNotLoadedError } from "../registry/lazy_node.ts";
import { StateTransitionError } from "../lifecycle/state.ts";
import { ConfigLockedError, NotReconfigurableError } from "../lifecycle/live_config.ts";
import { ManifestError, PluginLoadError } from "../manifest/manifest.ts";
import {
  DuplicateProcessorError,
  ProcessorClassNotDefinedError,
  ProcessorNotFoundError,
} from "../registry/node_registry.ts";
import { OperationError } from "../operations/check.ts";
import { FrameReleasedError } from "../frames/owned_frame.ts";
import { PortNotFoundError } from "../ports/port_table.ts";
import { ProbeOptionsError, ProbeUnsupportedError } from "../probes/probe.ts";
import { PortsNotBoundError } from "../processor/processor.ts";
import { WorkerWaitError } from "../graph/worker_wait.ts";
import {
  GpuDeviceLostError,
  GpuNotReadyError,
  GpuPlacementError,
  GpuUnavailableError,
} from "../gpu/errors.ts";
import {
  AppFrameError,
  AppPortEndedError,
  AppPortNameError,
  AppPortNotFoundError,
} from "../app/errors.ts";
import {
  LoopPeriodMissingError,
  NodeOptionsError,
  PlacementUnavailableError,
  RuntimeArgumentError,
  RuntimeStateError,
} from "../lifecycle/errors.ts";

function configError(): ConfigValidationError {
  try {
    validateConfig(
      { type: "object", properties: { wave: { enum: ["sine", "square"] } } },
      { wave: "saw" },
      "Tone",
    );
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
  }
  throw new Error("validateConfig() accepted a bad enum value");
}

/** One instance of every error class of core/, with its code and its listed alternatives. */
const CASES: [Error, string, readonly string[] | undefined][] = [
  [new AppPortNotFoundError("input", "x", ["audio"]), "app_port_not_found", ["audio"]],
  [new AppFrameError("audio", "kind", "video", "'audio'"), "app_frame_mismatch", undefined],
  [
    new AppFrameError("a", "size", "9 bytes", "at most 8", "frame_too_large"),
    "frame_too_large",
    undefined,
  ],
  [new AppPortEndedError("audio", "end() was called"), "app_port_ended", undefined],
  [new AppPortNameError("input", "a b", "bad"), "invalid_app_port", undefined],
  [new NodeNotFoundError("b", ["a", "c"], false), "node_not_found", ["a", "c"]],
  [new InvalidNodeIdError("a", "taken"), "node_id_taken", undefined],
  [new InvalidNodeIdError("a.b", "malformed"), "invalid_node_id", undefined],
  [new ConnectionNotFoundError("conn_9", ["conn_1"], false), "connection_not_found", ["conn_1"]],
  [new DestinationOccupiedError("a.out", "b.in", "conn_1", "c.out"), "input_occupied", undefined],
  [new PortDirectionError("a.in", "output"), "wrong_port_direction", undefined],
  [new CycleError(["b.out", "a.in", "a.out", "b.in"]), "cycle", undefined],
  [
    new ConnectionOptionsError("a.out", "b.in", "policy must be...", "policy"),
    "invalid_connection_options",
    ["fifo", "latest"],
  ],
  [new PortNotFoundError("mix", "input", "in9", ["in_0"]), "port_not_found", ["in_0"]],
  [
    new PortTypeMismatchError("a.out", "VideoFrame", "b.in", "AudioFrame<2>"),
    "port_type_mismatch",
    undefined,
  ],
  [new ProcessorNotFoundError("Gian", ["Gain"]), "processor_not_found", ["Gain"]],
  [new ProcessorClassNotDefinedError("Gian", ["Gain"]), "processor_not_found", ["Gain"]],
  [new DuplicateProcessorError("Gain", ["a.ts", "b.ts"]), "duplicate_processor", undefined],
  [configError(), "invalid_config", ["sine", "square"]],
  [new ConfigLockedError("tone", "running", ["blockSize"], ["frequency"]), "config_locked", [
    "frequency",
  ]],
  [new NotReconfigurableError("invert", "native:x"), "not_reconfigurable", undefined],
  [
    new RuntimeStateError("start", "running", ["stopped"], ["pause", "stop"]),
    "invalid_state",
    ["pause", "stop"],
  ],
  [new ConnectionEndsNotFoundError("b.in", undefined, ["a.in"]), "connection_not_found", ["a.in"]],
  [new StateTransitionError("tone", "stopped", "running", ["starting"]), "invalid_state", [
    "starting",
  ]],
  [
    new OperationError("connect", [
      { code: "invalid_field", field: "policy", problem: "...", choices: ["fifo", "latest"] },
    ]),
    "invalid_field",
    ["fifo", "latest"],
  ],
  [new PlacementUnavailableError("g", { worker: "dsp" }, []), "placement_unavailable", ["main"]],
  [new LoopPeriodMissingError("tone", "Tone"), "loop_period_missing", undefined],
  [
    new RuntimeArgumentError("on", "listener", "node-error", "a function"),
    "invalid_argument",
    undefined,
  ],
  [
    new NodeOptionsError("g", 'onError must be one of ..., got "retry"', "onError"),
    "invalid_node_options",
    ["stop-processor", "stop-runtime", "restart"],
  ],
  [new FilePathConflictError([]), "file_path_conflict", undefined],
  [new FrameTooLargeError(10, 5), "frame_too_large", undefined],
  [
    new InvalidFrameShapeError("video", "width", 0, "a positive integer"),
    "invalid_frame_shape",
    undefined,
  ],
  [
    new InvalidFrameShapeError("video", "format", "YUV9", "one of RGBA, BGRA", ["RGBA", "BGRA"]),
    "invalid_frame_shape",
    ["RGBA", "BGRA"],
  ],
  [
    new MemoryBudgetError(
      { node: "big", processor: "TestPattern", frameBytes: 10, slots: 4, bytes: 40 },
      20,
      50,
    ),
    "memory_budget_exceeded",
    undefined,
  ],
  [new FrameReleasedError("video", "pattern"), "frame_released", undefined],
  [new MessageSizeError(40), "message_too_large", undefined],
  [new BareDecoratorError("input", "video"), "bare_decorator", undefined],
  [
    new ManifestError([{ path: "nodes", code: "malformed", message: "nodes: expected an array" }]),
    "invalid_manifest",
    undefined,
  ],
  [new PluginLoadError("./p.ts", "file:///p.ts", "missing"), "plugin_import_failed", undefined],
  [new PortsNotBoundError("Idle"), "ports_not_bound", undefined],
  [new PortAlreadyConnectedError("in"), "port_already_connected", undefined],
  [new ProbeOptionsError("everyMs", "everyMs must be > 0"), "probe_invalid", undefined],
  [new ProbeUnsupportedError("x.out", "custom:x"), "probe_unsupported", undefined],
  [
    new ProcessorNotLoadedError("Gain", "file:///gain.gen.ts", "the import failed"),
    "processor_not_loaded",
    undefined,
  ],
  [new GpuUnavailableError("no adapter"), "gpu_unavailable", undefined],
  [new GpuDeviceLostError("destroyed", ""), "gpu_device_lost", undefined],
  [new GpuNotReadyError("fx"), "gpu_not_ready", undefined],
  [new GpuPlacementError("fx", "Tint", "worker:fx", ["in"]), "gpu_worker_placement", ["main"]],
  [
    new WorkerWaitError("sink", "CheckSink", "w", "processor-needs-event-loop", ["event-loop"]),
    "worker_wait_refused",
    ["event-loop"],
  ],
  [
    new ParameterError("unknown_parameter", "gian", "The pipeline has no parameter gian", {
      available: ["gain"],
    }),
    "unknown_parameter",
    ["gain"],
  ],
  [
    new ParameterError("config_locked", "rate", "Parameter rate is set when the pipeline starts", {
      available: ["gain"],
    }),
    "config_locked",
    ["gain"],
  ],
];

Deno.test("ERROR_CODES: every error class of core/ carries a code of the table and JSON details", () => {
  for (const [error, code, available] of CASES) {
    assert.ok(isCodedError(error), `${error.name} is coded`);
    assert.equal(error.code, code, error.name);
    assert.ok(Object.hasOwn(ERROR_CODES, code));
    assert.deepEqual(error.details.available, available, `${error.name} lists its alternatives`);
    assert.deepEqual(JSON.parse(JSON.stringify(error.details)), { ...error.details }, error.name);
  }
});

Deno.test("ERROR_CODES: no error class in core/ is left without a code", async () => {
  const covered = new Set(CASES.map(([error]) => error.constructor.name));
  const missing: string[] = [];
  const core = new URL("../", import.meta.url);
  let files = 0;
  for (const path of readdirSync(core, { recursive: true }) as string[]) {
    if (!path.endsWith(".ts") || path.endsWith("_test.ts")) continue;
    files++;
    const source = await Deno.readTextFile(new URL(path, core));
    for (const [, name] of source.matchAll(/export class (\w+) extends \w*Error\b/g)) {
      if (!covered.has(name)) missing.push(`${path}: ${name}`);
    }
  }
  assert.ok(files > 50, `read ${files} files of core/`);
  assert.deepEqual(missing, [], "error classes without a case (and maybe without a code)");
});

Deno.test("isCodedError() refuses plain errors and codes outside the table", () => {
  assert.ok(!isCodedError(new Error("boom")));
  assert.ok(!isCodedError(Object.assign(new Error("x"), { code: "ENOENT", details: {} })));
  assert.ok(!isCodedError({ code: "cycle", details: {} }));
});
