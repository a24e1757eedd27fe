/**
 * `VideoWindow` under Xvfb: what the window shows is what was sent (a screenshot taken with `xwd`
 * compared with the frame), the picture fits a resized window, the close button ends the graph's
 * stream (or only the node's), live sources and all, in a program and under `deno task run`, which
 * exits 0, Ctrl-C stops `streamlib run` with a window open, and each missing piece (a display, SDL,
 * `--unstable-webgpu`) fails setup with its code. Each window runs in a child process
 * (`video_window_child.ts`) with `--unstable-webgpu` and its own `DISPLAY`. Needs `xvfb`,
 * `x11-apps` (xwd), `x11-utils` (xwininfo), `ffmpeg`, `libsdl2-2.0-0` and a Vulkan driver
 * (`mesa-vulkan-drivers`): `scripts/install_test_deps.sh` installs them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import type { PixelFormat } from "../../mod.ts";
import { psnr } from "../media/mp4_tools.ts";
import { withTempDir } from "../media/media_tools.ts";
import { withXvfb } from "../media/xvfb.ts";
import { cardAs } from "./window_fixture.ts";
import { closeWindow, findWindow, type FoundWindow, resizeWindow, screenshot } from "./x11.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = "tests/display/video_window_child.ts";
const [W, H] = [160, 120];
/** The longest wait for anything a child does; a loaded machine is slow, never this slow. */
const DEADLINE_MS = 60_000;

/** A running child: its JSON lines, in order. */
interface Child {
  next(event: string): Promise<Record<string, unknown>>;
  stop(): Promise<number>;
  process: Deno.ChildProcess;
}

function spawn(args: string[], env: Record<string, string>, clearEnv = false): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    clearEnv,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const kill = setTimeout(() => process.kill("SIGKILL"), 3 * DEADLINE_MS);
  const lines = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  const errors = process.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (stderr += chunk) }),
  );
  let buffer = "";
  const seen: Record<string, unknown>[] = [];
  const next = async (event: string) => {
    const deadline = Date.now() + DEADLINE_MS;
    while (true) {
      const found = seen.find((line) => line.event === event || line.event === "error");
      if (found) {
        seen.splice(seen.indexOf(found), 1);
        if (found.event === "error" && event !== "error") {
          throw new Error(`the window's node failed: ${JSON.stringify(found)}\n${stderr}`);
        }
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`no '${event}' within ${DEADLINE_MS} ms\n${stderr}`);
      }
      const { value, done } = await lines.read();
      if (done) throw new Error(`the child exited before '${event}':\n${buffer}\n${stderr}`);
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line.startsWith("{")) seen.push(JSON.parse(line));
      }
    }
  };
  const stop = async () => {
    await process.stdin.close().catch(() => {});
    const { code } = await process.status;
    clearTimeout(kill);
    await lines.cancel().catch(() => {});
    await errors.catch(() => {});
    return code;
  };
  return { next, stop, process };
}

function windowChild(
  display: string,
  options: Record<string, unknown>,
  flags = ["--unstable-webgpu"],
) {
  return spawn(["run", "-A", ...flags, CHILD, JSON.stringify(options)], { DISPLAY: display });
}

async function waitForWindow(
  display: string,
  title: string,
  ok: (w: FoundWindow) => boolean = () => true,
): Promise<FoundWindow> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const window = await findWindow(display, title);
    if (window && ok(window)) return window;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no window '${title}' on ${display} within ${DEADLINE_MS} ms`);
}

/** Screenshots until `check` passes (the next frame drawn after a change), or fails at the end. */
async function untilShown(
  display: string,
  window: FoundWindow,
  dir: string,
  check: (pixels: Uint8Array) => void,
): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (true) {
    const pixels = await screenshot(display, window, dir);
    try {
      return check(pixels);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The `width` x `height` block at (`x`, `y`) of an RGBA picture `stride` pixels wide. */
function crop(
  rgba: Uint8Array,
  stride: number,
  x: number,
  y: number,
  width: number,
  height: number,
) {
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * stride + x) * 4;
    out.set(rgba.subarray(start, start + width * 4), row * width * 4);
  }
  return out;
}

const isBlack = (rgba: Uint8Array) => rgba.every((v, i) => i % 4 === 3 || v === 0);

/**
 * Fails naming the first pixel that differs (`assert.deepEqual` on pictures this size spends
 * minutes on its diff).
 */
function assertSamePixels(actual: Uint8Array, expected: Uint8Array, width: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: size`);
  const i = actual.findIndex((v, k) => v !== expected[k]);
  if (i < 0) return;
  const p = i - (i % 4);
  const [x, y] = [(p / 4) % width, Math.floor(p / 4 / width)];
  assert.fail(
    `${what}: pixel (${x}, ${y}) is ${actual.subarray(p, p + 4)}, expected ${
      expected.subarray(p, p + 4)
    }`,
  );
}

