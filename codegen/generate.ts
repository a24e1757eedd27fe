/**
 * One codegen run: discover sources, reuse cached output for unchanged ones, parse → model → emit
 * the rest, format, then write (or, with `check`, compare).
 *
 * @module
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type CacheData,
  type CachedSource,
  cacheKey,
  fingerprint,
  loadCache,
  saveCache,
} from "./cache.ts";
import { type BuiltinProcessor, builtinProcessors } from "./builtin_names.ts";
import { type Diagnostic, sortDiagnostics } from "./diagnostic.ts";
import { GENERATED_HEADER, listFolderFiles, mayDeclareProcessor } from "./discover.ts";
import { ImportMapResolver } from "./import_map.ts";
import { emitProcessorFile } from "./emit_processor.ts";
import { emitRegistry } from "./emit_registry.ts";
import { formatTypeScript, mapConcurrent } from "./format.ts";
import {
  buildFileModel,
  buildRegistryModel,
  registryEntries,
  type RegistryEntry,
} from "./model.ts";
import { loadCodegenConfig } from "./project_config.ts";
import {
  CodegenSession,
  forgetSourceFiles,
  refreshSourceFiles,
  sessionProject,
} from "./session.ts";
import { SourceHasher } from "./source_hash.ts";

/**
 * Options of {@linkcode generate}.
 */
export interface GenerateOptions {
  /** The project root. Default: the current directory. */
  readonly root?: string;
  /** Folders to scan instead of the ones configured in `deno.json`. */
  readonly folders?: readonly string[];
  /** Compare instead of write. Default `false`. */
  readonly check?: boolean;
  /** Use and update `.cache/streamlib_codegen.json`. Default `true`. */
  readonly cache?: boolean;
  /** The session whose ts-morph project to reuse (watch mode). */
  readonly session?: CodegenSession;
}

/**
 * A generated file that does not match what the generator would write.
 */
export interface StaleFile {
  /** The file, relative to the root. */
  readonly path: string;
  /** `missing`: not on disk; `changed`: different on disk; `orphaned`: its source is gone. */
  readonly reason: "missing" | "changed" | "orphaned";
}

/**
 * What a run did.
 */
export interface GenerateResult {
  /** The project root (absolute). */
  readonly root: string;
  /** The folders scanned. */
  readonly folders: readonly string[];
  /** Processor classes found. */
  readonly processors: number;
  /** Generated files the tree should have. */
  readonly generated: number;
  /** Files written (not in check mode). */
  readonly written: readonly string[];
  /** Orphaned generated files deleted (not in check mode). */
  readonly removed: readonly string[];
  /** In check mode: files out of date. */
  readonly stale: readonly StaleFile[];
  /** Problems in the sources; when there are any, nothing is written. */
  readonly diagnostics: readonly Diagnostic[];
  /** Sources parsed in this run (the rest came from the cache). */
  readonly parsed: number;
  /** Wall-clock duration in milliseconds. */
  readonly durationMs: number;
}

