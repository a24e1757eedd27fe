/**
 * `SubprocessProcessor` with real Python children: the numpy gain node, and fixtures that crash,
 * hang and write garbage.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  InputBinding,
  OutputBinding,
  type ProcessContext,
  Runtime,
  type RuntimeEvent,
} from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { ChildProcessError, ProtocolError, registry } from "../../plugins/mod.ts";
import { subprocessProcessorNode } from "../../plugins/subprocess_processor.gen.ts";
import { createProcessContext } from "../../mod.ts";

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const gainNode = path("../../plugins/python/gain_node.py");
const fixture = (name: string) => path(`../fixtures/plugins/${name}`);
const ctx: ProcessContext = createProcessContext("sub");

async function withNode(
  config: { command: string; args: string[]; timeoutMs?: number },
  body: (io: {
    process: () => Promise<void>;
    write: (values: number[], frameNumber: number) => void;
    sink: InputBinding<AudioFrame<2>>;
  }) => Promise<void>,
) {
  const ports = subprocessProcessorNode.ports();
  const node = subprocessProcessorNode.create(config, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 8, policy: "fifo" });
  await node.setup(ctx);
  try {
    await body({
      process: () => node.process(ctx) as Promise<void>,
      write: (values, frameNumber) => {
        const frame = createAudioFrame(2, 48_000, values.length / 2);
        frame.samples.set(values);
        source.write({ ...frame, frameNumber, timestampNs: frameNumber * 1_000 });
      },
      sink,
    });
  } finally {
    await node.teardown();
  }
}

Deno.test("SubprocessProcessor runs the numpy gain node: audio in, scaled audio out", async () => {
  await withNode(
    { command: "python3", args: [gainNode, "0.5"] },
    async ({ process, write, sink }) => {
      write([1, -1, 0.5, 0.25], 0);
      write([2, 4], 1);
      await process();
      const first = sink.read()!;
      assert.deepEqual([...first.samples], [0.5, -0.5, 0.25, 0.125]);
      assert.deepEqual([first.frameCount, first.sampleRate, first.frameNumber, first.timestampNs], [
        2,
        48_000,
        0,
        0,
      ]);
      assert.deepEqual([...sink.read()!.samples], [1, 2]);
      assert.equal(sink.read(), undefined);
    },
  );
});

Deno.test("SubprocessProcessor reports a crashed child with its exit code and stderr", async () => {
  await withNode(
    { command: "python3", args: [fixture("crash_node.py")] },
    async ({ process, write }) => {
      write([1, 1], 7);
      await assert.rejects(
        process,
        (error: unknown) =>
          error instanceof ChildProcessError &&
          /exited with code 1, stderr: .*RuntimeError: boom at frame 7/.test(error.message),
      );
    },
  );
});

Deno.test("SubprocessProcessor kills a child that does not answer within timeoutMs", async () => {
  const config = { command: "python3", args: [fixture("hang_node.py")], timeoutMs: 300 };
  await withNode(config, async ({ process, write }) => {
    write([1, 1], 0);
    await assert.rejects(
      process,
      /Child process 'python3' did not answer within 300 ms, killed it/,
    );
  });
});

Deno.test("SubprocessProcessor names what a child wrote instead of the protocol", async () => {
  await withNode(
    { command: "python3", args: [fixture("garbage_node.py")] },
    async ({ process, write }) => {
      write([1, 1], 0);
      await assert.rejects(
        process,
        (error: unknown) =>
          error instanceof ProtocolError && /"hello from a careless node/.test(error.message),
      );
    },
  );
});

Deno.test("SubprocessProcessor setup() fails with a message when the command does not exist", async () => {
  const node = subprocessProcessorNode.create({ command: "no-such-command-streamlib" });
  await assert.rejects(
    () => node.setup(ctx),
    /Child process 'no-such-command-streamlib' cannot be started/,
  );
});

Deno.test("SubprocessProcessor in a runtime: a crashing child is restarted per onError, then left in error", async () => {
  const rt = new Runtime({ registry: builtinRegistry }).use(registry);
  const errors: string[] = [];
  rt.on((event: RuntimeEvent) => {
    if (event.type === "node-error") errors.push(`${event.action}: ${event.message}`);
  });
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("SubprocessProcessor", { command: "python3", args: [fixture("crash_node.py")] }, {
    id: "py",
    onError: "restart",
    maxRestarts: 1,
  });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "py", "in");
  rt.connectByName("py", "out", "sink", "in");
  await rt.start();
  for (let i = 0; i < 100 && errors.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await rt.settled();
  const state = rt.describe().nodes.find((n) => n.id === "py")!.state;
  await rt.stop();
  assert.equal(errors.length, 2, errors.join("\n"));
  assert.match(errors[0], /^restart: .*exited with code 1.*boom/);
  assert.match(errors[1], /^stop-processor: /);
  assert.equal(state, "error");
});
