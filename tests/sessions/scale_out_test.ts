/**
 * Sessions past one machine, on existing infrastructure: two `streamlib serve` processes behind
 * HAProxy (Debian's), with Prometheus (Debian's) scraping both. 40 sessions spread over both
 * servers; one server is killed: its sessions end at the client with a code, the others carry on,
 * new sessions go to the survivor, and Prometheus reports the dead target down.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { connect } from "../../sessions/client/mod.ts";
import type { ClientSession } from "../../sessions/client/mod.ts";
import { audioFrame, loadSessionsClient, samplesOf, type Served, stream } from "./grpc_harness.ts";

const CLI = new URL("../../cli/streamlib.ts", import.meta.url).pathname;
const DENO = Deno.execPath();

function need(tool: string): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    try {
      if (Deno.statSync(`${dir}/${tool}`).isFile) return `${dir}/${tool}`;
    } catch { /* not there */ }
  }
  throw new Error(
    `${tool} is not installed: this test needs it (Debian: apt-get install ${tool}; ` +
      "scripts/install_test_deps.sh installs it)",
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

interface Server {
  child: Deno.ChildProcess;
  port: number;
  grpcPort: number;
  stdout: Promise<string>;
}

async function startServer(folder: string): Promise<Server> {
  const child = new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      CLI,
      "serve",
      folder,
      "--port",
      "0",
      "--grpc-port",
      "0",
      "--json",
      "--max-sessions",
      "64",
      "--idle-timeout",
      "120",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`streamlib serve exited before listening: ${text}`);
    text += value;
  }
  const { port, grpcPort } = JSON.parse(text.slice(0, text.indexOf("\n")));
  const stdout = (async () => {
    let rest = text.slice(text.indexOf("\n") + 1);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return rest;
      rest += value;
    }
  })();
  return { child, port, grpcPort, stdout };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const block = (value: number) => ({
  kind: "audio" as const,
  channels: 2,
  sampleRate: 16_000,
  samples: new Float32Array(640).fill(value),
});

/** Sends one block and reads its output; resolves with the output's first sample. */
async function roundTrip(
  session: ClientSession,
  outputs: AsyncIterator<{ frame: unknown }>,
  value: number,
): Promise<number> {
  await session.send("voice", block(value));
  const next = await outputs.next();
  if (next.done) throw new Error("the session's outputs ended");
  return (next.value.frame as { samples: Float32Array }).samples[0];
}

/** One session, whatever its transport: a round trip of one block, and close. */
interface Peer {
  /** Sends a block of `value`s; resolves with its output's first sample or throws with a code. */
  roundTrip(value: number): Promise<number>;
  close(): Promise<void>;
}

function webSocketPeer(session: ClientSession): Peer {
  const outputs = session.outputs()[Symbol.asyncIterator]();
  return {
    roundTrip: (value) => roundTrip(session, outputs, value),
    async close() {
      await session.close();
    },
  };
}

/** A gRPC Stream session on `voice-fx` through `served.client`, opened and accepted. */
async function grpcPeer(served: Served): Promise<Peer> {
  const call = stream(served, new grpc.Metadata());
  call.call.write({ open: { pipeline: "voice-fx" } });
  const accepted = await call.received(1);
  if (!accepted[0]?.accepted) {
    const status = await call.status;
    throw Object.assign(new Error(`gRPC open refused: ${status.details}`), {
      code: status.streamlibCode ?? "grpc_status_" + status.code,
    });
  }
  let seq = 0;
  let ended: { code: string } | undefined;
  call.status.then((s) => {
    ended = { code: s.streamlibCode ?? (s.code === grpc.status.OK ? "" : "connection_lost") };
  });
  return {
    async roundTrip(value) {
      const before = call.responses.length;
      call.call.write({
        frame: { port: "voice", frame: audioFrame(new Array(640).fill(value), { seq: seq++ }) },
      });
      const got = await call.received(before + 1);
      const response = got[before];
      if (!response?.frame) {
        await call.status;
        throw Object.assign(new Error("the gRPC session ended"), {
          code: ended?.code || "connection_lost",
        });
      }
      return samplesOf(response.frame.frame.audio.samplesF32le)[0];
    },
    async close() {
      call.call.end();
      await Promise.race([call.status, new Promise((r) => setTimeout(r, 2_000))]);
    },
  };
}

