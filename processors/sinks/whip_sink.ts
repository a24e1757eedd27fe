/**
 * The {@linkcode WhipSink} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type EncodedVideoFrame,
  input,
  type InputPort,
  type NodeLog,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import { readBoundedBody } from "../../ffi/net/bounded_body.ts";
import { WebRtcError } from "../../ffi/net/webrtc_errors.ts";
import { logPeer, PeerWatch } from "../base/peer_events.ts";
import { WebRtcSink } from "../base/webrtc_sink.ts";
import type { WhipSinkTypes } from "./whip_sink.gen.ts";

/**
 * Config of {@linkcode WhipSink}.
 */
export interface WhipSinkConfig {
  /**
   * The WHIP endpoint to publish to (`http://` or `https://`).
   *
   * @minLength 8
   */
  url: string;
  /**
   * The environment variable holding the bearer token the server wants (`Authorization: Bearer`);
   * empty for none. The token itself is never in the config, which the dashboard shows.
   *
   * @default ""
   */
  tokenEnv: string;
  /**
   * The IP address the media (UDP) socket binds.
   *
   * @minLength 2
   * @default "127.0.0.1"
   */
  bind: string;
  /**
   * The UDP port for media; 0 picks a free one.
   *
   * @integer
   * @minimum 0
   * @maximum 65535
   * @default 0
   */
  port: number;
  /**
   * The address announced to the server (the ICE candidate); empty for the bind address.
   *
   * @default ""
   */
  publicAddress: string;
  /**
   * The UDP port announced to peers (the ICE candidate's) when a port forward or NAT mapping sits
   * in front of the socket; 0 for the bound port.
   *
   * @integer
   * @minimum 0
   * @maximum 65535
   * @default 0
   */
  publicPort: number;
  /**
   * Frames the queue to the network thread holds; when it falls behind, new frames are dropped
   * and counted.
   *
   * @integer
   * @minimum 2
   * @maximum 1024
   * @default 64
   */
  queueFrames: number;
  /**
   * Opus bit rate for `audio`, bits per second.
   *
   * @integer
   * @minimum 6000
   * @maximum 510000
   * @default 64000
   */
  audioBitrate: number;
  /**
   * The first wait before publishing again after a failure or a lost session, in seconds; it
   * doubles with each failure in a row up to `retryMaxSeconds`.
   *
   * @exclusiveMinimum 0
   * @maximum 60
   * @default 0.5
   */
  retryMinSeconds: number;
  /**
   * The longest wait between two attempts, in seconds.
   *
   * @exclusiveMinimum 0
   * @maximum 600
   * @default 10
   */
  retryMaxSeconds: number;
}

/** How long an HTTP exchange with the server may take. */
const HTTP_TIMEOUT_MS = 10_000;
/** The largest answer taken from a WHIP server: an SDP answer is a few kilobytes. */
const MAX_ANSWER_BYTES = 256 * 1024;
/** How long an answered session may take to connect (ICE and DTLS) before it counts as failed. */
const CONNECT_TIMEOUT_MS = 10_000;

type State = "idle" | "offering" | "connecting" | "connected" | "waiting" | "refused";

