/**
 * Every code example of README.md and docs/*.md, as a new user has it: in a fresh project beside
 * a checkout, whose `deno.json` is the one docs/getting_started.md shows (`@streamlib/streamlib`
 * and its entry points mapped to `../streamlib/`, every one of them: checked here), run from that
 * project's folder.
 *
 * - Fenced `ts` (and `typescript`) blocks are written to files of the project, type-checked together
 *   with `deno check`, then each is run with `deno run -A` (60 s at most) and must exit 0. The
 *   info string's `ignore` only tells `deno test --doc` not to run a block in the repository; it
 *   changes nothing here.
 * - Fenced `json` blocks must parse; a manifest (an object with `nodes`) must pass
 *   `streamlib validate`, and plugin metadata (`kind` and `entry`) must pass the plugin schema.
 * - Fenced `sh` blocks: every `streamlib` command they call (as `streamlib`, `deno task streamlib`,
 *   `jsr:@streamlib/streamlib/cli`, `.../cli/streamlib.ts` or the `run`, `validate`, `nodes`,
 *   `dashboard`, `mcp` and `codegen` tasks) must exist and take every `--flag` they give it (its
 *   `--help` lists it), every `deno task` must be a task of the repository or of a project
 *   `streamlib new project` writes, and every file `deno test` is given must exist.
 *
 * Relative imports in an example are relative to its page, as `deno test --doc` reads them (the
 * internals docs/cross_isolate.md imports by path), so they are rewritten to the checkout's files.
 *
 * An HTML comment just before a fence (a blank line between them) changes what happens to that
 * block:
 *
 * - `<!-- fragment: why -->`: neither checked nor run (a piece of a class, a project's own file).
 * - `<!-- check-only: why -->`: type-checked but not run (it serves until Ctrl-C, binds a fixed
 *   port, or publishes to a placeholder server).
 *
 * Both are kept few and listed in {@linkcode SKIPPED} below, so a new one fails this test until it
 * is listed here too. docs/writing_processors.md is not read here: its processors need codegen in a
 * project, which tests/docs/writing_processors_test.ts and tests/docs/getting_started_test.ts do.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parsePluginMetadata } from "../../plugins/mod.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

/** Every block a marker keeps from running, as `page: marker: why`. */
const SKIPPED = [
  "README.md: check-only: serves the dashboard on port 8787 until Ctrl-C",
  "docs/control_api.md: check-only: serves the dashboard on port 8787 until Ctrl-C",
  "docs/plugins.md: fragment: a project's own generated registry (codegen writes it)",
  "docs/plugins.md: check-only: needs a project's pipeline.json and its plugins",
  "docs/python_processors.md: check-only: needs the plugin folder of the page and python3",
  "docs/sessions.md: check-only: serves gRPC on port 50051 of every interface until closed",
];

/** A fenced code block of a page. */
interface Block {
  page: string;
  /** The fence's line, 1-based. */
  line: number;
  lang: string;
  code: string;
  /** `fragment` or `check-only`, from the comment before the fence. */
  marker?: "fragment" | "check-only";
  why?: string;
}

/** The fenced blocks of a page, indented ones (in lists) included, with their markers. */
function parseBlocks(page: string, text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,})(\S*)(.*)$/);
    if (!open) continue;
    const [, indent, ticks, lang] = open;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== ticks) end++;
    assert.ok(end < lines.length, `${page}:${i + 1}: a code block that never closes`);
    let before = i - 1; // deno fmt puts a blank line between the comment and the fence
    while (before > 0 && lines[before].trim() === "") before--;
    const mark = lines[before]?.trim().match(/^<!-- (fragment|check-only): (.+) -->$/);
    blocks.push({
      page,
      line: i + 1,
      lang,
      code: lines.slice(i + 1, end).map((l) => l.slice(indent.length)).join("\n") + "\n",
      marker: mark?.[1] as Block["marker"],
      why: mark?.[2],
    });
    i = end;
  }
  return blocks;
}

async function pages(): Promise<Block[]> {
  const names = ["README.md"];
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    if (entry.isFile && entry.name.endsWith(".md") && entry.name !== "writing_processors.md") {
      names.push(`docs/${entry.name}`);
    }
  }
  names.sort();
  const all: Block[] = [];
  for (const page of names) all.push(...parseBlocks(page, await Deno.readTextFile(ROOT + page)));
  return all;
}

