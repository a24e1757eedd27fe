import assert from "node:assert/strict";
import { hostSessionIsolates, useIsolateHost } from "./_isolate.ts";
import { PipelineRunner } from "./runner.ts";
import { SessionError } from "./errors.ts";

const BUILTIN = new URL("../processors/registry.gen.ts", import.meta.url).href;
const FAULTY = new URL("../tests/sessions/fixtures/faulty_registry.ts", import.meta.url).href;

const block = (value: number) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array(320).fill(value),
  }) as const;

const through = (type: string, config?: Record<string, unknown>) => ({
  version: 1,
  nodes: [{ id: "fx", type, ...(config && { config }) }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
});

/** A runner whose isolates an isolate host starts (here the same isolate, through a channel). */
async function withHost(
  test: (
    runner: PipelineRunner,
    closeHost: () => Promise<void>,
    started: () => number,
  ) => Promise<void>,
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  let starts = 0;
  const closeHost = hostSessionIsolates(port1);
  // Counts what reaches the host: the runner's isolates must all be asked of it.
  const listen = port1.onmessage!;
  port1.onmessage = (event) => {
    if ((event.data as { t: string }).t === "start") starts++;
    listen.call(port1, event);
  };
  const stopUsing = useIsolateHost(port2);
  const runner = new PipelineRunner({
    pool: 1,
    registries: [BUILTIN, FAULTY],
    idleTimeoutMs: 30_000,
  });
  try {
    await test(runner, closeHost, () => starts);
  } finally {
    stopUsing();
    await runner.close();
    await closeHost();
    port2.close();
  }
}

Deno.test("Session isolates started by an isolate host: frames, end of stream, a pooled isolate", async () => {
  await withHost(async (runner, _close, started) => {
    for (let round = 0; round < 2; round++) {
      const session = await runner.stream(through("Gain", { gain: 2 }));
      const reading = (async () => {
        const got: number[] = [];
        for await (const item of session.outputs()) {
          got.push((item.frame as { samples: Float32Array }).samples[0]);
        }
        return got;
      })();
      for (let i = 0; i < 10; i++) assert.equal(await session.send("audio", block(0.125)), i);
      session.end("audio");
      assert.deepEqual(await reading, Array(10).fill(0.25));
      await session.close();
    }
    assert.ok(started() >= 2, `the host started ${started()} isolates`);
  });
});

Deno.test("An isolate the host started that ends itself, or that the host ends, ends its session with session_isolate_died", async () => {
  await withHost(async (runner, closeHost) => {
    const exiting = await runner.stream(through("Exiter"));
    await exiting.send("audio", block(0.1)).catch(() => {});
    await exiting.done;
    assert.ok(exiting.error instanceof SessionError, String(exiting.error));
    assert.equal(exiting.error.code, "session_isolate_died");
    assert.match(exiting.error.message, /exited \(code 3\)/);

    const open = await runner.stream(through("Gain"));
    await closeHost(); // the host goes: its isolates end, and so do their sessions
    await open.done;
    assert.equal((open.error as SessionError | undefined)?.code, "session_isolate_died");
  });
});
