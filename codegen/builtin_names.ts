/**
 * The built-in processors' names and where each class is declared, so codegen can refuse a
 * project class that takes a built-in's name (the registries would clash when joined).
 *
 * Read from this package's own files (its `registry.gen.ts` files and the sources they list), as
 * text: no processor module is imported.
 *
 * @module
 */

import { REGISTRY_FILE } from "./discover.ts";

/** The folders of this package whose registries every project registry joins. */
export const BUILTIN_FOLDERS: readonly string[] = ["processors", "plugins"];

/** Where a built-in processor class is declared. */
export interface BuiltinProcessor {
  /** The processor (class) name. */
  readonly name: string;
  /** The source file, relative to the package root. */
  readonly file: string;
  /** 1-based line of the class name. */
  readonly line: number;
  /** 1-based column of the class name. */
  readonly column: number;
  /** The source file's absolute URL. */
  readonly url: string;
}

const PACKAGE_ROOT = new URL("../", import.meta.url);
let cached: Promise<Map<string, BuiltinProcessor>> | undefined;

/**
 * The built-in processors by name (read once per process).
 *
 * @returns The map; empty when the package's files cannot be read.
 */
export function builtinProcessors(): Promise<Map<string, BuiltinProcessor>> {
  cached ??= readBuiltins();
  return cached;
}

async function readText(url: URL): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return await response.text();
  } catch {
    return undefined;
  }
}

async function readBuiltins(): Promise<Map<string, BuiltinProcessor>> {
  const found = new Map<string, BuiltinProcessor>();
  for (const folder of BUILTIN_FOLDERS) {
    const registry = await readText(new URL(`${folder}/${REGISTRY_FILE}`, PACKAGE_ROOT));
    if (registry === undefined) continue;
    // Eager entries are imported (`from "./x.gen.ts"`), lazy ones named by URL
    // (`new URL("./x.gen.ts", import.meta.url)`).
    const modules = [
      ...new Set(
        [...registry.matchAll(/(?:from |new URL\()"\.\/([\w/]+)\.gen\.ts"/g)].map((m) => m[1]),
      ),
    ];
    const sources = await Promise.all(modules.map(async (module) => {
      const file = `${folder}/${module}.ts`;
      const url = new URL(file, PACKAGE_ROOT);
      return { file, url, text: await readText(url) };
    }));
    for (const { file, url, text } of sources) {
      if (text === undefined) continue;
      for (const declared of declaredProcessors(text)) {
        found.set(declared.name, { ...declared, file, url: url.href });
      }
    }
  }
  return found;
}

/**
 * The `@processor` classes of a source text with the position of each class name.
 *
 * @param text The source.
 * @returns Name, line and column of each.
 */
export function declaredProcessors(
  text: string,
): { name: string; line: number; column: number }[] {
  const out: { name: string; line: number; column: number }[] = [];
  const pattern = /@processor\s*\([^]*?\bclass\s+([A-Za-z_$][\w$]*)/g;
  for (const match of text.matchAll(pattern)) {
    const offset = match.index + match[0].length - match[1].length;
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    out.push({ name: match[1], line, column });
  }
  return out;
}
