/**
 * Adoption, the reading side's last step of a crossing: the frame a native connection reader
 * decoded (a view valid until its next read) becomes an owned frame holding the message's slot
 * reference.
 *
 * @module
 */

import type { Frame } from "../../../core/frames/frame.ts";
import { NO_SLOT } from "../../../core/frames/message.ts";
import {
  OwnedAudioFrame,
  OwnedEncodedVideoFrame,
  OwnedVideoFrame,
} from "../../../core/frames/owned_frame.ts";
import { OwnedEncodedAudioFrame } from "../../../core/frames/owned_encoded_audio_frame.ts";
import type { NativeConnectionReader } from "../native_connection_reader.ts";
import type { SlotMemorySource } from "../slot_memory.ts";

/**
 * Turns the native reader's frame (valid until its next read) into an owned frame with its own
 * slot reference: the frame's memory releases it when the frame's last holder lets go. A data
 * frame is parsed into a new object, so its slot goes back at once.
 *
 * @param reader The native reader `frame` came from (its held slot reference is taken over).
 * @param memory The frame memory over the reader's pool the slot is adopted into.
 * @param frame What the reader's `pop()` or `popLatest()` returned.
 * @param origin The node that wrote the frame into the channel, named as its maker (default
 *   `"another isolate"`).
 * @returns The owned frame (or `frame` itself when it holds no slot), `undefined` for none.
 *
 * @example Adopt a frame read from a native connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { createNativeConnection } from "../native_connection.ts";
 * import { releaseFrame } from "../../../core/frames/owned_frame.ts";
 * import { SlotMemorySource } from "../slot_memory.ts";
 * import { adoptFrame } from "./adopt.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 2 });
 * const [writer, reader] = createNativeConnection({ capacity: 2, policy: "fifo", pool });
 * const data = new Uint8Array(2 * 2 * 4).fill(9);
 * writer.push({ kind: "video", width: 2, height: 2, format: "RGBA", stride: 8, timestampNs: 1, frameNumber: 0, data });
 * const frame = adoptFrame(reader, new SlotMemorySource(pool), reader.pop());
 * assert.equal(frame?.kind, "video");
 * assert.equal(pool.stats().inUse, 1); // the owned frame holds the slot
 * releaseFrame(frame);
 * assert.equal(pool.stats().inUse, 0);
 * writer.close();
 * reader.close();
 * ```
 */
export function adoptFrame<T extends Frame>(
  reader: NativeConnectionReader<T>,
  memory: SlotMemorySource,
  frame: T | undefined,
  origin = "another isolate",
): T | undefined {
  if (frame === undefined) return frame;
  if (frame.kind === "data") {
    // Parsed into a new object: its slot can go back now, so no reference waits for a next read.
    const held = reader.takeHeld();
    if (held !== NO_SLOT) reader.pool.release(held);
    return frame;
  }
  const slot = frame.slot;
  if (slot === undefined || reader.takeHeld() !== slot) return frame;
  switch (frame.kind) {
    case "video": {
      const owned = new OwnedVideoFrame(memory.adopt(slot, frame.data.byteLength), frame, origin);
      owned.timestampNs = frame.timestampNs;
      owned.frameNumber = frame.frameNumber;
      return owned as unknown as T;
    }
    case "audio": {
      const adopted = memory.adopt(slot, frame.samples.byteLength);
      const owned = new OwnedAudioFrame(adopted, frame, origin);
      owned.timestampNs = frame.timestampNs;
      owned.frameNumber = frame.frameNumber;
      return owned as unknown as T;
    }
    case "encoded-video": {
      const adopted = memory.adopt(slot, frame.data.byteLength);
      const owned = new OwnedEncodedVideoFrame(adopted, frame.codec, origin);
      owned.keyframe = frame.keyframe;
      owned.timestampNs = frame.timestampNs;
      owned.frameNumber = frame.frameNumber;
      return owned as unknown as T;
    }
    case "encoded-audio": {
      const adopted = memory.adopt(slot, frame.data.byteLength);
      const owned = new OwnedEncodedAudioFrame(adopted, frame, origin);
      owned.timestampNs = frame.timestampNs;
      owned.frameNumber = frame.frameNumber;
      return owned as unknown as T;
    }
  }
}
