/**
 * End to end: `PipelineRunner` sessions in their own isolates, their limits and their faults.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PipelineRunner, type Session, SessionError } from "../../sessions/mod.ts";
import { Freeverb } from "../../processors/dsp/freeverb.ts";
import { tunable } from "./pipelines.ts";

const BUILTIN = new URL("../../processors/registry.gen.ts", import.meta.url);
const FAULTY = new URL("./fixtures/faulty_registry.ts", import.meta.url);

const block = (value = 0.25, n = 160) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array(n * 2).fill(value),
  }) as const;

const gain = (factor = 2) => ({
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: factor } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
});

const through = (type: string) => ({
  version: 1,
  nodes: [{ id: "bad", type }],
  inputs: { audio: "bad.in" },
  outputs: { audio: "bad.out" },
});

function isCode(code: string) {
  return (error: unknown) => error instanceof SessionError && error.code === code;
}

Deno.test("PipelineRunner.execute() returns every output frame with its metadata", async () => {
  const runner = new PipelineRunner();
  const frames = Array.from({ length: 50 }, (_, i) => ({
    frame: block(0.25),
    metadata: { n: String(i) },
  }));
  const out = await runner.execute(gain(2), { audio: frames });
  assert.equal(out.audio.length, 50);
  assert.deepEqual(out.audio.map((f) => f.metadata.n), frames.map((f) => f.metadata.n));
  assert.deepEqual(out.audio.map((f) => f.seq), [...Array(50).keys()]);
  assert.equal((out.audio[0].frame as { samples: Float32Array }).samples[0], 0.5);
  assert.equal(runner.active, 0);
});

Deno.test("PipelineRunner.stream() gives a session with id, send, outputs, close and state", async () => {
  const runner = new PipelineRunner();
  const session = await runner.stream(gain(3));
  assert.match(session.id, /^s\d+$/);
  assert.equal(session.state, "running");
  assert.deepEqual(session.inputTypes, { audio: "AudioFrame<2>" });
  const reading = (async () => {
    const got = [];
    for await (const item of session.outputs()) got.push(item);
    return got;
  })();
  for (let i = 0; i < 20; i++) assert.equal(await session.send("audio", block(0.1)), i);
  session.end("audio");
  const got = await reading;
  assert.equal(got.length, 20);
  assert.ok(Math.abs((got[19].frame as { samples: Float32Array }).samples[0] - 0.3) < 1e-6);
  await session.close();
  assert.equal(session.state, "closed");
  assert.equal(runner.active, 0);
  await assert.rejects(session.send("audio", block()), isCode("session_closed"));
});

Deno.test("Session.send() refuses a frame of the wrong kind or shape, an oversized one and an unknown input; the session goes on", async () => {
  const runner = new PipelineRunner({ maxMessageBytes: 4096 });
  const session = await runner.stream(gain());
  const video = { kind: "video", width: 2, height: 2, format: "RGBA", data: new Uint8Array(16) };
  await assert.rejects(session.send("audio", video as never), isCode("app_frame_mismatch"));
  await assert.rejects(
    session.send("audio", { ...block(), channels: 1 } as never),
    isCode("app_frame_mismatch"),
  );
  await assert.rejects(session.send("audio", block(0.1, 1000)), isCode("message_too_large"));
  await assert.rejects(session.send("audo", block()), isCode("app_port_not_found"));
  await assert.rejects(session.send("audio", "garbage" as never), isCode("app_frame_mismatch"));
  await assert.rejects(
    session.send("audio", { ...block(), extra: () => 1 } as never),
    isCode("app_frame_mismatch"),
  );
  assert.equal(await session.send("audio", block()), 0); // still running
  assert.equal(session.state, "running");
  await session.close();
});

Deno.test("A caller that never reads stalls its graph, bounded, until the idle timeout ends it", async () => {
  const runner = new PipelineRunner({ idleTimeoutMs: 1_500 });
  const session = await runner.stream(gain());
  let accepted = 0;
  const error = await (async () => {
    try {
      for (let i = 0; i < 100_000; i++) {
        await session.send("audio", block());
        accepted++;
      }
    } catch (error) {
      return error;
    }
  })();
  assert.ok(isCode("session_idle_timeout")(error), String(error));
  assert.ok(accepted < 200, `the graph stopped taking frames (took ${accepted})`);
  assert.equal(session.state, "failed");
  assert.equal(runner.active, 0);
});

Deno.test("A caller that never reads large frames: the session takes a bounded number of bytes", async () => {
  const runner = new PipelineRunner({ idleTimeoutMs: 30_000 });
  try {
    const session = await runner.stream(gain());
    const samples = (15 * 1024 * 1024) / 4; // 15 MiB frames, under maxMessageBytes (16 MiB)
    let taken = 0;
    for (let i = 0; i < 40; i++) {
      const frame = {
        kind: "audio",
        channels: 2,
        sampleRate: 48_000,
        samples: new Float32Array(samples),
      } as const;
      const sent = session.send("audio", frame).then(() => true, () => false);
      if (!(await Promise.race([sent, new Promise((r) => setTimeout(r, 1_500, false))]))) break;
      taken++;
    }
    // In flight, in the graph under its frame memory (memoryBudgetBytes), unread in its output
    // and ahead of the reads: a handful of 15 MiB frames (40 before, 953 MB for the process).
    assert.ok(taken >= 2 && taken <= 12, `the session took ${taken} frames of 15 MiB`);
    await session.close();
  } finally {
    await runner.close();
  }
});

Deno.test("1,000 sessions opened at once: those past maxSessions are refused with a code", async () => {
  const runner = new PipelineRunner({ maxSessions: 4 });
  const results = await Promise.allSettled(
    Array.from({ length: 1_000 }, () => runner.stream(gain())),
  );
  const opened = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<
    Session
  >[];
  const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
  assert.equal(opened.length, 4);
  assert.equal(refused.length, 996);
  assert.ok(refused.every((r) => isCode("session_limit_reached")(r.reason)));
  assert.equal(runner.refused, 996);
  await runner.close();
  assert.equal(runner.active, 0);
  const again = await runner.stream(gain()); // room again
  await again.close();
});

Deno.test("A session whose processor throws ends with a code; another session carries on", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY] });
  const healthy = await runner.stream(gain());
  const bad = await runner.stream(through("Thrower"));
  await bad.send("audio", block()).catch(() => {});
  await bad.done;
  assert.ok(isCode("session_processor_failed")(bad.error), String(bad.error));
  assert.equal(bad.error?.details.node, "bad");
  await assert.rejects(bad.send("audio", block()), isCode("session_processor_failed"));
  assert.equal(await healthy.send("audio", block()), 0);
  assert.equal(healthy.state, "running");
  await healthy.close();
});

Deno.test("A session whose isolate dies (an uncaught error or rejection) ends with session_isolate_died", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY] });
  try {
    for (const name of ["Crasher", "Rejecter"]) {
      const session = await runner.stream(through(name));
      await session.send("audio", block()).catch(() => {});
      await session.done;
      assert.ok(isCode("session_isolate_died")(session.error), `${name}: ${session.error}`);
    }
    assert.equal(runner.active, 0);
  } finally {
    await runner.close();
  }
});

Deno.test("A session whose isolate ends itself (Deno.exit, process.exit, close) ends with session_isolate_died at once", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY], idleTimeoutMs: 30_000 });
  try {
    for (const [name, code] of [["Exiter", 3], ["ProcessExiter", 4], ["Closer", 0]] as const) {
      const session = await runner.stream(through(name));
      const sent = performance.now();
      await session.send("audio", block()).catch(() => {});
      await session.done;
      const tookMs = performance.now() - sent;
      assert.ok(isCode("session_isolate_died")(session.error), String(session.error));
      assert.match(String(session.error?.message), new RegExp(`exited \\(code ${code}\\)`));
      assert.ok(tookMs < 5_000, `${name}: ended ${tookMs.toFixed(0)} ms after the frame`);
    }
    assert.equal(runner.active, 0);
  } finally {
    await runner.close();
  }
});

Deno.test("A session that hangs is ended by its idle timeout; the runner goes on", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY], idleTimeoutMs: 2_000 });
  const session = await runner.stream(through("Hanger"));
  session.send("audio", block()).catch(() => {});
  const error = await (async () => {
    try {
      for await (const _ of session.outputs()) { /* nothing comes */ }
    } catch (error) {
      return error;
    }
  })();
  assert.ok(isCode("session_idle_timeout")(error), String(error));
  assert.equal(runner.active, 0);
  const next = await runner.stream(through("Hanger")); // the runner itself is fine
  await next.close();
});