Deno.test({
  name:
    "two streamlib serve behind HAProxy, scraped by Prometheus: 40 WebSocket and gRPC sessions spread, one server killed, the survivor takes new ones",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const haproxy = need("haproxy");
    const prometheus = need("prometheus");
    const dir = await Deno.makeTempDir({ prefix: "streamlib_scale_" });
    const folder = `${dir}/pipelines`;
    await Deno.mkdir(folder);
    await Deno.writeTextFile(
      `${folder}/voice-fx.json`,
      JSON.stringify({
        version: 1,
        nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
        inputs: { voice: "fx.in" },
        outputs: { voice: "fx.out" },
      }),
    );
    const servers = [await startServer(folder), await startServer(folder)];
    const processes: Deno.ChildProcess[] = servers.map((s) => s.child);
    const sessions: ClientSession[] = [];
    const peers: Peer[] = [];
    const grpcClients: grpc.Client[] = [];
    let slowConn: Deno.Conn | undefined;
    try {
      // HAProxy: one frontend, least-connections over both servers, health from /readyz.
      const front = freePort();
      const grpcFront = freePort();
      await Deno.writeTextFile(
        `${dir}/haproxy.cfg`,
        [
          "global",
          "  maxconn 1000",
          "defaults",
          "  mode http",
          "  timeout connect 2s",
          "  timeout client 60s",
          "  timeout server 60s",
          "  timeout tunnel 60s",
          "  timeout check 5s",
          "  timeout http-request 10s",
          "frontend sessions",
          `  bind 127.0.0.1:${front}`,
          "  default_backend streamlib",
          "backend streamlib",
          "  balance leastconn",
          "  option httpchk GET /readyz",
          "  retries 2",
          "  option redispatch",
          ...servers.map((s, i) =>
            `  server s${i} 127.0.0.1:${s.port} check inter 500ms fall 2 rise 2`
          ),
          // gRPC: HTTP/2 both sides, each call a request balanced on its own; health from the
          // same server's /readyz over HTTP/1.1 on its HTTP port.
          "frontend grpc",
          `  bind 127.0.0.1:${grpcFront} proto h2`,
          "  default_backend streamlib_grpc",
          "backend streamlib_grpc",
          "  balance leastconn",
          "  option httpchk GET /readyz",
          "  retries 2",
          "  option redispatch",
          ...servers.map((s, i) =>
            `  server g${i} 127.0.0.1:${s.grpcPort} proto h2 check port ${s.port} check-proto h1 inter 500ms fall 2 rise 2`
          ),
          "",
        ].join("\n"),
      );
      const proxy = new Deno.Command(haproxy, {
        args: ["-f", `${dir}/haproxy.cfg`, "-db"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      processes.push(proxy);

      // Prometheus scraping both servers every second.
      const promPort = freePort();
      await Deno.writeTextFile(
        `${dir}/prometheus.yml`,
        [
          "global:",
          "  scrape_interval: 1s",
          "  evaluation_interval: 1s",
          "scrape_configs:",
          "  - job_name: streamlib",
          "    static_configs:",
          `      - targets: [${servers.map((s) => `"127.0.0.1:${s.port}"`).join(", ")}]`,
          "",
        ].join("\n"),
      );
      const prom = new Deno.Command(prometheus, {
        args: [
          `--config.file=${dir}/prometheus.yml`,
          `--storage.tsdb.path=${dir}/tsdb`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      processes.push(prom);
      const query = async (q: string) => {
        const response = await fetch(
          `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`,
        );
        const body = await response.json();
        return body.data.result as { metric: Record<string, string>; value: [number, string] }[];
      };

      const url = `ws://127.0.0.1:${front}/v1/sessions`;
      await waitFor("HAProxy to accept a session", async () => {
        const s = await connect(url).open("voice-fx");
        await s.close();
        return true;
      });
      // A client that never finishes its request's headers (slowloris): serve itself has no
      // bound on that wait (Deno.serve has none), the proxy's `timeout http-request` ends it.
      const slow = await Deno.connect({ hostname: "127.0.0.1", port: front });
      slowConn = slow;
      const slowSince = Date.now();
      await slow.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
      const slowAnswer = (async () => {
        let text = "";
        const decoder = new TextDecoder();
        const buffer = new Uint8Array(4096);
        for (;;) {
          const n = await slow.read(buffer).catch(() => null);
          if (n === null) break;
          text += decoder.decode(buffer.subarray(0, n), { stream: true });
        }
        return { text, ms: Date.now() - slowSince };
      })();

      // 40 sessions through the proxy: 30 over WebSocket, 10 over gRPC, each doing a round trip.
      const Sessions = loadSessionsClient();
      for (let batch = 0; batch < 3; batch++) {
        const opened = await Promise.all(
          Array.from({ length: 10 }, () => connect(url).open("voice-fx")),
        );
        for (const session of opened) {
          sessions.push(session);
          peers.push(webSocketPeer(session));
        }
      }
      for (let i = 0; i < 10; i++) {
        // A client (an HTTP/2 connection) per stream, as separate callers would have.
        const client = new Sessions(`127.0.0.1:${grpcFront}`, grpc.credentials.createInsecure());
        grpcClients.push(client);
        peers.push(await grpcPeer({ client } as Served));
      }
      const firsts = await Promise.all(peers.map((p) => p.roundTrip(0.25)));
      assert.ok(firsts.every((v) => Math.abs(v - 0.5) < 1e-6), `first round trips: ${firsts}`);
      const active = await Promise.all(
        servers.map((s) => metric(s.port, "streamlib_sessions_active")),
      );
      assert.equal(active[0] + active[1], 40, `sessions active per server: ${active}`);
      assert.ok(active[0] >= 10 && active[1] >= 10, `not spread: ${active}`);

      // Prometheus sees both targets and the 40 sessions.
      await waitFor("Prometheus to scrape 40 active sessions", async () => {
        const result = await query("sum(streamlib_sessions_active)");
        return result.length === 1 && Number(result[0].value[1]) === 40 ? true : undefined;
      });

      // Kill server 0 outright: its sessions end with a code at the client, the others carry on.
      servers[0].child.kill("SIGKILL");
      await servers[0].child.status;
      const outcomes = await Promise.all(
        peers.map(async (peer) => {
          try {
            const v = await peer.roundTrip(0.125);
            return { ok: Math.abs(v - 0.25) < 1e-6, code: "" };
          } catch (error) {
            return { ok: false, code: (error as { code?: string }).code ?? String(error) };
          }
        }),
      );
      const survived = outcomes.filter((o) => o.ok).length;
      const ended = outcomes.filter((o) => !o.ok);
      assert.equal(survived, active[1], `sessions on the survivor carry on: ${survived}`);
      assert.equal(ended.length, active[0], "sessions on the killed server end");
      for (const o of ended) {
        assert.ok(
          typeof o.code === "string" && /^[a-z_]+$/.test(o.code),
          `a lost session ends with a code, got ${o.code}`,
        );
      }

      // New sessions go to the survivor.
      const before = await metric(servers[1].port, "streamlib_sessions_started_total");
      for (let i = 0; i < 5; i++) {
        const session = await waitFor("a new session through the proxy", async () => {
          return await connect(url).open("voice-fx");
        });
        const it = session.outputs()[Symbol.asyncIterator]();
        assert.ok(Math.abs(await roundTrip(session, it, 0.5) - 1) < 1e-6);
        await session.close();
      }
      const fresh = new Sessions(`127.0.0.1:${grpcFront}`, grpc.credentials.createInsecure());
      grpcClients.push(fresh);
      const peer = await waitFor("a new gRPC session through the proxy", async () => {
        return await grpcPeer({ client: fresh } as Served);
      });
      assert.ok(Math.abs(await peer.roundTrip(0.5) - 1) < 1e-6);
      await peer.close();
      const after = await metric(servers[1].port, "streamlib_sessions_started_total");
      assert.ok(after - before >= 6, `the survivor started ${after - before} new sessions`);

      // The half-sent request was answered 408 and closed by the proxy after 10 s.
      const { text, ms } = await slowAnswer;
      assert.match(text, /^HTTP\/1\.[01] 408 /, text.slice(0, 200));
      assert.ok(ms >= 9_000 && ms < 20_000, `closed after ${ms} ms`);

      // Prometheus reports the killed server down.
      await waitFor("Prometheus to see the killed server down", async () => {
        const result = await query(`up{instance="127.0.0.1:${servers[0].port}"}`);
        return result.length === 1 && result[0].value[1] === "0" ? true : undefined;
      });
    } finally {
      for (const p of peers) await p.close().catch(() => {});
      for (const c of grpcClients) c.close();
      try {
        slowConn?.close();
      } catch {
        // closed by the proxy already
      }
      for (const p of processes) {
        try {
          p.kill("SIGKILL");
        } catch { /* already gone */ }
        await p.status.catch(() => {});
      }
      await Promise.all(servers.map((s) => s.stdout.catch(() => "")));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
