/**
 * `SubprocessProcessor` replies in another shape than their input (issue 31, item 9): the Python
 * helper sets the channel count and block size from the array it returns and the sample rate
 * from `(samples, {"sampleRate": ...})`; the node checks each reply's shape against its payload
 * and its output port's type, and refuses one that does not fit.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  InputBinding,
  OutputBinding,
} from "../../mod.ts";
import { ChildProcessError, ProtocolError } from "../../plugins/mod.ts";
import { subprocessProcessorNode } from "../../plugins/subprocess_processor.gen.ts";

const reshapeNode = fileURLToPath(
  new URL("../fixtures/plugins/reshape_node.py", import.meta.url),
);

/** Runs the fixture in `mode` on one stereo 48 kHz block of `frames` frames. */
async function reply(
  mode: string,
  frames: number,
  check: (out: AudioFrame | undefined, process: () => Promise<void>) => void | Promise<void>,
): Promise<void> {
  const ctx = createProcessContext("reshape");
  const ports = subprocessProcessorNode.ports();
  const node = subprocessProcessorNode.create(
    { command: "python3", args: [reshapeNode, mode], timeoutMs: 20_000 },
    ports,
  );
  assert.equal(ports.output("out").portType, "AudioFrame");
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame>("sink", "AudioFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output<AudioFrame>("out"), sink, { capacity: 8, policy: "fifo" });
  await node.setup(ctx);
  try {
    const block = createAudioFrame(2, 48_000, frames);
    for (let i = 0; i < frames; i++) block.samples.set([i, i + 1], i * 2);
    source.write({ ...block, frameNumber: 3, timestampNs: 1_000 });
    const process = () => node.process(ctx) as Promise<void>;
    if (mode.startsWith("bad")) {
      await check(undefined, process);
    } else {
      await process();
      await check(sink.read(), process);
    }
  } finally {
    ctx.frames.flush();
    await node.teardown();
  }
}

Deno.test("SubprocessProcessor writes a reply with fewer channels, a smaller block and a lower rate", async () => {
  await reply("downmix", 480, (out) => {
    assert.ok(out);
    assert.deepEqual(
      [out.channels, out.frameCount, out.sampleRate, out.frameNumber, out.timestampNs],
      [1, 160, 16_000, 3, 1_000],
    );
    // Frames 0, 3, 6, ... as the mean of L (i) and R (i + 1).
    assert.deepEqual([...out.samples.subarray(0, 3)], [0.5, 3.5, 6.5]);
  });
});

Deno.test("SubprocessProcessor writes a reply with more channels, a larger block, a higher rate and its own timestamp", async () => {
  await reply("upmix", 4, (out) => {
    assert.ok(out);
    assert.deepEqual(
      [out.channels, out.frameCount, out.sampleRate, out.timestampNs],
      [3, 8, 96_000, 5],
    );
    // Left channel of frames 0, 0, 1, 1, ... on all three channels.
    assert.deepEqual([...out.samples.subarray(0, 9)], [0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });
});

Deno.test("SubprocessProcessor refuses a reply whose payload does not hold frameCount * channels samples", async () => {
  await reply("bad-bytes", 4, async (_, process) => {
    await assert.rejects(process, (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(
        error.message,
        /a reply with a payload of 28 bytes \(expected frameCount \* channels \* 4 = 32\)/,
      );
      return true;
    });
  });
});

Deno.test("SubprocessProcessor refuses a reply with sample rate 0, naming the valid range", async () => {
  await reply("bad-rate", 4, async (_, process) => {
    await assert.rejects(process, (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(
        error.message,
        /a reply with sampleRate 0 \(expected a number above 0, at most 768000\)/,
      );
      return true;
    });
  });
});

Deno.test("SubprocessProcessor: the helper's child fails with a traceback for an array that is not whole frames", async () => {
  await reply("bad-shape", 4, async (_, process) => {
    await assert.rejects(process, (error: unknown) => {
      assert.ok(error instanceof ChildProcessError);
      assert.match(
        error.message,
        /exited with code 1, stderr: .*not a whole number of 2-channel frames/,
      );
      return true;
    });
  });
});
