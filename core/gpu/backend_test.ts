import assert from "node:assert/strict";

const DEVICE = new URL("./device.ts", import.meta.url).href;
const BACKEND = new URL("./backend.ts", import.meta.url).href;

/** Runs `code` in a new Deno with `DENO_WEBGPU_BACKEND` as given ("" for unset), returning stdout. */
async function run(code: string, backend: string, flags: string[] = ["-A"]): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", ...flags, file],
    env: { DENO_WEBGPU_BACKEND: backend },
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(file));
  const err = new TextDecoder().decode(stderr);
  assert.equal(status, 0, err);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test({
  name: "IsolateGpu asks for Vulkan alone on Linux: the OpenGL libraries are never loaded",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const out = await run(
      `import { IsolateGpu } from "${DEVICE}";
       const gpu = new IsolateGpu();
       await gpu.ready();
       const maps = Deno.readTextFileSync("/proc/self/maps");
       console.log(JSON.stringify({
         backend: Deno.env.get("DENO_WEBGPU_BACKEND"),
         egl: maps.includes("libEGL"),
         vulkan: maps.includes("libvulkan"),
       }));
       gpu.close();`,
      "",
    );
    assert.deepEqual(JSON.parse(out), { backend: "vulkan", egl: false, vulkan: true });
  },
});

Deno.test("chooseGpuBackend() keeps the user's choice", async () => {
  const out = await run(
    `import { chooseGpuBackend } from "${BACKEND}"; console.log(chooseGpuBackend());`,
    "gl",
  );
  assert.equal(out, "gl");
});

Deno.test("chooseGpuBackend() without permission to set the variable changes nothing", async () => {
  const out = await run(
    `import { chooseGpuBackend } from "${BACKEND}";
     console.log(String(chooseGpuBackend()));`,
    "",
    ["--allow-read"],
  );
  assert.equal(out, "undefined");
});

/** Runs `code` with `XDG_RUNTIME_DIR` and `WAYLAND_DISPLAY` unset (a server, CI), returning stdout and stderr. */
async function runHeadless(code: string): Promise<{ out: string; err: string }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const env = Deno.env.toObject();
  delete env.XDG_RUNTIME_DIR;
  delete env.WAYLAND_DISPLAY;
  delete env.DENO_WEBGPU_BACKEND;
  const { code: status, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", "-A", file],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(file));
  const err = new TextDecoder().decode(stderr);
  assert.equal(status, 0, err);
  return { out: new TextDecoder().decode(stdout).trim(), err };
}

Deno.test({
  name:
    "IsolateGpu in the main isolate and a Worker prints no libwayland noise, and restores the env",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { out, err } = await runHeadless(
      `import { IsolateGpu } from "${DEVICE}";
       const gpu = new IsolateGpu();
       await gpu.ready();
       const worker = new Worker(URL.createObjectURL(new Blob([
         'import { IsolateGpu } from "${DEVICE}";' +
         'const gpu = new IsolateGpu(); await gpu.ready(); gpu.close(); postMessage("ok");',
       ], { type: "text/javascript" })), { type: "module" });
       await new Promise((resolve) => worker.onmessage = resolve);
       worker.terminate();
       console.log(JSON.stringify({ wayland: Deno.env.get("WAYLAND_DISPLAY") ?? null }));
       gpu.close();`,
    );
    assert.deepEqual(JSON.parse(out), { wayland: null });
    assert.doesNotMatch(err, /XDG_RUNTIME_DIR/);
  },
});

// Where libwayland could reach a display (a Wayland session's variables), nothing is changed.
for (
  const [name, variable, value] of [
    ["leaves a Wayland session's WAYLAND_DISPLAY alone", "WAYLAND_DISPLAY", "wayland-1"],
    ["hides no display where XDG_RUNTIME_DIR is set", "XDG_RUNTIME_DIR", "/run/user/1000"],
  ] as const
) {
  Deno.test({
    name: `requestGpuAdapter() ${name}`,
    ignore: Deno.build.os !== "linux",
    async fn() {
      const { out } = await runHeadless(
        `import { requestGpuAdapter } from "${BACKEND}";
         Deno.env.set("${variable}", "${value}");
         const before = Deno.env.get("WAYLAND_DISPLAY") ?? null;
         let seen;
         await requestGpuAdapter({
           requestAdapter() { seen = Deno.env.get("WAYLAND_DISPLAY") ?? null; return Promise.resolve(null); },
         });
         console.log(JSON.stringify({ before, seen, after: Deno.env.get("WAYLAND_DISPLAY") ?? null }));`,
      );
      const { before, seen, after } = JSON.parse(out);
      assert.deepEqual({ seen, after }, { seen: before, after: before });
    },
  });
}
