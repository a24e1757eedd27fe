import assert from "node:assert/strict";
import { LineSplitter, type SplitLine } from "./line_splitter.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const show = (lines: SplitLine[]) =>
  lines.map((l) => l.kind === "line" ? decode(l.bytes) : `<${l.size}:${decode(l.tail)}>`);

Deno.test("LineSplitter.push() splits at newlines across chunks of any size", () => {
  const input = '{"a":1}\n{"b":[1,2]}\r\n\n{"c":"x"}\n';
  for (const size of [1, 2, 3, 7, 64]) {
    const splitter = new LineSplitter(100);
    const lines: SplitLine[] = [];
    for (let i = 0; i < input.length; i += size) {
      lines.push(...splitter.push(encode(input.slice(i, i + size))));
    }
    assert.deepEqual(show(lines), ['{"a":1}', '{"b":[1,2]}', "", '{"c":"x"}'], `chunks of ${size}`);
    assert.equal(splitter.pending, 0);
  }
});

Deno.test("LineSplitter.push() reports a line over the limit with its size and ends, and goes on", () => {
  const splitter = new LineSplitter(10);
  const long = `{"x":"${"y".repeat(50)}","id":7}`;
  const lines: SplitLine[] = [];
  for (let i = 0; i < long.length; i += 4) {
    lines.push(...splitter.push(encode(long.slice(i, i + 4))));
  }
  lines.push(...splitter.push(encode('\n{"ok":1}\n')));
  assert.equal(lines.length, 2);
  const first = lines[0];
  assert.equal(first.kind, "too_long");
  if (first.kind !== "too_long") return;
  assert.equal(first.size, long.length);
  assert.equal(decode(first.head), long.slice(0, 512));
  assert.ok(decode(first.tail).endsWith(',"id":7}'));
  assert.deepEqual(show(lines.slice(1)), ['{"ok":1}']);
});

Deno.test("LineSplitter.push() keeps at most the limit of an oversized line in memory", () => {
  const splitter = new LineSplitter(1024);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  for (let i = 0; i < 64; i++) assert.deepEqual(splitter.push(chunk), []);
  assert.equal(splitter.pending, 64 * 64 * 1024);
  const [line] = splitter.push(encode("\n"));
  assert.equal(line.kind, "too_long");
});
