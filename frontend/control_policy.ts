/**
 * `ControlPolicy`: what a token holder may do through the control API and MCP, checked in one
 * place both front-ends call: which processor types may be added, where file paths in configs
 * may point, and how long ids may be.
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { MAX_NODE_ID_LENGTH } from "../core/graph/node_id.ts";
import { quote } from "../core/errors/quote.ts";

/** The processor types refused unless the operator names them: they run programs. */
export const PRIVILEGED_PROCESSORS: readonly string[] = ["SubprocessProcessor"];

/** The longest node or connection id the front-ends accept: core's `MAX_NODE_ID_LENGTH`. */
export const MAX_ID_LENGTH: number = MAX_NODE_ID_LENGTH;

/** What a {@linkcode ControlPolicyError} refused. */
export type PolicyProblem = "processor_not_allowed" | "path_not_allowed" | "id_too_long";

/**
 * A request the operator's policy does not allow: a processor type not on the allow-list, a
 * file path outside the media folders, an id over {@linkcode MAX_ID_LENGTH} characters.
 *
 * @example What it carries
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlPolicyError } from "./control_policy.ts";
 *
 * const error = new ControlPolicyError("id_too_long", "id", "Cannot use id 'aaa…': it is 100000 characters long, the limit is 64", []);
 * assert.equal(error.code, "id_too_long");
 * assert.equal(error.field, "id");
 * ```
 */
export class ControlPolicyError extends Error {
  /** The stable code. */
  readonly code: PolicyProblem;
  /** The offending field: `type`, `config.path`, `id`, `path`. */
  readonly field: string;
  /** What is allowed: processor types, or media folders. */
  readonly allowed: readonly string[];

  /**
   * Creates the error.
   *
   * @param code What was refused.
   * @param field The offending field.
   * @param message What is wrong and what is allowed.
   * @param allowed The allowed processor types or media folders.
   */
  constructor(code: PolicyProblem, field: string, message: string, allowed: readonly string[]) {
    super(message);
    this.name = "ControlPolicyError";
    this.code = code;
    this.field = field;
    this.allowed = allowed;
  }
}

/** The operator's choices for a {@linkcode ControlPolicy}. */
export interface ControlPolicyOptions {
  /**
   * Processor types the front-ends may add, or `"*"` for every registered type. Default: every
   * type but {@linkcode PRIVILEGED_PROCESSORS}, which are allowed only when named here.
   */
  readonly processors?: readonly string[] | "*";
  /** Folders every file path in a config (and MCP's manifest paths) must be inside. Default: the working directory. */
  readonly mediaDirs?: readonly string[];
  /** The directory relative paths resolve against. Default: the working directory. */
  readonly cwd?: string;
}

/**
 * The checks both front-ends run before they act. Paths are resolved with `realpath` (the
 * deepest part that exists), so neither `..` nor a symlink leads outside the media folders.
 *
 * @example Refuse a program and a path outside the media folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlPolicy, ControlPolicyError } from "./control_policy.ts";
 *
 * const media = await Deno.makeTempDir();
 * const policy = new ControlPolicy({ mediaDirs: [media] });
 * await policy.checkNode("WavWriter", { path: `${media}/take.wav` }, "rec"); // allowed
 * await assert.rejects(() => policy.checkNode("SubprocessProcessor", { command: "sh" }), ControlPolicyError);
 * await assert.rejects(
 *   () => policy.checkNode("WavWriter", { path: `${media}/../escape.wav` }),
 *   (e: unknown) => e instanceof ControlPolicyError && e.code === "path_not_allowed",
 * );
 * ```
 */
export class ControlPolicy {
  readonly #processors: "*" | ReadonlySet<string>;
  readonly #mediaDirs: readonly string[];
  readonly #cwd: string;
  #realDirs: Promise<string[]> | undefined;

  /**
   * Creates the policy.
   *
   * @param options Allowed processors, media folders and the working directory.
   */
  constructor(options: ControlPolicyOptions = {}) {
    this.#processors = options.processors === "*" ? "*" : new Set(options.processors ?? []);
    this.#cwd = options.cwd ?? Deno.cwd();
    this.#mediaDirs = (options.mediaDirs ?? [this.#cwd]).map((d) => resolve(this.#cwd, d));
  }

  /** The media folders, absolute. */
  get mediaDirs(): readonly string[] {
    return this.#mediaDirs;
  }

