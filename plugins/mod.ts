/**
 * Plugins: processors that live outside the built-in set. TypeScript processor packages need
 * nothing from here (`rt.use(registry)` or a manifest's `plugins` array, see `docs/plugins.md`);
 * this module adds {@linkcode SubprocessProcessor}, which runs a node as a child process (a Python
 * script with numpy, say) speaking a framed stdio protocol.
 *
 * @example Use the subprocess processor by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { registry } from "@streamlib/streamlib/plugins";
 *
 * const rt = new Runtime().use(registry);
 * assert.equal(rt.registry.describe("SubprocessProcessor").mode, "push");
 * ```
 *
 * @module
 */

export { ChildNode, ChildProcessError } from "./child_node.ts";
export {
  encodeMessage,
  type FrameHeader,
  type FrameMessage,
  MAX_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MessageReader,
  PROTOCOL_VERSION,
  ProtocolError,
} from "./frame_protocol.ts";
export {
  loadPythonPlugin,
  type LoadPythonPluginOptions,
  type PythonPluginMetadata,
} from "./python/load_python_plugin.ts";
export { PythonPluginError } from "./python/python_plugin_error.ts";
export {
  type PythonPortSpec,
  PythonProcessor,
  type PythonProcessorSpec,
} from "./python/python_processor.ts";
export { registry } from "./registry.gen.ts";
export { SubprocessProcessor, type SubprocessProcessorConfig } from "./subprocess_processor.ts";
