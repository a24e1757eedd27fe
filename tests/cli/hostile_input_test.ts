/**
 * The command lines against hostile input (issue 14): device files, FIFOs and folders as
 * manifests, huge and deeply nested manifests, thousands of issues, out-of-range `--seconds`,
 * plugin code named in a manifest, and terminal escapes in ids, types and paths. Real files,
 * FIFOs and child processes; a child that hangs is killed and the test fails.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { main } from "../../cli/streamlib.ts";
import { validateManifest } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs `streamlib` as a child; kills it after `limitMs` (then `killed` is true). */
async function spawn(args: string[], limitMs = 30_000, cwd = root) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "cli/streamlib.ts"), ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, limitMs);
  const output = await child.output();
  clearTimeout(timer);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, killed, out: decode(output.stdout), err: decode(output.stderr) };
}

async function capture(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "streamlib_hostile_" });
}

async function mkfifo(path: string): Promise<void> {
  const { code } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(code, 0, "mkfifo failed");
}

const TONE_SINK = {
  version: 1,
  nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "sink", type: "NullSink" }],
  connections: [{ from: "tone.audio", to: "sink.in" }],
};

Deno.test("run/validate refuse device files, FIFOs and folders at once with a typed code, exit 2", async () => {
  const dir = await tempDir();
  try {
    const fifo = join(dir, "pipeline.json");
    await mkfifo(fifo); // no writer: opening it would block forever
    for (const path of ["/dev/zero", "/dev/urandom", fifo, dir]) {
      for (const command of ["run", "validate"]) {
        const result = await spawn([command, path, "--json"]);
        assert.equal(result.killed, false, `${command} ${path} hung`);
        assert.equal(result.code, 2, `${command} ${path}: ${result.err}`);
        const line = JSON.parse(result.out.trim().split("\n")[0]);
        assert.equal(line.code, "not_regular_file", `${command} ${path}`);
        assert.match(result.err, /not a regular file/);
      }
    }
    // dashboard and mcp read manifests through the same reader.
    for (const args of [["dashboard", fifo, "--seconds", "1"], ["mcp", fifo]]) {
      const result = await spawn(args);
      const command = args[0];
      assert.equal(result.killed, false, `${command} hung`);
      assert.equal(result.code, 2, result.err);
      assert.match(result.err, /not a regular file/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a 20 MB, 10M-deep manifest is refused for its size; a 2 MB, 1M-deep one for its depth; messages stay short", async () => {
  const dir = await tempDir();
  try {
    const deep = (n: number) => `{"version":1,"nodes":${"[".repeat(n)}${"]".repeat(n)}}`;
    const big = join(dir, "big.json");
    await Deno.writeTextFile(big, deep(10_000_000));
    const tall = join(dir, "tall.json");
    await Deno.writeTextFile(tall, deep(1_000_000));
    for (
      const [path, code, pattern] of [
        [big, "too_large", /at most 4194304 bytes/],
        [tall, "too_deep", /more than 64 levels deep/],
      ] as const
    ) {
      const result = await spawn(["validate", path, "--json"]);
      assert.equal(result.killed, false);
      assert.equal(result.code, 1, result.err);
      assert.equal(JSON.parse(result.out).code, code);
      assert.match(result.err, pattern);
      assert.ok(result.err.length < 300, `stderr has ${result.err.length} characters`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate and run refuse a 100,000-character node id with the bound every front-end uses", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "long_id.json");
    const id = "n".repeat(100_000);
    await Deno.writeTextFile(
      path,
      JSON.stringify({ version: 1, nodes: [{ id, type: "NullSink" }], connections: [] }),
    );
    for (const command of ["validate", "run"]) {
      const result = await capture(command, path, "--json");
      assert.equal(result.code, 1, `${command}: ${result.err.slice(0, 300)}`);
      assert.match(result.err, /at most 64 characters, this one 100000/);
      assert.ok(result.err.length < 500, `${command}: stderr has ${result.err.length} characters`);
      assert.ok(result.out.length < 2000, `${command}: stdout has ${result.out.length} characters`);
      assert.ok(result.out.includes('"invalid_node_id"'), result.out.slice(0, 300));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validateManifest() refuses a deeply nested value without walking it, and quotes only its start", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  const issues = validateManifest(
    { version: 1, nodes: [{ id: "a", type: "Gain", config: { gain: deep } }] },
    builtinRegistry,
  );
  assert.deepEqual(issues.map((i) => i.code), ["too_deep"]);
  // A wide value (shallow enough) is quoted by its start only.
  const wide = validateManifest({ version: Array(1_000_000).fill(7), nodes: [] }, builtinRegistry);
  assert.equal(wide[0].path, "version");
  assert.ok(wide[0].message.length < 100, wide[0].message);
});

Deno.test("validate lists at most 50 issues with a count of the rest, and cuts long ids and types", async () => {
  const dir = await tempDir();
  try {
    const many = join(dir, "many.json");
    const nodes = Array.from({ length: 12_000 }, (_, i) => ({ id: `n${i}`, type: "Nope" }));
    await Deno.writeTextFile(many, JSON.stringify({ version: 1, nodes }));
    const result = await capture("validate", many);
    assert.equal(result.code, 1);
    const lines = result.err.split("\n");
    assert.equal(lines.length, 52);
    assert.equal(lines[0], `${many}: 12000 issues`);
    assert.equal(lines.at(-1), "  ... and 11950 more issues");
    assert.ok(result.err.length < 30_000, `stderr has ${result.err.length} characters`);
    const json = JSON.parse((await capture("validate", many, "--json")).out);
    assert.equal(json.issueCount, 12_000);
    assert.equal(json.issues.length, 50);
    assert.equal(json.issuesNotListed, 11_950);

    const long = join(dir, "long.json");
    const id = "a".repeat(1_000_000);
    await Deno.writeTextFile(
      long,
      JSON.stringify({
        version: 1,
        nodes: [{ id, type: "B".repeat(1_000_000) }, { id, type: "Gain" }],
        connections: [{ from: `${"c".repeat(100_000)}.x`, to: "d.y" }],
      }),
    );
    const cut = await capture("validate", long);
    assert.equal(cut.code, 1);
    assert.match(cut.err, /\.\.\. \(999936 more characters\)/);
    assert.ok(cut.err.length < 5_000, `stderr has ${cut.err.length} characters`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run and dashboard refuse --seconds past 2147483 (timer overflow), 1e999, NaN and 0, naming the range", async () => {
  for (const command of ["run", "dashboard"]) {
    for (const seconds of ["2147484", "1e999", "NaN", "Infinity", "0", "-1", ""]) {
      const result = await capture(
        command,
        "tests/fixtures/manifests/tone_sink.json",
        "--seconds",
        seconds,
      );
      assert.equal(result.code, 2, `${command} --seconds ${seconds}`);
      assert.match(
        result.err,
        /^error: invalid_flag: --seconds must be a number of seconds from above 0 to 2147483 \(24 days, 20 hours\)/,
      );
    }
  }
});

Deno.test("run --seconds 2147483 (the largest) keeps running until SIGTERM, then stops cleanly", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/streamlib.ts",
      "run",
      "tests/fixtures/manifests/tone_sink.json",
      "--seconds",
      "2147483",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  // Two status lines (one per second) prove the timer did not fire at once.
  while ((seen.match(/ running \|/g) ?? []).length < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill("SIGTERM");
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  const status = await child.status;
  await child.stderr.cancel();
  assert.match(seen, /for 2147483 s/);
  assert.match(seen, /stopped: /);
  assert.equal(status.code, 0);
});

Deno.test("validate runs no plugin code: a data: URL plugin writes its marker only with --load-plugins", async () => {
  const dir = await tempDir();
  try {
    const marker = join(dir, "marker");
    const plugin = `data:text/javascript,Deno.writeTextFileSync(${
      JSON.stringify(marker)
    },"ran");export const registry=[];`;
    const manifest = join(dir, "pipeline.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({ ...TONE_SINK, plugins: [plugin] }),
    );
    const exists = () => Deno.stat(marker).then(() => true, () => false);
    const validate = await spawn(["validate", manifest]);
    assert.equal(validate.code, 0, validate.err);
    assert.equal(await exists(), false, "validate ran plugin code");
    for (const command of ["run", "mcp", "dashboard"]) {
      const refused = await spawn([command, manifest]);
      assert.equal(refused.code, 2, `${command}: ${refused.err}`);
      assert.match(
        refused.err,
        new RegExp(`${command} imports and runs plugin code only with --load-plugins`),
      );
      assert.equal(await exists(), false, `${command} ran plugin code`);
    }
    const loaded = await spawn(["validate", "--load-plugins", manifest]);
    assert.equal(loaded.code, 0, loaded.err);
    assert.equal(await Deno.readTextFile(marker), "ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a plugin entry naming a FIFO or a device is refused before import (PluginLoadError code), never blocks", async () => {
  const dir = await tempDir();
  try {
    const fifo = join(dir, "plugin.ts");
    await mkfifo(fifo);
    for (const plugin of ["./plugin.ts", "/dev/zero", "./"]) {
      const manifest = join(dir, "pipeline.json");
      await Deno.writeTextFile(manifest, JSON.stringify({ ...TONE_SINK, plugins: [plugin] }));
      const result = await spawn(["validate", "--load-plugins", manifest, "--json"]);
      assert.equal(result.killed, false, `${plugin} hung`);
      assert.equal(result.code, 1);
      assert.equal(JSON.parse(result.out).code, "plugin_not_regular_file", plugin);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** No output a terminal would act on: no ESC, CR, BEL, bidi override, and no forged line. */
function assertInert(text: string, what: string): void {
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, what);
  assert.doesNotMatch(text, /^\s*valid: yes/m, `${what}: a forged line`);
}

Deno.test("ids, types, paths and flags with ESC, CR, LF and bidi overrides are printed escaped by validate, run and nodes", async () => {
  const dir = await tempDir();
  try {
    const evil = "x\x1b[2J\x1b[H\r\nvalid: yes\u202e\x07";
    // A file name with the same characters.
    const path = join(dir, `p${evil}.json`);
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        version: 1,
        [`k${evil}`]: 1,
        nodes: [
          { id: `a${evil}`, type: `T${evil}` },
          { id: "tone", type: "TestToneGenerator", config: { frequency: evil } },
        ],
        connections: [{ from: `tone${evil}.audio`, to: "x.y" }],
      }),
    );
    const results = [
      ["validate", await spawn(["validate", path])],
      ["run", await spawn(["run", path])],
      ["validate missing", await spawn(["validate", `${path}.missing`])],
      ["nodes info", await spawn(["nodes", "info", `Gain${evil}`])],
      ["flag", await spawn(["run", path, `--seconds=${evil}`])],
    ] as const;
    for (const [what, result] of results) {
      assert.equal(result.killed, false, what);
      assert.notEqual(result.code, 0, what);
      assertInert(result.out, `${what} stdout`);
      assertInert(result.err, `${what} stderr`);
      assert.match(result.err, /\\e\[2J\\e\[H\\r\\nvalid: yes\\u202e\\x07/, what);
    }
    // A valid manifest reached through a file name with escapes: the "valid" line is escaped too.
    const fine = join(dir, `ok${evil}.json`);
    await Deno.writeTextFile(fine, JSON.stringify(TONE_SINK));
    const valid = await spawn(["validate", fine]);
    assert.equal(valid.code, 0, valid.err);
    assertInert(valid.out, "valid stdout");
    assert.match(valid.out, /okx\\e\[2J.*: valid$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate reports writers that share a path or overwrite a source, naming the nodes", async () => {
  const dir = await tempDir();
  try {
    const wav = join(dir, "take.wav");
    const manifest = join(dir, "pipeline.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "tone", type: "TestToneGenerator" },
          { id: "a", type: "WavWriter", config: { path: wav } },
          { id: "b", type: "WavWriter", config: { path: wav } },
        ],
        connections: [{ from: "tone.audio", to: "a.in" }],
      }),
    );
    const result = await capture("validate", manifest, "--json");
    assert.equal(result.code, 1);
    const [issue] = JSON.parse(result.out).issues;
    assert.equal(issue.code, "file_path_conflict");
    assert.equal(issue.path, "nodes[2].config.path");
    assert.match(issue.message, /'a' and 'b' both write .*take\.wav/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
