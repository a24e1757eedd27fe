/**
 * The scoped child of `run`, `dashboard` and `mcp`: started as a program, the command runs itself
 * again in a child Deno process with the permissions of {@linkcode permissionScope}, passes
 * signals on, and ends with it.
 *
 * @module
 */

import { resolve } from "node:path";
import { readEnv } from "../ffi/native/cache.ts";
import {
  denoPermissionFlags,
  packageRoot,
  type PermissionScope,
  permissionScope,
  type ScopeRequest,
} from "./permission_scope.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";
import { noteStopSignal } from "./wait_for_stop.ts";

/** The environment variable that marks the scoped child (set by the parent). */
export const SCOPED_ENV = "STREAMLIB_SCOPED";
/**
 * Set when the child's stdin is a pipe from the parent that is never written: its end means the
 * parent is gone (killed outright), and the child exits at once as it would have with it.
 */
const PARENT_PIPE_ENV = "STREAMLIB_PARENT_PIPE";

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
      // A parent run with --unstable-webgpu hands it on: VideoWindow needs Deno.UnsafeWindowSurface.
      ...("UnsafeWindowSurface" in Deno ? ["--unstable-webgpu"] : []),
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
  let slow: ReturnType<typeof setTimeout> | undefined;
  const forward = (signal: Deno.Signal) => () => {
    received++;
    if (received === 1) {
      // The child stops within a second or two; one that does not is likely stuck in a
      // processor's process() or setup() (its isolate cannot even hear the signal): say so,
      // rather than let a first Ctrl-C look ignored.
      slow = setTimeout(() => {
        console.error(
          `streamlib: still stopping ${STILL_STOPPING_MS / 1000} s after ${signal}: a ` +
            "processor may be stuck in process() or setup(); Ctrl-C again (or SIGTERM) kills " +
            "it, leaving files being written unfinished",
        );
      }, STILL_STOPPING_MS);
    } else {
      console.error(`streamlib: killed (SIGKILL) at the second ${signal}`);
    }
    try {
      child.kill(received > 1 ? "SIGKILL" : signal);
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
    clearTimeout(slow);
    if (!stdinForChild) await child.stdin.close().catch(() => {});
    for (const [s, listener] of listeners) Deno.removeSignalListener(s, listener);
  }
}

/** How long after a stop signal the parent says the child is still stopping. */
const STILL_STOPPING_MS = 5_000;

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

function signalNumber(signal: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}
