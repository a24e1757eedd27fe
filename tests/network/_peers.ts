/**
 * Helpers of the network tests: free loopback ports, external peers (ffmpeg, GStreamer) run as
 * child processes that are always killed, and ffprobe reports.
 *
 * @module
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";

/**
 * A loopback port nobody is using now, for UDP (SRT) or TCP (RTMP). The probe socket is closed
 * before this returns: `node:dgram`'s `close()` lets go of the port only later (its callback), and
 * a peer started at once would then fail to bind it.
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
        }).finally(() => new Promise<void>((resolve) => socket.close(() => resolve())));
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

/** Peers that exited by themselves (not killed): when, and what they said. */
const exits: { at: number; text: string }[] = [];

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
  let killed = false;
  const status = child.status.then(async (s) => {
    done = true;
    await reading;
    if (!killed) {
      const said = decode(chunks).trim().split("\n").slice(-5).join(" | ");
      exits.push({ at: Date.now(), text: `${command} exited with ${s.code}: ${said}` });
    }
    return s;
  });
  const kill = async (signal: Deno.Signal = "SIGKILL") => {
    killed = true;
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
    stderr: () => decode(chunks),
  };
}

function decode(chunks: Uint8Array[]): string {
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

/**
 * ffmpeg's RTMP server (`-listen 1`) on `port` (app `live`, key `key`), recording every stream
 * published to `path` as it came (`-map 0 -c copy`); it exits when the publish ends.
 *
 * @param port The loopback TCP port it listens on.
 * @param path The file it records to (FLV).
 * @returns The peer.
 */
export function ffmpegRtmpServer(port: number, path: string): Peer {
  return startPeer("ffmpeg", [
    ..."-hide_banner -loglevel error -y -listen 1 -i".split(" "),
    `rtmp://127.0.0.1:${port}/live/key`,
    ..."-map 0 -c copy".split(" "),
    path,
  ]);
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
 * Waits until `check` holds, polling every 50 ms; fails loudly after `ms`, naming each peer that
 * exited by itself in the last 30 s with the last lines it wrote (a peer that could not bind its
 * port, say).
 *
 * @param what What is awaited, for the failure message.
 * @param ms The bound.
 * @param check The condition.
 */
export async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const start = Date.now();
  const end = start + ms;
  while (!check()) {
    if (Date.now() > end) {
      const gone = exits.filter((e) => e.at >= start - 30_000).map((e) => e.text);
      const also = gone.length ? `; meanwhile ${gone.join("; ")}` : "";
      throw new Error(`Timed out after ${ms} ms waiting for ${what}${also}`);
    }
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
