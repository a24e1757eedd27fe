/**
 * Least privilege for the commands that run pipelines (`run`, `dashboard`, `mcp`): the Deno
 * permissions of their scoped child (`scoped_child.ts` starts it): files read in the package, the
 * project and the media folders, written only in the media folders; the network only on the
 * address it listens on; no subprocess unless `--allow-run` names one. Deno itself refuses
 * anything else, whatever a manifest, a token holder or a processor asks for.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { localBuildPath } from "../ffi/native/load.ts";
import { NATIVE_LIB_ENV, nativeCacheDir, readEnv } from "../ffi/native/cache.ts";

/** The `parseArgs` options of the permission flags. */
export const PERMISSION_FLAGS = {
  "allow-run": { type: "string", multiple: true },
  "allow-all": { type: "boolean", default: false },
} as const;

/** The usage lines of the permission flags. */
export const PERMISSION_USAGE =
  `  --allow-run C        a program processors may start (repeatable; '*': any). Default: none,
                       so SubprocessProcessor and subprocess plugins are refused by Deno
  --allow-all          run with every permission instead of the scoped ones (see docs/cli.md)`;

/** What the scoped child may use. */
export interface PermissionScope {
  /** Files and folders it may read. */
  readonly read: readonly string[];
  /** Folders it may write in. */
  readonly write: readonly string[];
  /** Hosts it may listen on or connect to (any port); none when empty. */
  readonly net: readonly string[];
  /**
   * Native libraries (files or folders) it loads. Deno's pointer functions need `--allow-ffi`
   * without a path, so FFI is granted whole whenever this is not empty (native code is outside
   * Deno's permissions anyway).
   */
  readonly ffi: readonly string[];
  /** Programs it may start: a list, every one (`"*"`), or none when empty. */
  readonly run: readonly string[] | "*";
  /** Whether it may import remote modules (plugins given by URL). */
  readonly remoteImports: boolean;
}

/** What a command says about the scope it needs. */
export interface ScopeRequest {
  /**
   * The media folders (written and read); default the working directory and the manifest's
   * folder.
   */
  readonly mediaDirs?: readonly string[];
  /** The manifest, when one is loaded (read; its folder is a default media folder). */
  readonly manifest?: string;
  /** Other files read (the token file). */
  readonly files?: readonly (string | undefined)[];
  /** Hosts listened on. */
  readonly net?: readonly string[];
  /** `--allow-run` values; `"*"` among them allows any program. */
  readonly allowRun?: readonly string[];
  /** Whether plugins will be loaded (`--load-plugins`). */
  readonly loadPlugins?: boolean;
  /**
   * Plugin folders and native plugin libraries (the project's `pluginFolders`, and with
   * `--load-plugins` the manifest's): read.
   */
  readonly pluginPaths?: readonly string[];
  /** Whether the dashboard's page bundle is served (its cache is written). */
  readonly dashboard?: boolean;
}

/** The package's folder, when it runs from files (a checkout), else `undefined` (JSR). */
export function packageRoot(): string | undefined {
  const url = new URL("../", import.meta.url);
  return url.protocol === "file:" ? fileURLToPath(url) : undefined;
}

/**
 * The scope a command needs.
 *
 * @param request What the command reads, writes, listens on and runs.
 * @param cwd The working directory.
 * @returns The scope.
 *
 * @example Media folder, no network, no programs
 * ```ts
 * import assert from "node:assert/strict";
 * import { permissionScope } from "./permission_scope.ts";
 *
 * const scope = permissionScope(
 *   { mediaDirs: ["/srv/media"], manifest: "pipeline.json" },
 *   "/home/me/project",
 * );
 * assert.deepEqual(scope.write, ["/srv/media"]);
 * assert.ok(scope.read.includes("/home/me/project") && scope.read.includes("/srv/media"));
 * assert.deepEqual([scope.net, scope.run], [[], []]);
 * // Without --media-dir: the working directory and the manifest's folder.
 * assert.deepEqual(permissionScope({ manifest: "/srv/p/m.json" }, "/home/me").write, ["/home/me", "/srv/p"]);
 * ```
 */
