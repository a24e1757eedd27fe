/**
 * Hostile and unusual YUV4MPEG2 files against `Y4mReader` and `Y4mFileSource`: each plays as FFmpeg
 * decodes it, or is refused when opened (and by `streamlib validate`) with a typed error and code.
 */
import assert from "node:assert/strict";
import { checkManifestInputs } from "../../core/manifest/input_check.ts";
import { createProcessContext, type RuntimeEvent } from "../../mod.ts";
import { MAX_RATIO_TERM } from "../../processors/formats/y4m_header.ts";
import { Y4mReader } from "../../processors/formats/y4m_reader.ts";
import { builtinRegistry, createRuntime, NullSink, Y4mFileSource } from "../../processors/mod.ts";
import { y4mFileSourceNode } from "../../processors/sources/y4m_file_source.gen.ts";
import { run, withTempDir } from "./media_tools.ts";

const FFMPEG = ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-frames:v"];

/** Every frame of `path` as the reader gives them, end to end. */
async function readAll(path: string): Promise<Uint8Array> {
  await using reader = await Y4mReader.open(path);
  const frame = new Uint8Array(reader.frameByteLength);
  const frames: Uint8Array[] = [];
  while (await reader.readFrame(frame)) frames.push(frame.slice());
  const out = new Uint8Array(frames.length * frame.length);
  frames.forEach((f, i) => out.set(f, i * f.length));
  return out;
}

Deno.test("Y4mReader scales a full-range file (FFmpeg's yuvj420p) to limited range, within 1 of swscale", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/full.y4m`;
    await run("ffmpeg", [...FFMPEG, "3", "-pix_fmt", "yuvj420p", path]);
    assert.match(new TextDecoder().decode(await Deno.readFile(path)), /XCOLORRANGE=FULL/);
    const expected = (await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      path,
      "-vf",
      "scale=in_range=pc:out_range=tv,format=yuv420p",
      "-f",
      "rawvideo",
      "-",
    ])).stdout;
    const ours = await readAll(path);
    assert.equal(ours.length, expected.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - expected[i]));
    assert.ok(worst <= 1, `largest difference from FFmpeg's conversion: ${worst}`);
    // The bars' white (235 limited) is 255 in the file: played raw it would be out of range.
    assert.ok(ours.subarray(0, 64 * 48).every((y) => y >= 16 && y <= 235));
  });
});

Deno.test("Y4mReader refuses a parameter given twice and ratio terms past 2^31 - 1", async () => {
  await withTempDir(async (dir) => {
    const frame = `FRAME\n${"\x80".repeat(32 * 48 * 3 / 2)}`;
    const cases = [
      // Before: the last W won (frames 32 wide), FFmpeg's reader too, the first frame a mix.
      ["YUV4MPEG2 W64 H48 F5:1 W32", /gives the W parameter twice \('W32'\)/],
      ["YUV4MPEG2 W64 H48 C420jpeg F5:1 C420mpeg2", /gives the C parameter twice/],
      // Before: read as 1e23 (digits lost), a period of 1e-14 ns.
      [
        "YUV4MPEG2 W64 H48 F99999999999999999999999:1",
        /'F99999999999999999999999:1', expected F<n>:<d> with integers from 1 to 2147483647/,
      ],
      [`YUV4MPEG2 W64 H48 F1:${MAX_RATIO_TERM + 1}`, /integers from 1 to 2147483647/],
      [`YUV4MPEG2 W64 H48 F5:1 A${MAX_RATIO_TERM + 1}:1`, /A<n>:<d> with integers/],
    ] as const;
    for (const [header, message] of cases) {
      const path = `${dir}/bad.y4m`;
      await Deno.writeTextFile(path, `${header}\n${frame}`);
      await assert.rejects(Y4mReader.open(path), (e: Error & { code?: string }) => {
        assert.equal(e.code, "bad_header", `${header}: ${e.message}`);
        assert.match(e.message, message);
        return true;
      });
    }
    const path = `${dir}/ok.y4m`;
    await Deno.writeTextFile(path, `YUV4MPEG2 W64 H48 F${MAX_RATIO_TERM}:1001 XA=1 XB=2\n`);
    await using reader = await Y4mReader.open(path);
    assert.equal(reader.header.frameRate.numerator, MAX_RATIO_TERM);
    assert.deepEqual(reader.header.extensions, ["A=1", "B=2"]);
  });
});