Deno.test("A processor that never returns is stopped at maxRunMs: the session ends, its thread stops", async () => {
  // In a process of its own, whose CPU after the session's end is then this isolate's alone: in
  // Deno 2.9 `Worker.terminate()` leaves a spinning Worker's thread running.
  const fixture = new URL("./fixtures/hung_session.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture.href],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, text.decode(stderr));
  const result = JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!);
  assert.equal(result.code, "session_processor_failed", JSON.stringify(result));
  assert.equal(result.details.cause, "max_run_ms");
  assert.equal(result.details.maxRunMs, 500);
  assert.match(result.message, /ran for more than 500 ms without returning \(maxRunMs\)/);
  // The node whose call was stopped is named (the runtime records it: RuntimeTimers.running).
  assert.match(result.message, /: node 'bad' \(Hanger\) ran for more than/);
  assert.equal(result.details.node, "bad");
  assert.equal(result.details.type, "Hanger");
  assert.ok(result.endedAfterMs >= 500, `ended after ${result.endedAfterMs} ms`);
  // A thread still spinning would have used about 2 s of CPU in these 2 s.
  assert.ok(result.cpuAfterEnd < 0.5, `${result.cpuAfterEnd} s of CPU in the 2 s after the end`);
  assert.equal(result.active, 0);
});

