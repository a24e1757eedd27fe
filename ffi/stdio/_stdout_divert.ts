/**
 * Stdout diverted at the file descriptor: the process's fd 1 is pointed at stderr, and a private
 * duplicate of the original stdout is kept for the protocol (`run --json`'s lines, MCP on
 * stdio). What any code prints, by any path, then goes to stderr: `console` in the main isolate
 * and in every Worker (they share the process's descriptors), `Deno.stdout.write`,
 * `console.count`, native code's own prints and the children that inherit stdout. Patching
 * `console` alone (core/processor/stdout_guard.ts) misses all but the first.
 *
 * It calls the C library's `dup`, `dup2`, `write` and `close` (POSIX); on Windows, or when the C
 * library cannot be opened, there is no diversion and only `console` is redirected. This table
 * is apart from the native library's (`ffi/native/symbols.ts`): these are the system's symbols,
 * not ours, and are opened whether or not the native library is built.
 *
 * @module
 */

import type { DivertedStdout } from "../../core/processor/stdout_guard.ts";

const LIBC: Partial<Record<typeof Deno.build.os, string>> = {
  linux: "libc.so.6",
  darwin: "libSystem.B.dylib",
  freebsd: "libc.so.7",
};

/** The errno function's name where errno is read through a function. */
const ERRNO_FN: Partial<Record<typeof Deno.build.os, string>> = {
  linux: "__errno_location",
  darwin: "__error",
  freebsd: "__error",
};

const EINTR = 4;
const EAGAIN: Partial<Record<typeof Deno.build.os, number>> = {
  linux: 11,
  darwin: 35,
  freebsd: 35,
};
const STDOUT = 1;
const STDERR = 2;

function libcSymbols(errno: string) {
  return {
    /** `int dup(int fd)` */
    dup: { parameters: ["i32"], result: "i32" },
    /** `int dup2(int from, int to)` */
    dup2: { parameters: ["i32", "i32"], result: "i32" },
    /** `int close(int fd)` */
    close: { parameters: ["i32"], result: "i32" },
    /** `ssize_t write(int fd, const void *buf, size_t n)`, blocking the calling thread */
    write: { name: "write", parameters: ["i32", "buffer", "usize"], result: "isize" },
    /** The same `write` run off the event loop (a slow reader does not stall the isolate) */
    writeAsync: {
      name: "write",
      parameters: ["i32", "buffer", "usize"],
      result: "isize",
      nonblocking: true,
    },
    /** `int *errno_location(void)`: this thread's errno */
    errno: { name: errno, parameters: [], result: "pointer" },
  } as const satisfies Deno.ForeignLibraryInterface;
}

type Libc = Deno.DynamicLibrary<ReturnType<typeof libcSymbols>>;

/** Thrown when writing to the diverted stdout fails (the reader went away: `EPIPE`). */
export class StdoutWriteError extends Error {
  /** Stable machine code. */
  readonly code = "stdout_write_failed" as const;
  /** The C library's `errno`. */
  readonly errno: number;

  /**
   * Creates the error.
   *
   * @param errno The `errno` of the failed `write`.
   */
  constructor(errno: number) {
    super(`Cannot write to stdout: write() failed with errno ${errno} (the reader closed it?)`);
    this.name = "StdoutWriteError";
    this.errno = errno;
  }
}

/**
 * Points fd 1 at stderr and returns a writer of the original stdout, or `undefined` where that
 * cannot be done (Windows, no C library, no `--allow-ffi`): the caller then keeps `console`'s
 * redirection only. `restore()` points fd 1 back at the original stdout.
 *
 * @returns The writer of the original stdout, or `undefined`.
 *
 * @example Stdout diverted, the protocol written to the original
 * ```ts ignore
 * import { divertStdoutFd } from "./_stdout_divert.ts";
 *
 * const out = divertStdoutFd();
 * await Deno.stdout.write(new TextEncoder().encode("to stderr now\n"));
 * out?.writeSync(new TextEncoder().encode('{"event":"started"}\n')); // the real stdout
 * out?.restore();
 * ```
 */
export function divertStdoutFd(): DivertedStdout | undefined {
  const path = LIBC[Deno.build.os];
  const errnoFn = ERRNO_FN[Deno.build.os];
  if (path === undefined || errnoFn === undefined) return undefined;
  let libc: Libc;
  try {
    libc = Deno.dlopen(path, libcSymbols(errnoFn));
  } catch {
    return undefined; // no C library by that name, or no FFI permission
  }
  const saved = libc.symbols.dup(STDOUT);
  if (saved < 0) {
    libc.close();
    return undefined;
  }
  if (libc.symbols.dup2(STDERR, STDOUT) < 0) {
    libc.symbols.close(saved);
    libc.close();
    return undefined;
  }
  const again = EAGAIN[Deno.build.os];
  const errno = () => {
    const at = libc.symbols.errno();
    return at === null ? 0 : new Deno.UnsafePointerView(at).getInt32();
  };
  let open = true;
  const failed = (): boolean => {
    const e = errno();
    if (e === EINTR || e === again) return false; // retry
    throw new StdoutWriteError(e);
  };
  return {
    writeSync(bytes) {
      if (!open) throw new StdoutWriteError(9 /* EBADF */);
      for (let done = 0; done < bytes.length;) {
        const n = Number(
          libc.symbols.write(saved, bytes.subarray(done), BigInt(bytes.length - done)),
        );
        if (n >= 0) done += n;
        else failed();
      }
    },
    async write(bytes) {
      // The buffer must not move while the write runs on another thread: a copy of our own.
      const own = bytes.slice();
      for (let done = 0; done < own.length;) {
        if (!open) throw new StdoutWriteError(9 /* EBADF */);
        const n = Number(
          await libc.symbols.writeAsync(saved, own.subarray(done), BigInt(own.length - done)),
        );
        if (n >= 0) {
          done += n;
          continue;
        }
        // errno is the pool thread's, not ours: try once on this thread, which sets our own.
        const m = Number(libc.symbols.write(saved, own.subarray(done), BigInt(own.length - done)));
        if (m >= 0) done += m;
        else failed();
      }
    },
    restore() {
      if (!open) return;
      open = false;
      libc.symbols.dup2(saved, STDOUT);
      libc.symbols.close(saved);
      libc.close();
    },
  };
}
