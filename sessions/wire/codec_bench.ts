/**
 * The wire codec's cost per message for the frames a session carries most: 20 ms of 16 kHz mono
 * PCM (issue 33's voice sessions) and one 1280x720 I420 frame.
 *
 * Run: `deno bench sessions/wire/codec_bench.ts`
 */

import { decodeWireMessage } from "./decode.ts";
import { encodeWireMessage } from "./encode.ts";
import type { WireMessage } from "./messages.ts";

const audio: WireMessage = {
  type: "frame",
  port: "mic",
  sequence: 1,
  metadata: { trace: "0123456789abcdef" },
  frame: {
    kind: "audio",
    channels: 1,
    sampleRate: 16_000,
    frameCount: 320,
    samples: new Float32Array(320).fill(0.1),
    timestampNs: 20_000_000,
    frameNumber: 1,
  },
};
const video: WireMessage = {
  type: "frame",
  port: "cam",
  sequence: 1,
  metadata: {},
  frame: {
    kind: "video",
    width: 1280,
    height: 720,
    format: "I420",
    stride: 1280,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(1280 * 720 * 3 / 2),
  },
};
const audioBytes = encodeWireMessage(audio);
const videoBytes = encodeWireMessage(video);

Deno.bench("encodeWireMessage(): 20 ms of 16 kHz mono audio", { group: "audio" }, () => {
  encodeWireMessage(audio);
});
Deno.bench("decodeWireMessage(): 20 ms of 16 kHz mono audio", { group: "audio" }, () => {
  decodeWireMessage(audioBytes);
});
Deno.bench("encodeWireMessage(): 1280x720 I420", { group: "video" }, () => {
  encodeWireMessage(video);
});
Deno.bench("decodeWireMessage(): 1280x720 I420", { group: "video" }, () => {
  decodeWireMessage(videoBytes);
});
