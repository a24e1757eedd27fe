/**
 * The server's one interceptor: the code trailer on every failed status, the caller's compression
 * mistakes refused as its own, and the bound on calls whose first request message has not come in
 * full (a client can declare a message of `maxReceiveMessageBytes` in its length prefix and never
 * send the rest; grpc-js would buffer every such partial message until the client left).
 * Internal.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { constants as http2 } from "node:http2";
import { CallOutcome } from "./_outcome.ts";
import type { GrpcCallEnding } from "./status.ts";
import { STREAMLIB_CODE_KEY } from "./status.ts";

/** The bound on calls waiting for their first request message. */
export interface IntakeLimits {
  /** How long a call may take to deliver its first whole request message. */
  readonly firstMessageTimeoutMs: number;
  /** How many calls may wait for their first message at once; more are refused. */
  readonly maxWaitingCalls: number;
}

/** The calls waiting for their first message now, and every call's ending by its metadata. */
export interface IntakeState {
  readonly waiting: Set<object>;
  /** Each call's {@linkcode CallOutcome}, by its request metadata (what its handler is given). */
  readonly outcomes: WeakMap<object, CallOutcome>;
  /** Told each call's ending once (`GrpcServeOptions.onEnded`). */
  readonly tell?: (ending: GrpcCallEnding) => void;
}

type Status = Parameters<grpc.ServerInterceptingCallInterface["sendStatus"]>[0];

/**
 * What of grpc-js's base call is used: its status, its HTTP/2 stream, its message decoder, its
 * decompression of a message (the 5-byte prefix and the bytes, and the call's `grpc-encoding`).
 */
interface BaseCall {
  sendStatus(status: Status): void;
  stream?: { closed?: boolean; destroyed?: boolean; close?(code?: number): void; once?: unknown };
  decoder?: { readPartialMessage?: unknown[] };
  decompressMessage?(message: Uint8Array, encoding: string): Uint8Array | Promise<Uint8Array>;
}

/**
 * How near its deadline a client's reset counts as the deadline passing: a gRPC client ends a
 * call at its deadline itself (an HTTP/2 reset), which reaches the server about when the server's
 * own timer for the same deadline fires, in either order (it was `client_disconnected` or
 * `grpc_deadline_exceeded` by that race).
 */
export const DEADLINE_SLACK_MS = 100;

/**
 * How a call the client reset ended: `grpc_deadline_exceeded` when the reset came within
 * {@linkcode DEADLINE_SLACK_MS} of the call's deadline (or after it), else `client_disconnected`.
 */
function resetCode(deadline: grpc.Deadline): string {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && Date.now() >= at - DEADLINE_SLACK_MS
    ? "grpc_deadline_exceeded"
    : "client_disconnected";
}

/** The encodings grpc-js decompresses (`grpc-accept-encoding` of its answers). */
const ACCEPTED_ENCODINGS = "identity,deflate,gzip";

/**
 * Makes the base call's decompression refuse what the caller got wrong as the caller's fault,
 * `grpc_invalid_message`, where grpc-js said `internal_error` or took it: a compressed flag with
 * no `grpc-encoding` (or `identity`), or a flag other than 0 and 1, is `INTERNAL` (the gRPC
 * spec's status for it; grpc-js read the bytes as uncompressed); an encoding grpc-js lacks stays
 * `UNIMPLEMENTED`, with `grpc-accept-encoding` as the spec asks; bytes that do not decompress as
 * their encoding says are `INVALID_ARGUMENT` (grpc-js: `INTERNAL`).
 */
function checkCompression(base: BaseCall): void {
  const decompress = base.decompressMessage;
  if (typeof decompress !== "function") return;
  base.decompressMessage = async (message, encoding) => {
    const flag = message[0];
    if (flag > 1 || (flag === 1 && encoding === "identity")) {
      throw coded(
        grpc.status.INTERNAL,
        "grpc_invalid_message",
        flag > 1
          ? `A message whose compressed flag is ${flag}: it must be 0 or 1`
          : "A message with the compressed flag set, on a call whose grpc-encoding is not set " +
            "(or identity): name its encoding (gzip, deflate) or send it uncompressed",
      );
    }
    try {
      return await decompress.call(base, message, encoding);
    } catch (error) {
      const { code, details } = error as { code?: unknown; details?: unknown };
      const said = typeof details === "string" ? details : String(error);
      if (code === grpc.status.UNIMPLEMENTED) {
        const status = coded(
          grpc.status.UNIMPLEMENTED,
          "grpc_invalid_message",
          `${said.slice(0, 200)}: the server takes ${ACCEPTED_ENCODINGS}`,
        );
        status.metadata!.set("grpc-accept-encoding", ACCEPTED_ENCODINGS);
        throw status;
      }
      if (code === grpc.status.RESOURCE_EXHAUSTED) {
        throw coded(grpc.status.RESOURCE_EXHAUSTED, "message_too_large", said);
      }
      throw coded(
        grpc.status.INVALID_ARGUMENT,
        "grpc_invalid_message",
        `A message that does not decompress as its grpc-encoding (${encoding.slice(0, 40)}) says`,
      );
    }
  };
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
    checkCompression(base);
    const send = base.sendStatus.bind(base);
    const token = {};
    const outcome = new CallOutcome(state.tell);
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
      // Every status a client is sent, the handler's or grpc-js's own, ends the call's outcome;
      // one on a stream already gone (grpc-js's INTERNAL for a write the reset failed) is not
      // sent: the client left.
      const code = status.metadata?.get(STREAMLIB_CODE_KEY)[0];
      outcome.end(
        base.stream?.destroyed
          ? resetCode(call.getDeadline())
          : status.code === grpc.status.OK
          ? ""
          : String(code ?? "internal_error"),
      );
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
          onReceiveMetadata(metadata, nextMetadata) {
            state.outcomes.set(metadata, outcome);
            nextMetadata(metadata);
          },
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
            // After a status this changes nothing; before one, the client left (or its
            // library ended the call at its deadline).
            outcome.end(resetCode(call.getDeadline()));
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
    case grpc.status.UNIMPLEMENTED:
      // A second request message on Execute, or none: the call's shape, the caller's fault.
      return "grpc_invalid_message";
    default:
      return "internal_error";
  }
}
