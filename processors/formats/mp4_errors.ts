/**
 * Typed errors of MP4 playback: a file that cannot be read, or tracks this library cannot decode.
 *
 * @module
 */

/** Stable machine codes of {@linkcode Mp4ReadError} and its subclasses. */
export type Mp4ReadErrorCode =
  | "unreadable"
  | "not_found"
  | "not_regular_file"
  | "too_large"
  | "truncated"
  | "unsupported_codec"
  | "aac_config_invalid"
  | "aac_channels_unsupported"
  | "aac_packet_corrupt";

/**
 * An MP4 file that cannot be opened or parsed; names the path and the reason, and `code` says
 * what was wrong for programs (`not_found`, `not_regular_file`, `too_large`, `truncated`,
 * `unsupported_codec`, `unreadable` for a file that is not a playable MP4; for an AAC track
 * `aac_config_invalid` (its AudioSpecificConfig is missing or corrupt),
 * `aac_channels_unsupported` (it declares other than one or two channels) and
 * `aac_packet_corrupt` (an access unit that does not decode, found while playing)).
 *
 * @example A missing file fails the source's setup
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { monotonicClock } from "@streamlib/streamlib";
 * import { Mp4ReadError } from "@streamlib/streamlib/processors";
 * import { mp4FileSourceNode } from "../sources/mp4_file_source.gen.ts";
 *
 * const source = mp4FileSourceNode.create({ path: "missing.mp4" });
 * await assert.rejects(
 *   () => source.setup(createProcessContext("clip")),
 *   (error) => {
 *     assert.ok(error instanceof Mp4ReadError);
 *     assert.equal(error.path, "missing.mp4");
 *     assert.equal(error.code, "not_found");
 *     assert.equal(
 *       error.message,
 *       "Cannot read missing.mp4: it cannot be opened (No such file or directory (os error 2): stat 'missing.mp4')",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class Mp4ReadError extends Error {
  /** The file. */
  readonly path: string;
  /** What was wrong, for programs. */
  readonly code: Mp4ReadErrorCode;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param reason What went wrong.
   * @param options The underlying error as `cause`.
   *
   * @example Report a missing file
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mp4ReadError } from "./mp4_errors.ts";
   *
   * assert.equal(new Mp4ReadError("a.mp4", "no such file").message, "Cannot read a.mp4: no such file");
   * ```
   */
  constructor(path: string, reason: string, options?: ErrorOptions & { code?: Mp4ReadErrorCode }) {
    super(`Cannot read ${path}: ${reason}`, options);
    this.name = "Mp4ReadError";
    this.path = path;
    this.code = options?.code ?? "unreadable";
  }
}

/**
 * A track whose codec this library does not decode; names the codec and the supported ones.
 * `Mp4FileSource` fails its setup with it for, say, an MP3 audio track or an HE-AAC one.
 *
 * @example Tell an unsupported codec from an unreadable file
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mp4ReadError, UnsupportedMp4CodecError } from "@streamlib/streamlib/processors";
 *
 * const error: Mp4ReadError = new UnsupportedMp4CodecError("talk.mp4", "audio", "mp3", ["aac", "opus"]);
 * if (error instanceof UnsupportedMp4CodecError) {
 *   assert.equal(error.codec, "mp3");
 *   assert.deepEqual(error.supported, ["aac", "opus"]);
 * }
 * assert.equal(
 *   error.message,
 *   "Cannot read talk.mp4: its audio codec is mp3, expected aac or opus; re-encode it, e.g. ffmpeg -i talk.mp4 -c:v copy -c:a aac talk.aac.mp4",
 * );
 * ```
 */
export class UnsupportedMp4CodecError extends Mp4ReadError {
  /** The track's codec (`"hevc"`, `"aac"`, ...), or `"unknown"`. */
  readonly codec: string;
  /** The codecs that would be decoded for this kind of track. */
  readonly supported: readonly string[];

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param kind `"video"` or `"audio"`.
   * @param codec The track's codec.
   * @param supported The codecs that would be decoded.
   * @param options `detail`: why this stream of the codec is not decoded (an AAC profile other
   *   than LC, say).
   */
  constructor(
    path: string,
    kind: string,
    codec: string,
    supported: readonly string[],
    options?: { detail?: string },
  ) {
    super(
      path,
      `its ${kind} codec is ${codec}, expected ${supported.join(" or ")}${
        options?.detail ? ` (${options.detail})` : ""
      }${reencodeHint(path, kind, supported)}`,
      { code: "unsupported_codec" },
    );
    this.name = "UnsupportedMp4CodecError";
    this.codec = codec;
    this.supported = supported;
  }
}

/** ffmpeg's encoder for each codec this library reads. */
const FFMPEG_ENCODERS: Record<string, string> = {
  aac: "aac",
  "aac-lc": "aac",
  opus: "libopus",
  h264: "libx264",
};

/** The ffmpeg command that re-encodes `kind`'s track of `path` to the first supported codec. */
function reencodeHint(path: string, kind: string, supported: readonly string[]): string {
  const encoder = FFMPEG_ENCODERS[supported[0]];
  if (encoder === undefined || (kind !== "audio" && kind !== "video")) return "";
  const dot = path.lastIndexOf(".");
  const out = `${dot > path.lastIndexOf("/") ? path.slice(0, dot) : path}.${supported[0]}.mp4`;
  const codecs = kind === "audio" ? `-c:v copy -c:a ${encoder}` : `-c:v ${encoder} -c:a copy`;
  return `; re-encode it, e.g. ffmpeg -i ${path} ${codecs} ${out}`;
}

