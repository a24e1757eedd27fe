import assert from "node:assert/strict";
import { ConnectionSharedState } from "./connection_shared_state.ts";

Deno.test("ConnectionSharedState carries a keyframe request from reader to writer once, across mappings", () => {
  const reader = ConnectionSharedState.create(4, "fifo");
  const writer = ConnectionSharedState.from(reader.buffer); // as the other isolate maps it
  assert.equal(writer.takeKeyframeRequest(), false);
  reader.requestKeyframe();
  reader.requestKeyframe();
  assert.equal(writer.takeKeyframeRequest(), true);
  assert.equal(writer.takeKeyframeRequest(), false);
  assert.equal(writer.readerClosed || writer.writerClosed, false); // other flags untouched
});
