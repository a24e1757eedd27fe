/**
 * The records of a session channel's rings (`_channel.ts`): a message as a few bytes and its
 * frame's payload, internal to `sessions/`.
 *
 * A session's isolate runs each block's code some 50 times a second, too seldom for V8 to
 * optimize it within the first seconds, so what runs per block is kept short: the messages of
 * every block (a block sent, its ack, its output, a credit) are numbers in a fixed head, with the
 * port's name as a number defined once per channel; the rest is JSON.
 *
 * @module
 */

/** Record kinds (a record's first byte). */
const JSON_RECORD = 0;
const POSTED = 1;
const NAME = 2;
const SEND_AUDIO = 3;
const FRAME_AUDIO = 4;
const ACK = 5;
const CREDIT = 6;

/**
 * Whether a record only defines a name (the decoder must see it before the records that use the
 * name).
 *
 * @param record A record's head.
 * @returns Whether it is a name's definition.
 */
export function isName(record: Uint8Array): boolean {
  return record[0] === NAME;
}

/** A record that says: the next message posted on the port goes here. */
export const POSTED_RECORD: Uint8Array = new Uint8Array([POSTED, 0, 0, 0, 0, 0, 0, 0]);

/** The JSON record's payload kinds. */
const NO_PAYLOAD = 0;
const F32_SAMPLES = 1;
const U8_DATA = 2;

/** Bytes of a fixed head: 8 bytes of kind, name and metadata length, then 8 numbers. */
const FIXED_HEAD = 8 + 8 * 8;
/** Names a channel defines at most; later ones go as JSON (a caller may send to any name). */
const MAX_NAMES = 256;
/** Metadata lengths that say: none, and `{}`. */
const NO_METADATA = 0;
const EMPTY_METADATA = 0xffff_ffff;
/** Audio frame fields a fixed head carries, besides `kind` and `samples`. */
const AUDIO_FIELDS = ["channels", "sampleRate", "timestampNs", "frameCount", "frameNumber"];

const utf8 = new TextEncoder();
// A name is its bytes: a leading U+FEFF is kept (the default decoder drops it, so a frame sent to
// '\ufeffvoice' went into 'voice').
const text = new TextDecoder("utf-8", { ignoreBOM: true });

/** What one message becomes: records as `[head, payload]` pairs, flattened. */
export type Records = (Uint8Array | undefined)[];

/** Encodes one end's messages; holds the names it defined. */
export class RecordEncoder {
  readonly #names = new Map<string, number>();
  readonly #numbers = new Float64Array(8);
  readonly #numberBytes = new Uint8Array(this.#numbers.buffer);
  /**
   * The head of a block's message without metadata, and the records list, both reused: the
   * caller copies a message's records (into the ring) before it encodes the next.
   */
  readonly #scratch = new Uint8Array(FIXED_HEAD);
  readonly #records: Records = [];

  /**
   * The records of a message, or `undefined` when it must cross the port: not plain JSON (a
   * frame field that is not a string, a boolean, a finite number or its payload; a data frame,
   * whose value may be any clonable value; metadata that is not strings). The records may define
   * a name ({@linkcode isName}): write those even when the message itself goes by the port.
   * The list and a block's head are reused by the next call: copy them (into the ring, or
   * `slice()` them) before.
   *
   * @param message The message.
   * @returns The records, in order.
   */
  encode(message: { readonly t: string }): Records | undefined {
    return this.#fixed(message) ?? json(message);
  }

