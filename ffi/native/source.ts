/**
 * Where the native library's crate sources are, for building it when it is missing.
 *
 * The package ships `crates/` (the Rust workspace) beside `ffi/`. How it is reached depends on
 * how this module was loaded, which `import.meta.url` tells:
 *
 * - a `file:` URL (a checkout, a local path import, a vendored copy): the sources are files in
 *   `../../crates/` next to this module;
 * - an `http:`/`https:` URL (a JSR install: Deno runs JSR modules from
 *   `https://jsr.io/@scope/name/<version>/...`, cached under hashed names, so there is no folder
 *   to look in): the files are fetched from the same package URL, listed by the registry's
 *   `<version>_meta.json` manifest and checked against its SHA-256 checksums.
 *
 * Run as a script (`deno run ... source.ts <packageRoot> <dest>`), it fetches a
 * package's crate sources into `dest`: the synchronous loader runs it as a subprocess.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the crate sources are: a folder, or a published package's URL.
 */
export type CrateSource =
  | { readonly kind: "local"; readonly crates: string }
  | { readonly kind: "remote"; readonly packageRoot: string };

/**
 * The crate sources beside the package this module belongs to.
 *
 * @param moduleUrl The URL of a module at the package root's `ffi/` (default: this module).
 * @returns Where they are, or `undefined` when a `file:` package has no `crates/Cargo.toml`.
 *
 * @example Find the sources of this checkout
 * ```ts
 * import assert from "node:assert/strict";
 * import { crateSource } from "./source.ts";
 *
 * assert.equal(crateSource()?.kind, "local");
 * ```
 */
export function crateSource(moduleUrl: string = import.meta.url): CrateSource | undefined {
  const root = new URL("../../", moduleUrl);
  if (root.protocol === "file:") {
    const crates = fileURLToPath(new URL("crates/", root));
    try {
      if (Deno.statSync(join(crates, "Cargo.toml")).isFile) {
        return { kind: "local", crates: crates.replace(/[\\/]$/, "") };
      }
    } catch {
      // No crate sources beside this module.
    }
    return undefined;
  }
  if (root.protocol === "https:" || root.protocol === "http:") {
    return { kind: "remote", packageRoot: root.href };
  }
  return undefined;
}

/** One file of a JSR version manifest. */
interface ManifestEntry {
  readonly size: number;
  readonly checksum: string;
}

/**
 * Fetches a published package's `crates/` into `dest` (as `dest/crates/...`), verifying each
 * file against the checksum in the registry's `<version>_meta.json`.
 *
 * @param packageRoot The package root URL, ending in `/` (`https://jsr.io/@s/n/0.1.0/`).
 * @param dest The folder to write into.
 * @returns The crate workspace folder (`dest/crates`).
 * @throws {Error} When the manifest or a file cannot be fetched or does not match its checksum.
 *
 * @example Fetch from a server laid out like jsr.io
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHash } from "node:crypto";
 * import { fetchCrateSources } from "./source.ts";
 *
 * const toml = "[workspace]\n";
 * const checksum = `sha256-${createHash("sha256").update(toml).digest("hex")}`;
 * const server = Deno.serve({ port: 0, onListen: () => {} }, (request) =>
 *   new URL(request.url).pathname === "/@s/n/1.0.0_meta.json"
 *     ? Response.json({ manifest: { "/crates/Cargo.toml": { size: toml.length, checksum } } })
 *     : new Response(toml));
 * const crates = await fetchCrateSources(
 *   `http://localhost:${server.addr.port}/@s/n/1.0.0/`,
 *   await Deno.makeTempDir(),
 * );
 * assert.equal(Deno.readTextFileSync(`${crates}/Cargo.toml`), "[workspace]\n");
 * await server.shutdown();
 * ```
 */
export async function fetchCrateSources(packageRoot: string, dest: string): Promise<string> {
  const metaUrl = `${packageRoot.replace(/\/$/, "")}_meta.json`;
  const response = await fetch(metaUrl);
  if (!response.ok) {
    throw new Error(`Cannot fetch ${metaUrl}: HTTP ${response.status}`);
  }
  const meta = await response.json() as { manifest?: Record<string, ManifestEntry> };
  const files = Object.entries(meta.manifest ?? {}).filter(([path]) =>
    path.startsWith("/crates/") && !path.includes("/target/")
  );
  if (!files.some(([path]) => path === "/crates/Cargo.toml")) {
    throw new Error(`Cannot build from ${packageRoot}: its manifest lists no crates/Cargo.toml`);
  }
  for (const [path, entry] of files) {
    const url = new URL(path.slice(1), packageRoot);
    const file = await fetch(url);
    if (!file.ok) throw new Error(`Cannot fetch ${url}: HTTP ${file.status}`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const digest = `sha256-${await sha256Hex(bytes)}`;
    if (digest !== entry.checksum) {
      throw new Error(
        `Cannot use ${url}: its checksum is ${digest}, the manifest says ${entry.checksum}`,
      );
    }
    const target = join(dest, ...path.slice(1).split("/"));
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.writeFile(target, bytes);
  }
  return join(dest, "crates");
}

/** SHA-256 of `bytes` in hex, with Web Crypto (`node:crypto` costs memory to import). */
async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

if (import.meta.main) {
  const [packageRoot, dest] = Deno.args;
  try {
    console.log(await fetchCrateSources(packageRoot, dest));
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
