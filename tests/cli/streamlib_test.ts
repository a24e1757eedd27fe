/**
 * The `streamlib` command line: help on every command, the documented exit codes (0 success,
 * 1 problem found, 2 usage error or missing file), `--json` output, and one live status line on
 * a terminal.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/streamlib.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => `tests/fixtures/manifests/${name}`;

async function capture(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function spawn(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, out: decode(output.stdout), err: decode(output.stderr) };
}

const COMMANDS = ["run", "validate", "nodes", "dashboard", "mcp", "serve", "codegen", "new"];

Deno.test("streamlib --help lists every command and the exit codes; every command has --help", async () => {
  const top = await capture("--help");
  assert.equal(top.code, 0);
  for (const name of COMMANDS) assert.match(top.out, new RegExp(`^  ${name} `, "m"));
  assert.match(top.out, /Exit codes: 0 success; 1 .*; 2 usage error/s);
  for (const name of COMMANDS) {
    const help = await capture(name, "--help");
    assert.equal(help.code, 0, name);
    assert.match(help.out, new RegExp(`^Usage: streamlib ${name}`), name);
    assert.match(help.out, /Exit codes: /, name);
    assert.deepEqual(await capture("help", name), help);
  }
  assert.match((await capture("--version")).out, /^streamlib \d+\.\d+\.\d+$/);
});

Deno.test("streamlib exits 2 for unknown commands and flags, naming them and what is valid", async () => {
  const none = await capture();
  assert.equal(none.code, 2);
  assert.match(none.err, /^error: missing_command: Missing command; commands: run, validate,/);
  const typo = await capture("rn", "x.json");
  assert.equal(typo.code, 2);
  assert.match(
    typo.err,
    /^error: unknown_command: Unknown command 'rn': did you mean run\? commands: run, validate,/,
  );
  assert.match(
    (await capture("--verbose")).err,
    /^error: unknown_flag: Unknown option '--verbose'/,
  );
  for (const name of COMMANDS) {
    const bad = await capture(name, "--no-such-flag");
    assert.equal(bad.code, 2, name);
    assert.match(bad.err, /^error: unknown_flag: Unknown option '--no-such-flag'/, name);
    assert.match(bad.err, new RegExp(`Usage: streamlib ${name}`), name);
  }
  assert.equal((await capture("run", fixture("tone_sink.json"), "--seconds", "-1")).code, 2);
  assert.equal((await capture("dashboard", "--port", "99999")).code, 2);
  assert.equal((await capture("mcp", "--port", "1")).code, 2); // --port needs --http
  assert.equal((await capture("nodes")).code, 2);
  assert.match(
    (await capture("nodes", "frobnicate")).err,
    /^error: unknown_command: Unknown nodes subcommand 'frobnicate'/,
  );
  assert.equal((await capture("nodes", "info")).code, 2);
});

Deno.test("streamlib run/validate/dashboard/mcp exit 2 for a missing manifest and 1 for an invalid one", async () => {
  for (const name of ["run", "validate", "dashboard", "mcp"]) {
    const missing = await capture(name, "no/such/pipeline.json");
    assert.equal(missing.code, 2, name);
    assert.match(missing.err, /^error: not_found: Cannot read 'no\/such\/pipeline\.json': /, name);
    const invalid = await capture(name, fixture("invalid_unknown_port.json"));
    assert.equal(invalid.code, 1, name);
    assert.match(invalid.err, /has no output 'audo', did you mean audio\?/, name);
    const notJson = await capture(name, fixture("invalid_json_syntax.txt"));
    assert.equal(notJson.code, 1, name);
    assert.match(
      notJson.err,
      /^error: not_json: .*not valid JSON at line \d+, column \d+: found /,
      name,
    );
  }
  const unreadable = await capture("validate", "tests");
  assert.equal(unreadable.code, 2);
});

Deno.test("streamlib validate --json and nodes --json print JSON for scripts", async () => {
  const valid = await capture("validate", fixture("tone_sink.json"), "--json");
  assert.deepEqual(JSON.parse(valid.out), {
    path: fixture("tone_sink.json"),
    valid: true,
    issues: [],
    issueCount: 0,
    issuesNotListed: 0,
    warnings: [],
    unchecked: [],
    pluginsLoaded: false,
  });
  const invalid = await capture("validate", fixture("invalid_many.json"), "--json");
  assert.equal(invalid.code, 1);
  assert.equal(JSON.parse(invalid.out).issues.length, 5);
  const list = JSON.parse((await capture("nodes", "list", "--json")).out);
  assert.ok(list.some((p: { name: string }) => p.name === "AudioMixer"));
  const info = JSON.parse((await capture("nodes", "info", "Gain", "--json")).out);
  assert.equal(info.inputs[0].portType, "AudioFrame<2>");
  const unknown = await capture("nodes", "info", "Gian", "--json");
  assert.equal(unknown.code, 1);
  assert.deepEqual(JSON.parse(unknown.out).nearMatches, ["Gain"]);
  assert.match(
    unknown.err,
    /^error: processor_not_found: Cannot find processor 'Gian': did you mean Gain\?/,
  );
  assert.match((await capture("nodes", "list")).out, /^NAME +TAGS +DESCRIPTION/);
});

Deno.test("streamlib run --json prints started, stats and stopped as JSON lines and exits 0", async () => {
  const { code, out, err } = await spawn(
    "run",
    fixture("tone_sink.json"),
    "--seconds",
    "1.2",
    "--json",
  );
  assert.equal(code, 0, err);
  const events = out.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(events[0].event, "started");
  assert.equal(events[0].nodes, 2);
  assert.ok(events.some((e) => e.event === "stats" && e.stats.state === "running"));
  const last = events.at(-1);
  assert.deepEqual([last.event, last.exitCode, last.stats.state], ["stopped", 0, "stopped"]);
  assert.ok(last.stats.nodes.sink.framesIn > 0);
});

Deno.test("streamlib run on a terminal keeps one status line, rewritten in place", async () => {
  if (Deno.build.os !== "linux" || !(await hasScript())) return; // needs util-linux `script` for a pty
  const command = `${Deno.execPath()} run -A cli/streamlib.ts run ${
    fixture("tone_sink.json")
  } --seconds 1.3`;
  const output = await new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0);
  const text = new TextDecoder().decode(output.stdout);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  assert.equal(lines.length, 2, JSON.stringify(text)); // "running ..." and the final "stopped: ..."
  assert.ok(text.split("\r\x1b[2K").length > 3, "the status line is rewritten several times");
  assert.match(lines[1], /stopped: \d+\.\ds stopped \| 2 nodes, 0 failed/);
});

async function hasScript(): Promise<boolean> {
  try {
    return (await new Deno.Command("script", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}
