/**
 * gRPC stays in its own folder: `core/` and `sessions/` outside `sessions/grpc/` import neither
 * `@grpc/*` nor the gRPC transport, so the runner and the runtime load without it. The codes
 * the transport gives are registered (the front-ends' lookup of both tables) and each maps to a
 * status.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "../../frontend/error_codes.ts";
import { GRPC_REQUEST_CODES, GrpcStatus, grpcStatusOf } from "../../sessions/grpc/mod.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const GRPC_FOLDER = join(root, "sessions", "grpc");

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** The imports of `file` that reach gRPC: an `@grpc/` package or a module under `sessions/grpc/`. */
export function grpcImports(file: string, base: string = root): string[] {
  const source = Deno.readTextFileSync(file).replace(/^\s*\*.*$/gm, "");
  const specifiers = [
    ...source.matchAll(/\bfrom\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*\(?\s*["']([^"']+)["']/g),
    ...source.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g),
  ].map((m) => m[1]);
  return specifiers.filter((s) => {
    if (/^(npm:)?@grpc\//.test(s)) return true;
    if (!s.startsWith(".")) return false;
    const target = join(dirname(file), s);
    return target === join(base, "sessions", "grpc") ||
      target.startsWith(join(base, "sessions", "grpc") + "/");
  });
}

for (const folder of ["core", "sessions"]) {
  Deno.test(`${folder}/ (outside sessions/grpc/) imports no gRPC`, () => {
    const found: string[] = [];
    for (const file of sourceFiles(join(root, folder))) {
      if (file.startsWith(GRPC_FOLDER + "/")) continue;
      for (const s of grpcImports(file)) found.push(`${relative(root, file)} -> ${s}`);
    }
    assert.deepEqual(found, []);
  });
}

Deno.test("grpcImports() sees a package, a path into sessions/grpc and a URL", () => {
  const base = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(join(base, "sessions", "grpc"), { recursive: true });
    const file = join(base, "sessions", "x.ts");
    Deno.writeTextFileSync(
      file,
      [
        'import * as grpc from "@grpc/grpc-js";',
        'export { serveGrpc } from "./grpc/mod.ts";',
        'const u = new URL("./grpc/server.ts", import.meta.url);',
        'import { y } from "./wire/mod.ts";',
        ' * import { z } from "./grpc/mod.ts"; (an example, ignored)',
      ].join("\n"),
    );
    assert.deepEqual(grpcImports(file, base), [
      "@grpc/grpc-js",
      "./grpc/mod.ts",
      "./grpc/server.ts",
    ]);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});

Deno.test("GRPC_REQUEST_CODES are registered and each maps to its status", () => {
  for (const code of GRPC_REQUEST_CODES) assert.ok(Object.hasOwn(ERROR_CODES, code), code);
  assert.deepEqual(
    Object.fromEntries(GRPC_REQUEST_CODES.map((code) => [code, grpcStatusOf(code)])),
    {
      missing_token: GrpcStatus.UNAUTHENTICATED,
      invalid_token: GrpcStatus.UNAUTHENTICATED,
      pipeline_not_allowed: GrpcStatus.PERMISSION_DENIED,
      pipeline_not_found: GrpcStatus.NOT_FOUND,
      grpc_invalid_message: GrpcStatus.INVALID_ARGUMENT,
      grpc_deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
      server_shutting_down: GrpcStatus.UNAVAILABLE,
      wire_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
    },
  );
});

Deno.test("grpcStatusOf() maps every session code to a status other than INTERNAL unless it is a fault", () => {
  const faults = new Set([
    "session_processor_failed",
    "session_isolate_died",
    "plugin_import_failed",
    "plugin_no_registry",
    "internal_error",
  ]);
  const sessionCodes = Object.keys(ERROR_CODES).filter((c) =>
    /^(session_|app_)/.test(c) && c !== "invalid_app_port"
  ).concat(["invalid_manifest", "memory_budget_exceeded", "message_too_large", "frame_too_large"]);
  for (const code of sessionCodes) {
    assert.equal(grpcStatusOf(code) === GrpcStatus.INTERNAL, faults.has(code), code);
  }
});
