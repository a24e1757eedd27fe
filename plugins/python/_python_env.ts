/**
 * The environment of a Python child: `PYTHONPATH` with this folder first, so the child imports
 * the `streamlib_processor` package beside this file.
 *
 * @module
 */

import { delimiter } from "node:path";
import { fileURLToPath } from "node:url";

/** The program that runs Python processors when the caller names none. */
export const DEFAULT_PYTHON = "python3";

/**
 * `PYTHONPATH` with the folder of `streamlib_processor/` first, then the caller's own; and
 * `PYTHONDONTWRITEBYTECODE`, so a plugin folder (perhaps read-only) gets no `__pycache__`.
 *
 * @returns The variables to set for the child.
 * @throws {Error} When this module is not on disk (imported by URL), so no package folder exists.
 */
export function pythonEnv(): Record<string, string> {
  const helpers = new URL("./", import.meta.url);
  if (helpers.protocol !== "file:") {
    throw new Error(
      `Python processors need streamlib on disk (the streamlib_processor package beside ${helpers.href})`,
    );
  }
  let current: string | undefined;
  try {
    current = Deno.env.get("PYTHONPATH");
  } catch {
    // No permission to read the environment: the package's folder alone.
  }
  return {
    PYTHONPATH: [fileURLToPath(helpers), current].filter(Boolean).join(delimiter),
    PYTHONDONTWRITEBYTECODE: "1",
  };
}
