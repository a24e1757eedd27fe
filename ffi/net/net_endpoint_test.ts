import assert from "node:assert/strict";
import {
  NativeError,
  statusError,
  UnsupportedError,
  WrongEndpointError,
} from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { NetSink, NetSource } from "./net_endpoint.ts";

Deno.test("NetSink.create() refuses malformed settings with typed errors", () => {
  assert.throws(() => NetSink.create("srt", { address: "nope:1" }), UnsupportedError);
  assert.throws(
    () => NetSink.create("srt", { address: "127.0.0.1:1", mode: "x" }),
    UnsupportedError,
  );
  assert.throws(
    () => NetSink.create("rtmp", { address: "127.0.0.1:1", app: "live" }),
    UnsupportedError,
  );
  assert.throws(() => NetSource.create("rtmp", { address: "127.0.0.1:1" }), NativeError);
});

Deno.test("sl_net_source_read refuses a sink handle; a closed NetSink keeps its final counters", () => {
  const lib = loadNativeLibrary();
  const json = new TextEncoder().encode(JSON.stringify({ address: "127.0.0.1:9" }));
  const out = new Uint32Array(1);
  assert.equal(lib.symbols.sl_net_sink_create(0, json, json.length, out), 0);
  const r = lib.symbols.sl_net_source_read(out[0], new Uint8Array(16), 16, new Float64Array(2));
  assert.ok(statusError(lib, r, "read") instanceof WrongEndpointError);
  assert.equal(lib.symbols.sl_net_free(out[0]), 0);
  const sink = NetSink.create("srt", { address: "127.0.0.1:9" });
  sink.push(new Uint8Array([0, 0, 0, 1, 0x65]), 0, true);
  sink.close();
  sink.close(); // idempotent
  assert.equal(sink.closed, true);
  assert.equal(sink.stats().connected, 0);
  assert.equal(sink.stats().framesDropped + sink.stats().framesQueued, 1);
  assert.equal(lib.symbols.sl_net_close(out[0]), -2); // freed: invalid handle
});
