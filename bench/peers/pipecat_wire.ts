/**
 * The few protobuf messages the session bench exchanges with pipecat's `ProtobufFrameSerializer`
 * (pipecat's `frames.proto`): `Frame { audio = 2: AudioRawFrame { audio = 3, sample_rate = 4,
 * num_channels = 5 } }`, encoded and decoded by hand so the bench's client needs no protobuf library.
 *
 * @module
 */

function varint(out: number[], value: number): void {
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

/** Encodes 16-bit mono PCM as a pipecat `Frame` holding an `AudioRawFrame`. */
export function encodePipecatAudio(pcm: Int16Array, sampleRate: number): Uint8Array {
  const audio = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const head: number[] = [];
  varint(head, (3 << 3) | 2); // audio: bytes
  varint(head, audio.length);
  const tail: number[] = [];
  varint(tail, (4 << 3) | 0); // sample_rate
  varint(tail, sampleRate);
  varint(tail, (5 << 3) | 0); // num_channels
  varint(tail, 1);
  const innerLength = head.length + audio.length + tail.length;
  const outer: number[] = [];
  varint(outer, (2 << 3) | 2); // Frame.audio
  varint(outer, innerLength);
  const bytes = new Uint8Array(outer.length + innerLength);
  bytes.set(outer, 0);
  bytes.set(head, outer.length);
  bytes.set(audio, outer.length + head.length);
  bytes.set(tail, outer.length + head.length + audio.length);
  return bytes;
}

function readVarint(bytes: Uint8Array, at: { i: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at.i >= bytes.length) throw new RangeError("truncated varint");
    const b = bytes[at.i++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
}

/** The PCM of a pipecat `Frame` holding audio, or `undefined` for any other frame. */
export function decodePipecatAudio(bytes: Uint8Array): Int16Array | undefined {
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const key = readVarint(bytes, at);
    const field = key >>> 3;
    const wire = key & 7;
    if (wire !== 2) {
      if (wire === 0) readVarint(bytes, at);
      else throw new RangeError(`unexpected wire type ${wire}`);
      continue;
    }
    const length = readVarint(bytes, at);
    const body = bytes.subarray(at.i, at.i + length);
    at.i += length;
    if (field !== 2) continue;
    const inner = { i: 0 };
    while (inner.i < body.length) {
      const k = readVarint(body, inner);
      if ((k & 7) === 0) {
        readVarint(body, inner);
        continue;
      }
      const n = readVarint(body, inner);
      const value = body.subarray(inner.i, inner.i + n);
      inner.i += n;
      if (k >>> 3 === 3) {
        const copy = value.slice();
        return new Int16Array(copy.buffer, 0, copy.length >> 1);
      }
    }
  }
  return undefined;
}
