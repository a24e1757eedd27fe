import assert from "node:assert/strict";
import {
  config,
  connectLocal,
  createProcessContext,
  type EncodedVideoFrame,
  input,
  type InputBinding,
  type InputPort,
  OutputBinding,
  processor,
  type ProcessorTypes,
} from "../../mod.ts";
import { NetworkSink, type NetworkSinkEndpoint } from "./network_sink.ts";
import { accessUnit } from "./_access_unit_fixture.ts";

interface NowhereTypes extends ProcessorTypes {
  readonly config: { port: number; queueFrames: number };
}

/** An SRT caller to a port where nobody listens. */
@processor({ mode: "push" })
class NowhereSink extends NetworkSink<NowhereTypes> {
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  @config()
  config!: { port: number; queueFrames: number };

  endpoints = 0;

  protected endpoint(): NetworkSinkEndpoint {
    this.endpoints++;
    const { port, queueFrames } = this.config;
    return { kind: "srt", settings: { address: `127.0.0.1:${port}`, queueFrames } };
  }
}

function wired(queueFrames = 2) {
  const sink = new NowhereSink();
  sink.config = { port: 9, queueFrames };
  const encoder = new OutputBinding<EncodedVideoFrame>("encoder", "EncodedVideoFrame");
  connectLocal(encoder, sink.video as InputBinding<EncodedVideoFrame>);
  const send = (n: number) => {
    for (let i = 0; i < n; i++) encoder.write(accessUnit(i));
  };
  return { sink, send, ctx: createProcessContext("nowhere") };
}

Deno.test("NetworkSink.netStats is undefined before setup() and reportStats() too", () => {
  const { sink } = wired();
  assert.equal(sink.netStats, undefined);
  assert.equal(sink.reportStats(), undefined);
});

Deno.test("NetworkSink.process() queues every waiting access unit without waiting for a peer", async () => {
  const { sink, send, ctx } = wired(2);
  await sink.setup(ctx);
  try {
    send(3); // more than the native queue holds
    sink.process(ctx);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = sink.netStats!;
    assert.equal(stats.connected, 0);
    assert.equal(stats.frames, 0);
    assert.equal(stats.framesDropped + stats.framesQueued, 3);
    assert.deepEqual(sink.reportStats(), { ...sink.netStats });
  } finally {
    sink.teardown();
  }
});

Deno.test("NetworkSink.teardown() keeps the last counters and is idempotent", async () => {
  const { sink, send, ctx } = wired(2);
  await sink.setup(ctx);
  send(3);
  sink.process(ctx);
  sink.teardown();
  const last = sink.netStats;
  assert.ok(last);
  sink.teardown();
  assert.deepEqual(sink.netStats, last);
  send(2); // read after teardown: nowhere to go, nothing throws
  sink.process(ctx);
  assert.deepEqual(sink.netStats, last);
});

Deno.test("NetworkSink.setup() again closes the previous sender and starts a new one", async () => {
  const { sink, send, ctx } = wired(4);
  await sink.setup(ctx);
  send(3);
  sink.process(ctx);
  await sink.setup(ctx);
  try {
    assert.equal(sink.endpoints, 2);
    const stats = sink.netStats!;
    assert.equal(stats.framesDropped + stats.framesQueued, 0, "a fresh sender counts from 0");
  } finally {
    sink.teardown();
  }
});
