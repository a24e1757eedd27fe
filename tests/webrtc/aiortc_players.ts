/**
 * WHEP players made with aiortc (an independent WebRTC stack, from PyPI), driven from a test:
 * `tests/fixtures/webrtc/aiortc_whep_players.py` in a child process, one command a line.
 *
 * @module
 */

import assert from "node:assert/strict";

/** A reply of the players' process. */
export type Reply = {
  /** `add`: the POST's status. */
  status: number;
  /** `add`: the answer or the error body. */
  body: string;
  /** `add`: the players answered so far. */
  players: number;
  /** `count`: the frames each player decoded. */
  frames: number[];
  /** `count`: each player's connection state. */
  states: string[];
};

const PLAYERS = new URL("../fixtures/webrtc/aiortc_whep_players.py", import.meta.url).pathname;

/**
 * Starts the players' process for the WHEP endpoint `url`: `command("add")` offers one more
 * player, `command("count")` reports frames and states; `close()` ends every player, `kill()`
 * makes them vanish.
 *
 * @param url The WHEP endpoint.
 * @param token The bearer token.
 * @returns The command function and close.
 */
export function aiortcPlayers(url: string, token: string) {
  const child = new Deno.Command("python3", {
    args: [PLAYERS, url, token],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const command = async (line: string): Promise<Reply> => {
    await writer.write(new TextEncoder().encode(`${line}\n`));
    while (!buffer.includes("\n")) {
      const { done, value } = await lines.read();
      assert.ok(
        !done,
        `the aiortc players exited (is aiortc installed? scripts/install_test_deps.sh)`,
      );
      buffer += value;
    }
    const end = buffer.indexOf("\n");
    const reply = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    return reply;
  };
  const close = async () => {
    await writer.write(new TextEncoder().encode("quit\n")).catch(() => {});
    await writer.close().catch(() => {});
    await lines.cancel().catch(() => {});
    await child.status;
  };
  /** SIGKILLs the players' process: its players vanish without a word (no DTLS close, no DELETE). */
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await lines.cancel().catch(() => {});
    await child.status;
  };
  return { command, close, kill };
}
