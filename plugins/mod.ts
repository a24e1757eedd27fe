/**
 * Plugins: processors that live outside the built-in set. A plugin is a folder with a
 * `streamlib.plugin.json` ({@linkcode PluginMetadata}, validated against the published
 * `streamlib.plugin.schema.json`) in one of the plugin folders a project's `deno.json` or a
 * manifest lists; {@linkcode discoverPlugins} finds and checks them without running their code,
 * {@linkcode loadPlugins} loads them through the loader of their kind ({@linkcode PLUGIN_LOADERS}).
 * This module also holds {@linkcode SubprocessProcessor}, which runs a node as a child process (a
 * Python script with numpy, say) speaking a framed stdio protocol. See `docs/plugins.md`.
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
export {
  type DiscoveredPlugin,
  discoverPlugins,
  type PluginDiscoveryCode,
  PluginDiscoveryError,
  RUNTIME_VERSION,
} from "./discovery/discover.ts";
export {
  loadNativePlugin,
  loadPlugin,
  loadTypeScriptPlugin,
  PLUGIN_LOADERS,
  type PluginLoadCode,
  type PluginLoader,
  PluginLoaderError,
} from "./discovery/loaders.ts";
export {
  type LoadedPlugins,
  loadPlugins,
  type PluginInfo,
  pluginInfo,
  pluginOrigin,
  pluginUiUrl,
} from "./discovery/load_plugins.ts";
export {
  parsePluginMetadata,
  PLUGIN_KINDS,
  PLUGIN_METADATA_FILE,
  PLUGIN_METADATA_SCHEMA_URL,
  type PluginEntry,
  type PluginKind,
  type PluginMetadata,
  PluginMetadataError,
  readPluginMetadata,
} from "./discovery/metadata.ts";
export { manifestPluginFolders, projectPluginFolders } from "./discovery/roots.ts";
export { SubprocessProcessor, type SubprocessProcessorConfig } from "./subprocess_processor.ts";
