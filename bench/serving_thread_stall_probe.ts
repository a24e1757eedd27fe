/**
 * The measurement of `serving_thread_stall.ts`, run on whichever thread serves: how late each
 * tick of a 1 ms interval comes while a pooled runner's sessions open and close.
 *
 * @module
 */

import { PipelineRunner } from "../sessions/runner.ts";

const GAIN = {
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
};

/**
 * Opens and closes `rounds` sessions of a runner with a pool of 2, 500 ms apart, recording how
 * late each tick of a 1 ms interval on this thread came (after a 1.5 s start).
 *
 * @param rounds Sessions opened and closed.
 * @returns Each tick's lateness in ms.
 */
export async function tickLags(rounds: number): Promise<number[]> {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(now - last - 1);
    last = now;
  }, 1);
  const runner = new PipelineRunner({ pool: 2 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the pool is up
    lags.length = 0;
    for (let i = 0; i < rounds; i++) {
      const session = await runner.stream(GAIN);
      await session.close();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return lags;
  } finally {
    clearInterval(timer);
    await runner.close();
  }
}
