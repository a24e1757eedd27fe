/**
 * A WHIP publisher made with aiortc (an independent WebRTC stack, from PyPI), driven from a test:
 * `tests/fixtures/webrtc/aiortc_whip_publisher.py` in a child process. Its media carries a known
 * audio/video relationship: each second of its capture clock, a white frame and a beep at once.
 *
 * @module
 */

import assert from "node:assert/strict";

const PUBLISHER = new URL("../fixtures/webrtc/aiortc_whip_publisher.py", import.meta.url).pathname;

/** A running publisher. */
export interface AiortcPublisher {
  /** The POST's status and answer (or error body), once answered. */
  readonly answered: Promise<{ status: number; body: string }>;
  /** Resolves when its ICE and DTLS completed. */
  readonly connected: Promise<void>;
  /** Ends the publish with a `DELETE` and a DTLS close, and waits for the process. */
  close(): Promise<void>;
  /** SIGKILLs the process: the publisher vanishes without a word. */
  kill(): Promise<void>;
}

/**
 * Starts a publisher for the WHIP endpoint `url`.
 *
 * @param url The WHIP endpoint.
 * @param token The bearer token.
 * @param firstVideoDelayMs How much later than its capture time the camera's first frame comes.
 * @returns The publisher.
 */
export function aiortcPublisher(
  url: string,
  token: string,
  firstVideoDelayMs = 0,
): AiortcPublisher {
  const child = new Deno.Command("python3", {
    args: [PUBLISHER, url, token, "--first-video-delay-ms", String(firstVideoDelayMs)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<Record<string, unknown>> => {
    while (!buffer.includes("\n")) {
      const { done, value } = await lines.read();
      assert.ok(
        !done,
        "the aiortc publisher exited (is aiortc installed? scripts/install_test_deps.sh)",
      );
      buffer += value;
    }
    const end = buffer.indexOf("\n");
    const line = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    return line;
  };
  const answered = next().then((r) => ({ status: r.status as number, body: r.body as string }));
  const connected = answered.then(async ({ status }) => {
    assert.equal(status, 201);
    await next();
  });
  answered.catch(() => {});
  connected.catch(() => {});
  return {
    answered,
    connected,
    async close() {
      await writer.write(new TextEncoder().encode("quit\n")).catch(() => {});
      await writer.close().catch(() => {});
      await child.status;
      await lines.cancel().catch(() => {});
    },
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await lines.cancel().catch(() => {});
      await writer.close().catch(() => {});
      await child.status;
    },
  };
}
