/**
 * Least privilege for the commands that run pipelines (`run`, `dashboard`, `mcp`): started as a
 * program, the command runs itself again in a child Deno process whose permissions are scoped to
 * what it needs (files read in the package, the project and the media folders, written only in
 * the media folders; the network only on the address it listens on; the native library only; no
 * subprocess unless `--allow-run` names one), so Deno itself refuses anything else, whatever a
 * manifest, a token holder or a processor asks for.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorCode, ErrorDetails } from "../core/error_codes.ts";
import { localBuildPath } from "../ffi/load.ts";
import { NATIVE_LIB_ENV, nativeCacheDir, readEnv } from "../ffi/native_cache.ts";
import { terminalSafe } from "./terminal_text.ts";
import { noteStopSignal } from "./wait_for_stop.ts";

/** The environment variable that marks the scoped child (set by the parent). */
export const SCOPED_ENV = "STREAMLIB_SCOPED";
/**
 * Set when the child's stdin is a pipe from the parent that is never written: its end means the
 * parent is gone (killed outright), and the child exits at once as it would have with it.
 */
const PARENT_PIPE_ENV = "STREAMLIB_PARENT_PIPE";

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
 * Whether this process may scope itself: it is not the scoped child already, and it holds every
 * permission it would hand on (an operator who started it with narrower flags has scoped it).
 *
 * @returns `true` when the command should run itself again, scoped.
 */
export function canScope(): boolean {
  if (readEnv(SCOPED_ENV) === "1") return false;
  const names = ["read", "write", "net", "env", "ffi", "run"] as const;
  return names.every((name) => Deno.permissions.querySync({ name }).state === "granted");
}

/**
 * In the scoped child: keeps a stray second signal from killing the process while it stops (a
 * terminal's Ctrl-C reaches both processes, and the parent forwards it too), and notes a signal
 * that comes before the command listens (`noteStopSignal`), so it still stops the command. The
 * commands' own listeners see every signal too.
 */
export function holdSignalsInChild(): void {
  if (readEnv(SCOPED_ENV) !== "1") return;
  if (readEnv(PARENT_PIPE_ENV) === "1") void exitWithParent();
  if (Deno.build.os === "windows") return;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    Deno.addSignalListener(signal, noteStopSignal);
  }
}

/** Exits (137, as SIGKILL would) when the parent's pipe on stdin ends. */
async function exitWithParent(): Promise<void> {
  const buffer = new Uint8Array(64);
  try {
    while ((await Deno.stdin.read(buffer)) !== null) {
      // The parent never writes; nothing to do.
    }
  } catch {
    // Closed under us: the parent is gone as well.
  }
  Deno.exit(137);
}

/**
 * Runs `streamlib <command> <args>` again in a child Deno process with the scope's permissions,
 * stdin, stdout and stderr shared, and waits for it. SIGINT, SIGTERM and SIGHUP are passed on (a
 * second one kills the child, as a second Ctrl-C kills an unscoped run).
 *
 * @param command The subcommand.
 * @param args Its arguments, unchanged.
 * @param scope The permissions.
 * @param stdinForChild Whether the child reads stdin (MCP over stdio); otherwise its stdin is a
 *   pipe from this process, so that it exits if this one is killed outright.
 * @returns The child's exit code (128 + the signal number when a signal ended it).
 */
export async function runScoped(
  command: string,
  args: readonly string[],
  scope: PermissionScope,
  stdinForChild = false,
): Promise<number> {
  const root = packageRoot();
  const entry = new URL("./streamlib.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      ...(root ? ["--config", resolve(root, "deno.json")] : []),
      ...denoPermissionFlags(scope),
      entry,
      command,
      ...args,
    ],
    env: { [SCOPED_ENV]: "1", ...(stdinForChild ? {} : { [PARENT_PIPE_ENV]: "1" }) },
    stdin: stdinForChild ? "inherit" : "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  let received = 0;
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(++received > 1 ? "SIGKILL" : signal);
    } catch {
      // Already gone.
    }
  };
  const listeners = signals.map((s) => [s, forward(s)] as const);
  for (const [s, listener] of listeners) Deno.addSignalListener(s, listener);
  try {
    const status = await child.status;
    return status.signal ? 128 + signalNumber(status.signal) : status.code;
  } finally {
    if (!stdinForChild) await child.stdin.close().catch(() => {});
    for (const [s, listener] of listeners) Deno.removeSignalListener(s, listener);
  }
}

