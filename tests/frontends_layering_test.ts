/**
 * The front-ends' import rules: `web/` and `mcp/` never import each other, `frontend/` (what
 * several front-ends share) imports no front-end, and `core/` never imports `frontend/`. What two
 * front-ends share lives in `frontend/`; `sessions/` (the pipeline runner, which knows no transport)
 * imports no front-end, and `core/` does not import it; a composition of two (the dashboard serving
 * MCP, `streamlib serve` serving the dashboard's sessions page) is made by the one above both
 * (`cli/`) and injected.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Each folder, and the folders of ours it must not import (type-only imports included). */
const FORBIDDEN: Record<string, readonly string[]> = {
  // The sessions page reads `serve/`'s sessions through frontend/session_admin.ts only.
  "web": ["mcp", "cli", "serve", "sessions"],
  "mcp": ["web", "cli"],
  "frontend": ["web", "mcp", "cli"],
  "core": ["frontend", "web", "mcp", "cli", "sessions"],
  "sessions": ["frontend", "web", "mcp", "cli", "serve"],
  "serve": ["web", "mcp", "cli"],
};

/**
 * Modules of a forbidden folder that the files under a path may import all the same, each a leaf
 * that imports nothing: the session transport that takes HTTP bodies (WebRTC's offer and PATCH)
 * reads them with the servers' one bounded reader. The runner and the other transports may not.
 */
const LEAF_EXCEPTIONS: readonly { from: string; leaf: string }[] = [
  { from: "sessions/webrtc/", leaf: "frontend/read_body.ts" },
];

/**
 * The session transports and clients, inside `sessions/`: the runtime and the runner (the rest of
 * `sessions/`) import none of them, and a client imports only the wire format and frame types.
 */
const TRANSPORTS = ["sessions/websocket", "sessions/webrtc", "sessions/client"] as const;
// The client stays light: the wire format, the frame types, and two leaf helpers that import
// nothing (near matches for a mistyped input name, a bounded read of the pipeline listing).
const CLIENT_MAY_IMPORT = [
  "sessions/client",
  "sessions/wire",
  "core/frames",
  "core/errors/near_matches.ts",
  "ffi/net/bounded_body.ts",
] as const;

/** Files of the runner (`sessions/` outside its transports) that import a transport or client. */
export function runnerImportsOfTransports(base: string = root): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(base, "sessions"))) {
    const path = relative(base, file);
    if (TRANSPORTS.some((t) => path.startsWith(`${t}/`))) continue;
    for (const target of importsOf(file, base)) {
      if (TRANSPORTS.some((t) => target === t || target.startsWith(`${t}/`))) {
        found.push(`${path} -> ${target}`);
      }
    }
  }
  return found;
}

Deno.test("sessions/ (the runner) imports no transport and no client", () => {
  assert.deepEqual(runnerImportsOfTransports(), []);
});

Deno.test("sessions/client/ imports only the wire format, frame types and near matches", () => {
  const found: string[] = [];
  for (const file of sourceFiles(join(root, "sessions", "client"))) {
    for (const target of importsOf(file, root)) {
      if (!CLIENT_MAY_IMPORT.some((t) => target === t || target.startsWith(`${t}/`))) {
        found.push(`${relative(root, file)} -> ${target}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (entry.name === "node_modules" || entry.name === "target") continue;
      yield* sourceFiles(path);
    } else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** Every relative module a file imports, re-exports or loads (`import()`, `new URL()`), repo-relative. */
function importsOf(file: string, base: string): string[] {
  const source = Deno.readTextFileSync(file)
    // JSDoc examples are not imports of the module.
    .replace(/^\s*\*.*$/gm, "");
  const specifiers = [
    ...source.matchAll(/\bfrom\s*["'](\.[^"']+)["']/g),
    ...source.matchAll(/\bimport\s*\(?\s*["'](\.[^"']+)["']/g),
    ...source.matchAll(/new URL\(\s*["'](\.[^"']+)["']\s*,\s*import\.meta\.url/g),
  ].map((m) => m[1]);
  return specifiers.map((s) => relative(base, join(dirname(file), s)));
}

/**
 * The imports of `folder` (under `base`, the repository by default) that land in a folder it
 * must not import, as `file -> target`.
 */
export function forbiddenImports(folder: string, base: string = root): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(base, folder))) {
    for (const target of importsOf(file, base)) {
      const top = target.split("/")[0];
      const path = relative(base, file);
      if (LEAF_EXCEPTIONS.some((e) => path.startsWith(e.from) && target === e.leaf)) continue;
      if (FORBIDDEN[folder].includes(top)) found.push(`${relative(base, file)} -> ${target}`);
    }
  }
  return found;
}

for (const folder of Object.keys(FORBIDDEN)) {
  Deno.test(`${folder}/ imports none of ${FORBIDDEN[folder].join(", ")}`, () => {
    assert.deepEqual(forbiddenImports(folder), []);
  });
}

Deno.test("each leaf exception and the client's single-file helpers import nothing", () => {
  const clientLeaves = CLIENT_MAY_IMPORT.filter((t) => t.endsWith(".ts"));
  for (const leaf of [...LEAF_EXCEPTIONS.map((e) => e.leaf), ...clientLeaves]) {
    assert.deepEqual(importsOf(join(root, leaf), root), [], `${leaf} must stay a leaf`);
  }
});

Deno.test("forbiddenImports() sees an import, a re-export, a dynamic import and a URL", () => {
  const base = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(join(base, "frontend", "sub"), { recursive: true });
    Deno.writeTextFileSync(
      join(base, "frontend", "sub", "x.ts"),
      [
        'import { a } from "../../web/mod.ts";',
        'export { b } from "../../mcp/mod.ts";',
        'const c = await import("../../cli/run.ts");',
        'const d = new URL("../../web/static/", import.meta.url);',
        ' * import { e } from "../../web/mod.ts"; (an example, ignored)',
      ].join("\n"),
    );
    const name = "frontend/sub/x.ts";
    assert.deepEqual(forbiddenImports("frontend", base), [
      `${name} -> web/mod.ts`,
      `${name} -> mcp/mod.ts`,
      `${name} -> cli/run.ts`,
      `${name} -> web/static`,
    ]);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});
