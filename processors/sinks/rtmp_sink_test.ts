import assert from "node:assert/strict";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { PortTypeMismatchError } from "../../core/graph/connect.ts";
import { AacEncoder, createRuntime, RtmpSink, VoiceActivity } from "../mod.ts";
import { rtmpTarget } from "./rtmp_sink.ts";

Deno.test("rtmpTarget() splits the URL, defaulting the port to 1935", () => {
  assert.deepEqual(rtmpTarget("rtmp://[::1]:1940/app/a/b%20c"), {
    address: "[::1]:1940",
    app: "app",
    streamKey: "a/b c",
    tcUrl: "rtmp://[::1]:1940/app",
  });
});

Deno.test("RtmpSink refuses URLs it cannot publish to with invalid_config", () => {
  const rt = createRuntime({ workers: false });
  for (
    const url of [
      "rtmps://127.0.0.1/live/key",
      "rtmp://example.com/live/key",
      "rtmp://127.0.0.1/live",
      "http://127.0.0.1/live/key",
    ]
  ) {
    assert.throws(
      () => rt.add(RtmpSink, { url }),
      (error) => error instanceof ConfigValidationError && error.code === "invalid_config",
      url,
    );
  }
});

Deno.test("RtmpSink's audio takes EncodedAudioFrame: a DataFrame output fails at connect with port_type_mismatch", () => {
  const rt = createRuntime({ workers: false });
  rt.add(RtmpSink, { url: "rtmp://127.0.0.1:1/live/key" }, { id: "rtmp" });
  rt.add(VoiceActivity, {}, { id: "vad" });
  rt.add(AacEncoder, {}, { id: "aac" });
  assert.throws(
    () => rt.connectByName("vad", "events", "rtmp", "audio"),
    (error) =>
      error instanceof PortTypeMismatchError && error.code === "port_type_mismatch" &&
      /EncodedAudioFrame/.test(error.message),
  );
  rt.connectByName("aac", "out", "rtmp", "audio"); // the encoder's output fits
});
