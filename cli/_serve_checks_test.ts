import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { registry as builtin } from "../processors/registry.gen.ts";
import {
  folderProblem,
  listenCode,
  listenProblem,
  manifestWarnings,
  ServeRegistryError,
  sessionRegistry,
  tokenWarnings,
} from "./_serve_checks.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const gain = { version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { a: "fx.in" } };

Deno.test("manifestWarnings(): one line per manifest that will not load, none for good ones", () => {
  const range = {
    version: 1,
    nodes: [{ id: "fx", type: "Gain", config: { gain: 200, gian: 1 } }],
    outputs: { voice: "fx.ot" },
  };
  const lines = manifestWarnings(
    new Map<string, unknown>([["ok", gain], ["range", range]]),
    builtin,
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0], /pipeline 'range' will not open \(invalid_manifest\)/);
  assert.match(lines[0], /must be a number from 0 to 16, got 200 \(and 2 more\)/);
  assert.match(lines[0], /streamlib validate range\.json/);
  const inFolder = manifestWarnings(new Map([["range", range]]), builtin, "pipes");
  assert.match(inFolder[0], /'streamlib validate pipes\/range\.json'/);
  assert.deepEqual(manifestWarnings(new Map(), builtin, "pipes"), [
    "streamlib serve: warning: 'pipes' holds no <name>.json manifest (subfolders are not read): " +
    "every open gets pipeline_not_found",
  ]);
});

Deno.test("manifestWarnings(): an unknown processor type says which processors sessions know", () => {
  // `validate` also reads the project's plugin folders, so it may call this manifest valid; the
  // sessions know the built-ins and the codegen folders' processors, or the --registry modules'.
  const own = { version: 1, nodes: [{ id: "t", type: "Tremolo" }], inputs: { a: "t.in" } };
  const [line] = manifestWarnings(new Map([["own", own]]), builtin, "pipes");
  assert.match(line, /unknown processor 'Tremolo'/);
  assert.match(line, /"streamlib\.codegen" folders of the folder serve runs in/);
  assert.doesNotMatch(line, /streamlib validate/);
});

Deno.test("folderProblem(): a missing folder, or a manifest given for its folder, says what serve takes", async () => {
  assert.equal(await folderProblem(ROOT), undefined);
  assert.match(
    (await folderProblem(join(ROOT, "no/such/folder")))!,
    /no such folder; serve takes a folder of <name>\.json manifests/,
  );
  const manifest = join(ROOT, "tests/fixtures/manifests/tone_sink.json");
  assert.match(
    (await folderProblem(manifest))!,
    new RegExp(`it is a file, not a folder.*'streamlib run ${manifest}' runs that one manifest`),
  );
  assert.doesNotMatch((await folderProblem(join(ROOT, "deno.lock")))!, /streamlib run/);
  assert.equal(listenCode(new Deno.errors.AddrInUse("x")), "port_in_use");
  assert.equal(listenCode(new TypeError("x")), "cannot_listen");
});

Deno.test("tokenWarnings(): names unserved pipelines with near matches, never the tokens", () => {
  const file = {
    tokens: { "secret-0123456789": ["voice-fxx", "*", "wav-fx"], "b-0123456789": [] },
  };
  const lines = tokenWarnings(file, ["voice-fx", "wav-fx"]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /'voice-fxx', which is not served \(did you mean voice-fx\?\)/);
  assert.ok(!lines[0].includes("secret"));
  assert.deepEqual(tokenWarnings({ tokens: { "a-0123456789": ["*"] } }, []), []);
});