const where = (b: Block) => `${b.page}:${b.line}`;

async function run(cwd: string, args: string[], timeoutMs = RUN_TIMEOUT_MS) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, signal: out.signal, out: text(out.stdout), err: text(out.stderr) };
}

/**
 * The example's code with its relative imports made absolute: from its page's folder in the
 * checkout `checkout` (the project's `../streamlib`, so that a module is the same one whether
 * it is imported by path or through the import map).
 */
function absoluteImports(block: Block, checkout: string): string {
  const page = pathToFileURL(`${checkout}/${block.page}`);
  return block.code.replace(
    /(from\s+|import\s*\(\s*|import\s+)(["'])(\.\.?\/[^"']+)\2/g,
    (_all, lead, quote, path) => `${lead}${quote}${new URL(path, page).href}${quote}`,
  );
}

/** A project beside a checkout with docs/getting_started.md's `deno.json`. */
async function project(): Promise<{ dir: string; project: string }> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_doc_examples_" });
  await Deno.symlink(ROOT, `${dir}/streamlib`);
  const project = `${dir}/my-project`;
  await Deno.mkdir(project);
  const config = parseBlocks(
    "docs/getting_started.md",
    await Deno.readTextFile(`${ROOT}docs/getting_started.md`),
  ).find((b) => b.lang === "json" && b.code.includes('"@streamlib/streamlib"'));
  assert.ok(config, "docs/getting_started.md shows a project's deno.json");
  await Deno.writeTextFile(`${project}/deno.json`, config.code);
  return { dir, project };
}

const blocks = await pages();
const typescript = blocks.filter((b) => b.lang === "ts" || b.lang === "typescript");

Deno.test("docs: the blocks kept from running are the listed ones", () => {
  const marked = blocks.filter((b) => b.marker).map((b) => `${b.page}: ${b.marker}: ${b.why}`);
  assert.deepEqual(marked.toSorted(), SKIPPED.toSorted());
  assert.ok(typescript.length >= 40, `only ${typescript.length} TypeScript examples found`);
});

Deno.test("docs: getting_started.md's deno.json maps every entry point of the package", async () => {
  const { exports } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const shown = parseBlocks(
    "docs/getting_started.md",
    await Deno.readTextFile(`${ROOT}docs/getting_started.md`),
  ).find((b) => b.lang === "json" && b.code.includes('"@streamlib/streamlib"'));
  assert.ok(shown, "docs/getting_started.md shows a project's deno.json");
  const expected = Object.fromEntries(
    Object.entries(exports as Record<string, string>).map((
      [entry, path],
    ) => [`@streamlib/streamlib${entry.slice(1)}`, `../streamlib/${path.slice(2)}`]),
  );
  assert.deepEqual(JSON.parse(shown.code).imports, expected);
});

Deno.test("docs: every TypeScript example type-checks and each complete one runs in a user's project", async (t) => {
  const { dir, project: cwd } = await project();
  try {
    const files = new Map<Block, string>();
    for (const block of typescript) {
      if (block.marker === "fragment") continue;
      const name = `${block.page.replace(/^docs\//, "").replace(/\.md$/, "")}_${block.line}.ts`;
      await Deno.writeTextFile(`${cwd}/${name}`, absoluteImports(block, `${dir}/streamlib`));
      files.set(block, name);
    }
    await t.step(`deno check of ${files.size} examples`, async () => {
      const check = await run(cwd, ["check", "--quiet", ...files.values()], 300_000);
      const named = [...files].reduce(
        (text, [block, name]) => text.replaceAll(name, `${name} (${where(block)})`),
        check.err,
      );
      assert.equal(check.code, 0, `the examples do not type-check:\n${named}`);
    });
    for (const [block, name] of files) {
      if (block.marker === "check-only") continue;
      await t.step(`${where(block)} runs`, async () => {
        const result = await run(cwd, ["run", "-A", "--unstable-webgpu", name]);
        assert.equal(
          result.code,
          0,
          `${where(block)} exited with ${result.code}${
            result.signal ? ` (${result.signal})` : ""
          }` +
            `:\n${result.out}${result.err}`,
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs: every JSON example parses, manifests validate and plugin metadata passes its schema", async () => {
  const { dir, project: cwd } = await project();
  try {
    const json = blocks.filter((b) => b.lang === "json" && b.marker !== "fragment");
    assert.ok(json.length >= 15, `only ${json.length} JSON examples found`);
    let manifests = 0;
    for (const block of json) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(block.code);
      } catch (error) {
        throw new Error(`${where(block)} is not JSON: ${(error as Error).message}`);
      }
      if (Array.isArray(value.nodes)) {
        manifests++;
        await Deno.writeTextFile(`${cwd}/example.json`, block.code);
        const result = await run(cwd, [
          "run",
          "-A",
          "../streamlib/cli/streamlib.ts",
          "validate",
          "example.json",
        ]);
        assert.equal(
          result.code,
          0,
          `${where(block)} does not validate:\n${result.out}${result.err}`,
        );
      } else if ("kind" in value && "entry" in value) {
        assert.doesNotThrow(
          () => parsePluginMetadata(value, where(block)),
          `${where(block)} is not valid plugin metadata`,
        );
      }
    }
    assert.ok(manifests >= 6, `only ${manifests} manifests found`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The tasks that are `streamlib <task>`. */
const TASK_COMMANDS = new Set(["run", "validate", "nodes", "dashboard", "mcp", "codegen"]);

/** The `streamlib` commands a shell block calls: `[command, flags]` with where they are. */
function cliCalls(block: Block): { at: string; command: string; flags: string[] }[] {
  const calls = [];
  const script = block.code.replace(/\\\n/g, " ");
  for (const raw of script.split("\n")) {
    // Comments start at a `#` after a space; quoted `#`s do not occur in these blocks.
    const line = raw.replace(/(^|\s)#.*$/, "");
    for (const part of line.split(/&&|;|\||\(|\)/)) {
      const words = part.trim().split(/\s+/);
      if (words[0] === "deno" && words[1] === "install") continue;
      let i = words.findIndex((w, k) =>
        (w === "streamlib" && (k === 0 || words[k - 1] === "task")) ||
        w === "jsr:@streamlib/streamlib/cli" || w.endsWith("cli/streamlib.ts")
      );
      if (i < 0 && words[0] === "deno" && words[1] === "task" && TASK_COMMANDS.has(words[2])) i = 1;
      const command = i < 0 ? undefined : words[i + 1];
      if (command === undefined || /^[<\[]/.test(command)) continue;
      const flags = words.slice(i + 2).map((w) => w.replace(/^\[/, "").replace(/[=\]].*$/, ""))
        .filter((w) => w.startsWith("--"));
      calls.push({ at: where(block), command, flags });
    }
  }
  return calls;
}

Deno.test("docs: every streamlib command and flag the shell examples use exists", async () => {
  const sh = blocks.filter((b) => b.lang === "sh" && b.marker !== "fragment");
  const calls = sh.flatMap(cliCalls);
  assert.ok(calls.length >= 20, `only ${calls.length} streamlib calls found`);
  const help = new Map<string, string>();
  const problems: string[] = [];
  for (const { at, command, flags } of calls) {
    if (!help.has(command)) {
      const result = await run(ROOT, ["run", "-A", "cli/streamlib.ts", command, "--help"]);
      help.set(command, result.code === 0 ? result.out : "");
    }
    const text = help.get(command)!;
    if (text === "") problems.push(`${at}: 'streamlib ${command}' is not a command`);
    for (const flag of flags) {
      if (!new RegExp(`${flag}(?![\\w-])`).test(text)) {
        problems.push(`${at}: 'streamlib ${command}' has no flag ${flag}`);
      }
    }
  }
  const tasks = new Set([
    ...Object.keys(JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks),
    ...Object.keys(JSON.parse(await Deno.readTextFile(`${ROOT}templates/project/deno.json`)).tasks),
  ]);
  for (const block of sh) {
    for (const [, task] of block.code.matchAll(/deno task ([\w:-]+)/g)) {
      if (!tasks.has(task)) problems.push(`${where(block)}: no task '${task}'`);
    }
    // The test files and folders a block runs are the checkout's.
    for (const [, args] of block.code.matchAll(/deno test ([^\n&|#]*)/g)) {
      for (const path of args.trim().split(/\s+/).filter((w) => !w.startsWith("-"))) {
        if (!await exists(ROOT + path)) problems.push(`${where(block)}: no file ${path}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
