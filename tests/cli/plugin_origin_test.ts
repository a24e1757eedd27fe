/**
 * The command line with a project's plugin folders: `streamlib nodes` shows where each processor
 * came from, a bad plugin is a typed error, and `validate` reads plugin metadata but runs no
 * plugin code.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/streamlib.ts";

const FOLDERS = fileURLToPath(new URL("../fixtures/plugin_folders/", import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** A project folder whose deno.json lists `folders` as plugin folders. */
async function project(folders: string[], files: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_project_" });
  await Deno.writeTextFile(
    join(dir, "deno.json"),
    JSON.stringify({ streamlib: { pluginFolders: folders } }),
  );
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

Deno.test("streamlib nodes list shows each processor's origin: built-in or its plugin", async () => {
  const dir = await project([join(FOLDERS, "good")]);
  try {
    const { out, output } = capture();
    assert.equal(await main(["nodes", "list", "--root", dir], output), 0);
    const lines = out.join("\n").split("\n");
    assert.match(lines[0], /^NAME +TAGS +DESCRIPTION +INPUTS +OUTPUTS +ORIGIN$/);
    assert.match(
      lines.find((l) => l.startsWith("Polarity "))!,
      / plugin flip 1\.2\.0 \(typescript\)$/,
    );
    assert.match(lines.find((l) => l.startsWith("Gain "))!, / built-in$/);

    const json = capture();
    assert.equal(await main(["nodes", "list", "--root", dir, "--json"], json.output), 0);
    const flip = JSON.parse(json.out[0]).find((p: { name: string }) => p.name === "Polarity");
    assert.equal(flip.origin.plugin, "flip");
    assert.equal(flip.originLabel, "plugin flip 1.2.0 (typescript)");

    const info = capture();
    assert.equal(await main(["nodes", "info", "Polarity", "--root", dir], info.output), 0);
    assert.match(info.out[0], /\n {2}Origin +plugin flip 1\.2\.0 \(typescript\), \/.*good\/flip\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib nodes list exits 1 naming a bad plugin's file and field", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "broken"));
  await Deno.writeTextFile(
    join(root, "broken", "streamlib.plugin.json"),
    JSON.stringify({ name: "broken", version: "1.0.0" }),
  );
  const dir = await project([root]);
  try {
    const { err, output } = capture();
    assert.equal(await main(["nodes", "list", "--root", dir], output), 1);
    assert.match(
      err.join("\n"),
      /^error: plugin_metadata_invalid: Invalid plugin metadata .*broken\/streamlib\.plugin\.json: field 'license' is missing: expected an SPDX expression/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("streamlib validate reads the project's plugin metadata and runs no plugin code", async () => {
  const manifest = {
    version: 1,
    nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "s", type: "Sneaky" }],
  };
  const dir = await project([join(FOLDERS, "outside")], {
    "pipeline.json": JSON.stringify(manifest),
  });
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    const { out, err, output } = capture();
    const code = await main(["validate", "pipeline.json"], output);
    assert.equal(code, 0, err.join("\n"));
    assert.equal(out[0], "pipeline.json: valid, 1 not checked");
    assert.match(
      err.join("\n"),
      /not checked: 1 node of types from the project's plugins \(sneaky\)/,
    );
    // The plugin's module sets this global when imported: validate never imported it.
    assert.equal((globalThis as { sneakyPluginRan?: boolean }).sneakyPluginRan, undefined);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run loads a manifest's native plugin library with --load-plugins, scoped", async () => {
  const ext = Deno.build.os === "darwin" ? "dylib" : "so";
  const library = fileURLToPath(
    new URL(`../../crates/target/release/libstreamlib_example_plugin.${ext}`, import.meta.url),
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(library, join(dir, `libexample.${ext}`));
    await Deno.writeTextFile(
      join(dir, "pipeline.json"),
      JSON.stringify({
        version: 1,
        plugins: [{ native: `./libexample.${ext}` }],
        nodes: [
          { id: "tone", type: "TestToneGenerator" },
          { id: "gain", type: "NativeGain", config: { gain: 0.5 } },
          { id: "sink", type: "NullSink" },
        ],
        connections: [{ from: "tone.audio", to: "gain.in" }, { from: "gain.out", to: "sink.in" }],
      }),
    );
    const cli = fileURLToPath(new URL("../../cli/streamlib.ts", import.meta.url));
    // The `streamlib` program, as a user runs it: `run` starts a child with scoped permissions.
    const streamlib = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, ...args],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
    const refused = await streamlib("run", "pipeline.json", "--seconds", "0.3");
    assert.equal(refused.code, 2);
    assert.match(
      new TextDecoder().decode(refused.stderr),
      /'native:\.\/libexample\.\w+'.*--load-plugins/,
    );
    const ran = await streamlib(
      "run",
      "pipeline.json",
      "--seconds",
      "0.5",
      "--load-plugins",
      "--json",
    );
    const stderr = new TextDecoder().decode(ran.stderr);
    assert.equal(ran.code, 0, stderr);
    const events = new TextDecoder().decode(ran.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const stopped = events.find((e) => e.event === "stopped");
    assert.ok(stopped.stats.nodes.gain.framesOut > 0, "the native gain wrote frames");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib run's scoped child may read the project's plugin folders outside it", async () => {
  const plugins = await Deno.makeTempDir({ prefix: "streamlib_shared_plugins_" });
  await Deno.mkdir(join(plugins, "flip"));
  await Deno.writeTextFile(
    join(plugins, "flip", "streamlib.plugin.json"),
    JSON.stringify({
      name: "flip",
      version: "1.2.0",
      license: "MIT",
      author: "tests",
      kind: "typescript",
      entry: "registry.ts",
      processors: ["Polarity"],
      minRuntime: "0.1.0",
    }),
  );
  const fixture = new URL("../fixtures/plugin_folders/good/flip/registry.ts", import.meta.url);
  await Deno.writeTextFile(
    join(plugins, "flip", "registry.ts"),
    `export { registry } from "${fixture.href}";\n`,
  );
  const dir = await project([plugins], {
    "pipeline.json": JSON.stringify({
      version: 1,
      nodes: [
        { id: "tone", type: "TestToneGenerator" },
        { id: "flip", type: "Polarity" },
        { id: "sink", type: "NullSink" },
      ],
      connections: [{ from: "tone.audio", to: "flip.in" }, { from: "flip.out", to: "sink.in" }],
    }),
  });
  try {
    const cli = fileURLToPath(new URL("../../cli/streamlib.ts", import.meta.url));
    const ran = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "run", "pipeline.json", "--seconds", "0.3", "--json"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(ran.code, 0, new TextDecoder().decode(ran.stderr));
    const events = new TextDecoder().decode(ran.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.ok(events.find((e) => e.event === "stopped").stats.nodes.flip.framesOut > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(plugins, { recursive: true });
  }
});

Deno.test("streamlib dashboard --load-plugins lists a manifest's plugins, with origins", async () => {
  const dir = await project([], {
    "pipeline.json": JSON.stringify({
      version: 1,
      pluginFolders: [join(FOLDERS, "good")],
      nodes: [{ id: "tone", type: "TestToneGenerator" }],
    }),
  });
  const cwd = Deno.cwd();
  const controller = new AbortController();
  const { err, output } = capture();
  let started!: (url: string) => void;
  const url = new Promise<string>((resolve) => (started = resolve));
  const watched = {
    out: (text: string) => {
      const event = JSON.parse(text);
      if (event.event === "started") started(event.dashboard);
    },
    err: output.err,
  };
  Deno.chdir(dir);
  const args = [
    "dashboard",
    "pipeline.json",
    "--port",
    "0",
    "--json",
    "--no-mcp",
    "--load-plugins",
  ];
  const done = main(args, watched, { signal: controller.signal });
  try {
    const page = await Promise.race([url, done.then((c) => `exited ${c}: ${err.join("\n")}`)]);
    const origin = new URL(page).origin;
    const { plugins } = await (await fetch(`${origin}/api/v1/plugins`)).json();
    assert.deepEqual(plugins.map((p: { name: string }) => p.name), ["flip"]);
    const { processors } = await (await fetch(`${origin}/api/v1/processors`)).json();
    const flip = processors.find((p: { name: string }) => p.name === "Polarity");
    assert.equal(flip.origin.plugin, "flip");
  } finally {
    controller.abort();
    await done;
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
