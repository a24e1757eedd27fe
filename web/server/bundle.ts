/**
 * The islands' browser bundle, built with `deno bundle` when the server starts.
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";

const ENTRY = new URL("../client.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url);
const SOURCES = [new URL("../", import.meta.url), new URL("../../core/", import.meta.url)];

const builds = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
const STALE_MS = 60 * 60 * 1000;

/**
 * Thrown when `deno bundle` fails.
 *
 * @example The message carries what `deno bundle` printed
 * ```ts
 * import assert from "node:assert/strict";
 * import { BundleError } from "@streamlib/streamlib/web";
 *
 * const error = new BundleError('error: Module not found "file:///app/web/client.ts".');
 * assert.equal(error.name, "BundleError");
 * assert.deepEqual(error.message.split("\n"), [
 *   "Cannot bundle the dashboard's islands: deno bundle failed:",
 *   'error: Module not found "file:///app/web/client.ts".',
 * ]);
 * ```
 */
export class BundleError extends Error {
  /**
   * Creates the error.
   *
   * @param output What `deno bundle` printed.
   */
  constructor(output: string) {
    super(`Cannot bundle the dashboard's islands: deno bundle failed:\n${output}`);
    this.name = "BundleError";
  }
}

/**
 * The islands' bundle (JavaScript), built if the sources changed since the last build. Builds are
 * keyed by a hash of the sources, kept in `.cache/web/` beside `deno.json` (or a temporary
 * directory when the sources are not local files; bundles unused for an hour are deleted), and
 * shared by every dashboard of the process.
 *
 * @returns The bundle's bytes.
 * @throws {BundleError} When `deno bundle` fails.
 */
export function islandBundle(): Promise<Uint8Array<ArrayBuffer>> {
  return hashSources().then((hash) => {
    let build = builds.get(hash);
    if (!build) {
      build = buildBundle(hash);
      builds.set(hash, build);
      build.catch(() => builds.delete(hash));
    }
    return build;
  });
}

async function buildBundle(hash: string): Promise<Uint8Array<ArrayBuffer>> {
  const dir = ENTRY.protocol === "file:"
    ? fromFileUrl(new URL("../../.cache/web/", import.meta.url))
    : await Deno.makeTempDir({ prefix: "streamlib_web_" });
  await Deno.mkdir(dir, { recursive: true });
  const file = `${dir}/islands-${hash.slice(0, 16)}.js`;
  try {
    const bytes = await Deno.readFile(file);
    await Deno.utime(file, new Date(), new Date());
    return bytes;
  } catch {
    // Not built yet.
  }
  const partial = `${file}.${crypto.randomUUID()}.tmp`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "--config",
      fromFileUrl(CONFIG),
      "--output",
      partial,
      fromFileUrl(ENTRY),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
    throw new BundleError(text.trim());
  }
  const bytes = await Deno.readFile(partial);
  await Deno.rename(partial, file);
  await removeStale(dir, file);
  return bytes;
}

async function removeStale(dir: string, keep: string): Promise<void> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (path === keep || !/^islands-.*\.js$/.test(entry.name)) continue;
    try {
      const { mtime } = await Deno.stat(path);
      if (mtime && Date.now() - mtime.getTime() > STALE_MS) await Deno.remove(path);
    } catch {
      // Another process removed it.
    }
  }
}

async function hashSources(): Promise<string> {
  const parts: string[] = [Deno.version.deno];
  if (ENTRY.protocol !== "file:") return "remote";
  for (const root of SOURCES) {
    for (const path of walk(fromFileUrl(root))) {
      parts.push(path, await Deno.readTextFile(path));
    }
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function* walk(dir: string): Generator<string> {
  const entries = [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = `${dir.replace(/\/$/, "")}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) yield path;
  }
}
