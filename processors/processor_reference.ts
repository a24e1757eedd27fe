/**
 * Renders `docs/processors.md`, the reference of the built-in processors, from the node
 * registry: one section per processor with its ports, port types and config defaults.
 *
 * Run `deno run -A processors/processor_reference.ts` after changing a processor (and
 * `deno task codegen`); `processor_reference_test.ts` fails while the committed page is stale.
 *
 * @module
 */

import { describeSchema } from "../core/config/validation.ts";
import type { NodeRegistry } from "../core/registry/node_registry.ts";
import type { PortDescriptor, ProcessorDescriptor } from "../core/schema/descriptor.ts";
import { registry as builtinRegistry } from "./registry.gen.ts";

/** The page's introduction: what holds for every processor, which the registry cannot say. */
const INTRODUCTION = `# Built-in processors

<!-- Generated from the node registry by \`deno run -A processors/processor_reference.ts\`. Do not
edit by hand: change the processor's JSDoc and config type, run \`deno task codegen\`, then the
script. -->

The processors in \`processors/\`, as \`deno task nodes list\` and \`deno task nodes info <Name>\`
show them. Each is an annotated class; \`deno task codegen\` generates its ports, descriptor,
config schema and factory (\`gainNode.create(config)\`). The algorithms behind them are described
in [media_algorithms.md](media_algorithms.md).

## Conventions

- **Port types.** An audio port's channel count is part of its type: \`AudioFrame<2>\` connects only
  to \`AudioFrame<2>\`, while an input typed \`AudioFrame\` (any count) takes every \`AudioFrame<N>\`.
  \`ChannelConverter\` bridges counts. Video ports carry \`VideoFrame\` in any pixel format (RGBA,
  BGRA, I420, NV12) with tightly packed rows; processors that need one format convert or say so.
- **Real time.** \`setup()\` allocates: delay lines, conversion buffers, open files. \`process()\`
  takes its frames from \`ctx.frames\`, reference-counted memory the runtime owns and recycles (see
  [frames and their lifetime](writing_processors.md#frames-and-their-lifetime)): a frame stays valid
  while anyone holds it, whatever the connections' capacities. Gain, Reverb and AudioMixer write in
  place when they hold a block alone; transforms pass frames that need no change on without a copy
  (\`VideoScale\` at the target size, \`ColorConvert\` in the target format). When frame memory
  runs out a transform waits and loses nothing: what it read comes back to it when memory frees.
- **File I/O.** \`WavFileSource\`, \`Y4mFileSource\`, \`WavWriter\` and \`Y4mWriter\` open their file
  in \`setup()\` and read or write it in \`process()\` with Deno's async file API (through
  \`processors/formats/\`), so their \`process()\` returns a promise the runtime awaits. Those
  async calls allocate their promises and a few small objects (typed-array views, closures) per
  call; sample and pixel buffers are never allocated per frame. \`teardown()\` closes the file; the writers wait
  for pending writes first and are idempotent. \`WavWriter\` patches the WAV header sizes after
  every block, so a recording cut off at any moment is a valid file of everything written; a
  \`.y4m\` recording cut off loses at most the frame being written.
- **End of stream.** A file source played without \`loop\` writes its last frame (for
  \`WavFileSource\`, a block whose \`frameCount\` may be short), then sets its \`ended\` property
  and writes nothing more. With \`loop\` it starts again from the beginning and never ends.
- **Loop sources and pacing.** \`TestToneGenerator\`, \`TestPattern\`, \`WavFileSource\` and
  \`Y4mFileSource\` run in \`loop\` mode and produce one block or frame per \`process()\` call.
  Timestamps are computed from the frame count and the clock time at \`setup()\`, not read per
  frame, so they are exactly one period apart. \`TestPattern\`, \`WavFileSource\` and
  \`Y4mFileSource\` declare their period to the runtime in \`setup()\` with
  \`ctx.loop?.setPeriodNs()\` (\`1 / fps\`, \`blockSize / sampleRate\`, and the Y4M header's frame
  rate) and expose it as \`periodNs\`. A file source that has ended stays scheduled; its
  \`process()\` returns at once.
- **Config errors.** Configs are validated when the processor is created: a missing \`path\`, an
  unknown \`pixelFormat\` or a value out of range throws \`ConfigValidationError\`, whose \`issues\`
  name the field, what it expects (the valid values) and what was given. Rules the schema cannot
  state (an odd size for an I420 or NV12 \`TestPattern\`) throw the same error from \`setup()\`.
  Missing or unreadable files throw the reader's typed error (\`WavNotFoundError\`,
  \`Y4mHeaderError\`, ...) from \`setup()\`, naming the path.
- **Codecs, capture and MP4.** \`H264Encoder\`, \`H264Decoder\`, \`Mp4Writer\`, \`Mp4FileSource\`,
  \`ScreenCapture\`, \`Camera\` and \`Microphone\` do their heavy work in the native library (see
  [native_abi.md](native_abi.md)): pixels reach the encoder by pointer, never copied through JS;
  capture threads write frames into a frame pool and a ring that \`process()\` polls. What runs on
  which OS is in [platforms.md](platforms.md): a processor the OS lacks fails \`setup()\` with
  \`UnsupportedPlatformError\`, a missing device with \`DeviceNotFoundError\`, refused access with
  \`PermissionDeniedError\`, a bad MP4 with \`Mp4ReadError\`.
`;

