/// <reference lib="deno.worker" />
/**
 * The Worker side of `bench/worker_chain_floor.ts`, and the bare link it measures: a ring of
 * numbers in a `SharedArrayBuffer` with the doorbell protocol of streamlib's cross-isolate
 * channel (`ffi/transport/channel/doorbell.ts`): the writer rings a bell only for a reader
 * that said it sleeps, and the reader rings a room bell only for a writer that said it waits.
 * Nothing else runs: no scheduler, no frames, no native calls: a chain of these shows what the
 * wake-ups of Workers woken this way cost on their own.
 *
 * @module
 */

/** How a Worker waits: through its event loop (`Atomics.waitAsync`) or blocking its thread. */
export type FloorWait = "waitAsync" | "wait";

/** A job for one Worker of the chain. */
export type FloorJob =
  | { role: "source"; output: SharedArrayBuffer; count: number; mode: FloorWait }
  | {
    role: "pass";
    input: SharedArrayBuffer;
    output: SharedArrayBuffer;
    count: number;
    mode: FloorWait;
  };

// Int32 indices: each counter on a cache line of its own, the bells apart from both.
const HEAD = 0;
const TAIL = 16;
const BELL = 32;
const ASLEEP = 33;
const ROOM = 48;
const WAITING = 49;
const HEADER_BYTES = 256;

/**
 * One end's view of a link: a single-producer single-consumer ring of numbers plus its two bells.
 */
export class FloorLink {
  /** The shared memory, to post to the other end. */
  readonly buffer: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #slots: Float64Array;
  readonly #capacity: number;

  /**
   * Maps a link.
   *
   * @param buffer A buffer from {@linkcode FloorLink.create}.
   */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.#slots = new Float64Array(buffer, HEADER_BYTES);
    this.#capacity = this.#slots.length;
  }

  /**
   * A new, empty link.
   *
   * @param capacity Numbers it holds.
   * @returns The link.
   */
  static create(capacity: number): FloorLink {
    return new FloorLink(new SharedArrayBuffer(HEADER_BYTES + capacity * 8));
  }

  /**
   * Writes `value` unless the ring is full; rings the bell if the reader sleeps.
   *
   * @param value The number.
   * @returns Whether it was written.
   */
  push(value: number): boolean {
    const i32 = this.#i32;
    const head = i32[HEAD];
    if (head - Atomics.load(i32, TAIL) === this.#capacity) return false;
    this.#slots[head % this.#capacity] = value;
    Atomics.store(i32, HEAD, head + 1); // sequentially consistent: ordered before the look below
    if (i32[ASLEEP] !== 0 && Atomics.exchange(i32, ASLEEP, 0) !== 0) {
      Atomics.add(i32, BELL, 1);
      Atomics.notify(i32, BELL);
    }
    return true;
  }

  /**
   * Reads the oldest number; rings the room bell if the writer waits.
   *
   * @returns The number, or `undefined` when the ring is empty.
   */
  pop(): number | undefined {
    const i32 = this.#i32;
    const tail = i32[TAIL];
    if (tail === Atomics.load(i32, HEAD)) return undefined;
    const value = this.#slots[tail % this.#capacity];
    Atomics.store(i32, TAIL, tail + 1);
    if (Atomics.load(i32, WAITING) !== 0) {
      Atomics.store(i32, WAITING, 0);
      Atomics.add(i32, ROOM, 1);
      Atomics.notify(i32, ROOM);
    }
    return value;
  }

  /**
   * Reader: returns once the ring holds a number, sleeping on the bell meanwhile.
   *
   * @param mode How to sleep.
   */
  async untilData(mode: FloorWait): Promise<void> {
    const i32 = this.#i32;
    for (;;) {
      // The bell before the flag, as the runtime's readers do (`readerMaySleep()`): a late ring
      // that takes the flag then moves the bell past `seen`.
      const seen = Atomics.load(i32, BELL);
      Atomics.store(i32, ASLEEP, 1);
      if (Atomics.load(i32, HEAD) !== i32[TAIL]) {
        Atomics.store(i32, ASLEEP, 0);
        return;
      }
      await sleep(i32, BELL, seen, mode);
    }
  }

  /**
   * Writer: returns once the ring has room, sleeping on the room bell meanwhile.
   *
   * @param mode How to sleep.
   */
  async untilRoom(mode: FloorWait): Promise<void> {
    const i32 = this.#i32;
    for (;;) {
      const seen = Atomics.load(i32, ROOM);
      Atomics.store(i32, WAITING, 1);
      if (i32[HEAD] - Atomics.load(i32, TAIL) < this.#capacity) {
        Atomics.store(i32, WAITING, 0);
        return;
      }
      await sleep(i32, ROOM, seen, mode);
    }
  }
}

function sleep(
  i32: Int32Array,
  index: number,
  seen: number,
  mode: FloorWait,
): Promise<void> | void {
  if (mode === "wait") {
    Atomics.wait(i32, index, seen);
    return;
  }
  const wait = Atomics.waitAsync(i32, index, seen);
  if (wait.async) return wait.value.then(() => {});
}

if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.onmessage = async (event: MessageEvent<FloorJob>) => {
    const job = event.data;
    const output = new FloorLink(job.output);
    if (job.role === "source") {
      for (let i = 0; i < job.count; i++) {
        while (!output.push(i)) await output.untilRoom(job.mode);
      }
    } else {
      const input = new FloorLink(job.input);
      for (let n = 0; n < job.count;) {
        const value = input.pop();
        if (value === undefined) {
          await input.untilData(job.mode);
          continue;
        }
        while (!output.push(value)) await output.untilRoom(job.mode);
        n++;
      }
    }
    self.postMessage("done");
  };
}
