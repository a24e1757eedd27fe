/**
 * {@linkcode filePathConflicts}: file writers that would clobber each other or a file the graph
 * reads.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";

// No `node:path` here: importing any `node:` module makes Deno set up its Node compatibility
// layer, about 2 MB of resident memory in every program that imports the runtime (decision 0062).
const onWindows = typeof Deno !== "undefined" && Deno.build.os === "windows";

/** The root of an absolute `path` (`/`; `C:\` or `\\server\share\` on Windows), else `""`. */
function rootOf(path: string, windows: boolean): string {
  if (!windows) return path.startsWith("/") ? "/" : "";
  const unc = /^\\\\[^\\]+\\[^\\]+/.exec(path);
  if (unc) return `${unc[0]}\\`;
  return /^[A-Za-z]:\\/.exec(path)?.[0] ?? "";
}

/**
 * `path` made absolute against `cwd`, with `.`, `..`, repeated and trailing separators resolved:
 * what `node:path`'s `resolve(path)` returns. On Windows either separator is read and `\` written;
 * `\x` is on `cwd`'s drive, and `C:x` relative to `cwd` when that is on drive C, else to `C:\`.
 *
 * @param path A file path.
 * @param cwd Returns the directory a relative `path` is in (called only for a relative `path`).
 * @param windows Whether paths are Windows paths.
 * @returns The absolute path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { absolutePath } from "./file_path_conflicts.ts";
 *
 * assert.equal(absolutePath("../b//take.wav", () => "/home/a"), "/home/b/take.wav");
 * assert.equal(absolutePath("C:x.wav", () => "C:\\rec", true), "C:\\rec\\x.wav");
 * ```
 */
export function absolutePath(
  path: string,
  cwd: () => string = () => Deno.cwd(),
  windows = onWindows,
): string {
  const sep = windows ? "\\" : "/";
  const p = windows ? path.replaceAll("/", sep) : path;
  let root = rootOf(p, windows);
  let rest = p.slice(root.length);
  if (!root) {
    const dir = windows ? cwd().replaceAll("/", sep) : cwd();
    const dirRoot = rootOf(dir, windows) || sep;
    const drive = windows ? /^[A-Za-z]:/.exec(p)?.[0] : undefined;
    if (drive && dirRoot.slice(0, 2).toLowerCase() !== drive.toLowerCase()) {
      root = `${drive}${sep}`; // another drive's relative path: from its root
      rest = p.slice(2);
    } else {
      root = dirRoot;
      const relative = drive ? p.slice(2) : p;
      rest = windows && relative.startsWith(sep)
        ? relative
        : `${dir.slice(dirRoot.length)}${sep}${relative}`;
    }
  }
  const parts: string[] = [];
  for (const part of rest.split(sep)) {
    if (part === "..") parts.pop();
    else if (part !== "" && part !== ".") parts.push(part);
  }
  return root + parts.join(sep);
}

/** An absolute path's folder and name (the folder of a root is itself). */
function splitPath(path: string): { readonly dir: string; readonly name: string } {
  const sep = onWindows ? "\\" : "/";
  const root = rootOf(path, onWindows);
  const at = path.lastIndexOf(sep);
  return at < root.length
    ? { dir: root, name: path.slice(root.length) }
    : { dir: path.slice(0, at), name: path.slice(at + 1) };
}

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
  return typeof path === "string" && path !== "" ? absolutePath(path) : undefined;
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
    const { dir, name } = splitPath(path);
    const real = Deno.realPathSync(dir);
    const sep = onWindows ? "\\" : "/";
    return real.endsWith(sep) ? real + name : `${real}${sep}${name}`;
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