/**
 * The Markdown reference of every processor in `registry`: the introduction, a summary table,
 * then per processor its description, inputs and outputs (name, port type, required, description)
 * and config fields (type, default, description). Not yet formatted with `deno fmt`.
 *
 * @param registry The processors to describe; the built-in ones by default.
 * @returns The page.
 *
 * @example Render the reference and find the gain's config row
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderProcessorReference } from "./processor_reference.ts";
 *
 * const page = renderProcessorReference();
 * assert.equal(
 *   page.split("\n").find((line) => line.startsWith("| `gain`")),
 *   "| `gain` | a number from 0 to 16 | `1` | Linear factor applied to every sample; 1 leaves the audio unchanged. |",
 * );
 * ```
 */
export function renderProcessorReference(registry: NodeRegistry = builtinRegistry): string {
  const descriptors = registry.names.map((name) => registry.describe(name));
  const lines = [INTRODUCTION, "## Summary", ""];
  lines.push(
    "| Processor | Mode | Inputs | Outputs | Summary |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const d of descriptors) {
    lines.push(
      row([
        `[${d.name}](#${d.name.toLowerCase()})`,
        d.mode,
        portList(d.inputs),
        portList(d.outputs),
        text(d.description.split("\n")[0]),
      ]),
    );
  }
  for (const d of descriptors) lines.push("", ...section(d));
  return `${lines.join("\n")}\n`;
}

function section(d: ProcessorDescriptor): string[] {
  const lines = [`## ${d.name}`, ""];
  for (const paragraph of d.description.split("\n")) lines.push(text(paragraph), "");
  lines.push(
    `Mode \`${d.mode}\`; tags ${d.tags.map((t) => `\`${t}\``).join(", ") || "none"}; ` +
      `source \`${d.source}\`.`,
  );
  lines.push("", ...ports("Input", d.inputs), "", ...ports("Output", d.outputs), "", ...config(d));
  return lines;
}

function ports(title: string, list: readonly PortDescriptor[]): string[] {
  if (list.length === 0) return [`${title}s: none.`];
  const input = title === "Input";
  const lines = input
    ? [`| ${title} | Type | Required | Description |`, "| --- | --- | --- | --- |"]
    : [`| ${title} | Type | Description |`, "| --- | --- | --- |"];
  for (const p of list) {
    const cells = [`\`${p.name}\``, `\`${p.portType}\``, text(p.description) || "-"];
    if (input) cells.splice(2, 0, p.required ? "yes" : "no");
    lines.push(row(cells));
  }
  return lines;
}

function config(d: ProcessorDescriptor): string[] {
  const properties = Object.entries(d.config.properties ?? {});
  if (properties.length === 0) return ["Config: none."];
  const required = d.config.required ?? [];
  const lines = ["| Config | Type | Default | Description |", "| --- | --- | --- | --- |"];
  for (const [name, field] of properties) {
    const { description: _, default: fallback, ...shape } = field;
    const value = fallback !== undefined
      ? `\`${JSON.stringify(fallback)}\``
      : required.includes(name)
      ? "required"
      : "optional";
    lines.push(
      row([`\`${name}\``, text(describeSchema(shape)), value, text(field.description ?? "-")]),
    );
  }
  return lines;
}

function portList(list: readonly PortDescriptor[]): string {
  return list.length === 0 ? "-" : list.map((p) => `\`${p.name}: ${p.portType}\``).join(", ");
}

/** JSDoc prose as Markdown: `{@linkcode X}` becomes code. */
function text(value: string): string {
  return value.replace(/\{@link(?:code|plain)? ([^}\s]+)\}/g, "`$1`");
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
}

if (import.meta.main) {
  const target = new URL("../docs/processors.md", import.meta.url);
  await Deno.writeTextFile(target, renderProcessorReference());
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", target.pathname],
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  if (code !== 0) Deno.exit(code);
  console.log(`wrote ${target.pathname}`);
}
