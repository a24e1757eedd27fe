/**
 * streamlib: a real-time media pipeline runtime for Deno.
 *
 * Processors are annotated TypeScript classes; `deno task codegen` turns them into typed port
 * registries and node factories; the runtime wires them into a live graph whose frames move
 * through native lock-free rings and a zero-copy frame pool.
 *
 * This entry point holds what a pipeline author uses: the processor model (decorators, ports,
 * frames, contexts), the {@linkcode Runtime} and its options, manifests, and the errors callers
 * catch. Built-in processors are in `./processors`, native transports in `./ffi`, the code
 * generator in `./codegen`.
 *
 * @example Run a graph and read its description
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * await using rt = new Runtime();
 * const tone = rt.add(TestToneGenerator, {}, { id: "tone" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(tone.outputs.audio, sink.inputs.in);
 * assert.deepEqual(rt.describe().connections.map((c) => `${c.from} -> ${c.to}`), [
 *   "tone.audio -> sink.in",
 * ]);
 * ```
 *
 * @module
 */

// -- Writing processors ----------------------------------------------------------------------
export { config, input, output, processor } from "./core/processor/decorators.ts";
export { Processor, type ProcessorTypes, type TypesOf } from "./core/processor/processor.ts";
export type { EndOfStreamOptions, ProcessContext, SetupContext } from "./core/processor/context.ts";
export type { InputPort } from "./core/ports/input_port.ts";
export type { OutputPort } from "./core/ports/output_port.ts";
export { type AudioFrame, createAudioFrame } from "./core/frames/audio_frame.ts";
export type { PixelFormat, VideoFrame } from "./core/frames/video_frame.ts";
export type { EncodedVideoFrame } from "./core/frames/encoded_video_frame.ts";
export type { EncodedAudioFrame } from "./core/frames/encoded_audio_frame.ts";
export type { DataFrame } from "./core/frames/data_frame.ts";
export type { Frame } from "./core/frames/frame.ts";
export { FrameReleasedError } from "./core/frames/owned_frame.ts";
export type { FrameHolder } from "./core/frames/owned_frame.ts";
export { FrameTooLargeError, InvalidFrameShapeError } from "./core/frames/memory.ts";
export { FrameBudget, type SharedFrameMemory } from "./core/frames/frame_budget.ts";
export { BareDecoratorError } from "./core/processor/decorators.ts";

// -- GPU frames (docs/gpu.md) -------------------------------------------------------------
export {
  GPU_PIXEL_FORMATS,
  type GpuPixelFormat,
  gpuTextureFormat,
  type GpuVideoFrame,
  isGpuPortType,
} from "./core/gpu/gpu_video_frame.ts";
export { OwnedGpuVideoFrame } from "./core/frames/owned_gpu_frame.ts";
export { type GpuContext, GpuResources, type GpuStats, NodeGpu } from "./core/gpu/gpu_context.ts";
export { type GpuAdapterSource, IsolateGpu, isolateGpu } from "./core/gpu/device.ts";
export { chooseGpuBackend, GPU_BACKEND_ENV, requestGpuAdapter } from "./core/gpu/backend.ts";
export {
  GPU_INSTALL_HINT,
  GpuDeviceLostError,
  GpuNotReadyError,
  GpuPlacementError,
  GpuUnavailableError,
} from "./core/gpu/errors.ts";
export {
  DEFAULT_GPU_MEMORY_BYTES,
  gpuFrameUsage,
  type GpuVideoShape,
  TextureMemory,
  TexturePool,
  type TexturePoolStats,
} from "./core/gpu/texture_pool.ts";
export { type DeviceGpuFrame, readGpuFrame, writeGpuFrame } from "./core/gpu/frame_io.ts";
export { portTransfer } from "./core/ports/port_type.ts";
export { PortsNotBoundError } from "./core/processor/processor.ts";

// -- Testing a processor by hand -------------------------------------------------------------
export {
  createProcessContext,
  type HandProcessContext,
  type HandWarning,
} from "./core/processor/create_context.ts";
export {
  createNodeLog,
  LOG_LEVELS,
  type LogLevel,
  type LogRecord,
  type NodeLog,
} from "./core/processor/log.ts";
export {
  type DivertedStdout,
  reserveStdout,
  type ReserveStdoutOptions,
  type StdoutReservation,
  stdoutReserved,
  writeStdout,
  writeStdoutLine,
} from "./core/processor/stdout_guard.ts";
export { connectLocal } from "./core/ports/local_connection.ts";
export { PortAlreadyConnectedError } from "./core/ports/input_binding.ts";
export { InputBinding } from "./core/ports/input_binding.ts";
export { OutputBinding } from "./core/ports/output_binding.ts";
export { clockFromNow, type MediaClock, monotonicClock } from "./core/time/media_clock.ts";

