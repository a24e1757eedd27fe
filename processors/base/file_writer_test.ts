import assert from "node:assert/strict";
import { config, createProcessContext, type ProcessContext, processor } from "../../mod.ts";
import type { ProcessorTypes } from "../../mod.ts";
import { FileWriter } from "./file_writer.ts";

/** A take that only records what happened to it. */
class Take {
  finished = 0;
  constructor(readonly path: string) {}
}

interface TakesTypes extends ProcessorTypes {
  readonly config: { path: string };
}

@processor({ mode: "push" })
class TakeWriter extends FileWriter<TakesTypes, Take> {
  @config()
  config!: { path: string };

  opened: string[] = [];
  failNextOpen = false;

  protected open(path: string): Promise<Take> {
    if (this.failNextOpen) return Promise.reject(new Deno.errors.NotFound(path));
    this.opened.push(path);
    return Promise.resolve(new Take(path));
  }

  protected async finish(take: Take): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    take.finished++;
  }

  process(_ctx: ProcessContext): void {}

  get current(): Take | undefined {
    return this.openFile;
  }

  get last(): Take | undefined {
    return this.file;
  }
}

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FileWriter.setup() opens config.path first, then the next free numbered sibling", async () => {
  await inTempDir(async (dir) => {
    const writer = new TakeWriter();
    writer.config = { path: `${dir}/take.wav` };
    const ctx = createProcessContext("rec");
    await writer.setup(ctx);
    assert.equal(writer.path, `${dir}/take.wav`);
    await Deno.writeFile(`${dir}/take.wav`, new Uint8Array(1)); // as a real writer leaves it
    await Deno.writeFile(`${dir}/take-1.wav`, new Uint8Array(1)); // someone else's file
    await writer.setup(ctx);
    assert.equal(writer.path, `${dir}/take-2.wav`);
    assert.deepEqual(writer.opened, [`${dir}/take.wav`, `${dir}/take-2.wav`]);
  });
});

Deno.test("FileWriter.setup() finishes the previous take before opening the next", async () => {
  await inTempDir(async (dir) => {
    const writer = new TakeWriter();
    writer.config = { path: `${dir}/a.y4m` };
    const ctx = createProcessContext("rec");
    await writer.setup(ctx);
    const first = writer.current!;
    await writer.setup(ctx);
    assert.equal(first.finished, 1);
    assert.notEqual(writer.current, first);
    assert.equal(writer.current?.finished, 0);
  });
});

Deno.test("FileWriter.teardown() finishes the take once and returns the same promise", async () => {
  await inTempDir(async (dir) => {
    const writer = new TakeWriter();
    writer.config = { path: `${dir}/a.wav` };
    await writer.setup(createProcessContext("rec"));
    const take = writer.current!;
    const a = writer.teardown();
    const b = writer.teardown();
    assert.equal(a, b);
    await a;
    await writer.teardown();
    assert.equal(take.finished, 1);
    assert.equal(writer.current, undefined, "openFile ends with teardown");
    assert.equal(writer.last, take, "file stays for counters");
  });
});

Deno.test("FileWriter.teardown() before setup() resolves without a file", async () => {
  const writer = new TakeWriter();
  writer.config = { path: "unused.wav" };
  await writer.teardown();
  assert.equal(writer.last, undefined);
  assert.equal(writer.path, "");
});

Deno.test("FileWriter.setup() whose open() throws leaves no open file", async () => {
  await inTempDir(async (dir) => {
    const writer = new TakeWriter();
    writer.config = { path: `${dir}/a.wav` };
    const ctx = createProcessContext("rec");
    await writer.setup(ctx);
    writer.failNextOpen = true;
    await assert.rejects(writer.setup(ctx), Deno.errors.NotFound);
    assert.equal(writer.current, undefined);
    assert.equal(writer.last?.finished, 1, "the previous take was finished first");
  });
});
