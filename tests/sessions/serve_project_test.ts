/**
 * `streamlib serve` in a project made by `streamlib new project`: sessions know the project's own
 * processors (its `deno.json` codegen folders) beside the built-in ones, with no `--registry`, as
 * `run` and `validate` do; `--registry` still replaces both; a project whose generated registry
 * does not import stops serve at start with a code naming the file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { delimiter, dirname, join } from "node:path";
import { main } from "../../cli/streamlib.ts";
import { connect } from "../../sessions/client/mod.ts";
import { block } from "./ws_helpers.ts";

const DENO_PATH = `${dirname(Deno.execPath())}${delimiter}${Deno.env.get("PATH") ?? ""}`;

/** `deno task streamlib <args>` in `cwd`, as the project's README says to run it. */
function task(cwd: string, args: readonly string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "streamlib", ...args],
    cwd,
    env: { PATH: DENO_PATH, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The first line of `stream`, and the rest of the stream drained into `rest`. */
async function firstLine(
  stream: ReadableStream<Uint8Array>,
  rest: { text: string },
): Promise<string | undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    text += decoder.decode(value, { stream: true });
  }
  rest.text += text.slice(text.indexOf("\n") + 1);
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      rest.text += decoder.decode(value, { stream: true });
    }
  })();
  return text.slice(0, text.indexOf("\n"));
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** A new project with `pipelines/` serving its Tremolo and the built-in Gain. */
async function newProject(dir: string): Promise<string> {
  const target = join(dir, "voice-lab");
  const err: string[] = [];
  const code = await main(["new", "project", "VoiceLab", "--dir", target], {
    out: () => {},
    err: (t) => err.push(t),
  });
  assert.equal(code, 0, err.join("\n"));
  const codegen = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "codegen"],
    cwd: target,
    env: { PATH: DENO_PATH, NO_COLOR: "1" },
  }).output();
  assert.equal(codegen.code, 0, new TextDecoder().decode(codegen.stderr));
  await Deno.mkdir(join(target, "pipelines"), { recursive: true }); // the template has one
  const write = (name: string, manifest: unknown) =>
    Deno.writeTextFile(join(target, "pipelines", `${name}.json`), JSON.stringify(manifest));
  await write("tremolo", {
    version: 1,
    nodes: [{ id: "fx", type: "Tremolo", config: { rate: 5, depth: 1 } }],
    inputs: { audio: "fx.in" },
    outputs: { audio: "fx.out" },
  });
  await write("louder", {
    version: 1,
    nodes: [{ id: "g", type: "Gain", config: { gain: 2 } }],
    inputs: { audio: "g.in" },
    outputs: { audio: "g.out" },
  });
  return target;
}

Deno.test({
  name: "streamlib serve in a new project: its own processors and the built-ins, no --registry",
  // A project's type check and a server with Workers: tens of seconds on a busy machine.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_project_" });
    try {
      const project = await newProject(dir);

      // Without --json: the summary says where the project's processors came from, and no
      // manifest is warned about.
      const plain = task(project, ["serve", "pipelines", "--port", "0", "--no-webrtc"]);
      const plainErr = { text: "" };
      const stderrDone = readAll(plain.stderr).then((t) => (plainErr.text = t));
      const plainOut = { text: "" };
      const first = await firstLine(plain.stdout, plainOut);
      assert.equal(first, "streamlib serve: 2 pipelines: louder, tremolo");
      await new Promise((r) => setTimeout(r, 200));
      assert.match(
        plainOut.text,
        /^ {2}processors: the built-in ones and the project's \(processors\/registry\.gen\.ts\)$/m,
      );
      plain.kill("SIGTERM");
      assert.equal((await plain.status).code, 0);
      await stderrDone;
      assert.doesNotMatch(plainErr.text, /will not open/, plainErr.text);

      const child = task(project, ["serve", "pipelines", "--port", "0", "--json", "--no-webrtc"]);
      const stderr = { text: "" };
      const stderrRead = readAll(child.stderr).then((t) => (stderr.text = t));
      try {
        const line = await firstLine(child.stdout, { text: "" });
        if (line === undefined) assert.fail(`serve printed nothing:\n${await stderrRead}`);
        const { sessionsUrl } = JSON.parse(line);
        const client = connect(sessionsUrl);
        // 20 blocks of 10 ms: the tremolo's level (rate 5, depth 1) falls from 1 toward 0 and
        // back, so the blocks differ from what went in and from each other.
        const blocks = Array.from({ length: 20 }, () => block(0.5, 160));
        const out = await client.execute("tremolo", { audio: blocks });
        assert.equal(out.audio.length, 20);
        const firsts = out.audio.map((f) => (f.frame as { samples: Float32Array }).samples[0]);
        assert.ok(firsts.every((x) => x >= 0 && x <= 0.5), String(firsts));
        assert.ok(Math.min(...firsts) < 0.25, `no block was turned down: ${firsts}`);
        const louder = await client.execute("louder", { audio: [block(0.25)] });
        assert.equal((louder.audio[0].frame as { samples: Float32Array }).samples[0], 0.5);
      } finally {
        child.kill("SIGTERM");
        assert.equal((await child.status).code, 0, await stderrRead);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "streamlib serve in a project: --registry replaces its processors; a broken one exits 2",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_project_" });
    try {
      const project = await newProject(dir);
      await new Promise((r) => setTimeout(r, 100));
      // --registry with the built-ins only: the project's Tremolo is not the sessions'.
      const builtin = new URL("../../processors/registry.gen.ts", import.meta.url).href;
      const only = task(project, ["serve", "pipelines", "--port", "0", "--registry", builtin]);
      const onlyErr = { text: "" };
      const errRead = readAll(only.stderr).then((t) => (onlyErr.text = t));
      const out = { text: "" };
      assert.equal(
        await firstLine(only.stdout, out),
        "streamlib serve: 2 pipelines: louder, tremolo",
      );
      only.kill("SIGTERM");
      assert.equal((await only.status).code, 0);
      await errRead;
      assert.match(onlyErr.text, /pipeline 'tremolo' will not open \(invalid_manifest\)/);
      assert.doesNotMatch(out.text, /processors:/);

      // A generated registry that does not import: exit 2 naming the project's file.
      await Deno.writeTextFile(
        join(project, "processors", "registry.gen.ts"),
        'export { registry } from "./no_such_file.ts";\n',
      );
      const broken = await task(project, ["serve", "pipelines", "--port", "0"]).output();
      const said = new TextDecoder().decode(broken.stderr);
      assert.equal(broken.code, 2, said);
      assert.match(
        said,
        /^error: plugin_import_failed: Cannot import the project's processors\/registry\.gen\.ts /m,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
