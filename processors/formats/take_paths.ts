/**
 * {@linkcode TakePaths}: the one rule every file writer follows when it records again.
 *
 * @module
 */

/**
 * The extension of `path`'s last segment, dot included (`""` for none, `.bashrc` or `..`), as
 * `node:path`'s `extname`: here so that recording loads no `node:` module, which would make Deno
 * set up its Node compatibility layer (about 2 MB of resident memory, decision 0062).
 */
function extname(path: string): string {
  const cut = Deno.build.os === "windows"
    ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    : path.lastIndexOf("/");
  const name = path.slice(cut + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 && name !== ".." ? name.slice(dot) : "";
}

/**
 * Where a writer node records each take. Its first take goes to the configured path (created, or
 * replaced if it exists: the user named that file). Every later take of the same node (a restart
 * after an error, or the graph started again) goes to the first free `<name>-1<ext>`,
 * `<name>-2<ext>`, ... so a writer never overwrites what it recorded before. `WavWriter`,
 * `Y4mWriter` and `Mp4Writer` all use it.
 *
 * @example The second take gets a new name
 * ```ts
 * import assert from "node:assert/strict";
 * import { TakePaths } from "./take_paths.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const takes = new TakePaths();
 * assert.equal(await takes.next(`${dir}/take.wav`), `${dir}/take.wav`);
 * await Deno.writeFile(`${dir}/take.wav`, new Uint8Array(1)); // the first take recorded
 * assert.equal(await takes.next(`${dir}/take.wav`), `${dir}/take-1.wav`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TakePaths {
  #taken = false;

  /**
   * The path of the next take.
   *
   * @param path The configured path.
   * @returns `path` for the first take, then the first free numbered sibling.
   */
  async next(path: string): Promise<string> {
    if (!this.#taken) {
      this.#taken = true;
      return path;
    }
    return await nextFreePath(path);
  }
}

/**
 * The first of `<name>-1<ext>`, `<name>-2<ext>`, ... that does not exist.
 *
 * @param path The path already used.
 * @returns A free path next to it.
 * @throws {Deno.errors.PermissionDenied} When the directory cannot be read.
 */
export async function nextFreePath(path: string): Promise<string> {
  const ext = extname(path);
  const stem = path.slice(0, path.length - ext.length);
  for (let n = 1;; n++) {
    const candidate = `${stem}-${n}${ext}`;
    try {
      await Deno.lstat(candidate);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return candidate;
      throw error;
    }
  }
}
