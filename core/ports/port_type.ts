/**
 * Port type strings: the run-time names of the frame types ports carry, and the rule that decides
 * which outputs may feed which inputs.
 *
 * `deno task codegen` reads a port's TypeScript type and writes its port type string into the
 * descriptor: `InputPort<AudioFrame<2>>` becomes `"AudioFrame<2>"`. The string API (manifests, the
 * dashboard, MCP) decides compatibility on these strings; typed code gets the same answer from the
 * compiler.
 *
 * @module
 */

import { canonicalPayloadType } from "./payload_type.ts";

/**
 * The frame type names a port type string may start with.
 *
 * @example Suggest a frame type for a typo
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearMatches } from "../errors/near_matches.ts";
 * import { FRAME_TYPE_NAMES, parsePortType } from "./port_type.ts";
 *
 * const written = "VideoFrme";
 * if (parsePortType(written) === undefined) {
 *   assert.deepEqual(nearMatches(written, FRAME_TYPE_NAMES), [ "VideoFrame" ]);
 * }
 * ```
 */
export const FRAME_TYPE_NAMES: readonly string[] = [
  "VideoFrame",
  "GpuVideoFrame",
  "AudioFrame",
  "EncodedVideoFrame",
  "EncodedAudioFrame",
  "DataFrame",
  "Frame",
];

/**
 * A parsed port type string.
 */
export interface ParsedPortType {
  /** The frame type name, one of {@linkcode FRAME_TYPE_NAMES}. */
  readonly name: string;
  /** The type argument text (`"2"` for `AudioFrame<2>`), or `undefined` when there is none. */
  readonly argument: string | undefined;
}

/**
 * Splits a port type string into its frame type name and type argument.
 *
 * @param portType A port type string such as `"AudioFrame<2>"`.
 * @returns The parts, or `undefined` when `portType` names no frame type.
 *
 * @example Parse a stereo audio port type
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePortType } from "./port_type.ts";
 *
 * assert.deepEqual(parsePortType("AudioFrame<2>"), { name: "AudioFrame", argument: "2" });
 * ```
 */
export function parsePortType(portType: string): ParsedPortType | undefined {
  const match = /^([A-Za-z]+)(?:<(.+)>)?$/s.exec(portType.trim());
  if (!match || !FRAME_TYPE_NAMES.includes(match[1])) return undefined;
  return { name: match[1], argument: match[2]?.trim() };
}

/**
 * The canonical spelling of a port type string, the form `deno task codegen` writes: type
 * argument trimmed, and a `DataFrame` payload in canonical structural form (object members sorted
 * by name and separated by `; `, union members sorted, string literals double-quoted, `any` and
 * `unknown` payloads dropped: `DataFrame<unknown>` is `DataFrame`). A payload that names a type
 * (`DataFrame<Level>`) is left as written: only codegen, which reads the declaration, expands it.
 *
 * @param portType A port type string.
 * @returns Its canonical spelling; `portType` trimmed when it names no frame type.
 *
 * @example Two spellings of one payload
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalPortType } from "./port_type.ts";
 *
 * assert.equal(
 *   canonicalPortType("DataFrame<{ rms: number, peak: number }>"),
 *   "DataFrame<{ peak: number; rms: number }>",
 * );
 * assert.equal(
 *   canonicalPortType("DataFrame<{ peak: number; rms: number }>"),
 *   "DataFrame<{ peak: number; rms: number }>",
 * );
 * ```
 */
export function canonicalPortType(portType: string): string {
  const parsed = parsePortType(portType);
  if (!parsed) return portType.trim();
  if (parsed.argument === undefined) return parsed.name;
  if (parsed.name !== "DataFrame") return `${parsed.name}<${parsed.argument}>`;
  const payload = canonicalPayloadType(parsed.argument) ?? parsed.argument.replace(/\s+/g, " ");
  return payload === "unknown" ? "DataFrame" : `DataFrame<${payload}>`;
}

/**
 * Whether frames of port type `output` may flow into an input of port type `input`.
 *
 * The rule mirrors TypeScript assignability of the frame types: equal strings match (compared in
 * their {@linkcode canonicalPortType} spelling, so `DataFrame<{ a: number, b: string }>` matches
 * `DataFrame<{ b: string; a: number }>`); an input of `Frame` takes anything; an input of
 * `AudioFrame` (any channel count) takes every `AudioFrame<N>`; an input of `DataFrame` takes every
 * `DataFrame<T>`. Everything else is a mismatch, including `AudioFrame` into `AudioFrame<2>` (the
 * channel count is not known to match). `DataFrame<T>` payloads must be the same structure: an
 * output with more fields than the input declares is refused, although TypeScript would accept
 * it. Between `VideoFrame` and `GpuVideoFrame` (either way) and from `GpuVideoFrame` into `Frame`
 * the connection transfers (see {@linkcode portTransfer}); `Frame` into `GpuVideoFrame` is a
 * mismatch (nothing says the output writes video).
 *
 * @param output The port type of the writing side.
 * @param input The port type of the reading side.
 * @returns Whether the connection is allowed.
 *
 * @example Check audio connections
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPortTypeCompatible } from "./port_type.ts";
 *
 * assert.ok(isPortTypeCompatible("AudioFrame<2>", "AudioFrame<2>"));
 * assert.equal(isPortTypeCompatible("AudioFrame<2>", "AudioFrame<1>"), false);
 * assert.ok(isPortTypeCompatible("VideoFrame", "Frame"));
 * ```
 */
export function isPortTypeCompatible(output: string, input: string): boolean {
  const from = parsePortType(canonicalPortType(output));
  const to = parsePortType(canonicalPortType(input));
  if (!from || !to) return false;
  if (portTransfer(output, input) !== undefined) return true;
  if (to.name === "Frame" && to.argument === undefined) return true;
  if (from.name !== to.name) return false;
  if (to.argument === undefined) {
    return from.name === "AudioFrame" || from.name === "DataFrame" ||
      from.argument === undefined;
  }
  return from.argument === to.argument;
}

/**
 * The transfer a connection from `output` to `input` makes between CPU and GPU memory: `upload`
 * from a `VideoFrame` output into a `GpuVideoFrame` input, `download` from a `GpuVideoFrame`
 * output into a `VideoFrame` or `Frame` input, `undefined` otherwise (no transfer, or not
 * compatible at all).
 *
 * @param output The port type of the writing side.
 * @param input The port type of the reading side.
 * @returns The transfer, if any.
 *
 * @example The transfers of a CPU -> GPU -> CPU chain
 * ```ts
 * import assert from "node:assert/strict";
 * import { portTransfer } from "./port_type.ts";
 *
 * assert.equal(portTransfer("VideoFrame", "GpuVideoFrame"), "upload");
 * assert.equal(portTransfer("GpuVideoFrame", "GpuVideoFrame"), undefined);
 * assert.equal(portTransfer("GpuVideoFrame", "Frame"), "download");
 * ```
 */
export function portTransfer(output: string, input: string): "upload" | "download" | undefined {
  const from = parsePortType(canonicalPortType(output));
  const to = parsePortType(canonicalPortType(input));
  if (!from || !to || from.argument !== undefined || to.argument !== undefined) return undefined;
  if (from.name === "VideoFrame" && to.name === "GpuVideoFrame") return "upload";
  if (from.name === "GpuVideoFrame" && (to.name === "VideoFrame" || to.name === "Frame")) {
    return "download";
  }
  return undefined;
}
