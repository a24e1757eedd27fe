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
  assert.equal(put.body.sourcePort, "tone_a.audio");
  assert.equal(h.rt.describe().nodes.length, 8, "nothing added to the graph");
  await new Promise((r) => setTimeout(r, 1500));
  const { body } = await h.call("GET", "/latency");
  assert.ok(body.samples.length >= 4, `${body.samples.length} samples`);
  assert.ok(body.atSource.length >= 4, `${body.atSource.length} samples at the source`);
  const ms = (list: { latencyNs: number }[]) => list.map((s) => s.latencyNs / 1e6);
  const ages = ms(body.samples);
  const atSource = ms(body.atSource);
  // Frames reach the sink after their timestamps, and not seconds later.
  assert.ok(ages.every((a) => a > -50 && a < 1000), ages.join(", "));
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  // The graph adds to the age the source already has (this graph pushes synchronously: little).
  assert.ok(median(ages) >= median(atSource) - 5, `${median(ages)} vs ${median(atSource)}`);
  console.log(
    `tone_a -> audio_out: at sink ${ages.map((a) => a.toFixed(1)).join(" ")} ms; at source ${
      atSource.map((a) => a.toFixed(1)).join(" ")
    } ms`,
  );

  const video = await h.call("PUT", "/latency", { source: "pattern", sink: "video_out" });
  assert.equal(video.body.port, "scale.out");
  assert.equal(video.body.sourcePort, "pattern.video");
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
