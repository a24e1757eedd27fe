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

export type { ConfigIssue } from "./core/config_validation.ts";
export type { ConnectionStats } from "./core/connection.ts";
export type { ConnectionOptions } from "./core/connection_defaults.ts";
export type { HandProcessContext } from "./core/create_process_context.ts";
export type {
  InputOptions,
  OutputOptions,
  PortDecorator,
  ProcessorDecorator,
  ProcessorOptions,
} from "./core/decorators.ts";
export type { VideoCodec } from "./core/encoded_video_frame.ts";
export type { ErrorCode, ErrorDetails } from "./core/error_codes.ts";
export type { FrameLeak } from "./core/frame_ledger.ts";
export type { FrameMemory, FrameMemorySource, FrameMemoryStats } from "./core/frame_memory.ts";
export type { IsolateBackend, IsolateHost } from "./core/isolate_host.ts";
export type { JsonSchema, JsonValue } from "./core/json_schema.ts";
export type { ConfigChange } from "./core/live_config.ts";
export type { ManifestConnection, ManifestNode } from "./core/manifest.ts";
export type { DeclaresFootprint, FrameFootprint } from "./core/node_footprint.ts";
export type { ManifestIssue } from "./core/manifest_issue.ts";
export type { NodeSpec } from "./core/node_definition.ts";
export type { Frames } from "./core/node_frames.ts";
export type { ProcessorSummary } from "./core/node_registry.ts";
export type { LoopControl } from "./core/processor_context.ts";
export type {
  FrameSummary,
  Probe,
  ProbeCallback,
  ProbeOptions,
  ProbeSample,
  ProbeTransform,
} from "./core/probe.ts";
export type { PortDirection, ProcessorDescriptor } from "./core/processor_descriptor.ts";
export type { RequiredIsolate } from "./core/required_isolate.ts";
export type { DeliveryPolicy } from "./core/ring_contract.ts";
export type {
  ConnectionDescription,
  ConnectionInfo,
  NodeDescription,
} from "./core/runtime_description.ts";
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
} from "./core/runtime_events.ts";
export type { AddOptions, ConfigInput, ProcessorClass } from "./core/runtime_options.ts";
export type { NodeState, NodeStats, RuntimeState } from "./core/runtime_stats.ts";
