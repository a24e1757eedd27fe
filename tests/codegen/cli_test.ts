import assert from "node:assert/strict";
import { main } from "../../codegen/mod.ts";
import { repoRoot } from "./project.ts";

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["--root", repoRoot, ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("main(['--check']) finds this repository's generated files up to date", async () => {
  const { code, out, err } = await run("--check");
  assert.equal(code, 0, err);
  assert.match(
    out,
    /^codegen --check: \d+ generated files up to date, \d+ processors in processors/,
  );
});

Deno.test("main(['nodes', 'list']) prints name, tags, description, inputs and outputs", async () => {
  const { code, out } = await run("nodes", "list");
  assert.equal(code, 0);
  const lines = out.split("\n");
  assert.match(lines[0], /^NAME\s+TAGS\s+DESCRIPTION\s+INPUTS\s+OUTPUTS$/);
  const mixer = lines.find((l) => l.startsWith("AudioMixer"))!;
  assert.match(mixer, /audio,mixer\s+Sums up to eight stereo streams into one\./);
  assert.match(mixer, /in_0\.\.in_7: AudioFrame<2>\s+out: AudioFrame<2>$/);
  assert.match(
    lines.find((l) => l.startsWith("TestToneGenerator"))!,
    /\s-\s+audio: AudioFrame<2>$/,
  );
});

Deno.test("main(['nodes', 'info', name]) prints ports and config with defaults", async () => {
  const { code, out } = await run("nodes", "info", "AudioMixer");
  assert.equal(code, 0);
  assert.match(out, /^AudioMixer\n\n {2}Sums up to eight stereo streams into one\./);
  assert.match(out, /Mode\s+push/);
  assert.match(out, /in_2\s+AudioFrame<2>\s+optional\s+Stereo audio to mix\./);
  assert.match(out, /gains\s+an array of numbers with at most 8 items\s+\[1,1,1,1,1,1,1,1\]/);
  assert.match(out, /waitForAll\s+a boolean\s+true/);
  assert.match(out, /Config JSON Schema:\n {2}\{\n {4}"type": "object"/);
});

Deno.test("main(['nodes', ... '--json']) prints the registry API's data", async () => {
  const list = JSON.parse((await run("nodes", "list", "--json")).out);
  const names = list.map((p: { name: string }) => p.name);
  for (const name of ["AudioMixer", "Gain", "NullSink", "TestToneGenerator"]) {
    assert.ok(names.includes(name), name);
  }
  // plugins is a configured folder.
  assert.ok(names.includes("SubprocessProcessor"));
  const info = JSON.parse((await run("nodes", "info", "Gain", "--json")).out);
  assert.equal(info.config.properties.gain.default, 1);
});

Deno.test("main() reports an unknown processor and bad usage with exit codes", async () => {
  const missing = await run("nodes", "info", "Gian");
  assert.equal(missing.code, 1);
  assert.match(
    missing.err,
    /Cannot find processor 'Gian': did you mean Gain\? available processors: (\w+, )*AudioMixer, /,
  );
  const usage = await run("--bogus");
  assert.equal(usage.code, 2);
  assert.match(usage.err, /Usage:/);
  assert.equal((await run("nodes", "frobnicate")).code, 2);
});
