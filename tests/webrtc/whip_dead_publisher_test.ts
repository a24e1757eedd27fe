/**
 * WhipSource's publishers as peer events: an aiortc publisher that connects is `connected`; one
 * SIGKILLed (no DTLS close, no `DELETE`) is `disconnected` once its silence passes its own cadence
 * (a publisher sends media many times a second: 3 s once it has been live 6 s), not when ICE
 * times out; the next publisher
 * is `reconnected`, and its `DELETE` a `disconnected` at once. Asserted on `rt.on()` events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, NullSink, WhipSource } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { within } from "./chromium.ts";
import { aiortcPublisher } from "./aiortc_publisher.ts";

type PeerEvent = { peer: string; with: string; detail?: string; at: number };

Deno.test({
  name: "WhipSource reports an aiortc publisher's connection, vanishing and DELETE as events",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const whip = rt.add(WhipSource, {}, { id: "ingest" });
    const sink = rt.add(NullSink, {});
    rt.connect(whip.outputs.video, sink.inputs.in);
    const events: PeerEvent[] = [];
    rt.on((event) => {
      if (event.type !== "node-log" || event.node !== "ingest") return;
      const data = event.data as { peer?: string; with?: string; detail?: string } | undefined;
      if (data?.peer) {
        events.push({
          peer: data.peer,
          with: data.with!,
          detail: data.detail,
          at: performance.now(),
        });
      }
    });
    const until = (what: string, ms: number, ok: () => boolean) =>
      within(
        (async () => {
          while (!ok()) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        ms,
        what,
      );
    await rt.start();
    const dashboard = await createDashboard(rt);
    const url = `${dashboard.origin}/api/v1/whip/ingest`;
    const first = aiortcPublisher(url, dashboard.token);
    const second = aiortcPublisher.bind(null, url, dashboard.token);
    let next: ReturnType<typeof aiortcPublisher> | undefined;
    try {
      await within(first.connected, 20_000, "the first publisher's connection");
      await until("connected", 5_000, () => events.length >= 1);
      assert.equal(events[0].peer, "connected");
      assert.match(events[0].with, /^publisher \d+ at \d+\.\d+\.\d+\.\d+:\d+$/);
      // Live past 6 s, so its cadence is known (a younger peer waits for the 7 s bound).
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      await first.kill();
      const killedAt = performance.now();
      await until("disconnected", 10_000, () => events.length >= 2);
      const gone = events[1];
      const noticedMs = gone.at - killedAt;
      console.log(
        `the vanished publisher's disconnected event came ${
          noticedMs.toFixed(0)
        } ms after the kill (${gone.detail})`,
      );
      assert.equal(gone.peer, "disconnected");
      assert.equal(gone.with, events[0].with);
      assert.match(gone.detail ?? "", /^silent for \d\.\d s, past its own cadence$/);
      assert.ok(noticedMs < 4_000, `noticed after ${noticedMs.toFixed(0)} ms`);

      next = second();
      await within(next.connected, 20_000, "the second publisher's connection");
      await until("reconnected", 5_000, () => events.length >= 3);
      assert.equal(events[2].peer, "reconnected");
      assert.notEqual(events[2].with, events[0].with);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const closedAt = performance.now();
      await next.close();
      await until("disconnected by DELETE", 5_000, () => events.length >= 4);
      assert.equal(events[3].peer, "disconnected");
      assert.equal(events[3].detail, "its session was closed (DELETE)");
      console.log(
        `the DELETE's disconnected event came ${
          (events[3].at - closedAt).toFixed(0)
        } ms after the close began`,
      );
      assert.deepEqual(events.map((e) => e.peer), [
        "connected",
        "disconnected",
        "reconnected",
        "disconnected",
      ]);
    } finally {
      await first.kill();
      await next?.kill();
      await dashboard.close();
      await rt.stop();
    }
  },
});
