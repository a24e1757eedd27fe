/**
 * `streamlib mcp [manifest]`: the MCP server for an AI agent, on stdio (what an MCP client
 * starts) or, with `--http`, over streamable HTTP on loopback with a bearer token.
 *
 * @module
 */

import { projectPluginFolders } from "../../plugins/discovery/roots.ts";
import { manifestPluginPaths, projectProcessorsFor } from "../project_plugins.ts";
import { serveHttp, serveStdio } from "../../mcp/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { reserveProtocolStdout } from "../protocol_stdout.ts";
import { stdoutWriteProblem } from "../cli_output.ts";
import type { CliCommand } from "../command.ts";
import { loadPipelineFile } from "../load_pipeline.ts";
import {
  CONTROL_FLAGS,
  CONTROL_USAGE,
  controlPolicyFromFlags,
  tokenFromFlags,
} from "../_control_flags.ts";
import { LOAD_PLUGINS_FLAG, LOAD_PLUGINS_USAGE } from "../manifest_plugins.ts";
import { argsErrorCode, numberFlag, parseCommand } from "../parse_command.ts";
import { RUNTIME_FLAGS, RUNTIME_USAGE, runtimeOptionsFromFlags } from "../runtime_flags.ts";
import { PERMISSION_FLAGS, PERMISSION_USAGE, programsAllowed } from "../permission_scope.ts";
import { scopedRun } from "../scoped_child.ts";
import { listenCode, listenProblem } from "../_serve_checks.ts";
import { codeOf, errorLine, UsageError, usageErrorText } from "../_error_line.ts";
import { startUnlessStopped, waitForStop } from "../wait_for_stop.ts";

const USAGE = `Usage: streamlib mcp [manifest] [--start] [--media-dir D]... [--allow-processor P]...
                     [--allow-run C]... [--allow-all] [--memory-budget M]
                     [--http [--port N] [--token-file F]] [--json]
  Serves the streamlib MCP server: tools to list processor types, add and remove processors,
  connect and disconnect ports, start, pause, resume and stop, change configs, read the graph
  and stats, and load and save manifests; resources processor://<type> and graph://current.
  By default it speaks MCP on stdin/stdout (what an MCP client such as an AI agent starts);
  diagnostics go to stderr. It ends when the client closes stdin, or on SIGINT, SIGTERM or
  SIGHUP, stopping the pipeline cleanly (sinks finalize their files). Messages over 4 MiB are
  answered with a JSON-RPC error (-32600) and discarded.
Options:
  manifest      load this pipeline first (it must be valid)
  --start       start the loaded pipeline at once
  --http        serve streamable HTTP at http://127.0.0.1:<port>/mcp instead of stdio, until
                Ctrl-C; every request needs 'Authorization: Bearer <token>'
  --port N      the HTTP port (default 0: a free one)
  --token T     the HTTP token (default: --token-file, STREAMLIB_TOKEN, else 32 random hex
                digits, printed at start). Over stdio whoever starts the server is the client
${CONTROL_USAGE}
${LOAD_PLUGINS_USAGE}
${RUNTIME_USAGE}
${PERMISSION_USAGE}
  --json        with --http: print { url, token } as one JSON line on stdout
  -h, --help    this text
Exit codes: 0 served and stopped cleanly, 1 invalid manifest, 2 usage error or missing or
unreadable file.`;

