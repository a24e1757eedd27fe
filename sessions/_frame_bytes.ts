/**
 * The bytes of an application frame's payload, as the session's windows count them (both sides
 * of its channel). Internal.
 *
 * @module
 */

/**
 * Bytes of application frames a session keeps in flight each way: sends to its isolate not yet
 * taken by the graph, and per output the frames its isolate sent ahead of the caller's reads.
 * At least one frame is always let through, whatever its size.
 */
export const WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * A frame's payload bytes: its samples or data, or a data frame's JSON text; 0 for what is none
 * of these.
 *
 * @param frame The frame.
 * @returns Its bytes.
 */
export function payloadBytes(frame: unknown): number {
  const f = frame as { samples?: unknown; data?: unknown; value?: unknown } | null;
  if (f === null || typeof f !== "object") return 0;
  if (ArrayBuffer.isView(f.samples)) return f.samples.byteLength;
  if (ArrayBuffer.isView(f.data)) return f.data.byteLength;
  if (f.value !== undefined) {
    try {
      return JSON.stringify(f.value)?.length ?? 0;
    } catch {
      return 0;
    }
  }
  return 0;
}
