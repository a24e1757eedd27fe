/**
 * Helpers of the network tests: free loopback ports, external peers (ffmpeg, GStreamer) run as
 * child processes that are always killed, and ffprobe reports.
 *
 * @module
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";

/**
 * A loopback port nobody is using now, for UDP (SRT) or TCP (RTMP).
 *
 * @param transport Which protocol the port is for.
 * @returns The port.
 */
export async function freePort(transport: "udp" | "tcp"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      if (transport === "udp") {
        const socket = dgram.createSocket("udp4");
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(port, "127.0.0.1", () => resolve());
        }).finally(() => socket.close());
      } else {
        Deno.listen({ hostname: "127.0.0.1", port }).close();
      }
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("No free loopback port found in 50 tries");
}

/** A running external peer. */
export interface Peer {
  /** Waits for it to exit by itself, at most `ms`; fails loudly past that (and kills it). */
  exited(ms: number): Promise<Deno.CommandStatus>;
  /** Kills it (SIGKILL unless said otherwise) and waits for it. Idempotent. */
  kill(signal?: Deno.Signal): Promise<void>;
  /** What it wrote to stderr so far (after it exited). */
  stderr(): string;
}

/**
 * Starts an external program (which must be installed: a missing one fails the test loudly).
 *
 * @param command The program.
 * @param args Its arguments.
 * @returns The peer.
 */
export function startPeer(command: string, args: string[]): Peer {
  const child = new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).spawn();
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    for await (const chunk of child.stderr) chunks.push(chunk);
  })();
  let done = false;
  const status = child.status.then(async (s) => {
    done = true;
    await reading;
    return s;
  });
  const kill = async (signal: Deno.Signal = "SIGKILL") => {
    if (!done) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
    await status;
  };
  return {
    async exited(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${command} did not exit within ${ms} ms`)), ms);
      });
      try {
        return await Promise.race([status, timeout]);
      } catch (error) {
        await kill();
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
    stderr: () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
  };
}

/** What ffprobe says of a file's first video stream. */
export interface VideoProbe {
  /** Codec name, e.g. `h264`. */
  codec: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Frames decoded (`-count_frames`). */
  frames: number;
  /** Container duration in seconds. */
  duration: number;
}

/**
 * Probes a file's first video stream, decoding it to count frames.
 *
 * @param path The file.
 * @returns Codec, size, frame count and duration.
 */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-count_frames",
      "-show_entries",
      "stream=codec_name,width,height,nb_read_frames:format=duration",
      "-of",
      "json",
      path,
    ],
  }).output();
  assert.ok(out.success, `ffprobe ${path}: ${new TextDecoder().decode(out.stderr)}`);
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const stream = json.streams?.[0];
  assert.ok(stream, `ffprobe found no video stream in ${path}`);
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    frames: Number(stream.nb_read_frames),
    duration: Number(json.format?.duration),
  };
}

/**
 * Waits until `check` holds, polling every 50 ms; fails loudly after `ms`.
 *
 * @param what What is awaited, for the failure message.
 * @param ms The bound.
 * @param check The condition.
 */
export async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Sleeps.
 *
 * @param ms Milliseconds.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