for (const format of ["RGBA", "BGRA", "I420", "NV12"] as PixelFormat[]) {
  Deno.test(`VideoWindow shows ${format} frames as sent: a screenshot of the window matches`, async () => {
    const { expected } = cardAs(format, W, H);
    await withTempDir(async (dir) => {
      await withXvfb(640, 480, async ({ display }) => {
        const title = `card-${format}`;
        const child = windowChild(display, { format, width: W, height: H, title });
        try {
          await child.next("shown");
          const window = await waitForWindow(display, title);
          assert.deepEqual(
            [window.width, window.height],
            [W, H],
            "the window takes the frame's size",
          );
          await untilShown(display, window, dir, (pixels) => {
            if (format === "RGBA" || format === "BGRA") {
              assertSamePixels(pixels, expected, W, "pixel for pixel");
            } else {
              // Converted to RGB in the shader, in floating point, against the CPU's fixed point:
              // at most 1 apart in any channel (92 dB here).
              const db = psnr(pixels, expected);
              assert.ok(db >= 50, `PSNR ${db.toFixed(1)} dB against the CPU conversion`);
              const worst = pixels.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
              assert.ok(worst <= 1, `a channel is ${worst} away from the CPU conversion`);
            }
          });
        } finally {
          assert.equal(await child.stop(), 0);
        }
      });
    });
  });
}

Deno.test("VideoWindow fits the picture to its window, aspect ratio kept, and draws it again on a resize", async () => {
  const { expected } = cardAs("RGBA", W, H);
  await withTempDir(async (dir) => {
    await withXvfb(640, 480, async ({ display }) => {
      const title = "fit";
      const child = windowChild(display, {
        format: "RGBA",
        width: W,
        height: H,
        title,
        windowWidth: 2 * W,
        windowHeight: H,
        frames: 8, // then none: the resize alone must draw the last frame again
      });
      try {
        await child.next("shown");
        const wide = await waitForWindow(display, title);
        assert.deepEqual([wide.width, wide.height], [2 * W, H]);
        await untilShown(display, wide, dir, (pixels) => {
          assert.ok(isBlack(crop(pixels, 2 * W, 0, 0, W / 2, H)), "black bar on the left");
          assert.deepEqual(
            crop(pixels, 2 * W, W / 2, 0, W, H),
            expected,
            "the frame, 1:1, centred",
          );
          assert.ok(
            isBlack(crop(pixels, 2 * W, (3 * W) / 2, 0, W / 2, H)),
            "black bar on the right",
          );
        });
        resizeWindow(display, wide.id, W, 2 * H);
        const tall = await waitForWindow(display, title, (w) => w.height === 2 * H);
        await untilShown(display, tall, dir, (pixels) => {
          assert.ok(isBlack(crop(pixels, W, 0, 0, W, H / 2)), "black bar above");
          assertSamePixels(crop(pixels, W, 0, H / 2, W, H), expected, W, "the frame, centred");
          assert.ok(isBlack(crop(pixels, W, 0, (3 * H) / 2, W, H / 2)), "black bar below");
        });
      } finally {
        assert.equal(await child.stop(), 0);
      }
    });
  });
});

