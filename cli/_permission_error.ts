/**
 * {@linkcode PermissionScopeError}: a node refused by the scoped child's Deno permissions.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../frontend/error_codes.ts";

/**
 * A node refused by Deno's permissions (`NotCapable`) in the scoped child: what it needed and
 * the flag that grants it.
 *
 * @example From a writer's node-error event
 * ```ts
 * import assert from "node:assert/strict";
 * import { PermissionScopeError } from "./_permission_error.ts";
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
    const program = permission === "run" ? /run access to "([^"]+)"/.exec(denied)?.[1] : undefined;
    const grant = program === undefined
      ? GRANTS[permission] ?? "--allow-all"
      : `--allow-run ${/^[\w./+-]+$/.test(program) ? program : `'${program}'`}`;
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
