/**
 * A browser page that talks to its own pipeline over WebRTC: `streamlib serve`'s server with this
 * folder's `pipelines/` (`voice-fx`: a Gain of 2; `mute`: a Gain of 0), and `index.html` served on
 * a port of its own, allowed as a CORS origin. Open the printed URL in a browser: the page sends
 * the microphone to `voice-fx` and plays what comes back, measuring its level.
 *
 * ```sh
 * deno run -A examples/webrtc_session/main.ts
 * ```
 *
 * `tests/sessions/webrtc_example_test.ts` opens the page in headless Chromium with a fake
 * microphone and checks its verdict for both pipelines.
 *
 * @module
 */

import { loadCatalog, serveSessions, type SessionServer } from "../../serve/mod.ts";

/** The running example. */
export interface WebRtcExample {
  /** The sessions server. */
  readonly server: SessionServer;
  /**
   * The page's URL for a pipeline.
   *
   * @param pipeline `voice-fx` or `mute`.
   * @param expect What the page should hear back: `sound` or `silence`.
   * @returns The URL.
   */
  pageUrl(pipeline: string, expect?: "sound" | "silence"): string;
  /** Stops the page's server and the sessions server. */
  close(): Promise<void>;
}

/**
 * Starts the sessions server and the page's server on free loopback ports.
 *
 * @returns The example.
 */
export async function startWebRtcExample(): Promise<WebRtcExample> {
  const html = await Deno.readTextFile(new URL("./index.html", import.meta.url));
  const page = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  const pageOrigin = `http://127.0.0.1:${page.addr.port}`;
  const catalog = await loadCatalog(new URL("./pipelines/", import.meta.url).pathname);
  const server = await serveSessions({
    catalog,
    port: 0,
    webrtc: { allowedOrigins: [pageOrigin] },
  });
  return {
    server,
    pageUrl(pipeline, expect = "sound") {
      const query = new URLSearchParams({ api: server.webrtcUrl!, pipeline, expect });
      return `${pageOrigin}/?${query}`;
    },
    async close() {
      await server.close();
      await page.shutdown();
    },
  };
}

if (import.meta.main) {
  const example = await startWebRtcExample();
  console.log(`Open ${example.pageUrl("voice-fx")} (Ctrl-C to stop)`);
}
