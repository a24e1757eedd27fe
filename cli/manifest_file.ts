/**
 * Reading a manifest file for the command lines.
 *
 * @module
 */

/** A manifest read from disk, or why it could not be. */
export type ManifestFile =
  | { readonly ok: true; readonly manifest: unknown }
  | { readonly ok: false; readonly code: 1 | 2; readonly message: string };

/**
 * Reads and parses a manifest file.
 *
 * @param path The file.
 * @returns The parsed JSON; or exit code 2 when the file cannot be read, 1 when it is not JSON.
 */
export async function readManifestFile(path: string): Promise<ManifestFile> {
  let text;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    return { ok: false, code: 2, message: `Cannot read '${path}': ${(error as Error).message}` };
  }
  try {
    return { ok: true, manifest: JSON.parse(text) };
  } catch (error) {
    return { ok: false, code: 1, message: `${path}: not valid JSON: ${(error as Error).message}` };
  }
}
