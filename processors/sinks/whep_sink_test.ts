import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../mod.ts";
import { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import { WebRtcError } from "../../ffi/net/webrtc_errors.ts";

function graph() {
  const rt = createRuntime({ workers: false });
  const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" });
  const encoder = rt.add(H264Encoder, { backend: "openh264" });
  const whep = rt.add(WhepSink, {}, { id: "dup" });
  rt.connect(pattern.outputs.video, encoder.inputs.in);
  rt.connect(encoder.outputs.out, whep.inputs.video);
  return rt;
}

Deno.test("WhepSink fails setup with webrtc_endpoint_taken when another runtime's WhepSink has its id", async () => {
  const first = graph();
  const second = graph();
  await first.start();
  try {
    await second.start();
    const node = second.describe().nodes.find((n) => n.id === "dup")!;
    assert.equal(node.state, "error");
    assert.match(node.failure?.message ?? "", /another WebRTC endpoint is named 'dup'/);
    assert.equal(first.describe().nodes.find((n) => n.id === "dup")!.state, "running");
  } finally {
    await second.stop();
    await first.stop();
  }
  // Once the first stops, the id is free again.
  const third = graph();
  await third.start();
  assert.equal(third.describe().nodes.find((n) => n.id === "dup")!.state, "running");
  await third.stop();
});

Deno.test("WhepSink refuses an address that is not an IP address at setup", async () => {
  const rt = createRuntime({ workers: false });
  const pattern = rt.add(TestPattern, { width: 64, height: 48, pixelFormat: "I420" });
  const encoder = rt.add(H264Encoder, { backend: "openh264" });
  const whep = rt.add(WhepSink, { bind: "example.com" }, { id: "bad_bind" });
  rt.connect(pattern.outputs.video, encoder.inputs.in);
  rt.connect(encoder.outputs.out, whep.inputs.video);
  await rt.start();
  try {
    const node = rt.describe().nodes.find((n) => n.id === "bad_bind")!;
    assert.equal(node.state, "error");
    assert.match(node.failure?.message ?? "", /'example\.com' is not an IP address/);
  } finally {
    await rt.stop();
  }
});

Deno.test("WebRtcEndpoint.create() refuses a name a live endpoint has with webrtc_endpoint_taken", () => {
  using first = WebRtcEndpoint.create({ name: "taken", mode: "send" });
  assert.throws(() => WebRtcEndpoint.create({ name: "taken", mode: "receive" }), (e) => {
    assert.ok(e instanceof WebRtcError);
    assert.equal(e.code, "webrtc_endpoint_taken");
    return true;
  });
  first.close();
  WebRtcEndpoint.create({ name: "taken", mode: "receive" }).close(); // free again
});