/**
 * Publishes the pipeline to a WHIP server (a media server that takes WHIP): H.264 access units
 * from `H264Encoder` as they are, audio encoded to Opus in 20 ms packets.
 *
 * At `setup()` it POSTs an SDP offer (`application/sdp`, `Authorization: Bearer` from the
 * environment variable `tokenEnv`) to `url` and applies the answer; media then flows over one UDP
 * port from a native thread (str0m). When the POST fails, the answer is refused, the session does
 * not connect within 10 s, a connected session is lost, or the server answers 429 or 5xx, it
 * publishes again after
 * `retryMinSeconds`, doubling up to `retryMaxSeconds` while failures continue (the node keeps
 * running: frames meanwhile are not sent and the graph never waits). Any other 4xx (401 for a
 * bad token, 404 for a wrong URL) is not retried: the node fails with code
 * `webrtc_publish_refused`. Keyframe requests from the
 * server (PLI/FIR), and every new session, ask the encoder upstream for a keyframe. At
 * `teardown()` it DELETEs the session's resource. State, attempts, the last failure (code
 * `webrtc_publish_failed`) and the peer's counters are under `processor` in `rt.stats()`. Each
 * change is a peer event (`node-log` with `data.peer`): `connected`, `disconnected` (the server's
 * session ended or went silent), `retrying` (once per outage), `reconnected`, and `gave-up` for
 * a refusal.
 *
 * @example Publish to a server that is not there: the node runs on and retries
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, TestPattern, WhipSink } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264" });
 * const whip = rt.add(WhipSink, { url: "http://127.0.0.1:9/whip" }, { id: "uplink" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, whip.inputs.video);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 300));
 * const stats = rt.stats().nodes.uplink.processor!;
 * assert.notEqual(stats.state, "connected");
 * assert.ok(Number(stats.attempts) >= 1);
 * await rt.stop();
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "network", "webrtc"], mode: "push" })
export class WhipSink extends WebRtcSink<WhipSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** Audio to send as Opus: 8-48 kHz, mono or stereo. */
  @input()
  audio!: InputPort<AudioFrame>;

  /** Server, token variable, addresses, queue, Opus bit rate and retry timing. */
  @config()
  config!: WhipSinkConfig;

  #state: State = "idle";
  #session = 0;
  #resource: string | undefined;
  #stateSinceMs = 0;
  #retryAtMs = 0;
  #backoffMs = 0;
  #attempts = 0;
  #sessions = 0;
  #lastError: string | null = null;
  #refused: WebRtcError | undefined;
  #inflight: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #log: NodeLog | undefined;
  #peers = new PeerWatch();
  #link = { connections: 0, disconnects: 0, connectFailures: 0 };
  #gaveUp = false;

  /**
   * Checks the URL, binds the UDP socket, starts the network thread and the first publish.
   *
   * The native WebRTC code is imported here, on first use, so a program that never streams does
   * not load it.
   *
   * @param ctx The node's name and clock.
   * @throws {TypeError} When `url` is not an `http:` or `https:` URL.
   * @throws {WebRtcError} `webrtc_endpoint_taken` when another live endpoint has this id.
   * @throws {DeviceError} When the socket cannot be bound.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    await this.teardown();
    const { url } = this.config;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch { /* reported below */ }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new TypeError(`Cannot publish to ${JSON.stringify(url)}: expected an http(s) URL`);
    }
    await this.open(ctx);
    this.#abort = new AbortController();
    this.#attempts = 0;
    this.#sessions = 0;
    this.#lastError = null;
    this.#refused = undefined;
    this.#log = ctx.log;
    this.#peers = new PeerWatch();
    this.#link = { connections: 0, disconnects: 0, connectFailures: 0 };
    this.#gaveUp = false;
    this.#backoffMs = this.config.retryMinSeconds * 1000;
    this.#publish();
  }

  /** One peer: the WHIP server. */
  protected maxPeers(): number {
    return 1;
  }

  /**
   * Moves the publish state on (starting a new publish when one is due); sends while a session
   * is connected.
   *
   * @param peers The sessions connected now.
   * @returns Whether the session is connected.
   */
  protected live(peers: number): boolean {
    this.#advance(peers);
    return this.#state === "connected";
  }

  /**
   * Moves the connection state on from what the endpoint reports.
   *
   * @throws {WebRtcError} `webrtc_publish_refused` once the server refused the publish.
   */
  #advance(peers: number): void {
    if (this.#refused) {
      if (!this.#gaveUp && this.#log) {
        logPeer(this.#log, "gave-up", this.config.url, this.#refused.message);
      }
      this.#gaveUp = true;
      throw this.#refused;
    }
    const now = Date.now();
    if (this.#state === "connecting") {
      if (peers > 0) {
        this.#enter("connected");
        this.#link.connections++;
        this.#backoffMs = this.config.retryMinSeconds * 1000; // a success resets the backoff
      } else if (now - this.#stateSinceMs > CONNECT_TIMEOUT_MS) {
        this.#fail("the session did not connect within 10 s (ICE/DTLS)");
      }
    } else if (this.#state === "connected" && peers === 0) {
      this.#fail("the session was lost");
    } else if (this.#state === "waiting" && now >= this.#retryAtMs) {
      this.#publish();
    }
    if (this.#log) this.#peers.report(this.#log, this.#link, this.config.url);
  }

  #enter(state: State): void {
    this.#state = state;
    this.#stateSinceMs = Date.now();
  }

  /** Ends the current session, records why, and waits before publishing again. */
  #fail(reason: string): void {
    if (this.#state === "connected") this.#link.disconnects++;
    else this.#link.connectFailures++;
    this.#lastError = reason;
    this.#endSession();
    this.#retryAtMs = Date.now() + this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.config.retryMaxSeconds * 1000);
    this.#enter("waiting");
  }

  #endSession(): void {
    if (this.#session !== 0) {
      try {
        this.endpoint?.closeSession(this.#session);
      } catch { /* already ended by the network thread */ }
      this.#session = 0;
    }
    const resource = this.#resource;
    this.#resource = undefined;
    if (resource) void this.#delete(resource);
  }

  /** One publish: offer, POST, answer. Runs in the background; `process()` follows its state. */
  #publish(): void {
    const endpoint = this.endpoint;
    if (!endpoint || this.#inflight) return;
    this.#attempts++;
    this.#enter("offering");
    this.#inflight = this.#offer(endpoint).then(
      () => {
        this.#sessions++;
        this.#enter("connecting");
      },
      (error) => {
        if (this.endpoint !== endpoint) return; // torn down meanwhile
        if (error instanceof WebRtcError && error.code === "webrtc_publish_refused") {
          // Retrying cannot help (a bad token, a wrong URL): the next run fails the node.
          this.#lastError = error.message;
          this.#refused = error;
          this.#endSession();
          this.#enter("refused");
          return;
        }
        this.#fail(error instanceof Error ? error.message : String(error));
      },
    ).finally(() => this.#inflight = undefined);
  }

  async #offer(endpoint: WebRtcEndpoint): Promise<void> {
    const { url, tokenEnv } = this.config;
    const { session, offer } = endpoint.createOffer(this.sendsAudio);
    this.#session = session;
    const headers: Record<string, string> = { "content-type": "application/sdp" };
    const token = tokenEnv === "" ? undefined : Deno.env.get(tokenEnv);
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers,
        body: offer,
        signal: AbortSignal.any([this.#abort!.signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]),
      });
    } catch (error) {
      throw this.#error(`cannot reach ${url}: ${error instanceof Error ? error.message : error}`);
    }
    let body: Uint8Array | undefined;
    try {
      body = await readBoundedBody(response, MAX_ANSWER_BYTES);
    } catch (error) {
      throw this.#error(
        `${url} cut its answer off: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (body === undefined) {
      throw this.#error(
        `${url} answered with more than ${MAX_ANSWER_BYTES} bytes, not an SDP answer`,
      );
    }
    const answer = new TextDecoder().decode(body);
    const { status } = response;
    if (status >= 400 && status < 500 && status !== 429) {
      const hint = status !== 401 && status !== 403
        ? "check the URL"
        : tokenEnv === ""
        ? "no token was sent: name its environment variable in tokenEnv"
        : `check the token in $${tokenEnv}`;
      throw new WebRtcError(
        "webrtc_publish_refused",
        endpoint.name,
        `Cannot publish to ${url}: the server refused it with ${status} (${hint}), ` +
          `not retrying: ${answer.slice(0, 200)}`,
      );
    }
    if (response.status !== 201) {
      throw this.#error(`${url} answered ${response.status}: ${answer.slice(0, 200)}`);
    }
    const location = response.headers.get("location");
    this.#resource = location ? new URL(location, url).href : undefined;
    endpoint.acceptAnswer(session, answer);
  }

  #error(message: string): WebRtcError {
    return new WebRtcError("webrtc_publish_failed", this.endpoint?.name ?? "", message);
  }

  async #delete(resource: string): Promise<void> {
    const { tokenEnv } = this.config;
    const token = tokenEnv === "" ? undefined : Deno.env.get(tokenEnv);
    try {
      const response = await fetch(resource, {
        method: "DELETE",
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
    } catch { /* the server is gone: nothing to end */ }
  }

  /**
   * The publish state and the session's counters, for `rt.stats()`.
   *
   * @returns The counters (empty before setup).
   */
  override reportStats(): { [key: string]: JsonValue } {
    const endpoint = this.endpoint;
    if (!endpoint) return {};
    const stats = endpoint.stats();
    return {
      state: this.#state,
      attempts: this.#attempts,
      sessions: this.#sessions,
      lastError: this.#lastError,
      resource: this.#resource ?? null,
      address: stats.address,
      keyframeRequests: stats.keyframeRequests,
      framesDropped: stats.framesDropped,
      peers: stats.peers as unknown as JsonValue,
    };
  }

  /** Ends the session (DELETE of its resource, at most 2 s) and stops the endpoint. Idempotent. */
  override async teardown(): Promise<void> {
    this.#abort?.abort();
    const resource = this.#resource;
    this.#resource = undefined;
    await this.#inflight?.catch(() => {});
    if (resource) await this.#delete(resource);
    await super.teardown();
    this.#session = 0;
    this.#enter("idle");
  }
}