/**
 * Runs the generator once.
 *
 * @param options Root, folders, check mode, cache and session.
 * @returns What was found, written, stale or wrong.
 * @throws {CodegenConfigError} When no folders are configured or one is missing.
 *
 * @example Generate a project's files, then check them
 * ```ts
 * import assert from "node:assert/strict";
 * import { generate } from "@streamlib/streamlib/codegen";
 *
 * // A project with one processor (`@streamlib/streamlib` mapped to this package).
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/src`);
 * await Deno.writeTextFile(
 *   `${root}/deno.json`,
 *   JSON.stringify({ imports: { "@streamlib/streamlib": import.meta.resolve("@streamlib/streamlib") } }),
 * );
 * await Deno.writeTextFile(
 *   `${root}/src/silence.ts`,
 *   `import { type AudioFrame, output, type OutputPort, Processor, processor } from "@streamlib/streamlib";
 * import type { SilenceTypes } from "./silence.gen.ts";
 *
 * @processor({ description: "Writes nothing", mode: "loop" })
 * export class Silence extends Processor<SilenceTypes> {
 *   @output({ description: "No audio" })
 *   audio!: OutputPort<AudioFrame<2>>;
 *
 *   process(): void {}
 * }
 * `,
 * );
 * const result = await generate({ root, folders: ["src"] });
 * assert.deepEqual(result.diagnostics, []);
 * assert.deepEqual(result.written, ["src/registry.gen.ts", "src/silence.gen.ts"]);
 * const check = await generate({ root, folders: ["src"], check: true }); // what CI runs
 * assert.deepEqual(check.stale, []);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const started = performance.now();
  const config = loadCodegenConfig(options.root ?? ".", options.folders);
  const { root, fmtKey } = config;
  const useCache = options.cache ?? true;
  const cache: CacheData = useCache ? loadCache(root) : { sources: {}, registries: {} };
  const maps = new ImportMapResolver();
  const hasher = new SourceHasher(root, maps);
  const version = cacheKey(fingerprint());
  const folders = config.folders.map((folder) => ({ folder, ...listFolderFiles(root, folder) }));

  const results = new Map<string, CachedSource>();
  const work: { source: string; key: string }[] = [];
  for (const { sources } of folders) {
    for (const source of sources) {
      if (!mayDeclareProcessor(hasher.text(source) ?? "")) {
        results.set(source, { key: "", text: null, entries: [], diagnostics: [] });
        continue;
      }
      const key = cacheKey(version, fmtKey, source, hasher.hash(source));
      const hit = cache.sources[source];
      if (hit?.key === key) results.set(source, hit);
      else work.push({ source, key });
    }
  }

  let dirty = work.length > 0;
  if (work.length > 0) {
    const session = options.session ?? new CodegenSession();
    const project = await sessionProject(session, maps);
    const touched = new Set(work.flatMap((w) => hasher.closure(w.source)));
    refreshSourceFiles(project, [...touched].map((path) => join(root, path)));
    const { parseSources } = await import("./parse.ts");
    const { files, sourceFiles } = parseSources(project, root, work.map((w) => w.source));
    const models = files.map(buildFileModel);
    const texts = await mapConcurrent(
      models,
      8,
      ({ model }) =>
        model
          ? formatTypeScript(emitProcessorFile(model), root, model.path)
          : Promise.resolve(null),
    );
    models.forEach(({ model, diagnostics }, i) => {
      const entry: CachedSource = {
        key: work[i].key,
        text: texts[i],
        entries: model ? registryEntries(model) : [],
        diagnostics,
      };
      results.set(work[i].source, entry);
      cache.sources[work[i].source] = entry;
    });
    forgetSourceFiles(sourceFiles);
  }

  const expected = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const brokenFolders = new Set<string>();
  let processors = 0;
  for (const { folder, sources } of folders) {
    const entries = [];
    for (const source of sources) {
      const result = results.get(source)!;
      diagnostics.push(...result.diagnostics);
      if (result.diagnostics.length > 0) brokenFolders.add(folder);
      if (result.text !== null) expected.set(result.entries[0].path, result.text);
      entries.push(...result.entries);
    }
    reportBuiltinNames(
      root,
      entries,
      await builtinProcessors(),
      diagnostics,
      () => brokenFolders.add(folder),
    );
    processors += entries.length;
    const registry = buildRegistryModel(folder, entries);
    diagnostics.push(...registry.diagnostics);
    if (registry.diagnostics.length > 0) brokenFolders.add(folder);
    if (!registry.model) continue;
    const key = cacheKey(version, fmtKey, JSON.stringify(registry.model));
    let text = cache.registries[registry.model.path]?.key === key
      ? cache.registries[registry.model.path].text
      : undefined;
    if (text === undefined) {
      text = await formatTypeScript(emitRegistry(registry.model), root, registry.model.path);
      cache.registries[registry.model.path] = { key, text };
      dirty = true;
    }
    expected.set(registry.model.path, text);
  }

  const stale: StaleFile[] = [];
  for (const [path, text] of expected) {
    const folder = folders.find((f) => path.startsWith(`${f.folder}/`) || f.folder === ".");
    if (folder && brokenFolders.has(folder.folder) && path.endsWith("registry.gen.ts")) continue;
    const abs = join(root, path);
    if (!existsSync(abs)) stale.push({ path, reason: "missing" });
    else if (readFileSync(abs, "utf8") !== text) stale.push({ path, reason: "changed" });
  }
  for (const { folder, generated } of folders) {
    if (brokenFolders.has(folder)) continue;
    for (const path of generated) {
      if (expected.has(path)) continue;
      if (readFileSync(join(root, path), "utf8").startsWith(GENERATED_HEADER)) {
        stale.push({ path, reason: "orphaned" });
      }
    }
  }

  const written: string[] = [];
  const removed: string[] = [];
  if (!options.check && diagnostics.length === 0) {
    for (const { path, reason } of stale) {
      if (reason === "orphaned") {
        rmSync(join(root, path));
        removed.push(path);
      } else {
        writeFileSync(join(root, path), expected.get(path)!);
        written.push(path);
      }
    }
  }
  for (const source of Object.keys(cache.sources)) {
    if (!results.has(source)) {
      delete cache.sources[source];
      dirty = true;
    }
  }
  if (useCache && dirty) saveCache(root, cache);
  return {
    root,
    folders: config.folders,
    processors,
    generated: expected.size,
    written: written.sort(),
    removed: removed.sort(),
    stale: options.check ? stale.sort((a, b) => a.path.localeCompare(b.path)) : [],
    diagnostics: sortDiagnostics(diagnostics),
    parsed: work.length,
    durationMs: performance.now() - started,
  };
}

/** Reports project processors named like a built-in one (skipping the built-ins themselves). */
function reportBuiltinNames(
  root: string,
  entries: readonly RegistryEntry[],
  builtins: ReadonlyMap<string, BuiltinProcessor>,
  diagnostics: Diagnostic[],
  broken: () => void,
): void {
  for (const entry of entries) {
    const builtin = builtins.get(entry.name);
    if (!builtin || pathToFileURL(join(root, entry.at.file)).href === builtin.url) continue;
    diagnostics.push({
      code: "builtin-name",
      message: `Processor name '${entry.name}' is the name of a built-in processor, declared at ` +
        `${builtin.file}:${builtin.line}:${builtin.column} of @streamlib/streamlib`,
      hint: "rename the class: a project's processors join the built-in ones in one registry, " +
        "where names are unique",
      ...entry.at,
    });
    broken();
  }
}