Deno.test("sessionRegistry(): built-ins by default; a bad --registry module has a code", async () => {
  assert.ok((await sessionRegistry()).has("Gain"));
  const url = new URL("../processors/registry.gen.ts", import.meta.url).href;
  assert.ok((await sessionRegistry([url])).has("Reverb"));
  await assert.rejects(
    sessionRegistry([new URL("./no_such_module.ts", import.meta.url).href]),
    (e) => e instanceof ServeRegistryError && e.code === "plugin_import_failed",
  );
  await assert.rejects(
    sessionRegistry([new URL("../core/processor/terminal_text.ts", import.meta.url).href]),
    (e) =>
      e instanceof ServeRegistryError && e.code === "plugin_no_registry" &&
      /its exports: .*terminalSafe/.test(e.message),
  );
  // An array of definitions is what the sessions' isolates take too: serve takes it at start.
  const faulty = new URL("../tests/sessions/fixtures/faulty_registry.ts", import.meta.url).href;
  assert.ok((await sessionRegistry([faulty])).has("Hanger"));
  const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_registry_" });
  try {
    const odd = join(dir, "odd.ts");
    await Deno.writeTextFile(odd, "export const registry = { Gain: 1 };\n");
    await assert.rejects(
      sessionRegistry([toFileUrl(odd).href]),
      (e) =>
        e instanceof ServeRegistryError && e.code === "plugin_no_registry" &&
        /its 'registry' export is a plain object, not a NodeRegistry or a list/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listenProblem(): names the address for a busy port, a foreign address, no DNS name", () => {
  assert.match(
    listenProblem(new Deno.errors.AddrInUse("x"), "127.0.0.1", 8080)!,
    /^Cannot listen on 127\.0\.0\.1:8080: the port is in use .*--port/,
  );
  assert.match(
    listenProblem(new Deno.errors.AddrNotAvailable("x"), "::1", 1)!,
    /^Cannot listen on \[::1\]:1: no network interface/,
  );
  assert.match(
    listenProblem(new Error("failed to lookup address information: x"), "nope.invalid", 1)!,
    /the hostname does not resolve/,
  );
  assert.match(
    listenProblem(new Deno.errors.AddrNotAvailable("x"), "10.255.255.1", 1, "--host")!,
    /; --host takes an address of this machine/,
  );
  assert.equal(listenProblem(new Error("other"), "h", 1), undefined);
});

Deno.test("streamlib serve: bad hostname and bad --registry exit 2; bad manifests and tokens warn", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_checks_" });
  // Runs `serve`; with `untilServing`, stops it with SIGTERM once it printed what it serves.
  const run = async (args: string[], untilServing = false) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "serve", dir, "--port", "0", ...args],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let stdout = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      if (untilServing && /Ctrl-C to stop|"sessionsUrl"/.test(stdout)) child.kill("SIGTERM");
    }
    const { code } = await child.status;
    return { code, stdout, stderr: await stderr };
  };
  try {
    await Deno.writeTextFile(join(dir, "good.json"), JSON.stringify(gain));
    await Deno.writeTextFile(
      join(dir, "typo.json"),
      JSON.stringify({ version: 1, nodes: [{ id: "fx", type: "Gian" }] }),
    );
    const tokens = join(dir, "tokens.txt");
    await Deno.writeTextFile(tokens, JSON.stringify({ tokens: { "t-0123456789": ["godo"] } }));

    const host = await run(["--hostname", "nonsense.invalid", "--token-file", tokens]);
    assert.equal(host.code, 2, host.stderr);
    assert.match(
      host.stderr,
      /Cannot listen on nonsense\.invalid:0: the hostname does not resolve/,
    );
    assert.ok(!host.stderr.includes("Uncaught"), host.stderr);

    const registry = await run(["--registry", join(dir, "missing.ts")]);
    assert.equal(registry.code, 2, registry.stderr);
    assert.match(registry.stderr, /^error: plugin_import_failed: Cannot import --registry /);

    // Served (stopped by SIGTERM once it said what it serves), with a warning for each mistake.
    const warned = await run(["--token-file", tokens], true);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /pipeline 'typo' will not open \(invalid_manifest\): .*Gain\?/);
    assert.match(
      warned.stderr,
      /lists pipeline 'godo', which is not served \(did you mean good\?\)/,
    );
    assert.ok(!warned.stderr.includes("pipeline 'good' will not open"), warned.stderr);

    // With --json, stdout is the one JSON line, even when a --registry module prints on import.
    const noisy = join(dir, "noisy.ts");
    const builtin = new URL("../processors/registry.gen.ts", import.meta.url).href;
    await Deno.writeTextFile(
      noisy,
      `console.log("hello");\nexport { registry } from "${builtin}";\n`,
    );
    const json = await run(["--json", "--registry", noisy], true);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)).slice(0, 2), ["url", "sessionsUrl"]);
    assert.match(json.stderr, /hello/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib dashboard and mcp --http: an address they cannot listen on exits 2, named", async () => {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", ...args],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const host = await run("dashboard", "--host", "nonsense.invalid", "--port", "0");
  assert.equal(host.code, 2, host.stderr);
  assert.match(
    host.stderr,
    /^error: cannot_listen: Cannot listen on nonsense\.invalid:0: the hostname does not resolve .*; --host /,
  );
  assert.ok(!host.stderr.includes("Uncaught"), host.stderr);
  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  const mcp = await run("mcp", "--http", "--port", String(port));
  assert.equal(mcp.code, 2, mcp.stderr);
  assert.match(
    mcp.stderr,
    new RegExp(`^error: port_in_use: Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
  );
});

Deno.test("streamlib serve: a SIGTERM while it still loads stops it cleanly once it serves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_signal_" });
  try {
    await Deno.writeTextFile(join(dir, "good.json"), JSON.stringify(gain));
    // A --registry module that takes a while to import: the signal comes before any address.
    const slow = join(dir, "slow.ts");
    const builtin = new URL("../processors/registry.gen.ts", import.meta.url).href;
    await Deno.writeTextFile(
      slow,
      `console.error("importing");\nawait new Promise((r) => setTimeout(r, 500));\n` +
        `export { registry } from "${builtin}";\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "serve", dir, "--port", "0", "--registry", slow],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const stdout = new Response(child.stdout).text();
    let stderr = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      if (!stderr.includes("importing") && (stderr + chunk).includes("importing")) {
        child.kill("SIGTERM");
      }
      stderr += chunk;
    }
    const { code } = await child.status;
    assert.equal(code, 0, stderr);
    assert.match(await stdout, /sessions: ws:\/\//);
    assert.match(stderr, /streamlib serve: stopping/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
