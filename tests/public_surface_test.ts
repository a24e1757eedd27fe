/**
 * The public surface by std's rule, not by a count (`docs/decisions/0026-public-surface.md`):
 *
 * - a module whose file or folder name starts with `_` is internal, and no entry point
 *   (`deno.json` `exports`) re-exports from one;
 * - every name an entry point exports has JSDoc (`scripts/doc_lint.ts` checks the rest: explicit
 *   types, and no public symbol naming a type no entry point exports);
 * - every coded error class (it extends an `Error` and has a `code`) of a module behind the entry
 *   points is exported from some entry point, unless its module is internal (`_`): an error a
 *   public API throws is one its caller may catch.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface DocDeclaration {
  readonly location: { readonly filename: string };
  readonly jsDoc?: { readonly doc?: string; readonly tags?: readonly unknown[] };
}

interface DocJson {
  readonly nodes: Record<
    string,
    {
      readonly symbols: readonly {
        readonly name: string;
        readonly declarations: DocDeclaration[];
      }[];
    }
  >;
}

/** One exported name of an entry point and where it is declared (repo-relative paths). */
interface PublicSymbol {
  readonly name: string;
  readonly files: readonly string[];
  readonly documented: boolean;
}

async function entryPoints(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return config.exports as Record<string, string>;
}

function relativePath(url: string): string {
  return url.startsWith(ROOT.href) ? url.slice(ROOT.href.length) : url;
}

async function publicSymbols(entry: string): Promise<PublicSymbol[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as DocJson;
  return Object.values(doc.nodes).flatMap((node) =>
    node.symbols.map((symbol) => ({
      name: symbol.name,
      files: symbol.declarations.map((d) => relativePath(d.location.filename)),
      documented: symbol.declarations.some((d) =>
        (d.jsDoc?.doc ?? "").trim() !== "" || (d.jsDoc?.tags ?? []).length > 0
      ),
    }))
  );
}

async function publicNames(entry: string): Promise<string[]> {
  return (await publicSymbols(entry)).map((symbol) => symbol.name);
}

/** Whether a repo-relative path is internal by std's rule: a file or folder named `_...`. */
function isInternal(path: string): boolean {
  return path.split("/").some((segment) => segment.startsWith("_"));
}

/** The repo's own modules an entry point loads, statically or with `import()`. */
async function modulesBehind(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  };
  return graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT.href))
    .map(relativePath).filter((path) => /\.tsx?$/.test(path));
}

/** An exported class of a module that extends an error class. */
interface ErrorClass {
  readonly file: string;
  readonly name: string;
  readonly base: string;
  readonly declaresCode: boolean;
}

const BUILT_IN_ERRORS = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "DOMException",
]);

/** The exported error classes of `files`, each with whether it (or a base) has a `code`. */
async function codedErrorClasses(files: Iterable<string>): Promise<ErrorClass[]> {
  const classes: ErrorClass[] = [];
  for (const file of files) {
    const source = await Deno.readTextFile(new URL(file, ROOT));
    const declaration = /^export (?:abstract )?class (\w+)(?:<[^>{]*>)? extends (\w+)/gm;
    for (const match of source.matchAll(declaration)) {
      const rest = source.slice(match.index! + match[0].length);
      const body = rest.slice(0, rest.search(/^}/m) + 1);
      const declaresCode = /^\s+(?:override\s+)?(?:readonly\s+)?code\s*[:=]|^\s+get code\(/m
        .test(body);
      classes.push({ file, name: match[1], base: match[2], declaresCode });
    }
  }
  const byName = new Map<string, ErrorClass[]>();
  for (const c of classes) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const isError = (c: ErrorClass, seen = new Set<string>()): boolean =>
    BUILT_IN_ERRORS.has(c.base) ||
    (!seen.has(c.name) &&
      (byName.get(c.base) ?? []).some((b) => isError(b, new Set([...seen, c.name]))));
  const isCoded = (c: ErrorClass, seen = new Set<string>()): boolean =>
    c.declaresCode ||
    (!seen.has(c.name) &&
      (byName.get(c.base) ?? []).some((b) => isCoded(b, new Set([...seen, c.name]))));
  return classes.filter((c) => isError(c) && isCoded(c));
}

const exportsMap = await entryPoints();

for (const [key, entry] of Object.entries(exportsMap)) {
  Deno.test(`public surface: "${key}" (${entry}) exports documented names, none from a _ module`, async () => {
    const symbols = await publicSymbols(entry);
    assert.ok(symbols.length > 0, `${entry} exports nothing`);
    const fromInternal = symbols.filter((s) => s.files.some(isInternal))
      .map((s) => `${s.name} (${s.files.join(", ")})`);
    assert.deepEqual(fromInternal, [], `${entry} re-exports from internal (_) modules`);
    const undocumented = symbols.filter((s) => !s.documented).map((s) => s.name);
    assert.deepEqual(undocumented, [], `${entry} exports names without JSDoc`);
  });
}

Deno.test("public surface: every coded error class behind the entry points is exported", async () => {
  const exported = new Set<string>();
  const behind = new Set<string>();
  for (const entry of Object.values(exportsMap)) {
    for (const symbol of await publicSymbols(entry)) {
      for (const file of symbol.files) exported.add(`${file}#${symbol.name}`);
    }
    for (const file of await modulesBehind(entry)) behind.add(file);
  }
  const errors = await codedErrorClasses([...behind].filter((file) => !isInternal(file)).sort());
  assert.ok(errors.length > 50, `only ${errors.length} coded error classes found: the scan broke`);
  for (const name of ["FrameTooLargeError", "InvalidFrameShapeError", "PortNotFoundError"]) {
    assert.ok(errors.some((e) => e.name === name), `${name} is not seen as a coded error`);
  }
  const missing = errors.filter((e) => !exported.has(`${e.file}#${e.name}`))
    .map((e) => `${e.name} (${e.file})`);
  assert.deepEqual(
    missing,
    [],
    "coded errors no entry point exports: export them from the entry point of their audience, " +
      "or move them to a _ module when no public API throws them",
  );
});

Deno.test("public surface: generated symbols stay out of the processors entry point", async () => {
  const names = await publicNames(exportsMap["./processors"]);
  const generated = names.filter((name) => /(Node|Inputs|Outputs|Handle|Types)$/.test(name));
  assert.deepEqual(generated, []);
});

Deno.test("public surface: transport internals stay out of the ffi entry point", async () => {
  const names = await publicNames(exportsMap["./ffi"]);
  const internals = names.filter((name) =>
    name.startsWith("SIGNAL_") || ["WorkerMirror", "WorkerServer", "SlotHeaders"].includes(name)
  );
  assert.deepEqual(internals, []);
});

Deno.test("public surface: no entry point exports the transport's connections, ends or slot memory", async () => {
  const internals = [
    "ConnectionSharedState",
    "TransferredConnectionEnd",
    "NativeConnectionOptions",
    "NativeTransport",
    "NativeTransportEndpoint",
    "SlotMemorySource",
  ];
  for (const [key, entry] of Object.entries(exportsMap)) {
    const names = await publicNames(entry);
    assert.deepEqual(names.filter((name) => internals.includes(name)), [], `${key} exports them`);
  }
});

Deno.test("public surface: every entry point is in the published files (publish.include)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const include = config.publish.include as string[];
  const outside = Object.values(exportsMap).map((entry) => entry.replace(/^\.\//, "")).filter(
    (file) => !include.some((item) => item.endsWith("/") ? file.startsWith(item) : file === item),
  );
  assert.deepEqual(outside, [], "entry points that `deno publish` would leave out");
});
