/**
 * `streamlib dashboard [manifest]` (also `deno task dashboard`): the dashboard for a pipeline,
 * serving MCP over streamable HTTP at `/mcp` on the same port under the dashboard's token.
 *
 * @module
 */

import { manifestPluginFolders, projectPluginFolders } from "../../plugins/discovery/roots.ts";
import { pluginInfo, pluginOrigin } from "../../plugins/discovery/load_plugins.ts";
import { discoverPlugins } from "../../plugins/discovery/discover.ts";
import { manifestPluginPaths, projectProcessorsFor } from "../project_plugins.ts";
import { createRuntime } from "../../processors/mod.ts";
import { reserveProtocolStdout } from "../protocol_stdout.ts";
import { nodeErrorLine, nodeLogLine } from "../node_log_line.ts";
import type { CliCommand } from "../command.ts";
import { loadPipelineFile } from "../load_pipeline.ts";
import { readManifestFile } from "../_manifest_file.ts";
import {
  CONTROL_FLAGS,
  CONTROL_USAGE,
  controlPolicyFromFlags,
  tokenFromFlags,
} from "../_control_flags.ts";
import { LOAD_PLUGINS_FLAG, LOAD_PLUGINS_USAGE } from "../manifest_plugins.ts";
import { argsErrorCode, numberFlag, parseCommand, secondsFlag } from "../parse_command.ts";
import { RUNTIME_FLAGS, RUNTIME_USAGE, runtimeOptionsFromFlags } from "../runtime_flags.ts";
import { PERMISSION_FLAGS, PERMISSION_USAGE, programsAllowed } from "../permission_scope.ts";
import { scopedRun } from "../scoped_child.ts";
import { listenCode, listenProblem } from "../_serve_checks.ts";
import { codeOf, errorLine, UsageError, usageErrorText } from "../_error_line.ts";
import { statusLine } from "../status_line.ts";
import { startUnlessStopped, stdoutClosed, waitForStop } from "../wait_for_stop.ts";

const USAGE = `Usage: streamlib dashboard [manifest] [--port N] [--host H] [--token-file F]
                           [--media-dir D]... [--allow-processor P]...
                           [--allow-run C]... [--allow-all] [--memory-budget M]
                           [--no-mcp] [--start] [--seconds N] [--json]
  (deno task dashboard runs this.) Serves the dashboard (live graph, stats, previews, config
  forms, the /api/v1 control API) for a graph of the processors, empty or loaded from a
  manifest, and MCP over streamable HTTP at /mcp on the same port with the same token (loopback
  Host names only), until Ctrl-C, SIGTERM or SIGHUP; then stops the pipeline cleanly
  (recordings finalized).
Options:
  --port N       dashboard port (default 8787; a busy port falls back to a free one; 0: a free one)
  --host H       dashboard address (default 127.0.0.1)
  --token T      the token for both (default: --token-file, STREAMLIB_TOKEN,
                 STREAMLIB_DASHBOARD_TOKEN, else 32 random hex digits). A token lets its holder
                 add, remove, reconfigure and connect processors of the allowed types, with files
                 only inside the media folders, and start and stop the graph
${CONTROL_USAGE}
${LOAD_PLUGINS_USAGE}
${RUNTIME_USAGE}
${PERMISSION_USAGE}
  --no-mcp       do not serve MCP at /mcp
  --start        start the graph at once (otherwise: the page's Start button, or MCP's start)
  --seconds N    stop after N seconds (above 0, at most 2147483: 24 days, 20 hours)
  --json         one JSON object per line on stdout: started { dashboard, mcp, token }, stats
                 (each second), stopped
  -h, --help     this text
Exit codes: 0 served and stopped cleanly, 1 invalid manifest or a processor failed, 2 usage
error, missing or unreadable file, or a malformed token.`;

