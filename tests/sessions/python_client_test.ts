/**
 * Runs the Python client's own tests (`clients/python/tests`, pytest and pytest-asyncio, against
 * an in-process fake server and one scripted to misbehave, `mypy --strict` of the client and of
 * the docs' Python blocks, and `pip install` into a fresh venv) as part of `deno task test`, so
 * the one test command covers both languages. The tests against the real server
 * (`clients/python/tests/live`) run in `python_live_test.ts`. pytest, pytest-asyncio, websockets
 * and numpy come from `scripts/install_test_deps.sh`; without one of them this test fails and
 * says what to install.
 */

import assert from "node:assert/strict";

const CLIENT = new URL("../../clients/python/", import.meta.url).pathname;

Deno.test("clients/python: pytest passes every test of the Python client", async () => {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--ignore=tests/live", "tests"],
      cwd: CLIENT,
      env: { PYTHONPATH: `${CLIENT}src`, PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(
      `Cannot run the Python client's tests: python3 did not start (${error}); ` +
        "install Python 3 and pytest (bash scripts/install_test_deps.sh)",
    );
  }
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  const missing = text.match(/No module named '?([\w.]+)'?/)?.[1];
  assert.equal(
    missing,
    undefined,
    `The Python module ${missing} is missing: run scripts/install_test_deps.sh\n${text}`,
  );
  assert.equal(output.code, 0, text);
  const passed = Number(text.match(/(\d+) passed/)?.[1] ?? 0);
  assert.ok(passed >= 90, `expected the client's tests to run, got: ${text}`);
});
