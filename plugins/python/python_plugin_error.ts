/**
 * {@linkcode PythonPluginError}: a Python plugin that cannot be described.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";

/**
 * Thrown by `loadPythonPlugin()` when a Python plugin cannot be described: Python cannot be
 * started, the entry fails to import (its traceback's last lines are in the message), or it
 * declares processors streamlib cannot run (a bad name, port type or config schema; a
 * processor `streamlib.plugin.json` lists and the package does not register).
 *
 * @example The message names the plugin folder and what is wrong
 * ```ts
 * import assert from "node:assert/strict";
 * import { PythonPluginError } from "@streamlib/streamlib/plugins";
 *
 * const error = new PythonPluginError("/p/pygain", "processor 'PyGain' is listed but not registered");
 * assert.equal(error.code, "python_plugin_invalid");
 * assert.equal(
 *   error.message,
 *   "Cannot load Python plugin '/p/pygain': processor 'PyGain' is listed but not registered",
 * );
 * assert.deepEqual(error.details, { folder: "/p/pygain" });
 * ```
 */
export class PythonPluginError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "python_plugin_invalid";
  /** The plugin folder. */
  readonly folder: string;

  /**
   * Creates the error.
   *
   * @param folder The plugin folder.
   * @param reason What is wrong.
   */
  constructor(folder: string, reason: string) {
    super(`Cannot load Python plugin '${folder}': ${reason}`);
    this.name = "PythonPluginError";
    this.folder = folder;
  }

  /** The plugin folder. */
  get details(): ErrorDetails {
    return { folder: this.folder };
  }
}