/** `streamlib mcp`. */
export const command: CliCommand = {
  run: async (args, output, { signal, scopePermissions }) => {
    const parsed = parseCommand(
      args,
      {
        start: { type: "boolean", default: false },
        http: { type: "boolean", default: false },
        port: { type: "string" },
        token: { type: "string" },
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
    let port: number | undefined;
    let control, token, limits;
    try {
      limits = runtimeOptionsFromFlags(values);
      if (positionals.length > 1) {
        throw new UsageError(
          "unexpected_argument",
          `Expected at most one manifest, got ${positionals.length}: ${positionals.join(", ")}`,
        );
      }
      if (
        !values.http &&
        (values.port !== undefined || values.token !== undefined ||
          values["token-file"] !== undefined)
      ) {
        throw new UsageError("invalid_flag", "--port, --token and --token-file need --http");
      }
      control = await controlPolicyFromFlags(values);
      token = values.http ? await tokenFromFlags(values) : undefined;
      port = numberFlag(
        "port",
        values.port as string | undefined,
        (n) => Number.isInteger(n) && n >= 0 && n < 65536,
        "an integer from 0 to 65535",
      );
    } catch (error) {
      output.err(usageErrorText(argsErrorCode(error), (error as Error).message, USAGE));
      return 2;
    }
    const scoped = await scopedRun("mcp", args, {
      mediaDirs: values["media-dir"] as string[] | undefined,
      manifest: positionals[0],
      files: [values["token-file"] as string | undefined],
      net: values.http ? ["127.0.0.1", "localhost"] : [],
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
      dashboard: false,
    }, {
      scopePermissions,
      allowAll: values["allow-all"] as boolean,
      stdinForChild: !values.http,
    });
    if (scoped !== undefined) return scoped;
    // On stdio, stdout carries the protocol: from before the first node is made to the end, what
    // any isolate prints (the main one and every Worker) goes to stderr instead.
    using _stdout = values.http ? undefined : reserveProtocolStdout();
    const project = await projectProcessorsFor(".", output);
    if (typeof project === "number") return project;
    const rt = createRuntime({ registry: project.registry, ...limits });
    if (positionals[0] !== undefined) {
      const code = await loadPipelineFile(
        rt,
        positionals[0],
        output,
        values["load-plugins"] as boolean,
        "mcp",
      );
      if (code !== undefined) return code;
    }
    const log = (line: string) => (output.log ?? output.err)(line);
    try {
      if (values.start) {
        // A stop during start() (Ctrl-C, SIGTERM, SIGHUP) stops cleanly instead of killing us.
        const startPhase = new AbortController();
        const stopSignals = signal ? [signal, startPhase.signal] : [startPhase.signal];
        const started = await startUnlessStopped(
          rt,
          waitForStop(undefined, AbortSignal.any(stopSignals)),
        );
        startPhase.abort(); // ends that wait (and its signal listeners); the serving wait follows
        if (started instanceof Error) throw started;
        if (started === "late") {
          log(
            errorLine(
              "setup_timeout",
              "Cannot stop cleanly: a setup() has not returned 5 s after the stop was asked for",
            ),
          );
          return 1;
        }
        if (started === "stopped") return 0;
      }
      if (!values.http) {
        const left = new AbortController();
        const signals = signal ? [signal, left.signal] : [left.signal];
        // Listening for a stop before saying it serves: a signal sent on that line is heard.
        const stop = waitForStop(undefined, AbortSignal.any(signals));
        const server = await serveStdio(rt, { log, control }).catch((error) => {
          left.abort();
          throw error;
        });
        log(
          `streamlib mcp: serving on stdio (${rt.registry.list().length} processor types, ` +
            `${rt.describe().nodes.length} nodes)`,
        );
        server.closed.then(() => left.abort());
        await stop;
        await server.close();
        if (server.writeError) {
          // The client closed its end of stdout: nothing more could be answered (run --json's
          // `stdout_closed`, the same code).
          log(
            errorLine(
              "stdout_closed",
              `${stdoutWriteProblem(server.writeError)}; stopped (exit 1)`,
            ),
          );
          return 1;
        }
        return 0;
      }
      let server;
      const quit = new AbortController();
      // Listening for a stop before printing the address: a SIGTERM sent on that line is heard.
      const stop = waitForStop(
        undefined,
        signal ? AbortSignal.any([signal, quit.signal]) : quit.signal,
      );
      try {
        server = await serveHttp(rt, { port, token, control });
      } catch (error) {
        quit.abort();
        await stop;
        const listen = listenProblem(error, "127.0.0.1", port ?? 0);
        if (listen !== undefined) {
          output.err(errorLine(listenCode(error), listen));
          return 2;
        }
        if (!(error instanceof TypeError) && !(error instanceof Deno.errors.AddrInUse)) throw error;
        output.err(errorLine(codeOf(error, "cannot_listen"), (error as Error).message));
        return 2;
      }
      if (values.json) output.out(JSON.stringify({ url: server.url, token: server.token }));
      else {
        output.out(`streamlib mcp: serving ${server.url}`);
        output.out(`  token: ${server.token} (send 'Authorization: Bearer <token>')`);
        output.out("  Ctrl-C to stop");
      }
      await stop;
      await server.close();
      return 0;
    } finally {
      await rt.settled();
      if (rt.state === "running" || rt.state === "paused") await rt.stop();
    }
  },
};
