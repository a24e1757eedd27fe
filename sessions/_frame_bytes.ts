/**
 * The byte window of a session's channel (both sides count frames with core's
 * `framePayloadBytes`). Internal.
 *
 * @module
 */

/**
 * Bytes of application frames a session keeps in flight each way: sends to its isolate not yet
 * taken by the graph, and per output the frames its isolate sent ahead of the caller's reads.
 * At least one frame is always let through, whatever its size.
 */
export const WINDOW_BYTES = 16 * 1024 * 1024;
