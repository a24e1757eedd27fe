/**
 * The messages of a session, as values: what the encoder takes and the decoder returns.
 *
 * @module
 */

import type { Frame } from "../../core/frames/frame.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";

/**
 * String key/value pairs carried with a message, end to end (at most 64 entries; keys up to 256
 * bytes of UTF-8, values up to 4096).
 */
export type WireMetadata = Readonly<Record<string, string>>;

/**
 * The values a client chose for the pipeline's `parameters`, by name: a JSON object (its text at
 * most 65,535 bytes of UTF-8, nested at most 64 levels deep).
 */
export type WireParameters = Readonly<Record<string, JsonValue>>;

/** An input or output a session offers: its name and the kind of frame it takes (`any`: all). */
export interface WirePort {
  /** The input's or output's name. */
  readonly name: string;
  /** The frame kind it carries, or `any`. */
  readonly kind: Frame["kind"] | "any";
}

/** Client to server, first: open a session of a named pipeline. */
export interface OpenMessage {
  /** Discriminant. */
  readonly type: "open";
  /** The pipeline's name on the server. */
  readonly pipeline: string;
  /** The access token (empty when the server takes none). */
  readonly token: string;
  /** What the client says about itself (free-form). */
  readonly metadata: WireMetadata;
  /**
   * The values of the pipeline's `parameters` the client chose (version 2). Absent: none, and
   * the open is written in version 1.
   */
  readonly parameters?: WireParameters;
}

/** Server to client: the session is open. */
export interface AcceptMessage {
  /** Discriminant. */
  readonly type: "accept";
  /** The session's id, for logs and the dashboard. */
  readonly sessionId: string;
  /** The inputs the client may send frames on. */
  readonly inputs: readonly WirePort[];
  /** The outputs frames come from. */
  readonly outputs: readonly WirePort[];
  /** The largest message the server takes on this session, in bytes. */
  readonly maxMessageBytes: number;
}

/** A frame: on a named input (client to server) or from a named output (server to client). */
export interface FrameMessage {
  /** Discriminant. */
  readonly type: "frame";
  /** The input or output. */
  readonly port: string;
  /** The sender's sequence number of this frame on this port, from 0. */
  readonly sequence: number;
  /** String pairs carried end to end with the frame. */
  readonly metadata: WireMetadata;
  /** The frame (its `slot`, if any, is not sent). */
  readonly frame: Frame;
}

/** End of stream of a named input (client to server) or output (server to client). */
export interface EndMessage {
  /** Discriminant. */
  readonly type: "end";
  /** The input or output that has ended. */
  readonly port: string;
}

/** Either side: the session is over; nothing follows. */
export interface CloseMessage {
  /** Discriminant. */
  readonly type: "close";
  /** Empty for a normal close, else the code of why (an error code). */
  readonly code: string;
  /** Human-readable detail, possibly empty. */
  readonly message: string;
}

/** Either side: a failure with a stable code; `fatal` says the session ends with it. */
export interface ErrorMessage {
  /** Discriminant. */
  readonly type: "error";
  /** The stable error code (`docs/errors.md`). */
  readonly code: string;
  /** What was wrong and what is valid. */
  readonly message: string;
  /** Whether the session ends (a close follows) or carries on. */
  readonly fatal: boolean;
}

/** Either side: asks for a pong with the same id. */
export interface PingMessage {
  /** Discriminant. */
  readonly type: "ping";
  /** Any integer up to 2^53 - 1, echoed by the pong. */
  readonly id: number;
}

/** The answer to a ping. */
export interface PongMessage {
  /** Discriminant. */
  readonly type: "pong";
  /** The ping's id. */
  readonly id: number;
}

/**
 * Client to server (version 3): change the running session's parameters. The server answers
 * with a {@linkcode ConfiguredMessage} of the same `id`; the session goes on either way.
 */
export interface ConfigureMessage {
  /** Discriminant. */
  readonly type: "configure";
  /** The client's number for this request (0 to 2^32 - 1), echoed by the answer. */
  readonly id: number;
  /** The new values, by parameter name (the same rules as an open's parameters). */
  readonly parameters: WireParameters;
}

/** Server to client (version 3): the answer to a {@linkcode ConfigureMessage}. */
export interface ConfiguredMessage {
  /** Discriminant. */
  readonly type: "configured";
  /** The configure's id. */
  readonly id: number;
  /** Empty when the values were taken; else why not (an error code: `config_locked`, ...). */
  readonly code: string;
  /** What was refused and what is valid (empty on success). */
  readonly message: string;
}

/**
 * Any message of the session wire format.
 *
 * @example Branch on the type
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WireMessage } from "@streamlib/streamlib/sessions/wire";
 *
 * function describe(message: WireMessage): string {
 *   return message.type === "frame" ? `${message.port}#${message.sequence}` : message.type;
 * }
 * assert.equal(describe({ type: "ping", id: 1 }), "ping");
 * ```
 */
export type WireMessage =
  | OpenMessage
  | AcceptMessage
  | FrameMessage
  | EndMessage
  | CloseMessage
  | ErrorMessage
  | PingMessage
  | PongMessage
  | ConfigureMessage
  | ConfiguredMessage;
