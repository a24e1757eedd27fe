/**
 * The types the main entry point's classes and functions name: runtime and node states, the
 * events `rt.on()` delivers, connection and add options, graph descriptions, manifest parts,
 * decorator options, error codes and details. Type-only: importing it loads no code.
 *
 * @example Narrow a runtime event and name its code
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ErrorCode, NodeErrorEvent, RuntimeState } from "@streamlib/streamlib/types";
 *
 * const state: RuntimeState = "stopped";
 * const code: ErrorCode = "invalid_config";
 * const seen: NodeErrorEvent[] = [];
 * assert.equal(state, "stopped");
 * assert.equal(code, "invalid_config");
 * assert.equal(seen.length, 0);
 * ```
 *
 * @module
 */

export type { ConfigIssue } from "./core/config/validation.ts";
export type { ConnectionStats } from "./core/transport/connection.ts";
export type { ConnectionOptions } from "./core/graph/connection_defaults.ts";
export type { HandProcessContext } from "./core/processor/create_context.ts";
export type {
  InputOptions,
  OutputOptions,
  PortDecorator,
  ProcessorDecorator,
  ProcessorOptions,
} from "./core/processor/decorators.ts";
export type { VideoCodec } from "./core/frames/encoded_video_frame.ts";
export type { ErrorCode, ErrorDetails } from "./core/errors/codes.ts";
export type { FrameLeak } from "./core/frames/ledger.ts";
export type { FrameMemory, FrameMemorySource, FrameMemoryStats } from "./core/frames/memory.ts";
export type { IsolateBackend, IsolateHost } from "./core/isolates/host.ts";
export type { JsonSchema, JsonValue } from "./core/schema/json_schema.ts";
export type { ConfigChange } from "./core/lifecycle/live_config.ts";
export type { ManifestConnection, ManifestNode } from "./core/manifest/manifest.ts";
export type { DeclaresFootprint, FrameFootprint } from "./core/admission/footprint.ts";
export type { ManifestIssue } from "./core/manifest/issue.ts";
export type { NodeSpec } from "./core/registry/node_definition.ts";
export type { Frames } from "./core/frames/node_frames.ts";
export type { ProcessorSummary } from "./core/registry/node_registry.ts";
export type { LoopControl } from "./core/processor/context.ts";
export type {
  FrameSummary,
  Probe,
  ProbeCallback,
  ProbeOptions,
  ProbeSample,
  ProbeTransform,
} from "./core/probes/probe.ts";
export type { PortDirection, ProcessorDescriptor } from "./core/schema/descriptor.ts";
export type { RequiredIsolate } from "./core/isolates/required_isolate.ts";
export type { DeliveryPolicy } from "./core/transport/ring.ts";
export type { ConnectionDescription, ConnectionInfo, NodeDescription } from "./core/description.ts";
export type {
  ConnectionEvent,
  EndOfStreamEvent,
  NodeConfigEvent,
  NodeEndOfStreamEvent,
  NodeErrorEvent,
  NodeMembershipEvent,
  NodeStateEvent,
  NodeWarningEvent,
  RuntimeEventListener,
  RuntimeStateEvent,
  WorkerExitEvent,
} from "./core/lifecycle/events.ts";
export type { AddOptions, ConfigInput, ProcessorClass } from "./core/options.ts";
export type { NodeState, NodeStats, RuntimeState } from "./core/lifecycle/stats.ts";
