import assert from "node:assert/strict";
import { Runtime } from "../runtime.ts";
import { builtinRegistry } from "@streamlib/streamlib/processors";
import { validateManifest } from "../manifest/validation.ts";
import { loadManifest, saveManifest } from "../manifest/manifest.ts";
import type { AppFrame } from "./app_output.ts";

const stereo = (n = 2) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 48_000,
    samples: new Float32Array(n * 2).fill(0.25),
  }) as const;

function gainGraph(
  options: { capacity?: number; outCapacity?: number; policy?: "fifo" | "latest" } = {},
) {
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add("Gain", { gain: 2 }, { id: "fx" });
  const input = rt.addInput("audio", "fx.in", {
    capacity: options.capacity,
    policy: options.policy,
  });
  const output = rt.addOutput("audio", "fx.out", {
    capacity: options.outCapacity,
    policy: options.policy,
  });
  return { rt, input, output };
}

async function drain(output: AsyncIterable<AppFrame>): Promise<AppFrame[]> {
  const got: AppFrame[] = [];
  for await (const item of output) got.push(item);
  return got;
}

Deno.test("AppInput.send() waits while the graph is full and nothing is lost", async () => {
  const { rt, input, output } = gainGraph({ capacity: 1, outCapacity: 2 });
  await rt.start();
  let sent = 0;
  const sending = (async () => {
    for (let i = 0; i < 20; i++) {
      await input.send(stereo());
      sent++;
    }
    input.end();
  })();
  // Nobody reads: the sender stalls once the output, the gain and the connections are full.
  for (let waited = 0; output.unread < 2 && waited < 20_000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(output.unread, 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(sent < 20, `the sender waited (sent ${sent})`);
  const got = await drain(output);
  await sending;
  assert.equal(got.length, 20);
  assert.deepEqual(got.map((g) => g.seq), [...Array(20).keys()]);
  assert.equal(input.dropped, 0);
  assert.equal((got[0].frame as { samples: Float32Array }).samples[0], 0.5);
  await rt.stop();
});

Deno.test("AppOutput.recycle() reuses a block's samples array for a later block, with its values", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  const block = (x: number, n = 2) => ({ ...stereo(n), samples: new Float32Array(n * 2).fill(x) });
  await input.send(block(1));
  const first = (await output.next())!;
  const array = (first.frame as { samples: Float32Array }).samples;
  output.recycle(first.frame);
  await input.send(block(2));
  const second = (await output.next())!;
  assert.equal((second.frame as { samples: Float32Array }).samples, array);
  assert.deepEqual([...array], [4, 4, 4, 4]);
  assert.equal(second.seq, 1);
  // Not handed back: the next block gets an array of its own, and the kept one stays untouched.
  await input.send(block(3));
  const third = (await output.next())!.frame as { samples: Float32Array };
  assert.notEqual(third.samples, array);
  assert.deepEqual([...array], [4, 4, 4, 4]);
  assert.deepEqual([...third.samples], [6, 6, 6, 6]);
  // A spare of another length is not used for a block of this one.
  output.recycle({ ...stereo(3), timestampNs: 0, frameNumber: 0, frameCount: 3 });
  await input.send(block(1));
  const fourth = (await output.next())!.frame as { samples: Float32Array };
  assert.equal(fourth.samples.length, 4);
  assert.deepEqual([...fourth.samples], [2, 2, 2, 2]);
  input.end();
  assert.deepEqual(await drain(output), []);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("AppInput under 'latest' never waits and counts what it replaced", async () => {
  const { rt, input, output } = gainGraph({ capacity: 1, outCapacity: 1, policy: "latest" });
  await rt.start();
  for (let i = 0; i < 50; i++) await input.send(stereo());
  input.end();
  const got = await drain(output);
  assert.ok(got.length >= 1 && got.length < 50);
  assert.ok(input.dropped + output.dropped > 0, "drops are counted");
  await rt.stop();
});

Deno.test("AppInput.send() refuses frames that do not fit, with codes", async () => {
  const { rt, input } = gainGraph();
  const bad: [unknown, string, string][] = [
    [
      { kind: "video", width: 2, height: 2, format: "RGBA", data: new Uint8Array(16) },
      "app_frame_mismatch",
      "kind",
    ],
    [{ ...stereo(), channels: 1 }, "app_frame_mismatch", "channels"],
    [{ ...stereo(), samples: new Float32Array(3) }, "app_frame_mismatch", "samples"],
    [{ ...stereo(), samples: [1, 2] }, "app_frame_mismatch", "samples"],
    [{ ...stereo(), sampleRate: -1 }, "app_frame_mismatch", "sampleRate"],
    [{ ...stereo(), timestampNs: Number.NaN }, "app_frame_mismatch", "timestampNs"],
    [null, "app_frame_mismatch", "frame"],
    ["audio", "app_frame_mismatch", "frame"],
  ];
  for (const [frame, code, field] of bad) {
    await assert.rejects(
      input.send(frame as never),
      (e: { code: string; field: string }) => e.code === code && e.field === field,
    );
  }
  await assert.rejects(input.send(stereo(), { metadata: { n: 1 } as never }), {
    code: "app_frame_mismatch",
  });
  const small = new Runtime({ registry: builtinRegistry });
  small.add("Gain", {}, { id: "fx" });
  const tight = small.addInput("audio", "fx.in", { maxFrameBytes: 64 });
  await assert.rejects(tight.send(stereo(100)), { code: "frame_too_large" });
  const capped = new Runtime({ registry: builtinRegistry, maxFrameBytes: 1024 });
  capped.add("Gain", {}, { id: "fx" });
  const byRuntime = capped.addInput("audio", "fx.in"); // takes the runtime's maxFrameBytes
  await assert.rejects(byRuntime.send(stereo(200)), { code: "frame_too_large" });
  assert.equal(input.sent, 0);
  await rt.start();
  await rt.stop();
});

Deno.test("AppInput.send() after end() or after the graph stopped is refused", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  await input.send(stereo());
  input.end();
  await assert.rejects(input.send(stereo()), { code: "app_port_ended" });
  assert.equal((await drain(output)).length, 1);
  await rt.stop();
  await assert.rejects(input.send(stereo()), { code: "app_port_ended" });
});

Deno.test("AppOutput finishes when the graph stops mid-stream", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  await input.send(stereo());
  const reading = drain(output);
  await rt.stop();
  assert.equal((await reading).length, 1);
  assert.equal(output.finished, true);
});

Deno.test("Metadata follows frames by timestamp, also through a processor that makes new frames", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add("Gain", {}, { id: "fx" });
  const input = rt.addInput("in", "fx.in");
  const output = rt.addOutput("out", "fx.out");
  await rt.start();
  await input.send({ ...stereo(), timestampNs: 1000 }, { metadata: { id: "x" }, seq: 7 });
  await input.send({ ...stereo(), timestampNs: 500 }, { metadata: { id: "y" } }); // not after: restamped
  input.end();
  const got = await drain(output);
  assert.deepEqual(got.map((g) => [g.seq, g.metadata.id, g.frame.timestampNs]), [
    [7, "x", 1000],
    [8, "y", 1001],
  ]);
  await rt.stop();
});