Deno.test("A busy session is ended by its maximum length", async () => {
  const runner = new PipelineRunner({ maxSessionMs: 4_000 });
  const error = await (async () => {
    try {
      const session = await runner.stream(gain());
      const outputs = session.outputs()[Symbol.asyncIterator]();
      while (true) {
        await session.send("audio", block());
        await outputs.next();
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (error) {
      return error;
    }
  })();
  // Under load the isolate may not even start within the limit: the same code either way.
  assert.ok(isCode("session_too_long")(error), String(error));
  assert.equal(runner.active, 0);
});

Deno.test("close() mid-stream frees the session: iteration finishes, sends are refused", async () => {
  const runner = new PipelineRunner();
  const session = await runner.stream(gain());
  const reading = (async () => {
    let n = 0;
    for await (const _ of session.outputs()) n++;
    return n;
  })();
  for (let i = 0; i < 10; i++) await session.send("audio", block());
  await session.close();
  assert.ok((await reading) <= 10);
  assert.equal(session.state, "closed");
  assert.equal(runner.active, 0);
  await assert.rejects(session.send("audio", block()), isCode("session_closed"));
  assert.throws(() => session.end("audio"), isCode("session_closed"));
});

Deno.test("A manifest that does not load, or is over the memory budget, is refused with its code", async () => {
  const runner = new PipelineRunner({ memoryBudgetBytes: 10_000 });
  await assert.rejects(
    runner.stream({ version: 1, nodes: [{ id: "fx", type: "Gian" }] }),
    (e) => isCode("invalid_manifest")(e) && Array.isArray((e as SessionError).details.issues),
  );
  await assert.rejects(
    runner.stream({
      version: 1,
      nodes: [
        { id: "tp", type: "TestPattern", config: { width: 1920, height: 1080 } },
        { id: "sink", type: "NullSink" },
      ],
      connections: [{ from: "tp.video", to: "sink.in" }],
    }),
    isCode("memory_budget_exceeded"),
  );
  await assert.rejects(runner.stream("not a manifest"), isCode("invalid_manifest"));
  const noRegistry = new PipelineRunner({
    registries: [new URL("../../core/app/tags.ts", import.meta.url)],
  });
  await assert.rejects(noRegistry.stream(gain()), isCode("plugin_no_registry"));
  assert.equal(runner.active, 0);
});

Deno.test("PipelineRunner's pool hands a started isolate to a session and refills", async () => {
  const runner = new PipelineRunner({ pool: 2 });
  assert.equal(runner.pooled, 2);
  const session = await runner.stream(gain(4));
  assert.equal(runner.pooled, 2, "refilled");
  await session.send("audio", block(0.25));
  session.end("audio");
  for await (const out of session.outputs()) {
    assert.equal((out.frame as { samples: Float32Array }).samples[0], 1);
  }
  await session.close();
  await runner.close();
  assert.equal(runner.pooled, 0);
  assert.throws(() => new PipelineRunner({ pool: -1 }), RangeError);
});

Deno.test("PipelineRunner's pool refills after a burst of opens one isolate at a time", async () => {
  const runner = new PipelineRunner({ pool: 3 });
  const opening = [1, 2, 3].map((g) => runner.stream(gain(g)));
  // Three taken: one replacement preloads; the next starts once it has said it is done.
  assert.equal(runner.pooled, 1);
  const sessions = await Promise.all(opening);
  const seen = [1];
  const deadline = Date.now() + 60_000;
  while (runner.pooled < 3 && Date.now() < deadline) {
    if (seen.at(-1) !== runner.pooled) seen.push(runner.pooled);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  seen.push(runner.pooled);
  assert.deepEqual(seen, [1, 2, 3]);
  for (const [i, session] of sessions.entries()) {
    await session.send("audio", block(0.25));
    session.end("audio");
    for await (const out of session.outputs()) {
      assert.equal((out.frame as { samples: Float32Array }).samples[0], 0.25 * (i + 1));
    }
    await session.close();
  }
  await runner.close();
});

Deno.test("PipelineRunner.execute() takes a pooled isolate and refills the pool when it ends", async () => {
  const manifest = {
    version: 1,
    nodes: [
      { id: "gain", type: "Gain", config: { gain: 0.5 } },
      { id: "reverb", type: "Reverb", config: { roomSize: 0.5, damping: 0.5, wet: 0.3, dry: 0.7 } },
    ],
    connections: [{ from: "gain.out", to: "reverb.in" }],
    inputs: { audio: "gain.in" },
    outputs: { audio: "reverb.out" },
  };
  const runner = new PipelineRunner({ pool: 1, warmup: [manifest] });
  assert.equal(runner.pooled, 1);
  const pooledDuringRun: number[] = [];
  const input = new Float32Array(2 * 4800).map((_, i) => Math.sin(i * 0.01) * 0.5);
  async function* blocks() {
    for (let i = 0; i < 3; i++) {
      pooledDuringRun.push(runner.pooled);
      yield { kind: "audio", channels: 2, sampleRate: 48_000, samples: input.slice() } as const;
    }
  }
  const outputs = await runner.execute(manifest, { audio: blocks() });
  assert.deepEqual(pooledDuringRun, [0, 0, 0], "the run's isolate came from the pool");
  assert.equal(runner.pooled, 1, "refilled once the run ended");
  // The session's native reverb gives what the TypeScript Freeverb gives, bit for bit.
  const reference = new Freeverb({ sampleRate: 48_000, wet: 0.3, dry: 0.7 });
  for (const { frame } of outputs.audio) {
    const want = input.map((x) => x * 0.5);
    reference.process(want);
    assert.deepEqual((frame as { samples: Float32Array }).samples, want);
  }
  assert.equal(outputs.audio.length, 3);
  await assert.rejects(runner.execute("not a manifest", {}), isCode("invalid_manifest"));
  assert.equal(runner.pooled, 1, "refilled after a manifest that does not load");
  await runner.close();
});

Deno.test("PipelineRunner's poolRefillDelayMs starts the replacement isolate later", async () => {
  assert.throws(() => new PipelineRunner({ poolRefillDelayMs: -1 }), RangeError);
  const runner = new PipelineRunner({ pool: 1, poolRefillDelayMs: 200 });
  assert.equal(runner.pooled, 1);
  const outputs = await runner.execute(gain(2), { audio: [block(0.25)] });
  assert.equal((outputs.audio[0].frame as { samples: Float32Array }).samples[0], 0.5);
  assert.equal(runner.pooled, 0, "not refilled yet");
  const deadline = Date.now() + 30_000;
  while (runner.pooled === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(runner.pooled, 1, "refilled after the delay");
  await runner.close();
});

Deno.test("a session's parameters set the config fields its manifest declares", async () => {
  const runner = new PipelineRunner({ pool: 1 });
  try {
    const manifest = tunable();
    const first = await runner.execute(manifest, { audio: [block(0.25)] }, {
      parameters: { gain: 3 },
    });
    assert.equal((first.audio[0].frame as { samples: Float32Array }).samples[0], 0.75);
    const plain = await runner.execute(manifest, { audio: [block(0.25)] });
    assert.equal((plain.audio[0].frame as { samples: Float32Array }).samples[0], 0.25);
    const session = await runner.stream(manifest, { parameters: { gain: 2 } });
    await session.send("audio", block(0.25));
    session.end("audio");
    const out = [];
    for await (const item of session.outputs()) out.push(item);
    assert.equal((out[0].frame as { samples: Float32Array }).samples[0], 0.5);
    await session.close();

    await assert.rejects(
      runner.stream(manifest, { parameters: { gian: 2 } }),
      (error) =>
        isCode("unknown_parameter")(error) &&
        /could not start: The pipeline has no parameter gian\. Did you mean gain\?/.test(
          (error as Error).message,
        ) && (error as SessionError).details.parameter === "gian",
    );
    await assert.rejects(
      runner.stream(manifest, { parameters: { gain: -1 } }),
      (error) =>
        isCode("invalid_parameter")(error) &&
        /Parameter gain \(fx\.gain\) must be a number from 0 to 16, got -1/.test(
          (error as Error).message,
        ),
    );
    // Values that cannot cross to an isolate are refused before one is taken.
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    await assert.rejects(
      runner.stream(manifest, { parameters: { gain: deep } as never }),
      (error) =>
        isCode("invalid_parameter")(error) && /more than 64 levels deep/.test(String(error)),
    );
    await assert.rejects(
      runner.stream(manifest, { parameters: [1] as never }),
      isCode("invalid_parameter"),
    );
    // A manifest with no parameters takes none.
    await assert.rejects(
      runner.execute(gain(2), { audio: [] }, { parameters: { gain: 1 } }),
      isCode("unknown_parameter"),
    );
    assert.equal(runner.active, 0);
  } finally {
    await runner.close();
  }
});

Deno.test("Session.configure() changes live parameters of a running session, all or none", async () => {
  const runner = new PipelineRunner();
  try {
    // `channels`: a field ChannelConverter takes only at start (on a node beside the path).
    const session = await runner.stream({
      ...tunable(),
      nodes: [
        { id: "fx", type: "Gain", config: { gain: 1 } },
        { id: "cc", type: "ChannelConverter", config: { channels: 2 } },
      ],
      parameters: { gain: "fx.gain", channels: "cc.channels" },
    }, { parameters: { gain: 2, channels: 1 } });
    const outputs = session.outputs()[Symbol.asyncIterator]();
    const roundTrip = async () => {
      await session.send("audio", block(0.25));
      const { value } = await outputs.next();
      return (value!.frame as { samples: Float32Array }).samples[0];
    };
    assert.equal(await roundTrip(), 0.5);
    await session.configure({ gain: 3 });
    assert.equal(await roundTrip(), 0.75);
    await assert.rejects(
      session.configure({ gain: 3, gian: 1 }),
      (error) =>
        isCode("unknown_parameter")(error) &&
        (error as SessionError).details.available !== undefined,
    );
    await assert.rejects(session.configure({ gain: -5 }), isCode("invalid_parameter"));
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    await assert.rejects(session.configure({ gain: deep as number }), isCode("invalid_parameter"));
    await assert.rejects(
      session.configure({ gain: 1, channels: 2 }),
      (error) =>
        isCode("config_locked")(error) &&
        /Cannot set parameters of session 's\d+': Parameter channels \(cc\.channels\) is set when the pipeline starts, not while it runs; parameters that change while it runs: gain/
          .test((error as Error).message),
    );
    assert.equal(await roundTrip(), 0.75, "a refused change changes nothing; the session goes on");
    assert.equal(session.state, "running");
    await session.close();
    await assert.rejects(session.configure({ gain: 1 }), isCode("session_closed"));
  } finally {
    await runner.close();
  }
});
