/**
 * The mistakes a newcomer makes with the command line, each reported the same way: the first line
 * on stderr is `error: <code>: <message>` naming what was wrong and what is valid, no stack trace,
 * exit code 1 or 2, and the command returns (no hang). Usage errors are followed by the usage;
 * errors about a file, a folder or a port are not.
 *
 * @module
 */

import assert from "node:assert/strict";
import { main } from "../../cli/streamlib.ts";

const fixture = (name: string) => `tests/fixtures/manifests/${name}`;

async function capture(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Each mistake: the arguments, the exit code, the code on the error line, and what it names. */
type Mistake = readonly [args: string[], exit: number, code: string, names: RegExp];

async function check([args, exit, code, names]: Mistake) {
  const what = `streamlib ${args.join(" ")}`;
  const result = await capture(...args);
  assert.equal(result.code, exit, `${what}: ${result.err}`);
  const [first] = result.err.split("\n");
  assert.equal(/^error: ([a-z][a-z0-9_]*): /.exec(first)?.[1], code, `${what}: ${first}`);
  assert.match(first, names, what);
  assert.doesNotMatch(result.err, /^\s+at .*:\d+:\d+\)?$/m, `${what}: a stack trace`);
  const usage = /\n\nUsage: /.test(result.err) || /\n\nstreamlib \d/.test(result.err);
  const usageError = [
    "missing_command",
    "unknown_command",
    "unknown_flag",
    "invalid_flag",
    "missing_argument",
    "unexpected_argument",
  ].includes(code);
  assert.equal(usage, usageError, `${what}: usage ${usage ? "shown" : "missing"}\n${result.err}`);
}

Deno.test("a mistyped command, flag or argument is an error line with a code, then the usage", async () => {
  const mistakes: Mistake[] = [
    [[], 2, "missing_command", /commands: run, validate/],
    [["rn", "x.json"], 2, "unknown_command", /did you mean run\?/],
    [["--verbos"], 2, "unknown_flag", /options: --help, --version/],
    [["run", fixture("tone_sink.json"), "--second", "3"], 2, "unknown_flag", /--seconds\?/],
    [["run", fixture("tone_sink.json"), "--seconds", "abc"], 2, "invalid_flag", /got 'abc'/],
    [["run", fixture("tone_sink.json"), "--seconds"], 2, "invalid_flag", /--seconds/],
    [["run"], 2, "missing_argument", /one manifest file, got none/],
    [["validate", "a.json", "b.json"], 2, "unexpected_argument", /got 2: a\.json, b\.json/],
    [["run", fixture("tone_sink.json"), "--memory-budget", "0"], 2, "invalid_flag", /MiB/],
    [["nodes"], 2, "missing_argument", /list or info/],
    [["nodes", "lst"], 2, "unknown_command", /expected list or info/],
    [["nodes", "info"], 2, "missing_argument", /nodes info <type>/],
    [["new", "project"], 2, "missing_argument", /Missing NAME/],
    [["codegen", "nodes", "list"], 2, "unknown_command", /streamlib nodes list/],
    [["dashboard", "a.json", "b.json"], 2, "unexpected_argument", /at most one manifest/],
    [["dashboard", "--port", "99999"], 2, "invalid_flag", /0 to 65535/],
    [["mcp", "--port", "1"], 2, "invalid_flag", /need --http/],
    // A token the server would refuse is the flag's mistake, not an address it cannot listen on.
    [["mcp", "--http", "--token", "short"], 2, "invalid_flag", /--token: token must be 16 to 128/],
    [["dashboard", "--token", "a b"], 2, "invalid_flag", /--token: token must be 16 to 128/],
    [["serve"], 2, "missing_argument", /one manifest folder/],
    [["serve", "tests", "--port", "99999"], 2, "invalid_flag", /0 to 65535/],
    [["serve", "tests", "--max-session", "-1"], 2, "invalid_flag", /--max-session/],
    [["serve", "tests", "--close-timeout", "0"], 2, "invalid_flag", /--close-timeout/],
    [["serve", "tests", "--max-waiting", "1.5"], 2, "invalid_flag", /--max-waiting/],
  ];
  for (const mistake of mistakes) await check(mistake);
  for (const name of ["run", "validate", "nodes", "dashboard", "mcp", "serve", "codegen", "new"]) {
    await check([[name, "--no-such-flag"], 2, "unknown_flag", /'--no-such-flag'/]);
    // The options it lists are every flag its usage shows (`run --parm` once did not suggest
    // --param: the list was kept by hand).
    const { err } = await capture(name, "--no-such-flag");
    const listed = new Set(/options: ([^\n]*)/.exec(err)?.[1].split(", "));
    const usage = err.slice(err.indexOf("\n\n"));
    for (const flag of new Set(usage.match(/(?<![\w-])--[a-z][a-z-]*/g))) {
      assert.ok(listed.has(flag), `streamlib ${name}: ${flag} is in the usage, not in the options`);
    }
  }
});

