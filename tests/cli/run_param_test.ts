/**
 * `streamlib run --param NAME=VALUE`: sets the parameters a manifest declares, typed by their
 * field (text as written, anything else as JSON), and refuses the rest with a code.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function run(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "cli/streamlib.ts"), "run", ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, out: decode(output.stdout), err: decode(output.stderr) };
}

/** The peak absolute sample of a WAV, by sox. */
async function peak(path: string): Promise<number> {
  const { stderr } = await new Deno.Command("sox", { args: [path, "-n", "stat"] }).output();
  const line = new TextDecoder().decode(stderr).match(/Maximum amplitude:\s+(\S+)/);
  assert.ok(line, "sox stat gave a maximum amplitude");
  return Math.abs(Number(line[1]));
}

Deno.test("run --param sets a number field as JSON and a text field as written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = join(dir, "tone.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "tone", type: "TestToneGenerator", config: { frequency: 440 } },
          { id: "fx", type: "Gain", config: { gain: 1 } },
          { id: "wav", type: "WavWriter", config: { path: join(dir, "default.wav") } },
        ],
        connections: [{ from: "tone.audio", to: "fx.in" }, { from: "fx.out", to: "wav.in" }],
        parameters: { level: "fx.gain", out: { target: "wav.path", description: "where" } },
      }),
    );
    const loud = join(dir, "loud.wav");
    const quiet = join(dir, "123");
    const a = await run(
      manifest,
      "--seconds",
      "0.5",
      "--param",
      "level=1",
      "--param",
      `out=${loud}`,
    );
    assert.equal(a.code, 0, a.err);
    // "123" parses as JSON, but the field takes text: it is the file's name.
    const b = await run(manifest, "--seconds", "0.5", "--param=level=0.25", `--param=out=${quiet}`);
    assert.equal(b.code, 0, b.err);
    const [p1, p2] = [await peak(loud), await peak(quiet)];
    assert.ok(p1 > 0.1, `peak ${p1}`);
    assert.ok(Math.abs(p2 / p1 - 0.25) < 0.02, `peaks ${p1} and ${p2}`);
    await assert.rejects(Deno.stat(join(dir, "default.wav")));

    const unknown = await run(manifest, "--seconds", "0.5", "--param", "levle=1");
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.err,
      /unknown_parameter.*no parameter levle\. Did you mean level\? Its parameters: level, out/,
    );
    const invalid = await run(manifest, "--seconds", "0.5", "--param", "level=loud");
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.err,
      /invalid_parameter.*Parameter level \(fx\.gain\) must be a number from 0 to 16, got "loud"/,
    );
    const json = await run(manifest, "--json", "--seconds", "0.5", "--param", "level=99");
    assert.equal(json.code, 1);
    const event = JSON.parse(json.out.trim().split("\n").at(-1)!);
    assert.equal(event.event, "error");
    assert.equal(event.code, "invalid_parameter");
    const malformed = await run(manifest, "--param", "level");
    assert.equal(malformed.code, 2);
    assert.match(malformed.err, /--param takes NAME=VALUE/);
    const twice = await run(manifest, "--param", "level=1", "--param", "level=2");
    assert.equal(twice.code, 2);
    assert.match(twice.err, /--param level is given twice/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run checks the manifest with its --param values: a program set by one needs --allow-run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = join(dir, "sub.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [{ id: "py", type: "SubprocessProcessor", config: { command: "true" } }],
        parameters: { program: "py.command" },
      }),
    );
    const refused = await run(manifest, "--seconds", "0.5", "--param", "program=python3");
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      /permission_denied: Cannot run .py.: setup\(\) was refused by the command.s permissions: Requires run access to "python3" \(grant it with --allow-run python3/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
