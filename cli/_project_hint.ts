/**
 * Why a processor a manifest names is unknown, when the project says why: `processor_not_found`
 * alone ("unknown processor 'Dimmer', available processors: ...") leaves a newcomer guessing
 * whether the class, codegen, `deno.json` or the working directory is wrong.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { ManifestIssue } from "../core/manifest/issue.ts";
import { nearMatches } from "../core/errors/near_matches.ts";
import { loadCodegenConfig, stripJsonComments } from "../codegen/project_config.ts";
import { generatedPathOf, listFolderFiles, REGISTRY_FILE } from "../codegen/discover.ts";
import { declaredProcessors } from "../codegen/builtin_names.ts";

/** The keys of `deno.json`'s `"streamlib"` section. */
const STREAMLIB_KEYS = ["codegen", "pluginFolders"];
/** Files read per codegen folder at most, looking for a class (a hint is not a scan). */
const MAX_FILES = 500;

/**
 * The issues with a reason added to each `processor_not_found` one the project explains: a class
 * of that name in a codegen folder that was never generated (`run deno task codegen`), codegen
 * folders `deno.json` lists wrongly, an unknown key in its `"streamlib"` section, or a manifest
 * in another project than the working directory's. Other issues are returned as they are.
 *
 * @param issues What `validateManifest()` reported.
 * @param root The project root (the working directory).
 * @param manifestPath The manifest file, for the other-project hint.
 * @returns The issues, the explained ones with `message` and `hint` extended.
 *
 * @example An issue nothing in the project explains stays as it was
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainUnknownProcessors } from "./_project_hint.ts";
 *
 * const issue = {
 *   path: "nodes[0].type",
 *   code: "processor_not_found" as const,
 *   message: "nodes[0].type: unknown processor 'Nope', available processors: Gain",
 * };
 * const root = Deno.makeTempDirSync();
 * assert.deepEqual(explainUnknownProcessors([issue], root), [issue]);
 * ```
 */
export function explainUnknownProcessors(
  issues: readonly ManifestIssue[],
  root: string,
  manifestPath?: string,
): ManifestIssue[] {
  if (!issues.some((issue) => issue.code === "processor_not_found")) return [...issues];
  let project: ProjectFacts | undefined;
  return issues.map((issue) => {
    if (issue.code !== "processor_not_found") return issue;
    const name = /unknown processor '([A-Za-z_$][\w$]*)'/.exec(issue.message)?.[1];
    if (name === undefined) return issue;
    project ??= projectFacts(root, manifestPath);
    const hint = hintFor(name, project);
    if (hint === undefined) return issue;
    const quoted = `unknown processor '${name}'`;
    return { ...issue, message: issue.message.replace(quoted, `${quoted} (${hint})`) };
  });
}

interface ProjectFacts {
  readonly root: string;
  /** Problems of `deno.json`'s `"streamlib"` section, each a sentence. */
  readonly configProblems: string[];
  /** Codegen folders, absolute. */
  readonly folders: string[];
  /** Another project's folder the manifest is in, when the working directory has no config. */
  readonly otherProject: string | undefined;
}

function projectFacts(root: string, manifestPath: string | undefined): ProjectFacts {
  const absRoot = resolve(root);
  const configFile = ["deno.json", "deno.jsonc"].map((name) => join(absRoot, name)).find(
    existsSync,
  );
  const configProblems: string[] = [];
  let folders: string[] = [];
  let otherProject: string | undefined;
  const section = configFile ? readStreamlibSection(configFile) : undefined;
  if (section === undefined) {
    otherProject = manifestPath ? projectAbove(resolve(manifestPath), absRoot) : undefined;
  } else {
    const name = relative(absRoot, configFile!) || configFile!;
    for (const key of Object.keys(section)) {
      if (STREAMLIB_KEYS.includes(key)) continue;
      const near = nearMatches(key, STREAMLIB_KEYS);
      configProblems.push(
        `${name} has "streamlib": { "${key.slice(0, 40)}" }, not a setting${
          near.length > 0 ? `: did you mean ${near[0]}?` : ""
        } (settings: ${STREAMLIB_KEYS.join(", ")})`,
      );
    }
    try {
      folders = loadCodegenConfig(absRoot).folders.map((folder) => join(absRoot, folder));
    } catch (error) {
      if (section.codegen !== undefined) configProblems.push((error as Error).message);
    }
  }
  return { root: absRoot, configProblems, folders, otherProject };
}

/** `deno.json`'s `"streamlib"` object, or `undefined` when it has none (or cannot be read). */
function readStreamlibSection(file: string): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(stripJsonComments(readFileSync(file, "utf8")));
    const section = json?.streamlib;
    return section !== null && typeof section === "object" && !Array.isArray(section)
      ? section
      : undefined;
  } catch {
    return undefined;
  }
}

/** The nearest folder above `file` (up to `stop`'s depth) with a `"streamlib"` deno.json. */
function projectAbove(file: string, cwd: string): string | undefined {
  let dir = dirname(file);
  for (let depth = 0; depth < 8; depth++) {
    if (dir === cwd) return undefined;
    const config = ["deno.json", "deno.jsonc"].map((name) => join(dir, name)).find(existsSync);
    if (config && readStreamlibSection(config) !== undefined) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

function hintFor(name: string, project: ProjectFacts): string | undefined {
  if (project.otherProject !== undefined) {
    const where = relative(project.root, project.otherProject) || project.otherProject;
    return `processors are looked up in the project of the working directory, which has no ` +
      `"streamlib" settings in its deno.json; '${where}' has them: run the command from there`;
  }
  const declared = declaringFile(name, project.folders);
  if (declared !== undefined && !declared.generated) {
    const file = relative(project.root, declared.file);
    return `${file} declares it, but codegen has not run on it since: run \`deno task codegen\``;
  }
  if (project.configProblems.length > 0) return project.configProblems.join("; ");
  return undefined;
}

/**
 * The codegen-folder source declaring `@processor` class `name` (codegen's own scan of a text),
 * and whether its generated file and the folder's registry name it.
 */
function declaringFile(
  name: string,
  folders: readonly string[],
): { file: string; generated: boolean } | undefined {
  for (const folder of folders) {
    let files;
    try {
      files = listFolderFiles(folder, ".");
    } catch {
      continue; // unreadable: codegen says why
    }
    let registryText = "";
    try {
      registryText = readFileSync(join(folder, REGISTRY_FILE), "utf8");
    } catch {
      // Never generated.
    }
    for (const source of files.sources.slice(0, MAX_FILES)) {
      let text: string;
      try {
        text = readFileSync(join(folder, source), "utf8");
      } catch {
        continue;
      }
      if (!declaredProcessors(text).some((declared) => declared.name === name)) continue;
      const generated = files.generated.includes(generatedPathOf(source)) &&
        new RegExp(`\\b${name}\\b`).test(registryText);
      return { file: join(folder, source), generated };
    }
  }
  return undefined;
}
