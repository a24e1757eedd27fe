/**
 * The sessions page of `streamlib serve` in Chromium: it lists a live WebSocket session, opens
 * its graph (the dashboard's graph view, with the manifest's nodes running), and ends it, and the
 * session's client gets `session_ended_by_operator`. A read-only operator token lists and shows,
 * but its End is refused with `operation_not_allowed`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions, TokenPolicy } from "../../serve/mod.ts";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import { createSessionsPage } from "../../web/mod.ts";
import { Browser } from "./browser_workspace_fixture.ts";
import { twoGains } from "../sessions/pipelines.ts";

const ADMIN = "admin-token-0123456789";
const READ = "reader-token-0123456789";

const voiceFx = twoGains();

const block = {
  kind: "audio",
  channels: 2,
  sampleRate: 16_000,
  samples: new Float32Array(320).fill(0.25),
} as const;

Deno.test({
  name: "The sessions page lists a session, opens its graph and ends it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const server = await serveSessions({
      catalog: new Map([["voice-fx", voiceFx]]),
      port: 0,
      tokens: new TokenPolicy({ tokens: {}, operators: { [ADMIN]: "admin", [READ]: "read" } }),
      dashboard: createSessionsPage,
    });
    await using browser = await Browser.launch({ width: 1280, height: 900 });
    const session = await connect(server.sessionsUrl).open("voice-fx");
    const outputs = (async () => {
      for await (const _ of session.outputs()) { /* until it ends */ }
    })();
    outputs.catch(() => {});
    try {
      for (let i = 0; i < 5; i++) await session.send("audio", block);
      const row = `[data-session="${session.id}"]`;

      await t.step(
        "a read token lists the session and shows its graph, but cannot end it",
        async () => {
          const page = await browser.context.newPage();
          page.on("pageerror", (e) => browser.pageErrors.push(e.message));
          await page.goto(`${server.url}/dashboard?token=${READ}`);
          await page.locator(row).waitFor({ timeout: 15_000 });
          assert.equal(new URL(page.url()).search, "", "the token left the address bar");
          await page.click(`${row} [data-action="open"]`);
          await page.locator('svg.graph[data-nodes="4"]').waitFor({ timeout: 15_000 });
          await page.click(`${row} [data-action="end"]`);
          await page.locator(".session-notice.notice-error").waitFor({ timeout: 10_000 });
          assert.match(
            await page.locator(".session-notice").textContent() ?? "",
            /operation_not_allowed/,
          );
          assert.equal((await server.runner.list()).length, 1, "the session goes on");
          await page.close();
        },
      );

      await t.step("an admin token: list, graph, end", async () => {
        const page = await browser.context.newPage();
        page.on("pageerror", (e) => browser.pageErrors.push(e.message));
        assert.equal(server.dashboardUrl, `${server.url}/dashboard`, "no admin token is made");
        await page.goto(`${server.dashboardUrl}?token=${ADMIN}`);
        await page.locator(row).waitFor({ timeout: 15_000 });
        const cells = await page.locator(`${row} td`).allTextContents();
        assert.equal(cells[0], session.id);
        assert.equal(cells[1], "voice-fx");
        assert.equal(cells[2], "running");
        assert.equal(cells[4], "5", "frames in");
        assert.match(cells[6], /^\d+\.\d MiB$/, "heap");

        // Its graph: the manifest's nodes and the application ports, running.
        await page.click(`${row} [data-action="open"]`);
        await page.locator('svg.graph[data-nodes="4"][data-connections="3"]').waitFor({
          timeout: 15_000,
        });
        for (const id of ["pre", "post", "app_in_audio", "app_out_audio"]) {
          await page.locator(`[data-node="${id}"][data-state="running"]`).waitFor({
            timeout: 10_000,
          });
        }
        assert.equal(await page.locator(`.open-session[data-open="${session.id}"]`).count(), 1);
        // The graph is live: a frame sent now shows in the counters within a few polls.
        await session.send("audio", block);
        await page.locator(`${row} td:nth-child(5)`).filter({ hasText: /^6$/ }).waitFor({
          timeout: 10_000,
        });

        // End it: the row goes, the graph closes, the client gets the code.
        await page.click(`${row} [data-action="end"]`);
        await page.locator(".session-notice.notice-info").waitFor({ timeout: 10_000 });
        assert.match(
          await page.locator(".session-notice").textContent() ?? "",
          new RegExp(`Session ${session.id} ended \\(session_ended_by_operator\\)`),
        );
        await page.locator(row).waitFor({ state: "detached", timeout: 10_000 });
        assert.equal(await page.locator("[data-open]").count(), 0, "the graph closed");
        await assert.rejects(
          outputs,
          (e) => e instanceof SessionClientError && e.code === "session_ended_by_operator",
        );
        assert.equal((await session.closed).code, "session_ended_by_operator");
        assert.deepEqual(await server.runner.list(), []);
        await page.close();
      });
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await session.close().catch(() => {});
      await server.close();
    }
  },
});
