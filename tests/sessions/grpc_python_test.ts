/**
 * End to end: a stock Python `grpcio` client, with stubs generated from the repository's
 * `.proto` by `grpc_tools.protoc` in the test, calls the gRPC sessions server: unary Execute
 * through a Gain, a bidirectional Stream with seq and metadata, refusals with their codes, a
 * pipeline's parameters as a `google.protobuf.Struct`, and a Stream's Configures.
 * Needs `python3` with `grpcio` and `grpcio-tools` (`scripts/install_test_deps.sh`): without them
 * the test fails, it does not skip.
 *
 * @module
 */

import assert from "node:assert/strict";
import { eventually, serve, TOKEN } from "./grpc_harness.ts";

const PROTO_ROOT = new URL("../../proto", import.meta.url).pathname;
const CLIENT = new URL("./fixtures/grpc_client.py", import.meta.url).pathname;

async function run(args: string[], env: Record<string, string> = {}): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args,
      env: { PYTHONDONTWRITEBYTECODE: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`Cannot run python3 (needed for the grpcio client): ${error}`);
  }
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(
    output.code,
    0,
    `python3 ${
      args.join(" ")
    } failed (needs grpcio and grpcio-tools: pip install grpcio grpcio-tools):\n${stderr}`,
  );
  return new TextDecoder().decode(output.stdout);
}

Deno.test("A Python grpcio client runs Execute and Stream against serveGrpc()", async () => {
  const stubs = await Deno.makeTempDir({ prefix: "streamlib_grpc_stubs_" });
  const served = await serve();
  try {
    await run([
      "-m",
      "grpc_tools.protoc",
      `-I${PROTO_ROOT}`,
      `--python_out=${stubs}`,
      `--grpc_python_out=${stubs}`,
      "streamlib/sessions/v1/sessions.proto",
    ]);
    const report = JSON.parse(
      await run([CLIENT, served.address, TOKEN], { PYTHONPATH: stubs }),
    );
    assert.deepEqual(report.execute, {
      port: "audio",
      samples: [[0.5, -0.5], [0.5, -0.5], [0.5, -0.5]],
      seq: [0, 1, 2],
      metadata: [{ n: "0" }, { n: "1" }, { n: "2" }],
    });
    assert.deepEqual(report.stream, [
      { accepted: ["audio"] },
      ...[0, 1, 2, 3, 4].map((i) => ({
        frame: [0.5, -0.5],
        seq: 100 + i,
        metadata: { chunk: String(i) },
      })),
      { end: "audio" },
    ]);
    assert.deepEqual(report.refusals, {
      bad_token: ["UNAUTHENTICATED", "invalid_token"],
      unknown_pipeline: ["NOT_FOUND", "pipeline_not_found"],
      processor_throws: ["INTERNAL", "session_processor_failed"],
      wrong_kind: ["app_frame_mismatch"],
    });
    const { unknown, bad_value: bad, ...ran } = report.parameters;
    assert.deepEqual(ran, {
      gain_3: [0.75, -0.75],
      none: [0.25, -0.25],
      stream_gain_3: [[1.5, 0.375]],
    });
    assert.deepEqual(unknown.slice(0, 2), ["INVALID_ARGUMENT", "unknown_parameter"]);
    assert.match(unknown[2], /no parameter gian\. Did you mean gain\? Its parameters: gain$/);
    assert.deepEqual(bad.slice(0, 2), ["INVALID_ARGUMENT", "invalid_parameter"]);
    assert.match(bad[2], /Parameter gain \(fx\.gain\) must be a number/);
    // Configure: gain 2, then 3; refusals answered with their code; a flood of 200 bounded.
    const { frames, answers } = report.configure;
    assert.deepEqual(frames, [0.5, 0.75, 0.75, 1]);
    assert.deepEqual(answers.slice(0, 5), [
      [1, ""],
      [2, "unknown_parameter"],
      [3, "invalid_parameter"],
      [4, "config_locked"],
      [5, "invalid_parameter"],
    ]);
    const flood = answers.slice(5) as [number, string][];
    assert.equal(flood.length, 200);
    assert.deepEqual(new Set(flood.map(([, code]) => code)), new Set(["", "configure_overrun"]));
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
    await Deno.remove(stubs, { recursive: true });
  }
});
