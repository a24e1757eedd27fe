/**
 * `deno task validate` and `deno task run`, in process and as subprocesses.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main as run } from "../../cli/run.ts";
import { main as validate } from "../../cli/validate.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => `tests/fixtures/manifests/${name}`;

async function capture(
  cli: (
    args: string[],
    output: { out: (t: string) => void; err: (t: string) => void },
  ) => Promise<number>,
  ...args: string[]
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function spawn(script: string, ...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, out: decode(output.stdout), err: decode(output.stderr) };
}

Deno.test("validate main() exits 0 for valid manifests, 1 listing every issue, 2 for usage and unreadable files", async () => {
  assert.equal((await capture(validate, fixture("tone_mix_sink.json"))).code, 0);
  const many = await capture(validate, fixture("invalid_many.json"));
  assert.equal(many.code, 1);
  assert.match(many.err, /invalid_many.json: 5 issues\n/);
  assert.equal(many.err.split("\n").length, 6);
  const syntax = await capture(validate, fixture("invalid_json_syntax.txt"));
  assert.equal(syntax.code, 1);
  assert.match(syntax.err, /not valid JSON/);
  assert.equal((await capture(validate, "missing.json")).code, 2);
  assert.equal((await capture(validate)).code, 2);
  assert.equal((await capture(validate, "a.json", "b.json")).code, 2);
  assert.equal((await capture(validate, "--bogus")).code, 2);
});

Deno.test("validate main() lists an unconnected required input as a warning and exits 0", async () => {
  const path = fixture("warn_unconnected_required.json");
  const text = await capture(validate, path);
  assert.equal(text.code, 0, text.err);
  assert.equal(text.out, `${path}: valid, 1 warning`);
  assert.equal(
    text.err,
    "  warning: unconnected_required_input: nodes[0]: required input 'in' of 'gain_1' (Gain) " +
      "is not connected; it will get no frames",
  );
  const json = await capture(validate, path, "--json");
  assert.equal(json.code, 0);
  const report = JSON.parse(json.out);
  assert.equal(report.valid, true);
  assert.deepEqual(report.issues, []);
  assert.deepEqual(
    report.warnings.map((w: { code: string; node: string; severity: string }) => [
      w.code,
      w.node,
      w.severity,
    ]),
    [["unconnected_required_input", "gain_1", "warning"]],
  );
  const clean = await capture(validate, fixture("tone_sink.json"));
  assert.equal(clean.err, "");
});

Deno.test("run main() runs a manifest for --seconds and stops cleanly", async () => {
  const { code, out, err } = await capture(run, fixture("tone_sink.json"), "--seconds", "0.15");
  assert.equal(code, 0, err);
  assert.match(
    out,
    /^running tests\/fixtures\/manifests\/tone_sink.json: 2 nodes, 1 connections for 0.15 s$/m,
  );
  assert.match(
    out,
    /^stopped: \d+\.\ds stopped \| 2 nodes, 0 failed \| \d+ frames, 0 dropped, 0 queued/m,
  );
  assert.equal((await capture(run, fixture("tone_sink.json"), "--seconds", "x")).code, 2);
  assert.equal((await capture(run, fixture("invalid_cycle.json"))).code, 1);
  assert.equal((await capture(run, "missing.json")).code, 2);
});

Deno.test("run main() stops when aborted", async () => {
  const controller = new AbortController();
  const out: string[] = [];
  const done = run([fixture("tone_sink.json")], { out: (t) => out.push(t), err: () => {} }, {
    signal: controller.signal,
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  assert.equal(await done, 0);
  assert.match(out.join("\n"), /\(Ctrl-C to stop\)\nstopped: /);
});

Deno.test("deno task validate as a subprocess exits 1 with every issue on stderr", async () => {
  const { code, err } = await spawn("cli/validate.ts", fixture("invalid_config.json"));
  assert.equal(code, 1);
  assert.match(err, /3 issues/);
  assert.match(err, /nodes\[0\].config.frequency: must be a number from 1 to 20000, got 99999/);
  assert.match(err, /nodes\[1\].config.gian: unknown field of Gain/);
});

Deno.test("deno task run as a subprocess prints a status line per second and stops on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/run.ts", fixture("tone_mix_sink.json")],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!lines.some((l) => /^1\.\ds running/.test(l))) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  }
  child.kill("SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
  }
  lines.push(...buffer.split("\n").filter((l) => l !== ""));
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
  assert.match(lines[0], /running .*tone_mix_sink.json: 5 nodes, 4 connections \(Ctrl-C to stop\)/);
  assert.match(lines[1], /^1\.\ds running \| 5 nodes, 0 failed \| \d+ frames, 0 dropped/);
  assert.match(lines.at(-1)!, /^stopped: .* stopped \| 5 nodes, 0 failed/);
});
