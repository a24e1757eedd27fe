/**
 * Reading a manifest file for the command lines: a regular file of bounded size, nested no
 * deeper than a manifest may, parsed as JSON. Device files (`/dev/zero`), FIFOs and folders are
 * refused before they are opened, so nothing ever blocks or reads without end.
 *
 * @module
 */

import { jsonSyntaxError } from "../core/manifest/json_syntax.ts";
import { jsonTextDepth, MAX_MANIFEST_BYTES, MAX_MANIFEST_DEPTH } from "../core/manifest/limits.ts";
import { readAtMost } from "../processors/formats/regular_file.ts";

/** What was wrong with a manifest file. */
export type ManifestFileErrorCode =
  | "not_found"
  | "not_regular_file"
  | "unreadable"
  | "too_large"
  | "not_utf8"
  | "not_json"
  | "too_deep";

/**
 * A manifest file that cannot be used: `code` says why, `path` which file.
 *
 * @example Refuse a device file
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManifestFileError, readManifestText } from "./_manifest_file.ts";
 *
 * await assert.rejects(readManifestText("/dev/zero"), (error) => {
 *   assert.ok(error instanceof ManifestFileError);
 *   assert.equal(error.code, "not_regular_file");
 *   return true;
 * });
 * ```
 */
export class ManifestFileError extends Error {
  /** Why the file cannot be used. */
  readonly code: ManifestFileErrorCode;
  /** The file, as given. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param path The file.
   * @param message What is wrong and what is valid.
   */
  constructor(code: ManifestFileErrorCode, path: string, message: string) {
    super(message);
    this.name = "ManifestFileError";
    this.code = code;
    this.path = path;
  }

  /** The exit code: 2 when the file cannot be read, 1 when it was read and is not a manifest. */
  get exitCode(): 1 | 2 {
    return this.code === "not_found" || this.code === "not_regular_file" ||
        this.code === "unreadable"
      ? 2
      : 1;
  }
}

/** A manifest read from disk, or why it could not be. */
export type ManifestFile =
  | { readonly ok: true; readonly manifest: unknown }
  | {
    readonly ok: false;
    readonly code: 1 | 2;
    readonly message: string;
    readonly error: ManifestFileError;
  };

/**
 * Reads a manifest file's text: it must be a regular file (checked before opening, as opening a
 * FIFO with no writer waits forever, and again on the open file) of at most `maxBytes`, in
 * UTF-8. At most `maxBytes + 1` bytes are ever read, even from a file that grows.
 *
 * @param path The file.
 * @param maxBytes The largest size accepted. Default {@linkcode MAX_MANIFEST_BYTES} (4 MiB).
 * @returns The text.
 * @throws {ManifestFileError} `not_found`, `not_regular_file`, `unreadable`, `too_large` or
 * `not_utf8`.
 */
export async function readManifestText(
  path: string,
  maxBytes: number = MAX_MANIFEST_BYTES,
): Promise<string> {
  const regular = () =>
    new ManifestFileError(
      "not_regular_file",
      path,
      `Cannot read '${path}': not a regular file (a manifest must be a JSON file, not a folder, ` +
        "device or FIFO)",
    );
  const tooLarge = (size: string) =>
    new ManifestFileError(
      "too_large",
      path,
      `Cannot read '${path}': ${size}, a manifest may have at most ${maxBytes} bytes`,
    );
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (!info.isFile) throw regular();
  if (info.size > maxBytes) throw tooLarge(`it has ${info.size} bytes`);
  let bytes: Uint8Array;
  let size = 0;
  try {
    using file = await Deno.open(path, { read: true });
    if (!(await file.stat()).isFile) throw regular();
    bytes = await readAtMost(file, maxBytes);
    size = bytes.length;
  } catch (error) {
    if (error instanceof ManifestFileError) throw error;
    throw unreadable(path, error);
  }
  if (size > maxBytes) throw tooLarge("it grew while being read");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, size));
  } catch {
    throw new ManifestFileError("not_utf8", path, `Cannot read '${path}': not UTF-8 text`);
  }
}

function unreadable(path: string, error: unknown): ManifestFileError {
  const notFound = error instanceof Deno.errors.NotFound;
  return new ManifestFileError(
    notFound ? "not_found" : "unreadable",
    path,
    `Cannot read '${path}': ${notFound ? "no such file" : (error as Error).message}`,
  );
}

/**
 * Parses a manifest's text, refusing text nested deeper than {@linkcode MAX_MANIFEST_DEPTH}
 * before parsing it. Text that is not JSON is refused naming the line and column where it goes
 * wrong and what was expected there ({@linkcode jsonSyntaxError}).
 *
 * @param text The text.
 * @param path The file, for messages.
 * @returns The parsed JSON.
 * @throws {ManifestFileError} `too_deep` or `not_json`.
 */
export function parseManifestText(text: string, path: string): unknown {
  if (jsonTextDepth(text, MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    throw new ManifestFileError(
      "too_deep",
      path,
      `${path}: nests arrays and objects more than ${MAX_MANIFEST_DEPTH} levels deep, the most a ` +
        "manifest may",
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = jsonSyntaxError(text);
    throw new ManifestFileError(
      "not_json",
      path,
      at === undefined
        ? `${path}: not valid JSON: ${(error as Error).message}`
        : `${path}: not valid JSON at line ${at.line}, column ${at.column}: ${at.problem}`,
    );
  }
}

/**
 * Reads and parses a manifest file ({@linkcode readManifestText}, then
 * {@linkcode parseManifestText}).
 *
 * @param path The file.
 * @returns The parsed JSON; or the problem with exit code 2 when the file cannot be read (missing,
 * not a regular file, unreadable), 1 when it is not a manifest's JSON (too large, not UTF-8, not
 * JSON, too deep).
 */
export async function readManifestFile(path: string): Promise<ManifestFile> {
  try {
    return { ok: true, manifest: parseManifestText(await readManifestText(path), path) };
  } catch (error) {
    if (!(error instanceof ManifestFileError)) throw error;
    return { ok: false, code: error.exitCode, message: error.message, error };
  }
}
