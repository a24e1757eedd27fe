/**
 * Typed errors of MP4 playback: a file that cannot be read, or tracks this library cannot decode.
 *
 * @module
 */

/**
 * An MP4 file that cannot be opened or parsed; names the path and the reason.
 *
 * @example A missing file fails the source's setup
 * ```ts
 * import { monotonicClock } from "@streamlib/streamlib";
 * import { mp4FileSourceNode, Mp4ReadError } from "@streamlib/streamlib/processors";
 *
 * const source = mp4FileSourceNode.create({ path: "missing.mp4" });
 * try {
 *   await source.setup({ node: "clip", clock: monotonicClock });
 * } catch (error) {
 *   if (!(error instanceof Mp4ReadError)) throw error;
 *   console.log(error.path); // missing.mp4
 *   console.log(error.message);
 *   // Cannot read missing.mp4: it cannot be opened (No such file or directory (os error 2): stat 'missing.mp4')
 * }
 * ```
 */
export class Mp4ReadError extends Error {
  /** The file. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param reason What went wrong.
   * @param options The underlying error as `cause`.
   *
   * @example Report a missing file
   * ```ts
   * import { Mp4ReadError } from "./mp4_errors.ts";
   *
   * console.log(new Mp4ReadError("a.mp4", "no such file").message); // Cannot read a.mp4: no such file
   * ```
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot read ${path}: ${reason}`, options);
    this.name = "Mp4ReadError";
    this.path = path;
  }
}

/**
 * A track whose codec this library does not decode; names the codec and the supported ones.
 * `Mp4FileSource` fails its setup with it for, say, an AAC audio track.
 *
 * @example Tell an unsupported codec from an unreadable file
 * ```ts
 * import { Mp4ReadError, UnsupportedMp4CodecError } from "@streamlib/streamlib/processors";
 *
 * const error: Mp4ReadError = new UnsupportedMp4CodecError("talk.mp4", "audio", "aac", ["opus"]);
 * if (error instanceof UnsupportedMp4CodecError) {
 *   console.log(error.codec, error.supported); // aac [ "opus" ]
 * }
 * console.log(error.message); // Cannot read talk.mp4: its audio codec is aac, expected opus
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
   */
  constructor(path: string, kind: string, codec: string, supported: readonly string[]) {
    super(path, `its ${kind} codec is ${codec}, expected ${supported.join(" or ")}`);
    this.name = "UnsupportedMp4CodecError";
    this.codec = codec;
    this.supported = supported;
  }
}
