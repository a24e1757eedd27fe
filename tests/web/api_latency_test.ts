/**
 * `/api/v1/latency`: end-to-end latency from a source to a sink, from frame timestamps (a probe
 * on the output feeding the sink), with typed errors for sources, sinks and paths that do not fit.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Harness } from "./harness.ts";

Deno.test("PUT /latency measures a source's frames' age at a sink; DELETE stops", async () => {
  await using h = await Harness.start();
  const put = await h.call("PUT", "/latency", { source: "tone_a", sink: "audio_out" });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.measuring, true);
  assert.equal(put.body.port, "reverb.out");
  assert.equal(h.rt.describe().nodes.length, 8, "nothing added to the graph");
  await new Promise((r) => setTimeout(r, 1500));
  const { body } = await h.call("GET", "/latency");
  assert.ok(body.samples.length >= 4, `${body.samples.length} samples`);
  const ages = body.samples.map((s: { latencyNs: number }) => s.latencyNs / 1e6);
  // Each frame is written into the sink's input after the source made it, and not seconds later.
  assert.ok(ages.every((ms: number) => ms > -50 && ms < 1000), ages.join(", "));
  console.log(`tone_a -> audio_out: ${ages.map((a: number) => a.toFixed(2)).join(" ")} ms`);

  const video = await h.call("PUT", "/latency", { source: "pattern", sink: "video_out" });
  assert.equal(video.body.port, "scale.out");
  assert.equal(video.body.samples.length, 0, "a new measurement starts empty");
  const stopped = await h.call("DELETE", "/latency");
  assert.equal(stopped.body.measuring, false);
  assert.equal(
    (await h.call("PUT", "/latency", { source: "tone_a", sink: "audio_out" }, {
      token: "wrong-token-0123456789abcdef",
    })).body.error.code,
    "invalid_token",
  );
});

Deno.test("PUT /latency refuses what it cannot measure, with typed errors", async () => {
  await using h = await Harness.start({ start: false });
  const cases: [unknown, number, string, string][] = [
    [{ source: "tone_a" }, 400, "missing_field", "sink"],
    [{ source: 3, sink: "audio_out" }, 400, "invalid_field", "source"],
    [{ source: "tone_a", sink: "audio_out", extra: 1 }, 400, "unknown_field", "extra"],
    [{ source: "tone_z", sink: "audio_out" }, 422, "node_not_found", "source"],
    [{ source: "audio_out", sink: "mixer" }, 400, "invalid_field", "source"],
    [{ source: "tone_a", sink: "tone_b" }, 400, "invalid_field", "sink"],
    [{ source: "pattern", sink: "audio_out" }, 400, "invalid_field", "sink"],
  ];
  for (const [body, status, code, field] of cases) {
    const reply = await h.call("PUT", "/latency", body);
    assert.equal(reply.status, status, JSON.stringify(body));
    assert.equal(reply.body.error.code, code, JSON.stringify(body));
    assert.equal(reply.body.error.field, field, JSON.stringify(body));
  }
  const path = await h.call("PUT", "/latency", { source: "pattern", sink: "audio_out" });
  assert.deepEqual(path.body.error.choices, ["scale", "video_out"]);
  assert.deepEqual((await h.call("GET", "/latency")).body.samples, []);
});
