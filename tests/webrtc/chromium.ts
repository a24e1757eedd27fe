/**
 * Headless Debian Chromium for the WebRTC tests (playwright-core, never a downloaded browser),
 * with loopback ICE candidates allowed and autoplay on; fails loudly when Chromium is missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { sampleBox } from "./whep_page.ts";

/** Where Debian's Chromium is. */
export const CHROMIUM = "/usr/bin/chromium";

/** What a page's WHEP or WHIP offer gave: the POST's status, its body and `Location`. */
export interface OfferAnswer {
  /** The HTTP status of the POST. */
  status: number;
  /** The answer, or the error body. */
  body: string;
  /** The `Location` of the session. */
  location: string | null;
}

/**
 * Makes an offer from a new page of `context` (at `origin`'s `/api/v1`, so `fetch` is same-origin)
 * with `offer`, which runs in the page. An offer refused because the endpoint is full (503
 * `webrtc_too_many_peers`) is made again from a new page every 500 ms until `retryUntil` (a
 * `performance.now()` time), as a WHEP or WHIP client does on a 503 with `Retry-After`; then it
 * must have been taken (201).
 *
 * @param context The browser.
 * @param origin The dashboard's origin.
 * @param offer Makes the offer in the page and returns its answer (`startWhep`, `startWhip`).
 * @param retryUntil Until when a refused offer is made again (0: never).
 * @returns The page playing, its session's path and how many offers were made.
 */
export async function offerUntilTaken(
  context: BrowserContext,
  origin: string,
  offer: (page: Page) => Promise<OfferAnswer>,
  retryUntil = 0,
): Promise<{ page: Page; location: string; offers: number }> {
  for (let offers = 1;; offers++) {
    const page = await context.newPage();
    await page.goto(`${origin}/api/v1`);
    const answer = await within(offer(page), 15_000, "the offer/answer");
    const full = answer.status === 503 && answer.body.includes("webrtc_too_many_peers");
    if (full && performance.now() < retryUntil) {
      await page.close();
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    assert.equal(answer.status, 201, answer.body);
    return { page, location: answer.location!, offers };
  }
}

/**
 * Launches Chromium; close the context when done.
 *
 * @param extraArgs More command-line switches (fake camera and microphone for WHIP).
 * @returns The browser context.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<BrowserContext> {
  let present = false;
  try {
    present = Deno.statSync(CHROMIUM).isFile;
  } catch { /* absent */ }
  assert.ok(
    present,
    `Chromium is missing at ${CHROMIUM}: run scripts/install_test_deps.sh (apt-get install chromium)`,
  );
  const userData = await Deno.makeTempDir({ prefix: "streamlib_webrtc_" });
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      // Chromium leaves loopback out of its ICE candidates unless told; the tests stay on it.
      "--allow-loopback-in-peer-connection",
      "--autoplay-policy=no-user-gesture-required",
      ...extraArgs,
    ],
  });
  userDataDirs.set(context, userData);
  context.on("close", () => removeProfile(userData));
  return context;
}

/**
 * Removes a closed context's profile (a few MB per launch), so test runs leave nothing in the
 * temp directory. Its processes may still be writing their last files when the context reports
 * closed, so this waits (at most 5 s) until none of them runs. Sync, so no operation outlives the
 * test that closed the context.
 */
function removeProfile(dir: string): void {
  const deadline = performance.now() + 5_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (chromiumPids(dir).length > 0 && performance.now() < deadline) {
    Atomics.wait(pause, 0, 0, 20);
  }
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone, or a process outlived the wait: the OS cleans the temp directory */ }
}

/** The pids of the Chromium processes of the profile in `dir`. */
function chromiumPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let cmdline = "";
    try {
      cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
    } catch { /* gone */ }
    if (cmdline.includes(`--user-data-dir=${dir}`)) pids.push(Number(entry.name));
  }
  return pids;
}

const userDataDirs = new WeakMap<BrowserContext, string>();

/**
 * Kills the Chromium of `context` with SIGKILL, as a crash or a pulled cable would end it: no
 * `DELETE`, no DTLS close, its peer connections just go silent. Only the processes whose command
 * line names this context's own user data directory are killed, by pid.
 *
 * @param context A context {@linkcode launchChromium} made.
 * @returns How many processes were killed (at least the browser's).
 */
export function killChromium(context: BrowserContext): number {
  const dir = userDataDirs.get(context);
  assert.ok(dir, "not a context launchChromium() made");
  let killed = 0;
  for (const pid of chromiumPids(dir)) {
    try {
      Deno.kill(pid, "SIGKILL");
      killed++;
    } catch { /* already gone */ }
  }
  assert.ok(killed > 0, `no Chromium process found for ${dir}`);
  return killed;
}

/**
 * Rejects after `ms` with a message naming what timed out, so no test hangs.
 *
 * @param promise What to wait for.
 * @param ms The bound.
 * @param what What it is, for the message.
 * @returns The promise's value.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until the `<video>` at `selector` plays `width`-wide pictures, then checks the test
 * pattern's box moves across 8 samples 150 ms apart (a live stream, not a still frame).
 *
 * @param page The page holding the video.
 * @param what What is playing, for the failure message.
 * @param selector The video element (default `#v`).
 * @param width The expected picture width (default 320).
 */
export async function boxMoves(
  page: Page,
  what: string,
  selector = "#v",
  width = 320,
): Promise<void> {
  await page.waitForFunction(
    ({ selector, width }) => {
      const v = document.querySelector(selector) as HTMLVideoElement | null;
      return v !== null && v.readyState >= 2 && v.videoWidth === width && !v.paused;
    },
    { selector, width },
    { timeout: 15_000 },
  );
  const boxes = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const { box } = await page.evaluate(sampleBox, selector);
    if (box) boxes.add(`${box.x},${box.y}`);
    await page.waitForTimeout(150);
  }
  assert.ok(boxes.size >= 3, `${what}: the box moves (${[...boxes].join(" ")})`);
}
