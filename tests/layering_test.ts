/**
 * The import order of the tree, as `docs/architecture.md` draws it: `core/` imports nothing of
 * ours outside itself, its folders import one way only (a folder imports those before it in
 * {@linkcode CORE_ORDER}), and no file imports itself back through others. A type-only import
 * against the order is allowed only where {@linkcode TYPE_BACK_EDGES} lists it, with the reason.
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/**
 * The folders of `core/`, lowest first; `.` is the runtime facade at `core/`'s root, and
 * `manifest/` builds on it.
 */
const CORE_ORDER = [
  "schema",
  "errors",
  "config",
  "time",
  "gpu",
  "frames",
  "transport",
  "ports",
  "processor",
  "graph",
  "admission",
  "lifecycle",
  "registry",
  "app",
  "operations",
  "probes",
  "isolates",
  ".",
  "manifest",
] as const;

/**
 * The folders of `ffi/`, `processors/` and `web/`, lowest first; folders of one rank are peers and
 * import nothing of each other (a source imports no sink). `web/` is split by where code runs, as
 * fresh's layout is: `shared/` (both sides) under the browser's `client/` services, the
 * `components/` and `islands/` built on them, the `routes/` that place the islands on the server
 * and the `pages/` that hydrate them in the browser, the `server/` that renders the routes, and
 * at the root `mod.ts` and the bundle's entry `client.ts`.
 */
const FOLDER_RANKS: Record<string, Record<string, number>> = {
  ffi: {
    native: 0,
    stdio: 0,
    transport: 1,
    media: 2,
    net: 2,
    display: 2,
    workers: 3,
    plugins: 4,
    ".": 5,
  },
  web: {
    shared: 0,
    static: 0,
    client: 1,
    components: 2,
    islands: 3,
    routes: 4,
    pages: 4,
    server: 5,
    ".": 6,
  },
  processors: {
    dsp: 0,
    video: 1,
    formats: 2,
    inference: 2,
    capture: 3,
    webrtc: 4,
    base: 5,
    sources: 6,
    transforms: 6,
    sinks: 6,
    ".": 7,
  },
};

/** Type-only imports that go against the order or close a cycle, each with why it stays. */
const TYPE_BACK_EDGES: Record<string, string> = {
  // A definition names the isolate its processor type requires; the isolate's host names the
  // definitions it runs. Both are declarations of one seam; neither runs the other's code.
  "core/registry/node_definition.ts -> core/isolates/required_isolate.ts": "isolate seam",
  // A node's environment is what the node instance is given; the instance is its argument type.
  "core/isolates/local/node_environment.ts -> core/isolates/local/node_instance.ts":
    "environment of an instance",
  // A native plugin is loaded by its host's module, whose host type names the plugin.
  "ffi/plugins/host.ts -> ffi/plugins/native_plugin.ts": "plugin and its host",
  // The union of owned frames names each kind; the encoded audio kind, in a file of its own,
  // extends the base class that file defines.
  "core/frames/owned_frame.ts -> core/frames/owned_encoded_audio_frame.ts": "union of owned kinds",
};

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (entry.name === "node_modules" || entry.name === "target") continue;
      yield* tsFiles(path);
    } else if (/\.tsx?$/.test(entry.name) && !/_(test|bench)\.tsx?$/.test(entry.name)) yield path;
  }
}

/** The relative imports and re-exports of one file (JSDoc examples are not imports). */
function importsOf(file: string): Import[] {
  const source = Deno.readTextFileSync(file);
  const from = relative(root, file);
  const found: Import[] = [];
  const statement = /^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.[^"']+)["']/gms;
  for (const match of source.matchAll(statement)) {
    const names = match[2].trim();
    const allTypes = names.startsWith("{") &&
      names.slice(1, -1).split(",").map((n) => n.trim()).filter(Boolean)
        .every((n) => n.startsWith("type "));
    const to = relative(root, join(dirname(file), match[3]));
    found.push({ from, to, typeOnly: match[1] !== undefined || allTypes });
  }
  for (const match of source.matchAll(/^import\s+["'](\.[^"']+)["']/gm)) {
    found.push({ from, to: relative(root, join(dirname(file), match[1])), typeOnly: false });
  }
  return found;
}

function allImports(folder: string): Import[] {
  return [...tsFiles(join(root, folder))].flatMap(importsOf);
}

function coreFolder(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1] : ".";
}

