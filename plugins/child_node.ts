/**
 * {@linkcode ChildNode}: one child process speaking the frame protocol over stdio.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../core/errors/codes.ts";
import {
  encodeMessage,
  type FrameHeader,
  type FrameMessage,
  MessageReader,
} from "./frame_protocol.ts";

/**
 * Thrown when a child process crashes, hangs or cannot be started.
 *
 * @example A program that does not exist cannot be started
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChildNode, ChildProcessError } from "@streamlib/streamlib/plugins";
 *
 * assert.throws(
 *   () => ChildNode.spawn("no-such-program", []),
 *   (error) => {
 *     assert.ok(error instanceof ChildProcessError);
 *     assert.equal(error.command, "no-such-program");
 *     assert.equal(error.code, "child_process_failed");
 *     assert.equal(
 *       error.message,
 *       "Child process 'no-such-program' cannot be started: Failed to spawn 'no-such-program': entity not found",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class ChildProcessError extends Error {
  /**
   * Stable machine code (see `ERROR_CODES` in core/errors/codes.ts): `child_process_failed`, or
   * `permission_denied` when Deno's permissions refused to start the program.
   */
  readonly code: ErrorCode;
  /** The command. */
  readonly command: string;

  /**
   * Creates the error.
   *
   * @param command The command.
   * @param reason What happened.
   * @param code `permission_denied` for a start the permissions refused.
   */
  constructor(
    command: string,
    reason: string,
    code: "child_process_failed" | "permission_denied" = "child_process_failed",
  ) {
    super(`Child process '${command}' ${reason}`);
    this.name = "ChildProcessError";
    this.command = command;
    this.code = code;
  }

  /** The command. */
  get details(): ErrorDetails {
    return { command: this.command };
  }
}

const STDERR_TAIL = 2048;

/**
 * A running child: send a message, wait for its one reply within a deadline. A crash, a hang
 * (the child is killed) or garbage on stdout rejects the round trip; the child is then unusable.
 *
 * @example Round trip through `cat`, which echoes each message
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChildNode } from "@streamlib/streamlib/plugins";
 *
 * const child = ChildNode.spawn("cat", []);
 * const reply = await child.roundTrip({ type: "skip" }, new Uint8Array(0), 5_000);
 * assert.equal(reply.header.type, "skip");
 * await child.close();
 * ```
 */
export class ChildNode {
  readonly #command: string;
  readonly #process: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: MessageReader;
  readonly #stderr: Promise<void>;
  #stderrTail = "";
  #exit: Deno.CommandStatus | undefined;
  #closed = false;

  private constructor(command: string, process: Deno.ChildProcess) {
    this.#command = command;
    this.#process = process;
    this.#writer = process.stdin.getWriter();
    this.#reader = new MessageReader(process.stdout);
    this.#stderr = this.#drainStderr(process.stderr);
    process.status.then((status) => this.#exit = status);
  }

  /**
   * Starts `command args...` with piped stdio.
   *
   * @param command The program (`python3`).
   * @param args Its arguments.
   * @param env Environment variables set for it, besides this process's own.
   * @returns The child.
   * @throws {ChildProcessError} When the program cannot be started.
   */
  static spawn(
    command: string,
    args: readonly string[],
    env?: Readonly<Record<string, string>>,
  ): ChildNode {
    try {
      const process = new Deno.Command(command, {
        args: [...args],
        ...(env && { env: { ...env } }),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      return new ChildNode(command, process);
    } catch (error) {
      const denied = error instanceof Deno.errors.NotCapable ||
        error instanceof Deno.errors.PermissionDenied;
      throw new ChildProcessError(
        command,
        `cannot be started: ${(error as Error).message}`,
        denied ? "permission_denied" : "child_process_failed",
      );
    }
  }

  /** The last 2 KiB the child wrote to stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /**
   * Sends one message and waits for the reply.
   *
   * @param header The header.
   * @param payload The payload.
   * @param timeoutMs How long to wait for the reply; the child is killed after that.
   * @returns The reply.
   * @throws {ChildProcessError} When the child exits or does not answer in time.
   * @throws {ProtocolError} When the reply is not a protocol message.
   */
  async roundTrip(
    header: FrameHeader,
    payload: Uint8Array,
    timeoutMs: number,
  ): Promise<FrameMessage> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#process.kill("SIGKILL");
        reject(
          new ChildProcessError(this.#command, `did not answer within ${timeoutMs} ms, killed it`),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.#exchange(header, payload), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes stdin, waits briefly for the child to exit (then kills it) and releases the pipes. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close().catch(() => {});
    const exited = await within(this.#process.status, 1_000);
    if (!exited) {
      try {
        this.#process.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await this.#reader.cancel();
    await this.#process.status;
    await this.#stderr;
  }

  async #exchange(header: FrameHeader, payload: Uint8Array): Promise<FrameMessage> {
    try {
      await this.#writer.write(encodeMessage(header, payload));
    } catch {
      throw await this.#crashed("closed its stdin");
    }
    const reply = await this.#reader.read();
    if (!reply) throw await this.#crashed("closed its stdout");
    return reply;
  }

  async #crashed(what: string): Promise<ChildProcessError> {
    const status = this.#exit ?? await within(this.#process.status, 500);
    await within(this.#stderr, 100);
    const how = status
      ? status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`
      : what;
    const tail = this.#stderrTail.trim().split("\n").slice(-3).join(" | ");
    return new ChildProcessError(this.#command, `${how}${tail ? `, stderr: ${tail}` : ""}`);
  }

  async #drainStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.#stderrTail = (this.#stderrTail + decoder.decode(chunk, { stream: true }))
          .slice(-STDERR_TAIL);
      }
    } catch { /* cancelled */ }
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
