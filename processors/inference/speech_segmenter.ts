/**
 * Speech segments from a stream of per-window speech probabilities: hysteresis, a minimum speech
 * and silence duration, and padding, as Silero's own `VADIterator` and `get_speech_timestamps`
 * apply them, but decided as the windows come.
 *
 * @module
 */

/** Options of {@linkcode SpeechSegmenter}, in samples of the stream's timeline. */
export interface SegmenterOptions {
  /** Probability at or above which a window is speech. */
  readonly threshold: number;
  /** Speech must last this long (samples) before it starts a segment. */
  readonly minSpeech: number;
  /** Silence must last this long (samples) inside speech before it ends the segment. */
  readonly minSilence: number;
  /** Samples added before each segment's first speech and after its last. */
  readonly pad: number;
  /**
   * Moves each stop back from where the probability fell to where speech ended by another
   * measure (the audio's level: {@linkcode StopRefinement}); stops stand as the model gives
   * them without one.
   */
  readonly refiner?: StopRefinement;
}

/** What moves a segment's stop back from where the model's probability fell. */
export interface StopRefinement {
  /** How far back a stop may move, in samples. */
  readonly lookback: number;
  /**
   * Where the speech stopped at `stop` ended.
   *
   * @param earliest The segment's first speech.
   * @param stop Where the probability fell (the closing silence's start).
   * @param now The end of the closing silence.
   * @returns A position from `stop - lookback` (and after `earliest`) to `stop`.
   */
  refine(earliest: number, stop: number, now: number): number;
}

/** A segment boundary: where speech starts or stops on the timeline (padded). */
export interface SegmentBoundary {
  /** Which boundary. */
  readonly type: "speech-start" | "speech-stop";
  /** Its position on the timeline, in samples. */
  readonly at: number;
}

/** A speech segment: `[start, end)` on the timeline; `end` is `Infinity` while it lasts. */
export interface Segment {
  /** First sample of speech (padded). */
  start: number;
  /** First sample after it (padded), or `Infinity` while the segment is open. */
  end: number;
}

/**
 * Turns window probabilities into speech segments, as Silero's `get_speech_timestamps` does
 * offline but decided window by window. A window at or above `threshold` starts candidate
 * speech; a window below the negative threshold (`threshold - 0.15`) starts candidate silence,
 * and a window at or above `threshold` cancels it (windows in between change nothing). Candidate
 * speech becomes a segment once it has lasted `minSpeech` (short dips included), starting `pad`
 * before its first window; silence that lasts `minSilence` ends a segment `pad` after the
 * silence began (Silero's `temp_end`), or `pad` after where the `refiner` finds that speech
 * ended within its lookback, and drops candidate speech that never reached `minSpeech`.
 * Segments never overlap: a start is never before the previous end.
 *
 * Every sample before {@linkcode SpeechSegmenter.decidedUntil} is decided: it is in one of
 * {@linkcode SpeechSegmenter.segments} or it is not speech, whatever windows come next.
 *
 * @example Half a second of speech between silences
 * ```ts
 * import assert from "node:assert/strict";
 * import { SpeechSegmenter } from "./speech_segmenter.ts";
 *
 * const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 1_000, minSilence: 2_000, pad: 0 });
 * const probabilities = [0, 0, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1];
 * const boundaries = probabilities.flatMap((p, i) => seg.push(p, i * 512, (i + 1) * 512) ?? []);
 * assert.deepEqual(boundaries, [{ type: "speech-start", at: 1024 }, { type: "speech-stop", at: 3072 }]);
 * assert.deepEqual(seg.segments, [{ start: 1024, end: 3072 }]);
 * ```
 */
export class SpeechSegmenter {
  readonly #threshold: number;
  readonly #negative: number;
  readonly #minSpeech: number;
  readonly #minSilence: number;
  readonly #pad: number;
  readonly #refiner: StopRefinement | undefined;
  /** How far back the refiner may move a stop (0 without one). */
  readonly #lookback: number;
  /** Segments not yet pruned, oldest first; the last is open while speaking. */
  readonly segments: Segment[] = [];
  #speaking = false;
  /** Where candidate speech began (outside a segment); NaN without one. */
  #speechFrom = Number.NaN;
  /** Where the open segment's speech began (unpadded). */
  #segmentFrom = 0;
  /** Where candidate silence began (in a segment or in candidate speech); NaN without one. */
  #silenceFrom = Number.NaN;
  /** End of the windows pushed so far. */
  #now = 0;
  /** End of the last closed segment. */
  #lastEnd = 0;

