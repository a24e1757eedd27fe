/**
 * The Python client against the real server: starts `streamlib serve` on the example pipelines
 * (`clients/python/examples/pipelines`, tokens of `clients/python/tests/live/tokens.json`), then
 * runs `clients/python/tests/live` (pytest) at its URL: streaming and unary sessions, refusals with
 * the server's codes, limits, a server stopped with SIGTERM or killed mid-stream (those start
 * servers of their own, with this Deno), and both examples, their WAV output checked with sox and
 * ffprobe. Without python3, pytest, pytest-asyncio, websockets, numpy, sox or ffprobe it fails and
 * says what to install (`scripts/install_test_deps.sh`).
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLIENT = `${ROOT}clients/python/`;

/** `streamlib serve` in a child process, and its sessions URL from its `--json` line. */
async function startServer(): Promise<
  { child: Deno.ChildProcess; url: string; drained: Promise<void> }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}cli/streamlib.ts`,
      "serve",
      `${CLIENT}examples/pipelines`,
      "--port",
      "0",
      "--token-file",
      `${CLIENT}tests/live/tokens.json`,
      "--json",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  // Read on to the end, so the server never writes to a closed pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* nothing more to read */ }
  })();
  let url: string;
  try {
    url = JSON.parse(text.split("\n")[0]).sessionsUrl;
  } catch {
    child.kill("SIGKILL");
    await child.status;
    await drained;
    throw new Error(`streamlib serve did not print its URL: ${JSON.stringify(text)}`);
  }
  return { child, url, drained };
}

Deno.test("clients/python: the client and both examples against streamlib serve", async () => {
  const server = await startServer();
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command("python3", {
        args: ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/live"],
        cwd: CLIENT,
        env: {
          PYTHONPATH: `${CLIENT}src`,
          PYTHONDONTWRITEBYTECODE: "1",
          STREAMLIB_URL: server.url,
          STREAMLIB_TOKEN: "live-token-1",
          DENO: Deno.execPath(),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      throw new Error(
        `Cannot run the Python client's live tests: python3 did not start (${error}); ` +
          "install Python 3 and pytest (bash scripts/install_test_deps.sh)",
      );
    }
    const text = new TextDecoder().decode(output.stdout) +
      new TextDecoder().decode(output.stderr);
    const missing = text.match(/No module named '?([\w.]+)'?/)?.[1];
    assert.equal(
      missing,
      undefined,
      `The Python module ${missing} is missing: run scripts/install_test_deps.sh\n${text}`,
    );
    assert.equal(output.code, 0, text);
    const passed = Number(text.match(/(\d+) passed/)?.[1] ?? 0);
    assert.ok(passed >= 16, `expected the live tests to run, got: ${text}`);
  } finally {
    server.child.kill("SIGTERM");
    const status = await server.child.status;
    await server.drained;
    assert.equal(status.code, 0, "streamlib serve did not stop cleanly on SIGTERM");
  }
});