/**
 * Runs the command scoped when it was started as the `streamlib` program (not in process), the
 * operator did not ask for `--allow-all`, and this process is not scoped already.
 *
 * @param command The subcommand.
 * @param args Its arguments.
 * @param request What it needs.
 * @param options `scopePermissions` from the program; `allowAll` from `--allow-all`;
 *   `stdinForChild` when the command reads stdin.
 * @returns The child's exit code (2 when a path cannot be put in a permission flag), or
 *   `undefined` when the command should run here.
 */
export async function scopedRun(
  command: string,
  args: readonly string[],
  request: ScopeRequest,
  options: {
    readonly scopePermissions?: boolean;
    readonly allowAll?: boolean;
    readonly stdinForChild?: boolean;
  },
): Promise<number | undefined> {
  if (!options.scopePermissions || options.allowAll || !canScope()) return undefined;
  const scope = permissionScope(request);
  try {
    denoPermissionFlags(scope);
  } catch (error) {
    console.error(terminalSafe((error as Error).message));
    return 2;
  }
  return await runScoped(command, args, scope, options.stdinForChild);
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

/**
 * A node refused by Deno's permissions (`NotCapable`) in the scoped child: what it needed and
 * the flag that grants it.
 *
 * @example From a writer's node-error event
 * ```ts
 * import assert from "node:assert/strict";
 * import { PermissionScopeError } from "./permission_scope.ts";
 *
 * const error = PermissionScopeError.fromNodeError({
 *   node: "wav",
 *   phase: "setup",
 *   name: "NotCapable",
 *   message: 'Requires write access to "/etc/x.wav", run again with the --allow-write flag',
 * });
 * assert.equal(error?.code, "permission_denied");
 * assert.equal(error?.details.permission, "write");
 * assert.match(error!.message, /--media-dir/);
 * ```
 */
export class PermissionScopeError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "permission_denied";
  /** The node. */
  readonly node: string;
  /** The permission it lacked (`read`, `write`, `run`, `net`, `ffi`, `env`, `sys`, `import`). */
  readonly permission: string;
  /** Deno's own message. */
  readonly denied: string;

  /**
   * @param node The node.
   * @param phase The method that threw.
   * @param permission The permission lacked.
   * @param denied Deno's message.
   */
  constructor(node: string, phase: string, permission: string, denied: string) {
    const grant = GRANTS[permission] ?? "--allow-all";
    super(
      `Cannot run '${node}': ${phase}() was refused by the command's permissions: ${
        denied.replace(/, run again with .*$/, "")
      } (grant it with ${grant}, or run with --allow-all)`,
    );
    this.name = "PermissionScopeError";
    this.node = node;
    this.permission = permission;
    this.denied = denied;
  }

  /** The node, the permission and Deno's message. */
  get details(): ErrorDetails {
    return { node: this.node, permission: this.permission, denied: this.denied };
  }

  /**
   * The typed error of a `node-error` event, when Deno's permissions caused it.
   *
   * @param event The event's node, phase, error name and message.
   * @returns The error, or `undefined` for any other failure (Deno's `NotCapable`, or its
   *   message quoted by a processor's own error).
   */
  static fromNodeError(
    event: { node: string; phase: string; name: string; message: string },
  ): PermissionScopeError | undefined {
    // Deno's refusal, thrown as is or quoted by a processor's own error (a child process that
    // cannot be started): "Requires run access to "sh", run again with the --allow-run flag".
    const quoted = DENIED.exec(event.message);
    if (event.name !== "NotCapable" && quoted === null) return undefined;
    return new PermissionScopeError(
      event.node,
      event.phase,
      quoted?.[1] ?? "unknown",
      quoted?.[0] ?? event.message,
    );
  }
}

const DENIED = /Requires (\w+) access to .*?, run again with the --allow-\w+ flag/;

const GRANTS: Record<string, string> = {
  write: "--media-dir <folder>",
  read: "--media-dir <folder>",
  run: "--allow-run <program>",
};

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

function signalNumber(signal: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}
