/**
 * A gRPC client that declares a large request message and never sends the rest: its call ends
 * within `firstMessageTimeoutMs` (`DEADLINE_EXCEEDED`, `body_timeout`) with its stream let go,
 * and no more than `maxWaitingCalls` calls wait at once (`RESOURCE_EXHAUSTED`,
 * `session_limit_reached`). A raw HTTP/2 client (node:http2), no token needed.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { serve } from "./grpc_harness.ts";

const EXECUTE = "/streamlib.sessions.v1.Sessions/Execute";
const STREAM = "/streamlib.sessions.v1.Sessions/Stream";

interface Held {
  /** The status and streamlib code once the server answered, and when. */
  readonly answered: Promise<{ status?: string; code?: string; ms: number }>;
  /** Resolves when the server has let go of the stream (closed it), the client still open. */
  readonly closed: Promise<number>;
}

/** Opens a call on `path`, sends a length prefix of `declared` bytes and `sent` of them, holds. */
function hold(
  session: http2.ClientHttp2Session,
  path: string,
  declared: number,
  sent: number,
): Held {
  const started = Date.now();
  const stream = session.request({
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
  });
  const prefix = new Uint8Array(5);
  new DataView(prefix.buffer).setUint32(1, declared);
  stream.write(prefix);
  stream.write(new Uint8Array(sent)); // never ended: the rest of the message never comes
  stream.on("error", () => {});
  let headers: http2.IncomingHttpHeaders = {};
  stream.on("response", (h) => (headers = { ...headers, ...h }));
  stream.on("trailers", (h) => (headers = { ...headers, ...h }));
  stream.resume();
  const answered = new Promise<{ status?: string; code?: string; ms: number }>((resolve) => {
    const done = () =>
      resolve({
        status: headers["grpc-status"] as string | undefined,
        code: headers["streamlib-code"] as string | undefined,
        ms: Date.now() - started,
      });
    stream.on("end", done);
    stream.on("close", done);
  });
  const closed = new Promise<number>((resolve) =>
    stream.on("close", () => resolve(Date.now() - started))
  );
  return { answered, closed };
}

Deno.test("a call whose first message never finishes ends within firstMessageTimeoutMs", async () => {
  const served = await serve({}, { firstMessageTimeoutMs: 800, maxWaitingCalls: 4 });
  const session = http2.connect(`http://${served.address}`);
  try {
    const calls = [
      hold(session, EXECUTE, 1_000_000, 200_000),
      hold(session, STREAM, 1_000_000, 200_000),
    ];
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(served.server.waitingCalls, 2);
    for (const call of calls) {
      const answer = await answerWithin(call.answered, 5_000);
      assert.equal(answer.status, "4", "DEADLINE_EXCEEDED");
      assert.equal(answer.code, "body_timeout");
      assert.ok(answer.ms >= 700 && answer.ms < 3_000, `ended after ${answer.ms} ms`);
      // The server let go of the stream though the client never half-closed it.
      await answerWithin(call.closed, 3_000);
    }
    assert.equal(served.server.waitingCalls, 0);
    assert.equal(served.server.calls, 0);
  } finally {
    session.destroy();
    await served.close();
  }
});

Deno.test("calls waiting for their first message are capped at maxWaitingCalls", async () => {
  const served = await serve({}, { firstMessageTimeoutMs: 1_500, maxWaitingCalls: 3 });
  const sessions = [
    http2.connect(`http://${served.address}`),
    http2.connect(`http://${served.address}`),
  ];
  try {
    const held = Array.from(
      { length: 8 },
      (_, i) => hold(sessions[i % 2], i % 2 ? STREAM : EXECUTE, 4_000_000, 65_000),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(served.server.waitingCalls, 3);
    const answers = await Promise.all(held.map((call) => answerWithin(call.answered, 6_000)));
    const refused = answers.filter((a) => a.status === "8");
    const timedOut = answers.filter((a) => a.status === "4");
    assert.equal(refused.length, 5, JSON.stringify(answers));
    assert.equal(timedOut.length, 3, JSON.stringify(answers));
    for (const a of refused) {
      assert.equal(a.code, "session_limit_reached");
      assert.ok(a.ms < 1_000, `refused after ${a.ms} ms`);
    }
    for (const a of timedOut) assert.equal(a.code, "body_timeout");
    assert.equal(served.server.waitingCalls, 0);
    // Once they are gone, a call may wait again; one whose message came waits no more.
    const again = hold(sessions[0], EXECUTE, 4_000_000, 65_000);
    hold(sessions[1], EXECUTE, 0, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(served.server.waitingCalls, 1);
    assert.equal((await answerWithin(again.answered, 6_000)).code, "body_timeout");
  } finally {
    for (const s of sessions) s.destroy();
    await served.close();
  }
});

async function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
