/**
 * Test helpers: the SDK's own `Client` connected to `streamlib mcp` in a real subprocess, and
 * shorthands for calling tools.
 */

import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What a tool call returned, with the parts the tests read. */
export interface CallResult {
  readonly isError: boolean;
  readonly text: string;
  readonly data: Record<string, unknown>;
}

/** A client connected to a server, with `call()` for tools. */
export interface TestClient extends AsyncDisposable {
  readonly client: Client;
  readonly stderr: () => string;
  call(name: string, args?: Record<string, unknown>): Promise<CallResult>;
}

/**
 * Starts `deno run -A cli/streamlib.ts mcp ...args` and connects the SDK's client over stdio.
 *
 * @param args More arguments of `streamlib mcp`.
 * @returns The connected client.
 */
export async function connectStdio(...args: string[]): Promise<TestClient> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "cli/streamlib.ts", "mcp", ...args],
    cwd: ROOT,
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
  const client = new Client({ name: "streamlib-tests", version: "1.0.0" });
  await client.connect(transport);
  return wrap(client, () => stderr);
}

/**
 * Wraps a connected client.
 *
 * @param client The client.
 * @param stderr The server's stderr so far.
 * @returns The test client.
 */
export function wrap(client: Client, stderr: () => string = () => ""): TestClient {
  return {
    client,
    stderr,
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const content = result.content as { type: string; text: string }[];
      return {
        isError: result.isError === true,
        text: content.map((c) => c.text).join("\n"),
        data: (result.structuredContent ?? {}) as Record<string, unknown>,
      };
    },
    async [Symbol.asyncDispose]() {
      await client.close();
    },
  };
}

/**
 * The `error` of a failed call, asserting that it failed.
 *
 * @param result The call's result.
 * @returns Its structured error.
 */
export function failure(result: CallResult): {
  code: string;
  message: string;
  field?: string;
  hint?: string;
  details: Record<string, unknown>;
} {
  if (!result.isError) throw new Error(`Expected a failure, got ${result.text}`);
  return result.data.error as never;
}