for (const closeEndsGraph of [true, false]) {
  const ends = closeEndsGraph ? "the graph's" : "only the node's";
  Deno.test(`VideoWindow: closing the window ends ${ends} stream (closeEndsGraph: ${closeEndsGraph}) and the runtime stops cleanly`, async () => {
    await withXvfb(640, 480, async ({ display }) => {
      const title = `closing-${closeEndsGraph}`;
      const options = { format: "I420", width: W, height: H, title, closeEndsGraph };
      const child = windowChild(display, options);
      try {
        await child.next("shown");
        const window = await waitForWindow(display, title);
        closeWindow(display, window.id);
        const eos = await child.next("eos");
        assert.equal(eos.graph, closeEndsGraph, "node-eos says whether it asked the graph to end");
        const { stats } = await child.next("stopped") as { stats: Record<string, unknown> };
        assert.equal(stats.windowOpen, false);
        assert.ok(Number(stats.framesPresented) >= 5);
        assert.equal(await findWindow(display, title), undefined, "the window is gone");
      } finally {
        assert.equal(await child.stop(), 0);
      }
    });
  });
}

/** Kills `process` unless it has exited already. */
function kill(process: Deno.ChildProcess): void {
  try {
    process.kill("SIGKILL");
  } catch {
    // Exited already.
  }
}

/** Waits for `process` to exit, killing it after `ms`; its exit code and its output. */
async function exited(process: Deno.ChildProcess, ms = 3 * DEADLINE_MS) {
  const timer = setTimeout(() => kill(process), ms);
  try {
    const { code, stdout, stderr } = await process.output();
    const text = new TextDecoder().decode(stdout);
    return { code, stdout: text, all: text + new TextDecoder().decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("VideoWindow: closing the window ends a graph with a live source, and the program that awaited it exits 0", async () => {
  await withXvfb(640, 480, async ({ display }) => {
    const title = "live";
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-webgpu", "tests/display/live_window_child.ts", title],
      cwd: ROOT,
      env: { DISPLAY: display, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const window = await waitForWindow(display, title).catch(async (error) => {
      kill(process);
      throw new Error(`${error.message}\n${(await exited(process)).all}`);
    });
    closeWindow(display, window.id);
    // The program awaits `end-of-stream`, stops and returns: the process ends by itself.
    const { code, stdout, all } = await exited(process);
    assert.equal(code, 0, all);
    const line = stdout.split("\n").find((l) => l.startsWith("{"));
    assert.ok(line, `no report on stdout:\n${all}`);
    const report = JSON.parse(line);
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.ended, [report.window, "test_pattern_1"].sort(), "both nodes ended");
    assert.equal(report.stats.windowOpen, false);
    assert.ok(report.stats.framesPresented >= 1);
    assert.deepEqual(report.leaks, [], "no frame outlived the run");
    assert.equal(await findWindow(display, title), undefined, "the window is gone");
  });
});

Deno.test("streamlib run with a VideoWindow stops cleanly on SIGINT", async () => {
  await withTempDir(async (dir) => {
    await withXvfb(640, 480, async ({ display }) => {
      const manifest = `${dir}/window.json`;
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          version: 1,
          nodes: [
            { id: "bars", type: "TestPattern", config: { width: W, height: H, fps: 30 } },
            { id: "win", type: "VideoWindow", config: { title: "run" } },
          ],
          connections: [{ from: "bars.video", to: "win.in" }],
        }),
      );
      const process = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unstable-webgpu", "cli/streamlib.ts", "run", manifest],
        cwd: ROOT,
        env: { DISPLAY: display, NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const kill = setTimeout(() => process.kill("SIGKILL"), 3 * DEADLINE_MS);
      try {
        await waitForWindow(display, "run");
        process.kill("SIGINT");
        const { code, stdout, stderr } = await process.output();
        const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
        assert.equal(code, 0, out);
        assert.match(out, /stopped: .* 0 failed/);
      } finally {
        clearTimeout(kill);
      }
    });
  });
});

Deno.test("deno task run (streamlib run) of a live source into a VideoWindow exits 0 when the window is closed", async () => {
  await withTempDir(async (dir) => {
    await withXvfb(640, 480, async ({ display }) => {
      const manifest = `${dir}/window.json`;
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          version: 1,
          nodes: [
            { id: "bars", type: "TestPattern", config: { width: W, height: H, fps: 30 } },
            { id: "win", type: "VideoWindow", config: { title: "closed-run" } },
          ],
          connections: [{ from: "bars.video", to: "win.in" }],
        }),
      );
      // The run task's own command line (`deno task run` without the shell between, so that a
      // kill reaches the process that holds the window): it must pass --unstable-webgpu itself.
      const [deno, ...task] = denoJson.tasks.run.split(" ");
      assert.equal(deno, "deno");
      const process = new Deno.Command(Deno.execPath(), {
        args: [...task, manifest, "--json"],
        cwd: ROOT,
        env: { DISPLAY: display, NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const window = await waitForWindow(display, "closed-run").catch(async (error) => {
        kill(process);
        throw new Error(`${error.message}\n${(await exited(process)).all}`);
      });
      closeWindow(display, window.id);
      const { code, stdout, all } = await exited(process);
      assert.equal(code, 0, all);
      const events = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.ok(events.some((e) => e.event === "end-of-stream"), `no end-of-stream:\n${all}`);
      const stopped = events.find((e) => e.event === "stopped");
      assert.equal(stopped?.exitCode, 0, all);
      assert.equal(stopped.failures, 0);
      assert.equal(stopped.stats.nodes.win.processor.windowOpen, false);
      assert.equal(stopped.stats.state, "stopped");
    });
  });
});

/** Runs the child in `env` only (no DISPLAY unless given) and returns the error it reports. */
async function setupError(env: Record<string, string>, flags = ["--unstable-webgpu"]) {
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "STREAMLIB_NATIVE_LIB"];
  const base = Object.fromEntries(
    keep.flatMap((name) => Deno.env.get(name) ? [[name, Deno.env.get(name)!]] : []),
  );
  const options = JSON.stringify({ format: "RGBA", width: W, height: H, title: "never" });
  const child = spawn(["run", "-A", ...flags, CHILD, options], { ...base, ...env }, true);
  try {
    return await child.next("error");
  } finally {
    assert.equal(await child.stop(), 0);
  }
}