  /**
   * Creates a segmenter.
   *
   * @param options Threshold, durations and padding (durations in samples).
   */
  constructor(options: SegmenterOptions) {
    this.#threshold = options.threshold;
    this.#negative = Math.max(options.threshold - 0.15, 0.01);
    this.#minSpeech = options.minSpeech;
    this.#minSilence = options.minSilence;
    this.#pad = options.pad;
    this.#refiner = options.refiner;
    this.#lookback = options.refiner?.lookback ?? 0;
  }

  /** Whether a segment is open. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Samples before this position are decided. */
  get decidedUntil(): number {
    if (this.#speaking) {
      // The stop is at or after the closing silence's start (a later window's, when none has
      // begun), less the refiner's lookback, plus the pad.
      const silence = Number.isNaN(this.#silenceFrom) ? this.#now : this.#silenceFrom;
      return Math.min(this.#now, silence - this.#lookback + this.#pad);
    }
    const speech = this.#speechFrom;
    const earliestStart = Number.isNaN(speech) ? this.#now - this.#pad : speech - this.#pad;
    return Math.max(this.#lastEnd, earliestStart, 0);
  }

  /**
   * Takes the next window's probability.
   *
   * @param probability The window's speech probability.
   * @param start The window's first sample on the timeline.
   * @param end The sample after its last.
   * @returns The boundary this window decided, if any.
   */
  push(probability: number, start: number, end: number): SegmentBoundary | undefined {
    this.#now = end;
    const candidate = this.#speaking || !Number.isNaN(this.#speechFrom);
    if (probability >= this.#threshold) {
      this.#silenceFrom = Number.NaN;
      if (!candidate) this.#speechFrom = start;
    } else if (probability < this.#negative && candidate && Number.isNaN(this.#silenceFrom)) {
      this.#silenceFrom = start;
    }
    const silence = this.#silenceFrom;
    if (!Number.isNaN(silence) && end - silence >= this.#minSilence) {
      if (this.#speaking) {
        const refined = this.#refiner?.refine(this.#segmentFrom, silence, end) ?? silence;
        // Held to the promised span: the samples before decidedUntil are already written.
        const earliest = Math.max(silence - this.#lookback, this.#segmentFrom);
        return this.#stop(Math.min(Math.max(refined, earliest), silence) + this.#pad);
      }
      this.#speechFrom = Number.NaN; // speech too short to count
      this.#silenceFrom = Number.NaN;
      return undefined;
    }
    const speech = this.#speechFrom;
    if (this.#speaking || Number.isNaN(speech)) return undefined;
    if ((Number.isNaN(silence) ? end : silence) - speech < this.#minSpeech) return undefined;
    const at = Math.max(speech - this.#pad, this.#lastEnd, 0);
    this.#speaking = true;
    this.#segmentFrom = speech;
    this.#speechFrom = Number.NaN;
    this.segments.push({ start: at, end: Infinity });
    return { type: "speech-start", at };
  }

  /**
   * Ends an open segment at `at` (the stream ended or changed format).
   *
   * @param at Where the audio ends on the timeline.
   * @returns The stop boundary, or `undefined` when no segment was open.
   */
  finish(at: number): SegmentBoundary | undefined {
    if (!this.#speaking) return undefined;
    return this.#stop(Math.max(at, this.segments[this.segments.length - 1].start));
  }

  /**
   * Forgets segments that end at or before `position`.
   *
   * @param position A timeline position every earlier sample of which is done with.
   */
  prune(position: number): void {
    let n = 0;
    while (n < this.segments.length && this.segments[n].end <= position) n++;
    if (n > 0) this.segments.splice(0, n);
  }

  #stop(at: number): SegmentBoundary {
    this.#speaking = false;
    this.#speechFrom = Number.NaN;
    this.#silenceFrom = Number.NaN;
    this.#lastEnd = at;
    this.segments[this.segments.length - 1].end = at;
    return { type: "speech-stop", at };
  }
}
