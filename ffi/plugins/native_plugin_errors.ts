/**
 * Errors of native plugins: loading, version checks and failed calls.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";
import { SL_ERR_PLUGIN_ABI } from "../native/status.ts";

/**
 * The plugin ABI version this streamlib hosts (`PLUGIN_ABI_VERSION` of `streamlib_plugin`):
 * 2, with sources, the drop counter and a config schema.
 *
 * @example Check a plugin's version before loading it
 * ```ts
 * import assert from "node:assert/strict";
 * import { OLDEST_PLUGIN_ABI_VERSION, PLUGIN_ABI_VERSION } from "./native_plugin_errors.ts";
 *
 * const loads = (abi: number) => abi >= OLDEST_PLUGIN_ABI_VERSION && abi <= PLUGIN_ABI_VERSION;
 * assert.equal(PLUGIN_ABI_VERSION, 2);
 * assert.ok(loads(1) && loads(2) && !loads(999));
 * ```
 */
export const PLUGIN_ABI_VERSION = 2;

/**
 * The oldest plugin ABI version this streamlib still loads (`OLDEST_PLUGIN_ABI_VERSION` of
 * `streamlib_plugin`): a version 1 plugin runs as before, without sources or a drop counter.
 *
 * @example Version 1 still loads
 * ```ts
 * import assert from "node:assert/strict";
 * import { OLDEST_PLUGIN_ABI_VERSION } from "./native_plugin_errors.ts";
 *
 * assert.equal(OLDEST_PLUGIN_ABI_VERSION, 1);
 * ```
 */
export const OLDEST_PLUGIN_ABI_VERSION = 1;

/**
 * A native plugin that cannot be loaded (missing file, not a shared library, no
 * `streamlib_plugin_entry`, a malformed descriptor) or whose code failed.
 *
 * @example Load a path that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativePlugin, NativePluginError } from "@streamlib/streamlib/ffi";
 *
 * try {
 *   NativePlugin.load("/no/such/plugin.so");
 * } catch (error) {
 *   if (!(error instanceof NativePluginError)) throw error;
 *   assert.equal(error.path, "/no/such/plugin.so");
 * }
 * ```
 */
export class NativePluginError extends Error {
  /** The plugin's path. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param path The plugin's path.
   */
  constructor(message: string, path: string) {
    super(message);
    this.name = "NativePluginError";
    this.path = path;
  }
}

/**
 * A plugin built for another plugin ABI version than this streamlib hosts; the message names
 * both.
 *
 * @example Read both versions
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginAbiMismatchError } from "@streamlib/streamlib/ffi";
 *
 * const error = new PluginAbiMismatchError("/p/libold.so", 999, 1);
 * assert.equal(error.pluginAbi, 999);
 * assert.equal(error.hostAbi, 1);
 * ```
 */
export class PluginAbiMismatchError extends NativePluginError {
  /** The version the plugin was built for. */
  readonly pluginAbi: number;
  /** The version this streamlib hosts. */
  readonly hostAbi: number;

  /**
   * Creates the error.
   *
   * @param path The plugin's path.
   * @param pluginAbi The plugin's ABI version.
   * @param hostAbi The host's ABI version.
   * @param message The native library's message, when it made one.
   */
  constructor(path: string, pluginAbi: number, hostAbi: number, message?: string) {
    super(
      message ??
        `Native plugin '${path}' was built for plugin ABI version ${pluginAbi}, but this streamlib supports plugin ABI version ${hostAbi} (and still loads ${OLDEST_PLUGIN_ABI_VERSION})`,
      path,
    );
    this.name = "PluginAbiMismatchError";
    this.pluginAbi = pluginAbi;
    this.hostAbi = hostAbi;
  }
}

/**
 * A node a native plugin's host cannot run: its processor is not one of the plugin's, or its
 * connections' transport is not the native transport the plugin's threads read and write.
 *
 * @example Catch a node placed on the wrong plugin
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginPlacementError } from "./native_plugin_errors.ts";
 *
 * const error = new PluginPlacementError("gain", "native:dsp", "Cannot run 'gain' in native:dsp");
 * assert.equal(error.code, "placement_unavailable");
 * assert.deepEqual(error.details, { node: "gain", isolate: "native:dsp" });
 * ```
 */
export class PluginPlacementError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "placement_unavailable";
  /** The node (or, for a transport refusal, the connection). */
  readonly node: string;
  /** The plugin's isolate. */
  readonly isolate: string;

  /**
   * Creates the error.
   *
   * @param node The node or connection id.
   * @param isolate The plugin's isolate name.
   * @param message The whole message.
   */
  constructor(node: string, isolate: string, message: string) {
    super(message);
    this.name = "PluginPlacementError";
    this.node = node;
    this.isolate = isolate;
  }

  /** The node and the isolate. */
  get details(): ErrorDetails {
    return { node: this.node, isolate: this.isolate };
  }
}

/**
 * The typed error for a failed plugin call.
 *
 * @param status The native status (`SL_ERR_PLUGIN`, `SL_ERR_PLUGIN_ABI` or another code).
 * @param detail The native library's message (`sl_last_error`).
 * @param path The plugin's path.
 * @returns A {@linkcode PluginAbiMismatchError} or a {@linkcode NativePluginError}.
 *
 * @example Map an ABI status
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginStatusError } from "./native_plugin_errors.ts";
 * import { SL_ERR_PLUGIN_ABI } from "../native/status.ts";
 *
 * const error = pluginStatusError(
 *   SL_ERR_PLUGIN_ABI,
 *   "Native plugin '/p.so' was built for plugin ABI version 999, but this streamlib supports plugin ABI version 1",
 *   "/p.so",
 * );
 * assert.equal(error.name, "PluginAbiMismatchError");
 * ```
 */
export function pluginStatusError(status: number, detail: string, path: string): NativePluginError {
  if (status === SL_ERR_PLUGIN_ABI) {
    const found = /ABI version (\d+), but/.exec(detail);
    return new PluginAbiMismatchError(
      path,
      found ? Number(found[1]) : NaN,
      PLUGIN_ABI_VERSION,
      detail,
    );
  }
  return new NativePluginError(detail || `Native plugin call failed with status ${status}`, path);
}
