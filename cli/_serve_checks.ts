/**
 * What `streamlib serve` checks before it listens, so a mistake shows at start instead of at a
 * client's first open: `--registry` modules that do not import or have no `registry` export (exit
 * 2), manifests that will not load and token-file entries naming no pipeline (warnings on stderr),
 * and addresses it cannot listen on (exit 2, naming the address).
 *
 * @module
 */

import { type NodeDefinition, NodeRegistry, validateManifest } from "../mod.ts";
import { join } from "node:path";
import { nearMatches } from "../core/errors/near_matches.ts";

/** A `--registry` module that cannot be used: `plugin_import_failed` or `plugin_no_registry`. */
export class ServeRegistryError extends Error {
  /** `plugin_import_failed` (the module does not import) or `plugin_no_registry`. */
  readonly code: "plugin_import_failed" | "plugin_no_registry";

  /**
   * @param code The code.
   * @param message What was wrong and what is valid.
   */
  constructor(code: "plugin_import_failed" | "plugin_no_registry", message: string) {
    super(message);
    this.name = "ServeRegistryError";
    this.code = code;
  }
}

const IMPORT_TIMEOUT_MS = 15_000;

function isRegistry(value: unknown): value is NodeRegistry {
  const r = value as { has?: unknown; with?: unknown; [Symbol.iterator]?: unknown } | null;
  return typeof r?.has === "function" && typeof r.with === "function" &&
    typeof r[Symbol.iterator] === "function";
}

/**
 * A module's `registry` export as the sessions' isolates read it: a `NodeRegistry`, or anything
 * that iterates processor definitions (an array of `defineNode()` results).
 */
function asRegistry(value: unknown): NodeRegistry | undefined {
  if (isRegistry(value)) return value;
  const iterable = value as { [Symbol.iterator]?: unknown } | null | undefined;
  if (typeof value === "string" || typeof iterable?.[Symbol.iterator] !== "function") {
    return undefined;
  }
  const items = [...(value as Iterable<unknown>)];
  const definition = (item: unknown) =>
    typeof (item as { descriptor?: { name?: unknown } } | null)?.descriptor?.name === "string";
  return items.every(definition) ? new NodeRegistry(items as NodeDefinition[]) : undefined;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array that is not all processor definitions";
  if (typeof value !== "object") return `a ${typeof value}`;
  const kind = (value as { constructor?: { name?: string } }).constructor?.name;
  return kind && kind !== "Object" ? `an instance of ${kind}` : "a plain object";
}

/**
 * The processors the sessions will know: the `registry` exports of `modules` joined, or the
 * built-in processors when there are none (as the runner does).
 *
 * @param modules Module URLs (`--registry`, already made URLs), or none.
 * @param label How an error names a module (default `--registry <url>`).
 * @returns The joined registry.
 * @throws {ServeRegistryError} A module that does not import, or has no `registry` export.
 */