/** `streamlib dashboard`. */
export const command: CliCommand = {
  run: async (args, output, { signal, scopePermissions }) => {
    const parsed = parseCommand(
      args,
      {
        port: { type: "string", default: "8787" },
        host: { type: "string", default: "127.0.0.1" },
        token: { type: "string" },
        "no-mcp": { type: "boolean", default: false },
        start: { type: "boolean", default: false },
        seconds: { type: "string" },
        json: { type: "boolean", default: false },
        ...CONTROL_FLAGS,
        ...LOAD_PLUGINS_FLAG,
        ...RUNTIME_FLAGS,
        ...PERMISSION_FLAGS,
      },
      USAGE,
      output,
    );
    if ("exit" in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n < 65536;
    let port: number, seconds: number | undefined;
    let control, token, limits;
    try {
      limits = runtimeOptionsFromFlags(values);
      control = await controlPolicyFromFlags(values);
      token = await tokenFromFlags(values, "STREAMLIB_DASHBOARD_TOKEN");
      if (positionals.length > 1) {
        throw new UsageError(
          "unexpected_argument",
          `Expected at most one manifest, got ${positionals.length}: ${positionals.join(", ")}`,
        );
      }
      port = numberFlag("port", values.port as string, isPort, "an integer from 0 to 65535")!;
      seconds = secondsFlag(values.seconds as string | undefined);
    } catch (error) {
      output.err(usageErrorText(argsErrorCode(error), (error as Error).message, USAGE));
      return 2;
    }
    if (scopePermissions && !values["allow-all"]) await prebuildPage();
    const scoped = await scopedRun("dashboard", args, {
      mediaDirs: values["media-dir"] as string[] | undefined,
      manifest: positionals[0],
      files: [values["token-file"] as string | undefined],
      net: [values.host as string],
      allowRun: programsAllowed(
        values["allow-run"] as string[] | undefined,
        values["allow-processor"] as string[] | undefined,
      ),
      loadPlugins: values["load-plugins"] as boolean,
      pluginPaths: [
        ...projectPluginFolders("."),
        ...(values["load-plugins"] && scopePermissions && positionals[0] !== undefined
          ? await manifestPluginPaths(positionals[0])
          : []),
      ],
      dashboard: true,
    }, { scopePermissions, allowAll: values["allow-all"] as boolean });
    if (scoped !== undefined) return scoped;
    // With --json, stdout carries JSON lines: what any isolate prints goes to stderr meanwhile.
    using _stdout = values.json ? reserveProtocolStdout() : undefined;
    const project = await projectProcessorsFor(".", output);
    if (typeof project === "number") return project;
    const rt = createRuntime({ registry: project.registry, ...limits });
    const plugins = [...project.plugins];
    const origins = new Map(project.origins);
    let positions: Record<string, { x: number; y: number }> | undefined;
    if (positionals[0] !== undefined) {
      const code = await loadPipelineFile(
        rt,
        positionals[0],
        output,
        values["load-plugins"] as boolean,
        "dashboard",
      );
      if (code !== undefined) return code;
      // The drawing saved with the manifest (`ui.positions`, validated with it).
      const file = await readManifestFile(positionals[0]);
      if (file.ok) {
        positions =
          (file.manifest as { ui?: { positions?: Record<string, { x: number; y: number }> } })
            .ui?.positions;
        // The manifest's plugin folders, loaded above with --load-plugins, join the list.
        if (values["load-plugins"]) {
          const found = await discoverPlugins(manifestPluginFolders(file.manifest, positionals[0]));
          plugins.push(...found);
          for (const plugin of found) {
            for (const name of plugin.metadata.processors) origins.set(name, pluginOrigin(plugin));
          }
        }
      }
    }
    let failures = 0;
    rt.on((event) => {
      if (event.type === "node-log") {
        if (values.json) output.out(JSON.stringify({ event: "node-log", ...event }));
        else (output.log ?? output.err)(nodeLogLine(event));
      }
      if (event.type !== "node-error") return;
      failures++;
      (output.log ?? output.err)(nodeErrorLine(event));
    });
    const { serveDashboard } = await import("../../web/mod.ts");
    // The dashboard serves MCP's endpoint when given it; MCP is loaded only then.
    const mcp = values["no-mcp"] ? false : (await import("../../mcp/mod.ts")).createMcpEndpoint;
    let dashboard;
    try {
      dashboard = await serveDashboard(
        rt,
        {
          port,
          hostname: values.host as string,
          token,
          control,
          mcp,
          positions,
          origins,
          plugins: plugins.map(pluginInfo),
        },
        (busy) => output.err(`Port ${busy} is busy; using a free one`),
      );
    } catch (error) {
      const listen = listenProblem(
        error,
        (values.host as string | undefined) ?? "127.0.0.1",
        port,
        "--host",
      );
      if (listen !== undefined) {
        output.err(errorLine(listenCode(error), listen));
        return 2;
      }
      if (!(error instanceof TypeError) && !(error instanceof Deno.errors.AddrInUse)) throw error;
      output.err(errorLine(codeOf(error, "cannot_listen"), (error as Error).message));
      return 2;
    }
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1e3;
    // Listening for a stop from here on: Ctrl-C, SIGTERM or SIGHUP during start() stops cleanly.
    const stop = waitForStop(seconds, signal);
    try {
      if (values.start) {
        const started = await startUnlessStopped(rt, stop);
        if (started instanceof Error) throw started;
        if (started === "late") {
          output.err(
            errorLine(
              "setup_timeout",
              "Cannot stop cleanly: a setup() has not returned 5 s after the stop was asked " +
                "for; exiting without finalizing",
            ),
          );
          return 1;
        }
        if (started === "stopped") return 0;
      }
      if (values.json) {
        output.out(
          JSON.stringify({
            event: "started",
            dashboard: dashboard.url,
            mcp: dashboard.mcpUrl ?? null,
            token: dashboard.token,
          }),
        );
      } else {
        output.out(`Dashboard: ${dashboard.url}`);
        if (dashboard.mcpUrl) {
          output.out(`MCP:       ${dashboard.mcpUrl} (Authorization: Bearer ${dashboard.token})`);
        }
        output.out(seconds === undefined ? "Ctrl-C to stop" : `Stopping after ${seconds} s`);
      }
      const tick = () => {
        const stats = rt.stats();
        if (values.json) {
          output.out(JSON.stringify({ event: "stats", elapsedSeconds: elapsed(), stats }));
        } else if (output.status) output.status(statusLine(stats, elapsed()));
        else output.out(statusLine(stats, elapsed()));
      };
      const ticker = setInterval(tick, output.status && !values.json ? 250 : 1000);
      await stop;
      clearInterval(ticker);
    } finally {
      await dashboard.close();
      await rt.settled();
      if (rt.state === "running" || rt.state === "paused") await rt.stop();
    }
    // Exit 1 too when stdout's reader went away (`--json | head -1`): the stop was not asked for.
    const code = failures > 0 || stdoutClosed() ? 1 : 0;
    if (values.json) {
      output.out(JSON.stringify({
        event: "stopped",
        elapsedSeconds: elapsed(),
        stats: rt.stats(),
        failures,
        exitCode: code,
      }));
    } else output.out(`stopped: ${statusLine(rt.stats(), elapsed())}`);
    return code;
  },
};

/**
 * Builds the page's bundle before the scoped child starts: it runs `deno bundle`, a program the
 * child may not start. The child finds it in the package's cache.
 */
async function prebuildPage(): Promise<void> {
  const { islandBundle } = await import("../../web/server/bundle.ts");
  await islandBundle();
}