  /**
   * Whether a processor type may be added: every type when the list is `"*"`; otherwise a type
   * named in the list, or (with no list given) any type but the privileged ones.
   *
   * @param processor The type.
   * @returns Whether it may.
   */
  allows(processor: string): boolean {
    if (this.#processors === "*") return true;
    if (this.#processors.size === 0) return !PRIVILEGED_PROCESSORS.includes(processor);
    return this.#processors.has(processor);
  }

  /**
   * Checks an id's length.
   *
   * @param id The id (node or connection), if given.
   * @param field The field that carried it.
   * @throws {ControlPolicyError} `id_too_long`.
   */
  checkId(id: unknown, field = "id"): void {
    if (typeof id !== "string" || id.length <= MAX_ID_LENGTH) return;
    throw new ControlPolicyError(
      "id_too_long",
      field,
      `Cannot use ${field} '${
        quote(id)
      }': it is ${id.length} characters long, the limit is ${MAX_ID_LENGTH}`,
      [],
    );
  }

  /**
   * Checks a node before it is added: its type is allowed, its id is not too long and every
   * path in its config is inside a media folder.
   *
   * @param processor The type.
   * @param config The config (or a patch of it).
   * @param id The id, if given.
   * @throws {ControlPolicyError} When any of these is refused.
   */
  async checkNode(processor: string, config: unknown, id?: unknown): Promise<void> {
    this.checkId(id);
    if (!this.allows(processor)) {
      const allowed = this.#processors === "*" ? [] : [...this.#processors];
      throw new ControlPolicyError(
        "processor_not_allowed",
        "type",
        `Cannot add '${processor.slice(0, 64)}' through the control API or MCP: ${
          PRIVILEGED_PROCESSORS.includes(processor)
            ? "it runs programs, and the operator did not allow it (--allow-processor " +
              `${processor})`
            : `the operator allows only ${allowed.join(", ")}`
        }`,
        allowed,
      );
    }
    await this.checkConfig(config);
  }

  /**
   * Checks every file path of a config (fields named `path` or ending in `Path`) or of a patch.
   *
   * @param config The config.
   * @throws {ControlPolicyError} `path_not_allowed`.
   */
  async checkConfig(config: unknown): Promise<void> {
    if (typeof config !== "object" || config === null || Array.isArray(config)) return;
    for (const [key, value] of Object.entries(config)) {
      if ((key === "path" || key.endsWith("Path")) && typeof value === "string") {
        await this.checkPath(value, `config.${key}`);
      }
    }
  }

  /**
   * Resolves a path and checks that it is inside a media folder, following symlinks of every
   * part that exists.
   *
   * @param path The path, absolute or relative to the working directory.
   * @param field The field that carried it.
   * @returns The resolved path.
   * @throws {ControlPolicyError} `path_not_allowed`.
   */
  async checkPath(path: string, field = "path"): Promise<string> {
    const dirs = await (this.#realDirs ??= Promise.all(this.#mediaDirs.map(realOrSelf)));
    // Not normalized first: `link/..` must go where the OS goes, the link target's parent.
    const resolved = await resolvePath(isAbsolute(path) ? path : `${this.#cwd}${sep}${path}`);
    const inside = (p: string) => dirs.some((dir) => p === dir || p.startsWith(dir + sep));
    if (typeof resolved === "string" && inside(resolved)) return resolved;
    const shown = path.slice(0, 200);
    // Inside the folders but not a usable path: say why, rather than that it is outside.
    const why = typeof resolved === "object" && inside(resolved.at)
      ? `'${resolved.at.slice(0, 200)}' is a file, not a folder, so nothing can be inside it`
      : `files are allowed only inside the media folders (${this.#mediaDirs.join(", ")})`;
    throw new ControlPolicyError(
      "path_not_allowed",
      field,
      `Cannot use ${field} '${shown}': ${why}`,
      this.#mediaDirs,
    );
  }
}

/**
 * The real path of an absolute `path`, resolved part by part as the OS does: each existing part
 * through `realpath` (so `link/..` is the symlink target's parent, not the link's folder), the
 * parts after the first missing one, and parts this process may not read, as written. A path
 * that goes on below a file gives that file's real path as `at`; `undefined` for what no file
 * can be created at (a dangling symlink, a missing folder walked out of, an unreadable part).
 */
async function resolvePath(path: string): Promise<string | { at: string } | undefined> {
  const parts = path.split(/[\\/]+/);
  let current = await Deno.realPath(sep).catch(() => sep);
  let missing = false;
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (missing) return undefined; // a missing folder cannot be walked out of
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    if (missing) {
      current = next;
      continue;
    }
    try {
      current = await Deno.realPath(next);
    } catch (error) {
      // A folder this process may not read (scoped Deno permissions: `/tmp` above a media
      // folder in it) is taken as written; Deno itself refuses what lies outside the scope.
      if (error instanceof Deno.errors.NotCapable) {
        current = next;
        continue;
      }
      if (error instanceof Deno.errors.NotADirectory) return { at: current };
      if (!(error instanceof Deno.errors.NotFound)) return undefined;
      // A dangling symlink: writing through it would create its target, wherever that is.
      if (await Deno.lstat(next).then(() => true, () => false)) return undefined;
      missing = true;
      current = next;
    }
  }
  return current;
}

async function realOrSelf(dir: string): Promise<string> {
  const resolved = await resolvePath(dir);
  return typeof resolved === "string" ? resolved : dir;
}
