import assert from "node:assert/strict";
import { socketAddress, srtEndpointSettings } from "./srt_config.ts";

Deno.test("socketAddress() brackets IPv6 hosts", () => {
  assert.equal(socketAddress("127.0.0.1", 9000), "127.0.0.1:9000");
  assert.equal(socketAddress("::1", 9000), "[::1]:9000");
});

Deno.test("srtEndpointSettings() turns the key length into bytes and keeps the rest", () => {
  const common = {
    host: "10.0.0.2",
    port: 7000,
    latencyMs: 200,
    passphrase: "0123456789",
    streamId: "cam",
    queueFrames: 16,
    idleTimeoutMs: 5000,
  };
  const sizes = { "aes-128": 16, "aes-192": 24, "aes-256": 32 } as const;
  for (const [keyLength, keySize] of Object.entries(sizes)) {
    const settings = srtEndpointSettings({
      ...common,
      mode: "listener",
      keyLength: keyLength as keyof typeof sizes,
    });
    assert.deepEqual(settings, {
      mode: "listener",
      address: "10.0.0.2:7000",
      latencyMs: 200,
      passphrase: "0123456789",
      keySize,
      streamId: "cam",
      queueFrames: 16,
      idleTimeoutMs: 5000,
    });
  }
});