export async function sessionRegistry(
  modules?: readonly string[],
  label: (url: string) => string = (url) => `--registry ${url}`,
): Promise<NodeRegistry> {
  if (modules === undefined || modules.length === 0) {
    return (await import("../processors/registry.gen.ts")).registry;
  }
  let joined: NodeRegistry | undefined;
  for (const url of modules) {
    let module: Record<string, unknown>;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A module that never finishes importing (one that imports this command line back waits on
      // its top-level await) would end the process with no word; the timer keeps it alive to say so.
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `it did not finish importing within ${IMPORT_TIMEOUT_MS / 1000} s (a module that ` +
                  `imports the streamlib command line never does; pass a registry.gen.ts)`,
              ),
            ),
          IMPORT_TIMEOUT_MS,
        );
      });
      module = await Promise.race([import(url), late]);
    } catch (error) {
      throw new ServeRegistryError(
        "plugin_import_failed",
        `Cannot import ${label(url)}: ${(error as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
    let registry: NodeRegistry | undefined;
    try {
      registry = asRegistry(module.registry);
    } catch (error) { // two definitions of one name
      throw new ServeRegistryError(
        "plugin_no_registry",
        `Cannot use ${label(url)}: ${(error as Error).message}`,
      );
    }
    if (registry === undefined) {
      const exports = Object.keys(module).sort();
      throw new ServeRegistryError(
        "plugin_no_registry",
        "registry" in module
          ? `Cannot use ${label(url)}: its 'registry' export is ${
            describe(module.registry)
          }, not a NodeRegistry or a list of processor definitions (what defineNode returns)`
          : `Cannot use ${label(url)}: it has no 'registry' export (a generated registry.gen.ts ` +
            `has one); its exports: ${exports.length > 0 ? exports.join(", ") : "none"}`,
      );
    }
    joined = joined === undefined ? registry : joined.with(registry);
  }
  return joined!;
}

/**
 * One warning per served manifest that will not load with `registry` (its first issues and how
 * many there are): a client opening it gets `invalid_manifest`.
 *
 * @param catalog The pipelines by name.
 * @param registry The processors the sessions know.
 * @param folder The folder served, for the file names the lines give. Default `.`.
 * @returns The warning lines, possibly none (one when there is no pipeline at all).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../processors/registry.gen.ts";
 * import { manifestWarnings } from "./_serve_checks.ts";
 *
 * const ok = { version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { a: "fx.in" } };
 * const typo = { version: 1, nodes: [{ id: "fx", type: "Gian" }] };
 * const lines = manifestWarnings(new Map<string, unknown>([["ok", ok], ["typo", typo]]), registry);
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], /pipeline 'typo' will not open \(invalid_manifest\): .*did you mean Gain\?/);
 * assert.match(lines[0], /"streamlib\.codegen" folders of the folder serve runs in/);
 * ```
 */
export function manifestWarnings(
  catalog: ReadonlyMap<string, unknown>,
  registry: NodeRegistry,
  folder = ".",
): string[] {
  const lines: string[] = [];
  if (catalog.size === 0) {
    lines.push(
      `streamlib serve: warning: '${folder}' holds no <name>.json manifest (subfolders are not ` +
        `read): every open gets pipeline_not_found`,
    );
  }
  for (const [name, manifest] of catalog) {
    const issues = validateManifest(manifest, registry).filter((i) => i.severity !== "warning");
    if (issues.length === 0) continue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    // A project's own processors are not the sessions' unless --registry names them: validate,
    // which reads the project, would call such a manifest valid.
    const unknownType = issues.some((i) => i.code === "processor_not_found");
    const hint = unknownType
      ? 'sessions know the built-in processors and those of the deno.json "streamlib.codegen" ' +
        "folders of the folder serve runs in (run 'streamlib codegen' there first), or only " +
        "those of the --registry modules when any is given"
      : `'streamlib validate ${join(folder, `${name}.json`)}' lists every issue`;
    lines.push(
      `streamlib serve: warning: pipeline '${name}' will not open (invalid_manifest): ` +
        `${issues[0].message}${more}; ${hint}`,
    );
  }
  return lines;
}

/**
 * One warning per pipeline a token file lists that the folder does not serve (a token holder
 * gets `pipeline_not_allowed` for the one meant). Tokens are never printed.
 *
 * @param tokenFile The parsed token file (`{ "tokens": { "<token>": ["<pipeline>", ...] } }`).
 * @param pipelines The pipelines served.
 * @returns The warning lines, possibly none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenWarnings } from "./_serve_checks.ts";
 *
 * const lines = tokenWarnings({ tokens: { "a-0123456789": ["voice-fxx", "*"] } }, ["voice-fx"]);
 * assert.deepEqual(lines, [
 *   "streamlib serve: warning: the token file lists pipeline 'voice-fxx', which is not served " +
 *   "(did you mean voice-fx?); pipelines: voice-fx",
 * ]);
 * ```
 */
export function tokenWarnings(tokenFile: unknown, pipelines: Iterable<string>): string[] {
  const served = [...pipelines];
  const tokens = (tokenFile as { tokens?: unknown } | null)?.tokens;
  if (tokens === null || typeof tokens !== "object") return [];
  const unknown = new Set<string>();
  for (const names of Object.values(tokens as Record<string, unknown>)) {
    if (!Array.isArray(names)) continue;
    for (const n of names) {
      if (typeof n === "string" && n !== "*" && !served.includes(n)) unknown.add(n);
    }
  }
  return [...unknown].map((name) => {
    const near = nearMatches(name, served);
    const hint = near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : "";
    return `streamlib serve: warning: the token file lists pipeline '${name.slice(0, 256)}', ` +
      `which is not served${hint}; pipelines: ${served.length > 0 ? served.join(", ") : "none"}`;
  });
}

/**
 * The message for an address `serve` cannot listen on, or `undefined` for another error.
 *
 * @param error What listening threw.
 * @param hostname The address asked for.
 * @param port The port asked for.
 * @param hostFlag The command's flag for the address (`dashboard` has `--host`).
 * @param portFlag The flag of the port (`serve`'s gRPC port: `--grpc-port`).
 * @returns What was wrong and what is valid, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenProblem } from "./_serve_checks.ts";
 *
 * const busy = listenProblem(new Deno.errors.AddrInUse("Address already in use"), "127.0.0.1", 8080);
 * assert.match(busy!, /^Cannot listen on 127\.0\.0\.1:8080: the port is in use/);
 * assert.equal(listenProblem(new TypeError("x"), "127.0.0.1", 8080), undefined);
 * ```
 */
export function listenProblem(
  error: unknown,
  hostname: string,
  port: number,
  hostFlag = "--hostname",
  portFlag = "--port",
): string | undefined {
  const at = `Cannot listen on ${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const said = (error as Error | undefined)?.message ?? String(error);
  if (error instanceof Deno.errors.AddrInUse) {
    return `${at}: the port is in use (${said}); choose another ${portFlag} (0: a free one)`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `${at}: no network interface of this machine has that address (${said}); ${hostFlag} ` +
      `takes an address of this machine, 127.0.0.1 or 0.0.0.0`;
  }
  if (error instanceof Error && /failed to lookup address/i.test(said)) {
    return `${at}: the hostname does not resolve (${said}); ${hostFlag} takes an address of ` +
      `this machine, 127.0.0.1 or 0.0.0.0`;
  }
  return undefined;
}

/**
 * The code of an address a command cannot listen on: `port_in_use` for a busy port,
 * `cannot_listen` for an address that is not this machine's or does not resolve.
 *
 * @param error What listening threw.
 * @returns The code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenCode } from "./_serve_checks.ts";
 *
 * assert.equal(listenCode(new Deno.errors.AddrInUse("in use")), "port_in_use");
 * assert.equal(listenCode(new Deno.errors.AddrNotAvailable("no")), "cannot_listen");
 * ```
 */
export function listenCode(error: unknown): "port_in_use" | "cannot_listen" {
  return error instanceof Deno.errors.AddrInUse ? "port_in_use" : "cannot_listen";
}

/**
 * What is wrong with `serve`'s folder argument, or `undefined` when it is a folder: a path that
 * does not exist, or a file (a manifest given where its folder was meant: `serve` serves every
 * `<name>.json` of a folder, `run` runs one file).
 *
 * @param folder The argument.
 * @returns The message, naming what to give instead, or `undefined`.
 *
 * @example A manifest given instead of its folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { folderProblem } from "./_serve_checks.ts";
 *
 * assert.equal(await folderProblem("."), undefined);
 * assert.match((await folderProblem("deno.json"))!, /is a file, not a folder/);
 * assert.match((await folderProblem("no/such/folder"))!, /no such folder/);
 * ```
 */
export async function folderProblem(folder: string): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(folder);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such folder" : (error as Error).message;
    return `Cannot read the manifest folder '${folder}': ${why}; serve takes a folder of ` +
      "<name>.json manifests, each served as the pipeline <name>";
  }
  if (info.isDirectory) return undefined;
  const run = folder.endsWith(".json") ? `; 'streamlib run ${folder}' runs that one manifest` : "";
  return `Cannot read the manifest folder '${folder}': it is a file, not a folder; serve takes ` +
    `a folder of <name>.json manifests, each served as the pipeline <name>${run}`;
}
