/// <reference lib="dom" />
/**
 * WebRTC sessions (`sessions/webrtc/`, `POST /v1/webrtc/<pipeline>` of `streamlib serve`): the
 * hostile requests each refused with its code and status and nothing left open, the session limit
 * shared with the WebSocket transport, a real Chromium peer whose session ends when the peer
 * goes away without a `DELETE`, or whose connection ends when its session does, and the
 * pipeline's parameters from the offer's `?parameters=` (refused with their codes, or setting
 * the level of what the peer hears), and changed by a `PATCH` of the session (refused with their
 * codes while the session goes on, or silencing what the peer hears).
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions, type SessionServer, TokenPolicy } from "../../serve/mod.ts";
import { connect } from "../../sessions/client/mod.ts";
import { httpStatusOf, WEBRTC_REFUSAL_CODES } from "../../sessions/webrtc/mod.ts";
import { ERROR_CODES, type ErrorCode } from "../../frontend/error_codes.ts";
import { HTTP_STATUS } from "../../web/server/api/errors.ts";
import { killChromium, launchChromium, within } from "../webrtc/chromium.ts";
import { BUILTIN, gain, tunable } from "./pipelines.ts";

const TOKEN = "webrtc-token-0123456789";
const OTHER = "other-token-0123456789";

async function start(
  options: { maxSessions?: number; maxSessionMs?: number; pool?: number } = {},
) {
  const catalog = new Map<string, unknown>([
    ["voice", gain(2)],
    ["tunable", tunable()],
    // `gain` changes live; `channels` (a ChannelConverter beside the path) only at start.
    ["locked", {
      ...tunable(),
      nodes: [
        { id: "fx", type: "Gain", config: { gain: 1 } },
        { id: "cc", type: "ChannelConverter", config: { channels: 2 } },
      ],
      parameters: { gain: "fx.gain", channels: "cc.channels" },
    }],
    ["scale", {
      version: 1,
      nodes: [{ id: "scale", type: "VideoScale", config: { width: 320, height: 240 } }],
      inputs: { video: "scale.in" },
      outputs: { video: "scale.out" },
    }],
    ["data-only", {
      version: 1,
      nodes: [{ id: "fx", type: "Gain" }],
      inputs: { pcm: "fx.in" },
      outputs: { pcm: "fx.out" },
    }],
  ]);
  const tokens = new TokenPolicy({ tokens: { [TOKEN]: ["*"], [OTHER]: ["data-only"] } });
  return await serveSessions({
    catalog,
    port: 0,
    tokens,
    registries: [BUILTIN],
    webrtc: { allowedOrigins: ["http://allowed.example"] },
    ...options,
  });
}

async function post(
  server: SessionServer,
  pipeline: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string; headers: Headers; text: string }> {
  const response = await fetch(`${server.webrtcUrl}/${pipeline}`, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text).error?.code;
  } catch { /* an SDP answer */ }
  return { status: response.status, code, headers: response.headers, text };
}

async function until(what: string, ms: number, test: () => boolean | Promise<boolean>) {
  await within(
    (async () => {
      while (!(await test())) await new Promise((r) => setTimeout(r, 50));
    })(),
    ms,
    what,
  );
}

Deno.test("httpStatusOf() gives each registered refusal code the control API's status", () => {
  for (const code of WEBRTC_REFUSAL_CODES) {
    assert.ok(code in ERROR_CODES, `${code} is registered`);
    assert.equal(httpStatusOf(code), HTTP_STATUS[code as ErrorCode], code);
  }
  assert.equal(httpStatusOf("session_isolate_died"), 500);
});