/** A generated module and its processor import each other's types by design. */
function generatedPair(edge: Import): boolean {
  return edge.from.replace(/\.gen\.ts$/, ".ts") === edge.to.replace(/\.gen\.ts$/, ".ts");
}

/** Strongly connected groups of more than one file (Tarjan). */
function cycles(edges: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

Deno.test("core/ imports nothing of ours outside core/ (it declares contracts; others implement them)", () => {
  const offenders = allImports("core").filter((edge) => !edge.to.startsWith("core/"))
    .map((edge) => `${edge.from} -> ${edge.to}`);
  assert.deepEqual(offenders, []);
});

Deno.test("core/ folders import one way only, in CORE_ORDER", () => {
  const folders = new Set<string>(CORE_ORDER);
  const onDisk = [...Deno.readDirSync(join(root, "core"))].filter((e) => e.isDirectory)
    .map((e) => e.name).sort();
  assert.deepEqual(onDisk.filter((name) => !folders.has(name)), [], "a core/ folder not ordered");
  const rank = (path: string) => CORE_ORDER.indexOf(coreFolder(path) as typeof CORE_ORDER[number]);
  const offenders = allImports("core")
    .filter((edge) => rank(edge.to) > rank(edge.from))
    .filter((edge) => !(edge.typeOnly && `${edge.from} -> ${edge.to}` in TYPE_BACK_EDGES))
    .map((edge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
  assert.deepEqual(offenders, []);
});

for (const [top, ranks] of Object.entries(FOLDER_RANKS)) {
  Deno.test(`${top}/ folders import one way only, in FOLDER_RANKS`, () => {
    const onDisk = [...Deno.readDirSync(join(root, top))].filter((e) => e.isDirectory)
      .map((e) => e.name).sort();
    assert.deepEqual(onDisk.filter((name) => !(name in ranks)), [], `a ${top}/ folder not ranked`);
    const folderOf = (path: string) => {
      const parts = path.split("/");
      return parts.length > 2 ? parts[1] : ".";
    };
    const offenders = allImports(top)
      .filter((edge) => edge.to.startsWith(`${top}/`))
      .filter((edge) => {
        const [from, to] = [folderOf(edge.from), folderOf(edge.to)];
        return from !== to && ranks[to] >= ranks[from];
      })
      .filter((edge) => !(edge.typeOnly && `${edge.from} -> ${edge.to}` in TYPE_BACK_EDGES))
      .map((edge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
    assert.deepEqual(offenders, []);
  });
}

for (const folder of ["core", "ffi", "web", "mcp", "cli", "codegen", "processors", "plugins"]) {
  Deno.test(`${folder}/ has no import cycle among its files (listed type-only edges aside)`, () => {
    const edges = allImports(folder).filter((edge) =>
      !generatedPair(edge) && !(edge.typeOnly && `${edge.from} -> ${edge.to}` in TYPE_BACK_EDGES)
    );
    assert.deepEqual(cycles(edges), []);
  });
}

Deno.test("TYPE_BACK_EDGES lists only type-only imports that exist", () => {
  const edges = ["core", "ffi"].flatMap(allImports);
  for (const listed of Object.keys(TYPE_BACK_EDGES)) {
    const edge = edges.find((e) => `${e.from} -> ${e.to}` === listed);
    assert.ok(edge, `${listed} is listed but not imported`);
    assert.ok(edge.typeOnly, `${listed} is listed but imports values`);
  }
});
