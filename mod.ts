/**
 * streamlib: a real-time media pipeline runtime for Deno.
 *
 * Processors are annotated TypeScript classes; `deno task codegen` turns them into typed port
 * registries and node factories; the runtime wires them into a live graph whose frames move
 * through native lock-free rings and a zero-copy frame pool.
 *
 * @example Read and write a frame message
 * ```ts
 * import { FrameMessageBatch } from "@streamlib/streamlib";
 *
 * const batch = new FrameMessageBatch(4);
 * batch.set(0, { slot: 7, format: 1, byteLength: 1024, flags: 0, timestampNs: 1e6, sequence: 0 });
 * console.log(batch.get(0).slot); // 7
 * ```
 *
 * @module
 */

// -- Frame messages and transport contracts (core/) ------------------------------------------
export {
  FRAME_MESSAGE_BYTES,
  type FrameMessage,
  FrameMessageBatch,
  MessageSizeError,
  NO_SLOT,
} from "./core/frame_message.ts";
export {
  DELIVERY_POLICIES,
  type DeliveryPolicy,
  type FrameRingConsumer,
  type FrameRingProducer,
  MAX_RING_CAPACITY,
  type RingStats,
} from "./core/ring_contract.ts";
export type { FramePoolContract, FramePoolStats } from "./core/pool_contract.ts";
export {
  checkVideoGeometry,
  type FrameAllocator,
  packedStride,
  PlainFrameAllocator,
  type WritableVideoFrame,
} from "./core/frame_allocator.ts";

// -- Processor model (core/) -----------------------------------------------------------------
export { type AudioFrame, createAudioFrame } from "./core/audio_frame.ts";
export { assertConnectable, PortTypeMismatchError } from "./core/connect.ts";
export {
  type ConfigIssue,
  ConfigValidationError,
  describeSchema,
  validateConfig,
} from "./core/config_validation.ts";
export type { ConnectionReader, ConnectionStats, ConnectionWriter } from "./core/connection.ts";
export type { DataFrame } from "./core/data_frame.ts";
export {
  config,
  input,
  type InputOptions,
  output,
  type OutputOptions,
  type PortDecorator,
  processor,
  type ProcessorDecorator,
  type ProcessorOptions,
} from "./core/decorators.ts";
export type { EncodedVideoFrame, VideoCodec } from "./core/encoded_video_frame.ts";
export type { Frame, FrameKind } from "./core/frame.ts";
export { InputBinding, PortAlreadyConnectedError } from "./core/input_binding.ts";
export type { InputPort } from "./core/input_port.ts";
export type { JsonSchema, JsonSchemaType, JsonValue } from "./core/json_schema.ts";
export {
  type ConfigApplied,
  type ConfigChange,
  ConfigLockedError,
  liveFields,
  NotReconfigurableError,
} from "./core/live_config.ts";
export {
  connectLocal,
  LocalConnection,
  type LocalConnectionOptions,
} from "./core/local_connection.ts";
export { type MediaClock, monotonicClock } from "./core/media_clock.ts";
export { defineNode, type NodeDefinition, type NodeSpec } from "./core/node_definition.ts";
export {
  DuplicateProcessorError,
  NodeRegistry,
  type PortSummary,
  ProcessorNotFoundError,
  type ProcessorSummary,
} from "./core/node_registry.ts";
export { OutputBinding } from "./core/output_binding.ts";
export type { OutputPort } from "./core/output_port.ts";
export {
  createNodeHandle,
  type FrameOf,
  type InputRef,
  type NodeHandle,
  type OutputRef,
} from "./core/port_ref.ts";
export { PortNotFoundError, PortTable, type PortTableSpec } from "./core/port_table.ts";
export {
  canonicalPortType,
  FRAME_TYPE_NAMES,
  isPortTypeCompatible,
  type ParsedPortType,
  parsePortType,
} from "./core/port_type.ts";
export {
  PortsNotBoundError,
  Processor,
  type ProcessorInit,
  processorInit,
  type ProcessorTypes,
  type TypesOf,
} from "./core/processor.ts";
export type { LoopControl, ProcessContext, SetupContext } from "./core/processor_context.ts";
export {
  type PortDescriptor,
  type PortDirection,
  type ProcessorDescriptor,
  SCHEDULING_MODES,
  type SchedulingMode,
} from "./core/processor_descriptor.ts";
export { READER_KEEPS, RotatingPool } from "./core/rotating_pool.ts";
export {
  PIXEL_FORMATS,
  type PixelFormat,
  type VideoFrame,
  videoFrameByteLength,
} from "./core/video_frame.ts";

