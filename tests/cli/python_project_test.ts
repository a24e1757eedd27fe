/**
 * A Python processor in a user project (issue 31, item 9): a folder with only a manifest and a
 * Python script, as `docs/plugins.md` tells a new user to write them, validates and runs with
 * the documented commands (`streamlib validate`, `streamlib run --allow-run python3`; no
 * `"plugins"` entry, no `--load-plugins`), and the script's replies (mono, 16 kHz, 160-frame
 * blocks from stereo 48 kHz 480-frame blocks) reach a WAV file of that format.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** `streamlib` as a user runs it: the program, in the project's folder. */
async function streamlib(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "cli/streamlib.ts"), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** What `sox --i` says of a file (`-r` rate, `-c` channels, `-s` samples). */
async function soxInfo(flag: string, path: string): Promise<string> {
  const out = await new Deno.Command("sox", { args: ["--i", flag, path], stderr: "piped" })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

const SCRIPT = `from streamlib_node import run


def downmix(samples, header):
    mono = samples.mean(axis=1)[::3]  # stereo -> mono, every third frame
    return mono[:, None], {"sampleRate": header["sampleRate"] // 3}


run(downmix)
`;

const MANIFEST = {
  version: 1,
  nodes: [
    { id: "tone", type: "TestToneGenerator" },
    {
      id: "py",
      type: "SubprocessProcessor",
      config: { command: "python3", args: ["downmix.py"], timeoutMs: 20_000 },
    },
    { id: "wav", type: "WavWriter", config: { path: "out.wav", sampleRate: 16000, channels: 1 } },
  ],
  connections: [{ from: "tone.audio", to: "py.in" }, { from: "py.out", to: "wav.in" }],
};

Deno.test("streamlib validate and run: a user project's Python processor, with the documented flags only", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.writeTextFile(join(dir, "downmix.py"), SCRIPT);
    await Deno.writeTextFile(join(dir, "pipeline.json"), JSON.stringify(MANIFEST, null, 2));

    const valid = await streamlib(["validate", "pipeline.json"], dir);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /^pipeline\.json: valid$/m);

    // Without --allow-run the run is refused before anything starts, naming the flag.
    const refused = await streamlib(["run", "pipeline.json", "--seconds", "3"], dir);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /error: permission_denied: Cannot run 'py': .*run access to "python3" \(grant it with --allow-run python3, or run with --allow-all\)/,
    );
    assert.equal(await Deno.stat(join(dir, "out.wav")).then(() => true, () => false), false);
    const json = await streamlib(["run", "pipeline.json", "--seconds", "3", "--json"], dir);
    assert.equal(json.code, 1);
    const line = JSON.parse(json.stdout.trim().split("\n")[0]);
    assert.deepEqual([line.event, line.code, line.exitCode], ["error", "permission_denied", 1]);
    assert.match(line.message, /grant it with --allow-run python3/);

    const ran = await streamlib(
      ["run", "pipeline.json", "--seconds", "5", "--allow-run", "python3"],
      dir,
    );
    assert.equal(ran.code, 0, ran.stderr);
    const wav = join(dir, "out.wav");
    assert.equal(await soxInfo("-r", wav), "16000");
    assert.equal(await soxInfo("-c", wav), "1");
    // Some of the 5 s arrived (python3 starts within them on a loaded machine), in whole blocks.
    const samples = Number(await soxInfo("-s", wav));
    assert.ok(samples > 0 && samples % 160 === 0, `${samples} samples`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
