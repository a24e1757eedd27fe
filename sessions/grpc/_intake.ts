/**
 * The server's one interceptor: the code trailer on every failed status, and the bound on calls
 * whose first request message has not come in full (a client can declare a message of
 * `maxReceiveMessageBytes` in its length prefix and never send the rest; grpc-js would buffer
 * every such partial message until the client left). Internal.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { constants as http2 } from "node:http2";
import { STREAMLIB_CODE_KEY } from "./status.ts";

/** The bound on calls waiting for their first request message. */
export interface IntakeLimits {
  /** How long a call may take to deliver its first whole request message. */
  readonly firstMessageTimeoutMs: number;
  /** How many calls may wait for their first message at once; more are refused. */
  readonly maxWaitingCalls: number;
}

/** The calls waiting for their first message now. */
export interface IntakeState {
  readonly waiting: Set<object>;
}

type Status = Parameters<grpc.ServerInterceptingCallInterface["sendStatus"]>[0];

/** What of grpc-js's base call is used: its status, its HTTP/2 stream, its message decoder. */
interface BaseCall {
  sendStatus(status: Status): void;
  stream?: { closed?: boolean; destroyed?: boolean; close?(code?: number): void; once?: unknown };
  decoder?: { readPartialMessage?: unknown[] };
}

function coded(code: grpc.status, streamlibCode: string, details: string): Status {
  const metadata = new grpc.Metadata();
  metadata.set(STREAMLIB_CODE_KEY, streamlibCode);
  return { code, details, metadata };
}

/**
 * Ends a call that never finished its first message and lets go of what it buffered: the status
 * (trailers-only), then the decoder's partial message dropped and the stream reset, so the
 * http2 stream, and the bytes grpc-js holds for it, go even while the client keeps its half open.
 */
function endAndRelease(base: BaseCall, status: Status): void {
  base.sendStatus(status);
  if (Array.isArray(base.decoder?.readPartialMessage)) base.decoder.readPartialMessage = [];
  const stream = base.stream;
  if (stream && !stream.destroyed && typeof stream.close === "function") {
    // After the trailers: NO_ERROR, as a gRPC server does when the client has not half-closed.
    try {
      stream.close(http2.NGHTTP2_NO_ERROR);
    } catch { /* already gone */ }
  }
}

/**
 * The interceptor. It must be the first of the server's: it is handed grpc-js's base call, whose
 * `sendStatus` it wraps so the statuses grpc-js sends on its own (a request over the size limit,
 * the call's own deadline) get a `streamlib-code` too (grpc-js is pinned;
 * `tests/sessions/grpc_hostile_test.ts` checks the oversize case, `grpc_slow_client_test.ts` the
 * first-message bound).
 *
 * @param limits The first-message bound.
 * @param state The calls waiting now (the server's).
 * @returns The interceptor.
 */
export function intake(limits: IntakeLimits, state: IntakeState): grpc.ServerInterceptor {
  return (_method, call) => {
    const base = call as unknown as BaseCall;
    const send = base.sendStatus.bind(base);
    const token = {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      clearTimeout(timer);
      timer = undefined;
      state.waiting.delete(token);
    };
    base.sendStatus = (status) => {
      settle();
      if (status.code !== grpc.status.OK) {
        const metadata = status.metadata ?? new grpc.Metadata();
        if (metadata.get(STREAMLIB_CODE_KEY).length === 0) {
          metadata.set(STREAMLIB_CODE_KEY, libraryCode(status.code));
        }
        status = { ...status, metadata };
      }
      send(status);
    };
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        if (state.waiting.size >= limits.maxWaitingCalls) {
          // Refused before the handler sees it: no listener, nothing of it read.
          endAndRelease(
            base,
            coded(
              grpc.status.RESOURCE_EXHAUSTED,
              "session_limit_reached",
              `Too many calls are waiting for their first request message (at most ${limits.maxWaitingCalls}): try again later`,
            ),
          );
          return;
        }
        state.waiting.add(token);
        timer = setTimeout(() => {
          timer = undefined;
          state.waiting.delete(token);
          endAndRelease(
            base,
            coded(
              grpc.status.DEADLINE_EXCEEDED,
              "body_timeout",
              `The first request message did not arrive in full within ${limits.firstMessageTimeoutMs} ms of the call's start`,
            ),
          );
        }, limits.firstMessageTimeoutMs);
        next({
          onReceiveMessage(message, nextMessage) {
            settle();
            nextMessage(message);
          },
          onReceiveHalfClose(nextHalfClose) {
            settle();
            nextHalfClose();
          },
          onCancel() {
            settle();
          },
        });
      },
    });
  };
}

function libraryCode(status: grpc.status): string {
  switch (status) {
    case grpc.status.RESOURCE_EXHAUSTED:
      return "message_too_large";
    case grpc.status.DEADLINE_EXCEEDED:
      return "grpc_deadline_exceeded";
    default:
      return "internal_error";
  }
}
