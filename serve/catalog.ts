/**
 * {@linkcode loadCatalog}: the named manifests of a folder.
 *
 * @module
 */

import { join } from "node:path";
import { nearMatches } from "../core/errors/near_matches.ts";
import { jsonSyntaxError } from "../core/manifest/json_syntax.ts";
import { jsonTextDepth, MAX_MANIFEST_BYTES, MAX_MANIFEST_DEPTH } from "../core/manifest/limits.ts";
import { ServeError } from "./errors.ts";
import { TransportError } from "../sessions/websocket/errors.ts";

/** Pipelines by name: each `<name>.json` of a folder, parsed. */
export type Catalog = ReadonlyMap<string, unknown>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** What {@linkcode readCatalog} found: the pipelines that read, and each file that did not. */
export interface CatalogRead {
  /** The pipelines by name, each `<name>.json` that reads as a JSON object. */
  readonly catalog: Map<string, unknown>;
  /**
   * One error per file left out (in name order), its `details.path` the file and, when the name
   * is a pipeline name, `details.pipeline` the name: `file_error` for a file that cannot be read
   * or a name that is not a pipeline name, `invalid_manifest` for one that is not a JSON object.
   */
  readonly problems: readonly ServeError[];
}

/**
 * Reads a folder as {@linkcode loadCatalog} does, but a file that does not read is left out and
 * told in `problems` instead of failing the whole folder (`streamlib serve --watch`: one file
 * saved half-way, or named badly, does not hold back the others' changes).
 *
 * @param folder The folder.
 * @returns The pipelines that read, and a problem per file that did not.
 * @throws {ServeError} `file_error` when the folder itself cannot be read.
 *
 * @example One broken file beside a good one
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCatalog } from "./catalog.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/fx.json`, '{"version":1,"nodes":[]}');
 * await Deno.writeTextFile(`${dir}/half.json`, '{"version":1,');
 * const { catalog, problems } = await readCatalog(dir);
 * assert.deepEqual([...catalog.keys()], ["fx"]);
 * assert.equal(problems[0].code, "invalid_manifest");
 * assert.equal(problems[0].details.pipeline, "half");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readCatalog(folder: string): Promise<CatalogRead> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      // Hidden entries are not pipelines: editors' lock and swap files (`.#fx.json`), a
      // Kubernetes ConfigMap volume's `..data`. A symbolic link counts as the file it names (a
      // ConfigMap volume's every file is one; a broken one is a file that cannot be read).
      if (entry.name.startsWith(".") || !entry.name.endsWith(".json") || entry.isDirectory) {
        continue;
      }
      if (
        entry.isFile || (entry.isSymlink && await linksToFileOrNothing(join(folder, entry.name)))
      ) {
        names.push(entry.name);
      }
    }
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such folder"
      : error instanceof Deno.errors.NotADirectory
      ? "it is a file, not a folder of <name>.json manifests"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    throw new ServeError("file_error", `Cannot read the manifest folder '${folder}': ${why}`, {
      path: folder,
    });
  }
  names.sort();
  const catalog = new Map<string, unknown>();
  const problems: ServeError[] = [];
  for (const file of names) {
    try {
      const [name, manifest] = await readManifest(folder, file);
      catalog.set(name, manifest);
    } catch (error) {
      if (!(error instanceof ServeError)) throw error;
      problems.push(error);
    }
  }
  return { catalog, problems };
}

/**
 * Reads every `*.json` file of a folder (not its subfolders; symbolic links to files count,
 * hidden `.`-names do not) as a pipeline named after the file without `.json`. Each must be a
 * JSON object; whether it loads (processors, ports, `inputs` and `outputs`) is checked when a
 * session opens it (`invalid_manifest`).
 *
 * @param folder The folder.
 * @returns The pipelines by name.
 * @throws {ServeError} `file_error` when the folder or a file cannot be read or a file name is
 * not a usable pipeline name; `invalid_manifest` when a file is not a JSON object (the first
 * such file, by name).
 *
 * @example Only the JSON files are pipelines
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCatalog } from "@streamlib/streamlib/serve";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/voice-fx.json`, '{"version":1,"nodes":[]}');
 * await Deno.writeTextFile(`${dir}/notes.txt`, "not a pipeline");
 * const catalog = await loadCatalog(dir);
 * assert.deepEqual([...catalog.keys()], ["voice-fx"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadCatalog(folder: string): Promise<Catalog> {
  const { catalog, problems } = await readCatalog(folder);
  if (problems.length > 0) throw problems[0];
  return catalog;
}

/** One `<name>.json` of `folder`: its pipeline name and manifest. */
async function readManifest(folder: string, file: string): Promise<[string, unknown]> {
  const name = file.slice(0, -".json".length);
  const path = join(folder, file);
  if (!NAME.test(name)) {
    throw new ServeError(
      "file_error",
      `Cannot serve '${path}': a pipeline name is 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { path },
    );
  }
  // From here on the file is the pipeline `name`'s: a reload keeps what was served for it.
  const details = { path, pipeline: name };
  let bytes: Uint8Array;
  try {
    const { size } = await Deno.stat(path);
    if (size > MAX_MANIFEST_BYTES) {
      throw new ServeError(
        "invalid_manifest",
        `Cannot serve '${path}': it has ${size} bytes, a manifest may have at most ${MAX_MANIFEST_BYTES}`,
        details,
      );
    }
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof ServeError) throw error;
    throw new ServeError(
      "file_error",
      `Cannot read '${path}': ${(error as Error).message}`,
      details,
    );
  }
  let text: string;
  try {
    // As `streamlib validate` reads a manifest: UTF-8, a leading byte order mark dropped.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ServeError("invalid_manifest", `Cannot serve '${path}': not UTF-8 text`, details);
  }
  if (jsonTextDepth(text, MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    throw new ServeError(
      "invalid_manifest",
      `Cannot serve '${path}': it nests arrays and objects more than ${MAX_MANIFEST_DEPTH} levels deep, the most a manifest may`,
      details,
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    // Where it goes wrong, by line and column ('streamlib validate' says the same).
    const at = jsonSyntaxError(text);
    throw new ServeError(
      "invalid_manifest",
      at === undefined
        ? `Cannot serve '${path}': not JSON (${(error as Error).message})`
        : `Cannot serve '${path}': not valid JSON at line ${at.line}, column ${at.column}: ${at.problem}`,
      details,
    );
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new ServeError("invalid_manifest", `Cannot serve '${path}': not a JSON object`, details);
  }
  return [name, manifest];
}

/** Whether a symbolic link names a file, or nothing (broken): not a folder. */
async function linksToFileOrNothing(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return true;
  }
}

/**
 * The manifest of the pipeline `name` serves, for every transport.
 *
 * @param catalog The pipelines.
 * @param name The name a client asked for.
 * @returns Its manifest.
 * @throws {TransportError} `pipeline_not_found`, naming the pipelines there are (`available`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findPipeline } from "./catalog.ts";
 *
 * const catalog = new Map([["gain", { version: 1 }]]);
 * assert.deepEqual(findPipeline(catalog, "gain"), { version: 1 });
 * assert.throws(() => findPipeline(catalog, "gian"), {
 *   code: "pipeline_not_found",
 *   message: "No pipeline 'gian', did you mean gain? available: gain",
 * });
 * assert.throws(() => findPipeline(catalog, "zzz"), {
 *   message: "No pipeline 'zzz', available: gain",
 * });
 * ```
 */
export function findPipeline(catalog: Catalog, name: string): unknown {
  const manifest = catalog.get(name);
  if (manifest !== undefined) return manifest;
  const available = [...catalog.keys()];
  const near = nearMatches(name, available);
  const hint = near.length > 0 ? `, did you mean ${near.join(" or ")}?` : ",";
  throw new TransportError(
    "pipeline_not_found",
    `No pipeline '${name.slice(0, 80)}'${hint} available: ${available.join(", ") || "none"}`,
    { pipeline: name.slice(0, 256), available },
  );
}
