import assert from "node:assert/strict";
import { until, workerRig } from "../fixtures/workers/harness.ts";

async function soxSamples(path: string): Promise<number> {
  const { code, stdout, stderr } = await new Deno.Command("sox", {
    args: ["--i", "-s", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return Number(new TextDecoder().decode(stdout).trim());
}

Deno.test("Runtime.stop() drains across isolates and tears Worker nodes down: a WavWriter in a Worker finalizes its file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_worker_wav_" });
  try {
    await using rig = workerRig();
    const { rt } = rig;
    const path = `${dir}/take.wav`;
    rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
    rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
    rt.add("WavWriter", { path }, { id: "wav", placement: { worker: "disk" } });
    rt.connectByName("tone", "audio", "gain", "in");
    rt.connectByName("gain", "out", "wav", "in");
    await rt.start();
    await until(() => rt.stats().nodes.wav.framesIn >= 10, "10 blocks recorded in the Worker");
    await rt.stop();

    const stats = rt.stats();
    const blocks = stats.nodes.tone.framesOut;
    assert.equal(stats.nodes.gain.framesIn, blocks);
    assert.equal(stats.nodes.wav.framesIn, blocks, "every block written before stop() is recorded");
    assert.equal(stats.nodes.wav.state, "stopped");
    // Every block, and silence where the tone skipped time (a loaded machine, Workers starting):
    // the WAV stays on the tone's timestamps.
    const { filledSamples } = stats.nodes.wav.processor as { filledSamples: number };
    assert.equal(typeof filledSamples, "number", "the writer in the Worker reports its stats");
    assert.equal(await soxSamples(path), blocks * 480 + filledSamples);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createRuntime() with Workers: the process exits after stop() without closing anything", async () => {
  const script = new URL("../fixtures/workers/exit_after_stop.ts", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.href],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `exit code ${code}: ${new TextDecoder().decode(stderr)}`);
  assert.match(out, /^stopped after \d+ blocks$/m);
});
