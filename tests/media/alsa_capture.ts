/**
 * An ALSA default device for tests: ALSA's `file` plugin (over the `null` device) writing raw
 * samples into a FIFO that a paced reader drains at the real-time rate into a file, so the device
 * plays as fast as a sound card would and the test reads back exactly what was played.
 *
 * ALSA's `null` device takes samples as fast as they come; the paced reader is what gives the
 * device its clock. The reader reopens the FIFO whenever a writer closes it (`cpal` opens the
 * device more than once while probing) and stops on SIGTERM.
 *
 * @module
 */

/** A device made by {@linkcode alsaFileDevice}. */
export interface AlsaFileDevice {
  /** The folder of the FIFO, the config and the captured file. */
  readonly dir: string;
  /** Stops the reader and returns the captured bytes as samples (f32, native endianness). */
  finish(): Promise<Float32Array>;
  /** Kills the reader at once: the device's writes fail from then on (it "went away"). */
  kill(): void;
}

const READER = `
import signal, sys, time
src, dst, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(dst, "wb", buffering=0) as out:
    start, total = None, 0
    while True:
        with open(src, "rb", buffering=0) as f:
            while True:
                b = f.read(4096)
                if not b:
                    break
                if start is None:
                    start = time.monotonic()
                out.write(b)
                total += len(b)
                ahead = total / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
`;

/**
 * Points ALSA's default device (for this process, through `ALSA_CONFIG_PATH`) at a paced FIFO.
 *
 * @param bytesPerSecond The real-time byte rate of what will be played (rate x channels x 4 for
 *   f32).
 * @param slave The PCM the file plugin forwards to (`null`).
 * @returns The device.
 */
export async function alsaFileDevice(
  bytesPerSecond: number,
  slave = "null",
): Promise<AlsaFileDevice> {
  const dir = await Deno.makeTempDir({ prefix: "speaker_" });
  const fifo = `${dir}/device.fifo`;
  const captured = `${dir}/captured.raw`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  if (!made.success) throw new Error(`mkfifo failed: ${new TextDecoder().decode(made.stderr)}`);
  await Deno.writeTextFile(
    `${dir}/asoundrc`,
    `pcm.!default { type file; slave.pcm "${slave}"; file "${fifo}"; format "raw" }\n`,
  );
  // ALSA reads its config again when the path list changes, so each device gets its own.
  Deno.env.set("ALSA_CONFIG_PATH", `/usr/share/alsa/alsa.conf:${dir}/asoundrc`);
  const reader = new Deno.Command("python3", {
    args: ["-c", READER, fifo, captured, String(bytesPerSecond)],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let killed = false;
  return {
    dir,
    kill() {
      killed = true;
      reader.kill("SIGKILL");
    },
    async finish() {
      if (!killed) reader.kill("SIGTERM");
      await reader.status;
      Deno.env.delete("ALSA_CONFIG_PATH");
      const bytes = await Deno.readFile(captured);
      await Deno.remove(dir, { recursive: true });
      return new Float32Array(bytes.buffer, 0, bytes.byteLength >> 2);
    },
  };
}

/**
 * The frames of `samples` that are not all zero (the silence a device plays before the first
 * samples arrive and in underruns), concatenated.
 *
 * @param samples Interleaved samples.
 * @param channels Channels per frame.
 * @returns The frames with sound.
 */
export function withoutSilence(samples: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(samples.length);
  let n = 0;
  for (let i = 0; i + channels <= samples.length; i += channels) {
    let silent = true;
    for (let c = 0; c < channels; c++) if (samples[i + c] !== 0) silent = false;
    if (silent) continue;
    out.set(samples.subarray(i, i + channels), n);
    n += channels;
  }
  return out.slice(0, n);
}