// -- Runtime (core/) -------------------------------------------------------------------------
export { connectionPath, type PathEdge } from "./core/connection_path.ts";
export {
  type ConnectionOptions,
  connectionOptionsProblem,
  defaultConnectionOptions,
} from "./core/connection_defaults.ts";
export type {
  CrossIsolateChannel,
  CrossIsolateChannelSpec,
  CrossIsolateTransport,
  TransportEndpoint,
} from "./core/cross_isolate_transport.ts";
export {
  DEFAULT_ERROR_POLICY,
  DEFAULT_MAX_RESTARTS,
  ERROR_POLICIES,
  errorAction,
  type ErrorPolicy,
  errorPolicyProblem,
} from "./core/error_policy.ts";
export { Graph, type GraphConnection, type GraphNode, type GraphPort } from "./core/graph.ts";
export {
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  NodeNotFoundError,
  PortDirectionError,
} from "./core/graph_errors.ts";
export type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  HostedPort,
  IsolateBackend,
  IsolateHost,
  NodeFailure,
} from "./core/isolate_host.ts";
export type { RequiredIsolate } from "./core/required_isolate.ts";
export { LatencyHistogram, type LatencySummary } from "./core/latency_histogram.ts";
export { LocalIsolate, type LocalIsolateOptions } from "./core/local_isolate.ts";
export { LoopPacer } from "./core/loop_pacer.ts";
export {
  loadManifest,
  loadManifestPlugins,
  type Manifest,
  type ManifestConnection,
  ManifestError,
  type ManifestNode,
  PluginLoadError,
  saveManifest,
} from "./core/manifest.ts";
export type { ManifestIssue, ManifestIssueCode } from "./core/manifest_issue.ts";
export { manifestWarnings, validateManifest } from "./core/manifest_validation.ts";
export { levenshtein, nearMatches } from "./core/near_matches.ts";
export { NODE_ID_PATTERN, snakeCase } from "./core/node_id.ts";
export { isolateOf, MAIN_ISOLATE, type Placement, placementProblem } from "./core/placement.ts";
export { type UnconnectedInput, unconnectedRequiredInputs } from "./core/required_inputs.ts";
export { Runtime } from "./core/runtime.ts";
export type {
  ConnectionDescription,
  ConnectionInfo,
  GraphDescription,
  InputDescription,
  NodeDescription,
  OutputDescription,
} from "./core/runtime_description.ts";
export {
  LoopPeriodMissingError,
  NodeOptionsError,
  PlacementUnavailableError,
  RuntimeStateError,
} from "./core/runtime_errors.ts";
export {
  type ConnectionEvent,
  EventHub,
  type NodeConfigEvent,
  type NodeErrorEvent,
  nodeErrorEvent,
  type NodeMembershipEvent,
  type NodeStateEvent,
  type NodeWarningEvent,
  type RuntimeEvent,
  type RuntimeEventBase,
  type RuntimeEventListener,
  type RuntimeStateEvent,
  type WorkerExitEvent,
} from "./core/runtime_events.ts";
export type { RuntimeNode } from "./core/runtime_node.ts";
export type {
  AddOptions,
  ConfigInput,
  ProcessorClass,
  RuntimeOptions,
} from "./core/runtime_options.ts";
export type { NodeState, NodeStats, RuntimeState, RuntimeStats } from "./core/runtime_stats.ts";
export { type RuntimeTimers, systemTimers } from "./core/runtime_timers.ts";
export { topologicalOrder } from "./core/topological_order.ts";