export function permissionScope(request: ScopeRequest, cwd: string = Deno.cwd()): PermissionScope {
  const manifest = request.manifest === undefined ? undefined : resolve(cwd, request.manifest);
  const media =
    (request.mediaDirs?.length
      ? request.mediaDirs
      : [cwd, ...(manifest ? [dirname(manifest)] : [])]).map((d) => resolve(cwd, d));
  const root = packageRoot();
  const native = [readEnv(NATIVE_LIB_ENV), localBuildPath(), nativeCacheDir()]
    .filter((p): p is string => p !== undefined).map((p) => resolve(cwd, p));
  const files = [manifest, ...(request.files ?? [])].filter((f): f is string => f !== undefined)
    .map((f) => resolve(cwd, f));
  const read = unique([
    ...(root ? [root] : []),
    cwd,
    ...media,
    ...files,
    ...files.map((f) => dirname(f)), // a manifest's plugins are relative to it
    ...native,
    ...(request.pluginPaths ?? []).map((p) => resolve(cwd, p)),
  ]);
  const write = unique([...media, ...(request.dashboard && root ? [resolve(root, ".cache")] : [])]);
  const allowRun = request.allowRun ?? [];
  return {
    read,
    write,
    net: unique(request.net ?? []),
    ffi: native,
    run: allowRun.includes("*") ? "*" : unique(allowRun),
    remoteImports: request.loadPlugins === true,
  };
}

/**
 * The `deno run` permission flags of a scope.
 *
 * @param scope The scope.
 * @returns The flags.
 * @throws {RangeError} When a path has a comma (Deno's lists cannot hold one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoPermissionFlags } from "./permission_scope.ts";
 *
 * const flags = denoPermissionFlags({
 *   read: ["/a", "/b"], write: ["/b"], net: [], ffi: [], run: [], remoteImports: false,
 * });
 * assert.deepEqual(flags, ["--allow-read=/a,/b", "--allow-write=/b", "--allow-env"]);
 * ```
 */
export function denoPermissionFlags(scope: PermissionScope): string[] {
  const list = (name: string, values: readonly string[]) =>
    values.length > 0 ? [`--allow-${name}=${values.map(noComma).join(",")}`] : [];
  return [
    ...list("read", scope.read),
    ...list("write", scope.write),
    ...list("net", scope.net),
    // Deno's pointer functions (UnsafePointer.of, getArrayBuffer) need --allow-ffi without a
    // path; scope.ffi still names the library, which is read.
    ...(scope.ffi.length > 0 ? ["--allow-ffi"] : []),
    "--allow-env",
    ...(scope.run === "*" ? ["--allow-run"] : list("run", scope.run)),
    ...(scope.remoteImports ? ["--allow-import"] : []),
  ];
}

/**
 * The `--allow-run` of a command: the programs named, or any when `--allow-processor` allows
 * SubprocessProcessor (or every type) and `--allow-run` is not given.
 *
 * @param allowRun The `--allow-run` values.
 * @param allowProcessor The `--allow-processor` values.
 * @returns The programs, `["*"]` for any.
 */
export function programsAllowed(
  allowRun: readonly string[] | undefined,
  allowProcessor: readonly string[] | undefined = [],
): string[] {
  if (allowRun !== undefined && allowRun.length > 0) return [...allowRun];
  return allowProcessor.includes("SubprocessProcessor") || allowProcessor.includes("*")
    ? ["*"]
    : [];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Deno's permission lists are comma-separated, with no escape for a comma in a path. */
function noComma(value: string): string {
  if (value.includes(",")) {
    throw new RangeError(
      `Cannot scope the permissions: '${value}' has a comma, which a Deno permission list cannot hold; rename the folder or run with --allow-all`,
    );
  }
  return value;
}

/** A manifest node whose program this process may not start. */
export interface RefusedProgram {
  /** The node's id. */
  readonly node: string;
  /** The program its config names (`command`). */
  readonly command: string;
}

/**
 * The `SubprocessProcessor` nodes of a (valid) manifest whose program Deno's permissions of this
 * process refuse, so that `run` can say which `--allow-run` they need before anything starts.
 *
 * @param manifest The parsed, valid manifest.
 * @returns One entry per refused node, in manifest order; none when every program may run.
 *
 * @example Under `-A` every program may run
 * ```ts
 * import assert from "node:assert/strict";
 * import { programsRefused } from "./permission_scope.ts";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "py", type: "SubprocessProcessor", config: { command: "python3" } }],
 * };
 * const granted = Deno.permissions.querySync({ name: "run", command: "python3" }).state;
 * assert.equal(programsRefused(manifest).length, granted === "granted" ? 0 : 1);
 * ```
 */
export function programsRefused(manifest: unknown): RefusedProgram[] {
  const nodes = (manifest as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const refused: RefusedProgram[] = [];
  for (const node of nodes) {
    if (node?.type !== "SubprocessProcessor") continue;
    const command = node.config?.command;
    if (typeof command !== "string" || command === "") continue;
    // "prompt" is a refusal too: the scoped child runs with --no-prompt.
    if (Deno.permissions.querySync({ name: "run", command }).state !== "granted") {
      refused.push({ node: String(node.id), command });
    }
  }
  return refused;
}
