/**
 * Runs GStreamer pipelines with `gst-launch-1.0` and reads GStreamer's own figures, for the
 * comparison columns of `bench/graph_bench.ts`:
 *
 * - {@linkcode gstExecutionSeconds}: the "Execution ended after" time gst-launch prints, from
 *   PLAYING to end of stream (so process start and plugin loading are not counted), after
 *   checking that the pipeline reached end of stream, which means every buffer of
 *   `num-buffers` went through;
 * - {@linkcode gstLatenciesNs}: per-buffer source-to-sink latencies from the `latency` tracer;
 * - {@linkcode gstPeakRssKb}: the peak resident set size of the whole `gst-launch-1.0` process,
 *   from `/usr/bin/time`.
 *
 * @module
 */

const GST_LAUNCH = "gst-launch-1.0";

/**
 * Whether `gst-launch-1.0` runs here.
 *
 * @returns Its version line, or `undefined` when it is missing.
 */
export async function gstVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(GST_LAUNCH, { args: ["--version"] }).output();
    return out.success ? new TextDecoder().decode(out.stdout).split("\n")[1]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `gst-launch-1.0` pipeline description split into arguments, as a shell would.
 *
 * @param pipeline The description (`"fakesrc num-buffers=10 ! fakesink"`).
 * @returns The arguments.
 */
function argsOf(pipeline: string): string[] {
  return pipeline.trim().split(/\s+/);
}

async function launch(
  args: string[],
  env: Record<string, string> = {},
  command = GST_LAUNCH,
): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  const result = { stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
  if (!out.success) {
    throw new Error(
      `'${command} ${args.join(" ")}' exited with ${out.code}: ${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

/**
 * Runs a pipeline to end of stream and returns GStreamer's own execution time.
 *
 * @param pipeline The pipeline description; its sources must end (`num-buffers`).
 * @returns Seconds from PLAYING to end of stream.
 * @throws {Error} When gst-launch fails or the pipeline did not reach end of stream.
 */
export async function gstExecutionSeconds(pipeline: string): Promise<number> {
  const { stdout } = await launch(argsOf(pipeline));
  if (!stdout.includes("Got EOS from element")) {
    throw new Error(`GStreamer did not reach end of stream: ${pipeline}\n${stdout}`);
  }
  const match = /Execution ended after (\d+):(\d+):(\d+\.\d+)/.exec(stdout);
  if (!match) throw new Error(`No execution time in gst-launch output:\n${stdout}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/**
 * Runs a live pipeline under the `latency` tracer and returns the time each buffer took from
 * the source's pad to the sink's pad.
 *
 * @param pipeline The pipeline description (a live source with `num-buffers`).
 * @returns The latencies in nanoseconds, in arrival order.
 * @throws {Error} When gst-launch fails or the tracer logged nothing.
 */
export async function gstLatenciesNs(pipeline: string): Promise<number[]> {
  const { stderr } = await launch(["-q", ...argsOf(pipeline)], {
    GST_TRACERS: "latency",
    GST_DEBUG: "GST_TRACER:7",
    GST_DEBUG_NO_COLOR: "1",
  });
  const latencies = [...stderr.matchAll(/latency, src-element-id=.*?time=\(guint64\)(\d+)/g)]
    .map((m) => Number(m[1]));
  if (latencies.length === 0) throw new Error(`The latency tracer logged nothing: ${pipeline}`);
  return latencies;
}

/**
 * Runs a command under `/usr/bin/time` and returns its peak resident set size.
 *
 * @param command The executable (`gst-launch-1.0`, or `Deno.execPath()`).
 * @param args Its arguments.
 * @returns Peak RSS in kilobytes (the kernel's `ru_maxrss`, `VmHWM` at exit).
 * @throws {Error} When the command fails.
 */
export async function peakRssKb(command: string, args: string[]): Promise<number> {
  const { stderr } = await launch(["-f", "maxrss_kb=%M", command, ...args], {}, "/usr/bin/time");
  const match = /maxrss_kb=(\d+)/.exec(stderr);
  if (!match) throw new Error(`/usr/bin/time printed no maxrss: ${stderr.slice(-500)}`);
  return Number(match[1]);
}

/**
 * Runs a pipeline under `/usr/bin/time` and returns the process's peak resident set size.
 *
 * @param pipeline The pipeline description.
 * @returns Peak RSS in kilobytes.
 */
export function gstPeakRssKb(pipeline: string): Promise<number> {
  return peakRssKb(GST_LAUNCH, ["-q", ...argsOf(pipeline)]);
}

/**
 * Runs a pipeline under `/usr/bin/time` and returns the CPU time it used, user and system, every
 * thread included.
 *
 * @param pipeline The pipeline description; its sources must end (`num-buffers`).
 * @returns Seconds of CPU time.
 * @throws {Error} When gst-launch fails.
 */
export async function gstCpuSeconds(pipeline: string): Promise<number> {
  const { stderr } = await launch(
    ["-f", "cpu_s=%U+%S", GST_LAUNCH, "-q", ...argsOf(pipeline)],
    {},
    "/usr/bin/time",
  );
  const match = /cpu_s=([\d.]+)\+([\d.]+)/.exec(stderr);
  if (!match) throw new Error(`/usr/bin/time printed no CPU time: ${stderr.slice(-500)}`);
  return Number(match[1]) + Number(match[2]);
}
