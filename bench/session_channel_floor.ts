/**
 * What one crossing to a session's isolate and back costs on this machine, without a graph or a
 * transport: `--sessions` Workers, each sent a 20 ms block of 16 kHz mono audio every 20 ms (real
 * time, spread over the period) by the main isolate, each echoing it at once as its ack and its
 * output (`bench/session_channel_floor_worker.ts`). Five ways, alternating `--rounds` times:
 *
 * - `timers`: no Worker; the main isolate's timers and a copy of each block (the pacing's cost);
 * - `port`: a `MessagePort` per Worker, a structured clone each way (the block's buffer moved),
 *   the reply's two messages posted as one at the end of the turn (what sessions did before
 *   their rings);
 * - `ring`: the session channel (`sessions/_channel.ts`): a ring of shared memory per direction
 *   and the doorbell;
 * - `guarded`: `ring`, each echo run under the session isolate's time limit (`maxRunMs`,
 *   `sessions/_run_guard.ts`) as each scheduling turn of a session is: what the guard costs a
 *   block that takes one turn.
 * - `block`: `ring`, the Worker blocking its thread in `Atomics.wait` on the ring's bell between
 *   blocks instead of waiting through its event loop (as a `wait: "block"` graph Worker does): what
 *   the event loop's wake-up costs a block.
 *
 * Per way: the process's CPU time (all threads, from `/proc/self/stat`) per block, and the round
 * trip p50/p99 from a block's send to its echo's arrival. It is the floor under a session's round
 * trip in `bench/session_pipecat_bench.ts`: two thread wake-ups per block (the Worker's, then the
 * main isolate's), where pipecat's sessions, coroutines of one event loop, need none.
 *
 * Run: `deno run -A bench/session_channel_floor.ts [--sessions 10] [--seconds 4] [--rounds 2]`
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { setImmediate } from "node:timers";
import { parseArgs } from "node:util";
import { createChannelBuffers, SessionChannel } from "../sessions/_channel.ts";
import { SIGNAL_AT } from "../sessions/_ring.ts";
import { ringBell, SIGNAL_BYTES, SIGNAL_TORN } from "../ffi/transport/channel/doorbell.ts";
import type { FloorJob, FloorReply, FloorSend } from "./session_channel_floor_worker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "10" },
    seconds: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
  },
});
const SESSIONS = Number(values.sessions);
const BLOCKS = Math.round(Number(values.seconds) * 50);
const ROUNDS = Number(values.rounds);

type Way = "timers" | "port" | "ring" | "guarded" | "block";

function cpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One session's way to send a block; `times` gets each round trip. */
function open(way: Way, times: number[]): { send: (seq: number) => void; close: () => void } {
  const sent = new Map<number, number>();
  const arrived = (seq: number) => times.push(performance.now() - sent.get(seq)!);
  const samples = new Float32Array(320).fill(0.25);
  if (way === "timers") {
    return { send: () => void times.push(0 * samples.slice().length), close: () => {} };
  }
  const worker = new Worker(new URL("./session_channel_floor_worker.ts", import.meta.url));
  const { port1, port2 } = new MessageChannel();
  if (way === "port") {
    // deno-lint-ignore no-explicit-any -- a web MessagePort crosses node's Worker in Deno
    worker.postMessage({ way, port: port2 } satisfies FloorJob, [port2 as any]);
    const receive = (m: FloorReply) => {
      if (m.t === "batch") m.messages.forEach(receive);
      else if (m.t === "frame") arrived((m.item as { seq: number }).seq);
    };
    port1.onmessage = (event: MessageEvent<FloorReply>) => receive(event.data);
    return {
      send(seq) {
        sent.set(seq, performance.now());
        const copy = samples.slice();
        const frame = { kind: "audio", channels: 1, sampleRate: 16_000, samples: copy } as const;
        setImmediate(() =>
          port1.postMessage({ t: "send", id: seq, input: "audio", frame, seq }, [copy.buffer])
        );
      },
      close() {
        port1.close();
        worker.terminate();
      },
    };
  }
  const [mine, theirs] = createChannelBuffers();
  // deno-lint-ignore no-explicit-any -- as above
  worker.postMessage({ way, port: port2, buffers: theirs } satisfies FloorJob, [port2 as any]);
  const channel = new SessionChannel<FloorSend, FloorReply>(mine, port1, (m) => {
    if (m.t === "frame") arrived((m.item as { seq: number }).seq);
  });
  return {
    send(seq) {
      sent.set(seq, performance.now());
      const frame = { kind: "audio", channels: 1, sampleRate: 16_000, samples } as const;
      channel.post({ t: "send", id: seq, input: "audio", frame, seq });
    },
    close() {
      channel.close();
      if (way === "block") {
        // The blocking echo never returns to its event loop: tell it to end through the ring.
        const signal = new Int32Array(mine.out, SIGNAL_AT, SIGNAL_BYTES / 4);
        Atomics.store(signal, SIGNAL_TORN, 1);
        ringBell(signal);
      }
      worker.terminate();
    },
  };
}

async function run(way: Way): Promise<{ cpuPerBlockUs: number; times: number[] }> {
  const times: number[] = [];
  const sessions = Array.from({ length: SESSIONS }, () => open(way, times));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the Workers start
  const before = cpuMs();
  await Promise.all(sessions.map(async (session, k) => {
    const start = performance.now() + (k * 20) / SESSIONS;
    for (let i = 0; i < BLOCKS; i++) {
      const wait = start + i * 20 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      session.send(i);
    }
  }));
  const deadline = performance.now() + 2_000;
  while (times.length < SESSIONS * BLOCKS && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const cpu = cpuMs() - before;
  for (const session of sessions) session.close();
  if (times.length < SESSIONS * BLOCKS) {
    throw new Error(`${way}: ${SESSIONS * BLOCKS - times.length} blocks did not come back`);
  }
  return { cpuPerBlockUs: (1000 * cpu) / (SESSIONS * BLOCKS), times };
}

const rows: string[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const way of ["timers", "port", "ring", "guarded", "block"] as const) {
    console.error(`round ${round}: ${way}`);
    const { cpuPerBlockUs, times } = await run(way);
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
    const trip = way === "timers"
      ? "- | -"
      : `${percentile(times, 0.5).toFixed(3)} | ${percentile(times, 0.99).toFixed(3)}`;
    rows.push(`| ${way} | ${round} | ${cpuPerBlockUs.toFixed(0)} | ${trip} | ${load} |`);
  }
}
console.log(`${SESSIONS} sessions, ${BLOCKS} blocks each`);
console.log("| way | round | CPU µs per block | round trip p50 ms | p99 ms | load average |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
Deno.exit(0);
