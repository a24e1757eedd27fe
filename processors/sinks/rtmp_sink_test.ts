import assert from "node:assert/strict";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { createRuntime, RtmpSink } from "../mod.ts";
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
