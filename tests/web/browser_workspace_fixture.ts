/**
 * Shared pieces of the dashboard's browser tests: a Chromium launcher over Debian's
 * `/usr/bin/chromium` (never downloaded), and a 12-node graph (the demo plus four nodes).
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { addDemoPipeline } from "../../examples/demo_pipeline.ts";
import type { Runtime } from "../../mod.ts";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Where test screenshots go. */
export const ARTIFACTS = fileURLToPath(new URL("../../.cache/artifacts/", import.meta.url));
/** The screenshot in the docs (written with `STREAMLIB_UPDATE_SCREENSHOT=1`). */
export const DOCS_SHOT = fileURLToPath(new URL("../../docs/dashboard.png", import.meta.url));

/** The ids of the four nodes {@linkcode addTwelveNodes} adds to the demo. */
export const EXTRA_NODES = ["monitor", "tone_c", "trim", "trim_out"] as const;

/**
 * The demo pipeline plus a monitor on the mixer and a third tone through a gain into a sink:
 * twelve nodes.
 *
 * @param rt A runtime with the built-in processors.
 */
export function addTwelveNodes(rt: Runtime): void {
  addDemoPipeline(rt);
  rt.add("NullSink", {}, { id: "monitor" });
  rt.connectByName("mixer", "out", "monitor", "in");
  rt.add("TestToneGenerator", { frequency: 440, amplitude: 0.1 }, { id: "tone_c" });
  rt.add("Gain", { gain: 0.5 }, { id: "trim" });
  rt.add("NullSink", {}, { id: "trim_out" });
  rt.connectByName("tone_c", "audio", "trim", "in");
  rt.connectByName("trim", "out", "trim_out", "in");
}

/** A headless Chromium with its own profile; close it with `await using`. */
export class Browser implements AsyncDisposable {
  /** The browser context. */
  readonly context: BrowserContext;
  /** Uncaught errors of every page. */
  readonly pageErrors: string[] = [];
  readonly #dir: string;

  private constructor(context: BrowserContext, dir: string) {
    this.context = context;
    this.#dir = dir;
  }

  /**
   * Launches Chromium (fails, saying how to install it, when it is missing).
   *
   * @param viewport The window size.
   * @returns The browser.
   */
  static async launch(viewport = { width: 1440, height: 900 }): Promise<Browser> {
    let present = false;
    try {
      present = Deno.statSync(CHROMIUM).isFile;
    } catch {
      present = false;
    }
    assert.ok(
      present,
      `Chromium is missing at ${CHROMIUM}: run scripts/install_test_deps.sh (apt-get install chromium)`,
    );
    const dir = await Deno.makeTempDir({ prefix: "streamlib_chromium_" });
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      viewport,
    });
    return new Browser(context, dir);
  }

  /**
   * Opens a page at a URL and waits until its stream is live (or the page says read-only).
   *
   * @param url The dashboard URL.
   * @param link The link state to wait for.
   * @returns The page.
   */
  async open(url: string, link = "live"): Promise<Page> {
    const page = await this.context.newPage();
    page.on("pageerror", (e) => this.pageErrors.push(e.message));
    await page.goto(url);
    await page.locator(`[data-link="${link}"]`).waitFor({ timeout: 15_000 });
    return page;
  }

  /** Closes the browser and removes its profile. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.context.close();
    await Deno.remove(this.#dir, { recursive: true });
  }
}

/**
 * The smallest rendered font size of the graph's text, in screen pixels: each text's computed
 * font size times the drawing's current scale (its on-screen width over its own width).
 *
 * @param page The page.
 * @param selector Which texts.
 * @returns The smallest size and the scale.
 */
export function renderedFontPx(
  page: Page,
  selector = "svg.graph [data-node] text, svg.graph [data-node] tspan, svg.graph .edge-label text",
): Promise<{ min: number; scale: number; count: number }> {
  return page.evaluate((sel) => {
    const svg = document.querySelector("svg.graph") as SVGSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    const sizes = [...document.querySelectorAll(sel)].map((el) =>
      parseFloat(getComputedStyle(el).fontSize) * scale
    );
    return { min: Math.min(...sizes), scale, count: sizes.length };
  }, selector);
}

/**
 * The centre of the first element a selector matches.
 *
 * @param page The page.
 * @param selector The selector.
 * @returns The point, in page pixels.
 */
export async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is on the page`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}