Deno.test({
  name:
    "WebRtcHandler refuses hostile requests with their codes and statuses, leaving nothing open",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    try {
      const offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
      const cases: [string, Promise<{ status: number; code?: string }>, number, string][] = [
        ["no token", post(server, "voice", offer, { authorization: "" }), 401, "missing_token"],
        [
          "a wrong token",
          post(server, "voice", offer, { authorization: "Bearer nope" }),
          401,
          "invalid_token",
        ],
        [
          "a token not for it",
          post(server, "voice", offer, { authorization: `Bearer ${OTHER}` }),
          403,
          "pipeline_not_allowed",
        ],
        ["an unknown pipeline", post(server, "nope", offer), 404, "pipeline_not_found"],
        [
          "JSON, not SDP",
          post(server, "voice", "{}", { "content-type": "application/json" }),
          415,
          "unsupported_media_type",
        ],
        ["a body that is not SDP", post(server, "voice", "hello"), 400, "webrtc_invalid_offer"],
        [
          "SDP that does not parse",
          post(server, "voice", "v=0\r\nnonsense\r\n"),
          400,
          "webrtc_invalid_offer",
        ],
        ["SDP with no media line", post(server, "voice", offer), 400, "webrtc_invalid_offer"],
        [
          "an offer over 64 KiB",
          post(server, "voice", `v=0\r\n${"a=x\r\n".repeat(20_000)}`),
          413,
          "body_too_large",
        ],
        [
          "a pipeline with no audio or video port",
          post(server, "data-only", offer),
          422,
          "webrtc_no_media_port",
        ],
        [
          "a page of another origin",
          post(server, "voice", offer, { origin: "http://evil.example" }),
          403,
          "forbidden_origin",
        ],
      ];
      for (const [what, answer, status, code] of cases) {
        const got = await answer;
        assert.deepEqual([got.status, got.code], [status, code], what);
      }
      const gone = await fetch(`${server.webrtcUrl}/voice/not-a-session`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(gone.status, 404);
      assert.equal((await gone.json()).error.code, "webrtc_session_not_found");
      const get = await fetch(`${server.webrtcUrl}/voice`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST, OPTIONS");
      await get.body?.cancel();
      // The preflight of an allowed origin, and its answers readable by it (Location included).
      const preflight = await fetch(`${server.webrtcUrl}/voice`, {
        method: "OPTIONS",
        headers: { origin: "http://allowed.example", "access-control-request-method": "POST" },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "http://allowed.example");
      assert.match(preflight.headers.get("access-control-expose-headers") ?? "", /location/);
      await preflight.body?.cancel();
      assert.equal(server.runner.active, 0);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^streamlib_sessions_failed_total\{code="webrtc_invalid_offer"\} 3$/m);
      assert.match(metrics, /^streamlib_sessions_started_total 0$/m);
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "WebRtcHandler shares maxSessions with the WebSocket sessions: 503 session_limit_reached",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start({ maxSessions: 1 });
    try {
      const client = connect(server.sessionsUrl, { token: TOKEN });
      const session = await client.open("voice");
      const refused = await post(server, "voice", "v=0\r\n");
      assert.deepEqual([refused.status, refused.code], [503, "session_limit_reached"]);
      assert.equal(refused.headers.get("retry-after"), "1");
      session.end("audio");
      await session.closed;
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "WebRtcHandler takes ?parameters= and refuses a bad query (400) or bad values (422)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    try {
      // Valid up to the session's start (it has no media line): parameters are checked first.
      const offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
      const query = (value: unknown) =>
        `tunable?parameters=${encodeURIComponent(JSON.stringify(value))}`;
      const cases: [string, string, number, string, RegExp][] = [
        [
          "another query parameter",
          "tunable?gain=3",
          400,
          "invalid_query",
          /takes only \?parameters=/,
        ],
        ["not JSON", "tunable?parameters=gain%3D3", 400, "invalid_query", /it is not JSON/],
        ["not an object", query([3]), 400, "invalid_query", /it is an array/],
        ["an unknown name", query({ gian: 3 }), 422, "unknown_parameter", /Did you mean gain\?/],
        ["a value out of range", query({ gain: 99 }), 422, "invalid_parameter", /from 0 to 16/],
        [
          "a pipeline with none",
          "voice?parameters=%7B%22gain%22%3A1%7D",
          422,
          "unknown_parameter",
          /Its parameters: \(none\)/,
        ],
      ];
      for (const [what, path, status, code, message] of cases) {
        const got = await post(server, path, offer);
        assert.deepEqual([got.status, got.code], [status, code], what);
        assert.match(JSON.parse(got.text).error.message, message, what);
      }
      const unknown = JSON.parse((await post(server, query({ gian: 3 }), offer)).text).error;
      assert.deepEqual(unknown.details.available, ["gain"]);
      const other = JSON.parse((await post(server, "tunable?gain=3", offer)).text).error;
      assert.deepEqual(other.details, { field: "gain", available: ["parameters"] });
      // Valid parameters reach the offer's own check.
      const valid = await post(server, query({ gain: 3 }), offer);
      assert.deepEqual([valid.status, valid.code], [400, "webrtc_invalid_offer"]);
      assert.equal(server.runner.active, 0);
    } finally {
      await server.close();
    }
  },
});

/** Runs in the page: offers the fake microphone both ways, sets the answer, waits to connect. */
async function offerFromPage(args: { url: string; token: string }) {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const pc = new RTCPeerConnection();
  (globalThis as unknown as { pc: RTCPeerConnection }).pc = pc;
  pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(args.url, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${args.token}` },
    body: pc.localDescription!.sdp,
  });
  const answer = await response.text();
  if (response.status !== 201) return { status: response.status, state: answer };
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  await new Promise<void>((resolve) => {
    pc.onconnectionstatechange = () => pc.connectionState === "connected" && resolve();
    setTimeout(resolve, 10_000);
  });
  return { status: response.status, state: pc.connectionState };
}

Deno.test({
  name:
    "A WebRTC session ends when its Chromium peer closes or vanishes without DELETE, and ends the peer when it ends",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // One server without a length limit (the peer goes), one with (the session goes); the latter
    // keeps an isolate started ahead, so a loaded machine's slow start does not eat its 10 s.
    const lasting = await start();
    const short = await start({ maxSessionMs: 10_000, pool: 1 });
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    const offer = async (server: SessionServer, what: string) => {
      await page.goto(`${server.url}/healthz`);
      const args = { url: `${server.webrtcUrl}/voice`, token: TOKEN };
      const got = await within(page.evaluate(offerFromPage, args), 20_000, what);
      assert.deepEqual(got, { status: 201, state: "connected" }, what);
      assert.equal(server.runner.active, 1);
    };
    const page = await context.newPage();
    try {
      // The peer goes: its RTCPeerConnection closes (a DTLS close), no DELETE.
      await offer(lasting, "the first offer");
      await page.evaluate(() => (globalThis as unknown as { pc: RTCPeerConnection }).pc.close());
      await until(
        "the session to end after the peer left",
        30_000,
        () => lasting.runner.active === 0,
      );
      // The session goes (here its maximum length): the peer's connection ends.
      await offer(short, "the second offer");
      await until(
        "the session to reach its maximum length",
        20_000,
        () => short.runner.active === 0,
      );
      await until(
        "the peer to see its connection end",
        20_000,
        () =>
          page.evaluate(() =>
            ["failed", "closed", "disconnected"].includes(
              (globalThis as unknown as { pc: RTCPeerConnection }).pc.connectionState,
            )
          ),
      );
      // The peer vanishes (its browser killed: no DTLS close, its ICE consent checks stop).
      await offer(lasting, "the third offer");
      killChromium(context);
      const killedAt = performance.now();
      await until(
        "the session to end after the peer vanished",
        40_000,
        () => lasting.runner.active === 0,
      );
      console.log(`session ended ${Math.round(performance.now() - killedAt)} ms after the kill`);
      const ended = await (await fetch(`${lasting.url}/metrics`)).text();
      assert.match(ended, /^streamlib_sessions_started_total 2$/m);
      assert.match(ended, /^streamlib_sessions_failed_total\{code="client_disconnected"\} 2$/m);
      const limited = await (await fetch(`${short.url}/metrics`)).text();
      assert.match(limited, /^streamlib_sessions_started_total 1$/m);
      assert.match(limited, /^streamlib_sessions_failed_total\{code="session_too_long"\} 1$/m);
    } finally {
      await context.close();
      await short.close();
      await lasting.close();
    }
  },
});

/** Runs in the page: the fake microphone both ways for 4 s; the energy of what came back. */
async function energyFromPage(args: { url: string; token: string }) {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const pc = new RTCPeerConnection();
  pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(args.url, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${args.token}` },
    body: pc.localDescription!.sdp,
  });
  const answer = await response.text();
  if (response.status !== 201) {
    return { status: response.status, energy: -1, seconds: 0, packets: 0, error: answer };
  }
  const audio = document.createElement("audio");
  audio.autoplay = true;
  document.body.append(audio);
  pc.ontrack = (event) => (audio.srcObject = new MediaStream([event.track]));
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  await new Promise<void>((resolve) => {
    pc.onconnectionstatechange = () => pc.connectionState === "connected" && resolve();
    setTimeout(resolve, 10_000);
  });
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  let energy = 0;
  let seconds = 0;
  let packets = 0;
  for (const report of (await pc.getStats()).values()) {
    if (report.type === "inbound-rtp" && report.kind === "audio") {
      energy = report.totalAudioEnergy ?? 0;
      seconds = report.totalSamplesDuration ?? 0;
      packets = report.packetsReceived ?? 0;
    }
  }
  audio.remove();
  await fetch(new URL(response.headers.get("location")!, args.url), {
    method: "DELETE",
    headers: { authorization: `Bearer ${args.token}` },
  });
  pc.close();
  for (const track of mic.getTracks()) track.stop();
  return { status: response.status, energy, seconds, packets, error: "" };
}