Deno.test("rt.input() and rt.output() name the valid names; bad names are refused", () => {
  const { rt } = gainGraph();
  assert.throws(() => rt.input("audo"), { code: "app_port_not_found", available: ["audio"] });
  assert.throws(() => rt.output("x"), { code: "app_port_not_found" });
  assert.throws(() => rt.addInput("a b", "fx.in"), { code: "invalid_app_port" });
  assert.throws(() => rt.addOutput("audio", "fx.out"), { code: "invalid_app_port" });
  assert.throws(() => rt.addInput("two", "fx.in"), { code: "input_occupied" });
  assert.throws(() => rt.addInput("w", "fx.out"), { code: "wrong_port_direction" });
  assert.throws(() => rt.addInput("p", "fx.nope"), { code: "port_not_found" });
  assert.throws(() => rt.addInput("n", "nope.in"), { code: "node_not_found" });
  assert.equal(rt.describe().nodes.length, 3, "nothing was left behind");
});

Deno.test("validateManifest() checks inputs and outputs with coded issues", () => {
  const manifest = {
    version: 1,
    nodes: [{ id: "fx", type: "Gain" }, { id: "g2", type: "Gain" }],
    connections: [{ from: "fx.out", to: "g2.in" }],
    inputs: {
      ok: "fx.in",
      again: "fx.in",
      fed: "g2.in",
      wrong: "fx.out",
      missing: "nope.in",
      port: { port: "fx.inn" },
      "bad name": "fx.in",
      opts: { port: "fx.in", capacity: 0, policy: "drop", extra: 1 },
    },
    outputs: { out: "g2.out", dir: "g2.in", shape: 3 },
  };
  const issues = validateManifest(manifest, builtinRegistry);
  assert.deepEqual(issues.map((i) => `${i.path} ${i.code}`), [
    "inputs.again input_occupied",
    "inputs.fed input_occupied",
    "inputs.wrong wrong_port_direction",
    "inputs.missing node_not_found",
    "inputs.port.port port_not_found",
    "inputs.bad name invalid_app_port",
    "inputs.opts.extra unknown_field",
    "inputs.opts.capacity invalid_field",
    "inputs.opts.policy invalid_field",
    "inputs.opts input_occupied",
    "outputs.dir wrong_port_direction",
    "outputs.shape malformed",
  ]);
  assert.deepEqual(
    validateManifest({ version: 1, nodes: [], inputs: [] }, builtinRegistry).map((i) => i.code),
    ["malformed"],
  );
});