// -- What generated files use ----------------------------------------------------------------
export { defineNode, type NodeDefinition } from "./core/registry/node_definition.ts";
export { lazyNode, ProcessorNotLoadedError } from "./core/registry/lazy_node.ts";
export type {
  DynamicNodeHandle,
  FrameOf,
  InputRef,
  NodeHandle,
  OutputRef,
} from "./core/ports/port_ref.ts";
export { PortNotFoundError, PortTable } from "./core/ports/port_table.ts";

// -- Running graphs --------------------------------------------------------------------------
export { Runtime } from "./core/runtime.ts";
export { AppInput, type SendOptions } from "./core/app/app_input.ts";
export { type AppFrame, AppOutput } from "./core/app/app_output.ts";
export type { AppPortOptions } from "./core/app/app_ports.ts";
export type { AppFrameInput, Stamp } from "./core/app/frame_copy.ts";
export type { FrameTag } from "./core/app/tags.ts";
export {
  AppFrameError,
  AppPortEndedError,
  AppPortNameError,
  AppPortNotFoundError,
} from "./core/app/errors.ts";
export type { RuntimeOptions } from "./core/options.ts";
export type { RunningNode, RuntimeTimers } from "./core/time/timers.ts";
export type { ErrorPolicy } from "./core/lifecycle/error_policy.ts";
export type { Placement, WorkerWait } from "./core/graph/placement.ts";
export { WorkerWaitError, type WorkerWaitProblem } from "./core/graph/worker_wait.ts";
export type { RuntimeEvent } from "./core/lifecycle/events.ts";
export type { RuntimeStats } from "./core/lifecycle/stats.ts";
export type { GraphDescription } from "./core/description.ts";
export { assertConnectable, PortTypeMismatchError } from "./core/graph/connect.ts";
export { ConfigValidationError, validateConfig } from "./core/config/validation.ts";
export {
  DuplicateProcessorError,
  NodeRegistry,
  ProcessorClassNotDefinedError,
  ProcessorNotFoundError,
} from "./core/registry/node_registry.ts";
export {
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  NodeNotFoundError,
  PortDirectionError,
} from "./core/graph/errors.ts";
export { FilePathConflictError } from "./core/graph/file_path_conflicts.ts";
export { MemoryBudgetError } from "./core/admission/check.ts";
export {
  LoopPeriodMissingError,
  NodeOptionsError,
  PlacementUnavailableError,
  RuntimeArgumentError,
  RuntimeStateError,
} from "./core/lifecycle/errors.ts";
export { NODE_STATES, RUNTIME_STATES, StateTransitionError } from "./core/lifecycle/state.ts";
export { NODE_WARNING_CODES, type NodeWarningCode } from "./core/lifecycle/events.ts";
export { ConfigLockedError, NotReconfigurableError } from "./core/lifecycle/live_config.ts";
export { ProbeOptionsError, ProbeUnsupportedError } from "./core/probes/probe.ts";
export { OperationError } from "./core/operations/check.ts";
export { ConnectionEndsNotFoundError } from "./core/operations/disconnect_target.ts";
export { ERROR_CODES, isCodedError } from "./core/errors/codes.ts";

// -- Manifests -------------------------------------------------------------------------------
export {
  loadManifest,
  type LoadManifestOptions,
  loadManifestPlugins,
  type Manifest,
  ManifestError,
  type ManifestPlugin,
  type ManifestPluginOptions,
  PluginLoadError,
  saveManifest,
  setParameters,
} from "./core/manifest/manifest.ts";
export { originLabel, type ProcessorOrigin } from "./core/registry/processor_origin.ts";
export { validateManifest } from "./core/manifest/validation.ts";
export type { ManifestAppPort } from "./core/manifest/app_ports.ts";
export {
  applyParameters,
  describeParameters,
  type ManifestParameter,
  type ParameterDescription,
  ParameterError,
  type ParameterValues,
} from "./core/manifest/parameters.ts";