Deno.test({
  name: "A WebRTC session's ?parameters= set what Chromium hears: gain 0 is silence",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/healthz`);
      const heard = async (query: string) => {
        const args = { url: `${server.webrtcUrl}/tunable${query}`, token: TOKEN };
        const got = await within(page.evaluate(energyFromPage, args), 30_000, query || "none");
        assert.equal(got.status, 201, JSON.stringify(got));
        assert.ok(got.seconds > 1, `audio came back: ${JSON.stringify(got)}`);
        await until("the session to end after DELETE", 10_000, () => server.runner.active === 0);
        return got.energy;
      };
      const silenced = await heard(`?parameters=${encodeURIComponent('{"gain":0}')}`);
      const plain = await heard("");
      console.log(`energy heard: gain 0 ${silenced}, gain 1 ${plain}`);
      assert.ok(plain > 1e-4, `the manifest's gain of 1 passes the beeps: energy ${plain}`);
      assert.ok(silenced < plain / 100, `gain 0: energy ${silenced}, gain 1: ${plain}`);
    } finally {
      await context.close();
      await server.close();
    }
  },
});

/** A PATCH of a session's parameters: its status and code (none on success). */
async function patch(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string; message?: string; details?: unknown }> {
  const response = await fetch(url, {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  const error = text === "" ? undefined : JSON.parse(text).error;
  return { status: response.status, ...error };
}

Deno.test({
  name: "WebRtcHandler refuses a PATCH of no live session, or without the token, before its body",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    try {
      const url = `${server.webrtcUrl}/locked/not-a-session`;
      const body = JSON.stringify({ parameters: { gain: 0 } });
      assert.deepEqual(
        [await patch(url, body)].map(({ status, code }) => [status, code]),
        [[404, "webrtc_session_not_found"]],
      );
      const refused = await patch(url, "not json", { authorization: "" });
      assert.deepEqual([refused.status, refused.code], [401, "missing_token"]);
      const other = await patch(url, body, { authorization: `Bearer ${OTHER}` });
      assert.deepEqual([other.status, other.code], [403, "pipeline_not_allowed"]);
      const get = await fetch(url);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "PATCH, DELETE, OPTIONS");
      await get.body?.cancel();
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: { origin: "http://allowed.example", "access-control-request-method": "PATCH" },
      });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /\bPATCH\b/);
      await preflight.body?.cancel();
    } finally {
      await server.close();
    }
  },
});

