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
