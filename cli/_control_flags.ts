/**
 * The flags `streamlib dashboard` and `streamlib mcp` share for what a client may do and how the
 * token is given: `--media-dir`, `--allow-processor`, `--token-file` and `STREAMLIB_TOKEN`.
 *
 * @module
 */

import { resolve } from "node:path";
import { ControlPolicy } from "../frontend/control_policy.ts";
import { tokenProblem } from "../frontend/token.ts";
import { openRegularFile, readAtMost } from "../processors/formats/regular_file.ts";

/** The `parseArgs` options of the shared flags. */
export const CONTROL_FLAGS = {
  "media-dir": { type: "string", multiple: true },
  "allow-processor": { type: "string", multiple: true },
  "token-file": { type: "string" },
} as const;

/** The usage lines of the shared flags. */
export const CONTROL_USAGE =
  `  --media-dir D        a folder clients may read and write files in (repeatable; default: the
                       working directory); every path in a config must resolve inside one
  --allow-processor P  a processor type clients may add (repeatable); '*' allows every type.
                       Default: every type but SubprocessProcessor, which runs programs
  --token-file F       read the token from file F (the first line); or set STREAMLIB_TOKEN.
                       --token T works too, but shows in 'ps' to every user of the machine`;

/** Largest token file read, in bytes. */
const MAX_TOKEN_FILE_BYTES = 4096;

/** A flag with a bad value: a usage error (exit code 2). */
export class ControlFlagError extends Error {
  /** Always `invalid_flag`. */
  readonly code = "invalid_flag";

  /**
   * Creates the error.
   *
   * @param message What is wrong and what is valid.
   */
  constructor(message: string) {
    super(message);
    this.name = "ControlFlagError";
  }
}

/** The parsed values of the shared flags (and `--token`). */
export interface ControlFlagValues {
  readonly "media-dir"?: string[];
  readonly "allow-processor"?: string[];
  readonly "token-file"?: string;
  readonly token?: string;
}

/**
 * The policy the flags ask for. Each media folder must exist and be a folder.
 *
 * @param values The parsed flags.
 * @returns The policy.
 * @throws {ControlFlagError} When a media folder does not exist or is not a folder.
 */
export async function controlPolicyFromFlags(values: ControlFlagValues): Promise<ControlPolicy> {
  const dirs = values["media-dir"] ?? [];
  for (const dir of dirs) {
    const info = await Deno.stat(dir).catch(() => undefined);
    if (!info?.isDirectory) {
      throw new ControlFlagError(`--media-dir must name an existing folder, got '${dir}'`);
    }
  }
  const allowed = values["allow-processor"] ?? [];
  return new ControlPolicy({
    mediaDirs: dirs.length > 0 ? dirs.map((d) => resolve(d)) : undefined,
    processors: allowed.includes("*") ? "*" : allowed.length > 0 ? allowed : undefined,
  });
}

/**
 * The token, from (in order) `--token`, `--token-file`, `STREAMLIB_TOKEN`, then the legacy
 * variable named by `legacyEnv`; `undefined` when none is given (the server makes one).
 *
 * @param values The parsed flags.
 * @param legacyEnv An older environment variable still read, if any.
 * @returns The token, or `undefined`.
 * @throws {ControlFlagError} When the token file cannot be read, is not a regular file or is
 * empty, or the token is not 16 to 128 letters, digits, `_` or `-` (naming where it came from).
 */
export async function tokenFromFlags(
  values: ControlFlagValues,
  legacyEnv?: string,
): Promise<string | undefined> {
  const token = await givenToken(values, legacyEnv);
  if (token === undefined) return undefined;
  // Refused here, as the flag it came from: the server refuses it too, too late to say so.
  const problem = tokenProblem(token);
  if (problem !== undefined) {
    const from = values.token !== undefined
      ? "--token"
      : values["token-file"] !== undefined
      ? `--token-file '${values["token-file"]}'`
      : legacyEnv !== undefined && env("STREAMLIB_TOKEN") === undefined
      ? legacyEnv
      : "STREAMLIB_TOKEN";
    throw new ControlFlagError(`Invalid ${from}: ${problem}`);
  }
  return token;
}

/** The token as given, unchecked. */
async function givenToken(
  values: ControlFlagValues,
  legacyEnv?: string,
): Promise<string | undefined> {
  if (values.token !== undefined) return values.token;
  const file = values["token-file"];
  if (file !== undefined) {
    let text: string;
    try {
      // A FIFO, device or folder is refused before it is opened (a FIFO's open would wait).
      using handle = await openRegularFile(
        file,
        () => new ControlFlagError(`--token-file must name a regular file: '${file}'`),
      );
      // Only the first line counts; a bounded read keeps a huge file from being loaded.
      text = new TextDecoder().decode(
        (await readAtMost(handle, MAX_TOKEN_FILE_BYTES)).subarray(0, MAX_TOKEN_FILE_BYTES),
      );
    } catch (error) {
      if (error instanceof ControlFlagError) throw error;
      throw new ControlFlagError(`Cannot read --token-file '${file}': ${(error as Error).message}`);
    }
    const token = text.split(/\r?\n/)[0].trim();
    if (token === "") throw new ControlFlagError(`--token-file '${file}' is empty`);
    return token;
  }
  return env("STREAMLIB_TOKEN") ?? (legacyEnv ? env(legacyEnv) : undefined);
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}