/**
 * An MP4 file whose top-level boxes run past its end: a copy cut short, or a recording whose
 * writer was killed in the middle of writing a box. Names the box, where it starts, how long it
 * says it is and how long the file is.
 *
 * @example Refuse a file cut in half
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { monotonicClock } from "@streamlib/streamlib";
 * import { TruncatedMp4Error } from "@streamlib/streamlib/processors";
 * import { mp4FileSourceNode } from "../sources/mp4_file_source.gen.ts";
 *
 * const dir = await Deno.makeTempDir();
 * // An 'ftyp' box, then an 'mdat' box that says 1000 bytes, of which 8 are there.
 * const bytes = new Uint8Array([
 *   0, 0, 0, 16, ...new TextEncoder().encode("ftypisom"), 0, 0, 2, 0,
 *   0, 0, 0x03, 0xe8, ...new TextEncoder().encode("mdat"),
 * ]);
 * await Deno.writeFile(`${dir}/cut.mp4`, bytes);
 * await assert.rejects(
 *   () => mp4FileSourceNode.create({ path: `${dir}/cut.mp4` }).setup(createProcessContext("clip")),
 *   (error) => {
 *     assert.ok(error instanceof TruncatedMp4Error);
 *     assert.equal(error.box, "mdat");
 *     assert.equal(error.offset, 16);
 *     assert.equal(error.declaredBytes, 1000);
 *     assert.equal(error.fileBytes, 24);
 *     return true;
 *   },
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TruncatedMp4Error extends Mp4ReadError {
  /** The four-character type of the box that does not fit (`"mdat"`, `"moof"`, ...). */
  readonly box: string;
  /** Where the box starts, in bytes. */
  readonly offset: number;
  /** The size the box's header declares, in bytes. */
  readonly declaredBytes: number;
  /** The file's size, in bytes. */
  readonly fileBytes: number;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param box The box's type.
   * @param offset Where it starts.
   * @param declaredBytes The size its header declares.
   * @param fileBytes The file's size.
   *
   * @example Describe a cut 'mdat' box
   * ```ts
   * import assert from "node:assert/strict";
   * import { TruncatedMp4Error } from "./mp4_errors.ts";
   *
   * assert.equal(
   *   new TruncatedMp4Error("a.mp4", "mdat", 40, 9000, 4000).message,
   *   "Cannot read a.mp4: it is truncated: its 'mdat' box at byte 40 declares 9000 bytes but the file ends at byte 4000",
   * );
   * ```
   */
  constructor(path: string, box: string, offset: number, declaredBytes: number, fileBytes: number) {
    super(
      path,
      `it is truncated: its '${box}' box at byte ${offset} declares ${declaredBytes} bytes but the file ends at byte ${fileBytes}`,
      { code: "truncated" },
    );
    this.name = "TruncatedMp4Error";
    this.box = box;
    this.offset = offset;
    this.declaredBytes = declaredBytes;
    this.fileBytes = fileBytes;
  }
}

/**
 * An MP4 file that cannot be written: a directory that does not exist, no permission, a path that
 * is a directory. `Mp4Writer` fails its `setup()` with it, before any frame arrives. Names the path,
 * the reason and what is valid.
 *
 * @example A missing directory fails the writer's setup
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { connectLocal, type EncodedVideoFrame, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import { Mp4WriteError } from "@streamlib/streamlib/processors";
 * import { mp4WriterNode } from "../sinks/mp4_writer.gen.ts";
 *
 * const ports = mp4WriterNode.ports();
 * const writer = mp4WriterNode.create({ path: "/no/such/dir/take.mp4" }, ports);
 * connectLocal(new OutputBinding<EncodedVideoFrame>("v", "EncodedVideoFrame"), ports.input("video"));
 * await assert.rejects(
 *   () => writer.setup(createProcessContext("rec")),
 *   (error) => {
 *     assert.ok(error instanceof Mp4WriteError);
 *     assert.equal(error.path, "/no/such/dir/take.mp4");
 *     assert.equal(error.reason, "its directory /no/such/dir does not exist");
 *     assert.equal(
 *       error.message,
 *       "Cannot write /no/such/dir/take.mp4: its directory /no/such/dir does not exist; expected a file path in an existing, writable directory",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class Mp4WriteError extends Error {
  /** The file. */
  readonly path: string;
  /** What went wrong, in words. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param reason What went wrong.
   * @param options The underlying error as `cause`.
   *
   * @example Report a read-only directory
   * ```ts
   * import assert from "node:assert/strict";
   * import { Mp4WriteError } from "./mp4_errors.ts";
   *
   * assert.equal(
   *   new Mp4WriteError("/ro/a.mp4", "permission denied").message,
   *   "Cannot write /ro/a.mp4: permission denied; expected a file path in an existing, writable directory",
   * );
   * ```
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(
      `Cannot write ${path}: ${reason}; expected a file path in an existing, writable directory`,
      options,
    );
    this.name = "Mp4WriteError";
    this.path = path;
    this.reason = reason;
  }
}
