/**
 * {@linkcode serveCommand}: `streamlib serve` as a child process for the command-line session
 * tests, with a client on its sessions and its stderr to wait on.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect } from "../../sessions/client/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** `serve <dir> --json [...args]`; its stderr read as it comes, for `said()` to wait on. */
export async function serveCommand(dir: string, args: readonly string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", "serve", dir, "--port", "0", "--json", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stderr = "";
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) assert.fail(`serve printed no JSON line:\n${stderr}`);
    line += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  const { sessionsUrl } = JSON.parse(line);
  return {
    sessionsUrl: sessionsUrl as string,
    client: connect(sessionsUrl),
    /** Waits until stderr matches `pattern` (10 s at most) and returns it. */
    async said(pattern: RegExp): Promise<string> {
      const until = Date.now() + 10_000;
      while (!pattern.test(stderr)) {
        if (Date.now() > until) assert.fail(`stderr never matched ${pattern}:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return stderr;
    },
    async stop(): Promise<string> {
      child.kill("SIGTERM");
      const { code } = await child.status;
      await child.stdout.cancel().catch(() => {});
      await stderrDone;
      assert.equal(code, 0, stderr);
      return stderr;
    },
  };
}
