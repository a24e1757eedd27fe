/**
 * WhipSource takes a new publish after the last publisher left, without restarting the node:
 * Chromium A publishes its fake camera and microphone and ends with a `DELETE`; Chromium B
 * publishes right after and is then SIGKILLed (no `DELETE`, no DTLS close: it goes silent);
 * Chromium C publishes 3.5 s later, retrying a refused offer as a WHIP client does, and is taken
 * in B's place long before ICE would time out: B's silence has ended its session by then (3 s to
 * 7 s), or C's offer replaces it (`publishersReplaced`). All three go through the same node into one MP4, whose timeline keeps
 * going (each new publisher starts at the time it arrived); ffprobe checks it.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { createRuntime, Mp4Writer, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { killChromium, launchChromium, offerUntilTaken, within } from "./chromium.ts";
import { startWhip } from "./whip_page.ts";

type Stats = {
  publishers: number;
  publishes: number;
  publishersReplaced: number;
  videoFrames: number;
  audioFrames: number;
  framesDropped: number;
};

const FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  await within(
    (async () => {
      while (!ok()) await new Promise((resolve) => setTimeout(resolve, 50));
    })(),
    ms,
    what,
  );
}

Deno.test({
  name: "WhipSource takes a new publisher after a DELETE and after a publisher vanished",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_whip_again_" });
    const path = `${dir}/ingest.mp4`;
    const rt = createRuntime({ workers: false });
    const whip = rt.add(WhipSource, {}, { id: "ingest" });
    const writer = rt.add(Mp4Writer, { path }, { id: "rec" });
    rt.connect(whip.outputs.video, writer.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const stats = () => rt.stats().nodes.ingest.processor as unknown as Stats;
    const contexts: BrowserContext[] = [];
    let recorded = 0;
    /** Publishes from a new Chromium; a refused offer is made again until `retryUntil`. */
    const publish = async (
      retryUntil = 0,
    ): Promise<{ page: Page; location: string; offers: number }> => {
      const context = await launchChromium(FAKE_MEDIA);
      contexts.push(context);
      const url = `${dashboard.origin}/api/v1/whip/ingest`;
      return await offerUntilTaken(
        context,
        dashboard.origin,
        (page) => page.evaluate(startWhip, { url, token: dashboard.token }),
        retryUntil,
      );
    };
    const framesFlow = async (what: string) => {
      const before = stats().videoFrames;
      await until(`${what}: video frames`, 15_000, () => stats().videoFrames > before + 60);
    };
    try {
      const a = await publish();
      await framesFlow("A");
      assert.equal(stats().publishes, 1);
      const status = await a.page.evaluate(async (args) => {
        const r = await fetch(args.url, {
          method: "DELETE",
          headers: { authorization: `Bearer ${args.token}` },
        });
        return r.status;
      }, { url: `${dashboard.origin}${a.location}`, token: dashboard.token });
      assert.equal(status, 200);
      await until("A's session to end", 5_000, () => stats().publishers === 0);

      await publish(); // B, right after A left
      await framesFlow("B");
      assert.equal(stats().publishes, 2);
      killChromium(contexts[1]);
      const killedAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 3_500));

      // C takes the place of silent B: B's silence proves it gone 3 s after the kill once B had
      // been connected for 6 s, at 7 s otherwise (a consent check overdue), so C's first offer
      // may be refused (503) and C retries until 9 s, long before ICE alone (~14 s) would end B.
      // publish() fails on a 503 past 9 s: C is taken on its first offer or by then.
      const c = await publish(killedAt + 9_000);
      const back = performance.now() - killedAt; // answered (201), Chromium's start included
      await framesFlow("C");
      const s = stats();
      assert.equal(s.publishes, 3, JSON.stringify(s));
      assert.ok(s.publishersReplaced <= 1, JSON.stringify(s));
      assert.equal(s.publishers, 1, JSON.stringify(s));
      recorded = s.videoFrames;
      console.log(
        `C answered ${(back / 1000).toFixed(1)} s after B was killed (${c.offers} offers); ` +
          `${s.videoFrames} video ` +
          `frames from 3 publishers, ${s.framesDropped} dropped`,
      );
    } finally {
      for (const context of contexts) await context.close().catch(() => {});
      await dashboard.close();
      await rt.stop(); // finalizes the MP4
    }
    try {
      const out = await new Deno.Command("ffprobe", {
        args: [
          "-v",
          "error",
          "-count_frames",
          "-select_streams",
          "v:0",
          "-show_entries",
          "stream=codec_name,nb_read_frames:format=duration",
          "-of",
          "json",
          path,
        ],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, `ffprobe failed: ${err}`);
      const probe = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(probe.streams[0].codec_name, "h264");
      const frames = Number(probe.streams[0].nb_read_frames);
      const duration = Number(probe.format.duration);
      assert.ok(frames >= recorded && recorded > 180, `decoded ${frames} of ${recorded} frames`);
      assert.ok(duration > 6, `one timeline over the three publishers: ${duration} s`);
      console.log(`MP4: ${frames} frames decoded, ${duration} s${err ? `; ffprobe: ${err}` : ""}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
