/**
 * What drives the `pull` capture processors (`ScreenCapture`, `Camera`, `Microphone`): their
 * native thread cannot call into JS per frame, so a short timer on the JS side asks the capture
 * ring whether frames are waiting (one cheap native call) and calls the node's `ctx.wake()` only
 * when they are. The runtime then runs `process()`, which drains the ring.
 *
 * @module
 */

/** What a {@linkcode CaptureWatcher} watches: a `NativeCapture`, or a stand-in in tests. */
export interface WatchedCapture {
  /** Whether the capture was closed (the watcher then stops by itself). */
  readonly closed: boolean;
  /** Frames waiting to be polled. */
  readonly waiting: number;
  /** The capture's counters; `running` turns false when it stopped by itself. */
  stats(): { running: boolean };
}

/** Shortest watch interval: a timer cannot fire sooner anyway. */
export const MIN_WATCH_MS = 1;
/** Longest watch interval, whatever the frame rate: the most a frame waits for its wake. */
export const MAX_WATCH_MS = 5;
/** How often (in ticks with nothing waiting) the watcher checks that the capture still runs. */
const STATUS_EVERY = 32;

/**
 * The watch interval for frames arriving every `frameIntervalMs`: an eighth of it, between
 * {@linkcode MIN_WATCH_MS} and {@linkcode MAX_WATCH_MS}.
 *
 * @param frameIntervalMs Milliseconds between frames (`1000 / fps`).
 * @returns Milliseconds between checks.
 */
export function watchIntervalMs(frameIntervalMs: number): number {
  return Math.min(MAX_WATCH_MS, Math.max(MIN_WATCH_MS, frameIntervalMs / 8));
}

/**
 * Calls `wake` whenever the capture has frames waiting (checked every `intervalMs`), and once
 * when the capture stops by itself, so `process()` can report why. Never throws from its timer.
 */
export class CaptureWatcher {
  readonly #capture: WatchedCapture;
  readonly #wake: () => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #idleTicks = 0;

  /**
   * Starts watching.
   *
   * @param capture The capture.
   * @param wake The node's `ctx.wake`.
   * @param intervalMs Milliseconds between checks (see {@linkcode watchIntervalMs}).
   */
  constructor(capture: WatchedCapture, wake: () => void, intervalMs: number) {
    this.#capture = capture;
    this.#wake = wake;
    this.#timer = setInterval(this.#tick, intervalMs);
  }

  /** Whether it still watches. */
  get watching(): boolean {
    return this.#timer !== undefined;
  }

  /** Stops watching. Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick = (): void => {
    try {
      const capture = this.#capture;
      if (capture.closed) return this.close();
      if (capture.waiting > 0) {
        this.#idleTicks = 0;
        return this.#wake();
      }
      if (++this.#idleTicks % STATUS_EVERY !== 0 || capture.stats().running) return;
    } catch {
      // A capture that cannot be asked: process() will meet the same failure and report it.
    }
    this.close(); // stopped by itself (or failing): one last wake so process() throws its error
    this.#wake();
  };
}
