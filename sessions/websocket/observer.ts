/**
 * {@linkcode SessionObserver}: what a session transport reports as sessions open, carry frames
 * and end; a metrics registry implements it (`streamlib serve`'s `/metrics`).
 *
 * @module
 */

/**
 * Hooks a transport calls; each is optional and must not throw. Every session that a client
 * asked for is either refused (`refused`) or started (`started`) and later ended (`ended`,
 * exactly once).
 */
export interface SessionObserver {
  /**
   * An `open` was refused (unknown pipeline, token, limit, a manifest that does not load).
   *
   * @param code The error code sent to the client.
   */
  refused?(code: string): void;
  /**
   * A session started.
   *
   * @param session The session's id.
   * @param pipeline The pipeline's name.
   */
  started?(session: string, pipeline: string): void;
  /**
   * A session ended.
   *
   * @param session The session's id.
   * @param code `""` when it ended normally (every output ended, or the client closed), else the
   * code it ended with (`client_disconnected` when the client went away).
   */
  ended?(session: string, code: string): void;
  /** The graph took one frame a client sent. */
  frameIn?(): void;
  /** One output frame was handed to the client's connection. */
  frameOut?(): void;
  /**
   * One output frame was dropped: the wire format cannot carry it (the client was told with a
   * non-fatal error; repeated ones are counted in one error a second).
   *
   * @param code The encoder's code (`wire_malformed`, `wire_too_large`).
   */
  frameDropped?(code: string): void;
  /**
   * One round trip: from a frame of the client arriving at the server to the first output frame
   * carrying its sequence number leaving it.
   *
   * @param seconds The time, in seconds.
   */
  roundTrip?(seconds: number): void;
}
