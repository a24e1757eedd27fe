/**
 * The package as a JSR user gets it, in a scratch project outside the repository.
 *
 * The publishable files (`deno.json` `publish.include`/`exclude`, as `deno publish` ships them)
 * are copied to a temp folder; a scratch project links it with `deno.json` `"links"`, so
 * `jsr:@streamlib/streamlib@^0.1.0/...` resolves to the copy through the package's `exports`
 * and its own import map, exactly as an installed JSR package resolves (JSR itself cannot be
 * reached here). The copy has crate sources and no built library; `STREAMLIB_NATIVE_LIB` is not
 * set. The first pipeline that needs the native library (a node on a Worker, connected by the
 * native rings) makes the loader build it with cargo, printing one progress line; the second
 * run finds it cached. The `streamlib` CLI runs from the same package.
 *
 * A second project imports the package over HTTP from a local server laid out like jsr.io
 * (`/@streamlib/streamlib/0.1.0/...` and `/@streamlib/streamlib/0.1.0_meta.json`), which is how
 * Deno runs a real JSR install: the loader fetches the crate sources listed by the version
 * manifest, checks their checksums and builds them.
 *
 * Speed: cargo shares the repository's target folder (`CARGO_TARGET_DIR=crates/target`, which
 * `deno task build:native` fills first) as its build dir, so each build recompiles only
 * `streamlib_native` (about 10 s); with an empty target folder the first build takes a few
 * minutes. The library the other tests load from that folder
 * (`crates/target/release/libstreamlib_native.so`) must stay as it is while they run: the loader
 * puts its build's library in a folder of its own, and both tests check the repository's is
 * the same file afterwards.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nativeLibraryFileName } from "../../ffi/native/cache.ts";
import { copyPublishFiles, publishFiles } from "./publish_files.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const version = JSON.parse(Deno.readTextFileSync(join(repo, "deno.json"))).version as string;

const PIPELINE = `
import { createRuntime } from "@streamlib/streamlib/processors";
import { libraryPath, loadNativeLibrary } from "@streamlib/streamlib/ffi";

const rt = createRuntime();
rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
rt.add("WavWriter", { path: "out.wav" }, { id: "wav" });
rt.connectByName("tone", "audio", "gain", "in");
rt.connectByName("gain", "out", "wav", "in");
await rt.start();
await new Promise((resolve) => setTimeout(resolve, 300));
await rt.stop();
console.log(JSON.stringify({
  framesIn: rt.stats().nodes.wav.framesIn,
  crossIsolate: rt.describe().connections.every((c) => c.crossIsolate),
  library: libraryPath(loadNativeLibrary()),
}));
`;

const REMOTE = (base: string) => `
import {
  createNativeRing,
  FrameMessageBatch,
  libraryPath,
  loadNativeLibrary,
} from "${base}ffi/mod.ts";

const [producer, consumer] = createNativeRing({ capacity: 4, policy: "fifo" });
const batch = new FrameMessageBatch(1);
batch.write(0, 0, 0, 0, 0, 42, 7);
producer.push(batch);
consumer.popLatest(batch);
console.log(JSON.stringify({ timestampNs: batch.timestampNs(0), library: libraryPath(loadNativeLibrary()) }));
producer.close();
consumer.close();
`;

/**
 * What the scratch project's `deno` needs to reach the npm registry from this machine: the npm
 * registry override, proxies and extra CA certificates (a TLS-intercepting proxy).
 */
const NETWORK_ENV = [
  "NPM_CONFIG_REGISTRY",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/** Deno reads extra CAs from `DENO_CERT`; machines that set only `SSL_CERT_FILE` get it there. */
function withCaBundle(env: Record<string, string>): void {
  if (env.DENO_CERT === undefined && env.SSL_CERT_FILE !== undefined) {
    env.DENO_CERT = env.SSL_CERT_FILE;
  }
}

async function denoDir(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  })
    .output();
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}

