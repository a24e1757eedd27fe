/**
 * Describing a Python plugin: `python3 -m streamlib_processor describe FOLDER ENTRY` imports the
 * entry once in a child process and prints what its `@processor` classes declare; this module
 * runs it and checks the answer.
 *
 * @module
 */

import { parsePortType } from "../../core/ports/port_type.ts";
import type { JsonSchema } from "../../core/schema/json_schema.ts";
import { PROTOCOL_VERSION } from "../frame_protocol.ts";
import { pythonEnv } from "./_python_env.ts";
import { PythonPluginError } from "./python_plugin_error.ts";

/** A port as the describe output states it. */
export interface PythonPortJson {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly required?: boolean;
}

/** A processor as the describe output states it. */
export interface PythonProcessorJson {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly inputs: readonly PythonPortJson[];
  readonly outputs: readonly PythonPortJson[];
  readonly config: JsonSchema;
  /** Sources only: how often the runtime calls it. */
  readonly periodMs: number | null;
  readonly module: string;
  readonly class: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STDERR_LINES = 4;

/** The frame kind of a port type Python processors take, or `undefined`. */
export function portKind(type: string): "audio" | "video" | "data" | undefined {
  const parsed = parsePortType(type);
  if (parsed?.name === "AudioFrame") return "audio";
  if (parsed?.name === "VideoFrame" && parsed.argument === undefined) return "video";
  if (parsed?.name === "DataFrame") return "data";
  return undefined;
}

/**
 * Runs the describe mode of `streamlib_processor` on a plugin and checks its answer.
 *
 * @param python The Python program (`python3`).
 * @param folder The plugin folder (absolute).
 * @param entry The module or package to import, relative to `folder`.
 * @param timeoutMs How long the import may take.
 * @returns The processors the entry registers.
 * @throws {PythonPluginError} When Python cannot start, the import fails, it takes too long or
 * it declares something streamlib cannot run.
 */
export async function describePythonPlugin(
  python: string,
  folder: string,
  entry: string,
  timeoutMs: number,
): Promise<PythonProcessorJson[]> {
  const fail = (reason: string) => new PythonPluginError(folder, reason);
  const tooLong = () => fail(`describing '${entry}' took more than ${timeoutMs} ms, killed it`);
  const signal = AbortSignal.timeout(timeoutMs);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, {
      args: ["-m", "streamlib_processor", "describe", folder, entry],
      env: pythonEnv(),
      stdin: "null",
      signal,
    }).output();
  } catch (error) {
    if (signal.aborted) throw tooLong();
    throw fail(`'${python}' cannot be started: ${(error as Error).message}`);
  }
  if (signal.aborted && !output.success) throw tooLong();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n");
    throw fail(
      `importing '${entry}' failed (exit code ${output.code}): ${
        stderr.slice(-STDERR_LINES).join(" | ")
      }`,
    );
  }
  let doc: { protocol?: unknown; processors?: unknown };
  try {
    doc = JSON.parse(new TextDecoder().decode(output.stdout));
  } catch {
    throw fail(`describing '${entry}' printed something that is not JSON`);
  }
  if (doc.protocol !== PROTOCOL_VERSION) {
    throw fail(
      `its streamlib_processor speaks protocol ${
        JSON.stringify(doc.protocol)
      }, this streamlib ${PROTOCOL_VERSION}`,
    );
  }
  if (!Array.isArray(doc.processors) || doc.processors.length === 0) {
    throw fail(`'${entry}' registers no @processor class`);
  }
  return doc.processors.map((p) => checkProcessor(p as PythonProcessorJson, fail));
}

function checkProcessor(
  p: PythonProcessorJson,
  fail: (reason: string) => PythonPluginError,
): PythonProcessorJson {
  const bad = (problem: string) => fail(`processor ${JSON.stringify(p?.name)}: ${problem}`);
  if (typeof p?.name !== "string" || !IDENTIFIER.test(p.name)) {
    throw bad("the name must be an identifier such as PyGain");
  }
  for (const key of ["inputs", "outputs"] as const) {
    if (!Array.isArray(p[key])) throw bad(`${key} must be an array`);
    for (const port of p[key]) {
      if (typeof port?.name !== "string" || !IDENTIFIER.test(port.name)) {
        throw bad(`a port of ${key} has no identifier name`);
      }
      if (typeof port.type !== "string" || portKind(port.type) === undefined) {
        throw bad(
          `port '${port.name}' has type ${
            JSON.stringify(port.type)
          } (expected AudioFrame, AudioFrame<N>, VideoFrame or DataFrame)`,
        );
      }
    }
  }
  if (typeof p.config !== "object" || p.config === null || p.config.type !== "object") {
    throw bad('config must be a JSON Schema of type "object"');
  }
  if (p.inputs.length === 0 && !(typeof p.periodMs === "number" && p.periodMs > 0)) {
    throw bad("a source (no inputs) needs periodMs above 0");
  }
  return p;
}
