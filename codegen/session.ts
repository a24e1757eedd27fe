/**
 * One ts-morph `Project` per codegen session, created on first need (a warm `--check` never
 * loads the TypeScript compiler) and kept across `--watch` runs.
 *
 * Modules resolve the way Deno resolves them: relative and absolute paths and `file:` URLs
 * directly, bare specifiers through the `imports` of the nearest `deno.json` (and a package's own
 * `name`/`exports`), so a config field typed with `PixelFormat` from `@streamlib/streamlib`
 * expands to its enum. A bare specifier the map sends somewhere else (`npm:`, `jsr:`) falls back
 * to a `node_modules` lookup; what still does not resolve has the error type, which the config
 * schema reports.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { Project, SourceFile, ts as TS } from "ts-morph";
import { ImportMapResolver } from "./import_map.ts";

/**
 * Holds the one ts-morph `Project` of a process.
 *
 * @example Share a session across two runs
 * ```ts
 * import assert from "node:assert/strict";
 * import { CodegenSession, generate } from "@streamlib/streamlib/codegen";
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
 * const session = new CodegenSession();
 * assert.equal(session.started, false);
 * await generate({ root, folders: ["src"], session, cache: false });
 * assert.ok(session.started); // the TypeScript compiler is loaded once, for both runs
 * const check = await generate({ root, folders: ["src"], session, cache: false, check: true });
 * assert.deepEqual(check.stale, []);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class CodegenSession {
  /** Whether the session has loaded the TypeScript compiler yet. */
  get started(): boolean {
    return projects.has(this);
  }
}

interface SessionState {
  readonly project: Project;
  /** The import maps of the current run; module resolution reads them. */
  readonly maps: { current: ImportMapResolver };
}

const projects = new WeakMap<CodegenSession, SessionState>();

/**
 * The session's project, created on first use.
 *
 * @param session The session.
 * @param maps The import maps of this run (one per run, so `deno.json` edits are seen).
 * @returns The project.
 */
export async function sessionProject(
  session: CodegenSession,
  maps: ImportMapResolver = new ImportMapResolver(),
): Promise<Project> {
  const existing = projects.get(session);
  // The compiler reuses the module resolutions of unchanged files, so a changed import map
  // needs a new project.
  if (existing && !existing.maps.current.changedOnDisk()) {
    existing.maps.current = maps;
    return existing.project;
  }
  const { Project, ts } = await import("ts-morph");
  const current = { current: maps };
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    resolutionHost: (host, getCompilerOptions) => ({
      resolveModuleNames: (names: string[], containingFile: string) =>
        names.map((name) =>
          resolveModule(ts, name, containingFile, current.current, host, getCompilerOptions())
        ),
    }),
    compilerOptions: {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      lib: ["lib.esnext.d.ts"],
      types: [],
    },
  });
  projects.set(session, { project, maps: current });
  return project;
}

function resolveModule(
  ts: typeof TS,
  name: string,
  containingFile: string,
  maps: ImportMapResolver,
  host: TS.ModuleResolutionHost,
  options: TS.CompilerOptions,
): TS.ResolvedModuleFull | undefined {
  const resolveAt = (target: string) =>
    ts.resolveModuleName(target, containingFile, options, host).resolvedModule;
  if (name.startsWith("file:")) return resolveAt(fileURLToPath(name));
  if (!ImportMapResolver.isBare(name)) return resolveAt(name);
  const mapped = maps.resolve(name, containingFile).path;
  return (mapped === undefined ? undefined : resolveAt(mapped)) ?? resolveAt(name);
}

/**
 * Re-reads files the project already knows (sources and the dependencies it loaded for type
 * resolution) so a reused project sees edits made since the last run.
 *
 * @param project The project.
 * @param paths Absolute paths.
 */
export function refreshSourceFiles(project: Project, paths: readonly string[]): void {
  for (const path of paths) project.getSourceFile(path)?.refreshFromFileSystemSync();
}

/**
 * Forgets source files a run is done with; dependencies stay for the next run.
 *
 * @param files The files to forget.
 */
export function forgetSourceFiles(files: readonly SourceFile[]): void {
  for (const file of files) if (!file.wasForgotten()) file.forget();
}
