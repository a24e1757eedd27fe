/**
 * WhipSource's audio into a connection that is full: a real WHIP publisher (Chromium, its fake
 * camera and microphone, through the dashboard's `/api/v1/whip/:id`) sends to a `WhipSource`
 * whose `audio` goes to an application output read slowly (one block every 100 ms, a fifo of 1). WhipSource writes every audio block it decoded in a run, and the blocks the full
 * connection refused are counted in the node's stats (`framesRefusedByOutput.audio`), as many as
 * the connection's own `fullRejections`: no audio is lost without a count.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, NullSink, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { startWhip } from "./whip_page.ts";

const FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

Deno.test({
  name: "WhipSource counts the audio blocks a full connection refused in its node stats",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const server = createRuntime({ workers: false });
    const whip = server.add(WhipSource, {}, { id: "ingest" });
    server.connect(whip.outputs.video, server.add(NullSink).inputs.in);
    const audio = server.addOutput("audio", "ingest.audio", { capacity: 1, policy: "fifo" });
    await server.start();
    const dashboard = await createDashboard(server);
    let read = 0;
    const reader = (async () => {
      for await (const _ of audio) {
        read++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const node = () => server.stats().nodes.ingest;
    const context = await launchChromium(FAKE_MEDIA);
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.origin}/api/v1`);
      const started = await within(
        page.evaluate(startWhip, {
          url: `${dashboard.origin}/api/v1/whip/ingest`,
          token: dashboard.token,
        }),
        15_000,
        "the WHIP offer/answer",
      );
      assert.equal(started.status, 201, started.body);
      await within(
        (async () => {
          while ((node().framesRefusedByOutput.audio ?? 0) < 5) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        30_000,
        `refused audio to be counted (${JSON.stringify(node().processor)})`,
      );
      const stats = server.stats();
      const ingest = stats.nodes.ingest;
      const into = server.describe().connections.find((c) => c.from === "ingest.audio")!;
      const connection = stats.connections[into.id];
      assert.equal(
        ingest.framesRefusedByOutput.audio,
        connection.fullRejections,
        "every block the connection refused is counted by the node",
      );
      assert.equal(ingest.framesRefused, ingest.framesRefusedByOutput.audio);
      assert.equal(ingest.framesRefusedByOutput.video, 0);
      console.log(
        `${ingest.framesRefusedByOutput.audio} audio blocks refused and counted, ${read} read`,
      );
    } finally {
      await context.close();
      await dashboard.close();
      await server.stop();
      await reader;
    }
  },
});
