import assert from "node:assert/strict";
import {
  config,
  connectLocal,
  createProcessContext,
  type DataFrame,
  input,
  type InputBinding,
  type InputPort,
  OutputBinding,
  type ProcessContext,
  processor,
  type ProcessorTypes,
} from "../../mod.ts";
import { type FrameFile, FrameWriter } from "./frame_writer.ts";

/** A file in memory: the numbers written, in order. */
class NumbersFile implements FrameFile {
  readonly values: number[] = [];
  closed = 0;
  get framesWritten(): number {
    return this.values.length;
  }
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

class NegativeError extends RangeError {
  readonly code = "negative";
}

interface NumbersTypes extends ProcessorTypes {
  readonly config: { path: string };
}

@processor({ mode: "push" })
class NumberWriter extends FrameWriter<NumbersTypes, NumbersFile, DataFrame<number>, number> {
  @input()
  in!: InputPort<DataFrame<number>>;

  @config()
  config!: { path: string };

  files: NumbersFile[] = [];

  protected open(): Promise<NumbersFile> {
    this.files.push(new NumbersFile());
    return Promise.resolve(this.files.at(-1)!);
  }
  protected read(): DataFrame<number> | undefined {
    return this.in.read();
  }
  protected encode(frame: DataFrame<number>): number {
    if (frame.value < 0) throw new NegativeError(`Cannot write ${frame.value}: negative`);
    return frame.value * 10;
  }
  protected write(file: NumbersFile, value: number): Promise<void> {
    file.values.push(value);
    return Promise.resolve();
  }
}

function wired(): {
  writer: NumberWriter;
  send: (...values: number[]) => void;
  ctx: ProcessContext;
  dropped: unknown[];
} {
  const writer = new NumberWriter();
  writer.config = { path: "numbers.txt" };
  const source = new OutputBinding<DataFrame<number>>("source", "DataFrame");
  connectLocal(source, writer.in as InputBinding<DataFrame<number>>);
  const dropped: unknown[] = [];
  const ctx = createProcessContext("numbers");
  // Count drops here instead of in the node's stats.
  Object.assign(ctx.frames, { drop: (frame: unknown) => void dropped.push(frame) });
  const send = (...values: number[]) => {
    for (const value of values) source.write({ kind: "data", timestampNs: 0, value });
  };
  return { writer, send, ctx, dropped };
}

Deno.test("FrameWriter.process() encodes and writes every waiting frame in order", async () => {
  const { writer, send, ctx, dropped } = wired();
  await writer.setup(ctx);
  send(1, 2, 3);
  await writer.process(ctx);
  assert.deepEqual(writer.files[0].values, [10, 20, 30]);
  assert.equal(writer.framesWritten, 3);
  assert.deepEqual(dropped, []);
});

Deno.test("FrameWriter.process() drops the frame encode() refuses and fails with its error", async () => {
  const { writer, send, ctx, dropped } = wired();
  await writer.setup(ctx);
  send(1, -2, 3);
  await assert.rejects(writer.process(ctx), NegativeError);
  assert.deepEqual(writer.files[0].values, [10]);
  assert.deepEqual(dropped.map((f) => (f as DataFrame<number>).value), [-2]);
  await writer.process(ctx); // the next run goes on with the frames after it
  assert.deepEqual(writer.files[0].values, [10, 30]);
});

Deno.test("FrameWriter.process() after teardown() counts every frame read as dropped", async () => {
  const { writer, send, ctx, dropped } = wired();
  await writer.setup(ctx);
  send(1);
  await writer.process(ctx);
  await writer.teardown();
  send(2, 3);
  await writer.process(ctx);
  assert.deepEqual(writer.files[0].values, [10]);
  assert.equal(dropped.length, 2);
  assert.equal(writer.files[0].closed, 1);
  assert.equal(writer.framesWritten, 1, "the last take's count stays after teardown");
});

Deno.test("FrameWriter.framesWritten is 0 before setup() and counts per take", async () => {
  const { writer, send, ctx } = wired();
  assert.equal(writer.framesWritten, 0);
  await writer.setup(ctx);
  send(1, 2);
  await writer.process(ctx);
  await writer.setup(ctx); // a second take
  assert.equal(writer.files[0].closed, 1);
  assert.equal(writer.framesWritten, 0);
  send(5);
  await writer.process(ctx);
  assert.equal(writer.framesWritten, 1);
});

Deno.test("FrameWriter.process() before setup() drops what it reads", async () => {
  const { writer, send, ctx, dropped } = wired();
  send(1);
  await writer.process(ctx);
  assert.equal(dropped.length, 1);
});
