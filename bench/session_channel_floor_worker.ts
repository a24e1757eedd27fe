/**
 * The Worker side of `bench/session_channel_floor.ts`: echoes each block it is sent, as a
 * session's isolate would answer with its ack and output, over the channel the bench names
 * (`guarded`: the ring, each echo under a session isolate's `maxRunMs` guard).
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { setImmediate } from "node:timers";
import { type ChannelBuffers, SessionChannel } from "../sessions/_channel.ts";
import { RunGuard } from "../sessions/_run_guard.ts";

/** What the bench posts first: the channel to echo on. */
export type FloorJob =
  | { readonly way: "port"; readonly port: MessagePort }
  | {
    readonly way: "ring" | "guarded";
    readonly port: MessagePort;
    readonly buffers: ChannelBuffers;
  };

/** A block, as a session sends it. */
export interface FloorSend {
  readonly t: "send";
  readonly id: number;
  readonly input: string;
  readonly frame: { kind: "audio"; channels: number; sampleRate: number; samples: Float32Array };
  readonly seq: number;
}

/** The echo: its ack and the block back as output. */
export type FloorReply =
  | { readonly t: "ack"; readonly id: number; readonly seq: number }
  | { readonly t: "frame"; readonly output: string; readonly item: unknown }
  | { readonly t: "batch"; readonly messages: FloorReply[] };

parentPort!.once("message", async (job: FloorJob) => {
  if (job.way === "ring" || job.way === "guarded") {
    const echo: { channel?: SessionChannel<FloorReply, FloorSend> } = {};
    const reply = (m: FloorSend) => {
      echo.channel!.post({ t: "ack", id: m.id, seq: m.seq });
      echo.channel!.post({ t: "frame", output: "audio", item: { frame: m.frame, seq: m.seq } });
    };
    // `guarded`: each echo under the session isolate's time limit (`maxRunMs`), as a session's
    // scheduling turn runs.
    const guard = new RunGuard(() => {});
    if (job.way === "guarded") await guard.load();
    echo.channel = new SessionChannel(job.buffers, job.port, (m: FloorSend) => {
      guard.run(() => reply(m));
    });
    return;
  }
  // The way sessions crossed before the rings: a turn's messages as one structured clone.
  const port = job.port;
  port.onmessage = (event: MessageEvent<FloorSend>) => {
    const m = event.data;
    setImmediate(() => {
      const messages: FloorReply[] = [
        { t: "ack", id: m.id, seq: m.seq },
        { t: "frame", output: "audio", item: { frame: m.frame, seq: m.seq } },
      ];
      port.postMessage({ t: "batch", messages }, [m.frame.samples.buffer as ArrayBuffer]);
    });
  };
});