Deno.test("streamlib validate's check refuses a Y4M the source cannot play, as setup() would", async () => {
  await withTempDir(async (dir) => {
    const files = {
      c422: ["yuv422p", "unsupported_colorspace"],
      odd: ["yuv420p", "bad_header"],
      ok: ["yuv420p", undefined],
    } as const;
    for (const [name, [pixFmt]] of Object.entries(files)) {
      const size = name === "odd" ? "63x47" : "64x48";
      await run("ffmpeg", [
        ...FFMPEG.slice(0, 5),
        `testsrc=size=${size}:rate=5`,
        "-frames:v",
        "1",
        "-pix_fmt",
        pixFmt,
        `${dir}/${name}.y4m`,
      ]);
    }
    await assert.rejects(Y4mFileSource.checkInput({ path: `${dir}/c422.y4m` }), {
      code: "unsupported_colorspace",
    });
    const manifest = {
      version: 1,
      nodes: Object.keys(files).map((name) => ({
        id: name,
        type: "Y4mFileSource",
        config: { path: `${dir}/${name}.y4m` },
      })),
    };
    // Before, Y4mFileSource had no check: validate said "valid" for all three.
    const issues = await checkManifestInputs(manifest, builtinRegistry);
    assert.deepEqual(
      issues.map((i) => [i.node, i.code]),
      [["c422", "unsupported_colorspace"], ["odd", "bad_header"]],
    );
  });
});

Deno.test("Y4mFileSource says in its log that a truncated last frame ended the file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cut.y4m`;
    await run("ffmpeg", [...FFMPEG, "3", "-pix_fmt", "yuv420p", path]);
    const whole = await Deno.readFile(path);
    await Deno.writeFile(path, whole.subarray(0, whole.length - 100));
    const rt = createRuntime();
    const events: RuntimeEvent[] = [];
    rt.on((e) => void events.push(e));
    const source = rt.add(Y4mFileSource, { path }, { id: "y4m" });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(source.outputs.video, sink.inputs.in);
    await rt.start();
    const deadline = Date.now() + 3_000;
    while (!rt.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await rt.stop();
    assert.equal(rt.stats().nodes.sink.framesIn, 2);
    const warned = events.filter((e) => e.type === "node-log" && e.level === "warn");
    assert.equal(warned.length, 1, JSON.stringify(events.filter((e) => e.type === "node-log")));
    assert.match(
      (warned[0] as { message: string }).message,
      /frame 2 is truncated: expected 4608 pixels bytes, found 4508; the file ends at frame 2/,
    );
    assert.deepEqual(rt.frameLeaks(), []);
  });
});

Deno.test("Y4mFileSource with loop fails with bad_header when the file's size changed between passes", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/loop.y4m`;
    await run("ffmpeg", [...FFMPEG, "1", "-pix_fmt", "yuv420p", path]);
    const ports = y4mFileSourceNode.ports();
    const source = y4mFileSourceNode.create({ path, loop: true }, ports);
    const ctx = createProcessContext("y4m");
    await source.setup(ctx);
    await source.process(ctx); // the only frame
    ctx.frames.flush();
    // Replaced by a smaller picture: before, its bytes went into the 64x48 frame, a garbled image.
    await Deno.writeTextFile(
      path,
      `YUV4MPEG2 W32 H24 F5:1\nFRAME\n${"\x10".repeat(32 * 24 * 1.5)}`,
    );
    await assert.rejects(source.process(ctx), (e: Error & { code?: string }) => {
      assert.equal(e.code, "bad_header");
      assert.match(e.message, /the file changed while playing: it is 32x24 now, it was 64x48/);
      return true;
    });
    ctx.frames.flush();
    source.teardown();
  });
});

Deno.test("Y4mReader skips long FRAME parameters with one read, not one per byte", async () => {
  await withTempDir(async (dir) => {
    // 40 frames whose FRAME lines carry 4000 bytes of parameters (X, free text): before, 4000
    // reads a frame, 70 to 180 ms each (2.9 s for these 40); now one read and a seek.
    const path = `${dir}/params.y4m`;
    const pixels = 64 * 48 * 1.5;
    const parts = ["YUV4MPEG2 W64 H48 F25:1\n"];
    for (let n = 0; n < 40; n++) {
      parts.push(`FRAME Ip X${"p".repeat(3996)}\n`, String.fromCharCode(16 + n).repeat(pixels));
    }
    await Deno.writeTextFile(path, parts.join(""));
    const started = performance.now();
    const frames = await readAll(path);
    const ms = performance.now() - started;
    assert.equal(frames.length, 40 * pixels);
    for (let n = 0; n < 40; n++) {
      assert.ok(
        frames.subarray(n * pixels, (n + 1) * pixels).every((b) => b === 16 + n),
        `frame ${n}`,
      );
    }
    assert.ok(ms < 1_000, `40 frames took ${Math.round(ms)} ms`);
  });
});
