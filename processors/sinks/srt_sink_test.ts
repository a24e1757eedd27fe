import assert from "node:assert/strict";
import { ConfigValidationError } from "../../core/config/validation.ts";
import { createRuntime, SrtSink, SrtSource } from "../mod.ts";

Deno.test("SrtSink and SrtSource configs refuse bad hosts, ports and passphrases with invalid_config", () => {
  const rt = createRuntime({ workers: false });
  const bad = [
    { host: "example.com", port: 9000 },
    { host: "127.0.0.1", port: 0 },
    { host: "127.0.0.1", port: 70_000 },
    { host: "127.0.0.1", port: 9000, passphrase: "short" },
    { host: "127.0.0.1", port: 9000, latencyMs: 5 },
    { host: "127.0.0.1", port: 9000, mode: "rendezvous" },
  ];
  for (const config of bad) {
    for (const type of [SrtSink, SrtSource] as const) {
      assert.throws(
        () => rt.add(type as typeof SrtSink, config as never),
        (error) => error instanceof ConfigValidationError && error.code === "invalid_config",
        JSON.stringify(config),
      );
    }
  }
});

Deno.test("SrtSink counts every access unit it could not send while no peer listens", async () => {
  const { NetSink } = await import("../../ffi/net/net_endpoint.ts");
  using sink = NetSink.create("srt", { address: "127.0.0.1:9", queueFrames: 2 });
  for (let i = 0; i < 5; i++) sink.push(new Uint8Array([0, 0, 0, 1, 0x65, i]), i * 1e6, true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stats = sink.stats();
  assert.equal(stats.connected, 0);
  assert.equal(stats.frames, 0);
  assert.equal(stats.framesDropped + stats.framesQueued, 5);
});
