/**
 * `streamlib serve <folder>`: the folder's pipelines as WebSocket sessions, with tokens,
 * `/healthz`, `/readyz`, Prometheus `/metrics`, the operators' `/v1/admin/sessions` and the
 * dashboard's sessions page at `/dashboard`, until SIGINT/SIGTERM/SIGHUP.
 *
 * @module
 */

import { relative, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { projectRegistryFiles } from "../../codegen/nodes_command.ts";
import {
  loadCatalog,
  loadTokenFile,
  ServeError,
  serveSessions,
  type TokenPolicy,
} from "../../serve/mod.ts";
import type { CliCommand } from "../command.ts";
import {
  argsErrorCode,
  manifestArgumentError,
  MAX_SECONDS,
  numberFlag,
  parseCommand,
} from "../parse_command.ts";
import { codeOf, errorLine, usageErrorText } from "../_error_line.ts";
import { reserveProtocolStdout } from "../protocol_stdout.ts";
import { terminalSafe } from "../../core/processor/terminal_text.ts";
import { stdoutClosed, waitForStop } from "../wait_for_stop.ts";
import { CatalogWatcher, TokenFileWatcher } from "../_serve_watch.ts";
import { SessionLog } from "../_session_log.ts";
import {
  folderProblem,
  listenCode,
  listenProblem,
  manifestWarnings,
  ServeRegistryError,
  sessionRegistry,
  tokenWarnings,
} from "../_serve_checks.ts";

const USAGE =
  `Usage: streamlib serve <folder> [--port N] [--grpc-port N] [--hostname H] [--token-file F] [--pool N]
                       [--max-sessions N] [--idle-timeout S] [--max-session S] [--max-run S]
                       [--max-message M] [--memory-budget M] [--drain S] [--shutdown-delay S]
                       [--registry MODULE]... [--max-waiting N] [--close-timeout S] [--grpc-idle S]
                       [--webrtc-public-address A] [--webrtc-origin O]... [--no-webrtc]
                       [--no-dashboard] [--watch] [--quiet] [--json]
  Serves every <name>.json manifest of <folder> as a pipeline named <name>: one session per
  WebSocket at ws://<host>:<port>/v1/sessions (the pipeline named in the open message, see
  docs/wire_format.md), and one per WebRTC peer that POSTs an SDP offer to
  http://<host>:<port>/v1/webrtc/<name> (its audio/video in, the pipeline's out; see
  docs/sessions.md), each in an isolate of its own. GET /healthz answers 200 while the
  process is up, GET /readyz 200 while it takes sessions (503 when full or stopping), GET
  /metrics the Prometheus text format. On SIGTERM (or SIGINT, SIGHUP) /readyz turns 503 (new
  sessions are still taken for --shutdown-delay when something checks /readyz), each session's
  inputs end and its outputs flush (up to --drain), it gets close with the code
  server_shutting_down, and the process exits 0. Operators list the live sessions, see their
  graphs and end them at /v1/admin/sessions and on the page at /dashboard, with an operator
  token: the token file's "operators", or the admin token printed at start when it names none.
Options:
  --port N            the port (default 8080; 0: a free one)
  --grpc-port N       also serve the pipelines over gRPC on this port (0: a free one), with the
                      same tokens, session limit and metrics (proto/streamlib/sessions/v1/)
  --hostname H        the address to bind (default 127.0.0.1); another needs --token-file
  --token-file F      JSON { "tokens": { "<token>": ["<pipeline>", ...] } }: each open needs a
                      token, and "*" allows every pipeline. Without it: no token, loopback only.
                      "operators": { "<token>": "read" | "admin" } names the operators' tokens
  --pool N            isolates kept started ahead of sessions (default 0)
  --max-sessions N    sessions open at once (default 16); past it session_limit_reached
  --idle-timeout S    seconds a session may send and read nothing (default 30)
  --max-session S     seconds a session may last (default 3600)
  --max-run S         seconds a processor may run without returning (default 10); past it the
                      run is stopped and the session ends with session_processor_failed
  --max-message M     MiB of one frame and its metadata (default 16)
  --memory-budget M   MiB of frames each session's graph may pin (default 64)
  --drain S           seconds outputs may take to flush when stopping (default 5); a graph still
                      running then is ended
  --shutdown-delay S  seconds /readyz answers 503 before the drain starts, new sessions still
                      taken, so a load balancer checking it stops sending them first (default 2;
                      only when /readyz was asked since start; 0: none)
  --max-waiting N     WebSocket connections held beyond --max-sessions (waiting for their open,
                      or for the client to answer the close; default 1024); past it an upgrade
                      gets 503 session_limit_reached
  --close-timeout S   seconds a WebSocket client has to answer the close before the connection
                      is cut (default 5)
  --grpc-idle S       seconds a gRPC connection with no call in progress stays open (default 60)
  --registry MODULE   a module whose 'registry' export sessions use, instead of the built-in
                      processors and the project's (repeatable)
  --webrtc-public-address A
                      the address WebRTC peers reach the media sockets at (the ICE candidate);
                      needed with --hostname 0.0.0.0 for WebRTC sessions
  --webrtc-origin O   a browser origin whose pages may open WebRTC sessions (CORS; repeatable)
  --no-webrtc         serve no WebRTC sessions
  --no-dashboard      do not serve the sessions page at /dashboard (the admin API stays)
  --quiet             print no line per session (opened, ended with its code and length) nor
                      per second of refused opens on stderr
  --watch             re-read the folder, and the token file, when they change: the next session
                      opens the manifest as saved and is checked against the tokens as saved
                      (open sessions keep theirs; a file that does not read keeps what was read
                      before, with a warning)
  --json              print { url, sessionsUrl, webrtcUrl, port, grpcPort, adminToken,
                      dashboardUrl } as one JSON line on stdout
  -h, --help          this text
  A manifest that will not load (streamlib validate would list it), and a token file naming a
  pipeline the folder does not have, are warned about on stderr at start; it is still served.
Exit codes: 0 served and stopped cleanly, 1 a manifest that is not a JSON object or a --json
line stdout cannot take (it stops then, as on SIGTERM), 2 usage error,
a folder, token file or --registry module that cannot be read, or an address it cannot listen on.`;

const MIB = 1024 * 1024;
const BUILTIN_REGISTRY = new URL("../../processors/registry.gen.ts", import.meta.url).href;

/** `streamlib serve`. */
export const command: CliCommand = {
  run: async (args, output, { signal }) => {
    const parsed = parseCommand(
      args,
      {
        port: { type: "string" },
        "grpc-port": { type: "string" },
        hostname: { type: "string" },
        "token-file": { type: "string" },
        pool: { type: "string" },
        "max-sessions": { type: "string" },
        "idle-timeout": { type: "string" },
        "max-session": { type: "string" },
        "max-run": { type: "string" },
        "max-message": { type: "string" },
        "memory-budget": { type: "string" },
        drain: { type: "string" },
        "shutdown-delay": { type: "string" },
        "max-waiting": { type: "string" },
        "close-timeout": { type: "string" },
        "grpc-idle": { type: "string" },
        registry: { type: "string", multiple: true },
        "webrtc-public-address": { type: "string" },
        "webrtc-origin": { type: "string", multiple: true },
        "no-webrtc": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "no-dashboard": { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
      },
      USAGE,
      output,
    );
    if ("exit" in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const v = values as unknown as Record<string, string | undefined>;
    // Without --registry, sessions know the built-ins and the processors of the project serve
    // runs in (its deno.json codegen folders' registry.gen.ts), as run and validate do.
    const project = values.registry !== undefined
      ? []
      : projectRegistryFiles(Deno.cwd()).map((path) => pathToFileURL(path).href);
    let options;
    try {
      if (positionals.length !== 1) throw manifestArgumentError(positionals, "manifest folder");
      const seconds = (name: string) => {
        const s = numberFlag(
          name,
          v[name],
          (n) => n > 0 && n <= MAX_SECONDS,
          `seconds from above 0 to ${MAX_SECONDS}`,
        );
        return s === undefined ? undefined : s * 1000;
      };
      const mib = (name: string) => {
        const m = numberFlag(name, v[name], (n) => n > 0 && n <= 1024 * 1024, "MiB above 0");
        return m === undefined ? undefined : Math.floor(m * MIB);
      };
      const integer = (name: string, min: number, max: number) =>
        numberFlag(
          name,
          v[name],
          (n) => Number.isInteger(n) && n >= min && n <= max,
          `an integer from ${min} to ${max}`,
        );
      options = {
        port: integer("port", 0, 65535) ?? 8080,
        grpcPort: integer("grpc-port", 0, 65535),
        hostname: v.hostname,
        pool: integer("pool", 0, 256),
        maxSessions: integer("max-sessions", 1, 100_000),
        idleTimeoutMs: seconds("idle-timeout"),
        maxSessionMs: seconds("max-session"),
        maxRunMs: seconds("max-run"),
        maxMessageBytes: mib("max-message"),
        memoryBudgetBytes: mib("memory-budget"),
        drainMs: seconds("drain"),
        shutdownDelayMs: (numberFlag(
          "shutdown-delay",
          v["shutdown-delay"],
          (n) => n >= 0 && n <= MAX_SECONDS,
          `seconds from 0 to ${MAX_SECONDS}`,
        ) ?? 2) * 1000,
        maxWaitingConnections: integer("max-waiting", 1, 1_000_000),
        closeTimeoutMs: seconds("close-timeout"),
        maxConnectionIdleMs: seconds("grpc-idle"),
        registries: values.registry !== undefined
          ? (values.registry as string[]).map((m) =>
            /^[a-z]+:/.test(m) ? m : pathToFileURL(resolvePath(m)).href
          )
          : project.length > 0
          ? [BUILTIN_REGISTRY, ...project]
          : undefined,
        webrtc: values["no-webrtc"] ? false as const : {
          publicAddress: v["webrtc-public-address"],
          allowedOrigins: values["webrtc-origin"] as string[] | undefined,
        },
      };
    } catch (error) {
      output.err(usageErrorText(argsErrorCode(error), (error as Error).message, USAGE));
      return 2;
    }
    const notFolder = await folderProblem(positionals[0]);
    if (notFolder !== undefined) {
      output.err(errorLine("file_error", notFolder));
      return 2;
    }
    // With --json, stdout holds the one JSON line for as long as the server runs: what a module
    // prints while imported, and what a session's processor prints, goes to stderr.
    using _stdout = values.json ? reserveProtocolStdout() : undefined;
    let server;
    let watcher: CatalogWatcher | undefined;
    let tokenWatcher: TokenFileWatcher | undefined;
    let log: SessionLog | undefined;
    // What serve prints while it serves (sessions, reloads, the stop) never blocks the serving
    // thread (`log`: console.error waits while a pipe is full, and a stderr nobody reads fills).
    const serving = (line: string) => (output.log ?? output.err)(terminalSafe(line));
    // Listening for a stop from here on: a SIGTERM sent as soon as the addresses are printed
    // (or while the folder still loads) stops the server cleanly instead of killing the process.
    const quit = new AbortController();
    const stop = waitForStop(
      undefined,
      signal ? AbortSignal.any([signal, quit.signal]) : quit.signal,
    );
    try {
      const catalog = new Map(await loadCatalog(positionals[0]));
      const tokens: TokenPolicy | undefined = v["token-file"] === undefined
        ? undefined
        : await loadTokenFile(v["token-file"]);
      // Mistakes a client's first open would meet, shown now: a --registry module that cannot
      // be used ends the command; a manifest that will not load, or a token-file entry naming no
      // served pipeline, is a warning (the server still serves the rest).
      const registry = await sessionRegistry(
        options.registries,
        (url) =>
          project.includes(url)
            ? `the project's ${relative(Deno.cwd(), fileURLToPath(url))} (from the deno.json ` +
              `"streamlib.codegen" folders; run the command from the project folder with its ` +
              `deno.json, e.g. 'deno task streamlib serve ...')`
            : `--registry ${url}`,
      );
      for (const line of manifestWarnings(catalog, registry, positionals[0])) {
        output.err(terminalSafe(line));
      }
      if (v["token-file"] !== undefined) {
        const file = JSON.parse(await Deno.readTextFile(v["token-file"]));
        for (const line of tokenWarnings(file, catalog.keys())) output.err(terminalSafe(line));
      }
      const dashboard = values["no-dashboard"]
        ? false
        : (await import("../../web/server/sessions_page.tsx")).createSessionsPage;
      log = values.quiet ? undefined : new SessionLog(serving);
      const sessionLog = log;
      server = await serveSessions({
        ...options,
        catalog,
        processors: registry,
        tokens,
        dashboard,
        observe: sessionLog && ((transport) => sessionLog.observer(transport)),
      });
      if (!tokens) {
        output.err(
          "streamlib serve: no --token-file: anyone who reaches the port may open any pipeline (loopback only)",
        );
      }
      if (values.watch) {
        const folder = positionals[0];
        watcher = new CatalogWatcher(folder, catalog, {
          reloaded: (changes) => {
            const said = (["added", "changed", "removed"] as const)
              .filter((k) => changes[k].length > 0)
              .map((k) => `${k} ${changes[k].join(", ")}`);
            serving(
              `streamlib serve: reloaded '${folder}' (${said.join("; ")}): ${
                catalog.size === 0 ? "no pipelines" : [...catalog.keys()].join(", ")
              }`,
            );
            const fresh = new Map(
              [...changes.added, ...changes.changed].map((name) => [name, catalog.get(name)]),
            );
            if (fresh.size === 0) return;
            for (const line of manifestWarnings(fresh, registry, folder)) {
              serving(line);
            }
          },
          failed: (error) =>
            serving(
              `streamlib serve: warning: '${folder}' not reloaded (${
                codeOf(error, "file_error")
              }): ${error.message}; still serving the pipelines read before`,
            ),
          skipped: (error, kept) =>
            serving(
              `streamlib serve: warning: ${error.details.path} left out (${error.code}): ${error.message}; ${
                kept
                  ? `'${error.details.pipeline}' keeps the manifest read before`
                  : "it serves no pipeline until it reads"
              }`,
            ),
        });
      }
      if (values.watch && tokens !== undefined) {
        const path = v["token-file"]!;
        tokenWatcher = new TokenFileWatcher(path, tokens, {
          reloaded: () =>
            serving(
              `streamlib serve: reloaded the token file '${path}': later opens are checked against it`,
            ),
          failed: (error) =>
            serving(
              `streamlib serve: warning: the token file '${path}' not reloaded (${
                codeOf(error, "file_error")
              }): ${error.message}; the tokens read before stay`,
            ),
        });
      }
      if (values.json) {
        output.out(
          JSON.stringify({
            url: server.url,
            sessionsUrl: server.sessionsUrl,
            webrtcUrl: server.webrtcUrl,
            port: server.port,
            grpcPort: server.grpcPort,
            adminToken: server.adminToken,
            dashboardUrl: server.dashboardUrl,
          }),
        );
      } else {
        output.out(
          catalog.size === 0
            ? "streamlib serve: no pipelines (every open gets pipeline_not_found)"
            : `streamlib serve: ${catalog.size} pipeline${catalog.size === 1 ? "" : "s"}: ${
              [...catalog.keys()].join(", ")
            }`,
        );
        if (project.length > 0) {
          const files = project.map((url) => relative(Deno.cwd(), fileURLToPath(url)));
          output.out(`  processors: the built-in ones and the project's (${files.join(", ")})`);
        }
        output.out(`  sessions: ${server.sessionsUrl}`);
        if (server.webrtcUrl !== undefined) {
          output.out(`  WebRTC:   POST ${server.webrtcUrl}/<pipeline> (application/sdp)`);
        }
        if (server.grpcPort !== undefined) {
          output.out(`  gRPC:     ${options.hostname ?? "127.0.0.1"}:${server.grpcPort}`);
        }
        output.out(
          `  health:   ${server.url}/healthz  ${server.url}/readyz  ${server.url}/metrics`,
        );
        if (server.dashboardUrl) output.out(`  sessions page: ${server.dashboardUrl}`);
        if (server.adminToken) {
          output.out(
            `  operators: ${server.url}/v1/admin/sessions, admin token ${server.adminToken}`,
          );
        }
        output.out("  Ctrl-C to stop");
      }
    } catch (error) {
      quit.abort();
      await stop;
      const message = (error as Error).message;
      if (error instanceof ServeRegistryError) {
        output.err(errorLine(error.code, message));
        return 2;
      }
      const listen = listenProblem(error, options.hostname ?? "127.0.0.1", options.port);
      if (listen !== undefined) {
        output.err(errorLine(listenCode(error), listen));
        return 2;
      }
      if (error instanceof ServeError && error.details.field === "grpcPort") {
        const grpc = listenProblem(
          error.cause,
          options.hostname ?? "127.0.0.1",
          Number(error.details.port),
          "--hostname",
          "--grpc-port",
        );
        if (grpc !== undefined) {
          output.err(errorLine(listenCode(error.cause), grpc));
          return 2;
        }
      }
      if (error instanceof ServeError && error.code === "invalid_manifest") {
        output.err(errorLine(error.code, message));
        return 1;
      }
      if (error instanceof ServeError || error instanceof RangeError) {
        output.err(errorLine(codeOf(error, "invalid_flag"), message));
        return 2;
      }
      throw error;
    }
    const stopped = await stop;
    watcher?.close();
    tokenWatcher?.close();
    serving(
      "streamlib serve: stopping: sessions flush their outputs and close (server_shutting_down)",
    );
    await server.close();
    log?.close();
    // `serve --json` whose stdout could not take its line stops as on SIGTERM, and says so with
    // exit 1 ("stdout_closed ... (exit 1)" on stderr), as run, dashboard and mcp do.
    return stopped === "stdout" || stdoutClosed() ? 1 : 0;
  },
};
