/**
 * `streamlib mcp` stops the graph cleanly on SIGINT, SIGTERM and SIGHUP, on stdio (with the
 * client still connected) and over HTTP: the recording is finalized and the exit code is 0.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./mcp_client.ts";

for (const http of [false, true]) {
  for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    const mode = http ? "--http" : "stdio";
    Deno.test(`streamlib mcp (${mode}) stops cleanly on ${signal}: the recording is finalized`, async () => {
      const dir = await Deno.makeTempDir();
      const wav = join(dir, "take.wav");
      const manifest = join(dir, "p.json");
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          version: 1,
          nodes: [
            { id: "tone", type: "TestToneGenerator" },
            { id: "wav", type: "WavWriter", config: { path: wav } },
          ],
          connections: [{ from: "tone.audio", to: "wav.in" }],
        }),
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "cli/streamlib.ts",
          "mcp",
          manifest,
          "--start",
          ...(http ? ["--http", "--json"] : []),
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdin: "piped", // held open: the client has not left
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const ready = http ? /"url"/ : /serving on stdio/;
      const stream = (http ? child.stdout : child.stderr).pipeThrough(new TextDecoderStream());
      const reader = stream.getReader();
      let text = "";
      while (!ready.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      assert.match(text, ready);
      await new Promise((r) => setTimeout(r, 400));
      child.kill(signal);
      const status = await child.status;
      reader.releaseLock();
      await child.stdin.close().catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
      assert.equal(status.code, 0);
      const bytes = await Deno.readFile(wav);
      const view = new DataView(bytes.buffer);
      assert.ok(bytes.length > 44);
      assert.equal(view.getUint32(4, true), bytes.length - 8, "RIFF size set");
      assert.equal(view.getUint32(40, true), bytes.length - 44, "data size set");
      await Deno.remove(dir, { recursive: true });
    });
  }
}
