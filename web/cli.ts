/**
 * `deno task dashboard [pipeline.json]`: the dashboard over a runtime with the built-in
 * processors, empty or loaded from a manifest, until Ctrl-C.
 *
 * Options: `--port N` (default 8787; a busy port falls back to a free one), `--host ADDR`
 * (default 127.0.0.1), `--token T` (or `STREAMLIB_TOKEN`, `STREAMLIB_DASHBOARD_TOKEN`), `--start` to start the graph
 * at once. Ctrl-C, SIGTERM and SIGHUP stop it. Exit codes: 0 stopped cleanly, 1 invalid manifest, 2 usage error or unreadable file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadManifest, ManifestError, type Runtime } from "../mod.ts";
import { createRuntime } from "../processors/mod.ts";
import { createDashboard, type Dashboard, type DashboardOptions } from "./server.ts";

const USAGE =
  `Usage: deno task dashboard [pipeline.json] [--port 8787] [--host 127.0.0.1] [--token T] [--start]
  Serves the dashboard and control API for a graph of the built-in processors (empty, or loaded
  from a manifest) until Ctrl-C.`;

/**
 * Starts a dashboard, falling back to a free port when the asked one is busy.
 *
 * @param rt The runtime.
 * @param options The dashboard options.
 * @returns The dashboard.
 */
export async function serveDashboard(rt: Runtime, options: DashboardOptions): Promise<Dashboard> {
  try {
    return await createDashboard(rt, options);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse) || options.port === 0) throw error;
    console.log(`Port ${options.port} is busy; using a free one.`);
    return await createDashboard(rt, { ...options, port: 0 });
  }
}

/**
 * Runs the command line.
 *
 * @param args The arguments.
 * @returns The exit code.
 */
export async function main(args: string[]): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string", default: "8787" },
        host: { type: "string", default: "127.0.0.1" },
        token: { type: "string" },
        start: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (positionals.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(USAGE);
    return 2;
  }
  const rt = createRuntime();
  if (positionals.length === 1) {
    let manifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(positionals[0]));
    } catch (error) {
      console.error(`Cannot read '${positionals[0]}': ${(error as Error).message}`);
      return 2;
    }
    try {
      loadManifest(rt, manifest);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      console.error(error.message);
      return 1;
    }
  }
  const dashboard = await serveDashboard(rt, {
    port,
    hostname: values.host,
    token: values.token ?? Deno.env.get("STREAMLIB_TOKEN") ??
      Deno.env.get("STREAMLIB_DASHBOARD_TOKEN") ?? undefined,
  });
  if (values.start) await rt.start();
  console.log(`Dashboard: ${dashboard.url}`);
  const done = Promise.withResolvers<void>();
  const stop = () => done.resolve();
  // SIGTERM and SIGHUP stop as Ctrl-C does: the graph is stopped, recordings finalized.
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await done.promise;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  await dashboard.close();
  if (rt.state === "running" || rt.state === "paused") await rt.stop();
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