/** Runs in the page: connects the fake microphone both ways; returns the session's Location. */
async function connectFromPage(args: { url: string; token: string }) {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const pc = new RTCPeerConnection();
  (globalThis as unknown as { pc: RTCPeerConnection }).pc = pc;
  pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
  const audio = document.createElement("audio");
  audio.autoplay = true;
  document.body.append(audio);
  pc.ontrack = (event) => (audio.srcObject = new MediaStream([event.track]));
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(args.url, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${args.token}` },
    body: pc.localDescription!.sdp,
  });
  const answer = await response.text();
  if (response.status !== 201) return { status: response.status, location: answer, state: "" };
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  await new Promise<void>((resolve) => {
    pc.onconnectionstatechange = () => pc.connectionState === "connected" && resolve();
    setTimeout(resolve, 10_000);
  });
  return {
    status: response.status,
    location: new URL(response.headers.get("location")!, args.url).href,
    state: pc.connectionState,
  };
}

/** Runs in the page: the audio energy and seconds that came back during the next `ms`. */
async function heardFromPage(ms: number) {
  const pc = (globalThis as unknown as { pc: RTCPeerConnection }).pc;
  const totals = async () => {
    for (const report of (await pc.getStats()).values()) {
      if (report.type === "inbound-rtp" && report.kind === "audio") {
        return [report.totalAudioEnergy ?? 0, report.totalSamplesDuration ?? 0];
      }
    }
    return [0, 0];
  };
  const [energy, seconds] = await totals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const [energyAfter, secondsAfter] = await totals();
  return { energy: energyAfter - energy, seconds: secondsAfter - seconds };
}

Deno.test({
  name: "A PATCH of a WebRTC session changes what Chromium hears; refused ones change nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/healthz`);
      const args = { url: `${server.webrtcUrl}/locked`, token: TOKEN };
      const opened = await within(page.evaluate(connectFromPage, args), 20_000, "the offer");
      assert.deepEqual([opened.status, opened.state], [201, "connected"], opened.location);
      const url = opened.location;
      const heard = () => within(page.evaluate(heardFromPage, 2_000), 10_000, "listening");
      const before = await heard();
      assert.ok(before.seconds > 1 && before.energy > 1e-5, `the beeps: ${JSON.stringify(before)}`);

      // Refusals say why, and the session goes on as it was.
      const json = (value: unknown) => JSON.stringify(value);
      const cases: [string, Promise<{ status: number; code?: string }>, number, string][] = [
        [
          "an unknown name",
          patch(url, json({ parameters: { gian: 0 } })),
          422,
          "unknown_parameter",
        ],
        ["a bad value", patch(url, json({ parameters: { gain: -1 } })), 422, "invalid_parameter"],
        [
          "a field taken only at start",
          patch(url, json({ parameters: { gain: 0, channels: 1 } })),
          409,
          "config_locked",
        ],
        ["not JSON", patch(url, "{gain: 0}"), 400, "invalid_json"],
        ["not {parameters}", patch(url, json({ gain: 0 })), 400, "invalid_body"],
        ["parameters not an object", patch(url, json({ parameters: [0] })), 400, "invalid_body"],
        [
          "nested too deep",
          patch(url, `{"parameters":{"gain":${"[".repeat(100)}${"]".repeat(100)}}}`),
          422,
          "invalid_parameter",
        ],
        [
          "not application/json",
          patch(url, json({ parameters: { gain: 0 } }), { "content-type": "text/plain" }),
          415,
          "unsupported_media_type",
        ],
        [
          "over 64 KiB",
          patch(url, json({ parameters: { gain: "x".repeat(70_000) } })),
          413,
          "body_too_large",
        ],
        [
          "a wrong token",
          patch(url, json({ parameters: { gain: 0 } }), { authorization: "Bearer nope" }),
          401,
          "invalid_token",
        ],
      ];
      for (const [what, answer, status, code] of cases) {
        const got = await answer;
        assert.deepEqual([got.status, got.code], [status, code], what);
      }
      const locked = await patch(url, json({ parameters: { channels: 1 } }));
      assert.match(locked.message!, /parameters that change while it runs: gain$/);
      assert.deepEqual((locked.details as { available: string[] }).available, ["gain"]);
      const still = await heard();
      assert.ok(still.energy > before.energy / 10, `refusals changed nothing: ${json(still)}`);

      const silenced = await patch(url, json({ parameters: { gain: 0 } }));
      assert.deepEqual([silenced.status, silenced.code], [204, undefined]);
      // What was in flight before the change drains first.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await heard();
      console.log(`energy heard over 2 s: gain 1 ${before.energy}, gain 0 ${after.energy}`);
      assert.ok(after.seconds > 1, `audio still comes back: ${json(after)}`);
      assert.ok(after.energy < before.energy / 100, `gain 0: ${json(after)}, 1: ${json(before)}`);
      const ended = await fetch(url, {
        method: "DELETE",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(ended.status, 200);
      await ended.body?.cancel();
      await until("the session to end after DELETE", 10_000, () => server.runner.active === 0);
    } finally {
      await context.close();
      await server.close();
    }
  },
});