  /** A block's message in a fixed head, or `undefined` when it is not one. */
  #fixed(message: { readonly t: string }): Records | undefined {
    const m = message as Record<string, unknown> & { t: string };
    const n = this.#numbers;
    switch (m.t) {
      case "ack": {
        n[0] = m.id as number;
        n[1] = m.seq as number;
        const records = this.#fresh();
        records.push(this.#head(ACK, 0, 0), undefined);
        return records;
      }
      case "credit": {
        const records = this.#fresh();
        const name = this.#name(m.output, records);
        if (name < 0) return undefined;
        n[0] = m.n as number;
        records.push(this.#head(CREDIT, name, 0), undefined);
        return records;
      }
      case "send": {
        const samples = audioSamples(m.frame);
        if (samples === undefined) return undefined;
        const metadata = metadataBytes(m.metadata);
        if (metadata === undefined) return undefined;
        n[0] = m.id as number;
        n[1] = m.seq === undefined ? NaN : m.seq as number;
        if (!Number.isFinite(n[0]) || !(m.seq === undefined || Number.isFinite(n[1]))) {
          return undefined;
        }
        const records = this.#fresh();
        const name = this.#name(m.input, records);
        if (name < 0) return undefined;
        audioNumbers(m.frame as Record<string, unknown>, n);
        records.push(withMetadata(this.#head(SEND_AUDIO, name, metadata), metadata), samples);
        return records;
      }
      case "frame": {
        const item = m.item as { frame?: unknown; seq?: unknown; metadata?: unknown } | undefined;
        if (typeof item !== "object" || item === null || typeof item.seq !== "number") {
          return undefined;
        }
        const samples = audioSamples(item.frame);
        if (samples === undefined) return undefined;
        const metadata = metadataBytes(item.metadata);
        if (metadata === undefined) return undefined;
        const records = this.#fresh();
        const name = this.#name(m.output, records);
        if (name < 0) return undefined;
        n[0] = item.seq;
        n[1] = NaN;
        audioNumbers(item.frame as Record<string, unknown>, n);
        records.push(withMetadata(this.#head(FRAME_AUDIO, name, metadata), metadata), samples);
        return records;
      }
    }
    return undefined;
  }

  /** The records list, emptied. */
  #fresh(): Records {
    const records = this.#records;
    records.length = 0;
    return records;
  }

  /** A fixed head: kind, name, metadata length, and `#numbers` (the scratch head without JSON). */
  #head(kind: number, name: number, metadata: Uint8Array | number): Uint8Array {
    const metadataLength = typeof metadata === "number" ? metadata : metadata.byteLength;
    const head = typeof metadata === "number"
      ? this.#scratch
      : new Uint8Array(FIXED_HEAD + ((metadataLength + 7) & ~7));
    head[1] = 0;
    head[0] = kind;
    head[2] = name & 0xff;
    head[3] = name >> 8;
    head[4] = metadataLength & 0xff;
    head[5] = (metadataLength >>> 8) & 0xff;
    head[6] = (metadataLength >>> 16) & 0xff;
    head[7] = metadataLength >>> 24;
    head.set(this.#numberBytes, 8);
    return head;
  }

  /** The number of a name, its definition added to `records` the first time; -1: too many. */
  #name(name: unknown, records: Records): number {
    if (typeof name !== "string") return -1;
    let id = this.#names.get(name);
    if (id !== undefined) return id;
    if (this.#names.size >= MAX_NAMES) return -1;
    id = this.#names.size;
    this.#names.set(name, id);
    const bytes = utf8.encode(name);
    const record = new Uint8Array(8 + bytes.byteLength);
    record[0] = NAME;
    record[2] = id & 0xff;
    record[3] = id >> 8;
    record.set(bytes, 8);
    records.push(record, undefined);
    return id;
  }
}

/** Decodes the other end's records; holds the names it defined. */
export class RecordDecoder {
  readonly #names: string[] = [];
  readonly #numbers = new Float64Array(8);
  readonly #numberBytes = new Uint8Array(this.#numbers.buffer);
  readonly #allocate: ((length: number) => Float32Array) | undefined;

  /**
   * A decoder.
   *
   * @param allocate Gives the `Float32Array` of `length` samples a block's samples are copied
   *   into (a spare one of the reader's, say). Default: a new one per block.
   */
  constructor(allocate?: (length: number) => Float32Array) {
    this.#allocate = allocate;
  }

  /**
   * The message of a record (its payload copied out of the shared memory), or `undefined` for a
   * record that only defines a name.
   *
   * @param record The record, a view into the ring.
   * @returns The message.
   */
  decode(record: Uint8Array): unknown {
    const kind = record[0];
    if (kind === JSON_RECORD) return fromJson(record);
    const name = this.#names[record[2] | (record[3] << 8)];
    if (kind === NAME) {
      this.#names[record[2] | (record[3] << 8)] = text.decode(record.subarray(8));
      return undefined;
    }
    const n = this.#numbers;
    this.#numberBytes.set(record.subarray(8, FIXED_HEAD));
    if (kind === ACK) return { t: "ack", id: n[0], seq: n[1] };
    if (kind === CREDIT) return { t: "credit", output: name, n: n[0] };
    const metadataLength =
      (record[4] | (record[5] << 8) | (record[6] << 16) | (record[7] << 24)) >>> 0;
    let metadata: Record<string, string> | undefined;
    let start = FIXED_HEAD;
    if (metadataLength === EMPTY_METADATA) metadata = {};
    else if (metadataLength !== NO_METADATA) {
      metadata = JSON.parse(text.decode(record.subarray(start, start + metadataLength)));
      start += (metadataLength + 7) & ~7;
    }
    const frame: Record<string, unknown> = { kind: "audio" };
    for (let i = 0; i < AUDIO_FIELDS.length; i++) {
      if (!Number.isNaN(n[2 + i])) frame[AUDIO_FIELDS[i]] = n[2 + i];
    }
    if (this.#allocate === undefined) frame.samples = new Float32Array(record.slice(start).buffer);
    else {
      const bytes = record.subarray(start);
      const samples = this.#allocate(bytes.byteLength >> 2);
      new Uint8Array(samples.buffer, samples.byteOffset, bytes.byteLength).set(bytes);
      frame.samples = samples;
    }
    if (kind === SEND_AUDIO) {
      return {
        t: "send",
        id: n[0],
        input: name,
        frame,
        metadata,
        seq: Number.isNaN(n[1]) ? undefined : n[1],
      };
    }
    return { t: "frame", output: name, item: { frame, seq: n[0], metadata } };
  }
}

/** An audio frame's samples as bytes, or `undefined` when the frame is not one a head carries. */
function audioSamples(frame: unknown): Uint8Array | undefined {
  if (typeof frame !== "object" || frame === null) return undefined;
  const f = frame as Record<string, unknown>;
  if (f.kind !== "audio") return undefined;
  const samples = f.samples;
  if (!(samples instanceof Float32Array)) return undefined;
  for (const key in f) {
    if (key === "kind" || key === "samples") continue;
    if (!isAudioField(key)) return undefined;
    const value = f[key];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      return undefined;
    }
  }
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Whether `key` is one of `AUDIO_FIELDS` (a switch: no array search per field per frame). */
function isAudioField(key: string): boolean {
  switch (key) {
    case "channels":
    case "sampleRate":
    case "timestampNs":
    case "frameCount":
    case "frameNumber":
      return true;
  }
  return false;
}

/** An audio frame's numbers into `n[2..6]`, in `AUDIO_FIELDS` order (NaN: absent). */
function audioNumbers(frame: Record<string, unknown>, n: Float64Array): void {
  for (let i = 0; i < AUDIO_FIELDS.length; i++) {
    const value = frame[AUDIO_FIELDS[i]];
    n[2 + i] = value === undefined ? NaN : value as number;
  }
}

/** Metadata as a length code or its JSON, or `undefined` when it is not a record of strings. */
function metadataBytes(metadata: unknown): Uint8Array | number | undefined {
  if (metadata === undefined) return NO_METADATA;
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return undefined;
  }
  let empty = true;
  for (const key in metadata) {
    if (typeof (metadata as Record<string, unknown>)[key] !== "string") return undefined;
    empty = false;
  }
  if (empty) {
    return Object.getPrototypeOf(metadata) === Object.prototype ? EMPTY_METADATA : undefined;
  }
  return utf8.encode(JSON.stringify(metadata));
}

/** A head with metadata's JSON after its numbers. */
function withMetadata(head: Uint8Array, metadata: Uint8Array | number): Uint8Array {
  if (typeof metadata !== "number") head.set(metadata, FIXED_HEAD);
  return head;
}

/** A message's frame, when it carries one (`send`: `frame`; `frame`: `item.frame`). */
function frameOf(message: { readonly t: string }): Record<string, unknown> | undefined {
  const m = message as { t: string; frame?: unknown; item?: { frame?: unknown } };
  const frame = m.t === "send" ? m.frame : m.t === "frame" ? m.item?.frame : undefined;
  return typeof frame === "object" && frame !== null ? frame as Record<string, unknown> : undefined;
}

/** A message as a JSON record and its frame's payload, or `undefined` when it is not plain JSON. */
function json(message: { readonly t: string }): Records | undefined {
  const frame = frameOf(message);
  let payloadKind = NO_PAYLOAD;
  let payload: Uint8Array | undefined;
  let body: string;
  if (frame === undefined) {
    if (message.t === "send" || message.t === "frame") return undefined;
    body = JSON.stringify(message);
  } else {
    if (frame.kind === "data") return undefined;
    let key = "";
    for (const name in frame) {
      const value = frame[name];
      const type = typeof value;
      if (type === "string" || type === "boolean" || value === undefined) continue;
      if (type === "number" && Number.isFinite(value)) continue;
      if (key === "" && (name === "samples" || name === "data")) {
        if (value instanceof Float32Array && name === "samples") payloadKind = F32_SAMPLES;
        else if (value instanceof Uint8Array && name === "data") payloadKind = U8_DATA;
        else return undefined;
        const view = value as Float32Array | Uint8Array;
        payload = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        key = name;
        continue;
      }
      return undefined;
    }
    const m = message as { t: string; metadata?: unknown; item?: { metadata?: unknown } };
    if (metadataBytes(m.t === "send" ? m.metadata : m.item?.metadata) === undefined) {
      return undefined;
    }
    body = JSON.stringify(
      message,
      key === "" ? undefined : (name, value) => name === key && value === frame[key] ? null : value,
    );
  }
  const bytes = utf8.encode(body);
  // A multiple of 8 bytes, so the payload after it starts on 8 bytes in the ring (`_ring.ts`).
  const head = new Uint8Array(8 + ((bytes.byteLength + 7) & ~7));
  head[0] = JSON_RECORD;
  head[1] = payloadKind;
  new DataView(head.buffer).setUint32(4, bytes.byteLength, true);
  head.set(bytes, 8);
  return [head, payload];
}

/** A message from its JSON record. */
function fromJson(record: Uint8Array): unknown {
  const length = record[4] | (record[5] << 8) | (record[6] << 16) | (record[7] << 24);
  const message = JSON.parse(text.decode(record.subarray(8, 8 + length)));
  const payloadKind = record[1];
  if (payloadKind === NO_PAYLOAD) return message;
  const bytes = record.slice(8 + ((length + 7) & ~7));
  const frame = frameOf(message)!;
  if (payloadKind === F32_SAMPLES) frame.samples = new Float32Array(bytes.buffer);
  else frame.data = bytes;
  return message;
}
