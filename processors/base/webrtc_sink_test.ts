import assert from "node:assert/strict";
import {
  type AudioFrame,
  config,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  type EncodedVideoFrame,
  input,
  type InputBinding,
  type InputPort,
  OutputBinding,
  type ProcessContext,
  processor,
  type ProcessorTypes,
} from "../../mod.ts";
import { WebRtcError } from "../../ffi/net/webrtc_errors.ts";
import { WebRtcSink, type WebRtcSinkConfig } from "./webrtc_sink.ts";
import { accessUnit } from "./_access_unit_fixture.ts";

interface TwoTypes extends ProcessorTypes {
  readonly config: WebRtcSinkConfig;
}

/** Sends to at most two peers while any is connected; records what the base asks of it. */
@processor({ mode: "push" })
class TwoPeerSink extends WebRtcSink<TwoTypes> {
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  @input()
  audio!: InputPort<AudioFrame>;

  @config()
  config!: WebRtcSinkConfig;

  liveCalls: number[] = [];
  videoSeen: number[] = [];
  /** Send with no peer connected (what a WHIP publisher's connected state looks like). */
  alwaysLive = false;

  protected maxPeers(): number {
    return 2;
  }
  protected live(peers: number): boolean {
    this.liveCalls.push(peers);
    return this.alwaysLive || peers > 0;
  }
  protected override onVideo(frame: EncodedVideoFrame): void {
    this.videoSeen.push(frame.frameNumber);
  }
  get refused(): number {
    return this.audioBlocksRefused;
  }
  get withAudio(): boolean {
    return this.sendsAudio;
  }
}

const CONFIG: WebRtcSinkConfig = {
  bind: "127.0.0.1",
  port: 0,
  publicAddress: "",
  publicPort: 0,
  queueFrames: 8,
  audioBitrate: 64000,
};

function wired(connectAudio: boolean) {
  const sink = new TwoPeerSink();
  sink.config = CONFIG;
  const video = new OutputBinding<EncodedVideoFrame>("encoder", "EncodedVideoFrame");
  connectLocal(video, sink.video as InputBinding<EncodedVideoFrame>);
  const audio = new OutputBinding<AudioFrame>("tone", "AudioFrame");
  if (connectAudio) connectLocal(audio, sink.audio as InputBinding<AudioFrame>);
  const dropped: unknown[] = [];
  const ctx: ProcessContext = createProcessContext("two_peers");
  Object.assign(ctx.frames, { drop: (frame: unknown) => void dropped.push(frame) });
  const sendVideo = (n: number) => {
    for (let i = 0; i < n; i++) video.write(accessUnit(i));
  };
  return { sink, ctx, sendVideo, audio, dropped };
}

Deno.test("WebRtcSink.setup() binds the endpoint under the node's id; teardown() closes it, idempotent", async () => {
  const { sink, ctx } = wired(false);
  const before = sink.endpoint;
  assert.equal(before, undefined);
  await sink.setup(ctx);
  try {
    assert.equal(sink.endpoint?.name, "two_peers");
    assert.match(sink.endpoint!.stats().address, /^127\.0\.0\.1:\d+$/);
    assert.equal(sink.withAudio, false, "no packetizer without a connected audio input");
  } finally {
    await sink.teardown();
  }
  assert.equal(sink.endpoint, undefined);
  await sink.teardown();
});

Deno.test("WebRtcSink.setup() fails with webrtc_endpoint_taken when a live endpoint has the id", async () => {
  const first = wired(false);
  const second = wired(false);
  await first.sink.setup(first.ctx);
  try {
    await assert.rejects(
      second.sink.setup(second.ctx),
      (error) => error instanceof WebRtcError && error.code === "webrtc_endpoint_taken",
    );
  } finally {
    await first.sink.teardown();
  }
});

Deno.test("WebRtcSink.process() asks live() once per run and shows every access unit to onVideo()", async () => {
  const { sink, ctx, sendVideo } = wired(false);
  await sink.setup(ctx);
  try {
    sendVideo(3);
    sink.process(ctx);
    sink.process(ctx);
    assert.deepEqual(sink.liveCalls, [0, 0]);
    assert.deepEqual(sink.videoSeen, [0, 1, 2]);
    assert.equal(sink.endpoint!.stats().framesDropped, 0, "nothing pushed while not live");
  } finally {
    await sink.teardown();
  }
});

Deno.test("WebRtcSink.process() counts an audio block the packetizer refuses as dropped", async () => {
  const { sink, ctx, audio, dropped } = wired(true);
  await sink.setup(ctx);
  try {
    assert.equal(sink.withAudio, true);
    audio.write(createAudioFrame(2, 48_000, 960));
    audio.write(createAudioFrame(1, 48_000, 960)); // another channel count than the first block
    sink.process(ctx);
    assert.equal(sink.refused, 1);
    assert.equal(dropped.length, 1);
  } finally {
    await sink.teardown();
  }
});

Deno.test("WebRtcSink.drain() sends what the Opus packetizer still holds at the end of the stream", async () => {
  const { sink, ctx, audio } = wired(true);
  sink.alwaysLive = true;
  await sink.setup(ctx);
  try {
    const endpoint = sink.endpoint!;
    const sent: number[] = [];
    const push = endpoint.push.bind(endpoint);
    endpoint.push = (kind, data, timestampNs, keyframe) => {
      if (kind === "audio") sent.push(timestampNs);
      return push(kind, data, timestampNs, keyframe);
    };
    // 30 ms of stereo: one 20 ms packet now, 10 ms and the encoder's lookahead held back.
    audio.write(createAudioFrame(2, 48_000, 1_440));
    sink.process(ctx);
    assert.equal(sent.length, 1);
    sink.drain(ctx);
    // 10 ms + 6.5 ms of lookahead: one more packet, 20 ms after the first.
    assert.deepEqual(sent, [sent[0], sent[0] + 20e6]);
    assert.equal(sink.liveCalls.length, 2, "drain() asks live() whether to send");
  } finally {
    await sink.teardown();
  }
});

Deno.test("WebRtcSink.process() before setup() reads nothing", () => {
  const { sink, ctx, sendVideo } = wired(false);
  sendVideo(1);
  sink.process(ctx);
  assert.deepEqual(sink.liveCalls, []);
  assert.deepEqual(sink.videoSeen, []);
});
