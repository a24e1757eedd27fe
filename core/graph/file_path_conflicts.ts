/**
 * {@linkcode filePathConflicts}: file writers that would clobber each other or a file the graph
 * reads.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { basename, dirname, join, resolve } from "node:path";

/** A node as far as file paths go. */
export interface FileNode {
  /** The node's id. */
  readonly id: string;
  /** Its processor's tags (`"file"` with `"sink"` writes `config.path`; with `"source"` reads it). */
  readonly tags: readonly string[];
  /** Its config. */
  readonly config: unknown;
}

/** Two nodes whose files collide. */
export interface FilePathConflict {
  /** Stable machine code: two writers on one file, or a writer on a file a source reads. */
  readonly code: "writers-share-path" | "writer-overwrites-source";
  /** The file, absolute. */
  readonly path: string;
  /** The writing node. */
  readonly writer: string;
  /** The other node (a second writer, or the source). */
  readonly other: string;
  /** The conflict in words, naming both nodes. */
  readonly message: string;
}

function filePath(node: FileNode): string | undefined {
  if (!node.tags.includes("file")) return undefined;
  const path = (node.config as { path?: unknown } | null)?.path;
  return typeof path === "string" && path !== "" ? resolve(path) : undefined;
}

/**
 * What makes two paths the same file: its device and inode when it exists (a symbolic link, a
 * hard link or `..` reach the same file), else its folder's real path and its name; the resolved
 * path itself where the file system cannot be asked (no permission, no `Deno`).
 */
function fileIdentity(path: string): string {
  if (typeof Deno === "undefined") return path;
  try {
    const info = Deno.statSync(path);
    if (info.dev !== null && info.ino !== null) return `inode ${info.dev}:${info.ino}`;
  } catch {
    // missing (a writer's new file) or not readable: compare by folder
  }
  try {
    return join(Deno.realPathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/**
 * Finds file writers (processors tagged `file` and `sink`) that share a path, and writers whose
 * path is a file a source of the same graph reads (tagged `file` and `source`): both would
 * interleave or truncate each other's data, so the runtime refuses to start such a graph and
 * `validate` reports it. Paths name the same file when they resolve to it from the working
 * directory through `..`, symbolic links (of the file or its folders) or hard links.
 *
 * @param nodes The graph's nodes.
 * @returns The conflicts, empty when there are none.
 *
 * @example Two writers on one file
 * ```ts
 * import assert from "node:assert/strict";
 * import { filePathConflicts } from "./file_path_conflicts.ts";
 *
 * const conflicts = filePathConflicts([
 *   { id: "a", tags: ["sink", "file"], config: { path: "take.wav" } },
 *   { id: "b", tags: ["sink", "file"], config: { path: "./take.wav" } },
 * ]);
 * assert.equal(conflicts[0].code, "writers-share-path");
 * assert.match(conflicts[0].message, /'a' and 'b' both write/);
 * ```
 */
export function filePathConflicts(nodes: readonly FileNode[]): FilePathConflict[] {
  const conflicts: FilePathConflict[] = [];
  const writers = new Map<string, string>();
  const sources = new Map<string, string>();
  const identities = new Map<string, string>();
  const identity = (path: string) => {
    let id = identities.get(path);
    if (id === undefined) identities.set(path, id = fileIdentity(path));
    return id;
  };
  for (const node of nodes) {
    const path = filePath(node);
    if (path === undefined) continue;
    const id = identity(path);
    if (node.tags.includes("source")) sources.set(id, sources.get(id) ?? node.id);
  }
  for (const node of nodes) {
    const path = filePath(node);
    if (path === undefined || !node.tags.includes("sink")) continue;
    const id = identity(path);
    const first = writers.get(id);
    if (first !== undefined) {
      conflicts.push({
        code: "writers-share-path",
        path,
        writer: node.id,
        other: first,
        message: `'${first}' and '${node.id}' both write ${path}; give each writer its own path`,
      });
    } else {
      writers.set(id, node.id);
    }
    const source = sources.get(id);
    if (source !== undefined) {
      conflicts.push({
        code: "writer-overwrites-source",
        path,
        writer: node.id,
        other: source,
        message:
          `'${node.id}' would write ${path}, which '${source}' reads: recording would destroy the input before it is read`,
      });
    }
  }
  return conflicts;
}

/**
 * Thrown by `Runtime.start()` for a graph whose file writers collide.
 *
 * @example Two WAV writers on one file
 * ```ts
 * import assert from "node:assert/strict";
 * import { FilePathConflictError } from "./file_path_conflicts.ts";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * for (const id of ["a", "b"]) {
 *   rt.add("WavWriter", { path: "/tmp/same.wav" }, { id });
 *   rt.connectByName("tone", "audio", id, "in");
 * }
 * await assert.rejects(rt.start(), FilePathConflictError);
 * ```
 */
export class FilePathConflictError extends Error {
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { conflicts: this.conflicts.map((c) => ({ ...c })) };
  }
  /** Stable machine code. */
  readonly code: ErrorCode = "file_path_conflict";
  /** Every conflict found. */
  readonly conflicts: readonly FilePathConflict[];

  /**
   * Creates the error.
   *
   * @param conflicts The conflicts (at least one).
   */
  constructor(conflicts: readonly FilePathConflict[]) {
    super(`Cannot start: ${conflicts.map((c) => c.message).join("; ")}`);
    this.name = "FilePathConflictError";
    this.conflicts = conflicts;
  }
}
