/**
 * Status codes returned by `libstreamlib_native` (see `docs/native_abi.md`).
 *
 * @module
 */

/** Success. */
export const SL_OK = 0;
/** A capacity, size or count outside its valid range. */
export const SL_ERR_INVALID_ARGUMENT = -1;
/** Handle unknown, closed or already freed. */
export const SL_ERR_INVALID_HANDLE = -2;
/** Every slot of the pool is in use. */
export const SL_ERR_POOL_EXHAUSTED = -3;
/** The allocation was refused. */
export const SL_ERR_OUT_OF_MEMORY = -4;
/** Native code panicked (a bug); the message says where. */
export const SL_ERR_PANIC = -5;
/** The wrong endpoint kind, e.g. a push on a consumer. */
export const SL_ERR_WRONG_ENDPOINT = -6;
/** Too many live handles of that kind. */
export const SL_ERR_TABLE_FULL = -7;
/** A caller's output buffer cannot hold the result; nothing is lost (ABI 3). */
export const SL_ERR_BUFFER_TOO_SMALL = -8;
/** Not available on this OS, build or machine (ABI 3). */
export const SL_ERR_UNSUPPORTED = -9;
/** No camera, microphone or display of that name (ABI 3). */
export const SL_ERR_DEVICE_NOT_FOUND = -10;
/** The OS or the user refused access to a device (ABI 3). */
export const SL_ERR_PERMISSION_DENIED = -11;
/** The codec library refused the input or failed (ABI 3). */
export const SL_ERR_CODEC = -12;
/** An open device failed: busy, unplugged, display closed (ABI 3). */
export const SL_ERR_DEVICE = -13;
/**
 * `SL_ERR_PLUGIN`: a native plugin cannot be loaded, is not a plugin, or failed (ABI 4).
 */
export const SL_ERR_PLUGIN: number = -14;
/**
 * `SL_ERR_PLUGIN_ABI`: a native plugin was built for another plugin ABI version (ABI 4).
 *
 * @example Name the status
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginStatusError } from "../plugins/native_plugin_errors.ts";
 * import { SL_ERR_PLUGIN_ABI } from "./status.ts";
 *
 * assert.equal(pluginStatusError(SL_ERR_PLUGIN_ABI, "", "/p.so").name, "PluginAbiMismatchError");
 * ```
 */
export const SL_ERR_PLUGIN_ABI: number = -15;

/**
 * The handle a closed wrapper keeps: never issued by the library, so a call through it fails
 * with `SL_ERR_INVALID_HANDLE` instead of reaching a live object, and hot paths need no check.
 */
export const CLOSED_HANDLE = 0xffff_ffff;

/** Names of the status codes, for messages. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  [SL_OK]: "SL_OK",
  [SL_ERR_INVALID_ARGUMENT]: "SL_ERR_INVALID_ARGUMENT",
  [SL_ERR_INVALID_HANDLE]: "SL_ERR_INVALID_HANDLE",
  [SL_ERR_POOL_EXHAUSTED]: "SL_ERR_POOL_EXHAUSTED",
  [SL_ERR_OUT_OF_MEMORY]: "SL_ERR_OUT_OF_MEMORY",
  [SL_ERR_PANIC]: "SL_ERR_PANIC",
  [SL_ERR_WRONG_ENDPOINT]: "SL_ERR_WRONG_ENDPOINT",
  [SL_ERR_TABLE_FULL]: "SL_ERR_TABLE_FULL",
  [SL_ERR_BUFFER_TOO_SMALL]: "SL_ERR_BUFFER_TOO_SMALL",
  [SL_ERR_UNSUPPORTED]: "SL_ERR_UNSUPPORTED",
  [SL_ERR_DEVICE_NOT_FOUND]: "SL_ERR_DEVICE_NOT_FOUND",
  [SL_ERR_PERMISSION_DENIED]: "SL_ERR_PERMISSION_DENIED",
  [SL_ERR_CODEC]: "SL_ERR_CODEC",
  [SL_ERR_DEVICE]: "SL_ERR_DEVICE",
  [SL_ERR_PLUGIN]: "SL_ERR_PLUGIN",
  [SL_ERR_PLUGIN_ABI]: "SL_ERR_PLUGIN_ABI",
};
