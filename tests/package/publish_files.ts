/**
 * The files `deno publish` ships: `publish.include` and `publish.exclude` of `deno.json`, minus
 * what `.gitignore` ignores, for copying the package somewhere else as a JSR install would have
 * it. The patterns used here are folder prefixes (`core/`), file names (`mod.ts`) and
 * `**` globs (`**` + `/*_test.ts`), which is all `deno.json` uses.
 */

import { join, relative, sep } from "node:path";

/**
 * The package's publishable files, relative to `root`, sorted.
 *
 * @param root The package root (the folder of `deno.json`).
 * @returns The relative paths, with `/` separators.
 */
export function publishFiles(root: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  const include: string[] = config.publish?.include ?? ["**"];
  const ignore = Deno.readTextFileSync(join(root, ".gitignore")).split("\n")
    .map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const exclude: string[] = config.publish?.exclude ?? [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join("/");
      if (entry.name === ".git" || matches(exclude, rel, entry.isDirectory, false)) continue;
      if (matches(ignore, rel, entry.isDirectory, true)) continue;
      if (entry.isDirectory) walk(path);
      else if (entry.isFile && matches(include, rel, false, false)) files.push(rel);
    }
  };
  walk(root);
  return files.sort();
}

/**
 * Whether `path` matches one of `patterns`. `deno.json` patterns are relative to the root;
 * `.gitignore` ones without an inner `/` match at any depth (`anyDepth`).
 */
function matches(
  patterns: readonly string[],
  path: string,
  isDirectory: boolean,
  anyDepth: boolean,
): boolean {
  const candidate = isDirectory ? `${path}/` : path;
  return patterns.some((raw) => {
    const pattern = raw.replace(/^\//, "");
    if (pattern === "**") return true;
    if (pattern.startsWith("**/")) {
      const tail = globToRegExp(pattern.slice(3));
      return tail.test(candidate.split("/").pop()!) || tail.test(candidate);
    }
    if (pattern.endsWith("/")) {
      // A folder: itself and everything under it; without a leading path, at any depth.
      if (candidate.startsWith(pattern)) return true;
      return anyDepth && !pattern.slice(0, -1).includes("/") &&
        `/${candidate}`.includes(`/${pattern}`);
    }
    return candidate === pattern || candidate.startsWith(`${pattern}/`);
  });
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*");
  return new RegExp(`^${escaped}$`);
}

/**
 * Copies the publishable files of `root` into `dest` (new modification times, as a download
 * would have).
 *
 * @param root The package root.
 * @param dest The folder to copy into.
 * @returns How many files were copied.
 */
export function copyPublishFiles(root: string, dest: string): number {
  const files = publishFiles(root);
  for (const file of files) {
    const target = join(dest, ...file.split("/"));
    Deno.mkdirSync(join(target, ".."), { recursive: true });
    Deno.writeFileSync(target, Deno.readFileSync(join(root, ...file.split("/"))));
  }
  return files.length;
}
