/**
 * Headless Debian Chromium for the WebRTC tests (playwright-core, never a downloaded browser),
 * with loopback ICE candidates allowed and autoplay on; fails loudly when Chromium is missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's Chromium is. */
export const CHROMIUM = "/usr/bin/chromium";

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
  return await chromium.launchPersistentContext(userData, {
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