async function deno(cwd: string, env: Record<string, string>, ...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, out: decode(output.stdout), err: decode(output.stderr) };
}

const repoLibrary = join(repo, "crates", "target", "release", nativeLibraryFileName());

/** The repository's built library as a file: its inode (or birth time) and its modification time. */
function fileIdentity(path: string): string {
  const info = Deno.statSync(path);
  return `${info.ino ?? info.birthtime?.getTime()}:${info.mtime?.getTime()}`;
}

Deno.test({
  name:
    "the published package, linked into a scratch project, builds its native library with cargo and runs a pipeline",
  sanitizeResources: false,
  fn: async () => {
    const scratch = await Deno.makeTempDir({ prefix: "streamlib_jsr_" });
    assert.ok(!scratch.startsWith(repo), "the scratch project is outside the repository");
    const pkg = join(scratch, "streamlib");
    const app = join(scratch, "app");
    const cache = join(scratch, "cache");
    assert.ok(copyPublishFiles(repo, pkg) > 100);
    await assert.rejects(() => Deno.stat(join(pkg, "crates", "target")), "no built library ships");
    await Deno.mkdir(app);
    await Deno.writeTextFile(
      join(app, "deno.json"),
      JSON.stringify({
        links: ["../streamlib"],
        imports: {
          "@streamlib/streamlib": `jsr:@streamlib/streamlib@^${version}`,
          "@streamlib/streamlib/": `jsr:/@streamlib/streamlib@^${version}/`,
        },
      }),
    );
    await Deno.writeTextFile(join(app, "pipeline.ts"), PIPELINE);
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? scratch,
      DENO_DIR: await denoDir(),
      NO_COLOR: "1",
      // Where the loader caches builds (the OS cache folder; STREAMLIB_CACHE_DIR elsewhere).
      [Deno.build.os === "linux" ? "XDG_CACHE_HOME" : "STREAMLIB_CACHE_DIR"]: cache,
      CARGO_TARGET_DIR: join(repo, "crates", "target"),
    };
    for (const name of ["CARGO_HOME", "RUSTUP_HOME", ...NETWORK_ENV]) {
      const value = Deno.env.get(name);
      if (value) env[name] = value;
    }
    withCaBundle(env);
    const before = fileIdentity(repoLibrary);
    try {
      const first = await deno(app, env, "run", "-A", "pipeline.ts");
      assert.equal(first.code, 0, first.err);
      const building = first.err.split("\n").filter((l) => l.startsWith("streamlib: building"));
      assert.equal(building.length, 1, first.err);
      assert.match(
        building[0],
        /^streamlib: building the native library from .*streamlib[\\/]crates with cargo .*\.\.\. done in \d+ s: /,
      );
      const result = JSON.parse(first.out);
      assert.ok(result.framesIn > 0, "audio went through the Worker and back");
      assert.equal(result.crossIsolate, true);
      assert.ok(result.library.startsWith(join(cache, "streamlib", "native")), result.library);
      assert.equal(
        fileIdentity(repoLibrary),
        before,
        `the build left ${repoLibrary}, which the other tests load, as it was`,
      );
      assert.deepEqual(
        [...Deno.readDirSync(join(result.library, ".."))].map((entry) => entry.name),
        [basename(result.library)],
        "the build's own target folder is gone; only the library is cached",
      );

      const second = await deno(app, env, "run", "-A", "pipeline.ts");
      assert.equal(second.code, 0, second.err);
      assert.doesNotMatch(second.err, /building/, "the build is cached");
      assert.equal(JSON.parse(second.out).library, result.library);

      // The CLI from the same package: `deno run -A jsr:@streamlib/streamlib/cli ...`.
      const cli = `jsr:@streamlib/streamlib@^${version}/cli`;
      await Deno.writeTextFile(
        join(app, "tone.json"),
        JSON.stringify({
          version: 1,
          nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "sink", type: "NullSink" }],
          connections: [{ from: "tone.audio", to: "sink.in" }],
        }),
      );
      const valid = await deno(app, env, "run", "-A", cli, "validate", "tone.json");
      assert.equal(valid.code, 0, valid.err);
      const run = await deno(
        app,
        env,
        "run",
        "-A",
        cli,
        "run",
        "tone.json",
        "--seconds",
        "0.3",
        "--json",
      );
      assert.equal(run.code, 0, run.err);
      assert.equal(JSON.parse(run.out.trim().split("\n").at(-1)!).event, "stopped");
      const unknown = await deno(app, env, "run", "-A", cli, "nodes", "info", "Gian");
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /did you mean Gain\?/);

      // Without cargo (and no build cached), the error names cargo and STREAMLIB_NATIVE_LIB.
      const noCargo = await deno(
        app,
        {
          ...env,
          PATH: "",
          [Deno.build.os === "linux" ? "XDG_CACHE_HOME" : "STREAMLIB_CACHE_DIR"]: join(
            scratch,
            "empty",
          ),
        },
        "run",
        "-A",
        "pipeline.ts",
      );
      assert.notEqual(noCargo.code, 0);
      assert.match(noCargo.err, /CargoNotFoundError|cargo is not installed/);
      assert.match(noCargo.err, /STREAMLIB_NATIVE_LIB/);
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the package served like jsr.io fetches its crate sources by the version manifest and builds them",
  sanitizeResources: false,
  fn: async () => {
    const scratch = await Deno.makeTempDir({ prefix: "streamlib_jsr_http_" });
    const files = publishFiles(repo);
    const prefix = `/@streamlib/streamlib/${version}`;
    const manifest = Object.fromEntries(files.map((file) => {
      const bytes = Deno.readFileSync(join(repo, file));
      const checksum = `sha256-${createHash("sha256").update(bytes).digest("hex")}`;
      return [`/${file}`, { size: bytes.length, checksum }];
    }));
    let fetchedCrates = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path === `${prefix}_meta.json`) return Response.json({ manifest });
      const file = path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
      if (file === undefined || !(file in manifest)) {
        return new Response("not found", { status: 404 });
      }
      if (file.startsWith("/crates/")) fetchedCrates++;
      const type = file.endsWith(".ts") ? "application/typescript" : "application/octet-stream";
      return new Response(Deno.readFileSync(join(repo, file)), {
        headers: { "content-type": type },
      });
    });
    const host = `127.0.0.1:${server.addr.port}`;
    const base = `http://${host}${prefix}/`;
    const cache = join(scratch, "cache");
    await Deno.writeTextFile(join(scratch, "main.ts"), REMOTE(base));
    await Deno.writeTextFile(join(scratch, "deno.json"), "{}");
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? scratch,
      DENO_DIR: join(scratch, "deno_dir"), // a fresh module cache: nothing from the repo
      NO_COLOR: "1",
      [Deno.build.os === "linux" ? "XDG_CACHE_HOME" : "STREAMLIB_CACHE_DIR"]: cache,
      CARGO_TARGET_DIR: join(repo, "crates", "target"),
    };
    for (const name of ["CARGO_HOME", "RUSTUP_HOME", ...NETWORK_ENV]) {
      const value = Deno.env.get(name);
      if (value) env[name] = value;
    }
    withCaBundle(env);
    const before = fileIdentity(repoLibrary);
    try {
      const result = await deno(scratch, env, "run", "-A", "main.ts");
      assert.equal(result.code, 0, result.err);
      const out = JSON.parse(result.out);
      assert.equal(out.timestampNs, 42);
      assert.ok(out.library.startsWith(join(cache, "streamlib", "native")), out.library);
      assert.ok(fetchedCrates >= 10, `fetched ${fetchedCrates} crate files`);
      assert.equal(fileIdentity(repoLibrary), before, `the build left ${repoLibrary} as it was`);
      assert.match(
        result.err,
        /streamlib: building the native library from .*source.* done in \d+ s/,
      );
    } finally {
      await server.shutdown();
      await Deno.remove(scratch, { recursive: true });
    }
  },
});