Deno.test("a missing or wrong file, folder or template is an error line with a code, without the usage", async () => {
  const mistakes: Mistake[] = [
    [["new", "projekt", "x"], 2, "template_not_found", /did you mean project\?/],
    [["new", "project", "9x"], 2, "template_name_invalid", /expected a letter/],
    [["nodes", "info", "Gian"], 1, "processor_not_found", /did you mean Gain\?/],
    [["codegen", "no_such_folder"], 2, "codegen_folder_not_found", /'no_such_folder': no such/],
    [["validate", "tests"], 2, "not_regular_file", /not a regular file/],
    [["serve", "no/such/folder"], 2, "file_error", /'no\/such\/folder': no such folder; serve/],
    [
      ["serve", fixture("tone_sink.json")],
      2,
      "file_error",
      /it is a file, not a folder.*'streamlib run tests\/fixtures\/manifests\/tone_sink\.json'/,
    ],
  ];
  for (const name of ["run", "validate", "dashboard", "mcp"]) {
    mistakes.push([[name, "no/such.json"], 2, "not_found", /Cannot read 'no\/such\.json'/]);
  }
  for (const mistake of mistakes) await check(mistake);
});

Deno.test("serve: a token file that is missing, not JSON or not a token file names it and exits 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, '{ "tokens": { "a-0123456789": ["x"], }');
    await Deno.writeTextFile(`${dir}/other.json`, '{ "tokenz": {} }');
    await check([
      ["serve", "tests", "--token-file", `${dir}/none.json`],
      2,
      "file_error",
      /token file/,
    ]);
    await check([["serve", "tests", "--token-file", `${dir}/bad.json`], 2, "file_error", /JSON/]);
    await check([
      ["serve", "tests", "--token-file", `${dir}/other.json`],
      2,
      "invalid_field",
      /"tokens"/,
    ]);
    await check([
      ["serve", "clients/python/examples/pipelines", "--hostname", "0.0.0.0"],
      2,
      "invalid_argument",
      /without tokens/,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a manifest with a JSON syntax error names its line and column, in every command", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/p.json`;
    await Deno.writeTextFile(
      path,
      '{\n  "version": 1,\n  "nodes": [\n    { "id": "tone", "type": "TestToneGenerator" },\n  ]\n}\n',
    );
    for (const name of ["run", "validate", "dashboard", "mcp"]) {
      await check([
        [name, path],
        1,
        "not_json",
        /not valid JSON at line 5, column 3: found '\]', expected another value \(JSON allows no ',' before '\]'\)/,
      ]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every issue of an invalid manifest is an error line with its code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/typo.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "tone", type: "TestToneGenerater" },
          { id: "gain", type: "Gain", config: { gian: 0.5 } },
          { id: "sink", type: "NullSink" },
        ],
        connections: [{ from: "gain.output", to: "sink.in" }],
      }),
    );
    for (const name of ["run", "validate", "dashboard", "mcp"]) {
      const { code, err } = await capture(name, path);
      assert.equal(code, 1, `${name}: ${err}`);
      const [heading, ...lines] = err.split("\n");
      assert.equal(heading, `${path}: 3 issues`, name);
      assert.deepEqual(
        lines.map((line) => /^ {2}error: ([a-z_]+): /.exec(line)?.[1]),
        ["processor_not_found", "invalid_config", "port_not_found"],
        `${name}: ${err}`,
      );
      assert.match(lines[0], /did you mean TestToneGenerator\?/);
      assert.match(lines[2], /did you mean out\?/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
