import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import {
  ConfigValidationError,
  connectLocal,
  createProcessContext,
  InputBinding,
  type MediaClock,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { HandProcessContext } from "../../core/processor/create_context.ts";
import { Y4mHeaderError, Y4mNotFoundError, Y4mReadError } from "../formats/_y4m_errors.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";
import { createRuntime } from "../mod.ts";
import { y4mFileSourceNode } from "./y4m_file_source.gen.ts";

const clock: MediaClock = { nowNs: () => 0 };
const ctx: HandProcessContext = createProcessContext("y4m", { clock });

/** FFmpeg's `testsrc` as a Y4M file, and the same frames as raw I420 bytes. */
async function testsrc(dir: string, size: string, frames: number) {
  const path = `${dir}/testsrc_${size}.y4m`;
  const input = ["-v", "error", "-f", "lavfi", "-i", `testsrc=size=${size}:rate=10`];
  await run("ffmpeg", [...input, "-frames:v", `${frames}`, "-pix_fmt", "yuv420p", "-y", path]);
  const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-"])).stdout;
  return { path, raw };
}

async function start(config: Record<string, unknown>) {
  const ports = y4mFileSourceNode.ports();
  const source = y4mFileSourceNode.create(config, ports);
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(ports.output<VideoFrame>("video"), sink, { capacity: 4, policy: "fifo" });
  const declared: number[] = [];
  const loop = { periodNs: undefined, setPeriodNs: (ns: number) => void declared.push(ns) };
  const setup: SetupContext = { ...ctx, loop };
  await source.setup(setup);
  return { source, sink, declared };
}

Deno.test("Y4mFileSource plays FFmpeg's testsrc byte for byte at the header's frame rate, and says end of stream with the last frame", async () => {
  await withTempDir(async (dir) => {
    const { path, raw } = await testsrc(dir, "64x48", 5);
    const ctx = createProcessContext("y4m", { clock });
    const { source, sink, declared } = await start({ path });
    assert.deepEqual(declared, [100_000_000]);
    assert.equal(source.periodNs, 100_000_000);
    assert.deepEqual(source.header, {
      ...source.header,
      width: 64,
      height: 48,
      frameRate: { numerator: 10, denominator: 1 },
    });
    const frameBytes = 64 * 48 * 3 / 2;
    for (let n = 0; n < 5; n++) {
      assert.ok(!source.ended && !ctx.ended, `not ended before frame ${n}`);
      await source.process(ctx);
      ctx.frames.flush();
      const frame = sink.read()!;
      assert.deepEqual(
        [frame.format, frame.width, frame.height, frame.stride, frame.frameNumber],
        ["I420", 64, 48, 64, n],
      );
      assert.equal(frame.timestampNs, n * 100_000_000);
      assert.deepEqual(
        frame.data,
        raw.subarray(n * frameBytes, (n + 1) * frameBytes),
        `frame ${n}`,
      );
    }
    assert.ok(source.ended && ctx.ended, "ended with the last frame");
    await source.process(ctx);
    assert.equal(sink.read(), undefined);
    source.teardown();
  });
});

Deno.test("Y4mFileSource with loop starts again from the first frame", async () => {
  await withTempDir(async (dir) => {
    const { path, raw } = await testsrc(dir, "32x24", 3);
    const { source, sink } = await start({ path, loop: true });
    const frameBytes = 32 * 24 * 3 / 2;
    for (let n = 0; n < 7; n++) {
      await source.process(ctx);
      const frame = sink.read()!;
      assert.equal(frame.frameNumber, n);
      const k = n % 3;
      assert.deepEqual(
        frame.data,
        raw.subarray(k * frameBytes, (k + 1) * frameBytes),
        `frame ${n}`,
      );
    }
    assert.ok(!source.ended);
    source.teardown();
  });
});

Deno.test("Y4mFileSource names the missing field, the missing file and an odd size", async () => {
  assert.throws(
    () => y4mFileSourceNode.create({ loop: true }),
    (e: unknown) => e instanceof ConfigValidationError && e.issues[0].field === "path",
  );
  await assert.rejects(
    () => y4mFileSourceNode.create({ path: "/nonexistent/a.y4m" }).setup(ctx),
    Y4mNotFoundError,
  );
  await withTempDir(async (dir) => {
    const path = `${dir}/odd.y4m`;
    await Deno.writeTextFile(path, "YUV4MPEG2 W5 H3 F25:1 C420jpeg\n");
    await assert.rejects(
      () => y4mFileSourceNode.create({ path }).setup(ctx),
      (e: unknown) =>
        e instanceof Y4mHeaderError && e.found === "W5 H3" && /size 5x3 is odd/.test(e.message),
    );
  });
});

Deno.test("Y4mFileSource refuses a folder, a device and a FIFO with code not_regular_file, without blocking", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.y4m`;
    await run("mkfifo", [fifo]);
    for (
      const [path, found] of [[dir, "directory"], ["/dev/zero", "character device"], [fifo, "FIFO"]]
    ) {
      await assert.rejects(
        () => y4mFileSourceNode.create({ path }).setup(ctx),
        (e: unknown) =>
          e instanceof Y4mReadError && e.code === "not_regular_file" &&
          (e as Y4mReadError & { found: string }).found === found &&
          e.message.includes("expected a regular .y4m file"),
      );
    }
  });
});

Deno.test("Y4mFileSource on a FIFO with no writer: the node fails at setup and the runtime stops within a second", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.y4m`;
    await run("mkfifo", [fifo]);
    await using rt = createRuntime({ workers: false });
    const errors: string[] = [];
    rt.on((e) => e.type === "node-error" && errors.push(`${e.node} ${e.phase} ${e.name}`));
    rt.add("Y4mFileSource", { path: fifo }, { id: "y4m" });
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("y4m", "video", "sink", "in");
    const started = performance.now();
    await rt.start();
    await rt.stop();
    const ms = performance.now() - started;
    assert.deepEqual(errors, ["y4m setup Y4mNotRegularFileError"]);
    assert.ok(ms < 1000, `start and stop took ${ms} ms`);
  });
});

Deno.test("Y4mFileSource in a runtime, in one isolate and in a Worker, plays every frame, ends the stream and leaks none", async () => {
  await withTempDir(async (dir) => {
    const { path } = await testsrc(dir, "64x48", 12);
    for (const worker of [false, true]) {
      const { leaks, problems, stats } = await runForLeaks(
        (rt, placement) => {
          rt.add("Y4mFileSource", { path }, { id: "y4m", placement });
          rt.add("NullSink", {}, { id: "sink" });
          rt.connectByName("y4m", "video", "sink", "in", { capacity: 16, policy: "fifo" });
        },
        (rt) => rt.ended, // end-of-stream: the source ended and the sink read all it queued
        { worker },
      );
      assert.deepEqual(problems, [], `worker: ${worker}`);
      assert.deepEqual(leaks, [], `worker: ${worker}`);
      assert.equal(stats.nodes.sink.framesIn, 12);
    }
  });
});