/** Runs in the page: sends the fake camera both ways (H.264), plays what comes back. */
async function videoFromPage(args: { url: string; token: string }) {
  const camera = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 30 },
  });
  const pc = new RTCPeerConnection();
  const transceiver = pc.addTransceiver(camera.getVideoTracks()[0], {
    direction: "sendrecv",
    streams: [camera],
  });
  transceiver.setCodecPreferences(
    RTCRtpReceiver.getCapabilities("video")!.codecs.filter((c) =>
      c.mimeType === "video/H264" && /packetization-mode=1/.test(c.sdpFmtpLine ?? "")
    ),
  );
  const video = document.createElement("video");
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  pc.ontrack = (event) => (video.srcObject = new MediaStream([event.track]));
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(args.url, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${args.token}` },
    body: pc.localDescription!.sdp,
  });
  const answer = await response.text();
  if (response.status !== 201) {
    return { status: response.status, width: 0, height: 0, framesDecoded: 0, error: answer };
  }
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  const deadline = performance.now() + 20_000;
  let framesDecoded = 0;
  while (performance.now() < deadline) {
    for (const report of (await pc.getStats()).values()) {
      if (report.type === "inbound-rtp" && report.kind === "video") {
        framesDecoded = report.framesDecoded ?? 0;
      }
    }
    if (framesDecoded >= 30 && video.videoWidth > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const result = {
    status: response.status,
    width: video.videoWidth,
    height: video.videoHeight,
    framesDecoded,
    error: "",
  };
  await fetch(new URL(response.headers.get("location")!, args.url), {
    method: "DELETE",
    headers: { authorization: `Bearer ${args.token}` },
  });
  pc.close();
  for (const track of camera.getTracks()) track.stop();
  return result;
}

Deno.test({
  name: "A WebRTC session takes Chromium's camera (H.264) and sends back the pipeline's video",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = await start();
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/healthz`);
      const got = await within(
        page.evaluate(videoFromPage, { url: `${server.webrtcUrl}/scale`, token: TOKEN }),
        40_000,
        "the video session",
      );
      // 640x480 in, 320x240 back: the pictures went through the pipeline's VideoScale.
      assert.equal(got.status, 201, JSON.stringify(got));
      assert.deepEqual([got.width, got.height], [320, 240], JSON.stringify(got));
      assert.ok(got.framesDecoded >= 30, JSON.stringify(got));
      await until("the session to end after DELETE", 10_000, () => server.runner.active === 0);
    } finally {
      await context.close();
      await server.close();
    }
  },
});
