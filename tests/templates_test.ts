/**
 * `streamlib new`: every folder of `templates/` is created into a temp dir and its own tests run
 * there (a template added later is picked up by this file with no change), and the command's
 * substitution and refusals.
 *
 * @module
 */

import assert from "node:assert/strict";
import { delimiter, dirname, join } from "node:path";
import { main } from "../cli/streamlib.ts";
import {
  createFromTemplate,
  importedIdentifiers,
  listTemplates,
  TemplateError,
} from "../cli/_templates.ts";
import { discoverPlugins, loadPlugins } from "../plugins/mod.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** Runs `command` in `cwd` with this deno first on PATH; resolves to its exit code and output. */
async function run(command: readonly string[], cwd: string) {
  const path = `${dirname(Deno.execPath())}${delimiter}${Deno.env.get("PATH") ?? ""}`;
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd,
    env: { PATH: path, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return { code, output: `${text.decode(stdout)}\n${text.decode(stderr)}` };
}

for (const template of await listTemplates()) {
  Deno.test({
    name: `streamlib new ${template.kind}: the new folder's own tests pass`,
    // Each template's tests type-check and run a whole project: minutes on a busy machine.
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: `streamlib_new_${template.kind}_` });
      try {
        const target = join(dir, "made");
        const { out, err, output } = capture();
        const code = await main(["new", template.kind, "DemoThing", "--dir", target], output);
        assert.equal(code, 0, err.join("\n"));
        assert.match(out[0], new RegExp(`^Wrote ${template.kind} 'DemoThing' in `));
        // Every file it lists is there, the generated ones too (marked so).
        const listed = out.slice(1).filter((line) => line.startsWith("  "));
        for (const line of listed) {
          assert.ok(await exists(join(target, line.trim().replace(/ \(generated\)$/, ""))), line);
        }
        if (template.kind === "project") {
          assert.ok(listed.includes("  processors/tremolo.gen.ts (generated)"), listed.join("\n"));
        }
        // Its README is titled with the name (a formatter once turned a placeholder into bold).
        const readme = await Deno.readTextFile(join(target, "README.md"));
        assert.equal(readme.split("\n")[0], "# DemoThing");
        const result = await run(template.test, target);
        assert.equal(result.code, 0, `${template.test.join(" ")} in ${target}:\n${result.output}`);
        // What the tools wrote while the tests ran (the codegen cache) is no source: a `git add .`
        // in the new folder must not pick it up.
        await run(["git", "init", "-q"], target);
        const status = await run(["git", "status", "--porcelain", "--untracked-files=all"], target);
        assert.doesNotMatch(status.output, /\.cache\//, status.output);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("createFromTemplate() substitutes the name in paths and contents and adds streamlib's imports", async () => {
  const templates = await Deno.makeTempDir();
  const target = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(templates, "thing", "{{snake}}"), { recursive: true });
    await Deno.writeTextFile(
      join(templates, "thing", "{{snake}}", "{{kebab}}.txt"),
      "{{name}} {{pascal}} {{camel}} {{snake}} {{kebab}} {{version}} {{other}}",
    );
    await Deno.writeTextFile(
      join(templates, "thing", "deno.json"),
      JSON.stringify({ imports: { x: "./x.ts" } }),
    );
    await Deno.writeTextFile(
      join(templates, "thing", "template.json"),
      JSON.stringify({ description: "a thing", test: "true" }),
    );
    const made = await createFromTemplate("thing", "room-tone", {
      templates,
      dir: join(target, "out"),
    });
    assert.deepEqual(made.files, ["deno.json", "room_tone/room-tone.txt"]);
    assert.deepEqual(made.template.test, ["true"]);
    const text = await Deno.readTextFile(join(target, "out", "room_tone", "room-tone.txt"));
    assert.match(
      text,
      /^room-tone RoomTone roomTone room_tone room-tone \d+\.\d+\.\d+ \{\{other\}\}$/,
    );
    const config = JSON.parse(await Deno.readTextFile(join(target, "out", "deno.json")));
    assert.equal(config.imports.x, "./x.ts");
    assert.match(config.imports["@streamlib/streamlib"], /^(file:.*\/mod\.ts|jsr:)/);
    assert.ok(!(await exists(join(target, "out", "template.json"))), "template.json is not copied");
  } finally {
    await Deno.remove(templates, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("streamlib new refuses an unknown kind and an invalid name with exit 2", async () => {
  const unknown = capture();
  assert.equal(await main(["new", "projet", "demo"], unknown.output), 2);
  assert.match(
    unknown.err[0],
    /^error: template_not_found: Cannot find template 'projet': did you mean project\? templates: /,
  );
  const invalid = capture();
  assert.equal(await main(["new", "project", "9lives"], invalid.output), 2);
  assert.match(invalid.err[0], /^error: template_name_invalid: Cannot use '9lives' as a name/);
  const missing = capture();
  assert.equal(await main(["new", "project"], missing.output), 2);
  assert.match(
    missing.err[0],
    /^error: missing_argument: Missing NAME: streamlib new project NAME/,
  );
});

Deno.test("streamlib new refuses a name its class could not take, before it writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], RegExp][] = [
      // The template imports Processor and ProcessContext: `class Processor extends Processor`.
      [
        ["processor", "Processor"],
        /the processor template's code imports 'Processor'.*MyProcessor/,
      ],
      [["processor", "process-context"], /imports 'ProcessContext'/],
      [["native-plugin", "config"], /the native-plugin template's code imports 'Config'/],
      // A plugin's processor named as a built-in is refused when loaded.
      [["processor", "Gain"], /'Gain' is a built-in processor.*duplicate_processor.*MyGain/],
      [["python-processor", "wav-writer"], /'WavWriter' is a built-in processor/],
      [["native-plugin", "gain"], /'Gain' is a built-in processor/],
      [["python-processor", "none"], /'None' is a reserved word/],
      [["native-plugin", "self"], /'Self' is a reserved word/],
    ];
    for (const [args, message] of cases) {
      const { err, output } = capture();
      const target = join(dir, args.join("_"));
      assert.equal(await main(["new", ...args, "--dir", target], output), 2, args.join(" "));
      assert.match(err[0], /^error: template_name_invalid: /);
      assert.match(err[0], message);
      await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
    }
    // A project's name is not a class: "processor" and "gain" are fine project names.
    for (const name of ["processor", "gain"]) {
      const { output } = capture();
      assert.equal(await main(["new", "project", name, "--dir", join(dir, name)], output), 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importedIdentifiers() reads TypeScript, Python and Rust imports", () => {
  assert.deepEqual(
    importedIdentifiers(
      [
        'import { a, type B, c as D } from "m";',
        'import type { E } from "m";',
        'import F from "m";',
        'import { {{camel}}Node } from "./x.gen.ts";',
        "from streamlib_processor import audio, processor",
        "import numpy",
        "use streamlib_plugin::{Config, Frames};",
        "use std::fmt::Write;",
      ].join("\n"),
    ),
    ["a", "B", "D", "E", "F", "audio", "processor", "numpy", "Config", "Frames", "Write"],
  );
});

Deno.test("streamlib new overwrites nothing: a file in the way stops it before it writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "pipeline.json"), "mine");
    const { err, output } = capture();
    assert.equal(await main(["new", "project", "demo", "--dir", dir], output), 1);
    assert.match(err[0], /^error: template_target_exists: .*pipeline\.json.*nothing was written/);
    assert.equal(await Deno.readTextFile(join(dir, "pipeline.json")), "mine");
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, ["pipeline.json"]);
    await assert.rejects(
      createFromTemplate("project", "demo", { dir }),
      (error) => error instanceof TemplateError && error.existing.length === 1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "a TypeScript, a Python and a native plugin from the templates, in a plugin folder, load by name",
  // A cargo build of the native plugin and a Python child: minutes on a busy machine.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_new_plugins_" });
    try {
      const plugins = join(dir, "plugins");
      const made = [["processor", "DemoTs"], ["python-processor", "DemoPy"], [
        "native-plugin",
        "DemoNative",
      ]] as const;
      for (const [kind, name] of made) {
        const { err, output } = capture();
        const code = await main(["new", kind, name, "--dir", join(plugins, kind)], output);
        assert.equal(code, 0, err.join("\n"));
      }
      // The native plugin is a crate: its library is built before discovery can find it.
      const native = join(plugins, "native-plugin");
      for (const command of [["sh", "test.sh"], ["cargo", "build", "--release"]]) {
        const result = await run(command, native);
        assert.equal(result.code, 0, `${command.join(" ")}:\n${result.output}`);
      }
      const found = await discoverPlugins([plugins]);
      assert.deepEqual(found.map((p) => p.metadata.kind).sort(), [
        "native",
        "python",
        "typescript",
      ]);
      const { registry } = await loadPlugins(found);
      assert.deepEqual([...registry.names].sort(), ["DemoNative", "DemoPy", "DemoTs"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("streamlib new refuses a processor name the project has; two plugins' clash names both", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_new_taken_" });
  const elsewhere = await Deno.makeTempDir({ prefix: "streamlib_new_elsewhere_" });
  try {
    await createFromTemplate("project", "studio", { dir, cwd: dir });
    // The project's own Tremolo (processors/tremolo.ts): a plugin of that name would clash.
    await assert.rejects(
      createFromTemplate("processor", "Tremolo", { dir: "plugins/trem", cwd: dir }),
      (error) =>
        error instanceof TemplateError && error.code === "template_name_invalid" &&
        error.message.includes(
          "the project already has a processor 'Tremolo' (in processors/tremolo.ts)",
        ),
    );
    await createFromTemplate("processor", "Hum", { dir: "plugins/hum", cwd: dir });
    await assert.rejects(
      createFromTemplate("python-processor", "Hum", { dir: "plugins/hum_py", cwd: dir }),
      (error) =>
        error instanceof TemplateError &&
        error.message.includes("(from plugin hum in plugins/hum)"),
    );
    // Made from another folder (no project there), a second Hum lands beside the first: loading
    // both names each definition's file and plugin.
    const second = join(dir, "plugins", "hum_b");
    await createFromTemplate("processor", "Hum", { dir: second, cwd: elsewhere });
    const meta = join(second, "streamlib.plugin.json");
    const json = JSON.parse(await Deno.readTextFile(meta));
    await Deno.writeTextFile(meta, JSON.stringify({ ...json, name: "hum-b" }));
    const found = await discoverPlugins([join(dir, "plugins")]);
    await assert.rejects(
      loadPlugins(found),
      (error: Error) =>
        (error as { code?: string }).code === "duplicate_processor" &&
        /plugins\/hum\/hum\.ts \(plugin hum\) and .*plugins\/hum_b\/hum\.ts \(plugin hum-b\)/
          .test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
