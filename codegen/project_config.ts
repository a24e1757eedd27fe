/**
 * Where codegen looks: the folders listed in the project's `deno.json`.
 *
 * ```json
 * { "streamlib": { "codegen": ["processors"] } }
 * ```
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Thrown when the project's configuration cannot be read or lists no folders.
 *
 * @example Scan a folder that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { CodegenConfigError, loadCodegenConfig } from "@streamlib/streamlib/codegen";
 *
 * try {
 *   loadCodegenConfig(".", ["no_such_folder"]);
 * } catch (error) {
 *   assert.ok(error instanceof CodegenConfigError);
 *   assert.equal(error.code, "codegen_folder_not_found");
 *   assert.match(error.message, /^Cannot scan 'no_such_folder': no such folder; the folders to scan are relative to /);
 * }
 * ```
 */
export class CodegenConfigError extends Error {
  /**
   * What was wrong: `codegen_config_invalid` (the `deno.json` cannot be read or is not JSON),
   * `codegen_folders_missing` (no folders configured or given), `codegen_folder_not_found` (a
   * folder to scan is not there).
   */
  readonly code: "codegen_config_invalid" | "codegen_folders_missing" | "codegen_folder_not_found";
  /** The configuration file, when there is one. */
  readonly configFile: string | undefined;

  /**
   * Creates the error.
   *
   * @param code What was wrong.
   * @param message What is wrong and what is valid.
   * @param configFile The configuration file.
   */
  constructor(code: CodegenConfigError["code"], message: string, configFile?: string) {
    super(message);
    this.name = "CodegenConfigError";
    this.code = code;
    this.configFile = configFile;
  }
}

/**
 * The resolved codegen configuration of a project.
 */
export interface CodegenConfig {
  /** The project root (absolute). */
  readonly root: string;
  /** The folders to scan, relative to the root, `/`-separated, without a trailing `/`. */
  readonly folders: readonly string[];
  /** The `deno.json` or `deno.jsonc` the folders came from. */
  readonly configFile: string | undefined;
  /** The project's `fmt` options as JSON text (part of the cache key: they shape the output). */
  readonly fmtKey: string;
  /** The package name (`deno.json` `name`), when the project is a package. */
  readonly packageName: string | undefined;
  /**
   * The package's entry points (`deno.json` `exports`), subpath to module: `"./processors"` to
   * `"./processors/mod.ts"`; a single string export is `"."`.
   */
  readonly exports: Readonly<Record<string, string>>;
}

/**
 * Reads the codegen folders of the project at `root`.
 *
 * @param root The project root.
 * @param folders Folders given on the command line; they replace the configured ones.
 * @returns The configuration.
 * @throws {CodegenConfigError} When no folders are given or configured, or one does not exist.
 *
 * @example Read this repository's configuration
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCodegenConfig } from "@streamlib/streamlib/codegen";
 *
 * const config = loadCodegenConfig(".");
 * assert.deepEqual(config.folders, ["processors", "plugins"]);
 * ```
 */
export function loadCodegenConfig(root: string, folders: readonly string[] = []): CodegenConfig {
  const absRoot = resolve(root);
  const configFile = ["deno.json", "deno.jsonc"].map((name) => join(absRoot, name)).find(
    existsSync,
  );
  let json: Record<string, unknown> = {};
  if (configFile) {
    try {
      json = JSON.parse(stripJsonComments(readFileSync(configFile, "utf8")));
    } catch (error) {
      throw new CodegenConfigError(
        "codegen_config_invalid",
        `Cannot read ${configFile}: ${(error as Error).message}`,
        configFile,
      );
    }
  }
  const streamlib = json.streamlib as { codegen?: unknown } | undefined;
  const configured = streamlib?.codegen;
  let list: string[];
  if (folders.length > 0) {
    list = [...folders];
  } else if (Array.isArray(configured) && configured.every((f) => typeof f === "string")) {
    list = configured;
  } else if (configured !== undefined) {
    throw new CodegenConfigError(
      "codegen_config_invalid",
      `"streamlib": { "codegen" } in ${configFile} must be an array of folder names, such as ` +
        `["processors"], got ${JSON.stringify(configured)?.slice(0, 80)}`,
      configFile,
    );
  } else {
    throw new CodegenConfigError(
      "codegen_folders_missing",
      `Cannot find the folders to scan: add "streamlib": { "codegen": ["processors"] } to ${
        configFile ?? join(absRoot, "deno.json")
      }, or pass folders as arguments`,
      configFile,
    );
  }
  const normalized = list.map((folder) => {
    const abs = isAbsolute(folder) ? folder : join(absRoot, folder);
    if (!existsSync(abs)) {
      throw new CodegenConfigError(
        "codegen_folder_not_found",
        `Cannot scan '${folder}': no such folder${
          folders.length > 0 ? "" : ` (listed in ${configFile})`
        }; the folders to scan are relative to ${absRoot}`,
        configFile,
      );
    }
    return abs.slice(absRoot.length).replaceAll("\\", "/").replace(/^\/+|\/+$/g, "") || ".";
  });
  return {
    root: absRoot,
    folders: [...new Set(normalized)],
    configFile,
    fmtKey: JSON.stringify(json.fmt ?? null),
    packageName: typeof json.name === "string" ? json.name : undefined,
    exports: readExports(json.exports),
  };
}

function readExports(value: unknown): Record<string, string> {
  if (typeof value === "string") return { ".": value };
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] =>
      typeof entry[1] === "string"
    ),
  );
}

/**
 * JSONC to JSON: drops `//` and `/* *\/` comments outside strings.
 *
 * @param text The JSONC text.
 * @returns The JSON text.
 */
export function stripJsonComments(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, str) => str ?? "");
}