Deno.test("VideoWindow without a display fails setup with display_unavailable, saying to set DISPLAY", async () => {
  const error = await setupError({});
  assert.equal(error.code, "display_unavailable", JSON.stringify(error));
  assert.match(String(error.message), /set DISPLAY/);
});

Deno.test("VideoWindow without SDL 2 fails setup with sdl_unavailable, naming the package", async () => {
  await withXvfb(64, 64, async ({ display }) => {
    const error = await setupError({
      DISPLAY: display,
      STREAMLIB_SDL2_LIB: "/nonexistent/libSDL2.so",
    });
    assert.equal(error.code, "sdl_unavailable", JSON.stringify(error));
    assert.match(String(error.message), /libsdl2-2\.0-0/);
  });
});

Deno.test("VideoWindow without --unstable-webgpu fails setup with window_surface_unavailable", async () => {
  await withXvfb(64, 64, async ({ display }) => {
    const error = await setupError({ DISPLAY: display }, []);
    assert.equal(error.code, "window_surface_unavailable", JSON.stringify(error));
    assert.match(String(error.message), /--unstable-webgpu/);
  });
});

Deno.test("VideoWindow without a Vulkan driver fails setup with window_gpu_unavailable, naming the package", async () => {
  await withXvfb(64, 64, async ({ display }) => {
    // No Vulkan driver at all: Vulkan alone (asked for by the window when nothing is set, and
    // set explicitly) finds no adapter.
    const none = { DISPLAY: display, VK_ICD_FILENAMES: "/nonexistent.json" };
    const backends: Record<string, string>[] = [{}, { DENO_WEBGPU_BACKEND: "vulkan" }];
    for (const backend of backends) {
      const noAdapter = await setupError({ ...none, ...backend });
      assert.equal(noAdapter.code, "window_gpu_unavailable", JSON.stringify(noAdapter));
      assert.match(String(noAdapter.message), /mesa-vulkan-drivers/);
    }
    // OpenGL, chosen by the user: its adapter cannot present to the X11 window.
    const gl = await setupError({ ...none, DENO_WEBGPU_BACKEND: "gl" });
    assert.equal(gl.code, "window_gpu_unavailable", JSON.stringify(gl));
    assert.match(String(gl.message), /cannot present to an X11 window.*mesa-vulkan-drivers/);
  });
});