Deno.test("loadManifest() adds inputs and outputs; saveManifest() gives them back", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  const manifest = {
    version: 1 as const,
    nodes: [{ id: "fx", type: "Gain", config: { gain: 3 } }],
    inputs: { audio: "fx.in" },
    outputs: { audio: { port: "fx.out", capacity: 4, policy: "fifo" as const } },
  };
  loadManifest(rt, manifest);
  const saved = saveManifest(rt);
  assert.deepEqual(saved.nodes.map((n) => n.id), ["fx"]);
  assert.deepEqual(saved.connections, []);
  assert.deepEqual(saved.outputs, { audio: { port: "fx.out", capacity: 4, policy: "fifo" } });
  assert.equal((saved.inputs?.audio as { port: string }).port, "fx.in");
  await rt.start();
  await rt.input("audio").send(stereo(1));
  rt.input("audio").end();
  const [item] = await drain(rt.output("audio"));
  assert.equal((item.frame as { samples: Float32Array }).samples[0], 0.75);
  await rt.stop();
});

Deno.test("AppInput refuses, before taking anything, what would pass 2^53 - 1; bad seqs too", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  const max = Number.MAX_SAFE_INTEGER;
  await input.send({ ...stereo(), timestampNs: max }, { seq: max });
  // Both would be stamped one after the last: no longer exact, no transport carries them.
  await assert.rejects(input.send({ ...stereo(), timestampNs: 0 }, { seq: 1 }), {
    code: "app_frame_mismatch",
    field: "timestampNs",
  });
  await assert.rejects(input.send(stereo()), { code: "app_frame_mismatch", field: "seq" });
  for (const seq of [-1, 1.5, Number.NaN, 2 ** 53, "3"]) {
    await assert.rejects(input.send(stereo(), { seq: seq as number }), {
      code: "app_frame_mismatch",
      field: "seq",
    });
  }
  for (const timestampNs of [2 ** 53, Infinity, -1, "5"]) {
    await assert.rejects(input.send({ ...stereo(), timestampNs: timestampNs as number }), {
      code: "app_frame_mismatch",
      field: "timestampNs",
    });
  }
  assert.equal(input.sent, 1);
  input.end();
  const got = await drain(output);
  assert.deepEqual(got.map((g) => [g.seq, g.frame.timestampNs]), [[max, max]]);
  await rt.stop();
});

Deno.test("An application output's timestamps are whole nanoseconds", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  await input.send({ ...stereo(), timestampNs: 20_833_333.6 }, { metadata: { id: "a" } });
  input.end();
  const [got] = await drain(output);
  assert.equal(got.frame.timestampNs, 20_833_334);
  assert.equal(got.metadata.id, "a"); // found by the exact timestamp before rounding
  await rt.stop();
});

Deno.test("Every frame keeps its metadata while tags the output is past are dropped", async () => {
  const { rt, input, output } = gainGraph();
  await rt.start();
  const big = "m".repeat(4096);
  const reading = (async () => {
    let n = 0;
    for await (const item of output) {
      assert.equal(item.seq, n++);
      assert.equal(item.metadata.big, big);
    }
    return n;
  })();
  for (let i = 0; i < 2000; i++) await input.send(stereo(), { metadata: { big } });
  input.end();
  assert.equal(await reading, 2000); // each frame had its own tag while tags were dropped
  await rt.stop();
});

Deno.test("AppInput under 'latest': a refused send replaces nothing it had taken", async () => {
  const { rt, input, output } = gainGraph({ policy: "latest" });
  // Not started: what is sent waits for the input's node, to be replaced by a later send.
  const max = Number.MAX_SAFE_INTEGER;
  await input.send({ ...stereo(), timestampNs: max }, { metadata: { id: "kept" } });
  await assert.rejects(input.send(stereo()), { code: "app_frame_mismatch", field: "timestampNs" });
  assert.equal(input.dropped, 0);
  await rt.start();
  input.end();
  const got = await drain(output);
  assert.deepEqual(got.map((g) => g.metadata.id), ["kept"]);
  await rt.stop();
});
