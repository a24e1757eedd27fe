/// <reference lib="deno.worker" />
/**
 * The Worker side of `bench/worker_wake.ts`: waits for its turn on a shared word, by
 * `Atomics.waitAsync` (through the event loop, as a streamlib Worker reader does) or by a
 * blocking `Atomics.wait`.
 *
 * @module
 */

/** What the bench posts: one of two ping-pong players, or the one idle-wake receiver. */
export type WakeJob =
  | { job: "pingpong"; sab: SharedArrayBuffer; me: 0 | 1; turns: number; mode: WaitMode }
  | { job: "idle"; sab: SharedArrayBuffer; wakes: number; mode: WaitMode };

/** How a Worker waits: through its event loop or blocking its thread. */
export type WaitMode = "waitAsync" | "wait";

/** Waits until `word[index]` is not `seen`. */
async function waitChange(word: Int32Array, index: number, seen: number, mode: WaitMode) {
  if (mode === "wait") {
    Atomics.wait(word, index, seen);
    return;
  }
  const wait = Atomics.waitAsync(word, index, seen);
  if (wait.async) await wait.value;
}

self.onmessage = async (event: MessageEvent<WakeJob>) => {
  const job = event.data;
  const word = new Int32Array(job.sab, 0, 2);
  if (job.job === "pingpong") {
    // word[0] says whose turn it is; each player hands the turn over `turns` times.
    for (let i = 0; i < job.turns; i++) {
      for (let v = Atomics.load(word, 0); v !== job.me; v = Atomics.load(word, 0)) {
        await waitChange(word, 0, v, job.mode);
      }
      Atomics.store(word, 0, 1 - job.me);
      Atomics.notify(word, 0);
    }
    self.postMessage({ done: job.turns });
    return;
  }
  // Idle wakes: word[0] counts the bells; stamp[0] is when the bell rang (ms, timeOrigin-based).
  const stamp = new Float64Array(job.sab, 8, 1);
  const latenciesMs: number[] = [];
  for (let i = 1; i <= job.wakes; i++) {
    for (let v = Atomics.load(word, 0); v < i; v = Atomics.load(word, 0)) {
      await waitChange(word, 0, v, job.mode);
    }
    latenciesMs.push(performance.timeOrigin + performance.now() - stamp[0]);
  }
  self.postMessage({ latenciesMs });
};
