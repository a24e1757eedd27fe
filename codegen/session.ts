/**
 * One ts-morph `Project` per codegen session, created on first need (a warm `--check` never
 * loads the TypeScript compiler) and kept across `--watch` runs.
 *
 * @module
 */

import type { Project, SourceFile } from "ts-morph";

/**
 * Holds the one ts-morph `Project` of a process.
 *
 * @example Share a session across two runs
 * ```ts ignore
 * import { CodegenSession, generate } from "@streamlib/streamlib/codegen";
 *
 * const session = new CodegenSession();
 * await generate({ root: ".", session });
 * await generate({ root: ".", session, check: true });
 * ```
 */
export class CodegenSession {
  /** Whether the session has loaded the TypeScript compiler yet. */
  get started(): boolean {
    return projects.has(this);
  }
}

const projects = new WeakMap<CodegenSession, Project>();

/**
 * The session's project, created on first use.
 *
 * @param session The session.
 * @returns The project.
 */
export async function sessionProject(session: CodegenSession): Promise<Project> {
  const existing = projects.get(session);
  if (existing) return existing;
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
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
  projects.set(session, project);
  return project;
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
