import assert from "node:assert/strict";
import { DeviceNotFoundError } from "../../ffi/native/errors.ts";
import { UnsupportedPlatformError } from "../../ffi/media/media_errors.ts";
import { cameraNode } from "./camera.gen.ts";
import { microphoneNode } from "./microphone.gen.ts";

const ctx = { node: "cam", clock: { nowNs: () => 0 } };

Deno.test("Camera fails setup with DeviceNotFoundError naming a camera that does not exist", async () => {
  const camera = cameraNode.create({
    device: Deno.build.os === "linux" ? "/dev/video91" : "no-such-camera",
  });
  await assert.rejects(
    () => camera.setup(ctx),
    (e: unknown) => e instanceof DeviceNotFoundError && /No such camera/.test((e as Error).message),
  );
  camera.teardown();
});

Deno.test("Microphone is macOS only: elsewhere setup() says not supported on this OS", async () => {
  if (Deno.build.os === "darwin") return;
  const mic = microphoneNode.create({});
  await assert.rejects(
    () => mic.setup(ctx),
    (e: unknown) =>
      e instanceof UnsupportedPlatformError && e.feature === "microphone capture" &&
      e.os === Deno.build.os && /not supported on this OS/.test(e.message),
  );
});
