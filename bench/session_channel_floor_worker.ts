/**
 * The Worker side of `bench/session_channel_floor.ts`: echoes each block it is sent, as a
 * session's isolate would answer with its ack and output, over the channel the bench names
 * (`guarded`: the ring, each echo under a session isolate's `maxRunMs` guard; `block`: the ring,
 * the Worker blocking its thread in `Atomics.wait` between blocks instead of returning to its
 * event loop).
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { setImmediate } from "node:timers";
import { type ChannelBuffers, SessionChannel } from "../sessions/_channel.ts";
import { RunGuard } from "../sessions/_run_guard.ts";
import { RingReader, RingWriter, SIGNAL_AT } from "../sessions/_ring.ts";
import { RecordDecoder, RecordEncoder } from "../sessions/_channel_codec.ts";
import {
  ASLEEP_ON_BELL,
  readerMaySleep,
  SIGNAL_BELL,
  SIGNAL_BYTES,
  SIGNAL_READER_ASLEEP,
  SIGNAL_TORN,
} from "../ffi/transport/channel/doorbell.ts";

/** What the bench posts first: the channel to echo on. */
export type FloorJob =
  | { readonly way: "port"; readonly port: MessagePort }
  | {
    readonly way: "ring" | "guarded" | "block";
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

/**
 * `block`: reads the ring and echoes in one synchronous loop, blocking the thread on the ring's
 * bell between blocks; the bench ends it by raising the signal's torn-down flag and ringing.
 */
function echoBlocking(buffers: ChannelBuffers): void {
  const reader = new RingReader(buffers.in);
  const writer = new RingWriter(buffers.out);
  const signal = new Int32Array(buffers.in, SIGNAL_AT, SIGNAL_BYTES / 4);
  const encoder = new RecordEncoder();
  const decoder = new RecordDecoder();
  const post = (message: FloorReply) => {
    const records = encoder.encode(message)!;
    for (let i = 0; i < records.length; i += 2) writer.write(records[i]!, records[i + 1], false);
  };
  while (Atomics.load(signal, SIGNAL_TORN) === 0) {
    const record = reader.peek();
    if (record === undefined) {
      writer.ring(); // the replies of the blocks read since the last wait, one wake-up
      const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
      if (reader.peek() !== undefined) Atomics.store(signal, SIGNAL_READER_ASLEEP, 0);
      else Atomics.wait(signal, SIGNAL_BELL, seen);
      continue;
    }
    const m = decoder.decode(record) as FloorSend | undefined;
    reader.advance();
    if (m === undefined) continue; // a name defined for later records
    post({ t: "ack", id: m.id, seq: m.seq });
    post({ t: "frame", output: "audio", item: { frame: m.frame, seq: m.seq } });
  }
}

parentPort!.once("message", async (job: FloorJob) => {
  if (job.way === "block") return echoBlocking(job.buffers);
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
