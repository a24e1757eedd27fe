/**
 * `deno task run pipeline.json [--seconds N]`: runs a manifest with the built-in processors
 * until Ctrl-C (SIGINT) or for N seconds, printing one status line per second, then stops
 * cleanly so sinks finalize their files.
 *
 * Exit codes: 0 ran and stopped cleanly, 1 invalid manifest or a node failed, 2 usage error or
 * unreadable file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadManifest, type RuntimeEvent, validateManifest } from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { type CliOutput, CONSOLE } from "./cli_output.ts";
import { readManifestFile } from "./manifest_file.ts";
import { statusLine } from "./status_line.ts";

const USAGE = `Usage: deno task run <pipeline.json> [--seconds N]
  Runs a pipeline manifest until Ctrl-C, or for N seconds, printing a status line per second.
  Exit codes: 0 stopped cleanly, 1 invalid manifest or a node failed, 2 usage error.`;

/** Options of {@linkcode main} for tests. */
export interface RunOptions {
  /** Stops the run when aborted (besides SIGINT and `--seconds`). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write.
 * @param options An abort signal.
 * @returns The exit code.
 */
export async function main(
  args: readonly string[],
  output: CliOutput = CONSOLE,
  options: RunOptions = {},
): Promise<number> {
  let path: string;
  let seconds: number | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        seconds: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      output.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new Error(`Expected one manifest file, got ${positionals.length}`);
    }
    path = positionals[0];
    if (values.seconds !== undefined) {
      seconds = Number(values.seconds);
      if (!(seconds > 0)) {
        throw new Error(`--seconds must be a number above 0, got '${values.seconds}'`);
      }
    }
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const file = await readManifestFile(path);
  if (!file.ok) {
    output.err(file.message);
    return file.code;
  }
  const rt = createRuntime();
  const issues = validateManifest(file.manifest, rt.registry);
  if (issues.length > 0) {
    output.err(`${path}: ${issues.length} issue${issues.length === 1 ? "" : "s"}`);
    for (const issue of issues) output.err(`  ${issue.message}`);
    return 1;
  }
  try {
    loadManifest(rt, file.manifest);
  } catch (error) {
    output.err((error as Error).message);
    return 1;
  }
  let failures = 0;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => stopped = resolve);
  rt.on((event: RuntimeEvent) => {
    if (event.type === "node-error") {
      failures++;
      output.err(
        `error: node '${event.node}' failed in ${event.phase}(): ${event.message} (${event.action})`,
      );
    }
    if (event.type === "runtime-state" && event.to === "stopping") stopped();
  });
  const onSignal = () => stopped();
  Deno.addSignalListener("SIGINT", onSignal);
  options.signal?.addEventListener("abort", onSignal);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1e3;
  const ticker = setInterval(() => output.out(statusLine(rt.stats(), elapsed())), 1000);
  const timer = seconds === undefined ? undefined : setTimeout(stopped, seconds * 1e3);
  try {
    await rt.start();
    const graph = rt.describe();
    output.out(
      `running ${path}: ${graph.nodes.length} nodes, ${graph.connections.length} connections` +
        (seconds === undefined ? " (Ctrl-C to stop)" : ` for ${seconds} s`),
    );
    await done;
    if (rt.state === "running" || rt.state === "paused") await rt.stop();
    while (rt.state !== "stopped") await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    Deno.removeSignalListener("SIGINT", onSignal);
    options.signal?.removeEventListener("abort", onSignal);
  }
  output.out(`stopped: ${statusLine(rt.stats(), elapsed())}`);
  return failures > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
