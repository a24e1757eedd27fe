/**
 * Ring throughput, one table, every row measured in this run:
 *
 * 1. native rings driven from Deno: producer in the main isolate, consumer in a Worker, batched;
 * 2. the same through a plain TypeScript `SharedArrayBuffer` + `Atomics` SPSC ring;
 * 3. native Rust producer and consumer threads on the same rings (the ceiling).
 *
 * Run: `deno task bench:ring` (or `deno run -A bench/ring_bench.ts [--messages N] [--runs R]`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { FrameMessageBatch } from "../core/frames/message.ts";
import { createNativeRing } from "../ffi/mod.ts";
import type { RingBenchReply } from "./ring_bench_worker.ts";
import { SabRing } from "./sab_ring.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    messages: { type: "string", default: "20000000" },
    runs: { type: "string", default: "5" },
    batch: { type: "string", default: "256" },
    capacity: { type: "string", default: "4096" },
  },
});
const MESSAGES = Number(values.messages);
const RUNS = Number(values.runs);
const BATCH = Number(values.batch);
const CAPACITY = Number(values.capacity);
const crates = fileURLToPath(new URL("../crates/", import.meta.url));

interface Row {
  name: string;
  messagesPerSecond: number;
  nsPerMessage: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Sum of every sequence number 0..MESSAGES-1 (exact in a double up to 2^53). */
const CHECKSUM = (MESSAGES - 1) * MESSAGES / 2;

/**
 * Runs one producer → Worker transfer; returns seconds.
 *
 * With `check: "message"` the producer stamps every message's sequence and the Worker checks each
 * one; with `check: "batch"` both touch only each batch's last message, which leaves the cost of
 * the transport itself.
 */
async function runDeno(kind: "native" | "sab", check: "message" | "batch"): Promise<number> {
  const worker = new Worker(new URL("./ring_bench_worker.ts", import.meta.url), { type: "module" });
  const replies: ((data: unknown) => void)[] = [];
  worker.onmessage = (e) => replies.shift()?.(e.data);
  const next = () => new Promise<unknown>((resolve) => replies.push(resolve));

  const [producer, consumer] = kind === "native"
    ? createNativeRing({ capacity: CAPACITY, policy: "fifo" })
    : [undefined, undefined];
  const sab = kind === "sab" ? new SabRing(CAPACITY) : undefined;
  const ready = next();
  worker.postMessage({
    ring: kind === "native" ? { native: consumer!.transfer() } : { sab: sab!.buffer },
    messages: MESSAGES,
    batch: BATCH,
    check,
  });
  await ready;
  const done = next() as Promise<RingBenchReply>;

  const batch = new FrameMessageBatch(BATCH);
  const fields = new Float64Array(batch.bytes.buffer); // field 3 of each 4 is the sequence
  const start = performance.timeOrigin + performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    const n = Math.min(BATCH, MESSAGES - sent);
    if (check === "message") {
      for (let i = 0; i < n; i++) fields[i * 4 + 3] = sent + i;
    } else {
      fields[(n - 1) * 4 + 3] = sent + n - 1;
    }
    if (producer) {
      while (producer.slots() < n) { /* fifo: wait for room */ }
      producer.pushBatch(batch, n);
    } else {
      while (sab!.freeSlots() < n) { /* wait for room */ }
      sab!.pushBatch(batch, n);
    }
  }
  const reply = await done;
  worker.terminate();
  producer?.close();
  const expected = check === "message" ? CHECKSUM : 0;
  if (reply.received !== MESSAGES || reply.outOfOrder !== 0 || reply.checksum !== expected) {
    throw new Error(`${kind} ring lost or reordered messages: ${JSON.stringify(reply)}`);
  }
  return (reply.doneAt - start) / 1000;
}

async function runNativeThreads(): Promise<number> {
  const out = await new Deno.Command("cargo", {
    args: [
      "run",
      "--quiet",
      "--release",
      "--manifest-path",
      `${crates}Cargo.toml`,
      "--example",
      "ring_threads",
      "--",
      "--messages",
      String(MESSAGES),
      "--batch",
      String(BATCH),
      "--capacity",
      String(CAPACITY),
      "--policy",
      "fifo",
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("ring_threads example failed");
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  if (result.checksum_ok !== true) throw new Error(`native threads: ${JSON.stringify(result)}`);
  return result.seconds;
}

async function measure(name: string, run: () => Promise<number>): Promise<Row> {
  await run(); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) seconds.push(await run());
  const s = median(seconds);
  return { name, messagesPerSecond: MESSAGES / s, nsPerMessage: (s * 1e9) / MESSAGES };
}

console.log(
  `ring_bench: ${MESSAGES} messages of 32 bytes, batch ${BATCH}, capacity ${CAPACITY}, ` +
    `fifo, median of ${RUNS} runs (${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})`,
);
const rows = [
  await measure("1. native ring, Deno main -> Worker", () => runDeno("native", "message")),
  await measure(
    "2. TS SharedArrayBuffer ring, Deno main -> Worker",
    () => runDeno("sab", "message"),
  ),
  await measure("3. native ring, Rust thread -> Rust thread", () => runNativeThreads()),
  await measure(
    "1t. row 1, transport only (one field per batch)",
    () => runDeno("native", "batch"),
  ),
  await measure("2t. row 2, transport only (one field per batch)", () => runDeno("sab", "batch")),
];

const nameWidth = Math.max(...rows.map((r) => r.name.length));
console.log(`\n| ${"row".padEnd(nameWidth)} | messages/s     | ns/message |`);
console.log(`| ${"-".repeat(nameWidth)} | -------------- | ---------- |`);
for (const row of rows) {
  console.log(
    `| ${row.name.padEnd(nameWidth)} | ${
      Math.round(row.messagesPerSecond).toLocaleString("en-US").padStart(14)
    } | ${row.nsPerMessage.toFixed(2).padStart(10)} |`,
  );
}
const [native, sab, ceiling, nativeTransport, sabTransport] = rows;
const ratio = (a: Row, b: Row) => (a.messagesPerSecond / b.messagesPerSecond).toFixed(2);
console.log(
  `\nrow 1 / row 2: ${ratio(native, sab)}x (goal >= 2x); row 1 / row 3: ${
    (100 * native.messagesPerSecond / ceiling.messagesPerSecond).toFixed(0)
  }% (goal >= 50%); transport only, 1t / 2t: ${ratio(nativeTransport, sabTransport)}x`,
);
