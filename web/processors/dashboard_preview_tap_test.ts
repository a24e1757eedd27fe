import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  type Frame,
  monotonicClock,
  OutputBinding,
} from "../../mod.ts";
import { registerTapSink, TapSinkNotFoundError, unregisterTapSink } from "../preview_tap.ts";
import { dashboardPreviewTapNode } from "./dashboard_preview_tap.gen.ts";

const block = (frameNumber: number): AudioFrame => ({
  kind: "audio",
  channels: 2,
  sampleRate: 48000,
  frameCount: 1,
  samples: new Float32Array(2),
  timestampNs: frameNumber * 1000,
  frameNumber,
});

Deno.test("DashboardPreviewTap hands the newest frame of its kind to the sink its config names", () => {
  const seen: [string, number][] = [];
  const key = registerTapSink({
    video: () => seen.push(["video", -1]),
    audio: (output, frame) => seen.push([output, frame.frameNumber]),
  });
  try {
    const ports = dashboardPreviewTapNode.ports();
    const tap = dashboardPreviewTapNode.create(
      { output: "tone.audio", kind: "audio", periodMs: 100, sink: key },
      ports,
    );
    const source = new OutputBinding<Frame>("source", "AudioFrame<2>");
    connectLocal(source, ports.input("in"), { capacity: 1, policy: "latest" });
    const loop = {
      periodNs: undefined as number | undefined,
      setPeriodNs(ns: number) {
        loop.periodNs = ns;
      },
    };
    tap.setup({ node: "tap", clock: monotonicClock, loop });
    assert.equal(loop.periodNs, 100e6);
    source.write(block(1));
    source.write(block(2));
    tap.process();
    tap.process();
    source.write({ kind: "data", timestampNs: 0, value: 1 });
    tap.process();
    assert.deepEqual(seen, [["tone.audio", 2]]);
  } finally {
    unregisterTapSink(key);
  }
});

Deno.test("DashboardPreviewTap setup fails naming a sink key that is not registered", () => {
  const key = registerTapSink({ video: () => {}, audio: () => {} });
  unregisterTapSink(key);
  const tap = dashboardPreviewTapNode.create({ output: "a.b", kind: "video", sink: key });
  assert.throws(
    () => tap.setup({ node: "tap", clock: monotonicClock }),
    (error: unknown) =>
      error instanceof TapSinkNotFoundError && error.key === key &&
      error.message.includes(`'${key}'`),
  );
});
